"""Statuses of the stored rows, defined once. StrEnum values are the strings stored in the DB
(unchanged from the first schema), so `JobStatus.ACTIVE == "active"` and rows written before
these enums existed read back the same."""

from __future__ import annotations

from enum import StrEnum


class JobStatus(StrEnum):
    """A monitoring job (a watched, user-signed intent)."""

    ACTIVE = "active"  # watching: checked when due
    PURCHASING = "purchasing"  # claimed by one caller, building/paying the chain
    AWAITING_USER = "awaiting_user"  # the purchase was declined or refused: retry or cancel
    AWAITING_SIGNATURE = "awaiting_signature"  # notify-only: a cart waits for the shopper's signature
    PURCHASED = "purchased"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    UNUSABLE = "unusable"  # the signed intent cannot decide a purchase (e.g. signed without skus)


LIVE_JOB = (JobStatus.ACTIVE, JobStatus.AWAITING_USER, JobStatus.AWAITING_SIGNATURE)
SHOWN_LIVE_JOB = (*LIVE_JOB, JobStatus.PURCHASING)


class MandateStatus(StrEnum):
    CREATED = "created"
    PENDING_SIGNATURE = "pending_signature"
    SIGNED = "signed"
    DECLINED = "declined"
    ACTIVE = "active"
    CONSUMED = "consumed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    PAID = "paid"
    ABANDONED = "abandoned"
    UNUSABLE = "unusable"


LIVE_INTENT = (MandateStatus.SIGNED, MandateStatus.ACTIVE)


class TransactionStatus(StrEnum):
    AUTHORIZED = "authorized"
    DECLINED = "declined"
    EXPIRED = "expired"
    FAILED = "failed"
