"""The "Also" list: the database, its WAL/SHM, the log (and its rotations) and exports are 0600,
their folders 0700, with a permissive umask and for files created later; an existing 0644 / 0755
install is tightened when opened."""

from __future__ import annotations

import json
import logging
import os
import stat
from pathlib import Path

import pytest

from ghostcart_tui.core import logs
from tests.services.conftest import make_runtime


def mode(p: Path) -> int:
    return stat.S_IMODE(os.stat(p).st_mode)


@pytest.fixture(autouse=True)
def permissive_umask():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_db_wal_shm_and_home_are_private(tmp_path):
    home = tmp_path / "home"
    rt = make_runtime(home)
    try:
        from ghostcart_tui.store.engine import db_time
        from ghostcart_tui.store.tables import LeaseRow  # any write makes the WAL grow

        with rt.db.write() as s:
            now = db_time(rt.clock.now())
            s.add(LeaseRow(name="probe", holder="t", pid=1, host="h", acquired_at=now, expires_at=now))
        assert mode(home) == 0o700
        db = rt.db.path
        for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
            assert p.exists() and mode(p) == 0o600, (p, oct(mode(p)))
    finally:
        rt.close()


def test_existing_open_install_is_tightened(tmp_path):
    home = tmp_path / "home"
    make_runtime(home).close()
    os.chmod(home, 0o755)
    db = home / "ghostcart.db"
    os.chmod(db, 0o644)
    rt = make_runtime(home)
    rt.close()
    assert mode(home) == 0o700 and mode(db) == 0o600


def test_cli_log_export_and_keys_export_are_private(cli, _home, tmp_path):
    assert cli("db", "init").exit_code == 0
    assert mode(_home) == 0o700 and mode(_home / "ghostcart.log") == 0o600
    assert mode(_home / "ghostcart.db") == 0o600 and mode(_home / "keys") == 0o700
    out = tmp_path / "new-folder" / "jwks.json"
    r = cli("keys", "export", "-o", out)
    assert r.exit_code == 0, r.output
    assert json.loads(out.read_text())["keys"] and mode(out) == 0o600 and mode(out.parent) == 0o700


def test_mandates_export_is_private(shop, tmp_path):
    tx = json.loads(shop("transactions", "list", "--json").output)[0]
    out = tmp_path / "exports" / "chain.json"
    r = shop("mandates", "export", tx["transaction_id"], "-o", out)
    assert r.exit_code == 0, r.output
    assert json.loads(out.read_text())["transaction"] and mode(out) == 0o600 and mode(out.parent) == 0o700
    missing = tmp_path / "exports" / "nope.json"
    assert shop("mandates", "export", "txn_nope", "-o", missing).exit_code == 1
    assert not missing.exists()  # a failed export leaves no empty file behind


def test_rotated_logs_are_private(tmp_path, monkeypatch):
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    monkeypatch.setattr(logs, "LOG_MAX_BYTES", 300)
    monkeypatch.setattr(logs, "_configured", None)
    path = tmp_path / "logs" / "ghostcart.log"
    try:
        logs.configure_logging(path, "INFO")
        for i in range(40):
            logging.getLogger("probe").info("line %d with some words to fill the file", i)
    finally:
        for h in list(root.handlers):
            if h not in saved_handlers:
                root.removeHandler(h)
                h.close()
        for h in saved_handlers:
            if h not in root.handlers:
                root.addHandler(h)
        root.setLevel(saved_level)
    rotated = sorted(path.parent.glob("ghostcart.log*"))
    assert len(rotated) >= 2
    assert all(mode(p) == 0o600 for p in rotated), [(p.name, oct(mode(p))) for p in rotated]
    assert mode(path.parent) == 0o700


def test_doctor_names_files_open_to_others_until_they_are_tightened(cli, _home):
    assert cli("db", "init").exit_code == 0
    assert "private to you" in cli("doctor").output
    os.chmod(_home, 0o755)
    os.chmod(_home / "ghostcart.db", 0o644)
    r = cli("doctor")
    assert r.exit_code == 0 and "open to other users" in r.output and "(0644)" in r.output, r.output
    assert json.loads(cli("doctor", "--json").output)["exposed_files"]
    assert cli("products").exit_code == 0  # any command that opens the data tightens them
    assert json.loads(cli("doctor", "--json").output)["exposed_files"] == []
