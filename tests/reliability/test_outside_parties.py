"""Issue 13, defect 9: the merchant and the payment processor keep their own books. The
processor's idempotency ledger lives in its own SQLite file and the merchant's key in its own
folder, so deleting the shopper's rows can never make a signed intent or cart buy again."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from ghostcart_tui.ap2 import builders, chain
from ghostcart_tui.ap2.errors import CHAIN_INVALID, SIGNATURE_INVALID, AP2Error
from ghostcart_tui.ap2.keys import KeyPair, KeyStore
from ghostcart_tui.commerce.parties import merchant_keys_dir, processor_db_path
from ghostcart_tui.services import carts, catalog, monitoring, payments
from tests.services.conftest import make_runtime

from .helpers import charge_counts, signed_hp_cart, signed_intent

FIVE_MIN = timedelta(minutes=5)


def sql(path, *statements: str) -> None:
    con = sqlite3.connect(path)
    try:
        for st in statements:
            con.execute(st)
        con.commit()
    finally:
        con.close()


def processor_approved(rt) -> int:
    con = sqlite3.connect(processor_db_path(rt.settings.data_home))
    try:
        return con.execute("SELECT count(*) FROM charges WHERE approved = 1").fetchone()[0]
    finally:
        con.close()


def test_outside_parties_have_their_own_files(rt):
    signed_hp_cart(rt)
    home = rt.settings.data_home
    assert processor_db_path(home).exists() and processor_db_path(home) != rt.db.path
    assert (merchant_keys_dir(home) / "merchant.pem").exists()
    assert not (rt.settings.keys_dir / "merchant.pem").exists()
    con = sqlite3.connect(rt.db.path)
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        con.close()
    assert "purchases" not in tables  # the processor's purchase keys are not in the shopper's file


def test_deleted_shopper_books_never_buy_a_signed_intent_again(rt):
    intent_id = signed_intent(rt)
    catalog.set_price(rt, "prod_airpods_001", 17500)
    rt.clock.advance(FIVE_MIN)
    assert monitoring.run_due_checks(rt).purchased == 1
    # The probe's attack: the shopper's own rows deleted, the watch and its intent re-armed.
    sql(rt.db.path, "DELETE FROM transactions", "DELETE FROM processor_charges",
        "UPDATE monitoring_jobs SET status='active', transaction_id=NULL, payment_mandate_id=NULL, "
        "cart_mandate_id=NULL, next_check_at='2000-01-01 00:00:00.000000'",
        f"UPDATE mandates SET status='active' WHERE id='{intent_id}'")
    for _ in range(3):
        rt.clock.advance(FIVE_MIN)
        monitoring.run_due_checks(rt)
    assert processor_approved(rt) == 1  # the processor charged once, whatever the shopper's file says
    # Recovery rebuilt the shopper's books from the processor's ledger.
    assert charge_counts(rt)[2] == 1
    assert monitoring.list_jobs(rt)[0].status == "purchased"


def test_deleted_shopper_books_never_pay_a_signed_cart_again(rt):
    cart_id = signed_hp_cart(rt)
    assert payments.pay_hp(rt, cart_id).status == "authorized"
    sql(rt.db.path, "DELETE FROM transactions", "DELETE FROM processor_charges",
        f"UPDATE mandates SET status='signed' WHERE id='{cart_id}'")
    with pytest.raises(AP2Error) as exc:
        payments.pay_hp(rt, cart_id)
    assert exc.value.code == CHAIN_INVALID and "processor has already charged" in exc.value.message
    assert processor_approved(rt) == 1
    assert payments.reconcile(rt) == 1 and charge_counts(rt)[2] == 1  # books restored


def test_a_fresh_shopper_database_with_the_same_ids_still_buys(tmp_path):
    """The processor's keys are the signatures, not the (seeded, repeatable) ids: a new database
    in the same home, whose ids repeat, buys normally."""
    for _ in range(2):
        rt = make_runtime(tmp_path, seed=7)
        cart_id = signed_hp_cart(rt)
        assert payments.pay_hp(rt, cart_id).status == "authorized"
        rt.close()
        rt.db.path.unlink()
    rt = make_runtime(tmp_path, seed=7)
    assert processor_approved(rt) == 2
    rt.close()


def test_a_merchant_key_planted_in_the_shoppers_folder_signs_nothing(rt):
    planted = KeyStore(rt.settings.keys_dir).merchant_key()  # writes keys/merchant.pem
    assert planted.kid != rt.keys.merchant_key().kid
    cart = carts.build_signed_cart(rt, rt.inventory.require("prod_coffee_001"), 1, mode="hp")
    forged = builders.merchant_sign_cart(cart.model_copy(update={"cart": cart.cart.model_copy(
        update={"merchant_authorization": None})}), planted, rt.clock.now(), "jti_forged")
    report = chain.verify_cart(forged, rt.keys, rt.clock.now())
    (v,) = [v for v in report if v.check == "cart.merchant_authorization"]
    assert not v.ok and v.code == SIGNATURE_INVALID


def test_a_legacy_merchant_key_moves_to_the_merchants_folder(tmp_path):
    old = KeyStore(tmp_path / "keys").merchant_key()
    assert isinstance(old, KeyPair)
    rt = make_runtime(tmp_path)
    assert rt.keys.merchant_key().kid == old.kid
    assert not (tmp_path / "keys" / "merchant.pem").exists()
    rt.close()
