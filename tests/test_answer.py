import re

import pytest

from rag import Assistant
from rag.errors import InvalidQuestionError


def check_citations(answer) -> None:  # type: ignore[no-untyped-def]
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
    assert markers == {c.n for c in answer.citations}
    for c in answer.citations:
        p = c.passage
        assert p.char_start <= c.highlight_start < c.highlight_end <= p.char_end


def test_the_quad_cyber_question_answers_tokyo_with_its_dated_entry(assistant: Assistant) -> None:
    answer = assistant.answer("Where did the Quad Senior Cyber Group meet in December?")
    assert not answer.abstained and "Tokyo" in answer.text
    assert answer.citations[0].passage.kind == "chronology"
    assert answer.citations[0].passage.date_start == "2023-12-05"
    assert answer.short_answer == "Tokyo" and answer.text.startswith("Tokyo — Dec. 5-6, 2023")
    c = answer.citations[0]
    assert c.short_start is not None and c.short_end is not None
    assert c.highlight_start <= c.short_start < c.short_end <= c.highlight_end
    check_citations(answer)


def test_out_of_scope_question_abstains_and_shows_closest_passages(assistant: Assistant) -> None:
    answer = assistant.answer("What is Japan's unemployment rate?")
    assert answer.abstained and answer.text.startswith("The briefing doesn't say")
    assert 1 <= len(answer.citations) <= 3
    assert answer.confidence < assistant.min_confidence
    check_citations(answer)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("When did the Osprey crash?", "Nov. 29"),
        ("How many crew members were killed in the Osprey crash?", "eight"),
        ("Who replaced Hayashi as foreign minister?", "Kamikawa"),
        ("What award did Kishida receive from the Gates Foundation?", "Goalkeepers"),
    ],
)
def test_short_grounded_answers(assistant: Assistant, question: str, expected: str) -> None:
    answer = assistant.answer(question)
    assert not answer.abstained and expected in answer.text
    assert len(re.sub(r"\s*\[\d+\]", "", answer.text)) <= 400
    assert 0.0 <= answer.confidence <= 1.0
    check_citations(answer)


def test_when_questions_lead_with_the_date(assistant: Assistant) -> None:
    answer = assistant.answer("When did Kishida meet Google's CEO Sundar Pichai?")
    assert answer.text.startswith("Nov. 16, 2023")


def test_what_happened_gets_a_dated_list(assistant: Assistant) -> None:
    answer = assistant.answer("What happened on Nov. 16?")
    lines = [line for line in answer.text.splitlines() if line.startswith("- ")]
    assert len(lines) == 4 and all(re.search(r"\[\d+\]$", line) for line in lines)
    assert "Pichai" in answer.text and "APEC" in answer.text
    check_citations(answer)


def test_follow_up_keeps_the_subject(assistant: Assistant) -> None:
    answer = assistant.answer("And in December?", previous="What did the Quad do in November?")
    assert "Quad" in answer.interpreted and "Dec" in answer.interpreted
    assert "Honolulu" in answer.text and "Tokyo" in answer.text


@pytest.mark.parametrize(
    ("question", "message"),
    [("", "empty"), ("   \n\t ", "empty"), ("x" * 100_000, "limit"), ("hi\x07there", "control character"),
     ("日本の出生率は何ですか", "English"), ("?!?", "no words")],
)
def test_bad_questions_are_refused_clearly(assistant: Assistant, question: str, message: str) -> None:
    with pytest.raises(InvalidQuestionError, match=message):
        assistant.answer(question)


def test_long_questions_are_cut_to_the_model_limit_with_a_note(assistant: Assistant) -> None:
    question = "Where did the Quad Senior Cyber Group meet? " + "Please explain the context. " * 60
    answer = assistant.answer(question)
    assert any("cut" in note for note in answer.notes)
    check_citations(answer)


def test_answers_are_reproducible(assistant: Assistant) -> None:
    first = assistant.answer("What did the Cabinet decide about defense equipment exports?")
    second = assistant.answer("What did the Cabinet decide about defense equipment exports?")
    assert first.text == second.text and first.confidence == second.confidence


def test_short_answer_takes_the_name_whose_title_fits_the_role(assistant: Assistant) -> None:
    # Which name is chosen, whatever the calibrated threshold for showing it in bold (every short answer shown).
    shows_all = Assistant(assistant.index, assistant.retriever, assistant.settings)
    shows_all.calibration = {k: v for k, v in assistant.calibration.items() if k != "short"}
    answer = shows_all.answer("Who was Korea's special representative on the Dec. 19 call?")
    assert answer.short_answer == "Kim Gun" and answer.kind == "extract"
    c = answer.citations[0]
    assert c.passage.date_start == "2023-12-19"
    source = assistant.index.source(c.passage.doc)
    assert c.short_start is not None and c.short_end is not None
    assert source[c.short_start : c.short_end] == "Kim Gun"
    assert c.highlight_start <= c.short_start and c.short_end <= c.highlight_end
    assert answer.to_dict()["answer_type"] == "person"


def test_questions_the_briefing_cannot_answer_are_refused_by_rule(assistant: Assistant) -> None:
    answer = assistant.answer("What is Japan's unemployment rate?")
    assert answer.abstained and answer.kind == "abstain" and answer.short_answer is None
    assert len(answer.citations) == 3  # the closest passages are still shown


def test_no_bold_answer_for_a_relation_the_briefing_never_states(assistant: Assistant) -> None:
    # No rule refuses because "builds" is missing (the text might say it in other words), but no organization
    # in the evidence stands in that relation, so none is shown as the answer.
    answer = assistant.answer("Which company builds the Osprey?")
    assert answer.short_answer is None


def test_trimming_never_cuts_through_the_short_answer(assistant: Assistant) -> None:
    ev = assistant.evidence
    source = "A, " * 120 + "the envoy, Jane Roe, arrived, " + "b, " * 120 + "end."
    keep = (source.index("Jane Roe"), source.index("Jane Roe") + len("Jane Roe"))
    a, b = ev.trim(source, 0, len(source), frozenset({"envoy"}), keep)
    assert a <= keep[0] and keep[1] <= b
