"""Question analysis, done once: what is asked (answer type, focus), about when, and what an answer must carry.

Everything here is plain rules over English question forms: no model call, no corpus-specific words, so it
behaves the same on any briefing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from rag.anchors import Anchor, find_anchor, ordinal_request
from rag.answer_type import CANDIDATE_TYPES, WH_WORD, AnswerType, classify, type_of_noun
from rag.dates import MONTH_WORDS, DateRange
from rag.errors import InvalidQuestionError
from rag.followup import KindOf, resolve_follow_up, tidy
from rag.language import check_english
from rag.lexical import tokenize
from rag.periods import DateInterpreter
from rag.roles import headed, role_noun

if TYPE_CHECKING:
    from rag.constraints import Constraints

#: Words that shape a question but carry no topic.
_QUESTION_WORDS = frozenset(
    tokenize(
        [
            "what where when who whom whose which why how did does do done happen happened take took place "
            "held hold brief briefing say said according mention mentioned describe tell give list name "
            "else also anything something occur occurred from between to until till after before during within "
            "since one ones there their any all exact exactly specific kind kinds type sort over meet met meeting"
        ]
    )[0]
)
_MONTH_WORDS = frozenset(
    tokenize(
        [
            "january february march april may june july august september october november december "
            "jan feb mar apr jun jul aug sep sept oct nov dec early late mid middle end beginning"
        ]
    )[0]
)
#: Offices written as abbreviations after "the" or a possessive ("the PM", "Japan's FM"): read in words, so the
#: alias table finds who holds them ("PM" is no name, and pycountry's code for Saint Pierre and Miquelon).
_OFFICE_ABBREVIATIONS = {"PM": "prime minister", "FM": "foreign minister", "DPM": "deputy prime minister"}
_OFFICE_ABBREVIATION = re.compile(r"(?:(?<=\bthe )|(?<=[’']s ))(?:PM|FM|DPM)\b")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_UNITS = ("yen", "dollars", "euros", "won", "yuan", "percent", "kilometers", "kilometres", "miles", "tons", "tonnes")
_UNIT = re.compile(rf"\bin\s+({'|'.join(_UNITS)})\b", re.IGNORECASE)
#: Where a role stops and the rest of the question starts ("foreign minister | when Cotton visited").
_ROLE_END = re.compile(r"\s+(?:when|while|who|whom|which|that|after|before|during|at the time)\b.*$", re.IGNORECASE)
_NAME = re.compile(r"\b[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*)*")
_TIMELINE = re.compile(
    r"^\s*(?:and\s+)?(?:what|which)\s+(?:(?:else\s+)?(?:(?:has|have|had)\s+)?"
    r"(?:happened|took place|occurred|went on|was (?:held|happening))"
    r"|(?:other\s+)?(?:events|meetings|things|visits|calls|statements|engagements)\b)"
    r"|^\s*(?:list|show|give)\b.*\b(?:events?|meetings?|entries|happened)\b"
    r"|\b(?:timeline|chronology)\s+(?:of|for)\b",
    re.IGNORECASE,
)

#: "Which entries concern the Quad?", "How many chronology entries involve Park Jin?": the X asked about.
_SUBJECT = re.compile(
    r"\b(?:entries|entry|events?|meetings?|times?|items?)\b(?:\s+(?:in|of)\s+the\s+chronology)?"
    r"(?:\s+(?:that|which))?(?:\s+(?:do|does|did)\s+(?:the\s+)?\w+)?"
    r"\s+(?:concern|involv|mention|name|feature|include|refer\s+to|relate\s+to|are\s+about|were\s+about|about)"
    r"[a-z]*\s+(?P<x>.+?)\s*\??\s*$",
    re.IGNORECASE,
)
#: "List Kamikawa's meetings in October".
_POSSESSIVE_LIST = re.compile(
    r"^\s*(?i:list|show|give|name)\s+(?i:me\s+)?(?i:all\s+(?:of\s+)?)?(?P<x>[A-Z][\w.’' -]*?)[’']s?\s+"
    r"(?i:meetings|events|entries|calls|visits|engagements|activities|talks)\b",
)
_COUNT = re.compile(r"\bhow\s+many\s+(?:times|(?:chronology\s+)?entries|events|meetings|calls|visits|days)\b",
                    re.IGNORECASE)
#: Capitalised words that open a sentence or name a day, never a topic.
_NOT_NAMES = frozenset({"list", "show", "give", "name", "which", "what", "how", "when", "who", "whom", "where",
                        "did", "does", "do", "was", "were", "is", "are", "in", "on", "the", "a", "an"})


def topic_names(text: str) -> tuple[str, ...]:
    """The names a phrase gives ("Park Jin", "the Quad" → "Quad"), without months or question words.

    Example:
        >>> topic_names("Blinken, Kamikawa and Park in September")
        ('Blinken', 'Kamikawa', 'Park')
    """
    out: list[str] = []
    for m in _NAME.finditer(text):
        words = m.group().strip(" .").split()
        while words and (words[0].lower().strip(".") in _NOT_NAMES or words[0].lower().strip(".") in MONTH_WORDS):
            words = words[1:]
        while words and words[-1].lower().strip(".") in MONTH_WORDS:
            words = words[:-1]
        name = " ".join(words).removesuffix("’s").removesuffix("'s")
        if name and not name.isdigit():
            out.append(name)
    return tuple(dict.fromkeys(out))


def _after_wh(text: str) -> str:
    """The question past its question word: where the names it gives are."""
    m = WH_WORD.search(text)
    return text[m.end() :] if m else text


def wants_timeline(question: str) -> bool:
    """True for "what happened on/in …"-style questions, answered with every entry of the period.

    Example:
        >>> wants_timeline("What happened on Nov. 16?"), wants_timeline("Who met Kishida on Nov. 16?")
        (True, False)
    """
    return bool(_TIMELINE.search(question))


@lru_cache(maxsize=16384)
def terms(text: str) -> frozenset[str]:
    """Stemmed content words (bm25s' English stop words and Snowball stemmer); memoized, since answering asks
    for the same passages' words again (one bm25s call costs ~0.4 ms, most of it setting up progress bars)."""
    return frozenset(tokenize([text])[0])


def salient_terms(text: str) -> frozenset[str]:
    """The topic words of a question: no question words, months or bare numbers."""
    return frozenset(t for t in terms(text) - _QUESTION_WORDS - _MONTH_WORDS if not t.isdigit())


@dataclass(frozen=True)
class Question:
    """A question as read once: every later step uses these fields, never the raw text again.

    Example:
        >>> q = analyze("Which Japanese political party has been ensnared by the scandal?")
        >>> q.answer_type, q.focus
        ('organization', 'Japanese political party')
    """

    #: What the user typed.
    asked: str
    #: Cleaned, follow-up resolved and cut to the model's input: what is retrieved and answered.
    text: str
    answer_type: AnswerType
    #: The question word (who, what, how many, …), lower case.
    wh: str = ""
    #: What is asked about: the noun phrase after "which"/"what" or the role in "who was X's foreign minister".
    focus: str = ""
    #: Conditions an answer must meet: a unit ("yen") or a role ("foreign minister").
    constraints: tuple[str, ...] = ()
    #: Stemmed topic words an answer should carry.
    must: frozenset[str] = frozenset()
    #: The lower-case topic words: the question's predicate ("discuss", "builds"), not its names.
    predicate: frozenset[str] = frozenset()
    #: Names the question itself gives (never an answer to it).
    names: tuple[str, ...] = ()
    period: DateRange | None = None
    #: A "what happened …" question, answered with a dated list.
    timeline: bool = False
    #: The previous question this one follows up, when it was read as a follow-up.
    follows: str | None = None
    #: The question was longer than the model's input and was cut.
    cut: bool = False
    #: Topic words without the fallback to every word (may be empty: "What happened on Nov. 16?").
    topic: frozenset[str] = frozenset()
    #: Words of what a definition question asks for ("What is Japan's unemployment rate?"): the briefing must
    #: use every one of them.
    focus_terms: frozenset[str] = frozenset()
    #: Words of a role asked about ("governor of Okinawa Prefecture"): the answer's passage must carry them.
    role_terms: frozenset[str] = frozenset()
    #: The role asked about, as worded ("Korea's special representative"); a head asked in any wording ("who
    #: runs / is in charge of / is the leader of X") is "head of X".
    role: str = ""
    #: What a "who heads X" question says is headed, in any of its wordings ("the Baltic Fleet"; rag/roles.py).
    headed: str = ""
    #: A period measured from an event ("the day after Biden and Kishida met"), dated by retrieval.
    anchor: Anchor | None = None
    #: The first or the last of something is asked for ("When did Kamikawa first meet Blinken?").
    ordinal: Literal["first", "last"] | None = None
    #: A count of chronology entries is asked for ("How many chronology entries involve Park Jin?").
    count: bool = False
    #: What a topic timeline or count is about, as worded ("the Quad", "Park Jin"); empty otherwise.
    subject: str = ""
    #: The names an entry must carry to be about the question (from `subject`, else the whole question).
    topic_names: tuple[str, ...] = ()
    #: What the question binds its answer to — documents, names, offices, exclusions, grain — read against the
    #: index's alias table by `rag.constraints.read` (None until then).
    limits: Constraints | None = None
    #: Date-like phrases that name no day, each with why (“13/45/2024” (neither 13 nor 45 is a month)).
    unread_dates: tuple[str, ...] = ()

    @property
    def units(self) -> tuple[str, ...]:
        """Unit constraints ("yen"), which the answering sentence must name."""
        return tuple(c for c in self.constraints if c in _UNITS)

    @property
    def typed(self) -> bool:
        """The answer is a name, place, date or number: a short answer is expected."""
        return self.answer_type in CANDIDATE_TYPES

    def read_as(self) -> str:
        """One line for "Read as": the question as understood, with its period and what it asks for."""
        parts = [self.text]
        if self.period is not None:
            parts.append(f"period: {self.period.reading_note() or self.period.label()}")
        if self.unread_dates:
            parts.append("not read as a date: " + ", ".join(self.unread_dates))
        elif self.anchor is not None:
            parts.append(f"period: {self.anchor.phrase} (the event's date found in the chronology)")
        parts.append(f"asks for: {self.answer_type}" + (f" ({self.focus})" if self.focus else ""))
        if self.count:
            parts.append("counts entries")
        if self.ordinal:
            parts.append(f"the {self.ordinal} one")
        if self.subject or ((self.count or self.ordinal) and self.topic_names):
            parts.append("about: " + (self.subject or ", ".join(self.topic_names)))
        if self.constraints:
            parts.append("must meet: " + ", ".join(self.constraints))
        if self.limits is not None and self.limits.exclusions:
            parts.append("not: " + ", ".join(self.limits.exclusions))
        return "  ·  ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "asked": self.asked,
            "text": self.text,
            "answer_type": self.answer_type,
            "wh": self.wh,
            "focus": self.focus,
            "constraints": list(self.constraints),
            "must": sorted(self.must),
            "predicate": sorted(self.predicate),
            "names": list(self.names),
            "period": None
            if self.period is None
            else {
                "start": self.period.start.isoformat(),
                "end": self.period.end.isoformat(),
                "phrase": self.period.phrase,
            },
            "timeline": self.timeline,
            "follows": self.follows,
            "anchor": None if self.anchor is None else {
                "relation": self.anchor.relation, "offset_days": self.anchor.offset_days, "event": self.anchor.event,
                "phrase": self.anchor.phrase},
            "ordinal": self.ordinal,
            "count": self.count,
            "subject": self.subject,
            "headed": self.headed,
            "topic_names": list(self.topic_names),
            "limits": None if self.limits is None else self.limits.to_dict(),
            "unread_dates": list(self.unread_dates),
        }


def clean(question: str, max_chars: int) -> str:
    """Normalize a question or refuse it with a message that says how to fix it."""
    if not isinstance(question, str):
        raise InvalidQuestionError("The question must be text.")
    bad = _CONTROL.search(question)
    if bad:
        raise InvalidQuestionError(
            f"The question contains a control character (U+{ord(bad.group()):04X}); remove it and ask again."
        )
    text = unicodedata.normalize("NFC", " ".join(question.split()))
    if not text:
        raise InvalidQuestionError("The question is empty; ask something about the briefing.")
    if len(text) > max_chars:
        raise InvalidQuestionError(
            f"The question is {len(text):,} characters long; the limit is {max_chars:,}. Ask a shorter question."
        )
    if not any(ch.isalnum() for ch in text):
        raise InvalidQuestionError("The question has no words in it; ask something about the briefing.")
    check_english(text)
    return text


def analyze(
    asked: str,
    previous: str | None = None,
    dates: DateInterpreter | None = None,
    max_chars: int = 2000,
    fit: Any = None,
    kind_of: KindOf | None = None,
) -> Question:
    """Read a question once: clean it, resolve a follow-up, find its period, type, focus and key terms.

    `fit` cuts the text to the embedding model's input (a callable str → str), when given; `kind_of` tells
    a name's kind (the alias table's `Aliases.kind_of`), so that a follow-up's name replaces one of its kind.

    Example:
        >>> q = analyze("How much did Japan pay in yen?")
        >>> q.answer_type, q.constraints
        ('money', ('yen',))
    """
    dates = dates or DateInterpreter()
    text = clean(asked, max_chars)
    follows = None
    if previous:
        resolved = resolve_follow_up(text, previous, dates, kind_of)
        if resolved != text:
            text, follows = resolved, previous
    text = _OFFICE_ABBREVIATION.sub(lambda m: _OFFICE_ABBREVIATIONS[m.group()], tidy(text))
    cleaned = text
    if fit is not None:
        text = fit(text)
    answer_type, wh, focus = classify(text)
    constraints: list[str] = [u.lower() for u in _UNIT.findall(text)]
    role = ""
    heads = headed(text) if answer_type == "person" else ""
    if heads and wh == "who":  # "who is in charge of X", "who leads X", "who is X's chief": the head of X
        role = focus = role_noun("", heads)
        constraints.append(role)
    elif answer_type == "person" and wh == "who" and focus:
        role = _ROLE_END.sub("", focus).strip()
        constraints.append(role)
    body = text[WH_WORD.search(text).end() :] if WH_WORD.search(text) else text  # type: ignore[union-attr]
    names = tuple(n for n in (m.group().strip(" .") for m in _NAME.finditer(body)) if n)
    topic = salient_terms(text)
    must = topic or terms(text)
    focus_terms: frozenset[str] = salient_terms(focus) if answer_type == "definition" else frozenset()
    if answer_type == "definition":
        answer_type = "description"
    words = re.findall(r"[\w’'-]+", text)[1:]
    # The words naming the kind of answer ("which company", "what dates") are not what the answer must say.
    kind_words = terms(" ".join(w for w in focus.split() if type_of_noun(w.lower().rstrip("’'s")))) if focus else set()
    predicate = terms(" ".join(w for w in words if not w[0].isupper())) & must - kind_words
    period = dates.interpret(text)
    anchor = find_anchor(text)
    found = _SUBJECT.search(text) or _POSSESSIVE_LIST.search(text)
    subject = found["x"].strip() if found else ""
    rest = text  # what is left once the period and the anchoring event are taken out
    for phrase in (period.phrase if period else "", anchor.phrase if anchor else ""):
        if phrase:
            subject, rest = subject.replace(phrase, " "), rest.replace(phrase, " ")
    subject = re.sub(r"^(?:the|a|an)\s+|\s+(?:in|on|during|from|between)\s*$", "", " ".join(subject.split()),
                     flags=re.IGNORECASE).strip(" ?.,")
    return Question(
        asked=asked,
        text=text,
        answer_type=answer_type,
        wh=wh,
        focus=focus,
        constraints=tuple(constraints),
        must=must,
        predicate=predicate,
        names=names,
        period=period,
        timeline=wants_timeline(text),
        follows=follows,
        cut=fit is not None and len(text) < len(cleaned),
        topic=topic,
        focus_terms=focus_terms,
        role_terms=salient_terms(heads if heads and role else role), role=role, headed=heads,
        anchor=anchor,
        ordinal=ordinal_request(text),
        count=bool(_COUNT.search(text)),
        subject=subject,
        topic_names=topic_names(subject or _after_wh(rest)),
        unread_dates=dates.unread(text),
    )
