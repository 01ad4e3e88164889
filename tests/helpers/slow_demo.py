"""`python -m tests.helpers.slow_demo ARGS` is `entitlement-desk-cli ARGS` with each day of the
demo's request history slowed by 50 ms, so a test that interrupts the history lands inside it on
any machine (the small demo's history otherwise ends within a blink of its first progress line)."""

import time

from desktop import demo_history
from desktop.cli import run

_run_day = demo_history._History.run_day


def _slow_run_day(self, *args, **kwargs):
    time.sleep(0.05)
    return _run_day(self, *args, **kwargs)


demo_history._History.run_day = _slow_run_day
run()
