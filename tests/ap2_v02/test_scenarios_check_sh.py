"""Every purchase of every shipped scenario (run through the replay runner, the real
Conversation on the offline model) exports as AP2 v0.2, and the official SDK's checker
(../shared/ap2-v0.2/check.sh) and `ghostcart verify`'s verifier both accept it.

The SDK checks expiry against the real clock, so each scenario starts just far enough in the past
that its fake clock never runs ahead of real time."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta

import pytest

from ghostcart_tui.ap2.v02.verify import verify_export
from ghostcart_tui.replay.runner import ScenarioRunner
from ghostcart_tui.replay.schema import load_scenario
from ghostcart_tui.services import ap2_v02
from ghostcart_tui.store.tables import TransactionRow

from .conftest import CHECK_SH, SCENARIOS, needs_check_sh, run_check_sh

FILES = sorted(SCENARIOS.glob("*.yaml"))


def _recent(scenario):
    advance = sum((st.value for st in scenario.steps if st.kind == "advance"), timedelta())
    start = datetime.now(UTC).replace(microsecond=0) - advance - timedelta(minutes=2)
    settings = scenario.settings.model_copy(update={"start": start.strftime("%Y-%m-%dT%H:%M:%SZ")})
    return dataclasses.replace(scenario, settings=settings)


def export_scenario(path, out_dir) -> list[tuple[str, str, object]]:
    """Run one scenario; export each transaction it made (id, status, file)."""
    found: list[tuple[str, str, object]] = []

    def on_finish(result):
        rt = runner.rt
        with rt.db.read() as s:
            txs = [(t.transaction_id, t.status) for t in s.query(TransactionRow).all()]
        for tx_id, status in txs:
            found.append((tx_id, status, ap2_v02.export_v02(rt, tx_id, out_dir / f"{path.stem}-{tx_id}.json")))

    import asyncio

    runner = ScenarioRunner(_recent(load_scenario(path)), on_finish=on_finish)
    result = asyncio.run(runner.run())
    assert result.passed, result.failure and result.failure.message
    return found


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_purchase_exports_and_verifies(path, tmp_path):
    exports = export_scenario(path, tmp_path)
    for tx_id, _status, file in exports:
        doc = json.loads(file.read_text())
        report = verify_export(doc)
        assert report.ok, (tx_id, [(v.check, v.reason) for v in report.failures])
        assert doc["mode"] in ("human_present", "human_not_present")
    if exports and CHECK_SH.exists():
        for tx_id, status, file in exports:
            r = run_check_sh(file)
            assert r.returncode == 0, f"{path.stem} {tx_id} ({status}): {r.stdout}{r.stderr[-2000:]}"
            assert r.stdout.strip().splitlines()[-1].startswith("ok: AP2 v0.2")
            print(f"check.sh {path.stem} {tx_id} {status}: {r.stdout.strip().splitlines()[-1]}")


@needs_check_sh
def test_the_scenarios_buy_in_both_modes(tmp_path):
    modes = set()
    for path in FILES:
        if path.stem in ("hp_single_match", "hnp_price_drop"):
            for _, _, file in export_scenario(path, tmp_path):
                modes.add(json.loads(file.read_text())["mode"])
    assert modes == {"human_present", "human_not_present"}
