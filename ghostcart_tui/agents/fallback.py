"""Finishing a signed-or-declined flow without the agent, when its paused turn cannot be
restored (e.g. the conversation was reset, or its saved state is unreadable). Same services,
same events; the text says that the agent did not take part."""

from __future__ import annotations

from ..commerce.processor import describe_decline
from ..core.money import format_cents
from ..services import monitoring, payments, signatures
from ..services.runtime import Runtime

NOTE = "(The paused conversation could not be restored, so I finished this step directly.)"


def answer(rt: Runtime, mandate_id: str, approve: bool) -> str:
    view = next((v for v in signatures.pending(rt) if v.mandate_id == mandate_id), None)
    kind = view.mandate_type if view else ("cart" if mandate_id.startswith("cart") else "intent")
    if not approve:
        signatures.decline(rt, mandate_id)
        what = "nothing was charged" if kind == "cart" else "nothing will be bought"
        return f"You declined {mandate_id}, so {what}. {NOTE}"
    signatures.approve(rt, mandate_id)
    if kind == "intent":
        job = monitoring.activate(rt, mandate_id)
        return (f"Signed. Watching {job.product_query} for a price of at most {format_cents(job.max_price_cents)} "
                f"(job {job.job_id}); the purchase will happen automatically. {NOTE}")
    o = payments.pay_hp(rt, mandate_id)
    if o.status == "authorized":
        return (f"Signed. Payment authorized: {format_cents(o.amount_cents)} (authorization code "
                f"{o.authorization_code}, transaction {o.transaction_id}). {NOTE}")
    return (f"Signed, but the payment was declined: {describe_decline(o.decline_reason)}. Your signed cart "
            f"{mandate_id} is still valid; say \"try another card\". {NOTE}")
