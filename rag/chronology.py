"""The chronology of an index as a table: its dated entries in date order, who or what each one names (people
under their surnames, countries and groups under their usual variants, offices by who holds them), and the
entries of a period or around it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from datetime import date
from weakref import WeakKeyDictionary

import numpy as np

from rag.aliases import GROUPS
from rag.dates import DateRange
from rag.index import Index
from rag.passage_table import LazyPassages
from rag.schema import Passage

#: Which passages a question may use (the document and date filters): `Filters.admits`, or None for all.
Scope = Callable[[Passage], bool] | None

__all__ = ["GROUPS", "Chronology", "Scope", "day"]

class Entries(LazyPassages):
    """Some of an index's passages, by position, decoded when read; their texts are cut from the sources."""

    def __init__(self, index: Index, positions: list[int]) -> None:
        self.of = index
        self.positions = positions
        self._texts: list[str] | None = None

    def __len__(self) -> int:
        return len(self.positions)

    def _get(self, i: int) -> Passage:
        return self.of.passages[self.positions[i]]

    def texts(self) -> list[str]:
        """Each entry's text (`source[char_start:char_end]`, the passage's `text`), without decoding it."""
        if self._texts is None:
            c, source = self.of.columns, self.of.source
            self._texts = [source(c.docs[d])[a:b] for d, a, b in zip(
                c.doc[self.positions].tolist(), c.char_start[self.positions].tolist(),
                c.char_end[self.positions].tolist(), strict=True)]
        return self._texts


def day(iso: str | None, default: str) -> date:
    return date.fromisoformat(iso or default)


class Chronology:
    """The index's dated entries, in date order, and who or what each one names.

    Example:
        >>> chronology = Chronology(index)  # doctest: +SKIP
        >>> len(chronology.naming(("Park Jin",)))  # doctest: +SKIP
        5
    """

    @classmethod
    def of(cls, index: Index) -> Chronology:
        """The index's chronology, made once per loaded index (its entries' texts are cut once, not per question)."""
        got = _CHRONOLOGIES.get(index)
        if got is None:
            with _LOCK:
                got = _CHRONOLOGIES.get(index)
                if got is None:
                    got = _CHRONOLOGIES[index] = cls(index)
        return got

    def __init__(self, index: Index) -> None:
        c = index.columns  # read from the columns: no passage is decoded until an answer uses it
        starts, ends = c.days()
        dated = np.flatnonzero(c.chronology & (starts > 0))
        dated = dated[np.lexsort((dated, c.char_start[dated], starts[dated]))]  # by day, then place in the briefing
        #: The dated entries in date order (then by place in their briefing).
        self.entries = Entries(index, dated.tolist())
        # Each entry's first and last day as date ordinals, so that a period's entries are found with numpy
        # rather than a loop over every entry of the library (~60k at 1,000 briefings).
        self._starts = starts[dated]
        self._ends = np.where(ends[dated] > 0, ends[dated], starts[dated])
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

    def naming(self, names: tuple[str, ...], entries: Sequence[Passage] | None = None) -> list[Passage]:
        """The entries that name every one of `names`."""
        patterns = [self.pattern(n) for n in names]
        pool = self.entries if entries is None else entries
        if isinstance(pool, Entries):  # the texts are searched, only the entries found are decoded
            return [pool[i] for i, text in enumerate(pool.texts()) if all(r.search(text) for r in patterns)]
        return [p for p in pool if all(r.search(p.text) for r in patterns)]

    def scoped(self, scope: Scope) -> Sequence[Passage]:
        """The entries a question may use: those of the chosen documents and dates (every one without a scope)."""
        if scope is None:
            return self.entries
        # The reader's document filter (`Filters.admits`) is applied to the columns first, so that only the
        # chosen documents' entries are decoded; the scope itself still decides.
        docs = getattr(getattr(scope, "__self__", None), "docs", ())
        entries: Sequence[Passage] = self.entries
        if docs and isinstance(docs, tuple):
            c = self.entries.of.columns
            codes = [i for i, d in enumerate(c.docs) if d in docs]
            positions = np.asarray(self.entries.positions, dtype=np.int64)
            entries = Entries(self.entries.of, positions[np.isin(c.doc[positions], codes)].tolist())
        return [p for p in entries if scope(p)]

    def within(self, period: DateRange | None, scope: Scope = None) -> Sequence[Passage]:
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


_CHRONOLOGIES: WeakKeyDictionary[Index, Chronology] = WeakKeyDictionary()
_LOCK = threading.Lock()
