"""Briefing QA: answer questions about a policy briefing with cited passages, offline.

Example:
    >>> from rag import Assistant, open_index
    >>> answer = Assistant(open_index()).answer("Where did the Quad Senior Cyber Group meet in December?")  # doctest: +SKIP
    >>> answer.citations[0].passage.date_start  # doctest: +SKIP
    '2023-12-05'
"""

from __future__ import annotations

__version__ = "0.1.0"

from rag.answer import Assistant  # noqa: E402
from rag.errors import (  # noqa: E402
    DocumentError,
    IndexBusyError,
    IndexCorruptError,
    IndexMismatchError,
    IndexNotFoundError,
    InvalidQuestionError,
    RagError,
    SettingsError,
)
from rag.index import Index, build_index, load_index  # noqa: E402
from rag.retrieve import Filters, Retriever  # noqa: E402
from rag.schema import Answer, Citation, Passage  # noqa: E402
from rag.settings import DEFAULT_CORPUS, Settings, default_index_dir  # noqa: E402
from rag.store import open_index  # noqa: E402

__all__ = [
    "DEFAULT_CORPUS",
    "Answer",
    "Assistant",
    "Citation",
    "DocumentError",
    "Filters",
    "Index",
    "IndexBusyError",
    "IndexCorruptError",
    "IndexMismatchError",
    "IndexNotFoundError",
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
