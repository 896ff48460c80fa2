"""The periods questions name (rag/periods.py): dates, open and relative periods, event anchors, first/last."""

from __future__ import annotations

from datetime import date

import pytest

from rag.anchors import Anchor, anchored_period, find_anchor, ordinal_request
from rag.dates import DateRange
from rag.periods import DateInterpreter

# The shipped briefing's chronology runs from Sept. 1 to Dec. 22, 2023; these tests use a corpus whose dates
# span the whole of September to December.
FIRST, LAST = date(2023, 9, 1), date(2023, 12, 31)


@pytest.fixture(scope="module")
def di() -> DateInterpreter:
    return DateInterpreter.for_dates([FIRST, date(2023, 10, 16), date(2023, 11, 30), LAST])


def d(month: int, day: int, year: int = 2023) -> date:
    return date(year, month, day)


# --------------------------------------------------------------------------------------- open periods from a date


@pytest.mark.parametrize(
    ("question", "start", "end", "relation", "phrase"),
    [
        ("What happened after Oct. 20?", d(10, 21), LAST, "after", "after Oct. 20"),
        ("Which meetings took place after 20 October?", d(10, 21), LAST, "after", "after 20 October"),
        ("What has happened since Oct. 20?", d(10, 20), LAST, "since", "since Oct. 20"),
        ("List the events before Nov. 5.", FIRST, d(11, 4), "before", "before Nov. 5"),
        ("What happened until Nov. 5?", FIRST, d(11, 5), "until", "until Nov. 5"),
        ("What happened till Nov. 5?", FIRST, d(11, 5), "until", "till Nov. 5"),
        ("What had Kamikawa done by Nov. 5?", FIRST, d(11, 5), "until", "by Nov. 5"),
        ("What happened after October?", d(11, 1), LAST, "after", "after October"),
        ("Since November, whom did Kishida meet?", d(11, 1), LAST, "since", "Since November"),
        ("Who visited Tokyo before December?", FIRST, d(11, 30), "before", "before December"),
        ("What happened after the end of October?", d(11, 1), LAST, "after", "after the end of October"),
        ("Any meetings after the first week of November?", d(11, 8), LAST, "after", "after the first week of November"),
        ("What happened after Oct. 20, 2023?", d(10, 21), LAST, "after", "after Oct. 20, 2023"),
        ("After Oct. 20, who called Kamikawa?", d(10, 21), LAST, "after", "After Oct. 20"),
        ("What happened after Sept. 30 in Tokyo?", d(10, 1), LAST, "after", "after Sept. 30"),
        ("Which entries come before 2024?", FIRST, LAST, "before", "before 2024"),
    ],
)
def test_open_periods_run_to_the_ends_of_the_corpus(
    di: DateInterpreter, question: str, start: date, end: date, relation: str, phrase: str
) -> None:
    period = di.interpret(question)
    assert period is not None
    assert (period.start, period.end, period.relation, period.phrase) == (start, end, relation, phrase)
    assert period.phrase in question and period.reference is not None


def test_open_periods_are_clipped_to_the_corpus(di: DateInterpreter) -> None:
    since = di.interpret("What happened since Aug. 1?")
    assert since is not None and (since.start, since.end) == (FIRST, LAST)
    until = di.interpret("What happened until Jan. 15, 2024?")
    assert until is not None and (until.start, until.end) == (FIRST, LAST)


def test_an_open_period_outside_the_corpus_is_the_day_next_to_it(di: DateInterpreter) -> None:
    # Nothing is listed then; the period stays a valid range so the answer can say so.
    after = di.interpret("What happened after Dec. 31?")
    assert after is not None and (after.start, after.end) == (d(1, 1, 2024), d(1, 1, 2024))
    before = di.interpret("What happened before Aug. 1?")
    assert before is not None and (before.start, before.end) == (d(7, 31), d(7, 31))


def test_corpus_span_comes_from_its_dates() -> None:
    shipped = DateInterpreter.for_dates([d(9, 1), d(10, 16), d(10, 18), d(12, 22)])
    assert (shipped.corpus_start, shipped.corpus_end) == (d(9, 1), d(12, 22))
    period = shipped.interpret("What happened after Dec. 20?")
    assert period is not None and (period.start, period.end) == (d(12, 21), d(12, 22))
    bare = DateInterpreter(years=[2023])
    assert (bare.corpus_start, bare.corpus_end) == (d(1, 1), d(12, 31))


@pytest.mark.parametrize(
    ("question", "start", "end", "phrase"),
    [
        ("Whom did Kamikawa see in Tokyo in late October, after Oct. 20?", d(10, 21), d(10, 31),
         "late October, after Oct. 20"),
        ("What happened in November after Nov. 20?", d(11, 21), d(11, 30), "in November after Nov. 20"),
        ("What happened after Oct. 20 and before Nov. 5?", d(10, 21), d(11, 4), "after Oct. 20 and before Nov. 5"),
        ("What happened since Nov. 10 but before Nov. 14?", d(11, 10), d(11, 13), "since Nov. 10 but before Nov. 14"),
    ],
)
def test_an_open_period_is_narrowed_by_another_period(
    di: DateInterpreter, question: str, start: date, end: date, phrase: str
) -> None:
    period = di.interpret(question)
    assert period is not None and (period.start, period.end, period.phrase) == (start, end, phrase)


# ------------------------------------------------------------------------------- relative periods of a set length


@pytest.mark.parametrize(
    ("question", "start", "end"),
    [
        ("What happened the day after Nov. 16?", d(11, 17), d(11, 17)),
        ("What happened the day before Nov. 16?", d(11, 15), d(11, 15)),
        ("What happened the week before Nov. 16?", d(11, 9), d(11, 15)),
        ("What happened the week after Oct. 16-18?", d(10, 19), d(10, 25)),
        ("What happened two weeks after Nov. 16?", d(11, 17), d(11, 30)),
        ("What happened 3 days after Nov. 29?", d(11, 30), d(12, 2)),
        ("Any calls ten days before Dec. 20?", d(12, 10), d(12, 19)),
        ("What happened a week before Oct. 5?", d(9, 28), d(10, 4)),
        ("What happened in the days after Nov. 29?", d(11, 30), d(12, 6)),
        ("Who met shortly before Sept. 18?", d(9, 11), d(9, 17)),
    ],
)
def test_relative_periods_of_a_set_length(di: DateInterpreter, question: str, start: date, end: date) -> None:
    period = di.interpret(question)
    assert period is not None and (period.start, period.end) == (start, end)
    assert period.relation in ("after", "before")


def test_a_zero_length_offset_is_no_period(di: DateInterpreter) -> None:
    period = di.interpret("What happened 0 days after Nov. 16?")
    assert period is None or period.start <= period.end


# ------------------------------------------------------------------------------------- named parts of a month


@pytest.mark.parametrize(
    ("question", "start", "end"),
    [
        ("Who met in the last week of October?", d(10, 25), d(10, 31)),
        ("What happened in the final week of November?", d(11, 24), d(11, 30)),
        ("What happened during the first week of November?", d(11, 1), d(11, 7)),
        ("What happened in the second week of December?", d(12, 8), d(12, 14)),
        ("What happened in the third week of September?", d(9, 15), d(9, 21)),
        ("Which talks were held in the first half of November?", d(11, 1), d(11, 15)),
        ("Which talks were held in the second half of September?", d(9, 16), d(9, 30)),
        ("What happened in mid-December?", d(12, 11), d(12, 20)),
        ("What happened in the middle of October?", d(10, 11), d(10, 20)),
        ("Anything in early Nov.?", d(11, 1), d(11, 10)),
        ("What happened in late Sept. 2023?", d(9, 21), d(9, 30)),
        ("What happened at the end of November?", d(11, 21), d(11, 30)),
        ("What happened between Oct. 25 and Oct. 30?", d(10, 25), d(10, 30)),
    ],
)
def test_parts_of_a_month(di: DateInterpreter, question: str, start: date, end: date) -> None:
    period = di.interpret(question)
    assert period is not None and (period.start, period.end) == (start, end)
    assert period.relation in ("in", "between") and period.phrase in question


@pytest.mark.parametrize(
    "question",
    [
        "What happened the day after Biden and Kishida met in San Francisco?",
        "What happened after the Nov. 29 crash?",  # an event, dated or not, is retrieval's to find
        "Who may attend the Quad meeting?",
        "What was the first Quad meeting about?",
    ],
)
def test_questions_without_a_date_period(di: DateInterpreter, question: str) -> None:
    assert di.interpret(question) is None


def test_dates_that_are_not_part_of_a_relative_phrase_are_still_read(di: DateInterpreter) -> None:
    period = di.interpret("What was signed by Kobayashi on Dec. 6?")
    assert period is not None and (period.start, period.relation, period.phrase) == (d(12, 6), "on", "Dec. 6")


# ------------------------------------------------------------------------------------------------------ labels


@pytest.mark.parametrize(
    ("question", "label"),
    [
        ("What happened after Oct. 20?", "after Oct. 20, 2023 (Oct. 21-Dec. 31, 2023)"),
        ("What happened since Oct. 20?", "since Oct. 20, 2023 (Oct. 20-Dec. 31, 2023)"),
        ("What happened by Nov. 5?", "by Nov. 5, 2023 (Sept. 1-Nov. 5, 2023)"),
        ("After October, who met Blinken?", "after October 2023 (Nov. 1-Dec. 31, 2023)"),
        ("What happened till the end of October?", "till the end of October (Sept. 1-Oct. 31, 2023)"),
        ("What happened the week before Nov. 16?", "the week before Nov. 16, 2023 (Nov. 9-15, 2023)"),
        ("Who met in the last week of October?", "the last week of October (Oct. 25-31, 2023)"),
        ("What happened in mid-December?", "mid-December (Dec. 11-20, 2023)"),
        ("What happened in November?", "November 2023"),
        ("What happened on Oct. 4?", "Oct. 4, 2023"),
        ("What happened from Nov. 30 to Dec. 2?", "Nov. 30-Dec. 2, 2023"),
    ],
)
def test_labels_read_like_the_journal(di: DateInterpreter, question: str, label: str) -> None:
    period = di.interpret(question)
    assert period is not None and period.label() == label


# ----------------------------------------------------------------------------------------------- event anchors


@pytest.mark.parametrize(
    ("question", "relation", "offset", "event", "phrase"),
    [
        ("What happened the day after Biden and Kishida met in San Francisco?", "after", 1,
         "Biden and Kishida met in San Francisco", "the day after Biden and Kishida met in San Francisco"),
        ("Who met the day before the Osprey crash?", "before", 1, "the Osprey crash",
         "the day before the Osprey crash"),
        ("What did Kamikawa do the week before the APEC summit?", "before", 7, "the APEC summit",
         "the week before the APEC summit"),
        ("What happened two weeks after the Extended Deterrence Dialogue?", "after", 14,
         "the Extended Deterrence Dialogue", "two weeks after the Extended Deterrence Dialogue"),
        ("Which calls came in the days after the joint statement on arms transfers?", "after", 7,
         "the joint statement on arms transfers", "in the days after the joint statement on arms transfers"),
        ("Whom did Kishida meet before the APEC summit?", "before", None, "the APEC summit",
         "before the APEC summit"),
        ("After the Osprey crash, whom did Kamikawa meet?", "after", None, "the Osprey crash", "After the Osprey crash"),
        ("What happened 3 days after the Quad cyber meeting?", "after", 3, "the Quad cyber meeting",
         "3 days after the Quad cyber meeting"),
        ("What happened five days before Kishida's UN address?", "before", 5, "Kishida's UN address",
         "five days before Kishida's UN address"),
        ("What happened a week after Blinken's Tokyo visit, and where?", "after", 7, "Blinken's Tokyo visit",
         "a week after Blinken's Tokyo visit"),
        ("What happened after the Nov. 29 crash?", "after", None, "the Nov. 29 crash", "after the Nov. 29 crash"),
        ("What happened since the Economic 2+2?", "after", None, "the Economic 2+2", "since the Economic 2+2"),
        ("Who met prior to the G7 Foreign Ministers' Meeting?", "before", None,
         "the G7 Foreign Ministers' Meeting", "prior to the G7 Foreign Ministers' Meeting"),
        ("What happened in the weeks before the APEC Leaders' Week?", "before", 28, "the APEC Leaders' Week",
         "in the weeks before the APEC Leaders' Week"),
    ],
)
def test_find_anchor(question: str, relation: str, offset: int | None, event: str, phrase: str) -> None:
    assert find_anchor(question) == Anchor(relation, offset, event, phrase)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "question",
    [
        "What happened after Oct. 20?",
        "What happened the day after Nov. 16?",
        "What happened after October?",
        "What happened before the end of November?",
        "Who met after the first week of November?",
        "What happened after Oct. 20 in Tokyo?",
        "What happened after Oct. 20, 2023?",
        "What happened after that?",
        "Was the memorandum signed by Allen?",  # "by" names a date only
        "Which group is named after the Quad?",
        "Did anything happen after all?",
        "Who met Blinken in New York?",
        "",
    ],
)
def test_no_event_anchor(question: str) -> None:
    assert find_anchor(question) is None


@pytest.mark.parametrize(
    ("question", "event", "start", "end"),
    [
        ("What happened the day after Biden and Kishida met in San Francisco?", (d(11, 16), d(11, 16)),
         d(11, 17), d(11, 17)),
        ("What happened the day before Biden and Kishida met in San Francisco?", (d(11, 16), d(11, 16)),
         d(11, 15), d(11, 15)),
        ("What happened the week before Biden and Kishida met?", (d(11, 16), d(11, 16)), d(11, 9), d(11, 15)),
        ("What happened two weeks after the APEC Leaders' Week?", (d(11, 11), d(11, 17)), d(11, 18), d(12, 1)),
        ("What happened the week before the APEC Leaders' Week?", (d(11, 11), d(11, 17)), d(11, 4), d(11, 10)),
        ("What happened after the APEC Leaders' Week?", (d(11, 11), d(11, 17)), d(11, 18), LAST),
        ("What happened before the APEC Leaders' Week?", (d(11, 11), d(11, 17)), FIRST, d(11, 10)),
        ("What happened after the Quad counterterrorism meeting?", (LAST, LAST), d(1, 1, 2024), d(1, 1, 2024)),
    ],
)
def test_anchored_period(question: str, event: tuple[date, date], start: date, end: date) -> None:
    anchor = find_anchor(question)
    assert anchor is not None
    period = anchored_period(anchor, event[0], event[1], FIRST, LAST)
    assert (period.start, period.end) == (start, end)
    assert period.relation == anchor.relation and period.phrase == anchor.phrase
    assert period.reference == DateRange(event[0], event[1], anchor.event, "event")


def test_anchored_label_names_the_event_and_its_dates() -> None:
    anchor = find_anchor("What happened the day after Biden and Kishida met in San Francisco?")
    assert anchor is not None
    period = anchored_period(anchor, d(11, 16), d(11, 16), FIRST, LAST)
    assert period.label() == "Nov. 17, 2023, the day after ‘Biden and Kishida met in San Francisco’ (Nov. 16, 2023)"
    anchor = find_anchor("Whom did Kamikawa meet after the APEC Leaders' Week?")
    assert anchor is not None
    period = anchored_period(anchor, d(11, 11), d(11, 17), FIRST, d(12, 22))
    assert period.label() == "Nov. 18-Dec. 22, 2023, after ‘the APEC Leaders' Week’ (Nov. 11-17, 2023)"


def test_anchored_period_refuses_an_event_that_ends_before_it_starts() -> None:
    anchor = Anchor("after", 1, "the summit", "the day after the summit")
    with pytest.raises(ValueError, match="pass its start first"):
        anchored_period(anchor, d(11, 17), d(11, 11), FIRST, LAST)


# ------------------------------------------------------------------------------------------------- first and last


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("When did Kamikawa first meet Blinken?", "first"),
        ("When did Kamikawa meet Blinken for the first time?", "first"),
        ("What was the earliest meeting with Admiral Aquilino?", "first"),
        ("What was initially planned for the relocation?", "first"),
        ("First, who met Blinken?", "first"),
        ("Which event came last in September?", "last"),
        ("Which entry comes last?", "last"),
        ("What is the latest entry about North Korea?", "last"),
        ("Whom did Kishida meet most recently?", "last"),
        ("What was the final event of the chronology?", "last"),
        ("Who met in the first half of November?", None),
        ("Who met Blinken in the first week of November?", None),
        ("What happened in the last week of October?", None),
        ("What happened in the last days of October?", None),
        ("What did the First Lady do?", None),
        ("When was the First Japan-US-Korea Trilateral Diplomacy Working Group held?", None),
        ("How long did the Extended Deterrence Dialogue last?", None),
        ("What happened last year?", None),
        ("At first, who objected?", None),
        ("Who met Blinken in New York?", None),
    ],
)
def test_ordinal_request(question: str, expected: str | None) -> None:
    assert ordinal_request(question) == expected
