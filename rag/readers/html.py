"""HTML briefings: the article only, laid out as the text format (`Layout`).

The article is `<article>`, else `<main>` (or `role="main"`), else the body; navigation, asides, scripts,
styles and forms are dropped, and so are headers and footers, except an article's own header with its
headline. `h1`–`h4` name sections (a first `h1` titles the document); paragraphs, list items and table rows
become lines; a `<p>` or `<li>` that starts with a date is a chronology entry (`Dec. 5, 2023: …`, or the date
in its own `<b>`/`<strong>`/`<time>` followed by the event).
"""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from rag.errors import DocumentError
from rag.parse import Reading
from rag.readers.layout import Layout, clean, entry_dates

DROPPED = ("nav", "aside", "script", "style", "form", "noscript", "template", "svg", "iframe", "button", "select",
           "dialog", "menu", "input", "textarea", "canvas", "object", "embed")
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4}
#: Elements whose content starts a new line of the canonical text.
BLOCKS = {"p", "li", "h5", "h6", "blockquote", "pre", "dd", "dt", "figcaption", "caption", "div", "section",
          "article", "main", "ul", "ol", "dl", "table", "thead", "tbody", "tfoot", "figure", "address", "details",
          "summary", "header", "footer", "hr", "center"}
_DATE_TAGS = {"b", "strong", "time", "em", "span"}


def _root(soup: BeautifulSoup) -> Tag:
    for found in (soup.find("article"), soup.find("main"), soup.find(None, {"role": "main"}), soup.body):
        if isinstance(found, Tag):
            return found
    return soup


def _prune(root: Tag) -> None:
    for tag in root.find_all(DROPPED):
        tag.decompose()
    for tag in root.find_all(["header", "footer"]):
        # an article's own header holds its headline; a site's header and footer hold navigation
        if tag.decomposed:
            continue
        if tag.name == "footer" or root.name not in ("article", "main") or not tag.find(list(HEADINGS)):
            tag.decompose()
            continue
        for child in tag.find_all(True, recursive=False):  # of the article's own header, only its headline
            if child.name not in HEADINGS and not child.find(list(HEADINGS)):
                child.decompose()


def _dated_markup(tag: Tag) -> tuple[str, str] | None:
    """(date, event) when a paragraph starts with a date in its own element: `<b>Dec. 5, 2023</b> Leaders met.`"""
    first = next((c for c in tag.children if not (isinstance(c, NavigableString) and not c.strip())), None)
    if not isinstance(first, Tag) or first.name not in _DATE_TAGS:
        return None
    date = clean(first.get_text()).rstrip(":").strip()
    if not entry_dates(date):
        return None
    rest = clean("".join(c.get_text() if isinstance(c, Tag) else str(c) for c in first.next_siblings))
    rest = rest.lstrip(":–—- ").strip()
    return (date, rest) if rest else None


class _Walker:
    def __init__(self) -> None:
        self.layout = Layout()

    def row(self, tr: Tag) -> None:
        cells = [clean(td.get_text(" ")) for td in tr.find_all(["td", "th"], recursive=False)]
        cells = [c for c in cells if c]
        if not cells:
            return
        if len(cells) > 1 and self.layout.entry(cells[0], "; ".join(cells[1:])):
            return
        self.layout.paragraph(" | ".join(cells))

    def walk(self, node: Tag) -> None:
        buffer: list[str] = []

        def flush() -> None:
            if "".join(buffer).strip():
                self.layout.paragraph("".join(buffer))
            buffer.clear()

        if node.name in ("p", "li") and (dated := _dated_markup(node)):
            self.layout.entry(*dated)
            return
        for child in node.children:
            if isinstance(child, Comment) or (isinstance(child, NavigableString) and not isinstance(child, str)):
                continue
            if isinstance(child, NavigableString):
                buffer.append(str(child))
                continue
            if not isinstance(child, Tag):
                continue
            if child.name == "br":
                flush()
            elif child.name in HEADINGS:
                flush()
                self.layout.heading(child.get_text(" "), HEADINGS[child.name])
            elif child.name == "tr":
                flush()
                self.row(child)
            elif child.name in BLOCKS or child.name in ("p", "li") or child.find(list(BLOCKS | set(HEADINGS))):
                flush()
                self.walk(child)
            else:
                buffer.append(child.get_text())
        flush()


def read(path: Path, raw: bytes) -> Reading:
    try:
        soup = BeautifulSoup(raw, "html.parser")
    except Exception as exc:  # html.parser is lenient; anything it still refuses is not a page
        raise DocumentError(f"{path}: cannot be read as HTML ({exc}).") from None
    page_title = clean(soup.title.get_text()) if soup.title else ""
    root = _root(soup)
    _prune(root)
    walker = _Walker()
    if root.name in HEADINGS:
        walker.layout.heading(root.get_text(" "), HEADINGS[root.name])
    else:
        walker.walk(root)
    layout = walker.layout
    return Reading(layout.source(), tuple(layout.blocks), title=layout.title or page_title or None)
