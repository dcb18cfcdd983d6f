"""`ghostcart` with no command: open the Textual app."""

from __future__ import annotations

import importlib.util

import typer

from .common import CliError, opts, runtime


def tui_module():
    """ghostcart_tui.tui.app, or None while it does not exist yet."""
    try:
        if importlib.util.find_spec("ghostcart_tui.tui.app") is None:
            return None
    except ModuleNotFoundError:
        return None
    import ghostcart_tui.tui.app as mod

    return mod


def open_tui(ctx: typer.Context) -> None:
    mod = tui_module()
    if mod is None or not hasattr(mod, "run_app"):
        raise CliError("the TUI is not available in this build (ghostcart_tui.tui.app.run_app is missing); "
                       "see `ghostcart --help` for the commands")
    with runtime(ctx) as rt:
        mod.run_app(rt, model=opts(ctx).model)
