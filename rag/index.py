"""A built index, loaded: passages, their vectors, FAISS and BM25 indexes, sources and manifest.

Building lives in `rag.build`, the atomic publish in `rag.publish`, the manifest in `rag.manifest`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rag.aliases import Aliases, build_aliases
from rag.lexical import Bm25
from rag.manifest import Manifest, check_manifest, check_model, read_manifest
from rag.passage_table import Chained, Columns, PassageTable, lemma_pairs
from rag.passage_table import read_passages as read_passages
from rag.periods import DateInterpreter
from rag.schema import Passage
from rag.settings import Settings


class Index:
    """A loaded index: passages, their vectors and sentence vectors, a FAISS index and a BM25 index."""

    def __init__(
        self,
        path: Path,
        manifest: Manifest,
        passages: Sequence[Passage],
        sources: dict[str, str],
        passage_vectors: np.ndarray,
        sentence_vectors: np.ndarray,
        dense: Any,
        bm25: Bm25,
        index_dir: Path | None = None,
        aliases: Aliases | None = None,
    ) -> None:
        #: The build folder the files were read from; `index_dir` is the folder a user names (`--index-dir`).
        self.path = path
        self.index_dir = index_dir or path
        self.manifest = manifest
        #: The passages in index order; a `PassageTable` decodes each when it is read (rag/passage_table.py).
        self.passages = passages
        #: What whole-library computations read of every passage (ids, documents, sections, kinds, dates, spans),
        #: without decoding one: stored with a build's passages, else gathered from them.
        self.columns = passages.columns if isinstance(passages, PassageTable | Chained) else Columns.of(passages)
        self.sources = sources
        self.passage_vectors = passage_vectors
        self.sentence_vectors = sentence_vectors
        self.dense = dense
        self.bm25 = bm25
        self.by_id = {pid: i for i, pid in enumerate(self.columns.ids)}
        #: passage position → first row of its sentences in `sentence_vectors`.
        self.sentence_offsets = np.concatenate([[0], np.cumsum(self.columns.n_sentences)]).astype(np.int64)
        self.dates = DateInterpreter.for_dates(self.columns.dates())
        #: The alias table built with the index (rag/aliases.py).
        self.aliases = aliases if aliases is not None else Aliases.from_dict(build_aliases(passages, sources))
        self._library: list[dict[str, Any]] | None = None
        self._lemma_pairs: Counter[tuple[str, str]] | None = None
        #: The loaded segments the index is made of (`rag.segments.Part`), set by `load_index`.
        self.segments: tuple[Any, ...] = ()

    def check_integrity(self) -> None:
        """Wait for the background sha256 check of the segments' large files (`rag.integrity`); raise
        `IndexCorruptError` naming the file if one is damaged."""
        for part in self.segments:
            if part.integrity is not None:
                part.integrity.wait()

    def lemma_pairs(self) -> Counter[tuple[str, str]]:
        """How often each (lower-cased form, lemma) pair occurs in the stored parse, in first-seen order: stored
        with a build's passages (`rag.passage_table`), else counted from them once."""
        if self._lemma_pairs is None:
            stored = self.passages.lemma_pairs() if isinstance(self.passages, PassageTable | Chained) else None
            self._lemma_pairs = stored if stored is not None else lemma_pairs(self.passages, self.source)
        return self._lemma_pairs

    def __len__(self) -> int:
        return len(self.passages)

    def sentence_vectors_of(self, position: int) -> np.ndarray:
        return self.sentence_vectors[self.sentence_offsets[position] : self.sentence_offsets[position + 1]]

    def source(self, doc: str) -> str:
        return self.sources[doc]

    def check_model(self, settings: Settings) -> None:
        """Raise `IndexMismatchError` unless questions embedded with `settings.model` fit this index's vectors."""
        check_model(self.index_dir, self.manifest, settings)

    def library(self) -> list[dict[str, Any]]:
        """One row per document: id, title, period covered by its chronology, passages, when it was added."""
        if self._library is None:  # one pass over the columns (an archive has ~100k passages), once per index
            c = self.columns
            spans: dict[str, tuple[str, str]] = {}
            for code, start, end in zip(c.doc.tolist(), c.date_start, c.date_end, strict=True):
                if start:
                    doc = c.docs[code]
                    first, last = spans.get(doc, (start, end or start))
                    spans[doc] = (min(first, start), max(last, end or start))
            self._library = [
                {"id": s.doc, "title": s.title, "start": spans[s.doc][0] if s.doc in spans else None,
                 "end": spans[s.doc][1] if s.doc in spans else None, "passages": s.passages,
                 "added_at": s.added_at or self.manifest.created_at}
                for s in self.manifest.sources
            ]
        return [dict(r) for r in self._library]

    def info(self) -> dict[str, Any]:
        """Statistics for `rag info` and the UI's index panel."""
        m = self.manifest
        return {
            "path": str(self.path),
            "documents": [s.doc for s in m.sources],
            "library": self.library(),
            "passages": len(self.passages),
            "article_passages": int((~self.columns.chronology).sum()),
            "chronology_passages": int(self.columns.chronology.sum()),
            "sentences": int(self.sentence_vectors.shape[0]),
            "model": m.model,
            "dimension": m.dimension,
            "dense_index": m.dense_index,
            "max_tokens": m.settings["max_tokens"],
            "created_at": m.created_at,
            "package_version": m.package_version,
        }


#: Vectors are memory-mapped, not read: an answer touches the sentence vectors of a few passages only, so an
#: archive's ~0.5 GB of them costs resident memory only for the pages read, and replicas on one machine share
#: them through the page cache (a build removed after a newer one is published stays mapped until dropped).
MMAP_VECTORS = True


def load_index(
    index_dir: str | Path, settings: Settings | None = None, check_sources: bool = True, verify: bool = True,
    mmap: bool = MMAP_VECTORS,
) -> Index:
    """Load an index, checking its manifest against `settings` and (with `verify`) every file's sha256.

    Files under `rag.integrity.DEFER_ABOVE` are hashed before this returns; larger ones (an archive's passages,
    vectors and FAISS graph) have their size and shape checked here and their sha256 on a background thread,
    which the first answer waits for (`Index.check_integrity`).
    With `mmap`, the passage and sentence vectors are memory-mapped read-only (`np.load(mmap_mode="r")`).
    An index in several segments (`rag.segments`) is composed from them; a segment already loaded in this
    process (by an index still in use) is not read again, nor verified again.
    """
    from rag.segments import compose, load_parts

    settings = settings or Settings()
    index_dir = Path(index_dir)
    build, manifest = read_manifest(index_dir)
    check_manifest(index_dir, manifest, settings, check_sources)
    parts = load_parts(build, manifest, index_dir, verify, mmap)
    index = Index(build, manifest, index_dir=index_dir, **compose(parts))
    index.segments = tuple(parts)  # keeps them loaded (and reusable) while the index is in use
    return index
