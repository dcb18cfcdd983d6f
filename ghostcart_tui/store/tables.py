"""SQLModel tables. Times are stored as naive UTC (SQLite has no zone); repositories convert."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, text
from sqlmodel import Field, SQLModel


class MandateRow(SQLModel, table=True):
    __tablename__ = "mandates"
    id: str = Field(primary_key=True)  # intent_… / cart_… / payment_…
    type: str = Field(index=True)  # intent | cart | payment
    user_id: str = Field(index=True)
    status: str  # pending_signature | signed | declined | active | consumed | expired | cancelled | paid
    transaction_id: str | None = Field(default=None, index=True)
    mandate_data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))  # the signed record
    signer_identity: str | None = None
    signature: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    validation_status: str = "unsigned"  # valid | invalid | unsigned (as of the last verification)
    created_at: datetime
    updated_at: datetime


class MonitoringJobRow(SQLModel, table=True):
    __tablename__ = "monitoring_jobs"
    job_id: str = Field(primary_key=True)
    intent_mandate_id: str = Field(foreign_key="mandates.id", unique=True)
    user_id: str = Field(index=True)
    product_query: str
    constraints: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    interval_minutes: int
    # active | purchasing | awaiting_user | purchased | expired | cancelled
    status: str = Field(index=True)
    last_check_at: datetime | None = None
    last_result: str | None = None
    last_price_cents: int | None = None
    next_check_at: datetime = Field(index=True)
    created_at: datetime
    expires_at: datetime
    # The exactly-once claim: set in the same UPDATE that moves status active → purchasing.
    claim_id: str | None = None
    claimed_at: datetime | None = None
    cart_mandate_id: str | None = None
    payment_mandate_id: str | None = None
    transaction_id: str | None = None
    payment_token: str | None = None  # the method the shopper chose for the next attempt


class TransactionRow(SQLModel, table=True):
    __tablename__ = "transactions"
    __table_args__ = (
        # A cart is paid at most once and an intent buys at most once: enforced by SQLite itself.
        Index(
            "ux_transactions_cart_authorized",
            "cart_mandate_id",
            unique=True,
            sqlite_where=text("status = 'authorized'"),
        ),
        Index(
            "ux_transactions_intent_authorized",
            "intent_mandate_id",
            unique=True,
            sqlite_where=text("status = 'authorized' AND intent_mandate_id IS NOT NULL"),
        ),
    )
    transaction_id: str = Field(primary_key=True)
    intent_mandate_id: str | None = Field(default=None, index=True)
    cart_mandate_id: str = Field(index=True)
    payment_mandate_id: str = Field(unique=True)
    user_id: str = Field(index=True)
    status: str  # authorized | declined | expired | failed
    authorization_code: str | None = None
    decline_reason: str | None = None
    amount_cents: int
    currency: str = "USD"
    mode: str  # hp | hnp
    payment_token: str | None = None
    created_at: datetime = Field(index=True)


class ChargeRow(SQLModel, table=True):
    """The payment processor's own books, keyed by its idempotency key (the payment mandate id).
    A row here is a charge; recovery reconciles it with the transactions table."""

    __tablename__ = "processor_charges"
    payment_mandate_id: str = Field(primary_key=True)
    approved: bool
    authorization_code: str | None = None
    decline_reason: str | None = None
    amount_cents: int
    token: str
    created_at: datetime


class SessionRow(SQLModel, table=True):
    __tablename__ = "sessions"
    session_id: str = Field(primary_key=True)
    user_id: str = Field(index=True)
    current_flow_type: str = "none"  # hp | hnp | none
    context: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    last_activity_at: datetime
    created_at: datetime


class AgentStateRow(SQLModel, table=True):
    """Strands session-repository state: one row per (session, agent)."""

    __tablename__ = "agent_states"
    session_id: str = Field(primary_key=True, foreign_key="sessions.session_id")
    agent_id: str = Field(primary_key=True)
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    updated_at: datetime


class AgentMessageRow(SQLModel, table=True):
    __tablename__ = "agent_messages"
    session_id: str = Field(primary_key=True, foreign_key="sessions.session_id")
    agent_id: str = Field(primary_key=True)
    message_id: int = Field(primary_key=True)
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime


class ChatLogRow(SQLModel, table=True):
    """What the shopper saw in the chat pane, so it comes back after a restart."""

    __tablename__ = "chat_log"
    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(index=True)
    role: str  # user | assistant | activity | error
    agent: str | None = None
    text: str
    created_at: datetime


class ProductRow(SQLModel, table=True):
    """The merchant's live catalog: every part of the app sees the same prices and stock."""

    __tablename__ = "products"
    product_id: str = Field(primary_key=True)
    name: str
    description: str
    category: str
    price_cents: int
    in_stock: bool
    delivery_days: int
    merchant: str
    updated_at: datetime


class LeaseRow(SQLModel, table=True):
    """Which process runs the monitoring checks (one at a time)."""

    __tablename__ = "leases"
    name: str = Field(primary_key=True)
    holder: str
    pid: int
    host: str
    acquired_at: datetime
    expires_at: datetime


class MetaRow(SQLModel, table=True):
    __tablename__ = "ghostcart_meta"
    key: str = Field(primary_key=True)
    value: str
