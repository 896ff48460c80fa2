"""The sentence splitter, the marker reader and the language check of rag/verify.py (no model, no index)."""

import pytest

from rag.verify import abstains, claim_of, is_english, markers, split_sentences


def test_markers_written_after_the_full_stop_stay_with_their_sentence() -> None:
    text = "The accord was signed in Reykjavik. [1] Iceland pledged 40 million krona [2].\n- Norway met in Bergen [3]"
    assert split_sentences(text) == ["The accord was signed in Reykjavik. [1]", "Iceland pledged 40 million krona [2].",
                                     "Norway met in Bergen [3]"]


def test_abbreviations_do_not_end_a_sentence() -> None:
    assert split_sentences("The U.S. Navy met on Jan. 5 in Bergen [1]. It ended [2].") == [
        "The U.S. Navy met on Jan. 5 in Bergen [1].", "It ended [2]."]


@pytest.mark.parametrize(("sentence", "expected"), [
    ("Signed in Reykjavik [1].", (1,)),
    ("Signed [1][3] and [1].", (1, 3)),
    ("Signed [1, 2].", (1, 2)),
    ("Signed [2-4].", (2, 3, 4)),
    ("Signed [Passage 2].", (2,)),
    ("Signed in Reykjavik.", ()),
])
def test_markers(sentence: str, expected: tuple[int, ...]) -> None:
    assert markers(sentence) == expected


def test_claim_of_drops_the_markers() -> None:
    assert claim_of("Signed in Reykjavik [1] on Monday [2].") == "Signed in Reykjavik on Monday."


def test_abstentions_are_recognized() -> None:
    assert abstains("The briefing does not say.")
    assert abstains("The passages don't mention the unemployment rate.")
    assert not abstains("The accord was signed in Reykjavik [1].")


def test_a_reply_in_another_language_is_not_english() -> None:
    assert is_english("The Lantern Accord was signed in Reykjavik by both delegations [1].")
    assert not is_english("L'accord Lantern a été signé à Reykjavik par les deux délégations [1].")
    assert not is_english("ランタン協定はレイキャビクで署名されました [1]。")
