"""One process at a time runs monitoring checks: a lease row in the database, renewed by each
sweep, taken over only when it has expired (its holder died or stopped).

One lease per user (its name carries the user id): a process only checks its own user's jobs, so
alice's monitor never keeps user_demo's from running. A lease whose expiry lies further ahead than
any holder could have set (a hand edit) counts as expired, so monitoring resumes by itself."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..core.clock import as_utc
from ..store.engine import db_time
from ..store.jobs import drop_unreadable_leases
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


def lease_name(rt: Runtime) -> str:
    return f"{LEASE_NAME}:{rt.user_id}"


def _held(row: LeaseRow, now: datetime, ttl: timedelta) -> bool:
    try:
        expires = as_utc(row.expires_at)
    except (TypeError, ValueError, AttributeError):
        return False
    return now < expires <= now + ttl + LEASE_TTL


def acquire(rt: Runtime, holder: str, ttl: timedelta = LEASE_TTL) -> bool:
    """Take or renew the lease. True when this holder now has it."""
    now = rt.clock.now()
    with rt.db.write() as s:
        drop_unreadable_leases(s)
        row = s.get(LeaseRow, lease_name(rt))
        if row is not None and row.holder != holder and _held(row, now, ttl):
            return False
        if row is None:
            row = LeaseRow(name=lease_name(rt), holder=holder, pid=os.getpid(), host=socket.gethostname(),
                           acquired_at=db_time(now), expires_at=db_time(now + ttl))
        elif row.holder != holder:
            row.holder, row.pid, row.host, row.acquired_at = holder, os.getpid(), socket.gethostname(), db_time(now)
        row.expires_at = db_time(now + ttl)
        s.add(row)
        return True


def release(rt: Runtime, holder: str) -> None:
    with rt.db.write() as s:
        row = s.get(LeaseRow, lease_name(rt))
        if row is not None and row.holder == holder:
            s.delete(row)


def current(rt: Runtime, holder: str | None = None) -> LeaseInfo | None:
    with rt.db.read() as s:
        row = s.get(LeaseRow, lease_name(rt))
    if row is None or not _held(row, rt.clock.now(), LEASE_TTL):
        return None
    return LeaseInfo(row.holder, row.pid, row.host, as_utc(row.expires_at), row.holder == holder)
