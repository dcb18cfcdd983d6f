"""Builds reference AP2 v0.2 exports with the official SDK (run with the check.sh venv):

    PYTHONPATH=../shared/ap2-v0.2/upstream/code/sdk/python /tmp/ap2-v02-venv/bin/python \\
        tests/ap2_v02/make_sdk_fixtures.py tests/ap2_v02/fixtures

Same construction as check.sh --selftest (upstream google-agentic-commerce/AP2 SDK at e1ea56d,
Apache-2.0): hp, hnp, and forged (a checkout JWT signed by another key). The files are data."""

import json
import os
import sys
import time

from ap2.sdk.generated.checkout_mandate import CheckoutMandate
from ap2.sdk.generated.open_checkout_mandate import (
    AllowedMerchants,
    Item,
    LineItemRequirements,
    LineItems,
    OpenCheckoutMandate,
)
from ap2.sdk.generated.open_payment_mandate import AllowedPayees, AmountRange, OpenPaymentMandate, PaymentReference
from ap2.sdk.generated.payment_mandate import PaymentMandate
from ap2.sdk.generated.types.amount import Amount
from ap2.sdk.generated.types.merchant import Merchant
from ap2.sdk.generated.types.payment_instrument import PaymentInstrument
from ap2.sdk.jwt_helper import create_jwt
from ap2.sdk.mandate import MandateClient
from ap2.sdk.sdjwt import compute_sd_hash, parse_token
from ap2.sdk.utils import compute_sha256_b64url
from cryptography.hazmat.primitives.asymmetric import ec
from jwcrypto.jwk import JWK


def key(kid):
    d = json.loads(JWK.from_pyca(ec.generate_private_key(ec.SECP256R1())).export())
    d["kid"] = kid
    return JWK(**d)


def pub(j):
    return json.loads(j.export_public())


user, agent, merch, proc = key("user-1"), key("agent-1"), key("merchant-1"), key("proc-1")
client, now = MandateClient(), int(time.time()) - 3600
M = Merchant(id="m1", name="Demo Merchant")
checkout = {
    "id": "chk_1",
    "merchant": M.model_dump(exclude_none=True),
    "line_items": [
        {
            "id": "li1",
            "item": {"id": "airpods", "title": "AirPods", "price": 17500},
            "quantity": 1,
            "totals": [{"type": "subtotal", "amount": 17500}],
        }
    ],
    "status": "ready_for_complete",
    "currency": "USD",
    "totals": [{"type": "subtotal", "amount": 17500}, {"type": "total", "amount": 17500}],
    "links": [],
}


def build(mode, merchant_key):
    cj = create_jwt({"alg": "ES256", "kid": "merchant-1", "typ": "JWT"}, checkout, merchant_key)
    ch = compute_sha256_b64url(cj)
    closed_c = CheckoutMandate(checkout_jwt=cj, checkout_hash=ch, iat=now)
    closed_p = PaymentMandate(
        transaction_id=ch,
        payee=M,
        payment_amount=Amount(amount=17500, currency="USD"),
        payment_instrument=PaymentInstrument(id="card-1", type="card", description="Card 4242"),
        iat=now,
    )
    if mode == "human_present":
        cm, pm = (
            client.create(payloads=[closed_c], issuer_key=user),
            client.create(payloads=[closed_p], issuer_key=user),
        )
        cpres = ppres = None
    else:
        oc = client.create(
            payloads=[
                OpenCheckoutMandate(
                    constraints=[
                        LineItems(
                            items=[
                                LineItemRequirements(
                                    id="l1", acceptable_items=[Item(id="airpods", title="AirPods")], quantity=1
                                )
                            ]
                        ),
                        AllowedMerchants(allowed=[M]),
                    ],
                    cnf={"jwk": pub(agent)},
                    iat=now,
                    exp=now + 30 * 86400,
                )
            ],
            issuer_key=user,
        )
        ref = compute_sd_hash(parse_token(oc))
        op = client.create(
            payloads=[
                OpenPaymentMandate(
                    constraints=[
                        AmountRange(currency="USD", max=18000),
                        AllowedPayees(allowed=[M]),
                        PaymentReference(conditional_transaction_id=ref),
                    ],
                    cnf={"jwk": pub(agent)},
                    iat=now,
                    exp=now + 30 * 86400,
                )
            ],
            issuer_key=user,
        )
        cpres, ppres = {"aud": "merchant", "nonce": "n-m"}, {"aud": "credential-provider", "nonce": "n-cp"}
        cm = client.present(holder_key=agent, mandate_token=oc, payloads=[closed_c], **cpres)
        pm = client.present(holder_key=agent, mandate_token=op, payloads=[closed_p], **ppres)
    rc = create_jwt(
        {"alg": "ES256", "kid": "merchant-1", "typ": "JWT"},
        {
            "status": "Success",
            "iss": "m1",
            "iat": now,
            "reference": compute_sha256_b64url(client.get_closed_mandate_jwt(cm)),
            "order_id": "o1",
        },
        merch,
    )
    rp = create_jwt(
        {"alg": "ES256", "kid": "proc-1", "typ": "JWT"},
        {
            "status": "Success",
            "iss": "psp",
            "iat": now,
            "reference": compute_sha256_b64url(client.get_closed_mandate_jwt(pm)),
            "payment_id": "p1",
        },
        proc,
    )
    return {
        "ap2_version": "0.2",
        "mode": mode,
        "keys": {"user": pub(user), "agent": pub(agent), "merchant": pub(merch), "payment_processor": pub(proc)},
        "checkout_jwt": cj,
        "checkout_mandate": cm,
        "checkout_presentation": cpres,
        "payment_mandate": pm,
        "payment_presentation": ppres,
        "checkout_receipt": rc,
        "payment_receipt": rp,
    }


out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for name, mode, mk in (
    ("sdk_hp", "human_present", merch),
    ("sdk_hnp", "human_not_present", merch),
    ("sdk_forged", "human_not_present", key("merchant-1")),
):
    with open(os.path.join(out, name + ".json"), "w") as f:
        json.dump(build(mode, mk), f, indent=1)
