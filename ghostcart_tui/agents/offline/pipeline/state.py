"""The conversation state the offline model reads and writes, typed, persisted as JSON in the
session's context (services/conversations.py), so follow-ups resolve after a restart too.

It replaces regex-parsing the assistant's own earlier replies: what was listed, what is in focus,
what was just asked and which answers it expects, the cart in flight or declined, the watches
started, the last order."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Asked:
    """The question the assistant just asked, and what an answer to it completes."""

    kind: str  # now_or_later | which_product | max_price | which_watch | quantity | confirm
    act: str  # the act the answer completes
    products: list[str] = field(default_factory=list)
    slots: dict[str, Any] = field(default_factory=dict)  # what was understood so far
    options: list[str] = field(default_factory=list)  # product ids or job ids offered


@dataclass
class Watch:
    job_id: str
    skus: list[str]
    label: str
    notify_only: bool = False


@dataclass
class ConvState:
    last_list: list[str] = field(default_factory=list)  # product ids, in the order shown
    focus: list[str] = field(default_factory=list)  # the product(s) being talked about
    asked: Asked | None = None
    cart: dict[str, Any] | None = None  # {product_id, quantity, max_price_cents, cart_id, status}
    declined: dict[str, Any] | None = None  # the cart the shopper declined (for "go ahead after all")
    retry_cart: str | None = None  # a signed cart whose payment was declined
    watches: list[Watch] = field(default_factory=list)  # watches this conversation started
    last_watch: str | None = None  # the job id talked about last
    last_order: dict[str, Any] | None = None
    last_act: str | None = None
    last: dict[str, Any] = field(default_factory=dict)  # the latest message's act and slots (Understanding.summary)
    history: list[dict[str, Any]] = field(default_factory=list)  # summaries of the latest turns (bounded)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any) -> ConvState:
        if not isinstance(data, dict):
            return cls()
        try:
            asked = data.get("asked")
            return cls(
                last_list=[str(x) for x in data.get("last_list") or []],
                focus=[str(x) for x in data.get("focus") or []],
                asked=Asked(**asked) if isinstance(asked, dict) else None,
                cart=data.get("cart") if isinstance(data.get("cart"), dict) else None,
                declined=data.get("declined") if isinstance(data.get("declined"), dict) else None,
                retry_cart=data.get("retry_cart") if isinstance(data.get("retry_cart"), str) else None,
                watches=[Watch(**w) for w in data.get("watches") or [] if isinstance(w, dict)],
                last_watch=data.get("last_watch") if isinstance(data.get("last_watch"), str) else None,
                last_order=data.get("last_order") if isinstance(data.get("last_order"), dict) else None,
                last_act=data.get("last_act") if isinstance(data.get("last_act"), str) else None,
                last=dict(data["last"]) if isinstance(data.get("last"), dict) else {},
                history=[h for h in data.get("history") or [] if isinstance(h, dict)][-20:],
            )
        except TypeError:  # a state written by another version: start afresh rather than fail
            return cls()
