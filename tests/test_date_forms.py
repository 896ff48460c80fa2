"""Dates as people write them (rag/dates.py, rag/periods.py): months as whole words only, numeric dates,
ordinal days, and date-like phrases that name no day, which are said, never silently dropped."""

from __future__ import annotations

from datetime import date

import pytest

from rag.dates import DATE_MENTION, DateRange, month_number
from rag.periods import DateInterpreter
from rag.question import analyze


@pytest.fixture(scope="module")
def di() -> DateInterpreter:
    # A small corpus of our own: entries from March to May 2024.
    return DateInterpreter.for_dates([date(2024, 3, 28), date(2024, 4, 9), date(2024, 5, 15)])


@pytest.mark.parametrize(
    "question",
    [
        "What did the central bank decide?",  # dec-ide
        "Which decisions did the council take?",  # dec-isions
        "Who joined the octet?",  # oct-et
        "Was the marching band there?",  # mar-ching
        "Did the novelist attend?",  # nov-elist
        "What did the augmented team do?",  # aug-mented
        "Who was the junior minister?",  # jun-ior
        "Which septic tanks failed?",  # sep-tic
    ],
)
def test_words_that_start_like_a_month_name_no_period(di: DateInterpreter, question: str) -> None:
    assert di.interpret(question) is None
    assert analyze(question, dates=di).period is None


def test_month_spellings_still_read_as_whole_words(di: DateInterpreter) -> None:
    for question, month in [("What happened in Dec.?", 12), ("What happened in dec?", 12), ("And in Sept.?", 9),
                            ("What happened in April 2024?", 4), ("Any news in mar 2024?", 3)]:
        period = di.interpret(question)
        assert period is not None and period.start.month == month, question
    assert [m.group(0) for m in DATE_MENTION.finditer("decided in Dec. 2024 by the octet")] == ["Dec.", "2024"]
    assert month_number("Sept.") == 9 and month_number("decide") is None


@pytest.mark.parametrize(
    ("question", "day", "phrase"),
    [
        ("What happened on 4/9/2024?", date(2024, 4, 9), "4/9/2024"),
        ("What happened on 04/09/2024?", date(2024, 4, 9), "04/09/2024"),
        ("What happened on 4/9/24?", date(2024, 4, 9), "4/9/24"),
        ("What happened on 4/9?", date(2024, 4, 9), "4/9"),
        ("What happened on 2024-04-09?", date(2024, 4, 9), "2024-04-09"),
        ("What happened on 2024/4/9?", date(2024, 4, 9), "2024/4/9"),
        ("What happened on 9 April 2024?", date(2024, 4, 9), "9 April 2024"),
        ("What happened on April 9th?", date(2024, 4, 9), "April 9th"),
        ("What happened on April 9th, 2024?", date(2024, 4, 9), "April 9th, 2024"),
        ("What happened on the 9th of April?", date(2024, 4, 9), "9th of April"),
        ("Who met on 28 March?", date(2024, 3, 28), "28 March"),
    ],
)
def test_numeric_and_ordinal_dates_name_their_day(di: DateInterpreter, question: str, day: date, phrase: str) -> None:
    period = di.interpret(question)
    assert period is not None
    assert (period.start, period.end, period.relation, period.phrase) == (day, day, "on", phrase)
    assert di.unread(question) == ()


def test_slashed_dates_are_month_first_and_read_as_says_so(di: DateInterpreter) -> None:
    period = di.interpret("What happened on 4/9/2024?")
    assert period is not None and period.reading == "month first"
    assert period.reading_note() == "4/9/2024 read as April 9, 2024 (month first)"
    q = analyze("What happened on 4/9/2024?", dates=di)
    assert "period: 4/9/2024 read as April 9, 2024 (month first)" in q.read_as()
    # The first number is no month: day first, and said so.
    late = di.interpret("What happened on 13/4/2024?")
    assert late is not None and late.start == date(2024, 4, 13)
    assert late.reading_note() == "13/4/2024 read as April 13, 2024 (day first: there is no month 13)"
    # Year-first dates are never in doubt.
    iso = di.interpret("What happened on 2024-04-09?")
    assert iso is not None and iso.reading == "" and iso.reading_note() == ""


def test_numeric_dates_anchor_open_periods(di: DateInterpreter) -> None:
    period = di.interpret("What happened after 4/9/2024?")
    assert period is not None and period.relation == "after" and period.start == date(2024, 4, 10)
    before = di.interpret("What happened before 2024-04-09?")
    assert before is not None and before.end == date(2024, 4, 8)


def test_a_fraction_is_no_date(di: DateInterpreter) -> None:
    assert di.interpret("Did 2/3 of the members agree?") is None
    assert di.unread("Did 2/3 of the members agree?") == ()


@pytest.mark.parametrize(
    ("question", "why"),
    [
        ("What happened on 13/45/2024?", "“13/45/2024” (neither 13 nor 45 is a month)"),
        ("What happened on 2024-13-01?", "“2024-13-01” (there is no month 13)"),
        ("What happened on 2/30/2024?", "“2/30/2024” (February has no day 30)"),
        ("What happened on Feb. 30?", "“Feb. 30” (February has no day 30)"),
        ("What happened on 31 April?", "“31 April” (April has no day 31)"),
        ("What happened on the 32nd?", "“the 32nd” (no month has a day 32)"),
        ("Who met Okafor on the 9th?", "“the 9th” (it names no month)"),
    ],
)
def test_dates_that_name_no_day_are_said(di: DateInterpreter, question: str, why: str) -> None:
    assert di.interpret(question) is None
    assert di.unread(question) == (why,)
    q = analyze(question, dates=di)
    assert q.unread_dates == (why,) and f"not read as a date: {why}" in q.read_as()
    assert q.to_dict()["unread_dates"] == [why]


def test_the_second_annual_meeting_is_no_unread_date(di: DateInterpreter) -> None:
    assert di.unread("Who attended the 2nd annual dialogue in April?") == ()


def test_reading_survives_dataclass_defaults() -> None:
    plain = DateRange(date(2024, 4, 9), date(2024, 4, 9), "April 9", "on")
    assert plain.reading == "" and plain.label() == "April 9, 2024"


@pytest.mark.parametrize(
    ("question", "shown"),
    [
        ("What happened in in April?", "What happened in April?"),
        ("Who met the the minister on on 4/9/2024?", "Who met the minister on 4/9/2024?"),
    ],
)
def test_read_as_carries_no_doubled_words(di: DateInterpreter, question: str, shown: str) -> None:
    q = analyze(question, dates=di)
    assert q.text == shown and q.read_as().startswith(shown)
