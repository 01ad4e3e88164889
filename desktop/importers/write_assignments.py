"""Writing assignments and assignment requests."""

from desktop.importers import kinds
from desktop.importers.fields import fields_of, inside, schedule_of, status_of
from desktop.importers.values import enumeration, guid, nested, present, raw, text, timestamp
from models import Assignment, AssignmentRequest
from models.assignments import ASSIGNMENT_STATES
from models.requests import REQUEST_STATES, REQUEST_TYPES


class AssignmentWriter:
    """The assignment and request family of GraphWriter (a mixin over UpsertEngine)."""

    def _assignment(self, record: dict, context, pk: str) -> None:
        row = self._package_and_policy(record, pk)
        target = self._subject_of(record, "target", "targetId")
        if target:
            row["target"] = target
        if present(record, "state", "assignmentState"):
            row["state"] = enumeration(record, "state", "assignmentState", allowed=ASSIGNMENT_STATES)
        status = text(record, "status", "assignmentStatus")
        if status is not None:
            row["status"] = status
        row.update(schedule_of(record))
        row.update(
            fields_of(
                Assignment,
                record,
                (
                    ("expired_date_time", timestamp, "expiredDateTime"),
                    ("created_date_time", timestamp, "createdDateTime"),
                ),
            )
        )
        defaults = {"status": status_of(row.get("state"))}
        self._defer(
            kinds.ASSIGNMENT,
            Assignment,
            row,
            defaults=defaults,
            required={
                "access_package": "accessPackage",
                "assignment_policy": "assignmentPolicy",
                "target": "target",
                "state": "state",
            },
        )

    def _package_of(self, record: dict) -> str | None:
        package = nested(record, "accessPackage")
        if package is not None:
            with inside("accessPackage"):
                return self._package_stand_in(package)
        if raw(record, "accessPackageId") is not None:
            return self._package_stand_in({"id": guid(record, "accessPackageId")})
        return None

    def _policy_of(self, record: dict, package_id: str | None) -> str | None:
        field = present(record, "assignmentPolicy", "accessPackageAssignmentPolicy")
        policy = nested(record, field) if field else None
        if policy is not None:
            with inside(field):
                return self._policy_stand_in(policy, package_id)
        policy_id = guid(record, "assignmentPolicyId", "accessPackageAssignmentPolicyId")
        if policy_id is not None:
            return self._policy_stand_in({"id": policy_id}, package_id)
        return None

    def _subject_of(self, record: dict, field: str, id_field: str) -> str | None:
        subject = nested(record, field)
        if subject is not None:
            with inside(field):
                return self._user_stand_in(subject)
        subject_id = guid(record, id_field)
        return self._user_stand_in({"id": subject_id}) if subject_id else None

    def _package_and_policy(self, record: dict, pk: str) -> dict:
        """The start of an assignment's or a request's row: its id, package and policy as given."""
        row = {"id": pk}
        package_id = self._package_of(record)
        if package_id:
            row["access_package"] = package_id
        policy_id = self._policy_of(record, package_id)
        if policy_id:
            row["assignment_policy"] = policy_id
        return row

    def _request(self, record: dict, context, pk: str) -> None:
        row = self._package_and_policy(record, pk)
        for column, field, id_field in (("target", "target", "targetId"), ("requestor", "requestor", "requestorId")):
            if present(record, field, id_field):
                row[column] = self._subject_of(record, field, id_field)
        if present(record, "requestType"):
            row["request_type"] = enumeration(record, "requestType", allowed=REQUEST_TYPES)
        if present(record, "state", "requestState"):
            row["state"] = enumeration(record, "state", "requestState", allowed=REQUEST_STATES)
        status = text(record, "status", "requestStatus")
        if status is not None:
            row["status"] = status
        row.update(
            fields_of(
                AssignmentRequest,
                record,
                (
                    ("justification", text, "justification"),
                    ("created_date_time", timestamp, "createdDateTime", "createdDate"),
                    ("completed_date_time", timestamp, "completedDateTime", "completedDate"),
                ),
            )
        )
        row.update(schedule_of(record))
        if "assignment" in record:
            assignment = nested(record, "assignment")
            with inside("assignment"):
                assignment_id = guid(assignment, "id", required=True) if assignment else None
            # Linked only to an assignment that is imported: a request does not make one up.
            row["assignment"] = assignment_id if assignment_id and self._exists(Assignment, assignment_id) else None
            if "target" not in row and assignment and present(assignment, "target", "targetId"):
                with inside("assignment"):
                    row["target"] = self._subject_of(assignment, "target", "targetId")
        if "target" not in row and row.get("assignment"):
            # v1.0 names no target: a request is for the target of the assignment it made or ended.
            self._flush_if_queued(Assignment, row["assignment"])
            row["target"] = Assignment.select(Assignment.target).where(Assignment.id == row["assignment"]).scalar()
        if "target" not in row and row.get("requestor") and row.get("request_type", "").startswith("user"):
            row["target"] = row["requestor"]  # a self-service request (beta lists no target) is for its requestor
        self._defer(
            kinds.REQUEST,
            AssignmentRequest,
            row,
            defaults={"status": status_of(row.get("state"))},
            required={
                "access_package": "accessPackage",
                "target": "target",
                "request_type": "requestType",
                "state": "state",
                "created_date_time": "createdDateTime",
            },
        )
