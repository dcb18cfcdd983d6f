"""Every job, mandate and transaction status is defined once, in core/statuses.py.

Walks the syntax tree of every module of the package and fails on a string literal equal to a
status value that only a status can mean ("purchasing", "awaiting_user", "pending_signature", …):
code compares with and stores `JobStatus.PURCHASING`, `MandateStatus.PAID`, … instead (they are
StrEnums, so the database values are the same strings). Docstrings are not code and are skipped.
Values that are also ordinary words with other meanings here ("active", "signed", "created",
"declined", "expired", "cancelled", "failed") are left out: a literal of them is not necessarily a
status.
"""

from __future__ import annotations

import ast
from pathlib import Path

from ghostcart_tui.core.statuses import JobStatus, MandateStatus, TransactionStatus

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "ghostcart_tui"
DEFINITION = "ghostcart_tui/core/statuses.py"

AMBIGUOUS = {"active", "signed", "created", "declined", "expired", "cancelled", "failed"}
STATUS_VALUES = {str(s) for enum in (JobStatus, MandateStatus, TransactionStatus) for s in enum} - AMBIGUOUS

# TEMPORARY, for the lead after the merges: files of the tui and nlu streams, which were still
# being edited when this test was added (file → the literals it still has). The stale-entry test
# says when an entry can go.
TEMPORARY: dict[str, set[str]] = {
    "ghostcart_tui/agents/fallback.py": {"authorized"},
    "ghostcart_tui/agents/offline/answers.py": {"authorized"},
    "ghostcart_tui/agents/offline/policy_shopping.py": {"authorized"},
    "ghostcart_tui/agents/offline/world.py": {"purchasing"},
    "ghostcart_tui/agents/tools_delegate.py": {"purchasing"},
    "ghostcart_tui/agents/tools_shopping.py": {"authorized", "paid"},
    "ghostcart_tui/tui/actions.py": {"purchased"},
    "ghostcart_tui/tui/routing.py": {"authorized"},
    "ghostcart_tui/tui/screens/inspector.py": {"authorized"},
    "ghostcart_tui/tui/widgets/monitoring.py": {"awaiting_user", "purchased", "purchasing"},
    "ghostcart_tui/tui/widgets/orders.py": {"authorized"},
}


def _literals(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(n.value) for n in ast.walk(tree)
                  if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)}
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value in STATUS_VALUES
            and id(n) not in docstrings]


def _found() -> dict[str, list[tuple[int, str]]]:
    out: dict[str, list[tuple[int, str]]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel != DEFINITION and (hits := _literals(path)):
            out[rel] = hits
    return out


def test_status_values_are_written_only_in_core_statuses() -> None:
    problems = [f"{rel}:{line}: {value!r} (use the JobStatus / MandateStatus / TransactionStatus member)"
                for rel, hits in _found().items() for line, value in hits
                if value not in TEMPORARY.get(rel, set())]
    assert not problems, "status literals outside core/statuses.py:\n" + "\n".join(problems)


def test_temporary_entries_are_still_needed() -> None:
    found = {rel: {value for _, value in hits} for rel, hits in _found().items()}
    stale = {rel: sorted(values - found.get(rel, set())) for rel, values in TEMPORARY.items()}
    stale = {rel: values for rel, values in stale.items() if values}
    assert not stale, f"delete these TEMPORARY entries (the literals are gone): {stale}"


def test_the_walk_finds_a_status_literal(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text('"""awaiting_user in a docstring is fine."""\nif job.status == "awaiting_user":\n    pass\n')
    assert _literals(probe) == [(2, "awaiting_user")]
