"""The `ghostcart` command: global options, the command groups, and error handling that turns
every error a user can cause into one red line and an exit code."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from .common import ModelName, Opts, report_error

# Usage errors (bad option, bad choice) are Typer's to report, with exit 2.
_CLICK_ERRORS: tuple[type[BaseException], ...] = tuple(
    c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException" and issubclass(c, BaseException))
_PASS_THROUGH: tuple[type[BaseException], ...] = (typer.Exit, typer.Abort, *_CLICK_ERRORS)


class GhostGroup(TyperGroup):
    """Root group: known errors → a one-line message and exit 1/2, never a traceback."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except _PASS_THROUGH:
            raise
        except Exception as exc:
            code = report_error(exc)
            if code is None:
                raise
            raise typer.Exit(code) from None


app = typer.Typer(
    cls=GhostGroup,
    name="ghostcart",
    help="GhostCart: an agentic shopping assistant for the terminal. With no command, opens the app.",
    rich_markup_mode=None,  # plain help: rich_utils alone costs ~0.5 s of start-up
    no_args_is_help=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_show_locals=False,
)


@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    db: Annotated[Path | None, typer.Option("--db", help="SQLite database file (default: HOME/ghostcart.db).",
                                            envvar="GHOSTCART_DB", show_envvar=False)] = None,
    home: Annotated[Path | None, typer.Option("--home", help="Data folder: database, keys, log.",
                                              show_envvar=False)] = None,
    model: Annotated[ModelName | None, typer.Option("--model", help="offline, bedrock, or auto.",
                                                    case_sensitive=False)] = None,
    user: Annotated[str | None, typer.Option("--user", help="The shopper's id.")] = None,
) -> None:
    ctx.obj = Opts(db=db, home=home, model=model.value if model else None, user=user)
    if ctx.invoked_subcommand is None:
        from .tui import open_tui

        open_tui(ctx)


def _register() -> None:
    from . import orders, replay_cmd, shop, system

    app.command("products", help="Search the merchant catalog.")(shop.products)
    app.add_typer(orders.mandates, name="mandates", help="List, show, verify and export AP2 mandates.")
    app.add_typer(orders.transactions, name="transactions", help="Payments made, authorized or declined.")
    app.add_typer(system.monitor, name="monitor", help="Human-not-present monitoring jobs.")
    app.add_typer(shop.merchant, name="merchant", help="Simulate the merchant: change prices and stock.")
    app.add_typer(system.keys, name="keys", help="The signing keys (public parts only).")
    app.add_typer(system.db, name="db", help="The database.")
    app.command("doctor", help="Show the settings in effect and check the model, database and keys.")(system.doctor)
    app.command("replay", help="Run scenario files (see SCENARIOS.md); exit 0 pass, 1 fail, 2 invalid file.")(
        replay_cmd.replay)
    from . import budget, verify  # AP2 v0.2 stream: offline verification, the monthly budget
    app.command("verify",
                help="Verify an AP2 export offline (v0.1 or v0.2), check by check; exit 0 or 1.")(verify.verify)
    app.add_typer(budget.budget, name="budget", help="The monthly budget for autonomous purchases.")


_register()


def main() -> None:
    app()
