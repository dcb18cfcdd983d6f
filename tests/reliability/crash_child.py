"""Run in a subprocess by the crash tests: one purchase step, killed by a fail point."""

from __future__ import annotations

import sys

from ghostcart_tui.core.clock import FakeClock, parse_iso
from ghostcart_tui.core.settings import Settings
from ghostcart_tui.services import monitoring, payments
from ghostcart_tui.services.runtime import open_runtime


def main(home: str, now: str, action: str, arg: str = "") -> None:
    rt = open_runtime(Settings(data_home=home, model_provider="offline", processor="approve_all"),
                      clock=FakeClock(parse_iso(now)), seed=11, log=False)
    if action == "sweep":
        monitoring.run_due_checks(rt)
    elif action == "pay_hp":
        payments.pay_hp(rt, arg)
    rt.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
