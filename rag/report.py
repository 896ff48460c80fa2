"""What a build or an addition read from each document, for `rag index build/add` to print: its format, pages,
sections, article passages and chronology entries, how it was decoded, and a warning when lines look like
dated entries but none was read as one (a chronology the readers did not recognise would silently be prose).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.dates import ENTRY_DATE
from rag.index import Index
from rag.layout import layout

#: Lines that start with a date (after list or table markup) this many times, with no entry read, are reported.
DATED_LINES = 3
_DATED_LINE = re.compile(r"^\s*(?:[-*+|]\s*|\d+[.)]\s+)?(?:\*\*)?" + ENTRY_DATE.pattern, re.IGNORECASE)


@dataclass(frozen=True)
class DocumentReport:
    doc: str
    format: str
    pages: int | None
    sections: int
    article_passages: int
    chronology_entries: int
    notes: tuple[str, ...] = ()
    warning: str | None = None

    def line(self) -> str:
        """One line: `briefing (pdf, 12 pages): 6 sections, 27 article passages, 61 chronology entries`."""
        kind = f"{self.format}, {self.pages} page{'s' * (self.pages != 1)}" if self.pages else self.format
        return (f"{self.doc} ({kind}): {self.sections} section{'s' * (self.sections != 1)}, "
                f"{self.article_passages} article passages, {self.chronology_entries} chronology entries")


def dated_lines(text: str) -> list[str]:
    """Lines of a text that start like chronology entries (a full date first)."""
    return [line.strip() for line in text.split("\n") if _DATED_LINE.match(line)]


def report(index: Index, docs: set[str] | None = None) -> list[DocumentReport]:
    """One report per document of `index` (only `docs`, when given), in library order."""
    out = []
    for source in index.manifest.sources:
        if docs is not None and source.doc not in docs:
            continue
        passages = [index.passages[i] for i in layout(index).of_docs((source.doc,)).tolist()]
        entries = sum(p.kind == "chronology" for p in passages)
        warning = None
        if not entries:
            dated = dated_lines(index.source(source.doc))
            if len(dated) >= DATED_LINES or any(line.startswith("|") for line in dated):
                example = dated[0][:60] + ("…" if len(dated[0]) > 60 else "")
                warning = (f"{source.doc}: no chronology entries were read, yet {len(dated)} line(s) start with a "
                           f"date (“{example}”); write each entry as `Mon. D, YYYY: event`, one per line.")
        out.append(DocumentReport(
            doc=source.doc, format=source.format, pages=source.pages,
            sections=len({p.section for p in passages if p.kind == "article"}),
            article_passages=sum(p.kind == "article" for p in passages), chronology_entries=entries,
            notes=tuple(source.notes), warning=warning,
        ))
    return out
