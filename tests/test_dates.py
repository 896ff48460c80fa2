from datetime import date

import pytest

from rag.dates import DateInterpreter, parse_entry_date


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("Sept. 1, 2023", date(2023, 9, 1), date(2023, 9, 1)),
        ("Sep. 5, 2023", date(2023, 9, 5), date(2023, 9, 5)),
        ("Oct. 16-18, 2023", date(2023, 10, 16), date(2023, 10, 18)),
        ("Dec. 5-7, 2023", date(2023, 12, 5), date(2023, 12, 7)),
        ("Nov. 30-Dec. 2, 2023", date(2023, 11, 30), date(2023, 12, 2)),
        ("Dec. 30, 2023-Jan. 2, 2024", date(2023, 12, 30), date(2024, 1, 2)),
        ("Jan. 9, 2024", date(2024, 1, 9), date(2024, 1, 9)),
        ("Feb. 29, 2024", date(2024, 2, 29), date(2024, 2, 29)),
        ("March 3, 2024", date(2024, 3, 3), date(2024, 3, 3)),
        ("April 12, 2024", date(2024, 4, 12), date(2024, 4, 12)),
        ("May 1, 2024", date(2024, 5, 1), date(2024, 5, 1)),
        ("June 7–9, 2022", date(2022, 6, 7), date(2022, 6, 9)),
        ("July 4, 2022", date(2022, 7, 4), date(2022, 7, 4)),
        ("Aug. 18, 2023", date(2023, 8, 18), date(2023, 8, 18)),
    ],
)
def test_every_entry_date_form(text: str, start: date, end: date) -> None:
    assert parse_entry_date(text) == (start, end)


@pytest.mark.parametrize("text", ["Feb. 30, 2023", "Dec. 7-5, 2023", "Smarch 3, 2023", "Oct. 4"])
def test_impossible_or_partial_dates_are_not_entries(text: str) -> None:
    assert parse_entry_date(text) is None


@pytest.mark.parametrize(
    ("question", "start", "end"),
    [
        ("What happened on Oct. 4?", date(2023, 10, 4), date(2023, 10, 4)),
        ("What happened on October 17?", date(2023, 10, 17), date(2023, 10, 17)),
        ("What happened between Dec. 5 and Dec. 7?", date(2023, 12, 5), date(2023, 12, 7)),
        ("What happened from Nov. 30 to Dec. 2?", date(2023, 11, 30), date(2023, 12, 2)),
        ("Events of Dec. 5-7?", date(2023, 12, 5), date(2023, 12, 7)),
        ("What happened in November?", date(2023, 11, 1), date(2023, 11, 30)),
        ("What happened in early December?", date(2023, 12, 1), date(2023, 12, 10)),
        ("Anything in mid-November?", date(2023, 11, 11), date(2023, 11, 20)),
        ("What happened in late September?", date(2023, 9, 21), date(2023, 9, 30)),
        ("What happened in September 2023?", date(2023, 9, 1), date(2023, 9, 30)),
        ("Who met on 4 October?", date(2023, 10, 4), date(2023, 10, 4)),
    ],
)
def test_question_periods(question: str, start: date, end: date) -> None:
    interpreter = DateInterpreter.for_dates([date(2023, 9, 1), date(2023, 12, 22)])
    period = interpreter.interpret(question)
    assert period is not None
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize("question", ["Who may attend?", "What did Kishida say?", "Events of Feb. 30?", ""])
def test_questions_without_a_period(question: str) -> None:
    assert DateInterpreter(years=[2023]).interpret(question) is None


def test_year_follows_the_corpus() -> None:
    interpreter = DateInterpreter.for_dates([date(2023, 12, 1), date(2024, 1, 15)])
    assert interpreter.interpret("What happened on Jan. 3?").start == date(2024, 1, 3)
    assert interpreter.interpret("What happened on Dec. 3?").start == date(2023, 12, 3)
