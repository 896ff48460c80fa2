"""The gold questions file (eval/questions.jsonl) and its loader (eval/questions.py)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from eval.questions import (
    DEFAULT_QUESTIONS,
    QUESTION_TYPES,
    Question,
    QuestionFileError,
    load_questions,
    missing_evidence,
    parse_questions,
    select_split,
)
from rag.settings import DEFAULT_CORPUS


@pytest.fixture(scope="module")
def questions() -> list[Question]:
    return load_questions(DEFAULT_QUESTIONS)


def test_every_line_has_the_schema(questions: list[Question]) -> None:
    lines = [line for line in DEFAULT_QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(questions) == len(lines) >= 150
    for line in lines:
        record = json.loads(line)
        assert {"id", "question", "answers", "evidence", "type", "split"} <= set(record) <= {
            "id", "question", "answers", "evidence", "type", "split", "all_answers", "constraint"}


def test_ids_are_unique(questions: list[Question]) -> None:
    repeated = [i for i, n in Counter(q.id for q in questions).items() if n > 1]
    assert not repeated


def test_types_and_splits_come_from_the_allowed_sets(questions: list[Question]) -> None:
    assert {q.type for q in questions} <= set(QUESTION_TYPES)
    assert {q.split for q in questions} == {"dev", "test"}
    for kind in {q.type for q in questions}:
        splits = Counter(q.split for q in questions if q.type == kind)
        assert splits["dev"] and splits["test"], f"{kind} has questions in one split only: {splits}"


def test_every_evidence_string_is_in_the_briefing(questions: list[Question]) -> None:
    source = Path(DEFAULT_CORPUS).read_text(encoding="utf-8")
    assert missing_evidence(questions, source) == []


def test_answerable_questions_have_answers_and_evidence(questions: list[Question]) -> None:
    for q in questions:
        if q.answerable:
            assert q.answers and q.evidence and all(e.strip() for e in q.evidence), q.id
        else:
            assert not q.answers and not q.evidence, q.id


def test_question_is_frozen(questions: list[Question]) -> None:
    with pytest.raises(AttributeError):
        questions[0].id = "changed"  # type: ignore[misc]


GOOD = {"id": "x1", "question": "Where?", "answers": ["Tokyo"], "evidence": "held in Tokyo", "type": "fact",
        "split": "dev"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"type": "trivia"}, "type 'trivia' is not one of"),
        ({"split": "train"}, "split 'train' must be 'dev' or 'test'"),
        ({"answers": []}, "needs at least one answer"),
        ({"evidence": ""}, "needs at least one answer and one evidence"),
        ({"type": "unanswerable"}, "unanswerable question has"),
        ({"all_answers": "yes"}, "'all_answers' must be true or false"),
        ({"colour": "red"}, "unknown key"),
        ({"answers": [3]}, "'answers' must be"),
    ],
)
def test_bad_lines_are_refused_with_their_line_number(change: dict, message: str) -> None:
    line = json.dumps({**GOOD, **change})
    with pytest.raises(QuestionFileError, match=message) as info:
        parse_questions([json.dumps(GOOD | {"id": "x0"}), line], "file.jsonl")
    assert "file.jsonl:2" in str(info.value)


def test_missing_keys_duplicate_ids_and_bad_json_are_refused() -> None:
    with pytest.raises(QuestionFileError, match="missing key"):
        parse_questions([json.dumps({k: v for k, v in GOOD.items() if k != "split"})])
    with pytest.raises(QuestionFileError, match="repeats line 1"):
        parse_questions([json.dumps(GOOD), json.dumps(GOOD)])
    with pytest.raises(QuestionFileError, match="not valid JSON"):
        parse_questions(["{nope"])
    with pytest.raises(QuestionFileError, match="no questions"):
        parse_questions(["", "  "])


def test_missing_file_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(QuestionFileError, match="pass --questions FILE"):
        load_questions(tmp_path / "nope.jsonl")


def test_evidence_may_be_a_list_and_splits_select(questions: list[Question]) -> None:
    q = parse_questions([json.dumps(GOOD | {"evidence": ["a b", "c d"], "all_answers": True})])[0]
    assert q.evidence == ("a b", "c d") and q.all_answers
    dev = select_split(questions, "dev")
    assert dev and {q.split for q in dev} == {"dev"}
    assert len(select_split(questions, "all")) == len(questions)


# The other briefings (eval/briefings/): each with its own gold questions, checked like the shipped set.

from eval.briefing_sets import BRIEFINGS_DIR, BriefingSet, find_sets, pair  # noqa: E402
from eval.judge import answer_matches  # noqa: E402

OTHER = find_sets()


def test_there_are_two_other_briefings_one_per_split() -> None:
    assert len(OTHER) >= 2
    splits = {s.name: {q.split for q in s.load()} for s in OTHER}
    assert {"dev"} in splits.values() and {"test"} in splits.values(), splits


@pytest.mark.parametrize("briefing", OTHER, ids=lambda s: s.name)
def test_other_briefing_questions_follow_the_schema(briefing: BriefingSet) -> None:
    questions = briefing.load()  # schema, unique ids and evidence in the briefing
    assert len(questions) >= 40
    assert {q.type for q in questions} == set(QUESTION_TYPES)
    assert len({q.split for q in questions}) == 1, "one split per briefing"
    unanswerable = sum(not q.answerable for q in questions) / len(questions)
    assert 0.15 <= unanswerable <= 0.3, unanswerable
    assert missing_evidence(questions, briefing.briefing.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("briefing", OTHER, ids=lambda s: s.name)
def test_other_briefing_answers_are_in_the_briefing(briefing: BriefingSet) -> None:
    """Each answerable question has a gold answer said in the briefing (every one for a list)."""
    text = briefing.briefing.read_text(encoding="utf-8")
    for q in (q for q in briefing.load() if q.answerable):
        said = [a for a in q.answers if answer_matches(text, [a])]
        assert (len(said) == len(q.answers)) if q.all_answers else said, q.id


@pytest.mark.parametrize("briefing", OTHER, ids=lambda s: s.name)
def test_other_briefing_has_the_journal_layout(briefing: BriefingSet) -> None:
    from rag.parse import parse

    doc = parse(briefing.briefing)
    entries = [b for b in doc.blocks if b.kind == "chronology"]
    assert len(entries) >= 25 and all(b.date_start and b.date_end for b in entries)
    assert len({b.section for b in doc.blocks if b.kind == "article"}) >= 5  # an introduction and titled sections
    assert 10_000 <= len(doc.source) <= 20_000


def test_other_briefing_sets_are_found_and_checked(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("Articles\nHeld in Tokyo.\n", encoding="utf-8")
    with pytest.raises(QuestionFileError, match="No questions for x.txt"):
        pair(tmp_path / "x.txt")
    with pytest.raises(QuestionFileError, match="No briefing with questions"):
        find_sets([tmp_path])
    (tmp_path / "x.jsonl").write_text(json.dumps(GOOD | {"evidence": "held in Osaka"}) + "\n", encoding="utf-8")
    (found,) = find_sets([tmp_path])
    assert found.name == "x" and BRIEFINGS_DIR.is_dir()
    with pytest.raises(QuestionFileError, match="evidence is not in x.txt"):
        found.load()
