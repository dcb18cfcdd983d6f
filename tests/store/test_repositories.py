"""The store/ repository functions that services/ calls instead of writing SQL (real SQLite)."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

import pytest

from ghostcart_tui.core.statuses import JobStatus, MandateStatus, TransactionStatus
from ghostcart_tui.store import counts, ledger, mandates, readonly
from ghostcart_tui.store.engine import StoreError, db_time
from ghostcart_tui.store.tables import MandateRow, MonitoringJobRow, TransactionRow
from tests.services.conftest import make_runtime

T0 = datetime(2026, 11, 26, 10, 0)


@pytest.fixture
def rt(tmp_path):
    runtime = make_runtime(tmp_path)
    yield runtime
    runtime.close()


def _tx(n: int, *, user: str = "alice", mode: str = "hnp", status: str = TransactionStatus.AUTHORIZED,
        cents: int = 100, minutes: int = 0) -> TransactionRow:
    return TransactionRow(transaction_id=f"tx_{n:02d}", cart_mandate_id=f"cart_{n}", payment_mandate_id=f"payment_{n}",
                          user_id=user, status=status, amount_cents=cents, mode=mode,
                          created_at=db_time(T0 + timedelta(minutes=minutes)))


def _mandate(mid: str, *, user: str = "alice", status: str = MandateStatus.CREATED, minutes: int = 0,
             data: dict | None = None) -> MandateRow:
    return MandateRow(id=mid, type=mid.split("_")[0], user_id=user, status=status, mandate_data=data or {},
                      created_at=db_time(T0 + timedelta(minutes=minutes)), updated_at=db_time(T0))


def _job(n: int, status: str) -> MonitoringJobRow:
    return MonitoringJobRow(job_id=f"job_{n}", intent_mandate_id=f"intent_{n}", user_id="alice", product_query="x",
                            constraints={}, interval_minutes=5, status=status, next_check_at=db_time(T0),
                            created_at=db_time(T0), expires_at=db_time(T0 + timedelta(days=1)))


def test_transactions_newest_first_orders_by_time_then_id_and_filters_by_user(rt):
    with rt.db.write() as s:
        s.add_all([_tx(1, minutes=1), _tx(2, minutes=1), _tx(3, minutes=5, user="bob"), _tx(4, minutes=0)])
    with rt.db.read() as s:
        newest = [t.transaction_id for t in ledger.transactions_newest_first(s, 10)]
        assert newest == ["tx_03", "tx_01", "tx_02", "tx_04"]
        assert [t.transaction_id for t in ledger.transactions_newest_first(s, 2, "alice")] == ["tx_01", "tx_02"]


def test_autonomous_transactions_newest_first_keeps_the_users_hnp_ones(rt):
    with rt.db.write() as s:
        s.add_all([_tx(1, minutes=1), _tx(2, minutes=1), _tx(3, mode="hp", minutes=9), _tx(4, user="bob", minutes=9)])
    with rt.db.read() as s:
        assert [t.transaction_id for t in ledger.autonomous_transactions_newest_first(s, "alice", 10)] == \
            ["tx_02", "tx_01"]
        assert [t.transaction_id for t in ledger.autonomous_transactions_newest_first(s, "alice", 1)] == ["tx_02"]
        assert ledger.autonomous_transactions_newest_first(s, "carol", 5) == []


def test_autonomous_spent_since_adds_authorized_hnp_cents_from_start(rt):
    with rt.db.write() as s:
        s.add_all([_tx(1, cents=500, minutes=10), _tx(2, cents=70, minutes=20), _tx(3, cents=9, minutes=-1),
                   _tx(4, cents=1000, status=TransactionStatus.DECLINED, minutes=10),
                   _tx(5, cents=2000, mode="hp", minutes=10), _tx(6, cents=4000, user="bob", minutes=10)])
    with rt.db.read() as s:
        assert ledger.autonomous_spent_since(s, "alice", T0) == 570
        assert ledger.autonomous_spent_since(s, "carol", T0) == 0


def test_pending_signature_rows_are_the_users_waiting_mandates(rt):
    with rt.db.write() as s:
        s.add_all([_mandate("cart_a", status=MandateStatus.PENDING_SIGNATURE),
                   _mandate("cart_b", status=MandateStatus.SIGNED),
                   _mandate("cart_c", user="bob", status=MandateStatus.PENDING_SIGNATURE)])
    with rt.db.read() as s:
        assert [r.id for r in mandates.pending_signature_rows(s, "alice")] == ["cart_a"]


def test_counts(rt):
    with rt.db.read() as s:
        before = counts.mandate_count(s)
    with rt.db.write() as s:
        s.add_all([_mandate(f"intent_{n}") for n in range(4)])
        s.add_all([_job(0, JobStatus.ACTIVE), _job(1, JobStatus.PURCHASING), _job(2, JobStatus.AWAITING_USER),
                   _job(3, JobStatus.PURCHASED)])
        s.add_all([_tx(1), _tx(2, status=TransactionStatus.DECLINED)])
    with rt.db.read() as s:
        assert counts.mandate_count(s) == before + 4
        assert counts.scenario_counts(s) == {"transactions": 2, "authorized_transactions": 1,
                                             "active_monitoring_jobs": 3, "mandates": before + 4}


def test_readonly_reads_the_schema_version_and_the_users_signable_mandates(rt):
    with rt.db.write() as s:
        s.add_all([_mandate("cart_b", minutes=2, data={"n": 2}), _mandate("intent_a", minutes=1, data={"n": 1}),
                   _mandate("payment_c", data={"n": 3}), _mandate("cart_d", user="bob", data={"n": 4})])
    path = rt.db.path
    with sqlite3.connect(path) as con:
        expected = con.execute("PRAGMA user_version").fetchone()[0]
    assert readonly.schema_version(path) == expected
    assert readonly.user_signable_mandate_json(path, "alice") == ['{"n": 1}', '{"n": 2}']


def test_readonly_refuses_a_file_that_is_not_a_database(tmp_path):
    bad = tmp_path / "x.db"
    bad.write_bytes(b"not a database at all" * 100)
    with pytest.raises((StoreError, sqlite3.Error)):
        readonly.schema_version(bad)


def test_jobs_page_of_user_lists_live_jobs_first_and_counts_all(rt):
    from ghostcart_tui.ap2.records import Constraints
    from ghostcart_tui.services import intents, monitoring, signatures
    from ghostcart_tui.store.jobs import jobs_page_of_user

    ids = []
    for sku in ("prod_lamp_001", "prod_coffee_001", "prod_blender_001"):
        intent = intents.create_intent(rt, sku, Constraints(max_price_cents=1000), skus=[sku])
        signatures.request_signature(rt, intent.mandate_id)
        signatures.approve(rt, intent.mandate_id)
        ids.append(monitoring.activate(rt, intent.mandate_id).job_id)
        rt.clock.advance(timedelta(minutes=1))
    monitoring.cancel(rt, ids[2])  # the newest ends: it must come after the live ones
    with rt.db.read() as s:
        rows, total = jobs_page_of_user(s, rt.user_id, [JobStatus.ACTIVE], limit=2)
        assert total == 3 and [r.job_id for r in rows] == [ids[1], ids[0]]
        rows, _ = jobs_page_of_user(s, rt.user_id, [JobStatus.ACTIVE], limit=3)
        assert [r.job_id for r in rows] == [ids[1], ids[0], ids[2]]
        assert jobs_page_of_user(s, "someone_else", [JobStatus.ACTIVE], limit=3) == ([], 0)
