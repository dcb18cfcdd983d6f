"""Catalog search that forgives the way people type: plurals, word order, "coffeemaker" vs
"coffee maker", a few synonyms, shopping filler. Pure and fast: an inverted index is built once
per catalog text and reused; price and stock are always read from the Products passed in."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from ghostcart_tui.commerce.catalog import Product

MAX_QUERY_CHARS = 200
_NAME, _CATEGORY, _DESC = 3.0, 2.0, 1.0
_PREFIX_PENALTY = 0.25  # "head" finds "headphones", but an exact word ranks higher
_MIN_PREFIX = 4

# Letters and digits only: markup, SQL punctuation, zero-width and bidi controls all split words.
_WORD_RE = re.compile(r"[^\W_]+")

_STOP_WORDS = frozenset("""
a an the me my mine i im id we us our you your it its this that these those them they
some any something anything thing things stuff one ones pair pairs kind sort type
buy buying purchase order get getting grab find finding search searching look looking show
see want wanted need needs needed would like love could can please pls plz help
new brand good nice great best cheap cheaper cheapest affordable price priced cost costs
under below less than over above around about budget dollar dollars usd buck bucks
for of to in on at by with and or but from into if is are be am was do does have has just
also really very too so then now today maybe there here what which where who how
""".split())

# Symmetric canonical forms (applied to product and query words alike) for synonyms worth it.
_CANON = {
    "earphone": "earbud", "earpod": "earbud", "earpiece": "earbud",
    "headset": "headphone",
    "tab": "tablet", "ipad": "tablet",
    "smartwatch": "watch", "tracker": "watch",
    "shoe": "sneaker", "trainer": "sneaker", "kick": "sneaker",
    "hoover": "vacuum", "vac": "vacuum",
    "cancelling": "cancel", "canceling": "cancel", "cancellation": "cancel",
    "rucksack": "backpack", "knapsack": "backpack", "daypack": "backpack", "bookbag": "backpack",
    "shade": "sunglass",
    "glass": "sunglass", "eyewear": "sunglass",
    "coat": "jacket", "bedsheet": "sheet", "bedding": "sheet", "linen": "sheet",
    "light": "lamp",
}


def _stem(word: str) -> str:
    """Crude plural folding, applied identically to both sides so it only has to be consistent."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _norm(word: str) -> str:
    w = _stem(word)
    return _CANON.get(w, w)


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).casefold()
    return _WORD_RE.findall(text)


def _put(index: dict[str, float], key: str, weight: float) -> None:
    if weight > index.get(key, 0.0):
        index[key] = weight


def _index_field(index: dict[str, float], text: str, weight: float, is_name: bool) -> None:
    words = [_norm(w) for w in _words(text)]
    if not is_name:
        # Numbers in descriptions ("15 cups") only add noise; in names ("S9", "270") they matter.
        words = [w for w in words if len(w) > 1 and not w.isdigit()]
    for i, w in enumerate(words):
        _put(index, w, weight)
        for n in range(_MIN_PREFIX, len(w)):
            _put(index, w[:n], weight - _PREFIX_PENALTY)
        if i + 1 < len(words):  # "Coffee Maker" is also findable as "coffeemaker"
            _put(index, _norm(w + words[i + 1]), weight)


def _product_index(p: Product) -> dict[str, float]:
    index: dict[str, float] = {}
    _index_field(index, p.description, _DESC, is_name=False)
    _index_field(index, p.category, _CATEGORY, is_name=False)
    _index_field(index, p.name, _NAME, is_name=True)
    return index


# Inverted index (word -> [(position, weight)]) keyed by the catalog's text only, so price and
# stock are always read live from the Products passed in and never go stale.
_Inverted = dict[str, list[tuple[int, float]]]
_CATALOG_CACHE: dict[tuple[tuple[str, str, str], ...], _Inverted] = {}
_CATALOG_CACHE_MAX = 64


def _inverted(products: list[Product]) -> _Inverted:
    sig = tuple((p.name, p.description, p.category) for p in products)
    inv = _CATALOG_CACHE.get(sig)
    if inv is None:
        inv = {}
        for pos, p in enumerate(products):
            for word, weight in _product_index(p).items():
                inv.setdefault(word, []).append((pos, weight))
        if len(_CATALOG_CACHE) >= _CATALOG_CACHE_MAX:  # bound memory for callers with many catalogs
            _CATALOG_CACHE.clear()
        _CATALOG_CACHE[sig] = inv
    return inv


@lru_cache(maxsize=1024)
def _parse(query: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """(terms, joined adjacent pairs), or None for "everything"."""
    if query.strip() in ("", "*"):
        return None
    terms = tuple(_norm(w) for w in _words(query) if w not in _STOP_WORDS)
    if not terms:  # only filler ("buy me some") or no words at all: nothing to narrow by
        return None
    pairs = tuple(_norm(a + b) for a, b in itertools.pairwise(terms))
    return terms, pairs


def _score(
    inv: _Inverted, terms: tuple[str, ...], pairs: tuple[str, ...]
) -> dict[int, list[float]]:
    """Position -> best weight per query term, for products that match at least one term."""
    n = len(terms)
    hits: dict[int, list[float]] = {}
    for i, term in enumerate(terms):
        for pos, w in inv.get(term, ()):
            h = hits.setdefault(pos, [0.0] * n)
            h[i] = max(h[i], w)
    for i, joined in enumerate(pairs):  # "air pods" finds "AirPods"
        for pos, w in inv.get(joined, ()):
            h = hits.setdefault(pos, [0.0] * n)
            h[i], h[i + 1] = max(h[i], w), max(h[i + 1], w)
    return hits


def search(
    products: Iterable[Product],
    query: str,
    max_price_cents: int | None = None,
    limit: int | None = None,
    match_all: bool = False,
) -> list[Product]:
    """Products matching `query`, most relevant first, then cheapest. Out-of-stock items are
    included (check `in_stock`). Blank or "*" lists everything by category then price.
    match_all: only products matching every query term, and nothing for a blank query — what an
    autonomous purchase needs ("air fryer" must never buy an Air Max)."""
    items = list(products)
    text = query[:MAX_QUERY_CHARS] if isinstance(query, str) else ""
    parsed = _parse(text)
    if parsed is None and match_all:
        return []
    if parsed is None:
        results = sorted(items, key=lambda p: (p.category, p.price_cents, p.name))
    else:
        terms, pairs = parsed
        ranked = []
        for pos, h in _score(_inverted(items), terms, pairs).items():
            if match_all and 0.0 in h:
                continue
            p = items[pos]
            ranked.append((-(len(h) - h.count(0.0)), -sum(h), p.price_cents, p.name, pos))
        ranked.sort()
        results = [items[r[4]] for r in ranked]
    if max_price_cents is not None:
        results = [p for p in results if p.price_cents <= max_price_cents]
    if limit is not None:
        results = results[: max(limit, 0)]
    return results
