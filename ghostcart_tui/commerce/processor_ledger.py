"""The simulated payment processor's own books: a SQLite file of its own (GHOSTCART_HOME/
processor.db), never the shopper's database. An outside party keeps its idempotency ledger where
the shopper cannot edit it, so deleting the shopper's `transactions` rows can never make a signed
intent or cart buy again.

Two tables:
- charges: one row per idempotency key (the payment mandate id plus a hash of its signature),
  with the answer given; a retried request gets the same answer.
- purchases: one row per purchase key (a hash of the user signature that authorized the purchase:
  the intent's for HNP and notify-only carts, the cart's for HP), only for approved charges. A
  second approved charge under the same key is refused.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS charges (
    idempotency_key TEXT PRIMARY KEY,
    payment_mandate_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    approved INTEGER NOT NULL,
    authorization_code TEXT,
    decline_reason TEXT,
    processor_ref TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    token TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_charges_payment ON charges (payment_mandate_id);
CREATE INDEX IF NOT EXISTS ix_charges_user ON charges (user_id);
CREATE TABLE IF NOT EXISTS purchases (
    purchase_key TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL REFERENCES charges (idempotency_key),
    payment_mandate_id TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class LedgerEntry:
    idempotency_key: str
    payment_mandate_id: str
    user_id: str
    approved: bool
    authorization_code: str | None
    decline_reason: str | None
    processor_ref: str
    amount_cents: int
    token: str
    created_at: str


class DuplicatePurchase(Exception):
    """The processor already approved a charge under this purchase key."""

    def __init__(self, payment_mandate_id: str) -> None:
        super().__init__(f"already charged under payment mandate {payment_mandate_id}")
        self.payment_mandate_id = payment_mandate_id


class ProcessorLedger:
    """Durable, process-safe (BEGIN IMMEDIATE on its own file) idempotency ledger."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        with closing(self._connect()) as con:
            con.executescript(_SCHEMA)
        with suppress(OSError):
            self.path.chmod(0o600)

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=15, isolation_level=None, check_same_thread=False)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA busy_timeout=15000")
        return con

    def find(self, idempotency_key: str) -> LedgerEntry | None:
        with self._lock, closing(self._connect()) as con:
            row = con.execute("SELECT * FROM charges WHERE idempotency_key = ?", (idempotency_key,)).fetchone()
        return LedgerEntry(*row) if row else None

    def for_payment(self, payment_mandate_id: str) -> list[LedgerEntry]:
        with self._lock, closing(self._connect()) as con:
            rows = con.execute("SELECT * FROM charges WHERE payment_mandate_id = ? ORDER BY created_at",
                               (payment_mandate_id,)).fetchall()
        return [LedgerEntry(*r) for r in rows]

    def of_user(self, user_id: str) -> list[LedgerEntry]:
        with self._lock, closing(self._connect()) as con:
            rows = con.execute("SELECT * FROM charges WHERE user_id = ? ORDER BY created_at", (user_id,)).fetchall()
        return [LedgerEntry(*r) for r in rows]

    def record(self, entry: LedgerEntry, purchase_keys: tuple[str, ...], decide) -> LedgerEntry:
        """In one write transaction: the earlier answer for this idempotency key if any; else a
        refusal (DuplicatePurchase) when a purchase key was already approved; else `decide()`'s
        answer, stored (with its purchase keys when approved) before it is returned."""
        with self._lock:
            con = self._connect()
            try:
                con.execute("BEGIN IMMEDIATE")
                row = con.execute("SELECT * FROM charges WHERE idempotency_key = ?",
                                  (entry.idempotency_key,)).fetchone()
                if row:
                    con.execute("COMMIT")
                    return LedgerEntry(*row)
                for key in purchase_keys:
                    hit = con.execute("SELECT payment_mandate_id FROM purchases WHERE purchase_key = ?",
                                      (key,)).fetchone()
                    if hit:
                        raise DuplicatePurchase(hit[0])
                decided: LedgerEntry = decide(entry)
                con.execute("INSERT INTO charges VALUES (?,?,?,?,?,?,?,?,?,?)", (
                    decided.idempotency_key, decided.payment_mandate_id, decided.user_id, int(decided.approved),
                    decided.authorization_code, decided.decline_reason, decided.processor_ref,
                    decided.amount_cents, decided.token, decided.created_at))
                if decided.approved:
                    con.executemany("INSERT INTO purchases VALUES (?,?,?)",
                                    [(k, decided.idempotency_key, decided.payment_mandate_id) for k in purchase_keys])
                con.execute("COMMIT")
                return decided
            except BaseException:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                raise
            finally:
                con.close()


def utc_now_text(now: datetime | None) -> str:
    return (now or datetime.now(UTC)).astimezone(UTC).isoformat()
