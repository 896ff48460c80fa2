"""BM25 over passage texts, with bm25s doing the work (English stop words, Snowball stemming)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import bm25s
import numpy as np


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import Stemmer

    return Stemmer.Stemmer("english")


def tokenize(texts: list[str]) -> list[list[str]]:
    return bm25s.tokenize(texts, stopwords="en", stemmer=_stemmer(), show_progress=False, return_ids=False)


class Bm25:
    """A bm25s index whose `search` returns (positions, scores), best first, zero scores dropped."""

    def __init__(self, model: bm25s.BM25, size: int) -> None:
        self.model = model
        self.size = size

    @classmethod
    def build(cls, texts: list[str]) -> Bm25:
        model = bm25s.BM25()
        model.index(tokenize(texts), show_progress=False)
        return cls(model, len(texts))

    def save(self, folder: Path) -> None:
        self.model.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path) -> Bm25:
        model = bm25s.BM25.load(str(folder), mmap=False, allow_pickle=False, show_progress=False)
        size = int(model.scores["num_docs"])
        return cls(model, size)

    def search(self, query: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        tokens = tokenize([query])
        k = min(k, self.size)
        if k < 1 or not tokens[0]:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        docs, scores = self.model.retrieve(tokens, k=k, show_progress=False, n_threads=1)
        keep = scores[0] > 0
        return docs[0][keep].astype(np.int64), scores[0][keep].astype(np.float32)
