"""Fit the answer-confidence model and the abstention threshold on the DEV questions only, with
leave-one-section-out cross-validation to show whether they hold on text they were not fitted on.

    python -m eval.calibrate            # writes rag/calibration.json, prints the dev figures and the folds

Each dev question is answered with abstention switched off. A logistic regression over the answer's features
(`rag.answer.FEATURES`, class-balanced) predicts whether the briefing answers the question (the gold set's
unanswerable questions are the negatives). The threshold `min_confidence` is the highest that still answers
at least `COVERAGE` of the answerable dev questions.

Cross-validation: each question belongs to the part of the briefing its evidence sits in (an article section,
or the chronology's month; an unanswerable question, the part of its top passage). Each part in turn is held
out, the model and threshold are fitted on the rest and scored on it. The spread of the weights, thresholds
and held-out figures across folds is written beside the fit: a constant that only works for one fold is a
finding, not a setting.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

import numpy as np

from eval.judge import answer_matches, supports
from eval.questions import Question, load_questions, select_split
from rag import Assistant, Passage, Settings, open_index
from rag.settings import OFFLINE_ENV

FEATURES = Assistant.FEATURES
SHORT_FEATURES = Assistant.SHORT_FEATURES
#: Share of the shown short answers that must be right on dev (the threshold keeps the most short answers
#: that still reach it).
SHORT_PRECISION = 0.90
CALIBRATION = Assistant.CALIBRATION

#: Share of answerable dev questions that must still be answered at the chosen threshold.
COVERAGE = 0.95
#: Inverse regularization of the logistic regression (few dev questions: keep the weights modest).
C = 1.0


def part_of(p: Passage) -> str:
    """The fold a passage belongs to: its article section, or the chronology's month."""
    if p.kind == "chronology" and p.date_start:
        return f"chronology {p.date_start[:7]}"
    return p.section


def fold_of(q: Question, passages: Sequence[Passage], top: Passage | None) -> str:
    for p in passages:
        if any(supports(p.text, e, q.answers) for e in q.evidence):
            return part_of(p)
    return part_of(top) if top is not None else "none"


def fit(x: np.ndarray, y: np.ndarray) -> tuple[Any, float]:
    """A class-balanced logistic regression and the highest threshold keeping COVERAGE of the positives."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=C, max_iter=5000, class_weight="balanced").fit(x, y)
    probs = model.predict_proba(x)[:, 1]
    threshold = 0.0
    positives = probs[y == 1]
    for t in sorted(set(np.round(probs, 4))):
        if len(positives) and np.mean(positives >= t) >= COVERAGE:
            threshold = float(t)
    return model, max(0.0, threshold - 1e-4)


def fit_short(x: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """The short answer's confidence model, and the lowest threshold at which the shown ones reach SHORT_PRECISION."""
    from sklearn.linear_model import LogisticRegression

    if len(set(y)) < 2:
        return {}
    model = LogisticRegression(C=C, max_iter=5000).fit(x, y)
    probs = model.predict_proba(x)[:, 1]
    threshold = 1.0
    for t in sorted(set(np.round(probs, 4)), reverse=True):
        if np.mean(y[probs >= t]) >= SHORT_PRECISION:
            threshold = float(t)
    shown = probs >= threshold
    return {"features": list(SHORT_FEATURES), "weights": [round(float(w), 4) for w in model.coef_[0]],
            "bias": round(float(model.intercept_[0]), 4), "min_confidence": round(max(0.0, threshold - 1e-4), 4),
            "precision_target": SHORT_PRECISION, "questions": len(y),
            "dev_precision": round(float(np.mean(y[shown])), 4) if shown.any() else None,
            "dev_shown": f"{int(shown.sum())}/{len(y)}"}


def cross_validate(x: np.ndarray, y: np.ndarray, folds: list[str]) -> dict[str, Any]:
    """Leave one part of the briefing out at a time; the held-out figures and the spread of the fit."""
    held_out = np.zeros(len(y))
    thresholds, weights, rows = [], [], []
    for name in sorted(set(folds)):
        test = np.array([f == name for f in folds])
        if test.all() or len(set(y[~test])) < 2:
            continue
        model, threshold = fit(x[~test], y[~test])
        probs = model.predict_proba(x[test])[:, 1]
        held_out[test] = probs >= threshold
        thresholds.append(threshold)
        weights.append(model.coef_[0])
        rows.append({"fold": name, "questions": int(test.sum()), "threshold": round(threshold, 4),
                     "answered_answerable": f"{int(((probs >= threshold) & (y[test] == 1)).sum())}/"
                                            f"{int((y[test] == 1).sum())}",
                     "abstained_unanswerable": f"{int(((probs < threshold) & (y[test] == 0)).sum())}/"
                                               f"{int((y[test] == 0).sum())}"})
    w = np.array(weights)
    return {
        "folds": rows,
        "held_out_coverage": round(float(held_out[y == 1].mean()), 4) if (y == 1).any() else None,
        "held_out_abstention_recall": round(float(1 - held_out[y == 0].mean()), 4) if (y == 0).any() else None,
        "threshold_spread": [round(float(min(thresholds)), 4), round(float(np.median(thresholds)), 4),
                             round(float(max(thresholds)), 4)] if thresholds else [],
        "weight_spread": {name: [round(float(w[:, i].min()), 3), round(float(w[:, i].max()), 3)]
                          for i, name in enumerate(FEATURES)} if len(w) else {},
    }


def main() -> None:
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)
    settings = replace(Settings.from_env(), min_confidence=0.0)
    index = open_index(settings=settings)
    assistant = Assistant(index, settings=settings)
    assistant.calibration = {k: v for k, v in assistant.calibration.items() if k != "short"}  # every short shown
    questions = select_split(load_questions(), "dev")
    rows, labels, folds = [], [], []
    short_rows, short_labels = [], []
    for q in questions:
        answer = assistant.answer(q.question)
        if answer.short_answer is not None and all(name in answer.features for name in SHORT_FEATURES):
            short_rows.append([answer.features[name] for name in SHORT_FEATURES])
            short_labels.append(int(q.answerable and answer_matches(answer.short_answer, q.answers, q.all_answers)))
        if "refused_by_rule" in answer.features or not all(name in answer.features for name in FEATURES):
            continue  # dated lists and chronology refusals have their own confidence; rule refusals need no threshold
        rows.append([answer.features[name] for name in FEATURES])
        labels.append(int(q.answerable))
        folds.append(fold_of(q, index.passages, answer.passages[0] if answer.passages else None))
    x, y = np.array(rows), np.array(labels)
    model, threshold = fit(x, y)
    probs = model.predict_proba(x)[:, 1]
    calibration = {
        "features": list(FEATURES),
        "weights": [round(float(w), 4) for w in model.coef_[0]],
        "bias": round(float(model.intercept_[0]), 4),
        "C": C,
        "min_confidence": round(threshold, 4),
        "dev_coverage_target": COVERAGE,
        "dev_unanswerable_abstained": f"{int(((probs < threshold) & (y == 0)).sum())}/{int((y == 0).sum())}",
        "fitted_on": "dev",
        "questions": len(rows),
        "cross_validation": cross_validate(x, y, folds),
        "short": fit_short(np.array(short_rows), np.array(short_labels)),
        "date": date.today().isoformat(),
    }
    CALIBRATION.write_text(json.dumps(calibration, indent=2) + "\n")
    print(json.dumps(calibration, indent=2))


if __name__ == "__main__":
    main()
