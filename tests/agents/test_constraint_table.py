"""Constraint extraction table for human-not-present (conditional) requests."""

from __future__ import annotations

import pytest

from ghostcart_tui.agents.offline.nlu import Constraints, NeedsInfo, extract_constraints


def C(text, query, price, total=None, delivery=None, expiry=7, qty=1, *, default=7):
    expected = Constraints(query, price, total, delivery, expiry, qty)
    return pytest.param(text, default, expected, id=text[:60])


def N(text, missing, question_has="", *, default=7):
    return pytest.param(text, default, (missing, question_has), id=text[:60])


TABLE = [
    # --- money forms and bound words -------------------------------------------------------
    C("Buy AirPods Pro when they're under $180", "airpods pro", 18000),
    C("get the blender if it drops below 80 dollars", "blender", 8000),
    C("watch the backpack and buy it under 70 bucks", "backpack", 7000),
    C("alert me when the Dyson V11 is less than $1,299.99", "dyson v11", 129999),
    C("buy the coffee maker once it's at most 65.50", "coffee maker", 6550),
    C("buy the mixer if it's no more than USD 350", "mixer", 35000),
    C("buy the jacket when it's max $90.00", "jacket", 9000),
    C("Buy a fleece jacket for less than $85", "fleece jacket", 8500),
    C("grab sunglasses when they're cheaper than $140", "sunglasses", 14000),
    C("order the lamp if the price is < $40", "lamp", 4000),
    C("buy the sheets up to $110", "sheets", 11000),
    C("monitor AirPods, maximum 199 dollars", "airpods", 19900),
    C("I'll buy the Fitbit if it's 150 or less", "fitbit", 15000),
    C("buy the desk lamp when it costs $39.99", "desk lamp", 3999),
    C("buy headphones if they're between $250 and $320", "headphones", 32000),
    # --- total bounds ----------------------------------------------------------------------
    C("Buy AirPods when they're under $200, total under $230", "airpods", 20000, 23000),
    C("order 2 lamps if the total is below $100", "lamps", 5000, 10000, qty=2),
    C("Buy the blender for no more than $100 including tax and shipping", "blender", 10000, 10000),
    C("buy the vacuum when it's $550 all-in", "vacuum", 55000, 55000),
    C("get the coffee maker if it's under $70 and the whole thing stays under $85 with shipping",
      "coffee maker", 7000, 8500),
    # --- delivery ----------------------------------------------------------------------------
    C("Buy AirPods under $200 delivered within 2 days", "airpods", 20000, delivery=2),
    C("watch the headphones under $350, 2 days or less delivery", "headphones", 35000, delivery=2),
    C("buy the sneakers below $130 if they arrive in 3 days", "sneakers", 13000, delivery=3),
    C("get the jacket under $90 with next-day delivery", "jacket", 9000, delivery=1),
    C("buy the lamp under 40 bucks, next day shipping", "lamp", 4000, delivery=1),
    C("buy the blender under $85 with overnight shipping", "blender", 8500, delivery=1),
    C("I need the backpack by tomorrow, under $75, when it's on sale", "backpack", 7500, delivery=1),
    C("buy the sheet set under $120 delivered in a week", "sheet set", 12000, delivery=7),
    C("buy the coffee maker under $60 if it can ship within two days", "coffee maker", 6000, delivery=2),
    C("buy a mixer under $300 when delivery takes 48 hours or less", "mixer", 30000, delivery=2),
    # --- duration of the watch ---------------------------------------------------------------
    C("watch the Galaxy Tab S9 under $700 for 3 days", "galaxy tab s9", 70000, expiry=3),
    C("monitor AirPods under $190 for a week", "airpods", 19000, expiry=7),
    C("keep an eye on the mixer under $300 for 2 weeks", "mixer", 30000, expiry=14),
    C("track the vacuum under $450 for a month", "vacuum", 45000, expiry=30),
    C("buy the lamp when under $35", "lamp", 3500, expiry=7),
    C("buy the lamp when under $35", "lamp", 3500, expiry=14, default=14),
    C("for the next 10 days, buy sneakers if they're under $120, 2-day shipping",
      "sneakers", 12000, delivery=2, expiry=10),
    # --- numbers in product names are not prices ------------------------------------------
    C("Buy AirPods Pro 2 when they drop below $180", "airpods pro 2", 18000),
    C("watch Galaxy Tab S9 under 700", "galaxy tab s9", 70000),
    C("Sony WH-1000XM5 below 300 dollars please", "sony wh-1000xm5", 30000),
    C("Nike Air Max 270 under $120", "nike air max 270", 12000),
    C("buy a Dyson V11 if it drops to $499", "dyson v11", 49900),
    C("Fitbit Charge 6 at most 140", "fitbit charge 6", 14000),
    C("buy 2 AirPods Pro 2 when they're $150 each", "airpods pro 2", 15000, qty=2),
    # --- quantity ------------------------------------------------------------------------------
    C("buy 3 desk lamps when they're under $40", "desk lamps", 4000, qty=3),
    C("buy 150 lamps under $40", "lamps", 4000, qty=99),
    C("get a 27 inch monitor when it's below $250", "27 inch monitor", 25000),
    C("buy 10 lamps under $50 each and no more than $450 total", "lamps", 5000, 45000, qty=10),
    # --- ranges and relative amounts ---------------------------------------------------------
    C("buy AirPods for $150-$200", "airpods", 20000),
    C("buy AirPods if the price drops from $249 to $199", "airpods", 19900),
    C("alert me when stand mixers dip under three hundred dollars", "stand mixers", 30000),
    N("buy AirPods when they're 20% off", "max_price", "airpods"),
    # --- missing information: never guess ---------------------------------------------------
    N("buy AirPods Pro 2 when they go on sale", "max_price", "What's the most you'd pay for airpods pro 2?"),
    N("watch the Nike Air Max 270", "max_price", "nike air max 270"),
    N("let me know when the Dyson V11 is cheaper", "max_price", "dyson v11"),
    N("buy the blender when it drops by $20", "max_price", "blender"),
    N("buy the Galaxy Tab S9 over $500", "max_price", "galaxy tab s9"),
    N("buy it when it's under $200", "product"),
    N("notify me when something drops below 50 bucks", "product"),
    # --- nonsense amounts and periods --------------------------------------------------------
    N("buy AirPods under $-5", "max_price", "negative"),
    N("buy AirPods when they're $0", "max_price", "zero"),
    N("buy AirPods under $1e309", "max_price", "$1e309"),
    N("buy AirPods under NaN dollars", "max_price", "NaN"),
    N("buy AirPods under $20,000,000", "max_price", "more than GhostCart handles"),
    N("buy AirPods under 180.505 dollars", "max_price", "180.505"),
    N("buy AirPods under €150", "max_price", "US dollars"),
    N("buy AirPods under $200, total under -$5", "max_total", "negative"),
    N("watch AirPods under $150 for 0 days", "expiry"),
    N("AirPods under $200 delivered within 0 days", "max_delivery"),
    # --- held out while the rules were tuned (generalisation check) ----------------------
    C("Buy the Sony WH-1000XM5 once it's no more than 320 dollars, delivery in 3 days or less",
      "sony wh-1000xm5", 32000, delivery=3),
    C("Keep an eye on Galaxy Tab S9 for 10 days and get it if it hits $650",
      "galaxy tab s9", 65000, expiry=10),
    C("If a desk lamp drops below forty dollars grab two", "desk lamp", 4000, qty=2),
    C("Watch the KitchenAid stand mixer, max 350 bucks, total under $390",
      "kitchenaid stand mixer", 35000, 39000),
    N("notify me when AirPods Pro 2 are cheaper", "max_price", "airpods pro 2"),
    N("Get me a jacket under $0 when it's on sale", "max_price", "zero"),
    C("buy the Cosori air fryer when it's back, up to $130, overnight shipping",
      "cosori air fryer", 13000, delivery=1),
    C("track Egyptian cotton sheets below USD 120.50 for a fortnight",
      "egyptian cotton sheets", 12050, expiry=14),
    N("let me know when it's under $99999999", "max_price", "more than GhostCart handles"),
    C("once Herschel backpacks fall to 60 dollars, buy 2 \u2014 all in no more than $150, "
      "arriving within 2 days, watch for 3 weeks",
      "herschel backpacks", 6000, 15000, delivery=2, expiry=21, qty=2),
]


@pytest.mark.parametrize("text, default, expected", TABLE)
def test_constraint_table(text, default, expected):
    got = extract_constraints(text, default_expiry_days=default)
    if isinstance(expected, Constraints):
        assert got == expected
    else:
        missing, question_has = expected
        assert isinstance(got, NeedsInfo), got
        assert got.missing == missing
        assert question_has in got.question
        assert got.question.endswith("?")


def test_constraint_table_is_large():
    assert len(TABLE) >= 45


def test_needs_info_keeps_what_was_understood():
    got = extract_constraints("buy 2 Herschel backpacks delivered within 2 days, watch for 2 weeks")
    assert got == NeedsInfo(
        "max_price",
        "What's the most you'd pay for herschel backpacks?",
        product_query="herschel backpacks",
        max_price_cents=None,
        max_total_cents=None,
        max_delivery_days=2,
        expiry_days=14,
        quantity=2,
    )
