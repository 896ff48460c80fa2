"""The answer-bearing sentence and typed candidates tied to the question's relation (rag/neighbours.py, the
neighbour, clause and relation parts of rag/evidence.py and rag/reading.py, the entities the parse adds in
rag/entities.py), on small briefings of our own (tests/sentence_briefings.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag import Assistant, Index, Settings, build_index
from rag.content import carries_content
from rag.embed import Embedder
from rag.entities import _month_split
from rag.evidence import MAX_SENTENCE_CHARS
from rag.neighbours import opens_as_continuation
from rag.question import terms
from tests.sentence_briefings import CANALS, COUNCIL


def _build(tmp: Path, name: str, text: str, settings: Settings, embedder: Embedder) -> Index:
    source = tmp / f"{name}.txt"
    source.write_text(text, encoding="utf-8")
    return build_index([source], tmp / "index", settings, embedder, progress=False)


@pytest.fixture(scope="module")
def canals(tmp_path_factory: pytest.TempPathFactory, settings: Settings, embedder: Embedder) -> Assistant:
    index = _build(tmp_path_factory.mktemp("canals"), "canals", CANALS, settings, embedder)
    return Assistant(index, settings=settings, embedder=embedder)


@pytest.fixture(scope="module")
def council(tmp_path_factory: pytest.TempPathFactory, settings: Settings, embedder: Embedder) -> Assistant:
    index = _build(tmp_path_factory.mktemp("council"), "council", COUNCIL, settings, embedder)
    return Assistant(index, settings=settings, embedder=embedder)


def test_sentences_that_continue_the_one_before_are_told_apart() -> None:
    assert opens_as_continuation("This is both a milestone and a puzzle.", [])
    assert opens_as_continuation("(The early start was meant to avoid the storms.)", [])
    assert opens_as_continuation("In other words, the boats go back.", [])
    assert opens_as_continuation("The decision to keep the routes was meant to protect towns.", [])
    assert not opens_as_continuation("The regional airline lost money again.", [])
    assert not opens_as_continuation("Fishing towns opposed the dredging.", [])


def test_the_neighbour_that_gives_the_reason_is_quoted_with_the_sentence_that_restates_the_question(
    canals: Assistant,
) -> None:
    answer = canals.answer("Why is shipping the patrol boats back to the Netherlands seen as a landmark?")
    assert not answer.abstained, answer.text
    assert "first sale of warships abroad" in answer.text


def test_a_long_sentence_is_cut_to_its_main_clause_not_to_the_background_that_shares_the_words(
    canals: Assistant,
) -> None:
    answer = canals.answer("What did the Baltic energy ministers promise to offer coastal towns?")
    assert not answer.abstained, answer.text
    assert "technical training" in answer.text


def test_the_run_of_clauses_kept_holds_the_main_verb_not_only_the_background_that_shares_the_words(
    canals: Assistant,
) -> None:
    index, evidence = canals.index, canals.evidence
    p = next(p for p in index.passages if "pledged to provide technical training" in p.text)
    source = index.source(p.doc)
    a, b = next((a, b) for a, b in p.sentences if "pledged" in source[a:b])
    assert b - a > MAX_SENTENCE_CHARS
    wanted = terms("What did the three Baltic offshore wind leaders promise the region?")
    background = source[a : source.index(", their", a)]
    main = source[source.index("their", a) : b]
    # the background clause shares more of the question's words: word overlap alone would keep it
    assert evidence.coverage(wanted, terms(background)) > evidence.coverage(wanted, terms(main))
    x, y = evidence.trim(source, a, b, wanted, None, p)
    assert "pledged to provide technical training" in source[x:y]


def test_the_date_tied_to_the_event_asked_beats_another_events_date_nearby(canals: Assistant) -> None:
    answer = canals.answer("By what year was the widening of the canal originally scheduled to be completed?")
    assert answer.short_answer == "2019" or ("2019" in answer.text and answer.short_answer is None), answer.text


def test_a_chronology_entrys_own_date_answers_when_it_was_done_over_a_month_elsewhere(
    canals: Assistant, council: Assistant
) -> None:
    answer = canals.answer("When was the joint declaration condemning the jamming of ship navigation signals issued?")
    assert not answer.abstained and "March 9" in answer.text, answer.text
    assert answer.short_answer in (None, "March 9, 2024")


def test_the_signer_for_the_party_asked_is_the_one_whose_title_names_it(canals: Assistant) -> None:
    answer = canals.answer("Who signed the fisheries accord for the Republic of Latvia?")
    assert not answer.abstained, answer.text
    assert answer.short_answer in (None, "Janis Ozols")
    assert "Janis Ozols" in answer.text
    p = next(p for p in canals.index.passages if "Janis Ozols" in p.text)
    source = canals.index.source(p.doc)
    assert ("Janis Ozols", "person") in {(source[a:b], t) for a, b, t in p.entities}


def test_a_month_that_opens_a_name_is_a_date_of_its_own(council: Assistant) -> None:
    answer = council.answer("In which month did she host the Nordic summit?")
    assert not answer.abstained, answer.text
    assert answer.short_answer in (None, "March") and "March Nordic summit" in answer.text


def test_the_place_tied_to_what_the_question_asks_about_beats_the_place_of_the_signing(canals: Assistant) -> None:
    answer = canals.answer("Where would the cable factory studied under the April agreement be built?")
    assert not answer.abstained, answer.text
    assert answer.short_answer in (None, "Klaipeda") and "Klaipeda" in answer.text


def test_the_number_that_counts_what_is_asked_beats_another_number_nearby(canals: Assistant) -> None:
    answer = canals.answer("To how many berths will the Riga ferry terminal grow?")
    assert not answer.abstained, answer.text
    assert answer.short_answer in (None, "22") and "22 berths" in answer.text
    assert canals.evidence.reader.counted(canals.analyze("How many patrol boats did they buy?")) == {"patrol", "boat"}


def test_a_role_verb_is_met_through_a_title_with_an_acronym_in_parentheses(canals: Assistant) -> None:
    answer = canals.answer("Who runs Lithuania's armed forces?")
    assert not answer.abstained, answer.text
    assert answer.short_answer in (None, "Tomas Vaitkus") and "Tomas Vaitkus" in answer.text


def test_a_month_that_opens_a_tagged_name_is_cut_off_as_a_date() -> None:
    text = "the May Nordic summit she hosted"
    assert _month_split(text, [(4, 17, "place")]) == [(4, 7, "date"), (8, 17, "place")]
    assert _month_split("the March declaration", [(4, 9, "date")]) == [(4, 9, "date")]


def test_what_critics_argue_is_content() -> None:
    assert carries_content("with opposition deputies arguing that it is wasteful")
