"""The self-contained requests the offline supervisor writes for a specialist, and how the
offline specialists read them back. Plain English a person (or Bedrock) can read too; the
bracketed bits are what the rules parse, so product names never have to be re-parsed."""

from __future__ import annotations

import re

from ...core.money import MoneyError, parse_money
from .reply import usd

_ID = re.compile(r"\(id ([A-Za-z0-9_\-]+)\)")
_QTY = re.compile(r"\bquantity (\d{1,2})\b")
_BUDGET = re.compile(r"\bitem price under (\$[\d,]+(?:\.\d\d)?)")
_CART = re.compile(r"\b(cart_[A-Za-z0-9_\-]+)")
_RETRY = re.compile(r"^Retry the payment for cart (\S+) with (?:the card '([^']*)'|the next card on file)")
_CANCEL = re.compile(r"^Cancel (?:monitoring job (job_[A-Za-z0-9_\-]+)|the watch for (.*?))\.?$")
_JOB = re.compile(r"\b(job_[A-Za-z0-9_\-]+)")
LISTED = re.compile(r"^\s*(\d+)\. (.+?) — .*\(id ([A-Za-z0-9_\-]+)\)", re.MULTILINE)


def buy_product(product_id: str, name: str, quantity: int = 1, budget_cents: int | None = None) -> str:
    text = f"Buy {name} (id {product_id}), quantity {quantity}"
    return text + (f", item price under {usd(budget_cents)}" if budget_cents else "")


def retry_payment(cart_id: str, hint: str | None) -> str:
    card = f"the card '{hint}'" if hint else "the next card on file"
    return f"Retry the payment for cart {cart_id} with {card}."


def product_id(text: str) -> str | None:
    m = _ID.search(text)
    return m.group(1) if m else None


def quantity(text: str) -> int | None:
    m = _QTY.search(text)
    return int(m.group(1)) if m else None


def budget(text: str) -> int | None:
    m = _BUDGET.search(text)
    if not m:
        return None
    try:
        return parse_money(m.group(1))
    except MoneyError:
        return None


def retry(text: str) -> tuple[str, str | None] | None:
    """(cart id, card hint or None for "the next card") of a retry request."""
    m = _RETRY.search(text)
    return (m.group(1).rstrip("."), m.group(2)) if m else None


def cancel_watch_request(job_id: str | None, words: str | None) -> str:
    return f"Cancel monitoring job {job_id}." if job_id else f"Cancel the watch for {words or ''}."


def cancel_watch(text: str) -> tuple[str | None, str | None] | None:
    """(job id, product words) of a cancel request, or None."""
    m = _CANCEL.match(text.strip())
    return (m.group(1), m.group(2)) if m else None


def job_ids(text: str) -> list[str]:
    return [j.rstrip(".,)") for j in _JOB.findall(text)]


def cart_ids(text: str) -> list[str]:
    return [c.rstrip(".,") for c in _CART.findall(text)]


def listed(text: str) -> list[tuple[str, str]]:
    """(product id, name) of a numbered product list an offline specialist wrote, in order."""
    return [(m.group(3), m.group(2)) for m in LISTED.finditer(text)]


# ---- plans: the supervisor's decision, carried to an offline specialist as JSON ----------------
_PLAN = re.compile(r"\[plan (\{.*\})\]\s*$", re.DOTALL)


def with_plan(text: str, plan: dict) -> str:
    import json

    return f"{text} [plan {json.dumps(plan, separators=(',', ':'), sort_keys=True)}]"


def plan(text: str) -> dict | None:
    """The plan a request carries, or None (a request written by a person or by Bedrock)."""
    import json

    m = _PLAN.search(text or "")
    if not m:
        return None
    try:
        data = json.loads(m.group(1))
    except ValueError:
        return None
    return data if isinstance(data, dict) else None
