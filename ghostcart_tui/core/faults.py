"""Fail points for crash tests. GHOSTCART_FAULT=<name> makes the process SIGKILL itself when it
reaches the point of that name; GHOSTCART_FAULT=#k at the k-th point it reaches, whatever its
name. Tests use them to prove recovery at every step of a purchase. Off unless set."""

from __future__ import annotations

import os
import signal

_reached = 0


def fault_point(name: str) -> None:
    global _reached
    want = os.environ.get("GHOSTCART_FAULT")
    if not want:
        return
    _reached += 1
    if want == name or want == f"#{_reached}":
        os.kill(os.getpid(), signal.SIGKILL)
