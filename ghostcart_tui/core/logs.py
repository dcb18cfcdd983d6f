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


class _PrivateRotatingHandler(logging.handlers.RotatingFileHandler):
    """The log and every rotated file are 0600 whatever the umask (they may quote the shopper)."""

    def _open(self):  # type: ignore[no-untyped-def]
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
        tighten(Path(self.baseFilename), FILE_MODE)
        return os.fdopen(fd, self.mode, encoding=self.encoding, errors=self.errors)


def configure_logging(path: Path, level: str = "INFO") -> None:
    global _configured
    if _configured == path:
        return
    private_dir(path.parent)
    handler = _PrivateRotatingHandler(path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8")
    handler.setFormatter(_RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for h in list(root.handlers):
        if isinstance(h, logging.FileHandler):
            root.removeHandler(h)
    root.addHandler(handler)
    root.setLevel(getattr(logging, str(level).upper(), logging.INFO))
    _configured = path
