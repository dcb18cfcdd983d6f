"""The demo catalog must match AP2.md's table: scenarios and the monitor rely on these values."""

from ghostcart_tui.commerce.catalog import DEMO_CATALOG, MERCHANT_NAME, Product

# Copied from AP2.md: product_id | name | category | price | stock | delivery days
AP2_TABLE = """
prod_airpods_001 | Apple AirPods Pro | Electronics | 249.00 | in | 1
prod_headphones_001 | Sony WH-1000XM5 Headphones | Electronics | 399.00 | in | 2
prod_tablet_001 | Samsung Galaxy Tab S9 | Electronics | 799.00 | out | 7
prod_watch_001 | Fitbit Charge 6 | Electronics | 159.99 | in | 1
prod_coffee_001 | Philips HD7462 Coffee Maker | Kitchen | 69.00 | in | 2
prod_blender_001 | Ninja Professional Blender | Kitchen | 89.99 | in | 1
prod_mixer_001 | KitchenAid Stand Mixer | Kitchen | 379.99 | in | 3
prod_airfryer_001 | Cosori Air Fryer | Kitchen | 119.99 | out | 5
prod_sneakers_001 | Nike Air Max 270 | Fashion | 149.99 | in | 2
prod_jacket_001 | The North Face Fleece Jacket | Fashion | 99.99 | in | 1
prod_backpack_001 | Herschel Supply Co. Backpack | Fashion | 79.99 | in | 1
prod_sunglasses_001 | Ray-Ban Aviator Sunglasses | Fashion | 153.00 | out | 10
prod_vacuum_001 | Dyson V11 Cordless Vacuum | Home | 599.99 | in | 2
prod_sheets_001 | Egyptian Cotton Sheet Set | Home | 129.99 | in | 3
prod_lamp_001 | Modern LED Desk Lamp | Home | 45.99 | in | 1
"""


def _expected() -> list[tuple]:
    rows = []
    for line in AP2_TABLE.strip().splitlines():
        pid, name, cat, price, stock, days = (c.strip() for c in line.split("|"))
        whole, frac = price.split(".")
        rows.append((pid, name, cat, int(whole) * 100 + int(frac), stock == "in", int(days)))
    return rows


def test_catalog_matches_ap2_table_in_order():
    actual = [
        (p.product_id, p.name, p.category, p.price_cents, p.in_stock, p.delivery_days)
        for p in DEMO_CATALOG
    ]
    assert actual == _expected()


def test_every_product_belongs_to_the_demo_store_and_has_a_description():
    assert MERCHANT_NAME == "GhostCart Demo Store"
    for p in DEMO_CATALOG:
        assert p.merchant == MERCHANT_NAME
        assert 20 <= len(p.description) <= 200, p.product_id
        assert p.description.endswith(".")


def test_product_ids_are_unique_and_products_are_immutable():
    ids = [p.product_id for p in DEMO_CATALOG]
    assert len(ids) == len(set(ids)) == 15
    p = DEMO_CATALOG[0]
    try:
        p.price_cents = 1  # type: ignore[misc]
    except AttributeError:
        pass
    else:  # pragma: no cover
        raise AssertionError("Product must be frozen")
    assert isinstance(p, Product)


def test_coffee_maker_description_uses_the_words_shoppers_type():
    coffee = next(p for p in DEMO_CATALOG if p.product_id == "prod_coffee_001")
    text = coffee.description.lower()
    assert "coffeemaker" in text and "coffee machine" in text
