"""Step 2, resolve entities: which catalog products a message names.

An index of keys (name tokens, name n-grams, aliases, brands, model numbers, category words) is
built once per catalog text. Spans of the message (longest first, up to 3 tokens, compared as
compact keys so "WH-1000XM5", "wh 1000xm5" and "air pods" all match) are looked up exactly, then
by typo tolerance (rapidfuzz against single keys, never whole names). Each product sums the weights
of the spans that hit it; the best-scoring products are the candidates. Negated spans ("not the
Sony") exclude instead. A span naming something the store does not carry (a PS5) wins over any
partial catalog match, so nothing is ever substituted for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from ....commerce.catalog import Product
from .lexicon import ALIASES, CATEGORIES, CUES, FILLER, KIND_WORDS, NOT_CARRIED, POSSESSIVE, PURPOSE, USES, WEAK
from .normalize import compact
from .types import Token

NAME, ALIAS, KIND, CATEGORY, DESC = 3.0, 3.0, 2.0, 1.0, 0.3
RESOLVED = 1.5  # a product needs at least this score to be "named"
_NEGATORS = frozenset({"not", "except", "besides", "excluding", "without", "but", "isn't", "isnt", "aren't", "arent",
                       "non"})
_STOPS = FILLER | {"no", "than", "apart"}


@dataclass(frozen=True)
class Index:
    keys: dict[str, dict[str, float]]  # compact key → {product id: weight}
    fuzzy_keys: tuple[str, ...]  # keys long enough to be matched with a typo
    names: dict[str, str]
    categories: dict[str, str]  # product id → category


@dataclass
class Resolution:
    candidates: list[str] = field(default_factory=list)  # best-scoring product ids, catalog order
    scores: dict[str, float] = field(default_factory=dict)
    excluded: list[str] = field(default_factory=list)
    category: str | None = None  # a category named on its own ("kitchen")
    missing: str | None = None  # a product the store does not carry
    missing_category: str | None = None
    corrected: dict[str, str] = field(default_factory=dict)  # typed → key it was read as
    descriptive: bool = False  # a describing word ("wireless") widens a kind to every product it fits
    need: bool = False  # the products come from a need in plain words ("for making coffee")
    listed: bool = False  # several products named one by one ("the backpack and the jacket")
    positions: dict[str, int] = field(default_factory=dict)  # product id → token index of its first mention

    @property
    def named(self) -> bool:
        return bool(self.candidates) and max(self.scores.get(p, 0) for p in self.candidates) >= RESOLVED


def _add(keys: dict[str, dict[str, float]], key: str, pid: str, weight: float) -> None:
    k = compact(key.casefold())
    if k and weight > keys.setdefault(k, {}).get(pid, 0.0):
        keys[k][pid] = weight


def _index(products: tuple[Product, ...]) -> Index:
    keys: dict[str, dict[str, float]] = {}
    for p in products:
        words = [compact(w) for w in p.name.casefold().replace("-", " ").split()]
        words = [w for w in words if w]
        for n in (3, 2):
            for i in range(len(words) - n + 1):
                gram = "".join(words[i:i + n])
                _add(keys, gram, p.product_id, NAME + 1)
                if not gram[-1].isdigit():
                    _add(keys, gram + ("es" if gram.endswith(("x", "s", "ch")) else "s"), p.product_id, NAME + 1)
        for w in words:
            if w.isdigit() or len(w) < 2:
                continue  # "270" alone is a price, not the Nike; n-grams above keep "air max 270"
            _add(keys, w, p.product_id, 0.5 if w in WEAK else NAME)
            if w.endswith("s") and len(w) > 3:
                _add(keys, w[:-1], p.product_id, 0.5 if w in WEAK else NAME)
            elif not w[-1].isdigit():
                _add(keys, w + "s", p.product_id, 0.5 if w in WEAK else NAME)
        _add(keys, "".join(words), p.product_id, NAME + 2)
        for alias in ALIASES.get(p.product_id, ()):
            aw = ALIAS if " " in alias or alias not in WEAK else 0.5
            _add(keys, alias, p.product_id, aw)
            if not alias.endswith("s"):
                _add(keys, alias + "s", p.product_id, aw)  # "XM5s", "ray-bans"
            if alias.endswith(("x", "s", "ch", "sh")):
                _add(keys, alias + "es", p.product_id, aw)  # "air maxes"
        for word in p.description.casefold().replace("-", " ").split():
            w = compact(word)
            if len(w) > 3 and not w.isdigit() and w not in FILLER:
                _add(keys, w, p.product_id, DESC)
        for cat, words_ in CATEGORIES.items():
            if p.category.casefold() == cat.casefold():
                for cw in words_ + (cat,):
                    _add(keys, cw, p.product_id, CATEGORY)
    ids = {p.product_id for p in products}
    for word, pids in KIND_WORDS.items():  # a kind word weighs the same for every product of its kind
        entry = keys.setdefault(word, {})
        for pid in list(entry) + [p for p in pids if p in ids]:
            if entry.get(pid, 0) >= 0.5 or pid in pids:
                entry[pid] = max(entry.get(pid, 0.0), KIND)
    fuzzy = tuple(k for k, v in keys.items() if len(k) >= 5 and max(v.values()) >= 0.5 and not k.isdigit())
    return Index(keys, fuzzy, {p.product_id: p.name for p in products},
                 {p.product_id: p.category for p in products})


@lru_cache(maxsize=16)
def _cached(sig: tuple[tuple[str, str, str, str], ...], products: tuple[Product, ...]) -> Index:
    return _index(products)


def index_for(products: list[Product]) -> Index:
    tup = tuple(products)
    return _cached(tuple((p.product_id, p.name, p.category, p.description) for p in tup), tup)


_NOT_CARRIED_KEYS = {compact(k): (k, v) for k, v in NOT_CARRIED.items()}
_CUE_WORDS = frozenset(w for phrases in CUES.values() for ph in phrases for w in ph.split())


def _fuzzy(word: str, idx: Index) -> str | None:
    if len(word) < 5 or word in _CUE_WORDS or word in FILLER:
        return None
    from rapidfuzz import fuzz, process  # 15 ms import, first use only

    hit = process.extractOne(word, idx.fuzzy_keys, scorer=fuzz.ratio, score_cutoff=80 if len(word) < 9 else 90)
    return str(hit[0]) if hit else None


def resolve(tokens: list[Token], products: list[Product]) -> Resolution:
    idx = index_for(products)
    res = Resolution()
    total: dict[str, float] = {}
    excluded: set[str] = set()
    first_seen: dict[str, int] = {}  # the order the shopper named products in (ordinals refer to it)
    mentioned: list[str] = []  # products named on their own, one per mention ("the lamp, the backpack and …")
    for j, t in enumerate(tokens):  # needs: "for making coffee", "she likes cooking"
        before = tokens[max(0, j - 3):j]
        names_it = any(compact(t.text + x.text) in idx.keys for x in tokens[j + 1:j + 2]) or \
            any(compact(x.text + t.text) in idx.keys for x in before[-1:])  # "coffee maker", "philips coffee"
        if not t.role and t.text in USES and any(x.text in PURPOSE for x in before) and not names_it \
                and not any(x.text in _NEGATORS for x in before):
            for rank, pid in enumerate(USES[t.text]):
                total[pid] = total.get(pid, 0.0) + KIND - 0.01 * rank * (len(USES[t.text]) < 3)
                first_seen.setdefault(pid, j + rank)
            t.role = "product"
            res.need = True
    i = 0
    while i < len(tokens):
        if tokens[i].role:
            i += 1
            continue
        matched = False
        for n in (3, 2, 1):
            span = tokens[i:i + n]
            if len(span) < n or any(t.role for t in span):
                continue
            key = compact("".join(t.text for t in span))
            if not key or (n == 1 and span[0].text in _STOPS):
                continue
            if key not in idx.keys and key.endswith("s") and key[:-1] in idx.keys and key[-2].isdigit():
                key = key[:-1]  # "270s" → "270"
            if key not in _NOT_CARRIED_KEYS and key.endswith("s") and key[:-1] in _NOT_CARRIED_KEYS \
                    and key not in idx.keys:
                key = key[:-1]  # "gift cards" → "gift card"
            if key in _NOT_CARRIED_KEYS and i >= 2 and tokens[i - 1].text in POSSESSIVE and \
                    (tokens[i - 2].role in ("product", "weak") or tokens[i - 2].text in USES):
                for t in span:  # "vacuum my car": what the product is used on, not a product asked for
                    t.role = "filler"
                i += n
                matched = True
                break
            if key in _NOT_CARRIED_KEYS and not (n == 1 and key in idx.keys and max(idx.keys[key].values()) >= NAME):
                phrase, cat = _NOT_CARRIED_KEYS[key]
                phrase = " ".join(t.raw for t in span) if compact(phrase) != compact("".join(t.text for t in span)) \
                    else phrase
                res.missing, res.missing_category = res.missing or phrase, res.missing_category or cat
                for t in span:
                    t.role = "product"
                i += n
                matched = True
                break
            hits = idx.keys.get(key)
            if hits is None and n <= 2 and all(t.text.isalpha() and t.text not in _STOPS
                                               and t.text not in _CUE_WORDS for t in span):
                alt = _fuzzy(key, idx)
                if alt is not None:
                    res.corrected[" ".join(t.text for t in span)] = alt
                    hits = idx.keys[alt]
            if hits is None:
                continue
            negated = any(t.text in _NEGATORS for t in tokens[max(0, i - 3):i]) or (
                i >= 2 and tokens[i - 2].text in ("other", "apart") and tokens[i - 1].text in ("than", "from"))
            for pid, w in hits.items():
                if negated and w >= NAME:
                    excluded.add(pid)
                elif not negated:
                    total[pid] = total.get(pid, 0.0) + w
                    first_seen.setdefault(pid, i)
            top_w = max(hits.values())
            best_here = [pid for pid, w in hits.items() if w == top_w]
            if not negated and top_w >= NAME and len(best_here) == 1 and best_here[0] not in mentioned:
                mentioned.append(best_here[0])
            if not negated and max(hits.values()) <= DESC:
                res.descriptive = True
            strong = negated or n > 1 or max(hits.values()) >= RESOLVED
            for t in span:
                t.role = "product" if strong else "weak"
            i += n
            matched = True
            break
        if not matched:
            i += 1
    res.excluded = [p.product_id for p in products if p.product_id in excluded]
    res.scores = total
    res.positions = dict(first_seen)
    if res.missing:
        return res  # never substitute a partial match for a product the store does not carry
    if total:
        top = max(total.values())
        if top >= CATEGORY:
            slack = 1.01 if res.descriptive else 0.5  # "wireless headphones" also finds the earbuds
            best = [p.product_id for p in products if total.get(p.product_id, 0) >= max(top - slack, CATEGORY)]
            # "the headphones, not the Sony": the excluded best match leaves nothing, never the runner-up
            res.candidates = sorted((p for p in best if p not in excluded), key=lambda p: first_seen.get(p, 0))
            several = [p for p in mentioned if p not in excluded]
            if len(several) > 1 and not res.descriptive:
                res.candidates = several  # several products named one by one: all of them, in that order
                res.listed = True
        if top < RESOLVED and res.candidates:
            cats = {idx.categories[p] for p in res.candidates}
            res.category = cats.pop() if len(cats) == 1 else None
    return res
