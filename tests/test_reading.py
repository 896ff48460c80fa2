"""Reading (rag/reading.py, rag/content.py, the reading parts of rag/evidence.py) on two small briefings of our
own: refusals that hold in other words, the clause that states a cause, questions about what was said, and
the parse stored at build time."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag import Assistant, Index, Settings, build_index
from rag.content import carries_content, content_question, event_kind
from rag.embed import Embedder
from rag.question import analyze
from tests.briefings import HARBOR, RIVERS


def _build(tmp: Path, name: str, text: str, settings: Settings, embedder: Embedder) -> Index:
    source = tmp / f"{name}.txt"
    source.write_text(text, encoding="utf-8")
    return build_index([source], tmp / "index", settings, embedder, progress=False)


@pytest.fixture(scope="module")
def harbor(tmp_path_factory: pytest.TempPathFactory, settings: Settings, embedder: Embedder) -> Assistant:
    index = _build(tmp_path_factory.mktemp("harbor"), "harbor", HARBOR, settings, embedder)
    return Assistant(index, settings=settings, embedder=embedder)


@pytest.fixture(scope="module")
def rivers(tmp_path_factory: pytest.TempPathFactory, settings: Settings, embedder: Embedder) -> Assistant:
    index = _build(tmp_path_factory.mktemp("rivers"), "rivers", RIVERS, settings, embedder)
    return Assistant(index, settings=settings, embedder=embedder)


def test_the_parse_is_stored_with_the_passages(harbor: Assistant) -> None:
    p = next(p for p in harbor.index.passages if "Admiral Piotr Nowak" in p.text)
    source = harbor.index.source(p.doc)
    assert p.tokens and all(p.char_start <= a < b <= p.char_end for a, b, *_ in p.tokens)
    lemmas = {source[a:b]: lemma for a, b, lemma, *_ in p.tokens}
    assert lemmas["visits"] == "visit"
    assert all(0 <= head < len(p.tokens) for *_, head in p.tokens)


@pytest.mark.parametrize(
    ("briefing", "question", "name"),
    [
        ("harbor", "Who runs Orlen Systems?", "Marta Kowalczyk"),
        ("harbor", "Who leads the Baltic Fleet?", "Piotr Nowak"),
        ("rivers", "Who heads the World Bank?", "Ajay Banga"),
    ],
)
def test_a_role_verb_is_met_by_the_title_the_briefing_uses(
    briefing: str, question: str, name: str, request: pytest.FixtureRequest
) -> None:
    answer = request.getfixturevalue(briefing).answer(question)
    assert not answer.abstained, answer.text
    assert name in answer.text
    assert "says nothing of" not in answer.text


def test_a_role_verb_about_something_else_is_not_met_by_any_title(harbor: Assistant) -> None:
    answer = harbor.answer("Who runs the oyster farm in Riga?")
    assert answer.abstained or answer.short_answer is None


@pytest.mark.parametrize(
    ("briefing", "question", "cause"),
    [
        ("harbor", "Why did the dredging of the northern channel start early?", "avoid the autumn storms"),
        ("rivers", "Why is Laos building the dams?", "earn export revenue"),
    ],
)
def test_a_reason_question_gets_the_clause_that_states_the_cause(
    briefing: str, question: str, cause: str, request: pytest.FixtureRequest
) -> None:
    answer = request.getfixturevalue(briefing).answer(question)
    assert not answer.abstained and cause in answer.text


@pytest.mark.parametrize(
    ("briefing", "question", "kind", "date", "done"),
    [
        ("harbor", "What did Sato say at the Nordic Council?", "address", "March 12, 2024", "said"),
        ("rivers", "What did Somchai Wong and Boun Phanh discuss in Vientiane?", "meeting", "Feb. 2, 2024",
         "discussed"),
    ],
)
def test_a_content_question_about_an_event_recorded_only_says_so(
    briefing: str, question: str, kind: str, date: str, done: str, request: pytest.FixtureRequest
) -> None:
    answer = request.getfixturevalue(briefing).answer(question)
    assert answer.abstained and answer.kind == "abstain"
    assert answer.text == f"The briefing records the {kind} on {date} but not what was {done} [1]."
    c = answer.citations[0]
    assert c.passage.kind == "chronology" and c.passage.label() == date


@pytest.mark.parametrize(
    ("briefing", "question", "content"),
    [
        ("harbor", "What did the fisheries ministers agree at their spring meeting?", "joint coast guard academy"),
        ("rivers", "What did the Mekong River Commission say about the dams?", "cut fish catches"),
    ],
)
def test_a_content_question_is_answered_with_the_content_where_given(
    briefing: str, question: str, content: str, request: pytest.FixtureRequest
) -> None:
    answer = request.getfixturevalue(briefing).answer(question)
    assert not answer.abstained and content in answer.text


def test_content_questions_and_content_sentences_are_told_apart() -> None:
    assert content_question(analyze("What was agreed at the summit?")) is not None
    assert content_question(analyze("What did the statement say about Taiwan?")) is not None
    assert content_question(analyze("Where did the ministers meet?")) is None
    assert content_question(analyze("What did they agree to accelerate talks on?")) is None
    assert carries_content("They agreed to open a joint academy next year.")
    assert carries_content("She said the “door remains open to talks with everyone”.")
    assert not carries_content("Sato delivers an address at the Nordic Council in Oslo.")
    assert event_kind(frozenset({"sato", "deliver", "an", "address"})) == "address"
    assert event_kind(frozenset({"speak", "by", "telephone"})) == "call"


def test_a_short_answer_below_the_threshold_is_not_shown(harbor: Assistant) -> None:
    cal = {**harbor.calibration, "short": {"features": ["short_margin"], "weights": [0.0], "bias": -5.0,
                                           "min_confidence": 0.5}}
    unsure = Assistant(harbor.index, retriever=harbor.retriever, settings=harbor.settings)
    unsure.calibration = cal
    answer = unsure.answer("Who runs Orlen Systems?")
    assert not answer.abstained and answer.short_answer is None
    assert "Marta Kowalczyk" in answer.text and not answer.text.startswith("Marta Kowalczyk —")
    assert all(c.short_start is None and c.short_end is None for c in answer.citations)
