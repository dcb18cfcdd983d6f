from __future__ import annotations

import pytest

from tests.services.conftest import make_runtime


@pytest.fixture
def rt(tmp_path):
    runtime = make_runtime(tmp_path)
    yield runtime
    runtime.close()
