"""Run the gold questions through the retrievers and the shipped pipeline, and summarize what happened.

The three retrievers share one index and one embedder:

* ``bm25``: `Retriever.bm25` alone, the raw BM25 ranking (no fusion, no date boost, no timeline order);
* ``dense``: `Retriever.dense` alone, the raw FAISS ranking;
* ``hybrid``: `Retriever.retrieve` with the given `Settings`: the shipped fusion, date boost and timeline order.

(`Settings(dense_weight=0.0)` would not give a BM25-only ranking: the date boost and the timeline order
still act on it, and dense candidates trail with a fused score of 0. So the baselines call the two
rankings directly.)
"""

from __future__ import annotations

import dataclasses
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tqdm import tqdm

from eval.judge import answer_matches, supports
from eval.metrics import (
    AnswerOutcome,
    Judgment,
    answer_summary,
    first_hit,
    judge,
    mean,
    percentile,
    retrieval_scores,
)
from eval.questions import CONSTRAINT_KINDS, SPLITS, Question, QuestionFileError
from eval.targets import check_targets, target_figures
from rag import Answer, Assistant, Index, Passage, Retriever, Settings
from rag.errors import InvalidQuestionError

RETRIEVERS = ("bm25", "dense", "hybrid")
#: Asked once before timing, so model loading and lazy statistics stay out of the latencies.
WARM_UP = "Where did the Quad Senior Cyber Group meet in December?"


@dataclass(frozen=True)
class Outcome:
    """Everything measured for one question."""

    question: Question
    judgment: Judgment
    #: Passage ids, best first, per retriever (depth k); "hybrid" is always present.
    rankings: dict[str, tuple[str, ...]]
    top1: Passage | None
    answer: Answer
    retrieve_ms: float
    answer_ms: float


def _rankers(index: Index, retriever: Retriever) -> dict[str, Callable[[str, int], list[Passage]]]:
    def positions(search: Callable[[str, int], Any]) -> Callable[[str, int], list[Passage]]:
        return lambda text, k: [index.passages[int(pos)] for pos in search(text, k)[0]]

    return {"bm25": positions(retriever.bm25), "dense": positions(retriever.dense),
            "hybrid": lambda text, k: retriever.retrieve(text, k)[:k]}


def _timed(call: Callable[[], Any]) -> tuple[Any, float]:
    t0 = time.perf_counter()
    value = call()
    return value, (time.perf_counter() - t0) * 1e3


def _citation_ok(question: Question, answer: Answer, index: Index) -> bool:
    for c in answer.citations:
        sentence = index.source(c.passage.doc)[c.highlight_start : c.highlight_end]
        for e in question.evidence:
            if supports(sentence, e, question.answers) or supports(c.passage.text, e, question.answers):
                return True
    return False


def _answer_outcome(o: Outcome, index: Index) -> AnswerOutcome:
    q, a = o.question, o.answer
    if q.answerable:
        correct = not a.abstained and answer_matches(a.text, q.answers, q.all_answers)
        citation_ok = None if a.abstained else _citation_ok(q, a, index)
    else:
        correct, citation_ok = a.abstained, None
    return AnswerOutcome(q.answerable, a.abstained, correct, citation_ok, len(a.text))


def _short_ok(o: Outcome) -> bool | None:
    """A typed answerable question's short answer names an answer string; None for other questions."""
    q, a = o.question, o.answer
    if not q.answerable or a.analysis is None or not a.analysis.typed:
        return None
    return a.short_answer is not None and answer_matches(a.short_answer, q.answers, q.all_answers)


def _short_shown_ok(o: Outcome) -> bool | None:
    """A shown short answer names an answer string (one shown for an unanswerable question is wrong); None when
    no short answer is shown."""
    q, a = o.question, o.answer
    if a.short_answer is None or a.abstained:
        return None
    return q.answerable and answer_matches(a.short_answer, q.answers, q.all_answers)


def _top_passage_ok(o: Outcome) -> bool:
    """The baseline: the top retrieved passage taken as the answer (it never abstains)."""
    q = o.question
    return q.answerable and o.top1 is not None and answer_matches(o.top1.text, q.answers, q.all_answers)


def _short_coverage(outcomes: Sequence[Outcome], ids: Sequence[str]) -> float | None:
    """Typed answerable questions among `ids` that show a short answer, over all typed answerable ones."""
    wanted = set(ids)
    typed = [o for o in outcomes if o.question.id in wanted and _short_ok(o) is not None]
    return sum(o.answer.short_answer is not None for o in typed) / len(typed) if typed else None


def _share(values: Sequence[bool | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def collect(questions: Sequence[Question], index: Index, embedder: Any, settings: Settings,
            retrievers: Sequence[str], k: int, progress: bool = True) -> tuple[list[Outcome], dict[str, Any]]:
    """Ask every question of every retriever and of the pipeline, timing the shipped ones.

    Returns the outcomes and the answer's confidence calibration (which decides abstentions).
    """
    retriever = Retriever(index, embedder, settings)
    # The assistant gets its own retriever: each memoizes question vectors, and both timed calls
    # (hybrid retrieval first, then the answer) must pay for encoding the question.
    assistant = Assistant(index, settings=settings, embedder=retriever.embedder)
    rankers = _rankers(index, retriever)
    retriever.retrieve(WARM_UP)
    assistant.answer(WARM_UP)
    out: list[Outcome] = []
    for q in tqdm(questions, desc="eval", unit="q", file=sys.stderr, disable=not progress):
        # Hybrid first: its timed call encodes the question, which the baselines then reuse from the memo.
        ranked, retrieve_ms = _timed(lambda q=q: rankers["hybrid"](q.question, k))
        rankings = {name: tuple(p.id for p in rankers[name](q.question, k)) for name in retrievers if name != "hybrid"}
        rankings["hybrid"] = tuple(p.id for p in ranked)
        try:
            answer, answer_ms = _timed(lambda q=q: assistant.answer(q.question))
        except InvalidQuestionError as exc:
            raise QuestionFileError(f"{q.id}: {exc}") from None
        out.append(Outcome(q, judge(q, index.passages), rankings, ranked[0] if ranked else None, answer,
                           retrieve_ms, answer_ms))
    return out, assistant.calibration


def _snippet(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def summarize(outcomes: Sequence[Outcome], retrievers: Sequence[str], index: Index) -> dict[str, Any]:
    """The report's figures for these outcomes (one split, or several pooled)."""
    answerable = [o for o in outcomes if o.question.answerable]
    judgments = {o.question.id: o.judgment for o in answerable}
    scores = {name: retrieval_scores(judgments, {o.question.id: o.rankings[name] for o in answerable})
              for name in dict.fromkeys([*retrievers, "hybrid"])}
    answers = {o.question.id: _answer_outcome(o, index) for o in outcomes}
    splits = sorted({o.question.split for o in outcomes}, key=SPLITS.index)
    short = {o.question.id: _short_ok(o) for o in outcomes}
    shown = {o.question.id: _short_shown_ok(o) for o in outcomes}
    top = {o.question.id: _top_passage_ok(o) for o in outcomes}

    def retrieval(name: str, ids: Sequence[str]) -> dict[str, float | None]:
        keys = next(iter(scores[name].values()), {}).keys()
        return {key: mean(scores[name][i][key] for i in ids) for key in keys}

    by_type: dict[str, dict[str, float | None]] = {}
    for kind in dict.fromkeys(o.question.type for o in outcomes):
        ids = [o.question.id for o in outcomes if o.question.type == kind]
        hybrid = retrieval("hybrid", [i for i in ids if i in judgments])
        by_type[kind] = {"n": len(ids), "hit@5": hybrid.get("hit@5"), "mrr@10": hybrid.get("mrr@10"),
                         "accuracy": answer_summary([answers[i] for i in ids])["accuracy"],
                         "short_accuracy": _share([short[i] for i in ids]),
                         "short_precision": _share([shown[i] for i in ids]),
                         "short_coverage": _short_coverage(outcomes, ids),
                         "top_passage_accuracy": _share([top[i] for i in ids])}
    by_constraint: dict[str, dict[str, float | None]] = {}
    for kind in CONSTRAINT_KINDS:
        chosen = [o for o in outcomes if kind in o.question.constraint]
        if chosen:
            by_constraint[kind] = {
                "n": len(chosen), "answerable": sum(o.question.answerable for o in chosen),
                "accuracy": _share([answers[o.question.id].correct for o in chosen]),
                "abstained": _share([o.answer.abstained for o in chosen]),
                "abstained_unanswerable": _share([o.answer.abstained for o in chosen if not o.question.answerable]),
                "abstained_answerable": _share([o.answer.abstained for o in chosen if o.question.answerable])}
    retrieve_ms = [o.retrieve_ms for o in outcomes]
    answer_ms = [o.answer_ms for o in outcomes]
    return {
        "n_questions": len(outcomes),
        "n_answerable": len(answerable),
        "split": splits[0] if len(splits) == 1 else "all",
        "retrievers": {name: retrieval(name, list(judgments)) for name in retrievers},
        "answers": {**answer_summary(list(answers.values())),
                    "short_accuracy": _share(list(short.values())),
                    "short_questions": sum(v is not None for v in short.values()),
                    "short_precision": _share(list(shown.values())),
                    "short_shown": sum(v is not None for v in shown.values()),
                    "short_coverage": _short_coverage(outcomes, list(short)),
                    "top_passage_accuracy": _share(list(top.values()))},
        "by_type": by_type,
        "by_constraint": by_constraint,
        "latency_ms": {"retrieve_p50": percentile(retrieve_ms, 50), "retrieve_p95": percentile(retrieve_ms, 95),
                       "answer_p50": percentile(answer_ms, 50), "answer_p95": percentile(answer_ms, 95)},
        "per_question": [
            {"id": o.question.id, "split": o.question.split, "type": o.question.type,
             "hit_rank": first_hit(o.judgment, o.rankings["hybrid"]) if o.question.answerable else None,
             "answer": o.answer.text, "correct": answers[o.question.id].correct, "abstained": o.answer.abstained,
             "short_answer": o.answer.short_answer, "short_ok": short[o.question.id],
             "answer_type": o.answer.analysis.answer_type if o.answer.analysis else None,
             "citation_ok": answers[o.question.id].citation_ok,
             "question": o.question.question, "constraint": list(o.question.constraint), "unmet": o.answer.unmet,
             "top1": None if o.top1 is None else {"id": o.top1.id, "label": o.top1.label(),
                                                  "text": _snippet(o.top1.text)}}
            for o in outcomes
        ],
        # Evidence no passage supports (spans a passage boundary, or names another corpus): scored as misses.
        "unjudged": [o.question.id for o in answerable if not all(o.judgment)],
    }


def evaluate(questions: Sequence[Question], index: Index, embedder: Any = None, settings: Settings | None = None,
             retrievers: Sequence[str] = RETRIEVERS, k: int = 10, *, progress: bool = False) -> dict[str, Any]:
    """Score retrieval and answers on `questions`; the structure `rag eval --json` writes.

    `embedder` is a `rag.Embedder` (None: the settings' model is loaded once and shared). With
    questions from both splits the result also holds `"splits": {"dev": {...}, "test": {...}}`.

    Example:
        >>> from rag import open_index
        >>> from eval.questions import load_questions
        >>> result = evaluate(load_questions(), open_index())  # doctest: +SKIP
        >>> result["retrievers"]["hybrid"]["mrr@10"]  # doctest: +SKIP
        0.93
    """
    settings = settings or Settings()
    unknown = [r for r in retrievers if r not in RETRIEVERS]
    if unknown or not retrievers:
        raise QuestionFileError(
            f"Unknown retriever(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(RETRIEVERS)}."
        )
    if k < 1:
        raise QuestionFileError(f"k of {k} is too small; rank at least 1 passage (default 10).")
    if not questions:
        raise QuestionFileError("No questions to evaluate.")
    retrievers = list(dict.fromkeys(retrievers))
    outcomes, calibration = collect(questions, index, embedder, settings, retrievers, k, progress)
    result = summarize(outcomes, retrievers, index)
    splits = [s for s in SPLITS if any(o.question.split == s for o in outcomes)]
    if len(splits) > 1:
        result["splits"] = {s: summarize([o for o in outcomes if o.question.split == s], retrievers, index)
                            for s in splits}
    target_split, figures = target_figures(result)
    result["targets"] = {"split": target_split, "rows": check_targets(figures)}
    result["k"] = k
    result["date"] = datetime.now(UTC).isoformat(timespec="seconds")
    result["settings"] = dataclasses.asdict(settings)
    result["calibration"] = calibration
    result["index"] = {"path": str(index.path), "passages": len(index),
                       "build_seconds": index.manifest.build_seconds,
                       "created_at": index.manifest.created_at}
    return result
