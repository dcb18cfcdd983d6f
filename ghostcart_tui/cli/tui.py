"""`ghostcart` with no command: open the Textual app.

The app gets a runtime factory, not a Runtime: it shows its first frame before the settings
(pydantic) and the database layer (sqlalchemy, sqlmodel) are even imported, and calls the
factory in a thread after that. An error there (an invalid setting, StoreError, KeyStoreError)
comes back out of run_app once the terminal is restored, and the root group turns it into one
red line and exit 1 (2 for a setting)."""

from __future__ import annotations

import importlib.util
from functools import cached_property
from typing import TYPE_CHECKING

import typer

from .common import CliError, Opts, opts, settings

if TYPE_CHECKING:
    from ..core.settings import Settings
    from ..services.runtime import Runtime


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
    o = opts(ctx)
    mod.run_app(RuntimeOpener(o), model=o.model)


class RuntimeOpener:
    """A zero-argument runtime factory the app calls in a thread after its first frame. The
    settings are built on first use (pydantic-settings, ~0.3 s), not before the app starts."""

    def __init__(self, o: Opts) -> None:
        self._opts = o

    @cached_property
    def settings(self) -> Settings:
        return settings(self._opts)

    def __call__(self) -> Runtime:
        from ..services.runtime import open_runtime

        return open_runtime(self.settings)
