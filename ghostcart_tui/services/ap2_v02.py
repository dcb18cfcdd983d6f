"""AP2 v0.2 records, made by the same signing events as the v0.1 ones, and their export.

- The shopper's key press on a human-present cart (signatures.approve) signs, with the user's
  key, a closed Checkout Mandate over the merchant's checkout_jwt and closed Payment Mandates for
  it (one per usable instrument in the wallet: the card is chosen after the key press, "try
  another card" pays with another one; each attempt gets its own receipt).
- Signing a watch signs the open Checkout Mandate (acceptable product ids, the merchant) and open
  Payment Mandates (amount range up to the most that can be charged, payee, instruments, the
  execution window ending at the watch's expiry, a reference to the open checkout as it will be
  presented), all with cnf = the agent's key. One open payment mandate per acceptable product:
  the reference is the hash of the open checkout presented with only that product's disclosure.
- The autonomous purchase signs the closed hops with the agent's key, answering the merchant's
  and the processor's challenges (aud, fresh nonce), presenting only the disclosures needed.
- Before any charge the v0.2 chain is verified (ap2.v02.verify) with the v0.1 one; the charge's
  outcome becomes the merchant's Checkout Receipt and the processor's Payment Receipt. An open
  mandate is presented again only after a rejection receipt (exactly-once stays).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from sqlmodel import Session

from ..ap2.errors import CHAIN_INVALID, CONSTRAINTS_VIOLATED, AP2Error
from ..ap2.keys import KeyPair
from ..ap2.records import CartRecord, IntentRecord, PaymentRecord
from ..ap2.report import ChainReport
from ..ap2.v02 import content as C
from ..ap2.v02 import sdjwt as S
from ..ap2.v02.verify import verify_export
from ..commerce import checkout_v02 as merchant
from ..commerce import receipts as processor
from ..commerce.pricing import CartLine, quote
from ..commerce.search import search
from ..core.clock import parse_iso, to_iso
from ..core.errors import NotFound, shown
from ..core.money import format_cents, from_major
from ..core.statuses import MandateStatus, TransactionStatus
from ..store import v02 as store
from ..store.tables import MandateRow, TransactionRow
from .runtime import Runtime

CURRENCY = "USD"


# -- keys --------------------------------------------------------------------------------------


def processor_key(rt: Runtime) -> processor.ProcessorKey:
    """The processor's own key, in its own folder under GHOSTCART_HOME (processor/keys/, beside
    its ledger), apart from the shopper's keys."""
    return processor.processor_key(
        processor.keys_dir(rt.settings.data_home, rt.settings.keys_dir), rt.settings.key_passphrase
    )


def _jwk(kp: KeyPair):
    return S.signing_jwk(kp.private_key, kp.kid)


def _pub(kp: KeyPair) -> dict[str, str]:
    return S.public_jwk(kp.public.key, kp.kid)


def public_keys(rt: Runtime, user_id: str) -> dict[str, dict[str, str]]:
    return {
        "user": _pub(rt.keys.user_key(user_id)),
        "agent": _pub(rt.keys.agent_key()),
        "merchant": _pub(rt.keys.merchant_key()),
        "payment_processor": processor_key(rt).public_jwk(),
    }


def _epoch(dt: datetime) -> int:
    return int(dt.timestamp())


# -- what the shopper signs --------------------------------------------------------------------


def most_chargeable_cents(max_price_cents: int, quantity: int = 1, max_total_cents: int | None = None) -> int:
    """The most an autonomous purchase can charge: the item cap with tax and shipping, or the
    shopper's total cap when that is lower."""
    q = quote([CartLine("cap", "cap", max_price_cents, quantity, 0)])
    return min(q.total_cents, max_total_cents) if max_total_cents else q.total_cents


def charge_note(constraints: Any) -> str:
    """'At most $204.40 can be charged, including tax and shipping.' (for the intent dialog)"""
    most = most_chargeable_cents(constraints.max_price_cents, constraints.quantity, constraints.max_total_cents)
    return f"At most {format_cents(most)} can be charged, including tax and shipping."


def budget_note(rt: Runtime, constraints: Any) -> str:
    """What the intent's signed description adds when the shopper has a monthly budget: the most
    the watch can charge and what is left of the budget (empty without a budget)."""
    from . import budget

    b = budget.get(rt)
    if b.limit_cents is None:
        return ""
    return (
        f" {charge_note(constraints)} {format_cents(b.remaining_cents or 0)} of your "
        f"{format_cents(b.limit_cents)} monthly budget for autonomous purchases is left."
    )


def _instruments(rt: Runtime, user_id: str, record: IntentRecord | CartRecord | None = None) -> list[dict[str, str]]:
    """The instruments a mandate allows, as token descriptions (never card numbers): exactly the
    payment methods the shopper's signed record allows (`allowed_tokens()`, rel stream), else
    every usable method in the wallet (records signed before the methods were signed)."""
    methods = [m for m in rt.credentials.list_methods(user_id) if not m.expired]
    allowed = getattr(record, "allowed_tokens", None)
    signed = allowed() if callable(allowed) else None
    if signed is None and isinstance(record, IntentRecord) and (t := _intent_token(record)):
        signed = [t]
    if signed is not None:
        by_token = {m.token: m for m in methods}
        methods = [by_token[t] for t in signed if t in by_token]
    return [C.instrument(m.token, "card", m.label) for m in methods]


def _intent_token(intent: IntentRecord) -> str | None:
    for name in ("payment_token", "payment_method", "instrument", "payment_instrument"):
        v = getattr(intent, name, None) or getattr(intent.constraints, name, None)
        if isinstance(v, str) and v:
            return v
        token = getattr(v, "token", None) or getattr(v, "id", None)
        if isinstance(token, str) and token:
            return token
    return None


def _acceptable(rt: Runtime, intent: IntentRecord) -> list[tuple[str, str]]:
    skus = list(intent.intent.skus or [])
    if not skus:  # intents from before product ids were signed: what the sweep would match
        skus = [p.product_id for p in search(rt.inventory.products(), intent.product_query, match_all=True)]
    out = []
    for sku in dict.fromkeys(skus):
        p = rt.inventory.get(sku)
        out.append((sku, p.name if p is not None else sku))
    return out


def _payment_key(sku: str, merchant_id: str) -> str:
    return f"{sku}|{merchant_id}"


def on_user_signed(rt: Runtime, s: Session, record: IntentRecord | CartRecord) -> None:
    """The shopper's key press, inside its transaction: the v0.2 mandates of what was signed."""
    if isinstance(record, IntentRecord):
        _sign_open(rt, s, record)
    elif isinstance(record, CartRecord) and record.mode == "hp":
        _sign_hp(rt, s, record)


def _sign_open(rt: Runtime, s: Session, intent: IntentRecord) -> None:
    now = rt.clock.now()
    iat, exp = _epoch(now), _epoch(parse_iso(intent.intent.intent_expiry))
    user, agent = _jwk(rt.keys.user_key(intent.user_id)), _pub(rt.keys.agent_key())
    acceptable = _acceptable(rt, intent)
    if not acceptable:
        return  # nothing the watch could ever buy: no open mandates to sign
    sellers = [merchant.merchant_object(name) for name in (intent.intent.merchants or [rt.merchant_name])]
    instruments = _instruments(rt, intent.user_id, intent)
    c = intent.constraints
    most = most_chargeable_cents(c.max_price_cents, c.quantity, c.max_total_cents)
    oc = C.open_checkout(acceptable, c.quantity, sellers, agent, iat, exp)
    open_checkout = S.issue(oc, user)
    open_payments = {}
    for i, (sku, _title) in enumerate(acceptable):
        for j, seller in enumerate(sellers):
            presented = S.present(open_checkout, C.open_checkout_disclosure(len(acceptable), [i], len(sellers), j))
            op = C.open_payment(
                most,
                CURRENCY,
                [seller],
                instruments,
                to_iso(now),
                intent.intent.intent_expiry,
                S.sha256_b64(presented),
                agent,
                iat,
                exp,
            )
            open_payments[_payment_key(sku, seller["id"])] = S.issue(op, user)
    store.put(
        s,
        ref_id=intent.mandate_id,
        kind="open",
        user_id=intent.user_id,
        mode="hnp",
        now=now,
        intent_id=intent.mandate_id,
        amount_cents=most,
        data={
            "open_checkout": open_checkout,
            "open_payments": open_payments,
            "acceptable": acceptable,
            "merchants": sellers,
            "instruments": instruments,
            "max_amount": most,
        },
    )


def _sign_hp(rt: Runtime, s: Session, cart: CartRecord) -> None:
    now = rt.clock.now()
    iat = _epoch(now)
    user = _jwk(rt.keys.user_key(cart.user_id))
    cj = merchant.sign_checkout(cart, rt.keys.merchant_key(), now)
    ch = S.sha256_b64(cj)
    cc = C.closed_checkout(cj, ch, iat)
    checkout_mandate = S.present(S.issue(cc, user), S.disclose_all(cc))
    total = from_major(cart.cart.contents.payment_request.details.total.amount.value)
    payee = merchant.merchant_object(cart.cart.contents.merchant_name)
    payments = {}
    for inst in _instruments(rt, cart.user_id, cart):
        cp = C.closed_payment(ch, payee, total, CURRENCY, inst, to_iso(now), iat)
        payments[inst["id"]] = S.present(S.issue(cp, user), S.disclose_all(cp))
    store.put(
        s,
        ref_id=cart.mandate_id,
        kind="checkout",
        user_id=cart.user_id,
        mode="hp",
        now=now,
        amount_cents=total,
        data={
            "checkout_jwt": cj,
            "checkout_mandate": checkout_mandate,
            "checkout_presentation": None,
            "hp_payments": payments,
            "keys": public_keys(rt, cart.user_id),
        },
    )


# -- the autonomous purchase -------------------------------------------------------------------


def _attempt_state(s: Session, row: store.V02RecordRow) -> str:
    """presented | accepted | rejected | void (built, never sent: a crash before the charge)."""
    if row.status == "presented":
        m = s.get(MandateRow, row.ref_id)
        if m is not None and m.status == MandateStatus.ABANDONED:
            return "void"
    return row.status


def on_autonomous_purchase(
    rt: Runtime, s: Session, intent: IntentRecord, cart: CartRecord, payment: PaymentRecord, token: str
) -> None:
    """Inside the purchase's transaction: the agent presents the open mandates with closed hops.
    Refuses (AP2Error) a second presentation without a rejection receipt, a product or card the
    watch does not allow, and a purchase above what is left of the monthly budget."""
    from . import budget

    total = from_major(cart.cart.contents.payment_request.details.total.amount.value)
    budget.ensure_within(rt, s, intent.user_id, total)
    opened = store.get(s, intent.mandate_id, "open")
    if opened is None:
        return  # a watch signed before v0.2 records existed: v0.1 alone governs it
    for prior in store.payments_of_intent(s, intent.mandate_id):
        state = _attempt_state(s, prior)
        if state in ("presented", "accepted"):
            raise AP2Error(
                CHAIN_INVALID,
                f"the watch's open mandates were already presented for {prior.ref_id} "
                f"({'bought' if state == 'accepted' else 'no rejection receipt yet'}); "
                "they are not presented again",
                {"intent_mandate_id": intent.mandate_id},
            )
    d = opened.data
    now = rt.clock.now()
    iat = _epoch(now)
    sku = cart.line_items[0].product_id
    seller = merchant.merchant_object(cart.cart.contents.merchant_name)
    acceptable = [a[0] for a in d["acceptable"]]
    merchants = [m["id"] for m in d["merchants"]]
    insts = [i["id"] for i in d["instruments"]]
    key = _payment_key(sku, seller["id"])
    if len(cart.line_items) != 1 or key not in d["open_payments"]:
        raise AP2Error(CONSTRAINTS_VIOLATED, f"{sku} from {seller['name']} is not a product the watch allows")
    if token not in insts:
        raise AP2Error(CONSTRAINTS_VIOLATED, "the payment method is not one the watch allows")
    agent = _jwk(rt.keys.agent_key())
    cj = merchant.sign_checkout(cart, rt.keys.merchant_key(), now)
    ch = S.sha256_b64(cj)
    open_c = S.present(
        d["open_checkout"],
        C.open_checkout_disclosure(
            len(acceptable), [acceptable.index(sku)], len(merchants), merchants.index(seller["id"])
        ),
    )
    c_pres = merchant.challenge()
    checkout_mandate = S.delegate(open_c, C.closed_checkout(cj, ch, iat), agent, iat=iat, **c_pres)
    inst = d["instruments"][insts.index(token)]
    open_p = S.present(
        d["open_payments"][key],
        {"constraints": [{}, {"allowed": [True]}, {"allowed": [i == token for i in insts]}, {}, {}]},
    )
    p_pres = processor.challenge()
    closed_p = C.closed_payment(ch, seller, total, CURRENCY, inst, to_iso(now), iat)
    payment_mandate = S.delegate(open_p, closed_p, agent, iat=iat, **p_pres)
    keys = public_keys(rt, intent.user_id)
    store.put(
        s,
        ref_id=cart.mandate_id,
        kind="checkout",
        user_id=intent.user_id,
        mode="hnp",
        now=now,
        intent_id=intent.mandate_id,
        amount_cents=total,
        data={"checkout_jwt": cj, "checkout_mandate": checkout_mandate, "checkout_presentation": c_pres, "keys": keys},
    )
    store.put(
        s,
        ref_id=payment.mandate_id,
        kind="payment",
        user_id=intent.user_id,
        mode="hnp",
        now=now,
        parent_id=cart.mandate_id,
        intent_id=intent.mandate_id,
        status="presented",
        amount_cents=total,
        data={"payment_mandate": payment_mandate, "payment_presentation": p_pres, "token": token},
    )


# -- before and after the charge ---------------------------------------------------------------


def _hp_attempt(
    rt: Runtime, s: Session, payment: PaymentRecord, token: str, now: datetime
) -> store.V02RecordRow | None:
    row = store.get(s, payment.mandate_id, "payment")
    if row is not None:
        return row
    checkout = store.get(s, payment.cart_mandate_id, "checkout")
    if checkout is None or checkout.mode != "hp":
        return None
    pm = checkout.data.get("hp_payments", {}).get(token)
    data = {"payment_mandate": pm, "payment_presentation": None, "token": token}
    return store.put(
        s,
        ref_id=payment.mandate_id,
        kind="payment",
        user_id=payment.user_id,
        mode="hp",
        now=now,
        parent_id=payment.cart_mandate_id,
        status="presented",
        amount_cents=checkout.amount_cents,
        data=data,
    )


def document(s: Session, payment_mandate_id: str) -> dict[str, Any] | None:
    """The export document (check_export.py's format) of one payment attempt, or None."""
    prow = store.get(s, payment_mandate_id, "payment")
    crow = store.get(s, prow.parent_id, "checkout") if prow is not None else None
    if prow is None or crow is None:
        return None
    c, p = crow.data, prow.data
    return {
        "ap2_version": "0.2",
        "mode": "human_present" if crow.mode == "hp" else "human_not_present",
        "keys": c.get("keys"),
        "checkout_jwt": c.get("checkout_jwt"),
        "checkout_mandate": c.get("checkout_mandate"),
        "checkout_presentation": c.get("checkout_presentation"),
        "payment_mandate": p.get("payment_mandate"),
        "payment_presentation": p.get("payment_presentation"),
        "checkout_receipt": p.get("checkout_receipt"),
        "payment_receipt": p.get("payment_receipt"),
    }


def _charge_facts(report: ChainReport, doc: dict[str, Any], token: str, amount_cents: int) -> ChainReport:
    from ..ap2.report import Checks

    c = Checks()
    try:
        closed = S.verify(
            S.hops(doc["payment_mandate"])[-1],
            S.key_from_jwk(doc["keys"]["agent" if doc["mode"] == "human_not_present" else "user"]),
        )[2]
    except (S.SdJwtError, KeyError, TypeError):
        return report
    inst, amt = closed.get("payment_instrument") or {}, (closed.get("payment_amount") or {}).get("amount")
    c.expect(
        "charge.instrument",
        inst.get("id") == token,
        CHAIN_INVALID,
        "the card charged is the one in the mandate",
        "the card to be charged is not the one in the payment mandate",
    )
    c.expect(
        "charge.amount",
        amt == amount_cents,
        CHAIN_INVALID,
        "the amount charged is the mandate's",
        f"the amount to be charged ({amount_cents}) is not the payment mandate's ({amt})",
    )
    return report + c.report()


def check_before_charge(rt: Runtime, payment_mandate_id: str) -> None:
    """Verify the v0.2 chain of a payment before it is charged; on failure the merchant and the
    processor answer with rejection receipts and AP2Error is raised (nothing is charged)."""
    from ..store import mandates

    now = rt.clock.now()
    with rt.db.write() as s:
        prow0 = s.get(MandateRow, payment_mandate_id)
        if prow0 is None:
            return
        payment = cast(PaymentRecord, mandates.parse(prow0))  # a payment_ id (callers pass one)
        pmc = payment.payment.payment_mandate_contents
        token = (pmc.payment_response.details or {}).get("token") or ""
        amount = from_major(pmc.payment_details_total.amount.value)
        row = (
            _hp_attempt(rt, s, payment, token, now)
            if payment.mode == "hp"
            else store.get(s, payment_mandate_id, "payment")
        )
        if row is None:
            if store.get(s, payment.cart_mandate_id, "checkout") is None and (
                payment.mode == "hp" or store.get(s, payment.intent_mandate_id or "", "open") is None
            ):
                return  # a chain from before v0.2 records existed
            doc = None
        else:
            doc = document(s, payment_mandate_id)
    if doc is None or not doc.get("payment_mandate"):
        report = ChainReport()
        from ..ap2.report import Verdict

        report.verdicts.append(
            Verdict(
                "v02.records",
                False,
                CHAIN_INVALID,
                "no AP2 v0.2 closed mandates were presented for this payment "
                "(the watch's open mandates were presented for another one, or never)",
            )
        )
    else:
        report = _charge_facts(verify_export(doc, receipts=False, now=now), doc, token, amount)
    first = report.first_failure
    if first is None:
        return
    reject(rt, payment_mandate_id, "invalid_mandate", f"AP2 v0.2 {first.check}: {first.reason}")
    raise AP2Error(
        first.code or CHAIN_INVALID,
        f"AP2 v0.2 {first.check}: {first.reason}",
        {"payment_mandate_id": payment_mandate_id, "check": first.check},
    )


def _receipts(
    rt: Runtime,
    row: store.V02RecordRow,
    crow: store.V02RecordRow | None,
    now: datetime,
    *,
    order_id: str | None,
    authorization_code: str | None,
    error: str | None,
    error_description: str | None,
) -> dict[str, Any]:
    d = dict(row.data)
    pm, cm = d.get("payment_mandate"), (crow.data.get("checkout_mandate") if crow is not None else None)
    if cm:
        d["checkout_receipt"] = merchant.checkout_receipt(
            rt.keys.merchant_key(),
            cm,
            now,
            order_id=order_id,
            error="payment_declined" if error else None,
            error_description=error_description,
        )
    if pm:
        d["payment_receipt"] = processor.payment_receipt(
            processor_key(rt),
            pm,
            now,
            payment_id=row.ref_id,
            authorization_code=authorization_code,
            error=error,
            error_description=error_description,
        )
    return d


def reject(rt: Runtime, payment_mandate_id: str, error: str, description: str) -> None:
    """Rejection receipts for a refused attempt (they free the open mandate for another one)."""
    now = rt.clock.now()
    with rt.db.write() as s:
        row = store.get(s, payment_mandate_id, "payment")
        if row is None or row.status != "presented":
            return
        crow = store.get(s, row.parent_id, "checkout")
        data = _receipts(
            rt, row, crow, now, order_id=None, authorization_code=None, error=error, error_description=description[:300]
        )
        store.put(
            s,
            ref_id=row.ref_id,
            kind="payment",
            user_id=row.user_id,
            mode=row.mode,
            data=data,
            now=now,
            status="rejected",
        )


def on_charge_recorded(rt: Runtime, s: Session, payment: PaymentRecord, cart: CartRecord, tx: TransactionRow) -> None:
    """Inside the transaction that records a charge: the merchant's and processor's receipts."""
    row = store.get(s, payment.mandate_id, "payment")
    if row is None and payment.mode == "hp":
        row = _hp_attempt(rt, s, payment, tx.payment_token or "", rt.clock.now())
    if row is None or row.status != "presented":
        return
    now = rt.clock.now()
    ok = tx.status == TransactionStatus.AUTHORIZED
    from ..commerce.processor import describe_decline

    data = _receipts(
        rt,
        row,
        store.get(s, cart.mandate_id, "checkout"),
        now,
        order_id=tx.transaction_id,
        authorization_code=tx.authorization_code if ok else None,
        error=None if ok else (tx.decline_reason or "declined"),
        error_description=None if ok else describe_decline(tx.decline_reason),
    )
    data["transaction_id"] = tx.transaction_id
    store.put(
        s,
        ref_id=row.ref_id,
        kind="payment",
        user_id=row.user_id,
        mode=row.mode,
        data=data,
        now=now,
        status="accepted" if ok else "rejected",
    )


# -- export ------------------------------------------------------------------------------------


def _payment_id(s: Session, ref: str) -> str:
    tx = s.get(TransactionRow, ref)
    if tx is not None:
        return tx.payment_mandate_id
    row = s.get(MandateRow, ref)
    if row is not None and row.type == "payment":
        return row.id
    raise NotFound(f"no transaction or payment mandate {shown(ref)}")


def export_document(rt: Runtime, ref: str) -> dict[str, Any]:
    with rt.db.read() as s:
        pid = _payment_id(s, ref)
        row = s.get(MandateRow, pid)
        if row is not None and row.user_id != rt.user_id:
            raise NotFound(f"no transaction or payment mandate {shown(ref)}")
        doc = document(s, pid)
    if doc is None:
        raise NotFound(f"{shown(ref)} has no AP2 v0.2 records (it was paid before they existed)")
    return doc


def export_v02(rt: Runtime, ref: str, path: Path) -> Path:
    """Write the AP2 v0.2 export (check_export.py's format) of a transaction."""
    doc = export_document(rt, ref)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2))
    return path


@dataclass(frozen=True)
class V02View:
    """For the inspector: the v0.2 chain of one payment and its checks re-run now."""

    document: dict[str, Any]
    report: ChainReport


def chain_v02(rt: Runtime, ref: str) -> V02View | None:
    try:
        doc = export_document(rt, ref)
    except NotFound:
        return None
    return V02View(doc, verify_export(doc))


def _money(c: dict[str, Any]) -> str:
    return format_cents(c["amount"], c.get("currency", CURRENCY)) if isinstance(c.get("amount"), int) else "?"


def _hop_detail(content: dict[str, Any], claims: dict[str, Any]) -> str:
    vct = content.get("vct")
    by_type = {c.get("type"): c for c in content.get("constraints") or [] if isinstance(c, dict)}
    until = (
        f"valid until {to_iso(datetime.fromtimestamp(content['exp'], tz=UTC))}"
        if type(content.get("exp")) is int
        else ""
    )
    if vct == C.VCT_CHECKOUT_OPEN:
        items = [
            f"{i.get('id')} ({i.get('title')})"
            for r in by_type.get(C.LINE_ITEMS, {}).get("items", [])
            for i in r.get("acceptable_items", [])
            if isinstance(i, dict)
        ]
        sellers = [
            m.get("name") for m in by_type.get(C.ALLOWED_MERCHANTS, {}).get("allowed", []) if isinstance(m, dict)
        ]
        sold_by = ", ".join(map(str, sellers)) or "—"
        return f"may buy {', '.join(items) or '—'} from {sold_by}; agent key bound (cnf); {until}"
    if vct == C.VCT_PAYMENT_OPEN:
        rng = by_type.get(C.AMOUNT_RANGE, {})
        window = by_type.get(C.EXECUTION_DATE, {})
        insts = [
            i.get("description")
            for i in by_type.get(C.ALLOWED_INSTRUMENTS, {}).get("allowed", [])
            if isinstance(i, dict)
        ]
        most = format_cents(rng["max"], rng.get("currency", CURRENCY)) if isinstance(rng.get("max"), int) else "?"
        return (
            f"at most {most}; with {', '.join(map(str, insts)) or '—'}; between {window.get('not_before', '—')} "
            f"and {window.get('not_after', '—')}; bound to the open checkout; {until}"
        )
    aud = f" (for {claims.get('aud')}, nonce {str(claims.get('nonce'))[:8]}…)" if claims.get("aud") else ""
    if vct == C.VCT_CHECKOUT:
        return f"this checkout (hash {str(content.get('checkout_hash'))[:12]}…){aud}"
    if vct == C.VCT_PAYMENT:
        inst = (content.get("payment_instrument") or {}).get("description")
        payee = (content.get("payee") or {}).get("name")
        return f"pays {_money(content.get('payment_amount') or {})} to {payee} with {inst}{aud}"
    return str(vct)


def describe(doc: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(step, signer, what it says) for each hop and receipt of an export, for display. Hops that
    do not verify say so (the checks say why)."""
    rows: list[tuple[str, str, str]] = []
    keys = doc.get("keys") or {}
    hnp = doc.get("mode") == "human_not_present"
    for name in ("checkout_mandate", "payment_mandate"):
        token = doc.get(name)
        if not isinstance(token, str):
            continue
        hops = S.hops(token)
        key: Any = keys.get("user")
        for i, hop in enumerate(hops):
            state = "open" if hnp and i == 0 else "closed"
            signer = "user" if i == 0 else "agent (cnf)"
            try:
                _, claims, content = S.verify(hop, S.key_from_jwk(key or {}))
                detail = _hop_detail(content, claims)
                key = (content.get("cnf") or {}).get("jwk")
            except S.SdJwtError as exc:
                detail, key = f"does not verify: {exc}", None
            rows.append((f"{name.split('_')[0]} {state}", signer, detail))
    for name, signer in (("checkout_receipt", "merchant"), ("payment_receipt", "payment processor")):
        r = doc.get(name)
        if isinstance(r, str):
            body = S.unverified_part(r, 1)
            extra = body.get("order_id") or body.get("psp_confirmation_id") or body.get("error_description") or ""
            rows.append((name.replace("_", " "), signer, f"{body.get('status')} {extra}".strip()))
    return rows
