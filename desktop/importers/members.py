"""Members pages: `/groups/{id}/members`, `/groups/{id}/transitiveMembers` and
`/directoryRoles/{id}/members` lists make the membership of the group or role they belong to.

Graph answers them with `@odata.context` `…$metadata#directoryObjects` (or `#users` for a
`/microsoft.graph.user` cast), which does not name the group. The sync knows it from the
request URL. A file knows it from the page's `@odata.nextLink` (Graph's next link repeats the
request path), from a context that names it (`groups('<id>')/members`), from the page before
it in the same file whose next link named it, or from the file's name (`groups-<id>-members.json`); a members
page whose group cannot be known is listed in the summary, never silently dropped.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from desktop.importers.values import odata_type

_ID = r"([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"
# `/groups/{id}/members`, `/groups/{id}/transitiveMembers`, `/directoryRoles/{id}/members` and
# `/directoryRoles(roleTemplateId='{id}')/members`, optionally cast to users.
_MEMBERS_PATH = re.compile(
    rf"/(?:(groups)/{_ID}/(?:members|transitiveMembers)"
    rf"|(directoryRoles)(?:/|\(roleTemplateId='){_ID}'?\)?/members)"
    r"(?:/microsoft\.graph\.user)?/?$",
    re.IGNORECASE,
)
# `…$metadata#groups('<id>')/members`, as a context may name a navigation.
_MEMBERS_CONTEXT = re.compile(rf"#(groups|directoryRoles)\('{_ID}'\)/(?:members|transitiveMembers)", re.IGNORECASE)
_MEMBERS_NAME = re.compile(r"members", re.IGNORECASE)
_ROLE_NAME = re.compile(r"directory.?roles?", re.IGNORECASE)
_ID_IN_NAME = re.compile(_ID)
# The lists a members page may be: directory objects, users (a cast), or a page without context.
MEMBER_LISTS = ("directoryObjects", "users", "records")


@dataclass(frozen=True)
class Owner:
    """The group or directory role whose members a page lists; `by_template` when a role is
    addressed by its roleTemplateId."""

    kind: str  # "groups" or "directoryRoles"
    id: str
    by_template: bool = False

    def __str__(self) -> str:
        return f"{self.kind}/{self.id}/members"


def owner_of_url(url: str | None) -> Owner | None:
    """The owner a request URL or `@odata.nextLink` lists the members of."""
    if not url:
        return None
    path = urlsplit(url).path if "://" in url else url.split("?", 1)[0]
    match = _MEMBERS_PATH.search(unquote(path))
    if not match:
        return None
    if match.group(1):
        return Owner("groups", match.group(2).lower())
    return Owner("directoryRoles", match.group(4).lower(), "roleTemplateId" in match.group(0))


def owner_of_page(context: str | None, next_link: str | None, file_name: str, list_name: str) -> Owner | None:
    """The owner of a members page read from a file, when the page or the file's name says it
    (the name only for a page of directory objects or users: a list of groups is no membership)."""
    match = _MEMBERS_CONTEXT.search(context or "")
    if match:
        kind = "groups" if match.group(1).lower() == "groups" else "directoryRoles"
        return Owner(kind, match.group(2).lower())
    owner = owner_of_url(next_link)
    if owner:
        return owner
    ids = _ID_IN_NAME.findall(file_name)
    if list_name in MEMBER_LISTS and _MEMBERS_NAME.search(file_name) and len(set(ids)) == 1:
        return Owner("directoryRoles" if _ROLE_NAME.search(file_name) else "groups", ids[0].lower())
    return None


def user_members(records: Iterable) -> set[str]:
    """The ids of the users among a members page's records (nested groups, devices and
    service principals are not memberships this app keeps)."""
    return {
        record["id"].lower()
        for record in records
        if isinstance(record, dict)
        and odata_type(record) in (None, "user")
        and isinstance(record.get("id"), str)
        and "@removed" not in record
    }


@dataclass
class Membership:
    """The users all pages of one owner list; `complete` once a page without a next link came."""

    users: set[str] = field(default_factory=set)
    complete: bool = False


class FileMembers:
    """Members pages as the files' records stream by: `page()` when a page starts, `record()`
    for each of its records; then `memberships` by owner and `warnings()`."""

    def __init__(self):
        self.memberships: dict[Owner, Membership] = {}
        self._owner: Owner | None = None
        self._unnamed: dict | None = None  # the current page, when it may be an unnamed members page
        self._unnamed_pages: list[dict] = []
        # (file, list name) → the owner the next link of that list's last page named: a file
        # holding an array of pages gives the last one no next link.
        self._continued: dict[tuple[str, str], Owner] = {}

    def page(self, file_name: str, list_name: str, context: str | None, next_link: str | None) -> None:
        self._close_unnamed()
        owner = owner_of_page(context, next_link, file_name, list_name) or self._continued.pop(
            (file_name, list_name), None
        )
        self._owner = owner
        if owner:
            membership = self.memberships.setdefault(owner, Membership())
            membership.complete |= not next_link
            if next_link:
                self._continued[file_name, list_name] = owner
        elif list_name == "directoryObjects" or _MEMBERS_NAME.search(file_name):
            self._unnamed = {"file": file_name, "list": list_name, "objects": 0, "users": 0}

    def not_a_page(self) -> None:
        """A record outside any list page (a single object) comes next."""
        self._close_unnamed()
        self._owner = None

    def record(self, record) -> None:
        if self._owner:
            self.memberships[self._owner].users |= user_members([record])
        elif self._unnamed is not None:
            self._unnamed["objects"] += 1
            self._unnamed["users"] += len(user_members([record]))

    def warnings(self) -> list[str]:
        self._close_unnamed()
        return [
            f"{page['file']}: members of an unnamed group: a page of {page['objects']:,} directory objects "
            f"({page['users']:,} users) names no group (its @odata.context is {page['list']}); the users "
            "were imported, their membership was not. Save each group's members as "
            "groups-<group id>-members.json, or list groups with $expand=members"
            for page in self._unnamed_pages
        ]

    def _close_unnamed(self) -> None:
        # A page without users (a user's memberOf list of groups and roles) is no members page.
        if self._unnamed is not None and self._unnamed["users"]:
            self._unnamed_pages.append(self._unnamed)
        self._unnamed = None
