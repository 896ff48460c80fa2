"""Reading a question's constraints like an analyst (rag/roles.py, rag/constraints.py, rag/bodies.py), on small
briefings of our own (tests/analyst_briefings.py, tests/briefings.py): a head asked in any wording, refusal
messages that are always grammatical, and constraints that hold in other words."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from rag import Assistant, Index, Settings, build_index
from rag.embed import Embedder
from rag.question import analyze
from rag.roles import headed, no_one_as
from tests.analyst_briefings import FJELL
from tests.briefings import HARBOR


def _build(tmp: Path, name: str, text: str, settings: Settings, embedder: Embedder) -> Index:
    source = tmp / f"{name}.txt"
    source.write_text(text, encoding="utf-8")
    return build_index([source], tmp / "index", settings, embedder, progress=False)


@pytest.fixture(scope="module")
def fjell(tmp_path_factory: pytest.TempPathFactory, settings: Settings, embedder: Embedder) -> Assistant:
    index = _build(tmp_path_factory.mktemp("fjell"), "fjell", FJELL, settings, embedder)
    return Assistant(index, settings=settings, embedder=embedder)


@pytest.fixture(scope="module")
def harbor(tmp_path_factory: pytest.TempPathFactory, settings: Settings, embedder: Embedder) -> Assistant:
    index = _build(tmp_path_factory.mktemp("harbor"), "harbor", HARBOR, settings, embedder)
    return Assistant(index, settings=settings, embedder=embedder)


# ------------------------------------------------------------------------------------ 1. a head, in any wording

#: Every wording of "who heads X" (a verb, a phrase after "is", a head noun, a possessive).
HEAD_WORDINGS = (
    "Who is in charge of {x}?", "Who's in charge of {x}?", "Who was in charge of {x}?", "Who is at the helm of {x}?",
    "Who is responsible for {x}?", "Who is the head of {x}?", "Who is head of {x}?", "Who is the chief of {x}?",
    "Who is the leader of {x}?", "Who is the current chair of {x}?", "Who is in command of {x}?", "Who heads {x}?",
    "Who leads {x}?", "Who runs {x}?", "Who commands {x}?", "Who chairs {x}?", "Who presides over {x}?",
    "Who oversees {x}?", "Who currently manages {x}?", "Who is {x}'s leader?", "Who is {x}’s chief?",
    "Who is {x}'s head?", "Who is in charge of {x} now?", "Who was at the helm of {x} in March?",
)
HEADED = ("the Baltic Fleet", "Orlen Systems", "the port authority", "US Indo-Pacific Command", "the Ministry of Fisheries")


@pytest.mark.parametrize(("wording", "x"), list(itertools.product(HEAD_WORDINGS, HEADED)))
def test_a_head_asked_in_any_wording_is_read_as_the_head_of_what_is_named(wording: str, x: str) -> None:
    question = wording.format(x=x).replace("Systems's", "Systems'")
    q = analyze(question)
    assert q.answer_type == "person"
    assert q.headed == x and headed(question) == x
    assert q.role == f"head of {x}"
    # what is headed is what the answer's passage must carry, not the words of the wording ("charge", "helm")
    assert not ({"charg", "helm", "respons", "head", "chief", "leader"} & q.role_terms)


#: Questions that ask about a person in other ways: no head is read into them.
@pytest.mark.parametrize("question", [
    "Who is Korea's special representative?", "Who is the governor of Okinawa Prefecture?", "Who is Okafor?",
    "Who met the official who heads the agency?", "Who is the chief of staff?", "Who signed the accord?",
    "Who is in charge?", "Who is responsible?",
])
def test_other_person_questions_read_no_head(question: str) -> None:
    assert analyze(question).headed == ""


#: A refusal names the role as a noun phrase: "nobody as head of X", "nobody as Korea's special envoy", never
#: "no in charge of X"; a name asked about ("Who is Okafor?") is said as one.
_GRAMMATICAL = re.compile(
    r"^(?:It names nobody as (?!(?:in|at|on|for|to|of|by|with|responsible|charge|the|a|an|is|was|who)\b)"
    r"[\w’'.-]+(?: [\w’'.-]+)* here\.|It names nobody in that role here\.|It does not say who [A-Z][\w .-]* is\.)$")

OTHER_ROLES = (
    "Who is Korea's special representative on the May 3 call?", "Who is the governor of Okinawa Prefecture?",
    "Who was Latvia's foreign minister when Ozols visited?", "Who is Okafor?", "Who is in charge?",
    "Who is responsible?", "Who is at the helm?", "Who are the ministers?", "Who is the new chief?",
)


@pytest.mark.parametrize("question", [w.format(x=x) for w in HEAD_WORDINGS for x in HEADED[:2]] + list(OTHER_ROLES))
def test_every_role_refusal_is_a_grammatical_sentence(question: str) -> None:
    q = analyze(question)
    message = no_one_as(q.role, q.headed)
    assert _GRAMMATICAL.match(message), message
    assert " no in " not in message and " no at " not in message and "the the" not in message
    if q.headed:
        assert message == f"It names nobody as head of {q.headed} here."


@pytest.mark.parametrize("question", [
    "Who is in charge of the Northern Fleet?", "Who is at the helm of the Northern Fleet?",
    "Who is responsible for the Northern Fleet?", "Who is the head of the Northern Fleet?",
    "Who is the Northern Fleet's chief?", "Who commands the Northern Fleet?",
])
def test_a_head_in_any_wording_is_met_by_the_title_the_briefing_uses(fjell: Assistant, question: str) -> None:
    answer = fjell.answer(question)
    assert not answer.abstained, answer.text
    assert "Jonas Lind" in answer.text


def test_a_phrase_is_answered_like_the_verb_on_another_briefing(harbor: Assistant, fjell: Assistant) -> None:
    for wording in ("Who is in charge of the Baltic Fleet?", "Who is at the helm of the Baltic Fleet?"):
        answer = harbor.answer(wording)
        assert not answer.abstained and "Piotr Nowak" in answer.text, answer.text
    answer = fjell.answer("Who is the Arctic Council's leader?")
    assert not answer.abstained and "Hilde Moe" in answer.text, answer.text
    # the head of a ministry is its minister: "Defence Minister Eva Holm" for "the defence ministry"
    answer = fjell.answer("Who is the head of the defence ministry?")
    assert not answer.abstained and "Eva Holm" in answer.text, answer.text


@pytest.mark.parametrize("question", ["Who is in charge of the coast guard?", "Who leads the coast guard?"])
def test_a_head_the_briefing_does_not_name_is_refused_in_a_grammatical_sentence(fjell: Assistant,
                                                                                 question: str) -> None:
    answer = fjell.answer(question)
    assert answer.abstained
    assert "names no in" not in answer.text
    if "nobody" in answer.text:
        assert "It names nobody as head of the coast guard here." in answer.text
