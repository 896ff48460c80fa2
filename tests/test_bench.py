"""Smoke tests of `rag bench` at tiny sizes: the figures exist and have the right types (no timing assertions)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from eval import bench, bench_report, scale
from eval.questions import load_questions
from rag import Index, Settings
from rag.embed import Embedder

ROW_KEYS = {"n", "index", "build_s", "search_p50_ms", "recall_at_10_vs_exact", "rss_mb"}


def test_synthetic_vectors_are_unit_and_queries_have_neighbours() -> None:
    vectors = scale.synthetic_vectors(2000)
    assert vectors.dtype == np.float32 and vectors.shape == (2000, scale.DIM)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    queries = scale.near_queries(vectors, 5, seed=1)
    top = np.sort(queries @ vectors.T, axis=1)[:, ::-1]
    assert (top[:, 0] > 0.9).all() and (top[:, 9] > top[:, 100]).all()


def test_scale_rows_at_a_tiny_size() -> None:
    rows = scale.measure(2000, queries=10, log=False)
    assert [r["index"] for r in rows] == ["flat", "bm25s"]
    for row in rows:
        assert ROW_KEYS <= set(row) and row["n"] == 2000
        assert isinstance(row["build_s"], float) and isinstance(row["search_p50_ms"], float)
    assert rows[0]["recall_at_10_vs_exact"] == 1.0


def test_approximate_rows_when_the_threshold_is_low() -> None:
    rows = scale.dense_rows(3000, queries=20, settings=Settings(approximate_above=1000), ivf_from=1000, log=False)
    assert [r["index"] for r in rows] == ["flat", "hnsw32", "ivf256,flat"]
    hnsw, ivf = rows[1], rows[2]
    assert hnsw["rag_default"] and not rows[0]["rag_default"]
    assert [s["efSearch"] for s in hnsw["ef_sweep"]] == list(scale.EF_SWEEP)
    assert ivf["nprobe"] in scale.NPROBE_SWEEP
    assert all(0.0 <= r["recall_at_10_vs_exact"] <= 1.0 for r in rows)
    assert scale.hnsw_estimate(rows, 6000) > hnsw["build_s"]
    assert scale.flat_crossover(rows) is not None


@pytest.mark.slow
def test_warm_latency_keys(briefing_index: Index, embedder: Embedder, settings: Settings) -> None:
    questions = [q.question for q in load_questions()[:3]]
    result = bench.warm_latency(briefing_index, embedder, settings, questions, rounds=1, progress=False)
    for key in ("encode_p50_ms", "retrieve_p50_ms", "retrieve_p95_ms", "answer_p50_ms", "answer_p95_ms",
                "answer_over_encode"):
        assert isinstance(result[key], float) and result[key] > 0
    assert set(result["baselines"]) >= {"bm25s_only_p50_ms", "naive_dense_p50_ms"}
    assert result["warm_samples"]["per_step"] == 3


def _fake_result() -> dict:
    row = {"n": 1_000_000, "index": "ivf4096,flat", "rag_default": False, "build_s": 60.0, "search_p50_ms": 1.0,
           "search_p50_ms_1thread": 1.0, "recall_at_10_vs_exact": 0.97, "rss_mb": 1500.0, "nprobe": 32}
    flat = {**row, "index": "flat", "search_p50_ms": 100.0, "search_p50_ms_1thread": 90.0, "recall_at_10_vs_exact": 1.0}
    return {
        "query_encoder": "numpy (light)", "encode_p50_ms": 10.0, "encode_p95_ms": 12.0, "retrieve_p50_ms": 11.0, "retrieve_p95_ms": 13.0,
        "answer_p50_ms": 14.0, "answer_p95_ms": 25.0, "answer_over_encode": 1.4, "answer_over_encode_per_round": [1.4],
        "answer_stages_p50_ms": {"total": 14.0}, "baselines": {f"{b}_{p}_ms": 1.0 for b in ("bm25s_only", "naive_dense")
                                                                for p in ("p50", "p95")},
        "warm_samples": {"questions": 1, "rounds": 1, "per_step": 1, "skipped_invalid": 0},
        "cold_ask_s": 3.0, "import_floor_s": 2.5, "cold_ask_runs_s": [3.0], "import_floor_runs_s": [2.5],
        "cold_answer_in_process_ms": 20.0, "ask_imports_torch": True, "ask_imports_sentence_transformers": True,
        "build_s": 9.0, "build_runs_s": [9.0], "build_manifest_s": 5.0, "build_in_process_s": 4.0,
        "rebuild_one_change_s": 3.0, "rebuild_runs_s": [3.0], "rebuild_in_process_s": 0.5,
        "rebuild_reembedded_passages": 1, "rss_mb_server": 500.0, "rss_mb_server_runs": [500.0],
        "scale": [flat, row], "quick": True, "skip_1m": False,
        "environment": {"when": "now", "bench_s": 1.0, "cpus": 2, "load_average": [1.0], "load_average_end": [1.0],
                        "faiss_omp_threads": 2, "torch_threads": 2, "faiss": "x", "torch": "y"},
    }


def test_targets_and_report(tmp_path: Path) -> None:
    result = _fake_result()
    targets = {t["target"]: t for t in bench_report.check_targets(result)}
    assert targets["warm answer p50 ÷ encode p50"]["met"] is False
    assert targets["briefing index from scratch, `rag index build`"]["met"] is True
    assert targets["1M passages: recall@10 vs exact (ivf4096,flat)"]["met"] is True
    result["targets"] = list(targets.values())
    text = bench_report.write_markdown(result, tmp_path / "bench.md").read_text(encoding="utf-8")
    assert "## Targets" in text and "ivf4096,flat" in text and "**missed**" in text


@pytest.mark.slow
def test_fresh_processes(briefing_index: Index) -> None:
    cold = bench.cold_start(briefing_index.path, reps=1)
    assert isinstance(cold["cold_ask_s"], float) and isinstance(cold["ask_imports_torch"], bool)
    assert bench.serving_rss(briefing_index.path, reps=1)["rss_mb_server"] > 0


LIBRARY_KEYS = {"library_documents": 20, "library_passages": 1940, "library_build_s": 60.0, "library_add_s": 3.0,
                "library_add_runs_s": [3.0], "library_add_embed_own_s": 2.0, "library_add_embed_runs_s": [2.0],
                "library_add_overhead_s": 1.0, "library_add_texts": {"passages": 97, "sentences": 120},
                "library_answer_p50_ms": 12.0, "library_encode_p50_ms": 10.0, "library_answer_over_encode": 1.2,
                "library_answer_over_encode_per_round": [1.2]}


def test_library_targets_and_report(tmp_path: Path) -> None:
    result = {**_fake_result(), **LIBRARY_KEYS}
    targets = {t["target"]: t for t in bench_report.check_targets(result)}
    assert targets["add a briefing to 20: time beyond embedding its own text"]["met"] is True
    assert targets["warm answer p50 ÷ encode p50, 21 briefings"]["met"] is True
    result["targets"] = list(targets.values())
    text = bench_report.write_markdown(result, tmp_path / "bench.md").read_text(encoding="utf-8")
    assert "## A library of briefings" in text and "| add one briefing | 3.00 |" in text


@pytest.mark.slow
def test_library_times_keys(tmp_path: Path, embedder: Embedder, settings: Settings,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    from eval import library_bench

    monkeypatch.setattr(library_bench, "LIBRARY_SIZE", 2)
    result = library_bench.library_times(tmp_path, embedder, settings, ["Who visited Oslo?"], reps=1, rounds=1)
    assert LIBRARY_KEYS.keys() <= result.keys() and result["library_documents"] == 2
    assert result["library_add_texts"]["passages"] > 60 and result["library_add_s"] > 0
