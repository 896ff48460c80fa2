"""Periods anchored on events ("the day after <event>", "two weeks before <event>") and first/last requests.

The event itself is found by retrieval (rag/timeline.py); here are only the question's wording and the date
arithmetic, as pure functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from rag.dates import DateRange
from rag.periods import RelativePhrase, date_at_start, relative_phrases, shifted


@dataclass(frozen=True)
class Anchor:
    """A period a question measures from an event it names, e.g. "the day after Biden and Kishida met".

    The event is only named here; finding its dates is retrieval's job, then `anchored_period` gives the days.
    """

    relation: Literal["after", "before"]
    #: Length of the period in days: 1 for "the day after", 7 for "the week before", 14 for "two weeks after",
    #: 7 for "in the days after" and "shortly after"; None for plain "after"/"before", an open period.
    offset_days: int | None
    #: The event as the question words it: "Biden and Kishida met in San Francisco".
    event: str
    #: The whole matched phrase: "the day after Biden and Kishida met in San Francisco".
    phrase: str


# "named after", "look after", "testify before": not about time.
_NOT_TEMPORAL = re.compile(
    r"\b(?:look(?:s|ed|ing)?|named|called|takes?|took|appear(?:s|ed|ing)?|testif(?:y|ies|ied|ying)|brought)\s+$",
    re.IGNORECASE,
)
_NOT_EVENTS = frozenset({
    "that", "this", "it", "then", "them", "those", "these", "all", "long", "which", "what", "whom", "who", "when",
    "where", "now",
})


def find_anchor(question: str) -> Anchor | None:
    """The first period the question measures from an event rather than a date, or None.

    "after Oct. 20" is a date (`DateInterpreter.interpret` reads it); "after the Nov. 29 crash" is an event.

    Example:
        >>> anchor = find_anchor("What happened the day after Biden and Kishida met in San Francisco?")
        >>> anchor.relation, anchor.offset_days, anchor.event
        ('after', 1, 'Biden and Kishida met in San Francisco')
        >>> find_anchor("What happened after Oct. 20?") is None
        True
    """
    for rel in relative_phrases(question):
        anchor = anchor_of(rel, question)
        if anchor is not None:
            return anchor
    return None


def anchor_of(rel: RelativePhrase, question: str) -> Anchor | None:
    event = rel.target.rstrip(".").strip()
    first_word = event.split(maxsplit=1)[0].lower() if event else ""
    if (
        rel.word == "by"
        or not re.search(r"[A-Za-z]{2}", event)
        or first_word in _NOT_EVENTS
        or _NOT_TEMPORAL.search(question[: rel.start])
        or date_at_start(event) is not None
    ):
        return None
    relation: Literal["after", "before"] = "after" if rel.relation in ("after", "since") else "before"
    return Anchor(relation, rel.offset_days, event, rel.phrase[: len(rel.phrase) - len(rel.target)] + event)


def anchored_period(
    anchor: Anchor, event_start: date, event_end: date, corpus_start: date, corpus_end: date
) -> DateRange:
    """The days of an anchored period, once retrieval has found the event's dates.

    An open period ("after the APEC summit") runs to `corpus_end` or from `corpus_start`; `reference` is
    the event's days, with the event as its phrase.

    Example:
        >>> anchor = find_anchor("What happened the day after Biden and Kishida met in San Francisco?")
        >>> period = anchored_period(anchor, date(2023, 11, 16), date(2023, 11, 16), date(2023, 9, 1),
        ...                          date(2023, 12, 22))
        >>> period.describe()
        '2023-11-17'
        >>> period.label()
        'Nov. 17, 2023, the day after ‘Biden and Kishida met in San Francisco’ (Nov. 16, 2023)'
    """
    if event_end < event_start:
        raise ValueError(f"The event ends ({event_end}) before it starts ({event_start}); pass its start first.")
    reference = DateRange(event_start, event_end, anchor.event, "event")
    start, end = shifted(anchor.relation, anchor.offset_days, reference, corpus_start, corpus_end)
    return DateRange(start, end, anchor.phrase, anchor.relation, reference)


# ------------------------------------------------------------------------------------------------- first and last

_ORDINAL = re.compile(
    r"\b(?P<word>first|earliest|initial(?:ly)?|last|latest|most\s+recent(?:ly)?|final)\b(?P<next>[\s-]*[A-Za-z]*)",
    re.IGNORECASE,
)
# "the first half of November", "last week", "First Lady": periods and names, not a request for an end.
_NOT_ORDINAL_NEXT = frozenset({
    "half", "halves", "week", "weeks", "weekend", "day", "days", "quarter", "part", "few", "of", "year", "years",
    "month", "months", "night", "lady", "name", "names",
})


def ordinal_request(question: str) -> Literal["first", "last"] | None:
    """Whether the question asks for the first or the last of something ("When did Kamikawa first meet Blinken?").

    Example:
        >>> ordinal_request("Which event came last in September?")
        'last'
        >>> ordinal_request("Who met in the first half of November?") is None
        True
    """
    for m in _ORDINAL.finditer(question):
        word = m["word"].lower()
        following = m["next"].strip(" -").lower()
        before = question[: m.start()]
        if (
            following in _NOT_ORDINAL_NEXT
            or (m["word"][0].isupper() and before.strip())  # "the First Japan-US-Korea ... Working Group"
            or re.search(r"\bat\s+$", before, re.IGNORECASE)  # "at first", "at last"
            or (word == "last" and not following and re.search(r"\b(?:did|does|do|will|would|to)\b", before))
        ):
            continue
        return "first" if word in ("first", "earliest", "initial", "initially") else "last"
    return None
