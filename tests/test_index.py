import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import rag.store
from rag import Index, Settings, build_index, open_index
from rag.build import make_dense_index
from rag.embed import Embedder
from rag.errors import IndexBusyError, IndexCorruptError, IndexMismatchError, IndexNotFoundError
from rag.index import load_index
from rag.manifest import FORMAT_VERSION, Manifest
from rag.settings import DEFAULT_CORPUS


class CountingEmbedder(Embedder):
    """The real model, counting how many texts it is asked to embed."""

    def __init__(self, inner: Embedder) -> None:
        super().__init__(inner.settings)
        self._model = inner.model
        self.encoded = 0

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        self.encoded += len(texts)
        return super().encode(texts, progress)


def test_build_writes_a_manifest_and_loads(briefing_index: Index) -> None:
    index, folder = briefing_index, briefing_index.path.parent  # built by build_index for the session
    text = (folder / "current" / "manifest.json").read_text(encoding="utf-8")
    manifest = json.loads(text)
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["settings"] == Settings().index_settings()
    assert manifest["dimension"] == 384
    assert manifest["sources"][0]["sha256"] and manifest["counts"]["passages"] == len(index)
    assert Manifest.from_json(text).to_json() == text and index.manifest == Manifest.from_json(text)
    again = load_index(folder)
    assert [p.id for p in again.passages] == [p.id for p in index.passages]
    assert index.source(index.passages[0].doc)[index.passages[0].char_start : index.passages[0].char_end] == index.passages[0].text


def test_missing_index_names_the_build_command(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError, match="rag index build"):
        load_index(tmp_path / "nowhere")


def test_settings_mismatch_is_an_error_for_a_named_index(briefing_index) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IndexMismatchError, match="max_tokens.*rag index build"):
        load_index(briefing_index.path.parent, Settings(max_tokens=80))


@pytest.mark.slow
def test_changed_source_is_detected(tmp_path: Path, embedder: Embedder) -> None:
    source = tmp_path / "brief.txt"
    shutil.copy(DEFAULT_CORPUS, source)
    build_index([source], tmp_path / "idx", embedder=embedder, progress=False)
    source.write_text(source.read_text(encoding="utf-8") + "\nA new closing paragraph.\n", encoding="utf-8")
    with pytest.raises(IndexMismatchError, match="changed since"):
        load_index(tmp_path / "idx")


def test_corrupt_files_are_never_loaded_silently(tmp_path: Path, briefing_index: Index) -> None:
    tmp_path = tmp_path / "idx"
    shutil.copytree(briefing_index.path.parent, tmp_path, symlinks=True)
    vectors = tmp_path / "current" / "passage_vectors.npy"
    vectors.write_bytes(vectors.read_bytes()[:-100])
    with pytest.raises(IndexCorruptError, match="passage_vectors.npy"):
        load_index(tmp_path)
    (tmp_path / "current" / "manifest.json").write_text("{not json")
    with pytest.raises(IndexCorruptError, match="manifest"):
        load_index(tmp_path)
    (tmp_path / "current" / "manifest.json").unlink()
    with pytest.raises(IndexCorruptError, match="no manifest"):
        load_index(tmp_path)


@pytest.mark.slow
def test_interrupted_build_leaves_previous_index_usable(tmp_path: Path, embedder: Embedder, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    first = build_index([DEFAULT_CORPUS], tmp_path, embedder=embedder, progress=False)

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("faiss.write_index", crash)
    with pytest.raises(OSError, match="No space"):
        build_index([DEFAULT_CORPUS], tmp_path, Settings(max_tokens=80), embedder=embedder, progress=False)
    monkeypatch.undo()
    survivor = load_index(tmp_path)
    assert [p.id for p in survivor.passages] == [p.id for p in first.passages]
    # the next build clears what the crashed one left behind
    build_index([DEFAULT_CORPUS], tmp_path, embedder=embedder, progress=False)
    assert not list(tmp_path.glob(".tmp-*"))
    assert len(list(tmp_path.glob("build-*"))) == 1


@pytest.mark.slow
def test_unchanged_passages_are_not_embedded_again(tmp_path: Path, embedder: Embedder) -> None:
    source = tmp_path / "brief.txt"
    shutil.copy(DEFAULT_CORPUS, source)
    counting = CountingEmbedder(embedder)
    build_index([source], tmp_path / "idx", embedder=counting, progress=False)
    full = counting.encoded
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("The tragedy resurrected those concerns.", "The tragedy revived those fears."),
                      encoding="utf-8")
    counting.encoded = 0
    index = build_index([source], tmp_path / "idx", embedder=counting, progress=False)
    assert 0 < counting.encoded <= 3 < full  # one passage and its one new sentence
    fresh = embedder.encode([p.embed_text() for p in index.passages])
    assert np.allclose(fresh, index.passage_vectors, atol=1e-5)


@pytest.mark.slow
def test_several_files_make_one_index_keeping_their_documents(tmp_path: Path, embedder: Embedder) -> None:
    other = tmp_path / "other.md"
    other.write_text("# Other\n\n## Trade\n\nTariffs on steel rose sharply in March.\n", encoding="utf-8")
    index = build_index([DEFAULT_CORPUS, other], tmp_path / "idx", embedder=embedder, progress=False)
    assert {p.doc for p in index.passages} == {"us-japan-sep-dec-2023", "other"}
    steel = [p for p in index.passages if "steel" in p.text]
    assert steel[0].doc == "other" and index.source("other")[steel[0].char_start : steel[0].char_end] == steel[0].text


def test_a_second_build_at_once_is_refused(tmp_path: Path, embedder: Embedder) -> None:
    from filelock import FileLock

    tmp_path.mkdir(exist_ok=True)
    with FileLock(str(tmp_path / ".lock")), pytest.raises(IndexBusyError, match="Another build"):
        build_index([DEFAULT_CORPUS], tmp_path, embedder=embedder, progress=False)


@pytest.mark.slow
def test_default_index_is_built_then_rebuilt_when_its_source_changes(tmp_path: Path, embedder: Embedder,
                                                                     monkeypatch) -> None:  # type: ignore[no-untyped-def]
    corpus = tmp_path / "us-japan.txt"
    shutil.copy(DEFAULT_CORPUS, corpus)
    monkeypatch.setattr(rag.store, "DEFAULT_CORPUS", corpus)
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "default"))
    first = open_index(embedder=embedder, progress=False)
    corpus.write_text(corpus.read_text(encoding="utf-8") + "\nA closing paragraph about rice.\n", encoding="utf-8")
    second = open_index(embedder=embedder, progress=False)
    assert len(second) == len(first) + 1
    assert any("rice" in p.text for p in second.passages)


@pytest.mark.parametrize("n", [500, 3000])
def test_faiss_matches_a_brute_force_oracle(n: int) -> None:
    rng = np.random.default_rng(n)
    vectors = rng.normal(size=(n, 64)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    queries = rng.normal(size=(20, 64)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    oracle = np.argsort(-(queries @ vectors.T), axis=1)[:, :10]
    flat, kind = make_dense_index(vectors, Settings())
    assert kind == "flat"
    _, found = flat.search(queries, 10)
    assert (found == oracle).all()
    hnsw, kind = make_dense_index(vectors, Settings(approximate_above=100))
    assert kind == "hnsw32"
    _, approx = hnsw.search(queries, 10)
    recall = np.mean([len(set(a) & set(o)) / 10 for a, o in zip(approx.tolist(), oracle.tolist())])
    assert recall >= 0.95
