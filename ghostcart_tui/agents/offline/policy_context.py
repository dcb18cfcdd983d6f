"""What a supervisor handler gets: the message understood, the state, the catalog and the world;
and the small helpers every handler uses to answer, ask, or hand a plan to a specialist."""

from __future__ import annotations

from dataclasses import dataclass

from ...commerce.catalog import Product
from .. import tool_names
from . import requests as rq
from .pipeline.state import Asked, ConvState
from .pipeline.types import Understanding
from .reply import Reply, usd
from .world import World

SHOP, DELEGATE = tool_names.SHOPPING_AGENT, tool_names.DELEGATE_AGENT


@dataclass
class Ctx:
    text: str
    u: Understanding
    state: ConvState
    world: World
    catalog: dict[str, Product]
    shown: list[str] | None = None  # what a browse actually listed (the decided products)
    understood_only: bool = False  # understood, but a missing capability (not the message) stopped it

    def products(self) -> list[Product]:
        return [self.catalog[p] for p in self.u.products if p in self.catalog]

    def names(self, ids: list[str]) -> str:
        names = [self.catalog[p].name for p in ids if p in self.catalog]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1] if names else ""

    def ask(self, question: str, asked: Asked | None = None) -> Reply:
        self.state.asked = asked
        return Reply(question)

    def say(self, text: str) -> Reply:
        self.state.asked = None
        return Reply(text)

    def call(self, tool: str, request: str, plan: dict) -> Reply:
        return Reply(calls=[(tool, {"input": rq.with_plan(request, plan)})])

    def show(self, ids: list[str], query: str) -> None:
        """The list the shopper is about to see becomes the state's last list (ordinals refer to it)."""
        self.state.last_list = list(ids)
        self.state.focus = list(ids) if len(ids) == 1 else []

    def list_reply(self, ids: list[str], query: str, budget: int | None, tail: str, asked: Asked | None) -> Reply:
        self.show(ids, query)
        self.state.asked = asked
        return self.call(SHOP, f"List {len(ids)} products for '{query}'",
                         {"op": "list", "ids": ids, "query": query, "max_price_cents": budget, "tail": tail})


def problem_question(problems: list[str]) -> str:
    p = problems[0]
    if "more than the" in p:
        return f"{p[0].upper()}{p[1:]}. How many would you like (1 to 10)?"
    if "delivery" in p or "delivered" in p:
        return f"{p[0].upper()}{p[1:]}. By when do you need it?"
    if "watch" in p:
        return f"{p[0].upper()}{p[1:]}. For how many days should I watch?"
    if "quantity" in p:
        return f"{p[0].upper()}{p[1:]}. How many would you like?"
    return f"{p[0].upper()}{p[1:]}. What price should I use, in US dollars?"


def unknown_question(u: Understanding, catalog: dict[str, Product]) -> str:
    words = "', '".join(u.unknown[:4])
    names = [catalog[p] for p in u.products if p in catalog]
    if len(names) == 1:
        p = names[0]
        return (f"I'm not sure what '{words}' means here. Do you mean the {p.name} ({usd(p.price_cents)})? "
                "Say yes, or tell me more.")
    return f"I'm not sure what '{words}' means. Which product do you mean, and what should I do with it?"
