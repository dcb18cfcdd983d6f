"""Issue 13, defects 3 and 4: a process acts only on its own user's jobs; a failed
`monitor run --once` says what failed, exits non-zero and releases the lease and the claim."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from ghostcart_tui.ap2.keyfiles import KeyStoreError
from ghostcart_tui.cli import app
from ghostcart_tui.core.clock import FakeClock
from ghostcart_tui.core.errors import NotFound
from ghostcart_tui.core.settings import Settings
from ghostcart_tui.services import catalog, lease, monitoring
from ghostcart_tui.services.runtime import open_runtime

from .helpers import charge_counts, signed_intent

FIVE_MIN = timedelta(minutes=5)


def as_user(rt, user_id: str):
    settings = rt.settings.model_copy(update={"user_id": user_id})
    return open_runtime(settings, clock=rt.clock, seed=None, log=False)


def job_row(rt) -> dict:
    con = sqlite3.connect(rt.db.path)
    con.row_factory = sqlite3.Row
    try:
        return dict(con.execute("SELECT * FROM monitoring_jobs").fetchone())
    finally:
        con.close()


# ---- defect 3 ----------------------------------------------------------------------------------

def test_another_users_sweep_never_touches_my_job(rt):
    signed_intent(rt)
    catalog.set_price(rt, "prod_airpods_001", 17500)
    alice = as_user(rt, "alice")
    rt.clock.advance(FIVE_MIN)
    report = monitoring.run_due_checks(alice)
    assert (report.checked, report.matched, report.purchased) == (0, 0, 0)
    assert monitoring.check_now(alice).checked == 0
    before = job_row(rt)
    assert before["status"] == "active" and before["last_check_at"] is None
    assert charge_counts(rt) == (0, 0, 0)
    assert monitoring.run_due_checks(rt).purchased == 1  # mine still buys, as me
    alice.close()


@pytest.mark.parametrize("action", ["cancel", "get", "retry"])
def test_another_user_cannot_act_on_or_read_my_job(rt, action):
    signed_intent(rt)
    job_id = monitoring.list_jobs(rt)[0].job_id
    alice = as_user(rt, "alice")
    fn = {"cancel": monitoring.cancel, "get": monitoring.get_job, "retry": monitoring.retry}[action]
    with pytest.raises(NotFound, match="no such watch"):
        fn(alice, job_id)
    assert monitoring.list_jobs(alice) == [] and monitoring.list_jobs(alice, user_id=rt.user_id) == []
    assert monitoring.get_job(rt, job_id).status == "active"
    alice.close()


def test_cli_cancel_of_another_users_watch_fails_plainly(rt, monkeypatch):
    signed_intent(rt)
    job_id = monitoring.list_jobs(rt)[0].job_id
    home = rt.settings.data_home
    rt.close()
    r = CliRunner().invoke(app, ["--home", str(home), "--user", "alice", "monitor", "cancel", job_id])
    assert r.exit_code == 1 and "no such watch" in r.output
    r = CliRunner().invoke(app, ["--home", str(home), "--user", "alice", "monitor", "list", "--json"])
    assert r.exit_code == 0 and job_id not in r.output


def test_each_user_has_its_own_lease(rt):
    alice = as_user(rt, "alice")
    assert lease.acquire(alice, "cli@host:1")
    assert lease.acquire(rt, "cli@host:2")  # alice's monitor does not block user_demo's
    alice.close()


# ---- defect 4 ----------------------------------------------------------------------------------

def _encrypted_home(tmp_path):
    """A home whose keys are encrypted with 'right', with a watch whose conditions now hold."""
    settings = Settings(data_home=tmp_path, model_provider="offline", processor="approve_all",
                        key_passphrase="right")
    rt = open_runtime(settings, clock=FakeClock("2026-11-26T10:00:00Z"), seed=7,
                      log=False)
    signed_intent(rt)
    rt.keys.merchant_key()
    catalog.set_price(rt, "prod_airpods_001", 17500)
    with rt.db.write() as s:  # due now
        s.connection().exec_driver_sql("UPDATE monitoring_jobs SET next_check_at = '2000-01-01 00:00:00.000000'")
    rt.close()
    return settings


@pytest.mark.parametrize("passphrase", ["wrong", None])
def test_once_with_a_bad_passphrase_fails_loudly_and_releases_everything(tmp_path, monkeypatch, passphrase):
    settings = _encrypted_home(tmp_path)
    if passphrase is None:
        monkeypatch.delenv("GHOSTCART_KEY_PASSPHRASE", raising=False)
    else:
        monkeypatch.setenv("GHOSTCART_KEY_PASSPHRASE", passphrase)
    r = CliRunner().invoke(app, ["--home", str(tmp_path), "monitor", "run", "--once"])
    assert r.exit_code != 0, r.output
    assert "another process" not in r.output
    assert "keys cannot be opened" in r.output
    rt = open_runtime(settings, log=False)
    try:
        assert lease.current(rt) is None  # released at once, not held for 3 minutes
        j = job_row(rt)
        assert j["status"] == "active" and j["claim_id"] is None
        assert charge_counts(rt) == (0, 0, 0)
    finally:
        rt.close()


def test_a_failure_inside_a_purchase_releases_the_claim_and_the_lease(rt, monkeypatch):
    from ghostcart_tui.services import monitoring_purchase

    signed_intent(rt)
    catalog.set_price(rt, "prod_airpods_001", 17500)
    rt.clock.advance(FIVE_MIN)

    def broken(*a, **k):
        raise KeyStoreError("agent.pem cannot be decrypted (wrong passphrase?)")

    monkeypatch.setattr(monitoring_purchase.builders, "agent_sign_cart", broken)
    with pytest.raises(monitoring.MonitoringFailed, match="cannot be decrypted"):
        monitoring.run_once(rt, "cli@host:1")
    assert lease.current(rt) is None
    j = job_row(rt)
    assert j["status"] == "active" and j["claim_id"] is None and "check failed" in j["last_result"]
    assert charge_counts(rt) == (0, 0, 0)
    monkeypatch.undo()
    assert monitoring.run_once(rt, "cli@host:1").purchased == 1  # nothing left blocked


def test_a_busy_lease_names_the_other_holder_not_itself(rt):
    assert lease.acquire(rt, "tui@elsewhere:42")
    with pytest.raises(monitoring.MonitoringBusy, match="tui@elsewhere:42"):
        monitoring.run_once(rt, "cli@here:1")
    assert monitoring.run_once(rt, "tui@elsewhere:42").checked == 0  # its own holder is never "another"
