"""Hybrid retrieval: dense (FAISS) and BM25 (bm25s) rankings fused, then made date-aware."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from rag.dates import DateRange
from rag.embed import Embedder
from rag.errors import SettingsError
from rag.index import Index
from rag.layout import layout
from rag.question import wants_timeline
from rag.schema import Kind, Passage
from rag.settings import Settings

#: Candidates each retriever contributes before fusion.
CANDIDATES = 100
#: Passages, nearest first, whose sentences the dense ranking re-scores (`Settings.sentence_weight`).
SENTENCE_CANDIDATES = 400
#: Most entries a timeline answer lists.
TIMELINE_LIMIT = 40


Ranking = tuple[np.ndarray, np.ndarray]
"""Passage positions, best first, and their scores."""


def fuse(dense: Ranking, lexical: Ranking, settings: Settings) -> dict[int, float]:
    """One score per passage position from the dense and BM25 rankings, as `settings.fusion` says.

    `weighted` adds min-max-normalized scores, the dense ones weighted `dense_weight`, BM25's the rest;
    `rrf` adds `2 * weight / (rrf_k + rank)`, so either mode gives at most 1 (weighted) or 2 / (rrf_k + 1).

    Example:
        >>> import numpy as np
        >>> fused = fuse((np.array([4, 7]), np.array([0.9, 0.5])), (np.array([7]), np.array([3.0])), Settings())
        >>> {pos: round(score, 3) for pos, score in fused.items()}
        {4: 0.7, 7: 0.3}
    """
    w = settings.dense_weight
    fused: dict[int, float] = {}
    if settings.fusion == "rrf":
        for weight, (ids, _) in ((w, dense), (1.0 - w, lexical)):
            for rank, pos in enumerate(ids.tolist(), start=1):
                fused[pos] = fused.get(pos, 0.0) + 2.0 * weight / (settings.rrf_k + rank)
        return fused
    for weight, (ids, scores) in ((w, dense), (1.0 - w, lexical)):
        if len(scores) == 0:
            continue
        lo, hi = float(scores.min()), float(scores.max())
        norm = (scores - lo) / (hi - lo) if hi > lo else np.ones_like(scores)
        for pos, s in zip(ids.tolist(), norm.tolist()):
            fused[pos] = fused.get(pos, 0.0) + weight * s
    return fused


def date_boost(settings: Settings) -> float:
    """What a chronology entry of the question's period gains: `date_boost` as a share of the best fused score,
    so that it means the same for RRF and weighted fusion."""
    return settings.date_boost * (2.0 / (settings.rrf_k + 1) if settings.fusion == "rrf" else 1.0)


def best_sentence(index: Index, query: np.ndarray, ids: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """Each passage's highest cosine between `query` and its stored sentence vectors (one matrix product over
    the candidates' sentences only); a passage without sentences keeps its `fallback` score.

    Example:
        >>> best_sentence(index, query, np.array([3, 0]), np.array([0.4, 0.2]))  # doctest: +SKIP
        array([0.61, 0.35], dtype=float32)
    """
    offsets = index.sentence_offsets
    starts, ends = offsets[ids], offsets[ids + 1]
    counts = ends - starts
    out = np.asarray(fallback, dtype=np.float32).copy()
    has = counts > 0
    if not has.any():
        return out
    counts, starts = counts[has], starts[has]
    groups = np.concatenate([[0], np.cumsum(counts)[:-1]])  # where each passage's sentences begin in `sims`
    rows = np.arange(int(counts.sum())) + np.repeat(starts - groups, counts)
    sims = np.asarray(index.sentence_vectors[rows], dtype=np.float32) @ query
    out[has] = np.maximum.reduceat(sims, groups)
    return out


@dataclass(frozen=True)
class Filters:
    """Restrictions a reader sets by hand (the chat page's filters), as opposed to what a question says."""

    start: date | None = None
    end: date | None = None
    kinds: tuple[Kind, ...] = ("article", "chronology")
    #: Document ids to search; empty means every document of the library.
    docs: tuple[str, ...] = ()

    def admits(self, p: Passage) -> bool:
        if p.kind not in self.kinds:
            return False
        if self.docs and p.doc not in self.docs:
            return False
        if p.kind == "chronology" and p.date_start and p.date_end:
            if self.start and date.fromisoformat(p.date_end) < self.start:
                return False
            if self.end and date.fromisoformat(p.date_start) > self.end:
                return False
        return True


class Retriever:
    """Ranks an index's passages for a question.

    `k` given to `retrieve` overrides the constructor's default.

    Example:
        >>> retriever = Retriever(index)  # doctest: +SKIP
        >>> [p.date_start for p in retriever.retrieve("What happened on Nov. 16?")]  # doctest: +SKIP
        ['2023-11-16', '2023-11-16', '2023-11-16']
    """

    def __init__(self, index: Index, embedder: Embedder | None = None, settings: Settings | None = None) -> None:
        self.index = index
        self.settings = settings or Settings()
        self.embedder = embedder or Embedder(self.settings)
        index.check_model(self.embedder.settings)  # questions must be embedded by the model of the passages
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._vectors_lock = threading.Lock()  # answers run in parallel threads (the chat page)

    def clear_cache(self) -> None:
        """Forget the memoized question vectors (benchmarks time the embedding of every question)."""
        self._vectors.clear()

    def encode(self, text: str) -> np.ndarray:
        """The question's unit vector, memoized (a follow-up or a re-asked question costs nothing)."""
        with self._vectors_lock:
            vec = self._vectors.get(text)
        if vec is None:
            vec = self.embedder.encode_query(text)
            with self._vectors_lock:
                self._vectors[text] = vec
                if len(self._vectors) > 512:
                    self._vectors.popitem(last=False)
        return vec

    def dense(self, question: str, n: int) -> tuple[np.ndarray, np.ndarray]:
        """The `n` passages nearest the question, best first, with their dense scores (see `nearest`)."""
        ids, scores, _ = self.nearest(question, n)
        return ids, scores

    def nearest(self, question: str, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The `n` passages nearest the question, best first, their dense scores and their own cosines.

        A passage's dense score is its vector's cosine with the question, blended (`settings.sentence_weight`)
        with its best-matching sentence's: a question worded differently from the text often matches one
        sentence of a passage far better than the passage as a whole.
        """
        n = min(n, len(self.index))
        query = self.encode(question)
        scores, ids = self.index.dense.search(query[None, :], n)
        keep = ids[0] >= 0
        return self._blend(query, ids[0][keep].astype(np.int64), scores[0][keep])

    def _blend(self, query: np.ndarray, ids: np.ndarray, cosines: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """`ids` (best first by their cosines) re-ranked by the cosine blended with their best sentence's."""
        weight = self.settings.sentence_weight
        if weight == 0.0 or not len(ids):
            return ids, cosines, cosines
        # Only the nearest passages' sentences are read (an archive's are ~0.5 GB, memory-mapped); the rest
        # keep their passage score, as if their best sentence matched as well as the whole.
        head = min(len(ids), SENTENCE_CANDIDATES)
        best = cosines.astype(np.float32)
        best[:head] = best_sentence(self.index, query, ids[:head], cosines[:head])
        blended = (1.0 - weight) * cosines + weight * best
        order = np.argsort(-blended, kind="stable")
        return ids[order], blended[order], cosines[order]

    def bm25(self, question: str, n: int) -> tuple[np.ndarray, np.ndarray]:
        return self.index.bm25.search(question, n)

    def among(self, question: str, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, Ranking]:
        """Dense ranking (ids, blended scores, own cosines, as `nearest`) and BM25 ranking of `positions` only (a
        document filter): exact inner products with their vectors and BM25 scores read at their positions, not a
        search of the whole library."""
        query = self.encode(question)
        vectors = np.asarray(self.index.passage_vectors[positions], dtype=np.float32)
        scores = vectors @ query.astype(np.float32)
        order = np.argsort(-scores, kind="stable")
        ids, blended, cosines = self._blend(query, positions[order].astype(np.int64), scores[order])
        return ids, blended, cosines, self.index.bm25.search_among(self.index.aliases.expand(question),
                                                                          positions)

    def retrieve(
        self, question: str, k: int | None = None, filters: Filters | None = None, period: DateRange | None = None
    ) -> list[Passage]:
        """Best passages first, each with its fused `score`, `dense_rank` and `bm25_rank`.

        A period named in the question (found here unless `period` is given) lifts the chronology
        entries of that period to the top; a timeline question ("what happened in …") gets every
        entry of the period, in date order.
        """
        k = self.settings.k if k is None else k
        if k < 1:
            raise SettingsError(f"k of {k} is too small; ask for at least one passage (default {self.settings.k}).")
        passages = self.index.passages
        n = min(len(passages), max(CANDIDATES, 4 * k))
        lay = layout(self.index)
        if filters is not None and filters.docs:  # the chosen documents' passages may all rank below the others'
            ids, scores, cosines, lexical = self.among(question, lay.of_docs(filters.docs))
        else:  # BM25 also looks for the other names of what the question names ("PIF" for "Pacific Islands Forum").
            ids, scores, cosines = self.nearest(question, n)
            lexical = self.bm25(self.index.aliases.expand(question), n)
        dense = (ids, scores)
        fused = fuse(dense, lexical, self.settings)
        dense_rank = {pos: r for r, pos in enumerate(ids.tolist(), start=1)}
        # The passage's own cosine, as before sentence blending: the answer's signals were fitted on it.
        dense_score = dict(zip(ids.tolist(), cosines.tolist()))
        bm25_rank = {pos: r for r, pos in enumerate(lexical[0].tolist(), start=1)}
        bm25_score = dict(zip(lexical[0].tolist(), lexical[1].tolist()))
        period = period or self.index.dates.interpret(question)
        in_period: list[int] = []
        boost = date_boost(self.settings)
        if period is not None:  # the dated entries of the period, found in the layout's arrays
            in_period = lay.overlapping(period.start, period.end).tolist()
            for pos in in_period:
                fused[pos] = fused.get(pos, 0.0) + boost
        if in_period and wants_timeline(question):
            order = sorted(in_period, key=lambda pos: (passages[pos].date_start or "", pos))[: max(k, TIMELINE_LIMIT)]
        else:
            order = sorted(fused, key=lambda pos: -fused[pos])
        out: list[Passage] = []
        for pos in order:
            p = passages[pos]
            if filters is not None and not filters.admits(p):
                continue
            out.append(
                replace(
                    p,
                    score=float(fused.get(pos, 0.0)),
                    dense_rank=dense_rank.get(pos),
                    bm25_rank=bm25_rank.get(pos),
                    dense_score=dense_score.get(pos),
                    bm25_score=bm25_score.get(pos),
                )
            )
            if len(out) >= k and not (in_period and wants_timeline(question)):
                break
        return out
