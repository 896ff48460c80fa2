"""An index in segments: each addition writes only its own documents' files, and loading composes them.

A build folder holds one segment at its top level (passages, vectors, FAISS, BM25, aliases, copies); its
manifest may list earlier builds' segments before it (`Manifest.segments`), so adding a briefing to a large
library embeds and writes that briefing alone (`rag.library.add_parsed`). A replacement, a removal or too many
segments (`MAX_SEGMENTS`) rewrites the whole library as one segment again: compaction.

Loading (`rag.index.load_index`) reads each segment once per process (`load_parts` keeps the loaded ones while
an index uses them) and composes one `Index` whose positions run over the segments in order:
`Stacked` rows for the vectors (memory maps stay maps), `SegmentedDense` for FAISS, `SegmentedBm25` scoring
with the library's own IDF, and `merge_aliases` for the alias table. An index of one segment is exactly the
segment's own objects.

Example:
    >>> rows = Stacked([np.zeros((2, 3)), np.ones((1, 3))])
    >>> rows.shape, rows[np.array([2, 0])].sum(axis=1).tolist()
    ((3, 3), [3.0, 0.0])
"""

from __future__ import annotations

import hashlib
import math
import threading
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

import numpy as np

from rag.aliases import ALIASES_FILE, Aliases, _key
from rag.copies import read_text
from rag.errors import IndexCorruptError
from rag.integrity import DEFER_ABOVE, Verification
from rag.lexical import Bm25, tokenize, top_positive
from rag.manifest import OWN, Manifest, Segment, rebuild_command, sha256_file
from rag.passage_table import PASSAGES_FILE, PassageTable
from rag.passage_table import chain as chain_tables
from rag.schema import Passage

__all__ = ["MAX_SEGMENTS", "Part", "SegmentedBm25", "SegmentedDense", "Stacked", "compose", "doc_folders",
           "load_parts", "merge_aliases", "segment_folder"]

#: Segments an addition may leave; the addition that would make one more compacts the library into one.
MAX_SEGMENTS = 8


def segment_folder(build: Path, segment: Segment) -> Path:
    """Where `segment`'s files are: the build folder itself, or a sibling build folder (`DIR/build-…`)."""
    return build if segment.build == OWN else build.parent / segment.build


def doc_folders(build: Path, manifest: Manifest) -> dict[str, Path]:
    """The build folder holding each document's copy (`sources/ID.txt`), by document id."""
    return {doc: segment_folder(build, seg) for seg in manifest.parts() for doc in seg.docs}


# ---------------------------------------------------------------------------------------------------- vectors


class Stacked:
    """The rows of several arrays as one array for reading (an int, a slice, an array of ints), without copying
    them: memory-mapped vectors stay mapped, and a read touches only the rows asked for."""

    def __init__(self, parts: Sequence[np.ndarray]) -> None:
        if not parts:
            raise ValueError("Stacked needs at least one array")
        self.parts = list(parts)
        self.offsets = np.cumsum([0] + [len(p) for p in self.parts]).astype(np.int64)
        self.dtype = self.parts[0].dtype
        self.shape: tuple[int, ...] = (int(self.offsets[-1]), *self.parts[0].shape[1:])
        self.ndim = len(self.shape)

    def __len__(self) -> int:
        return self.shape[0]

    def __iter__(self) -> Iterator[np.ndarray]:
        for part in self.parts:
            yield from part

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        out = np.concatenate([np.asarray(p) for p in self.parts])
        return out if dtype is None else out.astype(dtype)

    def __getitem__(self, key: Any) -> np.ndarray:
        n = len(self)
        if isinstance(key, int | np.integer):
            i = int(key) + (n if key < 0 else 0)
            if not 0 <= i < n:
                raise IndexError(f"row {key} out of range for {n} rows")
            s = int(np.searchsorted(self.offsets, i, side="right")) - 1
            return np.asarray(self.parts[s][i - self.offsets[s]])
        if isinstance(key, slice):
            start, stop, step = key.indices(n)
            if step != 1:
                return self[np.arange(start, stop, step)]
            pieces = [part[max(start, a) - a : min(stop, b) - a]
                      for part, a, b in zip(self.parts, self.offsets[:-1], self.offsets[1:], strict=True)
                      if max(start, a) < min(stop, b)]
            if len(pieces) == 1:
                return np.asarray(pieces[0])
            return np.concatenate(pieces) if pieces else np.zeros((0, *self.shape[1:]), dtype=self.dtype)
        rows = np.asarray(key)
        if rows.dtype == bool:
            rows = np.flatnonzero(rows)
        rows = rows.astype(np.int64).ravel()
        rows = np.where(rows < 0, rows + n, rows)
        if len(rows) and (rows.min() < 0 or rows.max() >= n):
            raise IndexError(f"rows out of range for {n} rows")
        which = np.searchsorted(self.offsets, rows, side="right") - 1
        out = np.empty((len(rows), *self.shape[1:]), dtype=self.dtype)
        for s in np.unique(which).tolist():
            mask = which == s
            out[mask] = self.parts[s][rows[mask] - self.offsets[s]]
        return out


class SegmentedDense:
    """FAISS search over every segment's index, merged by score, with positions offset by segment: what
    `faiss.Index.search(queries, k)` returns for one index of all the passages (exactly, for flat segments)."""

    def __init__(self, parts: Sequence[Any]) -> None:
        self.parts = list(parts)
        self.offsets = np.cumsum([0] + [int(p.ntotal) for p in self.parts]).astype(np.int64)
        self.ntotal = int(self.offsets[-1])

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        found_scores, found_ids = [], []
        for part, offset in zip(self.parts, self.offsets[:-1].tolist(), strict=True):
            n = min(k, int(part.ntotal))
            if n < 1:
                continue
            scores, ids = part.search(queries, n)
            found_scores.append(np.where(ids >= 0, scores, -np.inf))
            found_ids.append(np.where(ids >= 0, ids + offset, -1))
        rows = len(queries)
        if not found_ids:
            return np.full((rows, k), -np.inf, dtype=np.float32), np.full((rows, k), -1, dtype=np.int64)
        scores, ids = np.concatenate(found_scores, axis=1), np.concatenate(found_ids, axis=1)
        order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        scores, ids = np.take_along_axis(scores, order, 1), np.take_along_axis(ids, order, 1)
        if ids.shape[1] < k:  # fewer passages than asked: padded as faiss pads
            pad = k - ids.shape[1]
            scores = np.pad(scores, ((0, 0), (0, pad)), constant_values=-np.inf)
            ids = np.pad(ids, ((0, 0), (0, pad)), constant_values=-1)
        scores = np.where(ids >= 0, scores, np.finfo(np.float32).min)
        return scores.astype(np.float32), ids.astype(np.int64)


# ------------------------------------------------------------------------------------------------------ BM25


def _idf(df: float, n: float) -> float:
    """bm25s's Lucene IDF (its default method)."""
    return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


class SegmentedBm25:
    """BM25 over several segments' bm25s indexes, as `rag.lexical.Bm25` over all their passages.

    bm25s stores each passage's score per term with its own segment's IDF baked in, so scores from two
    segments are not comparable: a small new segment would score its rare terms far too low. Each term's
    column is reweighted here by `global IDF / segment IDF`, the global IDF from the summed document
    frequencies over all the passages. What stays approximate: a passage's length is normalized by its own
    segment's average length (avgdl); compacting the library (one segment) makes the scores exact again.
    """

    def __init__(self, parts: Sequence[Bm25]) -> None:
        for part in parts:
            if part.model.method != "lucene":
                raise ValueError(f"segments are scored with Lucene's IDF, not {part.model.method!r}")
        self.parts = list(parts)
        self.offsets = np.cumsum([0] + [p.size for p in self.parts]).astype(np.int64)
        self.size = int(self.offsets[-1])
        self._df: dict[str, int] = {}
        for part in self.parts:
            for term, count in part.document_frequencies().items():
                self._df[term] = self._df.get(term, 0) + count

    def document_frequencies(self) -> dict[str, int]:
        """How many passages of the whole library hold each stemmed term."""
        return dict(self._df)

    def _scores(self, tokens: list[str]) -> np.ndarray:
        """Every passage's BM25 score for the query's tokens (a token repeated counts again, as in bm25s)."""
        out = np.zeros(self.size, dtype=np.float32)
        for part, offset in zip(self.parts, self.offsets[:-1].tolist(), strict=True):
            scores, vocab = part.model.scores, part.model.vocab_dict
            data, indices, indptr = scores["data"], scores["indices"], scores["indptr"]
            mine = out[offset : offset + part.size]
            for token in tokens:
                i = vocab.get(token)
                if i is None or i + 1 >= len(indptr):
                    continue
                a, b = int(indptr[i]), int(indptr[i + 1])
                if a == b:
                    continue
                weight = _idf(self._df[token], self.size) / _idf(b - a, part.size)
                mine[indices[a:b]] += data[a:b] * np.float32(weight)  # a column lists each passage once
        return out

    def search(self, query: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        tokens = tokenize([query])[0]
        k = min(k, self.size)
        if k < 1 or not tokens:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        scores = self._scores(tokens)
        top = top_positive(scores, k)
        return top.astype(np.int64), scores[top].astype(np.float32)

    def search_among(self, query: str, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`search` restricted to `positions` (every one of them ranked, zero scores dropped)."""
        tokens = [t for t in tokenize([query])[0] if t in self._df]
        if not tokens or not len(positions):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        scores = self._scores(tokens)[positions]
        order = np.argsort(-scores, kind="stable")
        keep = order[scores[order] > 0]
        return positions[keep].astype(np.int64), scores[keep]


# --------------------------------------------------------------------------------------------------- aliases


def merge_aliases(tables: Sequence[Aliases]) -> Aliases:
    """One alias table from the segments' tables, oldest first.

    A name's type is the one most segments give it (the oldest on a tie); surnames and capitals are kept when
    the merged types agree (a capital used as a person's name in the library does not stand for its country);
    offices, people and grains are united, and the first definition of an acronym wins, as in one build.
    What one build of all the documents could add beyond this (a full name in one segment whose surname is
    used alone only in another) comes back with compaction.
    """
    votes: dict[str, dict[str, int]] = {}
    for table in tables:
        for key, kind in table.types.items():
            counts = votes.setdefault(key, {})
            counts[kind] = counts.get(kind, 0) + 1
    types = {key: max(counts, key=lambda kind: counts[kind]) for key, counts in sorted(votes.items())}
    people: dict[str, set[str]] = {}
    offices: dict[str, set[str]] = {}
    acronyms: dict[str, str] = {}
    grains: dict[str, str] = {}
    capitals: dict[str, str] = {}
    for table in tables:
        for name, words in table.people.items():
            people.setdefault(name, set()).update(words)
        for office, holders in table.offices.items():
            offices.setdefault(office, set()).update(holders)
        for long, abbr in table.acronyms.items():
            acronyms.setdefault(long, abbr)
        for place, grain in table.grains.items():
            grains.setdefault(place, grain)
        for city, country in table.capitals.items():
            capitals.setdefault(city, country)
    surnames = frozenset(s for table in tables for s in table.surnames if types.get(_key(s), "person") == "person")
    return Aliases(
        types=types,
        surnames=surnames,
        people={k: tuple(sorted(v)) for k, v in sorted(people.items())},
        offices={k: tuple(sorted(v)) for k, v in sorted(offices.items())},
        acronyms=acronyms,
        grains={k: v for k, v in sorted(grains.items()) if types.get(_key(k)) == "place"},
        capitals={c: k for c, k in sorted(capitals.items()) if types.get(_key(c)) != "person"},
    )


# --------------------------------------------------------------------------------------------------- loading


@dataclass(eq=False)
class Part:
    """One segment, loaded: what `rag.index.Index` is made of, for that segment's passages only."""

    folder: Path
    passages: Sequence[Passage]
    sources: dict[str, str]
    passage_vectors: np.ndarray
    sentence_vectors: np.ndarray
    dense: Any
    bm25: Bm25
    aliases: Aliases
    #: The sha256 check of its large files, running on a thread after load (`rag.integrity`), or None.
    integrity: Verification | None = None


#: Segments loaded in this process, kept while an index uses them: a server that picks up an addition, or an
#: addition that returns the new library, reads only the new segment. Keyed by folder, mmap and the files'
#: hashes and stat (a file changed in place is read, and verified, again).
_LOADED: weakref.WeakValueDictionary[tuple[str, bool, str], Part] = weakref.WeakValueDictionary()
_VERIFIED: set[tuple[str, bool, str]] = set()
_LOCK = threading.Lock()
#: How many segments were read from disk (not found loaded): tests count it.
reads = 0


def _corrupt(index_dir: Path, manifest: Manifest, what: str) -> IndexCorruptError:
    return IndexCorruptError(f"{index_dir}: {what}; rebuild: `{rebuild_command(index_dir, manifest)}`.")


def _load_part(folder: Path, segment: Segment, files: dict[str, str], index_dir: Path, manifest: Manifest,
               verify: bool, mmap: bool) -> Part:
    global reads
    stats = []
    for name in sorted(files):
        try:
            st = (folder / name).stat()
        except OSError:
            raise _corrupt(index_dir, manifest, f"{name} is missing" if segment.build == OWN
                           else f"{segment.build}/{name} (an earlier segment) is missing") from None
        stats.append(f"{name}:{files[name]}:{st.st_size}:{st.st_mtime_ns}:{st.st_ino}")
    key = (str(folder.resolve()), mmap, hashlib.sha256("\n".join(stats).encode()).hexdigest())
    with _LOCK:
        part = _LOADED.get(key)
        verified = key in _VERIFIED
    deferred: list[tuple[str, Path, str]] = []
    checking = part is not None and part.integrity is not None and not part.integrity.failed
    if verify and not verified and not checking:
        # Small files are hashed now; the large ones (an archive's passages, vectors, FAISS graph) on a thread
        # that answers wait for (`Index.check_integrity`), once their size and shape are checked below.
        for name, digest in files.items():
            path = folder / name
            if path.stat().st_size >= DEFER_ABOVE:
                deferred.append((name if segment.build == OWN else f"{segment.build}/{name}", path, digest))
            elif sha256_file(path) != digest:
                raise _corrupt(index_dir, manifest, f"{name} does not match its manifest (damaged?)")
        if not deferred:
            with _LOCK:
                _VERIFIED.add(key)
    check = Verification(index_dir, deferred, rebuild_command(index_dir, manifest),
                         on_ok=lambda: _verified(key)) if deferred else None
    if part is not None:
        if check is not None:
            part.integrity = check
        return part
    from rag.index import read_passages

    reading = "sources"
    try:
        sources = {doc: read_text(folder, doc) for doc in segment.docs}
        reading = PASSAGES_FILE
        passages = read_passages(folder, files.get(PASSAGES_FILE, ""), sources.__getitem__)
        mode: Literal["r"] | None = "r" if mmap else None
        reading = "passage_vectors.npy"
        passage_vectors = _load_array(folder / reading, mode)
        reading = "sentence_vectors.npy"
        sentence_vectors = _load_array(folder / reading, mode)
        import faiss

        reading = "dense.faiss"
        dense = faiss.read_index(str(folder / reading))
        reading = "bm25"
        bm25 = Bm25.load(folder / reading)
        reading = ALIASES_FILE
        aliases = Aliases.load(folder / ALIASES_FILE)
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise _corrupt(index_dir, manifest, f"{reading} cannot be read ({exc})") from None
    if len(passages) != len(passage_vectors) or dense.ntotal != len(passages):
        raise IndexCorruptError(f"{index_dir}: passages and vectors disagree in number; rebuild the index.")
    if int(passages.columns.n_sentences.sum()) != len(sentence_vectors):
        raise IndexCorruptError(f"{index_dir}: passages and sentence vectors disagree in number; rebuild the index.")
    part = Part(folder, passages, sources, passage_vectors, sentence_vectors, dense, bm25, aliases, check)
    with _LOCK:
        reads += 1
        _LOADED[key] = part
    return part


def _verified(key: tuple[str, bool, str]) -> None:
    with _LOCK:
        _VERIFIED.add(key)


def _load_array(path: Path, mode: Literal["r"] | None) -> np.ndarray:
    """A stored array, checked to fill its file exactly (a truncated or padded file is damaged)."""
    with path.open("rb") as fh:
        version = np.lib.format.read_magic(fh)
        read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, _, dtype = read(fh)
        expected = fh.tell() + int(np.prod(shape)) * dtype.itemsize
    if expected != path.stat().st_size:
        raise ValueError(f"{path.stat().st_size} bytes where its header says {expected}")
    return np.load(path, allow_pickle=False, mmap_mode=mode)


def load_parts(build: Path, manifest: Manifest, index_dir: Path, verify: bool, mmap: bool) -> list[Part]:
    """Every segment of the build, oldest first: the ones already loaded in this process as they are, the
    others read (their files' sha256 checked with `verify`, once per process)."""
    return [_load_part(segment_folder(build, seg), seg, manifest.files_of(seg), index_dir, manifest, verify, mmap)
            for seg in manifest.parts()]


class _Chain(Sequence[Passage]):
    """The segments' passages as one read-only sequence (for passage readers other than lists)."""

    def __init__(self, parts: Sequence[Sequence[Passage]]) -> None:
        self.parts = list(parts)
        self.offsets = np.cumsum([0] + [len(p) for p in self.parts]).tolist()

    def __len__(self) -> int:
        return int(self.offsets[-1])

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        j = i + len(self) if i < 0 else i
        s = int(np.searchsorted(self.offsets, j, side="right")) - 1
        if not 0 <= j < len(self):
            raise IndexError(i)
        return self.parts[s][j - self.offsets[s]]

    def __iter__(self) -> Iterator[Passage]:
        for part in self.parts:
            yield from part


def chain(parts: Sequence[Sequence[Passage]]) -> Sequence[Passage]:
    """The passages of the segments in order: the tables chained (`rag.passage_table.chain`: one sequence with
    their columns), or one list when they are lists."""
    if all(isinstance(p, PassageTable) for p in parts):
        return chain_tables(cast(Sequence[PassageTable], parts))
    if all(isinstance(p, list) for p in parts):
        return [p for part in parts for p in part]
    return _Chain(parts)


def compose(parts: Sequence[Part]) -> dict[str, Any]:
    """The `rag.index.Index` arguments for the segments together: one segment's own objects, or composites."""
    if len(parts) == 1:
        p = parts[0]
        return {"passages": p.passages, "sources": p.sources, "passage_vectors": p.passage_vectors,
                "sentence_vectors": p.sentence_vectors, "dense": p.dense, "bm25": p.bm25, "aliases": p.aliases}
    return {
        "passages": chain([p.passages for p in parts]),
        "sources": {doc: text for p in parts for doc, text in p.sources.items()},
        "passage_vectors": cast(np.ndarray, Stacked([p.passage_vectors for p in parts])),
        "sentence_vectors": cast(np.ndarray, Stacked([p.sentence_vectors for p in parts])),
        "dense": SegmentedDense([p.dense for p in parts]),
        "bm25": cast(Bm25, SegmentedBm25([p.bm25 for p in parts])),
        "aliases": merge_aliases([p.aliases for p in parts]),
    }
