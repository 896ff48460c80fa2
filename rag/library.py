"""A library of briefings: add, replace and remove documents of a built index, atomically.

An addition that replaces no document writes the new documents alone, as one more segment of the index
(`rag.segments`): only the published manifest is read, so adding a briefing to a large library costs its own
embedding and little more. A replacement, a removal, or an addition beyond `MAX_SEGMENTS` segments rebuilds the
index as one segment from what it already holds (its passages, their vectors, its copies of the sources) plus
or minus documents: compaction. Either way the edit runs under the index's build lock and is published like a
build (`rag.publish`): killed midway, the previous library still loads and answers. Only passages and
sentences the index has not seen are embedded; the documents kept are neither parsed nor chunked again.

Example:
    >>> index = add_documents("/tmp/briefing-index", ["other.txt"])  # doctest: +SKIP
    >>> index = remove_documents("/tmp/briefing-index", ["other"])  # doctest: +SKIP
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from rag.build import Contents, OnProgress, now, source_of, write_index
from rag.chunk import chunk
from rag.copies import blocks_record, read_record
from rag.embed import Embedder
from rag.entities import annotate
from rag.errors import DocumentError, IndexNotFoundError
from rag.index import Index, load_index
from rag.manifest import Manifest, check_manifest, read_manifest
from rag.parse import MAX_BYTES, SUFFIXES, Document, parse
from rag.parse import _too_large as too_large
from rag.publish import build_lock, clear_leftovers
from rag.segments import MAX_SEGMENTS, doc_folders
from rag.settings import Settings

#: What a document id may be: it names a file in the index (`sources/ID.txt`) and a `--doc` filter.
DOC_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")


def doc_id_for(path: Path) -> str:
    """A document id from a file name: its stem, with anything but letters, digits, `.`, `_`, `-` as `-`.

    Example:
        >>> doc_id_for(Path("/tmp/US Japan (Q4).txt"))
        'US-Japan-Q4'
    """
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", path.stem).strip("-._")[:80]
    return slug or "document"


def check_doc_id(doc_id: str) -> str:
    if not DOC_ID.match(doc_id):
        raise DocumentError(
            f"{doc_id!r} is not a usable document id; use up to 80 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit (e.g. --id us-japan-2024q1)."
        )
    return doc_id


def check_file(path: Path, size: int | None = None) -> None:
    """Refuse, by its name and (when known) its size alone, a file the library would not read.

    The chat page asks this before an upload is sent, so it says what `rag index add` says.

    Example:
        >>> check_file(Path("notes.txt"), 1_000)
        >>> check_file(Path("photo.png"))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        rag.errors.DocumentError: photo.png: only .txt, .md, ... briefings can be added (not .png).
    """
    if path.suffix.lower() not in SUFFIXES:
        raise DocumentError(f"{path}: only {', '.join(SUFFIXES)} briefings can be added "
                            f"(not {path.suffix or 'no suffix'}).")
    if size is not None and size > MAX_BYTES:
        raise too_large(path, size)


def _load(index_dir: Path, settings: Settings) -> Index | None:
    try:
        return load_index(index_dir, settings, check_sources=False)
    except IndexNotFoundError:
        return None


def _published(index_dir: Path, settings: Settings) -> tuple[Path, Manifest] | None:
    """The published build and its manifest, checked against `settings` (None when there is no index yet)."""
    try:
        build, manifest = read_manifest(index_dir)
    except IndexNotFoundError:
        return None
    check_manifest(index_dir, manifest, settings, check_sources=False)
    return build, manifest


def _with(old: Index | None, added: Contents, replaced: set[str]) -> Contents:
    """The library `old` (all its segments) with the documents `added`, replacing those with their ids."""
    if old is None:
        return added
    kept_sources = [s for s in old.manifest.sources if s.doc not in replaced]
    folders = doc_folders(old.path, old.manifest)
    records = {s.doc: r for s in kept_sources if (r := read_record(folders[s.doc], s.doc)) is not None}
    return Contents(
        sources=(*kept_sources, *added.sources),
        texts={**{s.doc: old.sources[s.doc] for s in kept_sources}, **added.texts},
        passages=[p for p in old.passages if p.doc not in replaced] + added.passages,
        records={**records, **added.records},
    )


def read_documents(paths: Sequence[str | Path], doc_id: str | None = None, title: str | None = None) -> list[Document]:
    """Parse the files to add, refusing (with `DocumentError`, before anything is written) what cannot be added."""
    files = [Path(p) for p in paths]
    if not files:
        raise DocumentError(f"No files given; name at least one briefing ({', '.join(SUFFIXES)}) to add.")
    if (doc_id or title) and len(files) > 1:
        raise DocumentError("--id and --title name one document; add the files one at a time.")
    docs: list[Document] = []
    for path in files:
        check_file(path)
        doc = parse(path, check_doc_id(doc_id) if doc_id else doc_id_for(path))
        docs.append(replace(doc, title=title.strip()) if title and title.strip() else doc)
    seen: dict[str, Document] = {}
    for doc in docs:
        for other in seen.values():
            if other.content_sha256 == doc.content_sha256:
                raise DocumentError(f"{doc.path}: has the same text as {other.path}; add it once.")
        if doc.id in seen:
            raise DocumentError(f"{doc.path} and {seen[doc.id].path} would both be the document {doc.id!r}; "
                                "rename one, or add them one at a time with --id.")
        seen[doc.id] = doc
    return docs


def add_documents(
    index_dir: str | Path,
    paths: Sequence[str | Path],
    doc_id: str | None = None,
    title: str | None = None,
    settings: Settings | None = None,
    embedder: Embedder | None = None,
    progress: bool = True,
    on_progress: OnProgress | None = None,
) -> Index:
    """Add briefings to the library in `index_dir` (a document with the same id is replaced); returns it loaded.

    A file whose text (line endings, BOM and trailing spaces aside) is already in the library is refused, and so
    is anything `rag.parse` refuses; then nothing is written. Another edit or build of the same folder meanwhile
    gets `IndexBusyError`. `on_progress` is told each stage as it goes: "reading", "embedding", "publishing"
    (with the fraction done).
    """
    started = time.perf_counter()
    tell = on_progress or (lambda stage, fraction: None)
    tell("reading", 0.0)
    docs = read_documents(paths, doc_id, title)
    tell("reading", 0.4)
    return add_parsed(index_dir, docs, settings, embedder, progress, started, tell)


def add_parsed(
    index_dir: str | Path,
    docs: Sequence[Document],
    settings: Settings | None = None,
    embedder: Embedder | None = None,
    progress: bool = True,
    started: float | None = None,
    on_progress: OnProgress | None = None,
) -> Index:
    """Add documents already read (`read_documents`, or an index's copies: `rag.copies.read_document`)."""
    settings = settings or Settings()
    embedder = embedder or Embedder(settings)
    index_dir = Path(index_dir)
    started = time.perf_counter() if started is None else started
    tell = on_progress or (lambda stage, fraction: None)
    with build_lock(index_dir):
        clear_leftovers(index_dir)
        base = _published(index_dir, settings)
        new_ids = {d.id for d in docs}
        held = base[1].sources if base else ()
        for doc in docs:
            for source in held:
                if source.content_sha256 == doc.content_sha256 or source.sha256 == doc.sha256:
                    raise DocumentError(
                        f"{doc.path}: the same text is already in the library as {source.doc!r} "
                        f"({source.title}); nothing was changed."
                    )
        # passages are chunked and annotated per document, so a document's passages do not depend on the others
        fresh = [p for doc in docs for p in annotate(chunk(doc, settings), progress=False)]
        tell("reading", 1.0)
        added_at = now()
        added = Contents(
            sources=tuple(source_of(d, fresh, added_at, tracked=False) for d in docs),
            texts={d.id: d.source for d in docs},
            passages=fresh,
            records={d.id: blocks_record(d) for d in docs},
        )
        if base is not None and not new_ids & {s.doc for s in held} and len(base[1].parts()) < MAX_SEGMENTS:
            # nothing replaced: the new documents become one more segment; the library is not read
            write_index(added, index_dir, settings, embedder, progress, started=started, on_progress=tell,
                        base=base)
        else:  # a replacement, or too many segments: the whole library is written again, as one segment
            old = _load(index_dir, settings)
            write_index(_with(old, added, new_ids), index_dir, settings, embedder, progress, old=old,
                        started=started, on_progress=tell)
    index = load_index(index_dir, settings, check_sources=False, verify=False)
    tell("publishing", 1.0)
    return index


def remove_documents(
    index_dir: str | Path,
    doc_ids: Iterable[str],
    settings: Settings | None = None,
    embedder: Embedder | None = None,
    progress: bool = True,
) -> Index:
    """Remove documents from the library in `index_dir`; returns it loaded. Nothing is embedded."""
    settings = settings or Settings()
    index_dir = Path(index_dir)
    started = time.perf_counter()
    gone = list(dict.fromkeys(doc_ids))
    if not gone:
        raise DocumentError("No document ids given; `rag info` lists them.")
    with build_lock(index_dir):
        clear_leftovers(index_dir)
        old = _load(index_dir, settings)
        if old is None:
            raise IndexNotFoundError(f"No index at {index_dir}; there is nothing to remove.")
        known = [s.doc for s in old.manifest.sources]
        unknown = [d for d in gone if d not in known]
        if unknown:
            raise DocumentError(f"No document {', '.join(map(repr, unknown))} in the library; "
                                f"it holds {', '.join(known)}.")
        if set(known) <= set(gone):
            raise DocumentError("That would leave the library empty; add another briefing first, "
                                "or build a new index with `rag index build`.")
        kept_sources = [s for s in old.manifest.sources if s.doc not in gone]
        contents = Contents(
            sources=tuple(kept_sources),
            texts={s.doc: old.sources[s.doc] for s in kept_sources},
            passages=[p for p in old.passages if p.doc not in gone],
            records={s.doc: r for s in kept_sources
                     if (r := read_record(doc_folders(old.path, old.manifest)[s.doc], s.doc)) is not None},
        )
        write_index(contents, index_dir, settings, embedder or Embedder(settings), progress, old=old,
                    started=started)
    return load_index(index_dir, settings, check_sources=False, verify=False)


def compact_index(
    index_dir: str | Path, settings: Settings | None = None, embedder: Embedder | None = None, progress: bool = True,
) -> Index:
    """Rewrite the library in `index_dir` as one segment (`rag index compact`); returns it loaded.

    Nothing is embedded: every vector is the index's own. An index of one segment is left as it is.
    """
    settings = settings or Settings()
    index_dir = Path(index_dir)
    started = time.perf_counter()
    with build_lock(index_dir):
        clear_leftovers(index_dir)
        old = _load(index_dir, settings)
        if old is None:
            raise IndexNotFoundError(f"No index at {index_dir}; there is nothing to compact.")
        if len(old.manifest.parts()) > 1:
            write_index(_with(old, Contents((), {}, []), set()), index_dir, settings, embedder or Embedder(settings),
                        progress, old=old, started=started)
    return load_index(index_dir, settings, check_sources=False, verify=False)
