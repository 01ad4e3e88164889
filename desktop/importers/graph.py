"""Graph records into rows: upsert by Graph id, stand-ins for the objects records refer to.

A record's fields that are absent leave the stored values alone (a `$select` export is
partial, not a statement that the rest is empty); present fields, null included, are
written. Expanded collections (`members`, `resourceRoleScopes`, `stages`, …) replace the
stored set when present. An object a record refers to that is neither in the import nor
in the database becomes a stand-in row, marked `is_reference` where the table has the
column, and is counted; a later record of that object turns it into a real row.
"""
import json
from collections import defaultdict
from contextlib import contextmanager

from desktop.errors import InvalidInput
from desktop.importers import kinds
from desktop.importers.audit import AuditWriter, audit_fields
from desktop.importers.summary import CREATED, UNCHANGED, UPDATED, ImportSummary
from desktop.importers.values import (
    FieldError, boolean, duration, enumeration, guid, integer, listing, nested, odata_type, present, raw,
    text, timestamp,
)
from desktop.lookup import search_key
from models import (
    AccessPackage, ApprovalStage, ApprovalStageApprover, Assignment, AssignmentPolicy,
    AssignmentRequest, Catalog, ConnectedOrganization, ConnectedOrganizationSponsor,
    DirectoryRole, DirectoryRoleAssignment, Group, GroupMember, IncompatibleAccessPackage,
    PolicyAllowedTarget, Resource, ResourceRole, ResourceRoleScope, ResourceScope, User,
)
from models.assignments import ASSIGNMENT_STATES
from models.directory import CONNECTED_ORGANIZATION_STATES
from models.policy import ALLOWED_TARGET_SCOPES, EXPIRATION_TYPES
from models.requests import REQUEST_STATES, REQUEST_TYPES

LINK_CHUNK = 500
# Users, assignments and requests (the tables of many rows, with nothing nested under a
# row) are upserted this many at a time.
ENTITY_CHUNK = 500
CATALOG_TYPES = ("userManaged", "serviceDefault", "serviceManaged")
CATALOG_STATES = ("published", "unpublished")
# Access packages listed without `$expand=catalog` still need a catalog row.
UNKNOWN_CATALOG_ID = "00000000-0000-4000-8000-00000000ca7a"
UNKNOWN_CATALOG_NAME = "Catalog not in the import"
# The Graph type each table's stand-ins are counted under.
STAND_IN_KINDS = {
    User: kinds.USER, Group: kinds.GROUP, ConnectedOrganization: kinds.CONNECTED_ORGANIZATION,
    Catalog: kinds.CATALOG, AccessPackage: kinds.ACCESS_PACKAGE, AssignmentPolicy: kinds.POLICY,
}

# (column, reader, Graph names...) of the plain fields of each type.
USER_FIELDS = (
    ("display_name", text, "displayName"), ("mail", text, "mail"), ("given_name", text, "givenName"),
    ("surname", text, "surname"), ("user_type", text, "userType"), ("department", text, "department"),
    ("job_title", text, "jobTitle"), ("company_name", text, "companyName"),
    ("account_enabled", boolean, "accountEnabled"), ("created_date_time", timestamp, "createdDateTime"),
)
GROUP_FIELDS = (
    ("display_name", text, "displayName"), ("description", text, "description"), ("mail", text, "mail"),
    ("security_enabled", boolean, "securityEnabled"), ("mail_enabled", boolean, "mailEnabled"),
    ("created_date_time", timestamp, "createdDateTime"),
)
ORGANIZATION_FIELDS = (
    ("display_name", text, "displayName"), ("description", text, "description"),
    ("created_by", text, "createdBy"), ("created_date_time", timestamp, "createdDateTime"),
    ("modified_by", text, "modifiedBy"), ("modified_date_time", timestamp, "modifiedDateTime"),
)
CATALOG_FIELDS = (
    ("display_name", text, "displayName"), ("description", text, "description"),
    ("is_externally_visible", boolean, "isExternallyVisible"),
    ("created_date_time", timestamp, "createdDateTime"), ("modified_date_time", timestamp, "modifiedDateTime"),
)
RESOURCE_FIELDS = (
    ("display_name", text, "displayName"), ("description", text, "description"), ("url", text, "url"),
    ("created_date_time", timestamp, "createdDateTime", "addedOn"),
)
ROLE_FIELDS = (("display_name", text, "displayName"), ("description", text, "description"))
SCOPE_FIELDS = (("display_name", text, "displayName"), ("is_root_scope", boolean, "isRootScope"))
PACKAGE_FIELDS = (
    ("display_name", text, "displayName"), ("description", text, "description"),
    ("is_hidden", boolean, "isHidden"),
    ("created_date_time", timestamp, "createdDateTime"), ("modified_date_time", timestamp, "modifiedDateTime"),
)
POLICY_FIELDS = (
    ("display_name", text, "displayName"), ("description", text, "description"),
    ("created_date_time", timestamp, "createdDateTime"), ("modified_date_time", timestamp, "modifiedDateTime"),
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


class GraphWriter:
    """Writes the records of one import run: `end_file()` after each file, `finish()` once at the end."""

    def __init__(self, summary: ImportSummary):
        self.summary = summary
        self.audit = AuditWriter(summary)
        self.known: dict[type, set[str]] = defaultdict(set)
        self.stand_ins: dict[type, set[str]] = defaultdict(set)
        self.fingerprints: dict[str, dict[str, int]] = defaultdict(dict)
        # Real (not stand-in) users: a reference to one without a connected organization
        # changes nothing, so it needs no query.
        self.settled_users: set[str] = set()
        self.deferred: dict[type, dict[str, tuple]] = {}
        self.where = ""
        self.writers = {
            kinds.USER: self._user, kinds.GROUP: self._group, kinds.DIRECTORY_ROLE: self._directory_role,
            kinds.CONNECTED_ORGANIZATION: self._organization, kinds.SUBJECT: self._subject,
            kinds.CATALOG: self._catalog, kinds.RESOURCE: self._resource,
            kinds.ACCESS_PACKAGE: self._access_package, kinds.POLICY: self._policy,
            kinds.ASSIGNMENT: self._assignment, kinds.REQUEST: self._request,
        }

    def write(self, kind: str, record, context: str | None, where: str) -> None:
        """Write one record of `kind`; FieldError names what is wrong with it."""
        self.where = where
        if kind == kinds.AUDIT:
            self.audit.add(audit_fields(record), where)
            return
        pk = guid(record, "id", required=True)
        fingerprint = hash(json.dumps(record, sort_keys=True, default=str))
        seen = self.fingerprints[kind]
        if pk in seen:
            if seen[pk] != fingerprint:
                raise FieldError("id", "the same id came earlier in this import with different data")
            return
        seen[pk] = fingerprint
        outcome = self.writers[kind](record, context, pk)
        if outcome is not None:  # None: queued, counted when its chunk is written
            self.summary.count(kind, outcome)

    def end_file(self) -> None:
        """Write what the file left queued."""
        for model in (User, Assignment, AssignmentRequest):
            self._flush(model)
        self.audit.end_file()

    def finish(self) -> None:
        """Drop an unused unknown-catalog row and count the stand-ins (after the last file)."""
        if (Catalog.select().where(Catalog.id == UNKNOWN_CATALOG_ID).exists()
                and not AccessPackage.select().where(AccessPackage.catalog == UNKNOWN_CATALOG_ID).exists()
                and not Resource.select().where(Resource.catalog == UNKNOWN_CATALOG_ID).exists()):
            Catalog.delete().where(Catalog.id == UNKNOWN_CATALOG_ID).execute()
            self.stand_ins[Catalog].discard(UNKNOWN_CATALOG_ID)
        for model, ids in self.stand_ins.items():
            if ids:
                self.summary.references[STAND_IN_KINDS[model]] += len(ids)

    # --- rows ---------------------------------------------------------------------------

    def _exists(self, model, pk: str) -> bool:
        self._flush_if_queued(model, pk)
        if pk in self.known[model]:
            return True
        if model.select().where(model.id == pk).exists():
            self.known[model].add(pk)
            return True
        return False

    def _upsert(self, model, row: dict, defaults: dict | None = None, required: dict | None = None) -> str:
        """Insert or update the row with `row["id"]`. `defaults` fill a new row only;
        `required` maps columns a new row must have to the Graph field that gives them."""
        pk = row["id"]
        existing = model.select().where(model.id == pk).dicts().first()
        self.known[model].add(pk)
        if existing is not None:
            return self._update(model, existing, row)
        for column, field in (required or {}).items():
            if row.get(column) is None:
                raise FieldError(field, "is missing")
        model.insert({**(defaults or {}), **row}).execute()
        return CREATED

    def _update(self, model, existing: dict, row: dict) -> str:
        """Write what `row` changes in the stored row `existing`; a stand-in becomes real."""
        pk = row["id"]
        was_stand_in = pk in self.stand_ins[model] or bool(existing.get("is_reference"))
        if was_stand_in:
            self.stand_ins[model].discard(pk)
            if "is_reference" in existing:
                row = {**row, "is_reference": False}
        changes = {column: value for column, value in row.items() if existing[column] != value}
        if changes:
            model.update(changes).where(model.id == pk).execute()
        return CREATED if was_stand_in else UPDATED if changes else UNCHANGED

    def _defer(self, kind: str, model, row: dict, defaults: dict | None = None,
               required: dict | None = None) -> None:
        """Queue an upsert of a row nothing nests under, to write it with its chunk."""
        batch = self.deferred.setdefault(model, {})
        batch[row["id"]] = (kind, row, defaults or {}, required or {}, self.where)
        if len(batch) >= ENTITY_CHUNK:
            self._flush(model)

    def _flush(self, model) -> None:
        """Upsert the queued rows of `model`: one query for the stored ones, one insert_many."""
        batch = self.deferred.pop(model, None)
        if not batch:
            return
        stored = {row["id"]: row for row in model.select().where(model.id.in_(list(batch))).dicts()}
        if model is User:
            self._free_upn_keys(batch, stored)
        new = []
        for pk, (kind, row, defaults, required, where) in batch.items():
            existing = stored.get(pk)
            if existing is not None:
                self.summary.count(kind, self._update(model, existing, row))
                continue
            for column, field in required.items():
                if row.get(column) is None:
                    raise _located(where, pk, FieldError(field, "is missing"))
            new.append({**defaults, **row})
            self.summary.count(kind, CREATED)
        if new:
            model.insert_many(_uniform(model, new)).execute()
        self.known[model].update(batch)
        if model is User:
            self.settled_users.update(batch)

    def _flush_if_queued(self, model, pk: str) -> None:
        """Write `model`'s queue when `pk` waits in it, before something refers to it."""
        if pk in self.deferred.get(model, ()):
            self._flush(model)

    def _stand_in(self, model, row: dict) -> str:
        """The id of `row`'s object, inserting `row` as a stand-in when the object is unknown."""
        pk = row["id"]
        if not self._exists(model, pk):
            if "is_reference" in model._meta.fields:
                row = {**row, "is_reference": True}
            model.insert(row).execute()
            self.known[model].add(pk)
            self.stand_ins[model].add(pk)
        return pk

    def _replace_links(self, owner_field, owner_id: str, other_field, wanted: set, **fixed) -> bool:
        """Make the link rows of one owner exactly `wanted`; True when anything changed."""
        model = owner_field.model
        condition = owner_field == owner_id
        for column, value in fixed.items():
            condition &= getattr(model, column) == value
        stored = {row[0] for row in model.select(other_field).where(condition).tuples()}
        removed, added = stored - wanted, wanted - stored
        if removed:
            model.delete().where(condition & other_field.in_(list(removed))).execute()
        rows = [{owner_field.name: owner_id, other_field.name: other, **fixed} for other in sorted(added)]
        for start in range(0, len(rows), LINK_CHUNK):
            model.insert_many(rows[start:start + LINK_CHUNK]).execute()
        return bool(removed or added)

    def _note(self, reason: str) -> None:
        self.summary.skip(self.where, reason)

    # --- directory ----------------------------------------------------------------------

    def _user(self, record: dict, context, pk: str) -> None:
        upn = text(record, "userPrincipalName", required=True)
        row = {"id": pk, "user_principal_name": upn, "upn_key": search_key(upn)}
        row.update(_fields(User, record, USER_FIELDS))
        _add_keys(row, display_name_key="display_name", mail_key="mail")
        if "manager" in record:
            manager = nested(record, "manager")
            with inside("manager"):
                row["manager"] = self._user_stand_in(manager) if manager else None
        self._defer(kinds.USER, User, row, defaults={"display_name": upn, "display_name_key": search_key(upn)})

    def _free_upn_keys(self, batch: dict, stored: dict) -> None:
        """Check the UPNs of a chunk of users before it is written: one that another user holds
        is an error, one a stand-in holds is taken from it (UPNs move; ids do not)."""
        claims = {}
        for pk, (_, row, _, _, where) in batch.items():
            key = row["upn_key"]
            if pk in stored and stored[pk]["upn_key"] == key:
                continue
            if key in claims:
                raise _located(where, pk, FieldError(
                    "userPrincipalName", f"{row['user_principal_name']!r} is also the UPN of user {claims[key]}"))
            claims[key] = pk
        if not claims:
            return
        for holder in User.select(User.id, User.upn_key, User.is_reference).where(User.upn_key.in_(list(claims))):
            pk = claims[holder.upn_key]
            if holder.id == pk:
                continue
            if not holder.is_reference:
                _, row, _, _, where = batch[pk]
                upn = row["user_principal_name"]
                raise _located(where, pk, FieldError(
                    "userPrincipalName", f"{upn!r} already belongs to another user ({holder.id})"))
            User.update(user_principal_name=holder.id, upn_key=holder.id).where(User.id == holder.id).execute()

    def _user_stand_in(self, data: dict) -> str:
        """A user a record refers to: a directory object, an accessPackageSubject or a bare id.
        A subject's connected organization is recorded on the user even when the user exists;
        a stand-in also takes the mail, name and UPN it lacked from later references."""
        pk = guid(data, "objectId", "id", required=True)
        organization = None
        if "connectedOrganization" in data:
            with inside("connectedOrganization"):
                organization = self._organization_stand_in(nested(data, "connectedOrganization"))
        self._flush_if_queued(User, pk)
        if organization is None and pk in self.settled_users:
            return pk
        stored = User.select(User.is_reference, User.connected_organization, User.user_principal_name,
                             User.display_name, User.mail).where(User.id == pk).dicts().first()
        if stored is None:
            return self._stand_in(User, self._referred_user(data, pk, organization))
        changes = {}
        if organization is not None and stored["connected_organization"] != organization:
            changes["connected_organization"] = organization
        if not stored["is_reference"]:
            self.settled_users.add(pk)
        else:
            candidate = self._referred_user(data, pk, organization)
            if stored["mail"] is None and candidate["mail"] is not None:
                changes.update(mail=candidate["mail"], mail_key=candidate["mail_key"])
            if stored["user_principal_name"] == pk and candidate["user_principal_name"] != pk:
                changes.update(user_principal_name=candidate["user_principal_name"], upn_key=candidate["upn_key"])
            if stored["display_name"] in (pk, stored["user_principal_name"]) and candidate["display_name"] not in (
                    pk, candidate["user_principal_name"]):
                changes.update(display_name=candidate["display_name"], display_name_key=candidate["display_name_key"])
        if changes:
            User.update(changes).where(User.id == pk).execute()
        return pk

    def _referred_user(self, data: dict, pk: str, organization: str | None) -> dict:
        """The row a stand-in for the user `data` refers to would have."""
        upn = text(data, "userPrincipalName", "principalName", "email", "mail") or pk
        if User.select().where((User.upn_key == search_key(upn)) & (User.id != pk)).exists():
            upn = pk
        name = text(data, "displayName") or upn
        user_type = text(data, "userType") or ("Guest" if organization or "#EXT#" in upn else "Member")
        mail = text(data, "mail", "email")
        return {"id": pk, "user_principal_name": upn, "upn_key": search_key(upn), "display_name": name,
                "display_name_key": search_key(name), "mail": mail, "mail_key": search_key(mail),
                "user_type": user_type, "connected_organization": organization}

    def _group_stand_in(self, data: dict) -> str:
        pk = guid(data, "groupId", "id", required=True)
        name = text(data, "displayName", "description") or pk
        return self._stand_in(Group, {"id": pk, "display_name": name, "display_name_key": search_key(name)})

    def _subject(self, record: dict, context, pk: str) -> str:
        user_id = guid(record, "objectId", "id", required=True)
        existed = self._exists(User, user_id)
        before = User.select(User.connected_organization).where(User.id == user_id).scalar() if existed else None
        self._user_stand_in(record)
        if not existed:
            return CREATED
        after = User.select(User.connected_organization).where(User.id == user_id).scalar()
        return UPDATED if after != before else UNCHANGED

    def _group(self, record: dict, context, pk: str) -> str:
        row = {"id": pk, **_fields(Group, record, GROUP_FIELDS)}
        if "groupTypes" in record:
            row["group_types"] = _strings(record, "groupTypes")
        _add_keys(row, display_name_key="display_name")
        outcome = self._upsert(Group, row, defaults={"display_name": pk, "display_name_key": pk})
        if "members" in record:
            members = self._users_among(listing(record, "members") or [], "members", "members of group")
            outcome = _changed(outcome, self._replace_links(GroupMember.group, pk, GroupMember.member, members))
        return outcome

    def _users_among(self, objects: list[dict], field: str, what: str) -> set[str]:
        """The user ids among expanded directory objects; others (groups, devices, service
        principals) are noted as not imported."""
        users, others = set(), 0
        for position, member in enumerate(objects):
            if odata_type(member) in (None, "user"):
                with inside(f"{field}[{position}]"):
                    users.add(self._user_stand_in(member))
            else:
                others += 1
        if others:
            self._note(f"{others} {what} that are not users were not imported")
        return users

    def _directory_role(self, record: dict, context, pk: str) -> str:
        template = guid(record, "roleTemplateId", required=True)
        by_template = DirectoryRole.get_or_none(DirectoryRole.role_template_id == template)
        # A role activated in another tenant (the demo) has its own id but the same template.
        role_id = by_template.id if by_template is not None and by_template.id != pk else pk
        row = {"id": role_id, "role_template_id": template,
               **_fields(DirectoryRole, record, (("display_name", text, "displayName"),
                                                 ("description", text, "description")))}
        outcome = self._upsert(DirectoryRole, row, required={"display_name": "displayName"})
        if "members" in record:
            members = self._users_among(listing(record, "members") or [], "members", "members of role")
            outcome = _changed(outcome, self._replace_links(
                DirectoryRoleAssignment.role, role_id, DirectoryRoleAssignment.principal, members))
        return outcome

    def _organization(self, record: dict, context, pk: str) -> str:
        outcome = self._upsert(ConnectedOrganization, _organization_row(record, pk),
                               defaults={"display_name": pk})
        for kind, field in (("internal", "internalSponsors"), ("external", "externalSponsors")):
            if field in record:
                sponsors = self._users_among(listing(record, field) or [], field, "sponsors of organization")
                outcome = _changed(outcome, self._replace_links(
                    ConnectedOrganizationSponsor.connected_organization, pk,
                    ConnectedOrganizationSponsor.user, sponsors, kind=kind))
        return outcome

    def _organization_stand_in(self, data: dict | None) -> str | None:
        if data is None:
            return None
        pk = guid(data, "id", required=True)
        return self._stand_in(ConnectedOrganization, {"display_name": pk, **_organization_row(data, pk)})

    # --- catalogs and resources ---------------------------------------------------------

    def _catalog(self, record: dict, context, pk: str) -> str:
        return self._upsert(Catalog, _catalog_row(record, pk), defaults={"display_name": pk})

    def _catalog_of(self, record: dict, context: str | None = None) -> str | None:
        """The catalog a record names: `catalog` expanded, `catalogId`, or the page's context."""
        if "catalog" in record:
            with inside("catalog"):
                catalog = nested(record, "catalog")
                if catalog is not None:
                    pk = guid(catalog, "id", required=True)
                    return self._stand_in(Catalog, {"display_name": pk, **_catalog_row(catalog, pk)})
        pk = guid(record, "catalogId", "accessPackageCatalogId") or kinds.context_catalog(context)
        return self._stand_in(Catalog, {"id": pk, "display_name": pk}) if pk else None

    def _resource(self, record: dict, context, pk: str) -> str:
        row = {"id": pk, **_fields(Resource, record, RESOURCE_FIELDS)}
        catalog = self._catalog_of(record, context)
        if catalog:
            row["catalog"] = catalog
        for column, field in (("origin_id", "originId"), ("origin_system", "originSystem")):
            if field in record:
                row[column] = text(record, field, required=True)
        outcome = self._upsert(Resource, row, defaults={"display_name": row.get("origin_id")},
                               required={"catalog": "catalog", "origin_id": "originId",
                                         "origin_system": "originSystem"})
        resource = Resource.get_by_id(pk)
        changed = False
        for field, model, spec in (("roles", ResourceRole, ROLE_FIELDS), ("scopes", ResourceScope, SCOPE_FIELDS)):
            for position, item in enumerate(listing(record, field) or []):
                with inside(f"{field}[{position}]"):
                    changed |= self._resource_part(model, spec, item, resource) != UNCHANGED
        return _changed(outcome, changed)

    def _resource_part(self, model, spec, data: dict, resource: Resource) -> str:
        """Upsert a role or scope of `resource`."""
        pk = guid(data, "id", required=True)
        row = {"id": pk, "resource": resource.id, **_fields(model, data, spec)}
        for column, field in (("origin_id", "originId"), ("origin_system", "originSystem")):
            if raw(data, field) is not None:
                row[column] = text(data, field)
        return self._upsert(model, row, defaults={
            "origin_system": resource.origin_system, "display_name": row.get("origin_id")},
            required={"origin_id": "originId"})

    # --- access packages and policies ---------------------------------------------------

    def _access_package(self, record: dict, context, pk: str) -> str:
        row = _package_row(record, pk)
        catalog = self._catalog_of(record)
        if catalog:
            row["catalog"] = catalog
        elif not self._exists(AccessPackage, pk):
            row["catalog"] = self._unknown_catalog()
        outcome = self._upsert(AccessPackage, row, defaults={"display_name": pk, "display_name_key": pk})
        policies = listing(record, "assignmentPolicies", "accessPackageAssignmentPolicies") or []
        for position, policy in enumerate(policies):
            with inside(f"assignmentPolicies[{position}]"):
                policy_id = guid(policy, "id", required=True)
                self.summary.count(kinds.POLICY, self._policy(policy, None, policy_id, package_id=pk))
        if present(record, "resourceRoleScopes", "accessPackageResourceRoleScopes"):
            outcome = _changed(outcome, self._role_scopes(record, pk, row.get("catalog")))
        if "incompatibleAccessPackages" in record:
            wanted = set()
            for position, other in enumerate(listing(record, "incompatibleAccessPackages") or []):
                with inside(f"incompatibleAccessPackages[{position}]"):
                    wanted.add(self._package_stand_in(other))
            outcome = _changed(outcome, self._replace_links(
                IncompatibleAccessPackage.access_package, pk, IncompatibleAccessPackage.incompatible_with, wanted))
        return outcome

    def _unknown_catalog(self) -> str:
        return self._stand_in(Catalog, {"id": UNKNOWN_CATALOG_ID, "display_name": UNKNOWN_CATALOG_NAME,
                                        "description": "Holds access packages imported without their catalog."})

    def _package_stand_in(self, data: dict) -> str:
        pk = guid(data, "id", required=True)
        if self._exists(AccessPackage, pk):
            return pk
        row = {"display_name": pk, "display_name_key": pk, **_package_row(data, pk)}
        row["catalog"] = self._catalog_of(data) or self._unknown_catalog()
        return self._stand_in(AccessPackage, row)

    def _role_scopes(self, record: dict, package_id: str, catalog_id: str | None) -> bool:
        """Replace the package's resource role scopes; True when they changed."""
        field = present(record, "resourceRoleScopes", "accessPackageResourceRoleScopes")
        catalog_id = catalog_id or AccessPackage.get_by_id(package_id).catalog_id
        wanted = {}
        for position, item in enumerate(listing(record, field) or []):
            with inside(f"{field}[{position}]"):
                pk = guid(item, "id", required=True)
                role = nested(item, "role", "accessPackageResourceRole")
                scope = nested(item, "scope", "accessPackageResourceScope")
                if role is None:
                    raise FieldError("role", "is missing (list with $expand=resourceRoleScopes($expand=role,scope))")
                if scope is None:
                    raise FieldError("scope", "is missing (list with $expand=resourceRoleScopes($expand=role,scope))")
                resource = self._resource_for(role, scope, catalog_id)
                with inside("role"):
                    role_id = guid(role, "id", required=True)
                    self._resource_part(ResourceRole, ROLE_FIELDS, role, resource)
                with inside("scope"):
                    scope_id = guid(scope, "id", required=True)
                    self._resource_part(ResourceScope, SCOPE_FIELDS, scope, resource)
                wanted[pk] = {"id": pk, "access_package": package_id, "role": role_id, "scope": scope_id,
                              "created_date_time": timestamp(item, "createdDateTime")}
        stored = {row["id"]: row for row in ResourceRoleScope.select().where(
            ResourceRoleScope.access_package == package_id).dicts()}
        if stored == wanted:
            return False
        ResourceRoleScope.delete().where(ResourceRoleScope.access_package == package_id).execute()
        if wanted:
            ResourceRoleScope.insert_many(list(wanted.values())).execute()
        return True

    def _resource_for(self, role: dict, scope: dict, catalog_id: str) -> Resource:
        """The resource a role and scope belong to: expanded, known by role id, or the catalog's
        resource with the scope's origin."""
        for field, data in (("role", role), ("scope", scope)):
            with inside(f"{field}.resource"):
                expanded = nested(data, "resource", "accessPackageResource")
                if expanded is not None:
                    resource = Resource.get_or_none(Resource.id == guid(expanded, "id", required=True))
                    if resource is not None:
                        return resource
        role_id = raw(role, "id")
        if isinstance(role_id, str):
            known = ResourceRole.get_or_none(ResourceRole.id == role_id.lower())
            if known is not None:
                return known.resource
        origin = raw(scope, "originId")
        resource = Resource.get_or_none((Resource.catalog == catalog_id) & (Resource.origin_id == origin))
        if resource is None:
            resource = Resource.get_or_none(Resource.origin_id == origin)
        if resource is None:
            raise FieldError("role", "belongs to a resource that is neither in the import nor in the database "
                                     "(import the catalog's resources with their roles and scopes)")
        return resource

    def _policy(self, record: dict, context, pk: str, package_id: str | None = None) -> str:
        row = self._policy_row(record, pk, package_id)
        outcome = self._upsert(AssignmentPolicy, row, defaults={"display_name": pk},
                               required={"access_package": "accessPackage"})
        if "specificAllowedTargets" in record:
            outcome = _changed(outcome, self._allowed_targets(record, pk))
        settings = nested(record, "requestApprovalSettings")
        if settings is not None and "stages" in settings:
            with inside("requestApprovalSettings"):
                outcome = _changed(outcome, self._stages(settings, pk))
        return outcome

    def _policy_row(self, record: dict, pk: str, package_id: str | None) -> dict:
        row = {"id": pk, **_fields(AssignmentPolicy, record, POLICY_FIELDS)}
        if "allowedTargetScope" in record:
            row["allowed_target_scope"] = enumeration(record, "allowedTargetScope", allowed=ALLOWED_TARGET_SCOPES)
        for field, spec in (("requestorSettings", REQUESTOR_SETTINGS), ("requestApprovalSettings", APPROVAL_SETTINGS)):
            settings = nested(record, field)
            if settings is not None:
                with inside(field):
                    row.update(_fields(AssignmentPolicy, settings, spec))
        expiration = nested(record, "expiration")
        if expiration is not None:
            with inside("expiration"):
                row.update(_fields(AssignmentPolicy, expiration, (
                    ("expiration_duration", duration, "duration"),
                    ("expiration_end_date_time", timestamp, "endDateTime"))))
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
        return {column: value for column, value in row.items()
                if value is not None or AssignmentPolicy._meta.fields[column].null}

    def _policy_stand_in(self, data: dict, package_id: str | None) -> str:
        pk = guid(data, "id", required=True)
        if self._exists(AssignmentPolicy, pk):
            return pk
        row = self._policy_row(data, pk, package_id)
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
                {"id": guid(data, "connectedOrganizationId", "id", required=True),
                 "displayName": text(data, "description")})
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
        stored = [dict(zip(columns, values)) for values in PolicyAllowedTarget.select(
            *(getattr(PolicyAllowedTarget, c) for c in columns)).where(
            PolicyAllowedTarget.policy == policy_id).tuples()]
        if _canonical(stored) == _canonical(wanted):
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
                columns = {"stage_number": position + 1, **_fields(ApprovalStage, stage, (
                    ("duration_before_automatic_denial", duration, "durationBeforeAutomaticDenial"),
                    ("is_approver_justification_required", boolean, "isApproverJustificationRequired"),
                    ("is_escalation_enabled", boolean, "isEscalationEnabled"),
                    ("duration_before_escalation", duration, "durationBeforeEscalation")))}
                approvers = []
                for field, fallback in (("primaryApprovers", False), ("fallbackPrimaryApprovers", True)):
                    for index, item in enumerate(listing(stage, field) or []):
                        with inside(f"{field}[{index}]"):
                            row = self._subject_set(item, APPROVER_TYPES)
                            if row is not None:
                                approvers.append({"user": None, "group": None, "manager_level": 1,
                                                  **row, "is_fallback": fallback})
                wanted.append((columns, approvers))
        if _canonical_stages(_stored_stages(policy_id)) == _canonical_stages(wanted):
            return False
        ApprovalStage.delete().where(ApprovalStage.policy == policy_id).execute()
        for columns, approvers in wanted:
            stage_id = ApprovalStage.insert({"policy": policy_id, **columns}).execute()
            if approvers:
                ApprovalStageApprover.insert_many([{"stage": stage_id, **a} for a in approvers]).execute()
        return True

    # --- assignments and requests -------------------------------------------------------

    def _assignment(self, record: dict, context, pk: str) -> None:
        row = {"id": pk}
        package_id = self._package_of(record)
        if package_id:
            row["access_package"] = package_id
        policy_id = self._policy_of(record, package_id)
        if policy_id:
            row["assignment_policy"] = policy_id
        target = self._subject_of(record, "target", "targetId")
        if target:
            row["target"] = target
        if present(record, "state", "assignmentState"):
            row["state"] = enumeration(record, "state", "assignmentState", allowed=ASSIGNMENT_STATES)
        status = text(record, "status", "assignmentStatus")
        if status is not None:
            row["status"] = status
        row.update(_schedule(record))
        row.update(_fields(Assignment, record, (("expired_date_time", timestamp, "expiredDateTime"),
                                                ("created_date_time", timestamp, "createdDateTime"))))
        defaults = {"status": _status_of(row.get("state"))}
        self._defer(kinds.ASSIGNMENT, Assignment, row, defaults=defaults, required={
            "access_package": "accessPackage", "assignment_policy": "assignmentPolicy",
            "target": "target", "state": "state"})

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

    def _request(self, record: dict, context, pk: str) -> None:
        row = {"id": pk}
        package_id = self._package_of(record)
        if package_id:
            row["access_package"] = package_id
        policy_id = self._policy_of(record, package_id)
        if policy_id:
            row["assignment_policy"] = policy_id
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
        row.update(_fields(AssignmentRequest, record, (
            ("justification", text, "justification"),
            ("created_date_time", timestamp, "createdDateTime", "createdDate"),
            ("completed_date_time", timestamp, "completedDateTime", "completedDate"))))
        row.update(_schedule(record))
        if "assignment" in record:
            assignment = nested(record, "assignment")
            with inside("assignment"):
                assignment_id = guid(assignment, "id", required=True) if assignment else None
            # Linked only to an assignment that is imported: a request does not make one up.
            row["assignment"] = assignment_id if assignment_id and self._exists(Assignment, assignment_id) else None
        self._defer(kinds.REQUEST, AssignmentRequest, row, defaults={"status": _status_of(row.get("state"))}, required={
            "access_package": "accessPackage", "target": "target", "request_type": "requestType",
            "state": "state", "created_date_time": "createdDateTime"})


def _located(where: str, pk: str, error: FieldError) -> InvalidInput:
    """An error found when a queued record is written, named like one found when it was read."""
    return InvalidInput(f"{where} (id {pk}): {error}")


def _uniform(model, rows: list[dict]) -> list[dict]:
    """Rows with the same columns (insert_many takes its columns from the first row); a
    column a row lacks gets the field's default."""
    columns = {column for row in rows for column in row}
    defaults = {}
    for column in columns:
        default = model._meta.fields[column].default
        defaults[column] = default() if callable(default) else default
    return [{column: row.get(column, defaults[column]) for column in columns} for row in rows]


def _fields(model, record: dict, spec) -> dict:
    """The columns of `spec` whose Graph fields `record` has. A null for a column that cannot
    be null is left out, so the stored value (or the default) stays."""
    row = {}
    for column, reader, *names in spec:
        if present(record, *names):
            value = reader(record, *names)
            if value is not None or model._meta.fields[column].null:
                row[column] = value
    return row


def _add_keys(row: dict, **keys: str) -> None:
    for key_column, column in keys.items():
        if column in row:
            row[key_column] = search_key(row[column])


def _strings(record: dict, field: str) -> list[str]:
    value = raw(record, field) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise FieldError(field, "must be a list of text")
    return value


def _organization_row(record: dict, pk: str) -> dict:
    row = {"id": pk, **_fields(ConnectedOrganization, record, ORGANIZATION_FIELDS)}
    if "state" in record:
        row["state"] = enumeration(record, "state", allowed=CONNECTED_ORGANIZATION_STATES)
    if "identitySources" in record:
        row["identity_sources"] = listing(record, "identitySources") or []
    return {c: v for c, v in row.items() if v is not None or ConnectedOrganization._meta.fields[c].null}


def _catalog_row(record: dict, pk: str) -> dict:
    row = {"id": pk, **_fields(Catalog, record, CATALOG_FIELDS)}
    if "catalogType" in record:
        row["catalog_type"] = enumeration(record, "catalogType", allowed=CATALOG_TYPES)
    if present(record, "state", "catalogStatus"):
        row["state"] = enumeration(record, "state", "catalogStatus", allowed=CATALOG_STATES)
    return {c: v for c, v in row.items() if v is not None or Catalog._meta.fields[c].null}


def _package_row(record: dict, pk: str) -> dict:
    row = {"id": pk, **_fields(AccessPackage, record, PACKAGE_FIELDS)}
    _add_keys(row, display_name_key="display_name")
    return row


def _schedule(record: dict) -> dict:
    schedule = nested(record, "schedule")
    if schedule is None:
        return {}
    with inside("schedule"):
        row = _fields(Assignment, schedule, (("schedule_start", timestamp, "startDateTime"),))
        expiration = nested(schedule, "expiration")
        if expiration is not None:
            with inside("expiration"):
                row.update(_fields(Assignment, expiration, (("schedule_end", timestamp, "endDateTime"),)))
    return row


def _status_of(state: str | None) -> str | None:
    """Graph's status text for a state, for records that carry only the state."""
    return state[:1].upper() + state[1:] if state else None


def _changed(outcome: str, changed: bool) -> str:
    return UPDATED if changed and outcome == UNCHANGED else outcome


def _canonical(rows: list[dict]) -> list[tuple]:
    return sorted(tuple(sorted((k, str(v)) for k, v in row.items())) for row in rows)


def _stored_stages(policy_id: str) -> list[tuple[dict, list[dict]]]:
    stages = []
    for stage in ApprovalStage.select().where(ApprovalStage.policy == policy_id).order_by(ApprovalStage.stage_number):
        columns = {"stage_number": stage.stage_number,
                   "duration_before_automatic_denial": stage.duration_before_automatic_denial,
                   "is_approver_justification_required": stage.is_approver_justification_required,
                   "is_escalation_enabled": stage.is_escalation_enabled,
                   "duration_before_escalation": stage.duration_before_escalation}
        approvers = [{"subject_set_type": a.subject_set_type, "user": a.user_id, "group": a.group_id,
                      "manager_level": a.manager_level, "is_fallback": a.is_fallback}
                     for a in stage.approvers]
        stages.append((columns, approvers))
    return stages


def _canonical_stages(stages: list[tuple[dict, list[dict]]]) -> list:
    defaults = {"duration_before_automatic_denial": "P14D", "is_approver_justification_required": False,
                "is_escalation_enabled": False, "duration_before_escalation": None}
    return [(_canonical([{**defaults, **columns}]), _canonical(approvers)) for columns, approvers in stages]
