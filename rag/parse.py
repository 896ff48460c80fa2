"""Parse a briefing file into a `Document`: sections of paragraphs, then dated chronology entries."""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rag.dates import ENTRY_DATE, parse_entry_date
from rag.errors import DocumentError
from rag.schema import Kind

#: Lines that label a part of the journal rather than say anything.
LABELS = {"articles", "article", "chronology"}
INTRODUCTION = "Introduction"
CHRONOLOGY = "Chronology"
#: File suffixes a briefing may have, one reader each (rag/readers/); other suffixes are read as plain text.
SUFFIXES: tuple[str, ...] = (".txt", ".md", ".markdown", ".pdf", ".html", ".htm", ".docx")
#: Larger files are refused: a briefing is tens of kilobytes.
MAX_BYTES = 20 * 1024 * 1024

# No two adjacent quantifiers may match the same characters (`\s*(?:\*\*)?\s*`, `.+?\s*#*\s*`): on a line with a
# long run of spaces they backtrack quadratically or worse, and a hostile file would hang the build.
_CHRONO_LINE = re.compile(
    r"^(?P<lead>\s*(?:[-*+]\s+)?(?:\*\*)?)(?P<date>" + ENTRY_DATE.pattern + r")"
    r"(?:\*\*)?\s*:\s*(?:\*\*\s*)?(?P<text>\S.*)$",
    re.IGNORECASE,
)
_MD_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<title>.+)$")
#: One line with its terminator, split where `str.splitlines` splits.
_LINE = re.compile(r"[^\n\r\v\f\x1c-\x1e\x85\u2028\u2029]*(?:\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029])?")


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
class Document:
    """One parsed source file. Offsets of every block index `source`."""

    id: str
    title: str
    path: str
    source: str
    sha256: str
    blocks: tuple[Block, ...]

    def text(self, block: Block) -> str:
        return self.source[block.char_start : block.char_end]


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


def read_source(path: Path) -> tuple[str, str]:
    """Read a file as UTF-8 text; returns (text, sha256). Refuses what is not a briefing, naming the file.

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
    if b"\x00" in raw:
        raise DocumentError(f"{path}: looks binary (it contains NUL bytes); a briefing must be UTF-8 text.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DocumentError(
            f"{path}: is not valid UTF-8 (byte {exc.start}); convert it, e.g. `iconv -t UTF-8`."
        ) from None
    if not text.strip():
        raise DocumentError(f"{path}: is empty; a briefing needs at least one paragraph.")
    return text, hashlib.sha256(raw).hexdigest()


def _is_heading(line: str) -> bool:
    """Short lines without final punctuation are headings (`And Yet…..` ends in an ellipsis, not a stop)."""
    if len(line) > 100:  # before split(): a 5 MB line would become a million words
        return False
    words = line.split()
    if not words or len(words) > 12:
        return False
    if line.rstrip(".").endswith("…") or line.endswith("..."):
        return True
    return line[-1] not in ".!?:;,\"”’)]"


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """(offset, line without its newline) for every line, CRLF-safe; lazily, not a second copy of the file."""
    offset = 0
    for match in _LINE.finditer(text):
        raw = match.group()
        if not raw:
            continue
        yield offset, raw.rstrip("\r\n")
        offset += len(raw)


def _heading_title(match: re.Match[str]) -> str:
    """The title of a Markdown heading without its closing hashes (`## Trade ##` → `Trade`)."""
    raw = match["title"]
    return raw.rstrip("#").rstrip() or raw[:1]


def parse(path: str | Path, doc_id: str | None = None) -> Document:
    """Parse a briefing (plain text or Markdown) into a `Document`.

    Example:
        >>> from rag.settings import DEFAULT_CORPUS
        >>> doc = parse(DEFAULT_CORPUS)
        >>> sum(b.kind == "chronology" for b in doc.blocks)
        61
    """
    path = Path(path)
    if path.suffix.lower() in {".pdf", ".html", ".htm", ".docx"}:
        raise DocumentError(f"{path}: reading {path.suffix.lower()} files is not available yet.")
    text, digest = read_source(path)
    markdown = path.suffix.lower() in {".md", ".markdown"}
    title = path.stem
    section = INTRODUCTION
    blocks: list[Block] = []
    paragraph: list[tuple[int, int]] = []  # Markdown paragraphs run over several lines

    def flush() -> None:
        if paragraph:
            blocks.append(Block("article", section, paragraph[0][0], paragraph[-1][1]))
            paragraph.clear()

    for index, (offset, line) in enumerate(_lines(text)):
        stripped = line.strip()
        if index == 0 and stripped.startswith("\ufeff"):
            offset, line, stripped = offset + 1, line[1:], stripped[1:]
        if not stripped:
            flush()
            continue
        start = offset + (len(line) - len(line.lstrip()))
        end = offset + len(line.rstrip())
        chrono = _CHRONO_LINE.match(line)
        dates = parse_entry_date(chrono["date"]) if chrono else None
        if chrono and dates:
            flush()
            start = offset + len(chrono["lead"])
            iso = dates[0].isoformat(), dates[1].isoformat()
            blocks.append(Block("chronology", CHRONOLOGY, start, end, *iso))
            continue
        heading = _MD_HEADING.match(stripped) if markdown else None
        if heading:
            flush()
            name = _heading_title(heading)
            if len(heading["hashes"]) == 1 and not blocks and title == path.stem:
                title = name
            elif name.lower() not in LABELS:
                section = name
            continue
        if not markdown and _is_heading(stripped):
            if stripped.lower() not in LABELS:
                section = stripped
            continue
        if markdown:
            paragraph.append((start, end))
        else:
            blocks.append(Block("article", section, start, end))
    flush()
    if not blocks:
        raise DocumentError(f"{path}: has headings but no paragraphs or chronology entries to index.")
    return Document(doc_id or path.stem, title, str(path.resolve()), text, digest, tuple(blocks))
