"""Read a briefing file into a `Document`: one canonical text, and blocks (paragraphs, chronology entries) in it.

One reader per format lives in `rag/readers/` (text, Markdown, PDF, HTML, DOCX); `parse` picks it by suffix
and does the checks every format shares (a regular file, of a sane size). Whatever the format, everything
after `parse` sees only `Document.source` and offsets into it.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

from rag.errors import DocumentError
from rag.schema import Kind

#: File suffixes a briefing may have, one reader each (rag/readers/); other suffixes are read as plain text.
SUFFIXES: tuple[str, ...] = (".txt", ".md", ".markdown", ".pdf", ".html", ".htm", ".docx")
#: The reader module (in `rag.readers`) of each suffix, and the format name reports show.
READERS: dict[str, str] = {
    ".txt": "text", ".md": "markdown", ".markdown": "markdown", ".pdf": "pdf", ".html": "html", ".htm": "html",
    ".docx": "docx",
}
#: Lines that label a part of the journal rather than say anything.
LABELS = {"articles", "article", "chronology"}
INTRODUCTION = "Introduction"
CHRONOLOGY = "Chronology"
#: Larger files are refused: a briefing is tens of kilobytes (a PDF of it, a few hundred).
MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Block:
    """A paragraph of the article or one chronology entry, located in the source."""

    kind: Kind
    section: str
    char_start: int
    char_end: int
    date_start: str | None = None
    date_end: str | None = None
    #: The page (1-based) the block starts on, for paged sources (PDF).
    page: int | None = None


@dataclass(frozen=True)
class Reading:
    """What a reader makes of a file: the canonical text and its blocks (the title None: the file's name)."""

    source: str
    blocks: tuple[Block, ...]
    title: str | None = None
    pages: int | None = None
    #: One line each about how the file was read ("decoded as windows-1252").
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Document:
    """One parsed source file. Offsets of every block index `source`, its canonical text."""

    id: str
    title: str
    path: str
    source: str
    #: sha256 of the file's bytes (a built index checks its files against it).
    sha256: str
    blocks: tuple[Block, ...]
    #: The reader that read it: text, markdown, pdf, html or docx.
    format: str = "text"
    pages: int | None = None
    notes: tuple[str, ...] = ()

    def text(self, block: Block) -> str:
        return self.source[block.char_start : block.char_end]

    @property
    def content_sha256(self) -> str:
        return content_hash(self.source)


_TRAILING = re.compile(r"[ \t\u00a0\u202f]+$", re.MULTILINE)


def content_hash(text: str) -> str:
    """sha256 of a text with line endings, a BOM, non-breaking and trailing spaces, blank edges normalized:
    the same briefing saved on Windows or on a Mac has the same content hash.

    Example:
        >>> content_hash("\\ufeffA\\r\\nB \\r\\n") == content_hash("A\\nB\\n")
        True
    """
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = _TRAILING.sub("", text.replace("\u202f", " ")).strip("\n")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _too_large(path: Path, size: int) -> DocumentError:
    return DocumentError(f"{path}: {size / 1e6:.0f} MB is too large for a briefing (limit {MAX_BYTES // 2**20} MiB).")


def check_link(path: Path) -> None:
    """Refuse a symlink whose target lies outside the folder the link is in.

    A file named on the command line is indexed wherever it is (`..` included), but a link can be planted
    in a folder someone hands over and picked up by a glob (`corpus/*.txt` → `~/.ssh/id_ed25519`): its
    target is copied into the index and shown on the chat page. Naming the target itself still works.
    """
    if not path.is_symlink():
        return
    target = Path(os.path.realpath(path))
    folder = Path(os.path.realpath(path.parent))
    if not target.is_relative_to(folder):
        raise DocumentError(
            f"{path}: is a symlink to {target}, outside its folder {folder}; "
            f"name {target} itself if you mean to index it."
        )


def read_bytes(path: Path) -> bytes:
    """A file's bytes; refuses what is not a briefing file, naming it.

    At most `MAX_BYTES` + 1 bytes are ever read, so a huge file, a device or a growing file cannot
    exhaust memory.
    """
    try:
        if path.is_dir():
            raise DocumentError(f"{path}: is a folder, not a file; name the briefing files inside it.")
        check_link(path)
        # O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused just below
        with os.fdopen(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as fh:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode):  # /dev/zero, a FIFO, a socket: endless or blocking reads
                raise DocumentError(f"{path}: is not a regular file (a device, pipe or socket); name a text file.")
            if info.st_size > MAX_BYTES:
                raise _too_large(path, info.st_size)
            raw = fh.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:  # it grew after the size check
            raise _too_large(path, len(raw))
    except FileNotFoundError:
        raise DocumentError(f"{path}: no such file.") from None
    except PermissionError:
        raise DocumentError(f"{path}: permission denied.") from None
    except OSError as exc:
        raise DocumentError(f"{path}: cannot be read ({exc.strerror or exc}).") from None
    if not raw.strip():
        raise DocumentError(f"{path}: is empty; a briefing needs at least one paragraph.")
    return raw


def format_of(path: str | Path) -> str:
    """The reader (format name) for a file: by suffix, plain text for any other."""
    return READERS.get(Path(path).suffix.lower(), "text")


def parse(path: str | Path, doc_id: str | None = None) -> Document:
    """Read a briefing in any format of `SUFFIXES` into a `Document`.

    Example:
        >>> from rag.settings import DEFAULT_CORPUS
        >>> doc = parse(DEFAULT_CORPUS)
        >>> doc.format, sum(b.kind == "chronology" for b in doc.blocks)
        ('text', 61)
    """
    path = Path(path)
    raw = read_bytes(path)
    fmt = format_of(path)
    reading: Reading = import_module(f"rag.readers.{fmt}").read(path, raw)
    if not reading.blocks:
        if not reading.source.strip():
            raise DocumentError(f"{path}: has no text to index; a briefing needs at least one paragraph.")
        raise DocumentError(f"{path}: has headings but no paragraphs or chronology entries to index.")
    return Document(
        id=doc_id or path.stem,
        title=reading.title or path.stem,
        path=str(path.resolve()),
        source=reading.source,
        sha256=hashlib.sha256(raw).hexdigest(),
        blocks=reading.blocks,
        format=fmt,
        pages=reading.pages,
        notes=reading.notes,
    )
