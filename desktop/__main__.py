"""`python -m desktop ...` is `entitlement-desk-cli ...`."""

from desktop.cli import run

run()
