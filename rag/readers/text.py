"""Plain-text briefings: any line ending, a BOM, legacy encodings; a paragraph or a dated entry per line.

The canonical text is the file's text with its line endings as `\\n`, without a BOM and with non-breaking
spaces as spaces (each one character for one, so nothing else moves).
"""

from __future__ import annotations

import re
from pathlib import Path

from rag.errors import DocumentError
from rag.parse import CHRONOLOGY, INTRODUCTION, LABELS, Block, Reading
from rag.readers.layout import CHRONO_LINE, entry_dates, looks_like_heading

#: Line breaks other than `\n` that `str.splitlines` knows; all become `\n`.
_BREAKS = re.compile(r"\r\n|[\r\v\f\x1c-\x1e\x85\u2028\u2029]")
_NBSP = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2007": " "})
#: Largest share of "chaos" (charset-normalizer's mess ratio) a guessed encoding may show and still be used.
MAX_CHAOS = 5.0
#: Share of letters outside ASCII a text in a guessed non-Latin encoding has at least.
MIN_FOREIGN = 0.3


def _iconv_name(codec: str) -> str:
    """The name iconv knows a Python codec by (`cp1252` → `WINDOWS-1252`)."""
    codec = codec.lower()
    if m := re.fullmatch(r"cp(125\d)", codec):
        return f"WINDOWS-{m[1]}"
    if m := re.fullmatch(r"iso8859_(\d+)", codec):
        return f"ISO-8859-{m[1]}"
    return {"latin_1": "ISO-8859-1", "mac_roman": "MACINTOSH", "utf_16": "UTF-16", "utf_16_le": "UTF-16LE",
            "utf_16_be": "UTF-16BE", "utf_32": "UTF-32"}.get(codec, codec.upper().replace("_", "-"))


#: What Windows-1252 text in a Western language has outside ASCII: accented letters and typography.
_WESTERN = frozenset(
    "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿŒœŠšŽžŸ"
    "‘’‚“”„–—…•€™©®°§·«»¡¿£\u00a0"
)


def _western_1252(raw: bytes) -> bool:
    """Bytes that Windows-1252 reads as accented Latin letters and typography only (curly quotes, dashes)."""
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90 and 0x9D mean nothing in it
        return False
    return all(c.isascii() or c in _WESTERN for c in text)


def _guess(raw: bytes) -> tuple[str | None, bool]:
    """The likeliest encoding of bytes that are not UTF-8, and whether the guess is safe to decode with.

    Windows-1252 wins when it reads every byte as a Western letter or mark, or reads the bytes as
    charset-normalizer's best guess does (it often names another code page that gives the same text).
    Any other guess must read cleanly in a known language, with at least `MIN_FOREIGN` of its letters
    outside ASCII: a few stray bytes in an English file read as "Russian" are a damaged file, not Russian.
    """
    from charset_normalizer import from_bytes

    if _western_1252(raw):
        return "cp1252", True
    best = from_bytes(raw).best()
    if best is None:
        return None, False
    if "cp1252" in best.could_be_from_charset:
        return "cp1252", best.percent_chaos <= 2 * MAX_CHAOS
    letters = [c for c in str(best) if c.isalpha()]
    foreign = sum(not c.isascii() for c in letters) / max(1, len(letters))
    return best.encoding, best.percent_chaos <= MAX_CHAOS and best.language != "Unknown" and foreign >= MIN_FOREIGN


def decode(path: Path, raw: bytes) -> tuple[str, tuple[str, ...]]:
    """The text of a file: UTF-8 (with or without BOM), UTF-16 with a BOM, or a legacy encoding told confidently
    (with a note saying so); anything else is refused with an `iconv` command that converts it."""
    notes: tuple[str, ...] = ()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), (f"{path.name}: decoded as utf-16",)
        except UnicodeDecodeError:
            pass
    if b"\x00" in raw:
        raise DocumentError(f"{path}: looks binary (it contains NUL bytes); a briefing must be text.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        codec, confident = _guess(raw)
        if codec and confident:
            text = raw.decode(codec)
            name = _iconv_name(codec).lower()
            notes = (f"{path.name}: decoded as {name}",)
        else:
            source = _iconv_name(codec) if codec else "WINDOWS-1252"
            maybe = "probably" if codec else "perhaps"
            raise DocumentError(
                f"{path}: is not valid UTF-8 (byte {exc.start}), {maybe} {source}; convert it: "
                f"`iconv -f {source} -t UTF-8 {path.name} > {path.stem}.utf8{path.suffix}`."
            ) from None
    return canonical(text), notes


def canonical(text: str) -> str:
    """A decoded text as the index stores it: every line break as `\n`, non-breaking spaces as spaces.

    Example:
        >>> canonical("One\r\nTwo\rThree\u00a0words\n")
        'One\nTwo\nThree words\n'
    """
    return _BREAKS.sub("\n", text).translate(_NBSP)


def lines(text: str) -> list[tuple[int, str]]:
    """(offset, line without its `\\n`) for every line of a canonical text."""
    out, offset = [], 0
    for line in text.split("\n"):
        out.append((offset, line))
        offset += len(line) + 1
    return out


def read(path: Path, raw: bytes) -> Reading:
    """A paragraph per line, headings as short lines without final punctuation, `Date: event` entries."""
    text, notes = decode(path, raw)
    section = INTRODUCTION
    blocks: list[Block] = []
    for offset, line in lines(text):
        stripped = line.strip()
        if not stripped:
            continue
        start = offset + (len(line) - len(line.lstrip()))
        end = offset + len(line.rstrip())
        chrono = CHRONO_LINE.match(line)
        dates = entry_dates(chrono["date"]) if chrono else None
        if chrono and dates:
            blocks.append(Block("chronology", CHRONOLOGY, offset + len(chrono["lead"]), end, *dates))
        elif looks_like_heading(stripped):
            if stripped.lower() not in LABELS:
                section = stripped
        else:
            blocks.append(Block("article", section, start, end))
    return Reading(text, tuple(blocks), notes=notes)
