"""The index on disk: build it atomically from source files, load it back with its manifest checked.

Layout of an index folder::

    DIR/current -> build-20231201T120000-ab12cd   (symlink, swapped atomically)
    DIR/build-.../manifest.json                     (written last; a build without one is never loaded)
    DIR/build-.../passages.jsonl, passage_vectors.npy, sentence_vectors.npy, dense.faiss, bm25/, sources/
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import platform
import secrets
import shutil
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np

from rag import __version__
from rag.chunk import chunk
from rag.dates import DateInterpreter
from rag.embed import Embedder
from rag.entities import annotate
from rag.errors import IndexBusyError, IndexCorruptError, IndexMismatchError, IndexNotFoundError, IndexWriteError
from rag.lexical import Bm25
from rag.parse import Document, parse
from rag.schema import Passage
from rag.settings import Settings

FORMAT_VERSION = 2  # 2: passages carry typed entity spans
MANIFEST = "manifest.json"
CURRENT = "current"


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sentence_key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:20]


class Index:
    """A loaded index: passages, their vectors and sentence vectors, a FAISS index and a BM25 index."""

    def __init__(
        self,
        path: Path,
        manifest: dict[str, Any],
        passages: list[Passage],
        sources: dict[str, str],
        passage_vectors: np.ndarray,
        sentence_vectors: np.ndarray,
        dense: Any,
        bm25: Bm25,
    ) -> None:
        self.path = path
        self.manifest = manifest
        self.passages = passages
        self.sources = sources
        self.passage_vectors = passage_vectors
        self.sentence_vectors = sentence_vectors
        self.dense = dense
        self.bm25 = bm25
        self.by_id = {p.id: i for i, p in enumerate(passages)}
        #: passage position → first row of its sentences in `sentence_vectors`.
        self.sentence_offsets = np.cumsum([0] + [len(p.sentences) for p in passages])
        dates = [date.fromisoformat(d) for p in passages for d in (p.date_start, p.date_end) if d]
        self.dates = DateInterpreter.for_dates(dates)

    def __len__(self) -> int:
        return len(self.passages)

    def sentence_vectors_of(self, position: int) -> np.ndarray:
        return self.sentence_vectors[self.sentence_offsets[position] : self.sentence_offsets[position + 1]]

    def source(self, doc: str) -> str:
        return self.sources[doc]

    def info(self) -> dict[str, Any]:
        """Statistics for `rag info` and the UI's index panel."""
        m = self.manifest
        return {
            "path": str(self.path),
            "documents": [s["doc"] for s in m["sources"]],
            "passages": len(self.passages),
            "article_passages": sum(p.kind == "article" for p in self.passages),
            "chronology_passages": sum(p.kind == "chronology" for p in self.passages),
            "sentences": int(self.sentence_vectors.shape[0]),
            "model": m["settings"]["model"],
            "dimension": m["dimension"],
            "dense_index": m["dense_index"],
            "max_tokens": m["settings"]["max_tokens"],
            "created_at": m["created_at"],
            "package_version": m["package_version"],
        }


# --------------------------------------------------------------------------- building


def _documents(paths: Sequence[Path]) -> list[Document]:
    docs: list[Document] = []
    taken: set[str] = set()
    for path in paths:
        doc_id, n = Path(path).stem, 2
        while doc_id in taken:  # two files with one name in different folders stay two documents
            doc_id, n = f"{Path(path).stem}-{n}", n + 1
        taken.add(doc_id)
        docs.append(parse(path, doc_id))
    return docs


def _previous_vectors(index_dir: Path, settings: Settings) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Vectors of the index being replaced, by passage id and by sentence text, when its model matches."""
    try:
        old = load_index(index_dir, settings, check_sources=False, verify=False)
    except Exception:  # an unreadable old index just means embedding everything
        return {}, {}
    by_passage = {p.id: old.passage_vectors[i] for i, p in enumerate(old.passages)}
    by_sentence: dict[str, np.ndarray] = {}
    for i, p in enumerate(old.passages):
        source = old.sources[p.doc]
        for (a, b), vec in zip(p.sentences, old.sentence_vectors_of(i), strict=False):
            by_sentence[_sentence_key(source[a:b])] = vec
    return by_passage, by_sentence


def _embed_missing(
    embedder: Embedder, keys: list[str], texts: list[str], cache: dict[str, np.ndarray], progress: bool, what: str
) -> np.ndarray:
    missing: dict[str, int] = {}  # one embedding per distinct text: a file that repeats a sentence pays once
    for i, key in enumerate(keys):
        if key not in cache:
            missing.setdefault(key, i)
    if missing:
        if progress:
            print(f"Embedding {len(missing)} {what} ({len(keys) - len(missing)} reused)…", file=sys.stderr)
        fresh = embedder.encode([texts[i] for i in missing.values()], progress=progress)
        for key, vec in zip(missing, fresh, strict=True):
            cache[key] = vec
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


def _fsync_tree(root: Path) -> None:
    for path in sorted(root.rglob("*")):
        if path.is_file():
            with path.open("rb") as fh:
                os.fsync(fh.fileno())
    _fsync_dir(root)


def _fsync_dir(folder: Path) -> None:
    """Make a rename inside `folder` durable (a power cut after it must not undo it)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_WHY = {
    errno.ENOSPC: "no space left on device; free some space and retry",
    errno.EDQUOT: "disk quota exceeded; free some space and retry",
    errno.EROFS: "the file system is read-only; choose another --index-dir",
    errno.EACCES: "permission denied; choose a folder you can write to (--index-dir)",
    errno.EPERM: "operation not permitted (a read-only or immutable folder?); choose another --index-dir",
}


def _published(index_dir: Path, build: Path) -> bool:
    return os.path.realpath(index_dir / CURRENT) == os.path.realpath(build)


@contextlib.contextmanager
def _writing(index_dir: Path, *partial: Path) -> Iterator[None]:
    """Turn an `OSError` while writing into `IndexWriteError`, first removing the `partial` (unpublished) folders.

    Whatever goes wrong (even a `KeyboardInterrupt`), no half-written build is left behind to be cleared later,
    and the index that `current` points at is untouched.
    """
    try:
        yield
    except BaseException as exc:
        for folder in partial:
            if not _published(index_dir, folder):
                shutil.rmtree(folder, ignore_errors=True)
        if isinstance(exc, OSError) and not isinstance(exc, IndexWriteError):
            why = _WHY.get(exc.errno or 0, exc.strerror or str(exc))
            raise IndexWriteError(
                f"Cannot write the index at {index_dir}: {why} ({exc.strerror or exc}). "
                "The previous index, if any, is untouched."
            ) from exc
        raise


def _write_build(
    tmp: Path, passages: list[Passage], docs: list[Document], passage_vectors: np.ndarray,
    sentence_vectors: np.ndarray, dense: Any, bm25: Bm25,
) -> None:
    """Every file of a build but the manifest, into the fresh folder `tmp`."""
    import faiss

    with (tmp / "passages.jsonl").open("w", encoding="utf-8") as fh:
        for p in passages:
            fh.write(json.dumps(p.to_record(), ensure_ascii=False) + "\n")
    (tmp / "sources").mkdir()
    for doc in docs:
        (tmp / "sources" / f"{doc.id}.txt").write_text(doc.source, encoding="utf-8", newline="")
    np.save(tmp / "passage_vectors.npy", passage_vectors)
    np.save(tmp / "sentence_vectors.npy", sentence_vectors)
    faiss.write_index(dense, str(tmp / "dense.faiss"))
    bm25.save(tmp / "bm25")


def build_index(
    sources: Iterable[str | Path],
    index_dir: str | Path,
    settings: Settings | None = None,
    embedder: Embedder | None = None,
    progress: bool = True,
) -> Index:
    """Parse, chunk, embed and write an index; atomically replaces any index already in `index_dir`.

    Passages whose content hash is unchanged reuse their old vectors, so a small edit re-embeds little.

    Example:
        >>> from rag.settings import DEFAULT_CORPUS
        >>> index = build_index([DEFAULT_CORPUS], "/tmp/briefing-index", progress=False)
        >>> len(index) > 60
        True
    """
    from filelock import FileLock, Timeout

    settings = settings or Settings()
    embedder = embedder or Embedder(settings)
    paths = [Path(s) for s in sources]
    if not paths:
        raise IndexNotFoundError("No source files given; name at least one briefing to index.")
    started = time.perf_counter()
    docs = _documents(paths)  # every file is checked before anything is written
    passages = [p for doc in docs for p in chunk(doc, settings)]
    passages = annotate(passages, progress=progress)
    index_dir = Path(index_dir)
    lock = FileLock(str(index_dir / ".lock"), timeout=0)
    with _writing(index_dir):
        index_dir.mkdir(parents=True, exist_ok=True)
        try:
            lock.acquire()
        except Timeout:
            raise IndexBusyError(
                f"Another build of {index_dir} is running; wait for it to finish and try again."
            ) from None
    try:
        for stale in [*index_dir.glob(".tmp-build-*"), *index_dir.glob(f".{CURRENT}-*")]:  # left by a killed build
            if stale.is_symlink():
                stale.unlink(missing_ok=True)
            else:
                shutil.rmtree(stale, ignore_errors=True)
        by_passage, by_sentence = _previous_vectors(index_dir, settings)
        sources_text = {d.id: d.source for d in docs}
        passage_vectors = _embed_missing(
            embedder, [p.id for p in passages], [p.embed_text() for p in passages], by_passage, progress, "passages"
        )
        sentence_texts, sentence_keys = [], []
        for p, vec in zip(passages, passage_vectors, strict=True):
            for a, b in p.sentences:
                text = sources_text[p.doc][a:b]
                sentence_texts.append(text)
                sentence_keys.append(_sentence_key(text))
                if p.kind == "chronology":  # one sentence, the whole entry: its vector is the passage's
                    by_sentence[sentence_keys[-1]] = vec
        sentence_vectors = _embed_missing(embedder, sentence_keys, sentence_texts, by_sentence, progress, "sentences")
        dense, dense_kind = make_dense_index(passage_vectors, settings)
        bm25 = Bm25.build([p.text for p in passages])

        name = f"build-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"
        tmp = index_dir / f".tmp-{name}"
        with _writing(index_dir, tmp):
            tmp.mkdir()
            _write_build(tmp, passages, docs, passage_vectors, sentence_vectors, dense, bm25)
            files = {str(f.relative_to(tmp)): _sha256_file(f) for f in sorted(tmp.rglob("*")) if f.is_file()}
        manifest = {
            "format_version": FORMAT_VERSION,
            "package_version": __version__,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "settings": settings.index_settings(),
            "dimension": int(passage_vectors.shape[1]),
            "dense_index": dense_kind,
            "sources": [
                {"doc": d.id, "title": d.title, "path": d.path, "sha256": d.sha256,
                 "passages": sum(p.doc == d.id for p in passages)}
                for d in docs
            ],
            "counts": {"passages": len(passages), "sentences": len(sentence_keys)},
            "build_seconds": round(time.perf_counter() - started, 3),
            "files": files,
        }
        with _writing(index_dir, tmp):
            _fsync_tree(tmp)
            manifest_tmp = tmp / (MANIFEST + ".part")
            manifest_tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
            with manifest_tmp.open("rb") as fh:
                os.fsync(fh.fileno())
            os.replace(manifest_tmp, tmp / MANIFEST)
            _fsync_dir(tmp)
        with _writing(index_dir, tmp, index_dir / name):
            os.rename(tmp, index_dir / name)
            link = index_dir / f".{CURRENT}-{secrets.token_hex(3)}"
            try:
                os.symlink(name, link)
                os.replace(link, index_dir / CURRENT)  # the one atomic step that publishes the new build
            except BaseException:
                link.unlink(missing_ok=True)
                raise
        with contextlib.suppress(OSError):  # published; making the swap durable is best effort from here
            _fsync_dir(index_dir)
        for old in index_dir.glob("build-*"):
            if old.name != name:
                shutil.rmtree(old, ignore_errors=True)
    finally:
        lock.release()
    return load_index(index_dir, settings, check_sources=False, verify=False)


# --------------------------------------------------------------------------- loading


def rebuild_command(index_dir: Path, manifest: dict[str, Any] | None) -> str:
    files = " ".join(s["path"] for s in (manifest or {}).get("sources", [])) or "FILES…"
    return f"rag index build --index-dir {index_dir} {files}"


def read_manifest(index_dir: str | Path) -> tuple[Path, dict[str, Any]]:
    """The build folder that `index_dir` points at, and its manifest."""
    index_dir = Path(index_dir)
    build = index_dir / CURRENT if (index_dir / CURRENT).exists() else index_dir
    manifest_path = build / MANIFEST
    if not manifest_path.is_file():
        if (index_dir / CURRENT).is_symlink() or any(index_dir.glob(".tmp-build-*")):
            raise IndexCorruptError(f"{index_dir}: its build has no manifest (interrupted?); rebuild it.")
        raise IndexNotFoundError(
            f"No index at {index_dir}; build one with `rag index build --index-dir {index_dir} FILES…`."
        )
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        manifest["settings"], manifest["sources"], manifest["files"]  # required keys
    except (ValueError, KeyError, TypeError) as exc:
        raise IndexCorruptError(f"{manifest_path}: unreadable manifest ({exc}); rebuild the index.") from None
    return build.resolve(), manifest


def check_manifest(index_dir: Path, manifest: dict[str, Any], settings: Settings, check_sources: bool = True) -> None:
    """Raise `IndexMismatchError` when the index was built differently from what is asked now."""
    how = rebuild_command(index_dir, manifest)
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexMismatchError(
            f"{index_dir} has index format {manifest.get('format_version')}, this version reads {FORMAT_VERSION}; "
            f"rebuild it: `{how}`."
        )
    wanted = settings.index_settings()
    diffs = [f"{k}: index {manifest['settings'].get(k)!r}, now {v!r}" for k, v in wanted.items()
             if manifest["settings"].get(k) != v]
    if diffs:
        raise IndexMismatchError(
            f"{index_dir} was built with other settings ({'; '.join(diffs)}); rebuild it: `{how}`."
        )
    if check_sources:
        for source in manifest["sources"]:
            path = Path(source["path"])
            if path.is_file() and _sha256_file(path) != source["sha256"]:
                raise IndexMismatchError(f"{path} changed since {index_dir} was built; rebuild it: `{how}`.")


def load_index(
    index_dir: str | Path, settings: Settings | None = None, check_sources: bool = True, verify: bool = True
) -> Index:
    """Load an index, checking its manifest against `settings` and (with `verify`) every file's sha256."""
    import faiss

    settings = settings or Settings()
    index_dir = Path(index_dir)
    build, manifest = read_manifest(index_dir)
    check_manifest(index_dir, manifest, settings, check_sources)
    for name, digest in manifest["files"].items():
        path = build / name
        if not path.is_file():
            raise IndexCorruptError(
                f"{index_dir}: {name} is missing; rebuild: `{rebuild_command(index_dir, manifest)}`."
            )
        if verify and _sha256_file(path) != digest:
            raise IndexCorruptError(
                f"{index_dir}: {name} does not match its manifest (damaged?); "
                f"rebuild: `{rebuild_command(index_dir, manifest)}`."
            )
    try:
        with (build / "passages.jsonl").open(encoding="utf-8") as fh:
            passages = [Passage.from_record(json.loads(line)) for line in fh]
        sources = {s["doc"]: (build / "sources" / f"{s['doc']}.txt").read_text(encoding="utf-8")
                   for s in manifest["sources"]}
        passage_vectors = np.load(build / "passage_vectors.npy", allow_pickle=False)
        sentence_vectors = np.load(build / "sentence_vectors.npy", allow_pickle=False)
        dense = faiss.read_index(str(build / "dense.faiss"))
        bm25 = Bm25.load(build / "bm25")
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise IndexCorruptError(
            f"{index_dir}: cannot be read ({exc}); rebuild: `{rebuild_command(index_dir, manifest)}`."
        ) from None
    if len(passages) != len(passage_vectors) or dense.ntotal != len(passages):
        raise IndexCorruptError(f"{index_dir}: passages and vectors disagree in number; rebuild the index.")
    return Index(build, manifest, passages, sources, passage_vectors, sentence_vectors, dense, bm25)
