"""An index in segments (rag/segments.py): an addition appends one, loading composes them as one index.

The composites are checked against oracles (one array, one flat FAISS index, one BM25 index), and a library of
two segments against the same library compacted into one: same passages, sources, dense rankings, answers.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from briefings import HARBOR, ISLANDS, LAKES, NORRVIK, RIVERS  # tests/briefings.py
from click.testing import CliRunner

import rag.library
import rag.segments
from rag import Assistant, Retriever, Settings, build_index
from rag.aliases import Aliases
from rag.cli import main
from rag.embed import Embedder
from rag.errors import IndexCorruptError
from rag.index import Index, load_index
from rag.lexical import Bm25
from rag.library import add_documents, remove_documents
from rag.segments import SegmentedBm25, SegmentedDense, Stacked, merge_aliases

#: Questions about the first two briefings and about the one added.
OLD_QUESTIONS = ["Who met Prime Minister Sato in Gdansk?", "Why is Laos building the dams?",
                 "What did the Mekong River Commission warn?"]
NEW_QUESTIONS = ["Who pledged to double the money spent on lake monitoring?",
                 "How much did the Lakes Fund receive from the European Investment Bank?",
                 "Where did Portugal and Spain sign a water-sharing protocol?"]


def write(folder: Path, **texts: str) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, text in texts.items():
        out[name] = folder / f"{name}.txt"
        out[name].write_text(text, encoding="utf-8")
    return out


def builds(index_dir: Path) -> set[str]:
    return {p.name for p in index_dir.glob("build-*")}


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory, settings: Settings, embedder: Embedder) -> tuple[Index, Index]:
    """The same library (harbor, rivers, then lakes added) in two segments and compacted into one."""
    root = tmp_path_factory.mktemp("segments")
    files = write(root / "files", harbor=HARBOR, rivers=RIVERS, lakes=LAKES)
    out = []
    for name, most in (("segmented", rag.segments.MAX_SEGMENTS), ("compacted", 1)):
        build_index([files["harbor"], files["rivers"]], root / name, settings, embedder, progress=False)
        patch = pytest.MonkeyPatch()
        patch.setattr(rag.library, "MAX_SEGMENTS", most)
        try:
            out.append(add_documents(root / name, [files["lakes"]], settings=settings, embedder=embedder,
                                     progress=False))
        finally:
            patch.undo()
    return out[0], out[1]


# ------------------------------------------------------------------------------------------------ composites


def test_stacked_rows_read_as_one_array() -> None:
    rng = np.random.default_rng(0)
    parts = [rng.normal(size=(n, 4)).astype(np.float32) for n in (3, 1, 5)]
    whole, rows = np.concatenate(parts), Stacked(parts)
    assert rows.shape == whole.shape and len(rows) == 9 and rows.dtype == whole.dtype
    for i in (0, 2, 3, 4, 8, -1):
        assert np.array_equal(rows[i], whole[i])
    for a, b in ((0, 9), (2, 5), (3, 4), (4, 4), (1, 8), (5, 100)):
        assert np.array_equal(rows[a:b], whole[a:b])
    picks = np.array([8, 0, 3, 3, 4, 2])
    assert np.array_equal(rows[picks], whole[picks])
    assert np.array_equal(np.asarray(rows), whole)
    with pytest.raises(IndexError):
        rows[9]


def test_segmented_dense_search_equals_one_flat_index() -> None:
    import faiss

    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(60, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    whole = faiss.IndexFlatIP(8)
    whole.add(vectors)
    parts = []
    for a, b in ((0, 25), (25, 27), (27, 60)):
        part = faiss.IndexFlatIP(8)
        part.add(vectors[a:b])
        parts.append(part)
    dense = SegmentedDense(parts)
    assert dense.ntotal == 60
    queries = rng.normal(size=(3, 8)).astype(np.float32)
    for k in (1, 5, 30, 60, 70):
        scores, ids = dense.search(queries, k)
        want_scores, want_ids = whole.search(queries, k)
        assert np.array_equal(ids, want_ids)
        assert np.allclose(scores[ids >= 0], want_scores[want_ids >= 0], atol=1e-6)


def test_segmented_bm25_uses_the_library_idf() -> None:
    """Passages of one length (equal avgdl in every segment): the segments score exactly as one BM25 index."""
    words = ["quota", "harbor", "dredging", "ferry", "lantern", "accord", "cod", "salmon", "river", "dam"]
    rng = np.random.default_rng(2)
    texts = [" ".join(rng.choice(words, size=6, replace=False)) for _ in range(40)]
    texts += ["lantern accord quota harbor ferry cod"]  # a rare mix, in the small last segment
    whole = Bm25.build(texts)
    bm25 = SegmentedBm25([Bm25.build(texts[:30]), Bm25.build(texts[30:36]), Bm25.build(texts[36:])])
    assert bm25.size == whole.size == len(texts)
    assert bm25.document_frequencies() == whole.document_frequencies()
    for query in ("lantern accord", "salmon dam river", "cod cod harbor", "nothing here"):
        ids, scores = bm25.search(query, 10)
        want_ids, want_scores = whole.search(query, 10)
        assert np.allclose(scores, want_scores, rtol=1e-5)
        if len(scores):  # the same passages (but for ties at the last score, which either may cut)
            assert set(ids[scores > scores.min()].tolist()) <= set(want_ids.tolist())
        among = np.array([40, 3, 31, 7])
        a_ids, a_scores = bm25.search_among(query, among)
        w_ids, w_scores = whole.search_among(query, among)
        assert np.allclose(a_scores, w_scores, rtol=1e-5) and sorted(a_ids.tolist()) == sorted(w_ids.tolist())


def test_merged_aliases_unite_the_tables_and_keep_what_the_types_allow() -> None:
    old = Aliases(types={"sato": "person", "oslo": "place"}, surnames=frozenset({"Sato"}),
                  acronyms={"Nordic Council": "NC"}, capitals={"Oslo": "Norway", "Lima": "Peru"})
    new = Aliases(types={"lima": "person", "riga": "place"}, acronyms={"Nordic Council": "NOC", "Lakes Fund": "LF"},
                  capitals={"Oslo": "Norway", "Lima": "Peru"}, grains={"Riga": "city"})
    merged = merge_aliases([old, new])
    assert merged.types == {"lima": "person", "oslo": "place", "riga": "place", "sato": "person"}
    assert merged.acronyms == {"Nordic Council": "NC", "Lakes Fund": "LF"}  # the first definition wins
    assert merged.capitals == {"Oslo": "Norway"}  # "Lima" is a person's name in the library
    assert merged.surnames == {"Sato"} and merged.grains == {"Riga": "city"}


# ------------------------------------------------------------------------------------------------- libraries


def test_an_addition_appends_a_segment_that_answers_as_the_compacted_library(pair: tuple[Index, Index],
                                                                            embedder: Embedder) -> None:
    segmented, compacted = pair
    assert [len(s.docs) for s in segmented.manifest.parts()] == [2, 1]
    assert len(compacted.manifest.parts()) == 1
    assert list(segmented.passages) == list(compacted.passages)
    assert segmented.sources == compacted.sources
    assert [s.doc for s in segmented.manifest.sources] == [s.doc for s in compacted.manifest.sources]
    assert segmented.manifest.counts == compacted.manifest.counts
    assert np.allclose(np.asarray(segmented.passage_vectors), compacted.passage_vectors, atol=1e-5)
    assert np.allclose(np.asarray(segmented.sentence_vectors), compacted.sentence_vectors, atol=1e-5)
    assert np.array_equal(segmented.sentence_offsets, compacted.sentence_offsets)
    assert segmented.aliases.types == compacted.aliases.types
    assert segmented.aliases.acronyms == compacted.aliases.acronyms
    assert segmented.aliases.surnames == compacted.aliases.surnames
    ask = {name: (Retriever(index, embedder), Assistant(index, embedder=embedder))
           for name, index in (("segmented", segmented), ("compacted", compacted))}
    for q in OLD_QUESTIONS + NEW_QUESTIONS:
        dense = {name: r.dense(q, 20)[0].tolist() for name, (r, _) in ask.items()}
        assert dense["segmented"] == dense["compacted"], q
        answers = {name: a.answer(q) for name, (_, a) in ask.items()}
        got, want = answers["segmented"], answers["compacted"]
        assert (got.text, got.abstained) == (want.text, want.abstained), q
        assert [(c.passage.id, c.highlight_start, c.highlight_end) for c in got.citations] == \
            [(c.passage.id, c.highlight_start, c.highlight_end) for c in want.citations], q
    for q in NEW_QUESTIONS:  # BM25 agrees up to each segment's own average length: its best passage at least
        assert ask["segmented"][0].bm25(q, 5)[0][0] == ask["compacted"][0].bm25(q, 5)[0][0], q


def test_removal_replacement_and_too_many_segments_compact(tmp_path: Path, settings: Settings, embedder: Embedder,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    files = write(tmp_path / "files", harbor=HARBOR, rivers=RIVERS, lakes=LAKES, islands=ISLANDS, norrvik=NORRVIK)
    index_dir = tmp_path / "idx"
    build_index([files["harbor"]], index_dir, settings, embedder, progress=False)
    monkeypatch.setattr(rag.library, "MAX_SEGMENTS", 3)
    counts = []
    for name in ("rivers", "lakes", "islands"):
        index = add_documents(index_dir, [files[name]], settings=settings, embedder=embedder, progress=False)
        counts.append(len(index.manifest.parts()))
        assert len(builds(index_dir)) == counts[-1]  # each segment's build kept, no other
    assert counts == [2, 3, 1]  # the fourth segment would be one too many: compacted instead
    assert [s.doc for s in index.manifest.sources] == ["harbor", "rivers", "lakes", "islands"]
    index = add_documents(index_dir, [files["norrvik"]], settings=settings, embedder=embedder, progress=False)
    assert len(index.manifest.parts()) == 2
    files["norrvik"].write_text(NORRVIK.replace("four times", "five times"), encoding="utf-8")
    index = add_documents(index_dir, [files["norrvik"]], settings=settings, embedder=embedder, progress=False)
    assert len(index.manifest.parts()) == 1 and len(builds(index_dir)) == 1  # a replacement compacts
    assert "five times" in index.sources["norrvik"]
    index = remove_documents(index_dir, ["lakes"], settings=settings, embedder=embedder, progress=False)
    assert len(index.manifest.parts()) == 1 and len(builds(index_dir)) == 1
    assert "lakes" not in index.sources
    index = add_documents(index_dir, [files["lakes"]], settings=settings, embedder=embedder, progress=False)
    assert len(index.manifest.parts()) == 2
    code = CliRunner().invoke(main, ["index", "compact", "--index-dir", str(index_dir)])
    assert code.exit_code == 0 and "one segment: 5 document(s)" in code.stdout, code.output
    compacted = load_index(index_dir)
    assert len(compacted.manifest.parts()) == 1 and len(builds(index_dir)) == 1
    assert list(compacted.passages) == list(index.passages)


def test_publish_keeps_the_builds_the_manifest_lists_and_removes_the_rest(tmp_path: Path, settings: Settings,
                                                                          embedder: Embedder) -> None:
    files = write(tmp_path / "files", harbor=HARBOR, rivers=RIVERS, lakes=LAKES)
    index_dir = tmp_path / "idx"
    first = build_index([files["harbor"]], index_dir, settings, embedder, progress=False).path.name
    stray = index_dir / "build-20000101T000000-000000"  # left by an older version, listed by nobody
    stray.mkdir()
    second = add_documents(index_dir, [files["rivers"]], settings=settings, embedder=embedder, progress=False)
    assert builds(index_dir) == {first, second.path.name}
    assert [s.build for s in second.manifest.parts()] == [first, "."]
    manifest = json.loads((second.path / "manifest.json").read_text())
    assert {k for k in manifest["files"] if k.startswith(f"{first}/")} and "passages.jsonl" in manifest["files"]
    third = add_documents(index_dir, [files["lakes"]], settings=settings, embedder=embedder, progress=False)
    assert builds(index_dir) == {first, second.path.name, third.path.name}
    assert [s.build for s in third.manifest.parts()] == [first, second.path.name, "."]
    fresh = load_index(index_dir)  # every segment's files verified against the manifest
    assert [s.doc for s in fresh.manifest.sources] == ["harbor", "rivers", "lakes"]
    (index_dir / first / "passages.jsonl").write_text("damaged\n")
    with pytest.raises(IndexCorruptError, match="passages.jsonl"):
        load_index(index_dir)


def test_a_format_8_build_loads_and_takes_an_addition(tmp_path: Path, settings: Settings,
                                                      embedder: Embedder) -> None:
    files = write(tmp_path / "files", harbor=HARBOR, rivers=RIVERS)
    index_dir = tmp_path / "idx"
    old = build_index([files["harbor"]], index_dir, settings, embedder, progress=False).path
    manifest = json.loads((old / "manifest.json").read_text())
    manifest["format_version"] = 8
    del manifest["segments"]  # the layout of a format-8 build: one segment, no list
    (old / "manifest.json").write_text(json.dumps(manifest, indent=2))
    loaded = load_index(index_dir)
    assert loaded.manifest.format_version == 8 and len(loaded.manifest.parts()) == 1
    index = add_documents(index_dir, [files["rivers"]], settings=settings, embedder=embedder, progress=False)
    assert index.manifest.format_version == 9
    assert [s.build for s in index.manifest.parts()] == [old.name, "."]
    assert json.loads((old / "manifest.json").read_text()) == manifest  # the old build is listed, not rewritten
    answer = Assistant(index, embedder=embedder).answer("Why is Laos building the dams?")
    assert "export revenue" in answer.text


def test_segments_are_loaded_once_per_process(tmp_path: Path, settings: Settings, embedder: Embedder,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    files = write(tmp_path / "files", harbor=HARBOR, rivers=RIVERS)
    index_dir = tmp_path / "idx"
    first = build_index([files["harbor"]], index_dir, settings, embedder, progress=False)
    again = load_index(index_dir)
    assert again.segments[0] is first.segments[0] and again.passages is first.passages  # nothing read again
    read = []
    import rag.index

    real = rag.index.read_passages
    monkeypatch.setattr(rag.index, "read_passages", lambda folder, *a: read.append(folder) or real(folder, *a))
    added = add_documents(index_dir, [files["rivers"]], settings=settings, embedder=embedder, progress=False)
    assert read == [added.path]  # only the new segment's passages were read
    assert added.segments[0] is first.segments[0]
    assert [p.doc for p in added.passages] == [p.doc for p in first.passages] + ["rivers"] * (
        len(added.passages) - len(first.passages))


def test_copies_of_added_documents_are_read_from_their_segments(tmp_path: Path, settings: Settings,
                                                                 embedder: Embedder) -> None:
    """Rebuilding the default index keeps the documents added to it: their copies are in earlier segments."""
    from rag.store import _added_documents

    files = write(tmp_path / "files", harbor=HARBOR, rivers=RIVERS, lakes=LAKES)
    index_dir = tmp_path / "idx"
    build_index([files["harbor"]], index_dir, settings, embedder, progress=False)
    for name in ("rivers", "lakes"):
        add_documents(index_dir, [files[name]], settings=settings, embedder=embedder, progress=False)
    docs = _added_documents(index_dir)
    assert [d.id for d in docs] == ["rivers", "lakes"]
    assert [d.source for d in docs] == [load_index(index_dir).sources[d] for d in ("rivers", "lakes")]
