"""Suite-wide isolation: no test reads the developer's home, .env or AWS credentials."""

from __future__ import annotations

import os

import pytest

_AWS_VARS = [k for k in os.environ if k.startswith("AWS_")]


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("ghostcart-home")
    monkeypatch.setenv("GHOSTCART_HOME", str(home))
    monkeypatch.setenv("GHOSTCART_MODEL", "offline")
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    monkeypatch.delenv("GHOSTCART_DB", raising=False)
    monkeypatch.delenv("GHOSTCART_FAULT", raising=False)
    for k in _AWS_VARS:
        monkeypatch.delenv(k, raising=False)
    # Nothing may find real credentials or reach AWS by accident.
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    yield
