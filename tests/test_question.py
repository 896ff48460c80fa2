"""Question analysis (rag/question.py, rag/answer_type.py): types, focus, constraints and the words an answer needs."""

from __future__ import annotations

from datetime import date

import pytest

from rag.answer_type import classify
from rag.periods import DateInterpreter
from rag.question import analyze, resolve_follow_up


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Who chaired the meeting in Geneva?", "person"),
        ("Whom did the envoy call on Tuesday?", "person"),
        ("Which minister signed the accord?", "person"),
        ("Where was the summit held?", "place"),
        ("In which city did the talks take place?", "place"),
        ("Which company supplies the radars?", "organization"),
        ("Which party won the vote?", "organization"),
        ("When did the ministers meet?", "date"),
        ("On what date was the treaty signed?", "date"),
        ("In which year was the base scheduled to open?", "date"),
        ("How many sailors were rescued?", "number"),
        ("How much did the program cost?", "money"),
        ("What percentage of voters approved?", "percent"),
        ("How long did the talks last?", "duration"),
        ("Why did the minister resign?", "reason"),
        ("What did the two leaders agree on?", "description"),
    ],
)
def test_answer_type_from_the_question_word_and_head_noun(question: str, expected: str) -> None:
    assert classify(question)[0] == expected


def test_the_first_noun_naming_a_kind_is_the_head() -> None:
    answer_type, _, focus = classify("Which Japanese foreign ministers spoke with the envoy?")
    assert answer_type == "person" and focus == "Japanese foreign ministers"


def test_a_definition_keeps_its_focus_words_and_kind_words_are_not_predicate() -> None:
    q = analyze("What is Canada's inflation rate?")
    assert q.answer_type == "description" and q.focus_terms == {"inflat", "rate"}
    q = analyze("Which company builds the frigates?")
    assert q.answer_type == "organization" and q.predicate == {"build", "frigat"}  # not "compani"


def test_units_and_roles_become_constraints() -> None:
    q = analyze("How much did the ministry spend in yen?")
    assert q.answer_type == "money" and q.units == ("yen",)
    q = analyze("Who was Korea's special envoy when the talks began?")
    assert q.role == "Korea's special envoy" and {"korea", "special", "envoy"} <= q.role_terms
    assert q.constraints == ("Korea's special envoy",)


def test_names_in_the_question_and_the_period_are_read_once() -> None:
    dates = DateInterpreter.for_dates([date(2023, 9, 1), date(2023, 12, 31)])
    q = analyze("Where did Kishida meet Yoon on Nov. 17?", dates=dates)
    assert "Kishida" in " ".join(q.names) and q.period is not None and q.period.start == date(2023, 11, 17)
    assert "period" in q.read_as() and q.to_dict()["answer_type"] == "place"


def test_follow_up_is_resolved_and_recorded() -> None:
    q = analyze("And in December?", previous="What did the Quad do in November?")
    assert q.text == "What did the Quad do in December?" and q.follows == "What did the Quad do in November?"
    assert resolve_follow_up("Tell me more", "What happened?", None) == "Tell me more"
