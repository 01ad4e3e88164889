"""Benchmarks at tenant scale: `python -m bench.<name>`; not part of the test run."""
