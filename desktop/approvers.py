"""Who approves a stage of a request: the stage's subject sets resolved to users.

A stage's primary approvers are asked; when they resolve to nobody but the target (nobody
decides their own request), the fallback approvers are asked instead.
"""

from dataclasses import dataclass

from models import ApprovalStage, ApprovalStageApprover, ConnectedOrganizationSponsor, GroupMember, User
from models.prepared import Parameter, Prepared

SINGLE_USER = "singleUser"
GROUP_MEMBERS = "groupMembers"
REQUESTOR_MANAGER = "requestorManager"
INTERNAL_SPONSORS = "internalSponsors"
EXTERNAL_SPONSORS = "externalSponsors"
_SPONSOR_KINDS = {INTERNAL_SPONSORS: "internal", EXTERNAL_SPONSORS: "external"}

_STAGES = Prepared(
    lambda: (
        ApprovalStage.select().where(ApprovalStage.policy == Parameter("policy")).order_by(ApprovalStage.stage_number)
    )
)
_SUBJECT_SETS = Prepared(
    lambda: (
        ApprovalStageApprover.select(ApprovalStageApprover)
        .join(ApprovalStage)
        .where(ApprovalStage.policy == Parameter("policy"))
        .order_by(ApprovalStageApprover.id)
    )
)
_GROUP_MEMBERS = Prepared(
    lambda: (
        GroupMember.select(GroupMember.member)
        .where(GroupMember.group == Parameter("group"))
        .order_by(GroupMember.member)
    )
)
_MANAGER = Prepared(lambda: User.select(User.manager).where(User.id == Parameter("user")))
_SPONSORS = Prepared(
    lambda: (
        ConnectedOrganizationSponsor.select(ConnectedOrganizationSponsor.user)
        .where(
            (ConnectedOrganizationSponsor.connected_organization == Parameter("organization"))
            & (ConnectedOrganizationSponsor.kind == Parameter("kind"))
        )
        .order_by(ConnectedOrganizationSponsor.user)
    )
)


@dataclass(frozen=True)
class SubjectSet:
    """One entry of a stage's primaryApprovers or fallbackPrimaryApprovers."""

    type: str
    user_id: str | None = None
    group_id: str | None = None
    manager_level: int = 1


@dataclass(frozen=True)
class StageDefinition:
    """An approval stage of a policy, as the lifecycle needs it."""

    number: int
    duration_before_automatic_denial: str
    is_approver_justification_required: bool
    primary: tuple[SubjectSet, ...]
    fallback: tuple[SubjectSet, ...]


def stage_definitions(policy_id: str) -> tuple[StageDefinition, ...]:
    """The approval stages of a policy in order, with their subject sets (two queries)."""
    stages = _STAGES.all(policy=policy_id)
    sets: dict[int, list[ApprovalStageApprover]] = {stage.id: [] for stage in stages}
    if stages:
        for row in _SUBJECT_SETS.all(policy=policy_id):
            sets[row.stage_id].append(row)
    return tuple(
        StageDefinition(
            number=stage.stage_number,
            duration_before_automatic_denial=stage.duration_before_automatic_denial,
            is_approver_justification_required=stage.is_approver_justification_required,
            primary=tuple(_subject_set(row) for row in sets[stage.id] if not row.is_fallback),
            fallback=tuple(_subject_set(row) for row in sets[stage.id] if row.is_fallback),
        )
        for stage in stages
    )


class ApproverDirectory:
    """Resolves subject sets to user ids. Give it a dict to keep what it read (for a batch of
    transitions over an unchanging directory); without one, every call reads afresh."""

    def __init__(self, memory: dict | None = None):
        self._memory = memory

    def stage_approvers(self, stage: StageDefinition, target: User) -> tuple[list[str], bool]:
        """The user ids to ask for `stage` of a request for `target`, and whether they are
        the fallback approvers. The target is never among them."""
        primary = self._resolve(stage.primary, target)
        if primary:
            return primary, False
        return self._resolve(stage.fallback, target), True

    def _resolve(self, subject_sets, target: User) -> list[str]:
        found: dict[str, None] = {}  # ordered and unique
        for subject in subject_sets:
            for user_id in self._members(subject, target):
                if user_id != target.id:
                    found[user_id] = None
        return list(found)

    def _members(self, subject: SubjectSet, target: User) -> list[str]:
        if subject.type == SINGLE_USER:
            return [subject.user_id] if subject.user_id else []
        if subject.type == GROUP_MEMBERS:
            return self._remember(
                ("group", subject.group_id),
                lambda: [member_id for (member_id,) in _GROUP_MEMBERS.tuples(group=subject.group_id)],
            )
        if subject.type == REQUESTOR_MANAGER:
            manager_id = target.manager_id
            for _ in range(subject.manager_level - 1):
                if manager_id is None:
                    break
                manager_id = self._remember(("manager", manager_id), lambda m=manager_id: _MANAGER.scalar(user=m))
            return [manager_id] if manager_id else []
        if subject.type in _SPONSOR_KINDS:
            organization_id = target.connected_organization_id
            if organization_id is None:
                return []
            kind = _SPONSOR_KINDS[subject.type]
            return self._remember(
                ("sponsors", organization_id, kind),
                lambda: [user_id for (user_id,) in _SPONSORS.tuples(organization=organization_id, kind=kind)],
            )
        return []  # other subject sets do not name approvers

    def _remember(self, key, read):
        if self._memory is None:
            return read()
        if key not in self._memory:
            self._memory[key] = read()
        return self._memory[key]


def _subject_set(row: ApprovalStageApprover) -> SubjectSet:
    return SubjectSet(
        type=row.subject_set_type, user_id=row.user_id, group_id=row.group_id, manager_level=row.manager_level or 1
    )
