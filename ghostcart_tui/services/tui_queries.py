"""Read-only lookups the TUI needs that no other service offers (no tables leak out)."""

from __future__ import annotations

from dataclasses import dataclass

from ..commerce.catalog import Product
from .runtime import Runtime


@dataclass(frozen=True)
class KeyInfo:
    role: str
    owner: str
    kid: str
    fingerprint: str


def products_by_ids(rt: Runtime, product_ids: list[str]) -> list[Product]:
    """The products in this order, skipping ids the catalog no longer has."""
    out = []
    for pid in product_ids:
        p = rt.inventory.get(pid)
        if p is not None:
            out.append(p)
    return out


def all_products(rt: Runtime) -> list[Product]:
    return list(rt.inventory.products())


def signing_keys(rt: Runtime) -> list[KeyInfo]:
    keys = [("user", rt.user_id, rt.keys.user_key(rt.user_id)), ("agent", rt.agent_name, rt.keys.agent_key()),
            ("merchant", rt.merchant_name, rt.keys.merchant_key())]
    return [KeyInfo(role, owner, k.kid, k.fingerprint) for role, owner, k in keys]
