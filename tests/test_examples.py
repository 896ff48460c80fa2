"""The page's examples are right, not just answered (ui/examples.py): each gives its expected answer on the
shipped briefing, and another library's generated examples list exactly their day's entries."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag import Assistant, Index, build_index
from rag.embed import Embedder
from rag.settings import Settings
from ui.examples import SHIPPED, Example, examples_for


@pytest.mark.parametrize("example", SHIPPED, ids=[e.question for e in SHIPPED])
def test_each_shipped_example_gives_its_expected_answer(example: Example, assistant: Assistant) -> None:
    answer = assistant.answer(example.question)
    assert example.holds(answer), answer.text


def test_an_example_whose_answer_changed_fails(assistant: Assistant) -> None:
    answer = assistant.answer(SHIPPED[0].question)
    assert not Example(SHIPPED[0].question, short="Honolulu").holds(answer)
    assert not Example("What happened on Nov. 16?", entries=("2023-11-16",)).holds(
        assistant.answer("What happened on Nov. 16?"))


def test_the_shipped_briefing_offers_the_shipped_examples(briefing_index: Index, assistant: Assistant) -> None:
    assert examples_for(briefing_index, assistant) == [e.question for e in SHIPPED]


def test_another_library_gets_examples_right_by_construction(tmp_path: Path, settings: Settings,
                                                               embedder: Embedder) -> None:
    path = tmp_path / "harbor.txt"
    path.write_text("Harbor Talks\nThe ports council met to plan a ferry line.\n\nChronology\n"
                    "March 2, 2024: Okafor meets with Lindqvist in Lisbon.\n"
                    "March 4-6, 2024: The ports council meets in Porto.\n"
                    "March 5, 2024: Okafor visits Oslo.\n", encoding="utf-8")
    index = build_index([path], tmp_path / "idx", settings, embedder, progress=False)
    helper = Assistant(index, settings=settings, embedder=embedder)
    shown = examples_for(index, helper)
    assert shown == ["What happened on March 2, 2024?", "What happened on March 4, 2024?",
                     "What happened on March 5, 2024?"]
    listed = helper.answer("What happened on March 5, 2024?")
    assert [i.label for i in listed.items] == ["March 4-6, 2024", "March 5, 2024"]
