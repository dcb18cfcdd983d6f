"""Two GhostCart instances on one database (the TUI and `ghostcart monitor run`, or two TUIs):
the monitoring lease is held by one at a time and taken over only after it expires; two
processes sweeping many due jobs at once buy each intent at most once, and no
"database is locked" error reaches either of them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from ghostcart_tui.ap2.records import Constraints
from ghostcart_tui.core.clock import FakeClock, to_iso
from ghostcart_tui.services import catalog, intents, lease, monitoring, orders, signatures
from ghostcart_tui.store.tables import ChargeRow, MonitoringJobRow, TransactionRow
from tests.services.conftest import make_runtime

from .helpers import integrity_ok

START = "2026-11-26T10:00:00Z"

# What each child process runs: an app instance on the shared database sweeping in a loop, by
# the lease like the app (Monitor.sweep_now) or, worst case, straight run_due_checks.
CHILD = r"""
import json, logging, sys
from datetime import timedelta
from ghostcart_tui.core.clock import FakeClock, parse_iso
from ghostcart_tui.core.settings import Settings
from ghostcart_tui.services import monitoring
from ghostcart_tui.services.runtime import open_runtime
from ghostcart_tui.services.scheduler import Monitor

home, now, mode, kind, rounds = sys.argv[1:6]
logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
rt = open_runtime(Settings(data_home=home, model_provider="offline", processor="approve_all"),
                  clock=FakeClock(parse_iso(now)), log=False)
mon = Monitor(rt, kind)
out = []
for _ in range(int(rounds)):
    r = monitoring.run_due_checks(rt) if mode == "raw" else mon.sweep_now()
    out.append(None if r is None else [r.checked, r.purchased])
    rt.clock.advance(timedelta(minutes=5))
print(json.dumps(out))
rt.close()
"""


@pytest.fixture
def two(tmp_path):
    clock = FakeClock(START)
    a = make_runtime(tmp_path, clock=clock)
    b = make_runtime(tmp_path, clock=clock)  # a second instance: its own engine, same file
    yield a, b, clock
    a.close()
    b.close()


# ---- the lease ------------------------------------------------------------------------------------

def test_only_one_instance_holds_the_lease(two):
    a, b, clock = two
    tui, mon = "tui@host:1", "monitor@host:2"
    assert lease.acquire(a, tui)
    assert not lease.acquire(b, mon)
    assert lease.current(b, mon).holder == tui and not lease.current(b, mon).mine
    clock.advance(timedelta(minutes=2))
    assert lease.acquire(a, tui)  # renewed by its holder's sweep
    clock.advance(timedelta(minutes=2))
    assert not lease.acquire(b, mon)  # still within the renewed lease
    clock.advance(lease.LEASE_TTL)  # the holder died or stopped renewing
    assert lease.current(b, mon) is None
    assert lease.acquire(b, mon)  # taken over after expiry
    assert not lease.acquire(a, tui)
    assert lease.current(a, tui).holder == mon
    lease.release(a, tui)  # not the holder: releases nothing
    assert lease.current(b, mon).mine
    lease.release(b, mon)
    assert lease.acquire(a, tui)


def test_racing_acquires_have_one_winner(two):
    a, b, clock = two
    for round_ in range(5):
        barrier = threading.Barrier(8)
        wins: list[str] = []

        def attempt(i, barrier=barrier, wins=wins, round_=round_):
            rt = a if i % 2 else b
            barrier.wait()
            if lease.acquire(rt, f"holder-{round_}-{i}"):
                wins.append(f"holder-{round_}-{i}")

        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert len(wins) == 1, wins
        assert lease.current(a).holder == wins[0]
        clock.advance(lease.LEASE_TTL + timedelta(seconds=1))


def test_only_the_lease_holder_sweeps(two):
    from ghostcart_tui.services.scheduler import Monitor

    a, b, clock = two
    intent = intents.create_intent(a, "AirPods", Constraints(max_price_cents=18000), skus=["prod_airpods_001"])
    signatures.request_signature(a, intent.mandate_id)
    signatures.approve(a, intent.mandate_id)
    monitoring.activate(a, intent.mandate_id)
    tui, headless = Monitor(a, "tui"), Monitor(b, "monitor")
    tui.holder, headless.holder = "tui@test:1", "monitor@test:2"  # one process here: distinct names
    clock.advance(timedelta(minutes=5))
    assert tui.sweep_now().checked == 1
    assert headless.sweep_now() is None and not headless.has_lease
    clock.advance(timedelta(minutes=5))
    assert tui.sweep_now() is not None  # the TUI's next sweep renews the lease…
    assert headless.sweep_now() is None  # …so monitor run keeps out
    clock.advance(timedelta(minutes=5))  # past the lease (3 min) and at the next due check
    catalog.set_price(b, "prod_airpods_001", 17500)
    report = headless.sweep_now()  # the TUI stopped sweeping: monitor run takes over
    assert report is not None and report.purchased == 1
    assert tui.sweep_now() is None
    assert orders.counts(a)["authorized_transactions"] == 1


# ---- two processes, many due jobs -------------------------------------------------------------------

def _many_intents(rt, n: int) -> list[str]:
    ids = []
    for i in range(n):
        product, query, limit = (("prod_airpods_001", "AirPods", 18000) if i % 3 else
                                 ("prod_lamp_001", "desk lamp", 5000))
        rec = intents.create_intent(rt, query, Constraints(max_price_cents=limit), skus=[product])
        signatures.request_signature(rt, rec.mandate_id)
        signatures.approve(rt, rec.mandate_id)
        monitoring.activate(rt, rec.mandate_id)
        ids.append(rec.mandate_id)
    catalog.set_price(rt, "prod_airpods_001", 17500)
    return ids


def _spawn(home, now, mode, kind, rounds):
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(home), to_iso(now), mode, kind, str(rounds)],
        cwd=os.getcwd(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=dict(os.environ, GHOSTCART_FAULT=""),
    )


@pytest.mark.parametrize("mode", ["raw", "lease"])
def test_two_processes_sweeping_buy_each_intent_once(tmp_path, mode):
    rt = make_runtime(tmp_path)
    n = 24
    intent_ids = _many_intents(rt, n)
    due = rt.clock.now() + timedelta(minutes=5)
    rt.close()
    procs = [_spawn(tmp_path, due, mode, kind, rounds=4) for kind in ("tui", "monitor")]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        results.append((p.returncode, out, err))
    for code, out, err in results:
        assert code == 0, err[-3000:]
        assert "locked" not in err.lower() and "Traceback" not in err and "failed" not in err, err[-3000:]
        assert len(json.loads(out.strip().splitlines()[-1])) == 4
    sweeps = [r for _, out, _ in results for r in json.loads(out.strip().splitlines()[-1]) if r is not None]
    assert sum(purchased for _, purchased in sweeps) == n  # every purchase reported exactly once

    check = make_runtime(tmp_path)
    with check.db.read() as s:
        txs = s.exec(select(TransactionRow)).all()
        charges = s.exec(select(func.count()).select_from(ChargeRow)).one()
        jobs = s.exec(select(MonitoringJobRow)).all()
    bought = [t.intent_mandate_id for t in txs if t.status == "authorized"]
    assert sorted(bought) == sorted(intent_ids)  # each intent once, none twice
    assert charges == len(txs) == n
    assert {j.status for j in jobs} == {"purchased"}
    assert {orders.get_mandate(check, i).status for i in intent_ids} == {"consumed"}
    if mode == "lease":  # the lease kept the two apart: one process ran the checks per round
        per_round = [sum(1 for _, out, _ in results
                         if json.loads(out.strip().splitlines()[-1])[k] is not None) for k in range(4)]
        assert per_round[0] == 1, per_round
    check.close()
    assert integrity_ok(tmp_path / "ghostcart.db")


# ---- a purchase taken over mid-flight ----------------------------------------------------------------

def test_purchase_taken_over_after_a_stale_claim_ends_bought_once(tmp_path, monkeypatch):
    """Instance A claims a job and builds its chain, then stalls (its clock 5 minutes behind B's,
    or a processor that takes minutes). B's recovery finds the claim stale, resets the job, claims
    it and builds its own chain; A's charge lands first; B's payment is refused (the intent has
    bought); B's next sweep reconciles A's charge; A records. The job must end 'purchased', with
    one charge — not 'awaiting_user' beside a completed purchase."""
    from ghostcart_tui.services import monitoring_purchase as mon_purchase
    from ghostcart_tui.services import payments as pay

    a = make_runtime(tmp_path, clock=FakeClock(START))
    intent = intents.create_intent(a, "AirPods", Constraints(max_price_cents=18000), skus=["prod_airpods_001"])
    signatures.request_signature(a, intent.mandate_id)
    signatures.approve(a, intent.mandate_id)
    monitoring.activate(a, intent.mandate_id)
    catalog.set_price(a, "prod_airpods_001", 17500)
    a.clock.advance(timedelta(minutes=5))
    b = make_runtime(tmp_path, clock=FakeClock(a.clock.now() + timedelta(minutes=5)))

    # Each runtime has its own in-flight set and sweep lock (rt.monitoring), as two processes would.
    gates = {k: threading.Event() for k in ("A built", "A go", "A charged", "A go 2", "B built", "B go")}
    role = threading.local()

    def fault_point(name):
        who = getattr(role, "name", None)
        if (who, name) == ("A", "hnp_after_chain"):
            gates["A built"].set()
            assert gates["A go"].wait(30)
        elif (who, name) == ("A", "after_charge"):
            gates["A charged"].set()
            assert gates["A go 2"].wait(30)
        elif (who, name) == ("B", "hnp_after_chain") and not gates["B built"].is_set():
            gates["B built"].set()
            assert gates["B go"].wait(30)

    monkeypatch.setattr(mon_purchase, "fault_point", fault_point)
    monkeypatch.setattr(pay, "fault_point", fault_point)
    errors: list[BaseException] = []

    def run(name, rt):
        role.name = name
        try:
            monitoring.run_due_checks(rt)
        except BaseException as exc:
            errors.append(exc)

    ta = threading.Thread(target=run, args=("A", a))
    ta.start()
    assert gates["A built"].wait(30)
    tb = threading.Thread(target=run, args=("B", b))
    tb.start()
    assert gates["B built"].wait(30)  # B reset the stale job, claimed it, built its own chain
    gates["A go"].set()
    assert gates["A charged"].wait(30)  # A's charge is in the processor's books, not yet recorded
    gates["B go"].set()
    tb.join(30)  # B's payment is refused: the intent has an approved charge
    b.clock.advance(timedelta(minutes=5))
    run("B", b)  # B's next sweep reconciles A's charge
    gates["A go 2"].set()
    ta.join(30)
    assert not errors, errors
    job = monitoring.list_jobs(a)[0]
    assert job.status == "purchased", (job.status, job.last_result)
    with a.db.read() as s:
        assert s.exec(select(func.count()).select_from(ChargeRow)).one() == 1
        txs = s.exec(select(TransactionRow)).all()
    assert [t.status for t in txs] == ["authorized"] and job.transaction_id == txs[0].transaction_id
    assert orders.get_mandate(a, intent.mandate_id).status == "consumed"
    a.close()
    b.close()
