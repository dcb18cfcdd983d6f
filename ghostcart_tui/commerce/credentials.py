"""The simulated Credentials Provider. It holds payment methods and hands out tokens only: no
raw card number (PAN) exists anywhere in GhostCart, just a token, the brand and the last 4."""

from __future__ import annotations

from dataclasses import dataclass

from ghostcart_tui.ap2.errors import CREDENTIALS_UNAVAILABLE, AP2Error

DEMO_USER = "user_demo"


@dataclass(frozen=True)
class PaymentMethod:
    token: str
    brand: str
    last4: str
    label: str
    expired: bool = False


# Every user gets the same demo wallet, so `--user alice` works without any setup.
_DEMO_WALLET: tuple[PaymentMethod, ...] = (
    PaymentMethod("tok_visa_4242", "Visa", "4242", "Visa ending 4242"),
    PaymentMethod("tok_mastercard_5678", "Mastercard", "5678", "Mastercard ending 5678"),
    PaymentMethod("tok_amex_0005", "American Express", "0005", "American Express ending 0005"),
)

# Brand words a shopper or agent may use for a card.
_BRAND_ALIASES = {
    "visa": "Visa",
    "mastercard": "Mastercard",
    "master card": "Mastercard",
    "mc": "Mastercard",
    "amex": "American Express",
    "american express": "American Express",
}


def _matches(method: PaymentMethod, hint: str, brand: str) -> bool:
    return brand == method.brand.casefold() or hint in (method.last4, method.label.casefold())


class CredentialsProvider:
    def __init__(self, wallet: tuple[PaymentMethod, ...] = _DEMO_WALLET) -> None:
        if not wallet:
            raise ValueError("a wallet needs at least one payment method")
        self._wallet = tuple(wallet)

    def list_methods(self, user_id: str) -> list[PaymentMethod]:
        """The user's methods, default first."""
        if not isinstance(user_id, str) or not user_id.strip():
            raise AP2Error(CREDENTIALS_UNAVAILABLE, "no user id given for the payment methods")
        return list(self._wallet)

    def default_method(self, user_id: str) -> PaymentMethod:
        """The first method that has not expired."""
        for m in self.list_methods(user_id):
            if not m.expired:
                return m
        raise self._unavailable(user_id, "every payment method on file has expired")

    def get(self, user_id: str, token_or_hint: str | None = None) -> PaymentMethod:
        """None → the default; else an exact token, a brand name ("amex") or a last4 ("5678").
        Anything else raises AP2Error(CREDENTIALS_UNAVAILABLE) naming the methods on file."""
        if token_or_hint is None or not str(token_or_hint).strip():
            return self.default_method(user_id)
        hint = " ".join(str(token_or_hint).split()).casefold()[:100]
        methods = self.list_methods(user_id)
        brand = _BRAND_ALIASES.get(hint, hint).casefold()
        # An exact token wins over a brand or last4 that happens to look the same.
        found = next((m for m in methods if hint == m.token.casefold()), None)
        if found is None:
            found = next((m for m in methods if _matches(m, hint, brand)), None)
        if found is None:
            raise self._unavailable(user_id, f"no payment method matches {hint[:40]!r}")
        if found.expired:
            raise self._unavailable(user_id, f"{found.label} has expired")
        return found

    def next_method(self, user_id: str, after_token: str) -> PaymentMethod:
        """A different usable method than `after_token`, for "retry with another card"."""
        methods = [m for m in self.list_methods(user_id) if not m.expired]
        tokens = [m.token for m in methods]
        if after_token in tokens:
            i = tokens.index(after_token)
            methods = methods[i + 1 :] + methods[:i]
        if not methods:
            raise self._unavailable(user_id, "no other payment method is available")
        return methods[0]

    def _unavailable(self, user_id: str, why: str) -> AP2Error:
        methods = self.list_methods(user_id)
        listing = ", ".join(
            f"{m.label} ({'expired' if m.expired else m.token})" for m in methods
        )
        return AP2Error(
            CREDENTIALS_UNAVAILABLE,
            f"{why}; available: {listing}",
            {"user_id": user_id, "available_tokens": [m.token for m in methods]},
        )
