"""Monitoring: one sweep (services.monitoring.run_due_checks) over 1,000 / 10,000 / 100,000 active
intents, every one due and none matching, in a fresh process per size (peak RSS of that process
from os.wait4 and ru_maxrss); a variant where 1% match and are bought; and the TUI's response to
a key press while a sweep runs in a worker thread.

Set-up writes the rows in bulk straight into the tables (MandateRow, MonitoringJobRow): one intent
is signed through services and its stored JSON reused under distinct ids, since the sweep parses
an intent only when it buys. The intents that are meant to match (and so are bought) are signed
one by one, because a purchase validates the chain and each intent may buy only once.
"""

from __future__ import annotations

import itertools
import json
import sys
import time
from datetime import timedelta
from pathlib import Path

from ._core import Figure, Target, child_failure, figure, make_runtime, median, run_python, temp_home, unavailable

NAME = "monitoring"

# A handful of distinct product queries over the demo catalog (each one has hits).
QUERIES = ("AirPods", "coffee maker", "headphones", "blender", "backpack", "vacuum", "sneakers", "sheet set")
MATCH_QUERY = "desk lamp"  # $45.99, in stock, 1-day delivery
NO_MATCH_MAX_CENTS = 100  # $1.00: nothing in the catalog is that cheap
MATCH_MAX_CENTS = 10_000
CHUNK = 5_000


def build_db(home: Path, n: int, match_fraction: float = 0.0) -> dict:
    """A database under `home` with `n` active, due monitoring jobs of the runtime's user."""
    from sqlalchemy import insert

    from ghostcart_tui.ap2 import builders
    from ghostcart_tui.ap2.records import Constraints
    from ghostcart_tui.services import intents, signatures
    from ghostcart_tui.store import mandates
    from ghostcart_tui.store.engine import db_time
    from ghostcart_tui.store.tables import MandateRow, MonitoringJobRow

    rt = make_runtime(home)
    try:
        t0 = time.perf_counter()
        now = rt.clock.now()
        template = intents.create_intent(rt, "AirPods", Constraints(max_price_cents=NO_MATCH_MAX_CENTS),
                                         skus=["prod_airpods_001"])
        signatures.request_signature(rt, template.mandate_id)
        signatures.approve(rt, template.mandate_id)
        with rt.db.read() as s:
            trow = s.get(MandateRow, template.mandate_id)
        n_match = round(n * match_fraction)
        expires = db_time(now + timedelta(days=7))
        due = db_time(now)
        base_c = Constraints(max_price_cents=NO_MATCH_MAX_CENTS).model_dump() | {"skus": None}
        mtab, jtab = MandateRow.__table__, MonitoringJobRow.__table__
        for lo in range(0, n - n_match, CHUNK):
            hi = min(n - n_match, lo + CHUNK)
            ms, js = [], []
            for i in range(lo, hi):
                mid = f"intent_bench{i:07d}"
                ms.append(dict(id=mid, type="intent", user_id=rt.user_id, status="active", transaction_id=None,
                               mandate_data=trow.mandate_data, signer_identity=trow.signer_identity,
                               signature=trow.signature, validation_status="valid",
                               created_at=due, updated_at=due))
                js.append(dict(job_id=f"job_bench{i:07d}", intent_mandate_id=mid, user_id=rt.user_id,
                               product_query=QUERIES[i % len(QUERIES)], constraints=base_c,
                               interval_minutes=rt.settings.monitor_interval_minutes, status="active",
                               last_check_at=None, last_result=None, last_price_cents=None,
                               next_check_at=due, created_at=due, expires_at=expires, claim_id=None,
                               claimed_at=None, cart_mandate_id=None, payment_mandate_id=None,
                               transaction_id=None, payment_token=None))
            with rt.db.write() as s:
                conn = s.connection()
                conn.execute(insert(mtab), ms)
                conn.execute(insert(jtab), js)
        if n_match:
            ukey = rt.keys.user_key(rt.user_id)
            c = Constraints(max_price_cents=MATCH_MAX_CENTS)
            with rt.db.write() as s:
                for k in range(n_match):
                    rec = builders.build_intent(
                        mandate_id=f"intent_match{k:07d}", user_id=rt.user_id,
                        description=intents.describe_intent(MATCH_QUERY, c, 7), product_query=MATCH_QUERY,
                        constraints=c, expiry=now + timedelta(days=7), merchants=[rt.merchant_name],
                        skus=["prod_lamp_001"], payment_methods=template.payment_methods)
                    rec = builders.user_sign(rec, ukey, now, f"jti_match{k:07d}")
                    mandates.insert(s, rec, status="active", now=now, signer=f"user:{rt.user_id}")
                s.flush()
                s.connection().execute(insert(jtab), [dict(
                    job_id=f"job_match{k:07d}", intent_mandate_id=f"intent_match{k:07d}", user_id=rt.user_id,
                    product_query=MATCH_QUERY, constraints=c.model_dump() | {"skus": None},
                    interval_minutes=rt.settings.monitor_interval_minutes, status="active", last_check_at=None,
                    last_result=None, last_price_cents=None, next_check_at=due, created_at=due,
                    expires_at=expires, claim_id=None, claimed_at=None, cart_mandate_id=None,
                    payment_mandate_id=None, transaction_id=None, payment_token=None) for k in range(n_match)])
        # The template itself is not a job: drop it so exactly n jobs and n intents remain.
        with rt.db.write() as s:
            s.delete(s.get(MandateRow, template.mandate_id))
        return {"setup_s": time.perf_counter() - t0, "n": n, "matching": n_match}
    finally:
        rt.close()


# A fresh interpreter per sweep measurement, so its peak RSS is the sweep's (plus the runtime's).
SWEEP_CHILD = r"""
import json, sys, time
from datetime import timedelta
from pathlib import Path
from bench._core import make_runtime, rss_mb, peak_rss_mb
from ghostcart_tui.services.monitoring import run_due_checks

home, sweeps = Path(sys.argv[1]), int(sys.argv[2])
rt = make_runtime(home)
out = {"rss_before_mb": rss_mb(), "peak_before_mb": peak_rss_mb(), "sweeps": []}
for i in range(sweeps):
    if i:
        rt.clock.advance(timedelta(minutes=rt.settings.monitor_interval_minutes))
    t0 = time.perf_counter()
    r = run_due_checks(rt)
    out["sweeps"].append({"s": time.perf_counter() - t0, "checked": r.checked, "matched": r.matched,
                          "purchased": r.purchased, "queries": r.queries, "expired": r.expired})
out["peak_mb"] = peak_rss_mb()
rt.close()
print(json.dumps(out))
"""


def sweep(n: int, sweeps: int, match_fraction: float = 0.0) -> dict:
    with temp_home() as home:
        setup = build_db(home, n, match_fraction)
        r = run_python(SWEEP_CHILD, str(home), str(sweeps), timeout=1800)
        db_mb = sum(p.stat().st_size for p in home.glob("ghostcart.db*")) / 1e6
    if r.returncode != 0 or not r.data:
        return {"error": child_failure(r)}
    d = r.data
    d.update(setup, wall_child_s=r.wall, maxrss_mb=r.maxrss_mb, db_mb=db_mb)
    return d


def bench_sweeps(sizes: tuple[int, ...], sweeps: int, match_sizes: tuple[int, ...]) -> list[Figure]:
    figs: list[Figure] = []
    medians: dict[int, float] = {}
    for n in sizes:
        d = sweep(n, sweeps)
        if "error" in d:
            figs.append(unavailable(NAME, f"sweep_{n}_s", f"sweep, {n:,} intents", d["error"]))
            continue
        times = [s["s"] for s in d["sweeps"]]
        checked = d["sweeps"][0]["checked"]
        medians[n] = median(times)
        target = Target("max", 1.0, "< 1 s") if n == 10_000 else None
        figs.append(figure(NAME, f"sweep_{n}_s", f"sweep, {n:,} due intents, none matching", medians[n], "s",
                           target=target, samples=times,
                           note=f"{checked:,} checked, {d['sweeps'][0]['queries']} distinct queries, "
                                f"{medians[n] / max(checked, 1) * 1e6:.0f} µs per intent; "
                                f"set-up {d['setup_s']:.1f} s, DB {d['db_mb']:.0f} MB"))
        figs.append(figure(NAME, f"sweep_{n}_peak_rss_mb", f"peak RSS, {n:,} intents", d["maxrss_mb"], "MB",
                           target=Target("max", 300, "< 300 MB"),
                           note=f"{d['rss_before_mb']:.0f} MB before the sweep (interpreter, imports, runtime); "
                                f"+{d['maxrss_mb'] - d['rss_before_mb']:.0f} MB during it"))
        if checked != n:
            figs[-2].note += f"; WARNING: checked {checked} of {n}"
    for small, big in itertools.pairwise(sizes):
        if small in medians and big in medians:
            g = medians[big] / medians[small]
            figs.append(figure(NAME, f"growth_{big}_{small}", f"growth {big:,} / {small:,} intents", g, "×",
                               target=Target("max", 1.2 * big / small, f"≤ {1.2 * big / small:g}× (near-linear)",
                                             inclusive=True),
                               note=f"linear would be {big / small:g}×"))
    for n in match_sizes:
        d = sweep(n, 1, match_fraction=0.01)
        if "error" in d:
            figs.append(unavailable(NAME, f"sweep_{n}_match_s", f"sweep, {n:,} intents, 1% match", d["error"]))
            continue
        s = d["sweeps"][0]
        per_buy = (s["s"] - medians[n]) / s["purchased"] if n in medians and s["purchased"] else None
        figs.append(figure(NAME, f"sweep_{n}_match_s", f"sweep, {n:,} intents, 1% match (bought)", s["s"], "s",
                           baseline=medians.get(n), baseline_label="same size, none matching",
                           note=f"{s['matched']} matched, {s['purchased']} bought"
                                + (f"; ≈{per_buy * 1000:.0f} ms per autonomous purchase" if per_buy else "")))
    return figs


# ---- the TUI while a sweep runs ----------------------------------------------------------------

TUI_CHILD = r"""
import asyncio, json, os, sys, threading, time
from pathlib import Path
from textual import events
from bench._core import make_runtime
from ghostcart_tui.services.monitoring import run_due_checks
from ghostcart_tui.tui.app import GhostCartApp

home, presses, cap, settle = Path(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
GAP = 0.03  # seconds between key presses


class StubConversation:
    model_label, provider, provider_reason = "bench stub", "offline", "benchmark"

    def history(self):
        return []

    def pending_signature(self):
        return None


def presser(app, phase_of, cap, gap, stop_at, out):
    # A terminal's input thread: keys arrive at wall-clock times, whatever the app is doing, and
    # are handed to the app with driver.send_message (thread-safe). Latency is the time until the
    # focused Input shows the key. Pilot.press is not used: it waits for the app to be idle.
    box = app.query_one("#chat-input")
    while True:
        phase = phase_of()
        if phase is None or time.perf_counter() > stop_at():
            return
        before = box.value
        key = events.Key("b", "b")
        key.set_sender(app)
        t0 = time.perf_counter()
        app._driver.send_message(key)
        while box.value == before:
            if time.perf_counter() - t0 > cap:
                out["timeout"] = phase
                out["timeout_sent_at"] = t0
                return
            time.sleep(0.0005)
        out[phase].append(time.perf_counter() - t0)
        time.sleep(gap)


async def main():
    rt = make_runtime(home)
    app = GhostCartApp(rt, conversation_factory=lambda _rt: StubConversation(), start_monitor=False)
    out = {"idle": [], "during": [], "after": [], "timeout": None}
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_ready(30)
        app.query_one("#chat-input").focus()
        await pilot.pause()
        # The Monitoring pane is mounted and refreshed every REFRESH_EVERY seconds during the sweep,
        # as when its tab is shown (its dirty flush); keys go to the chat box, the one place a typed
        # key shows, so the tab stays on Chat.
        from ghostcart_tui.tui.panes import REFRESH_EVERY
        await app._ensure_pane("monitoring")
        await app.workers.wait_for_complete()
        app.query_one("#chat-input").focus()
        await pilot.pause()
        t0 = time.perf_counter()
        app.refresh_jobs()
        await app.workers.wait_for_complete()
        out["refresh_jobs_s"] = time.perf_counter() - t0
        await pilot.pause()
        n_idle = [0]

        def idle_phase():
            n_idle[0] += 1
            return "idle" if n_idle[0] <= presses else None

        await asyncio.to_thread(presser, app, idle_phase, cap, GAP, lambda: float("inf"), out)
        done = threading.Event()
        report = {}
        t_done = [None]

        def sweep():
            t0 = time.perf_counter()
            r = run_due_checks(rt)
            report.update(s=time.perf_counter() - t0, checked=r.checked, events=len(r.events))
            t_done[0] = time.perf_counter()
            done.set()

        app.set_interval(REFRESH_EVERY, app.refresh_jobs, name="bench-refresh")
        app.run_worker(sweep, thread=True, exit_on_error=False)
        phase = lambda: "after" if done.is_set() else "during"
        stop_at = lambda: (t_done[0] + settle) if t_done[0] is not None else float("inf")

        def measure_and_exit():
            # Runs in its own thread: after a sweep the app's loop may be busy for minutes, and
            # this process must report and end without waiting for it.
            presser(app, phase, cap, GAP, stop_at, out)
            done.wait(600)
            if out.get("timeout_sent_at") is not None:
                out["timeout_vs_done_s"] = out.pop("timeout_sent_at") - t_done[0]
            out["sweep_s"] = report.get("s")
            out["checked"] = report.get("checked")
            out["events"] = report.get("events")
            print(json.dumps(out), flush=True)
            os._exit(0)

        threading.Thread(target=measure_and_exit, daemon=True).start()
        await asyncio.sleep(3600)


asyncio.run(main())
os._exit(0)
"""


def bench_tui(n: int, presses: int, cap: float = 5.0, settle: float = 5.0) -> list[Figure]:
    """Key presses while a sweep of n intents runs in a worker, and for `settle` seconds after it
    ends (its events still reach the TUI then). A press with no response within `cap` seconds ends
    the measurement and is counted as `cap`."""
    from .bench_startup import _tui_available

    target = Target("max", 50, "< 50 ms")
    label = "TUI key press while a sweep runs"
    why = _tui_available()
    if why:
        return [unavailable(NAME, "tui_keypress_sweep_ms", label, why, target)]
    with temp_home() as home:
        build_db(home, n)
        r = run_python(TUI_CHILD, str(home), str(presses), str(cap), str(settle), timeout=900)
    if not r.data:
        return [unavailable(NAME, "tui_keypress_sweep_ms", label, child_failure(r), target)]
    d = r.data
    idle = [x * 1000 for x in d["idle"] if x is not None]
    during = [x * 1000 for x in d["during"]]
    after = [x * 1000 for x in d["after"]]
    if d["timeout"]:
        (during if d["timeout"] == "during" else after).append(cap * 1000)
    allp = during + after
    if not allp:
        return [unavailable(NAME, "tui_keypress_sweep_ms", label, "no key press was measured", target)]
    base = median(idle) if idle else None
    note = (f"{len(during)} presses during the {n:,}-intent sweep ({d.get('sweep_s') or float('nan'):.2f} s in a "
            f"worker), {len(after)} in the {settle:g} s after it (its {d.get('events') or 0:,} events reach the TUI)")
    if d["timeout"]:
        rel = d.get("timeout_vs_done_s")
        when = (f"sent {abs(rel) * 1000:.0f} ms {'after' if rel >= 0 else 'before'} the sweep's end"
                if rel is not None else f"sent {d['timeout']} the sweep")
        note += f"; a press {when} got no response within {cap:g} s (counted as {cap:g} s)"
    figs = [
        figure(NAME, "tui_keypress_idle_ms", "TUI key press, idle (baseline)", base, "ms", samples=idle),
        figure(NAME, "tui_keypress_sweep_ms", f"{label} (median)", median(allp), "ms", baseline=base,
               baseline_label="idle", target=target, samples=allp, note=note),
        figure(NAME, "tui_keypress_sweep_max_ms", f"{label} (worst)", max(allp), "ms", baseline=base,
               baseline_label="idle", target=target,
               note=(f"during: max {max(during):.0f} ms; " if during else "during: none; ")
                    + (f"after: max {max(after):.0f} ms" if after else "after: none")),
        figure(NAME, "tui_refresh_jobs_ms", f"one Monitoring-pane refresh with {n:,} jobs",
               d["refresh_jobs_s"] * 1000, "ms",
               note="until the table is filled (query in a thread, fill in batches); during the sweep the "
                    "pane refreshes every REFRESH_EVERY s, as when its tab is shown"),
    ]
    return figs


def run(*, quick: bool = False, sizes: tuple[int, ...] | None = None, sweeps: int | None = None,
        match_sizes: tuple[int, ...] | None = None, tui_intents: int | None = None,
        presses: int | None = None, settle: float = 5.0, tui: bool = True) -> list[Figure]:
    sizes = sizes or ((1_000, 10_000) if quick else (1_000, 10_000, 100_000))
    sweeps = sweeps or (1 if quick else 3)
    match_sizes = match_sizes if match_sizes is not None else ((1_000,) if quick else (1_000, 10_000))
    figs = bench_sweeps(sizes, sweeps, match_sizes)
    if tui:
        figs += bench_tui(tui_intents or (1_000 if quick else 10_000), presses or (5 if quick else 10),
                          settle=settle)
    return figs


if __name__ == "__main__":
    for f in run(quick="--quick" in sys.argv):
        print(json.dumps(f.to_json()))
