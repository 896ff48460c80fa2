"""A briefing laid out like a journal chapter, as a PDF (fpdf2, a test and benchmark dependency): a running
header from page 2, page numbers, a bold title and headings, justified paragraphs with first-line indents and
hyphenated long words, chronology entries with a bold date and a hanging indent that wrap, one of them across a
page break. The tests read it back (tests/formats.py); `rag bench` times reading a 30-page one.
"""

from __future__ import annotations

import re
from pathlib import Path

from rag.parse import Document, parse
from rag.settings import DEFAULT_CORPUS

TITLE = "US–Japan Relations"
RUNNING_HEAD = "Comparative Connections · US–Japan"


def structure(doc: Document | None = None) -> list[tuple[str, str]]:
    """The briefing as (kind, text) in order: ("heading", …), ("paragraph", …), ("entry", …)."""
    doc = doc or parse(DEFAULT_CORPUS)
    out: list[tuple[str, str]] = []
    section = None
    for block in doc.blocks:
        if block.kind == "article" and block.section != section:
            section = block.section
            if section != "Introduction":
                out.append(("heading", section))
        if block.kind == "chronology" and section != "Chronology":
            section = "Chronology"
            out.append(("heading", "Chronology"))
        out.append(("entry" if block.kind == "chronology" else "paragraph", doc.text(block)))
    return out


def split_entry(text: str) -> tuple[str, str]:
    date, _, event = text.partition(": ")
    return date, event


def _soft_hyphens(text: str) -> str:
    """A soft hyphen in the middle of every long word, where the typesetter may break it."""
    return re.sub(r"\b([a-z]{5,})([a-z]{5,})\b", "\\1\u00ad\\2", text)


def write_pdf(path: Path, parts: list[tuple[str, str]] | None = None, repeat: int = 1) -> Path:
    """A journal-style PDF of the briefing (`repeat` copies of its article make a longer one)."""
    from fpdf import FPDF

    parts = parts or structure()

    class Chapter(FPDF):
        def header(self) -> None:
            if self.page_no() > 1:
                self.set_font("Helvetica", "I", 8)
                self.cell(0, 6, RUNNING_HEAD, align="L")
                self.ln(10)

        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("Helvetica", "", 9)
            self.cell(0, 10, str(self.page_no()), align="C")

    pdf = Chapter(format="letter")
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_margins(25, 20, 25)
    pdf.set_auto_page_break(True, margin=22)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 8, TITLE, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    entries_seen = 0
    article = [p for p in parts if p[0] != "entry"]
    entries = [p for p in parts if p[0] == "entry"]
    # a long entry, placed on a page's last line so that it wraps onto the next page
    breaking = max(range(5, min(20, len(entries))), key=lambda i: len(entries[i][1]), default=-1) + 1
    for kind, text in [*article * repeat, *entries]:
        if kind == "heading":
            pdf.ln(3)
            pdf.set_font("Helvetica", "B", 12)
            pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
            continue
        if kind == "entry":
            entries_seen += 1
            date, event = split_entry(text)
            if entries_seen == breaking:
                pdf.add_page()
                pdf.set_y(pdf.page_break_trigger - 4.5)
            with pdf.text_columns(text_align="J") as cols, cols.paragraph(
                first_line_indent=-8, indent=8, bottom_margin=1.2, line_height=1.1
            ) as par:
                pdf.set_font("Helvetica", "B", 10)
                par.write(f"{date}: ")
                pdf.set_font("Helvetica", "", 10)
                par.write(_soft_hyphens(event))
            continue
        pdf.set_font("Helvetica", "", 10)
        with pdf.text_columns(text_align="J") as cols, cols.paragraph(
            first_line_indent=6, bottom_margin=1.2, line_height=1.1
        ) as par:
            par.write(_soft_hyphens(text))
    pdf.output(str(path))
    return path


def pdf_read_times(work: Path, pages: int = 30, reps: int = 3) -> dict[str, float | int]:
    """What reading a PDF of at least `pages` pages adds to building its index: the median time to parse it,
    beside the median time to parse the same canonical text saved as a .txt file (reading, not embedding)."""
    import statistics
    import time

    repeat, path = 1, work / "journal.pdf"
    while True:  # the article repeated until the chapter is long enough
        write_pdf(path, repeat=repeat)
        doc = parse(path)
        if (doc.pages or 0) >= pages or repeat > 50:
            break
        repeat += max(1, int(repeat * (pages / max(1, doc.pages or 1) - 1)))
    text = work / "journal.txt"
    text.write_text(doc.source, encoding="utf-8")
    pdf_s, txt_s = [], []
    for _ in range(reps):
        for target, runs in ((path, pdf_s), (text, txt_s)):
            started = time.perf_counter()
            parse(target)
            runs.append(time.perf_counter() - started)
    pdf, txt = statistics.median(pdf_s), statistics.median(txt_s)
    return {"pdf_pages": doc.pages or 0, "pdf_read_s": round(pdf, 3), "pdf_text_read_s": round(txt, 3),
            "pdf_read_added_s": round(pdf - txt, 3)}
