"""AP2 v0.2: verifying one human-not-present purchase (ap2.v02.verify.verify_export over the
export: the merchant's checkout JWT, the open and closed checkout and payment hops, both receipts)
against raw ES256 verifies from `cryptography` of the same signatures, in the same run.

The purchase is made by the real services (a watch signed, a price drop, one sweep that buys),
so the export is exactly what `ghostcart verify` checks. The baseline counts the ES256
verifications verify_export itself performs (counted through ap2.jws.verify_es256, not assumed)
and verifies those same signatures with `cryptography` directly: the cost of the cryptography
alone. The figure is the ratio; the target is ≤ 1.5×.
"""

from __future__ import annotations

import json
import sys
import time

from ._core import Figure, Target, figure, make_runtime, median, temp_home, unavailable

NAME = "v02"


def make_hnp_export(rt) -> dict:
    from ghostcart_tui.services import ap2_v02

    from .bench_signing import make_hnp_chain

    _, _, payment = make_hnp_chain(rt)
    return ap2_v02.export_document(rt, payment.mandate_id)


class _Counter:
    """Records (public key, signing input, signature) of every verify_es256 while active."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def __enter__(self):
        import ghostcart_tui.ap2.jws as gjws

        self._mod, self._orig = gjws, gjws.verify_es256

        def counting(public_key, signing_input, signature):
            self.calls.append((public_key, signing_input, signature))
            return self._orig(public_key, signing_input, signature)

        gjws.verify_es256 = counting
        return self

    def __exit__(self, *exc) -> None:
        self._mod.verify_es256 = self._orig


def _raw(calls):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    prepared = [
        (pub, encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big")), data)
        for pub, data, sig in calls
    ]
    algo = ec.ECDSA(hashes.SHA256())

    def verify_all() -> None:
        for pub, der, data in prepared:
            pub.verify(der, data, algo)

    verify_all()
    return verify_all


def _per_call(fn, iters: int) -> float:
    t0 = time.perf_counter()
    for _ in range(iters):
        fn()
    return (time.perf_counter() - t0) / iters


def run(*, quick: bool = False, iters: int | None = None, rounds: int | None = None) -> list[Figure]:
    iters = iters or (30 if quick else 200)
    rounds = rounds or (3 if quick else 9)
    # A fake clock just before real time: the export is also what the official checker accepts.
    from datetime import UTC, datetime, timedelta

    from ghostcart_tui.ap2.v02.verify import verify_export

    start = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with temp_home() as home:
        rt = make_runtime(home, start=start)
        try:
            try:
                doc = make_hnp_export(rt)
            except Exception as exc:
                return [unavailable(NAME, "hnp_v02_verify_ms", "verify_export (HNP)", f"{type(exc).__name__}: {exc}")]
        finally:
            rt.close()
    with _Counter() as counter:
        report = verify_export(doc)
    if not report.ok:
        return [
            unavailable(
                NAME, "hnp_v02_verify_ms", "verify_export (HNP)", f"the export does not verify: {report.first_failure}"
            )
        ]
    raw = _raw(counter.calls)
    n = len(counter.calls)

    def once() -> None:
        verify_export(doc)

    for fn in (once, raw):  # warm-up
        _per_call(fn, 5)
    v_t, r_t = [], []
    for _ in range(rounds):  # interleaved: the same machine state for both
        v_t.append(_per_call(once, iters))
        r_t.append(_per_call(raw, iters))
    v, r = median(v_t), median(r_t)
    ratios = sorted(a / b for a, b in zip(v_t, r_t, strict=True))
    return [
        figure(
            NAME,
            "raw_es256_ms",
            f"raw cryptography ES256 verify × {n} (baseline)",
            r * 1000,
            "ms",
            samples=[x * 1000 for x in r_t],
            note=f"{r / n * 1e6:.0f} µs per signature",
        ),
        figure(
            NAME,
            "hnp_v02_verify_ms",
            "AP2 v0.2 HNP purchase verified (verify_export, every check)",
            v * 1000,
            "ms",
            baseline=r * 1000,
            baseline_label=f"{n} raw ES256 verifies",
            target=Target("ratio_max", 1.5, "≤ 1.5× raw"),
            samples=[x * 1000 for x in v_t],
            note=f"{len(report.verdicts)} checks, {n} signatures; per-round ratios {ratios[0]:.2f}–{ratios[-1]:.2f}×; "
            f"{(v - r) / n * 1e6:.0f} µs of non-crypto work per signature",
        ),
    ]


if __name__ == "__main__":
    for f in run(quick="--quick" in sys.argv):
        print(json.dumps(f.to_json()))
