"""services/ holds no SQL: queries live in store/ behind repository functions named for what
they do (tests/store/test_repositories.py). A services module may name `Session` (to pass one
to store/) and catch sqlalchemy.exc / sqlite3 errors, but not build or run a query.

Fails on, in any ghostcart_tui/services module:
- importing anything from sqlalchemy or sqlmodel other than `Session` or sqlalchemy.exc,
- calling `.exec(...)`, `.execute(...)` or `.executescript(...)`,
- reaching a table through `__table__`.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ROOT / "ghostcart_tui" / "services"
ALLOWED_NAMES = {"Session"}
RUNS_SQL = {"exec", "execute", "executescript", "executemany"}

# TEMPORARY, for the lead after the merges: owned by the nlu stream, which was still editing it
# when this test was added; its queries move to store/ (a conversations repository) after the merge.
TEMPORARY = {"ghostcart_tui/services/conversations.py"}


def _problems(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            root = node.module.split(".")[0]
            if root in ("sqlalchemy", "sqlmodel") and not node.module.startswith("sqlalchemy.exc"):
                extra = [a.name for a in node.names if a.name not in ALLOWED_NAMES]
                if extra:
                    out.append(f"{node.lineno}: imports {', '.join(extra)} from {node.module}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in ("sqlalchemy", "sqlmodel") and alias.name != "sqlalchemy.exc":
                    out.append(f"{node.lineno}: imports {alias.name}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in RUNS_SQL:
            out.append(f"{node.lineno}: runs SQL (.{node.func.attr}(...))")
        elif isinstance(node, ast.Attribute) and node.attr == "__table__":
            out.append(f"{node.lineno}: reaches a table through __table__")
    return out


def _found() -> dict[str, list[str]]:
    found = {}
    for path in sorted(SERVICES.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if problems := _problems(path):
            found[rel] = problems
    return found


def test_services_hold_no_sql() -> None:
    problems = [f"{rel}:{p}" for rel, ps in _found().items() if rel not in TEMPORARY for p in ps]
    assert not problems, "SQL in services/ (move it into a store/ repository function):\n" + "\n".join(problems)


def test_temporary_entries_are_still_needed() -> None:
    stale = TEMPORARY - set(_found())
    assert not stale, f"delete these TEMPORARY entries (no SQL left in them): {sorted(stale)}"


def test_the_walk_sees_a_query(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("from sqlmodel import Session, select\n\ndef f(s):\n    return s.exec(select(X)).all()\n")
    assert _problems(probe) == ["1: imports select from sqlmodel", "4: runs SQL (.exec(...))"]
