"""Chronology answers (rag/timeline.py): open and anchored periods, first/last, topic lists, counts, empty days."""

from __future__ import annotations

import re

import pytest

from rag import Assistant, Index
from rag.chronology import Chronology
from rag.question import analyze
from rag.schema import Answer


def check_citations(answer: Answer, index: Index) -> None:
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
    assert markers == {c.n for c in answer.citations}
    for c in answer.citations:
        p = c.passage
        assert index.source(p.doc)[p.char_start : p.char_end] == p.text
        assert p.char_start <= c.highlight_start < c.highlight_end <= p.char_end


def listed(answer: Answer) -> list[str]:
    return [line for line in answer.text.splitlines() if line.startswith("- ")]


def test_open_period_lists_every_entry_after_the_date_in_order(assistant: Assistant, briefing_index: Index) -> None:
    answer = assistant.answer("What happened after Oct. 20?")
    expected = [p for p in Chronology(briefing_index).entries if (p.date_start or "") >= "2023-10-21"]
    assert answer.kind == "timeline" and [i.text for i in answer.items] == [p.text for p in expected]
    assert answer.text.startswith(f"{len(expected)} entries in the chronology after Oct. 20, 2023 (Oct. 21-")
    check_citations(answer, briefing_index)


def test_event_anchored_period_answers_the_next_day_and_cites_the_anchor(
    assistant: Assistant, briefing_index: Index
) -> None:
    answer = assistant.answer("What happened the day after Biden and Kishida met in San Francisco?")
    assert answer.kind == "timeline"
    first = answer.text.splitlines()[0]
    assert first == ("Read as: Nov. 17, 2023, the day after ‘Biden and Kishida meet in San Francisco’ "
                     "(Nov. 16, 2023) [1]")
    assert first in answer.notes
    assert answer.citations[0].passage.date_start == "2023-11-16"
    assert [i.label for i in answer.items] == ["Nov. 17, 2023"] and "Stanford" in answer.items[0].text
    assert answer.analysis is not None and answer.analysis.period is not None
    assert answer.analysis.period.describe() == "2023-11-17"
    assert "Nov. 17, 2023, the day after" in answer.interpreted
    check_citations(answer, briefing_index)


def test_ambiguous_anchor_names_both_events(assistant: Assistant, briefing_index: Index) -> None:
    answer = assistant.answer("What happened the day after Kamikawa met Blinken?")
    assert answer.abstained and answer.kind == "abstain" and "could be either" in answer.text
    assert {c.passage.date_start for c in answer.citations} == {"2023-09-18", "2023-11-07"}
    check_citations(answer, briefing_index)


def test_an_event_the_chronology_lacks_is_said_not_guessed(assistant: Assistant, briefing_index: Index) -> None:
    answer = assistant.answer("What happened the day after the Smithsonian gala?")
    assert answer.abstained and "no entry that matches ‘the Smithsonian gala’" in answer.text
    check_citations(answer, briefing_index)


@pytest.mark.parametrize(
    ("question", "short", "date"),
    [
        ("When did Kamikawa first meet Blinken in person?", "Sept. 18, 2023", "2023-09-18"),
        ("When did Tai and Kamikawa first talk?", "Oct. 5, 2023", "2023-10-05"),
        ("Which event came last in September?", None, "2023-09-27"),
    ],
)
def test_first_and_last(assistant: Assistant, briefing_index: Index, question: str, short: str | None,
                        date: str) -> None:
    answer = assistant.answer(question)
    assert not answer.abstained and answer.short_answer == short
    assert {c.passage.date_start for c in answer.citations} == {date}
    check_citations(answer, briefing_index)


def test_first_does_not_take_over_questions_about_the_article(assistant: Assistant) -> None:
    answer = assistant.answer("When did the US first introduce its semiconductor export control rules?")
    assert "October 2022" in answer.text


@pytest.mark.parametrize(
    ("question", "count", "word"),
    [
        ("Which chronology entries concern the Quad?", 3, "Quad"),
        ("Which entries mention North Korea?", 4, "North Korea"),
        ("Which chronology entries involve Gen. Charles Brown?", 2, "Brown"),
        ("List Kamikawa's meetings in October", 5, "Kamikawa"),
    ],
)
def test_topic_timelines_scan_the_whole_chronology(assistant: Assistant, briefing_index: Index, question: str,
                                                   count: int, word: str) -> None:
    answer = assistant.answer(question)
    assert answer.kind == "timeline" and len(listed(answer)) == count == len(answer.items)
    assert all(word in item.text for item in answer.items)
    assert [i.n for i in answer.items] == [c.n for c in answer.citations]
    check_citations(answer, briefing_index)


def test_names_match_under_their_variants(briefing_index: Index) -> None:
    chronology = Chronology(briefing_index)
    assert len(chronology.naming(("Park Jin",))) == 5  # "Park Jin", "Minister … Park", "Park"
    assert len(chronology.naming(("Secretary Blinken",))) == len(chronology.naming(("Blinken",)))
    korea = chronology.naming(("South Korea",))
    assert korea == chronology.naming(("Korean",)) == chronology.naming(("ROK",))
    assert not any(re.search(r"North Korea", p.text) and not re.search(r"(?<!North )Korea", p.text) for p in korea)


def test_counts_give_the_number_and_the_list(assistant: Assistant, briefing_index: Index) -> None:
    answer = assistant.answer("How many chronology entries involve Park Jin?")
    assert answer.short_answer == "5" and answer.text.startswith("5 — ")
    assert len(answer.items) == 5 and all("Park" in i.text for i in answer.items)
    check_citations(answer, briefing_index)


def test_an_empty_day_names_the_nearest_entries(assistant: Assistant, briefing_index: Index) -> None:
    answer = assistant.answer("What happened on Nov. 20?")
    assert answer.abstained and answer.kind == "abstain"
    assert answer.text.startswith("The chronology lists nothing for Nov. 20, 2023.")
    dates = [c.passage.date_end or c.passage.date_start for c in answer.citations]
    assert "2023-11-17" in dates and "2023-11-25" in dates
    assert answer.passages[: len(answer.citations)] == tuple(c.passage for c in answer.citations)
    check_citations(answer, briefing_index)


def test_question_analysis_reads_the_new_kinds() -> None:
    q = analyze("How many chronology entries involve Park Jin?")
    assert q.count and q.subject == "Park Jin" and q.topic_names == ("Park Jin",)
    assert "counts entries" in q.read_as() and "about: Park Jin" in q.read_as()
    q = analyze("What happened the day after Biden and Kishida met in San Francisco?")
    assert q.anchor is not None and q.anchor.offset_days == 1 and q.period is None and q.timeline
    q = analyze("When did Kamikawa first meet Blinken in person?")
    assert q.ordinal == "first" and q.topic_names == ("Kamikawa", "Blinken")
    assert analyze("What has happened since Dec. 19?").timeline


def test_an_office_in_lower_case_names_whoever_the_briefing_says_holds_it(assistant: Assistant) -> None:
    answer = assistant.answer("Which entries involve the prime minister in December?")
    assert answer.kind == "timeline" and answer.items
    assert "the prime minister (Kishida)" in answer.text
    assert all("Kishida" in item.text for item in answer.items)


def test_between_two_events_lists_the_days_strictly_between_and_cites_both_ends(assistant: Assistant) -> None:
    answer = assistant.answer("What happened between the Osprey crash and the Extended Deterrence Dialogue?")
    assert answer.kind == "timeline"
    assert [c.passage.date_start for c in answer.citations[:2]] == ["2023-11-29", "2023-12-05"]
    assert answer.analysis is not None and "Read as: the days between" in answer.text
    assert [i.label for i in answer.items] == ["Nov. 30, 2023"]
