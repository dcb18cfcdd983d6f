"""A YAML loader that cannot be made to explode: scenario files are small, hand-written data, so a
file past MAX_BYTES, nesting past MAX_DEPTH, more than MAX_ALIASES aliases, or aliases expanding
past MAX_NODES (a "billion laughs"), and any alias to a node it sits inside (a recursive
structure) is refused with the line where the limit was crossed, before anything is built."""

from __future__ import annotations

from typing import Any

import yaml

MAX_BYTES = 256 * 1024
MAX_DEPTH = 40
MAX_NODES = 20_000
MAX_ALIASES = 200


class YamlLimit(Exception):
    """A bound crossed while reading: `reason` says which, `line` where (1-based) if known."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason, self.line = reason, line


class BoundedSafeLoader(yaml.SafeLoader):
    """SafeLoader counting nodes as they would be expanded (an alias counts its whole target)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0
        self._aliases = 0
        self._open: set[str] = set()  # anchors of collections still being composed
        self._measured: dict[int, tuple[int, int]] = {}  # id(node) -> (expanded size, height)

    # The scanner looks ahead up to 1,024 characters for a possible key at every flow level, so
    # 100,000 "[" cost quadratic time before the composer sees any depth: stop it there too.
    def fetch_flow_collection_start(self, token_class: Any) -> None:
        super().fetch_flow_collection_start(token_class)
        if self.flow_level > MAX_DEPTH:
            raise YamlLimit(f"values nested deeper than {MAX_DEPTH} levels", self.line + 1)

    def add_indent(self, column: int) -> bool:
        added = super().add_indent(column)
        if len(self.indents) > MAX_DEPTH:
            raise YamlLimit(f"values nested deeper than {MAX_DEPTH} levels", self.line + 1)
        return added

    def _fail(self, reason: str) -> None:
        mark = self.peek_event().start_mark if self.check_event() else None
        raise YamlLimit(reason, mark.line + 1 if mark is not None else None)

    def _measure(self, node: yaml.Node) -> tuple[int, int]:
        """(nodes, height) of a finished node with every alias expanded; memoized, so a chain of
        aliases costs one visit per distinct node. Heights are bounded, so is the recursion."""
        known = self._measured.get(id(node))
        if known is not None:
            return known
        if isinstance(node, yaml.SequenceNode):
            children = [self._measure(c) for c in node.value]
        elif isinstance(node, yaml.MappingNode):
            children = [m for k, v in node.value for m in (self._measure(k), self._measure(v))]
        else:
            children = []
        size = 1 + sum(c[0] for c in children)
        height = 1 + max((c[1] for c in children), default=0)
        self._measured[id(node)] = (size, height)
        return size, height

    def _count(self, n: int) -> None:
        self._nodes += n
        if self._nodes > MAX_NODES:
            self._fail(f"the file expands to more than {MAX_NODES:,} values (too many or too "
                       "deeply repeated aliases); a scenario is small, hand-written data")

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        if self.check_event(yaml.AliasEvent):
            anchor = self.peek_event().anchor
            if anchor in self._open:
                self._fail(f"alias *{anchor} refers to a collection that contains it (a recursive "
                           "structure), which a scenario never needs")
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                self._fail(f"more than {MAX_ALIASES} aliases (*name); write the values out")
            node = super().compose_node(parent, index)
            size, height = self._measure(node)
            if self._depth + height > MAX_DEPTH:
                self._fail(f"values nested deeper than {MAX_DEPTH} levels (through alias *{anchor})")
            self._count(size)
            return node
        self._depth += 1
        if self._depth > MAX_DEPTH:
            self._fail(f"values nested deeper than {MAX_DEPTH} levels")
        self._count(1)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def compose_sequence_node(self, anchor: str | None) -> yaml.Node:
        return self._composing(anchor, super().compose_sequence_node)

    def compose_mapping_node(self, anchor: str | None) -> yaml.Node:
        return self._composing(anchor, super().compose_mapping_node)

    def _composing(self, anchor: str | None, compose: Any) -> yaml.Node:
        if anchor is None:
            return compose(anchor)
        self._open.add(anchor)
        try:
            return compose(anchor)
        finally:
            self._open.discard(anchor)


def load_bounded(text: str) -> tuple[yaml.Node | None, Any]:
    """(node tree, data) of one YAML document, within the bounds above. Raises YamlLimit, or the
    usual yaml.YAMLError for a syntax error."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise YamlLimit(f"the file is {size:,} bytes; a scenario may be at most {MAX_BYTES:,} bytes")
    loader = BoundedSafeLoader(text)
    try:
        try:
            root = loader.get_single_node()
            data = loader.construct_document(root) if root is not None else None
        except RecursionError:  # a bound above should always come first; never a traceback
            raise YamlLimit(f"values nested too deeply (the limit is {MAX_DEPTH} levels)") from None
    finally:
        loader.dispose()
    return root, data
