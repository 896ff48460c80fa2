"""Follow-up questions: "And in December?", "What about Kishida?", "How about in September?".

One implementation for every front end: `Assistant.analyze` resolves a follow-up against the previous question
with `resolve_follow_up`, and the page, the API and the interactive `rag ask` carry `carried_question(answer)`
(the question as resolved) into the next turn, so chains of follow-ups keep their subject.

A follow-up replaces what it names: a period replaces the previous question's period, a name replaces the
previous question's name of the same kind (a person replaces a person, a place a place), else its only or
first name. Nothing is appended that the previous question already had a slot for.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from rag.anchors import find_anchor
from rag.dates import MONTH_WORDS
from rag.periods import DateInterpreter

if TYPE_CHECKING:
    from rag.schema import Answer

__all__ = ["KindOf", "carried_question", "is_follow_up", "resolve_follow_up", "tidy"]

#: "And in December?", "What about Kishida?", "How about in September?", "And what about the Quad?".
_FOLLOW_UP = re.compile(
    r"^\s*(?:and\s+)?(?:(?:what|how)\s+about|and|same\s+for)\b[\s,]*(?P<rest>.*?)[\s?.!]*$", re.IGNORECASE
)
#: A follow-up names a period or a subject, never a new question ("And what did Kishida say?").
_NOT_A_REST = re.compile(
    r"^(?:who|whom|whose|what|which|when|where|why|how|is|are|was|were|did|does|do|has|have|had|can|could|will|"
    r"would|should|may|might|list|show|tell|give|name)\b",
    re.IGNORECASE,
)
#: Words a period is introduced by ("in December", "on Nov. 16", "after Oct. 20", "between … and …").
_LEAD = r"(?:in|on|during|throughout|for|through|from|between|after|before|since|until|till|by|of|around)"
_LEADS = re.compile(rf"^{_LEAD}\b", re.IGNORECASE)
_TRAILING_LEAD = re.compile(rf"\s+{_LEAD}\s*$", re.IGNORECASE)
#: A follow-up that only moves the day ("And on the 32nd?", "And on 4/9?"): a period even when unreadable.
_DATEISH = re.compile(rf"^{_LEAD}\s+(?:the\s+)?\d", re.IGNORECASE)
#: "on the 9th": a day whose month the previous question gives.
_DAY_ONLY = re.compile(rf"^(?P<lead>{_LEAD})\s+the\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)$", re.IGNORECASE)
#: A capitalised word; runs of them are names ("Kishida Fumio", "Japan's", "US Indo-Pacific Command").
_WORD = re.compile(r"\b[A-Z][\w’'-]*")
_POSSESSIVE = re.compile(r"(?:[’']s|[’'])$")
#: Capitalised words that open a question or name a day: never a name to replace.
_NOT_NAMES = frozenset({
    "who", "whom", "whose", "what", "which", "when", "where", "why", "how", "is", "are", "was", "were", "did",
    "does", "do", "has", "have", "had", "can", "could", "will", "would", "list", "show", "tell", "give", "name",
    "in", "on", "the", "a", "an", "and", "i", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
    "sunday",
})
#: Function words a composed question must not carry twice in a row ("What happened in in October?").
_DOUBLED = re.compile(r"\b(in|on|at|of|the|a|an|to|for|by|from|during|and|about|with)\s+\1\b", re.IGNORECASE)
#: How a lower-case subject opens ("the prime minister", "his counterpart").
_DETERMINER = re.compile(r"^(?:the|a|an|his|her|its|their|our|this|that|these|those)\s+\w", re.IGNORECASE)
#: The longest name or subject a follow-up gives ("the prime minister of Japan").
MAX_NAME_WORDS = 5
#: The longest follow-up read as one (longer ones are questions of their own).
MAX_WORDS = 8

#: The kind of a name in the library ("person", "place", "organization", "group"), or None when unknown: the
#: index's alias table says it (`rag.aliases.Aliases.kind_of`, built at index time).
KindOf = Callable[[str], "str | None"]


def tidy(text: str) -> str:
    """The text without doubled function words or spaces, as composed follow-ups and typos leave them.

    Example:
        >>> tidy("What happened in in October?")
        'What happened in October?'
    """
    previous = None
    while previous != text:
        previous, text = text, _DOUBLED.sub(r"\1", text)
    return re.sub(r"\s+([?.!,])", r"\1", " ".join(text.split()))


def is_follow_up(question: str, dates: DateInterpreter | None = None) -> bool:
    """True when the question reads as a follow-up ("And in December?", "What about Kishida?").

    Example:
        >>> is_follow_up("What about Kishida?"), is_follow_up("And what did Kishida say?")
        (True, False)
    """
    return _parts(question, "", dates or DateInterpreter()) is not None


def _rest(question: str) -> str | None:
    m = _FOLLOW_UP.match(question)
    if not m or len(question.split()) > MAX_WORDS:
        return None
    rest = m["rest"].strip(" ,")
    if not rest or _NOT_A_REST.match(rest):
        return None
    return rest


def _names(text: str) -> list[tuple[int, int]]:
    """The spans of the names a question gives, without question words, months or a possessive ending."""
    spans: list[tuple[int, int]] = []
    for m in _WORD.finditer(text):
        word = m.group().lower().rstrip(".")
        if word in _NOT_NAMES or word in MONTH_WORDS:
            continue
        ending = _POSSESSIVE.search(m.group())
        end = m.end() - (len(ending.group()) if ending else 0)
        if spans and text[spans[-1][1] : m.start()] == " ":
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((m.start(), end))
    return spans


def _replace_period(previous: str, new: str, dates: DateInterpreter) -> str:
    """The previous question with its period (or event anchor) replaced by `new`, else with `new` added."""
    period = dates.interpret(previous)
    anchor = find_anchor(previous)
    old = period.phrase if period is not None else anchor.phrase if anchor is not None else ""
    if not _LEADS.match(new):  # "And December?", "What about Nov. 20?": the period gets its preposition
        read = dates.interpret(new)
        new = f"{'on' if read is not None and read.relation == 'on' else 'in'} {new}"
    if old and old in previous:
        at = previous.rfind(old)
        before, after = previous[:at], previous[at + len(old) :]
        before = _TRAILING_LEAD.sub(" ", before) if before.strip() else before
        return tidy(f"{before}{new}{after}")
    return tidy(f"{previous.rstrip(' ?.!')} {new}?")


def _replace_name(previous: str, new: str, kind_of: KindOf | None) -> str:
    """The previous question with its name of `new`'s kind (else its only or first name) replaced by `new`."""
    article = bool(re.match(r"^(?i:the)\s+[A-Z]", new))
    if article:  # "the G7" takes the place of "Quad" in "the Quad"
        new = new.split(maxsplit=1)[1]
    spans = _names(previous)
    if any(previous[a:b].lower() == new.lower() for a, b in spans):
        return previous  # "And Kishida?" after a question about Kishida: nothing to change
    kind = kind_of(new) if kind_of is not None else None
    same = [(a, b) for a, b in spans if kind is not None and kind_of is not None and kind_of(previous[a:b]) == kind]
    target = same[0] if same else spans[0] if spans else None
    if target is None:
        return tidy(f"{previous.rstrip(' ?.!')}, involving {new}?")
    a, b = target
    before = previous[:a]
    had = re.search(r"\b(?i:the)\s+$", before)
    if had and not article:  # "the Quad" → "Okafor", not "the Okafor"
        before = before[: had.start()]
    elif article and not had:
        new = f"the {new}"
    return tidy(before + new + previous[b:])


def _parts(question: str, previous: str, dates: DateInterpreter) -> tuple[str, str] | None:
    """The period and the name or subject a follow-up gives ("in December", "Kishida"), or None for a question
    that is no follow-up."""
    rest = _rest(question)
    if rest is None:
        return None
    period = dates.interpret(rest)
    when = period.phrase if period is not None else rest if _DATEISH.match(rest) else ""
    if when and period is not None and period.relation in ("on", "in", "between"):
        # "in December" with its preposition: the phrase may start after it ("early December")
        at = rest.find(when)
        lead = re.search(rf"\b{_LEAD}\s+$", rest[:at], re.IGNORECASE)
        if lead:
            when = rest[lead.start() : at + len(when)]
    day = _DAY_ONLY.match(when) if period is None else None
    before = dates.interpret(previous) if day and previous else None
    if day and before is not None and (before.start.year, before.start.month) == (before.end.year, before.end.month):
        # "And on the 9th?" after a question about October: the 9th of October
        when = f"{day['lead']} {calendar.month_name[before.start.month]} {day['d']}, {before.start.year}"
        rest = rest.replace(day.group(0), when, 1)
    who = re.sub(r"^\W+|\W+$", "", rest.replace(when, " ", 1)) if when else rest
    who = re.sub(rf"^{_LEAD}\s+|\s+{_LEAD}$", "", who, flags=re.IGNORECASE).strip()
    if len(who.split()) > MAX_NAME_WORDS:  # "And Kishida met Biden when?": a question of its own
        return None
    if who and not (re.search(r"[A-Z]", who) or _DETERMINER.match(who)):
        return None  # "And then?", "And tariffs?": no name or subject to put in the previous question's place
    return when, who


def resolve_follow_up(
    question: str, previous: str | None, dates: DateInterpreter | None = None, kind_of: KindOf | None = None
) -> str:
    """The follow-up `question` read against `previous`, or `question` itself when it is not a follow-up.

    Example:
        >>> resolve_follow_up("And in December?", "What did the Quad do in November?")
        'What did the Quad do in December?'
        >>> resolve_follow_up("What about Kishida?", "When did Kamikawa meet Aquilino?")
        'When did Kishida meet Aquilino?'
    """
    dates = dates or DateInterpreter()
    parts = _parts(question, previous or "", dates)
    if not previous or parts is None:
        return question
    when, who = parts
    text = previous
    if who:
        text = _replace_name(text, who, kind_of)
    if when:
        text = _replace_period(text, when, dates)
    return text


def carried_question(answer: Answer) -> str:
    """What a conversation carries into its next turn: the question as resolved (follow-ups expanded).

    The page, the API's clients and the interactive `rag ask` all pass this as the next turn's `previous`,
    so "And in September?" then "And in November?" keeps the first question's subject.
    """
    return answer.resolved_question
