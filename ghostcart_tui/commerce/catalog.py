"""The simulated merchant's catalog: the 15 demo products of AP2.md, prices in integer cents."""

from __future__ import annotations

from dataclasses import dataclass

MERCHANT_NAME = "GhostCart Demo Store"


@dataclass(frozen=True)
class Product:
    product_id: str
    name: str
    description: str
    category: str
    price_cents: int
    in_stock: bool
    delivery_days: int
    merchant: str = MERCHANT_NAME


def _p(
    pid: str, name: str, category: str, cents: int, stock: bool, days: int, desc: str
) -> Product:
    return Product(pid, name, desc, category, cents, stock, days)


# Descriptions carry the words shoppers actually type, so search can find products by them.
DEMO_CATALOG: tuple[Product, ...] = (
    _p("prod_airpods_001", "Apple AirPods Pro", "Electronics", 24900, True, 1,
       "Wireless earbuds with active noise cancellation, transparency mode and a MagSafe "
       "charging case."),
    _p("prod_headphones_001", "Sony WH-1000XM5 Headphones", "Electronics", 39900, True, 2,
       "Over-ear wireless noise cancelling headphones with 30-hour battery life."),
    _p("prod_tablet_001", "Samsung Galaxy Tab S9", "Electronics", 79900, False, 7,
       "11-inch Android tablet with an AMOLED display, S Pen included and water resistance."),
    _p("prod_watch_001", "Fitbit Charge 6", "Electronics", 15999, True, 1,
       "Fitness tracker with heart rate monitoring, built-in GPS and smartwatch notifications."),
    _p("prod_coffee_001", "Philips HD7462 Coffee Maker", "Kitchen", 6900, True, 2,
       "Drip coffeemaker (filter coffee machine) with a 1.2 L carafe that brews up to "
       "15 cups."),
    _p("prod_blender_001", "Ninja Professional Blender", "Kitchen", 8999, True, 1,
       "1000-watt countertop blender that crushes ice for smoothies and frozen drinks."),
    _p("prod_mixer_001", "KitchenAid Stand Mixer", "Kitchen", 37999, True, 3,
       "Tilt-head 5-quart stand mixer for baking bread, cakes and cookie dough."),
    _p("prod_airfryer_001", "Cosori Air Fryer", "Kitchen", 11999, False, 5,
       "5.8-quart airfryer that crisps food with little or no oil, with 11 cooking presets."),
    _p("prod_sneakers_001", "Nike Air Max 270", "Fashion", 14999, True, 2,
       "Lightweight running sneakers with a large Max Air heel unit for all-day comfort."),
    _p("prod_jacket_001", "The North Face Fleece Jacket", "Fashion", 9999, True, 1,
       "Warm full-zip fleece jacket for hiking, camping and cold days."),
    _p("prod_backpack_001", "Herschel Supply Co. Backpack", "Fashion", 7999, True, 1,
       "Classic everyday backpack with a padded laptop sleeve for school, work and travel."),
    _p("prod_sunglasses_001", "Ray-Ban Aviator Sunglasses", "Fashion", 15300, False, 10,
       "Classic metal-frame aviator sunglasses with UV-protective lenses."),
    _p("prod_vacuum_001", "Dyson V11 Cordless Vacuum", "Home", 59999, True, 2,
       "Cordless stick vacuum cleaner with powerful suction and up to 60 minutes of run time."),
    _p("prod_sheets_001", "Egyptian Cotton Sheet Set", "Home", 12999, True, 3,
       "Soft 800-thread-count queen bed sheet set with a fitted sheet, flat sheet and "
       "pillowcases."),
    _p("prod_lamp_001", "Modern LED Desk Lamp", "Home", 4599, True, 1,
       "Dimmable LED desk lamp with adjustable color temperature and a USB charging port."),
)
