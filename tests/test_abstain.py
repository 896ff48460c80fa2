"""Refusals that hold in other words (rag/abstain.py and the refusal parts of rag/answer.py), on a small briefing
of our own: near misses abstain — content never given, an attribute never stated — while answerable
paraphrases are answered."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag import Assistant, Settings, build_index
from rag.abstain import capped, logistic
from rag.embed import Embedder
from tests.briefings import LAKES


@pytest.fixture(scope="module")
def lakes(tmp_path_factory: pytest.TempPathFactory, settings: Settings, embedder: Embedder) -> Assistant:
    tmp: Path = tmp_path_factory.mktemp("lakes")
    source = tmp / "lakes.txt"
    source.write_text(LAKES, encoding="utf-8")
    return Assistant(build_index([source], tmp / "index", settings, embedder, progress=False), settings=settings,
                     embedder=embedder)


@pytest.mark.parametrize(
    "question",
    [
        "What did Duarte and Mykkanen discuss in Porto?",  # the entry records an event attended, no content
        "What did Duarte and Rui Costa talk about in Lisbon?",  # a meeting recorded, not what was said
    ],
)
def test_content_never_given_is_said_so(lakes: Assistant, question: str) -> None:
    answer = lakes.answer(question)
    assert answer.abstained, answer.text
    assert "records" in answer.text and "not what was" in answer.text
    assert answer.citations and answer.citations[0].passage.kind == "chronology"


@pytest.mark.parametrize(
    "question",
    [
        "How many anglers joined the associations?",  # no number stated for it
        pytest.param("When will the water-sharing protocol take effect?",  # the signing is dated, not the rest
                     marks=pytest.mark.xfail(strict=True, reason="known near miss: the signing entry's date is "
                                             "answered with a confidence above the threshold")),
    ],
)
def test_an_attribute_the_briefing_never_gives_is_refused(lakes: Assistant, question: str) -> None:
    answer = lakes.answer(question)
    assert answer.abstained, answer.text
    assert answer.short_answer is None


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Who runs the Lakes Fund?", "Rui Costa"),  # "runs" ~ the title "Director"
        ("In which city did the two neighbours sign the protocol on sharing water?", "Badajoz"),
        ("How much did the European Investment Bank give the Lakes Fund?", "40 million euros"),
        pytest.param("Who promised to double the money spent on watching the lakes?", "Ines Duarte",
                     marks=pytest.mark.xfail(strict=True, reason="known miss: no person candidate is read in the "
                                             "pledging sentence, so the lead is an entry that scores too low")),
    ],
)
def test_answerable_paraphrases_are_not_refused(lakes: Assistant, question: str, expected: str) -> None:
    answer = lakes.answer(question)
    assert not answer.abstained, answer.text
    assert expected in answer.text


def test_the_confidence_is_the_fitted_logistic_capped_out_of_scope() -> None:
    model = {"features": ["sim", "known"], "weights": [2.0, 1.0], "bias": -1.0}
    assert logistic(model, {"sim": 0.5, "known": 1.0}) == pytest.approx(1 / (1 + 2.718281828 ** -1.0))
    # Words the briefing never uses and nothing alike in meaning: at most the similarity, whatever the model says.
    assert capped(0.9, {"sim": 0.2, "known": 0.5}, 0.35) == pytest.approx(0.2)
    assert capped(0.9, {"sim": 0.2, "known": 1.0}, 0.35) == pytest.approx(0.9)
    assert capped(0.9, {"sim": 0.5, "known": 0.5}, 0.35) == pytest.approx(0.9)
