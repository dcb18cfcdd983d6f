import re
import threading
from collections import Counter

import pytest

from ghostcart_tui.commerce.processor import DECLINE_REASONS, AuthorizationResult, PaymentProcessor, describe_decline

TOKEN = "tok_visa_4242"
CODE_RE = re.compile(r"^[A-Z0-9]{6}$")


def test_same_seed_and_id_give_the_same_answer_across_instances():
    a = [PaymentProcessor(seed=7).authorize(f"pm_{i}", 5000, TOKEN) for i in range(200)]
    b = [PaymentProcessor(seed=7).authorize(f"pm_{i}", 5000, TOKEN) for i in range(200)]
    assert a == b


def test_a_different_seed_changes_the_answers():
    a = [PaymentProcessor(seed=1).authorize(f"pm_{i}", 5000, TOKEN) for i in range(200)]
    b = [PaymentProcessor(seed=2).authorize(f"pm_{i}", 5000, TOKEN) for i in range(200)]
    assert a != b


def test_realistic_mode_approves_about_ninety_percent():
    proc = PaymentProcessor(seed=0)
    results = [proc.authorize(f"pm_{i:05d}", 5000, TOKEN) for i in range(2000)]
    approved = sum(r.approved for r in results)
    assert 0.86 * 2000 <= approved <= 0.94 * 2000
    reasons = Counter(r.decline_reason for r in results if not r.approved)
    assert set(reasons) == {"insufficient_funds", "card_expired", "issuer_declined"}


def test_results_are_well_formed():
    proc = PaymentProcessor(seed=3)
    for i in range(300):
        r = proc.authorize(f"pm_{i}", 1234, TOKEN)
        assert r.processor_ref
        if r.approved:
            assert CODE_RE.match(r.authorization_code) and r.decline_reason is None
        else:
            assert r.authorization_code is None and r.decline_reason in DECLINE_REASONS


def test_fraud_threshold_declines_in_both_modes():
    for mode in ("realistic", "approve_all"):
        proc = PaymentProcessor(mode=mode, fraud_threshold_cents=80_000)
        assert proc.authorize("pm_big", 80_001, TOKEN).decline_reason == "fraud_suspected"
        assert proc.authorize("pm_edge", 80_000, TOKEN).decline_reason != "fraud_suspected"


def test_demo_totals_straddle_the_default_fraud_threshold():
    proc = PaymentProcessor(mode="approve_all")
    assert proc.authorize("pm_vacuum", 59999 + 4800 + 1000, TOKEN).approved  # $657.99
    tablet_total = 79900 + 6392 + 1000  # $872.92, over $800
    assert proc.authorize("pm_tablet", tablet_total, TOKEN).decline_reason == "fraud_suspected"


def test_approve_all_approves_everything_under_the_threshold():
    proc = PaymentProcessor(mode="approve_all", seed=0)
    assert all(proc.authorize(f"pm_{i}", 5000, TOKEN).approved for i in range(500))


def test_set_mode_switches_behaviour():
    probe = PaymentProcessor(seed=0)
    ids = (f"pm_{i}" for i in range(1000))
    declined = next(i for i in ids if not probe.authorize(i, 100, TOKEN).approved)
    proc = PaymentProcessor(seed=0)
    proc.set_mode("approve_all")
    assert proc.mode == "approve_all"
    assert proc.authorize(declined, 100, TOKEN).approved
    with pytest.raises(ValueError, match="mode"):
        proc.set_mode("yolo")  # type: ignore[arg-type]


@pytest.mark.parametrize("reason", DECLINE_REASONS)
def test_force_next_decline_is_used_once(reason):
    proc = PaymentProcessor(mode="approve_all")
    proc.force_next(reason)
    first = proc.authorize("pm_1", 5000, TOKEN)
    assert (first.approved, first.decline_reason, first.authorization_code) == (False, reason, None)
    assert proc.authorize("pm_2", 5000, TOKEN).approved  # the forcing is used up


def test_force_next_approval_beats_fraud_rule_and_queues_in_order():
    proc = PaymentProcessor()
    proc.force_next(None)
    proc.force_next("card_expired")
    assert proc.authorize("pm_1", 10_000_000, TOKEN).approved
    assert proc.authorize("pm_2", 5000, TOKEN).decline_reason == "card_expired"


def test_force_next_rejects_unknown_reasons():
    with pytest.raises(ValueError, match="unknown decline reason"):
        PaymentProcessor().force_next("bad_vibes")


def test_retry_with_same_id_is_idempotent_and_keeps_forced_answers():
    proc = PaymentProcessor(mode="approve_all")
    first = proc.authorize("pm_1", 5000, TOKEN)
    proc.force_next("insufficient_funds")
    again = proc.authorize("pm_1", 5000, TOKEN)
    assert again == first and again.approved  # the retry did not consume the forced decline
    assert proc.authorize("pm_2", 5000, TOKEN).decline_reason == "insufficient_funds"


def test_idempotent_decline_stays_declined_after_mode_change():
    proc = PaymentProcessor(mode="realistic")
    proc.force_next("issuer_declined")
    first = proc.authorize("pm_1", 5000, TOKEN)
    proc.set_mode("approve_all")
    assert proc.authorize("pm_1", 5000, TOKEN) == first


def test_approval_codes_are_deterministic_per_id():
    a = PaymentProcessor(mode="approve_all", seed=9).authorize("pm_x", 100, TOKEN)
    b = PaymentProcessor(mode="approve_all", seed=9).authorize("pm_x", 999, "tok_amex_0005")
    assert a.authorization_code == b.authorization_code and CODE_RE.match(a.authorization_code)


@pytest.mark.parametrize("amount", [0, -1, -5000])
def test_non_positive_amount_is_a_value_error(amount):
    with pytest.raises(ValueError):
        PaymentProcessor().authorize("pm_1", amount, TOKEN)


def test_raw_card_numbers_are_refused():
    with pytest.raises(ValueError, match="raw card numbers"):
        PaymentProcessor().authorize("pm_1", 100, "4242 4242 4242 4242")


def test_concurrent_retries_get_one_answer_and_use_one_forced_decline():
    proc = PaymentProcessor(mode="approve_all")
    proc.force_next("card_expired")
    results: list[AuthorizationResult] = []

    def go() -> None:
        results.append(proc.authorize("pm_same", 5000, TOKEN))

    threads = [threading.Thread(target=go) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 16 and len(set(results)) == 1
    assert results[0].decline_reason == "card_expired"
    assert proc.authorize("pm_other", 5000, TOKEN).approved


def test_every_reason_has_human_text():
    assert describe_decline("insufficient_funds") == "insufficient funds"
    for reason in DECLINE_REASONS:
        text = describe_decline(reason)
        assert text and "_" not in text
    assert describe_decline("something_new") == "something new"
