"""What every command shares: the global options, settings, a runtime, safe output, errors.

Only typer is imported at module level; everything heavier is imported inside functions so
`ghostcart --help` stays fast.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields, is_dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from ..core.settings import Settings
    from ..services.runtime import Runtime

EXIT_FAIL = 1
EXIT_USAGE = 2

_BREAKS = re.compile(r"[\r\n\t\v\f\u2028\u2029]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


class ModelName(str, Enum):
    offline = "offline"
    bedrock = "bedrock"
    auto = "auto"


@dataclass
class Opts:
    """The global options (`ghostcart --db … --home … --model … --user … COMMAND`)."""

    db: Path | None = None
    home: Path | None = None
    model: str | None = None
    user: str | None = None

    def overrides(self) -> dict[str, Any]:
        kw: dict[str, Any] = {}
        if self.db is not None:
            kw["db_file"] = self.db
        if self.home is not None:
            kw["data_home"] = self.home
        if self.model is not None:
            kw["model_provider"] = self.model
        if self.user is not None:
            kw["user_id"] = self.user
        return kw


class CliError(Exception):
    """A message for the user and an exit code; raised by commands, printed by the group."""

    def __init__(self, message: str, exit_code: int = EXIT_FAIL, code: str | None = None) -> None:
        super().__init__(message)
        self.message, self.exit_code, self.code = message, exit_code, code


def opts(ctx: typer.Context) -> Opts:
    root = ctx.find_root()
    return root.obj if isinstance(root.obj, Opts) else Opts()


def settings(ctx_or_opts: typer.Context | Opts) -> Settings:
    from pydantic import ValidationError

    from ..core.settings import Settings

    o = ctx_or_opts if isinstance(ctx_or_opts, Opts) else opts(ctx_or_opts)
    try:
        return Settings(**o.overrides())
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in err.get("loc", ())) or "settings"
        raise CliError(f"invalid setting {where}: {err.get('msg')} (check the environment and .env)",
                       EXIT_USAGE) from None


@contextmanager
def runtime(ctx: typer.Context, **kwargs: Any) -> Iterator[Runtime]:
    from ..services.runtime import open_runtime

    rt = open_runtime(settings(ctx), **kwargs)
    try:
        yield rt
    finally:
        rt.close()


# ---- output --------------------------------------------------------------------------------------

def console(stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def clean(value: Any, *, oneline: bool = True) -> str:
    """Untrusted text → printable: control and bidi characters removed, one line by default."""
    s = "" if value is None else str(value)
    if oneline:
        s = _BREAKS.sub(" ", s)
    return _CONTROL.sub("", s)


def txt(value: Any, style: str = "", *, oneline: bool = True) -> Text:
    """A rich Text (never parsed as markup) holding cleaned untrusted text."""
    from rich.text import Text

    return Text(clean(value, oneline=oneline), style=style)


def money(cents: int | None, currency: str = "USD") -> str:
    from ..core.money import format_cents

    return "—" if cents is None else format_cents(cents, currency)


def when(dt: datetime | None) -> str:
    from ..core.clock import to_iso

    return "—" if dt is None else to_iso(dt)


def jsonable(obj: Any) -> Any:
    if is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: jsonable(getattr(obj, f.name)) for f in fields(obj)}
    if isinstance(obj, datetime):
        from ..core.clock import to_iso

        return to_iso(obj)
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set)):
        return [jsonable(v) for v in obj]
    if hasattr(obj, "model_dump"):
        return jsonable(obj.model_dump(mode="json"))
    return obj


def print_json(obj: Any) -> None:
    """Machine-readable output: plain JSON on stdout, no rich processing."""
    typer.echo(json.dumps(jsonable(obj), indent=2, ensure_ascii=True))


def table(*columns: str, title: str | None = None, no_wrap: tuple[str, ...] = ()):
    from rich.table import Table

    t = Table(title=title, title_justify="left")
    for c in columns:
        t.add_column(c, no_wrap=c in no_wrap, overflow="fold")
    return t


# ---- errors --------------------------------------------------------------------------------------

def classify(exc: BaseException) -> tuple[int, str, str | None] | None:
    """(exit code, message, AP2 code) for an error a user can cause; None for a bug."""
    if isinstance(exc, CliError):
        return exc.exit_code, exc.message, exc.code
    names = {c.__name__ for c in type(exc).__mro__}
    mod = type(exc).__module__
    if "AP2Error" in names:
        return EXIT_FAIL, getattr(exc, "message", str(exc)), getattr(exc, "code", None)
    if "MoneyError" in names:
        return EXIT_USAGE, str(exc), None
    if "ScenarioError" in names:
        return EXIT_USAGE, str(exc), None
    if names & {"UserError", "NotFound", "StoreError", "KeyStoreError"}:
        return EXIT_FAIL, str(exc), None
    if mod.startswith("sqlalchemy") and "DatabaseError" in names:
        return EXIT_FAIL, f"the database cannot be used: {str(exc).splitlines()[0]}", None
    if isinstance(exc, PermissionError | FileNotFoundError | IsADirectoryError | NotADirectoryError):
        return EXIT_FAIL, f"{exc.strerror or exc}: {exc.filename}", None
    return None


def report_error(exc: BaseException) -> int | None:
    """Print one red line for `exc`; the exit code. None means: a bug, let it raise
    (GHOSTCART_DEBUG=1 shows the traceback of bugs too; otherwise they go to the log)."""
    found = classify(exc)
    if found is None:
        import logging
        import os

        if os.environ.get("GHOSTCART_DEBUG"):
            return None
        logging.getLogger("ghostcart_tui.cli").error("unexpected error", exc_info=exc)
        found = (EXIT_FAIL, f"unexpected {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''} "
                            "(a bug: details in the log; GHOSTCART_DEBUG=1 shows the traceback)", None)
    exit_code, message, code = found
    from rich.text import Text

    line = Text("error: ", style="bold red")
    if code:
        line.append(f"[{code}] ", style="red")
    line.append(clean(message), style="red")
    console(stderr=True).print(line, soft_wrap=True)
    return exit_code
