"""Logging goes to a file under GHOSTCART_HOME: the TUI owns the terminal."""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

from .private_files import FILE_MODE, private_dir, tighten
from .redact import redact_pans

LOG_MAX_BYTES = 5 * 1024 * 1024
LOG_BACKUPS = 3

_configured: Path | None = None


class _RedactingFormatter(logging.Formatter):
    """The log never holds a card number, whatever a message or traceback carries."""

    def format(self, record: logging.LogRecord) -> str:
        return redact_pans(super().format(record))


def _private_rotator(source: str, dest: str) -> None:
    """RotatingFileHandler's public `rotator` hook: rename, then create the next log file 0600
    before the handler reopens it (the handler opens an existing file without changing its mode)."""
    os.replace(source, dest)
    os.close(os.open(source, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE))


def _private_handler(path: Path) -> logging.handlers.RotatingFileHandler:
    """The log and every rotated file are 0600 whatever the umask (they may quote the shopper)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE))
    tighten(path, FILE_MODE)
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS,
                                                   encoding="utf-8")
    handler.rotator = _private_rotator
    return handler


def configure_logging(path: Path, level: str = "INFO") -> None:
    global _configured
    if _configured == path:
        return
    private_dir(path.parent)
    handler = _private_handler(path)
    handler.setFormatter(_RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for h in list(root.handlers):
        if isinstance(h, logging.FileHandler):
            root.removeHandler(h)
    root.addHandler(handler)
    root.setLevel(getattr(logging, str(level).upper(), logging.INFO))
    _configured = path
