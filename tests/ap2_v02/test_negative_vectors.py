"""Negative vectors for the v0.2 verifier: tampered (every disclosed field of every hop, every
signed segment), forged, replayed, swapped hops, expired, over-disclosed, mis-priced. Each is
refused with its reason; the untouched exports verify."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta

import pytest

from ghostcart_tui.ap2.keys import KeyPair
from ghostcart_tui.ap2.v02 import content as C
from ghostcart_tui.ap2.v02 import sdjwt as S
from ghostcart_tui.ap2.v02.verify import verify_export
from ghostcart_tui.services import ap2_v02, orders

from .conftest import load
from .helpers import hnp_purchase, hp_purchase, make_runtime, price_drop_and_sweep, watch


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    rt = make_runtime(tmp_path_factory.mktemp("neg"))
    try:
        hp = hp_purchase(rt)
        _, hnp = hnp_purchase(rt)
        watch(rt, skus=("prod_headphones_001", "prod_watch_001"), max_price=20000, query="Fitbit")
        price_drop_and_sweep(rt, "prod_watch_001", 15000)
        other = next(t for t in orders.list_transactions(rt)
                     if t.mode == "hnp" and t.transaction_id != hnp.transaction_id)
        return {
            "hp": ap2_v02.export_document(rt, hp.transaction_id),
            "hnp": ap2_v02.export_document(rt, hnp.transaction_id),
            "hnp2": ap2_v02.export_document(rt, other.transaction_id),
        }
    finally:
        rt.close()


def refused(doc, **kw) -> list[str]:
    report = verify_export(doc, **kw)
    assert not report.ok, "accepted a bad export"
    first = report.first_failure
    assert first.reason
    return [v.check for v in report.failures]


def test_untouched_exports_verify(docs):
    for name, doc in docs.items():
        r = verify_export(doc)
        assert r.ok, (name, [(v.check, v.reason) for v in r.failures])


# -- tampered ---------------------------------------------------------------------------------


def _leaves(value, path=()):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _leaves(v, (*path, i))
    else:
        yield path


def _mutate(value, path):
    value = copy.deepcopy(value)
    target = value
    for p in path[:-1]:
        target = target[p]
    old = target[path[-1]]
    target[path[-1]] = (not old) if isinstance(old, bool) else old + 1 if isinstance(old, int) else f"{old}x"
    return value


def _variants(doc):
    """(label, tampered doc) for every disclosed leaf value of every hop of both mandates."""
    for name in ("checkout_mandate", "payment_mandate"):
        hops = doc[name].split("~~")
        for h, hop in enumerate(hops):
            parts = hop.split("~")
            for d in range(1, len(parts)):
                if not parts[d]:
                    continue
                decoded = json.loads(S.b64url_decode(parts[d]))
                for path in _leaves(decoded):
                    if path == (0,):
                        continue  # the salt: a different salt is a different disclosure, see below
                    new = list(parts)
                    new[d] = S.b64url(json.dumps(_mutate(decoded, path)).encode())
                    t = dict(doc)
                    t[name] = "~~".join([*hops[:h], "~".join(new), *hops[h + 1 :]])
                    yield f"{name}[{h}] disclosure {d} {path}", t
            jws = parts[0].split(".")
            for seg in range(3):
                raw = jws[seg]
                flipped = raw[:5] + ("A" if raw[5] != "A" else "B") + raw[6:]
                t = dict(doc)
                t[name] = "~~".join(
                    [
                        *hops[:h],
                        "~".join([".".join(jws[:seg] + [flipped] + jws[seg + 1 :]), *parts[1:]]),
                        *hops[h + 1 :],
                    ]
                )
                yield f"{name}[{h}] jws segment {seg}", t


@pytest.mark.parametrize("mode", ["hp", "hnp"])
def test_every_field_of_every_hop_tampered_is_refused(docs, mode):
    n = 0
    for label, tampered in _variants(docs[mode]):
        report = verify_export(tampered)
        assert not report.ok, label
        n += 1
    assert n > (40 if mode == "hnp" else 20)


@pytest.mark.parametrize("field", ["checkout_jwt", "checkout_receipt", "payment_receipt"])
def test_tampered_jwts_are_refused(docs, field):
    for mode in ("hp", "hnp"):
        doc = dict(docs[mode])
        h, p, s = doc[field].split(".")
        claims = json.loads(S.b64url_decode(p))
        key = "totals" if field == "checkout_jwt" else "reference"
        claims[key] = claims[key][:-1] if isinstance(claims[key], list) else claims[key][::-1]
        doc[field] = ".".join([h, S.b64url(json.dumps(claims).encode()), s])
        checks = refused(doc)
        assert any(c.startswith(field.split("_")[0]) for c in checks), checks


# -- forged -----------------------------------------------------------------------------------


def _resign_closed_hop(doc, name, key: KeyPair, **changes):
    hops = doc[name].split("~~")
    open_hop = hops[0] + "~"
    _, claims, content = S.verify(hops[1], S.key_from_jwk(doc["keys"]["agent"]))
    content = {(S.SD(k) if k == "checkout_jwt" else k): v for k, v in {**content, **changes}.items()}
    pres = doc[name.replace("_mandate", "_presentation")]
    return S.delegate(
        open_hop,
        content,
        S.signing_jwk(key.private_key, key.kid),
        aud=pres["aud"],
        nonce=pres["nonce"],
        iat=claims["iat"],
    )


def test_closed_hop_forged_by_another_agent_key(docs):
    mallory = KeyPair.generate("agent", "mallory")
    for name in ("checkout_mandate", "payment_mandate"):
        doc = dict(docs["hnp"])
        doc[name] = _resign_closed_hop(doc, name, mallory)
        assert f"{name}.agent_signature" in refused(doc)


def test_forged_merchant_and_processor_signatures(docs):
    assert "checkout_jwt.merchant_signature" in refused(load("sdk_forged.json"))
    doc = dict(docs["hnp"])
    doc["payment_receipt"], doc["checkout_receipt"] = doc["checkout_receipt"], doc["payment_receipt"]
    checks = refused(doc)
    assert "payment_receipt.signature" in checks and "checkout_receipt.signature" in checks


def test_keys_swapped_in_the_file_are_caught_by_trusted_keys(docs):
    doc = copy.deepcopy(docs["hnp"])
    trusted = {"user": doc["keys"]["user"]}
    doc["keys"]["user"] = S.public_jwk(KeyPair.generate("user", "mallory").public.key)
    checks = refused(doc, trusted=trusted)
    assert "keys.user.trusted" in checks


# -- replayed ---------------------------------------------------------------------------------


def test_replayed_nonce_is_refused(docs):
    doc = docs["hnp"]
    checks = refused(doc, seen_nonces={doc["payment_presentation"]["nonce"]})
    assert checks == ["payment_mandate.nonce"]


def test_presentation_for_another_verifier_is_refused(docs):
    doc = dict(docs["hnp"])
    doc["checkout_presentation"] = docs["hnp2"]["checkout_presentation"]
    checks = refused(doc)
    assert "checkout_mandate.nonce" in checks
    doc = dict(docs["hnp"])
    doc["payment_presentation"] = dict(doc["payment_presentation"], aud="someone-else")
    assert "payment_mandate.aud" in refused(doc)


def test_payment_of_one_purchase_replayed_with_another_checkout(docs):
    doc = dict(docs["hnp"])
    for k in ("payment_mandate", "payment_presentation", "payment_receipt"):
        doc[k] = docs["hnp2"][k]
    checks = refused(doc)
    assert "payment_mandate.transaction_id" in checks
    assert "payment_constraint.payment.reference" in checks


# -- swapped hops -----------------------------------------------------------------------------


def test_swapped_hops_are_refused(docs):
    a, b = docs["hnp"], docs["hnp2"]
    for name in ("checkout_mandate", "payment_mandate"):
        doc = dict(a)
        doc[name] = a[name].split("~~")[0] + "~~" + b[name].split("~~")[1]  # b's closed hop on a's open one
        assert f"{name}.sd_hash" in refused(doc) or f"{name}.agent_signature" in refused(doc)
        doc = dict(a)
        doc[name] = "~~".join(reversed(a[name].split("~~")))  # closed hop first
        refused(doc)
    doc = dict(a)
    doc["checkout_mandate"], doc["payment_mandate"] = a["payment_mandate"], a["checkout_mandate"]
    checks = refused(doc)
    assert "checkout_mandate.open.vct" in checks and "payment_mandate.open.vct" in checks


def test_hp_mandate_presented_as_hnp_and_back(docs):
    doc = dict(docs["hp"], mode="human_not_present")
    assert "checkout_mandate.hops" in refused(doc)
    doc = dict(docs["hnp"], mode="human_present")
    assert "checkout_mandate.hops" in refused(doc)


# -- chains built by hand: expiry, privacy, price -----------------------------------------------


class _Signers:
    def __init__(self):
        self.user, self.agent = KeyPair.generate("user", "u"), KeyPair.generate("agent", "a")
        self.merchant, self.proc = KeyPair.generate("merchant", "m"), KeyPair.generate("merchant", "p")

    def jwk(self, kp):
        return S.signing_jwk(kp.private_key, kp.kid)

    def pub(self, kp):
        return S.public_jwk(kp.public.key, kp.kid)


def _hnp(*, exp_delta=86400, reveal=(1,), amount=None, max_amount=30000, payee_id="shop"):
    k = _Signers()
    now = int(datetime.now(UTC).timestamp()) - 60
    m = C.merchant("shop", "Shop")
    ck = C.checkout(
        "c1",
        m,
        [C.Line("sku_b", "B", 17500, 1)],
        tax=1400,
        shipping=1000,
        currency="USD",
        expires_at="2099-01-01T00:00:00Z",
        iat=now,
    )
    cj = S.sign_jwt(ck, k.jwk(k.merchant))
    ch = S.sha256_b64(cj)
    oc = C.open_checkout([("sku_a", "A"), ("sku_b", "B")], 1, [m], k.pub(k.agent), now - 10, now - 10 + exp_delta)
    oci = S.issue(oc, k.jwk(k.user))
    ocp = S.present(oci, C.open_checkout_disclosure(2, list(reveal), 1, 0))
    inst = C.instrument("tok_1", "card", "Visa ending 4242")
    op = C.open_payment(
        max_amount,
        "USD",
        [m],
        [inst],
        "2000-01-01T00:00:00Z",
        "2099-01-01T00:00:00Z",
        S.sha256_b64(ocp),
        k.pub(k.agent),
        now - 10,
        now - 10 + exp_delta,
    )
    opp = S.present(S.issue(op, k.jwk(k.user)), S.disclose_all(op))
    cpres, ppres = {"aud": "shop", "nonce": "n1"}, {"aud": "cp", "nonce": "n2"}
    cm = S.delegate(ocp, C.closed_checkout(cj, ch, now), k.jwk(k.agent), iat=now, **cpres)
    cp = C.closed_payment(ch, C.merchant(payee_id, "Shop"), amount or 19900, "USD", inst, "2050-01-01T00:00:00Z", now)
    pm = S.delegate(opp, cp, k.jwk(k.agent), iat=now, **ppres)
    rc = S.sign_jwt(
        {
            "status": "Success",
            "iss": "shop",
            "iat": now,
            "order_id": "o",
            "reference": S.sha256_b64(S.closed_leaf_jwt(cm)),
        },
        k.jwk(k.merchant),
    )
    rp = S.sign_jwt(
        {
            "status": "Success",
            "iss": "p",
            "iat": now,
            "payment_id": "p",
            "psp_confirmation_id": "x",
            "network_confirmation_id": "y",
            "reference": S.sha256_b64(S.closed_leaf_jwt(pm)),
        },
        k.jwk(k.proc),
    )
    return {
        "ap2_version": "0.2",
        "mode": "human_not_present",
        "keys": {
            "user": k.pub(k.user),
            "agent": k.pub(k.agent),
            "merchant": k.pub(k.merchant),
            "payment_processor": k.pub(k.proc),
        },
        "checkout_jwt": cj,
        "checkout_mandate": cm,
        "checkout_presentation": cpres,
        "payment_mandate": pm,
        "payment_presentation": ppres,
        "checkout_receipt": rc,
        "payment_receipt": rp,
    }


def test_hand_built_chain_verifies():
    r = verify_export(_hnp())
    assert r.ok, [(v.check, v.reason) for v in r.failures]


def test_closed_hop_signed_after_the_open_mandate_expired():
    checks = refused(_hnp(exp_delta=5))
    assert "checkout_mandate.expiry" in checks and "payment_mandate.expiry" in checks


def test_live_expiry_with_now():
    doc = _hnp(exp_delta=3600)
    assert verify_export(doc, now=datetime.now(UTC)).ok
    checks = refused(doc, now=datetime.now(UTC) + timedelta(hours=2))
    assert "checkout_mandate.live" in checks


def test_more_disclosures_than_the_checkout_needs():
    assert refused(_hnp(reveal=(0, 1))) == ["privacy.disclosures"]


def test_product_not_among_the_disclosed_acceptable_items():
    assert "checkout_constraint.checkout.line_items" in refused(_hnp(reveal=(0,)))


def test_amount_outside_the_range_and_not_the_total():
    checks = refused(_hnp(max_amount=19000))
    assert checks == ["payment_constraint.payment.amount_range"]
    checks = refused(_hnp(amount=19800))
    assert "payment_mandate.amount" in checks


def test_payee_other_than_the_merchant():
    checks = refused(_hnp(payee_id="elsewhere"))
    assert "payment_mandate.payee" in checks and "payment_constraint.payment.allowed_payees" in checks


def test_not_a_json_object_or_wrong_version():
    assert not verify_export([]).ok
    assert not verify_export({"ap2_version": "0.1"}).ok
    assert not verify_export({"ap2_version": "0.2", "mode": "human_present", "keys": {}}).ok
