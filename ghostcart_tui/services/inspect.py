"""The mandate inspector and `ghostcart mandates verify/export`: re-verify every signature of a
chain now, from what is stored, and export it with the public keys needed to check it elsewhere."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..ap2 import chain
from ..ap2.errors import SIGNATURE_INVALID
from ..core.errors import NotFound, shown
from ..store import mandates
from ..store.mandates import CorruptMandate
from ..store.tables import MandateRow, TransactionRow
from .orders import mandate_view, tx_view
from .runtime import Runtime
from .views import ChainView, VerdictView


def _resolve(s, ref: str) -> tuple[TransactionRow | None, MandateRow | None, MandateRow | None, MandateRow | None]:
    """A transaction id or any mandate id → the rows of its chain."""
    tx = s.get(TransactionRow, ref)
    if tx is None:
        row = s.get(MandateRow, ref)
        if row is None:
            raise NotFound(f"no transaction or mandate {shown(ref)}")
        if row.transaction_id:
            tx = s.get(TransactionRow, row.transaction_id)
        if tx is None:
            data = row.mandate_data if isinstance(row.mandate_data, dict) else {}
            cart_id = data.get("cart_mandate_id") if row.type == "payment" else (row.id if row.type == "cart" else None)
            cart = _typed(s, cart_id, "cart")
            cart_data = cart.mandate_data if cart is not None and isinstance(cart.mandate_data, dict) else {}
            intent_id = cart_data.get("intent_mandate_id") or (row.id if row.type == "intent" else None)
            return None, _typed(s, intent_id, "intent"), cart, row if row.type == "payment" else None
    return (tx, s.get(MandateRow, tx.intent_mandate_id) if tx.intent_mandate_id else None,
            s.get(MandateRow, tx.cart_mandate_id), s.get(MandateRow, tx.payment_mandate_id))


def _typed(s, mandate_id, type_: str) -> MandateRow | None:
    """The referenced row, only if it is a mandate of the expected type (a reference changed in
    the database may point anywhere, or at something that is not an id at all)."""
    row = s.get(MandateRow, mandate_id) if isinstance(mandate_id, str) and mandate_id else None
    return row if row is not None and row.type == type_ else None


def chain_view(rt: Runtime, ref: str) -> ChainView:
    with rt.db.write() as s:
        tx, irow, crow, prow = _resolve(s, ref)
        verdicts: list[VerdictView] = []
        parsed: dict[str, Any] = {}
        for name, row in (("intent", irow), ("cart", crow), ("payment", prow)):
            if row is None:
                continue
            try:
                parsed[name] = mandates.parse(row)
            except CorruptMandate as exc:
                verdicts.append(VerdictView(f"{name} readable", False, SIGNATURE_INVALID, str(exc)))
        report = chain.audit_chain(parsed.get("intent"), parsed.get("cart"), parsed.get("payment"), rt.keys)
        verdicts += [VerdictView(v.check, v.ok, v.code, v.reason) for v in report.verdicts]
        # Record what the re-verification found, so lists show INVALID too.
        for name, row in (("intent", irow), ("cart", crow), ("payment", prow)):
            if row is not None:
                bad = any(not v.ok and v.check.startswith(name) for v in verdicts)
                row.validation_status = "invalid" if bad else ("valid" if row.signature else row.validation_status)
                s.add(row)
        return ChainView(
            intent=mandate_view(irow) if irow else None, cart=mandate_view(crow) if crow else None,
            payment=mandate_view(prow) if prow else None, transaction=tx_view(tx) if tx else None,
            verdicts=verdicts,
        )


def export_chain(rt: Runtime, ref: str, path: Path) -> Path:
    """Write the chain in AP2 wire shape plus the public JWKs that verify it."""
    view = chain_view(rt, ref)
    doc = {
        "format": "ghostcart-ap2-chain/1",
        "transaction": None if view.transaction is None else {
            "transaction_id": view.transaction.transaction_id, "status": view.transaction.status,
            "amount_cents": view.transaction.amount_cents, "currency": view.transaction.currency,
            "mode": view.transaction.mode, "authorization_code": view.transaction.authorization_code,
            "decline_reason": view.transaction.decline_reason,
        },
        "intent_mandate": _wire(view.intent, "intent"),
        "cart_mandate": _wire(view.cart, "cart"),
        "payment_mandate": _wire(view.payment, "payment"),
        "ghostcart_records": {k: getattr(view, k).data for k in ("intent", "cart", "payment") if getattr(view, k)},
        "jwks": rt.keys.public_jwks(),
        "verdicts": [v.__dict__ for v in view.verdicts],
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2, sort_keys=False))
    return path


def _wire(view, kind: str):
    if view is None:
        return None
    key = {"intent": "intent", "cart": "cart", "payment": "payment"}[kind]
    return view.data.get(key)
