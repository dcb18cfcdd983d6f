"""Plain user-facing errors (bad input, unknown ids). AP2 protocol failures use ap2.errors.AP2Error."""


class UserError(Exception):
    """Something the user asked for that cannot be done; the message says what to do instead."""


class NotFound(UserError):
    pass


def shown(value: object, limit: int = 60) -> str:
    """A user-supplied value quoted for an error message, cut short (it may be a 1 MB paste)."""
    text = str(value)
    return repr(text if len(text) <= limit else text[:limit] + "…")
