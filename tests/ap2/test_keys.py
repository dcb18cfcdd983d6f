from __future__ import annotations

import os
import re
import stat
import threading
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc.jwk import ECKey

from ghostcart_tui.ap2 import keyfiles
from ghostcart_tui.ap2 import keys as keys_module
from ghostcart_tui.ap2.keys import KeyPair, KeyStore, KeyStoreError, safe_user_id


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_kid_is_the_rfc7638_thumbprint_and_jwk_is_public_only() -> None:
    pair = KeyPair.generate("user", "user_demo")
    assert pair.kid == ECKey.import_key(pair.private_key).thumbprint()
    jwk = pair.public_jwk()
    assert set(jwk) == {"kty", "crv", "x", "y", "kid", "alg", "use"}
    assert (jwk["kty"], jwk["crv"], jwk["alg"], jwk["use"], jwk["kid"]) == (
        "EC", "P-256", "ES256", "sig", pair.kid
    )
    assert "d" not in jwk
    assert re.fullmatch(r"[A-Za-z0-9_-]{4}( [A-Za-z0-9_-]{4}){3}", pair.fingerprint)
    assert pair.fingerprint.replace(" ", "") == pair.kid[:16]
    assert pair.kid not in repr(pair.private_key) and "private" not in repr(pair).lower()


def test_keys_persist_and_reload_with_the_same_kid(tmp_path: Path) -> None:
    d = tmp_path / "keys"
    store = KeyStore(d)
    user, agent, merchant = store.user_key("user_demo"), store.agent_key(), store.merchant_key()
    assert store.user_key("user_demo") is user  # cached
    assert {p.name for p in d.iterdir()} == {"user-user_demo.pem", "agent.pem", "merchant.pem"}
    assert (user.role, agent.role, merchant.role) == ("user", "agent", "merchant")
    assert (agent.owner, merchant.owner) == ("ghostcart-shopping-agent", "GhostCart Demo Store")

    again = KeyStore(d)
    assert again.user_key("user_demo").kid == user.kid
    assert again.agent_key().kid == agent.kid
    assert again.merchant_key().kid == merchant.kid
    assert len({user.kid, agent.kid, merchant.kid}) == 3
    assert (d / "agent.pem").read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")


def test_files_are_0600_in_a_0700_directory_and_no_temp_files_remain(tmp_path: Path) -> None:
    d = tmp_path / "deep" / "keys"
    store = KeyStore(d)
    store.user_key("user_demo")
    store.merchant_key()
    assert mode_of(d) == 0o700
    for f in d.iterdir():
        assert mode_of(f) == 0o600, f
    assert not [f for f in d.iterdir() if f.name.startswith(".")]


def test_an_existing_open_directory_is_tightened(tmp_path: Path) -> None:
    d = tmp_path / "keys"
    d.mkdir(mode=0o755)
    os.chmod(d, 0o755)
    KeyStore(d).agent_key()
    assert mode_of(d) == 0o700


def test_passphrase_encrypts_and_reloads(tmp_path: Path) -> None:
    store = KeyStore(tmp_path, passphrase="correct horse")
    kid = store.user_key("user_demo").kid
    pem = (tmp_path / "user-user_demo.pem").read_bytes()
    assert pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert KeyStore(tmp_path, passphrase="correct horse").user_key("user_demo").kid == kid


def test_wrong_passphrase_raises_a_clear_keystore_error(tmp_path: Path) -> None:
    KeyStore(tmp_path, passphrase="correct horse").user_key("user_demo")
    with pytest.raises(KeyStoreError) as err:
        KeyStore(tmp_path, passphrase="battery staple").user_key("user_demo")
    msg = str(err.value)
    assert "user-user_demo.pem" in msg and "passphrase" in msg
    assert err.value.path == tmp_path / "user-user_demo.pem"
    assert err.value.__cause__ is None and err.value.__suppress_context__


def test_missing_or_unexpected_passphrase_is_explained(tmp_path: Path) -> None:
    KeyStore(tmp_path, passphrase="secret").agent_key()
    with pytest.raises(KeyStoreError, match="is encrypted: set GHOSTCART_KEY_PASSPHRASE"):
        KeyStore(tmp_path).agent_key()
    KeyStore(tmp_path).merchant_key()
    with pytest.raises(KeyStoreError, match=r"merchant\.pem is not encrypted"):
        KeyStore(tmp_path, passphrase="secret").merchant_key()


@pytest.mark.parametrize(
    "content",
    [b"", b"garbage", b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"],
)
def test_corrupt_key_file_raises_keystore_error(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "agent.pem").write_bytes(content)
    with pytest.raises(KeyStoreError, match=r"agent\.pem.*damaged") as err:
        KeyStore(tmp_path).agent_key()
    assert err.value.__cause__ is None


def test_a_key_of_another_curve_is_refused(tmp_path: Path) -> None:
    other = ec.generate_private_key(ec.SECP384R1())
    (tmp_path / "merchant.pem").write_bytes(
        other.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.raises(KeyStoreError, match="P-256"):
        KeyStore(tmp_path).merchant_key()


def test_concurrent_first_use_in_threads_yields_one_key(tmp_path: Path) -> None:
    store = KeyStore(tmp_path)
    barrier = threading.Barrier(12)
    kids: list[str] = []

    def worker() -> None:
        barrier.wait()
        kids.append(store.user_key("user_demo").kid)

    threads = [threading.Thread(target=worker) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(kids) == 12 and len(set(kids)) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["user-user_demo.pem"]


def test_two_stores_racing_on_one_directory_end_with_one_key(tmp_path: Path) -> None:
    # Separate stores share no lock or cache, like two processes: only the file decides.
    for round_ in range(5):
        stores = [KeyStore(tmp_path) for _ in range(6)]
        barrier = threading.Barrier(len(stores))
        kids: list[str] = []

        def worker(s: KeyStore, uid: str = f"racer{round_}", barrier: threading.Barrier = barrier,
                   kids: list[str] = kids) -> None:
            barrier.wait()
            kids.append(s.user_key(uid).kid)

        threads = [threading.Thread(target=worker, args=(s,)) for s in stores]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(set(kids)) == 1
    assert not [f for f in tmp_path.iterdir() if f.name.startswith(".")]


def test_if_the_file_appears_while_generating_the_existing_key_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    winner = KeyStore(tmp_path / "other")  # the other process's key, dropped in at the race
    winner_kid = winner.agent_key().kid
    real_publish = keyfiles.publish_exclusive

    def racing_publish(path: Path, data: bytes) -> bool:
        os.link(winner.directory / "agent.pem", path)  # the other process got there first
        return real_publish(path, data)

    monkeypatch.setattr(keys_module, "publish_exclusive", racing_publish)
    loser = KeyStore(tmp_path)
    assert loser.agent_key().kid == winner_kid
    assert KeyStore(tmp_path).agent_key().kid == winner_kid


def test_fallback_without_hard_links_still_creates_0600_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_link(src: object, dst: object) -> None:
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_link)
    store = KeyStore(tmp_path)
    kid = store.agent_key().kid
    assert mode_of(tmp_path / "agent.pem") == 0o600
    assert KeyStore(tmp_path).agent_key().kid == kid


@pytest.mark.parametrize(
    "bad", ["", "../etc/passwd", "a/b", "a\\b", "..", ".", "a b", "x" * 65, "é", "a\x00b", "~root"]
)
def test_untrusted_user_ids_are_rejected(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ValueError):
        safe_user_id(bad)
    with pytest.raises(ValueError):
        KeyStore(tmp_path).user_key(bad)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("good", ["user_demo", "a.b-c_D9", "x" * 64, "..x"])
def test_safe_user_ids_are_kept(good: str) -> None:
    assert safe_user_id(good) == good


def test_resolve_finds_keys_made_by_another_store(tmp_path: Path) -> None:
    maker = KeyStore(tmp_path)
    u, a, m = maker.user_key("alice"), maker.agent_key(), maker.merchant_key()
    reader = KeyStore(tmp_path, merchant_owner="GhostCart Demo Store")
    for pair in (u, a, m):
        pub = reader.resolve(pair.kid)
        assert pub is not None
        assert (pub.role, pub.owner, pub.kid) == (pair.role, pair.owner, pair.kid)
    assert reader.resolve("no-such-kid") is None
    assert reader.resolve(123) is None  # type: ignore[arg-type]
    jwks = reader.public_jwks()
    assert sorted(k["kid"] for k in jwks["keys"]) == sorted([u.kid, a.kid, m.kid])
    assert all("d" not in k for k in jwks["keys"])


def test_resolve_is_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = KeyStore(tmp_path)
    kid = store.user_key("user_demo").kid
    calls = 0
    real = os.listdir

    def counting(path: object) -> list[str]:
        nonlocal calls
        calls += 1
        return real(path)  # type: ignore[arg-type]

    monkeypatch.setattr(keys_module.os, "listdir", counting)
    for _ in range(100):
        assert store.resolve(kid) is not None
    assert calls == 0
    fresh = KeyStore(tmp_path)
    for _ in range(100):
        assert fresh.resolve(kid) is not None
    assert calls == 1


def test_an_unreadable_key_file_does_not_block_other_keys(tmp_path: Path) -> None:
    good = KeyStore(tmp_path).agent_key()
    (tmp_path / "user-broken.pem").write_bytes(b"not a key")
    (tmp_path / "notes.txt").write_text("ignored")
    store = KeyStore(tmp_path)
    assert store.resolve(good.kid) is not None
    assert store.resolve("unknown") is None
    assert store.unreadable_files() == [tmp_path / "user-broken.pem"]
    with pytest.raises(KeyStoreError):
        store.user_key("broken")
