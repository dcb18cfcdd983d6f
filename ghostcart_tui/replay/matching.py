"""SCENARIOS.md's matching rules, on plain event dicts ({"event": name, ...fields})."""

from __future__ import annotations

from typing import Any

RULE_KEYS = ("includes", "text_contains")


def _equal(want: Any, got: Any) -> bool:
    if isinstance(want, bool) or isinstance(got, bool):
        return want is got or (isinstance(want, bool) and isinstance(got, bool) and want == got)
    if isinstance(want, (int, float)) and isinstance(got, (int, float)):
        return want == got
    if isinstance(want, list) and isinstance(got, (list, tuple)):
        return len(want) == len(got) and all(_equal(a, b) for a, b in zip(want, got, strict=True))
    return want == got


def mismatches(expect: dict[str, Any], event: dict[str, Any]) -> list[str]:
    """Why `event` does not match `expect` (empty when it matches)."""
    if event.get("event") != expect.get("event"):
        return [f"event is {event.get('event')!r}"]
    why: list[str] = []
    for key, want in expect.items():
        if key == "event":
            continue
        if key == "includes":
            have = event.get("product_ids") or []
            missing = [p for p in want if p not in have]
            if missing:
                why.append(f"product_ids {list(have)} lack {missing}")
            continue
        if key == "text_contains":
            text = event.get("text")
            if text is None:
                text = event.get("message")
            if not isinstance(text, str) or str(want).lower() not in text.lower():
                why.append(f"text does not contain {want!r}")
            continue
        if key not in event:
            why.append(f"has no field {key!r}")
        elif not _equal(want, event[key]):
            why.append(f"{key} is {event[key]!r}, not {want!r}")
    return why


def matches(expect: dict[str, Any], event: dict[str, Any]) -> bool:
    return not mismatches(expect, event)


def find(expect: dict[str, Any], window: list[dict[str, Any]]) -> dict[str, Any] | None:
    for e in window:
        if matches(expect, e):
            return e
    return None
