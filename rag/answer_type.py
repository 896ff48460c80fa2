"""The kind of answer a question asks for, read from its wording: the question word and the head noun
("which city", "what company", "how many"). Plain rules over English question forms, the same on any briefing.
"""

from __future__ import annotations

import re
from typing import Literal

AnswerType = Literal[
    "person", "place", "organization", "date", "number", "money",
    "percent", "duration", "reason", "list", "description",
]
#: Entity types (rag/entities.py) that can answer each typed question.
CANDIDATE_TYPES: dict[str, frozenset[str]] = {
    "person": frozenset({"person"}),
    "place": frozenset({"place"}),
    "organization": frozenset({"organization", "group"}),
    "date": frozenset({"date"}),
    "number": frozenset({"number", "money", "percent"}),
    "money": frozenset({"money"}),
    "percent": frozenset({"percent"}),
    "duration": frozenset({"date", "number"}),
}



def word_set(text: str) -> frozenset[str]:
    """The space-separated words of `text` (vocabulary tables written as one string)."""
    return frozenset(text.split())


# Head nouns that say which kind of thing is asked for ("which city", "what company", "which officials").
_PERSON_NOUNS = word_set(
    "minister ministers secretary secretaries official officials leader leaders president presidents "
    "person people general generals admiral ambassador ambassadors governor governors counterpart "
    "counterparts representative representatives envoy envoys diplomat diplomats commander commanders ceo "
    "head chief adviser advisor senator senators spokesperson premier chairman chair director lawmaker "
    "lawmakers politician politicians officer officers individual individuals delegate delegates "
    "journalist journalists reporter author authors scholar scholars analyst analysts expert experts "
    "professor"
)
_PLACE_NOUNS = word_set(
    "city cities country countries nation nations island islands place places location locations state "
    "states prefecture capital region reef shoal base port venue town province territory waters sea"
)
_ORG_NOUNS = word_set(
    "company companies firm firms party parties organization organizations organisation agency agencies "
    "ministry ministries group groups body institution institutions manufacturer university bank "
    "department committee council alliance coalition association foundation"
)
_DATE_NOUNS = {"date", "dates", "day", "days", "month", "months", "year", "years", "week", "weeks"}
_AUX = (
    r"(?:is|are|was|were|did|does|do|has|have|had|will|would|can|could|should|may|might|must|"
    r"been|being|be)"
)
WH_WORD = re.compile(r"\b(who|whom|whose|what|which|when|where|why|how)\b", re.IGNORECASE)

#: Verbs that end the noun phrase after "which"/"what" ("which meetings took place", "what events happened").
_EVENT_VERBS = frozenset({"took", "take", "takes", "taking", "taken", "happened", "happen", "happens", "occurred",
                          "occur", "occurs", "met", "meet", "meets"})


def _focus_phrase(text: str, start: int) -> str:
    """The noun phrase right after "which"/"what": words up to an auxiliary, a verb-like word or a preposition."""
    words = re.findall(r"[\w’'-]+", text[start:])
    phrase: list[str] = []
    for w in words:
        lw = w.lower()
        if re.fullmatch(_AUX, lw) or (
            lw
            in {
                "of",
                "in",
                "on",
                "at",
                "for",
                "to",
                "from",
                "by",
                "with",
                "that",
                "who",
                "which",
                "whose",
                "and",
                "the",
                "a",
                "an",
            }
            and phrase
        ):
            break
        if lw in _EVENT_VERBS:  # "which meetings took place": "place" is no head noun here
            break
        if lw in {"the", "a", "an"}:
            continue
        phrase.append(w)
        if len(phrase) == 4:
            break
    return " ".join(phrase)


def type_of_noun(noun: str) -> AnswerType | None:
    n = noun.lower()
    if n in _PERSON_NOUNS:
        return "person"
    if n in _PLACE_NOUNS:
        return "place"
    if n in _ORG_NOUNS:
        return "organization"
    if n in _DATE_NOUNS:
        return "date"
    return None


def classify(text: str) -> tuple[AnswerType, str, str]:
    """(answer type, question word, focus) of a question.

    Example:
        >>> classify("In which city did Biden and Kishida meet?")
        ('place', 'which', 'city')
        >>> classify("How many crew members died?")[0]
        'number'
    """
    q = text.lower()
    if re.search(r"\bhow (?:many|much)\b", q):
        wh = "how many" if "how many" in q else "how much"
        if re.search(r"\b(?:yen|dollars?|cost|costs|spend|spent|pay|paid|fee|fees|budget|worth|price)\b|\$", q):
            return "money", wh, ""
        return "number", wh, ""
    if re.search(r"\bwhat (?:share|percentage|percent|proportion)\b|\bhow large a share\b", q):
        return "percent", "what", ""
    if re.search(r"\bhow long\b", q):
        return "duration", "how long", ""
    if re.search(r"^\s*why\b|\bfor what reason\b|\bwhat (?:was|is) the reason\b", q):
        return "reason", "why", ""
    if re.search(r"^\s*when\b|\bsince when\b", q):
        return "date", "when", ""
    if re.search(r"^\s*where\b", q):
        return "place", "where", ""
    if re.search(r"^\s*(?:who|whom)\b|\bwith whom\b|\bto whom\b|\bby whom\b|\bwhose\b", q):
        m = re.search(r"\bwho(?:m)?\s+(?:is|are|was|were)\s+(?:the\s+)?(.+?)(?:\?|$)", text, re.IGNORECASE)
        return "person", "who", (m.group(1).strip() if m else "")
    m = WH_WORD.search(text)
    if m and m.group(1).lower() in ("which", "what"):
        rest = text[m.end() :]
        aux = re.match(r"\s+(?:is|are|was|were)\b\s*(?:the\s+)?", rest, re.IGNORECASE)
        if aux:  # "what is Japan's unemployment rate", "what is the population of …": a definition asked for
            tail = rest[aux.end() :]
            # "the population of …" is a definition asked for; "what are lawmakers accused of …" is not (no
            # article: the words before "of" are a subject and its verb).
            found = re.match(r"[\w\s-]*?[’']s\s+([\w\s-]+?)(?:\?|$| in | of | for | on )", tail) or (
                re.match(r"([\w\s-]+?)\s+of\s+", tail) if aux.group().rstrip().lower().endswith("the") else None)
            return "definition", m.group(1).lower(), found.group(1).strip() if found else ""  # type: ignore[return-value]
        words = _focus_phrase(text, m.end()).split()
        # The head is the first word that names a kind of answer ("Japanese foreign ministers spoke" → ministers).
        cut = next((i for i, w in enumerate(words) if type_of_noun(w)), None)
        if cut is not None:
            words = words[: cut + 1]
        focus = " ".join(words)
        kind = type_of_noun(words[-1]) if words else None
        if kind is None and re.match(r"\s+(?:events|meetings|entries|visits|calls)\b", rest, re.IGNORECASE):
            kind = "list"
        return kind or "description", m.group(1).lower(), focus
    return "description", (m.group(1).lower() if m else ""), ""
