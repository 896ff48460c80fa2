""""Between X and Y" names two parties when X and Y are names ("What happened between Norway and Chile in
2024?"): the question's own period stands and the parties are what the entries are about — not the days between
two events. Between two events it is still the days between them. A small briefing of our own."""

from __future__ import annotations

import pytest

from rag import Assistant, Index, build_index
from rag.embed import Embedder
from rag.settings import Settings

SALMON = """Articles
Salmon and Copper
Norway and Chile, the two largest salmon producers, spent two years aligning their farming rules. Chile also courted Peru over copper.

Chronology
Nov. 5, 2023: Norway and Chile sign a salmon farming agreement in Oslo.
Dec. 12, 2023: Chile hosts a Norwegian trade delegation in Valparaiso.
Feb. 3, 2024: Norway and Chile hold talks on fish health in Santiago.
March 9, 2024: Chilean Foreign Minister Alberto Vial visits Oslo to meet Norwegian Foreign Minister Espen Barth.
April 22, 2024: Chile and Peru sign a copper export treaty in Lima.
June 14, 2024: Norway and Chile open a joint salmon research center in Puerto Montt.
"""


@pytest.fixture(scope="module")
def salmon(tmp_path_factory: pytest.TempPathFactory, settings: Settings, embedder: Embedder) -> Assistant:
    folder = tmp_path_factory.mktemp("salmon")
    path = folder / "norway-chile.txt"
    path.write_text(SALMON, encoding="utf-8")
    index: Index = build_index([path], folder / "index", settings, embedder, progress=False)
    return Assistant(index, settings=settings, embedder=embedder)


@pytest.mark.parametrize("question", ["What happened between Norway and Chile in 2024?",
                                      "What happened during 2024 between Chile and Norway?"])
def test_between_two_countries_is_their_relation_in_the_period_asked(salmon: Assistant, question: str) -> None:
    answer = salmon.answer(question)
    assert answer.kind == "timeline", answer.text
    assert not any("days between" in n for n in answer.notes), answer.notes
    dates = {i.label for i in answer.items}
    assert {"Feb. 3, 2024", "June 14, 2024"} <= dates and not dates & {"Nov. 5, 2023", "Dec. 12, 2023"}


def test_between_two_events_is_still_the_days_between(salmon: Assistant) -> None:
    answer = salmon.answer("What happened between the copper export treaty and the opening of the research center?")
    assert any("days between" in n for n in answer.notes), answer.text
    assert all(i.label not in ("April 22, 2024", "June 14, 2024") for i in answer.items)


def test_a_year_alone_is_the_period_asked(salmon: Assistant) -> None:
    answer = salmon.answer("What happened in 2023?")
    assert answer.kind == "timeline" and [i.label for i in answer.items] == ["Nov. 5, 2023", "Dec. 12, 2023"]
