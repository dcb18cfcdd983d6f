"""The layer rules of DESIGN.md are a test, not a hope (contracts in pyproject.toml)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_import_contracts_hold():
    root = Path(__file__).resolve().parents[1]
    lint = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run([str(lint)], cwd=root, capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, NO_COLOR="1"))
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "0 broken" in proc.stdout
