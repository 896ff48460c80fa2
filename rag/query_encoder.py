"""A light query encoder: the same BERT forward pass as sentence-transformers, in NumPy.

Importing torch and sentence-transformers costs ~6 s; one question needs none of it. For BERT models with
mean pooling and normalization (all-MiniLM-L6-v2 among them) this reads the same safetensors weights and
the same `tokenizer.json` and gives the same vectors within 1e-5 (tests/test_embed.py checks it), so a
fresh `rag ask` answers in about a second. Anything else falls back to sentence-transformers.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    from scipy.special import erf  # exact erf-GELU, as BERT's "gelu"

    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


class NumpyBertEncoder:
    """Mean-pooled, normalized BERT sentence embeddings without torch.

    Example:
        >>> from rag.settings import Settings
        >>> encoder = NumpyBertEncoder.load(Settings().resolved_model())
        >>> encoder.encode("Where did the Quad meet?").shape
        (384,)
    """

    def __init__(self, folder: Path, config: dict, max_seq_length: int) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self.config = config
        self.max_seq_length = max_seq_length
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_seq_length)
        self._counter = Tokenizer.from_file(str(folder / "tokenizer.json"))  # untruncated, for counting
        self._counter.no_padding()
        self._counter.no_truncation()
        self.dimension = int(config["hidden_size"])
        # A `tokenizers.Tokenizer` raises "Already borrowed" when two threads use it at once.
        self._lock = threading.Lock()
        weights = load_file(str(folder / "model.safetensors"))
        # Linear weights stored transposed and contiguous: `x @ W` then runs at BLAS speed.
        self.w = {
            k.removeprefix("bert."): np.ascontiguousarray(v.T if v.ndim == 2 and ".encoder." in f".{k}" else v,
                                                          dtype=np.float32)
            for k, v in weights.items()
        }
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))

    @classmethod
    def load(cls, model: str) -> NumpyBertEncoder | None:
        """An encoder for the model folder, or None when the model is not a plain mean-pooled BERT."""
        folder = Path(model)
        try:
            config = json.loads((folder / "config.json").read_text())
            modules = json.loads((folder / "modules.json").read_text())
            pooling = json.loads((folder / "1_Pooling" / "config.json").read_text())
            st_config = json.loads((folder / "sentence_bert_config.json").read_text())
        except (OSError, ValueError):
            return None
        kinds = [m.get("type", "").rsplit(".", 1)[-1] for m in modules]
        if (
            config.get("model_type") != "bert"
            or config.get("hidden_act") != "gelu"
            or config.get("position_embedding_type", "absolute") != "absolute"
            or kinds != ["Transformer", "Pooling", "Normalize"]
            or not pooling.get("pooling_mode_mean_tokens")
            or any(pooling.get(k) for k in ("pooling_mode_cls_token", "pooling_mode_max_tokens",
                                            "pooling_mode_mean_sqrt_len_tokens"))
            or not (folder / "model.safetensors").is_file()
            or not (folder / "tokenizer.json").is_file()
        ):
            return None
        return cls(folder, config, int(st_config.get("max_seq_length", 256)))

    def count_tokens(self, text: str) -> int:
        """Word pieces the model sees, special tokens included (before truncation)."""
        with self._lock:
            return len(self._counter.encode(text).ids)

    def truncate(self, text: str, limit: int) -> str:
        """The longest prefix of `text` (whole words) that fits in `limit` word pieces with special tokens."""
        with self._lock:
            encoding = self._counter.encode(text)
        if len(encoding.ids) <= limit:
            return text
        # offsets of the last word piece that still fits, before the final [SEP]
        end = encoding.offsets[limit - 2][1]
        cut = text[:end]
        return cut.rsplit(" ", 1)[0] if " " in cut and end < len(text) and not text[end].isspace() else cut

    def encode(self, text: str) -> np.ndarray:
        """The unit vector of one text."""
        w = self.w
        with self._lock:
            ids = np.array(self.tokenizer.encode(text).ids, dtype=np.int64)
        n = len(ids)
        x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        hidden = x.shape[1]
        head = hidden // self.heads
        for i in range(self.layers):
            p = f"encoder.layer.{i}."

            def dense(v: np.ndarray, name: str, p: str = p) -> np.ndarray:
                return v @ w[p + name + ".weight"] + w[p + name + ".bias"]

            q = dense(x, "attention.self.query").reshape(n, self.heads, head).transpose(1, 0, 2)
            k = dense(x, "attention.self.key").reshape(n, self.heads, head).transpose(1, 0, 2)
            v = dense(x, "attention.self.value").reshape(n, self.heads, head).transpose(1, 0, 2)
            scores = q @ k.transpose(0, 2, 1) / np.sqrt(head)
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(1, 0, 2).reshape(n, hidden)
            x = _layer_norm(dense(context, "attention.output.dense") + x, w[p + "attention.output.LayerNorm.weight"],
                            w[p + "attention.output.LayerNorm.bias"], self.eps)
            inner = _gelu(dense(x, "intermediate.dense"))
            x = _layer_norm(dense(inner, "output.dense") + x,
                            w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], self.eps)
        pooled = x.mean(0)
        return (pooled / max(float(np.linalg.norm(pooled)), 1e-12)).astype(np.float32)
