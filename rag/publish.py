"""Publishing a build atomically: one lock per index folder, fsync, manifest last, one symlink swap.

Layout of an index folder::

    DIR/current -> build-20231201T130000-cd34ef   (symlink, swapped atomically)
    DIR/build-20231201T130000-cd34ef/manifest.json  (written last; a build without one is never loaded)
    DIR/build-20231201T130000-cd34ef/passages.jsonl, passage_vectors.npy, sentence_vectors.npy, dense.faiss,
        bm25/, aliases.json, sources/               (the build's own segment)
    DIR/build-20231201T120000-ab12cd/…              (an earlier build, kept while the current manifest lists
                                                     it as a segment: an addition writes only its documents)
    DIR/.tmp-build-...                              (a build being written; removed if it fails)

A manifest's `segments` lists, oldest first, the builds whose files make up the index (`rag.segments`); its
`files` hold every segment's sha256 ("build-…/passages.jsonl" for an earlier one). Publishing a build removes
every build folder it does not list.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from rag.errors import IndexBusyError, IndexWriteError
from rag.manifest import CURRENT, MANIFEST, OWN, Manifest

#: What an `OSError` while writing means to the user, and what to do about it.
_WHY = {
    errno.ENOSPC: "no space left on device; free some space and retry",
    errno.EDQUOT: "disk quota exceeded; free some space and retry",
    errno.EROFS: "the file system is read-only; choose another --index-dir",
    errno.EACCES: "permission denied; choose a folder you can write to (--index-dir)",
    errno.EPERM: "operation not permitted (a read-only or immutable folder?); choose another --index-dir",
}


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


def _published(index_dir: Path, build: Path) -> bool:
    return os.path.realpath(index_dir / CURRENT) == os.path.realpath(build)


@contextlib.contextmanager
def writing(index_dir: Path, *partial: Path) -> Iterator[None]:
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


@contextlib.contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """Hold the folder's build lock (creating the folder); a second build meanwhile gets `IndexBusyError`."""
    from filelock import FileLock, Timeout

    lock = FileLock(str(index_dir / ".lock"), timeout=0)
    with writing(index_dir):
        index_dir.mkdir(parents=True, exist_ok=True)
        try:
            lock.acquire()
        except Timeout:
            raise IndexBusyError(
                f"Another build of {index_dir} is running; wait for it to finish and try again."
            ) from None
    try:
        yield
    finally:
        lock.release()


def clear_leftovers(index_dir: Path) -> None:
    """Remove what a killed build left behind: its temp folder and its half-made symlink."""
    for stale in [*index_dir.glob(".tmp-build-*"), *index_dir.glob(f".{CURRENT}-*")]:
        if stale.is_symlink():
            stale.unlink(missing_ok=True)
        else:
            shutil.rmtree(stale, ignore_errors=True)


def new_build_name() -> str:
    return f"build-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"


def publish(index_dir: Path, tmp: Path, name: str, manifest: Manifest) -> None:
    """Make the fully written build in `tmp` the index's `current` one, then remove the builds it replaces
    (every build folder but the new one and those its manifest lists as earlier segments).

    The manifest is written (and synced) last inside `tmp`; `tmp` is renamed to `name`; a fresh symlink
    replaces `current` in one atomic step.
    """
    with writing(index_dir, tmp):
        _fsync_tree(tmp)
        manifest_tmp = tmp / (MANIFEST + ".part")
        manifest_tmp.write_text(manifest.to_json(), encoding="utf-8")
        with manifest_tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(manifest_tmp, tmp / MANIFEST)
        _fsync_dir(tmp)
    with writing(index_dir, tmp, index_dir / name):
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
    # Builds the new one lists as its earlier segments stay; the others are replaced.
    keep = {name} | {s.build for s in manifest.segments if s.build != OWN}
    for old in index_dir.glob("build-*"):
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)
