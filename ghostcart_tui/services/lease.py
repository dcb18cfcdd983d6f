"""One process at a time runs monitoring checks: a lease row in the database, renewed by each
sweep, taken over only when it has expired (its holder died or stopped)."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..core.clock import as_utc
from ..store.engine import db_time
from ..store.tables import LeaseRow
from .runtime import Runtime

LEASE_NAME = "monitor"
LEASE_TTL = timedelta(minutes=3)


@dataclass(frozen=True)
class LeaseInfo:
    holder: str
    pid: int
    host: str
    expires_at: datetime
    mine: bool


def holder_name(kind: str) -> str:
    return f"{kind}@{socket.gethostname()}:{os.getpid()}"


def acquire(rt: Runtime, holder: str, ttl: timedelta = LEASE_TTL) -> bool:
    """Take or renew the lease. True when this holder now has it."""
    now = rt.clock.now()
    with rt.db.write() as s:
        row = s.get(LeaseRow, LEASE_NAME)
        if row is not None and row.holder != holder and as_utc(row.expires_at) > now:
            return False
        if row is None:
            row = LeaseRow(name=LEASE_NAME, holder=holder, pid=os.getpid(), host=socket.gethostname(),
                           acquired_at=db_time(now), expires_at=db_time(now + ttl))
        elif row.holder != holder:
            row.holder, row.pid, row.host, row.acquired_at = holder, os.getpid(), socket.gethostname(), db_time(now)
        row.expires_at = db_time(now + ttl)
        s.add(row)
        return True


def release(rt: Runtime, holder: str) -> None:
    with rt.db.write() as s:
        row = s.get(LeaseRow, LEASE_NAME)
        if row is not None and row.holder == holder:
            s.delete(row)


def current(rt: Runtime, holder: str | None = None) -> LeaseInfo | None:
    with rt.db.read() as s:
        row = s.get(LeaseRow, LEASE_NAME)
    if row is None or as_utc(row.expires_at) <= rt.clock.now():
        return None
    return LeaseInfo(row.holder, row.pid, row.host, as_utc(row.expires_at), row.holder == holder)
