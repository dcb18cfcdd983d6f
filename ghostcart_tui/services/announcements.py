"""Autonomous purchases as the shopper is told about them: what was bought, for how much, and
which of them have not been announced yet (per user).

"Announced" is remembered in the database (the ghostcart_meta key/value table, key
`announced:<user_id>`, value `<created_at ISO>|<transaction_id>` of the newest purchase shown), so
a purchase made while the app was closed, or by another GhostCart process, is announced once:
on the next start ("while you were away"), or by a window that polls for it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..core.clock import as_utc
from ..core.statuses import TransactionStatus
from ..store import ledger
from ..store.tables import MetaRow, TransactionRow
from .orders import product_names
from .runtime import Runtime

MAX_NOTICES = 20  # at most this many are announced at once (the Orders tab lists the rest)


@dataclass(frozen=True)
class PurchaseNotice:
    transaction_id: str
    job_id: str | None  # unknown when read back from the database
    product_name: str  # "" when the cart cannot be read
    amount_cents: int
    currency: str
    status: str
    created_at: datetime

    @property
    def authorized(self) -> bool:
        return self.status == TransactionStatus.AUTHORIZED


def _key(user_id: str) -> str:
    return f"announced:{user_id}"


def _marker(rt: Runtime, user_id: str) -> tuple[str, str] | None:
    with rt.db.read() as s:
        row = s.get(MetaRow, _key(user_id))
    if row is None or "|" not in row.value:
        return None
    at, tx_id = row.value.split("|", 1)
    return at, tx_id


def _notice(t: TransactionRow, name: str, job_id: str | None = None) -> PurchaseNotice:
    return PurchaseNotice(transaction_id=t.transaction_id, job_id=job_id, product_name=name,
                          amount_cents=t.amount_cents, currency=t.currency, status=t.status,
                          created_at=as_utc(t.created_at))


def _stamp(at: datetime) -> str:
    return as_utc(at).isoformat()


Marker = tuple[str, str]  # (created_at ISO, transaction_id): a position in the purchases


def unannounced(rt: Runtime, user_id: str | None = None) -> list[PurchaseNotice]:
    """The user's autonomous purchases (authorized or not) newer than the last one announced,
    oldest first."""
    user = user_id or rt.user_id
    return since(rt, _marker(rt, user), user)


def latest(rt: Runtime, user_id: str | None = None) -> Marker | None:
    """The position of the user's newest autonomous purchase (a window's starting point)."""
    user = user_id or rt.user_id
    with rt.db.read() as s:
        newest = ledger.autonomous_transactions_newest_first(s, user, 1)
    t = newest[0] if newest else None
    return None if t is None else (_stamp(t.created_at), t.transaction_id)


def position(n: PurchaseNotice) -> Marker:
    return _stamp(n.created_at), n.transaction_id


def since(rt: Runtime, marker: Marker | None, user_id: str | None = None) -> list[PurchaseNotice]:
    """The user's autonomous purchases after marker (all recent ones for None), oldest first.
    Cheap: one indexed query on transactions (a window polls this)."""
    user = user_id or rt.user_id
    with rt.db.read() as s:
        rows = ledger.autonomous_transactions_newest_first(s, user, MAX_NOTICES)
    if marker is not None:
        rows = [t for t in rows if (_stamp(t.created_at), t.transaction_id) > marker]
    rows.reverse()
    names = product_names(rt, [t.cart_mandate_id for t in rows]) if rows else {}
    return [_notice(t, names.get(t.cart_mandate_id, "")) for t in rows]


def mark_announced(rt: Runtime, notices: list[PurchaseNotice], user_id: str | None = None) -> None:
    """Remember the newest of these as announced (never moves the marker back)."""
    if not notices:
        return
    user = user_id or rt.user_id
    newest = max((_stamp(n.created_at), n.transaction_id) for n in notices)
    current = _marker(rt, user)
    if current is not None and current >= newest:
        return
    with rt.db.write() as s:
        row = s.get(MetaRow, _key(user))
        value = f"{newest[0]}|{newest[1]}"
        if row is None:
            s.add(MetaRow(key=_key(user), value=value))
        else:
            row.value = value
            s.add(row)


def notice_for(rt: Runtime, transaction_id: str, *, job_id: str | None = None, product_name: str = "",
               amount_cents: int = 0) -> PurchaseNotice | None:
    """The notice of one purchase (an AutonomousPurchaseComplete event): the event's product name
    and amount when it has them, else looked up. None when the transaction is not there."""
    with rt.db.read() as s:
        t = s.get(TransactionRow, transaction_id)
    if t is None:
        return None
    name = product_name or product_names(rt, [t.cart_mandate_id]).get(t.cart_mandate_id, "")
    notice = _notice(t, name, job_id)
    if amount_cents and amount_cents != notice.amount_cents:
        notice = PurchaseNotice(**{**notice.__dict__, "amount_cents": amount_cents})
    return notice
