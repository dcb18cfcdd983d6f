"""Offline, deterministic language understanding for GhostCart's rule-based model.

Public API (pure functions, stdlib + ghostcart_tui.core only):
- classify(text) -> Route
- extract_constraints(text, default_expiry_days=7) -> Constraints | NeedsInfo
- parse_money_phrase(text) -> int | None
- ordinal(text) -> int | None
"""

from __future__ import annotations

from .nlu_constraints import extract_constraints, parse_money_phrase
from .nlu_followup import ordinal
from .nlu_route import classify
from .nlu_text import MAX_INPUT_CHARS
from .nlu_types import FOLLOWUP_KINDS, ROUTE_KINDS, Constraints, FollowUp, NeedsInfo, Route

__all__ = [
    "FOLLOWUP_KINDS",
    "MAX_INPUT_CHARS",
    "ROUTE_KINDS",
    "Constraints",
    "FollowUp",
    "NeedsInfo",
    "Route",
    "classify",
    "extract_constraints",
    "ordinal",
    "parse_money_phrase",
]
