"""Passages read lazily (rag/passage_table.py) and the large files' sha256 checked in the background
(rag/integrity.py): the same passages, columns and lemma counts as reading everything, for new builds and for
builds without a table; and a damaged file never answers."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from rag import Assistant, Embedder, Index, Settings
from rag import integrity as integrity_module
from rag.errors import IndexCorruptError
from rag.index import load_index
from rag.library import add_documents
from rag.passage_table import DERIVED_FILE, TABLE_FILE, Columns, PassageTable, chain, lemma_pairs, read_passages
from rag.schema import Passage
from tests.briefings import HARBOR, RIVERS


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory, settings: Settings, embedder: Embedder) -> Index:
    tmp = tmp_path_factory.mktemp("table")
    paths = []
    for name, text in (("harbor", HARBOR), ("rivers", RIVERS)):
        path = tmp / f"{name}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return add_documents(tmp / "index", paths, settings=settings, embedder=embedder, progress=False)


def _decoded(build: Path) -> list[Passage]:
    """Every passage decoded from passages.jsonl, as loading did before tables."""
    with (build / "passages.jsonl").open(encoding="utf-8") as fh:
        return [Passage.from_record(json.loads(line)) for line in fh]


def _copy(library: Index, to: Path) -> Path:
    shutil.copytree(library.index_dir, to, symlinks=True)
    return to / "current"


def _as_format_8(build: Path) -> None:
    """The build as written before tables: no passage_table.npz, none in the manifest."""
    (build / TABLE_FILE).unlink()
    manifest = json.loads((build / "manifest.json").read_text())
    del manifest["files"][TABLE_FILE]
    (build / "manifest.json").write_text(json.dumps(manifest))


def _columns_equal(a: Columns, b: Columns) -> None:
    assert a.ids == b.ids and a.docs == b.docs and a.sections == b.sections
    assert a.date_start == b.date_start and a.date_end == b.date_end
    for name in ("doc", "section", "chronology", "char_start", "char_end", "n_sentences"):
        assert getattr(a, name).tolist() == getattr(b, name).tolist(), name


def test_a_lazy_table_holds_the_passages_a_full_read_gives(library: Index) -> None:
    assert isinstance(library.passages, PassageTable)
    every = _decoded(library.path)
    assert len(library.passages) == len(every) and list(library.passages) == every
    assert library.passages[-1] == every[-1] and library.passages[1:3] == every[1:3]
    _columns_equal(library.columns, Columns.of(every))
    assert library.lemma_pairs() == lemma_pairs(every, library.source)
    assert list(library.lemma_pairs()) == list(lemma_pairs(every, library.source))  # first-seen order kept
    assert library.sentence_offsets.tolist() == np.cumsum([0] + [len(p.sentences) for p in every]).tolist()


def test_a_build_without_a_table_loads_the_same_and_keeps_its_derived_table(library: Index, tmp_path: Path) -> None:
    build = _copy(library, tmp_path / "old")
    _as_format_8(build)
    first = load_index(tmp_path / "old")
    assert (build / DERIVED_FILE).is_file()  # kept beside the files, outside the manifest
    _columns_equal(first.columns, library.columns)
    assert first.lemma_pairs() == library.lemma_pairs() and list(first.passages) == list(library.passages)
    again = load_index(tmp_path / "old")
    _columns_equal(again.columns, library.columns)
    assert again.lemma_pairs() == library.lemma_pairs()


def test_a_derived_table_serves_only_the_passages_it_came_from(library: Index, tmp_path: Path) -> None:
    build = _copy(library, tmp_path / "old")
    _as_format_8(build)
    load_index(tmp_path / "old")
    derived = build / DERIVED_FILE
    manifest = json.loads((build / "manifest.json").read_text())
    with np.load(derived) as z:
        assert str(z["digest"]) == manifest["files"]["passages.jsonl"]
    manifest["files"]["passages.jsonl"] = "0" * 64  # other passages than those it was derived from
    (build / "manifest.json").write_text(json.dumps(manifest))
    index = load_index(tmp_path / "old", verify=False)
    with np.load(derived) as z:
        assert str(z["digest"]) == "0" * 64  # derived anew
    _columns_equal(index.columns, library.columns)
    derived.write_bytes(b"not a table")
    index = load_index(tmp_path / "old", verify=False)  # a damaged derived table is derived again
    _columns_equal(index.columns, library.columns)
    assert index.lemma_pairs() == library.lemma_pairs()


def test_a_damaged_line_is_an_error_when_read(library: Index, tmp_path: Path) -> None:
    build = _copy(library, tmp_path / "idx")
    data = bytearray((build / "passages.jsonl").read_bytes())
    data[5:9] = b"XXXX"  # inside the first line's id, same length
    (build / "passages.jsonl").write_bytes(bytes(data))
    index = load_index(tmp_path / "idx", verify=False)
    with pytest.raises(IndexCorruptError, match="passages.jsonl"):
        index.passages[0]
    assert index.passages[1] == library.passages[1]


def test_large_files_are_hashed_in_the_background_and_a_damaged_one_never_answers(
    library: Index, tmp_path: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("rag.segments.DEFER_ABOVE", 1024)  # the vectors and passages count as large here
    assert integrity_module.DEFER_ABOVE > 1024
    intact = load_index(library.index_dir)
    check = intact.segments[0].integrity
    assert check is not None and {n for n, _, _ in check.files} >= {"sentence_vectors.npy"}
    intact.check_integrity()
    assert not Assistant(intact, embedder=embedder).answer("Where was the fisheries accord signed?").abstained

    build = _copy(library, tmp_path / "idx")
    vectors = build / "sentence_vectors.npy"
    data = bytearray(vectors.read_bytes())
    data[-3] ^= 0xFF  # a flipped bit inside the last vector: same size, same shape
    vectors.write_bytes(bytes(data))
    damaged = load_index(tmp_path / "idx")  # starts: only the background check can see it
    with pytest.raises(IndexCorruptError, match="sentence_vectors.npy"):
        Assistant(damaged, embedder=embedder).answer("Where was the fisheries accord signed?")
    with pytest.raises(IndexCorruptError, match="sentence_vectors.npy"):
        damaged.check_integrity()


def test_a_truncated_large_file_is_refused_at_load(library: Index, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("rag.segments.DEFER_ABOVE", 1024)
    build = _copy(library, tmp_path / "idx")
    for name in ("passage_vectors.npy", "passages.jsonl"):
        path = build / name
        whole = path.read_bytes()
        path.write_bytes(whole[:-100])
        with pytest.raises(IndexCorruptError, match=name.replace(".", r"\.")):
            load_index(tmp_path / "idx")
        path.write_bytes(whole)
    load_index(tmp_path / "idx").check_integrity()


def test_chained_tables_read_as_one(library: Index, tmp_path: Path) -> None:
    """Segments: several build folders' tables, one after the other, as one sequence with one set of columns."""
    first = read_passages(library.path)
    other = read_passages(_copy(library, tmp_path / "again"))
    both = chain([first, other])
    every = list(library.passages)
    assert len(both) == 2 * len(every) and list(both) == every + every and both[-1] == every[-1]
    assert both[len(every) : len(every) + 2] == every[:2]
    _columns_equal(both.columns, Columns.of(every + every))
    assert both.lemma_pairs() == Counter({k: 2 * v for k, v in library.lemma_pairs().items()})
    assert chain([first]) is first


def test_threads_reading_one_table_get_one_object_per_passage(library: Index, tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    table = read_passages(_copy(library, tmp_path / "idx"))
    n = len(table)
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda i: table[i % n], range(8 * n)))
    assert all(p is table[i % n] for i, p in enumerate(got)) and list(table) == list(library.passages)
