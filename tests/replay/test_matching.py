from ghostcart_tui.replay.matching import find, matches, mismatches

TX = {"event": "transaction", "transaction_id": "txn_1", "status": "authorized", "amount_cents": 8452,
      "mode": "hp", "decline_reason": None}
RESULTS = {"event": "product_results", "query": "coffee", "product_ids": ["prod_a", "prod_b"]}
MSG = {"event": "agent_message", "agent": "shopping", "text": "Payment AUTHORIZED for $84.52"}


def test_every_key_must_equal():
    assert matches({"event": "transaction", "status": "authorized", "amount_cents": 8452}, TX)
    assert not matches({"event": "transaction", "status": "declined"}, TX)
    assert not matches({"event": "transaction", "nope": 1}, TX)
    assert not matches({"event": "cart_created"}, TX)
    assert matches({"event": "transaction", "decline_reason": None}, TX)


def test_includes_and_text_contains():
    assert matches({"event": "product_results", "includes": ["prod_b"]}, RESULTS)
    assert matches({"event": "product_results", "includes": ["prod_b", "prod_a"]}, RESULTS)
    assert not matches({"event": "product_results", "includes": ["prod_c"]}, RESULTS)
    assert matches({"event": "agent_message", "text_contains": "payment authorized"}, MSG)
    assert not matches({"event": "agent_message", "text_contains": "declined"}, MSG)


def test_bools_are_not_numbers():
    ev = {"event": "monitoring_check_complete", "matched": True, "price_cents": 1}
    assert matches({"event": "monitoring_check_complete", "matched": True}, ev)
    assert not matches({"event": "monitoring_check_complete", "matched": 1}, ev)
    assert not matches({"event": "monitoring_check_complete", "price_cents": True}, ev)


def test_mismatches_explain_and_find_ignores_order():
    why = mismatches({"event": "transaction", "status": "declined", "amount_cents": 8452}, TX)
    assert why == ["status is 'authorized', not 'declined'"]
    assert find({"event": "transaction"}, [RESULTS, MSG, TX]) is TX
    assert find({"event": "error"}, [RESULTS, TX]) is None
