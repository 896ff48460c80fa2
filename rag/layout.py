"""Library-wide lookups computed once per index, so that no question scans every passage in Python.

At 1,000 briefings (~20k-100k passages) a loop over `index.passages` costs tens of milliseconds per question;
these arrays answer the same questions with numpy: which positions belong to a document, and which chronology
entries fall in a period.

Example:
    >>> lay = layout(index)  # doctest: +SKIP
    >>> lay.of_docs(("us-japan",)).size  # doctest: +SKIP
    97
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from weakref import WeakKeyDictionary

import numpy as np

from rag.index import Index

__all__ = ["Layout", "layout"]


@dataclass(frozen=True)
class Layout:
    #: Each document's passage positions, ascending.
    by_doc: dict[str, np.ndarray]
    #: Positions of the dated chronology entries, and their first and last days as date ordinals.
    dated: np.ndarray
    starts: np.ndarray
    ends: np.ndarray

    def of_docs(self, docs: tuple[str, ...]) -> np.ndarray:
        """The positions of these documents' passages, ascending (none for unknown ids)."""
        parts = [self.by_doc[d] for d in dict.fromkeys(docs) if d in self.by_doc]
        if not parts:
            return np.zeros(0, dtype=np.int64)
        return np.sort(np.concatenate(parts)) if len(parts) > 1 else parts[0]

    def overlapping(self, start: date, end: date) -> np.ndarray:
        """Positions of the dated chronology entries whose days overlap [start, end], ascending."""
        mask = (self.starts <= end.toordinal()) & (self.ends >= start.toordinal())
        return self.dated[mask]


def _build(index: Index) -> Layout:
    c = index.columns  # no passage is decoded (rag/passage_table.py)
    order = np.argsort(c.doc, kind="stable")
    cuts = np.flatnonzero(np.diff(c.doc[order])) + 1
    by_doc = {c.docs[int(c.doc[part[0]])]: part.astype(np.int64) for part in np.split(order, cuts) if len(part)}
    starts, ends = c.days()
    dated = np.flatnonzero(c.chronology & (starts > 0) & (ends > 0))
    return Layout(by_doc, dated.astype(np.int64), starts[dated], ends[dated])


_LAYOUTS: WeakKeyDictionary[Index, Layout] = WeakKeyDictionary()
_LOCK = threading.Lock()


def layout(index: Index) -> Layout:
    """The index's layout, computed on first use (answers run on parallel threads: computed once)."""
    got = _LAYOUTS.get(index)
    if got is None:
        with _LOCK:
            got = _LAYOUTS.get(index)
            if got is None:
                got = _LAYOUTS[index] = _build(index)
    return got
