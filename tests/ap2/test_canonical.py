from __future__ import annotations

import base64
import copy
import hashlib
import json
import random
import unicodedata
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ghostcart_tui.ap2.canonical import canonical_json, hash_b64url
from ghostcart_tui.ap2.models import PaymentCurrencyAmount, PaymentItem
from ghostcart_tui.core.money import MAX_CENTS, to_major

SETTINGS = settings(max_examples=40, deadline=None)

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
scalars = st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | text | st.floats(
    allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15
)
json_values = st.recursive(
    scalars,
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(text, kids, max_size=4),
    max_leaves=12,
)
json_objects = st.dictionaries(text, json_values, max_size=6)


def reorder(obj: Any, rng: random.Random) -> Any:
    if isinstance(obj, dict):
        items = list(obj.items())
        rng.shuffle(items)
        return {k: reorder(v, rng) for k, v in items}
    if isinstance(obj, list):
        return [reorder(v, rng) for v in obj]
    return obj


@SETTINGS
@given(json_objects, st.integers(0, 2**32))
def test_hash_is_independent_of_key_order(doc: dict[str, Any], seed: int) -> None:
    shuffled = reorder(doc, random.Random(seed))
    assert canonical_json(shuffled) == canonical_json(doc)
    assert hash_b64url(shuffled) == hash_b64url(doc)


@SETTINGS
@given(json_objects)
def test_hash_is_stable_across_copies_and_json_round_trips(doc: dict[str, Any]) -> None:
    h = hash_b64url(doc)
    assert hash_b64url(copy.deepcopy(doc)) == h
    assert hash_b64url(json.loads(json.dumps(doc))) == h
    assert hash_b64url(json.loads(canonical_json(doc))) == h
    # canonical JSON is itself valid JSON with no insignificant whitespace
    assert json.loads(canonical_json(doc)) == json.loads(json.dumps(doc))


@SETTINGS
@given(json_objects)
def test_hash_format(doc: dict[str, Any]) -> None:
    h = hash_b64url(doc)
    assert len(h) == 43 and "=" not in h and "+" not in h and "/" not in h
    assert base64.urlsafe_b64decode(h + "=") == hashlib.sha256(canonical_json(doc)).digest()


def test_float_and_int_normalisation() -> None:
    assert canonical_json({"value": 84.52}) == b'{"value":84.52}'
    assert canonical_json(10.0) == canonical_json(10) == b"10"
    assert hash_b64url({"v": 84.520}) == hash_b64url({"v": 84.52})
    assert hash_b64url({"v": 1e21}) == hash_b64url(json.loads('{"v": 1e+21}'))
    assert canonical_json(1e21) == b"1e+21" and canonical_json(0.1 + 0.2) == b"0.30000000000000004"
    assert canonical_json(-0.0) == b"0"
    assert hash_b64url({"v": 84.52}) != hash_b64url({"v": 84.53})
    assert hash_b64url({"v": "84.52"}) != hash_b64url({"v": 84.52})


@SETTINGS
@given(st.integers(0, MAX_CENTS))
def test_wire_amounts_hash_the_same_after_a_json_round_trip(cents: int) -> None:
    amount = PaymentCurrencyAmount(currency="USD", value=to_major(cents))
    item = PaymentItem(label="x", amount=amount)
    again = PaymentItem.model_validate_json(item.model_dump_json())
    assert hash_b64url(again) == hash_b64url(item)
    # an amount that arrives as an integer (e.g. 10 instead of 10.0) hashes the same
    as_int = json.loads(item.model_dump_json().replace(".0,", ",").replace(".0}", "}"))
    assert hash_b64url(PaymentItem.model_validate(as_int)) == hash_b64url(item)


@SETTINGS
@given(text, text)
def test_unicode_is_kept_exactly(key: str, value: str) -> None:
    doc = {key: value, "emoji": "☕ ×2 𝄞"}
    assert json.loads(canonical_json(doc)) == doc
    assert canonical_json(doc).decode("utf-8")  # UTF-8, not \\u escapes for non-ASCII
    nfd = unicodedata.normalize("NFD", "Café")
    # JCS does not normalise: the bytes signed are the bytes sent
    assert hash_b64url({"n": nfd}) != hash_b64url({"n": "Café"})


def test_known_vector() -> None:
    # RFC 8785 sorts keys by UTF-16 code units and escapes only what JSON requires
    assert canonical_json({"b": 1, "a": [True, None, "é\n"]}) == (
        b'{"a":[true,null,"\xc3\xa9\\n"],"b":1}'
    )


def test_models_hash_like_their_json_dump() -> None:
    item = PaymentItem(label="Tax", amount=PaymentCurrencyAmount(currency="USD", value=5.52))
    assert hash_b64url(item) == hash_b64url(item.model_dump(mode="json"))


# ---- the fast path is byte-for-byte rfc8785 ---------------------------------------------------

wide_text = st.text(max_size=12)  # surrogates and astral characters included
wide_scalars = (st.none() | st.booleans() | st.integers(-(2**60), 2**60) | wide_text
                | st.floats() | st.floats(min_value=-1e30, max_value=1e30).map(lambda f: float(round(f))))
wide_values = st.recursive(
    wide_scalars,
    lambda kids: st.lists(kids, max_size=4) | st.tuples(kids, kids)
    | st.dictionaries(wide_text, kids, max_size=4),
    max_leaves=16,
)


def _rfc8785_or_error(value: Any):
    import rfc8785

    try:
        return rfc8785.dumps(value)
    except ValueError as exc:  # CanonicalizationError (or UnicodeEncodeError on a surrogate key)
        return type(exc)


@settings(max_examples=600, deadline=None)
@given(wide_values)
def test_fast_canonical_json_equals_rfc8785(value: Any) -> None:
    import rfc8785

    expected = _rfc8785_or_error(value)
    try:
        got = canonical_json(value)
    except ValueError as exc:
        assert isinstance(expected, type) and issubclass(expected, ValueError), (value, exc)
        assert isinstance(exc, (rfc8785.CanonicalizationError, expected))
        return
    assert got == expected


def test_fast_canonical_json_edge_numbers_and_keys() -> None:
    import rfc8785

    cases = [90.0, -0.0, 0.1, 1e-4, 9.999e-5, 1e16, 1e15 + 0.5, 2.0**53, 2.0**53 - 1, 1e21, 1e-7,
             123456789.125, -89.99, 2**53 - 1, -(2**53 - 1), True, False, None,
             {"\ue000": 1, "\U0001f600": 2, "a": 3}, {"é": [1.5, "\u2028\x7f\x00\"\\"]},
             {"b": {"d": 1, "c": [{"z": 0.5, "y": 175.0}]}, "a": ()}]
    for value in cases:
        assert canonical_json(value) == rfc8785.dumps(value), value
