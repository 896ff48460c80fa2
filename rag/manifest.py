"""An index's `manifest.json`: what it was built from and with, read back and checked before anything loads."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.errors import IndexCorruptError, IndexMismatchError, IndexNotFoundError
from rag.settings import Settings

#: Bumped whenever the files of a build change meaning; an index of another format is rebuilt, never converted.
#: 2: passages carry typed entity spans; 3: and the page they start on; 4: sources/ID.blocks.json, content
#: hashes; 5: aliases.json; 6: passages carry spaCy's parse (lemmas, dependencies); 7: names joined to a
#: person by "and" and a month opening a name are entities of their own; 8: and each figure of a range; 9: a
#: manifest may list earlier builds' segments before its own (`Manifest.segments`, `rag.segments`)
FORMAT_VERSION = 9
#: Formats this version loads: a format-8 build is one segment, its files laid out as a format-9 segment's.
READABLE_FORMATS = (8, 9)
MANIFEST = "manifest.json"
#: The symlink in an index folder that names the published build.
CURRENT = "current"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class Source:
    """One indexed file: its document id, title, resolved path, sha256, passage count and when it was added.

    A `tracked` source is checked against its file when the index loads (a built index follows its files); a
    document added to a library (`rag index add`) is not: the index holds its own copy.
    """

    doc: str
    title: str
    path: str
    sha256: str
    passages: int
    added_at: str = ""
    tracked: bool = True
    #: sha256 of the text with line endings, BOM and trailing spaces normalized (`rag.parse.content_hash`).
    content_sha256: str = ""
    #: The reader that read it (text, markdown, pdf, html, docx) and, for a PDF, its number of pages.
    format: str = "text"
    pages: int | None = None
    #: How the file was read, one line each ("briefing.txt: decoded as windows-1252").
    notes: tuple[str, ...] = ()


#: The build folder name a segment has in the manifest of the build that holds it at its top level.
OWN = "."


@dataclass(frozen=True)
class Segment:
    """A part of an index: the files one build wrote (passages, vectors, FAISS, BM25, aliases, copies).

    A build holds its own segment at its top level (`build` is "."); an addition lists the segments of the
    builds before it by their folder names, siblings of its own (`DIR/build-…`), so nothing is rewritten.
    """

    build: str
    #: The documents whose passages the segment holds, in order.
    docs: tuple[str, ...] = ()
    passages: int = 0
    sentences: int = 0
    #: "flat" or "hnsw32" (`rag.build.make_dense_index`).
    dense_index: str = ""


@dataclass(frozen=True)
class Manifest:
    """Everything a build records about itself; written last, so a build without one is never loaded.

    Example:
        >>> m = Manifest.from_json(Manifest(settings={"model": "m"}, sources=(), files={}).to_json())
        >>> m.model, m.format_version == FORMAT_VERSION
        ('m', True)
    """

    format_version: int | None = FORMAT_VERSION
    package_version: str = ""
    created_at: str = ""
    python: str = ""
    platform: str = ""
    #: `Settings.index_settings()` of the build: model, encoding, max_tokens.
    settings: dict[str, Any] = dataclasses.field(default_factory=dict)
    dimension: int = 0
    dense_index: str = ""
    sources: tuple[Source, ...] = ()
    counts: dict[str, int] = dataclasses.field(default_factory=dict)
    build_seconds: float = 0.0
    #: sha256 of every file of the build but the manifest, by path relative to the build folder; an earlier
    #: segment's files under its build's name ("build-…/passages.jsonl", relative to the index folder).
    files: dict[str, str] = dataclasses.field(default_factory=dict)
    #: The index's segments, oldest first, its own last; empty: one segment, the build's own (format 8).
    segments: tuple[Segment, ...] = ()

    def parts(self) -> tuple[Segment, ...]:
        """The segments, oldest first: `segments`, or the build's own alone when it lists none."""
        if self.segments:
            return self.segments
        return (Segment(OWN, tuple(s.doc for s in self.sources), int(self.counts.get("passages", 0)),
                        int(self.counts.get("sentences", 0)), self.dense_index),)

    def files_of(self, segment: Segment) -> dict[str, str]:
        """The sha256 of `segment`'s files, by path relative to its own build folder."""
        if segment.build == OWN:
            others = {f"{s.build}/" for s in self.segments if s.build != OWN}
            return {k: v for k, v in self.files.items() if not any(k.startswith(o) for o in others)}
        prefix = f"{segment.build}/"
        return {k[len(prefix):]: v for k, v in self.files.items() if k.startswith(prefix)}

    @property
    def model(self) -> str | None:
        return self.settings.get("model")

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), indent=2, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        """Parse a manifest; raises `ValueError`, `KeyError` or `TypeError` when it is not one."""
        data = json.loads(text)
        if not isinstance(data, dict):
            raise TypeError(f"a JSON object was expected, not {type(data).__name__}")
        values = {f.name: data[f.name] for f in dataclasses.fields(cls) if f.name in data}
        for required in ("settings", "sources", "files"):
            if required not in values:
                raise KeyError(required)
        values["sources"] = tuple(Source(**{**s, "notes": tuple(s.get("notes", ()))}) for s in values["sources"])
        values["segments"] = tuple(Segment(**{**s, "docs": tuple(s.get("docs", ()))})
                                   for s in values.get("segments", ()))
        return cls(**values)


def rebuild_command(index_dir: Path, manifest: Manifest | None) -> str:
    files = " ".join(s.path for s in (manifest.sources if manifest else ()) if s.tracked) or "FILES…"
    return f"rag index build --index-dir {index_dir} {files}"


def read_manifest(index_dir: str | Path) -> tuple[Path, Manifest]:
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
        manifest = Manifest.from_json(manifest_path.read_text(encoding="utf-8"))
    except (ValueError, KeyError, TypeError) as exc:
        raise IndexCorruptError(f"{manifest_path}: unreadable manifest ({exc}); rebuild the index.") from None
    return build.resolve(), manifest


def check_model(index_dir: Path, manifest: Manifest, settings: Settings) -> None:
    """Raise `IndexMismatchError` when questions would be embedded with another model than the passages."""
    if manifest.model != settings.model:
        raise IndexMismatchError(
            f"{index_dir} was built with the model {manifest.model!r}, but questions would be embedded with "
            f"{settings.model!r} (RAG_MODEL or --model); rebuild it with that model: "
            f"`{rebuild_command(index_dir, manifest)}`, or unset RAG_MODEL."
        )


def check_manifest(index_dir: Path, manifest: Manifest, settings: Settings, check_sources: bool = True) -> None:
    """Raise `IndexMismatchError` when the index was built differently from what is asked now."""
    how = rebuild_command(index_dir, manifest)
    if manifest.format_version not in READABLE_FORMATS:
        raise IndexMismatchError(
            f"{index_dir} has index format {manifest.format_version}, this version reads "
            f"{' and '.join(map(str, READABLE_FORMATS))}; "
            f"rebuild it: `{how}`."
        )
    check_model(index_dir, manifest, settings)
    diffs = [f"{k}: index {manifest.settings.get(k)!r}, now {v!r}" for k, v in settings.index_settings().items()
             if manifest.settings.get(k) != v]
    if diffs:
        raise IndexMismatchError(
            f"{index_dir} was built with other settings ({'; '.join(diffs)}); rebuild it: `{how}`."
        )
    if check_sources:
        for source in manifest.sources:
            if not source.tracked:
                continue
            path = Path(source.path)
            if path.is_file() and sha256_file(path) != source.sha256:
                raise IndexMismatchError(f"{path} changed since {index_dir} was built; rebuild it: `{how}`.")
