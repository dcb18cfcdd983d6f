"""Evaluation of the open mandates' constraints against the closed mandates (AP2 v0.2,
checkout_mandate.md and payment_mandate.md). Each function returns a list of violations (empty:
the constraint holds). Unknown constraint types fail, as the spec requires."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .content import (
    ALLOWED_INSTRUMENTS,
    ALLOWED_MERCHANTS,
    ALLOWED_PAYEES,
    AMOUNT_RANGE,
    BUDGET,
    EXECUTION_DATE,
    LINE_ITEMS,
    REFERENCE,
)

_PAN = re.compile(r"(?<!\d)\d(?:[ -]?\d){11,18}(?!\d)")


def looks_like_card_number(text: Any) -> bool:
    return isinstance(text, str) and bool(_PAN.search(text))


def same_merchant(a: Any, b: Any) -> bool:
    """Merchants match by id; without ids, by name and website (both present)."""
    if not isinstance(a, dict) or not isinstance(b, dict):
        return False
    if a.get("id") and b.get("id"):
        return a["id"] == b["id"]
    return (
        bool(a.get("name"))
        and bool(a.get("website"))
        and (a.get("name"), a.get("website")) == (b.get("name"), b.get("website"))
    )


def _max_flow(req_qty: list[int], allowed: list[set[str]], have: dict[str, int]) -> int:
    """Units of checkout items assignable to requirements (each unit once, each requirement up to
    its quantity): a small max-flow by augmenting paths."""
    skus = list(have)
    flow: dict[tuple[int, str], int] = {}
    used = [0] * len(req_qty)
    left = dict(have)

    def augment(r: int, seen: set[int]) -> bool:
        seen.add(r)
        for sku in skus:
            if sku not in allowed[r]:
                continue
            if left[sku] > 0:
                left[sku] -= 1
                flow[(r, sku)] = flow.get((r, sku), 0) + 1
                return True
            for r2 in range(len(req_qty)):  # take a unit from another requirement that can move
                if r2 not in seen and flow.get((r2, sku), 0) > 0 and augment(r2, seen):
                    flow[(r2, sku)] -= 1
                    flow[(r, sku)] = flow.get((r, sku), 0) + 1
                    return True
        return False

    total = 0
    for r, q in enumerate(req_qty):
        while used[r] < q and augment(r, set()):
            used[r] += 1
            total += 1
    return total


def line_items(c: dict[str, Any], checkout: dict[str, Any]) -> list[str]:
    reqs = c.get("items")
    if not isinstance(reqs, list) or not reqs:
        return ["checkout.line_items has no items"]
    have: dict[str, int] = {}
    for li in checkout.get("line_items") or []:
        sku = (li.get("item") or {}).get("id")
        q = li.get("quantity")
        if not isinstance(sku, str) or type(q) is not int or q < 1:
            return ["a checkout line item has no product id or quantity"]
        have[sku] = have.get(sku, 0) + q
    if not have:
        return ["the checkout is empty"]
    qty, allowed = [], []
    for r in reqs:
        q = r.get("quantity") if isinstance(r, dict) else None
        acc = r.get("acceptable_items") if isinstance(r, dict) else None
        if type(q) is not int or q < 1 or not isinstance(acc, list):
            return ["a line item requirement has no quantity or acceptable items"]
        ids = {a["id"] for a in acc if isinstance(a, dict) and isinstance(a.get("id"), str)}
        if not ids:
            return [f"requirement {r.get('id')!r} reveals no acceptable item"]
        qty.append(q)
        allowed.append(ids)
    stray = sorted(s for s in have if not any(s in a for a in allowed))
    if stray:
        return [f"the checkout holds {', '.join(stray)}, which no requirement accepts"]
    flow = _max_flow(qty, allowed, have)
    if flow != sum(qty) or flow != sum(have.values()):
        return [f"the checkout's {sum(have.values())} item(s) do not fill the {sum(qty)} required (matched {flow})"]
    return []


def allowed_merchants(c: dict[str, Any], checkout: dict[str, Any]) -> list[str]:
    allowed = [m for m in c.get("allowed") or [] if isinstance(m, dict)]
    if not allowed:
        return ["checkout.allowed_merchants reveals no merchant"]
    m = checkout.get("merchant")
    if not any(same_merchant(a, m) for a in allowed):
        return [f"merchant {(m or {}).get('name')!r} is not allowed"]
    return []


def checkout_constraints(open_content: dict[str, Any], checkout: dict[str, Any]) -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = []
    cs = open_content.get("constraints")
    if not isinstance(cs, list) or not any(isinstance(c, dict) and c.get("type") == LINE_ITEMS for c in cs):
        out.append(("checkout.line_items", ["the open checkout mandate has no checkout.line_items constraint"]))
        cs = cs if isinstance(cs, list) else []
    for c in cs:
        t = c.get("type") if isinstance(c, dict) else None
        fn = {LINE_ITEMS: line_items, ALLOWED_MERCHANTS: allowed_merchants}.get(t)  # type: ignore[arg-type]
        out.append((str(t), fn(c, checkout) if fn else [f"unknown constraint {t!r} (fails, as the spec requires)"]))
    return out


# -- payment ------------------------------------------------------------------------------------


def amount_range(c: dict[str, Any], closed: dict[str, Any], _ctx: dict[str, Any]) -> list[str]:
    amt = closed.get("payment_amount") or {}
    out = []
    if amt.get("currency") != c.get("currency"):
        out.append(f"currency {amt.get('currency')!r} is not {c.get('currency')!r}")
    a, lo, hi = amt.get("amount"), c.get("min"), c.get("max")
    if type(a) is not int or type(hi) is not int:
        return out + ["amount or max is not an integer in minor units"]
    if lo is not None and a < lo:
        out.append(f"amount {a} below the minimum {lo}")
    if a > hi:
        out.append(f"amount {a} exceeds the maximum {hi}")
    return out


def allowed_payees(c: dict[str, Any], closed: dict[str, Any], _ctx: dict[str, Any]) -> list[str]:
    allowed = [m for m in c.get("allowed") or [] if isinstance(m, dict)]
    if not any(same_merchant(a, closed.get("payee")) for a in allowed):
        return [f"payee {(closed.get('payee') or {}).get('name')!r} is not allowed"]
    return []


def allowed_instruments(c: dict[str, Any], closed: dict[str, Any], _ctx: dict[str, Any]) -> list[str]:
    inst = closed.get("payment_instrument") or {}
    if not any(isinstance(a, dict) and a.get("id") == inst.get("id") for a in c.get("allowed") or []):
        return [f"payment instrument {inst.get('id')!r} is not allowed"]
    return []


def execution_date(c: dict[str, Any], closed: dict[str, Any], _ctx: dict[str, Any]) -> list[str]:
    d = closed.get("execution_date")
    if not isinstance(d, str):
        return ["the closed payment mandate states no execution_date to check the window against"]
    out = []
    if c.get("not_before") and d < c["not_before"]:
        out.append(f"execution date {d} is before {c['not_before']}")
    if c.get("not_after") and d > c["not_after"]:
        out.append(f"execution date {d} is after {c['not_after']}")
    return out


def reference(c: dict[str, Any], _closed: dict[str, Any], ctx: dict[str, Any]) -> list[str]:
    want = ctx.get("open_checkout_hash")
    if not want or c.get("conditional_transaction_id") != want:
        return ["payment.reference is not the hash of the presented open checkout mandate"]
    return []


def budget(c: dict[str, Any], closed: dict[str, Any], ctx: dict[str, Any]) -> list[str]:
    spent = ctx.get("budget_spent")
    if spent is None:
        return ["payment.budget needs the spending so far, which this verifier was not given"]
    amt = (closed.get("payment_amount") or {}).get("amount", 0)
    if (closed.get("payment_amount") or {}).get("currency") != c.get("currency"):
        return ["budget currency differs"]
    limit = round(float(c.get("max", 0)) * 100)
    return [] if spent + amt <= limit else [f"spending {spent + amt} would exceed the budget {limit}"]


PAYMENT: dict[str, Callable[[dict[str, Any], dict[str, Any], dict[str, Any]], list[str]]] = {
    AMOUNT_RANGE: amount_range,
    ALLOWED_PAYEES: allowed_payees,
    ALLOWED_INSTRUMENTS: allowed_instruments,
    EXECUTION_DATE: execution_date,
    REFERENCE: reference,
    BUDGET: budget,
}
PRESET = ("payee", "payment_amount", "payment_instrument", "execution_date")


def payment_constraints(
    open_content: dict[str, Any], closed: dict[str, Any], ctx: dict[str, Any]
) -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = []
    for k in PRESET:  # claims the user pre-set in the open mandate stay unchanged
        if k in open_content and open_content[k] != closed.get(k):
            out.append((f"preset.{k}", [f"{k} differs from the value the user pre-set"]))
    cs = open_content.get("constraints")
    if not isinstance(cs, list) or not any(isinstance(c, dict) and c.get("type") == REFERENCE for c in cs):
        out.append((REFERENCE, ["the open payment mandate has no payment.reference constraint"]))
        cs = cs if isinstance(cs, list) else []
    for c in cs:
        t = c.get("type") if isinstance(c, dict) else None
        fn = PAYMENT.get(t)  # type: ignore[arg-type]
        out.append((str(t), fn(c, closed, ctx) if fn else [f"unknown constraint {t!r} (fails, as the spec requires)"]))
    return out
