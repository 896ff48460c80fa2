"""Vectors of an archive built earlier under another cache key, reused instead of embedded again.

The archive's cache key holds the index format (eval/archive.py), so a format change starts a new folder. The
briefings are the same (generator version, seed and size are in the key too), and so are their vectors when
the model and chunk size are: embedding is the hour-long step, annotation and writing take minutes. This module
reads the texts and vectors of the sibling archives (same generator, seed and size; any format) straight from
their files, and `SeededEmbedder` answers `encode` from them, embedding only the texts they lack.

Example:
    >>> seeds = sibling_vectors(default_folder(), Settings())  # doctest: +SKIP
    >>> embedder = SeededEmbedder(Embedder(), seeds)  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np

from rag.copies import read_text
from rag.embed import Embedder
from rag.errors import RagError
from rag.manifest import read_manifest
from rag.schema import Passage
from rag.settings import Settings


def _key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _build_vectors(index_dir: Path, settings: Settings) -> dict[str, np.ndarray]:
    """Text → vector for every passage and sentence of the build `index_dir` publishes, when it was embedded with
    `settings`' model and chunk size (else nothing). Read from the files, whatever the build's format."""
    try:
        build, manifest = read_manifest(index_dir)
    except RagError:  # a sibling that cannot be read is simply not a seed
        return {}
    if manifest.model != settings.model or manifest.settings.get("max_tokens") != settings.max_tokens:
        return {}
    out: dict[str, np.ndarray] = {}
    try:
        passage_vectors = np.load(build / "passage_vectors.npy", mmap_mode="r")
        sentence_vectors = np.load(build / "sentence_vectors.npy", mmap_mode="r")
        texts = {s.doc: read_text(build, s.doc) for s in manifest.sources}
        row = 0
        with (build / "passages.jsonl").open(encoding="utf-8") as fh:
            for i, line in enumerate(fh):
                p = Passage.from_record(json.loads(line))
                out[_key(p.embed_text())] = np.array(passage_vectors[i])
                for a, b in p.sentences:
                    out.setdefault(_key(texts[p.doc][a:b]), np.array(sentence_vectors[row]))
                    row += 1
    except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:  # damaged or unknown: keep what was read
        print(f"  (seed {index_dir}: stopped reading, {exc})", file=sys.stderr)
    return out


def sibling_vectors(folder: Path, settings: Settings) -> dict[str, np.ndarray]:
    """Vectors of the other archives beside `folder` whose name differs only in its digest (same generator
    version, size label and seed) — e.g. one built under an older index format."""
    prefix = folder.name.rsplit("-", 1)[0] + "-"
    vectors: dict[str, np.ndarray] = {}
    for other in sorted(folder.parent.glob(prefix + "*")):
        if other != folder and other.name.removeprefix(prefix).isalnum() and (other / "index").is_dir():
            vectors.update(_build_vectors(other / "index", settings))
    return vectors


class SeededEmbedder(Embedder):
    """An `Embedder` that takes a text's vector from `seeds` when it has one and has `embedder` embed the others."""

    def __init__(self, embedder: Embedder, seeds: dict[str, np.ndarray]) -> None:
        super().__init__(embedder.settings)
        self.embedder = embedder
        self.seeds = seeds
        self.reused = 0

    @property
    def dimension(self) -> int:
        return self.embedder.dimension

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        keys = [_key(t) for t in texts]
        missing = [i for i, k in enumerate(keys) if k not in self.seeds]
        if len(missing) == len(texts):
            return self.embedder.encode(texts, progress=progress)
        hits = [i for i, k in enumerate(keys) if k in self.seeds]
        seeded = np.stack([self.seeds[keys[i]] for i in hits]).astype(np.float32)
        out = np.empty((len(texts), seeded.shape[1]), dtype=np.float32)
        out[hits] = seeded
        if missing:
            out[missing] = self.embedder.encode([texts[i] for i in missing], progress=progress)
        self.reused += len(hits)
        return out
