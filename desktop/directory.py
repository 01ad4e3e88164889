"""Finding users as an administrator types: the query behind the user picker.

Search is case-insensitive over the user principal name, the display name and the mail.
Prefix matches come first: each is an index range on one `*_key` column, so they answer in
a few milliseconds at any tenant size. Only when they do not fill the list does a
"contains" query run; it walks the display-name index in order and stops at the limit, so
it stays bounded too.
"""

import functools
from dataclasses import dataclass
from datetime import datetime

from peewee import JOIN

from desktop.lookup import prefix_range, search_key
from models import ConnectedOrganization, User
from models.deletion import current
from models.keys import contains

DEFAULT_LIMIT = 50


@dataclass(frozen=True)
class UserMatch:
    id: str
    user_principal_name: str | None
    display_name: str
    mail: str | None
    user_type: str  # Member | Guest
    department: str | None
    # A guest's connected organization, else the company the directory names.
    organization: str | None
    # When the user was first seen gone from the tenant; None for a current user.
    deleted_date_time: datetime | None = None


def search_users(text: str, limit: int = DEFAULT_LIMIT, deleted_after: datetime | None = None) -> list[UserMatch]:
    """Up to `limit` users matching `text`: prefix matches by display name, then the rest.
    Current users only, unless `deleted_after` is given: then users deleted from the tenant
    after that moment too (a report as of then still has them)."""
    key = search_key(text.strip())
    matches_query = functools.partial(_matches_query, deleted_after)
    if not key:
        return [_match(row) for row in matches_query().order_by(User.display_name_key, User.id).limit(limit)]
    found: dict[str, UserMatch] = {}
    prefixed = []
    for field in (User.display_name_key, User.upn_key, User.mail_key):
        query = matches_query().where(prefix_range(field, key)).order_by(field, User.id).limit(limit)
        prefixed.extend(_match(row) for row in query)
    for match in sorted(prefixed, key=_display_order):
        found.setdefault(match.id, match)
    if len(found) < limit:
        containing = (
            matches_query()
            .where(contains(User.display_name_key, key) | contains(User.upn_key, key) | contains(User.mail_key, key))
            .order_by(User.display_name_key, User.id)
            .limit(limit + len(found))
        )
        for row in containing:
            found.setdefault(row.id, _match(row))
    return list(found.values())[:limit]


def _matches_query(deleted_after: datetime | None):
    shown = current(User)
    if deleted_after is not None:
        shown |= User.deleted_date_time > deleted_after
    return (
        User.select(
            User.id,
            User.user_principal_name,
            User.display_name,
            User.display_name_key,
            User.mail,
            User.user_type,
            User.department,
            User.company_name,
            User.deleted_date_time,
            ConnectedOrganization.display_name.alias("organization_name"),
        )
        .join(
            ConnectedOrganization, join_type=JOIN.LEFT_OUTER, on=User.connected_organization == ConnectedOrganization.id
        )
        .where(shown)
        .objects()
    )


def _match(row) -> UserMatch:
    return UserMatch(
        id=row.id,
        user_principal_name=row.user_principal_name,
        display_name=row.display_name,
        mail=row.mail,
        user_type=row.user_type,
        department=row.department,
        organization=row.organization_name or row.company_name,
        deleted_date_time=row.deleted_date_time,
    )


def _display_order(match: UserMatch):
    return (search_key(match.display_name), match.id)
