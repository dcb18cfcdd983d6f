"""SIGKILL at every step of a purchase, then restart: never two charges, never a charge without
its transaction record, every job in a consistent state, and the purchase completes once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlmodel import select

from ghostcart_tui.ap2.records import Constraints
from ghostcart_tui.core.clock import FakeClock, to_iso
from ghostcart_tui.services import carts, catalog, intents, monitoring, orders, payments, signatures
from ghostcart_tui.store.tables import ChargeRow, MonitoringJobRow, TransactionRow
from tests.services.conftest import make_runtime

HNP_POINTS = ["hnp_after_claim", "hnp_after_chain", "before_charge_commit", "after_charge", "before_record_commit"]


def run_child(home, now, action, arg="", fault=""):
    env = dict(os.environ, GHOSTCART_FAULT=fault)
    proc = subprocess.run([sys.executable, "-m", "tests.reliability.crash_child", str(home), to_iso(now), action, arg],
                          env=env, cwd=os.getcwd(), capture_output=True, text=True, timeout=60)
    return proc


def assert_consistent(rt):
    with rt.db.read() as s:
        charges = s.exec(select(ChargeRow)).all()
        txs = {t.payment_mandate_id: t for t in s.exec(select(TransactionRow)).all()}
        jobs = s.exec(select(MonitoringJobRow)).all()
    assert all(c.payment_mandate_id in txs for c in charges), "a charge without its transaction record"
    assert sum(t.status == "authorized" for t in txs.values()) <= 1, "charged twice"
    for j in jobs:
        bought = any(t.status == "authorized" and t.intent_mandate_id == j.intent_mandate_id for t in txs.values())
        assert (j.status == "purchased") == bought, (j.status, bought)
        assert j.status in ("active", "purchased", "awaiting_user")


def _hnp_setup(tmp_path):
    rt = make_runtime(tmp_path, seed=11)
    intent = intents.create_intent(rt, "AirPods", Constraints(max_price_cents=18000), skus=["prod_airpods_001"])
    signatures.request_signature(rt, intent.mandate_id)
    signatures.approve(rt, intent.mandate_id)
    monitoring.activate(rt, intent.mandate_id)
    catalog.set_price(rt, "prod_airpods_001", 17500)
    return rt


@pytest.mark.parametrize("fault", HNP_POINTS + [f"#{k}" for k in range(1, 6)])
def test_hnp_purchase_killed_then_restarted(tmp_path, fault):
    rt = _hnp_setup(tmp_path)
    t1 = rt.clock.now() + timedelta(minutes=5)
    proc = run_child(tmp_path, t1, "sweep", fault=fault)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    rt.close()
    # Restart after the claim went stale; recovery runs with the next sweep.
    later = make_runtime(tmp_path, clock=FakeClock(t1 + timedelta(minutes=10)), seed=11)
    monitoring.run_due_checks(later)
    assert_consistent(later)
    later.clock.advance(timedelta(minutes=10))
    monitoring.run_due_checks(later)
    assert_consistent(later)
    assert orders.counts(later)["authorized_transactions"] == 1
    later.close()


@pytest.mark.parametrize("fault", ["before_charge_commit", "after_charge", "before_record_commit", "#1", "#2", "#3"])
def test_hp_payment_killed_then_restarted(tmp_path, fault):
    rt = make_runtime(tmp_path, seed=11)
    cart = carts.create_hp_cart(rt, "prod_coffee_001")
    signatures.request_signature(rt, cart.mandate_id)
    signatures.approve(rt, cart.mandate_id)
    proc = run_child(tmp_path, rt.clock.now(), "pay_hp", cart.mandate_id, fault=fault)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    rt.close()
    again = make_runtime(tmp_path, seed=11)
    payments.reconcile(again)
    assert_consistent(again)
    charged = orders.counts(again)["authorized_transactions"]
    if charged == 0:  # the crash came before the charge: paying again is safe and charges once
        assert payments.pay_hp(again, cart.mandate_id).status == "authorized"
    else:
        with pytest.raises(Exception):  # noqa: B017 (any refusal will do; what matters is no second charge)
            payments.pay_hp(again, cart.mandate_id)
    assert_consistent(again)
    assert orders.counts(again)["authorized_transactions"] == 1
    again.close()
