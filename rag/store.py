"""Open the index a command or the UI asks for: the default one is (re)built on demand, a named one never."""

from __future__ import annotations

import sys
from pathlib import Path

from rag.build import build_index
from rag.embed import Embedder
from rag.errors import IndexCorruptError, IndexMismatchError, IndexNotFoundError
from rag.index import Index, load_index
from rag.settings import DEFAULT_CORPUS, Settings, default_index_dir


def open_index(
    index_dir: str | Path | None = None,
    settings: Settings | None = None,
    embedder: Embedder | None = None,
    progress: bool = True,
) -> Index:
    """Load an index; with no `index_dir`, the shipped briefing's, built or rebuilt as needed.

    An index named explicitly is only loaded: if it is missing, stale or damaged the error names the
    command that rebuilds it.
    """
    settings = settings or Settings.from_env()
    if index_dir is not None:
        return load_index(index_dir, settings)
    target = default_index_dir()
    try:
        return load_index(target, settings)
    except (IndexNotFoundError, IndexMismatchError, IndexCorruptError) as exc:
        reason = "first use" if isinstance(exc, IndexNotFoundError) else str(exc).split(";")[0]
        if progress:
            print(f"Building the default index ({reason})…", file=sys.stderr)
        return build_index([DEFAULT_CORPUS], target, settings, embedder=embedder, progress=progress)
