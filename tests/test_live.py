"""Answers in parallel and replicas on one index (ui/live.py): no lock around answering, an atomic swap of the
(index, assistant) pair, and a build published by one replica picked up by another on its next question."""

from __future__ import annotations

import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from gradio_client import Client, handle_file
from sample import OTHER, QUESTION  # tests/sample.py

from rag import Assistant, Embedder, Index
from rag.index import load_index
from ui.app import ChatService, build_app, launch
from ui.live import Live, Snapshot, published_build
from ui.net import free_port

DEV_LIKE = [
    "Where did the Quad Senior Cyber Group meet in December?",
    "What happened on Nov. 16?",
    "Which missile system will Japan send to the US?",
    "What did the Quad do in November?",
    "Who was Korea's special representative on the Dec. 19 call?",
    "How is the weather on Mars?",
]


@pytest.fixture
def folder(tmp_path: Path, briefing_index: Index) -> Path:
    """A copy of the session's published index folder, which the test may edit."""
    target = tmp_path / "idx"
    shutil.copytree(briefing_index.index_dir, target, symlinks=True)
    return target


@pytest.fixture
def other(tmp_path: Path) -> Path:
    path = tmp_path / "upload" / "nordic.txt"
    path.parent.mkdir()
    path.write_text(OTHER, encoding="utf-8")
    return path


def test_answers_in_parallel_threads_equal_answers_one_at_a_time(assistant: Assistant) -> None:
    service = ChatService(assistant, stream_delay=0.0)
    alone = {q: service.answer(q).to_dict() for q in DEV_LIKE}
    for q in DEV_LIKE:
        for key in ("timings_ms",):
            alone[q].pop(key, None)
    assistant.retriever.clear_cache()  # the threads embed the questions themselves, at once
    with ThreadPoolExecutor(max_workers=6) as pool:
        together = list(pool.map(lambda q: (q, service.answer(q).to_dict()), DEV_LIKE * 4))
    for q, got in together:
        got.pop("timings_ms", None)
        assert got == alone[q], q


def test_swap_is_one_assignment_readers_never_see_a_mixed_pair() -> None:
    pairs = [SimpleNamespace(n=i) for i in range(2)]
    snaps = [Snapshot(p, SimpleNamespace(index=p), (f"e{p.n}",), None) for p in pairs]  # type: ignore[arg-type]
    live = Live(snaps[0])
    stop, mixed = threading.Event(), []

    def read() -> None:
        while not stop.is_set():
            snap = live.current  # read once per request
            if snap.assistant.index is not snap.index or snap.examples != (f"e{snap.index.n}",):
                mixed.append(snap)

    readers = [threading.Thread(target=read) for _ in range(4)]
    for t in readers:
        t.start()
    for i in range(20_000):
        live.swap(snaps[i % 2])
    stop.set()
    for t in readers:
        t.join()
    assert not mixed


def test_a_replica_picks_up_a_build_another_published(folder: Path, other: Path, embedder: Embedder) -> None:
    a = ChatService(Assistant(load_index(folder), embedder=embedder), stream_delay=0.0)
    b = ChatService(Assistant(load_index(folder), embedder=embedder), stream_delay=0.0)
    before = published_build(folder)
    assert b.live.current.build == before and not b.live.stale()
    a.add(other)
    assert published_build(folder) != before and b.live.stale()
    answer = b.answer(QUESTION)  # the next question reloads the published library first
    assert not answer.abstained and answer.citations[0].passage.doc == "nordic"
    assert "nordic" in b.doc_ids() and b.live.current.build == published_build(folder)
    a.remove("nordic")
    assert "nordic" not in b.doc_ids()


def test_a_failed_reload_keeps_the_previous_library(folder: Path, embedder: Embedder) -> None:
    service = ChatService(Assistant(load_index(folder), embedder=embedder), stream_delay=0.0)
    served = service.live.current
    (folder / "current").unlink()
    (folder / "current").symlink_to("build-gone")  # a publication that cannot be read
    assert service.live.stale()
    assert service.live.fresh() is served
    assert not service.answer(DEV_LIKE[0]).abstained


def _api(url: str) -> Any:
    return Client(url, verbose=False, analytics_enabled=False)


def test_two_replicas_on_loopback_share_one_folder(folder: Path, other: Path, embedder: Embedder) -> None:
    """Two servers, each with its own index loaded from one folder: add through A, ask B."""
    demos, urls = [], []
    for _ in range(2):
        assistant = Assistant(load_index(folder), embedder=embedder)
        demo = build_app(assistant.index, assistant, examples=[], stream_delay=0.0)
        urls.append(launch(demo, "127.0.0.1", free_port()))
        demos.append(demo)
    try:
        replica_a, replica_b = _api(urls[0]), _api(urls[1])
        assert replica_b.predict(QUESTION, api_name="/ask")["abstained"]  # B's library does not hold it yet
        added = replica_a.predict(handle_file(str(other)), "", api_name="/add_document")
        assert "nordic" in [d["id"] for d in added["documents"]]
        answer = replica_b.predict(QUESTION, api_name="/ask")
        assert not answer["abstained"] and answer["citations"][0]["doc"] == "nordic"
        assert "Reykjavik" in answer["answer"]
    finally:
        for demo in demos:
            demo.close(verbose=False)
