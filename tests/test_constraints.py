"""Constraints bind every answer (rag/constraints.py): periods, documents, names, offices, exclusions, grain,
and the alias table built with the index (rag/aliases.py). Two small briefings of our own, one library."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag import Answer, Assistant, Filters, Index, build_index
from rag.aliases import ALIASES_FILE, Aliases, definitions, gazetteer_grain
from rag.constraints import Unmet, check, read
from rag.embed import Embedder
from rag.question import analyze
from rag.schema import Citation
from rag.settings import Settings

ALPHA = """Harbor Talks
The Northern Ports Council (NPC) met in Lisbon to plan a new ferry line. Its members said the ferry line would open in the spring.

Chronology
March 2, 2024: Foreign Minister Okafor meets with Ambassador Lindqvist in Lisbon.
March 4, 2024: Okafor meets with Governor Brandt in Porto.
March 7, 2024: Okafor visits Portugal.
March 9, 2024: Okafor and Lindqvist attend a Northern Ports Council meeting in Oslo.
March 15, 2024: The Northern Ports Council holds a ferry safety workshop in Lisbon.
March 20, 2024: The Northern Ports Council meets in Bergen.
"""
BETA = """Grain Notes
Farmers near Brno sold more grain this spring than in any year before.

Chronology
March 4, 2024: Minister Petrak visits a grain silo in Brno.
March 6, 2024: Petrak meets with Ambassador Lindqvist in Prague.
"""


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory, settings: Settings, embedder: Embedder) -> Index:
    folder = tmp_path_factory.mktemp("constraints")
    paths = []
    for name, text in (("alpha", ALPHA), ("beta", BETA)):
        path = folder / f"{name}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return build_index(paths, folder / "idx", settings, embedder, progress=False)


@pytest.fixture(scope="module")
def helper(library: Index, settings: Settings, embedder: Embedder) -> Assistant:
    # Which candidate the constraints admit, whatever the calibrated threshold for showing it in bold.
    assistant = Assistant(library, settings=settings, embedder=embedder)
    assistant.calibration = {k: v for k, v in assistant.calibration.items() if k != "short"}
    return assistant


def texts(answer: Answer) -> list[str]:
    return [i.text for i in answer.items]


# ------------------------------------------------------------------------------------------------ the alias table


def test_the_alias_table_is_built_with_the_index_and_recorded_in_its_manifest(library: Index) -> None:
    manifest = json.loads((Path(library.path) / "manifest.json").read_text(encoding="utf-8"))
    assert ALIASES_FILE in manifest["files"]
    stored = json.loads((Path(library.path) / ALIASES_FILE).read_text(encoding="utf-8"))
    assert stored["acronyms"] == {"Northern Ports Council": "NPC"}
    assert library.aliases.pattern("NPC").search("The Northern Ports Council meets in Bergen.")
    assert library.aliases.pattern("the Northern Ports Council").search("The NPC met.")
    assert "NPC" in library.aliases.expand("Where did the Northern Ports Council meet?")


def test_definitions_take_the_words_whose_initials_spell_the_acronym() -> None:
    assert definitions("Japan’s ruling Liberal Democratic Party (LDP) lost.") == [("Liberal Democratic Party", "LDP")]
    assert definitions("the Pacific Islands Forum (PIF) met") == [("Pacific Islands Forum", "PIF")]
    assert definitions("a loan (USD) was paid") == []  # one capitalised word defines nothing


def test_the_gazetteer_tells_countries_from_cities() -> None:
    assert gazetteer_grain("Portugal") == "country"
    assert gazetteer_grain("Porto") == "city"
    assert gazetteer_grain("the Northern Ports Council") == ""


# ---------------------------------------------------------------------------------------------- reading the question


@pytest.mark.parametrize("question, excluded", [
    ("Which entries concern the Quad but not Tokyo?", ("Tokyo",)),
    ("Which entries name Okafor other than the Lisbon ones?", ("Lisbon",)),
    ("Who besides Lindqvist met Okafor?", ("Lindqvist",)),
    ("List the meetings except Oslo", ("Oslo",)),
    ("Which entries mention Okafor, excluding Porto?", ("Porto",)),
    ("What happened outside Lisbon?", ("Lisbon",)),
])
def test_exclusions_are_read_and_kept_out_of_the_subject(question: str, excluded: tuple[str, ...]) -> None:
    q = read(analyze(question), Aliases())
    assert q.limits is not None and q.limits.exclusions == excluded
    assert not any(x in q.subject for x in excluded)
    assert not any(x in n for n in q.topic_names for x in excluded)


def test_names_offices_and_grain_are_fields(library: Index) -> None:
    q = read(analyze("In which city did Okafor meet the president of Mexico?"), library.aliases)
    assert q.limits is not None
    assert q.limits.people == ("Okafor",)
    assert q.limits.offices == ("the president of Mexico",)
    assert "Mexico" in q.limits.places
    assert q.limits.grain == "city"
    assert q.to_dict()["limits"]["offices"] == ["the president of Mexico"]


# ---------------------------------------------------------------------------------------------- answers bound by them


def test_a_typed_answer_comes_from_the_period_asked(helper: Assistant) -> None:
    answer = helper.answer("Who met Okafor on March 4?")
    assert not answer.abstained and answer.short_answer == "Brandt"
    assert all(c.passage.date_start == "2024-03-04" for c in answer.citations)
    other = helper.answer("Who met Okafor on March 2?")
    assert other.short_answer == "Lindqvist"


def test_a_name_the_briefing_lacks_is_named_in_the_abstention(helper: Assistant) -> None:
    answer = helper.answer("Where did Okafor meet the president of Mexico?")
    assert answer.abstained and answer.unmet in ("office", "name")
    assert "Mexico" in answer.text and answer.short_answer is None
    assert answer.to_dict()["unmet"] == answer.unmet


def test_names_that_no_one_passage_carries_together_abstain(helper: Assistant) -> None:
    answer = helper.answer("Where did Petrak meet Brandt?")
    assert answer.abstained and answer.unmet == "name"


def test_an_empty_period_names_the_nearest_entries_outside_it(helper: Assistant) -> None:
    answer = helper.answer("What did the Northern Ports Council do in April?")
    assert answer.abstained and answer.unmet == "period"
    assert "before the period" in answer.text and "Bergen" in answer.text
    assert all(c.passage.date_start and c.passage.date_start < "2024-04-01" for c in answer.citations)


def test_negation_lists_the_entries_without_the_excluded_name(helper: Assistant) -> None:
    answer = helper.answer("Which entries concern the Northern Ports Council but not Lisbon?")
    assert answer.kind == "timeline" and "but not Lisbon" in answer.text.splitlines()[0]
    assert texts(answer) and all("Lisbon" not in t and "Northern Ports Council" in t for t in texts(answer))
    assert {"Oslo", "Bergen"} <= {w.strip(".") for t in texts(answer) for w in t.split()}


def test_the_grain_asked_for_is_checked_with_a_gazetteer(helper: Assistant) -> None:
    assert helper.answer("In which city did Okafor meet Brandt?").short_answer == "Porto"
    for question in ("In which country did Okafor meet Brandt?", "Which city did Okafor visit on March 7?"):
        answer = helper.answer(question)
        assert answer.abstained and answer.short_answer is None, question
        assert answer.unmet == "grain" and ("no city" in answer.text or "no country" in answer.text), question
    assert helper.answer("Which country did Okafor visit on March 7?").short_answer == "Portugal"


def test_a_role_asked_for_is_answered_only_by_someone_bearing_its_title(helper: Assistant) -> None:
    assert helper.answer("Who is the governor that Okafor met in Porto?").short_answer == "Brandt"
    answer = helper.answer("Who is the mayor of Porto?")
    assert answer.abstained and answer.short_answer is None


def test_grain_unit_checks() -> None:
    from rag.constraints import _grain_ok

    table = Aliases()
    assert _grain_ok("year", table, "2024") and not _grain_ok("year", table, "March 4")
    assert _grain_ok("company", table, "Lockheed Martin") and not _grain_ok("company", table, "Ministry of Defense")
    assert not _grain_ok("city", table, "Portugal") and _grain_ok("country", table, "Portugal")


def test_a_long_name_is_answered_like_its_acronym(helper: Assistant) -> None:
    short = helper.answer("Where did the NPC meet on March 20?")
    long = helper.answer("Where did the Northern Ports Council meet on March 20?")
    assert short.short_answer == long.short_answer == "Bergen"


@pytest.mark.parametrize("docs, wanted, unwanted", [(("beta",), "Petrak", "Okafor"), (("alpha",), "Okafor", "Petrak")])
def test_the_document_filter_binds_every_chronology_path(helper: Assistant, docs: tuple[str, ...], wanted: str,
                                                          unwanted: str) -> None:
    filters = Filters(docs=docs)
    dated = helper.answer("What happened on March 4, 2024?", filters=filters)
    assert dated.kind == "timeline" and texts(dated) and all(wanted in t for t in texts(dated))
    assert all(c.passage.doc in docs for c in dated.citations)
    for question in ("Which entries concern Lindqvist?", "How many entries name Lindqvist?",
                     "When did Lindqvist first meet someone?", "What happened in March 2024?",
                     "What happened the day after Okafor met Governor Brandt?"):
        answer = helper.answer(question, filters=filters)
        assert all(c.passage.doc in docs for c in answer.citations), question
        assert unwanted not in "\n".join(texts(answer)), question
    count = helper.answer("How many entries name Lindqvist?", filters=filters)
    assert count.short_answer == ("1" if docs == ("beta",) else "2")


def test_the_date_filter_binds_the_chronology_too(helper: Assistant) -> None:
    from datetime import date

    answer = helper.answer("Which entries concern the Northern Ports Council?",
                           filters=Filters(start=date(2024, 3, 10)))
    assert texts(answer) and all("March 9" not in t for t in texts(answer))


def test_check_refuses_an_answer_citing_another_document(helper: Assistant, library: Index) -> None:
    q = helper.analyze("What happened on March 4, 2024?", filters=Filters(docs=("beta",)))
    foreign = next(p for p in library.passages if p.doc == "alpha" and p.kind == "chronology")
    made = Answer(q.asked, "x [1]", (Citation(1, foreign, foreign.char_start, foreign.char_end),), (foreign,), False,
                  0.9, kind="extract", analysis=q)
    unmet = check(q, made, library)
    assert isinstance(unmet, Unmet) and unmet.kind == "document"
    assert check(q, helper.answer(q.asked, filters=Filters(docs=("beta",))), library) is None
