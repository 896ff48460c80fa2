"""Follow-ups (rag/followup.py): a follow-up replaces the period or the name it gives, and chains of them read
the same on the page, through the API and in the interactive `rag ask` (one implementation)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from rag import Assistant, Index, build_index, carried_question
from rag.aliases import Aliases
from rag.cli import main
from rag.embed import Embedder
from rag.followup import is_follow_up, resolve_follow_up
from rag.periods import DateInterpreter
from rag.settings import Settings

# A briefing of our own: persons with titles, real cities, one organisation, entries in three months.
HARBOUR = """Articles
Ports and Partners
The harbour authorities of Oslo and Bergen agreed to share pilot data this spring. Foreign Minister Okafor said
the pilots of both ports would train together, and Ambassador Lindqvist welcomed the accord.

Chronology
March 12, 2024: Foreign Minister Okafor meets with Ambassador Lindqvist in Oslo.
March 28, 2024: The Harbour Council meets in Bergen.
April 9, 2024: Foreign Minister Okafor and Trade Secretary Brandt sign the pilot accord in Bergen.
April 20, 2024: Trade Secretary Brandt meets with Ambassador Lindqvist in Oslo.
May 3, 2024: Ambassador Lindqvist and Foreign Minister Okafor speak by telephone.
May 15, 2024: The Harbour Council meets in Oslo.
"""
# The kinds as an alias table holds them (built at index time; "Korea" is known to pycountry alone).
ALIASES = Aliases(types={"okafor": "person", "lindqvist": "person", "brandt": "person", "oslo": "place",
                         "bergen": "place", "harbour council": "organization", "quad": "organization",
                         "japan": "place"})
kind_of = ALIASES.kind_of


DATES = DateInterpreter.for_dates([])


@pytest.mark.parametrize(
    ("previous", "question", "resolved"),
    [
        # a name replaces the previous name of its kind, never appended
        ("When did Okafor meet Lindqvist?", "What about Brandt?", "When did Brandt meet Lindqvist?"),
        ("When did Okafor meet Lindqvist in Oslo?", "And Bergen?", "When did Okafor meet Lindqvist in Bergen?"),
        ("When did Okafor meet Lindqvist in Oslo?", "How about Brandt?", "When did Brandt meet Lindqvist in Oslo?"),
        ("What did Japan's central bank decide?", "And Korea?", "What did Korea's central bank decide?"),
        ("What did the Harbour Council do in May?", "What about the Quad?", "What did the Quad do in May?"),
        # a period replaces the previous period (with its preposition: no "in in", no "on in")
        ("What did the Quad do in November?", "And in September?", "What did the Quad do in September?"),
        ("What did the Quad do in early November?", "How about in December?", "What did the Quad do in December?"),
        ("What happened on Nov. 16?", "And in October?", "What happened in October?"),
        ("What happened in October?", "And on Nov. 20?", "What happened on Nov. 20?"),
        ("What happened on Nov. 16?", "And December?", "What happened in December?"),
        ("What happened after Oct. 20?", "And before Oct. 5?", "What happened before Oct. 5?"),
        ("What happened the day after Okafor and Brandt signed the accord?", "And in May?", "What happened in May?"),
        # a period where there was none is added; a month word inside another word is none
        ("What did Japan's central bank decide?", "And in October?", "What did Japan's central bank decide in October?"),
        # a day alone takes its month from the previous question; with none to take, it stays as written
        ("What happened in October 2023?", "And on the 9th?", "What happened on October 9, 2023?"),
        ("What happened after Oct. 20?", "And on the 9th?", "What happened on the 9th?"),
        # both at once
        ("Who did Okafor meet in March?", "What about Brandt in April?", "Who did Brandt meet in April?"),
        # a lower-case subject takes the place of the first name
        ("When did Okafor meet Lindqvist?", "What about the prime minister?", "When did the prime minister meet Lindqvist?"),
        # no name to replace: the new one is what the question is about
        ("What happened in October?", "What about Okafor?", "What happened in October, involving Okafor?"),
    ],
)
def test_a_follow_up_replaces_what_it_names(previous: str, question: str, resolved: str) -> None:
    assert resolve_follow_up(question, previous, DATES, kind_of) == resolved


@pytest.mark.parametrize(
    "question",
    ["And what did Okafor say?", "What about the accord that Okafor and Brandt signed in Bergen last spring?",
     "Who met Okafor?", "Andrew Brandt?", "And Okafor met Brandt in Bergen when exactly?", "And then?",
     "And tariffs?"],
)
def test_questions_of_their_own_are_no_follow_ups(question: str) -> None:
    assert not is_follow_up(question)
    assert resolve_follow_up(question, "When did Okafor meet Lindqvist?", DATES, kind_of) == question


def test_chains_of_follow_ups_keep_the_subject() -> None:
    previous = "What did the Harbour Council do in March?"
    for question, expected in [("And in April?", "What did the Harbour Council do in April?"),
                               ("And in May?", "What did the Harbour Council do in May?"),
                               ("What about Okafor?", "What did Okafor do in May?"),
                               ("And in March?", "What did Okafor do in March?")]:
        previous = resolve_follow_up(question, previous, DATES, kind_of)
        assert previous == expected


# ------------------------------------------------------------------------------------- one library, three front ends


@pytest.fixture(scope="module")
def harbour(tmp_path_factory: pytest.TempPathFactory, settings: Settings, embedder: Embedder) -> Index:
    folder = tmp_path_factory.mktemp("harbour")
    path = folder / "harbour-2024.txt"
    path.write_text(HARBOUR, encoding="utf-8")
    return build_index([path], folder / "index", settings, embedder, progress=False)


@pytest.fixture(scope="module")
def harbour_assistant(harbour: Index, settings: Settings, embedder: Embedder) -> Assistant:
    return Assistant(harbour, settings=settings, embedder=embedder)


CHAIN = ["What did the Harbour Council do in March?", "And in April?", "And in May?"]
RESOLVED = ["What did the Harbour Council do in March?", "What did the Harbour Council do in April?",
            "What did the Harbour Council do in May?"]


def test_the_library_knows_the_kinds_of_its_names(harbour_assistant: Assistant) -> None:
    kinds = harbour_assistant.index.aliases.kind_of  # the table built with the index, read by follow-ups
    assert kinds("Okafor") == "person" and kinds("Foreign Minister Okafor") == "person"
    assert kinds("Bergen") == "place" and kinds("the Harbour Council's") == "organization"
    assert kinds("Nobody Atall") is None


def test_the_assistant_chains_follow_ups(harbour_assistant: Assistant) -> None:
    previous: str | None = None
    for question, resolved in zip(CHAIN, RESOLVED, strict=True):
        answer = harbour_assistant.answer(question, previous=previous)
        assert answer.analysis is not None and answer.analysis.text == resolved
        previous = carried_question(answer)
    last = harbour_assistant.answer("What about Okafor?", previous=previous)
    assert last.analysis is not None and last.analysis.text == "What did Okafor do in May?"
    assert last.analysis.follows == "What did the Harbour Council do in May?"


def test_the_interactive_cli_chains_follow_ups_like_the_page(harbour: Index) -> None:
    result = CliRunner().invoke(main, ["ask", "--index-dir", str(Path(harbour.path).parent)],
                                input="\n".join(CHAIN) + "\n\n")
    assert result.exit_code == 0, result.output
    read_as = [line for line in result.stderr.splitlines() if line.startswith("(Read as:")]
    assert read_as == [f"(Read as: {text})" for text in RESOLVED[1:]]
    last = result.stdout.split("? ")[-2]  # the answer to "And in May?", before the final empty prompt
    assert "May 15, 2024" in last


def test_the_page_and_the_api_chain_follow_ups(harbour_assistant: Assistant) -> None:
    from ui.app import ChatService

    service = ChatService(harbour_assistant, stream_delay=0.0)
    previous, history = "", []
    for question, resolved in zip(CHAIN, RESOLVED, strict=True):
        *_, last = service.respond(question, history, "", "", ["article", "chronology"], previous)
        history, previous = last[0], last[3]
        assert previous == resolved
    api_previous = ""
    for question, resolved in zip(CHAIN, RESOLVED, strict=True):
        data = service.ask(question, previous=api_previous)
        assert data["resolved_question"] == data["question_analysis"]["text"] == resolved
        api_previous = data["resolved_question"]


# ------------------------------------------------------------------------------------------------- dates, answered


def test_a_slashed_date_is_answered_with_its_entry(harbour_assistant: Assistant) -> None:
    answer = harbour_assistant.answer("What happened on 4/9/2024?")
    assert answer.kind == "timeline" and [i.label for i in answer.items] == ["April 9, 2024"]
    assert "4/9/2024 read as April 9, 2024 (month first)" in answer.interpreted


def test_an_unreadable_date_is_said_not_listed(harbour_assistant: Assistant) -> None:
    answer = harbour_assistant.answer("What happened on 13/45/2024?")
    assert answer.abstained and answer.kind == "abstain" and not answer.items
    assert answer.text.startswith("I could not read “13/45/2024” (neither 13 nor 45 is a month) as a date")
    assert not answer.citations and "closest passages" not in answer.text
    typed = harbour_assistant.answer("Who did Okafor meet on the 32nd?")
    assert any("“the 32nd” (no month has a day 32)" in note for note in typed.notes)


def test_meetings_that_took_place_are_a_list_not_a_place(harbour_assistant: Assistant) -> None:
    answer = harbour_assistant.answer("Which meetings took place in April?")
    assert answer.analysis is not None and answer.analysis.answer_type == "list"
    assert "asks for: place" not in answer.interpreted
    assert answer.kind == "timeline" and {i.label for i in answer.items} == {"April 9, 2024", "April 20, 2024"}


def test_why_these_sources_lists_each_passage_once(harbour_assistant: Assistant) -> None:
    from ui.render import inspector_rows

    answer = harbour_assistant.answer("What happened in April?")
    assert answer.kind == "timeline"
    assert len({p.id for p in answer.passages}) < len(answer.passages)  # the answer lists entries it also retrieved
    rows = inspector_rows(answer)
    labels = [row[1] for row in rows]
    assert len(labels) == len(set(labels)) == len({p.id for p in answer.passages})
    assert [row[0] for row in rows] == list(range(1, len(rows) + 1))
    cited = [row for row in rows if row[-1]]
    assert len(cited) == len(answer.citations) and all(row[3] != "–" or row[4] != "–" for row in cited)


def test_a_follow_up_replaces_a_name_of_its_kind_as_the_built_alias_table_says(harbour_assistant: Assistant) -> None:
    first = harbour_assistant.answer("When did Okafor meet Lindqvist in Oslo?")
    for question, resolved in [("And Bergen?", "When did Okafor meet Lindqvist in Bergen?"),
                               ("What about Brandt?", "When did Brandt meet Lindqvist in Bergen?")]:
        answer = harbour_assistant.answer(question, previous=carried_question(first))
        assert answer.analysis is not None and answer.analysis.text == resolved
        first = answer
