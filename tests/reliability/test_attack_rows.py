"""Issue 13, the probe's attack list: every field of the job row, the lease row and the
transaction/charge rows changed (or the row deleted) with sqlite3 on the real file.

Whatever the edit: no purchase the shopper's signatures do not cover, never a second charge
(counted in the processor's own ledger), and monitoring resumes by itself (the watch ends bought,
once) unless the edit itself stops the watch (a status of cancelled/expired/…: safe, buys nothing).
"""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import timedelta

import pytest

from ghostcart_tui.ap2 import chain
from ghostcart_tui.commerce.parties import processor_db_path
from ghostcart_tui.services import catalog, lease, monitoring, payments
from tests.services.conftest import make_runtime

from .helpers import load, signed_intent

FIVE_MIN = timedelta(minutes=5)
HOLDER = "cli@probe:1"
FUTURE, PAST, GARBAGE = "2099-01-01 00:00:00.000000", "2000-01-01 00:00:00.000000", "not a time"

# column → values an attacker writes (None = SQL NULL)
JOB_EDITS: dict[str, list] = {
    "job_id": ["job_other"],
    "intent_mandate_id": ["intent_missing"],
    "user_id": ["alice", ""],
    "product_query": ["kitchenaid mixer"],
    "constraints": ['{"max_price_cents": 99999999, "skus": ["prod_mixer_001"]}', "not json"],
    "interval_minutes": [-5, 0, 10**9],
    "status": ["active", "purchasing", "awaiting_user", "purchased", "cancelled", "bogus"],
    "last_check_at": [GARBAGE],
    "last_result": [None],
    "last_price_cents": [-1],
    "next_check_at": [FUTURE, GARBAGE],
    "created_at": [GARBAGE],
    "expires_at": [PAST, FUTURE, GARBAGE],
    "claim_id": ["claim_other"],
    "claimed_at": [GARBAGE, FUTURE],
    "cart_mandate_id": ["cart_other"],
    "payment_mandate_id": ["payment_other"],
    "transaction_id": ["txn_other"],
    "payment_token": ["tok_amex_0005", "tok_attacker_0001"],
}
# Edits after which the watch legitimately stops (nothing may be bought, nothing need resume).
# (A job pointed at an intent that does not exist has lost the one it watched: it stops, buying nothing.)
STOPS = {("intent_mandate_id", "intent_missing"), ("status", "awaiting_user"), ("status", "purchased"),
         ("status", "cancelled"), ("status", "bogus")}

LEASE_EDITS: dict[str, list] = {
    "name": ["monitor"],
    "holder": ["tui@elsewhere:99"],
    "pid": [-1],
    "host": ["elsewhere"],
    "acquired_at": [GARBAGE],
    "expires_at": [FUTURE, GARBAGE],
}

AFTER_EDITS: list[tuple[str, str]] = [
    # (label, SQL) run after the purchase, each with the job and its intent re-armed
    ("transactions deleted", "DELETE FROM transactions"),
    ("charges deleted", "DELETE FROM processor_charges"),
    ("both deleted", "DELETE FROM transactions; DELETE FROM processor_charges"),
    ("transaction declined", "UPDATE transactions SET status='declined'"),
    ("transaction intent cleared", "UPDATE transactions SET intent_mandate_id=NULL"),
    ("transaction cart changed", "UPDATE transactions SET cart_mandate_id='cart_other'"),
    ("transaction payment changed", "UPDATE transactions SET payment_mandate_id='payment_other'"),
    ("transaction amount changed", "UPDATE transactions SET amount_cents=1"),
    ("transaction user changed", "UPDATE transactions SET user_id='alice'"),
    ("charge unapproved", "UPDATE processor_charges SET approved=0"),
    ("charge payment changed", "UPDATE processor_charges SET payment_mandate_id='payment_other'"),
    ("charge amount changed", "UPDATE processor_charges SET amount_cents=1"),
    ("charge token changed", "UPDATE processor_charges SET token='tok_amex_0005'"),
    ("job deleted", "DELETE FROM monitoring_jobs"),
    ("lease deleted", "DELETE FROM leases"),
]
REARM = ("UPDATE monitoring_jobs SET status='active', claim_id=NULL, cart_mandate_id=NULL, payment_mandate_id=NULL, "
         f"transaction_id=NULL, next_check_at='{PAST}'; UPDATE mandates SET status='active' WHERE type='intent'")


def edit(rt, script: str, *params) -> None:
    con = sqlite3.connect(rt.db.path)
    try:
        if params:
            con.execute(script, params)
        else:
            con.executescript(script)
        con.commit()
    except sqlite3.IntegrityError:
        pass  # the database itself refused the edit (a foreign key, NOT NULL, unique): nothing changed
    finally:
        con.close()


def approved_charges(rt) -> list[str]:
    con = sqlite3.connect(processor_db_path(rt.settings.data_home))
    try:
        return [r[0] for r in con.execute("SELECT payment_mandate_id FROM charges WHERE approved = 1")]
    finally:
        con.close()


def sweeps(rt, n: int = 4) -> None:
    for _ in range(n):
        rt.clock.advance(FIVE_MIN)
        with contextlib.suppress(monitoring.MonitoringBusy):
            monitoring.run_once(rt, HOLDER)


def covered_by_the_signed_intent(rt, intent_id: str, payment_mandate_id: str) -> bool:
    with rt.db.read() as s:
        _, cart, payment = payments.load_chain(s, payment_mandate_id)
    intent = load(rt, intent_id)
    return chain.audit_chain(intent, cart, payment, rt.keys).ok


def job_status(rt) -> str | None:
    con = sqlite3.connect(rt.db.path)
    try:
        row = con.execute("SELECT status FROM monitoring_jobs").fetchone()
        return row[0] if row else None
    finally:
        con.close()


@pytest.fixture
def armed(tmp_path):
    """A watched AirPods intent (signed: max $180, Visa 4242) whose conditions now hold."""
    rt = make_runtime(tmp_path)
    intent_id = signed_intent(rt)
    catalog.set_price(rt, "prod_airpods_001", 17500)
    yield rt, intent_id
    rt.close()


def _check(rt, intent_id: str, *, resumes: bool) -> None:
    charged = approved_charges(rt)
    assert len(charged) <= 1, charged  # never a second charge
    for pid in charged:
        assert covered_by_the_signed_intent(rt, intent_id, pid)
    if resumes:
        assert len(charged) == 1 and job_status(rt) == "purchased", (charged, job_status(rt))


@pytest.mark.parametrize("column,value", [(c, v) for c, vs in JOB_EDITS.items() for v in vs],
                         ids=lambda x: str(x)[:24])
def test_job_row_edited_before_the_purchase(armed, column, value):
    rt, intent_id = armed
    edit(rt, f"UPDATE monitoring_jobs SET {column} = ?", value)
    sweeps(rt)
    _check(rt, intent_id, resumes=(column, value) not in STOPS)


@pytest.mark.parametrize("column,value", [(c, v) for c, vs in JOB_EDITS.items() for v in vs],
                         ids=lambda x: str(x)[:24])
def test_job_row_edited_after_the_purchase(armed, column, value):
    rt, intent_id = armed
    sweeps(rt, 1)
    assert len(approved_charges(rt)) == 1
    edit(rt, REARM)
    edit(rt, f"UPDATE monitoring_jobs SET {column} = ?", value)
    sweeps(rt)
    _check(rt, intent_id, resumes=False)


@pytest.mark.parametrize("column,value", [(c, v) for c, vs in LEASE_EDITS.items() for v in vs] + [("*", "delete")],
                         ids=lambda x: str(x)[:24])
def test_lease_row_edited(armed, column, value):
    rt, intent_id = armed
    assert lease.acquire(rt, "tui@elsewhere:7")  # a holder that then died
    if column == "*":
        edit(rt, "DELETE FROM leases")
    else:
        edit(rt, f"UPDATE leases SET {column} = ?", value)
    sweeps(rt)
    _check(rt, intent_id, resumes=True)


@pytest.mark.parametrize("label,script", AFTER_EDITS, ids=[a for a, _ in AFTER_EDITS])
def test_books_edited_after_the_purchase(armed, label, script):
    rt, intent_id = armed
    sweeps(rt, 1)
    assert len(approved_charges(rt)) == 1
    edit(rt, script)
    edit(rt, REARM)
    sweeps(rt)
    _check(rt, intent_id, resumes=label != "job deleted")
