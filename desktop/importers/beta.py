"""Beta shapes mapped onto the v1.0 model, so one policy answers "Can request" the same whether
it was exported from `/beta` or `/v1.0`.

Beta `accessPackageAssignmentPolicy` says who may request with `requestorSettings.scopeType`,
`acceptRequests` and `allowedRequestors`; approval with `isApprovalRequired` and
`approvalStages` (`approvalStageTimeOutInDays`); expiry with `durationInDays` or
`expirationDateTime`; extension with `canExtend`. `questions` have no place in this model.
"""

from desktop.importers.values import FieldError

# Beta requestorSettings.scopeType → v1.0 allowedTargetScope.
SCOPE_TYPES = {
    "NoSubjects": "notSpecified",
    "SpecificDirectorySubjects": "specificDirectoryUsers",
    "SpecificConnectedOrganizationSubjects": "specificConnectedOrganizationUsers",
    "AllExistingDirectoryMemberUsers": "allMemberUsers",
    "AllExistingDirectorySubjects": "allDirectoryUsers",
    "AllExistingConnectedOrganizationSubjects": "allConfiguredConnectedOrganizationUsers",
    "AllConfiguredConnectedOrganizationSubjects": "allConfiguredConnectedOrganizationUsers",
    "AllExternalSubjects": "allExternalUsers",
}
_BETA_REQUESTOR = ("scopeType", "acceptRequests", "allowedRequestors")
_BETA_APPROVAL = ("isApprovalRequired", "isApprovalRequiredForExtension", "approvalStages")


def is_beta_policy(record: dict) -> bool:
    requestor = record.get("requestorSettings")
    approval = record.get("requestApprovalSettings")
    return (
        "durationInDays" in record
        or "expirationDateTime" in record
        or "canExtend" in record
        or isinstance(requestor, dict)
        and any(name in requestor for name in _BETA_REQUESTOR)
        or isinstance(approval, dict)
        and any(name in approval for name in _BETA_APPROVAL)
    )


def v1_policy(record: dict) -> dict:
    """`record` in the v1.0 shape (a v1.0 record is returned as it is)."""
    if not is_beta_policy(record):
        return record
    policy = {
        key: value
        for key, value in record.items()
        if key
        not in (
            "durationInDays",
            "expirationDateTime",
            "canExtend",
            "questions",
            "requestorSettings",
            "requestApprovalSettings",
        )
    }
    requestor = record.get("requestorSettings")
    if isinstance(requestor, dict):
        settings = {}
        if "scopeType" in requestor:
            scope = requestor["scopeType"]
            if scope not in SCOPE_TYPES:
                raise FieldError("requestorSettings.scopeType", f"{scope!r} is not one of {', '.join(SCOPE_TYPES)}")
            policy["allowedTargetScope"] = SCOPE_TYPES[scope]
        if "acceptRequests" in requestor:
            settings["enableTargetsToSelfAddAccess"] = requestor["acceptRequests"]
        if "allowedRequestors" in requestor:
            policy["specificAllowedTargets"] = requestor["allowedRequestors"]
        if "canExtend" in record:
            settings["enableTargetsToSelfUpdateAccess"] = record["canExtend"]
        policy["requestorSettings"] = settings
    approval = record.get("requestApprovalSettings")
    if isinstance(approval, dict):
        policy["requestApprovalSettings"] = _v1_approval(approval)
    if record.get("expirationDateTime"):
        policy["expiration"] = {"type": "afterDateTime", "endDateTime": record["expirationDateTime"]}
    elif isinstance(record.get("durationInDays"), int) and not isinstance(record["durationInDays"], bool):
        days = record["durationInDays"]
        policy["expiration"] = (
            {"type": "afterDuration", "duration": f"P{days}D"} if days > 0 else {"type": "noExpiration"}
        )
    return policy


def _v1_approval(approval: dict) -> dict:
    settings = {}
    for beta, v1 in (
        ("isApprovalRequired", "isApprovalRequiredForAdd"),
        ("isApprovalRequiredForExtension", "isApprovalRequiredForUpdate"),
        ("isRequestorJustificationRequired", "isRequestorJustificationRequired"),
    ):
        if beta in approval:
            settings[v1] = approval[beta]
    stages = approval.get("approvalStages", approval.get("stages"))
    if isinstance(stages, list):
        settings["stages"] = [_v1_stage(stage) if isinstance(stage, dict) else stage for stage in stages]
    return settings


def _v1_stage(stage: dict) -> dict:
    v1 = {
        key: stage[key]
        for key in (
            "isApproverJustificationRequired",
            "isEscalationEnabled",
            "primaryApprovers",
            "fallbackPrimaryApprovers",
            "durationBeforeAutomaticDenial",
            "durationBeforeEscalation",
        )
        if key in stage
    }
    days = stage.get("approvalStageTimeOutInDays")
    if isinstance(days, int) and not isinstance(days, bool):
        v1["durationBeforeAutomaticDenial"] = f"P{days}D"
    minutes = stage.get("escalationTimeInMinutes")
    if isinstance(minutes, int) and not isinstance(minutes, bool) and minutes > 0:
        v1["durationBeforeEscalation"] = f"PT{minutes}M"
    return v1
