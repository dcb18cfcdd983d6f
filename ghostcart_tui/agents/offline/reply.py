"""What an offline policy decides for one model call: optional text, then tool calls."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Reply:
    text: str = ""
    calls: list[tuple[str, dict]] = field(default_factory=list)


def usd(cents: int | None) -> str:
    from ...core.money import format_cents

    return "" if cents is None else format_cents(cents)


def major(cents: int | None) -> float | None:
    return None if cents is None else round(cents / 100, 2)
