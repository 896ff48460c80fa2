"""Briefing QA: answer questions about a policy briefing with cited passages, offline.

The public API is `__all__` below; `ui/` and `eval/` use only it. Beside it, the domain errors live in
`rag.errors` (all subclasses of `RagError`) and the constants `DEFAULT_CORPUS` and `OFFLINE_ENV` in
`rag.settings`.

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
from rag.errors import RagError
from rag.followup import carried_question
from rag.index import Index
from rag.question import Question
from rag.retrieve import Filters, Retriever
from rag.schema import Answer, Citation, Passage, WrittenAnswer
from rag.settings import Settings
from rag.store import open_index
from rag.version import __version__ as __version__

__all__ = [
    "Answer",
    "Assistant",
    "Citation",
    "Embedder",
    "Filters",
    "Index",
    "Passage",
    "Question",
    "RagError",
    "Retriever",
    "Settings",
    "Writer",
    "WrittenAnswer",
    "build_index",
    "carried_question",
    "open_index",
]


def __getattr__(name: str) -> object:
    # The writer (and its HTTP client) is imported only when used: `rag ask` without a model server never needs it.
    if name == "Writer":
        from rag.written import Writer

        return Writer
    raise AttributeError(f"module 'rag' has no attribute {name!r}")
