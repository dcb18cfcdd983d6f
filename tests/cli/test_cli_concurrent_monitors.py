"""Defect 6: on a fresh database, two `monitor run` daemons and a `monitor run --once` started
together never show "database is locked" (APScheduler's job store table used to be created
outside BEGIN IMMEDIATE). Real subprocesses on a temp folder; each one exits by itself (`--once`)
or on the SIGINT the test sends once it has seen the daemon running; waits are polls with a
deadline, never sleeps."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

DEADLINE_S = 90
ROUNDS = 3


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GHOSTCART_")}
    env.update(GHOSTCART_HOME=str(home), GHOSTCART_MODEL="offline", PYTHONUNBUFFERED="1",
               COLUMNS="200", AWS_EC2_METADATA_DISABLED="true")
    return env


def _spawn(home: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "ghostcart_tui", "monitor", "run", *args],
                            env=_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_line(proc: subprocess.Popen, needle: str, deadline: float) -> str:
    """Read proc's stdout until a line holds `needle` (or the process ends): what was read."""
    seen = []
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    try:
        while time.monotonic() < deadline:
            if not sel.select(timeout=max(0.0, deadline - time.monotonic())):
                continue
            line = proc.stdout.readline()
            if not line:  # EOF: the process ended
                break
            seen.append(line)
            if needle in line:
                break
    finally:
        sel.unregister(proc.stdout)
    return "".join(seen)


def _round(home: Path) -> list[tuple[str, int, str]]:
    procs = {"daemon-a": _spawn(home, "--every", "5"), "daemon-b": _spawn(home, "--every", "5"),
             "once": _spawn(home, "--once")}
    deadline = time.monotonic() + DEADLINE_S
    results = []
    try:
        early = {name: _wait_for_line(p, "monitoring every", deadline)
                 for name, p in procs.items() if name.startswith("daemon")}
        for name, p in procs.items():
            if name.startswith("daemon") and p.poll() is None:
                p.send_signal(signal.SIGINT)
        for name, p in procs.items():
            out, err = p.communicate(timeout=max(1.0, deadline - time.monotonic()))
            results.append((name, p.returncode, early.get(name, "") + out + err))
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.kill()
                p.wait()
    return results


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_concurrent_monitors_on_a_fresh_db_never_report_a_lock(tmp_path, round_):
    home = tmp_path / f"home{round_}"
    for name, rc, output in _round(home):
        assert "locked" not in output.lower(), f"{name}: {output}"
        assert "Traceback" not in output, f"{name}: {output}"
        assert rc == 0, f"{name} exited {rc}: {output}"
