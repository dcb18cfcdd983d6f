"""Scenario files (SCENARIOS.md): YAML → validated steps, or a ScenarioError naming the line.

Loading imports only yaml and pydantic, so `ghostcart replay` can reject a bad file before it
opens a database or builds a model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..commerce.processor import DECLINE_REASONS
from ..core.clock import parse_duration, parse_iso
from .yaml_bounded import MAX_BYTES, YamlLimit, load_bounded

ACTION_STEPS = ("say", "sign", "set_price", "set_stock", "next_payment", "advance")
CHECK_STEPS = ("expect", "expect_not", "expect_state")
STEP_TYPES = ACTION_STEPS + CHECK_STEPS
STATE_KEYS = ("transactions", "authorized_transactions", "active_monitoring_jobs", "mandates")
DEFAULT_START = "2026-11-26T10:00:00Z"
DEFAULT_SEED = 7  # replay is reproducible by default: ids and processor answers follow the seed
START_YEARS = (2000, 2100)  # a replay clock outside this is a typo, and near year 1 or 9999 overflows


class ScenarioError(Exception):
    """An invalid scenario file: `path:line: reason`."""

    def __init__(self, path: Path | str, line: int | None, reason: str) -> None:
        self.path, self.line, self.reason = Path(path), line, reason
        where = f"{self.path}:{line}" if line else f"{self.path}"
        super().__init__(f"{where}: {reason}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScenarioSettings(_Strict):
    user: str = Field("user_demo", min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    start: str = DEFAULT_START
    seed: int = DEFAULT_SEED
    processor: Literal["realistic", "approve_all"] = "realistic"
    model: Literal["offline", "bedrock"] = "offline"

    @field_validator("start", mode="before")
    @classmethod
    def _start(cls, v: Any) -> str:
        # YAML turns an unquoted timestamp into a datetime; accept both.
        text = v.isoformat() if hasattr(v, "isoformat") else v
        if not isinstance(text, str):
            raise ValueError("start must be an ISO 8601 timestamp such as 2026-11-26T10:00:00Z")
        when = parse_iso(text)  # raises ValueError with a reason
        lo, hi = START_YEARS
        if not lo <= when.year < hi:
            raise ValueError(f"start must be between {lo} and {hi - 1}, not year {when.year}")
        return text

    @field_validator("user")
    @classmethod
    def _user(cls, v: str) -> str:
        if set(v) == {"."}:
            raise ValueError(f"user {v!r} is not a user id (dots only would name a folder)")
        return v


class SetPrice(_Strict):
    product_id: str = Field(min_length=1)
    price_cents: int = Field(gt=0, le=1_000_000_000)


class SetStock(_Strict):
    product_id: str = Field(min_length=1)
    in_stock: bool


class NextPayment(_Strict):
    decline: str | None = None
    approve: bool | None = None

    @model_validator(mode="after")
    def _one(self) -> NextPayment:
        if (self.decline is None) == (self.approve is None):
            raise ValueError("give exactly one of `decline: <reason>` or `approve: true`")
        if self.approve is False:
            raise ValueError("`approve` can only be true (use `decline: <reason>` to decline)")
        if self.decline is not None and self.decline not in DECLINE_REASONS:
            raise ValueError(f"unknown decline reason {self.decline!r}; use one of {', '.join(DECLINE_REASONS)}")
        return self


class Expectation(BaseModel):
    """`event` plus fields that must equal the event's; `includes` and `text_contains` are rules."""

    model_config = ConfigDict(extra="allow", frozen=True)
    event: str = Field(min_length=1)
    includes: list[str] | None = None
    text_contains: str | None = None

    @property
    def fields(self) -> dict[str, Any]:
        return dict(self.model_extra or {})

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"event": self.event, **self.fields}
        if self.includes is not None:
            d["includes"] = list(self.includes)
        if self.text_contains is not None:
            d["text_contains"] = self.text_contains
        return d


class ExpectState(_Strict):
    transactions: int | None = Field(None, ge=0)
    authorized_transactions: int | None = Field(None, ge=0)
    active_monitoring_jobs: int | None = Field(None, ge=0)
    mandates: int | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _some(self) -> ExpectState:
        if not self.wanted():
            raise ValueError(f"name at least one of {', '.join(STATE_KEYS)}")
        return self

    def wanted(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in STATE_KEYS if getattr(self, k) is not None}


@dataclass(frozen=True)
class Step:
    index: int  # 1-based position in `steps`
    line: int | None
    kind: str
    value: Any  # str (say, sign), timedelta (advance), or one of the models above
    raw: str = ""  # the text as written, for advance

    @property
    def is_action(self) -> bool:
        return self.kind in ACTION_STEPS

    def describe(self) -> str:
        v = self.value
        if self.kind == "say":
            return f'say "{v}"'
        if self.kind == "sign":
            return f"sign {v}"
        if self.kind == "advance":
            return f"advance {self.raw}"
        if isinstance(v, Expectation):
            return f"{self.kind} {_flow(v.as_dict())}"
        if isinstance(v, BaseModel):
            return f"{self.kind} {_flow(v.model_dump(exclude_none=True))}"
        return f"{self.kind} {v}"


def _flow(d: dict) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in d.items()) + "}"


@dataclass
class Scenario:
    name: str
    path: Path
    settings: ScenarioSettings
    steps: list[Step]
    description: str | None = None
    extras: dict = field(default_factory=dict)


# ---- loading -------------------------------------------------------------------------------------

class _Lines:
    """Line numbers of the values in a composed YAML node tree, by path."""

    def __init__(self, root: yaml.Node | None) -> None:
        self.root = root

    def node(self, path: tuple) -> yaml.Node | None:
        node = self.root
        for part in path:
            if isinstance(node, yaml.MappingNode):
                nxt = None
                for k, v in node.value:
                    if isinstance(k, yaml.ScalarNode) and k.value == str(part):
                        nxt = v
                        break
                if nxt is None:
                    return node
                node = nxt
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                node = node.value[part]
            else:
                return node
        return node

    def line(self, path: tuple) -> int | None:
        node = self.node(path)
        return node.start_mark.line + 1 if node is not None else None


def _reason(exc: ValidationError) -> tuple[tuple, str]:
    err = exc.errors(include_url=False)[0]
    loc = tuple(err.get("loc", ()))
    msg = err.get("msg", "invalid value").removeprefix("Value error, ")
    if err.get("type") == "extra_forbidden" and loc:
        msg = f"unknown key {loc[-1]!r}"
    elif err.get("type") == "missing" and loc:
        msg = f"missing required key {loc[-1]!r}"
    elif loc:
        msg = f"{'.'.join(str(p) for p in loc)}: {msg}"
    return loc, msg


_STEP_MODELS: dict[str, Any] = {
    "set_price": SetPrice, "set_stock": SetStock, "next_payment": NextPayment,
    "expect": Expectation, "expect_not": Expectation, "expect_state": ExpectState,
}


def _step(i: int, raw: Any, lines: _Lines, path: Path) -> Step:
    here = ("steps", i)
    line = lines.line(here)
    if not isinstance(raw, dict) or len(raw) != 1:
        raise ScenarioError(path, line, f"step {i + 1}: a step is a mapping with exactly one key, "
                                        f"one of {', '.join(STEP_TYPES)}")
    kind, value = next(iter(raw.items()))
    if kind not in STEP_TYPES:
        raise ScenarioError(path, line, f"step {i + 1}: unknown step type {kind!r}; use one of {', '.join(STEP_TYPES)}")
    vline = lines.line(here + (kind,))
    bad = lambda msg: ScenarioError(path, vline, f"step {i + 1} ({kind}): {msg}")  # noqa: E731
    if kind == "say":
        if not isinstance(value, str) or not value.strip():
            raise bad("say needs the shopper's text, e.g. say: \"Find me a coffee maker\"")
        return Step(i + 1, line, kind, value)
    if kind == "sign":
        if value not in ("approve", "decline"):
            raise bad(f"sign is approve or decline, not {value!r}")
        return Step(i + 1, line, kind, value)
    if kind == "advance":
        try:
            delta = parse_duration(str(value))
        except ValueError as exc:
            raise bad(str(exc)) from None
        if delta <= timedelta(0):
            raise bad("advance must move the clock forward")
        return Step(i + 1, line, kind, delta, raw=str(value).strip())
    model = _STEP_MODELS[kind]
    if not isinstance(value, dict):
        raise bad(f"{kind} needs a mapping, e.g. {kind}: {{...}}")
    try:
        parsed = model.model_validate(value)
    except ValidationError as exc:
        loc, msg = _reason(exc)
        sub = loc[:1] if loc and loc[0] in value else ()
        raise ScenarioError(path, lines.line(here + (kind,) + sub), f"step {i + 1} ({kind}): {msg}") from None
    return Step(i + 1, line, kind, parsed)


def load_scenario(path: Path | str, text: str | None = None) -> Scenario:
    """Parse and validate one scenario file; raises ScenarioError(path, line, reason)."""
    path = Path(path)
    if text is None:
        try:
            with path.open("rb") as fh:
                raw = fh.read(MAX_BYTES + 1)  # never read a huge file whole just to refuse it
            if len(raw) > MAX_BYTES:
                raise ScenarioError(path, None, f"the file is larger than {MAX_BYTES:,} bytes, the most a "
                                                "scenario may be")
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ScenarioError(path, None, f"cannot read the file: {exc}") from None
    try:
        root, data = load_bounded(text)
    except YamlLimit as exc:
        raise ScenarioError(path, exc.line, exc.reason) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        reason = f"YAML error: {exc.problem or exc.context}"
        if exc.context and exc.problem:
            reason = f"YAML error: {exc.problem} ({exc.context})"
        raise ScenarioError(path, mark.line + 1 if mark else None, reason) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(path, None, f"YAML error: {exc}") from None
    lines = _Lines(root)
    if not isinstance(data, dict):
        raise ScenarioError(path, lines.line(()) or 1, "a scenario is a mapping with `name` and `steps`")
    allowed = {"name", "description", "settings", "steps"}
    for key in data:
        if key not in allowed:
            raise ScenarioError(path, lines.line((key,)), f"unknown key {key!r}; a scenario has "
                                                          "name, description, settings and steps")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ScenarioError(path, lines.line(("name",)) or 1, "missing required key 'name' (a non-empty string)")
    desc = data.get("description")
    if desc is not None and not isinstance(desc, str):
        raise ScenarioError(path, lines.line(("description",)), "description must be text")
    raw_settings = data.get("settings") or {}
    if not isinstance(raw_settings, dict):
        raise ScenarioError(path, lines.line(("settings",)), "settings must be a mapping")
    try:
        settings = ScenarioSettings.model_validate(raw_settings)
    except ValidationError as exc:
        loc, msg = _reason(exc)
        raise ScenarioError(path, lines.line(("settings",) + loc[:1]), f"settings: {msg}") from None
    steps = data.get("steps")
    if not isinstance(steps, list) or not steps:
        raise ScenarioError(path, lines.line(("steps",)) or 1, "missing required key 'steps' (a non-empty list)")
    parsed = [_step(i, raw, lines, path) for i, raw in enumerate(steps)]
    return Scenario(name=name.strip(), path=path, settings=settings, steps=parsed, description=desc)


def collect_files(targets: list[Path]) -> list[Path]:
    """Files given, and every *.yaml / *.yml in directories given (sorted)."""
    out: list[Path] = []
    for t in targets:
        t = Path(t)
        if t.is_dir():
            out += sorted(p for p in t.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
        else:
            out.append(t)
    return out
