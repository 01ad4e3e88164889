"""Field specs: which Graph field fills which column, and the row builders the writers share."""

from contextlib import contextmanager

from desktop.importers.values import FieldError, boolean, enumeration, listing, nested, present, raw, text, timestamp
from desktop.lookup import search_key
from models import AccessPackage, Assignment, Catalog, ConnectedOrganization
from models.directory import CONNECTED_ORGANIZATION_STATES

CATALOG_TYPES = ("userManaged", "serviceDefault", "serviceManaged")
CATALOG_STATES = ("published", "unpublished")
# Access packages listed without `$expand=catalog` still need a catalog row.
UNKNOWN_CATALOG_ID = "00000000-0000-4000-8000-00000000ca7a"
UNKNOWN_CATALOG_NAME = "Catalog not in the import"
# (column, reader, Graph names...) of the plain fields of each type.
USER_FIELDS = (
    ("display_name", text, "displayName"),
    ("mail", text, "mail"),
    ("given_name", text, "givenName"),
    ("surname", text, "surname"),
    ("user_type", text, "userType"),
    ("department", text, "department"),
    ("job_title", text, "jobTitle"),
    ("company_name", text, "companyName"),
    ("account_enabled", boolean, "accountEnabled"),
    ("created_date_time", timestamp, "createdDateTime"),
)
GROUP_FIELDS = (
    ("display_name", text, "displayName"),
    ("description", text, "description"),
    ("mail", text, "mail"),
    ("security_enabled", boolean, "securityEnabled"),
    ("mail_enabled", boolean, "mailEnabled"),
    ("created_date_time", timestamp, "createdDateTime"),
)
ORGANIZATION_FIELDS = (
    ("display_name", text, "displayName"),
    ("description", text, "description"),
    ("created_by", text, "createdBy"),
    ("created_date_time", timestamp, "createdDateTime"),
    ("modified_by", text, "modifiedBy"),
    ("modified_date_time", timestamp, "modifiedDateTime"),
)
CATALOG_FIELDS = (
    ("display_name", text, "displayName"),
    ("description", text, "description"),
    ("is_externally_visible", boolean, "isExternallyVisible"),
    ("created_date_time", timestamp, "createdDateTime"),
    ("modified_date_time", timestamp, "modifiedDateTime"),
)
RESOURCE_FIELDS = (
    ("display_name", text, "displayName"),
    ("description", text, "description"),
    ("url", text, "url"),
    ("created_date_time", timestamp, "createdDateTime", "addedOn"),
)
ROLE_FIELDS = (("display_name", text, "displayName"), ("description", text, "description"))
SCOPE_FIELDS = (("display_name", text, "displayName"), ("is_root_scope", boolean, "isRootScope"))
PACKAGE_FIELDS = (
    ("display_name", text, "displayName"),
    ("description", text, "description"),
    ("is_hidden", boolean, "isHidden"),
    ("created_date_time", timestamp, "createdDateTime"),
    ("modified_date_time", timestamp, "modifiedDateTime"),
)
POLICY_FIELDS = (
    ("display_name", text, "displayName"),
    ("description", text, "description"),
    ("created_date_time", timestamp, "createdDateTime"),
    ("modified_date_time", timestamp, "modifiedDateTime"),
)
REQUESTOR_SETTINGS = (
    ("enable_targets_to_self_add_access", boolean, "enableTargetsToSelfAddAccess"),
    ("enable_targets_to_self_update_access", boolean, "enableTargetsToSelfUpdateAccess"),
    ("enable_targets_to_self_remove_access", boolean, "enableTargetsToSelfRemoveAccess"),
    ("allow_custom_assignment_schedule", boolean, "allowCustomAssignmentSchedule"),
    ("enable_on_behalf_requestors_to_add_access", boolean, "enableOnBehalfRequestorsToAddAccess"),
)
APPROVAL_SETTINGS = (
    ("is_approval_required_for_add", boolean, "isApprovalRequiredForAdd"),
    ("is_approval_required_for_update", boolean, "isApprovalRequiredForUpdate"),
    ("is_requestor_justification_required", boolean, "isRequestorJustificationRequired"),
)
APPROVER_TYPES = ("singleUser", "groupMembers", "requestorManager", "internalSponsors", "externalSponsors")
ALLOWED_TARGET_TYPES = ("singleUser", "groupMembers", "connectedOrganizationMembers", "allInternalUsers")


@contextmanager
def inside(field: str):
    """Name errors of an expanded object's fields after the object: `target.id`."""
    try:
        yield
    except FieldError as error:
        raise error.inside(field) from None


def fields_of(model, record: dict, spec) -> dict:
    """The columns of `spec` whose Graph fields `record` has. A null for a column that cannot
    be null is left out, so the stored value (or the default) stays."""
    row = {}
    for column, reader, *names in spec:
        if present(record, *names):
            value = reader(record, *names)
            if value is not None or model._meta.fields[column].null:
                row[column] = value
    return row


def add_keys(row: dict, **keys: str) -> None:
    for key_column, column in keys.items():
        if column in row:
            row[key_column] = search_key(row[column])


def strings(record: dict, field: str) -> list[str]:
    value = raw(record, field) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise FieldError(field, "must be a list of text")
    return value


def organization_row(record: dict, pk: str) -> dict:
    row = {"id": pk, **fields_of(ConnectedOrganization, record, ORGANIZATION_FIELDS)}
    if "state" in record:
        row["state"] = enumeration(record, "state", allowed=CONNECTED_ORGANIZATION_STATES)
    if "identitySources" in record:
        row["identity_sources"] = listing(record, "identitySources") or []
    return {c: v for c, v in row.items() if v is not None or ConnectedOrganization._meta.fields[c].null}


def catalog_row(record: dict, pk: str) -> dict:
    row = {"id": pk, **fields_of(Catalog, record, CATALOG_FIELDS)}
    if "catalogType" in record:
        row["catalog_type"] = enumeration(record, "catalogType", allowed=CATALOG_TYPES)
    if present(record, "state", "catalogStatus"):
        row["state"] = enumeration(record, "state", "catalogStatus", allowed=CATALOG_STATES)
    return {c: v for c, v in row.items() if v is not None or Catalog._meta.fields[c].null}


def package_row(record: dict, pk: str) -> dict:
    row = {"id": pk, **fields_of(AccessPackage, record, PACKAGE_FIELDS)}
    add_keys(row, display_name_key="display_name")
    return row


def schedule_of(record: dict) -> dict:
    schedule = nested(record, "schedule")
    if schedule is None:
        return {}
    with inside("schedule"):
        row = fields_of(Assignment, schedule, (("schedule_start", timestamp, "startDateTime"),))
        expiration = nested(schedule, "expiration")
        if expiration is not None:
            with inside("expiration"):
                row.update(fields_of(Assignment, expiration, (("schedule_end", timestamp, "endDateTime"),)))
    return row


def status_of(state: str | None) -> str | None:
    """Graph's status text for a state, for records that carry only the state."""
    return state[:1].upper() + state[1:] if state else None
