"""eval/load.py in its short form: a real `rag serve` on loopback, concurrent clients, a soak, figures written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from eval.load import Phase, main
from rag import Index
from rag.settings import OFFLINE_ENV

ROOT = Path(__file__).resolve().parents[1]


def test_phase_percentiles() -> None:
    phase = Phase("x", 2, latencies=[i / 1000 for i in range(1, 101)], seconds=2.0)
    summary = phase.summary()
    assert summary["requests"] == 100 and summary["failed"] == 0 and summary["per_second"] == 50.0
    assert summary["p50_ms"] == 51.0 and summary["p95_ms"] == 96.0 and summary["max_ms"] == 100.0


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(SystemExit) as info:
        main(["--clients", "0"])
    assert info.value.code == 2


@pytest.mark.slow
def test_quick_load_run_has_no_failures_and_bounded_memory(tmp_path: Path, briefing_index: Index) -> None:
    out, figures = tmp_path / "load.md", tmp_path / "load.json"
    env = {**os.environ, **OFFLINE_ENV}
    result = subprocess.run(
        [sys.executable, "-m", "eval.load", "--quick", "--index-dir", str(briefing_index.path.parent),
         "--out", str(out), "--json", str(figures)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(figures.read_text())
    assert data["ok"] and data["total_failed"] == 0 and data["total_requests"] >= 200
    assert data["memory_mb"]["warm"] and data["memory_mb"]["growth"] < 0.10
    soak = next(p for p in data["phases"] if p["phase"] == "soak")
    assert soak["requests"] == 200 and soak["failed"] == 0 and soak["p95_ms"] > 0
    assert "PASS" in out.read_text() and "p95" in out.read_text()


def test_load_bar_reports_each_check_with_its_figure() -> None:
    from eval.load import load_bar

    open_loop = Phase("open loop", 20, latencies=[0.1] * 95 + [0.5] * 5, seconds=120.0)
    one = Phase("closed, one client", 1, latencies=[0.05] * 100, seconds=10.0)
    many = Phase("closed", 20, latencies=[0.05] * 150, seconds=10.0)
    bar = load_bar(open_loop, one, many, growth=0.02)
    assert [b["ok"] for b in bar] == [True, False, False, True]  # p95 500 ms; 1.5× one client's throughput
    assert bar[2]["measured"].startswith("1.50×") and bar[1]["measured"] == "500 ms"
