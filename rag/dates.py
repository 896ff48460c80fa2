"""Dates: the `Mon. D, YYYY:` prefixes of chronology entries, and the periods questions name.

This module is the one home of the date vocabulary: other modules import `MONTH`, `MONTH_WORDS`,
`JOURNAL_MONTHS` and `DATE_MENTION` rather than spelling months again. Reading the period a question names
("after Oct. 20", "the day after <event>") is `rag.periods`.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

__all__ = [
    "DATE_MENTION",
    "ENTRY_DATE",
    "JOURNAL_MONTHS",
    "MONTH",
    "MONTH_WORDS",
    "PERIOD_WORDS",
    "DateRange",
    "Relation",
    "format_day",
    "format_range",
    "month_number",
    "parse_entry_date",
]

# Every spelling the journal uses (Jan., Feb., March, April, May, June, July, Aug., Sept., Oct., Nov., Dec.)
# plus the full names and common short forms a reader might type.
_SPELLINGS: tuple[tuple[str, ...], ...] = (
    ("jan", "january"),
    ("feb", "february"),
    ("mar", "march"),
    ("apr", "april"),
    ("may",),
    ("jun", "june"),
    ("jul", "july"),
    ("aug", "august"),
    ("sep", "sept", "september"),
    ("oct", "october"),
    ("nov", "november"),
    ("dec", "december"),
)
_MONTHS: dict[str, int] = {name: number for number, names in enumerate(_SPELLINGS, start=1) for name in names}

#: The journal's own month names, as `format_day` writes them.
JOURNAL_MONTHS: tuple[str, ...] = (
    "Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.",
)
#: Words that place a period inside a month ("early December", "mid-November", "end of October").
PERIOD_WORDS: frozenset[str] = frozenset({"early", "mid", "middle", "late", "end", "beginning"})
#: Lower-case month names and abbreviations, plus `PERIOD_WORDS`: words that name when, not what.
MONTH_WORDS: frozenset[str] = frozenset(_MONTHS) | PERIOD_WORDS

#: A month in any spelling, with an optional full stop (`Sept.`, `september`, `Dec`), as a whole word only
#: ("decide" names no month); use with re.IGNORECASE.
MONTH = r"(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b\.?"
#: Any date-ish mention: a month name or abbreviation, or a year 19xx/20xx.
DATE_MENTION = re.compile(
    r"\b(?:19|20)\d\d\b|\b(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b\.?", re.IGNORECASE
)
_DASH = r"\s*[-–—]\s*"

#: `Sept. 1, 2023`, `Oct. 16-18, 2023`, `Nov. 30-Dec. 2, 2023`, `Dec. 30, 2023-Jan. 2, 2024`.
ENTRY_DATE = re.compile(
    rf"(?P<m1>{MONTH})\s+(?P<d1>\d{{1,2}})(?:,\s*(?P<y1>\d{{4}}))?"
    rf"(?:{_DASH}(?:(?P<m2>{MONTH})\s+)?(?P<d2>\d{{1,2}}))?"
    rf",\s*(?P<y2>\d{{4}})",
    re.IGNORECASE,
)


def month_number(name: str) -> int | None:
    """The number of a month in any spelling, or None when it is not a month.

    Example:
        >>> month_number("Sept."), month_number("december"), month_number("Smarch")
        (9, 12, None)
    """
    return _MONTHS.get(name.lower().rstrip("."))


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_entry_date(text: str) -> tuple[date, date] | None:
    """Parse a chronology date prefix into (start, end).

    Example:
        >>> parse_entry_date("Nov. 30-Dec. 2, 2023")
        (datetime.date(2023, 11, 30), datetime.date(2023, 12, 2))
    """
    m = ENTRY_DATE.fullmatch(text.strip())
    if not m:
        return None
    m1 = month_number(m["m1"])
    m2 = month_number(m["m2"]) if m["m2"] else m1
    y2 = int(m["y2"])
    y1 = int(m["y1"]) if m["y1"] else y2
    if m1 is None or m2 is None:
        return None
    start = _safe_date(y1, m1, int(m["d1"]))
    end = _safe_date(y2, m2, int(m["d2"])) if m["d2"] else start
    if start is None or end is None or end < start:
        return None
    return start, end


def format_day(d: date) -> str:
    """A day in the journal's style.

    Example:
        >>> format_day(date(2023, 11, 29))
        'Nov. 29, 2023'
    """
    return f"{JOURNAL_MONTHS[d.month - 1]} {d.day}, {d.year}"


def format_range(start: str, end: str) -> str:
    """ISO start and end dates as the journal writes a span.

    Example:
        >>> format_range("2023-12-05", "2023-12-07"), format_range("2023-11-30", "2023-12-02")
        ('Dec. 5-7, 2023', 'Nov. 30-Dec. 2, 2023')
    """
    a, b = date.fromisoformat(start), date.fromisoformat(end)
    if a == b:
        return format_day(a)
    if a.year != b.year:
        return f"{format_day(a)}-{format_day(b)}"
    first = format_day(a).rsplit(",", 1)[0]
    last = str(b.day) if a.month == b.month else format_day(b).rsplit(",", 1)[0]
    return f"{first}-{last}, {b.year}"


#: How a question names its period: a day ("on Oct. 4"), within a month ("in early December", "the last week
#: of October"), a span ("between Dec. 5 and Dec. 7"), an open or relative period measured from a reference
#: ("after Oct. 20", "since", "before", "until"/"by"), or "event": the days of an event a question names,
#: the reference of an anchored period ("the day after Biden and Kishida met").
Relation = Literal["on", "in", "between", "after", "since", "before", "until", "event"]


@dataclass(frozen=True)
class DateRange:
    """A closed period of days, as named by a question.

    Example:
        >>> from rag.periods import DateInterpreter
        >>> di = DateInterpreter.for_dates([date(2023, 9, 1), date(2023, 12, 31)])
        >>> di.interpret("What happened after Oct. 20?").label()
        'after Oct. 20, 2023 (Oct. 21-Dec. 31, 2023)'
    """

    start: date
    end: date
    #: How the question said it ("on Oct. 4", "in early December", "after Oct. 20").
    phrase: str = ""
    relation: Relation = "in"
    #: What an open or relative period is measured from (Oct. 20 in "after Oct. 20"; an event's days).
    reference: DateRange | None = None
    #: How a numeric date was read, when its order could be doubted: "month first" for `4/9/2024`.
    reading: str = ""

    def overlaps(self, start: date, end: date) -> bool:
        return start <= self.end and end >= self.start

    def describe(self) -> str:
        if self.start == self.end:
            return self.start.isoformat()
        return f"{self.start.isoformat()} to {self.end.isoformat()}"

    def span(self) -> str:
        """The days in the journal's style: `Dec. 5-7, 2023`."""
        return format_range(self.start.isoformat(), self.end.isoformat())

    def reading_note(self) -> str:
        """How a numeric date was read, for "Read as", or "" when its reading was never in doubt.

        Example:
            >>> DateRange(date(2024, 4, 9), date(2024, 4, 9), "4/9/2024", "on", reading="month first").reading_note()
            '4/9/2024 read as April 9, 2024 (month first)'
        """
        return f"{self.phrase} read as {self._long()} ({self.reading})" if self.reading else ""

    def _long(self) -> str:
        """The days with the month's full name: `April 9, 2024`."""
        a, b = self.start, self.end
        if a == b:
            return f"{calendar.month_name[a.month]} {a.day}, {a.year}"
        return self.span()

    def _name(self) -> str:
        """The reference of an open period: `Oct. 20, 2023`, `October 2023`, `2024` or the question's words."""
        a, b = self.start, self.end
        if a == b:
            return format_day(a)
        if (a.month, a.day, b.month, b.day) == (1, 1, 12, 31) and a.year == b.year:
            return str(a.year)
        if (a.year, a.month, a.day) == (b.year, b.month, 1) and b.day == calendar.monthrange(b.year, b.month)[1]:
            return f"{calendar.month_name[a.month]} {a.year}"
        return self.phrase or self.span()

    def label(self) -> str:
        """A human reading of the period, in the journal's style, for "Read as".

        Example:
            >>> DateRange(date(2023, 10, 25), date(2023, 10, 31), "the last week of October").label()
            'the last week of October (Oct. 25-31, 2023)'
        """
        ref = self.reference
        if ref is None:
            if self.relation in ("on", "between") or not self.phrase:
                return self.span()
            if self._name() != self.phrase:
                return self._name()
            lead = _PREPOSITION.sub("", self.phrase)
            return f"{lead[:1].lower()}{lead[1:]} ({self.span()})"
        cut = self.phrase.rfind(ref.phrase) if ref.phrase else -1
        lead, tail = self.relation, ""
        if cut > 0:
            lead, tail = self.phrase[:cut].strip(), self.phrase[cut + len(ref.phrase) :]
        lead = lead[:1].lower() + lead[1:]
        if ref.relation == "event":
            return f"{self.span()}, {lead} ‘{ref.phrase}’{tail} ({ref.span()})"
        return f"{lead} {ref._name()}{tail} ({self.span()})"


_PREPOSITION = re.compile(r"^(?:in|during|of|on|throughout|for|through|from)\s+", re.IGNORECASE)
