"""Sentences read with their neighbours: which sentence continues the one before it, and which passage
holds the sentence before or after a passage's own.

A sentence that opens with a pronoun ("It marks …", "They pledged …"), a demonstrative ("This is a historic
step"), an anaphoric noun phrase ("The move was scheduled …", "The decision …"), a connective ("In other
words", "As a result") or a parenthesis ("(Construction began early to …)") is read together with the sentence
before it: what that sentence names is what this one is about. Rules about English, the same on any briefing;
they read the parse stored at build time (rag/entities.py), never a model.
"""

from __future__ import annotations

import re
from bisect import bisect_left

import numpy as np

from rag.index import Index
from rag.schema import Passage

Token = tuple[int, int, str, str, str, int]

#: Words that open a sentence about what the sentence before it named.
_ANAPHORS = frozenset(
    {"it", "its", "they", "them", "their", "this", "that", "these", "those", "he", "his", "she", "her", "such",
     "both", "neither", "either"}
)
#: Nouns that, after "the" or a demonstrative, stand for an action or event just told ("The move", "The decision").
_EVENT_NOUNS = frozenset(
    {"move", "decision", "step", "deal", "measure", "plan", "change", "action", "effort", "agreement", "announcement",
     "initiative", "result", "outcome", "shift", "development", "rule", "rules", "policy", "visit", "trip",
     "meeting", "talks", "statement", "report", "survey", "incident", "accident", "crash", "event", "episode",
     "proposal", "arrangement", "project", "work", "process", "decline", "increase", "drop", "rise"}
)
#: Connectives that tie a sentence to the one before it.
_CONNECTIVE = re.compile(
    r"^\s*[(\[]|^\s*(?:in other words|that is|as a result|because of (?:this|that)|for that reason|"
    r"consequently|therefore|thus|hence|instead|in turn|to that end|for this reason|in response|"
    r"that (?:is why|means)|this (?:is why|means))\b",
    re.IGNORECASE,
)


def opens_as_continuation(text: str, tokens: list[Token]) -> bool:
    """The sentence (`text`, its parse `tokens`) continues the one before it.

    Example:
        >>> opens_as_continuation("(The early start was meant to avoid storms.)", [])
        True
        >>> opens_as_continuation("In other words, the ships will go back.", [])
        True
    """
    if _CONNECTIVE.search(text):
        return True
    words = [t for t in tokens if t[3] != "PUNCT"][:3]
    if not words:
        first = re.findall(r"[A-Za-z’']+", text)[:2]
        lemmas = [w.lower() for w in first]
        pos = ["" for _ in lemmas]
    else:
        lemmas = [t[2] for t in words]
        pos = [t[3] for t in words]
    if not lemmas:
        return False
    if lemmas[0] in _ANAPHORS and (not pos[0] or pos[0] in ("PRON", "DET")):
        return True
    # "The move …", "This decision …": a definite article or demonstrative before a noun of action or event.
    return len(lemmas) > 1 and lemmas[0] in ("the", "this", "that", "these", "those") and lemmas[1] in _EVENT_NOUNS


class Neighbours:
    """Which article passage comes right before or after another in the same section, for one index."""

    def __init__(self, index: Index) -> None:
        self.index = index
        order: dict[tuple[int, int], list[tuple[int, int]]] = {}
        c = index.columns  # no passage is decoded (rag/passage_table.py)
        keep = np.flatnonzero(~c.chronology & (c.n_sentences > 0)).tolist()
        for pos, doc, section, start in zip(keep, c.doc[keep].tolist(), c.section[keep].tolist(),
                                            c.char_start[keep].tolist(), strict=True):
            order.setdefault((doc, section), []).append((start, pos))
        self._docs = {d: i for i, d in enumerate(c.docs)}
        self._sections = {s: i for i, s in enumerate(c.sections)}
        self._order = {key: sorted(v) for key, v in order.items()}

    def _step(self, p: Passage, by: int) -> Passage | None:
        if p.kind != "article":
            return None
        run = self._order.get((self._docs.get(p.doc, -1), self._sections.get(p.section, -1)))
        if not run:
            return None
        i = bisect_left(run, (p.char_start, -1))
        j = i + by
        if not (0 <= i < len(run)) or run[i][0] != p.char_start or not (0 <= j < len(run)):
            return None
        return self.index.passages[run[j][1]]

    def before(self, p: Passage) -> Passage | None:
        """The article passage right before `p` in its section, or None."""
        return self._step(p, -1)

    def after(self, p: Passage) -> Passage | None:
        """The article passage right after `p` in its section, or None."""
        return self._step(p, 1)
