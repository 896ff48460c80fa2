"""Two-hop and list questions (rag/multihop.py, the list paths of rag/timeline.py) on a small briefing of our own:
a description in the question resolved to a name by a first pass, then the rewritten question answered and
both sentences cited; and list questions that give every entry that answers, not only the first."""

from __future__ import annotations

import pytest

from rag import Assistant, Settings, build_index
from rag.embed import Embedder
from rag.multihop import describe, statement_question
from tests.briefings import ISLANDS


@pytest.fixture(scope="module")
def islands(tmp_path_factory: pytest.TempPathFactory, settings: Settings, embedder: Embedder) -> Assistant:
    tmp = tmp_path_factory.mktemp("islands")
    source = tmp / "islands.txt"
    source.write_text(ISLANDS, encoding="utf-8")
    index = build_index([source], tmp / "index", settings, embedder, progress=False)
    return Assistant(index, settings=settings, embedder=embedder)


@pytest.mark.parametrize(
    ("question", "phrase"),
    [
        ("On what date did the minister who replaced Vidal at the trade ministry speak with Weber by telephone?",
         "the minister who replaced Vidal at the trade ministry"),
        ("In which city did the commissioner whom Ruiz met in October meet Vidal?",
         "the commissioner whom Ruiz met in October"),
        ("The commissioner quoted on the catch quotas met which minister in Porto?",
         "The commissioner quoted on the catch quotas"),
    ],
)
def test_a_description_of_someone_is_found_in_the_question(question: str, phrase: str) -> None:
    found = describe(question)
    assert found is not None and found.phrase == phrase


@pytest.mark.parametrize(
    "question",
    ["Who replaced Vidal at the trade ministry?", "Who was the minister who replaced Vidal?",
     "What happened on Nov. 12?", "Whom did Ruiz meet in Lisbon in November?"],
)
def test_most_questions_have_no_description_and_cost_no_extra_retrieval(question: str) -> None:
    assert describe(question) is None
    assert statement_question(question) is None


def test_a_statement_then_a_question_about_it_is_asked_about_the_statement_s_subject() -> None:
    found = statement_question("The coastal patrol exercise came less than two weeks after the harbor safety "
                               "forum; in which city was it held?")
    assert found == ("the coastal patrol exercise", "In which city was the coastal patrol exercise held?")


@pytest.mark.parametrize(
    ("question", "expected", "wrong", "resolved"),
    [
        # The person described (Ruiz) and someone else (Vidal) both spoke with Weber, on other dates.
        ("On what date did the minister who replaced Vidal at the trade ministry speak with Weber by telephone?",
         "Oct. 20", "Oct. 2,", "replaced Tomas Vidal"),
        # Commissioner Berg met Vidal in Faro and the minister who replaced him in Porto.
        ("In which city did the minister who replaced Vidal meet Commissioner Berg?", "Porto", "Faro",
         "replaced Tomas Vidal"),
        ("In which city did the minister whom Ruiz replaced meet Commissioner Berg?", "Faro", "Porto",
         "replaced Tomas Vidal"),
        ("Whom did the commissioner quoted on the new catch quotas meet in Porto?", "Ruiz", None,
         "According to Fisheries Commissioner Lena Berg"),
    ],
)
def test_a_description_is_resolved_then_the_rewritten_question_answered_citing_both(
        islands: Assistant, question: str, expected: str, wrong: str | None, resolved: str) -> None:
    answer = islands.answer(question)
    assert not answer.abstained, answer.text
    assert expected in (answer.short_answer or answer.text.split(" [1]")[0])
    if wrong:
        assert wrong not in answer.text
    quoted = [islands.index.source(c.passage.doc)[c.highlight_start:c.highlight_end] for c in answer.citations]
    assert any(resolved in q for q in quoted), quoted  # the sentence that resolved the description is cited
    assert answer.question == question
    assert any(n.startswith("Read “") for n in answer.notes)


def test_a_description_of_a_place_is_resolved(islands: Assistant) -> None:
    found = describe("Which forum was held in the city where the frozen cod had arrived?")
    assert found is not None and found.kind == "place" and found.phrase == "the city where the frozen cod had arrived"
    answer = islands.answer("Which forum was held in the city where the frozen cod had arrived?")
    assert not answer.abstained, answer.text
    assert "harbor safety forum" in answer.text.split("[1]")[0]
    assert any("Read “the city where the frozen cod had arrived” as Bergen" in n for n in answer.notes)


def test_a_statement_then_a_question_about_it(islands: Assistant) -> None:
    answer = islands.answer("The coastal patrol exercise came less than two weeks after the harbor safety forum; "
                            "in which city was it held?")
    assert not answer.abstained, answer.text
    assert "Aalborg" in answer.text and "Bergen" not in answer.text.split("[1]")[0]


def test_an_unresolvable_description_falls_back_to_the_question_as_asked(islands: Assistant) -> None:
    answer = islands.answer("On what date did the minister who privatised the railways speak with Weber?")
    assert not any(n.startswith("Read “") for n in answer.notes)


def test_a_date_question_answered_by_an_article_sentence_gets_the_day_of_its_chronology_entry(
        islands: Assistant) -> None:
    answer = islands.answer("On what date did the summit meeting at which Ortiz was standing in for the governor's "
                            "deputy take place?")
    assert not answer.abstained, answer.text
    assert answer.text.startswith("Aug. 9, 2024")
    assert any(c.passage.kind == "chronology" and "Malmo" in c.passage.text for c in answer.citations)


@pytest.mark.parametrize(
    ("question", "listed", "not_listed"),
    [
        ("Whom did Ruiz meet in Lisbon in November?", ("Admiral Holt", "Ambassador Dunmore"), ("fisheries fair",)),
        ("Which ministers spoke with Chancellor Weber by telephone?", ("Vidal and", "Oct. 20", "Dec. 2"), ("Porto",)),
        ("Who met Commissioner Berg?", ("Ruiz meet in Porto", "Vidal and", "in Riga"), ("Weber",)),
        ("On which dates did Ruiz and Weber speak by telephone?", ("Oct. 20", "Dec. 2"), ("Vidal",)),
        ("Where did Ruiz and Commissioner Berg meet?", ("Porto", "Riga"), ("Faro",)),
        ("Who was received in Lisbon in November?", ("Admiral Holt", "Ambassador Dunmore"), ("fisheries fair",)),
    ],
)
def test_a_question_about_several_people_lists_every_entry_that_answers(
        islands: Assistant, question: str, listed: tuple[str, ...], not_listed: tuple[str, ...]) -> None:
    answer = islands.answer(question)
    assert not answer.abstained, answer.text
    assert answer.kind == "timeline" and len(answer.items) == len(listed), answer.text
    for words in listed:
        assert words in answer.text
    for words in not_listed:
        assert words not in answer.text
