"""Settings that name files are checked up front: a path-like user id or an unknown key storage is
a clear usage error (exit 2), never a traceback later."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from ghostcart_tui.cli import app
from ghostcart_tui.core.settings import Settings


@pytest.mark.parametrize("user", ["..", ".", "a/b", "", "x" * 65, "../etc"])
def test_path_like_user_ids_are_refused(user, tmp_path):
    with pytest.raises(ValidationError):
        Settings(data_home=tmp_path, user_id=user)


def test_ordinary_user_ids_pass(tmp_path):
    assert Settings(data_home=tmp_path, user_id="alice.b-2_x").user_id == "alice.b-2_x"


@pytest.mark.parametrize("args,env,needle", [
    (["--user", "..", "doctor"], {}, "user_id"),
    (["keys", "show"], {"GHOSTCART_KEY_STORAGE": "vault"}, "GHOSTCART_KEY_STORAGE"),
])
def test_cli_answers_exit_2(args, env, needle, tmp_path):
    r = CliRunner(env={"GHOSTCART_HOME": str(tmp_path), **env}).invoke(app, args)
    assert r.exit_code == 2 and needle in r.output and "Traceback" not in r.output, r.output
