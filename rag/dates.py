"""Dates: the `Mon. D, YYYY:` prefixes of chronology entries, and the periods questions name."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

# Every spelling the journal uses (Jan., Feb., March, April, May, June, July, Aug., Sept., Oct., Nov., Dec.)
# plus the full names and common short forms a reader might type.
_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
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
    ],
    start=1,
):
    for _name in _names:
        _MONTHS[_name] = _number

MONTH = r"(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DASH = r"\s*[-–—]\s*"

#: `Sept. 1, 2023`, `Oct. 16-18, 2023`, `Nov. 30-Dec. 2, 2023`, `Dec. 30, 2023-Jan. 2, 2024`.
ENTRY_DATE = re.compile(
    rf"(?P<m1>{MONTH})\s+(?P<d1>\d{{1,2}})(?:,\s*(?P<y1>\d{{4}}))?"
    rf"(?:{_DASH}(?:(?P<m2>{MONTH})\s+)?(?P<d2>\d{{1,2}}))?"
    rf",\s*(?P<y2>\d{{4}})",
    re.IGNORECASE,
)


def month_number(name: str) -> int | None:
    """`"Sept."` → 9; None when it is not a month."""
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


@dataclass(frozen=True)
class DateRange:
    """A closed period of days, as named by a question."""

    start: date
    end: date
    #: How the question said it ("on Oct. 4", "in early December").
    phrase: str = ""

    def overlaps(self, start: date, end: date) -> bool:
        return start <= self.end and end >= self.start

    def describe(self) -> str:
        if self.start == self.end:
            return self.start.isoformat()
        return f"{self.start.isoformat()} to {self.end.isoformat()}"


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
    rf"{_month_re('m1')}\s+{_day_re('d1')}\s*[-–]\s*(?:{_month_re('m2')}\s+)?{_day_re('d2')}{_year_re('y2')}\b",
    re.IGNORECASE,
)
_DAY_MD = re.compile(rf"\b{_month_re('m')}\s+{_day_re('d')}{_year_re('y')}\b", re.IGNORECASE)
_DAY_DM = re.compile(rf"\b{_day_re('d')}\s+(?:of\s+)?{_month_re('m')}{_year_re('y')}\b", re.IGNORECASE)
_PART_MONTH = re.compile(
    r"\b(?P<part>early|mid|middle of|late|end of|beginning of|start of|first half of|second half of)[\s-]*"
    rf"{_month_re('m')}{_year_re('y')}(?!\s*\d)",
    re.IGNORECASE,
)
_MONTH_ONLY = re.compile(
    rf"\b(?:in|during|of|throughout|for|through)\s+(?:the\s+month\s+of\s+)?{_month_re('m')}{_year_re('y')}(?!\s*\d)",
    re.IGNORECASE,
)
_BARE_MONTH = re.compile(
    r"\b(?P<m>(?:january|february|march|april|june|july|august|september|october|november|december|"
    rf"jan|feb|aug|sept?|oct|nov|dec)\.?){_year_re('y')}(?!\s*\d)",
    re.IGNORECASE,
)

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


class DateInterpreter:
    """Finds the period a question names; years default to the ones the corpus covers.

    Example:
        >>> di = DateInterpreter(years=[2023])
        >>> di.interpret("What happened in early December?").describe()
        '2023-12-01 to 2023-12-10'
    """

    def __init__(self, years: list[int] | None = None, months: dict[int, int] | None = None) -> None:
        self.years = sorted(set(years or []))
        #: month → year, for corpora whose chronology names each month in one year.
        self.months = months or {}

    @classmethod
    def for_dates(cls, dates: list[date]) -> DateInterpreter:
        months: dict[int, int] = {}
        for d in sorted(dates):
            months.setdefault(d.month, d.year)
        return cls(years=[d.year for d in dates], months=months)

    def _year(self, month: int, raw: str | None) -> int:
        if raw:
            return int(raw)
        if month in self.months:
            return self.months[month]
        if self.years:
            return self.years[-1]
        return date.today().year

    def _day(self, month: int, day: str, year: str | None) -> date | None:
        return _safe_date(self._year(month, year), month, int(day))

    def interpret(self, question: str) -> DateRange | None:
        """The period the question names, or None (also for impossible dates such as `Feb. 30`)."""
        m = _BETWEEN.search(question) or _SPAN.search(question)
        if m:
            m1 = month_number(m["m1"])
            m2 = month_number(m["m2"]) if m["m2"] else m1
            if m1 and m2:
                y2 = m["y2"]
                y1 = m.groupdict().get("y1") or (y2 if m1 <= m2 else None)
                start = self._day(m1, m["d1"], y1)
                end = self._day(m2, m["d2"], y2)
                if start and end and start <= end:
                    return DateRange(start, end, m.group(0))
            return None
        for pattern in (_DAY_MD, _DAY_DM):
            m = pattern.search(question)
            if m:
                month = month_number(m["m"])
                day = self._day(month, m["d"], m["y"]) if month else None
                return DateRange(day, day, m.group(0)) if day else None
        m = _PART_MONTH.search(question)
        if m:
            month = month_number(m["m"])
            if month:
                year = self._year(month, m["y"])
                last = calendar.monthrange(year, month)[1]
                lo, hi = _PARTS[m["part"].lower()]
                return DateRange(date(year, month, lo), date(year, month, min(hi, last)), m.group(0))
        m = _MONTH_ONLY.search(question) or _BARE_MONTH.search(question)
        if m:
            month = month_number(m["m"])
            # "may" is too often the verb; only "in May" or "May 2023" count.
            if month and not (m["m"].lower() == "may" and m.re is _BARE_MONTH):
                year = self._year(month, m["y"])
                last = calendar.monthrange(year, month)[1]
                return DateRange(date(year, month, 1), date(year, month, last), m.group(0))
        return None


def format_day(d: date) -> str:
    """`2023-11-29` → `Nov. 29, 2023`, in the journal's style."""
    names = ["Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."]
    return f"{names[d.month - 1]} {d.day}, {d.year}"


def format_range(start: str, end: str) -> str:
    """ISO start and end → `Dec. 5-7, 2023`, `Nov. 30-Dec. 2, 2023` or `Sept. 1, 2023`."""
    a, b = date.fromisoformat(start), date.fromisoformat(end)
    if a == b:
        return format_day(a)
    if a.year != b.year:
        return f"{format_day(a)}-{format_day(b)}"
    first = format_day(a).rsplit(",", 1)[0]
    last = str(b.day) if a.month == b.month else format_day(b).rsplit(",", 1)[0]
    return f"{first}-{last}, {b.year}"

