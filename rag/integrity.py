"""The sha256 check of an index's large files, run on a background thread while the index starts.

An archive's build holds ~1 GB of passages, vectors and FAISS graph; hashing it took over a second of CPU before
the first question could be taken. `load_index` hashes every small file before it returns (the manifest's
sources, BM25, aliases, tables) and checks the large ones' structure (sizes and shapes, which catch a truncated
file); their full sha256 runs on a thread (`Verification`, one per segment, rag/segments.py), and an answer
waits for it: `Assistant.answer` calls `Index.check_integrity()`, which raises `IndexCorruptError` naming the
damaged file. A damaged index never
answers, silently or not; it only starts sooner.

Example:
    >>> check = Verification(Path("idx"), [("passages.jsonl", build / "passages.jsonl", digest)], how)  # doctest: +SKIP
    >>> check.wait()  # doctest: +SKIP
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from rag.errors import IndexCorruptError
from rag.manifest import sha256_file

__all__ = ["DEFER_ABOVE", "Verification"]

#: Files at least this large are hashed on the background thread; smaller ones before `load_index` returns
#: (an index of a few briefings is checked whole before it loads, as before).
DEFER_ABOVE = 32 * 2**20


class Verification:
    """Hashes `files` ((name, path, expected sha256) each) on a daemon thread; `wait` returns or raises."""

    def __init__(self, index_dir: Path, files: list[tuple[str, Path, str]], rebuild: str,
                 on_ok: Callable[[], None] | None = None) -> None:
        self.index_dir = index_dir
        self.files = files
        self.rebuild = rebuild
        self.on_ok = on_ok
        self._damaged: str | None = None
        self._done = threading.Event()
        if files:
            threading.Thread(target=self._run, name="rag-verify", daemon=True).start()
        else:
            self._done.set()

    def _run(self) -> None:
        try:
            for name, path, digest in self.files:
                try:
                    ok = sha256_file(path) == digest
                except OSError:
                    ok = False
                if not ok:
                    self._damaged = name
                    return
            if self.on_ok is not None:
                self.on_ok()
        finally:
            self._done.set()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    @property
    def failed(self) -> bool:
        """Done, and a file did not match."""
        return self._done.is_set() and self._damaged is not None

    def wait(self) -> None:
        """Return once every file matched its manifest; raise `IndexCorruptError` naming the first that did not."""
        self._done.wait()
        if self._damaged is not None:
            raise IndexCorruptError(
                f"{self.index_dir}: {self._damaged} does not match its manifest (damaged?); rebuild: `{self.rebuild}`."
            )
