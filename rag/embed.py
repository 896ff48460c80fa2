"""Turn text into unit vectors with a sentence-transformers model (the bundled all-MiniLM-L6-v2 by default)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import numpy as np

from rag.settings import Settings

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer


class Embedder:
    """Loads the model on first use (importing torch costs seconds) and encodes normalized float32 vectors.

    Example:
        >>> vectors = Embedder(Settings()).encode(["Where did the Quad meet?"])
        >>> vectors.shape
        (1, 384)
    """

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()

    @property
    def model(self) -> SentenceTransformer:
        with self._lock:
            if self._model is None:
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as hf_logging

                hf_logging.disable_progress_bar()  # a "Loading weights" bar on every start is noise
                self._model = SentenceTransformer(self.settings.resolved_model(), device="cpu")
            return self._model

    @property
    def dimension(self) -> int:
        model = self.model
        get = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(get())

    @property
    def max_tokens(self) -> int:
        """The model's input limit in word pieces, special tokens included."""
        return int(self.model.max_seq_length)

    def count_tokens(self, text: str) -> int:
        return len(self.model.tokenizer(text, add_special_tokens=True)["input_ids"])

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            texts,
            batch_size=self.settings.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode([text])[0]
