"""Everything a use case needs, wired once: settings, clock, ids, events, DB, keys, the outside
parties. Tests build one on a temp folder with a FakeClock; the app builds one from Settings.

The outside parties keep their own books under GHOSTCART_HOME: the merchant's key in
merchant/keys/, the payment processor's idempotency ledger in processor/processor.db (see
commerce/parties.py); the shopper's database and key folder hold neither."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ..ap2.keys import KeyStore
from ..commerce.catalog import MERCHANT_NAME
from ..commerce.credentials import CredentialsProvider
from ..commerce.parties import PartyKeys, merchant_keys_dir, processor_db_path
from ..commerce.processor import PaymentProcessor, ProcessorLedger
from ..core.clock import Clock, SystemClock
from ..core.events import EventBus
from ..core.ids import IdGenerator
from ..core.logs import configure_logging
from ..core.private_files import private_dir
from ..core.settings import Settings
from ..store.engine import Database
from ..store.products import SqlInventory

AGENT_NAME = "ghostcart-shopping-agent"


class SweepRunner(Protocol):
    """What runs this runtime's monitoring sweeps on a schedule (services.scheduler.Monitor)."""

    def sweep_now(self) -> object: ...


@dataclass
class MonitoringState:
    """Per-runtime monitoring state (no process-wide globals): the jobs this runtime is
    purchasing right now (recovery leaves them alone) and the lock serializing its sweeps."""

    in_flight: set[str] = field(default_factory=set)
    sweep_lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class Runtime:
    settings: Settings
    clock: Clock
    ids: IdGenerator
    bus: EventBus
    db: Database
    keys: KeyStore
    inventory: SqlInventory
    processor: PaymentProcessor
    credentials: CredentialsProvider
    merchant_name: str = MERCHANT_NAME
    agent_name: str = AGENT_NAME
    monitor: SweepRunner | None = None
    monitoring: MonitoringState = field(default_factory=MonitoringState)

    @property
    def user_id(self) -> str:
        return self.settings.user_id

    def close(self) -> None:
        self.db.dispose()


def open_runtime(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    seed: int | None = None,
    log: bool = True,
) -> Runtime:
    settings = settings or Settings()
    home: Path = settings.data_home
    private_dir(home)  # 0700 (relb: file permissions)
    if log:
        configure_logging(settings.log_path, settings.log_level)
    clock = clock or SystemClock()
    seed = settings.seed if seed is None else seed
    db = Database(settings.db_path)
    return Runtime(
        settings=settings,
        clock=clock,
        ids=IdGenerator(None if seed is None else _id_seed(db, seed)),
        bus=EventBus(),
        db=db,
        keys=PartyKeys(settings.keys_dir, merchant_keys_dir(home), settings.key_passphrase,
                       storage=settings.key_storage),
        inventory=SqlInventory(db, clock),
        processor=PaymentProcessor(
            mode=settings.processor, seed=seed or 0, fraud_threshold_cents=settings.fraud_threshold_cents,
            ledger=ProcessorLedger(processor_db_path(home)),
        ),
        credentials=CredentialsProvider(),
    )


def _id_seed(db: Database, seed: int) -> int:
    """A seed gives reproducible ids on a fresh database (replay, snapshots). Mixing in what is
    already stored keeps a restart with the same seed from reusing ids."""
    from ..store.counts import mandate_count

    with db.read() as s:
        stored = mandate_count(s)
    return seed if stored == 0 else hash((seed, stored, str(db.path))) & 0xFFFFFFFF
