"""Fail points for crash tests: GHOSTCART_FAULT=<name> makes the process SIGKILL itself when it
reaches that point, so tests can prove recovery at every step of a purchase. Off unless set."""

from __future__ import annotations

import os
import signal


def fault_point(name: str) -> None:
    if os.environ.get("GHOSTCART_FAULT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
