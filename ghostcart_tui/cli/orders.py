"""`ghostcart mandates …` and `ghostcart transactions …`."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ..core.statuses import MandateStatus, TransactionStatus
from .common import EXIT_FAIL, CliError, clean, console, money, print_json, runtime, table, txt, when

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]

mandates = typer.Typer(no_args_is_help=True)
transactions = typer.Typer(no_args_is_help=True)


class Ap2Version(str, Enum):
    v01 = "0.1"
    v02 = "0.2"


class MandateType(str, Enum):
    intent = "intent"
    cart = "cart"
    payment = "payment"


def _mandate_dict(m) -> dict:
    return {"mandate_id": m.mandate_id, "mandate_type": m.mandate_type, "status": m.status, "user_id": m.user_id,
            "signer_identity": m.signer_identity, "validation_status": m.validation_status,
            "created_at": m.created_at, "transaction_id": m.transaction_id, "data": m.data}


def _tx_dict(t) -> dict:
    return {"transaction_id": t.transaction_id, "status": t.status, "amount_cents": t.amount_cents,
            "currency": t.currency, "mode": t.mode, "created_at": t.created_at,
            "authorization_code": t.authorization_code, "decline_reason": t.decline_reason,
            "intent_mandate_id": t.intent_mandate_id, "cart_mandate_id": t.cart_mandate_id,
            "payment_mandate_id": t.payment_mandate_id}


def _status(s: str):
    style = {TransactionStatus.AUTHORIZED: "green", TransactionStatus.DECLINED: "red", TransactionStatus.FAILED: "red",
             "valid": "green", "invalid": "bold red", MandateStatus.SIGNED: "green", MandateStatus.ACTIVE: "cyan",
             MandateStatus.CONSUMED: "dim"}.get(s, "")
    return txt(s, style)


@mandates.command("list")
def mandates_list(
    ctx: typer.Context,
    type_: Annotated[MandateType | None, typer.Option("--type", help="Only this kind.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000)] = 200,
    as_json: JsonOpt = False,
) -> None:
    """Mandates, newest first."""
    from ..services.orders import list_mandates

    with runtime(ctx) as rt:
        rows = list_mandates(rt, type_.value if type_ else None, limit=limit)
    if as_json:
        print_json([_mandate_dict(m) for m in rows])
        return
    if not rows:
        console().print("No mandates yet.")
        return
    t = table("id", "type", "status", "signature", "signer", "created", "transaction", no_wrap=("id", "created"))
    for m in rows:
        t.add_row(txt(m.mandate_id), txt(m.mandate_type), _status(m.status), _status(m.validation_status),
                  txt(m.signer_identity or "—"), when(m.created_at), txt(m.transaction_id or "—"))
    console().print(t)


@mandates.command("show")
def mandates_show(ctx: typer.Context, mandate_id: Annotated[str, typer.Argument(help="A mandate id.")],
                  as_json: JsonOpt = False) -> None:
    """One mandate with its stored AP2 record."""
    from ..services.orders import get_mandate

    with runtime(ctx) as rt:
        m = get_mandate(rt, mandate_id)
    if as_json:
        print_json(_mandate_dict(m))
        return
    out = console()
    for label, value in (("mandate", m.mandate_id), ("type", m.mandate_type), ("status", m.status),
                         ("signature", m.validation_status), ("signer", m.signer_identity or "—"),
                         ("user", m.user_id), ("created", when(m.created_at)),
                         ("transaction", m.transaction_id or "—")):
        out.print(txt(f"{label:>12}: ").append_text(txt(value)))
    from rich.json import JSON

    out.print(JSON(clean(json.dumps(m.data, default=str), oneline=False)))


@mandates.command("verify")
def mandates_verify(ctx: typer.Context,
                    ref: Annotated[str, typer.Argument(help="A transaction id or any mandate id of the chain.")],
                    as_json: JsonOpt = False) -> None:
    """Re-check every signature and chain rule now; exit 1 when any fails."""
    from ..services.inspect import chain_view

    with runtime(ctx) as rt:
        view = chain_view(rt, ref)
    if as_json:
        print_json({"ok": view.ok, "intent_mandate_id": view.intent and view.intent.mandate_id,
                    "cart_mandate_id": view.cart and view.cart.mandate_id,
                    "payment_mandate_id": view.payment and view.payment.mandate_id,
                    "transaction_id": view.transaction and view.transaction.transaction_id,
                    "verdicts": [{"check": v.check, "ok": v.ok, "code": v.code, "reason": v.reason}
                                 for v in view.verdicts]})
    else:
        out = console()
        chain = " → ".join(f"{k} {getattr(view, k).mandate_id}" for k in ("intent", "cart", "payment")
                           if getattr(view, k) is not None)
        if view.transaction is not None:
            chain += f" → transaction {view.transaction.transaction_id} ({view.transaction.status})"
        out.print(txt(chain or ref, "bold"))
        for v in view.verdicts:
            line = txt("  ✓ " if v.ok else "  ✗ ", "green" if v.ok else "bold red")
            line.append_text(txt(v.check, "" if v.ok else "red"))
            if v.code and not v.ok:
                line.append_text(txt(f" [{v.code}]", "red"))
            if v.reason:
                line.append_text(txt(f" — {v.reason}", "dim" if v.ok else "red"))
            out.print(line)
        out.print(txt("chain valid", "bold green") if view.ok else txt("chain INVALID", "bold red"))
    if not view.ok:
        raise typer.Exit(EXIT_FAIL)


@mandates.command("export")
def mandates_export(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="A transaction id (or a mandate id of its chain).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The JSON file to write.", dir_okay=False)],
    ap2_version: Annotated[Ap2Version, typer.Option(
        "--ap2-version", help="0.1 (default): the v0.1 chain; 0.2: SD-JWT mandates, checkout JWT and receipts."
    )] = Ap2Version.v01,
) -> None:
    """Write the chain in AP2 wire shape plus the public JWKs that verify it."""
    from ..core.private_files import private_dir, private_file
    from ..services.inspect import export_chain

    if output.is_dir():
        raise CliError(f"{output} is a directory; give a file name")
    with runtime(ctx) as rt:
        created = not output.exists()
        try:
            if not output.parent.exists():
                private_dir(output.parent)
            private_file(output)  # 0600 before the chain is written into it
            if ap2_version is Ap2Version.v02:
                from ..services.ap2_v02 import export_v02

                path = export_v02(rt, ref, output)
            else:
                path = export_chain(rt, ref, output)
        except IsADirectoryError:
            raise CliError(f"{output} is a directory; give a file name") from None
        except BaseException:
            if created:
                output.unlink(missing_ok=True)
            raise
    console().print(txt(f"wrote {path}"))


@transactions.command("list")
def transactions_list(ctx: typer.Context,
                      limit: Annotated[int, typer.Option("--limit", min=1, max=10_000)] = 200,
                      as_json: JsonOpt = False) -> None:
    """Transactions, newest first."""
    from ..services.orders import list_transactions

    with runtime(ctx) as rt:
        rows = list_transactions(rt, limit=limit)
    if as_json:
        print_json([_tx_dict(t) for t in rows])
        return
    if not rows:
        console().print("No transactions yet.")
        return
    t = table("id", "status", "amount", "mode", "created", "authorization / reason", no_wrap=("id", "amount"))
    for x in rows:
        t.add_row(txt(x.transaction_id), _status(x.status), money(x.amount_cents, x.currency), txt(x.mode.upper()),
                  when(x.created_at), txt(x.authorization_code or x.decline_reason or "—"))
    console().print(t)


@transactions.command("show")
def transactions_show(ctx: typer.Context, transaction_id: Annotated[str, typer.Argument(help="A transaction id.")],
                      as_json: JsonOpt = False) -> None:
    """One transaction and the mandates behind it."""
    from ..services.orders import get_transaction

    with runtime(ctx) as rt:
        x = get_transaction(rt, transaction_id)
    if as_json:
        print_json(_tx_dict(x))
        return
    out = console()
    for label, value in (("transaction", x.transaction_id), ("status", x.status),
                         ("amount", money(x.amount_cents, x.currency)), ("mode", x.mode.upper()),
                         ("created", when(x.created_at)), ("authorization", x.authorization_code or "—"),
                         ("decline", x.decline_reason or "—"), ("intent", x.intent_mandate_id or "—"),
                         ("cart", x.cart_mandate_id), ("payment", x.payment_mandate_id)):
        out.print(txt(f"{label:>13}: ").append_text(txt(value)))
