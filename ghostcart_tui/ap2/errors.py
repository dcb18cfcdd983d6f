"""AP2 error codes (GhostCart's own, from its original design) and the error that carries them."""

from __future__ import annotations

from typing import Any

CHAIN_INVALID = "ap2:mandate:chain_invalid"
SIGNATURE_INVALID = "ap2:mandate:signature_invalid"
EXPIRED = "ap2:mandate:expired"
CONSTRAINTS_VIOLATED = "ap2:mandate:constraints_violated"
CREDENTIALS_UNAVAILABLE = "ap2:credentials:unavailable"
PAYMENT_DECLINED = "ap2:payment:declined"

ALL_CODES = (
    CHAIN_INVALID,
    SIGNATURE_INVALID,
    EXPIRED,
    CONSTRAINTS_VIOLATED,
    CREDENTIALS_UNAVAILABLE,
    PAYMENT_DECLINED,
)


class AP2Error(Exception):
    """An error a user can hit, with an AP2 code. Its str() is the readable message."""

    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}

    def to_dict(self) -> dict[str, Any]:
        return {"error_code": self.code, "message": self.message, "details": self.details}

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"
