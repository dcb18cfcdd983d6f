"""Errors as a shopper reads them: the AP2 code and a sentence, never a traceback."""

from __future__ import annotations

import logging

from ..ap2.errors import AP2Error
from ..core.errors import UserError
from .safe import safe_str

log = logging.getLogger(__name__)


def describe_error(exc: BaseException) -> str:
    if isinstance(exc, AP2Error):
        return safe_str(f"{exc.code}: {exc.message}")
    code = getattr(exc, "code", None)
    if isinstance(exc, UserError):
        return safe_str(str(exc))
    if isinstance(code, str) and code.startswith("ap2:"):
        return safe_str(f"{code}: {exc}")
    log.error("unexpected error in the TUI", exc_info=exc)
    return safe_str(f"Something went wrong ({type(exc).__name__}): {exc}. Details are in the log.")
