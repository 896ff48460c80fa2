"""Markdown briefings, read with markdown-it-py's block tokens and their line maps.

ATX and setext headings name sections (a first `#` heading titles the document); paragraphs (and HTML or code
blocks, verbatim) are article blocks; the items of a list are one block, except dated items
(`- Jan. 9, 2024: …`), which are chronology entries. A table whose first column holds dates is a chronology:
each dated row is written into the canonical text as `Date: event` (its header and delimiter rows left out).
Any other table stays one block, header included. Everything else is kept as written, so the canonical text
reads like the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from rag.parse import CHRONOLOGY, INTRODUCTION, LABELS, Block, Reading
from rag.readers.layout import CHRONO_LINE, clean, entry_dates
from rag.readers.text import decode


def plain(inline: Token) -> str:
    """The words of an inline token, markup left out (`**Trade** talks` → `Trade talks`)."""
    parts = []
    for child in inline.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(plain(child))
    return clean("".join(parts))


@dataclass(frozen=True)
class _Row:
    cells: tuple[str, ...]
    line: int


def _tables(tokens: list[Token]) -> list[tuple[int, int, list[_Row]]]:
    """(first line, end line, body rows) of every table."""
    out: list[tuple[int, int, list[_Row]]] = []
    rows: list[_Row] = []
    cells: list[str] = []
    span = (0, 0)
    in_body = False
    for tok in tokens:
        if tok.type == "table_open" and tok.map:
            span, rows = (tok.map[0], tok.map[1]), []
        elif tok.type in ("tbody_open", "thead_open"):
            in_body = tok.type == "tbody_open"
        elif tok.type == "tr_open":
            cells = []
        elif tok.type == "inline" and tok.map and span[0] <= tok.map[0] < span[1] and in_body:
            cells.append(plain(tok))
            if len(cells) == 1:
                rows.append(_Row((), tok.map[0]))
        elif tok.type == "tr_close" and in_body and rows:
            rows[-1] = _Row(tuple(cells), rows[-1].line)
        elif tok.type == "table_close":
            out.append((span[0], span[1], rows))
            in_body = False
    return out


def _dated(table_rows: list[_Row]) -> bool:
    """A chronology table: most body rows start with a date."""
    dated = sum(bool(r.cells and entry_dates(r.cells[0])) for r in table_rows)
    return dated > 0 and dated * 2 >= len(table_rows)


def read(path: Path, raw: bytes) -> Reading:
    text, notes = decode(path, raw)
    md = MarkdownIt("commonmark").enable("table")
    tokens = md.parse(text)
    src_lines = text.split("\n")
    # Dated tables are rewritten: their rows become `Date: event` lines, their other lines disappear.
    rewrite: dict[int, str | None] = {}
    row_lines: dict[int, _Row] = {}
    for first, end, rows in _tables(tokens):
        if not _dated(rows):
            continue
        for i in range(first, end):
            rewrite[i] = None
        for row in rows:
            date = row.cells[0] if row.cells else ""
            rest = "; ".join(c for c in row.cells[1:] if c)
            rewrite[row.line] = f"{date}: {rest}" if entry_dates(date) and rest else " — ".join(row.cells)
            row_lines[row.line] = row
    starts: list[int] = []
    parts: list[str] = []
    pos = 0
    for i, text_line in enumerate(src_lines):
        new = rewrite.get(i, text_line)
        starts.append(pos)
        if new is None:
            continue
        parts.append(new)
        pos += len(new) + 1
    source = "\n".join(parts)
    out_lines = [(starts[i], rewrite.get(i, src_lines[i]) if i in rewrite else src_lines[i])
                 for i in range(len(src_lines))]

    def span(first: int, end: int) -> tuple[int, int]:
        """Offsets of lines [first, end) in the canonical text, whitespace trimmed (also a last line that is all
        whitespace to Python but not to Markdown, such as a control character)."""
        a = out_lines[first][0]
        b_off, b_line = out_lines[end - 1]
        b = b_off + len(b_line or "")
        seg = source[a:b]
        start = a + len(seg) - len(seg.lstrip())
        return start, max(start, a + len(seg.rstrip()))

    title: str | None = None
    section = INTRODUCTION
    blocks: list[Block] = []
    group: list[tuple[int, int]] = []  # the undated items of the current list
    depth = 0  # nesting of lists
    table_end = -1
    for i, tok in enumerate(tokens):
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
            if depth == 0 and group:
                blocks.append(Block("article", section, group[0][0], group[-1][1]))
                group = []
        elif tok.type == "heading_open":
            name = plain(tokens[i + 1])
            if tok.tag == "h1" and title is None and not blocks:
                title = name
            elif name and name.lower() not in LABELS:
                section = name
        elif tok.type == "table_open" and tok.map:
            table_end = tok.map[1]
            if tok.map[0] in rewrite:
                for at in range(tok.map[0], tok.map[1]):
                    if at not in row_lines:
                        continue
                    cells = row_lines[at].cells
                    a, b = span(at, at + 1)
                    dates = entry_dates(cells[0]) if cells else None
                    if dates and ":" in source[a:b]:
                        blocks.append(Block("chronology", CHRONOLOGY, a, b, *dates))
                    else:
                        blocks.append(Block("article", section, a, b))
            else:
                blocks.append(Block("article", section, *span(tok.map[0], tok.map[1])))
        elif tok.type in ("html_block", "fence", "code_block") and tok.map and tok.content.strip():
            blocks.append(Block("article", section, *span(tok.map[0], tok.map[1])))  # kept verbatim, as written
        elif tok.type == "paragraph_open" and tok.map and tok.map[0] >= table_end:
            a, b = span(tok.map[0], tok.map[1])
            first_line = out_lines[tok.map[0]][1] or ""
            chrono = CHRONO_LINE.match(first_line.lstrip(" >"))
            dates = entry_dates(chrono["date"]) if chrono else None
            if chrono and dates:
                if group:  # blocks stay in source order
                    blocks.append(Block("article", section, group[0][0], group[-1][1]))
                    group = []
                lead_at = out_lines[tok.map[0]][0] + first_line.index(chrono["date"])
                blocks.append(Block("chronology", CHRONOLOGY, lead_at, b, *dates))
            elif depth:
                group.append((a, b))
            else:
                blocks.append(Block("article", section, a, b))
    # A paragraph of characters Markdown reads as text but Python as whitespace ("\x1f") holds nothing to index.
    return Reading(source, tuple(b for b in blocks if b.char_end > b.char_start), title=title, notes=notes)
