"""Briefing QA: answer questions about a policy briefing with cited passages, offline.

Example:
    >>> from rag import Assistant, open_index
    >>> assistant = Assistant(open_index())  # doctest: +SKIP
    >>> answer = assistant.answer("Where did the Quad Senior Cyber Group meet in December?")  # doctest: +SKIP
    >>> answer.citations[0].passage.date_start  # doctest: +SKIP
    '2023-12-05'
"""

from __future__ import annotations

from rag.answer import Assistant
from rag.build import build_index
from rag.embed import Embedder
from rag.errors import (
    DocumentError,
    IndexBusyError,
    IndexCorruptError,
    IndexMismatchError,
    IndexNotFoundError,
    IndexWriteError,
    InvalidQuestionError,
    RagError,
    SettingsError,
)
from rag.index import Index, load_index
from rag.retrieve import Filters, Retriever
from rag.schema import Answer, Citation, Passage
from rag.settings import DEFAULT_CORPUS, Settings, default_index_dir
from rag.store import open_index
from rag.version import __version__

__all__ = [
    "DEFAULT_CORPUS",
    "Answer",
    "Assistant",
    "Citation",
    "DocumentError",
    "Embedder",
    "Filters",
    "Index",
    "IndexBusyError",
    "IndexCorruptError",
    "IndexMismatchError",
    "IndexNotFoundError",
    "IndexWriteError",
    "InvalidQuestionError",
    "Passage",
    "RagError",
    "Retriever",
    "Settings",
    "SettingsError",
    "__version__",
    "build_index",
    "default_index_dir",
    "load_index",
    "open_index",
]
