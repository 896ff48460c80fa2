"""When the answer step abstains: the calibrated confidence (a logistic model over signals that mean the same on
any briefing, fitted on dev by `python -m eval.calibrate`) and the cap for questions out of the briefing's scope.

Both the answer step and the calibration replay decide through these functions, so the threshold chosen on dev
is the one that acts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any


def logistic(model: Mapping[str, Any], features: Mapping[str, float]) -> float:
    """The model's probability for `features` (a missing signal counts as 0)."""
    z = model["bias"] + sum(w * features.get(name, 0.0) for name, w in zip(model["features"], model["weights"]))
    return 1.0 / (1.0 + math.exp(-z))


def capped(confidence: float, features: Mapping[str, float], min_similarity_unknown: float) -> float:
    """Words the briefing never uses and nothing close in meaning (the lead sentence's similarity below
    `min_similarity_unknown`): out of scope, whatever else matched — the confidence is at most that similarity."""
    if features.get("known", 1.0) < 1.0 and features.get("sim", 1.0) < min_similarity_unknown:
        return max(0.0, min(confidence, features.get("sim", 0.0)))
    return confidence
