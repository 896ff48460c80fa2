"""Spellings of one word: US and UK forms ("defense" / "defence", "harbor" / "harbour", "organization" /
"organisation", "center" / "centre", "program" / "programme", "traveled" / "travelled"), hyphenation
("cyber-security" / "cybersecurity" / "cyber security") and plurals the stemmer does not join ("analyses" /
"analysis"). A rule that refuses because the briefing never uses a word asks `spelled_in`, so a word the
briefing spells otherwise never decides a refusal. Plain rules over English spelling, the same on any briefing.

Example:
    >>> sorted(spellings("defence"))
    ['defence', 'defense']
    >>> from rag.question import terms
    >>> spelled_in("harbor", terms("The harbour authority met.")), spelled_in("unemployment", terms("Rates rose."))
    (True, False)
"""

from __future__ import annotations

import re
from collections.abc import Container
from functools import lru_cache

__all__ = ["canonical", "spelled_in", "spellings"]

#: Words ending in "our" that keep it in US spelling too.
_OUR_KEPT = frozenset(["detour", "contour", "devour", "paramour", "velour", "troubadour", "amour", "glamour",
                       "flour", "scour", "dour"])
#: (UK ending, US ending) pairs, each tried both ways; with what may follow the ending (a suffix).
_ENDINGS = (
    ("our", "or"), ("isation", "ization"), ("ise", "ize"), ("ised", "ized"), ("ising", "izing"), ("yse", "yze"),
    ("ence", "ense"), ("tre", "ter"), ("bre", "ber"), ("ogue", "og"), ("mme", "m"), ("lled", "led"),
    ("lling", "ling"), ("ller", "ler"),
)
_SUFFIXES = ("", "s", "ed", "ing", "able", "ful", "ite", "hood", "al", "ally")


def _swapped(word: str) -> set[str]:
    out: set[str] = set()
    for suffix in _SUFFIXES:
        if suffix and not word.endswith(suffix):
            continue
        stem, tail = (word[: -len(suffix)], suffix) if suffix else (word, "")
        for uk, us in _ENDINGS:
            for a, b in ((uk, us), (us, uk)):
                if stem.endswith(a) and len(stem) - len(a) >= 2:
                    if a == "our" and (stem in _OUR_KEPT or len(stem) - 3 < 3):
                        continue
                    out.add(stem[: -len(a)] + b + tail)
    # "ae"/"oe" inside a word ("paediatric", "manoeuvre") as well as at its end
    for a, b in (("ae", "e"), ("oe", "e")):
        if a in word[1:]:
            out.add(word[0] + word[1:].replace(a, b))
    return out


@lru_cache(maxsize=8192)
def spellings(word: str) -> frozenset[str]:
    """`word` (lower case) and its other spellings: US/UK forms, hyphen dropped or spaced, "-ses" for "-sis"."""
    w = word.lower()
    out = {w}
    if "-" in w:
        out |= {w.replace("-", ""), w.replace("-", " ")}
    if w.endswith("ses") and len(w) > 5:
        out.add(w[:-3] + "sis")
    if w.endswith("sis"):
        out.add(w[:-3] + "ses")
    for form in list(out):
        out |= _swapped(form)
    return frozenset(out)


def canonical(word: str) -> str:
    """One spelling for every spelling of a word (the shortest, then the first in order): "defence" and
    "defense" are both "defence", "harbour" and "harbor" both "harbor"."""
    w = word.lower()
    return min({w} | _swapped(w), key=lambda f: (len(f), f))


def spelled_in(word: str, vocabulary: Container[str]) -> bool:
    """Whether the briefing uses `word` in one of its spellings: every stemmed term of some spelling is in
    `vocabulary` (the briefing's stemmed terms), or the word is two terms the briefing uses written together
    ("cybersecurity" for "cyber security")."""
    from rag.question import terms

    for form in spellings(word):
        found = terms(form)
        if found and all(t in vocabulary for t in found):
            return True
    w = re.sub(r"[^a-z]", "", word.lower())
    for i in range(3, len(w) - 2):  # written as one word here, as two there
        left, right = terms(w[:i]), terms(w[i:])
        if left and right and all(t in vocabulary for t in left | right):
            return True
    return False
