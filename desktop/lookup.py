"""Finding objects by what an administrator types: a UPN, a name or an id."""

from datetime import datetime

from desktop.errors import NotFound
from models import AccessPackage, AssignmentPolicy, User
from models.history import history_model, valid_at
from models.keys import fold, folded


def search_key(text: str | None) -> str | None:
    """The key that the `*_key` columns hold (Unicode case folding)."""
    return fold(text)


def prefix_range(field, prefix: str):
    """`field` starts with `prefix` (already a search key), as an index range: portable and
    indexed where LIKE is not on every database."""
    return (field >= prefix) & (field < prefix + "\U0010ffff")


def find_user(upn_or_id: str, moment: datetime | None = None) -> User:
    """The user with that UPN or object id, deleted from the tenant or not. With a past
    `moment`, first the user who had that UPN then (renamed since, or deleted and their UPN
    given to someone else)."""
    text = upn_or_id.strip()
    if moment is not None:
        history = history_model(User)
        then = (
            history.select(history.id)
            .where(((history.upn_key == search_key(text)) | (history.id == text.lower())) & valid_at(history, moment))
            .first()
        )
        if then is not None:
            return User.get_by_id(then.id)
    user = User.get_or_none((User.upn_key == search_key(text)) | (User.id == text.lower()))
    if user is None:
        raise NotFound(f"No user {text!r} in the directory.")
    return user


def find_access_package(name_or_id: str) -> AccessPackage:
    text = name_or_id.strip()
    package = AccessPackage.get_or_none(AccessPackage.id == text.lower())
    if package is not None:
        return package
    matches = list(AccessPackage.select().where(AccessPackage.display_name_key == search_key(text)).limit(2))
    if not matches:
        raise NotFound(f"No access package {text!r}.")
    if len(matches) > 1:
        raise NotFound(f"More than one access package is named {text!r}; give its id instead.")
    return matches[0]


def find_policy(package: AccessPackage, name_or_id: str) -> AssignmentPolicy:
    text = name_or_id.strip()
    policy = AssignmentPolicy.get_or_none(
        (AssignmentPolicy.access_package == package)
        & ((AssignmentPolicy.id == text.lower()) | (folded(AssignmentPolicy.display_name) == search_key(text)))
    )
    if policy is None:
        raise NotFound(f"Access package {package.display_name!r} has no policy {text!r}.")
    return policy
