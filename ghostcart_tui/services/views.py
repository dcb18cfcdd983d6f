"""Plain read models the TUI and CLI render. Nothing here is a table or a live record."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ..core.statuses import JobStatus


@dataclass(frozen=True)
class LineView:
    product_id: str
    name: str
    quantity: int
    unit_price_cents: int
    delivery_days: int


@dataclass(frozen=True)
class SignatureView:
    """Everything the signature dialog shows."""

    mandate_id: str
    mandate_type: str  # cart | intent
    status: str
    merchant: str
    expires_at: str
    key_kid: str
    key_fingerprint: str
    lines: list[LineView] = field(default_factory=list)
    subtotal_cents: int | None = None
    tax_cents: int | None = None
    shipping_cents: int | None = None
    total_cents: int | None = None
    product_query: str | None = None
    max_price_cents: int | None = None
    max_total_cents: int | None = None
    max_delivery_days: int | None = None
    description: str | None = None
    autonomous: bool = False  # purchases happen without further confirmation


@dataclass(frozen=True)
class JobView:
    job_id: str
    intent_mandate_id: str
    product_query: str
    max_price_cents: int
    max_total_cents: int | None
    max_delivery_days: int | None
    status: str
    interval_minutes: int
    last_check_at: datetime | None
    last_result: str | None
    last_price_cents: int | None
    next_check_at: datetime
    expires_at: datetime
    created_at: datetime
    transaction_id: str | None

    @property
    def active(self) -> bool:
        return self.status in (JobStatus.ACTIVE, JobStatus.PURCHASING, JobStatus.AWAITING_USER)


@dataclass(frozen=True)
class TransactionView:
    transaction_id: str
    status: str
    amount_cents: int
    currency: str
    mode: str
    created_at: datetime
    authorization_code: str | None
    decline_reason: str | None
    intent_mandate_id: str | None
    cart_mandate_id: str
    payment_mandate_id: str
    payment_token: str | None
    product_name: str = ""  # what was bought (the signed cart's line items), "" when unknown


@dataclass(frozen=True)
class MandateView:
    mandate_id: str
    mandate_type: str
    status: str
    user_id: str
    signer_identity: str | None
    validation_status: str
    created_at: datetime
    transaction_id: str | None
    data: dict


@dataclass(frozen=True)
class VerdictView:
    check: str
    ok: bool
    code: str | None
    reason: str


@dataclass(frozen=True)
class ChainView:
    """The inspector's chain Intent → Cart → Payment → Transaction, re-verified now."""

    intent: MandateView | None
    cart: MandateView | None
    payment: MandateView | None
    transaction: TransactionView | None
    verdicts: list[VerdictView]

    @property
    def ok(self) -> bool:
        return all(v.ok for v in self.verdicts)
