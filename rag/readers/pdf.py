"""PDF briefings, read with pypdf: the text in reading order, laid out as the text format (`Layout`).

Text comes with its position and font (pypdf's text visitor) and is grouped into lines. Then:
running headers and footers (lines repeated at the top or bottom of most pages, digits aside) and page
numbers are removed; headings are told by a larger font, or by a short bold line; lines are re-joined into
paragraphs, a new one starting at a first-line indent or a wider gap; a line that starts with a date at the
margin starts a chronology entry, and the indented lines after it (a hanging indent), on the next page too,
continue it; a hyphen at a line's end is undone when the next line goes on in lower case (unless the
document writes the word with its hyphen elsewhere). Every block records the page it starts on.
"""

from __future__ import annotations

import io
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag.errors import DocumentError
from rag.parse import Reading
from rag.readers.layout import Layout, looks_like_heading, split_entry

#: A page-edge line that is only a page number: `12`, `- 12 -`, `Page 3 of 30`, `xiv`.
_PAGE_NUMBER = re.compile(r"^\W*(?:page\s+)?(?:\d{1,4}|[ivxlc]{1,7})(?:\s+of\s+\d{1,4})?\W*$", re.IGNORECASE)
#: Headings are set at least this much larger than the body text.
HEADING_SCALE = 1.15
#: A running header or footer is on at least this share of pages (and on two at least).
RUNNING_SHARE = 0.5


@dataclass
class _Line:
    page: int
    y: float
    x: float
    size: float
    bold: bool
    text: str
    parts: list[tuple[float, str]] = field(default_factory=list)


def _is_bold(font: Any) -> bool:
    name = str(font.get("/BaseFont", "")) if font else ""
    return any(w in name for w in ("Bold", "Black", "Heavy", "Semibold", "Demi"))


def _page_lines(page: Any, number: int) -> list[_Line]:
    """The lines of one page, top to bottom, each from the text pieces that share its baseline."""
    lines: list[_Line] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        text = text.replace("\n", " ")
        if not text.strip():
            if lines and text:
                lines[-1].parts.append((math.inf, text))  # keeps a space between pieces
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = math.hypot(tm[2], tm[3]) * math.hypot(cm[2], cm[3]) or 1.0
        size = float(size) * scale
        for line in reversed(lines[-3:]):
            if abs(line.y - y) <= 0.4 * max(size, line.size):
                line.parts.append((x, text))
                line.x = min(line.x, x)
                line.size = max(line.size, size) if len(text.strip()) > 2 else line.size
                line.bold = line.bold and _is_bold(font)
                return
        lines.append(_Line(number, y, x, size, _is_bold(font), "", [(x, text)]))

    page.extract_text(visitor_text=visit)
    for line in lines:
        text = ""
        for _, piece in line.parts:  # in the order drawn: pieces of one text object share its start x
            if text and not text[-1].isspace() and not piece[:1].isspace() and piece[:1] not in ",.;:)]’”":
                text += " " if not text.endswith(("(", "[", "‘", "“", "-", "—")) else ""
            text += piece
        line.text = re.sub(r"\s+", " ", text).strip()
    lines = [line for line in lines if line.text]
    lines.sort(key=lambda line: -line.y)
    return lines


def _edge_key(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower()).strip()


def _drop_running(pages: list[list[_Line]]) -> list[list[_Line]]:
    """Pages without their running headers, footers and page numbers."""
    edges: Counter[str] = Counter()
    for lines in pages:
        edges.update({_edge_key(line.text) for line in lines[:2] + lines[-2:]})
    needed = max(2, math.ceil(RUNNING_SHARE * len(pages)))
    out = []
    for lines in pages:
        edge = {id(line) for line in lines[:2] + lines[-2:]}
        out.append([
            line for line in lines
            if id(line) not in edge or not (edges[_edge_key(line.text)] >= needed or _PAGE_NUMBER.match(line.text))
        ])
    return out


def _join(previous: str, line: str, vocabulary: str) -> str:
    """Two lines of one paragraph as one: a line-end hyphen undone before a lower-case word."""
    m = re.search(r"(\w+)-$", previous)
    if m and line[:1].islower():
        first = re.match(r"\w+", line)
        whole = f"{m[1]}-{first[0] if first else ''}".lower()
        if f" {whole}" in vocabulary or f"{whole} " in vocabulary:  # the document hyphenates this word itself
            return previous + line
        return previous[:-1] + line
    if previous.endswith(("—", "–", "/")) or line.startswith(("—", "–")):
        return previous + line
    return f"{previous} {line}"


def read(path: Path, raw: bytes) -> Reading:
    import pypdf
    from pypdf.errors import PyPdfError

    try:
        reader = pypdf.PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError(f"{path}: is a password-protected PDF; save an unprotected copy to index it.")
        pages = [_page_lines(page, n) for n, page in enumerate(reader.pages, start=1)]
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise DocumentError(f"{path}: cannot be read as a PDF ({exc}).") from None
    if not any(pages):
        raise DocumentError(f"{path}: has no text layer (a scan?); run OCR on it first, e.g. `ocrmypdf`.")
    pages = _drop_running(pages)
    lines = [line for page in pages for line in page]
    if not lines:
        raise DocumentError(f"{path}: has no text besides running headers and page numbers.")
    sizes: Counter[float] = Counter()
    for line in lines:
        sizes[round(line.size, 1)] += len(line.text)
    body = sizes.most_common(1)[0][0]
    margins = {n: min((ln.x for ln in page if abs(ln.size - body) < 0.5), default=0.0)
               for n, page in enumerate(pages, start=1)}
    widths = sorted(len(ln.text) for ln in lines if abs(ln.size - body) < 0.5)
    full = widths[int(0.9 * (len(widths) - 1))] if widths else 80
    vocabulary = " " + " ".join(ln.text for ln in lines).lower() + " "
    largest = max(ln.size for ln in lines)

    layout = Layout()
    current: list[str] = []
    kind, page, last = "", 0, None

    def flush() -> None:
        nonlocal current
        if current:
            text = current[0]
            for more in current[1:]:
                text = _join(text, more, vocabulary)
            layout.paragraph(text, page)
        current = []

    for line in lines:
        indent = line.x - margins[line.page] > 0.3 * body
        heading = line.size >= body * HEADING_SCALE or (
            line.bold and looks_like_heading(line.text) and not split_entry(line.text)
        )
        if heading:
            flush()
            if last is not None and last.size >= body * HEADING_SCALE and abs(last.size - line.size) < 0.5 \
                    and last.page == line.page and kind == "heading":
                layout.heading_more(line.text)  # a heading set on two lines
            else:
                first_page_title = line.page == 1 and layout.title is None and line.size == largest
                layout.heading(line.text, 1 if first_page_title and line.size > body * HEADING_SCALE else 2)
            kind, last = "heading", line
            continue
        gap = last is not None and last.page == line.page and (last.y - line.y) > 1.9 * line.size
        entry = not indent and split_entry(line.text) is not None
        ended = bool(current) and current[-1][-1:] in ".!?”’)" and len(current[-1]) < 0.8 * full
        if entry or not current or gap or (kind == "paragraph" and (indent or ended)) or (
            kind == "entry" and not indent and ended
        ):
            flush()
            kind, page = ("entry" if entry else "paragraph"), line.page
        current.append(line.text)
        last = line
    flush()
    title = layout.title or (reader.metadata.title if reader.metadata and reader.metadata.title else None)
    return Reading(layout.source(), tuple(layout.blocks), title=title, pages=len(reader.pages))
