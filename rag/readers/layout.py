"""What every reader shares: the chronology-entry and heading tests, and `Layout`, which lays extracted text
out as the text format would be (a heading or a paragraph or an entry per line) and records its blocks."""

from __future__ import annotations

import re

from rag.dates import ENTRY_DATE, parse_entry_date
from rag.parse import CHRONOLOGY, INTRODUCTION, LABELS, Block

# No two adjacent quantifiers may match the same characters (`\s*(?:\*\*)?\s*`, `.+?\s*#*\s*`): on a line with a
# long run of spaces they backtrack quadratically or worse, and a hostile file would hang the build.
CHRONO_LINE = re.compile(
    r"^(?P<lead>\s*(?:[-*+]\s+)?(?:\*\*)?)(?P<date>" + ENTRY_DATE.pattern + r")"
    r"(?:\*\*)?\s*:\s*(?:\*\*\s*)?(?P<text>\S.*)$",
    re.IGNORECASE,
)
#: An entry in extracted text: the date, then a colon or a dash, then the event.
_LOOSE_ENTRY = re.compile(r"^(?P<date>" + ENTRY_DATE.pattern + r")\s*(?:[:–—]|\s-)\s*(?P<text>\S.*)$",
                          re.IGNORECASE | re.DOTALL)
_SPACE = re.compile(r"\s+")


def entry_dates(date_text: str) -> tuple[str, str] | None:
    """ISO (start, end) of an entry's date prefix, or None when it is not a real date."""
    dates = parse_entry_date(date_text)
    return (dates[0].isoformat(), dates[1].isoformat()) if dates else None


def split_entry(text: str) -> tuple[str, tuple[str, str], str] | None:
    """(date as written, ISO dates, event) when `text` is a chronology entry (`Dec. 5-7, 2023: …`), else None."""
    m = _LOOSE_ENTRY.match(text)
    if not m:
        return None
    dates = entry_dates(m["date"])
    return (m["date"], dates, m["text"]) if dates else None


def looks_like_heading(line: str) -> bool:
    """Short lines without final punctuation are headings (`And Yet…..` ends in an ellipsis, not a stop)."""
    if len(line) > 100:  # before split(): a 5 MB line would become a million words
        return False
    words = line.split()
    if not words or len(words) > 12:
        return False
    if line.rstrip(".").endswith("…") or line.endswith("..."):
        return True
    return line[-1] not in ".!?:;,\"”’)]"


def clean(text: str) -> str:
    """One line of text: runs of whitespace (newlines, tabs, non-breaking spaces) as one space."""
    return _SPACE.sub(" ", text).strip()


class Layout:
    """Lays out extracted text: each heading, paragraph and entry on its own line, blocks recorded as they go.

    Example:
        >>> layout = Layout()
        >>> layout.heading("A Briefing", level=1)
        >>> layout.paragraph("Talks went well.")
        >>> layout.paragraph("Dec. 5, 2023: Leaders meet.")
        >>> print(layout.source(), end="")
        A Briefing
        Talks went well.
        Dec. 5, 2023: Leaders meet.
        >>> [(b.kind, b.section) for b in layout.blocks], layout.title
        ([('article', 'Introduction'), ('chronology', 'Chronology')], 'A Briefing')
    """

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._pos = 0
        self.blocks: list[Block] = []
        self.section = INTRODUCTION
        self.title: str | None = None

    def _line(self, text: str) -> int:
        start = self._pos
        self._parts.append(text + "\n")
        self._pos += len(text) + 1
        return start

    def heading(self, text: str, level: int = 2) -> None:
        text = clean(text)
        if not text:
            return
        self._line(text)
        if level == 1 and self.title is None and not self.blocks:
            self.title = text
        elif text.lower() not in LABELS:
            self.section = text

    def heading_more(self, text: str) -> None:
        """The next line of a heading set on two lines: the heading is both, on one line."""
        text = clean(text)
        if not text or not self._parts:
            return
        last = self._parts.pop().rstrip("\n")
        self._pos -= len(last) + 1
        self._line(f"{last} {text}")
        if self.title == last and not self.blocks:
            self.title = f"{last} {text}"
        elif self.section == last:
            self.section = f"{last} {text}"

    def paragraph(self, text: str, page: int | None = None) -> None:
        """A paragraph, or a chronology entry when it starts with a date and a colon or dash."""
        text = clean(text)
        if not text:
            return
        entry = split_entry(text)
        if entry:
            self.entry(entry[0], entry[2], page)
            return
        start = self._line(text)
        self.blocks.append(Block("article", self.section, start, start + len(text), page=page))

    def entry(self, date_text: str, event: str, page: int | None = None) -> bool:
        """A chronology entry `Date: event`; False (and nothing written) when the date is not one."""
        date_text, event = clean(date_text), clean(event)
        dates = entry_dates(date_text)
        if dates is None or not event:
            return False
        line = f"{date_text}: {event}"
        start = self._line(line)
        self.blocks.append(Block("chronology", CHRONOLOGY, start, start + len(line), *dates, page=page))
        return True

    def source(self) -> str:
        return "".join(self._parts)
