"""Fit the answer-confidence model, the abstention threshold and the short-answer threshold on DEV questions
only, choosing every threshold by cross-validation rather than on the set the model was fitted on.

    python -m eval.calibrate                       # shipped briefing's dev split + the dev briefings of eval/briefings/
    python -m eval.calibrate --briefing other.txt  # add another briefing (its questions beside it, NAME.jsonl)
    python -m eval.calibrate --check               # print the figures, write nothing

Each dev question is answered once with abstention off and every short answer shown; what the answer step
would decide is then replayed from its features. Two logistic regressions (L2, the strength `C` chosen by
cross-validated log-loss from `C_GRID`) are fitted:

- **confidence** (`rag.answer.FEATURES`, class-balanced): does the briefing answer this question? The
  unanswerable questions are the negatives, including those a rule refuses (they are the near misses the
  model must learn to doubt). `min_confidence` is the highest threshold that, on *out-of-fold* probabilities
  (repeated stratified k-fold), still answers `COVERAGE` of the answerable questions that reach it.
- **short answer** (`rag.answer.SHORT_FEATURES`): is the bold short answer right? Its threshold is the lowest
  at which the out-of-fold precision of the shown short answers reaches `SHORT_PRECISION`.

The figures written beside the fit (`cross_validation`, `short.cross_validation`) are *nested*: for each
outer fold the model and both thresholds are chosen on the other folds only, then the held-out fold is
decided end to end (a rule refusal, an empty period or a timeline answer count as they came out). They
estimate what the shipped model does on questions it never saw. With more than one briefing, each briefing
is also held out whole (fitted on the others): the transfer to another text.
"""

from __future__ import annotations

import os

# Hundreds of tiny fits: OpenMP threads would only fight over the shared cores (set before numpy loads).
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from eval.judge import answer_matches
from eval.questions import Question, load_questions, select_split
from rag import Assistant, Index, Settings, build_index, open_index
from rag.abstain import capped, logistic
from rag.embed import Embedder
from rag.settings import OFFLINE_ENV

FEATURES = Assistant.FEATURES
SHORT_FEATURES = Assistant.SHORT_FEATURES
CALIBRATION = Assistant.CALIBRATION
MIN_SIMILARITY_UNKNOWN = Settings().min_similarity_unknown

#: Share of the answerable questions reaching the confidence that must still be answered (out of fold).
COVERAGE = 0.95
#: Share of the shown short answers that must be right (out of fold).
SHORT_PRECISION = 0.90
#: Inverse L2 strengths tried; the one with the best cross-validated log-loss is kept (few questions: the
#: grid stops at modest weights).
C_GRID = (0.1, 0.3, 1.0, 3.0)
FOLDS = 5
REPEATS = 10
SEED = 17


@dataclass(frozen=True)
class Row:
    """One dev question as the answer step saw it with abstention off."""

    qid: str
    briefing: str
    answerable: bool
    #: The answer was right with abstention off (answerable questions; False for the others).
    right: bool
    #: The answer step abstained without consulting the confidence (a rule, an empty period, an unmet
    #: constraint); `features` may still be there for a rule refusal.
    fixed_abstain: bool
    #: The answer step never consults the confidence for this question (timelines, dated lists).
    fixed: bool
    features: tuple[float, ...] | None
    short: tuple[float, ...] | None = None
    short_right: bool = False
    #: Every signal the answer carried (to try other feature sets on the same answers).
    signals: dict[str, float] | None = None


def collect(assistant: Assistant, questions: Sequence[Question], briefing: str) -> list[Row]:
    """Answer every question once with abstention off and every short answer shown."""
    rows = []
    for q in questions:
        answer = assistant.answer(q.question)
        f = answer.features
        has = all(name in f for name in FEATURES)
        rule = "refused_by_rule" in f
        short = None
        if answer.short_answer is not None and all(name in f for name in SHORT_FEATURES):
            short = tuple(f[name] for name in SHORT_FEATURES)
        rows.append(Row(
            qid=q.id, briefing=briefing, answerable=q.answerable,
            right=q.answerable and not answer.abstained and answer_matches(answer.text, q.answers, q.all_answers),
            fixed_abstain=answer.abstained if not has or rule else False,
            fixed=not has or rule,
            features=tuple(f[name] for name in FEATURES) if has else None,
            short=short,
            short_right=bool(short and q.answerable and answer_matches(answer.short_answer or "", q.answers,
                                                                        q.all_answers)),
            signals=dict(f),
        ))
    return rows


# -- fitting -------------------------------------------------------------------------------------------------


def _model(c: float, balanced: bool) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, max_iter=5000, class_weight="balanced" if balanced else None)


def _splits(y: np.ndarray, folds: int, repeats: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import RepeatedStratifiedKFold

    k = max(2, min(folds, int(np.bincount(y).min()) if len(set(y)) > 1 else 2))
    return list(RepeatedStratifiedKFold(n_splits=k, n_repeats=repeats, random_state=seed).split(np.zeros(len(y)), y))


def out_of_fold(x: np.ndarray, y: np.ndarray, c: float, balanced: bool, repeats: int = REPEATS,
                seed: int = SEED) -> np.ndarray:
    """Each row's probability from models that never saw it, averaged over the repeats."""
    total, seen = np.zeros(len(y)), np.zeros(len(y))
    for train, test in _splits(y, FOLDS, repeats, seed):
        if len(set(y[train])) < 2:
            continue
        total[test] += _model(c, balanced).fit(x[train], y[train]).predict_proba(x[test])[:, 1]
        seen[test] += 1
    return total / np.maximum(seen, 1)


def choose_c(x: np.ndarray, y: np.ndarray, balanced: bool) -> float:
    """The L2 strength with the best out-of-fold log-loss (ties: the stronger regularization)."""
    from sklearn.metrics import log_loss

    weights = None
    if balanced:
        weights = np.where(y == 1, len(y) / (2 * max(1, y.sum())), len(y) / (2 * max(1, (1 - y).sum())))
    losses = {c: log_loss(y, np.clip(out_of_fold(x, y, c, balanced, repeats=3), 1e-6, 1 - 1e-6),
                          sample_weight=weights) for c in C_GRID}
    best = min(losses.values())
    return min(c for c, loss in losses.items() if loss <= best + 1e-3)


def coverage_threshold(probs: np.ndarray, y: np.ndarray) -> float:
    """The highest threshold that keeps COVERAGE of the positives."""
    positives = np.sort(probs[y == 1])
    if not len(positives):
        return 0.0
    keep = int(np.ceil(COVERAGE * len(positives)))
    return max(0.0, float(positives[len(positives) - keep]) - 1e-4)


def precision_threshold(probs: np.ndarray, y: np.ndarray) -> float:
    """The lowest threshold at which the shown (probability ≥ threshold) reach SHORT_PRECISION. When none does,
    the one with the best precision that still shows half of them (a bold answer that is never shown helps
    nobody; the shortfall is in the cross-validated figures)."""
    best, threshold = -1.0, 1.0
    for t in sorted(set(probs.tolist()), reverse=True):
        precision = float(np.mean(y[probs >= t]))
        if precision >= SHORT_PRECISION:
            threshold = t
        elif threshold == 1.0 and np.mean(probs >= t) >= 0.5 and precision > best:
            best, fallback = precision, t
    if threshold == 1.0 and best >= 0:
        threshold = fallback
    return max(0.0, threshold - 1e-4)


def fit_confidence(rows: Sequence[Row]) -> tuple[dict[str, Any], float]:
    """The confidence model on every row with features, and its out-of-fold threshold."""
    data = [r for r in rows if r.features is not None]
    x = np.array([r.features for r in data])
    y = np.array([int(r.answerable) for r in data])
    c = choose_c(x, y, balanced=True)
    model = _model(c, True).fit(x, y)
    # The threshold decides only the questions that reach the confidence (not refused by a rule before it).
    gated = np.array([not r.fixed for r in data])
    probs = np.array([capped(p, r.signals or {}, MIN_SIMILARITY_UNKNOWN)
                      for p, r in zip(out_of_fold(x, y, c, balanced=True), data)])
    threshold = coverage_threshold(probs[gated], y[gated])
    return {"weights": [round(float(w), 4) for w in model.coef_[0]], "bias": round(float(model.intercept_[0]), 4),
            "C": c}, threshold


def fit_short(rows: Sequence[Row], conf: dict[str, Any], threshold: float) -> tuple[dict[str, Any], float] | None:
    """The short answer's model, fitted on answerable questions (is the bold name the right one among the
    candidates?), and the lowest threshold at which the short answers shown reach SHORT_PRECISION, over every
    question the confidence lets through: a short answer to a question the briefing cannot answer counts as wrong.
    Probabilities are out of fold for the questions fitted on."""
    data = [r for r in rows if r.short is not None and r.answerable]
    y = np.array([int(r.short_right) for r in data])
    if len(set(y)) < 2:
        return None
    x = np.array([r.short for r in data])
    c = choose_c(x, y, balanced=False)
    model = _model(c, False).fit(x, y)
    fit = {"weights": [round(float(w), 4) for w in model.coef_[0]], "bias": round(float(model.intercept_[0]), 4),
           "C": c}
    probs = dict(zip(((r.briefing, r.qid) for r in data), out_of_fold(x, y, c, balanced=False)))
    shown_p, shown_y = [], []
    for r in rows:
        if r.short is None or _abstains(r, conf, threshold):
            continue
        key = (r.briefing, r.qid)
        shown_p.append(probs[key] if key in probs else _prob(fit, r.short, SHORT_FEATURES))
        shown_y.append(int(r.short_right))
    return fit, precision_threshold(np.array(shown_p), np.array(shown_y))


def _abstains(r: Row, conf: dict[str, Any], threshold: float) -> bool:
    return r.fixed_abstain if r.fixed or r.features is None else _confidence(conf, r) < threshold


def _prob(fit: dict[str, Any], values: Sequence[float], names: Sequence[str] = FEATURES) -> float:
    return logistic({**fit, "features": list(names)}, dict(zip(names, values)))


def _confidence(fit: dict[str, Any], row: Row) -> float:
    """The confidence as the answer step computes it: the model, capped for a question out of scope."""
    assert row.features is not None
    signals = row.signals or dict(zip(FEATURES, row.features))
    return capped(_prob(fit, row.features), signals, MIN_SIMILARITY_UNKNOWN)


def decide(rows: Sequence[Row], conf: dict[str, Any], threshold: float,
           short: tuple[dict[str, Any], float] | None) -> dict[str, int]:
    """Counts of deciding `rows` end to end with a fitted model and thresholds."""
    n = {"questions": 0, "right": 0, "answerable": 0, "answered": 0, "unanswerable": 0, "abstained": 0,
         "typed": 0, "shown": 0, "shown_right": 0}
    for r in rows:
        abstain = _abstains(r, conf, threshold)
        n["questions"] += 1
        n["answerable"] += r.answerable
        n["answered"] += r.answerable and not abstain
        n["unanswerable"] += not r.answerable
        n["abstained"] += not r.answerable and abstain
        n["right"] += (r.right and not abstain) if r.answerable else abstain
        n["typed"] += r.answerable and r.short is not None
        sure = short is not None and r.short is not None and _prob(short[0], r.short, SHORT_FEATURES) >= short[1]
        if not abstain and sure:
            n["shown"] += 1
            n["shown_right"] += r.short_right
    return n


def figures(n: dict[str, int]) -> dict[str, Any]:
    """Accuracy, coverage, abstention recall and short-answer precision from `decide`'s counts."""
    def share(a: int, b: int) -> float | None:
        return round(a / b, 4) if b else None

    return {"questions": n["questions"], "accuracy": share(n["right"], n["questions"]),
            "coverage": share(n["answered"], n["answerable"]),
            "abstention_recall": share(n["abstained"], n["unanswerable"]),
            "short_precision": share(n["shown_right"], n["shown"]), "short_shown": f"{n['shown']}/{n['typed']}"}


def nested(rows: Sequence[Row], folds: int = FOLDS, seed: int = SEED) -> dict[str, Any]:
    """Outer k-fold: everything (C, weights, both thresholds) chosen on the other folds, decided on this one;
    the counts of the held-out parts are pooled, so every question is decided once, by a model that never saw it."""
    from sklearn.model_selection import StratifiedKFold

    y = np.array([int(r.answerable) for r in rows])
    total: dict[str, int] = {}
    thresholds, short_thresholds = [], []
    for train, test in StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(np.zeros(len(y)), y):
        fitted = [rows[i] for i in train]
        conf, threshold = fit_confidence(fitted)
        short = fit_short(fitted, conf, threshold)
        thresholds.append(threshold)
        if short:
            short_thresholds.append(short[1])
        for key, value in decide([rows[i] for i in test], conf, threshold, short).items():
            total[key] = total.get(key, 0) + value
    return {**figures(total), "folds": folds,
            "threshold_spread": _spread(thresholds), "short_threshold_spread": _spread(short_thresholds)}


def _spread(values: Sequence[float]) -> list[float]:
    return [round(float(min(values)), 4), round(float(np.median(values)), 4), round(float(max(values)), 4)] \
        if values else []


def across_briefings(rows: Sequence[Row]) -> list[dict[str, Any]]:
    """Each briefing held out whole: fitted on the others' questions, decided on its own."""
    out = []
    for name in sorted({r.briefing for r in rows}):
        rest = [r for r in rows if r.briefing != name]
        if len({r.answerable for r in rest}) < 2:
            continue
        conf, threshold = fit_confidence(rest)
        out.append({"held_out": name, **figures(decide([r for r in rows if r.briefing == name], conf, threshold,
                                                       fit_short(rest, conf, threshold)))})
    return out


# -- the briefings ---------------------------------------------------------------------------------------------


def dev_briefings(extra: Sequence[str | Path] = ()) -> list[tuple[str, Path, list[Question]]]:
    """(name, briefing, dev questions) of every other briefing with dev questions: eval/briefings/ and `extra`.
    A briefing whose questions are held out (split test) is never read further."""
    from eval.briefing_sets import BRIEFINGS_DIR as shipped
    from eval.briefing_sets import find_sets

    out = []
    for found in find_sets([*([shipped] if shipped.is_dir() else []), *extra]):
        dev = [q for q in found.load() if q.split == "dev"]
        if dev:
            out.append((found.name, found.briefing, dev))
    return out


def gather(settings: Settings, extra: Sequence[str | Path] = ()) -> list[Row]:
    """Rows of the shipped briefing's dev questions and of every dev briefing beside it."""
    index = open_index(settings=settings)
    embedder = Embedder(settings)
    rows = collect(_assistant(index, settings, embedder), select_split(load_questions(), "dev"), "shipped")
    for name, briefing, questions in dev_briefings(extra):
        with tempfile.TemporaryDirectory() as tmp:
            other = build_index([briefing], Path(tmp) / "index", settings, embedder, progress=False)
            rows += collect(_assistant(other, settings, embedder), questions, name)
    return rows


def _assistant(index: Index, settings: Settings, embedder: Embedder) -> Assistant:
    assistant = Assistant(index, settings=settings, embedder=embedder)
    assistant.calibration = {k: v for k, v in assistant.calibration.items() if k != "short"}  # every short shown
    return assistant


def calibrate(rows: Sequence[Row]) -> dict[str, Any]:
    conf, threshold = fit_confidence(rows)
    short = fit_short(rows, conf, threshold)
    data = [r for r in rows if r.features is not None]
    return {
        "features": list(FEATURES),
        **{k: conf[k] for k in ("weights", "bias", "C")},
        "min_confidence": round(threshold, 4),
        "dev_coverage_target": COVERAGE,
        "fitted_on": "dev",
        "briefings": sorted({r.briefing for r in rows}),
        "questions": len(rows),
        "fitted_questions": len(data),
        "fitted_unanswerable": sum(not r.answerable for r in data),
        "dev": figures(decide(rows, conf, threshold, short)),
        "cross_validation": {**nested(rows), "by_briefing": across_briefings(rows)},
        "short": {
            "features": list(SHORT_FEATURES), **(short[0] if short else {"weights": [0.0] * len(SHORT_FEATURES),
                                                                          "bias": 0.0}),
            "min_confidence": round(short[1], 4) if short else 0.0,
            "precision_target": SHORT_PRECISION,
            "questions": sum(r.short is not None for r in rows),
        },
        "date": date.today().isoformat(),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m eval.calibrate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--briefing", action="append", default=[], help="another dev briefing (NAME.txt beside "
                        "NAME.jsonl); eval/briefings/ is always read")
    parser.add_argument("--check", action="store_true", help="print the figures, write nothing")
    parser.add_argument("--rows", type=Path, help="cache of the answered rows (read if present, else written)")
    args = parser.parse_args(argv)
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)
    settings = replace(Settings.from_env(), min_confidence=0.0)
    if args.rows and args.rows.is_file():
        rows = [Row(**{**r, "features": tuple(r["features"]) if r["features"] else None,
                       "short": tuple(r["short"]) if r["short"] else None})
                for r in json.loads(args.rows.read_text())]
    else:
        rows = gather(settings, args.briefing)
        if args.rows:
            args.rows.write_text(json.dumps([r.__dict__ for r in rows]))
    calibration = calibrate(rows)
    if not args.check:
        CALIBRATION.write_text(json.dumps(calibration, indent=2) + "\n")
    print(json.dumps({k: v for k, v in calibration.items() if k not in ("weights",)}, indent=2))


if __name__ == "__main__":
    main()
