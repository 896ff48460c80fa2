from datetime import date

import pytest

from rag.dates import (
    DATE_MENTION,
    JOURNAL_MONTHS,
    MONTH_WORDS,
    DateRange,
    format_day,
    format_range,
    month_number,
    parse_entry_date,
)
from rag.periods import DateInterpreter


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
        ("Which events fell between Dec. 5 and Dec. 7?", date(2023, 12, 5), date(2023, 12, 7)),
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
    january, december = interpreter.interpret("What happened on Jan. 3?"), interpreter.interpret("What happened on Dec. 3?")
    assert january is not None and january.start == date(2024, 1, 3)
    assert december is not None and december.start == date(2023, 12, 3)


# ------------------------------------------------------------------------------------------------- vocabulary

EVERY_SPELLING = [
    ("Jan.", 1), ("January", 1), ("Feb.", 2), ("February", 2), ("March", 3), ("Mar.", 3), ("April", 4), ("Apr", 4),
    ("May", 5), ("June", 6), ("Jun.", 6), ("July", 7), ("Jul", 7), ("Aug.", 8), ("August", 8), ("Sept.", 9),
    ("Sep.", 9), ("September", 9), ("Oct.", 10), ("October", 10), ("Nov.", 11), ("november", 11), ("Dec.", 12),
    ("DECEMBER", 12),
]


@pytest.mark.parametrize(("name", "number"), EVERY_SPELLING)
def test_every_month_spelling(name: str, number: int) -> None:
    assert month_number(name) == number
    assert name.lower().rstrip(".") in MONTH_WORDS
    assert DATE_MENTION.search(f"What happened in {name}?")


@pytest.mark.parametrize("word", ["early", "mid", "middle", "late", "end", "beginning"])
def test_period_words_are_month_words(word: str) -> None:
    assert word in MONTH_WORDS


@pytest.mark.parametrize("word", ["kishida", "quad", "met", "2023", "week", "first"])
def test_other_words_are_not_month_words(word: str) -> None:
    assert word not in MONTH_WORDS


def test_month_words_are_lower_case_and_frozen() -> None:
    assert isinstance(MONTH_WORDS, frozenset) and all(w == w.lower() for w in MONTH_WORDS)


@pytest.mark.parametrize(
    "text", ["Nov. 29", "in 2023", "the 1999 agreement", "the Sept. 22 Quad meeting", "in early december", "by 2035"]
)
def test_date_mentions(text: str) -> None:
    assert DATE_MENTION.search(text)


@pytest.mark.parametrize("text", ["Kishida met Blinken", "the 60th conference", "14 aircraft", "3000 troops", "Decembrist"])
def test_not_date_mentions(text: str) -> None:
    assert not DATE_MENTION.search(text)


def test_journal_months_are_what_format_day_writes() -> None:
    assert len(JOURNAL_MONTHS) == 12
    for number, name in enumerate(JOURNAL_MONTHS, start=1):
        assert format_day(date(2023, number, 5)) == f"{name} 5, 2023"
        assert month_number(name) == number
        assert parse_entry_date(f"{name} 5, 2023") == (date(2023, number, 5), date(2023, number, 5))


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [
        ("2023-09-01", "2023-09-01", "Sept. 1, 2023"),
        ("2023-12-05", "2023-12-07", "Dec. 5-7, 2023"),
        ("2023-11-30", "2023-12-02", "Nov. 30-Dec. 2, 2023"),
        ("2023-12-30", "2024-01-02", "Dec. 30, 2023-Jan. 2, 2024"),
    ],
)
def test_format_range(start: str, end: str, text: str) -> None:
    assert format_range(start, end) == text


# ---------------------------------------------------------------------------------------------------- DateRange


def test_date_range_keeps_its_old_fields_and_defaults() -> None:
    period = DateRange(date(2023, 12, 5), date(2023, 12, 7), "Dec. 5-7")
    assert (period.relation, period.reference) == ("in", None)
    assert period.describe() == "2023-12-05 to 2023-12-07"
    assert period.overlaps(date(2023, 12, 7), date(2023, 12, 9)) and not period.overlaps(date(2023, 12, 8), date(2023, 12, 9))
    assert DateRange(date(2023, 10, 4), date(2023, 10, 4)).describe() == "2023-10-04"


@pytest.mark.parametrize(
    ("period", "label"),
    [
        (DateRange(date(2023, 10, 4), date(2023, 10, 4), "Oct. 4", "on"), "Oct. 4, 2023"),
        (DateRange(date(2023, 12, 5), date(2023, 12, 7), "between Dec. 5 and Dec. 7", "between"), "Dec. 5-7, 2023"),
        (DateRange(date(2023, 11, 1), date(2023, 11, 30), "in November"), "November 2023"),
        (DateRange(date(2023, 12, 1), date(2023, 12, 10), "In early December"), "early December (Dec. 1-10, 2023)"),
        (DateRange(date(2023, 12, 1), date(2023, 12, 10)), "Dec. 1-10, 2023"),
        (
            DateRange(date(2023, 10, 21), date(2023, 12, 31), "after Oct. 20", "after",
                      DateRange(date(2023, 10, 20), date(2023, 10, 20), "Oct. 20", "on")),
            "after Oct. 20, 2023 (Oct. 21-Dec. 31, 2023)",
        ),
        (
            DateRange(date(2023, 11, 17), date(2023, 11, 17), "the day after the summit", "after",
                      DateRange(date(2023, 11, 16), date(2023, 11, 16), "the summit", "event")),
            "Nov. 17, 2023, the day after ‘the summit’ (Nov. 16, 2023)",
        ),
    ],
)
def test_date_range_label(period: DateRange, label: str) -> None:
    assert period.label() == label


