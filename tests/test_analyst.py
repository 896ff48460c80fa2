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
    "Who is leading {x}?", "Who's running {x}?", "Who has been heading {x} since March?", "Who heads up {x}?",
    "Who is the person in charge of {x}?", "Who is responsible for running {x}?",
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
    "Who is in charge?", "Who is responsible?", "Which delegation was led by Kishida?",
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


@pytest.mark.parametrize("question", [
    "Who commands the Norwegian Army?", "Who is in charge of the Norwegian Army?", "Who leads the Norwegian Army?",
])
def test_a_head_is_met_by_a_title_after_the_name_too(fjell: Assistant, question: str) -> None:
    answer = fjell.answer(question)  # "General Erik Vang, commander of the Norwegian Army,"
    assert not answer.abstained and "Erik Vang" in answer.text, answer.text


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


# ------------------------------------------------------------------------ 2. an adjective of place is its place


@pytest.mark.parametrize(("word", "known", "place"), [
    ("Californian", {"California"}, "California"), ("Bavarian", {"Bavaria"}, "Bavaria"),
    ("Iberian", {"Iberia"}, "Iberia"), ("Scandinavians", {"Scandinavia"}, "Scandinavia"),
    ("Japanese", {"Japan"}, "Japan"), ("Polish", {"Poland"}, "Poland"), ("Pakistani", {"Pakistan"}, "Pakistan"),
    ("Mexican", {"Mexico"}, "Mexico"), ("Italian", {"Italy"}, "Italy"), ("Swedish", {"Sweden"}, "Sweden"),
    ("Chinese", {"China", "Chin"}, "China"), ("Danish", {"Denmark"}, "Denmark"),
    ("Californian", {"Bavaria"}, None), ("Quad", {"Quad"}, None),
])
def test_an_adjective_of_place_is_matched_to_its_place_only_when_someone_knows_it(
    word: str, known: set[str], place: str | None
) -> None:
    from rag.demonyms import place_of

    assert place_of(word, known.__contains__) == place


@pytest.mark.parametrize(("types", "place"), [
    ({"okinawa": "place"}, "Okinawa"),
    ({"okinawa": "person"}, "Okinawa"),  # the tagger's vote may file a place as a person: still the place
    ({"okinawa prefecture": "place", "naha": "place"}, None),  # not named so: no place (and no refusal)
])
def test_an_adjective_is_read_as_the_place_the_alias_table_knows(types: dict[str, str], place: str | None) -> None:
    from rag.aliases import Aliases
    from rag.constraints import read

    limits = read(analyze("What did the Okinawan governor oppose?"), Aliases(types=types)).limits
    assert limits is not None
    assert limits.places == ((place,) if place else ())
    assert "Okinawan" not in limits.others


def test_the_words_of_adjectives_and_of_names_are_told_apart() -> None:
    from rag.demonyms import adjectival

    assert all(adjectival(w) for w in ("Californian", "Iberian", "Bavarians", "Vietnamese", "Turkish"))
    assert not any(adjectival(w) for w in ("Hayashi", "Morgan", "Kowalczyk", "Sato", "Nowak", "Ian"))


@pytest.mark.parametrize(("question", "place", "said"), [
    ("What did the Californian government sign?", "California", "clean-shipping pact"),
    ("What did the Bavarian trade mission study in Bergen?", "Bavaria", "hydrogen trains"),
])
def test_a_question_with_an_adjective_is_answered_where_the_briefing_names_the_place(
    fjell: Assistant, question: str, place: str, said: str
) -> None:
    answer = fjell.answer(question)
    assert not answer.abstained, answer.text
    assert said in answer.text
    assert answer.analysis is not None and answer.analysis.limits is not None
    assert place in answer.analysis.limits.places


def test_an_adjective_that_describes_what_is_asked_need_not_be_said_by_its_sentence(fjell: Assistant) -> None:
    answer = fjell.answer("In which Bavarian city did Holm open a trade fair?")  # the entry names Munich only
    assert not answer.abstained and "Munich" in answer.text, answer.text


def test_an_adjective_of_a_known_place_the_briefing_never_names_is_refused_by_the_place(fjell: Assistant) -> None:
    answer = fjell.answer("What did the Peruvian delegation sign?")
    assert answer.abstained and "never mentions Peru." in answer.text


def test_an_adjective_whose_place_no_one_knows_does_not_refuse_by_itself(fjell: Assistant) -> None:
    answer = fjell.answer("What did the Atlantean ferry operators promise to buy for the San Francisco Bay?")
    assert "never mentions Atlantean" not in answer.text
    assert answer.analysis is not None and answer.analysis.limits is not None
    assert answer.analysis.limits.unplaced == ("Atlantean",)
    assert not answer.abstained and "electric ferries" in answer.text, answer.text


# ------------------------------------------------------------------------------ 3. spelling decides no refusal


@pytest.mark.parametrize(("word", "other"), [
    ("defence", "defense"), ("harbour", "harbor"), ("organisation", "organization"), ("centre", "center"),
    ("programme", "program"), ("travelled", "traveled"), ("labour", "labor"), ("catalogue", "catalog"),
    ("analyses", "analysis"), ("cyber-security", "cybersecurity"),
])
def test_the_spellings_of_a_word_include_its_other_spelling(word: str, other: str) -> None:
    from rag.spelling import canonical, spellings

    assert other in spellings(word) and word in spellings(other) | {word}
    if "-" not in word and not word.endswith("ses"):
        assert canonical(word) == canonical(other)


def test_words_that_only_look_british_keep_their_one_spelling() -> None:
    from rag.spelling import spellings

    assert spellings("tour") == {"tour"} and spellings("four") == {"four"} and spellings("detour") == {"detour"}


@pytest.mark.parametrize(("question", "said"), [
    ("What is Bergen's harbor fee?", "200 kroner"),  # "harbour" in the briefing
    ("What is Norway's cyber-security budget?", "2 billion kroner"),  # "cybersecurity"
])
def test_a_definition_spelled_otherwise_is_answered(fjell: Assistant, question: str, said: str) -> None:
    answer = fjell.answer(question)
    assert not answer.abstained, answer.text
    assert said in answer.text


def test_a_definition_the_briefing_never_uses_in_any_spelling_is_still_refused(fjell: Assistant) -> None:
    answer = fjell.answer("What is Norway's unemployment rate?")
    assert answer.abstained and "unemployment" in answer.text


@pytest.mark.parametrize("question", [
    "What are harbour officials accused of doing?", "What are the Tromsø port officials accused of?",
])
def test_what_someone_is_accused_of_is_no_definition(fjell: Assistant, question: str) -> None:
    q = analyze(question)
    assert q.focus_terms == frozenset()
    answer = fjell.answer(question)
    assert not answer.abstained and "failed to declare gifts" in answer.text, answer.text


# ---------------------------------------------------------------- 4. a list of a kind of person keeps that kind


@pytest.mark.parametrize(("focus", "zone", "verdict"), [
    ("US military commanders", "Commander of the US Sixth Fleet Vice Admiral", True),
    ("US military commanders", "US Army Europe Commander General", True),
    ("military commanders", "Nordlys Energy CEO", False),
    ("military commanders", "Attorney General", False),  # a civil office with a military word in it
    ("ministers", "Finance Minister", True), ("ministers", "Vice Admiral", False),
    ("foreign ministers", "Swedish Foreign Minister", True), ("foreign ministers", "Finance Minister", False),
    ("CEOs", "Nordlys Energy CEO", True), ("business leaders", "President and CEO", True),
    ("business leaders", "Prime Minister", False), ("ambassadors", "Ambassador", True),
    ("military leaders", "Commander of the Northern Fleet Vice Admiral", True),
    ("military commanders", "", None),  # a bare name: not judged
])
def test_a_title_is_judged_of_the_kind_a_question_names(focus: str, zone: str, verdict: bool | None) -> None:
    from rag.kinds import person_kind

    kind = person_kind(focus)
    assert kind is not None and kind.judge(zone) is verdict


@pytest.mark.parametrize("focus", ["officials", "people", "leaders", "delegates", "ports", "defense officials"])
def test_a_noun_of_no_kind_restricts_nothing(focus: str) -> None:
    from rag.kinds import person_kind

    assert person_kind(focus) is None


def test_a_list_of_military_commanders_keeps_only_the_entries_of_commanders(fjell: Assistant) -> None:
    answer = fjell.answer("Which US military commanders did Berg meet in Oslo?")
    assert not answer.abstained
    assert "Thomas Reed" in answer.text and "Mark Keller" in answer.text
    assert "Kari Dahl" not in answer.text and "Ola Strand" not in answer.text


def test_a_question_of_one_kind_is_answered_by_that_kind_only(fjell: Assistant) -> None:
    answer = fjell.answer("Which ministers did Berg meet in Oslo?")
    assert not answer.abstained and "Ola Strand" in answer.text
    # the asked minister himself (Prime Minister Berg) makes no other entry a minister's
    assert "Thomas Reed" not in answer.text and "Kari Dahl" not in answer.text
    answer = fjell.answer("Which business leaders did Berg meet in Oslo?")
    assert "Mark Keller" not in answer.text and "Ola Strand" not in answer.text


def test_whom_someone_met_still_lists_everyone(fjell: Assistant) -> None:
    answer = fjell.answer("Whom did Berg meet in Oslo?")
    assert all(n in answer.text for n in ("Thomas Reed", "Kari Dahl", "Ola Strand", "Mark Keller"))


# ------------------------------------------------------- 5. a body in common nouns, named by its own name


@pytest.mark.parametrize(("question", "names", "is_named"), [
    ("What did the parliament approve?", ["The Diet passed the budget."], True),
    ("What did the parliament approve?", ["Congress passed the budget."], True),
    ("What did the parliament approve?", ["The Bundestag passed the budget."], True),
    ("What did the parliament approve?", ["The National Assembly passed the budget."], True),
    ("What did Japan's parliament approve?", ["The Diet passed the budget."], True),
    ("What did Germany's parliament approve?", ["The Diet passed the budget."], False),  # the Diet is Japan's
    ("What did the central bank decide?", ["The Bank of Japan raised its rate."], True),
    ("What did the central bank decide?", ["The Federal Reserve raised its rate."], True),
    ("What did the central bank decide?", ["The Bank of America raised its fees."], False),  # no country's bank
    ("What did Korea's central bank decide?", ["The Bank of Japan raised its rate."], False),
    ("What did the parliament approve?", ["The cabinet approved the budget."], False),
    ("What did the foreign ministry say?", ["The State Department said no."], True),
    ("Who leads the Chilean finance ministry?", ["Chilean Finance Minister Rosa Ibarra met."], True),  # its head
    ("What did the Norwegian parliament approve?", ["The Storting approved it."], True),  # an adjective owner
    ("What did the Swedish parliament approve?", ["The Storting approved it."], False),
    ("What did the defence ministry say?", ["The Pentagon said no."], True),  # either spelling
    ("What did Japan's foreign ministry say?", ["The State Department said no."], False),
    ("What did the Japanese navy do?", ["The Maritime Self-Defense Force sailed."], True),
    ("What did the Peruvian parliament vote?", ["Peru's Congress voted to extend the royalty."], True),
    ("What did the Peruvian parliament vote?", ["Congress voted to extend the royalty."], False),  # whose?
])
def test_a_generic_body_is_named_by_a_proper_name_of_its_kind(question: str, names: list[str], is_named: bool) -> None:
    from rag.bodies import bodies_in, named

    (body,) = bodies_in(question)
    assert named(body, names) is is_named


@pytest.mark.parametrize(("question", "said"), [
    ("What did the parliament approve?", "coast guard budget"),  # "the Storting"
    ("What did the Norwegian parliament approve?", "coast guard budget"),
    ("What did the central bank cite?", "housing costs"),  # "the Bank of Norway"
])
def test_a_body_called_otherwise_is_answered_from_its_own_name(fjell: Assistant, question: str, said: str) -> None:
    answer = fjell.answer(question)
    assert not answer.abstained, answer.text
    assert said in answer.text and "never mentions" not in answer.text


def test_a_name_spelled_otherwise_is_found() -> None:
    from rag.constraints import _spelled_otherwise

    assert "Defense Ministry" in _spelled_otherwise("Defence Ministry")
    assert "Harbour Safety Board" in _spelled_otherwise("Harbor Safety Board")
    assert _spelled_otherwise("Kowalczyk") == ()


@pytest.mark.parametrize(("question", "said"), [
    ("What did Labor criticize?", "coast guard budget"),  # "Labour" in the briefing
    ("What did the Harbor Safety Board do?", "ferry operators"),  # "Harbour"
])
def test_a_question_naming_a_body_in_the_other_spelling_is_answered(fjell: Assistant, question: str,
                                                                    said: str) -> None:
    answer = fjell.answer(question)
    assert "never mentions" not in answer.text
    assert not answer.abstained and said in answer.text, answer.text


@pytest.mark.parametrize("wording", HEAD_WORDINGS)
def test_every_refusal_of_a_head_in_any_wording_is_grammatical(fjell: Assistant, wording: str) -> None:
    for x in ("the coast guard", "the Southern Fleet"):
        answer = fjell.answer(wording.format(x=x))
        text = answer.text
        assert not re.search(r"\bno (?:in|at|on|for|to|of|by|responsible|charge|the|a|an)\b", text), text
        assert not re.search(r"\bnobody as (?:in|at|on|for|to|of|by|responsible|charge|the|a|an)\b", text), text
        assert not re.search(r"\ba [aeiou]", text) and "the the" not in text, text
        if answer.abstained and "nobody" in text:
            assert f"It names nobody as head of {x} here." in text, text


def test_a_body_of_another_country_is_refused_naming_it(fjell: Assistant) -> None:
    answer = fjell.answer("What did the Swedish parliament approve?")
    assert answer.abstained and "never mentions the Swedish parliament." in answer.text


@pytest.mark.parametrize(("question", "read"), [
    ("Which US military commanders did the PM meet in Oslo?", "did the prime minister meet"),
    ("Whom did Norway's FM call?", "Norway's foreign minister call"),
    ("What happened at 3 PM on March 5?", "at 3 PM on"),  # a time, not an office
])
def test_an_office_abbreviated_is_read_in_words(question: str, read: str) -> None:
    assert read in analyze(question).text


def test_a_list_asked_of_an_office_by_its_abbreviation_is_answered(fjell: Assistant) -> None:
    answer = fjell.answer("Which US military commanders did the PM meet in Oslo?")
    assert "never mentions PM" not in answer.text
    assert not answer.abstained and "Thomas Reed" in answer.text and "Mark Keller" in answer.text, answer.text
    assert "Kari Dahl" not in answer.text and "Ola Strand" not in answer.text
