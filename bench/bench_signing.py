"""Signing: verify a full HNP chain (chain.validate_hnp_chain over intent, cart and payment) against
raw ES256 verifies from `cryptography` of the same signatures, in the same run.

The chain is made by the real services (an intent signed and watched, a price drop, one sweep
that buys), so it is exactly what the payment agent validates. The baseline counts the ES256
verifications validate_hnp_chain itself performs (counted, not assumed) and verifies those same
tokens with `cryptography` directly: the cost of the cryptography alone.
"""

from __future__ import annotations

import base64
import json
import sys
import time
from datetime import timedelta

from ._core import Figure, Target, figure, make_runtime, median, temp_home, unavailable

NAME = "signing"


def _b64(seg: str) -> bytes:
    return base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4))


def make_hnp_chain(rt):
    """(intent, cart, payment) of one autonomous purchase, through services."""
    from ghostcart_tui.ap2.records import Constraints
    from ghostcart_tui.services import catalog, intents, monitoring, orders, payments, signatures

    intent = intents.create_intent(rt, "AirPods", Constraints(max_price_cents=18000, max_delivery_days=2),
                                   skus=["prod_airpods_001"])
    signatures.request_signature(rt, intent.mandate_id)
    signatures.approve(rt, intent.mandate_id)
    monitoring.activate(rt, intent.mandate_id)
    catalog.set_price(rt, "prod_airpods_001", 17500)
    rt.clock.advance(timedelta(minutes=rt.settings.monitor_interval_minutes))
    report = monitoring.run_due_checks(rt)
    if report.purchased != 1:
        raise RuntimeError(f"the sweep bought {report.purchased} items, expected 1")
    tx = next(t for t in orders.list_transactions(rt) if t.mode == "hnp")
    with rt.db.read() as s:
        return payments.load_chain(s, tx.payment_mandate_id)


class VerifyCounter:
    """Counts (and records) the compact tokens GhostCart verifies while active: through
    ap2.jws.verify_es256 when it exists (cryptography directly), else joserfc's deserialize_compact."""

    def __init__(self) -> None:
        self.tokens: list[str] = []

    def __enter__(self):
        import ghostcart_tui.ap2.jws as gjws

        if hasattr(gjws, "verify_es256"):
            self._mod, self._name = gjws, "verify_es256"
            orig = gjws.verify_es256

            def counting(public_key, signing_input, signature, *a, **k):
                sig = base64.urlsafe_b64encode(signature).rstrip(b"=").decode("ascii")
                self.tokens.append(f"{signing_input.decode('ascii')}.{sig}")
                return orig(public_key, signing_input, signature, *a, **k)
        else:
            from joserfc import jws

            self._mod, self._name = jws, "deserialize_compact"
            orig = jws.deserialize_compact

            def counting(value, *a, **k):
                self.tokens.append(value if isinstance(value, str) else value.decode())
                return orig(value, *a, **k)

        self._orig = orig
        setattr(self._mod, self._name, counting)
        return self

    def __exit__(self, *exc) -> None:
        setattr(self._mod, self._name, self._orig)


def raw_verifier(tokens: list[str], keys):
    """A function doing exactly the ES256 verifications of `tokens` with cryptography."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    from ghostcart_tui.ap2.jws import jwt_header

    prepared = []
    for tok in tokens:
        head, payload, sig = tok.split(".")
        raw = _b64(sig)
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        pub = keys.resolve(jwt_header(tok)["kid"]).key
        prepared.append((pub, der, f"{head}.{payload}".encode("ascii")))
    algo = ec.ECDSA(hashes.SHA256())

    def verify_all() -> None:
        for pub, der, data in prepared:
            pub.verify(der, data, algo)

    verify_all()  # raises InvalidSignature if the preparation were wrong
    return verify_all


def _per_call(fn, iters: int, rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(iters):
            fn()
        out.append((time.perf_counter() - t0) / iters)
    return out


def run(*, quick: bool = False, iters: int | None = None, rounds: int | None = None) -> list[Figure]:
    iters = iters or (30 if quick else 200)
    rounds = rounds or (3 if quick else 7)
    from ghostcart_tui.ap2 import chain
    from ghostcart_tui.ap2.jws import verify_jwt

    with temp_home() as home:
        rt = make_runtime(home)
        try:
            try:
                intent, cart, payment = make_hnp_chain(rt)
            except Exception as exc:
                return [unavailable(NAME, "hnp_chain_verify_ms", "validate_hnp_chain", f"{type(exc).__name__}: {exc}")]
            now = rt.clock.now()
            keys = rt.keys
            with VerifyCounter() as counter:
                report = chain.validate_hnp_chain(intent, cart, payment, keys, now)
            if not report.ok:
                return [unavailable(NAME, "hnp_chain_verify_ms", "validate_hnp_chain",
                                    f"the chain does not validate: {report.first_failure}")]
            tokens = counter.tokens
            raw = raw_verifier(tokens, keys)

            def chain_once() -> None:
                chain.validate_hnp_chain(intent, cart, payment, keys, now)

            roles = [(tok, _role(tok, keys)) for tok in tokens]

            def jose_once() -> None:
                for tok, role in roles:
                    verify_jwt(tok, keys, expected_role=role)

            for fn in (chain_once, raw, jose_once):  # warm-up
                _per_call(fn, 5, 1)
            chain_t, raw_t, jose_t = [], [], []
            for _ in range(rounds):  # interleaved rounds: the same machine state for each
                chain_t += _per_call(chain_once, iters, 1)
                raw_t += _per_call(raw, iters, 1)
                jose_t += _per_call(jose_once, iters, 1)
        finally:
            rt.close()
    c, r, j = median(chain_t), median(raw_t), median(jose_t)
    n = len(tokens)
    return [
        figure(NAME, "raw_es256_ms", f"raw cryptography ES256 verify × {n} (baseline)", r * 1000, "ms",
               samples=[x * 1000 for x in raw_t], note=f"{r / n * 1e6:.0f} µs per signature"),
        figure(NAME, "hnp_chain_verify_ms", "validate_hnp_chain (intent + cart + payment)", c * 1000, "ms",
               baseline=r * 1000, baseline_label=f"{n} raw ES256 verifies",
               target=Target("ratio_max", 1.5, "≤ 1.5× raw"),
               samples=[x * 1000 for x in chain_t],
               note=f"{n} signatures verified per chain; {(c - r) / n * 1e6:.0f} µs of non-crypto work per signature"),
        figure(NAME, "jws_verify_ms", f"ap2.jws.verify_jwt × {n} (no chain rules)", j * 1000, "ms",
               baseline=r * 1000, baseline_label=f"{n} raw ES256 verifies", samples=[x * 1000 for x in jose_t],
               note="where the non-crypto time goes: JWS parsing vs chain rules (bindings, canonical JSON)"),
    ]


def _role(token: str, keys) -> str:
    from ghostcart_tui.ap2.jws import resolve_signer

    signer = resolve_signer(token, keys)
    return signer.role if signer else "user"


if __name__ == "__main__":
    for f in run(quick="--quick" in sys.argv):
        print(json.dumps(f.to_json()))
