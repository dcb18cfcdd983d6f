"""The pipeline, one message at a time:

    normalize → resolve entities → extract slots → pick the act → apply to the conversation state
    → account for every word → (policy_supervisor decides what to do with the result)

Each step is a function of the previous steps' output; `understand` only wires them together.
"""

from __future__ import annotations

import re
from datetime import date

from ....commerce.catalog import Product
from . import acts, refs
from .lexicon import CUES, FILLER, MODIFIERS
from .normalize import clean, normalize
from .resolve import resolve
from .slots import extract
from .state import ConvState
from .types import SPENDING_ACTS, Act, Slots, Token, Understanding

_WATCHY = {"watch", "monitor", "track", "if", "when", "once", "until", "till", "whenever", "drops", "falls",
           "notify", "alert", "ping", "hits", "dips", "for"}
_NEGATIVE = re.compile(r"(?:\$\s*-|-\s*\$)\s*\d")
_CUE_WORDS = frozenset(p for phrases in CUES.values() for p in phrases if " " not in p)
_PUNCT = {",", ";", "?", "!", "$", "#", "+", "<", ">", "[card]"}
_ASKING = frozenset("buy order purchase get grab want need take carry sell stock have like watch track monitor "
                    "about find show".split())
_CARD_WORDS = {"visa", "mastercard", "amex", "discover", "debit", "credit", "card", "paypal", "ending"}


def _account(tokens: list[Token], asking: bool = False) -> tuple[list[str], str | None]:
    """Every word is product, slot, cue or filler, or it is named here: (words that may change
    which product is meant, a product phrase the catalog does not know)."""
    for t in tokens:
        if not t.role and t.text not in _PUNCT and (t.text in FILLER or t.text in _CUE_WORDS or t.text in _CARD_WORDS
                                                    or (t.text in refs.ORDINALS and t.text.isalpha())):
            t.role = "filler"
    blocking: list[str] = []
    missing: str | None = None
    run: list[Token] = []
    asked_for = False  # the run follows a request word ("buy a …", "do you carry …")
    prev = ""
    for t in tokens + [Token(",", ",", "end")]:
        if t.role in ("", "product", "weak") and t.text not in _PUNCT:
            if not run:
                asked_for = prev in _ASKING
            run.append(t)
            continue
        if t.text not in ("a", "an", "the", "some", "any", "me", "us", "my", "new", "one", "of"):
            prev = t.text
        unknown = [x for x in run if not x.role]
        if unknown:
            named = any(x.role in ("product", "weak") for x in run)
            modifier = [x for x in unknown if x.text in MODIFIERS or any(ch.isdigit() for ch in x.text)]
            if (named or any(x.role == "product" for x in tokens)) and len(modifier) == len(unknown):
                blocking += [x.raw for x in unknown]  # "AirPods Pro 3rd gen": which one?
            elif missing is None and (asked_for or named) and not (named and asking):
                missing = " ".join(x.raw for x in run)  # "Dyson hair dryer", "Bose QuietComfort headphones"
        run = []
    return blocking, missing


def _merge(into: Slots, prior: dict) -> Slots:
    for key, value in prior.items():
        if hasattr(into, key) and value not in (None, False, [], "") and getattr(into, key) in (None, False):
            setattr(into, key, value)
    return into


def _products_from_state(u: Understanding, tokens: list[Token], state: ConvState, catalog: dict[str, Product],
                         ordinal: int | None, sup: str | None, res_candidates: list[str]) -> None:
    if u.products:
        if sup and sup != "cheaper" and not (u.act is Act.PRODUCT_QUESTION and len(u.products) > 1):
            u.products, u.reference = refs.pick_superlative(sup, u.products, catalog), "superlative"
        return
    listed = [p for p in state.last_list if p in catalog]
    if ordinal is not None and listed:
        idx = ordinal if ordinal >= 0 else len(listed) + ordinal
        if 0 <= idx < len(listed):
            u.products, u.reference = [listed[idx]], "ordinal"
        return
    pool = [p for p in listed if p not in u.excluded] if listed else []
    cands = pool or [p for p in state.focus if p in catalog]
    if sup and sup != "cheaper" and len(cands) < 2:  # nothing to choose among: compare beyond it
        comparative = any(t.text in _COMPARATIVES for t in tokens)
        ref = [p for p in state.focus if p in catalog][:1] or cands  # a comparative compares with the focus
        if (ref and comparative) or (not comparative and u.act not in SPENDING_ACTS):
            u.products, u.reference = _beyond(sup, tokens, ref if comparative else cands, catalog, u.excluded) \
                or ref, "superlative"
            return
        if not cands:
            return
    if sup and cands:
        u.products, u.reference = refs.pick_superlative(sup, cands, catalog), "superlative"
        return
    if u.excluded and pool:
        u.products, u.reference = pool, "negation"
        return
    if any(t.text == "other" for t in tokens) and listed and state.focus:
        others = [p for p in listed if p not in state.focus]
        if len(others) == 1:
            u.products, u.reference = others, "other"
            return
    plural = any(t.text in ("them", "those", "these", "both", "they", "between") for t in tokens)
    if plural and not state.focus and 2 <= len(listed) <= 4 and u.act is Act.PRODUCT_QUESTION:
        u.products, u.reference = [p for p in listed if p not in u.excluded], "list"  # "the difference between them"
        return
    implicit = u.act in (Act.BUY_NOW, Act.WATCH_BUY, Act.WATCH_NOTIFY, Act.PRODUCT_QUESTION)  # never a cancel
    if refs.pronoun(tokens) or implicit:
        focus = [p for p in state.focus if p in catalog and p not in u.excluded]
        if focus:
            u.products, u.reference = focus, "focus"


_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "pair": 2}


def _quantities(tokens: list[Token], positions: dict[str, int], products: list[str]) -> dict[str, int]:
    """How many of each product a message names ("2 airpods and a fitbit"): the number just before
    its first mention (articles count as one)."""
    out: dict[str, int] = {}
    for pid in products:
        i = positions.get(pid)
        if i is None:
            continue
        for t in reversed(tokens[max(0, i - 2):i]):
            if t.text.isdigit() and 0 < int(t.text) <= 10:
                out[pid] = int(t.text)
                break
            if t.text in _NUMBER_WORDS:
                out[pid] = _NUMBER_WORDS[t.text]
                break
    return out


_COMPARATIVES = frozenset({"cheaper", "pricier", "faster", "quicker", "sooner"})


def _beyond(sup: str, tokens: list[Token], focus: list[str], catalog: dict[str, Product],
            excluded: list[str]) -> list[str]:
    """A superlative with fewer than two candidates: a comparative ("the cheaper one") means the
    nearest better product in the focus's category; a superlative ("cheapest thing u got") spans
    the store."""
    others = [p for p in catalog.values() if p.product_id not in focus and p.product_id not in excluded]
    if focus and any(t.text in _COMPARATIVES for t in tokens):
        ref = catalog[focus[0]]
        same = [p for p in others if p.category == ref.category and p.in_stock]
        if sup == "low":
            better = [p for p in same if p.price_cents < ref.price_cents]
            return [max(better, key=lambda p: p.price_cents).product_id] if better else []
        if sup == "high":
            better = [p for p in same if p.price_cents > ref.price_cents]
            return [min(better, key=lambda p: p.price_cents).product_id] if better else []
        better = [p for p in same if p.delivery_days < ref.delivery_days]
        return [min(better, key=lambda p: (p.delivery_days, p.price_cents)).product_id] if better else []
    return refs.pick_superlative(sup, [p.product_id for p in catalog.values() if p.product_id not in excluded],
                                 catalog)


def _answer_pending(u: Understanding, f: acts.Features, state: ConvState, catalog: dict[str, Product]) -> None:
    """An answer to the assistant's own question completes the act it asked about."""
    a = state.asked
    if a is None:
        return
    fits = False
    act = Act(a.act) if a.act in {m.value for m in Act} else Act.CLARIFY
    if a.kind == "now_or_later":
        if f.c("now") or (f.c("buy") and not acts._watchish(f)) or (f.c("yes") and not f.c("later")):
            act, fits = Act.BUY_NOW, True
        elif f.c("later") or f.c("watch") or acts._watchish(f):
            act, fits = (Act.WATCH_NOTIFY if u.slots.notify_only else Act.WATCH_BUY), True
    elif a.kind == "max_price":
        fits = u.slots.max_price_cents is not None or bool(u.slots.percent_off or u.slots.price_drop_cents) \
            or u.slots.max_total_cents is not None
    elif a.kind == "quantity":
        fits = u.slots.quantity is not None
    elif a.kind in ("which_product", "which_watch"):
        if (f.c("question") or f.c("browse")) and not f.c("buy") and not f.c("yes"):
            return  # "what headphones do you have then" asks; it does not pick
        options = a.options or list(u.products)
        chosen = [p for p in u.products if p in options] if u.products else []
        if not chosen and u.reference is None and options and u.excluded:
            chosen = [p for p in options if p not in u.excluded]
        if chosen and (len(chosen) == 1 or a.kind == "which_product"):
            u.products, fits = chosen, True
    elif a.kind == "confirm":
        if f.c("yes") and not f.c("no"):
            fits = True
        elif f.c("no") and u.act in (Act.CLARIFY, Act.DECLINE):
            u.act = Act.DECLINE
            return
    small_talk = u.act in (Act.CLARIFY, Act.DECLINE, Act.HELP, Act.OUT_OF_SCOPE, Act.BROWSE, Act.PRODUCT_QUESTION,
                           Act.BUY_NOW, Act.CHANGE_WATCH) or u.act == act
    if not fits or not small_talk or (u.act is Act.BROWSE and f.c("browse") >= 1):
        return
    u.act = act
    if not u.products or (a.kind in ("max_price", "quantity", "confirm", "now_or_later") and not f.named):
        u.products = list(a.products) or u.products
    u.slots = _merge(u.slots, a.slots)
    u.reference = u.reference or "answer"


def understand(text: object, state: ConvState, products: list[Product], today: date) -> Understanding:
    cleaned = clean(text)
    tokens = normalize(cleaned)
    catalog = {p.product_id: p for p in products}
    res = resolve(tokens, products)  # step 2
    watchy = any(t.text in _WATCHY for t in tokens)
    slots = extract(tokens, today, watchy=watchy)  # step 3
    if _NEGATIVE.search(cleaned):
        slots.problems.append("a negative amount is not a price")
    listed = bool(state.last_list)
    lone_ok = listed and (state.asked is None or state.asked.kind == "which_product")
    ordinal = refs.ordinal(tokens, lone_number_ok=lone_ok)
    sup = refs.superlative(tokens)
    live = len(state.watches)
    found = acts.cues(tokens)
    blocking, unknown_phrase = _account(tokens, asking=bool(found.get("question")))  # every word accounted for
    if unknown_phrase and not res.missing and (not res.named or not res.candidates) and \
            not (found.get("offtopic") or found.get("rude")):
        res.missing = unknown_phrase
        res.missing_category = None
    elif unknown_phrase and res.named and not res.missing:
        res.missing = unknown_phrase  # a product the catalog does not know, partly matching one it does
    f = acts.features(tokens, res, slots, found, asked=state.asked.kind if state.asked else None, live_watches=live,
                      declined_cart=state.declined is not None, retry_cart=state.retry_cart is not None,
                      last_act=state.last_act, ordinal=ordinal is not None,
                      reference=(refs.pronoun(tokens) and bool(state.focus or state.last_list)) or sup is not None
                      or bool(res.excluded))
    f.focus = bool(state.focus)
    f.delivery = slots.max_delivery_days is not None
    words_set = {t.text for t in tokens}
    f.returns = bool(words_set & {"return", "returns", "refund", "refunds", "exchange", "back"})
    if words_set & {"limit", "cap", "watch", "alert", "threshold", "target"}:
        f.cue["limit"] = max(f.cue.get("limit", 0.0), 1.0)
    f.listed_named = bool(res.candidates) and all(p in state.last_list for p in res.candidates) and res.named
    f.sup = sup is not None
    f.quantity = slots.quantity is not None
    f.ordered = state.last_order is not None
    words = [t.text for t in tokens]
    f.continues = bool(words) and (words[0] in ("and", "also", "plus") or words[-1] in ("too", "also")
                                   or words[-2:] == ["as", "well"])
    slots.notify_only = f.notify
    act, scores = acts.pick(f)  # step 4
    u = Understanding(act=act, slots=slots, scores=scores, excluded=res.excluded, missing_product=res.missing)
    u.products = [p for p in res.candidates if p not in res.excluded]
    if u.products:
        u.reference = "named-list" if res.listed else "named"
        u.quantities = _quantities(tokens, res.positions, u.products)
    _products_from_state(u, tokens, state, catalog, ordinal, sup, res.candidates)  # step 5
    _answer_pending(u, f, state, catalog)
    if u.act is Act.DECLINE and f.c("yes") and state.declined and ("after" in cleaned.casefold()
                                                                  or f.c("buy")):
        u.act = Act.BUY_NOW
    if f.c("yes") and not f.c("no") and u.act in (Act.CLARIFY, Act.DECLINE) and state.declined and not state.asked \
            and not u.products:
        u.act, u.products = Act.BUY_NOW, [state.declined["product_id"]]
        u.slots = _merge(u.slots, {"quantity": state.declined.get("quantity"),
                                   "max_price_cents": state.declined.get("max_price_cents")})
    u.topic = _topic(f, tokens)
    u.unknown = blocking
    _guard(u, f, tokens, cleaned, state, res.need)
    return u


_RETURN_WORDS = frozenset({"return", "returning", "refund", "exchange"})
_STRONG_BUY = frozenset({"buy", "order", "purchase", "checkout"})
_QUESTION_OPENERS = frozenset({"when", "how", "what", "whats", "what's", "which", "why", "where", "will", "is", "are",
                               "does", "did", "was", "has", "have", "wats", "wat"})
_WATCH_NOUNS = frozenset({"watching", "watches", "watchlist", "watched", "alerts", "monitoring", "monitored"})
_LISTING = frozenset({"show", "list", "see", "view", "my", "any", "all"})


def interrogative(tokens: list[Token], cleaned: str) -> bool:
    """A question (ends with "?" or opens with a question word), as opposed to a request."""
    words = [t.text for t in tokens if t.text not in _PUNCT]
    return cleaned.rstrip().endswith("?") or (bool(words) and words[0] in _QUESTION_OPENERS)


def _guard(u: Understanding, f: acts.Features, tokens: list[Token], cleaned: str, state: ConvState,
           need: bool = False) -> None:
    """Last step: what a message may never be read as, whatever the scores said. A question or a
    return request never spends; asking about one's watches lists them."""
    words = {t.text for t in tokens}
    asks = interrogative(tokens, cleaned)
    explicit_buy = bool(words & _STRONG_BUY) and not (words & _RETURN_WORDS)
    if words & _WATCH_NOUNS and not f.c("change") and not explicit_buy and \
            (asks or words & _LISTING) and not (f.c("cancel") and not asks) and not f.price:
        u.act, u.topic, u.products = Act.ORDERS, "watches", []  # "what am i watching?", "show my watches"
        return
    if asks and f.c("cancel") and [t.text for t in tokens][:1] in (["did"], ["was"], ["has"], ["have"]):
        u.act, u.topic, u.products = Act.ORDERS, "watches", []  # "did u cancel it?": say what is live
        return
    if words & _RETURN_WORDS and u.act in SPENDING_ACTS | {Act.CLARIFY, Act.PRODUCT_QUESTION} and not explicit_buy:
        u.act, u.topic = Act.POLICY, "returns"  # "i want to return them": the policy, never a purchase
        return
    if need and u.act in (Act.BUY_NOW, Act.CLARIFY, Act.NOT_CARRIED) and not explicit_buy and u.products:
        u.act, u.missing_product = Act.BROWSE, None  # a need in plain words: suggest, best fit first
        return
    if u.act is Act.CLARIFY and not u.products and state.last_list and not u.unknown and \
            (u.slots.max_price_cents is not None or u.slots.max_delivery_days is not None):
        u.act, u.products = Act.BROWSE, list(state.last_list)  # "under 100 pls": narrow the list just shown
        return
    content = [t for t in tokens if t.text not in _PUNCT and t.role != "filler"]
    if u.act is Act.CLARIFY and not u.products and content and len(content) <= 2 and all(not t.role for t in content) \
            and not set(f.cue) - {"question", "browse"}:
        u.act, u.missing_product = Act.NOT_CARRIED, " ".join(t.raw for t in content)  # "bananas?"
        return
    if u.act is Act.PRODUCT_QUESTION and f.ordered and u.reference == "focus" and u.topic == "delivery" \
            and state.last_act in ("buy_now", "clarify"):
        u.act, u.products = Act.ORDERS, []  # "how long does it take to arrive?" right after buying it: the order
        return
    focus = [p for p in state.focus if p not in u.excluded]
    declined = (state.declined or {}).get("product_id")
    seq = [t.text for t in tokens if t.text not in _PUNCT]
    if declined and u.slots.quantity is None and len(seq) <= 4 and seq[:2] in (["make", "it"], ["just"], ["only"]):
        n = next((int(w) if w.isdigit() else _NUMBER_WORDS.get(w) for w in seq[1:]
                  if w.isdigit() or (w in _NUMBER_WORDS and w not in ("a", "an"))), None)
        u.slots.quantity = n if n is not None and 1 <= n <= 10 else None  # "make it one" (the declined cart)
    if u.act in (Act.CLARIFY, Act.OUT_OF_SCOPE) and declined and u.slots.quantity and u.products in ([], [declined]) \
            and not asks and not u.unknown and not f.c("watch") and not f.c("if_when"):
        u.act, u.products, u.reference = Act.BUY_NOW, [declined], "declined"  # "make it one": the same cart, changed
        if u.slots.max_price_cents is None:
            u.slots.max_price_cents = state.declined.get("max_price_cents") if state.declined else None
        return
    if u.act is Act.POLICY and words & {"total", "altogether", "overall"} and focus and u.topic == "shipping":
        u.act, u.products, u.topic = Act.PRODUCT_QUESTION, focus, "price"  # "whats the total with shipping"
        return
    if u.act is Act.CLARIFY and not u.products and len(focus) == 1 and f.c("buy") and not asks and not f.missing \
            and not u.unknown and not f.c("watch") and not f.c("if_when") and f.content <= 4:
        u.act, u.products, u.reference = Act.BUY_NOW, focus, "focus"  # "buy 3 sets", "k buy": the product in focus
        return
    spends = u.act in (Act.BUY_NOW, Act.WATCH_BUY, Act.WATCH_NOTIFY)
    if spends and asks and not f.c("buy") and not f.c("watch") and not f.notify and not f.c("yes"):
        u.act = Act.PRODUCT_QUESTION if u.products else Act.CLARIFY  # "when will it be back in stock?"
        u.topic = u.topic if u.topic not in (None, "about") or not f.stock else "stock"
        if f.stock:
            u.topic = "stock"


def _topic(f: acts.Features, tokens: list[Token]) -> str | None:
    words = {t.text for t in tokens}
    if f.c("spending"):
        return "spending"
    if f.c("policy"):
        if words & {"return", "returns", "refund", "refunds", "exchange"}:
            return "returns"
        if words & {"tax", "taxes"}:
            return "tax"
        if words & {"warranty", "guarantee"}:
            return "warranty"
        return "shipping"
    if words & {"size", "sizes", "color", "colors", "colour", "colours", "sizing", "fit"}:
        return "variants"
    if words & {"compare", "vs", "versus", "difference", "better", "or"} and f.c("question"):
        return "compare"
    if words & {"stock", "available", "availability", "sold"}:
        return "stock"
    if words & {"arrive", "delivery", "deliver", "ship", "shipping", "long", "fast", "soon", "days"}:
        return "delivery"
    if words & {"much", "price", "cost", "costs", "expensive", "cheap"}:
        return "price"
    if f.c("question"):
        return "about"
    return None
