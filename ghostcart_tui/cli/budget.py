"""`ghostcart budget …`: the monthly limit on autonomous purchases, across all watches."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import CliError, console, money, print_json, runtime, txt

budget = typer.Typer(no_args_is_help=True)


def _show(b, as_json: bool) -> None:
    if as_json:
        print_json(
            {
                "limit_cents": b.limit_cents,
                "spent_cents": b.spent_cents,
                "remaining_cents": b.remaining_cents,
                "month": b.month,
            }
        )
        return
    if b.limit_cents is None:
        console().print(txt(f"No monthly budget (spent {money(b.spent_cents)} autonomously in {b.month})."))
        return
    console().print(
        txt(
            f"Monthly budget {money(b.limit_cents)}: {money(b.spent_cents)} spent in {b.month}, "
            f"{money(b.remaining_cents)} left."
        )
    )


@budget.command("set")
def budget_set(
    ctx: typer.Context,
    amount: Annotated[str, typer.Argument(help="Dollars a month, e.g. 300 or 249.99.")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Set the monthly limit for autonomous purchases."""
    from ..core.money import MoneyError, parse_money
    from ..services import budget as svc

    try:
        cents = parse_money(amount)
    except (MoneyError, ValueError) as exc:
        raise CliError(f"{amount!r} is not an amount: {exc}", 2) from None
    with runtime(ctx) as rt:
        _show(svc.set(rt, cents), as_json)


@budget.command("show")
def budget_show(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The limit, what autonomous purchases spent this month, and what is left."""
    from ..services import budget as svc

    with runtime(ctx) as rt:
        _show(svc.get(rt), as_json)


@budget.command("clear")
def budget_clear(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Remove the monthly limit."""
    from ..services import budget as svc

    with runtime(ctx) as rt:
        _show(svc.set(rt, None), as_json)
