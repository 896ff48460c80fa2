"""The test split stays held out: no test-split question appears in tests, the page's examples or the code."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.judge import normalize
from eval.questions import load_questions, select_split

ROOT = Path(__file__).resolve().parents[1]
#: Where a test question must never be written: the tests, the library (constants, docstrings), the page
#: (its example questions), the eval code that tunes anything and the README's examples. The gold file and the reports generated
#: from it (which list misses by design) are the only places test questions live.
SEARCHED = ("tests", "rag", "ui", "eval")
ALLOWED = {"eval/questions.jsonl", "eval/report.md", "eval/report.json"}


def _files() -> list[Path]:
    out = [ROOT / "README.md"]
    for folder in SEARCHED:
        for path in (ROOT / folder).rglob("*"):
            wanted = path.suffix in {".py", ".json", ".jsonl", ".md", ".txt"} and path.is_file()
            if wanted and str(path.relative_to(ROOT)) not in ALLOWED and "corpus" not in path.parts:
                out.append(path)
    return out


def test_no_test_split_question_is_written_outside_the_gold_file() -> None:
    questions = [normalize(q.question) for q in select_split(load_questions(), "test")]
    assert questions
    leaks = []
    for path in _files():
        text = normalize(path.read_text(encoding="utf-8", errors="replace"))
        leaks += [f"{path.relative_to(ROOT)}: {q}" for q in questions if q in text]
    assert not leaks, "test-split questions outside eval/questions.jsonl:\n" + "\n".join(leaks)


@pytest.mark.parametrize("planted", ["tests/_planted_leak.py"])
def test_the_check_finds_a_planted_leak(planted: str) -> None:
    question = select_split(load_questions(), "test")[0].question
    path = ROOT / planted
    path.write_text(f"# {question}\n", encoding="utf-8")
    try:
        assert any(normalize(question) in normalize(p.read_text(encoding="utf-8")) for p in _files())
    finally:
        path.unlink()
