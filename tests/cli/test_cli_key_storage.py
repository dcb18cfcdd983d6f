"""Key storage: the shopper's key in the OS keyring (an in-memory keyring backend here, never the
real one) or a passphrase-encrypted file; `doctor` says which and warns about an unencrypted
file; `keys show` / `doctor` notice a swapped key file."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import keyring
import keyring.backend
import keyring.backends.fail
import pytest
from typer.testing import CliRunner

from ghostcart_tui.ap2.keyfiles import private_pem
from ghostcart_tui.ap2.keys import KeyPair
from ghostcart_tui.cli import app

BUY = """\
name: one purchase
settings:
  processor: approve_all
steps:
  - say: "Buy a coffee maker under $90"
  - sign: approve
  - expect: {event: transaction, status: authorized}
"""


class MemoryKeyring(keyring.backend.KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.entries.get((service, username))

    def set_password(self, service, username, password):
        self.entries[(service, username)] = password

    def delete_password(self, service, username):
        self.entries.pop((service, username), None)


@pytest.fixture(autouse=True)
def no_real_keyring():
    keyring.set_keyring(keyring.backends.fail.Keyring())
    yield
    keyring.set_keyring(keyring.backends.fail.Keyring())


@pytest.fixture
def memory_keyring():
    kr = MemoryKeyring()
    keyring.set_keyring(kr)
    return kr


def _cli(env=None):
    runner = CliRunner(env={"COLUMNS": "250", **(env or {})})
    return lambda *a: runner.invoke(app, [str(x) for x in a])


def test_keyring_storage_signs_and_verifies(memory_keyring, _home, tmp_path):
    cli = _cli({"GHOSTCART_KEY_STORAGE": "keyring"})
    scenario = tmp_path / "buy.yaml"
    scenario.write_text(BUY)
    r = cli("replay", "--db", _home / "ghostcart.db", scenario)
    assert r.exit_code == 0, r.output
    keys = _home / "keys"
    assert not (keys / "user-user_demo.pem").exists() and (keys / "user-user_demo.keyring").exists()
    assert "PRIVATE KEY" not in (keys / "user-user_demo.keyring").read_text()
    (entry, pem), = memory_keyring.entries.items()
    assert entry[0] == "ghostcart" and "BEGIN PRIVATE KEY" in pem
    tx = json.loads(cli("transactions", "list", "--json").output)[0]
    r = cli("mandates", "verify", tx["transaction_id"])
    assert r.exit_code == 0 and "chain valid" in r.output, r.output
    r = cli("doctor")
    assert r.exit_code == 0 and "in the OS keyring" in r.output, r.output
    data = json.loads(cli("doctor", "--json").output)["keys"]["user_key"]
    assert data["storage"] == "keyring" and data["mismatch"] is False and data["kid"] in data["signed_kids"]


def test_keyring_with_passphrase_is_encrypted_twice(memory_keyring, _home):
    cli = _cli({"GHOSTCART_KEY_STORAGE": "keyring", "GHOSTCART_KEY_PASSPHRASE": "pp"})
    assert cli("db", "init").exit_code == 0
    assert "ENCRYPTED PRIVATE KEY" in next(iter(memory_keyring.entries.values()))
    assert "passphrase-encrypted too" in cli("keys", "show").output


def test_a_failing_keyring_is_a_clear_error(_home):
    cli = _cli({"GHOSTCART_KEY_STORAGE": "keyring"})  # the fail backend is active
    r = cli("db", "init")
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert "OS keyring" in r.output and "GHOSTCART_KEY_STORAGE=file" in r.output
    assert not (_home / "keys" / "user-user_demo.keyring").exists()  # no marker without a key


def test_doctor_warns_about_an_unencrypted_key_file(_home):
    assert _cli()("db", "init").exit_code == 0
    r = _cli()("doctor")
    assert r.exit_code == 0 and "NOT encrypted" in r.output and "GHOSTCART_KEY_PASSPHRASE" in r.output


def test_doctor_with_a_passphrase_does_not_warn(_home):
    cli = _cli({"GHOSTCART_KEY_PASSPHRASE": "pp"})
    assert cli("db", "init").exit_code == 0
    r = cli("doctor")
    assert r.exit_code == 0 and "passphrase-encrypted file" in r.output and "NOT encrypted" not in r.output


def test_a_swapped_key_file_is_noticed(shop_home, tmp_path):
    home = tmp_path / "copy"
    shutil.copytree(shop_home, home)
    user_file = home / "keys" / "user-user_demo.pem"
    user_file.unlink()
    user_file.write_bytes(private_pem(KeyPair.generate("user", "user_demo").private_key, None))
    cli = _cli()
    r = cli("--home", home, "keys", "show")
    assert r.exit_code == 1 and "signed none" in r.output and "replaced" in r.output, r.output
    r = cli("--home", home, "doctor")
    assert r.exit_code == 1 and "signed none" in r.output
    data = json.loads(cli("--home", home, "doctor", "--json").output)["keys"]["user_key"]
    assert data["mismatch"] is True and data["kid"] not in data["signed_kids"]


def test_the_original_key_is_not_flagged(shop_home):
    r = _cli()("--home", shop_home, "keys", "show")
    assert r.exit_code == 0 and "signed none" not in r.output


def test_keyring_is_not_imported_with_file_storage(tmp_path):
    code = ("import sys; from ghostcart_tui.core.settings import Settings; "
            "from ghostcart_tui.services.runtime import open_runtime; "
            f"rt = open_runtime(Settings(data_home={str(tmp_path)!r}), log=False); rt.keys.user_key('u'); "
            "print('keyring' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr


def test_move_a_key_file_into_the_keyring(memory_keyring, shop_home, tmp_path):
    home = tmp_path / "copy"
    shutil.copytree(shop_home, home)
    cli = _cli({"GHOSTCART_KEY_STORAGE": "keyring"})
    kid = json.loads(cli("--home", home, "doctor", "--json").output)["keys"]["user_key"]["kid"]
    r = cli("--home", home, "keys", "move-to-keyring")
    assert r.exit_code == 0 and "now in the OS keyring" in r.output, r.output
    assert not (home / "keys" / "user-user_demo.pem").exists() and memory_keyring.entries
    data = json.loads(cli("--home", home, "doctor", "--json").output)["keys"]["user_key"]
    assert data["storage"] == "keyring" and data["kid"] == kid and data["mismatch"] is False
    tx = json.loads(cli("--home", home, "transactions", "list", "--json").output)[0]
    assert cli("--home", home, "mandates", "verify", tx["transaction_id"]).exit_code == 0
    r = cli("--home", home, "keys", "move-to-keyring")  # again: nothing to do, says where it is
    assert r.exit_code == 0


def test_move_to_a_failing_keyring_keeps_the_file(shop_home, tmp_path):
    home = tmp_path / "copy"
    shutil.copytree(shop_home, home)
    r = _cli()("--home", home, "keys", "move-to-keyring")
    assert r.exit_code == 1 and "OS keyring" in r.output and "Traceback" not in r.output
    assert (home / "keys" / "user-user_demo.pem").exists()
    assert not (home / "keys" / "user-user_demo.keyring").exists()
