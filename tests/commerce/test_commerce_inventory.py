import threading

import pytest

from ghostcart_tui.commerce.catalog import DEMO_CATALOG
from ghostcart_tui.commerce.inventory import Inventory, MemoryInventory
from ghostcart_tui.core.errors import NotFound
from ghostcart_tui.core.money import MAX_CENTS, MoneyError


def test_starts_with_the_demo_catalog_in_order():
    inv: Inventory = MemoryInventory()
    assert inv.products() == list(DEMO_CATALOG)
    assert inv.get("prod_coffee_001").price_cents == 6900
    assert inv.get("nope") is None


def test_price_drop_is_visible_and_leaves_the_catalog_untouched():
    inv = MemoryInventory()
    updated = inv.set_price("prod_airpods_001", 17900)
    assert updated.price_cents == 17900
    assert inv.get("prod_airpods_001").price_cents == 17900
    assert DEMO_CATALOG[0].price_cents == 24900  # a fresh inventory starts over
    assert MemoryInventory().get("prod_airpods_001").price_cents == 24900


def test_restock_and_sell_out():
    inv = MemoryInventory()
    assert inv.set_stock("prod_tablet_001", True).in_stock is True
    assert inv.set_stock("prod_coffee_001", False).in_stock is False
    assert inv.get("prod_coffee_001").in_stock is False


def test_unknown_id_names_the_id():
    inv = MemoryInventory()
    with pytest.raises(NotFound, match="prod_ghost_999"):
        inv.set_price("prod_ghost_999", 100)
    with pytest.raises(NotFound, match="prod_ghost_999"):
        inv.set_stock("prod_ghost_999", True)


@pytest.mark.parametrize("cents", [0, -1, MAX_CENTS + 1])
def test_rejects_impossible_prices(cents):
    inv = MemoryInventory()
    with pytest.raises(MoneyError):
        inv.set_price("prod_lamp_001", cents)
    assert inv.get("prod_lamp_001").price_cents == 4599


def test_max_price_is_allowed():
    assert MemoryInventory().set_price("prod_lamp_001", MAX_CENTS).price_cents == MAX_CENTS


def test_concurrent_updates_do_not_lose_products():
    inv = MemoryInventory()
    sizes: list[int] = []

    def churn(i: int) -> None:
        for n in range(200):
            inv.set_price("prod_lamp_001", 1000 + n)
            inv.set_stock("prod_tablet_001", n % 2 == 0)
            sizes.append(len(inv.products()))

    threads = [threading.Thread(target=churn, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(sizes) == 800 and set(sizes) == {15}
    assert 1000 <= inv.get("prod_lamp_001").price_cents < 1200
