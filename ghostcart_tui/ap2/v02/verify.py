"""Offline verification of an AP2 v0.2 export (the JSON of check_export.py's header), check by
check. Beyond what the official SDK checks, it verifies the merchant's signature on checkout_jwt,
aud and nonce on every delegation hop, receipt signatures and references, the payment amount
against the checkout total, and expiry at the time each hop was signed.

    report = verify_export(doc)             # ap2.report.ChainReport: every verdict, in order
    report = verify_export(doc, receipts=False, now=dt)   # before a charge: no receipts yet

Nothing here trusts a value before the signature over it verified; a check that cannot run
because an earlier one failed is reported as failed with the reason.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from ..errors import CHAIN_INVALID, CONSTRAINTS_VIOLATED, EXPIRED, SIGNATURE_INVALID
from ..report import ChainReport, Checks
from . import constraints as cons
from . import sdjwt as S
from .content import ALLOWED_MERCHANTS, LINE_ITEMS, VCT_CHECKOUT, VCT_CHECKOUT_OPEN, VCT_PAYMENT, VCT_PAYMENT_OPEN

ROLES = ("user", "agent", "merchant", "payment_processor")
MODES = {"human_present": 1, "human_not_present": 2}


def _iso_epoch(text: Any) -> int | None:
    try:
        return int(datetime.fromisoformat(str(text).replace("Z", "+00:00")).timestamp())
    except ValueError:
        return None


class _Ctx:
    def __init__(self, doc: Mapping[str, Any]) -> None:
        self.doc = doc
        self.c = Checks()
        self.keys: dict[str, Any] = {}
        self.jwks: dict[str, dict[str, Any]] = {}
        self.checkout: dict[str, Any] | None = None
        self.checkout_hash: str | None = None


def _keys(x: _Ctx, trusted: Mapping[str, Any] | None) -> bool:
    keys = x.doc.get("keys")
    if not isinstance(keys, dict):
        x.c.fail("keys", SIGNATURE_INVALID, "the export has no keys")
        return False
    for role in ROLES:
        try:
            x.keys[role] = S.key_from_jwk(keys.get(role) or {})
            x.jwks[role] = keys[role]
        except S.SdJwtError as exc:
            x.c.fail(f"keys.{role}", SIGNATURE_INVALID, f"no usable {role} key: {exc}")
    if len(x.keys) != len(ROLES):
        return False
    thumbs = {r: S.thumbprint(j) for r, j in x.jwks.items()}
    x.c.expect(
        "keys.distinct",
        len(set(thumbs.values())) == len(ROLES),
        SIGNATURE_INVALID,
        "four distinct keys: user, agent, merchant, payment processor",
        "one key plays two roles (each party must sign with its own key)",
    )
    for role, want in (trusted or {}).items():
        got = thumbs.get(role)
        x.c.expect(
            f"keys.{role}.trusted",
            got == S.thumbprint(want),
            SIGNATURE_INVALID,
            f"the {role} key is the trusted one",
            f"the {role} key is not the trusted one",
        )
    return True


def _checkout_jwt(x: _Ctx) -> None:
    cj = x.doc.get("checkout_jwt")
    check = "checkout_jwt.merchant_signature"
    if not isinstance(cj, str):
        x.c.fail(check, SIGNATURE_INVALID, "the export has no checkout JWT")
        return
    try:
        if S.unverified_part(cj, 0).get("typ", "JWT") != "JWT":
            raise S.SdJwtError("typ is not JWT")
        body = S.verify_jwt(cj, x.keys["merchant"])
    except S.SdJwtError as exc:
        x.c.fail(check, SIGNATURE_INVALID, f"the checkout JWT does not verify with the merchant key: {exc}")
        return
    x.c.ok(check, "the merchant signed the checkout (UCP Checkout object)")
    x.checkout, x.checkout_hash = body, S.sha256_b64(cj)
    totals = [t for t in body.get("totals") or [] if isinstance(t, dict)]
    kinds = [t.get("type") for t in totals]
    amounts: dict[Any, Any] = {t.get("type"): t.get("amount") for t in totals}
    lines = body.get("line_items") or []
    try:
        line_sum = sum(li["item"]["price"] * li["quantity"] for li in lines)
        ok = (
            kinds.count("subtotal") == 1
            and kinds.count("total") == 1
            and amounts["subtotal"] == line_sum
            and all(type(a) is int for a in amounts.values())
            and amounts["total"]
            == sum(a for k, a in amounts.items() if k not in ("subtotal", "total"))
            + amounts["subtotal"]
            - 2 * sum(a for k, a in amounts.items() if k in ("discount", "items_discount"))
        )
    except (KeyError, TypeError):
        ok = False
    x.c.expect(
        "checkout.totals",
        ok and bool(lines),
        CHAIN_INVALID,
        f"checkout totals add up: total {amounts.get('total')} {body.get('currency')}",
        "the checkout's line items, subtotal and total do not add up",
    )


def _chain(
    x: _Ctx, name: str, open_vct: str, closed_vct: str, mode: str, seen_nonces: Collection[str]
) -> tuple[list[str], dict[str, Any] | None, dict[str, Any] | None, int | None]:
    """Verify one mandate chain: (hops, open content, closed content, closed hop iat)."""
    c, token = x.c, x.doc.get(name)
    if not isinstance(token, str) or "~" not in token:
        c.fail(f"{name}.format", SIGNATURE_INVALID, f"{name} is not an SD-JWT")
        return [], None, None, None
    hops = S.hops(token)
    want = MODES[mode]
    if len(hops) != want:
        c.fail(f"{name}.hops", CHAIN_INVALID, f"{mode.replace('_', ' ')}: {want} hop(s) expected, found {len(hops)}")
        return hops, None, None, None
    try:
        header, _claims, first = S.verify(hops[0], x.keys["user"])
    except S.SdJwtError as exc:
        c.fail(f"{name}.user_signature", SIGNATURE_INVALID, f"the user's signature on {name} hop 1: {exc}")
        return hops, None, None, None
    c.expect(
        f"{name}.user_signature",
        header.get("typ") not in (S.KB_TYP, S.KB_TYP_INTERMEDIATE),
        SIGNATURE_INVALID,
        f"hop 1 signed by the user ({first.get('vct')})",
        "hop 1 is a key-binding hop: the chain must start with the user's mandate",
    )
    if want == 1:
        c.expect(
            f"{name}.vct",
            first.get("vct") == closed_vct,
            CHAIN_INVALID,
            f"vct {closed_vct}",
            f"vct {first.get('vct')!r}, expected {closed_vct}",
        )
        c.expect(
            f"{name}.presentation",
            not x.doc.get(name.replace("_mandate", "_presentation")),
            CHAIN_INVALID,
            "signed by the user directly: no key-binding presentation",
            "a presentation is given but there is no key-binding hop",
        )
        return hops, None, first, first.get("iat") if type(first.get("iat")) is int else None
    c.expect(
        f"{name}.open.vct",
        first.get("vct") == open_vct,
        CHAIN_INVALID,
        f"open mandate vct {open_vct}",
        f"vct {first.get('vct')!r}, expected {open_vct}",
    )
    cnf = (first.get("cnf") or {}).get("jwk") if isinstance(first.get("cnf"), dict) else None
    try:
        agent_key = S.key_from_jwk(cnf or {})
    except S.SdJwtError:
        c.fail(f"{name}.cnf", SIGNATURE_INVALID, "the open mandate binds no usable agent key (cnf.jwk)")
        return hops, first, None, None
    c.expect(
        f"{name}.cnf",
        S.thumbprint(cnf or {}) == S.thumbprint(x.jwks["agent"]),
        SIGNATURE_INVALID,
        "the open mandate binds the exported agent key (cnf)",
        "cnf is not the exported agent key",
    )
    try:
        header2, claims2, closed = S.verify(hops[1], agent_key)
    except S.SdJwtError as exc:
        c.fail(f"{name}.agent_signature", SIGNATURE_INVALID, f"the closed hop is not signed by the cnf key: {exc}")
        return hops, first, None, None
    c.ok(f"{name}.agent_signature", "the closed hop is signed by the key the user bound (cnf)")
    c.expect(
        f"{name}.typ",
        header2.get("typ") == S.KB_TYP,
        SIGNATURE_INVALID,
        f"typ {S.KB_TYP}",
        f"typ {header2.get('typ')!r} is not {S.KB_TYP}",
    )
    c.expect(
        f"{name}.sd_hash",
        claims2.get("sd_hash") == S.sha256_b64(hops[0]) and "issuer_jwt_hash" not in claims2,
        SIGNATURE_INVALID,
        "the closed hop binds the presented open mandate (sd_hash)",
        "sd_hash does not match the open mandate presented with it (swapped or altered hop)",
    )
    pres = x.doc.get(name.replace("_mandate", "_presentation"))
    aud, nonce = (pres.get("aud"), pres.get("nonce")) if isinstance(pres, dict) else (None, None)
    c.expect(
        f"{name}.aud",
        bool(aud) and claims2.get("aud") == aud,
        SIGNATURE_INVALID,
        f"aud {aud!r}: meant for this verifier",
        f"aud {claims2.get('aud')!r} is not the verifier's {aud!r}",
    )
    c.expect(
        f"{name}.nonce",
        bool(nonce) and claims2.get("nonce") == nonce and nonce not in seen_nonces,
        SIGNATURE_INVALID,
        "the verifier's fresh nonce",
        "nonce already used (replayed presentation)"
        if nonce in seen_nonces
        else f"nonce {claims2.get('nonce')!r} is not the verifier's {nonce!r}",
    )
    c.expect(
        f"{name}.closed.vct",
        closed.get("vct") == closed_vct and "cnf" not in closed,
        CHAIN_INVALID,
        f"closed mandate vct {closed_vct}",
        f"the closed hop is not a {closed_vct} without cnf",
    )
    iat = claims2.get("iat")
    if type(iat) is not int:
        c.fail(f"{name}.iat", CHAIN_INVALID, "the closed hop has no integer iat")
        return hops, first, closed, None
    exp, oiat = first.get("exp"), first.get("iat")
    c.expect(
        f"{name}.expiry",
        (type(exp) is int and iat <= exp) and (type(oiat) is not int or oiat <= iat),
        EXPIRED,
        "signed while the open mandate was valid",
        f"the closed hop (iat {iat}) falls outside the open mandate's validity (iat {oiat}, exp {exp})",
    )
    return hops, first, closed, iat


def _report(c: Checks, prefix: str, results: list[tuple[str, list[str]]]) -> None:
    for t, bad in results:
        c.expect(f"{prefix}.{t}", not bad, CONSTRAINTS_VIOLATED, f"{t} holds", "; ".join(bad))


def _privacy(c: Checks, open_content: dict[str, Any], checkout: dict[str, Any]) -> None:
    """Undisclosed array elements are absent from the verified content: what is left of
    acceptable_items and allowed merchants is exactly what the presentation revealed."""
    skus = {(li.get("item") or {}).get("id") for li in checkout.get("line_items") or []}
    by_type = {k.get("type"): k for k in open_content.get("constraints") or [] if isinstance(k, dict)}
    items = [a for r in by_type.get(LINE_ITEMS, {}).get("items") or [] if isinstance(r, dict)
             for a in r.get("acceptable_items") or [] if isinstance(a, dict)]
    sellers = [m for m in by_type.get(ALLOWED_MERCHANTS, {}).get("allowed") or [] if isinstance(m, dict)]
    extra = [a.get("id") for a in items if a.get("id") not in skus]
    extra += [m.get("id") or m.get("name") for m in sellers if not cons.same_merchant(m, checkout.get("merchant"))]
    c.expect(
        "privacy.disclosures",
        not extra,
        CHAIN_INVALID,
        "only the disclosures this checkout needs are presented",
        f"presents disclosures this checkout does not need: {', '.join(map(str, extra))}",
    )


def _receipt(x: _Ctx, name: str, role: str, token: Any, closed_iat: int | None) -> None:
    c, r = x.c, x.doc.get(name)
    if not isinstance(r, str):
        c.fail(name, SIGNATURE_INVALID, f"no {name}")
        return
    try:
        body = S.verify_jwt(r, x.keys[role])
    except S.SdJwtError as exc:
        c.fail(f"{name}.signature", SIGNATURE_INVALID, f"{name} does not verify with the {role} key: {exc}")
        return
    c.ok(f"{name}.signature", f"signed by the {role.replace('_', ' ')}")
    ref = S.sha256_b64(S.closed_leaf_jwt(token)) if isinstance(token, str) else None
    c.expect(
        f"{name}.reference",
        body.get("reference") == ref,
        CHAIN_INVALID,
        "references the closed mandate it answers",
        "reference is not sha256 of the closed mandate JWT",
    )
    status = body.get("status")
    # The schema's required fields (payment_id on every payment receipt; order_id on a checkout
    # success; error and error_description on an error).
    need: tuple[str, ...] = ("payment_id",) if name == "payment_receipt" else ()
    need += ("error", "error_description") if status == "Error" else () if name == "payment_receipt" else ("order_id",)
    ok = (
        status in ("Success", "Error")
        and all(body.get(k) for k in need)
        and bool(body.get("iss"))
        and type(body.get("iat")) is int
    )
    c.expect(
        f"{name}.fields",
        ok,
        CHAIN_INVALID,
        f"status {status}",
        f"{name} lacks fields its schema requires for status {status!r}",
    )


def verify_export(
    doc: Any,
    *,
    receipts: bool = True,
    now: datetime | None = None,
    seen_nonces: Collection[str] = (),
    trusted: Mapping[str, Any] | None = None,
    budget_spent: int | None = None,
) -> ChainReport:
    """Every check of an AP2 v0.2 export. `now` adds live expiry checks; `seen_nonces` are nonces
    the verifier already accepted (a presentation carrying one is a replay); `trusted` pins keys."""
    if not isinstance(doc, Mapping):
        c = Checks()
        c.fail("format", CHAIN_INVALID, "the export is not a JSON object")
        return c.report()
    x = _Ctx(doc)
    c = x.c
    raw_mode = doc.get("mode")
    mode: str = raw_mode if isinstance(raw_mode, str) else repr(raw_mode)
    if not c.expect(
        "format",
        doc.get("ap2_version") == "0.2" and mode in MODES,
        CHAIN_INVALID,
        f"AP2 v0.2 {str(mode).replace('_', ' ')} export",
        f"not an AP2 v0.2 export (ap2_version {doc.get('ap2_version')!r}, mode {mode!r})",
    ):
        return c.report()
    if not _keys(x, trusted):
        return c.report()
    _checkout_jwt(x)
    c_hops, c_open, c_closed, c_iat = _chain(x, "checkout_mandate", VCT_CHECKOUT_OPEN, VCT_CHECKOUT, mode, seen_nonces)
    _p_hops, p_open, p_closed, p_iat = _chain(x, "payment_mandate", VCT_PAYMENT_OPEN, VCT_PAYMENT, mode, seen_nonces)
    ch = x.checkout_hash
    if mode == "human_not_present":
        cp, pp = doc.get("checkout_presentation") or {}, doc.get("payment_presentation") or {}
        c.expect(
            "presentations.distinct",
            not (cp.get("nonce") and cp.get("nonce") == pp.get("nonce")),
            SIGNATURE_INVALID,
            "each verifier got its own nonce",
            "the checkout and payment hops share a nonce (one presentation replayed to the other verifier)",
        )
    checkout = x.checkout
    if c_closed is not None and checkout is not None:
        c.expect(
            "checkout_mandate.checkout_jwt",
            c_closed.get("checkout_jwt") == doc.get("checkout_jwt"),
            CHAIN_INVALID,
            "the mandate carries the exported checkout JWT",
            "the checkout JWT in the mandate is not the exported one",
        )
        c.expect(
            "checkout_mandate.checkout_hash",
            c_closed.get("checkout_hash") == ch,
            CHAIN_INVALID,
            "checkout_hash = sha256(checkout_jwt)",
            "checkout_hash is not sha256 of the checkout JWT",
        )
        exp_at = _iso_epoch(checkout.get("expires_at")) if checkout.get("expires_at") else None
        if c_iat is not None and exp_at is not None:
            c.expect(
                "checkout.expiry",
                c_iat <= exp_at,
                EXPIRED,
                "signed before the checkout expired",
                "the checkout had expired when the mandate was signed",
            )
    if c_open is not None and checkout is not None and c_closed is not None:
        _report(c, "checkout_constraint", cons.checkout_constraints(c_open, checkout))
        _privacy(c, c_open, checkout)
    if p_closed is not None and checkout is not None:
        amt = p_closed.get("payment_amount") or {}
        total = next((t.get("amount") for t in checkout.get("totals") or [] if t.get("type") == "total"), None)
        c.expect(
            "payment_mandate.transaction_id",
            p_closed.get("transaction_id") == ch,
            CHAIN_INVALID,
            "transaction_id = sha256(checkout_jwt): pays this checkout",
            "transaction_id is not the hash of this checkout (the payment is for another checkout)",
        )
        c.expect(
            "payment_mandate.amount",
            amt.get("amount") == total and amt.get("currency") == checkout.get("currency"),
            CHAIN_INVALID,
            f"amount {total} {checkout.get('currency')} = the checkout total",
            f"payment amount {amt.get('amount')} {amt.get('currency')} ≠ checkout total {total} "
            f"{checkout.get('currency')}",
        )
        c.expect(
            "payment_mandate.payee",
            cons.same_merchant(p_closed.get("payee"), checkout.get("merchant")),
            CHAIN_INVALID,
            "the payee is the checkout's merchant",
            "the payee is not the checkout's merchant",
        )
        inst = p_closed.get("payment_instrument") or {}
        c.expect(
            "payment_mandate.instrument",
            bool(inst.get("id"))
            and bool(inst.get("type"))
            and not any(cons.looks_like_card_number(v) for v in inst.values()),
            CHAIN_INVALID,
            f"instrument {inst.get('description') or inst.get('id')} (a token, no card number)",
            "the payment instrument is missing or carries a card number",
        )
    if p_open is not None and p_closed is not None:
        ctx = {"open_checkout_hash": S.sha256_b64(c_hops[0]) if c_hops else None, "budget_spent": budget_spent}
        _report(c, "payment_constraint", cons.payment_constraints(p_open, p_closed, ctx))
    if now is not None:
        t = int(now.timestamp())
        for name, opened, iat in (("checkout_mandate", c_open, c_iat), ("payment_mandate", p_open, p_iat)):
            if opened is not None:
                c.expect(
                    f"{name}.live",
                    type(opened.get("exp")) is int and t < opened["exp"],
                    EXPIRED,
                    "the open mandate is still valid",
                    "the open mandate has expired",
                )
            if iat is not None:
                c.expect(f"{name}.iat_now", iat <= t + 300, CHAIN_INVALID, "signed in the past", "signed in the future")
    if receipts:
        _receipt(x, "checkout_receipt", "merchant", doc.get("checkout_mandate"), c_iat)
        _receipt(x, "payment_receipt", "payment_processor", doc.get("payment_mandate"), p_iat)
    return c.report()
