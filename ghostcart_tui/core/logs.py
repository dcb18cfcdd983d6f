"""Logging goes to a file under GHOSTCART_HOME: the TUI owns the terminal."""

from __future__ import annotations

import logging
from pathlib import Path

from .redact import redact_pans

_configured: Path | None = None


class _RedactingFormatter(logging.Formatter):
    """The log never holds a card number, whatever a message or traceback carries."""

    def format(self, record: logging.LogRecord) -> str:
        return redact_pans(super().format(record))


def configure_logging(path: Path, level: str = "INFO") -> None:
    global _configured
    if _configured == path:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(_RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for h in list(root.handlers):
        if isinstance(h, logging.FileHandler):
            root.removeHandler(h)
    root.addHandler(handler)
    root.setLevel(getattr(logging, str(level).upper(), logging.INFO))
    _configured = path
