"""AP2 v0.2 tests: every database and key under tmp_path; the official checker is found beside
the repository (../shared/ap2-v0.2/check.sh) and tests that need it skip when it is absent."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# CI: a fresh clone with shared/ beside it; here: worktrees one level deeper (/work/wt/<name>).
_CANDIDATES = [Path(os.environ["GHOSTCART_AP2_CHECK"])] if os.environ.get("GHOSTCART_AP2_CHECK") else []
_CANDIDATES += [
    REPO.parent / "shared" / "ap2-v0.2" / "check.sh",
    REPO.parent.parent / "shared" / "ap2-v0.2" / "check.sh",
]
CHECK_SH = next((p for p in _CANDIDATES if p.exists()), _CANDIDATES[0])
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SCENARIOS = REPO / "scenarios"


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("GHOSTCART_HOME", str(home))
    monkeypatch.setenv("GHOSTCART_MODEL", "offline")
    monkeypatch.delenv("GHOSTCART_DB", raising=False)
    monkeypatch.delenv("GHOSTCART_KEY_PASSPHRASE", raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return home


def run_check_sh(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(CHECK_SH), str(path)], capture_output=True, text=True, timeout=600)


needs_check_sh = pytest.mark.skipif(not CHECK_SH.exists(), reason=f"{CHECK_SH} is not beside the repository")


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())
