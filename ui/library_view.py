"""The page's view of a large library: a searchable Documents filter and an index panel that summarises.

A library of a thousand briefings cannot be a thousand checkboxes or one long list: the filter is a dropdown
one types into ("title — id — period", so a title word, an id or a year finds a document), empty meaning every
document; the index panel gives the counts and the first rows, and a search box lists the rows that match.

Example:
    >>> rows = [{"id": "a", "title": "Japan–Korea", "start": "2013-01-04", "end": "2013-04-20", "passages": 9,
    ...          "added_at": "2024-01-01T00:00:00"}]
    >>> choices(rows)
    [('Japan–Korea — a — Jan. 4-April 20, 2013', 'a')]
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from ui import render

#: Rows the index panel lists at once (the search finds the others).
PANEL_ROWS = 20


def label(row: dict[str, Any]) -> str:
    """What the filter shows (and matches typing against) for one document: title — id — period."""
    parts = [row["title"]] if row["title"] != row["id"] else []
    return " — ".join([*parts, row["id"], render.period(row)])


def choices(library: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(label(r), r["id"]) for r in library]


def chosen(docs: Sequence[str] | None, shown: Sequence[str] | None, known: Sequence[str]) -> list[str] | None:
    """The documents to search for the filter's choice: None (every document) when nothing is chosen, or when
    everything the page listed is (a document added since, by another page or replica, is searched too);
    otherwise the chosen ones still in the library (one removed since is dropped quietly)."""
    if not docs:
        return None
    if shown is not None and set(shown) <= set(docs):
        return None
    kept = [d for d in docs if d in known]
    return kept or None


def matches(library: Sequence[dict[str, Any]], query: str) -> list[dict[str, Any]]:
    """The rows whose title, id or period contain every word of `query` (case-insensitive)."""
    words = query.lower().split()
    return [r for r in library if all(w in label(r).lower() for w in words)]


def panel(info: dict[str, Any], library: Sequence[dict[str, Any]], query: str = "", limit: int = PANEL_ROWS) -> str:
    """The index panel: the index's figures, then the documents matching `query` (the first `limit`)."""
    rows = matches(library, query) if query.strip() else list(library)
    n = len(library)
    summary = {**info, "documents": [r["id"] for r in library]} if n <= limit else {
        **info, "documents": [f"{n:,} documents"]}
    note = ""
    if query.strip():
        note = f"{len(rows):,} of {n:,} documents match “{html.escape(query.strip())}”"
    elif n > limit:
        note = f"The first {limit} of {n:,} documents; search to find the others"
    if note and len(rows) > limit:
        note += f" (showing {limit})"
    head = f'<p class="library-note">{note}.</p>' if note else ""
    return render.render_index_info(summary) + head + render.render_library(rows[:limit])
