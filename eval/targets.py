"""The issue's targets for the shipped pipeline on the test split, checked against an eval result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal


@dataclass(frozen=True)
class Target:
    """`figure` (a key path into a result) should be `op` the `threshold` (or the figure at `versus`)."""

    name: str
    figure: tuple[str, ...]
    op: Literal[">=", "<=", ">"]
    threshold: float = 0.0
    versus: tuple[str, ...] | None = None


_HYBRID_MRR = ("retrievers", "hybrid", "mrr@10")
TARGETS = (
    Target("hybrid hit@5", ("retrievers", "hybrid", "hit@5"), ">=", 0.97),
    Target("hybrid MRR@10", ("retrievers", "hybrid", "mrr@10"), ">=", 0.90),
    Target("answer accuracy", ("answers", "accuracy"), ">=", 0.90),
    Target("mean answer length (chars)", ("answers", "mean_answer_chars"), "<=", 300),
    Target("abstention recall", ("answers", "abstention_recall"), ">=", 0.80),
    Target("short-answer accuracy", ("answers", "short_accuracy"), ">=", 0.85),
    Target("short-answer precision (right when shown)", ("answers", "short_precision"), ">=", 0.90),
    Target("paraphrase accuracy", ("by_type", "paraphrase", "accuracy"), ">=", 0.70),
    Target("accuracy >= top-passage baseline", ("answers", "accuracy"), ">=",
           versus=("answers", "top_passage_accuracy")),
    Target("coverage", ("answers", "coverage"), ">=", 0.95),
    Target("hybrid MRR@10 > bm25 MRR@10", _HYBRID_MRR, ">", versus=("retrievers", "bm25", "mrr@10")),
    Target("hybrid MRR@10 > dense MRR@10", _HYBRID_MRR, ">", versus=("retrievers", "dense", "mrr@10")),
)


def _get(figures: dict[str, Any], path: tuple[str, ...]) -> float | None:
    value: Any = figures
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return None if value is None else float(value)


def target_figures(result: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The split the targets are checked on (test when the run has it) and that split's figures."""
    if "splits" in result and "test" in result["splits"]:
        return "test", result["splits"]["test"]
    return result["split"], result


def check_targets(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per target: target, threshold, measured, met (None when not measured) and gap.

    `gap` is signed: how far the figure is past the threshold (>= 0 when met, negative by how much it misses).

    Example:
        >>> rows = check_targets({"answers": {"accuracy": 0.85}})
        >>> [(r["target"], r["met"], round(r["gap"], 2)) for r in rows if r["measured"] is not None]
        [('answer accuracy', False, -0.05)]
    """
    rows = []
    for t in TARGETS:
        measured = _get(figures, t.figure)
        threshold = _get(figures, t.versus) if t.versus else t.threshold
        if measured is None or threshold is None:
            met, gap = None, None
        else:
            gap = threshold - measured if t.op == "<=" else measured - threshold
            met = gap > 0 if t.op == ">" else gap >= 0
        rows.append({"target": t.name, "op": t.op, "threshold": threshold, "versus": t.versus is not None,
                     "measured": measured, "met": met, "gap": gap})
    return rows
