"""Bodies named in common nouns (rag/bodies.py, a constraint in rag/constraints.py): a question about an
organisation or office the briefing never names abstains naming it; one the briefing names in other words, by
its long name or its acronym, is answered. A small briefing of our own."""

from __future__ import annotations

import pytest

from rag import Assistant, Index, build_index
from rag.bodies import bodies_in, named
from rag.embed import Embedder
from rag.settings import Settings

FJORD = """Fjord Finance
The Bank of Norway raised its policy rate to 4.5 percent in May, citing high prices for housing. The Storting's finance committee asked the Bergen Port Authority (BPA) to publish its new fees. Denmark kept its rates unchanged.

Chronology
May 2, 2024: The Bank of Norway raises its policy rate to 4.5 percent.
May 6, 2024: The finance committee of the Storting questions Minister Haugland on ferry subsidies.
May 9, 2024: The BPA publishes new harbour fees in Bergen.
May 14, 2024: Minister Haugland visits Copenhagen to discuss ferry routes with Denmark.
"""


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What did Norway's central bank decide?", [("Norway's central bank", "bank", ("central",), "Norway")]),
        ("What did the parliament's budget committee say?",
         [("the parliament's budget committee", "committee", ("budget",), "")]),
        ("What is the central bank's policy rate?", [("the central bank", "bank", ("central",), "")]),
        ("Who chairs the finance committee?", [("the finance committee", "committee", ("finance",), "")]),
        ("What did the new port authority announce?", [("the new port authority", "authority", ("port",), "")]),
        # what is asked for binds nothing; a noun that modifies another is no body
        ("Which committee questioned Haugland?", []),
        ("What caused the ferry fund scandal?", []),
        ("What did the Bank of Norway decide?", []),  # capitalised: a name, read from the alias table
    ],
)
def test_bodies_are_read_from_common_nouns(question: str, expected: list[tuple[str, str, tuple[str, ...], str]]) -> None:
    skip = "committee" if question.startswith("Which committee") else ""
    assert [(b.phrase, b.head, b.modifiers, b.owner) for b in bodies_in(question, skip=skip)] == expected


@pytest.mark.parametrize(
    ("question", "is_named"),
    [
        ("What did Norway's central bank decide?", True),  # "the Bank of Norway": its head next to its owner
        ("What did the central bank decide?", True),  # "the Bank of Norway" is a central bank (bodies.INSTANCES)
        ("What did the finance committee say?", True),
        ("What did the committee on finance say?", True),  # the same words in another order
        ("What did the budget committee say?", False),  # a committee, but not one on the budget
        ("What did the port authority announce?", True),
        ("What did the harbour police report?", False),
        ("What did the parliament decide?", True),  # the Storting is Norway's parliament, by its own name
        ("What did Norway's parliament decide?", True),
        ("What did Denmark's parliament decide?", False),  # the Storting is Norway's, not Denmark's
        ("What did the supreme court decide?", False),
    ],
)
def test_a_body_is_named_by_its_words_together_not_by_its_head_alone(question: str, is_named: bool) -> None:
    (body,) = bodies_in(question)
    assert named(body, [FJORD]) is is_named


@pytest.fixture(scope="module")
def fjord(tmp_path_factory: pytest.TempPathFactory, settings: Settings, embedder: Embedder) -> Assistant:
    folder = tmp_path_factory.mktemp("fjord")
    path = folder / "fjord-2024.txt"
    path.write_text(FJORD, encoding="utf-8")
    index: Index = build_index([path], folder / "index", settings, embedder, progress=False)
    return Assistant(index, settings=settings, embedder=embedder)


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        ("What did Denmark's central bank decide?", "Denmark's central bank"),
        ("What did the parliament's budget committee say?", "the parliament's budget committee"),
        ("What did the harbour police report in May?", "the harbour police"),
        ("When did the election commission meet Haugland?", "the election commission"),
    ],
)
def test_a_body_the_briefing_never_names_is_an_abstention_that_names_it(fjord: Assistant, question: str,
                                                                        missing: str) -> None:
    answer = fjord.answer(question)
    assert answer.abstained and answer.unmet == "name"
    assert f"never mentions {missing}." in answer.text


@pytest.mark.parametrize(
    ("question", "cited"),
    [
        ("What did Norway's central bank decide?", "Bank of Norway"),
        ("What did the finance committee ask the port authority to do?", "finance committee"),
        ("When did the port authority publish new harbour fees?", "BPA"),
        ("Which committee questioned Minister Haugland?", "finance committee"),
    ],
)
def test_a_body_the_briefing_names_in_other_words_is_answered(fjord: Assistant, question: str, cited: str) -> None:
    answer = fjord.answer(question)
    assert answer.unmet is None and "never mentions" not in answer.text, answer.text
    assert answer.citations and cited in answer.citations[0].passage.text
