from pathlib import Path

import numpy as np
import pytest

from eval.questions import load_questions
from rag import Settings
from rag.embed import Embedder
from rag.query_encoder import NumpyBertEncoder


@pytest.fixture(scope="module")
def light(settings: Settings) -> NumpyBertEncoder:
    encoder = NumpyBertEncoder.load(settings.resolved_model())
    assert encoder is not None, "the bundled model should get the light encoder"
    return encoder


@pytest.mark.parametrize("every", [pytest.param(10, id="every-10th"), pytest.param(1, id="all", marks=pytest.mark.slow)])
def test_light_encoder_gives_the_same_vectors_as_sentence_transformers(light: NumpyBertEncoder, embedder: Embedder,
                                                                      every: int) -> None:
    questions = [q.question for q in load_questions()][::every]
    questions += ["x", "Café naïve — “quotes” ’s", "Kishida " * 400, "日本"]
    reference = embedder.encode(questions)
    mine = np.stack([light.encode(q) for q in questions])
    assert np.abs(reference - mine).max() < 1e-5


def test_truncation_matches_the_model_limit(light: NumpyBertEncoder) -> None:
    long = "Where did the Quad meet? " * 200
    cut = light.truncate(long, light.max_seq_length)
    assert long.startswith(cut) and len(cut) < len(long)
    assert light.count_tokens(cut) <= light.max_seq_length
    assert light.truncate("short question", light.max_seq_length) == "short question"


def test_other_models_fall_back(tmp_path: Path) -> None:
    assert NumpyBertEncoder.load(str(tmp_path)) is None
    embedder = Embedder(Settings(light_queries=False))
    assert embedder.light is None
