"""Open the index a command or the UI asks for: the default one is (re)built on demand, a named one never."""

from __future__ import annotations

import sys
from pathlib import Path

from rag.build import build_index
from rag.copies import read_document
from rag.embed import Embedder
from rag.errors import IndexCorruptError, IndexMismatchError, IndexNotFoundError, RagError
from rag.index import Index, load_index
from rag.library import add_parsed
from rag.manifest import read_manifest
from rag.parse import Document
from rag.segments import doc_folders
from rag.settings import DEFAULT_CORPUS, Settings, default_index_dir


def open_index(
    index_dir: str | Path | None = None,
    settings: Settings | None = None,
    embedder: Embedder | None = None,
    progress: bool = True,
) -> Index:
    """Load an index; with no `index_dir`, the shipped briefing's, built or rebuilt as needed.

    An index named explicitly is only loaded: if it is missing, stale or damaged the error names the
    command that rebuilds it. Rebuilding the default index keeps the documents added to it (`rag index add`).
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
        added = _added_documents(target)  # read before the rebuild replaces them
        index = build_index([DEFAULT_CORPUS], target, settings, embedder=embedder, progress=progress)
        if added:
            index = add_parsed(target, added, settings=settings, embedder=embedder, progress=progress)
        return index


def _added_documents(index_dir: Path) -> list[Document]:
    """The documents added to a library (`rag index add`), read from its current build's copies (text and
    blocks, whatever their format), so that rebuilding the default index keeps them; none when the build
    cannot be read."""
    try:
        build, manifest = read_manifest(index_dir)
    except RagError:
        return []
    out = []
    folders = doc_folders(build, manifest)
    for source in manifest.sources:
        if source.tracked:
            continue
        try:
            out.append(read_document(folders.get(source.doc, build), source))
        except RagError:  # an older or damaged copy: that document is lost with the old index, as before
            continue
    return out
