"""Tool names have one definition each: agents/tool_names.py."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from ghostcart_tui.agents import tool_names

PACKAGE = Path(__file__).resolve().parents[2] / "ghostcart_tui"

# TEMPORARY (issue 15): files of other streams that still spell tool names as literals; each
# adopts agents/tool_names.py after the merge and its entry goes (the stale check says when).
NOT_YET: set[str] = set()


def _literals(tree: ast.Module) -> set[str]:
    exported = {id(c) for node in ast.walk(tree) if isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
                for c in ast.walk(node.value)}  # __all__ names functions, not tools
    return {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and n.value in tool_names.ALL and id(n) not in exported}


def _spelled_out() -> dict[str, set[str]]:
    root = PACKAGE.parent
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel != "ghostcart_tui/agents/tool_names.py" and (names := _literals(ast.parse(path.read_text()))):
            found[rel] = names
    return found


def test_no_tool_name_is_spelled_out_elsewhere() -> None:
    bad = {path: sorted(names) for path, names in _spelled_out().items() if path not in NOT_YET}
    assert not bad, f"use ghostcart_tui.agents.tool_names instead of these literals: {bad}"


def test_the_temporary_list_is_still_needed() -> None:
    stale = NOT_YET - _spelled_out().keys()
    assert not stale, f"these files use tool_names now; delete them from NOT_YET: {sorted(stale)}"


def test_every_registered_tool_is_named_there_and_every_name_is_used(rt: Any) -> None:
    from ghostcart_tui.agents.graph import build_graph
    from ghostcart_tui.agents.metering import Meter
    from ghostcart_tui.agents.provider import OFFLINE_LABEL, ProviderChoice

    graph = build_graph(rt, ProviderChoice("offline", OFFLINE_LABEL, "test"), "session_test", Meter())
    registered = [n for a in (graph.supervisor, graph.shopping, graph.delegate, graph.payment) for n in a.tool_names]
    assert set(registered) == tool_names.ALL
    assert tool_names.validate_chain("hp") in registered and tool_names.validate_chain("hnp") in registered
