"""The chronology of an index as a table: its dated entries in date order, who or what each one names (people
under their surnames, countries and groups under their usual variants, offices by who holds them), and the
entries of a period or around it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from rag.aliases import GROUPS
from rag.dates import DateRange
from rag.index import Index
from rag.schema import Passage

#: Which passages a question may use (the document and date filters): `Filters.admits`, or None for all.
Scope = Callable[[Passage], bool] | None

__all__ = ["GROUPS", "Chronology", "Scope", "day"]

def day(iso: str | None, default: str) -> date:
    return date.fromisoformat(iso or default)


class Chronology:
    """The index's dated entries, in date order, and who or what each one names.

    Example:
        >>> chronology = Chronology(index)  # doctest: +SKIP
        >>> len(chronology.naming(("Park Jin",)))  # doctest: +SKIP
        5
    """

    def __init__(self, index: Index) -> None:
        self.entries = sorted((p for p in index.passages if p.kind == "chronology" and p.date_start),
                              key=lambda p: (p.date_start or "", p.char_start))
        self.aliases = index.aliases
        #: One-word person names the briefing uses alone ("Park", "Brown").
        self.surnames = self.aliases.surnames
        #: Who holds which office, as the briefing says it ("Prime Minister Kishida").
        self.offices = self.aliases.offices

    def office_in(self, text: str) -> str | None:
        """"the prime minister" (as a name `pattern` knows) when `text` asks about an office the briefing fills."""
        return self.aliases.office_in(text)

    def pattern(self, name: str) -> re.Pattern[str]:
        """A pattern that finds `name` under its variants (the index's alias table, rag/aliases.py)."""
        return self.aliases.pattern(name)

    def naming(self, names: tuple[str, ...], entries: list[Passage] | None = None) -> list[Passage]:
        """The entries that name every one of `names`."""
        patterns = [self.pattern(n) for n in names]
        return [p for p in (self.entries if entries is None else entries) if all(r.search(p.text) for r in patterns)]

    def scoped(self, scope: Scope) -> list[Passage]:
        """The entries a question may use: those of the chosen documents and dates (every one without a scope)."""
        return list(self.entries) if scope is None else [p for p in self.entries if scope(p)]

    def within(self, period: DateRange | None, scope: Scope = None) -> list[Passage]:
        """The entries of a period; "after X" leaves out entries begun before it, "before X" those still running."""
        if period is None:
            return self.scoped(scope)
        out = []
        for p in self.scoped(scope):
            start, end = day(p.date_start, "9999-12-31"), day(p.date_end or p.date_start, "0001-01-01")
            if not period.overlaps(start, end):
                continue
            if (period.relation == "after" and start < period.start) or (
                    period.relation == "before" and end > period.end):
                continue
            out.append(p)
        return out

    def nearest(self, period: DateRange, scope: Scope = None,
                among: list[Passage] | None = None) -> tuple[list[Passage], list[Passage]]:
        """The entries of the last day before `period` and of the first day after it (out of `among`, if given)."""
        entries = self.scoped(scope) if among is None else among
        before = [p for p in entries if day(p.date_end or p.date_start, "9999-12-31") < period.start]
        after = [p for p in entries if day(p.date_start, "0001-01-01") > period.end]
        last = before[-1].date_end or before[-1].date_start if before else None
        first = after[0].date_start if after else None
        return ([p for p in before if (p.date_end or p.date_start) == last],
                [p for p in after if p.date_start == first])
