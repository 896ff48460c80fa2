"""One build folder's passages, read lazily: `passages.jsonl` memory-mapped, a passage decoded when it is used.

Loading an archive's ~100k passages with their stored parse (millions of tokens) took ~9 CPU-seconds; nothing
needs them all at start-up. What whole-library computations read (ids, documents, sections, kinds, dates, char
spans, number of sentences) is a set of columns (`Columns`), written at build time next to the passages
(`passage_table.npz`, with each line's byte offset). A build without that file (format 8, written before it
existed) still loads: the columns are derived from the head of each line (everything before the entity spans
and the parse), without decoding the parse.

The table also holds how often each (word form, lemma) pair occurs in the stored parse (`lemma_pairs`), which
the reader's lemma lookup needs (rag/reading.py) and which would otherwise take a pass over every token.

An older build's derived table is kept beside its files as `passage_table.derived.npz` (when the folder is
writable), tied to the manifest's sha256 of its `passages.jsonl`: only the first load derives it.

`read_passages(folder)` reads ONE build folder (one segment). An index made of several segments composes the
per-folder tables with `chain(tables)` (oldest first): one sequence over all of them, whose columns are
`Columns.concat` of theirs and whose lemma counts are theirs summed in order; each table decodes its own passages.
`Index` reads `columns` and `lemma_pairs()` of whichever it is given (`Passages`).

Example:
    >>> table = read_passages(index.path)  # doctest: +SKIP
    >>> len(table), table.columns.docs[:1], table[0].id == table.columns.ids[0]  # doctest: +SKIP
    (97, ('us-japan',), True)
"""

from __future__ import annotations

import contextlib
import json
import mmap
import os
import threading
from abc import abstractmethod
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import overload

import numpy as np

from rag.errors import IndexCorruptError
from rag.schema import Passage

__all__ = ["PASSAGES_FILE", "TABLE_FILE", "Chained", "Columns", "PassageTable", "Passages", "chain", "lemma_pairs",
           "read_passages", "write_table"]

PASSAGES_FILE = "passages.jsonl"
#: The columns and line offsets of `passages.jsonl`, written at build time (numpy arrays, no pickle).
TABLE_FILE = "passage_table.npz"
#: The same, derived from an older build's passages at its first load (not part of the build: not in its manifest).
DERIVED_FILE = "passage_table.derived.npz"
#: The fields of a record the columns hold.
_HEAD = ("id", "doc", "section", "kind", "date_start", "date_end", "char_start", "char_end", "sentences")


@dataclass(frozen=True)
class Columns:
    """What the whole-library computations read of every passage, one array (or list) per field.

    `doc` and `section` are codes into `docs` and `sections`; a missing date is "".
    """

    ids: list[str]
    doc: np.ndarray
    docs: tuple[str, ...]
    section: np.ndarray
    sections: tuple[str, ...]
    #: True for chronology entries, False for article passages.
    chronology: np.ndarray
    date_start: list[str]
    date_end: list[str]
    char_start: np.ndarray
    char_end: np.ndarray
    n_sentences: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    def doc_of(self, position: int) -> str:
        return self.docs[int(self.doc[position])]

    def section_of(self, position: int) -> str:
        return self.sections[int(self.section[position])]

    @classmethod
    def of(cls, passages: Iterable[Passage]) -> Columns:
        """The columns of passages already decoded."""
        return cls.from_heads([{"id": p.id, "doc": p.doc, "section": p.section, "kind": p.kind,
                                "date_start": p.date_start, "date_end": p.date_end, "char_start": p.char_start,
                                "char_end": p.char_end, "sentences": p.sentences} for p in passages])

    @classmethod
    def from_heads(cls, heads: list[dict[str, object]]) -> Columns:
        """Columns from records (or their heads: id … sentences)."""
        docs: dict[str, int] = {}
        sections: dict[str, int] = {}
        doc = [docs.setdefault(str(h["doc"]), len(docs)) for h in heads]
        section = [sections.setdefault(str(h["section"]), len(sections)) for h in heads]
        return cls(
            ids=[str(h["id"]) for h in heads],
            doc=np.asarray(doc, dtype=np.int32), docs=tuple(docs),
            section=np.asarray(section, dtype=np.int32), sections=tuple(sections),
            chronology=np.asarray([h["kind"] == "chronology" for h in heads], dtype=bool),
            date_start=[str(h.get("date_start") or "") for h in heads],
            date_end=[str(h.get("date_end") or "") for h in heads],
            char_start=np.asarray([h["char_start"] for h in heads], dtype=np.int64),
            char_end=np.asarray([h["char_end"] for h in heads], dtype=np.int64),
            n_sentences=np.asarray([len(h.get("sentences") or ()) for h in heads], dtype=np.int64),  # type: ignore[arg-type]
        )

    @classmethod
    def concat(cls, parts: Sequence[Columns]) -> Columns:
        """The columns of several tables one after the other (segments, oldest first): codes renumbered."""
        if len(parts) == 1:
            return parts[0]
        docs: dict[str, int] = {}
        sections: dict[str, int] = {}
        doc_codes, section_codes = [], []
        for c in parts:
            doc_map = np.asarray([docs.setdefault(d, len(docs)) for d in c.docs] or [0], dtype=np.int32)
            sec_map = np.asarray([sections.setdefault(s, len(sections)) for s in c.sections] or [0], dtype=np.int32)
            doc_codes.append(doc_map[c.doc])
            section_codes.append(sec_map[c.section])
        return cls(
            ids=[i for c in parts for i in c.ids],
            doc=np.concatenate(doc_codes) if doc_codes else np.zeros(0, np.int32), docs=tuple(docs),
            section=np.concatenate(section_codes) if section_codes else np.zeros(0, np.int32),
            sections=tuple(sections),
            chronology=np.concatenate([c.chronology for c in parts]),
            date_start=[d for c in parts for d in c.date_start],
            date_end=[d for c in parts for d in c.date_end],
            char_start=np.concatenate([c.char_start for c in parts]),
            char_end=np.concatenate([c.char_end for c in parts]),
            n_sentences=np.concatenate([c.n_sentences for c in parts]),
        )

    def dates(self) -> list[date]:
        """The days the passages start or end on, each once, in order."""
        return [date.fromisoformat(d) for d in sorted(set(self.date_start) | set(self.date_end)) if d]

    def days(self) -> tuple[np.ndarray, np.ndarray]:
        """Each passage's first and last day as date ordinals (`date.toordinal`), 0 where it has none."""
        return _ordinals(self.date_start), _ordinals(self.date_end)


#: `date(1970, 1, 1).toordinal()`: numpy counts days from there.
_EPOCH = 719_163


def _ordinals(isos: list[str]) -> np.ndarray:
    days = np.array(isos, dtype="datetime64[D]")  # "" is NaT
    return np.where(np.isnat(days), 0, days.astype(np.int64) + _EPOCH)


def lemma_pairs(passages: Iterable[Passage], source_of: Callable[[str], str]) -> Counter[tuple[str, str]]:
    """How often each (lower-cased form, lemma) pair occurs in the passages' stored parse, in first-seen order."""
    pairs: Counter[tuple[str, str]] = Counter()
    for p in passages:
        source = source_of(p.doc)
        pairs.update([(source[t[0]:t[1]].lower(), t[2]) for t in p.tokens])
    return pairs


def _arrays(offsets: np.ndarray, c: Columns, pairs: Counter[tuple[str, str]]) -> dict[str, np.ndarray]:
    return {"offsets": np.asarray(offsets, dtype=np.int64), "ids": np.asarray(c.ids, dtype=str), "doc": c.doc,
            "docs": np.asarray(c.docs, dtype=str), "section": c.section, "sections": np.asarray(c.sections, dtype=str),
            "chronology": c.chronology, "date_start": np.asarray(c.date_start, dtype=str),
            "date_end": np.asarray(c.date_end, dtype=str), "char_start": c.char_start, "char_end": c.char_end,
            "n_sentences": c.n_sentences, "lemma_forms": np.asarray([f for f, _ in pairs], dtype=str),
            "lemma_lemmas": np.asarray([lemma for _, lemma in pairs], dtype=str),
            "lemma_counts": np.asarray(list(pairs.values()), dtype=np.int64)}


def _save(path: Path, arrays: dict[str, np.ndarray]) -> None:
    with path.open("wb") as fh:
        np.savez(fh, **arrays)  # type: ignore[arg-type]


def write_table(folder: Path, passages: Sequence[Passage], offsets: Sequence[int],
                source_of: Callable[[str], str]) -> None:
    """Write `folder`'s `passage_table.npz`: the columns of `passages`, the byte offsets of their lines in
    `passages.jsonl` (one more than the passages: the file's size) and the parse's (form, lemma) counts."""
    _save(folder / TABLE_FILE, _arrays(np.asarray(offsets), Columns.of(passages), lemma_pairs(passages, source_of)))


def _read_table(path: Path) -> tuple[np.ndarray, Columns, Counter[tuple[str, str]], str]:
    with np.load(path, allow_pickle=False) as z:
        columns = Columns(
            ids=z["ids"].tolist(), doc=z["doc"], docs=tuple(z["docs"].tolist()), section=z["section"],
            sections=tuple(z["sections"].tolist()), chronology=z["chronology"],
            date_start=z["date_start"].tolist(), date_end=z["date_end"].tolist(),
            char_start=z["char_start"], char_end=z["char_end"], n_sentences=z["n_sentences"],
        )
        pairs = Counter(dict(zip(zip(z["lemma_forms"].tolist(), z["lemma_lemmas"].tolist(), strict=True),
                                 z["lemma_counts"].tolist(), strict=True)))
        digest = str(z["digest"]) if "digest" in z.files else ""
        return z["offsets"], columns, pairs, digest


def _derive_table(data: mmap.mmap | bytes, sources: Callable[[str], str]) -> tuple[np.ndarray, Columns,
                                                                                   Counter[tuple[str, str]]]:
    """Offsets, columns and lemma counts of a `passages.jsonl` without its table (an older build): each line is
    parsed as JSON, no `Passage` is made."""
    offsets = [0]
    heads = []
    pairs: Counter[tuple[str, str]] = Counter()
    size = len(data)
    start = 0
    while start < size:
        end = data.find(b"\n", start)
        end = size if end < 0 else end + 1
        record = json.loads(data[start:end])
        source = sources(record["doc"])
        pairs.update([(source[t[0]:t[1]].lower(), t[2]) for t in record.get("tokens", ())])
        heads.append({k: record.get(k) for k in _HEAD})
        offsets.append(end)
        start = end
    return np.asarray(offsets, dtype=np.int64), Columns.from_heads(heads), pairs


class LazyPassages(Sequence[Passage]):
    """A sequence of passages read on access: a subclass gives `__len__` and `_get(i)` for 0 <= i < len;
    negative indexes, slices and the bounds check are here."""

    @abstractmethod
    def _get(self, i: int) -> Passage:
        """Passage `i`, for 0 <= i < len(self)."""

    @overload
    def __getitem__(self, i: int) -> Passage: ...

    @overload
    def __getitem__(self, i: slice) -> list[Passage]: ...

    def __getitem__(self, i: int | slice) -> Passage | list[Passage]:
        if isinstance(i, slice):
            return [self._get(j) for j in range(*i.indices(len(self)))]
        n = len(self)
        i = int(i) + (n if int(i) < 0 else 0)
        if not 0 <= i < n:
            raise IndexError(f"passage {i} of {n}")
        return self._get(i)


class PassageTable(LazyPassages):
    """The passages of one build folder: a sequence that decodes a passage from its line when it is read.

    Thread-safe: answers on parallel threads share one table; a passage read twice is the same object. A line that
    does not hold the passage the columns name (a damaged file) raises `IndexCorruptError` when it is read.
    """

    def __init__(self, folder: Path, data: mmap.mmap | bytes, offsets: np.ndarray, columns: Columns,
                 pairs: Counter[tuple[str, str]]) -> None:
        if len(offsets) != len(columns) + 1 or (len(offsets) and int(offsets[-1]) != len(data)):
            raise ValueError(f"{PASSAGES_FILE} and {TABLE_FILE} disagree ({len(columns)} passages, "
                             f"{int(offsets[-1]) if len(offsets) else 0} of {len(data)} bytes)")
        self.folder = folder
        self._data = data
        self._offsets = offsets.tolist()
        self.columns = columns
        self._pairs = pairs
        # A passage once decoded stays so: an answer reads a few hundred, and a pass over all of them (adding a
        # briefing, a list across the library) decodes each once; at most what loading everything held before.
        self._cache: list[Passage | None] = [None] * len(columns)
        self._lock = threading.Lock()

    def lemma_pairs(self) -> Counter[tuple[str, str]]:
        """How often each (lower-cased form, lemma) pair occurs in these passages' parse, first seen first."""
        return self._pairs

    def __len__(self) -> int:
        return len(self.columns)

    def _get(self, i: int) -> Passage:
        got = self._cache[i]
        if got is not None:
            return got
        p = self._decode(i)
        with self._lock:  # two threads decoding one passage keep the first: one object per passage
            got = self._cache[i]
            if got is None:
                got = self._cache[i] = p
        return got

    def __iter__(self) -> Iterator[Passage]:
        for i in range(len(self)):
            yield self[i]

    def _decode(self, i: int) -> Passage:
        try:
            record = json.loads(self._data[self._offsets[i] : self._offsets[i + 1]])
            if not isinstance(record, dict) or record.get("id") != self.columns.ids[i]:
                raise ValueError(f"line {i + 1} does not hold passage {self.columns.ids[i]!r}")
            return Passage.from_record(record)
        except (ValueError, KeyError, TypeError) as exc:
            raise IndexCorruptError(
                f"{self.folder / PASSAGES_FILE}: cannot be read ({exc}); rebuild the index."
            ) from None


def read_passages(folder: Path, digest: str = "", sources: Callable[[str], str] | None = None) -> PassageTable:
    """The passages of ONE build folder (`passages.jsonl`, with its `passage_table.npz` when it has one).

    A build without a table (format 8) has its table derived from the passages — `sources` gives a document's
    text, for the lemma counts — and kept as `passage_table.derived.npz` for the next load when the folder is
    writable; `digest` (the manifest's sha256 of `passages.jsonl`) ties that file to the passages it came from.
    Raises `OSError` or `ValueError` when the files cannot be read or disagree; the caller names the index.
    """
    path = folder / PASSAGES_FILE
    with path.open("rb") as fh:
        data: mmap.mmap | bytes = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if path.stat().st_size else b""
    table = folder / TABLE_FILE
    if table.is_file():
        offsets, columns, pairs, _ = _read_table(table)
        return PassageTable(folder, data, offsets, columns, pairs)
    derived = folder / DERIVED_FILE
    if digest and derived.is_file():
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            offsets, columns, pairs, stored = _read_table(derived)
            if stored == digest:
                return PassageTable(folder, data, offsets, columns, pairs)
    if sources is None:
        raise ValueError(f"{folder}: no {TABLE_FILE}, and no source texts to derive it from")
    offsets, columns, pairs = _derive_table(data, sources)
    if digest:  # kept for the next load; a read-only folder derives it each time
        part = folder / f".{DERIVED_FILE}.{os.getpid()}.part"
        with contextlib.suppress(OSError):
            _save(part, {**_arrays(offsets, columns, pairs), "digest": np.asarray(digest)})
            os.replace(part, derived)
        with contextlib.suppress(OSError):
            part.unlink(missing_ok=True)
    return PassageTable(folder, data, offsets, columns, pairs)


class Chained(LazyPassages):
    """Several tables' passages one after the other (an index's segments, oldest first)."""

    def __init__(self, tables: Sequence[PassageTable]) -> None:
        self.tables = tuple(tables)
        self.columns = Columns.concat([t.columns for t in self.tables])
        self._starts = np.cumsum([0] + [len(t) for t in self.tables]).tolist()
        self._pairs: Counter[tuple[str, str]] = Counter()
        for t in self.tables:
            self._pairs.update(t.lemma_pairs())

    def lemma_pairs(self) -> Counter[tuple[str, str]]:
        return self._pairs

    def __len__(self) -> int:
        return int(self._starts[-1])

    def _get(self, i: int) -> Passage:
        k = bisect_right(self._starts, i) - 1
        return self.tables[k][i - self._starts[k]]


#: What `Index` reads its passages from: one build folder's table or several chained.
Passages = PassageTable | Chained


def chain(tables: Sequence[PassageTable]) -> Passages:
    """One sequence over the passages of several build folders' tables, in order (one table: itself)."""
    return tables[0] if len(tables) == 1 else Chained(tables)
