"""Scenario files: valid ones load; invalid ones are refused with the line and the reason."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ghostcart_tui.replay.schema import Expectation, ScenarioError, load_scenario

GOOD = """\
name: Buy a coffee maker now
description: free text
settings:
  user: user_demo
  start: "2026-11-26T10:00:00Z"
  seed: 7
  processor: realistic
  model: offline
steps:
  - say: "Find me a coffee maker under $90"
  - expect: {event: product_results, includes: [prod_coffee_001]}
  - sign: approve
  - set_price: {product_id: prod_airpods_001, price_cents: 17500}
  - set_stock: {product_id: prod_airfryer_001, in_stock: true}
  - next_payment: {decline: insufficient_funds}
  - next_payment: {approve: true}
  - advance: 5m
  - expect_not: {event: autonomous_purchase_complete}
  - expect_state: {transactions: 1, active_monitoring_jobs: 0}
"""


def test_the_documented_example_loads(write_scenario):
    sc = load_scenario(write_scenario(GOOD))
    assert sc.name == "Buy a coffee maker now"
    assert [s.kind for s in sc.steps] == ["say", "expect", "sign", "set_price", "set_stock", "next_payment",
                                          "next_payment", "advance", "expect_not", "expect_state"]
    assert sc.steps[0].line == 10 and sc.steps[0].index == 1
    assert sc.steps[7].value == timedelta(minutes=5)
    exp = sc.steps[1].value
    assert isinstance(exp, Expectation) and exp.as_dict() == {"event": "product_results",
                                                              "includes": ["prod_coffee_001"]}
    assert sc.settings.seed == 7 and sc.settings.processor == "realistic"


def test_defaults_when_settings_are_missing(write_scenario):
    sc = load_scenario(write_scenario("name: x\nsteps:\n  - say: hi\n"))
    assert sc.settings.user == "user_demo" and sc.settings.model == "offline"
    assert sc.settings.start == "2026-11-26T10:00:00Z"


@pytest.mark.parametrize("text, line, reason", [
    ("name: x\nsteps:\n  - say: [unclosed\n", 4, "YAML error"),
    ("name: x\nsteps:\n  - say: hi\n  - shout: hi\n", 4, "unknown step type 'shout'"),
    ("name: x\nsteps:\n  - say: hi\n  - sign: maybe\n", 4, "sign is approve or decline"),
    ("name: x\nsteps:\n  - advance: soon\n", 3, "not a duration"),
    ("name: x\nsteps:\n  - next_payment: {decline: bad_luck}\n", 3, "unknown decline reason"),
    ("name: x\nsteps:\n  - expect_state: {orders: 1}\n", 3, "unknown key 'orders'"),
    ("name: x\nsteps:\n  - expect: {status: authorized}\n", 3, "missing required key 'event'"),
    ("name: x\nsteps:\n  - set_price:\n      product_id: p\n      price_cents: -5\n", 5, "price_cents"),
    ("name: x\nsettings:\n  processor: sometimes\nsteps:\n  - say: hi\n", 3, "processor"),
    ("name: x\nsettings:\n  start: yesterday\nsteps:\n  - say: hi\n", 3, "start"),
    ("steps:\n  - say: hi\n", 1, "missing required key 'name'"),
    ("name: x\n", 1, "missing required key 'steps'"),
    ("name: x\nsteps: []\ncolour: red\n", 3, "unknown key 'colour'"),
    ("name: x\nsteps:\n  - {say: hi, sign: approve}\n", 3, "exactly one key"),
    ("- just\n- a list\n", 1, "a scenario is a mapping"),
])
def test_invalid_files_name_the_line_and_the_reason(write_scenario, text, line, reason):
    with pytest.raises(ScenarioError) as err:
        load_scenario(write_scenario(text))
    assert err.value.line == line, str(err.value)
    assert reason in err.value.reason
    assert str(err.value).startswith(f"{err.value.path}:{line}: ")
