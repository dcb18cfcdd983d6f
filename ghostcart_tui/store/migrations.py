"""Schema version (PRAGMA user_version) and forward migrations. Never drops data: each step
only adds. A database newer than the code is refused in engine._check_file."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import MetaData
from sqlalchemy.engine import Connection, Engine

APPLICATION_ID = 0x47435254  # "GCRT": marks the file as GhostCart's
SCHEMA_VERSION = 2


def _v1(conn: Connection, metadata: MetaData) -> None:
    metadata.create_all(conn)


def _v2_ap2_v02(conn: Connection, metadata: MetaData) -> None:
    """AP2 v0.2 records and the monthly budget (store/v02.py): two new tables."""
    from . import v02

    v02.create_tables(conn)


# MIGRATIONS[n] takes a database at version n to n+1. Add new steps at the end.
MIGRATIONS: list[Callable[[Connection, MetaData], None]] = [_v1, _v2_ap2_v02]
assert len(MIGRATIONS) == SCHEMA_VERSION


def migrate(engine: Engine, metadata: MetaData) -> int:
    with engine.execution_options(ghostcart_immediate=True).begin() as conn:
        version = conn.exec_driver_sql("PRAGMA user_version").scalar_one()
        for step in MIGRATIONS[version:]:
            step(conn, metadata)
        if version < SCHEMA_VERSION:
            conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
            conn.exec_driver_sql(f"PRAGMA user_version={SCHEMA_VERSION}")
    return SCHEMA_VERSION
