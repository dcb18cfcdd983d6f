"""Verdicts of chain validation: every check made, passed or failed, with its AP2 code."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

from .errors import CHAIN_INVALID, CONSTRAINTS_VIOLATED, EXPIRED, SIGNATURE_INVALID, AP2Error

# Which failure is reported first: signatures before anything semantic, so a tampered record
# always reads as signature_invalid, whatever else its tampering broke.
_RANK = {SIGNATURE_INVALID: 0, CHAIN_INVALID: 1, EXPIRED: 2, CONSTRAINTS_VIOLATED: 3}


@dataclass(frozen=True)
class Verdict:
    check: str
    ok: bool
    code: str | None
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class ChainReport:
    """All verdicts of one validation, in the order they were made."""

    def __init__(self, verdicts: Iterable[Verdict] = ()) -> None:
        self.verdicts: list[Verdict] = list(verdicts)

    @property
    def ok(self) -> bool:
        return all(v.ok for v in self.verdicts)

    @property
    def failures(self) -> list[Verdict]:
        return [v for v in self.verdicts if not v.ok]

    @property
    def first_failure(self) -> Verdict | None:
        """The failure to report: the most fundamental code first (signature, chain, expiry,
        constraints), then the earliest check."""
        failures = list(enumerate(self.failures))
        if not failures:
            return None
        return min(failures, key=lambda iv: (_RANK.get(iv[1].code or "", 9), iv[0]))[1]

    def raise_if_invalid(self) -> None:
        v = self.first_failure
        if v is not None:
            raise AP2Error(v.code or CHAIN_INVALID, v.reason, {"check": v.check})

    def __add__(self, other: ChainReport) -> ChainReport:
        return ChainReport([*self.verdicts, *other.verdicts])

    def __iter__(self) -> Iterator[Verdict]:
        return iter(self.verdicts)

    def __len__(self) -> int:
        return len(self.verdicts)

    def __repr__(self) -> str:
        first = self.first_failure
        state = "ok" if first is None else f"{first.code} at {first.check}"
        return f"ChainReport({len(self.verdicts)} checks, {state})"

    def to_dict(self) -> dict[str, Any]:
        first = self.first_failure
        return {
            "ok": self.ok,
            "first_failure": first.to_dict() if first else None,
            "verdicts": [v.to_dict() for v in self.verdicts],
        }


class Checks:
    """Collects verdicts while a validation runs."""

    def __init__(self) -> None:
        self.verdicts: list[Verdict] = []

    def ok(self, check: str, reason: str) -> None:
        self.verdicts.append(Verdict(check, True, None, reason))

    def fail(self, check: str, code: str, reason: str) -> None:
        self.verdicts.append(Verdict(check, False, code, reason))

    def expect(self, check: str, cond: bool, code: str, ok_reason: str, fail_reason: str) -> bool:
        if cond:
            self.ok(check, ok_reason)
        else:
            self.fail(check, code, fail_reason)
        return cond

    def report(self) -> ChainReport:
        return ChainReport(self.verdicts)
