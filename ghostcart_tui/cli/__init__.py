"""`ghostcart` console script (Typer). Heavy modules are imported inside commands."""

from .app import app, main

__all__ = ["app", "main"]
