"""The simulated Merchant Payment Processor. Deterministic from a seed so replays and tests see the
same approvals and declines; a forced-answer queue lets scenarios script a decline."""

from __future__ import annotations

import hashlib
import threading
from collections import deque
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from .processor_ledger import DuplicatePurchase, LedgerEntry, ProcessorLedger, utc_now_text

__all__ = ["AuthorizationResult", "DuplicatePurchase", "PaymentProcessor", "ProcessorLedger"]

Mode = Literal["realistic", "approve_all"]
MODES: tuple[str, ...] = ("realistic", "approve_all")

FRAUD_SUSPECTED = "fraud_suspected"
INSUFFICIENT_FUNDS = "insufficient_funds"
CARD_EXPIRED = "card_expired"
ISSUER_DECLINED = "issuer_declined"
DECLINE_REASONS: tuple[str, ...] = (
    INSUFFICIENT_FUNDS,
    CARD_EXPIRED,
    ISSUER_DECLINED,
    FRAUD_SUSPECTED,
)
_DECLINE_TEXT = {
    INSUFFICIENT_FUNDS: "insufficient funds",
    CARD_EXPIRED: "the card has expired",
    ISSUER_DECLINED: "declined by the card issuer",
    FRAUD_SUSPECTED: "suspected fraud (amount over the processor's limit)",
}
# Realistic mode declines when the first hash byte is below this: 26/256 ≈ 10%.
_DECLINE_BELOW = 26
_RANDOM_DECLINES = (INSUFFICIENT_FUNDS, CARD_EXPIRED, ISSUER_DECLINED)
_CODE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def describe_decline(reason: str | None) -> str:
    """Human text for a decline reason code; unknown codes are shown as they are."""
    if not reason:
        return "declined"
    return _DECLINE_TEXT.get(reason, reason.replace("_", " "))


def _looks_like_pan(token: str) -> bool:
    digits = token.replace(" ", "").replace("-", "")
    return digits.isdigit() and 12 <= len(digits) <= 19


@dataclass(frozen=True)
class AuthorizationResult:
    approved: bool
    authorization_code: str | None
    decline_reason: str | None
    processor_ref: str


_APPROVE = object()  # marker in the forced queue: "approve the next one"


class PaymentProcessor:
    def __init__(
        self, mode: Mode = "realistic", seed: int = 0, fraud_threshold_cents: int = 80_000,
        ledger: ProcessorLedger | None = None,
    ) -> None:
        """ledger: the processor's own durable books (its own SQLite file). Without one (unit
        tests of the decision logic) answers are remembered in memory only."""
        self._check_mode(mode)
        if fraud_threshold_cents < 0:
            raise ValueError("fraud_threshold_cents must not be negative")
        self._mode = mode
        self._seed = seed
        self.fraud_threshold_cents = fraud_threshold_cents
        self._lock = threading.Lock()
        self._forced: deque[object] = deque()
        # The processor's idempotency store: a retried request gets the original answer.
        self._results: dict[str, AuthorizationResult] = {}
        self.ledger = ledger

    @property
    def mode(self) -> Mode:
        return self._mode

    def set_mode(self, mode: Mode) -> None:
        self._check_mode(mode)
        with self._lock:
            self._mode = mode

    def force_next(self, decline: str | None = None) -> None:
        """Queue the answer for the next new authorization: a decline reason, or None to approve."""
        if decline is not None and decline not in DECLINE_REASONS:
            raise ValueError(f"unknown decline reason {decline!r}; use one of {DECLINE_REASONS}")
        with self._lock:
            self._forced.append(_APPROVE if decline is None else decline)

    def authorize(
        self, payment_mandate_id: str, amount_cents: int, token: str
    ) -> AuthorizationResult:
        """Approve or decline; the same payment_mandate_id always gets the same answer."""
        self._check_request(payment_mandate_id, amount_cents, token)
        with self._lock:
            done = self._results.get(payment_mandate_id)
            if done is not None:
                return done
            result = self._decide(payment_mandate_id, amount_cents)
            self._results[payment_mandate_id] = result
            return result

    def charge(
        self, payment_mandate_id: str, amount_cents: int, token: str, *, idempotency_key: str,
        purchase_keys: tuple[str, ...], user_id: str, now: datetime | None = None,
    ) -> AuthorizationResult:
        """authorize(), on the durable ledger: the same idempotency key always gets the same
        answer, and a purchase key (the user signature that authorized the purchase) is charged
        at most once: a second approval is refused with DuplicatePurchase."""
        if self.ledger is None:
            return self.authorize(payment_mandate_id, amount_cents, token)
        self._check_request(payment_mandate_id, amount_cents, token)

        def decide(entry: LedgerEntry) -> LedgerEntry:
            with self._lock:
                r = self._decide(payment_mandate_id, amount_cents)
            return replace(entry, approved=r.approved, authorization_code=r.authorization_code,
                           decline_reason=r.decline_reason, processor_ref=r.processor_ref)

        pending = LedgerEntry(idempotency_key, payment_mandate_id, user_id, False, None, None, "", amount_cents,
                              token, utc_now_text(now))
        e = self.ledger.record(pending, purchase_keys, decide)
        return AuthorizationResult(e.approved, e.authorization_code, e.decline_reason, e.processor_ref)

    def has_charge(self, payment_mandate_id: str) -> bool:
        """Whether the processor answered a request for this payment mandate."""
        if self.ledger is not None:
            return bool(self.ledger.for_payment(payment_mandate_id))
        return payment_mandate_id in self._results

    def _check_request(self, payment_mandate_id: str, amount_cents: int, token: str) -> None:
        if isinstance(amount_cents, bool) or not isinstance(amount_cents, int):
            raise ValueError(f"amount must be whole cents, got {amount_cents!r}")
        if amount_cents <= 0:
            raise ValueError(f"amount must be positive, got {amount_cents} cents")
        if not payment_mandate_id:
            raise ValueError("payment_mandate_id is required (it is the idempotency key)")
        if not token or _looks_like_pan(token):
            # Only Credentials Provider tokens travel here, never a card number.
            raise ValueError("a payment token is required (raw card numbers are not accepted)")

    def _decide(self, payment_mandate_id: str, amount_cents: int) -> AuthorizationResult:
        digest = hashlib.sha256(f"{self._seed}:{payment_mandate_id}".encode()).digest()
        ref = "psp_" + digest[8:16].hex()
        if self._forced:
            forced = self._forced.popleft()
            return self._result(digest, ref, None if forced is _APPROVE else str(forced))
        if amount_cents > self.fraud_threshold_cents:
            return self._result(digest, ref, FRAUD_SUSPECTED)
        if self._mode == "approve_all" or digest[0] >= _DECLINE_BELOW:
            return self._result(digest, ref, None)
        return self._result(digest, ref, _RANDOM_DECLINES[digest[1] % len(_RANDOM_DECLINES)])

    @staticmethod
    def _result(digest: bytes, ref: str, decline: str | None) -> AuthorizationResult:
        if decline is not None:
            return AuthorizationResult(False, None, decline, ref)
        code = "".join(_CODE_ALPHABET[b % len(_CODE_ALPHABET)] for b in digest[2:8])
        return AuthorizationResult(True, code, None, ref)

    @staticmethod
    def _check_mode(mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown processor mode {mode!r}; use one of {MODES}")
