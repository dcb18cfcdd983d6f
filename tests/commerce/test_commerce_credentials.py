import re

import pytest

from ghostcart_tui.ap2.errors import CREDENTIALS_UNAVAILABLE, AP2Error
from ghostcart_tui.commerce.credentials import CredentialsProvider, PaymentMethod

TOKENS = ["tok_visa_4242", "tok_mastercard_5678", "tok_amex_0005"]


@pytest.fixture
def creds() -> CredentialsProvider:
    return CredentialsProvider()


def test_demo_user_has_three_tokenized_methods_visa_first(creds):
    methods = creds.list_methods("user_demo")
    assert [m.token for m in methods] == TOKENS
    assert [m.last4 for m in methods] == ["4242", "5678", "0005"]
    default = creds.default_method("user_demo")
    assert (default.token, default.brand, default.label) == (
        "tok_visa_4242",
        "Visa",
        "Visa ending 4242",
    )


def test_any_user_gets_the_demo_wallet(creds):
    assert [m.token for m in creds.list_methods("alice")] == TOKENS
    assert creds.get("alice", None).token == "tok_visa_4242"


@pytest.mark.parametrize(
    ("hint", "token"),
    [
        (None, "tok_visa_4242"),
        ("", "tok_visa_4242"),
        ("tok_mastercard_5678", "tok_mastercard_5678"),
        ("TOK_AMEX_0005", "tok_amex_0005"),
        ("mastercard", "tok_mastercard_5678"),
        ("Master Card", "tok_mastercard_5678"),
        ("amex", "tok_amex_0005"),
        ("American Express", "tok_amex_0005"),
        ("visa", "tok_visa_4242"),
        ("5678", "tok_mastercard_5678"),
        ("0005", "tok_amex_0005"),
        ("Mastercard ending 5678", "tok_mastercard_5678"),
    ],
)
def test_get_resolves_tokens_brands_and_last4(creds, hint, token):
    assert creds.get("user_demo", hint).token == token


@pytest.mark.parametrize("hint", ["tok_discover_1111", "1111", "paypal", "'; DROP TABLE--"])
def test_unknown_method_is_credentials_unavailable_and_lists_options(creds, hint):
    with pytest.raises(AP2Error) as exc:
        creds.get("user_demo", hint)
    err = exc.value
    assert err.code == CREDENTIALS_UNAVAILABLE == "ap2:credentials:unavailable"
    for label in ("Visa ending 4242", "Mastercard ending 5678", "American Express ending 0005"):
        assert label in err.message
    assert err.to_dict()["details"]["available_tokens"] == TOKENS


def test_blank_user_is_credentials_unavailable(creds):
    with pytest.raises(AP2Error) as exc:
        creds.list_methods("  ")
    assert exc.value.code == CREDENTIALS_UNAVAILABLE


def test_next_method_cycles_to_a_different_card(creds):
    assert creds.next_method("user_demo", "tok_visa_4242").token == "tok_mastercard_5678"
    assert creds.next_method("user_demo", "tok_mastercard_5678").token == "tok_amex_0005"
    assert creds.next_method("user_demo", "tok_amex_0005").token == "tok_visa_4242"
    assert creds.next_method("user_demo", "tok_unknown").token == "tok_visa_4242"


def test_expired_methods_are_skipped_and_refused():
    wallet = (
        PaymentMethod("tok_old_1111", "Visa", "1111", "Visa ending 1111", expired=True),
        PaymentMethod("tok_new_2222", "Visa", "2222", "Visa ending 2222"),
    )
    creds = CredentialsProvider(wallet)
    assert creds.default_method("u").token == "tok_new_2222"
    with pytest.raises(AP2Error, match="no other payment method") as exc:
        creds.next_method("u", "tok_new_2222")  # the only other card has expired
    assert "Visa ending 1111 (expired)" in exc.value.message
    with pytest.raises(AP2Error, match="expired") as exc:
        creds.get("u", "1111")
    assert exc.value.code == CREDENTIALS_UNAVAILABLE


def test_no_card_number_is_exposed(creds):
    for m in creds.list_methods("user_demo"):
        for value in (m.token, m.brand, m.last4, m.label, repr(m)):
            assert not re.search(r"\d{12,19}", value)
