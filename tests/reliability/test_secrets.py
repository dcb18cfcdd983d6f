"""Secrets: key files 0600 in a 0700 directory; after full HP and HNP purchases (through the chat
and through the services, with a declined payment, an export and a card number typed into the
chat), no file under the data home — the SQLite file and its -wal, the log, exports — holds
private key material or a PAN-like number."""

from __future__ import annotations

import asyncio
import logging
import re
import stat
from datetime import timedelta
from pathlib import Path

import pytest

from ghostcart_tui.ap2.canonical import b64url
from ghostcart_tui.core import logs
from ghostcart_tui.core.clock import FakeClock
from ghostcart_tui.core.redact import luhn_ok
from ghostcart_tui.core.settings import Settings
from ghostcart_tui.services import carts, catalog, inspect, monitoring, orders, payments, signatures
from ghostcart_tui.services.runtime import open_runtime

from .helpers import signed_intent

# A card number as it is written: 13-19 digits in a row, or grouped 4-4-4-4(-n) / 4-6-5 by one
# space or dash. (Looser patterns match the raw file's adjacent fields, e.g. "tok_visa_4242" next
# to a "2026-11-26 10:00" timestamp, and a Luhn check passes one of ten of those by chance; nor
# digits inside a word or a fraction: hex ids like "tooluse_c6282428000b…", "0.000123…".)
PAN_RE = re.compile(
    rb"(?<![0-9A-Za-z_.])(?:[0-9]{13,19}"
    rb"|[0-9]{4}(?P<s>[ -])[0-9]{4}(?P=s)[0-9]{4}(?P=s)[0-9]{1,4}(?:(?P=s)[0-9]{1,3})?"
    rb"|[0-9]{4}(?P<t>[ -])[0-9]{6}(?P=t)[0-9]{4,5})(?![0-9A-Za-z_])"
)
TEST_PANS = ["4111 1111 1111 1111", "4242-4242-4242-4242", "5555555555554444", "378282246310005"]
PASSPHRASE = "correct horse battery staple 8d1f"


@pytest.fixture
def logged_runtime(tmp_path, request):
    """A runtime that logs at DEBUG to settings.log_path, as the app does; the process-wide log
    handler is put back afterwards."""
    passphrase = getattr(request, "param", None)
    settings = Settings(data_home=tmp_path / "home", db_file=tmp_path / "home" / "ghostcart.db",
                        model_provider="offline", processor="approve_all", log_level="DEBUG",
                        key_passphrase=passphrase)
    root = logging.getLogger()
    saved = (list(root.handlers), root.level, logs._configured)
    rt = open_runtime(settings, clock=FakeClock("2026-11-26T10:00:00Z"), seed=5, log=True)
    yield rt
    rt.close()
    for h in list(root.handlers):
        if h not in saved[0]:
            root.removeHandler(h)
            h.close()
    for h in saved[0]:
        if h not in root.handlers:
            root.addHandler(h)
    root.setLevel(saved[1])
    logs._configured = saved[2]


def _keys(rt):
    return [rt.keys.user_key(rt.user_id), rt.keys.agent_key(), rt.keys.merchant_key()]


def _secret_patterns(rt) -> dict[str, bytes]:
    """Every spelling of each private key a leak could take."""
    out: dict[str, bytes] = {"PEM marker": b"PRIVATE KEY"}
    for k in _keys(rt):
        d = k.private_key.private_numbers().private_value
        raw = d.to_bytes(32, "big")
        out[f"{k.role} d (JWK base64url)"] = b64url(raw).encode()
        out[f"{k.role} d (hex)"] = raw.hex().encode()
        out[f"{k.role} d (HEX)"] = raw.hex().upper().encode()
        out[f"{k.role} d (decimal)"] = str(d).encode()
        out[f"{k.role} d (raw bytes)"] = raw
        folder = rt.keys.merchant_store.directory if k.role == "merchant" else rt.keys.directory
        pem = (folder / _file_of(k, rt)).read_bytes()
        body = [line for line in pem.splitlines() if line and not line.startswith(b"-----")]
        out[f"{k.role} PEM body"] = body[1][:48] if len(body) > 1 else body[0][:48]
    return out


def _file_of(key, rt) -> str:
    return {"agent": "agent.pem", "merchant": "merchant.pem"}.get(key.role, f"user-{rt.user_id}.pem")


def _files(home: Path) -> list[Path]:
    keys = (home / "keys", home / "merchant" / "keys", home / "processor" / "keys")  # each party its own folder
    return [p for p in home.rglob("*") if p.is_file() and not (p.parent in keys and p.suffix == ".pem")]


def _pans(data: bytes) -> list[str]:
    found = []
    for m in PAN_RE.finditer(data):
        digits = re.sub(rb"[ -]", b"", m.group(0)).decode()
        if 13 <= len(digits) <= 19 and luhn_ok(digits):
            found.append(digits)
    return found


def _scan(rt, extra_secrets=()) -> list[str]:
    patterns = _secret_patterns(rt)
    patterns |= {f"secret {i}": s.encode() for i, s in enumerate(extra_secrets)}
    problems = []
    files = _files(rt.settings.data_home)
    assert any(p.name == "ghostcart.db" for p in files)
    assert any(p.name == "ghostcart.log" and p.stat().st_size > 0 for p in files), "nothing was logged"
    for path in files:
        data = path.read_bytes()
        for label, needle in patterns.items():
            if needle in data:
                problems.append(f"{path.name}: {label}")
        if re.search(rb'"d"\s*:\s*"[A-Za-z0-9_-]{40,}"', data):
            problems.append(f"{path.name}: a private JWK member 'd'")
        for pan in _pans(data):
            problems.append(f"{path.name}: PAN-like number {pan[:4]}…{pan[-4:]}")
    return problems


def _purchases(rt) -> None:
    """Full HP and HNP purchases through the chat, plus the services' own paths."""
    from ghostcart_tui.agents.conversation import Conversation

    async def chat():
        c = Conversation(rt, model="offline")
        for pan in TEST_PANS[:2]:
            await c.send(f"my card number is {pan}, please use it for a lamp")
            if c.pending_signature():
                await c.answer_signature(c.pending_signature().mandate_id, False)
        await c.send("Buy a coffee maker under $90")
        out = await c.answer_signature(c.pending_signature().mandate_id, True)
        assert "84.52" in out.text
        await c.send(f"I will pay with {TEST_PANS[2]}")
        await c.send("Buy AirPods if they drop below $180")
        await c.answer_signature(c.pending_signature().mandate_id, True)

    asyncio.run(chat())
    # HNP purchase by the sweep, after a price drop.
    catalog.set_price(rt, "prod_airpods_001", 17500)
    rt.clock.advance(timedelta(minutes=5))
    monitoring.run_due_checks(rt)
    # Services: a declined HP payment, then paid with another method; an intent with a PAN in it.
    cart = carts.create_hp_cart(rt, "prod_lamp_001")
    signatures.request_signature(rt, cart.mandate_id)
    signatures.approve(rt, cart.mandate_id)
    rt.processor.force_next(decline="insufficient_funds")
    assert payments.pay_hp(rt, cart.mandate_id).status == "declined"
    assert payments.pay_hp(rt, cart.mandate_id, "amex").status == "authorized"
    signed_intent(rt, f"headphones {TEST_PANS[3]}", skus=["prod_headphones_001"])
    # A refused payment and an export land in the log / the data home too.
    txs = orders.list_transactions(rt)
    inspect.export_chain(rt, txs[0].transaction_id, rt.settings.data_home / "exports" / "chain.json")
    assert orders.counts(rt)["authorized_transactions"] == 3, orders.counts(rt)
    logging.getLogger("ghostcart_tui.test").error("payment failed for card %s", TEST_PANS[0])


def test_key_files_are_private(logged_runtime):
    rt = logged_runtime
    _keys(rt)
    rt.keys.user_key("alice")
    keys_dir = rt.keys.directory
    assert stat.S_IMODE(keys_dir.stat().st_mode) == 0o700
    pems = sorted(keys_dir.iterdir())
    # The merchant is an outside party: its key lives in its own folder, not the shopper's.
    assert {p.name for p in pems} == {"agent.pem", "user-user_demo.pem", "user-alice.pem"}
    merchant_dir = rt.keys.merchant_store.directory
    assert merchant_dir != keys_dir and stat.S_IMODE(merchant_dir.stat().st_mode) == 0o700
    assert [p.name for p in merchant_dir.iterdir()] == ["merchant.pem"]
    pems.append(merchant_dir / "merchant.pem")
    for p in pems:
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p
        assert p.stat().st_uid == keys_dir.stat().st_uid


def test_loose_key_directory_is_tightened(tmp_path):
    from ghostcart_tui.ap2.keys import KeyStore

    d = tmp_path / "keys"
    d.mkdir(mode=0o755)
    d.chmod(0o755)
    KeyStore(d).agent_key()
    assert stat.S_IMODE(d.stat().st_mode) == 0o700
    assert stat.S_IMODE((d / "agent.pem").stat().st_mode) == 0o600


def test_no_key_material_or_card_number_anywhere(logged_runtime):
    rt = logged_runtime
    _purchases(rt)
    problems = _scan(rt)  # while the -wal file is live
    rt.close()
    problems += _scan(rt)  # and after the last connection checkpointed it
    assert not problems, "\n".join(sorted(set(problems)))
    # The card numbers were seen and redacted, not silently dropped.
    log = (rt.settings.log_path).read_text(encoding="utf-8")
    assert "[card number removed]" in log


@pytest.mark.parametrize("logged_runtime", [PASSPHRASE], indirect=True)
def test_passphrase_protected_keys_never_leak_the_passphrase(logged_runtime):
    rt = logged_runtime
    _purchases(rt)
    for k in ("agent.pem", f"user-{rt.user_id}.pem"):
        assert b"ENCRYPTED PRIVATE KEY" in (rt.keys.directory / k).read_bytes()
    assert b"ENCRYPTED PRIVATE KEY" in (rt.keys.merchant_store.directory / "merchant.pem").read_bytes()
    problems = _scan(rt, extra_secrets=[PASSPHRASE])
    assert not problems, "\n".join(sorted(set(problems)))
    assert PASSPHRASE not in repr(rt.settings)
