"""The chronology of an index as a table: its dated entries in date order, who or what each one names (people
under their surnames, countries and groups under their usual variants, offices by who holds them), and the
entries of a period or around it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import numpy as np

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
        # Each entry's first and last day as date ordinals, so that a period's entries are found with numpy
        # rather than a loop over every entry of the library (~60k at 1,000 briefings).
        self._starts = np.array([day(p.date_start, "").toordinal() for p in self.entries], dtype=np.int64)
        self._ends = np.array([day(p.date_end or p.date_start, "").toordinal() for p in self.entries], dtype=np.int64)
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
        first, last = period.start.toordinal(), period.end.toordinal()
        mask = (self._starts <= last) & (self._ends >= first)
        if period.relation == "after":
            mask &= self._starts >= first
        elif period.relation == "before":
            mask &= self._ends <= last
        picked = [self.entries[i] for i in np.flatnonzero(mask).tolist()]
        return picked if scope is None else [p for p in picked if scope(p)]

    def nearest(self, period: DateRange, scope: Scope = None,
                among: list[Passage] | None = None) -> tuple[list[Passage], list[Passage]]:
        """The entries of the last day before `period` and of the first day after it (out of `among`, if given)."""
        if among is None:  # the library's entries: picked with the day arrays, then scoped
            before = [self.entries[i] for i in np.flatnonzero(self._ends < period.start.toordinal()).tolist()]
            after = [self.entries[i] for i in np.flatnonzero(self._starts > period.end.toordinal()).tolist()]
            if scope is not None:
                before, after = [p for p in before if scope(p)], [p for p in after if scope(p)]
        else:
            before = [p for p in among if day(p.date_end or p.date_start, "9999-12-31") < period.start]
            after = [p for p in among if day(p.date_start, "0001-01-01") > period.end]
        last = before[-1].date_end or before[-1].date_start if before else None
        first = after[0].date_start if after else None
        return ([p for p in before if (p.date_end or p.date_start) == last],
                [p for p in after if p.date_start == first])
