"""Plain user-facing errors (bad input, unknown ids). AP2 protocol failures use ap2.errors.AP2Error."""


class UserError(Exception):
    """Something the user asked for that cannot be done; the message says what to do instead."""


class NotFound(UserError):
    pass
