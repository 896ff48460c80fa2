"""One reader per format (rag/readers/), each on small inputs written here."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from rag.errors import DocumentError
from rag.parse import SUFFIXES, Document, content_hash, parse


def entries(doc: Document) -> list[tuple[str | None, str]]:
    return [(b.date_start, doc.text(b)) for b in doc.blocks if b.kind == "chronology"]


def articles(doc: Document) -> list[tuple[str, str]]:
    return [(b.section, doc.text(b)) for b in doc.blocks if b.kind == "article"]


# --------------------------------------------------------------------------- text

BRIEF = "Trade\nTariffs rose in March.\nChronology\nMar. 4, 2024: The trade ministers meet in Wellington.\n"


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_text_line_endings_give_one_canonical_text(tmp_path: Path, ending: str) -> None:
    path = tmp_path / "brief.txt"
    path.write_bytes(BRIEF.replace("\n", ending).encode("utf-8"))
    doc = parse(path)
    assert doc.source == BRIEF
    assert articles(doc) == [("Trade", "Tariffs rose in March.")]
    assert entries(doc) == [("2024-03-04", "Mar. 4, 2024: The trade ministers meet in Wellington.")]


def test_text_bom_tabs_and_non_breaking_spaces(tmp_path: Path) -> None:
    path = tmp_path / "brief.txt"
    path.write_bytes(b"\xef\xbb\xbf" + "Trade\nTariffs\u00a0rose.\n\tMar.\u00a04, 2024:\tMinisters meet.\n".encode())
    doc = parse(path)
    assert doc.source.startswith("Trade\nTariffs rose.")
    assert entries(doc) == [("2024-03-04", "Mar. 4, 2024:\tMinisters meet.")]
    assert doc.content_sha256 == content_hash("Trade\r\nTariffs rose. \r\n\tMar. 4, 2024:\tMinisters meet.")


def test_windows_1252_is_decoded_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "briefing.txt"
    path.write_bytes("Talks\nThe minister’s “frank” talks—in Tōkyō—went well.\n".replace("ō", "o").encode("cp1252"))
    doc = parse(path)
    assert doc.notes == ("briefing.txt: decoded as windows-1252",)
    assert articles(doc) == [("Talks", "The minister’s “frank” talks—in Tokyo—went well.")]


def test_undecodable_bytes_get_an_iconv_hint_that_works(tmp_path: Path) -> None:
    path = tmp_path / "mixed.txt"
    path.write_bytes(b"A long valid start. " * 100 + bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D, 0xFF]) * 3)
    with pytest.raises(DocumentError, match="iconv -f") as info:
        parse(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    command = message[message.index("`") + 1 : message.rindex("`")]
    if shutil.which("iconv"):
        done = subprocess.run(command, shell=True, cwd=tmp_path, capture_output=True)
        assert done.returncode == 0, done.stderr
        assert parse(next(p for p in tmp_path.iterdir() if p.name != "mixed.txt")).blocks


# --------------------------------------------------------------------------- Markdown

MARKDOWN = """Trade Talks
===========

Opening paragraph that runs
over two lines.

Tariffs
-------

| Good | Tariff |
|------|--------|
| Steel | 10% |

## Chronology ##

| Date | Event |
|------|-------|
| Mar. 4, 2024 | The **trade** ministers meet in Wellington. |
| Mar. 5-6, 2024 | Talks go on. |

- a plain item
- Jan. 9, 2024: Leaders
  meet in Tokyo.
"""


def test_markdown_setext_headings_tables_and_lists(tmp_path: Path) -> None:
    path = tmp_path / "brief.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    doc = parse(path)
    assert doc.title == "Trade Talks"
    assert articles(doc) == [
        ("Introduction", "Opening paragraph that runs\nover two lines."),
        ("Tariffs", "| Good | Tariff |\n|------|--------|\n| Steel | 10% |"),  # no dates: one passage, header kept
        ("Tariffs", "- a plain item"),
    ]
    assert entries(doc) == [
        ("2024-03-04", "Mar. 4, 2024: The trade ministers meet in Wellington."),
        ("2024-03-05", "Mar. 5-6, 2024: Talks go on."),
        ("2024-01-09", "Jan. 9, 2024: Leaders\n  meet in Tokyo."),
    ]
    assert not any(set(doc.text(b)) <= set("=-") for b in doc.blocks)  # underlines are never passages
    assert [b.char_start for b in doc.blocks] == sorted(b.char_start for b in doc.blocks)


# --------------------------------------------------------------------------- HTML

HTML = """<!DOCTYPE html><html><head><title>Site | Trade Talks</title><script>var x = "Mar. 1, 2024: no";</script>
</head><body><header><nav><a href="/">Home</a> <a href="/about">About</a></nav></header>
<div class="content"><h1>Trade Talks</h1><p>Tariffs <em>rose</em> in March.</p>
<h3>Chronology</h3><ul><li><strong>Mar. 4, 2024</strong> The ministers meet in Wellington.</li>
<li>Mar. 5, 2024: Talks go on.</li></ul><p>Mar. 6, 2024 – Talks end.</p></div>
<aside>Related: Jan. 1, 2024: New year.</aside><footer>© 2024 · <a href="/privacy">Privacy</a></footer>
</body></html>"""


def test_html_keeps_the_article_and_reads_dated_items(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(HTML, encoding="utf-8")
    doc = parse(path)
    assert doc.title == "Trade Talks"
    assert articles(doc) == [("Introduction", "Tariffs rose in March.")]
    assert entries(doc) == [
        ("2024-03-04", "Mar. 4, 2024: The ministers meet in Wellington."),
        ("2024-03-05", "Mar. 5, 2024: Talks go on."),
        ("2024-03-06", "Mar. 6, 2024: Talks end."),
    ]
    assert "Home" not in doc.source and "Privacy" not in doc.source and "var x" not in doc.source


# --------------------------------------------------------------------------- DOCX


def test_docx_heading_styles_lists_and_tables(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Trade Talks", style="Title")
    document.add_paragraph("Opening words.")
    document.add_paragraph("Tariffs", style="Heading 1")
    document.add_paragraph("Tariffs rose in March.")
    document.add_paragraph("Steel first.", style="List Bullet")
    document.add_paragraph("Chronology", style="Heading 2")
    item = document.add_paragraph(style="List Bullet")
    item.add_run("Mar. 4, 2024:").bold = True
    item.add_run(" The ministers meet in Wellington.")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Mar. 5, 2024"
    table.rows[0].cells[1].text = "Talks go on."
    path = tmp_path / "brief.docx"
    document.save(str(path))
    doc = parse(path)
    assert doc.title == "Trade Talks" and doc.format == "docx"
    assert articles(doc) == [("Introduction", "Opening words."), ("Tariffs", "Tariffs rose in March."),
                             ("Tariffs", "Steel first.")]
    assert entries(doc) == [("2024-03-04", "Mar. 4, 2024: The ministers meet in Wellington."),
                            ("2024-03-05", "Mar. 5, 2024: Talks go on.")]


def test_a_broken_docx_or_pdf_is_one_clear_error(tmp_path: Path) -> None:
    for name in ("broken.docx", "broken.pdf"):
        path = tmp_path / name
        path.write_bytes(b"PK\x03\x04 not really" if name.endswith("docx") else b"%PDF-1.4 not really")
        with pytest.raises(DocumentError) as info:
            parse(path)
        assert str(path) in str(info.value) and "\n" not in str(info.value)


# --------------------------------------------------------------------------- PDF


def _tiny_pdf(path: Path) -> Path:
    from fpdf import FPDF

    class Paper(FPDF):
        def header(self) -> None:
            self.set_font("Helvetica", "I", 8)
            self.cell(0, 6, "Journal of Small Tests", align="L")
            self.ln(10)

        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("Helvetica", "", 9)
            self.cell(0, 10, f"- {self.page_no()} -", align="C")

    pdf = Paper(format=(148, 210))
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 8, "Trade Talks", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 11)
    pdf.multi_cell(0, 6, "Tariffs", new_x="LMARGIN", new_y="NEXT")
    long = ("The ministers agreed that the extra\u00adordinary tariffs would be lowered " * 4).strip()
    for text in ("Tariffs rose in March, and the markets took note of it at once.", long):
        pdf.set_font("Helvetica", "", 10)
        with pdf.text_columns(text_align="J") as cols, cols.paragraph(first_line_indent=6, bottom_margin=1) as par:
            par.write(text)
    pdf.set_font("Helvetica", "B", 11)
    pdf.multi_cell(0, 6, "Chronology", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(pdf.page_break_trigger - 4.5)  # the entry starts on the page's last line
    with pdf.text_columns(text_align="J") as cols, cols.paragraph(first_line_indent=-8, indent=8) as par:
        pdf.set_font("Helvetica", "B", 10)
        par.write("Mar. 4, 2024: ")
        pdf.set_font("Helvetica", "", 10)
        par.write("The trade ministers of both countries meet in Wellington to settle the questions left open.")
    pdf.output(str(path))
    return path


def test_pdf_headers_pages_hyphens_and_an_entry_across_a_page_break(tmp_path: Path) -> None:
    doc = parse(_tiny_pdf(tmp_path / "paper.pdf"))
    assert doc.title == "Trade Talks" and doc.pages == 2 and doc.format == "pdf"
    assert "Journal of Small Tests" not in doc.source and "- 1 -" not in doc.source
    paragraphs = articles(doc)
    assert [s for s, _ in paragraphs] == ["Tariffs", "Tariffs"]
    assert paragraphs[1][1].startswith("The ministers agreed that the extraordinary tariffs would be lowered The")
    assert "extra-" not in paragraphs[1][1] and "\n" not in paragraphs[1][1]
    [entry] = [b for b in doc.blocks if b.kind == "chronology"]
    assert doc.text(entry) == ("Mar. 4, 2024: The trade ministers of both countries meet in Wellington to settle "
                               "the questions left open.")
    assert entry.page == 1 and {b.page for b in doc.blocks if b.kind == "article"} == {1}


def test_every_suffix_has_a_reader() -> None:
    from rag.parse import READERS

    assert set(SUFFIXES) == set(READERS)
