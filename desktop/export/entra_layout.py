"""The audit log as the Entra admin center downloads it (CSV, 86 columns): the one place
that knows the layout, for the exporter that writes it and the importer that reads it."""

TARGETS = 3
MODIFIED_PROPERTIES = 5
ADDITIONAL_DETAILS = 6

ACTOR_COLUMNS = (
    "Date (UTC)",
    "CorrelationId",
    "Service",
    "Category",
    "Activity",
    "Result",
    "ResultReason",
    "User Agent",
    "ActorType",
    "ActorDisplayName",
    "ActorObjectId",
    "ActorUserPrincipalName",
    "IPAddress",
    "ActorHomeTenantId",
    "ActorHomeTenantName",
    "ActorServicePrincipalId",
    "ActorServicePrincipalName",
)


def target_columns(number: int) -> tuple[str, ...]:
    """The 4 + 3 * 5 columns of target `number` (1-based)."""
    prefix = f"Target{number}"
    columns = [f"{prefix}Type", f"{prefix}DisplayName", f"{prefix}ObjectId", f"{prefix}UserPrincipalName"]
    for index in range(1, MODIFIED_PROPERTIES + 1):
        columns += [
            f"{prefix}ModifiedProperty{index}Name",
            f"{prefix}ModifiedProperty{index}OldValue",
            f"{prefix}ModifiedProperty{index}NewValue",
        ]
    return tuple(columns)


ENTRA_AUDIT_COLUMNS = (
    ACTOR_COLUMNS
    + tuple(column for number in range(1, TARGETS + 1) for column in target_columns(number))
    + tuple(
        column
        for index in range(1, ADDITIONAL_DETAILS + 1)
        for column in (f"AdditionalDetail{index}Key", f"AdditionalDetail{index}Value")
    )
)
assert len(ENTRA_AUDIT_COLUMNS) == 86

USER_AGENT_DETAIL = "User-Agent"
ACTOR_TYPE_USER = "User"
ACTOR_TYPE_APP = "Application"


def entra_row(document: dict) -> list[str]:
    """The 86 cells of a Graph `directoryAudit` document. Like the admin center's download it
    holds at most 3 targets, 5 modified properties each and 6 additional details (the JSON
    export keeps every one)."""
    initiator = document.get("initiatedBy") or {}
    user = initiator.get("user") or {}
    app = initiator.get("app") or {}
    details = document.get("additionalDetails") or []
    user_agent = next((d.get("value") for d in details if d.get("key") == USER_AGENT_DETAIL), None)
    if user:
        actor = [ACTOR_TYPE_USER, user.get("displayName"), user.get("id"), user.get("userPrincipalName")]
    elif app:
        actor = [ACTOR_TYPE_APP, app.get("displayName"), app.get("servicePrincipalId") or app.get("appId"), None]
    else:
        actor = [None, None, None, None]
    cells = [
        document.get("activityDateTime"),
        document.get("correlationId"),
        document.get("loggedByService"),
        document.get("category"),
        document.get("activityDisplayName"),
        document.get("result"),
        document.get("resultReason"),
        user_agent,
        *actor,
        user.get("ipAddress"),
        user.get("homeTenantId"),
        user.get("homeTenantName"),
        app.get("servicePrincipalId"),
        app.get("servicePrincipalName"),
    ]
    targets = document.get("targetResources") or []
    for number in range(TARGETS):
        target = targets[number] if number < len(targets) else {}
        cells += [target.get("type"), target.get("displayName"), target.get("id"), target.get("userPrincipalName")]
        properties = target.get("modifiedProperties") or []
        for index in range(MODIFIED_PROPERTIES):
            prop = properties[index] if index < len(properties) else {}
            cells += [prop.get("displayName"), prop.get("oldValue"), prop.get("newValue")]
    for index in range(ADDITIONAL_DETAILS):
        item = details[index] if index < len(details) else {}
        cells += [item.get("key"), item.get("value")]
    return ["" if cell is None else str(cell) for cell in cells]
