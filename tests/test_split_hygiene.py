"""The test split stays held out: no test-split question appears in tests, the page's examples or the code."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.briefing_sets import find_sets
from eval.judge import normalize
from eval.questions import Question, load_questions, select_split

ROOT = Path(__file__).resolve().parents[1]
#: Where a test question must never be written: the tests, the library (constants, docstrings), the page
#: (its example questions), the eval code that tunes anything and the README's examples. The gold file and the reports generated
#: from it (which list misses by design) are the only places test questions live.
SEARCHED = ("tests", "rag", "ui", "eval")
ALLOWED = {"eval/questions.jsonl", "eval/report.md", "eval/report.json"}
#: The other briefings' question files (eval/briefings/*.jsonl) hold their own test questions.
OTHER_GOLD = {str(s.questions.relative_to(ROOT)) for s in find_sets()}


def _test_questions() -> list[Question]:
    """The held-out questions: the shipped set's test split and every other briefing's test questions."""
    other = [q for s in find_sets() for q in s.load() if q.split == "test"]
    return select_split(load_questions(), "test") + other


def _files() -> list[Path]:
    out = [ROOT / "README.md"]
    for folder in SEARCHED:
        for path in (ROOT / folder).rglob("*"):
            wanted = path.suffix in {".py", ".json", ".jsonl", ".md", ".txt"} and path.is_file()
            name = str(path.relative_to(ROOT))
            if wanted and name not in ALLOWED | OTHER_GOLD and "corpus" not in path.parts:
                out.append(path)
    return out


def test_no_test_split_question_is_written_outside_the_gold_file() -> None:
    questions = [normalize(q.question) for q in _test_questions()]
    assert questions
    leaks = []
    for path in _files():
        text = normalize(path.read_text(encoding="utf-8", errors="replace"))
        leaks += [f"{path.relative_to(ROOT)}: {q}" for q in questions if q in text]
    assert not leaks, "test-split questions outside eval/questions.jsonl:\n" + "\n".join(leaks)


def test_other_briefings_test_questions_are_searched_for() -> None:
    searched = {q.id for q in _test_questions()}
    held_out = [q for s in find_sets() for q in s.load() if q.split == "test"]
    assert held_out and {q.id for q in held_out} <= searched


@pytest.mark.parametrize("planted", ["tests/_planted_leak.py", "eval/_planted_leak.md"])
@pytest.mark.parametrize("which", [0, -1])
def test_the_check_finds_a_planted_leak(planted: str, which: int) -> None:
    question = _test_questions()[which].question  # the shipped set's first, the last other briefing's last
    path = ROOT / planted
    path.write_text(f"# {question}\n", encoding="utf-8")
    try:
        assert any(normalize(question) in normalize(p.read_text(encoding="utf-8")) for p in _files())
    finally:
        path.unlink()
