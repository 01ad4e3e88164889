"""Writing assignment policies: settings, allowed targets, approval stages and approvers."""

from desktop.importers.beta import v1_policy
from desktop.importers.fields import (
    ALLOWED_TARGET_TYPES,
    APPROVAL_SETTINGS,
    APPROVER_TYPES,
    POLICY_FIELDS,
    REQUESTOR_SETTINGS,
    fields_of,
    inside,
)
from desktop.importers.upsert import canonical, changed
from desktop.importers.values import (
    FieldError,
    boolean,
    duration,
    enumeration,
    guid,
    integer,
    listing,
    nested,
    odata_type,
    raw,
    text,
    timestamp,
)
from models import ApprovalStage, ApprovalStageApprover, AssignmentPolicy, PolicyAllowedTarget
from models.policy import ALLOWED_TARGET_SCOPES, EXPIRATION_TYPES


class PolicyWriter:
    """The policy family of GraphWriter (a mixin over UpsertEngine)."""

    def _policy(self, record: dict, context, pk: str, package_id: str | None = None) -> str:
        record = v1_policy(record)
        row = self._policy_row(record, pk, package_id)
        outcome = self._upsert(
            AssignmentPolicy, row, defaults={"display_name": pk}, required={"access_package": "accessPackage"}
        )
        if "specificAllowedTargets" in record:
            outcome = changed(outcome, self._allowed_targets(record, pk))
        settings = nested(record, "requestApprovalSettings")
        if settings is not None and "stages" in settings:
            with inside("requestApprovalSettings"):
                outcome = changed(outcome, self._stages(settings, pk))
        return outcome

    def _policy_row(self, record: dict, pk: str, package_id: str | None) -> dict:
        row = {"id": pk, **fields_of(AssignmentPolicy, record, POLICY_FIELDS)}
        if "allowedTargetScope" in record:
            row["allowed_target_scope"] = enumeration(record, "allowedTargetScope", allowed=ALLOWED_TARGET_SCOPES)
        for field, spec in (("requestorSettings", REQUESTOR_SETTINGS), ("requestApprovalSettings", APPROVAL_SETTINGS)):
            settings = nested(record, field)
            if settings is not None:
                with inside(field):
                    row.update(fields_of(AssignmentPolicy, settings, spec))
        expiration = nested(record, "expiration")
        if expiration is not None:
            with inside("expiration"):
                row.update(
                    fields_of(
                        AssignmentPolicy,
                        expiration,
                        (
                            ("expiration_duration", duration, "duration"),
                            ("expiration_end_date_time", timestamp, "endDateTime"),
                        ),
                    )
                )
                if "type" in expiration:
                    row["expiration_type"] = enumeration(expiration, "type", allowed=EXPIRATION_TYPES)
        if package_id is None:
            package = nested(record, "accessPackage")
            if package is not None:
                with inside("accessPackage"):
                    package_id = self._package_stand_in(package)
            elif raw(record, "accessPackageId") is not None:
                package_id = self._package_stand_in({"id": guid(record, "accessPackageId")})
        if package_id:
            row["access_package"] = package_id
        return {
            column: value
            for column, value in row.items()
            if value is not None or AssignmentPolicy._meta.fields[column].null
        }

    def _policy_stand_in(self, data: dict, package_id: str | None) -> str:
        pk = guid(data, "id", required=True)
        if self._exists(AssignmentPolicy, pk):
            return pk
        row = self._policy_row(v1_policy(data), pk, package_id)
        if "access_package" not in row:
            raise FieldError("accessPackage", "is missing, so the policy cannot be placed")
        return self._stand_in(AssignmentPolicy, {"display_name": pk, **row})

    def _subject_set(self, data: dict, allowed_types: tuple[str, ...]) -> dict | None:
        """Columns for one subjectSet, or None (noted) for a type the database cannot keep."""
        kind = odata_type(data)
        if kind not in allowed_types:
            self._note(f"a subject set of type {kind or 'unknown'} was not imported")
            return None
        row = {"subject_set_type": kind}
        if kind == "singleUser":
            row["user"] = self._user_stand_in({"id": guid(data, "userId", "id", required=True)})
        elif kind == "groupMembers":
            row["group"] = self._group_stand_in(data)
        elif kind == "connectedOrganizationMembers":
            row["connected_organization"] = self._organization_stand_in(
                {
                    "id": guid(data, "connectedOrganizationId", "id", required=True),
                    "displayName": text(data, "description"),
                }
            )
        elif kind == "requestorManager":
            row["manager_level"] = integer(data, "managerLevel") or 1
        return row

    def _allowed_targets(self, record: dict, policy_id: str) -> bool:
        wanted = []
        for position, item in enumerate(listing(record, "specificAllowedTargets") or []):
            with inside(f"specificAllowedTargets[{position}]"):
                row = self._subject_set(item, ALLOWED_TARGET_TYPES)
                if row is not None:
                    wanted.append({"user": None, "group": None, "connected_organization": None, **row})
        columns = ("subject_set_type", "user", "group", "connected_organization")
        stored = [
            dict(zip(columns, values))
            for values in PolicyAllowedTarget.select(*(getattr(PolicyAllowedTarget, c) for c in columns))
            .where(PolicyAllowedTarget.policy == policy_id)
            .tuples()
        ]
        if canonical(stored) == canonical(wanted):
            return False
        PolicyAllowedTarget.delete().where(PolicyAllowedTarget.policy == policy_id).execute()
        if wanted:
            PolicyAllowedTarget.insert_many([{"policy": policy_id, **row} for row in wanted]).execute()
        return True

    def _stages(self, settings: dict, policy_id: str) -> bool:
        """Replace the policy's approval stages and their approvers; True when they changed."""
        wanted = []
        for position, stage in enumerate(listing(settings, "stages") or []):
            with inside(f"stages[{position}]"):
                columns = {
                    "stage_number": position + 1,
                    **fields_of(
                        ApprovalStage,
                        stage,
                        (
                            ("duration_before_automatic_denial", duration, "durationBeforeAutomaticDenial"),
                            ("is_approver_justification_required", boolean, "isApproverJustificationRequired"),
                            ("is_escalation_enabled", boolean, "isEscalationEnabled"),
                            ("duration_before_escalation", duration, "durationBeforeEscalation"),
                        ),
                    ),
                }
                approvers = []
                for field, fallback in (("primaryApprovers", False), ("fallbackPrimaryApprovers", True)):
                    for index, item in enumerate(listing(stage, field) or []):
                        with inside(f"{field}[{index}]"):
                            row = self._subject_set(item, APPROVER_TYPES)
                            if row is not None:
                                approvers.append(
                                    {"user": None, "group": None, "manager_level": 1, **row, "is_fallback": fallback}
                                )
                wanted.append((columns, approvers))
        if _canonical_stages(_stored_stages(policy_id)) == _canonical_stages(wanted):
            return False
        ApprovalStage.delete().where(ApprovalStage.policy == policy_id).execute()
        for columns, approvers in wanted:
            stage_id = ApprovalStage.insert({"policy": policy_id, **columns}).execute()
            if approvers:
                ApprovalStageApprover.insert_many([{"stage": stage_id, **a} for a in approvers]).execute()
        return True


def _stored_stages(policy_id: str) -> list[tuple[dict, list[dict]]]:
    stages = []
    for stage in ApprovalStage.select().where(ApprovalStage.policy == policy_id).order_by(ApprovalStage.stage_number):
        columns = {
            "stage_number": stage.stage_number,
            "duration_before_automatic_denial": stage.duration_before_automatic_denial,
            "is_approver_justification_required": stage.is_approver_justification_required,
            "is_escalation_enabled": stage.is_escalation_enabled,
            "duration_before_escalation": stage.duration_before_escalation,
        }
        approvers = [
            {
                "subject_set_type": a.subject_set_type,
                "user": a.user_id,
                "group": a.group_id,
                "manager_level": a.manager_level,
                "is_fallback": a.is_fallback,
            }
            for a in stage.approvers
        ]
        stages.append((columns, approvers))
    return stages


def _canonical_stages(stages: list[tuple[dict, list[dict]]]) -> list:
    defaults = {
        "duration_before_automatic_denial": "P14D",
        "is_approver_justification_required": False,
        "is_escalation_enabled": False,
        "duration_before_escalation": None,
    }
    return [(canonical([{**defaults, **columns}]), canonical(approvers)) for columns, approvers in stages]
