"""Fit the answer-confidence model and the abstention threshold on the DEV questions only.

    python -m eval.calibrate            # writes rag/calibration.json, prints the dev figures

Each dev question is answered with abstention switched off. A logistic regression over the answer's features
(`rag.answer.FEATURES`, class-balanced) predicts whether the briefing answers the question (the gold set's
unanswerable questions are the negatives). The threshold `min_confidence` is the highest that still answers
at least `COVERAGE` of the answerable dev questions (the operating point the product targets: abstain on as
many unanswerable questions as possible without turning away answerable ones).
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import date

import numpy as np

from eval.questions import load_questions, select_split
from rag import Assistant, Settings, open_index
from rag.answer import CALIBRATION, FEATURES

#: Share of answerable dev questions that must still be answered at the chosen threshold.
COVERAGE = 0.95
#: Inverse regularization of the logistic regression (few dev questions: keep the weights modest).
C = 1.0


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from sklearn.linear_model import LogisticRegression

    settings = replace(Settings.from_env(), min_confidence=0.0)
    index = open_index(settings=settings)
    assistant = Assistant(index, settings=settings)
    questions = select_split(load_questions(), "dev")
    rows, labels, unanswerable = [], [], []
    for q in questions:
        answer = assistant.answer(q.question)
        if "timeline" in answer.features:
            continue  # dated lists have their own fixed confidence
        rows.append([answer.features[name] for name in FEATURES])
        labels.append(int(bool(q.answers)))
        unanswerable.append(not q.answers)
    x, y = np.array(rows), np.array(labels)
    model = LogisticRegression(C=C, max_iter=5000, class_weight="balanced").fit(x, y)
    probs = model.predict_proba(x)[:, 1]
    answerable = [p for p, u in zip(probs, unanswerable) if not u]
    threshold = 0.0
    for t in sorted(set(np.round(probs, 4))):
        if np.mean([p >= t for p in answerable]) >= COVERAGE:
            threshold = float(t)
    threshold = max(0.0, threshold - 1e-4)
    abstained = sum(p < threshold for p, u in zip(probs, unanswerable) if u)
    calibration = {
        "features": list(FEATURES),
        "weights": [round(float(w), 4) for w in model.coef_[0]],
        "bias": round(float(model.intercept_[0]), 4),
        "C": C,
        "min_confidence": round(threshold, 4),
        "dev_coverage_target": COVERAGE,
        "dev_unanswerable_abstained": f"{abstained}/{sum(unanswerable)}",
        "fitted_on": "dev",
        "questions": len(rows),
        "date": date.today().isoformat(),
    }
    CALIBRATION.write_text(json.dumps(calibration, indent=2) + "\n")
    print(json.dumps(calibration, indent=2))


if __name__ == "__main__":
    main()
