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
from rag.schema import Answer, Citation, Passage
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
    "build_index",
    "carried_question",
    "open_index",
]
