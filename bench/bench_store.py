"""Store: HP purchases end to end through services, no agent (create_hp_cart → request_signature →
approve → pay_hp), on one SQLite file: purchases per second, the database size after them (main
file + WAL + shared memory), and how many units of work (connections, write transactions) one
purchase takes.

Two what-ifs, measured in the same run, locate the cost: the same purchases while one extra
connection stays open on the file (so the per-unit connections of Database's NullPool are never
the last one to close, and SQLite does not checkpoint and truncate the WAL after every unit of
work), and the cost of an empty unit of work with and without that connection.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from ._core import Figure, figure, make_runtime, median, temp_home, unavailable

NAME = "store"


def in_stock_products(rt) -> list[str]:
    return [p.product_id for p in rt.inventory.products() if p.in_stock]


def one_purchase(rt, product_id: str) -> str:
    from ghostcart_tui.services import carts, payments, signatures

    cart = carts.create_hp_cart(rt, product_id)
    signatures.request_signature(rt, cart.mandate_id)
    signatures.approve(rt, cart.mandate_id)
    return payments.pay_hp(rt, cart.mandate_id).status


class UnitCounter:
    """Connections opened and transactions begun on a Database's engine."""

    def __init__(self, engine) -> None:
        self.connects = 0
        self.begins = 0
        event.listen(engine, "connect", self._on_connect)
        event.listen(engine, "begin", self._on_begin)

    def _on_connect(self, *_a) -> None:
        self.connects += 1

    def _on_begin(self, *_a) -> None:
        self.begins += 1


@contextmanager
def held_connection(path) -> Iterator[None]:
    """Keep one reader attached to the WAL for the duration (the what-if)."""
    con = sqlite3.connect(path)
    con.execute("SELECT count(*) FROM ghostcart_meta").fetchall()  # attaches to the WAL index
    try:
        yield
    finally:
        con.close()


def db_bytes(home) -> int:
    return sum(p.stat().st_size for p in home.glob("ghostcart.db*"))


def purchases(n: int, *, hold: bool) -> dict:
    with temp_home() as home:
        rt = make_runtime(home)
        try:
            ids = in_stock_products(rt)
            one_purchase(rt, ids[0])  # warm-up (keys, first-use caches), not counted
            counter = UnitCounter(rt.db.engine)
            size0 = db_bytes(home)
            statuses = []
            with held_connection(rt.db.path) if hold else _nothing():
                t0 = time.perf_counter()
                for i in range(n):
                    statuses.append(one_purchase(rt, ids[i % len(ids)]))
                wall = time.perf_counter() - t0
                size_open = db_bytes(home)  # with the WAL as it stands after the purchases
                files = {p.name: p.stat().st_size for p in home.glob("ghostcart.db*")}
            from ghostcart_tui.services import orders

            counts = orders.counts(rt) if hasattr(orders, "counts") else {}
        finally:
            rt.close()
        size_closed = db_bytes(home)  # after the last connection closed (WAL checkpointed)
    return {"wall": wall, "n": n, "authorized": statuses.count("authorized"), "size": size_open,
            "size_closed": size_closed, "size0": size0,
            "files": files, "connects": counter.connects, "begins": counter.begins, "counts": counts}


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def empty_units(reps: int) -> dict[str, float]:
    """ms per empty unit of work (open, BEGIN [IMMEDIATE], COMMIT, close), with and without a
    held connection."""
    from ghostcart_tui.store.tables import MetaRow

    out = {}
    with temp_home() as home:
        rt = make_runtime(home)
        try:
            def write() -> None:
                with rt.db.write() as s:
                    s.merge(MetaRow(key="bench", value=str(time.perf_counter())))

            def read() -> None:
                with rt.db.read() as s:
                    s.get(MetaRow, "bench")

            for label, hold in (("", False), ("_held", True)):
                with held_connection(rt.db.path) if hold else _nothing():
                    for name, fn in (("write", write), ("read", read)):
                        fn()
                        xs = []
                        for _ in range(reps):
                            t0 = time.perf_counter()
                            fn()
                            xs.append(time.perf_counter() - t0)
                        out[name + label] = median(xs) * 1000
        finally:
            rt.close()
    return out


def run(*, quick: bool = False, n: int | None = None, whatif_n: int | None = None,
        unit_reps: int | None = None) -> list[Figure]:
    n = n or (100 if quick else 1000)
    whatif_n = whatif_n if whatif_n is not None else (n if quick else 300)
    try:
        base = purchases(n, hold=False)
    except Exception as exc:
        return [unavailable(NAME, "hp_purchases_per_s", "HP purchases through services",
                            f"{type(exc).__name__}: {exc}")]
    rate = base["n"] / base["wall"]
    figs = [
        figure(NAME, "hp_purchases_per_s", f"{n:,} HP purchases through services", rate, "/s",
               note=f"{base['wall']:.1f} s, {base['wall'] / n * 1000:.1f} ms each; "
                    f"{base['authorized']}/{n} authorized"),
        figure(NAME, "db_size_mb", f"database after {n:,} purchases (incl. WAL)", base["size"] / 1e6, "MB",
               note=f"{(base['size'] - base['size0']) / n / 1024:.1f} KiB per purchase; "
                    + ", ".join(f"{k} {v / 1e6:.2f} MB" for k, v in sorted(base["files"].items()))
                    + f"; {base['size_closed'] / 1e6:.2f} MB once closed (WAL checkpointed)"),
        figure(NAME, "units_per_purchase", "units of work per purchase (connections opened)",
               base["connects"] / n, "count",
               note=f"{base['begins'] / n:.1f} transactions begun; NullPool opens a connection per unit"),
    ]
    if whatif_n:
        held = purchases(whatif_n, hold=True)
        figs.append(figure(NAME, "hp_purchases_per_s_held", "  what-if: the same with one connection held open",
                           held["n"] / held["wall"], "/s", baseline=rate, baseline_label="as shipped",
                           note=f"{held['wall'] / held['n'] * 1000:.1f} ms each over {held['n']} purchases: "
                                "no WAL checkpoint + truncate when a unit's connection closes"))
    units = empty_units(unit_reps or (20 if quick else 50))
    figs += [
        figure(NAME, "empty_write_unit_ms", "empty write unit (connect, BEGIN IMMEDIATE, COMMIT, close)",
               units["write"], "ms", baseline=units["write_held"], baseline_label="with a connection held open"),
        figure(NAME, "empty_read_unit_ms", "empty read unit", units["read"], "ms", baseline=units["read_held"],
               baseline_label="with a connection held open"),
    ]
    return figs


if __name__ == "__main__":
    for f in run(quick="--quick" in sys.argv):
        print(json.dumps(f.to_json()))
