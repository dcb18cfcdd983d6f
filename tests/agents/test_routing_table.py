"""Routing table for the offline NLU: how a shopper's message is classified."""

from __future__ import annotations

import time

import pytest

from ghostcart_tui.agents.offline.nlu import (
    MAX_INPUT_CHARS,
    FollowUp,
    Route,
    classify,
    extract_constraints,
    ordinal,
    parse_money_phrase,
)


def R(text, kind, query="", price=None, *, fu=None, payload=None, qty=1, total=None):
    follow = FollowUp(fu, payload) if fu else None
    return pytest.param(text, kind, query, price, follow, qty, total, id=text[:60])


ROUTES = [
    # --- immediate -------------------------------------------------------------------------
    R("Buy AirPods", "immediate", "airpods"),
    R("order the Ninja blender", "immediate", "ninja blender"),
    R("Get me a coffee maker under $90", "immediate", "coffee maker", 9000),
    R("purchase a Fitbit Charge 6", "immediate", "fitbit charge 6"),
    R("I want AirPods Pro", "immediate", "airpods pro"),
    R("i need a new backpack", "immediate", "backpack"),
    R("add the desk lamp to my cart", "immediate", "desk lamp"),
    R("buy 2 lamps", "immediate", "lamps", qty=2),
    R("can I get two Herschel backpacks?", "immediate", "herschel backpacks", qty=2),
    R("checkout", "immediate", ""),
    R("I'd like the KitchenAid stand mixer please", "immediate", "kitchenaid stand mixer"),
    R("order Sony WH-1000XM5 headphones, max $400", "immediate", "sony wh-1000xm5 headphones", 40000),
    R("I want a watch", "immediate", "watch"),
    # --- conditional (human not present) ---------------------------------------------------
    R("Buy AirPods when they drop below $200", "conditional", "airpods", 20000),
    R("if the Dyson V11 falls under $500, buy it", "conditional", "dyson v11", 50000),
    R("let me know when the air fryer is back in stock", "conditional", "air fryer"),
    R("notify me if Sony headphones go on sale", "conditional", "sony headphones"),
    R("watch the Galaxy Tab S9 for me", "conditional", "galaxy tab s9"),
    R("monitor the price of the KitchenAid mixer", "conditional", "kitchenaid mixer"),
    R("track Nike Air Max 270 and buy under $120", "conditional", "nike air max 270", 12000),
    R("keep an eye on sunglasses under 140", "conditional", "sunglasses", 14000),
    R("once the blender is $70 or less, order one", "conditional", "blender", 7000),
    R("below $40 buy the desk lamp", "conditional", "desk lamp", 4000),
    R("as soon as AirPods Pro hit $180 grab them", "conditional", "airpods pro", 18000),
    R("whenever the fleece jacket goes below 80 bucks, get it for me", "conditional", "fleece jacket", 8000),
    # --- ambiguous -------------------------------------------------------------------------
    R("AirPods?", "ambiguous", "airpods"),
    R("I'm thinking about a blender", "ambiguous", "blender"),
    R("maybe headphones", "ambiguous", "headphones"),
    R("what about a lamp", "ambiguous", "lamp"),
    R("hmm, sunglasses", "ambiguous", "sunglasses"),
    R("should I buy a stand mixer?", "ambiguous", "stand mixer"),
    # --- search ----------------------------------------------------------------------------
    R("Find me a coffee maker under $90", "search", "coffee maker", 9000),
    R("show me headphones", "search", "headphones"),
    R("search lamps", "search", "lamps"),
    R("what kitchen stuff do you have", "search", "kitchen"),
    R("do you sell sneakers?", "search", "sneakers"),
    R("any backpacks under 100 dollars?", "search", "backpacks", 10000),
    R("I'm looking for a cordless vacuum", "search", "cordless vacuum"),
    R("how much are the AirPods Pro?", "search", "airpods pro"),
    R("blenders under $100", "search", "blenders", 10000),
    # --- chitchat --------------------------------------------------------------------------
    R("hi there", "chitchat"),
    R("thanks!", "chitchat"),
    R("what can you do?", "chitchat"),
    R("help", "chitchat"),
    # --- follow-ups ------------------------------------------------------------------------
    R("the second one", "followup", fu="pick", payload=1),
    R("#2", "followup", fu="pick", payload=1),
    R("number 3", "followup", fu="pick", payload=2),
    R("first", "followup", fu="pick", payload=0),
    R("the last one please", "followup", fu="pick", payload=-1),
    R("2", "followup", fu="pick", payload=1),
    R("prod_coffee_001", "followup", "prod_coffee_001", fu="pick", payload="prod_coffee_001"),
    R("the sony ones", "followup", "sony", fu="pick", payload="sony"),
    R("let's go with the Ninja", "followup", "ninja", fu="pick", payload="ninja"),
    R("yes", "followup", fu="confirm"),
    R("yes, buy it", "followup", fu="confirm"),
    R("buy it", "followup", fu="confirm"),
    R("that one", "followup", fu="confirm"),
    R("go ahead", "followup", fu="confirm"),
    R("make it $200", "followup", "", 20000, fu="adjust_price", payload=20000),
    R("200 bucks", "followup", "", 20000, fu="adjust_price", payload=20000),
    R("try another card", "followup", fu="retry_payment"),
    R("use my mastercard", "followup", fu="retry_payment", payload="mastercard"),
    R("cancel that", "followup", fu="cancel"),
    R("stop watching the AirPods", "followup", "airpods", fu="cancel", payload="airpods"),
    R("no thanks", "followup", fu="decline"),
    # --- held out while the rules were tuned (generalisation check) ----------------------
    R("could you grab me a Ninja blender?", "immediate", "ninja blender"),
    R("ping me if the Dyson V11 gets under 500 bucks", "conditional", "dyson v11", 50000),
    R("hmm, maybe a backpack", "ambiguous", "backpack"),
    R("do you guys carry sunglasses under $160?", "search", "sunglasses", 16000),
    R("good morning!", "chitchat"),
    R("go with the third", "followup", fu="pick", payload=2),
    R("nah, not now", "followup", fu="decline"),
    R("switch to my visa card", "followup", fu="retry_payment", payload="visa"),
    R("I need 3 Fitbit Charge 6 trackers", "immediate", "fitbit charge 6 trackers", qty=3),
    R("Once the air fryer is back in stock, order it", "conditional", "air fryer"),
]


@pytest.mark.parametrize("text, kind, query, price, follow, qty, total", ROUTES)
def test_routing_table(text, kind, query, price, follow, qty, total):
    r = classify(text)
    assert isinstance(r, Route)
    got = (r.kind, r.product_query, r.max_price_cents, r.followup, r.quantity, r.max_total_cents)
    assert got == (kind, query, price, follow, qty, total)


def test_routing_table_is_large_and_covers_every_kind():
    kinds = {p.values[1] for p in ROUTES}
    assert len(ROUTES) >= 45
    assert kinds == {"immediate", "conditional", "ambiguous", "search", "chitchat", "followup"}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("the second one", 1), ("#2", 1), ("number 3", 2), ("first", 0), ("2nd", 1),
        ("the third option", 2), ("option 4", 3), ("last", -1), ("3", 2),
        ("wait a second", None), ("buy 2 lamps", None), ("", None), ("200", None),
    ],
)
def test_ordinal(text, expected):
    assert ordinal(text) == expected


@pytest.mark.parametrize(
    "text, cents",
    [
        ("$180", 18000), ("180 dollars", 18000), ("180 bucks", 18000), ("$1,299.99", 129999),
        ("180.50", 18050), ("USD 180", 18000), ("$180.00", 18000), ("under 75", 7500),
        ("$-5", None), ("$0", None), ("$1e309", None), ("NaN dollars", None),
        ("$20,000,000", None), ("AirPods Pro 2", None), ("no price here", None),
    ],
)
def test_parse_money_phrase(text, cents):
    assert parse_money_phrase(text) == cents


# --- hostile input: must return quickly, never raise ----------------------------------------

HOSTILE = [
    "A" * 1_000_000,
    "$" * 1_000_000,
    "9" * 1_000_000,
    "buy " * 250_000,
    "under $" + "9" * 5000,
    ("1," * 500_000),
    "-" * 100_000 + "$5",
    "<" * 100_000 + "b>",
    "<b>" * 50_000,
    "\x1b[31mBuy AirPods\x1b[0m under $200\x07",
    "\x1b]0;pwned\x07buy it",
    "\x00\x01\x02 buy\x7f AirPods \x1b\x1b\x1b[",
    "\u202eBuy AirPods under $200\u202c",
    "\u200b\u200c\u200d\ufeff\u2066\u2069",
    "<script>alert('x')</script> buy AirPods",
    "[bold red]buy[/] ]]]][[[[ {{{}}} %s %n {0}",
    "\ud800 lone surrogate \udfff",
    "Ａｉｒｐｏｄｓ ｕｎｄｅｒ ＄２００",
    "١٢٣ dollars for ٤ lamps",
    "ｅ" * 10_000 + "1e309" * 1000,
    ("a " * 3000) + "under $200",
    ("if when once " * 2000),
    ("the second one " * 2000),
    "\n\r\t" * 100_000,
    "",
    "   ",
]


@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: repr(t[:20]))
def test_hostile_input_never_raises_and_is_fast(text):
    start = time.perf_counter()
    r = classify(text)
    c = extract_constraints(text)
    o = ordinal(text)
    m = parse_money_phrase(text)
    elapsed = time.perf_counter() - start
    assert isinstance(r, Route)
    assert c is not None
    assert o is None or isinstance(o, int)
    assert m is None or isinstance(m, int)
    assert len(r.product_query) <= MAX_INPUT_CHARS
    assert elapsed < 1.0


@pytest.mark.parametrize("bad", [None, 42, b"buy AirPods", ["buy"], object()])
def test_non_string_input_is_harmless(bad):
    assert classify(bad).kind == "chitchat"  # type: ignore[arg-type]
    assert extract_constraints(bad).missing == "product"  # type: ignore[arg-type,union-attr]
    assert ordinal(bad) is None  # type: ignore[arg-type]
    assert parse_money_phrase(bad) is None  # type: ignore[arg-type]


def test_invisible_and_directional_characters_do_not_hide_words():
    r = classify("\u202eBuy Air\u200bPods under $\u2066200\u2069")
    assert (r.kind, r.product_query, r.max_price_cents) == ("immediate", "airpods", 20000)
    r = classify("\x1b[1mFind\x1b[0m <b>headphones</b> under ＄300")
    assert (r.kind, r.product_query, r.max_price_cents) == ("search", "headphones", 30000)
