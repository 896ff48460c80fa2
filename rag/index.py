"""A built index, loaded: passages, their vectors, FAISS and BM25 indexes, sources and manifest.

Building lives in `rag.build`, the atomic publish in `rag.publish`, the manifest in `rag.manifest`.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from rag.aliases import Aliases, build_aliases
from rag.lexical import Bm25
from rag.manifest import Manifest, check_manifest, check_model, read_manifest
from rag.periods import DateInterpreter
from rag.schema import Passage
from rag.settings import Settings


class Index:
    """A loaded index: passages, their vectors and sentence vectors, a FAISS index and a BM25 index."""

    def __init__(
        self,
        path: Path,
        manifest: Manifest,
        passages: list[Passage],
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
        self.passages = passages
        self.sources = sources
        self.passage_vectors = passage_vectors
        self.sentence_vectors = sentence_vectors
        self.dense = dense
        self.bm25 = bm25
        self.by_id = {p.id: i for i, p in enumerate(passages)}
        #: passage position → first row of its sentences in `sentence_vectors`.
        self.sentence_offsets = np.cumsum([0] + [len(p.sentences) for p in passages])
        dates = [date.fromisoformat(d) for p in passages for d in (p.date_start, p.date_end) if d]
        self.dates = DateInterpreter.for_dates(dates)
        #: The alias table built with the index (rag/aliases.py).
        self.aliases = aliases if aliases is not None else Aliases.from_dict(build_aliases(passages, sources))
        self._library: list[dict[str, Any]] | None = None
        #: The loaded segments the index is made of (`rag.segments.Part`), set by `load_index`.
        self.segments: tuple[Any, ...] = ()

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
        if self._library is None:  # one pass over the passages (an archive has ~100k), once per loaded index
            spans: dict[str, tuple[str, str]] = {}
            for p in self.passages:
                if p.date_start:
                    first, last = spans.get(p.doc, (p.date_start, p.date_end or p.date_start))
                    spans[p.doc] = (min(first, p.date_start), max(last, p.date_end or p.date_start))
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
            "article_passages": sum(p.kind == "article" for p in self.passages),
            "chronology_passages": sum(p.kind == "chronology" for p in self.passages),
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


def read_passages(folder: Path) -> list[Passage]:
    """A segment's passages, in position order (`passages.jsonl` of its build folder)."""
    with (folder / "passages.jsonl").open(encoding="utf-8") as fh:
        return [Passage.from_record(json.loads(line)) for line in fh]


def load_index(
    index_dir: str | Path, settings: Settings | None = None, check_sources: bool = True, verify: bool = True,
    mmap: bool = MMAP_VECTORS,
) -> Index:
    """Load an index, checking its manifest against `settings` and (with `verify`) every file's sha256.

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
