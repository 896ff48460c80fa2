"""`rag eval --briefings`: each other briefing in its own index, one table each, held-out misses only counted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from eval.briefing_eval import evaluate_briefings, summary_lines, write_briefings_report
from eval.briefing_sets import find_sets
from eval.cli import eval_command
from rag import Settings
from rag.embed import Embedder

BRIEFING = """Articles
The two ministers met in {city} to talk about ports.
Ports and Ships
They agreed to build {n} new ferries for the island routes.
May 3, 2025: The ministers meet in {city}.
May 9, 2025: The ferry company opens an office in {city}.
"""


def _write(folder: Path, name: str, city: str, split: str) -> None:
    (folder / f"{name}.txt").write_text(BRIEFING.format(city=city, n=4), encoding="utf-8")
    rows = [{"id": f"{name}1", "question": f"Where did the ministers meet ({name})?", "answers": [city],
             "evidence": f"The ministers meet in {city}.", "type": "fact", "split": split},
            {"id": f"{name}2", "question": f"Who won the election ({name})?", "answers": [], "evidence": "",
             "type": "unanswerable", "split": split}]
    (folder / f"{name}.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def _result(per_question: list[dict[str, Any]], path: str = "x.txt") -> dict[str, Any]:
    """The parts of an `evaluate` result the report reads."""
    answers = {"accuracy": 0.5, "top_passage_accuracy": 0.25, "coverage": 1.0, "abstention_recall": 0.0,
               "abstention_precision": None, "short_precision": 1.0, "short_shown": 1, "short_accuracy": 1.0}
    return {"n_questions": len(per_question), "n_answerable": len(per_question), "answers": answers,
            "retrievers": {"hybrid": {"hit@5": 1.0, "mrr@10": 1.0}},
            "by_type": {"fact": {"n": 2, "accuracy": 0.5, "top_passage_accuracy": 0.25, "hit@5": 1.0}},
            "per_question": per_question, "briefing": {"path": path},
            "index": {"path": "/tmp/i", "passages": 3}}


def test_the_report_lists_dev_misses_and_only_counts_held_out_ones(tmp_path: Path) -> None:
    rows = [{"id": "d1", "split": "dev", "type": "fact", "question": "Where was the dev thing?", "correct": False,
             "abstained": False, "answer": "In Oslo [1]."},
            {"id": "t1", "split": "test", "type": "fact", "question": "Where was the held-out thing?",
             "correct": False, "abstained": True, "answer": ""},
            {"id": "d2", "split": "dev", "type": "fact", "question": "Where was the right thing?", "correct": True,
             "abstained": False, "answer": "Bergen"}]
    found = {"split": "all", "briefings": {"X": _result(rows)}, "skipped": [{"name": "Y", "reason": "no dev questions"}]}
    text = write_briefings_report(found, tmp_path / "briefings.md").read_text(encoding="utf-8")
    assert "Where was the dev thing?" in text and "In Oslo" in text
    assert "held-out thing" not in text and "right thing" not in text
    assert "1 dev (listed), 1 test (counted only" in text and "Skipped Y: no dev questions" in text
    assert "| top-passage baseline | 0.250 |" in text and "| fact | 2 | 0.500 | 0.250 | 1.000 |" in text
    line = summary_lines(found)[0]
    assert line.startswith("X: 3 q  accuracy 0.500") and "misses: 1 dev, 1 test" in line


def test_each_briefing_gets_its_own_index_rebuilt_when_its_file_changes(tmp_path: Path, embedder: Embedder,
                                                                        settings: Settings) -> None:
    folder = tmp_path / "sets"
    folder.mkdir()
    _write(folder, "north", "Tromsø", "dev")
    _write(folder, "south", "Hobart", "test")
    seen: dict[str, Any] = {}

    def fake_evaluate(questions: Any, index: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        seen[questions[0].id] = (index.path, " ".join(p.text for p in index.passages), [q.id for q in questions])
        return {"n_questions": len(questions)}

    root = tmp_path / "idx"
    found = evaluate_briefings(find_sets([folder]), "all", root, settings, ("hybrid",), 5, progress=False,
                               embedder=embedder, evaluate=fake_evaluate)
    assert set(found["briefings"]) == {"north", "south"} and not found["skipped"]
    (north_path, north_text, north_ids), (south_path, south_text, _) = seen["north1"], seen["south1"]
    assert north_path != south_path and root in north_path.parents and root in south_path.parents
    assert "Tromsø" in north_text and "Hobart" not in north_text and "Hobart" in south_text
    assert north_ids == ["north1", "north2"]

    found = evaluate_briefings(find_sets([folder]), "dev", root, settings, ("hybrid",), 5, progress=False,
                               embedder=embedder, evaluate=fake_evaluate)
    assert list(found["briefings"]) == ["north"] and found["skipped"][0]["name"] == "south"

    (folder / "north.txt").write_text(BRIEFING.format(city="Bodø", n=4), encoding="utf-8")
    (folder / "north.jsonl").write_text((folder / "north.jsonl").read_text(encoding="utf-8")
                                        .replace("Tromsø", "Bodø"), encoding="utf-8")
    evaluate_briefings(find_sets([folder]), "dev", root, settings, ("hybrid",), 5, progress=False,
                       embedder=embedder, evaluate=fake_evaluate)
    assert "Bodø" in seen["north1"][1] and "Tromsø" not in seen["north1"][1]


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--briefings", "--questions", "q.jsonl"], "--questions goes with one --briefing FILE"),
     (["--briefings", "--llm-url", "http://127.0.0.1:9"], "--llm-url scores the shipped briefing only")],
)
def test_briefing_options_are_checked(args: list[str], message: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(eval_command, [*args, "--out-dir", str(tmp_path)])
    assert result.exit_code == 2 and message in result.output
