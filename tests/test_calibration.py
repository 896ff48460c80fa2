"""The confidence model's weights and threshold, read by `Assistant` from rag/calibration.json (never written here)."""

import json
import math

import pytest

from rag import Assistant, Index, Settings
from rag.embed import Embedder
from rag.settings import PACKAGE_DIR

CALIBRATION = PACKAGE_DIR / "calibration.json"


@pytest.fixture(scope="module")
def shipped() -> dict:
    return json.loads(CALIBRATION.read_text(encoding="utf-8"))


def test_the_shipped_file_is_a_fitted_logistic_model(shipped: dict) -> None:
    assert len(shipped["weights"]) == len(shipped["features"]) and shipped["features"]
    assert all(math.isfinite(w) for w in [*shipped["weights"], shipped["bias"]])
    assert 0.0 <= shipped["min_confidence"] <= 1.0 and shipped["fitted_on"] == "dev"


def test_the_assistant_reads_the_file_and_its_threshold(briefing_index: Index, embedder: Embedder,
                                                        shipped: dict) -> None:
    assistant = Assistant(briefing_index, settings=Settings(), embedder=embedder)
    assert assistant.calibration == shipped
    assert assistant.min_confidence == pytest.approx(shipped["min_confidence"])


def test_a_min_confidence_setting_beats_the_calibrated_one(briefing_index: Index, embedder: Embedder) -> None:
    assistant = Assistant(briefing_index, settings=Settings(min_confidence=0.8), embedder=embedder)
    assert assistant.min_confidence == 0.8


def test_confidence_follows_the_shipped_weights(assistant: Assistant) -> None:
    confident = assistant.answer("Where did the Quad Senior Cyber Group meet in December?")
    unknown = assistant.answer("What is Japan's unemployment rate?")
    assert 0.0 <= unknown.confidence < assistant.min_confidence <= confident.confidence <= 1.0
    assert unknown.abstained and not confident.abstained
