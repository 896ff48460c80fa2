"""Who heads something, however the question says it: a verb ("who runs / leads / commands / chairs X"), a
phrase ("who is in charge of X", "at the helm of X", "responsible for X", "the head of X") or a possessive
("who is X's leader / chief"). All of them ask for the same thing, the head of X, which a briefing says with a
title before a name ("Commander of the Baltic Fleet Admiral Piotr Nowak", "Orlen Systems President and CEO
Marta Kowalczyk"; rag/reading.py matches the titles). Plain rules over English wording, the same on any briefing.

`headed` reads what is headed ("the Baltic Fleet"); `role_noun` gives the role as a noun phrase a message can
carry ("head of the Baltic Fleet", "Korea's special representative"), and `no_one_as` the refusal built on it.

Example:
    >>> headed("Who is in charge of the Baltic Fleet?"), headed("Who is the Arctic Council's leader?")
    ('the Baltic Fleet', 'the Arctic Council')
    >>> no_one_as("in charge of the Baltic Fleet", headed("Who is in charge of the Baltic Fleet?"))
    'It names nobody as head of the Baltic Fleet here.'
"""

from __future__ import annotations

import re

from rag.spelling import canonical, spellings

__all__ = ["alike", "headed", "no_one_as", "role_noun"]

#: Verbs that make their subject the head of their object.
_VERBS = (r"runs?|ran|running|leads?|led|leading|heads?|headed|heading|chairs?|chaired|commands?|commanded|"
          r"directs?|directed|manages?|managed|helms?|helmed|governs?|governed|oversees?|oversaw|"
          r"presides?\s+over|presided\s+over|controls?|controlled")
#: Phrases that say the same after "is / was": "in charge of", "at the helm of", "responsible for".
_PHRASES = (r"in\s+(?:overall\s+)?(?:charge|command|control)\s+of|at\s+the\s+(?:helm|head|top)\s+of|"
            r"(?:chiefly\s+|directly\s+|ultimately\s+)?responsible\s+for")
#: Nouns of a generic head ("the head of X", "X's leader"); an office ("the president of X") is read as one.
_HEADS = r"head|chief|leader|boss|chair|chairman|chairwoman|chairperson|helmsman|commanding\s+officer"
#: Offices whose head noun is generic but which name no head of what follows ("chief of staff").
_NOT_HEADED = re.compile(r"^(?:staff|state|government|mission|protocol)\b", re.IGNORECASE)
_NOT_AN_OBJECT = re.compile(r"^(?:by|of|to|for|with|from|it|them|this|that|these|those)\b", re.IGNORECASE)
_BE = r"(?:(?:is|was|are|were|has\s+been|had\s+been|will\s+be|would\s+be|now|currently|still)\s+)*"
_LEAD = r"^\s*(?:and\s+)?(?:who|whom)(?:[’']s)?\s+"
#: What is headed ends before a time, a place of the asking ("now", "in March") or the question mark.
_END = r"(?=\s+(?:at|in|on|during|when|while|before|after|since|until|now|today|currently|as\s+of)\b|\s*[?.!]|\s*$)"
#: "Who runs X", "Which admiral commands X" (not "Who met the official who heads X": a relative clause).
_VERB_Q = re.compile(rf"^\s*(?:and\s+)?(?:(?:who|whom)(?:[’']s)?|(?:which|what)\s+[\w-]+(?:\s+[\w-]+)?)\s+"
                     rf"{_BE}(?:{_VERBS})\s+(?:up\s+)?(?P<obj>.+?){_END}", re.IGNORECASE)
_PHRASE_Q = re.compile(rf"{_LEAD}{_BE}(?:the\s+(?:person|official|one|man|woman|officer)\s+)?(?:{_PHRASES})\s+"
                       rf"(?P<obj>.+?){_END}", re.IGNORECASE)
#: "responsible for running X": the verb of heading before what is headed.
_GERUND = re.compile(r"^(?:running|leading|managing|overseeing|heading|commanding|directing|chairing)\s+",
                     re.IGNORECASE)
_NOUN_Q = re.compile(rf"{_LEAD}{_BE}(?:the\s+)?(?:(?:current|new|acting|top|overall)\s+)?(?:{_HEADS})\s+(?:of|at)\s+"
                     rf"(?P<obj>.+?){_END}", re.IGNORECASE)
_POSSESSIVE_Q = re.compile(rf"{_LEAD}{_BE}(?P<obj>(?:the\s+)?[\w.&’' -]+?)(?:[’']s|(?<=s)[’'])\s+"
                           rf"(?:(?:current|new|acting|top|overall)\s+)?(?:{_HEADS})\s*{_END}", re.IGNORECASE)
#: Words a role noun phrase may not start with: what is left of a phrase not read as a role.
_NOT_A_NOUN = frozenset(["in", "at", "on", "for", "to", "of", "by", "with", "from", "responsible", "charge", "the",
                         "a", "an", "is", "was", "who", "whom"])


def headed(question: str) -> str:
    """What a "who heads X" question (in any of its wordings) says is headed, as worded; "" for any other question.

    Example:
        >>> headed("Who runs Orlen Systems?"), headed("Who is at the helm of Orlen Systems in March?")
        ('Orlen Systems', 'Orlen Systems')
        >>> headed("Who is Korea's special representative?"), headed("Who is the chief of staff?")
        ('', '')
    """
    for pattern in (_NOUN_Q, _PHRASE_Q, _POSSESSIVE_Q, _VERB_Q):
        m = pattern.search(question)
        if m:
            obj = _GERUND.sub("", m["obj"].strip(" ,"))
            # "Which delegation was led by Kishida?" is passive: nothing headed is named after the verb
            if obj and not _NOT_HEADED.match(obj) and not _NOT_AN_OBJECT.match(obj):
                return obj
    return ""


def role_noun(role: str, headed_: str = "") -> str:
    """The role asked about as a noun phrase: "head of X" for a head asked in any wording, else the role as
    worded ("Korea's special representative", "governor of Okinawa"); "" when what is left is no noun phrase
    (a message then says "nobody in that role")."""
    if headed_:
        return f"head of {headed_}"
    role = " ".join(role.split()).strip(" ?.,")
    first = role.split()[0].lower() if role else ""
    return "" if not first or first in _NOT_A_NOUN else role


def no_one_as(role: str, headed_: str = "") -> str:
    """The refusal for a role the evidence does not name: "It names nobody as head of the Baltic Fleet here."."""
    noun = role_noun(role, headed_)
    if noun and all(w[:1].isupper() for w in noun.split()):  # "Who is Okafor?": a name, not a role
        return f"It does not say who {noun} is."
    return f"It names nobody as {noun} here." if noun else "It names nobody in that role here."


def alike(wanted: frozenset[str], have: frozenset[str]) -> frozenset[str]:
    """The stems of `wanted` that `have` holds, or holds a form of ("ministri" ~ "minist", "korea" ~ "korean"):
    a role's words as a title says them ("the defence ministry" is headed by the "Defence Minister")."""
    def same(t: str, z: str) -> bool:
        return t == z or (min(len(t), len(z)) >= 4 and (z.startswith(t) or t.startswith(z)))

    def spelled(t: str) -> frozenset[str]:  # "defens" as "defenc": a word the title spells otherwise
        return frozenset(canonical(f) for f in spellings(t))

    have_spelled = frozenset().union(*(spelled(z) for z in have)) if have else frozenset()
    return frozenset(t for t in wanted if any(same(t, z) for z in have) or spelled(t) & have_spelled)
