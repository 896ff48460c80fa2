"""The shipped briefing in every format a reader takes, made for the tests (never committed as binaries).

- a PDF laid out like a journal chapter (eval/journal_pdf.py, shared with `rag bench`);
- an HTML page with site navigation, a header, an aside and a footer around the article;
- a DOCX with Title and Heading 1 styles and bulleted entries with a bold date;
- Markdown with setext headings and the chronology as a table of dates;
- text copies with CRLF and CR line endings, a UTF-8 BOM, and in Windows-1252.
"""

from __future__ import annotations

import html
from pathlib import Path

from eval.journal_pdf import TITLE, split_entry, structure, write_pdf
from rag.settings import DEFAULT_CORPUS

#: Every format the tests build, by name: the suffix of the file written for it.
FORMATS = {"txt": ".txt", "crlf": ".txt", "cr": ".txt", "bom": ".txt", "cp1252": ".txt", "md": ".md",
           "html": ".html", "docx": ".docx", "pdf": ".pdf"}


def write_html(path: Path) -> Path:
    body = []
    for kind, text in structure():
        if kind == "heading":
            body.append(f"<h2>{html.escape(text)}</h2>")
        elif kind == "entry":
            date, event = split_entry(text)
            body.append(f"<li><strong>{html.escape(date)}</strong>: {html.escape(event)}</li>")
        else:
            body.append(f"<p>{html.escape(text)}</p>")
    article = "\n".join(body).replace("<h2>Chronology</h2>\n", "<h2>Chronology</h2>\n<ul>\n", 1) + "\n</ul>"
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{TITLE} | Pacific Forum</title>
<style>body {{ font-family: serif; }}</style><script>window.analytics = {{page: "chapter"}};</script></head>
<body>
<header class="site"><a href="/">Pacific Forum</a><nav><ul><li><a href="/research">Research</a></li>
<li><a href="/events">Events</a></li><li><a href="/about">About us</a></li></ul></nav></header>
<main><article>
<header><h1>{TITLE}</h1><p class="byline">Comparative Connections, January 2024</p></header>
{article}
</article>
<aside><h3>Related</h3><p>Jan. 5, 2024: Subscribe to our newsletter for more chapters.</p></aside>
</main>
<footer><p>Copyright 2024 Pacific Forum. All rights reserved.</p><form><input name="q"></form></footer>
</body></html>
"""
    path.write_text(page, encoding="utf-8")
    return path


def write_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.add_paragraph(TITLE, style="Title")
    for kind, text in structure():
        if kind == "heading":
            document.add_paragraph(text, style="Heading 1")
        elif kind == "entry":
            date, event = split_entry(text)
            item = document.add_paragraph(style="List Bullet")
            item.add_run(f"{date}:").bold = True
            item.add_run(f" {event}")
        else:
            document.add_paragraph(text)
    document.save(str(path))
    return path


def write_markdown(path: Path) -> Path:
    lines = [TITLE, "=" * len(TITLE), ""]
    table = False
    for kind, text in structure():
        if kind == "heading":
            lines += [text, "-" * len(text), ""]
        elif kind == "entry":
            if not table:
                lines += ["| Date | Event |", "|------|-------|"]
                table = True
            date, event = split_entry(text)
            lines.append(f"| {date} | {event.replace('|', '/')} |")
        else:
            lines += [text, ""]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_format(name: str, folder: Path) -> Path:
    """The briefing as `name` (a key of `FORMATS`), written into `folder` as `briefing<suffix>`."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"briefing{FORMATS[name]}"
    text = Path(DEFAULT_CORPUS).read_text(encoding="utf-8")
    if name == "txt":
        path.write_text(text, encoding="utf-8")
    elif name == "crlf":
        path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    elif name == "cr":
        path.write_bytes(text.replace("\n", "\r").encode("utf-8"))
    elif name == "bom":
        path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    elif name == "cp1252":
        path.write_bytes(text.encode("cp1252"))
    elif name == "md":
        write_markdown(path)
    elif name == "html":
        write_html(path)
    elif name == "docx":
        write_docx(path)
    else:
        write_pdf(path)
    return path
