"""The runner's windows, checks and failure report, driven by a scripted fake conversation."""

from __future__ import annotations

from ghostcart_tui.core.events import (
    AgentMessage,
    CartCreated,
    MandateSigned,
    ProductResults,
    SignatureRequested,
    TransactionRecorded,
)
from ghostcart_tui.replay.runner import run_scenario
from ghostcart_tui.replay.schema import load_scenario

from .conftest import FakeDriver, Pending

SCRIPT = {
    "buy it": [ProductResults(query="coffee", product_ids=["prod_coffee_001"]),
               CartCreated(mandate_id="cart_1", product_ids=["prod_coffee_001"], total_cents=8452),
               SignatureRequested(mandate_id="cart_1", mandate_type="cart", total_cents=8452),
               AgentMessage(agent="shopping", text="Please sign the cart.")],
}
ON_SIGN = [MandateSigned(mandate_id="cart_1", mandate_type="cart", signer="user"),
           TransactionRecorded(transaction_id="txn_1", status="authorized", amount_cents=8452, mode="hp")]


def fake(pending=True):
    def factory(rt, scenario):
        factory.driver = FakeDriver(rt, SCRIPT, ON_SIGN, Pending("cart_1", "cart", 8452) if pending else None)
        return factory.driver
    return factory


def run(write_scenario, text, factory=None):
    return run_scenario(load_scenario(write_scenario(text)), driver_factory=factory or fake())


def test_a_passing_script(write_scenario):
    factory = fake()
    r = run(write_scenario, """\
name: ok
steps:
  - say: buy it
  - expect: {event: signature_requested, mandate_type: cart, total_cents: 8452}
  - expect: {event: product_results, includes: [prod_coffee_001]}
  - sign: approve
  - expect: {event: transaction, status: authorized}
  - expect_not: {event: cart_created}
  - expect_state: {transactions: 0, mandates: 0}
""", factory)
    assert r.passed, r.failure and r.failure.message
    assert factory.driver.sent == ["buy it"] and factory.driver.answers == [("cart_1", True)]
    kinds = [line.kind for line in r.transcript]
    assert kinds[0] == "you" and "agent" in kinds and "pass" in kinds
    assert r.counts["transactions"] == 0


def test_expect_only_sees_the_current_window(write_scenario):
    r = run(write_scenario, """\
name: window
steps:
  - say: buy it
  - sign: approve
  - expect: {event: cart_created}
""")
    f = r.failure
    assert f is not None and f.step.index == 3 and f.step.line == 5
    assert "step 3 (line 5)" in f.message and "no event in the window matched" in f.message
    assert f.window_opener.index == 2
    assert [e["event"] for e in f.window] == ["mandate_signed", "transaction"]


def test_the_failure_names_the_step_and_the_near_misses(write_scenario):
    r = run(write_scenario, """\
name: wrong status
steps:
  - say: buy it
  - sign: approve
  - expect: {event: transaction, status: declined}
  - expect_state: {transactions: 5}
""")
    f = r.failure
    assert f.step.index == 3 and not r.passed
    assert f.near_misses and f.near_misses[0][1] == ["status is 'authorized', not 'declined'"]
    assert len(r.outcomes) == 3  # the run stops at the first failure


def test_expect_not_fails_on_a_match(write_scenario):
    r = run(write_scenario, """\
name: expect_not
steps:
  - say: buy it
  - expect_not: {event: cart_created, total_cents: 8452}
""")
    assert r.failure.step.index == 2
    assert "a matching event was seen: cart_created" in r.failure.message


def test_sign_without_a_pending_signature_fails(write_scenario):
    r = run(write_scenario, "name: s\nsteps:\n  - sign: approve\n", fake(pending=False))
    assert r.failure.step.index == 1 and "no signature is pending" in r.failure.message


def test_expect_state_reports_the_counts(write_scenario):
    r = run(write_scenario, "name: s\nsteps:\n  - say: buy it\n  - expect_state: {transactions: 2}\n")
    assert "transactions is 0, expected 2" in r.failure.message


def test_world_steps_change_the_catalog_and_clock(write_scenario):
    seen = {}

    def factory(rt, scenario):
        seen["rt"] = rt
        return FakeDriver(rt, {})

    r = run(write_scenario, """\
name: world
steps:
  - set_price: {product_id: prod_airpods_001, price_cents: 17500}
  - expect: {event: world_changed, product_id: prod_airpods_001, price_cents: 17500}
  - set_stock: {product_id: prod_airfryer_001, in_stock: true}
  - next_payment: {decline: insufficient_funds}
  - advance: 2h
  - expect_not: {event: world_changed}
""", factory)
    assert r.passed, r.failure and r.failure.message
    assert "2026-11-26T12:00:00Z" in " ".join(line.text for line in r.transcript)


def test_a_service_error_fails_the_step(write_scenario):
    r = run(write_scenario, "name: s\nsteps:\n  - set_price: {product_id: prod_nope, price_cents: 100}\n")
    assert r.failure.step.index == 1 and "prod_nope" in r.failure.message


def test_a_driver_that_cannot_start_is_an_error(write_scenario):
    def broken(rt, scenario):
        raise RuntimeError("no model")

    r = run(write_scenario, "name: s\nsteps:\n  - say: hi\n", broken)
    assert not r.passed and "no model" in r.error
