"""Word (.docx) briefings, read with python-docx and laid out as the text format (`Layout`).

Heading styles (`Title`, `Heading 1`–`Heading 4`) name sections, as does a short paragraph set wholly in bold;
other paragraphs and list items are lines of their own, a dated one (`Dec. 5, 2023: …`) a chronology entry;
a table row whose first cell is a date is an entry too. Body order is kept, tables included.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from rag.errors import DocumentError
from rag.parse import Reading
from rag.readers.layout import Layout, clean, looks_like_heading

_HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)


def _level(paragraph: object) -> int | None:
    """The heading level of a paragraph's style (Title: 1), or None for body text."""
    style = getattr(paragraph, "style", None)
    name = (getattr(style, "name", "") or "").strip()
    if name.lower() == "title":
        return 1
    m = _HEADING_STYLE.match(name)
    return int(m[1]) if m else None


def read(path: Path, raw: bytes) -> Reading:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(raw))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as exc:
        raise DocumentError(f"{path}: is not a Word .docx file ({exc}); save it as .docx, or as text.") from None
    layout = Layout()
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(child, document)
            text = clean(paragraph.text)
            if not text:
                continue
            level = _level(paragraph)
            runs = [r for r in paragraph.runs if r.text.strip()]
            if level is None and runs and all(r.bold for r in runs) and looks_like_heading(text):
                level = 2
            if level is not None and level <= 4:
                layout.heading(text, level)
            else:
                layout.paragraph(text)
        elif tag == "tbl":
            for row in Table(child, document).rows:
                cells = [clean(c.text) for c in row.cells]
                cells = [c for i, c in enumerate(cells) if c and c not in cells[:i]]  # merged cells repeat
                if not cells:
                    continue
                if not (len(cells) > 1 and layout.entry(cells[0], "; ".join(cells[1:]))):
                    layout.paragraph(" | ".join(cells))
    title = layout.title or clean(document.core_properties.title or "") or None
    return Reading(layout.source(), tuple(layout.blocks), title=title)
