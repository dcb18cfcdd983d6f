"""Reading a Strands message list the way the offline model needs it: the shopper's latest words,
the tool results of the current turn (parsed JSON, paired with the tool that produced them),
and what earlier turns said.

Tool results are only ever read as structured data (ids, prices, flags, statuses). Free text in
them (a product description) is never interpreted, so it cannot steer the model.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from ..tools_common import LATEST  # noqa: F401  (re-exported for the policies)

ID_IN_TEXT = re.compile(r"\(id ([A-Za-z0-9_\-]+)\)")
CART_ID = re.compile(r"\bcart_[A-Za-z0-9_\-]+")


@dataclass
class Result:
    name: str
    ok: bool
    data: dict[str, Any]
    input: dict[str, Any] = field(default_factory=dict)


@dataclass
class Transcript:
    request: str  # the latest user text (a specialist's whole task)
    results: list[Result]  # tool results since that text, in order
    earlier: list[tuple[str, str]]  # (role, text) of previous turns, oldest first
    calls: list[tuple[str, dict]]  # every tool call (name, input) in the whole history, in order

    def last(self, name: str) -> Result | None:
        return next((r for r in reversed(self.results) if r.name == name), None)

    def all(self, name: str) -> list[Result]:
        return [r for r in self.results if r.name == name]

    def called(self, name: str) -> bool:
        return any(r.name == name for r in self.results)


def _texts(message: dict) -> str:
    return "\n".join(b["text"] for b in message.get("content", []) if isinstance(b, dict) and "text" in b)


def _parse(block: dict) -> tuple[bool, dict]:
    res = block["toolResult"]
    ok = res.get("status", "success") != "error"
    for c in res.get("content", []):
        if "json" in c and isinstance(c["json"], dict):
            return ok, c["json"]
        if "text" in c:
            try:
                data = json.loads(c["text"])
                return ok, data if isinstance(data, dict) else {"value": data}
            except (ValueError, TypeError):
                return ok, {"text": c["text"]}
    return ok, {}


def read(messages: list[dict]) -> Transcript:
    uses: dict[str, tuple[str, dict]] = {}
    calls: list[tuple[str, dict]] = []
    request_at = -1
    for i, m in enumerate(messages):
        if m.get("role") == "user" and _texts(m).strip():
            request_at = i
    for m in messages:
        for b in m.get("content", []):
            if isinstance(b, dict) and "toolUse" in b:
                u = b["toolUse"]
                inp = u.get("input") if isinstance(u.get("input"), dict) else {}
                uses[u["toolUseId"]] = (u["name"], inp)
                calls.append((u["name"], inp))
    results: list[Result] = []
    earlier: list[tuple[str, str]] = []
    for i, m in enumerate(messages):
        if i < request_at:
            text = _texts(m).strip()
            if text:
                earlier.append((m.get("role", "?"), text))
            continue
        for b in m.get("content", []):
            if isinstance(b, dict) and "toolResult" in b and i > request_at:
                name, inp = uses.get(b["toolResult"].get("toolUseId"), ("?", {}))
                ok, data = _parse(b)
                results.append(Result(name, ok, data, inp))
    request = _texts(messages[request_at]).strip() if request_at >= 0 else ""
    return Transcript(request, results, earlier, calls)
