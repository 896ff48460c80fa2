"""Turn text into unit vectors with a sentence-transformers model (the bundled all-MiniLM-L6-v2 by default)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import numpy as np

from rag.query_encoder import NumpyBertEncoder
from rag.settings import Settings

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

_UNSET = object()


class Embedder:
    """Loads the model on first use (importing torch costs seconds) and encodes normalized float32 vectors.

    Example:
        >>> vectors = Embedder(Settings()).encode(["Where did the Quad meet?"])
        >>> vectors.shape
        (1, 384)
    """

    #: Up to this many texts are encoded by the light NumPy encoder when torch is not loaded yet.
    LIGHT_MAX_TEXTS = 24

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self._model: SentenceTransformer | None = None
        self._light: NumpyBertEncoder | object | None = _UNSET
        self._lock = threading.Lock()
        # The model's Hugging Face tokenizer raises "Already borrowed" when two threads encode at once.
        self._encoding = threading.Lock()

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
    def light(self) -> NumpyBertEncoder | None:
        """The torch-free query encoder, when the model allows it and `settings.light_queries` is on."""
        with self._lock:
            if self._light is _UNSET:
                wanted = self.settings.light_queries
                self._light = NumpyBertEncoder.load(self.settings.resolved_model()) if wanted else None
            return self._light  # type: ignore[return-value]

    @property
    def dimension(self) -> int:
        if self.light is not None:
            return self.light.dimension
        model = self.model
        get = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(get() or 0)

    @property
    def max_tokens(self) -> int:
        """The model's input limit in word pieces, special tokens included."""
        return self.light.max_seq_length if self.light is not None else int(self.model.max_seq_length or 256)

    def count_tokens(self, text: str) -> int:
        if self.light is not None:
            return self.light.count_tokens(text)
        return len(self.model.tokenizer(text, add_special_tokens=True)["input_ids"])

    def truncate(self, text: str) -> str:
        """`text` cut (at a word boundary) to what the model reads; unchanged when it fits."""
        limit = self.max_tokens
        if self.light is not None:
            return self.light.truncate(text, limit)
        tokenizer = self.model.tokenizer
        encoding = tokenizer(text, add_special_tokens=True, return_offsets_mapping=True)
        if len(encoding["input_ids"]) <= limit:
            return text
        end = encoding["offset_mapping"][limit - 2][1]
        return text[:end]

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        light = self.light if self._model is None else None
        if light is not None and len(texts) <= self.LIGHT_MAX_TEXTS:
            # A handful of texts (a question, an edited paragraph) costs less than importing torch.
            return np.stack([light.encode(t) for t in texts])
        model = self.model
        with self._encoding:
            vectors = model.encode(
                texts,
                batch_size=self.settings.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=progress,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        """One question's vector: through the light encoder when there is one (no torch import)."""
        light = self.light
        if light is not None:
            return light.encode(text)
        return self.encode([text])[0]
