"""Shared helpers of the hardening suite: real chains in a real database, built through the
services (and, where an attacker would, by hand with ap2.builders)."""

from __future__ import annotations

import contextlib
import copy
import sqlite3

from sqlalchemy import func
from sqlmodel import select

from ghostcart_tui.ap2 import builders
from ghostcart_tui.ap2.errors import AP2Error
from ghostcart_tui.ap2.records import CartRecord, Constraints, IntentRecord
from ghostcart_tui.services import ap2_v02, carts, catalog, intents, monitoring, payments, signatures
from ghostcart_tui.store import mandates
from ghostcart_tui.store.tables import ChargeRow, MandateRow, TransactionRow


def signed_hp_cart(rt, product_id: str = "prod_coffee_001", quantity: int = 1) -> str:
    cart = carts.create_hp_cart(rt, product_id, quantity)
    signatures.request_signature(rt, cart.mandate_id)
    signatures.approve(rt, cart.mandate_id)
    return cart.mandate_id


def hp_chain(rt, product_id: str = "prod_coffee_001") -> tuple[str, str]:
    """A user-signed HP cart and its agent-signed payment mandate, not yet authorized."""
    cart_id = signed_hp_cart(rt, product_id)
    payment = payments.prepare_hp_payment(rt, cart_id)
    return cart_id, payment.mandate_id


def signed_intent(rt, query: str = "AirPods", max_price_cents: int = 18000,
                  skus: list[str] | None = None, activate: bool = True, payment_method=None,
                  notify_only: bool = False) -> str:
    intent = intents.create_intent(rt, query, Constraints(max_price_cents=max_price_cents),
                                   skus=skus if skus is not None else ["prod_airpods_001"],
                                   payment_method=payment_method, notify_only=notify_only)
    signatures.request_signature(rt, intent.mandate_id)
    signatures.approve(rt, intent.mandate_id)
    if activate:
        monitoring.activate(rt, intent.mandate_id)
    return intent.mandate_id


def load(rt, mandate_id: str):
    with rt.db.read() as s:
        return mandates.parse(mandates.get_row(s, mandate_id))


def build_hnp_chain(rt, intent_id: str, product_id: str = "prod_airpods_001", *,
                    insert: bool = True) -> tuple[CartRecord, object]:
    """What the monitoring sweep builds, by hand: a merchant-signed HNP cart referencing the
    intent, authorized by the agent's key, and the agent-signed payment mandate carrying the
    intent's user authorization. Inserted as the sweep inserts them."""
    intent: IntentRecord = load(rt, intent_id)
    product = rt.inventory.require(product_id)
    now = rt.clock.now()
    cart = carts.build_signed_cart(rt, product, intent.constraints.quantity, mode="hnp",
                                   intent_mandate_id=intent_id)
    cart = builders.agent_sign_cart(cart, rt.keys.agent_key(), intent, now, rt.ids.new("jti"))
    method = rt.credentials.get(rt.user_id)
    payment = builders.build_payment(
        payment_id=rt.ids.new("payment"), cart=cart, user_authorization=intent.user_authorization,
        token=method.token, brand=method.brand, merchant_agent=rt.agent_name, now=now,
        intent_mandate_id=intent_id,
    )
    payment = builders.agent_sign_payment(payment, rt.keys.agent_key(), now, rt.ids.new("jti"))
    if insert:
        with rt.db.write() as s:
            mandates.insert(s, cart, status="signed", now=now, signer="agent")
            mandates.insert(s, payment, status="created", now=now, signer="agent")
            with contextlib.suppress(AP2Error):  # as the sweep does; refused: the chain has no v0.2 hops
                ap2_v02.on_autonomous_purchase(rt, s, intent, cart, payment, method.token)
    return cart, payment


def hnp_chain(rt) -> tuple[str, str, str]:
    """A signed, watched AirPods intent (max $180), the price dropped to $175, and the HNP
    cart + payment for it in the database, not yet authorized."""
    intent_id = signed_intent(rt)
    catalog.set_price(rt, "prod_airpods_001", 17500)
    cart, payment = build_hnp_chain(rt, intent_id)
    return intent_id, cart.mandate_id, payment.mandate_id


def get_data(rt, mandate_id: str) -> dict:
    with rt.db.read() as s:
        return copy.deepcopy(s.get(MandateRow, mandate_id).mandate_data)


def put_data(rt, mandate_id: str, data) -> None:
    """Overwrite a stored mandate's JSON, as someone with write access to the file would."""
    with rt.db.write() as s:
        row = s.get(MandateRow, mandate_id)
        row.mandate_data = copy.deepcopy(data)
        s.add(row)


def charge_counts(rt) -> tuple[int, int, int]:
    """(processor charges, transactions, authorized transactions)."""
    with rt.db.read() as s:
        charges = s.exec(select(func.count()).select_from(ChargeRow)).one()
        txs = s.exec(select(func.count()).select_from(TransactionRow)).one()
        ok = s.exec(select(func.count()).select_from(TransactionRow)
                    .where(TransactionRow.status == "authorized")).one()
    return charges, txs, ok


def integrity_ok(path) -> bool:
    con = sqlite3.connect(str(path))
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()
