"""Writing directory objects: users, groups, directory roles, connected organizations, subjects."""

from desktop.importers.fields import (
    GROUP_FIELDS,
    USER_FIELDS,
    add_keys,
    fields_of,
    inside,
    organization_row,
    strings,
)
from desktop.importers.summary import CREATED, UNCHANGED, UPDATED
from desktop.importers.upsert import changed
from desktop.importers.values import FieldError, guid, listing, nested, odata_type, text
from desktop.importers import kinds
from desktop.lookup import search_key
from models import (
    ConnectedOrganization,
    ConnectedOrganizationSponsor,
    DirectoryRole,
    DirectoryRoleAssignment,
    Group,
    GroupMember,
    User,
)


class DirectoryWriter:
    """The directory family of GraphWriter (a mixin over UpsertEngine)."""

    def _user(self, record: dict, context, pk: str) -> None:
        # `$select`, delta and guest answers may leave out userPrincipalName: a known user keeps
        # the stored one; a new one has none, and is named by the best name it has (display
        # name, mail, sign-in identity, else its id).
        upn = text(record, "userPrincipalName")
        row = {"id": pk}
        if upn is not None:
            row.update(user_principal_name=upn, upn_key=search_key(upn))
        row.update(fields_of(User, record, USER_FIELDS))
        add_keys(row, display_name_key="display_name", mail_key="mail")
        if "manager" in record:
            manager = nested(record, "manager")
            with inside("manager"):
                row["manager"] = self._user_stand_in(manager) if manager else None
        name = row.get("display_name") or row.get("mail") or _identity_name(record) or upn or pk
        defaults = {"display_name": name, "display_name_key": search_key(name)}
        if row.get("display_name") is None:
            row.pop("display_name", None)
            row.pop("display_name_key", None)
        self._defer(kinds.USER, User, row, defaults=defaults)

    def _free_upn_keys(self, batch: dict, stored: dict) -> None:
        """Check the UPNs of a chunk of users before it is written: one that another user holds
        is a problem (the user is left out of the chunk), one a stand-in holds is taken from it
        (UPNs move; ids do not)."""
        claims = {}
        for pk, (_, row, _, _, where) in list(batch.items()):
            key = row.get("upn_key")
            if key is None or pk in stored and stored[pk]["upn_key"] == key:
                continue
            if key in claims:
                self.reject(
                    where,
                    pk,
                    kinds.USER,
                    FieldError(
                        "userPrincipalName", f"{row['user_principal_name']!r} is also the UPN of user {claims[key]}"
                    ),
                )
                del batch[pk]
                continue
            claims[key] = pk
        if not claims:
            return
        for holder in User.select(User.id, User.upn_key, User.is_reference).where(User.upn_key.in_(list(claims))):
            pk = claims[holder.upn_key]
            if holder.id == pk:
                continue
            if not holder.is_reference:
                _, row, _, _, where = batch.pop(pk)
                upn = row["user_principal_name"]
                self.reject(
                    where,
                    pk,
                    kinds.USER,
                    FieldError("userPrincipalName", f"{upn!r} already belongs to another user ({holder.id})"),
                )
                continue
            User.update(user_principal_name=None, upn_key=None).where(User.id == holder.id).execute()

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
        stored = (
            User.select(
                User.is_reference, User.connected_organization, User.user_principal_name, User.display_name, User.mail
            )
            .where(User.id == pk)
            .dicts()
            .first()
        )
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
            if stored["user_principal_name"] is None and candidate["user_principal_name"] is not None:
                changes.update(user_principal_name=candidate["user_principal_name"], upn_key=candidate["upn_key"])
            if stored["display_name"] in (pk, stored["user_principal_name"]) and candidate["display_name"] not in (
                pk,
                candidate["user_principal_name"],
            ):
                changes.update(display_name=candidate["display_name"], display_name_key=candidate["display_name_key"])
        if changes:
            User.update(changes).where(User.id == pk).execute()
        return pk

    def _referred_user(self, data: dict, pk: str, organization: str | None) -> dict:
        """The row a stand-in for the user `data` refers to would have."""
        upn = text(data, "userPrincipalName", "principalName", "email", "mail")
        if upn is not None and User.select().where((User.upn_key == search_key(upn)) & (User.id != pk)).exists():
            upn = None
        mail = text(data, "mail", "email")
        name = text(data, "displayName") or upn or mail or pk
        user_type = text(data, "userType") or ("Guest" if organization or "#EXT#" in (upn or "") else "Member")
        return {
            "id": pk,
            "user_principal_name": upn,
            "upn_key": search_key(upn),
            "display_name": name,
            "display_name_key": search_key(name),
            "mail": mail,
            "mail_key": search_key(mail),
            "user_type": user_type,
            "connected_organization": organization,
        }

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
        row = {"id": pk, **fields_of(Group, record, GROUP_FIELDS)}
        if "groupTypes" in record:
            row["group_types"] = strings(record, "groupTypes")
        add_keys(row, display_name_key="display_name")
        outcome = self._upsert(Group, row, defaults={"display_name": pk, "display_name_key": pk})
        if "members" in record:
            members = self._users_among(listing(record, "members") or [], "members", "members of group")
            outcome = changed(outcome, self._replace_links(GroupMember.group, pk, GroupMember.member, members))
        return outcome

    def replace_group_members(self, group_id: str, members: set[str], *, complete: bool = True) -> None:
        """A group's membership from a `/groups/{id}/members` list (added to the stored one when
        the list is not `complete`); users not known become stand-ins."""
        self._group_stand_in({"id": group_id})
        for member in members:
            self._user_stand_in({"id": member})
        if not complete:
            members = members | _linked(GroupMember.group, group_id, GroupMember.member)
        if self._replace_links(GroupMember.group, group_id, GroupMember.member, members):
            self.summary.count(kinds.GROUP, UPDATED)

    def replace_role_members(
        self, role_id: str, members: set[str], *, by_template: bool = False, complete: bool = True
    ) -> None:
        """A directory role's membership from a `/directoryRoles/{id}/members` list (or one
        addressed by `roleTemplateId`); users not known become stand-ins."""
        if by_template:
            stored = DirectoryRole.select(DirectoryRole.id).where(DirectoryRole.role_template_id == role_id).scalar()
        else:
            stored = (
                self.role_ids.get(role_id)
                or DirectoryRole.select(DirectoryRole.id).where(DirectoryRole.id == role_id).scalar()
            )
        if stored is None:
            raise FieldError(
                "members",
                "lists the members of a directory role that is neither in this import "
                "nor in the database; import /directoryRoles too",
            )
        for member in members:
            self._user_stand_in({"id": member})
        if not complete:
            members = members | _linked(DirectoryRoleAssignment.role, stored, DirectoryRoleAssignment.principal)
        if self._replace_links(DirectoryRoleAssignment.role, stored, DirectoryRoleAssignment.principal, members):
            self.summary.count(kinds.DIRECTORY_ROLE, UPDATED)

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
        self.role_ids[pk.lower()] = role_id
        row = {
            "id": role_id,
            "role_template_id": template,
            **fields_of(
                DirectoryRole, record, (("display_name", text, "displayName"), ("description", text, "description"))
            ),
        }
        outcome = self._upsert(DirectoryRole, row, required={"display_name": "displayName"})
        if "members" in record:
            members = self._users_among(listing(record, "members") or [], "members", "members of role")
            outcome = changed(
                outcome,
                self._replace_links(DirectoryRoleAssignment.role, role_id, DirectoryRoleAssignment.principal, members),
            )
        return outcome

    def _organization(self, record: dict, context, pk: str) -> str:
        outcome = self._upsert(ConnectedOrganization, organization_row(record, pk), defaults={"display_name": pk})
        for kind, field in (("internal", "internalSponsors"), ("external", "externalSponsors")):
            if field in record:
                sponsors = self._users_among(listing(record, field) or [], field, "sponsors of organization")
                outcome = changed(
                    outcome,
                    self._replace_links(
                        ConnectedOrganizationSponsor.connected_organization,
                        pk,
                        ConnectedOrganizationSponsor.user,
                        sponsors,
                        kind=kind,
                    ),
                )
        return outcome

    def _organization_stand_in(self, data: dict | None) -> str | None:
        if data is None:
            return None
        pk = guid(data, "id", required=True)
        return self._stand_in(ConnectedOrganization, {"display_name": pk, **organization_row(data, pk)})


def _linked(owner_field, owner_id: str, other_field) -> set[str]:
    """The ids linked to one owner now (a group's members, a role's holders)."""
    return {row[0] for row in other_field.model.select(other_field).where(owner_field == owner_id).tuples()}


def _identity_name(record: dict) -> str | None:
    """The sign-in name of a user's first identity that has one (`identities` of B2C and guests)."""
    identities = record.get("identities")
    if not isinstance(identities, list):
        return None
    for identity in identities:
        if isinstance(identity, dict) and isinstance(identity.get("issuerAssignedId"), str):
            return identity["issuerAssignedId"]
    return None
