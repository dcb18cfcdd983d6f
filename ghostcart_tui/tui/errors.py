"""Errors as a shopper reads them: the AP2 code and a sentence, never a traceback."""

from __future__ import annotations

import logging

from ..ap2.errors import AP2Error
from ..core.errors import UserError
from .safe import safe_str

log = logging.getLogger(__name__)


def describe_error(exc: BaseException) -> str:
    if isinstance(exc, AP2Error):
        return safe_str(f"{_sentence(exc.message)} ({exc.code})")
    code = getattr(exc, "code", None)
    if isinstance(exc, UserError):
        return safe_str(_sentence(str(exc)))
    if isinstance(code, str) and code.startswith("ap2:"):
        return safe_str(f"{_sentence(str(exc))} ({code})")
    log.error("unexpected error in the TUI", exc_info=exc)
    return safe_str(f"Something went wrong ({type(exc).__name__}): {exc}. Details are in the log.")


def _sentence(text: str) -> str:
    """A plain sentence: capitalised, ending with a full stop."""
    text = text.strip()
    if not text:
        return "Something went wrong."
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def describe_event_error(code: str, message: str) -> str:
    """An ErrorOccurred as the shopper reads it: the sentence, then the AP2 code if there is one
    (never an internal code such as user_error)."""
    if code.startswith("ap2:"):
        return f"{_sentence(message)} ({code})"
    return _sentence(message)
