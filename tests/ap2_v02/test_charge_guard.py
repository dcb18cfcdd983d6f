"""The v0.2 records decide a charge too: tampered anywhere (every hop of both mandates, the
checkout JWT, the presentations), the payment is refused and nothing is charged; the refusal
comes back as rejection receipts, which free the open mandate for another attempt. Exactly-once
stays: a second presentation without a rejection receipt is refused. The monthly budget is
enforced at purchase time."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from ghostcart_tui.ap2.errors import AP2Error
from ghostcart_tui.ap2.v02 import sdjwt as S
from ghostcart_tui.ap2.v02.verify import verify_export
from ghostcart_tui.services import ap2_v02, budget, monitoring, monitoring_purchase, orders, payments
from ghostcart_tui.store import v02 as store
from ghostcart_tui.store.tables import ChargeRow, MonitoringJobRow, TransactionRow

from .helpers import hnp_purchase, make_runtime, price_drop_and_sweep, watch


@pytest.fixture
def rt(tmp_path):
    runtime = make_runtime(tmp_path / "gc")
    yield runtime
    runtime.close()


def _flip(s: str, at: int = 5) -> str:
    return s[:at] + ("A" if s[at] != "A" else "B") + s[at + 1 :]


def _hop(token: str, i: int, fn) -> str:
    hops = token.split("~~")
    hops[i] = fn(hops[i])
    return "~~".join(hops)


def _sig(hop: str) -> str:
    jwt, rest = hop.split("~", 1)
    h, p, s = jwt.split(".")
    return ".".join([h, p, _flip(s)]) + "~" + rest


def _disclosure(hop: str) -> str:
    parts = hop.split("~")
    decoded = json.loads(S.b64url_decode(parts[1]))
    decoded[0] = decoded[0][::-1]  # another salt: a disclosure the signer never made
    parts[1] = S.b64url(json.dumps(decoded).encode())
    return "~".join(parts)


TAMPER = {
    "checkout open hop signature": (
        "checkout",
        lambda d: d.update(checkout_mandate=_hop(d["checkout_mandate"], 0, _sig)),
    ),
    "checkout open hop disclosure": (
        "checkout",
        lambda d: d.update(checkout_mandate=_hop(d["checkout_mandate"], 0, _disclosure)),
    ),
    "checkout closed hop signature": (
        "checkout",
        lambda d: d.update(checkout_mandate=_hop(d["checkout_mandate"], 1, _sig)),
    ),
    "checkout closed hop disclosure": (
        "checkout",
        lambda d: d.update(checkout_mandate=_hop(d["checkout_mandate"], 1, _disclosure)),
    ),
    "checkout jwt": ("checkout", lambda d: d.update(checkout_jwt=_flip(d["checkout_jwt"], 40))),
    "checkout nonce": (
        "checkout",
        lambda d: d.update(checkout_presentation={**d["checkout_presentation"], "nonce": "x"}),
    ),
    "payment open hop signature": ("payment", lambda d: d.update(payment_mandate=_hop(d["payment_mandate"], 0, _sig))),
    "payment open hop disclosure": (
        "payment",
        lambda d: d.update(payment_mandate=_hop(d["payment_mandate"], 0, _disclosure)),
    ),
    "payment closed hop signature": (
        "payment",
        lambda d: d.update(payment_mandate=_hop(d["payment_mandate"], 1, _sig)),
    ),
    "payment closed hop disclosure": (
        "payment",
        lambda d: d.update(payment_mandate=_hop(d["payment_mandate"], 1, _disclosure)),
    ),
    "payment aud": ("payment", lambda d: d.update(payment_presentation={**d["payment_presentation"], "aud": "x"})),
    "keys": ("checkout", lambda d: d.update(keys={**d["keys"], "user": d["keys"]["agent"]})),
}


@pytest.mark.parametrize("what", list(TAMPER))
def test_tampered_v02_record_charges_nothing(rt, monkeypatch, what):
    which, fn = TAMPER[what]
    watch(rt)

    def tamper(name):
        if name != "hnp_after_chain":
            return
        with rt.db.write() as s:
            job = s.exec(select(MonitoringJobRow)).first()
            ref = job.cart_mandate_id if which == "checkout" else job.payment_mandate_id
            row = store.get(s, ref)
            data = dict(row.data)
            fn(data)
            row.data = data
            s.add(row)

    monkeypatch.setattr(monitoring_purchase, "fault_point", tamper)  # rel: the purchase step moved
    report = price_drop_and_sweep(rt)
    assert report.purchased == 0
    with rt.db.read() as s:
        assert s.exec(select(ChargeRow)).all() == []
        assert s.exec(select(TransactionRow)).all() == []
        job = s.exec(select(MonitoringJobRow)).first()
        assert job.status == "awaiting_user" and "AP2 v0.2" in job.last_result
        attempt = store.get(s, job.payment_mandate_id, "payment")
        assert attempt.status == "rejected"
    # the rejection receipts are signed and answer the presented mandate
    doc = ap2_v02.document(rt.db.read().__enter__(), job.payment_mandate_id)
    for name in ("checkout_receipt", "payment_receipt"):
        assert S.unverified_part(doc[name], 1)["status"] == "Error"


def test_rejection_receipt_frees_the_open_mandate(rt, monkeypatch):
    job = watch(rt)
    state = {"done": False}

    def tamper(name):
        if name == "hnp_after_chain" and not state["done"]:
            state["done"] = True
            with rt.db.write() as s:
                j = s.get(MonitoringJobRow, job.job_id)
                row = store.get(s, j.payment_mandate_id)
                row.data = {**row.data, "payment_mandate": _hop(row.data["payment_mandate"], 1, _sig)}
                s.add(row)

    monkeypatch.setattr(monitoring_purchase, "fault_point", tamper)  # rel: the purchase step moved
    assert price_drop_and_sweep(rt).purchased == 0
    monitoring.retry(rt, job.job_id)
    assert monitoring.run_due_checks(rt).purchased == 1
    tx = next(t for t in orders.list_transactions(rt) if t.status == "authorized")
    assert verify_export(ap2_v02.export_document(rt, tx.transaction_id)).ok


def test_no_second_presentation_without_a_rejection_receipt(rt):
    job, tx = hnp_purchase(rt)
    with rt.db.read() as s:
        _, cart, payment = payments.load_chain(s, tx.payment_mandate_id)
        from ghostcart_tui.store import mandates

        intent = mandates.parse(
            s.get(__import__("ghostcart_tui.store.tables", fromlist=["x"]).MandateRow, job.intent_mandate_id)
        )
    with pytest.raises(AP2Error, match="already presented"), rt.db.write() as s:
        ap2_v02.on_autonomous_purchase(rt, s, intent, cart, payment, "tok_visa_4242")


def test_presented_attempt_without_answer_blocks_the_next(rt):
    """A presentation whose answer never came (status presented) blocks another one."""
    job = watch(rt)
    with rt.db.write() as s:
        store.put(
            s,
            ref_id="payment_ghost",
            kind="payment",
            user_id=rt.user_id,
            mode="hnp",
            data={},
            now=rt.clock.now(),
            parent_id="cart_ghost",
            intent_id=job.intent_mandate_id,
            status="presented",
        )
    assert price_drop_and_sweep(rt).purchased == 0
    with rt.db.read() as s:
        j = s.get(MonitoringJobRow, job.job_id)
        assert j.status == "awaiting_user" and "no rejection receipt" in j.last_result
        assert s.exec(select(ChargeRow)).all() == []


def test_declined_payment_gets_error_receipts_and_can_retry(rt):
    job = watch(rt)
    rt.processor.force_next("card_expired")
    price_drop_and_sweep(rt)
    tx = orders.list_transactions(rt)[0]
    assert tx.status == "declined"
    doc = ap2_v02.export_document(rt, tx.transaction_id)
    assert verify_export(doc).ok
    assert S.unverified_part(doc["payment_receipt"], 1)["error"] == "card_expired"
    monitoring.retry(rt, job.job_id)
    assert monitoring.run_due_checks(rt).purchased == 1


# -- budget -----------------------------------------------------------------------------------


def test_budget_refuses_a_purchase_above_what_is_left(rt):
    budget.set(rt, 10_000)  # $100 a month; AirPods at $175 + tax + shipping = $199.00
    job = watch(rt)
    assert price_drop_and_sweep(rt).purchased == 0
    with rt.db.read() as s:
        j = s.get(MonitoringJobRow, job.job_id)
        assert j.status == "awaiting_user" and "monthly budget" in j.last_result
        assert s.exec(select(ChargeRow)).all() == []
    assert budget.get(rt).spent_cents == 0 and budget.remaining(rt) == 10_000


def test_budget_counts_across_watches(rt):
    budget.set(rt, 30_000)
    _, tx = hnp_purchase(rt)
    assert budget.get(rt).spent_cents == tx.amount_cents == 19_900
    assert budget.remaining(rt) == 10_100
    watch(rt, skus=("prod_watch_001",), max_price=20_000, query="Fitbit")  # $159.99 + tax + shipping > $101
    assert price_drop_and_sweep(rt, "prod_watch_001", 15_999).purchased == 0
    budget.set(rt, 60_000)
    monitoring.retry(rt, next(j for j in monitoring.list_jobs(rt) if j.status == "awaiting_user").job_id)
    assert monitoring.run_due_checks(rt).purchased == 1
    assert budget.remaining(rt) == 60_000 - 19_900 - (15_999 + 1280 + 1000)


def test_budget_note_in_the_signed_intent_text(rt):
    from ghostcart_tui.ap2.records import Constraints
    from ghostcart_tui.services import intents

    plain = intents.create_intent(rt, "AirPods", Constraints(max_price_cents=18000), skus=["prod_airpods_001"])
    assert "budget" not in plain.intent.natural_language_description
    budget.set(rt, 30_000)
    noted = intents.create_intent(rt, "AirPods", Constraints(max_price_cents=18000), skus=["prod_airpods_001"])
    text = noted.intent.natural_language_description
    assert "At most $204.40 can be charged, including tax and shipping" in text
    assert "$300.00 of your $300.00 monthly budget" in text


def test_budget_values(rt):
    from ghostcart_tui.core.errors import UserError

    for bad in (0, -1, 10**12, True, 1.5):
        with pytest.raises(UserError):
            budget.set(rt, bad)


def test_open_mandate_amount_is_the_most_that_can_be_charged():
    assert ap2_v02.most_chargeable_cents(18000) == 18000 + 1440 + 1000
    assert ap2_v02.most_chargeable_cents(18000, 2) == 36000 + 2880 + 1000
    assert ap2_v02.most_chargeable_cents(18000, 1, 19000) == 19000


def test_processor_key_lives_in_its_own_folder(rt):
    key = ap2_v02.processor_key(rt)
    path = rt.settings.data_home / "processor" / "keys" / "processor.pem"
    assert path.exists() and (path.stat().st_mode & 0o777) == 0o600
    assert not (rt.settings.keys_dir / "processor.pem").exists()
    assert ap2_v02.processor_key(rt).kid == key.kid
