"""The index's own copy of each document: its canonical text (`sources/ID.txt`) and its blocks
(`sources/ID.blocks.json`), written and read back byte-exact, so every stored offset indexes the stored text
and a library can be rebuilt from its copies whatever format the documents came in.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from rag.errors import IndexCorruptError
from rag.manifest import Source
from rag.parse import Block, Document, format_of


def text_path(folder: Path, doc: str) -> Path:
    return folder / "sources" / f"{doc}.txt"


def blocks_path(folder: Path, doc: str) -> Path:
    return folder / "sources" / f"{doc}.blocks.json"


def blocks_record(doc: Document) -> str:
    """The stored form of a document's reading: format, pages, notes and blocks (JSON, no pickle)."""
    return json.dumps({"format": doc.format, "pages": doc.pages, "notes": list(doc.notes),
                       "blocks": [asdict(b) for b in doc.blocks]}, ensure_ascii=False)


def write_copy(folder: Path, doc: str, text: str, record: str | None) -> None:
    """Write a document's text (UTF-8, no newline translation) and its blocks record into a build `folder`."""
    text_path(folder, doc).write_bytes(text.encode("utf-8"))
    if record is not None:
        blocks_path(folder, doc).write_text(record, encoding="utf-8")


def read_text(folder: Path, doc: str) -> str:
    """A stored text exactly as written: `read_text` would turn `\\r\\n` into `\\n` and move every offset."""
    return text_path(folder, doc).read_bytes().decode("utf-8")


def read_record(folder: Path, doc: str) -> str | None:
    path = blocks_path(folder, doc)
    return path.read_text(encoding="utf-8") if path.is_file() else None


def _older_copy(folder: Path, source: Source) -> Document:
    """A copy from an index older than blocks records (text and Markdown only then), read again by its reader."""
    from importlib import import_module

    fmt = format_of(source.path)
    if fmt not in ("text", "markdown"):
        raise IndexCorruptError(f"{folder}: the copy of {source.doc!r} has no blocks record.")
    text = read_text(folder, source.doc)
    reading = import_module(f"rag.readers.{fmt}").read(Path(source.path), text.encode("utf-8"))
    return Document(id=source.doc, title=source.title, path=source.path, source=reading.source,
                    sha256=source.sha256, blocks=reading.blocks, format=fmt)


def read_document(folder: Path, source: Source) -> Document:
    """A document as it was indexed, from a build `folder`'s copy (no file outside the index is read)."""
    if not blocks_path(folder, source.doc).is_file() and text_path(folder, source.doc).is_file():
        return _older_copy(folder, source)
    try:
        data: dict[str, Any] = json.loads(blocks_path(folder, source.doc).read_text(encoding="utf-8"))
        blocks = tuple(Block(**b) for b in data["blocks"])
        text = read_text(folder, source.doc)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexCorruptError(f"{folder}: the copy of {source.doc!r} cannot be read ({exc}).") from None
    return Document(id=source.doc, title=source.title, path=source.path, source=text, sha256=source.sha256,
                    blocks=blocks, format=data.get("format", "text"), pages=data.get("pages"),
                    notes=tuple(data.get("notes", ())))
