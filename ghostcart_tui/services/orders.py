"""Transactions and mandates as the shopper sees them (orders pane, CLI)."""

from __future__ import annotations

from sqlmodel import Session

from ..core.clock import as_utc
from ..core.errors import NotFound, shown
from ..store import counts as store_counts
from ..store import ledger, mandates
from ..store.tables import MandateRow, TransactionRow
from .runtime import Runtime
from .views import MandateView, TransactionView


def tx_view(t: TransactionRow, product_name: str = "") -> TransactionView:
    return TransactionView(
        transaction_id=t.transaction_id, status=t.status, amount_cents=t.amount_cents, currency=t.currency,
        mode=t.mode, created_at=as_utc(t.created_at), authorization_code=t.authorization_code,
        decline_reason=t.decline_reason, intent_mandate_id=t.intent_mandate_id,
        cart_mandate_id=t.cart_mandate_id, payment_mandate_id=t.payment_mandate_id, payment_token=t.payment_token,
        product_name=product_name,
    )


def _cart_names(s: Session, cart_ids: list[str]) -> dict[str, str]:
    """cart mandate id → its products' names ("A, B"), read from the stored cart records."""
    names: dict[str, str] = {}
    for cart_id in dict.fromkeys(cart_ids):
        row = mandates.get_row(s, cart_id)
        if row is None:
            continue
        try:
            record = mandates.parse(row)
        except Exception:  # a corrupt row is reported where it is inspected, not here
            continue
        items = getattr(record, "line_items", None) or []
        names[cart_id] = ", ".join(item.name for item in items)
    return names


def product_names(rt: Runtime, cart_mandate_ids: list[str]) -> dict[str, str]:
    """What each cart bought, by cart mandate id (orders pane, purchase announcements)."""
    with rt.db.read() as s:
        return _cart_names(s, list(cart_mandate_ids))


def mandate_view(r: MandateRow) -> MandateView:
    return MandateView(
        mandate_id=r.id, mandate_type=r.type, status=r.status, user_id=r.user_id,
        signer_identity=r.signer_identity, validation_status=r.validation_status,
        created_at=as_utc(r.created_at), transaction_id=r.transaction_id, data=r.mandate_data,
    )


def list_transactions(rt: Runtime, limit: int = 200, user_id: str | None = None) -> list[TransactionView]:
    with rt.db.read() as s:
        rows = ledger.transactions_newest_first(s, limit, user_id)
        names = _cart_names(s, [t.cart_mandate_id for t in rows])
        return [tx_view(t, names.get(t.cart_mandate_id, "")) for t in rows]


def get_transaction(rt: Runtime, transaction_id: str) -> TransactionView:
    with rt.db.read() as s:
        t = s.get(TransactionRow, transaction_id)
        if t is None:
            raise NotFound(f"no transaction {shown(transaction_id)}; `ghostcart transactions list` shows them")
        return tx_view(t, _cart_names(s, [t.cart_mandate_id]).get(t.cart_mandate_id, ""))


def list_mandates(rt: Runtime, type_: str | None = None, limit: int = 200) -> list[MandateView]:
    with rt.db.read() as s:
        return [mandate_view(r) for r in mandates.list_rows(s, type_=type_, limit=limit)]


def get_mandate(rt: Runtime, mandate_id: str) -> MandateView:
    with rt.db.read() as s:
        r = mandates.get_row(s, mandate_id)
    if r is None:
        raise NotFound(f"no mandate {shown(mandate_id)}; `ghostcart mandates list` shows them")
    return mandate_view(r)


def counts(rt: Runtime) -> dict[str, int]:
    """The numbers a scenario's expect_state compares."""
    with rt.db.read() as s:
        return store_counts.scenario_counts(s)
