"""What can go wrong talking to Entra and Graph, each with a message the admin can act on."""

from desktop.errors import DeskError, Forbidden


class SignInFailed(DeskError):
    """No token: the sign-in was refused, abandoned, or the token given has expired."""


class GraphUnavailable(DeskError):
    """Graph did not answer usefully: throttled past the wait allowed, down, or unreachable."""


class PermissionMissing(Forbidden):
    """Graph answered 403: the token lacks the permission (or role) a request needs."""


class DeltaExpired(GraphUnavailable):
    """Graph no longer knows a stored delta link (410 Gone): the next sync must list the kind whole."""
