"""Relevance and correctness by text: which passages support an evidence string, which answers are right.

Evidence is stored as text, not passage ids, so the judgments survive re-chunking: a passage *supports*
an evidence string when, both normalized, the passage contains the evidence, or it contains one of the
answer strings (as a whole phrase) and at least `WORD_SHARE` of the evidence's words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

#: Share of an evidence string's words a passage must hold (with an answer string) to support it.
WORD_SHARE = 0.6

_ASCII = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "—": "-", "–": "-"})
_WORD = re.compile(r"[a-z0-9]+")


def normalize(text: str) -> str:
    """Lowercase, whitespace collapsed, curly quotes and long dashes mapped to ASCII.

    Example:
        >>> normalize("Japan’s  “G2” — Dec. 5–7")
        'japan\\'s "g2" - dec. 5-7'
    """
    return " ".join(text.translate(_ASCII).lower().split())


def words(text: str) -> list[str]:
    """The alphanumeric words of (already normalized) text."""
    return _WORD.findall(text)


def contains_phrase(text: str, phrase: str) -> bool:
    """`phrase` occurs in `text` (both normalized) as a whole phrase, not inside a longer word or number.

    Example:
        >>> contains_phrase("met in taiwan", "tai"), contains_phrase("met tai in tokyo", "tai")
        (False, True)
    """
    if not phrase:
        return False
    pattern = (r"(?<![a-z0-9])" if phrase[0].isalnum() else "") + re.escape(phrase)
    pattern += r"(?![a-z0-9])" if phrase[-1].isalnum() else ""
    return re.search(pattern, text) is not None


def supports(text: str, evidence: str, answers: Sequence[str]) -> bool:
    """Whether a passage (or sentence) `text` supports `evidence` for a question with these `answers`.

    Example:
        >>> supports("Biden and Kishida met in San Francisco.", "Biden and Kishida meet in SF", ["San Francisco"])
        True
    """
    t, e = normalize(text), normalize(evidence)
    if e in t:
        return True
    if not any(contains_phrase(t, normalize(a)) for a in answers):
        return False
    wanted = words(e)
    have = set(words(t))
    return bool(wanted) and sum(w in have for w in wanted) / len(wanted) >= WORD_SHARE


def answer_matches(text: str, answers: Sequence[str], all_answers: bool = False) -> bool:
    """The answer text names an answer string (every one with `all_answers`), as a whole phrase."""
    t = normalize(text)
    found = [contains_phrase(t, normalize(a)) for a in answers]
    return bool(found) and (all(found) if all_answers else any(found))
