"""`python -m bench --quick`: every benchmark runs at tiny sizes, so none rots unnoticed."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
AREAS = ("P1", "P2", "P3", "P4", "P5", "P6", "I5", "I17", "S1")


@pytest.mark.slow
def test_every_benchmark_runs_at_tiny_sizes(tmp_path):
    committed = ROOT / "bench" / "RESULTS.md"
    before = committed.read_bytes() if committed.exists() else None
    results = tmp_path / "RESULTS.md"
    finished = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--data", str(tmp_path / "data"), "--results", str(results)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    rows = [line for line in results.read_text(encoding="utf-8").splitlines() if line.startswith("| ")]
    for area in AREAS:
        assert any(row.startswith(f"| {area} |") for row in rows), f"no {area} figure"
    assert not [row for row in rows if "not run" in row and not row.startswith("| Peer |")], finished.stdout
    assert (committed.read_bytes() if committed.exists() else None) == before, "--quick wrote bench/RESULTS.md"


@pytest.mark.slow
def test_quick_writes_no_results_unless_told(tmp_path):
    finished = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--only", "P5", "--data", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    assert "| P5 |" in finished.stdout
    assert not list(tmp_path.glob("*.md"))
