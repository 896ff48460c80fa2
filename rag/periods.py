"""The periods questions name: dates ("after Oct. 20", "the last week of October"), events ("the day after
Biden and Kishida met") and first/last requests. Pure functions of the question's text; finding an event's
dates is retrieval's job.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from rag.dates import MONTH, DateRange, _safe_date, month_number

__all__ = ["DateInterpreter", "RelativePhrase", "date_at_start", "relative_phrases", "shifted"]

def _day_re(name: str) -> str:
    return rf"(?P<{name}>\d{{1,2}})(?:st|nd|rd|th)?"


def _year_re(name: str) -> str:
    return rf"(?:,?\s*(?P<{name}>(?:19|20)\d{{2}}))?"


def _month_re(name: str) -> str:
    return rf"(?P<{name}>{MONTH})"


_BETWEEN = re.compile(
    rf"\b(?:between|from)\s+{_month_re('m1')}\s+{_day_re('d1')}{_year_re('y1')}"
    rf"\s+(?:and|to|through|until|till|-|–)\s+(?:{_month_re('m2')}\s+)?{_day_re('d2')}{_year_re('y2')}\b",
    re.IGNORECASE,
)
_SPAN = re.compile(
    rf"\b{_month_re('m1')}\s+{_day_re('d1')}\s*[-–]\s*(?:{_month_re('m2')}\s+)?{_day_re('d2')}{_year_re('y2')}\b",
    re.IGNORECASE,
)
_DAY_MD = re.compile(rf"\b{_month_re('m')}\s+{_day_re('d')}{_year_re('y')}\b", re.IGNORECASE)
_DAY_DM = re.compile(rf"\b{_day_re('d')}\s+(?:of\s+)?{_month_re('m')}{_year_re('y')}\b", re.IGNORECASE)
#: `2024-04-09`, `2024/4/9`: year first, always month before day.
_ISO = re.compile(r"\b(?P<iy>(?:19|20)\d\d)([-/.])(?P<im>\d{1,2})\2(?P<id>\d{1,2})\b(?![-/.]?\d)")
#: `4/9/2024`, `4/9/24`, `4/9`: month first, as in the US (day first only when the first number is no month).
_SLASH = re.compile(r"(?<![\d/])(?P<sa>\d{1,2})/(?P<sb>\d{1,2})(?:/(?P<sy>(?:19|20)\d\d|\d\d))?\b(?![/\d])")
#: Words after which a bare `4/9` (no year) names a day rather than a fraction.
_DATE_LEAD = re.compile(r"\b(?:on|by|after|before|since|until|till|from|to|and|between|of)\s+$", re.IGNORECASE)
#: "on the 32nd", "by the 9th": a day of no month the question names.
_LONE_DAY = re.compile(
    rf"\b(?:on|by|after|before|since|until|till|from)\s+the\s+(?P<d>\d{{1,3}})(?:st|nd|rd|th)\b(?!\s+(?:of\s+)?{MONTH})",
    re.IGNORECASE,
)
_NOT_A_DAY = r"(?!\.?[\s,]*\d)"
_WEEK = re.compile(
    rf"\b(?:the\s+)?(?P<nth>first|second|third|fourth|last|final)\s+week\s+(?:of|in)\s+{_month_re('m')}"
    rf"{_year_re('y')}{_NOT_A_DAY}",
    re.IGNORECASE,
)
_PART_MONTH = re.compile(
    r"\b(?:the\s+)?(?P<part>early|mid|middle of|late|end of|beginning of|start of|first half of|second half of)"
    rf"[\s-]*(?:the\s+month\s+of\s+)?{_month_re('m')}{_year_re('y')}{_NOT_A_DAY}",
    re.IGNORECASE,
)
_MONTH_ONLY = re.compile(
    rf"\b(?:in|during|of|throughout|for|through)\s+(?:the\s+month\s+of\s+)?{_month_re('m')}{_year_re('y')}{_NOT_A_DAY}",
    re.IGNORECASE,
)
_BARE_MONTH = re.compile(
    r"\b(?P<m>(?:january|february|march|april|june|july|august|september|october|november|december|"
    rf"jan|feb|aug|sept?|oct|nov|dec)\b\.?){_year_re('y')}{_NOT_A_DAY}",
    re.IGNORECASE,
)
# After "after"/"before", any month may follow, "May" included, and a year alone ("before 2024").
_TARGET_MONTH = re.compile(rf"(?:the\s+month\s+of\s+)?{_month_re('m')}{_year_re('y')}{_NOT_A_DAY}", re.IGNORECASE)
_TARGET_YEAR = re.compile(r"(?P<y>(?:19|20)\d\d)\b")
#: A whole year as the period asked ("in 2013", "during 2019"), not a year inside a date or a span ("2013-14").
_IN_YEAR = re.compile(r"\b(?:in|during|throughout)\s+(?:the\s+year\s+)?(?P<y>(?:19|20)\d\d)\b(?![-–/]\d)", re.I)

_PARTS = {
    "early": (1, 10),
    "beginning of": (1, 10),
    "start of": (1, 10),
    "mid": (11, 20),
    "middle of": (11, 20),
    "late": (21, 31),
    "end of": (21, 31),
    "first half of": (1, 15),
    "second half of": (16, 31),
}
_WEEKS = {"first": 1, "second": 8, "third": 15, "fourth": 22}

# Numbers in "two weeks after", "3 days before", "a week after".
_COUNT_WORDS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "a couple of": 2, "a few": 3,
}
_UNITS = {"day": 1, "week": 7, "month": 30}
_COUNT = "|".join(sorted((re.escape(w).replace(r"\ ", r"\s+") for w in _COUNT_WORDS), key=len, reverse=True))
# "after X", "the day after X", "two weeks before X", "in the days after X", "since X", "until X", "by X":
# a period measured from X, a date or an event. `target` runs to the end of the clause.
_RELATIVE = re.compile(
    r"(?P<lead>(?:"
    r"(?P<vague>in\s+the\s+(?:days|weeks)|shortly|soon|just|right|immediately)\s+"
    rf"|(?:the\s+)?(?P<count>\d{{1,3}}|{_COUNT})\s+(?P<unit>days?|weeks?|months?)\s+"
    r"|the\s+(?P<one>day|week|month)\s+"
    r")?"
    r"(?P<rel>after|following|since|before|prior\s+to|ahead\s+of|preceding|until|till|by)\s+)"
    r"(?P<target>(?:[^,;:?!]|,(?=\s*(?:19|20)\d\d\b))+?)"
    r"(?=\s+(?:and|or|but)\s+(?:after|before|since|until)\b|[;:?!]|,(?!\s*(?:19|20)\d\d\b)|\.?\s*$)",
    re.IGNORECASE,
)
#: How an open or relative period lies from what it is measured from ("by" and "till" are "until").
OpenRelation = Literal["after", "since", "before", "until"]
_RELATIONS: dict[str, OpenRelation] = {
    "after": "after", "following": "after", "since": "since", "before": "before", "prior to": "before",
    "ahead of": "before", "preceding": "before", "until": "until", "till": "until", "by": "until",
}
# A date followed by one of these still names a day ("after Oct. 20 in Tokyo"); followed by anything else
# it names an event ("after the Nov. 29 crash").
_FUNCTION_WORDS = frozenset({
    "in", "at", "on", "and", "or", "but", "when", "while", "what", "which", "who", "whom", "whose", "where", "how",
    "did", "does", "do", "was", "were", "is", "are", "has", "have", "had", "to", "for", "with", "from", "by", "of",
    "about", "as", "during", "until", "till", "than", "then", "there",
})


@dataclass(frozen=True)
class RelativePhrase:
    """One "after / before …" phrase of a question; `target` is a date or an event, still unread."""

    relation: OpenRelation
    #: The relation as written, lower-case ("prior to", "by").
    word: str
    #: Length of the period in days ("the week after": 7); None for an open period ("after X").
    offset_days: int | None
    target: str
    phrase: str
    start: int


def relative_phrases(question: str) -> list[RelativePhrase]:
    """Every "after / before / since / until / by …" phrase of a question, in order.

    Example:
        >>> [(r.relation, r.offset_days, r.target) for r in relative_phrases("What happened two weeks after Oct. 20?")]
        [('after', 14, 'Oct. 20')]
    """
    found: list[RelativePhrase] = []
    for m in _RELATIVE.finditer(question):
        offset: int | None = None
        if m["count"]:
            raw = re.sub(r"\s+", " ", m["count"].lower())
            offset = (int(raw) if raw.isdigit() else _COUNT_WORDS[raw]) * _UNITS[m["unit"].lower().rstrip("s")]
        elif m["one"]:
            offset = _UNITS[m["one"].lower()]
        elif m["vague"]:
            offset = 28 if m["vague"].lower().endswith("weeks") else 7
        word = re.sub(r"\s+", " ", m["rel"].lower())
        relation = _RELATIONS[word]
        if offset == 0 or (offset is not None and relation not in ("after", "before")):
            continue
        target = m["target"].strip()
        phrase = question[m.start() : m.start("target") + len(target)]
        found.append(RelativePhrase(relation, word, offset, target, phrase, m.start()))
    return found


def _numeric_dates(text: str) -> list[re.Match[str]]:
    """The numeric dates of `text` in order: `2024-04-09`, `4/9/2024`, and `4/9` after "on", "by", "after"…"""
    found = list(_ISO.finditer(text))
    for m in _SLASH.finditer(text):
        if any(iso.start() <= m.start() < iso.end() for iso in found):
            continue
        if m["sy"] or _DATE_LEAD.search(text[: m.start()]):
            found.append(m)
    return sorted(found, key=lambda m: m.start())


def _blank(text: str, at: int, length: int) -> str:
    return text[:at] + " " * length + text[at + length :]


def date_at_start(text: str) -> re.Match[str] | None:
    """The longest date pattern `text` opens with ("Oct. 20", "the last week of October", "2024"), possibly an
    impossible date, when what follows it does not make it an event's name ("the Nov. 29 crash")."""
    stripped = re.sub(r"^the\s+", "", text, flags=re.IGNORECASE)
    best: re.Match[str] | None = None
    for body in dict.fromkeys((text, stripped)):
        for pattern in (_SPAN, _WEEK, _PART_MONTH, _DAY_MD, _DAY_DM, _ISO, _SLASH, _TARGET_MONTH, _TARGET_YEAR):
            m = pattern.match(body)
            if m and (best is None or len(body) - m.end() < len(best.string) - best.end()):
                best = m
    if best is None:
        return None
    rest = best.string[best.end() :].strip()
    first_word = re.match(r"[A-Za-z]+", rest)
    if rest and rest[0].isalnum() and (first_word is None or first_word.group(0).lower() not in _FUNCTION_WORDS):
        return None
    return best


def _period(m: re.Match[str], years: Callable[[int, str | None], int]) -> DateRange | None:
    """The period one of the date patterns matched."""
    groups = m.groupdict()
    if m.re is _ISO or m.re is _SLASH:
        return _numeric(m, years)
    if m.re is _TARGET_YEAR:
        y = int(m["y"])
        return DateRange(date(y, 1, 1), date(y, 12, 31), m.group(0), "in")
    if "m1" in groups:
        m1 = month_number(m["m1"])
        m2 = month_number(m["m2"]) if m["m2"] else m1
        if not (m1 and m2):
            return None
        y2 = m["y2"]
        y1 = groups.get("y1") or (y2 if m1 <= m2 else None)
        start = _safe_date(years(m1, y1), m1, int(m["d1"]))
        end = _safe_date(years(m2, y2), m2, int(m["d2"]))
        return DateRange(start, end, m.group(0), "between") if start and end and start <= end else None
    month = month_number(m["m"])
    if month is None:
        return None
    year = years(month, m["y"])
    last = calendar.monthrange(year, month)[1]
    if "d" in groups:
        day = _safe_date(year, month, int(m["d"]))
        return DateRange(day, day, m.group(0), "on") if day else None
    if "nth" in groups:
        first = last - 6 if m["nth"].lower() in ("last", "final") else _WEEKS[m["nth"].lower()]
        return DateRange(date(year, month, first), date(year, month, first + 6), m.group(0), "in")
    lo, hi = _PARTS[m["part"].lower()] if "part" in groups else (1, last)
    return DateRange(date(year, month, lo), date(year, month, min(hi, last)), m.group(0), "in")


def _numeric(m: re.Match[str], years: Callable[[int, str | None], int]) -> DateRange | None:
    """The day of `2024-04-09` or `4/9/2024` (month first; day first only when the first number is no month)."""
    reading = ""
    if m.re is _ISO:
        month, day, raw_year = int(m["im"]), int(m["id"]), m["iy"]
    else:
        a, b, raw_year = int(m["sa"]), int(m["sb"]), m["sy"]
        if raw_year and len(raw_year) == 2:
            raw_year = f"20{raw_year}"
        month, day, reading = (a, b, "month first") if a <= 12 else (b, a, f"day first: there is no month {a}")
    if not 1 <= month <= 12:
        return None
    found = _safe_date(years(month, raw_year), month, day)
    return DateRange(found, found, m.group(0), "on", reading=reading) if found else None


def _why_unread(m: re.Match[str]) -> str:
    """Why a date-like phrase names no day: "there is no month 13", "November has no day 31"."""
    groups = m.groupdict()
    if "d" in groups and "m" not in groups:
        day = int(m["d"])
        return f"no month has a day {day}" if day > 31 else "it names no month"
    if m.re is _ISO or m.re is _SLASH:
        first, second = (int(m["im"]), int(m["id"])) if m.re is _ISO else (int(m["sa"]), int(m["sb"]))
        if m.re is _SLASH and first > 12 and second > 12:
            return f"neither {first} nor {second} is a month"
        month, day = (first, second) if first <= 12 or m.re is _ISO else (second, first)
    else:
        month, day = month_number(m["m"]) or 0, int(m["d"])
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    return f"{calendar.month_name[month]} has no day {day}"


def shifted(
    relation: str, offset_days: int | None, reference: DateRange, first: date, last: date
) -> tuple[date, date]:
    """The days of a period `relation` `reference`: `offset_days` long, or open up to `first`/`last`.

    An open period is clipped to [first, last], the corpus's dates; one that lies wholly outside them is the
    single day next to its reference (the chronology lists nothing then).

    Example:
        >>> shifted("after", None, DateRange(date(2023, 10, 20), date(2023, 10, 20)), date(2023, 9, 1),
        ...         date(2023, 12, 31))
        (datetime.date(2023, 10, 21), datetime.date(2023, 12, 31))
    """
    if relation in ("after", "since"):
        start = reference.end + timedelta(days=1) if relation == "after" else reference.start
        if offset_days:
            return start, start + timedelta(days=offset_days - 1)
        start = max(start, first) if start <= last else start
        return start, max(start, last)
    end = reference.start - timedelta(days=1) if relation == "before" else reference.end
    if offset_days:
        return end - timedelta(days=offset_days - 1), end
    end = min(end, last) if end >= first else end
    return min(first, end), end


class DateInterpreter:
    """Finds the period a question names; years default to the ones the corpus covers.

    Open periods ("after Oct. 20", "before November") run to the corpus's last or from its first date.

    Example:
        >>> di = DateInterpreter.for_dates([date(2023, 9, 1), date(2023, 12, 31)])
        >>> di.interpret("What happened in early December?").describe()
        '2023-12-01 to 2023-12-10'
        >>> di.interpret("What happened after Oct. 20?").describe()
        '2023-10-21 to 2023-12-31'
    """

    def __init__(
        self,
        years: list[int] | None = None,
        months: dict[int, int] | None = None,
        corpus_start: date | None = None,
        corpus_end: date | None = None,
    ) -> None:
        self.years = sorted(set(years or []))
        #: month → year, for corpora whose chronology names each month in one year.
        self.months = months or {}
        first_year = self.years[0] if self.years else date.today().year
        last_year = self.years[-1] if self.years else date.today().year
        #: The first and last day the corpus's dates cover; open periods are clipped to them.
        self.corpus_start = corpus_start or date(first_year, 1, 1)
        self.corpus_end = corpus_end or date(last_year, 12, 31)

    @classmethod
    def for_dates(cls, dates: list[date]) -> DateInterpreter:
        """An interpreter for a corpus with these dates (chronology entries' starts and ends)."""
        months: dict[int, int] = {}
        for d in sorted(dates):
            months.setdefault(d.month, d.year)
        return cls(years=[d.year for d in dates], months=months, corpus_start=min(dates, default=None),
                   corpus_end=max(dates, default=None))

    def _year(self, month: int, raw: str | None) -> int:
        if raw:
            return int(raw)
        if month in self.months:
            return self.months[month]
        if self.years:
            return self.years[-1]
        return date.today().year

    def interpret(self, question: str) -> DateRange | None:
        """The period the question names, or None (also for impossible dates such as `Feb. 30`).

        Example:
            >>> di = DateInterpreter.for_dates([date(2023, 9, 1), date(2023, 12, 31)])
            >>> di.interpret("What happened the week before Nov. 16?").label()
            'the week before Nov. 16, 2023 (Nov. 9-15, 2023)'
        """
        opens: list[tuple[int, DateRange]] = []
        # Dates inside a phrase anchored on an event ("after the Nov. 29 crash") are not the question's period.
        blanked = question
        for rel in relative_phrases(question):
            m = date_at_start(rel.target)
            reference = _period(m, self._year) if m else None
            if reference is None:
                from rag.anchors import anchor_of  # an event-anchored phrase: rag.anchors reads it

                if anchor_of(rel, question) is not None:
                    blanked = _blank(blanked, rel.start, len(rel.phrase))
                continue
            rest = len(m.string) - m.end() if m else 0
            phrase = (rel.phrase[: len(rel.phrase) - len(rel.target)] + rel.target[: len(rel.target) - rest]).rstrip()
            start, end = shifted(rel.relation, rel.offset_days, reference, self.corpus_start, self.corpus_end)
            period = DateRange(start, end, phrase, rel.relation, reference)
            if rel.offset_days is None:
                opens.append((rel.start, period))
                blanked = _blank(blanked, rel.start, len(phrase))
            elif not opens:
                return period
        closed = self._closed(blanked)
        if not opens:
            return closed
        if closed is not None:
            opens.append((blanked.find(closed.phrase), closed))
        # "in late October, after Oct. 20", "after Oct. 20 and before Nov. 5": the days all of them allow.
        first = opens[0][1]
        start, end = max(p.start for _, p in opens), min(p.end for _, p in opens)
        if len(opens) == 1 or start > end:
            return first
        lo, hi = min(at for at, _ in opens), max(at + len(p.phrase) for at, p in opens)
        return DateRange(start, end, question[lo:hi], first.relation, first.reference)

    def unread(self, question: str) -> tuple[str, ...]:
        """The date-like phrases of a question that name no day, each with why: said, never silently dropped.

        Example:
            >>> di = DateInterpreter.for_dates([date(2023, 9, 1), date(2023, 12, 31)])
            >>> di.unread("What happened on 13/45/2024 or on the 32nd?")
            ('“13/45/2024” (neither 13 nor 45 is a month)', '“the 32nd” (no month has a day 32)')
        """
        found: list[tuple[int, str]] = []
        taken: list[tuple[int, int]] = []
        matches = [*_numeric_dates(question), *_DAY_MD.finditer(question), *_DAY_DM.finditer(question)]
        for m in matches:
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            taken.append((m.start(), m.end()))
            if _period(m, self._year) is None:
                found.append((m.start(), f"“{m.group(0)}” ({_why_unread(m)})"))
        for m in _LONE_DAY.finditer(question):
            phrase = m.group(0).split(maxsplit=1)[1]
            found.append((m.start(), f"“{phrase}” ({_why_unread(m)})"))
        return tuple(text for _, text in sorted(found))

    def _closed(self, question: str) -> DateRange | None:
        """A day, a span or a (part of a) month the question names."""
        m = _BETWEEN.search(question) or _SPAN.search(question)
        if m:
            return _period(m, self._year)
        for m in _numeric_dates(question):
            found = _period(m, self._year)
            if found is not None:
                return found
        for pattern in (_DAY_MD, _DAY_DM, _WEEK, _PART_MONTH):
            m = pattern.search(question)
            if m:
                return _period(m, self._year)
        m = _MONTH_ONLY.search(question) or _BARE_MONTH.search(question)
        # "may" is too often the verb; only "in May" or "May 2023" count.
        if m and not (m["m"].lower() == "may" and m.re is _BARE_MONTH):
            return _period(m, self._year)
        m = _IN_YEAR.search(question)
        if m:
            y = int(m["y"])
            return DateRange(date(y, 1, 1), date(y, 12, 31), m.group(0), "in")
        return None



# ----------------------------------------------------------------------------------------- periods anchored on events
