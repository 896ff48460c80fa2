"""Ranking metrics through ir-measures, and the answer metrics of the shipped pipeline.

Relevance is binary: a passage is relevant to a question when it supports one of its evidence strings
(`eval.judge.supports`).

* hit@k = ir-measures `Success@k`; mrr@10 = `RR@10`; ndcg@10 = `nDCG@10`.
* recall@k = the share of a question's evidence strings supported within the top k. ir-measures'
  `R@k` counts relevant *passages*, not evidence strings, so each evidence string becomes its own
  sub-query (`q001#0`, `q001#1`, …) whose relevant passages are the ones supporting it; recall@k is the
  mean over a question's sub-queries of ir-measures `Success@k`.

A question left out of ir-measures' output (nothing retrieved, or no passage in the index supports its
evidence) scores 0, so every question counts in the averages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import ir_measures
import numpy as np
from ir_measures import Qrel, ScoredDoc

from eval.judge import supports
from eval.questions import Question
from rag import Passage

RETRIEVAL_KEYS = ("hit@1", "hit@3", "hit@5", "recall@5", "recall@10", "mrr@10", "ndcg@10")
ANSWER_KEYS = ("accuracy", "citation_accuracy", "mean_answer_chars", "abstention_precision", "abstention_recall",
               "coverage")
_PER_QUESTION = {"hit@1": "Success@1", "hit@3": "Success@3", "hit@5": "Success@5", "mrr@10": "RR@10",
                 "ndcg@10": "nDCG@10"}
_PER_EVIDENCE = {"recall@5": "Success@5", "recall@10": "Success@10"}

#: For each evidence string of a question, the ids of the passages that support it.
Judgment = tuple[frozenset[str], ...]


def judge(question: Question, passages: Sequence[Passage]) -> Judgment:
    """Which passages support each of the question's evidence strings."""
    return tuple(frozenset(p.id for p in passages if supports(p.text, e, question.answers)) for e in question.evidence)


def relevant(judgment: Judgment) -> frozenset[str]:
    """Every passage that supports at least one evidence string."""
    return frozenset().union(*judgment)


def first_hit(judgment: Judgment, ranking: Sequence[str]) -> int | None:
    """1-based rank of the first relevant passage in `ranking`, or None."""
    wanted = relevant(judgment)
    return next((r for r, pid in enumerate(ranking, start=1) if pid in wanted), None)


def _run(qid: str, ranking: Sequence[str]) -> Iterable[ScoredDoc]:
    unique = list(dict.fromkeys(ranking))
    # Scores fall with rank so ir-measures keeps the retriever's order exactly.
    return (ScoredDoc(qid, pid, float(len(unique) - r)) for r, pid in enumerate(unique))


def _calc(measures: Mapping[str, str], qrels: list[Qrel], run: list[ScoredDoc]) -> dict[str, dict[str, float]]:
    by_name = {ir_measures.parse_measure(m): key for key, m in measures.items()}
    out: dict[str, dict[str, float]] = {}
    for metric in ir_measures.iter_calc(list(by_name), qrels, run):
        out.setdefault(metric.query_id, {})[by_name[metric.measure]] = float(metric.value)
    return out


def retrieval_scores(
    judgments: Mapping[str, Judgment], rankings: Mapping[str, Sequence[str]]
) -> dict[str, dict[str, float]]:
    """Per question id, each of `RETRIEVAL_KEYS`, for one retriever's rankings (passage ids, best first).

    Example:
        >>> scores = retrieval_scores({"q": (frozenset({"b"}), frozenset({"c"}))}, {"q": ["a", "b"]})
        >>> scores["q"]["hit@1"], scores["q"]["mrr@10"], scores["q"]["recall@5"]
        (0.0, 0.5, 0.5)
    """
    qrels = [Qrel(qid, pid, 1) for qid, j in judgments.items() for pid in sorted(relevant(j))]
    run = [doc for qid in judgments for doc in _run(qid, rankings.get(qid, ()))]
    # One sub-query per evidence string: its relevant passages are the ones supporting that string.
    sub_qrels = [Qrel(f"{qid}#{i}", pid, 1) for qid, j in judgments.items() for i, ids in enumerate(j)
                 for pid in sorted(ids)]
    sub_run = [doc for qid, j in judgments.items() for i in range(len(j))
               for doc in _run(f"{qid}#{i}", rankings.get(qid, ()))]
    per_q = _calc(_PER_QUESTION, qrels, run)
    per_e = _calc(_PER_EVIDENCE, sub_qrels, sub_run)
    out: dict[str, dict[str, float]] = {}
    for qid, j in judgments.items():
        scores = {key: per_q.get(qid, {}).get(key, 0.0) for key in _PER_QUESTION}
        for key in _PER_EVIDENCE:
            values = [per_e.get(f"{qid}#{i}", {}).get(key, 0.0) for i in range(len(j))]
            scores[key] = float(np.mean(values)) if values else 0.0
        out[qid] = {key: scores[key] for key in RETRIEVAL_KEYS}
    return out


@dataclass(frozen=True)
class AnswerOutcome:
    """How the shipped pipeline did on one question."""

    answerable: bool
    abstained: bool
    correct: bool
    #: Some citation supports an evidence string (None when not applicable: unanswerable or abstained).
    citation_ok: bool | None
    chars: int


def _share(hits: int, total: int) -> float | None:
    return hits / total if total else None


def answer_summary(outcomes: Sequence[AnswerOutcome]) -> dict[str, float | None]:
    """`ANSWER_KEYS` over some questions; a ratio with an empty denominator is None.

    accuracy is over every question (an unanswerable one is correct when abstained); citation accuracy over
    answerable questions that were answered; mean answer length over every answer that is not an abstention.
    """
    answered = [o for o in outcomes if not o.abstained]
    answerable = [o for o in outcomes if o.answerable]
    abstained = [o for o in outcomes if o.abstained]
    unanswerable = [o for o in outcomes if not o.answerable]
    cited = [o for o in answerable if not o.abstained]
    return {
        "accuracy": _share(sum(o.correct for o in outcomes), len(outcomes)),
        "citation_accuracy": _share(sum(bool(o.citation_ok) for o in cited), len(cited)),
        "mean_answer_chars": float(np.mean([o.chars for o in answered])) if answered else None,
        "abstention_precision": _share(sum(not o.answerable for o in abstained), len(abstained)),
        "abstention_recall": _share(sum(o.abstained for o in unanswerable), len(unanswerable)),
        "coverage": _share(len(cited), len(answerable)),
    }


def mean(values: Iterable[float]) -> float | None:
    """Arithmetic mean, or None for no values."""
    values = list(values)
    return float(np.mean(values)) if values else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (linear interpolation), or None for no values."""
    return float(np.percentile(values, q)) if len(values) else None
