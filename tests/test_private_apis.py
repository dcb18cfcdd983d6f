"""No private API of a library is used outside the one adapter.

Walks the syntax tree of every module of the package and fails on
- an import of a `_`-prefixed module of a library (`from textual.widgets._markdown import …`),
- `x._name` (or getattr/setattr/hasattr/delattr with "_name") where no code of ours defines
  `_name`: a `_`-prefixed attribute that is not our own is a library's private state,
- a class of ours that sets, reads or overrides a `_`-prefixed attribute one of its library base
  classes defines (`class M(strands.models.Model): _supports_structured_output = …`), which the
  first check cannot see because our own code then "defines" the name.
Dunder names (`__name__`, `__table__`) are the language's and the libraries' public protocol.

agents/strands_adapter.py is where a private Strands API would go if one were ever truly needed
(see docs/DESIGN.md, "Strands adapter"); ALLOWED lists, file by file, what such a file may use.
"""

from __future__ import annotations

import ast
import functools
import importlib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "ghostcart_tui"
OURS = "ghostcart_tui"

# file (relative to the repository) → the private library names it may use
ALLOWED: dict[str, set[str]] = {
    "ghostcart_tui/agents/strands_adapter.py": set(),  # uses public APIs only today
    # the one sd_jwt adapter (AP2 v0.2): SDJWTVerifier with the issuer signature checked by
    # ap2.jws.verify_es256; pinned against the installed sd_jwt by tests/ap2_v02/test_sdjwt_adapter.py
    "ghostcart_tui/ap2/v02/sdjwt.py": {"_unverified_input_sd_jwt", "_unverified_input_sd_jwt_payload",
                                       "_verify_sd_jwt"},
}
# TEMPORARY, for the lead after the merges (the stale-entry test says when an entry can go):
TEMPORARY: dict[str, set[str]] = {
}
_REFLECTION = {"getattr", "setattr", "hasattr", "delattr"}


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _modules() -> list[tuple[str, ast.Module]]:
    root = PACKAGE.parent
    return [(p.relative_to(root).as_posix(), ast.parse(p.read_text(encoding="utf-8"), filename=str(p)))
            for p in sorted(PACKAGE.rglob("*.py"))]


def _defined_by_us(trees: list[tuple[str, ast.Module]]) -> set[str]:
    """Every `_`-prefixed name our code defines: functions, classes, assignments, attributes set
    (`self._x = …`), annotated fields, parameters and imports-as."""
    names: set[str] = set()
    for _, tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
            elif isinstance(node, ast.alias) and node.asname:
                names.add(node.asname)
    return {n for n in names if _private(n)}


def _uses(tree: ast.Module, ours: set[str]) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if not node.module.startswith(OURS) and any(_private(part) for part in node.module.split(".")):
                found.append((node.lineno, node.module))
            elif not node.module.startswith(OURS):
                found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names
                          if _private(a.name) and a.name not in ours]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names
                      if not a.name.startswith(OURS) and any(_private(p) for p in a.name.split("."))]
        elif isinstance(node, ast.Attribute) and _private(node.attr) and node.attr not in ours:
            found.append((node.lineno, node.attr))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _REFLECTION
              and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant)
              and isinstance(node.args[1].value, str) and _private(node.args[1].value)
              and node.args[1].value not in ours):
            found.append((node.lineno, node.args[1].value))
    return found


def _all_uses() -> dict[str, list[tuple[int, str]]]:
    trees = _modules()
    ours = _defined_by_us(trees)
    return {path: uses for path, tree in trees if (uses := _uses(tree, ours))}


def test_no_private_library_api_outside_the_adapter() -> None:
    bad = [f"{path}:{line}: {name}" for path, uses in _all_uses().items() for line, name in uses
           if name not in ALLOWED.get(path, set()) | TEMPORARY.get(path, set())]
    assert not bad, ("private attributes or modules of libraries (use a public API, or isolate it in "
                     "agents/strands_adapter.py and list it in ALLOWED):\n  " + "\n  ".join(bad))


def _library_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 0 and not (node.module or "").startswith(OURS):
            names |= {a.asname or a.name for a in node.names}
        elif isinstance(node, ast.Import):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names if not a.name.startswith(OURS)}
    return names


def _root(expr: ast.expr) -> str | None:
    while isinstance(expr, ast.Attribute | ast.Subscript | ast.Call):
        expr = expr.value if not isinstance(expr, ast.Call) else expr.func
    return expr.id if isinstance(expr, ast.Name) else None


def _overrides(path: str, tree: ast.Module) -> list[tuple[int, str]]:
    imported = _library_names(tree)
    if not any(isinstance(n, ast.ClassDef) and any(_root(b) in imported for b in n.bases) for n in tree.body):
        return []  # no class here subclasses a library class: nothing to import
    module = importlib.import_module(path.removesuffix(".py").replace("/", ".").removesuffix(".__init__"))
    found: list[tuple[int, str]] = []
    for node in tree.body:
        cls = getattr(module, node.name, None) if isinstance(node, ast.ClassDef) else None
        if not isinstance(node, ast.ClassDef) or not isinstance(cls, type):
            continue
        theirs = {name for base in cls.__mro__[1:] if base.__module__.split(".")[0] not in (OURS, "builtins")
                  for name in vars(base) if _private(name)}
        for sub in ast.walk(node):
            if isinstance(sub, ast.Attribute):
                name, line = sub.attr, sub.lineno
            elif isinstance(sub, ast.Name):
                name, line = sub.id, sub.lineno
            elif isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef):
                name, line = sub.name, sub.lineno
            else:
                continue
            if name in theirs:
                found.append((line, name))
    return found


@functools.cache
def _all_overrides() -> dict[str, list[tuple[int, str]]]:
    return {path: found for path, tree in _modules() if not path.endswith("__main__.py")
            if (found := _overrides(path, tree))}


def test_no_library_private_is_set_or_overridden() -> None:
    bad = [f"{path}:{line}: {name}" for path, found in _all_overrides().items() for line, name in found
           if name not in ALLOWED.get(path, set()) | TEMPORARY.get(path, set())]
    assert not bad, "private attributes of library base classes used by our subclasses:\n  " + "\n  ".join(bad)


def test_allowlist_entries_are_still_needed() -> None:
    used: dict[str, set[str]] = {}
    for path, found in [*_all_uses().items(), *_all_overrides().items()]:
        used.setdefault(path, set()).update(name for _, name in found)
    stale = [f"{path}: {name}" for table in (ALLOWED, TEMPORARY) for path, names in table.items()
             for name in names if name not in used.get(path, set())]
    assert not stale, "allowlisted but no longer used, delete the entry in tests/test_private_apis.py:\n  " + \
        "\n  ".join(stale)


def test_the_walk_finds_what_it_is_for() -> None:
    """The checker itself: a library's private attribute and module are found, ours are not."""
    tree = ast.parse(
        "from textual.widgets._markdown import MarkdownBlock\n"
        "import strands._async\n"
        "class Ours:\n"
        "    def __init__(self):\n"
        "        self._mine = 1\n"
        "    def f(self, agent):\n"
        "        return agent._interrupt_state, self._mine, getattr(agent, '_secret', None), type(self).__name__\n")
    ours = _defined_by_us([("x.py", tree)])
    assert sorted(name for _, name in _uses(tree, ours)) == [
        "_interrupt_state", "_secret", "strands._async", "textual.widgets._markdown"]
