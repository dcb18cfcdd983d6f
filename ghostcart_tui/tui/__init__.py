"""The Textual TUI. `run_app(rt)` opens it; GhostCartApp is the app class."""

from __future__ import annotations

__all__ = ["GhostCartApp", "run_app"]


def __getattr__(name: str):
    if name in __all__:
        from . import app

        return getattr(app, name)
    raise AttributeError(name)
