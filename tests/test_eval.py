"""The eval suite: judging, ir-measures metrics against a brute-force oracle, and the dev-split floors (CI)."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from eval.judge import answer_matches, normalize, supports
from eval.metrics import RETRIEVAL_KEYS, AnswerOutcome, answer_summary, retrieval_scores
from eval.questions import load_questions, select_split
from eval.report import render, write_report
from eval.run import evaluate
from eval.targets import check_targets
from rag import Index, Settings
from rag.embed import Embedder

FLOORS = Path(__file__).resolve().parents[1] / "eval" / "floors.json"


# --------------------------------------------------------------------------- judging


def test_normalize_maps_curly_quotes_and_dashes() -> None:
    assert normalize("  Japan’s “G2”\n— Dec. 5–7 ") == "japan's \"g2\" - dec. 5-7"


def test_a_passage_supports_evidence_it_contains_or_mostly_covers_with_an_answer() -> None:
    passage = "Oct. 4: US Secretary of Defense Lloyd Austin and Japanese Minister of Defense Kiharu Minoru met."
    assert supports(passage, "Lloyd Austin and Japanese Minister of Defense Kiharu Minoru", [])
    # 60% of the words plus an answer string
    assert supports(passage, "Austin met Japanese Minister of Defense Kiharu Minoru in Tokyo", ["Kiharu Minoru"])
    assert not supports(passage, "Austin met Japanese Minister of Defense Kiharu Minoru in Tokyo", ["Tokyo"])
    assert not supports(passage, "Austin flew to Manila for talks with Marcos about the South China Sea", ["Austin"])


def test_answers_match_as_whole_phrases() -> None:
    assert answer_matches("They met Tai in Tokyo. [1]", ["Tai"])
    assert not answer_matches("Taiwan’s elections", ["Tai"])
    assert answer_matches("The “G2 for the G7” line", ['G2 for the G7'])
    assert not answer_matches("Hayashi spoke", ["Hayashi", "Kamikawa"], all_answers=True)
    assert answer_matches("Hayashi, then Kamikawa", ["Hayashi", "Kamikawa"], all_answers=True)


# --------------------------------------------------------------------------- metrics


def _oracle(evidence: tuple[frozenset[str], ...], ranking: list[str]) -> dict[str, float]:
    rel = frozenset().union(*evidence)
    hits = [pid in rel for pid in ranking]
    first = next((r for r, h in enumerate(hits, start=1) if h), None)
    dcg = sum(1 / math.log2(r + 1) for r, h in enumerate(hits[:10], start=1) if h)
    idcg = sum(1 / math.log2(r + 1) for r in range(1, min(len(rel), 10) + 1))
    out = {f"hit@{k}": float(first is not None and first <= k) for k in (1, 3, 5)}
    for k in (5, 10):
        out[f"recall@{k}"] = sum(bool(ids & set(ranking[:k])) for ids in evidence) / len(evidence)
    out["mrr@10"] = 1 / first if first is not None and first <= 10 else 0.0
    out["ndcg@10"] = dcg / idcg if idcg else 0.0
    return out


def test_retrieval_metrics_match_a_brute_force_oracle() -> None:
    rng = random.Random(7)
    docs = [f"p{i}" for i in range(30)]
    judgments, rankings = {}, {}
    for n in range(60):
        qid = f"q{n}"
        judgments[qid] = tuple(frozenset(rng.sample(docs, rng.randint(0, 3))) for _ in range(rng.randint(1, 3)))
        rankings[qid] = rng.sample(docs, rng.randint(0, 12))
    scores = retrieval_scores(judgments, rankings)
    for qid in judgments:
        expected = _oracle(judgments[qid], rankings[qid])
        for key in RETRIEVAL_KEYS:
            assert scores[qid][key] == pytest.approx(expected[key]), (qid, key)


def test_answer_summary_counts_abstentions_and_coverage() -> None:
    outcomes = [
        AnswerOutcome(True, False, True, True, 100),
        AnswerOutcome(True, True, False, None, 40),
        AnswerOutcome(False, True, True, None, 40),
        AnswerOutcome(False, False, False, None, 200),
    ]
    s = answer_summary(outcomes)
    assert s["accuracy"] == 0.5 and s["citation_accuracy"] == 1.0 and s["coverage"] == 0.5
    assert s["abstention_precision"] == 0.5 and s["abstention_recall"] == 0.5
    assert s["mean_answer_chars"] == 150.0


def test_targets_report_the_gap() -> None:
    rows = {r["target"]: r for r in check_targets({
        "retrievers": {"hybrid": {"hit@5": 0.99, "mrr@10": 0.8}, "bm25": {"mrr@10": 0.85}},
        "answers": {"mean_answer_chars": 320.0}})}
    assert rows["hybrid hit@5"]["met"] and rows["hybrid hit@5"]["gap"] == pytest.approx(0.02)
    assert rows["hybrid MRR@10"]["met"] is False and rows["hybrid MRR@10"]["gap"] == pytest.approx(-0.1)
    assert rows["mean answer length (chars)"]["gap"] == pytest.approx(-20)
    assert rows["hybrid MRR@10 > bm25 MRR@10"]["met"] is False
    assert rows["hybrid MRR@10 > dense MRR@10"]["met"] is None


# --------------------------------------------------------------------------- the dev-split run (CI floors)


@pytest.fixture(scope="module")
def dev_result(briefing_index: Index, embedder: Embedder, settings: Settings) -> dict[str, Any]:
    return evaluate(select_split(load_questions(), "dev"), briefing_index, embedder, settings)


@pytest.mark.slow
def test_dev_figures_stay_above_the_floors(dev_result: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    floors = json.loads(FLOORS.read_text(encoding="utf-8"))
    measured = {
        "hybrid_mrr@10": dev_result["retrievers"]["hybrid"]["mrr@10"],
        "accuracy": dev_result["answers"]["accuracy"],
        "abstention_recall": dev_result["answers"]["abstention_recall"],
    }
    with capsys.disabled():
        print(f"\ndev figures (floors of {floors['measured']}):")
        for name, values in dev_result["retrievers"].items():
            print(f"  {name:<7}" + "  ".join(f"{k} {v:.3f}" for k, v in values.items()))
        print("  answers " + "  ".join(f"{k} {v:.3f}" for k, v in dev_result["answers"].items() if v is not None))
        print("  " + "  ".join(f"{k} {v:.3f} (floor {floors['floors'][k]:.2f})" for k, v in measured.items()))
    low = {k: (v, floors["floors"][k]) for k, v in measured.items() if v < floors["floors"][k]}
    assert not low, f"below the floors in eval/floors.json (measured, floor): {low}"


@pytest.mark.slow
def test_every_dev_question_is_judgeable_and_keys_are_complete(dev_result: dict[str, Any]) -> None:
    assert dev_result["unjudged"] == []
    assert dev_result["split"] == "dev" and "splits" not in dev_result
    assert set(dev_result["retrievers"]) == {"bm25", "dense", "hybrid"}
    for values in dev_result["retrievers"].values():
        assert set(values) == set(RETRIEVAL_KEYS) and all(0.0 <= v <= 1.0 for v in values.values())
    assert {"accuracy", "citation_accuracy", "mean_answer_chars", "abstention_precision", "abstention_recall",
            "coverage", "short_accuracy", "short_questions", "short_precision", "short_shown", "short_coverage",
            "top_passage_accuracy"} == set(dev_result["answers"])
    assert {"retrieve_p50", "retrieve_p95", "answer_p50", "answer_p95"} == set(dev_result["latency_ms"])
    assert all(set(v) >= {"hit@5", "mrr@10", "accuracy", "short_accuracy", "short_precision", "short_coverage",
                          "top_passage_accuracy"}
               for v in dev_result["by_type"].values())
    assert len(dev_result["per_question"]) == dev_result["n_questions"]
    assert all(set(q) >= {"id", "hit_rank", "answer", "correct", "abstained"} for q in dev_result["per_question"])
    json.dumps(dev_result)  # machine-readable as is


@pytest.mark.slow
def test_report_and_chart_are_written(dev_result: dict[str, Any], tmp_path: Path) -> None:
    report, chart = write_report(dev_result, tmp_path)
    text = report.read_text(encoding="utf-8")
    for heading in ("## Targets", "## Retrieval", "## Answers", "## By question type", "## Speed", "## Misses"):
        assert heading in text
    assert "dev split only" in text and "min_confidence" in text
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert render(dev_result, chart=None).count("![") == 0


def test_cli_writes_json_with_per_split_results(
    briefing_index: Index, embedder: Embedder, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rag.cli import main

    picked = [q for q in load_questions() if q.id in {"q001", "q002", "q160", "q161"}]
    questions = tmp_path / "q.jsonl"
    questions.write_text("\n".join(json.dumps({
        "id": q.id, "question": q.question, "answers": list(q.answers), "evidence": list(q.evidence),
        "type": q.type, "split": q.split}) for q in picked), encoding="utf-8")
    monkeypatch.setattr("eval.cli._open_index", lambda index_dir: (briefing_index, settings, embedder))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["eval", "--questions", str(questions), "--retrievers", "bm25,hybrid",
                                       "--json", str(out / "r.json"), "--out-dir", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "r.json").read_text(encoding="utf-8"))
    assert data["n_questions"] == 4 and data["split"] == "all"
    assert set(data["splits"]) == {"dev", "test"} and set(data["retrievers"]) == {"bm25", "hybrid"}
    assert data["splits"]["dev"]["n_questions"] == 2
    assert (out / "report.md").is_file() and (out / "retrievers.png").is_file()
    bad = CliRunner().invoke(main, ["eval", "--questions", str(tmp_path / "missing.jsonl")])
    assert bad.exit_code == 1 and "No questions file" in bad.output
