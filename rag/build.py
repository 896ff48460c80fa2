"""Building an index: parse → chunk → embed → write, then publish atomically (`rag.publish`).

Passages whose content hash is unchanged reuse the vectors of the index being replaced, so a small edit
re-embeds little.
"""

from __future__ import annotations

import hashlib
import json
import platform
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from rag.aliases import ALIASES_FILE, build_aliases
from rag.chunk import chunk
from rag.copies import blocks_record, write_copy
from rag.embed import Embedder
from rag.entities import annotate
from rag.errors import DocumentError, IndexNotFoundError, RagError
from rag.index import Index, load_index
from rag.lexical import Bm25
from rag.manifest import FORMAT_VERSION, OWN, Manifest, Segment, Source, sha256_file
from rag.parse import Document, parse
from rag.passage_table import PASSAGES_FILE, write_table
from rag.publish import build_lock, clear_leftovers, new_build_name, publish, writing
from rag.schema import Passage
from rag.settings import Settings
from rag.version import __version__

#: Told each stage of a build or an addition as it goes: ("reading" | "embedding" | "publishing", fraction of
#: that stage done, 0.0 to 1.0). The chat page turns it into its progress bar.
OnProgress = Callable[[str, float], None]
#: Texts embedded between two progress reports: small enough that the bar moves every few seconds.
PROGRESS_SLICE = 256


def _sentence_key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _documents(paths: Sequence[Path]) -> list[Document]:
    docs: list[Document] = []
    taken: set[str] = set()
    for path in paths:
        doc_id, n = Path(path).stem, 2
        while doc_id in taken:  # two files with one name in different folders stay two documents
            doc_id, n = f"{Path(path).stem}-{n}", n + 1
        taken.add(doc_id)
        doc = parse(path, doc_id)
        for other in docs:
            if other.content_sha256 == doc.content_sha256:
                raise DocumentError(f"{doc.path}: has the same text as {other.path} (document {other.id!r}); "
                                    "index it once.")
        docs.append(doc)
    return docs


def _old_index(index_dir: Path, settings: Settings) -> Index | None:
    """The index being replaced, when it loads with these settings (else None: everything is computed anew)."""
    try:
        return load_index(index_dir, settings, check_sources=False, verify=False)
    except (RagError, OSError, KeyError, ValueError):
        return None


def _previous_vectors(
    index_dir: Path, settings: Settings, old: Index | None = None
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Vectors of the index being replaced (`old`, else the one in `index_dir`), by passage id and by sentence
    text, when its model matches."""
    if old is None:
        try:
            old = load_index(index_dir, settings, check_sources=False, verify=False)
        except (RagError, OSError, KeyError, ValueError):  # no usable old index just means embedding everything
            return {}, {}
    by_passage = {p.id: old.passage_vectors[i] for i, p in enumerate(old.passages)}
    by_sentence: dict[str, np.ndarray] = {}
    for i, p in enumerate(old.passages):
        source = old.sources[p.doc]
        for (a, b), vec in zip(p.sentences, old.sentence_vectors_of(i), strict=False):
            by_sentence[_sentence_key(source[a:b])] = vec
    return by_passage, by_sentence


def _missing(keys: list[str], cache: dict[str, np.ndarray]) -> dict[str, int]:
    """The keys without a vector yet, each with its first position: a text repeated in a file is embedded once."""
    missing: dict[str, int] = {}
    for i, key in enumerate(keys):
        if key not in cache:
            missing.setdefault(key, i)
    return missing


def _embed_missing(
    embedder: Embedder, keys: list[str], texts: list[str], cache: dict[str, np.ndarray], progress: bool, what: str,
    embedded: Callable[[int], None] | None = None,
) -> np.ndarray:
    """Vectors for `keys`, embedding only those not in `cache` (which gets them); `embedded(n)` after each slice."""
    missing = _missing(keys, cache)
    if missing:
        if progress:
            print(f"Embedding {len(missing)} {what} ({len(keys) - len(missing)} reused)…", file=sys.stderr)
        todo = list(missing.items())
        step = len(todo) if embedded is None else PROGRESS_SLICE
        for a in range(0, len(todo), step):
            part = todo[a : a + step]
            fresh = embedder.encode([texts[i] for _, i in part], progress=progress)
            for (key, _), vec in zip(part, fresh, strict=True):
                cache[key] = vec
            if embedded is not None:
                embedded(len(part))
    if not keys:
        return np.zeros((0, embedder.dimension), dtype=np.float32)
    return np.stack([cache[key] for key in keys]).astype(np.float32)


def make_dense_index(vectors: np.ndarray, settings: Settings) -> tuple[Any, str]:
    """Exact inner-product search for small corpora, HNSW above `settings.approximate_above` passages."""
    import faiss

    dim = vectors.shape[1]
    index: Any
    if len(vectors) > settings.approximate_above:
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = 256  # rag bench: recall@10 0.988 at 1M passages, 0.84 ms (96 gave 0.931)
        kind = "hnsw32"
    else:
        index = faiss.IndexFlatIP(dim)
        kind = "flat"
    if len(vectors):
        index.add(vectors)
    return index, kind


def _write_build(
    tmp: Path, contents: Contents, passage_vectors: np.ndarray, sentence_vectors: np.ndarray, dense: Any, bm25: Bm25,
) -> None:
    """Every file of a build but the manifest, into the fresh folder `tmp`."""
    import faiss

    offsets = [0]
    with (tmp / PASSAGES_FILE).open("wb") as fh:
        for p in contents.passages:
            offsets.append(offsets[-1] + fh.write((json.dumps(p.to_record(), ensure_ascii=False) + "\n").encode()))
    # Each line's offset and what whole-library computations read, so that loading decodes no passage.
    write_table(tmp, contents.passages, offsets, contents.texts.__getitem__)
    (tmp / "sources").mkdir()
    for doc, text in contents.texts.items():
        write_copy(tmp, doc, text, contents.records.get(doc))
    np.save(tmp / "passage_vectors.npy", passage_vectors)
    np.save(tmp / "sentence_vectors.npy", sentence_vectors)
    faiss.write_index(dense, str(tmp / "dense.faiss"))
    bm25.save(tmp / "bm25")
    # The alias table (names, surnames, acronyms, offices, place grains), read by retrieval and constraints.
    aliases = build_aliases(contents.passages, contents.texts)
    (tmp / ALIASES_FILE).write_text(json.dumps(aliases, ensure_ascii=False, indent=1), encoding="utf-8")


def _sentences(
    passages: list[Passage], passage_vectors: np.ndarray, sources: dict[str, str], by_sentence: dict[str, np.ndarray]
) -> tuple[list[str], list[str]]:
    """Every passage's sentences, as texts and content keys, in `sentence_vectors` order.

    A chronology entry is one sentence, the whole entry: its vector is the passage's, added to `by_sentence`.
    """
    texts, keys = [], []
    for p, vec in zip(passages, passage_vectors, strict=True):
        for a, b in p.sentences:
            texts.append(sources[p.doc][a:b])
            keys.append(_sentence_key(texts[-1]))
            if p.kind == "chronology":
                by_sentence[keys[-1]] = vec
    return texts, keys


def build_index(
    sources: Iterable[str | Path],
    index_dir: str | Path,
    settings: Settings | None = None,
    embedder: Embedder | None = None,
    progress: bool = True,
) -> Index:
    """Parse, chunk, embed and write an index; atomically replaces any index already in `index_dir`.

    Example:
        >>> from rag.settings import DEFAULT_CORPUS
        >>> index = build_index([DEFAULT_CORPUS], "/tmp/briefing-index", progress=False)
        >>> len(index) > 60
        True
    """
    settings = settings or Settings()
    embedder = embedder or Embedder(settings)
    paths = [Path(s) for s in sources]
    if not paths:
        raise IndexNotFoundError("No source files given; name at least one briefing to index.")
    started = time.perf_counter()
    docs = _documents(paths)  # every file is checked before anything is written
    passages = [p for doc in docs for p in chunk(doc, settings)]
    index_dir = Path(index_dir)
    with build_lock(index_dir):
        clear_leftovers(index_dir)
        old = _old_index(index_dir, settings)
        # Passages the old index already had keep their entity spans: spaCy runs only on new text.
        known = {p.id: p for p in old.passages} if old is not None else None
        passages = annotate(passages, progress=progress, known=known)
        added_at = now()
        contents = Contents(
            sources=tuple(source_of(d, passages, added_at) for d in docs),
            texts={d.id: d.source for d in docs},
            passages=passages,
            records={d.id: blocks_record(d) for d in docs},
        )
        write_index(contents, index_dir, settings, embedder, progress, old=old, started=started)
    return load_index(index_dir, settings, check_sources=False, verify=False)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def source_of(doc: Document, passages: list[Passage], added_at: str, tracked: bool = True) -> Source:
    """The manifest's record of `doc`, whose passages are among `passages`."""
    return Source(doc=doc.id, title=doc.title, path=doc.path, sha256=doc.sha256,
                  passages=sum(p.doc == doc.id for p in passages), added_at=added_at, tracked=tracked,
                  content_sha256=doc.content_sha256, format=doc.format, pages=doc.pages, notes=doc.notes)


@dataclass(frozen=True)
class Contents:
    """What an index holds, before embedding: its documents' records and texts, and their passages."""

    sources: tuple[Source, ...]
    #: Each document's canonical text, by document id.
    texts: dict[str, str]
    passages: list[Passage]
    #: Each document's blocks record (`rag.copies.blocks_record`), by document id.
    records: dict[str, str] = field(default_factory=dict)


def _embedding_counter(
    contents: Contents, by_passage: dict[str, np.ndarray], by_sentence: dict[str, np.ndarray], on_progress: OnProgress
) -> Callable[[int], None]:
    """Reports "embedding" now, and returns what to call with each number of texts embedded.

    What there is to embed is counted first: the new passages, then the new article sentences (a chronology
    entry's one sentence takes its passage's vector).
    """
    passages = contents.passages
    todo = len(_missing([p.id for p in passages], by_passage)) + len(_missing(
        [_sentence_key(contents.texts[p.doc][a:b]) for p in passages if p.kind != "chronology"
         for a, b in p.sentences], by_sentence))
    done = 0

    def embedded(n: int) -> None:
        nonlocal done
        done += n
        on_progress("embedding", min(1.0, done / todo))

    on_progress("embedding", 0.0 if todo else 1.0)
    return embedded


def write_index(
    contents: Contents, index_dir: Path, settings: Settings, embedder: Embedder, progress: bool = True,
    old: Index | None = None, started: float | None = None, on_progress: OnProgress | None = None,
    base: tuple[Path, Manifest] | None = None,
) -> None:
    """Embed what is new, write and publish `contents` as `index_dir`'s index. The caller holds the build lock.

    Vectors come from `old` (else the index now in `index_dir`) for every passage and sentence it already had.
    With `base` (the published build and its manifest), `contents` holds only documents to append: they are
    written as one more segment after the base's (`rag.segments`), and nothing of the base is read but its
    manifest. `on_progress` is told the "embedding" and "publishing" stages.
    """
    started = time.perf_counter() if started is None else started
    passages = contents.passages
    by_passage, by_sentence = ({}, {}) if base is not None else _previous_vectors(index_dir, settings, old)
    passage_keys = [p.id for p in passages]
    embedded = None if on_progress is None else _embedding_counter(contents, by_passage, by_sentence, on_progress)
    passage_vectors = _embed_missing(embedder, passage_keys, [p.embed_text() for p in passages], by_passage,
                                     progress, "passages", embedded)
    sentence_texts, sentence_keys = _sentences(passages, passage_vectors, contents.texts, by_sentence)
    sentence_vectors = _embed_missing(embedder, sentence_keys, sentence_texts, by_sentence, progress, "sentences",
                                      embedded)
    if on_progress is not None:
        on_progress("publishing", 0.0)
    dense, dense_kind = make_dense_index(passage_vectors, settings)
    bm25 = Bm25.build([p.text for p in passages])

    name = new_build_name()
    tmp = index_dir / f".tmp-{name}"
    with writing(index_dir, tmp):
        tmp.mkdir()
        _write_build(tmp, contents, passage_vectors, sentence_vectors, dense, bm25)
        files = {str(f.relative_to(tmp)): sha256_file(f) for f in sorted(tmp.rglob("*")) if f.is_file()}
    own = Segment(OWN, tuple(s.doc for s in contents.sources), len(passages), len(sentence_keys), dense_kind)
    earlier, earlier_files = _earlier_segments(base) if base is not None else ((), {})
    segments = (*earlier, own)
    manifest = Manifest(
        format_version=FORMAT_VERSION,
        package_version=__version__,
        created_at=now(),
        python=platform.python_version(),
        platform=platform.platform(),
        settings=settings.index_settings(),
        dimension=int(passage_vectors.shape[1]),
        dense_index="+".join(dict.fromkeys(s.dense_index for s in segments)),
        sources=(*(base[1].sources if base is not None else ()), *contents.sources),
        counts={"passages": sum(s.passages for s in segments), "sentences": sum(s.sentences for s in segments)},
        build_seconds=round(time.perf_counter() - started, 3),
        files={**earlier_files, **files},
        segments=segments if earlier else (),
    )
    publish(index_dir, tmp, name, manifest)


def _earlier_segments(base: tuple[Path, Manifest]) -> tuple[tuple[Segment, ...], dict[str, str]]:
    """The segments of the published build `base` under their build folders' names, and their files' sha256
    (from its manifest: nothing is hashed again)."""
    build, manifest = base
    segments, files = [], {}
    for seg in manifest.parts():
        named = replace(seg, build=build.name) if seg.build == OWN else seg
        segments.append(named)
        files.update({f"{named.build}/{k}": v for k, v in manifest.files_of(seg).items()})
    return tuple(segments), files
