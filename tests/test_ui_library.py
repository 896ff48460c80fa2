"""The page's library: add and remove briefings (service and `gradio_client` API), the atomic swap, the
source reader (offsets, never a text search) and the Markdown export."""

from __future__ import annotations

import html
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from gradio_client import Client, handle_file
from sample import OTHER, QUESTION  # tests/sample.py

from rag import Assistant, Embedder, Index
from rag.index import load_index
from ui import render
from ui.app import EDITS_REFUSED, EXAMPLES, ChatService, build_app, examples_for, launch
from ui.net import free_port


@pytest.fixture
def library(tmp_path: Path, briefing_index: Index, embedder: Embedder) -> Assistant:
    """An assistant over a copy of the session's index, which the test may edit."""
    target = tmp_path / "idx"
    shutil.copytree(briefing_index.index_dir, target, symlinks=True)
    return Assistant(load_index(target), embedder=embedder)


@pytest.fixture
def other(tmp_path: Path) -> Path:
    path = tmp_path / "upload" / "nordic.txt"
    path.parent.mkdir()
    path.write_text(OTHER, encoding="utf-8")
    return path


def _last(service: ChatService, message: str, docs: list[str] | None = None) -> tuple:
    return list(service.respond(message, [], "", "", list(render.KINDS), "", docs, []))[-1]


def test_add_ask_filter_read_export_remove(library: Assistant, other: Path) -> None:
    service = ChatService(library, stream_delay=0.0)
    assert service.examples == EXAMPLES
    service.add(other)
    assert service.doc_ids()[-1] == "nordic" and service.index is service.assistant.index
    history, _, _, _, turns = _last(service, QUESTION, docs=["nordic"])
    assert "Reykjavik" in history[-1]["content"] and "nordic" in history[-1]["content"]
    citation = turns[0]["citations"][0]
    assert citation["doc"] == "nordic" and citation["title"] == "nordic"

    # the reader shows the whole document with the cited sentence marked at the citation's offsets
    request = "|".join(str(citation[k]) for k in ("doc", "char_start", "char_end", "highlight_start",
                                                  "highlight_end"))
    reader = service.read(request)
    source = service.index.source("nordic")
    cited = html.escape(source[citation["highlight_start"] : citation["highlight_end"]])
    assert f'<mark id="reader-mark">{cited}</mark>' in reader
    assert all(part in reader for part in ("Undersea Cables", "Lantern Accord", "Jan. 5, 2024", "Arctic"))
    link = f'href="#open:{request.replace("|", ":")}"'
    assert link in history[-1]["content"] and 'class="open-source"' in history[-1]["content"]

    # a chronology entry shows its date in the reader's head
    _, _, _, _, turns2 = _last(service, "What happened on Jan. 9, 2024?", docs=["nordic"])
    entry = next(c for c in turns2[0]["citations"] if c["kind"] == "chronology")
    head = service.read("|".join(str(entry[k]) for k in ("doc", "char_start", "char_end", "highlight_start",
                                                         "highlight_end")))
    assert "Jan. 9, 2024" in head.split('class="reader-text"')[0]

    markdown = Path(service.export(turns + turns2) or "").read_text(encoding="utf-8")
    assert f"## 1. {QUESTION}" in markdown and "nordic (`nordic`), § Undersea Cables" in markdown
    assert f"chars {citation['char_start']}–{citation['char_end']}" in markdown
    assert "> The Lantern Accord on undersea cables was signed in Reykjavik" in markdown
    assert service.export([]) is None

    service.remove("nordic")
    assert "nordic" not in service.doc_ids()
    history, *_ = _last(service, QUESTION)
    assert "Reykjavik" not in history[-1]["content"]
    assert "no longer in the library" in service.read(request)


def test_questions_meanwhile_are_answered_from_the_previous_library(
    library: Assistant, other: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import rag.library

    service = ChatService(library, stream_delay=0.0)
    started, release = threading.Event(), threading.Event()
    real = rag.library.write_index

    def slow(*args: object, **kwargs: object) -> None:
        started.set()
        assert release.wait(60)
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(rag.library, "write_index", slow)
    adding = threading.Thread(target=service.add, args=(other,))
    adding.start()
    assert started.wait(60)
    answer = service.answer(EXAMPLES[0])  # not blocked by the addition, answered from the old library
    assert "Tokyo" in answer.text and "nordic" not in service.doc_ids()
    release.set()
    adding.join(60)
    assert "nordic" in service.doc_ids()


def test_a_page_opened_before_an_edit_searches_the_library_as_it_is_now(library: Assistant, other: Path) -> None:
    service = ChatService(library, stream_delay=0.0)
    shown = service.doc_ids()  # what the other page's filter lists, all ticked
    service.add(other)
    history, *_ = list(service.respond(QUESTION, [], "", "", list(render.KINDS), "", shown, [], shown))[-1]
    assert "Reykjavik" in history[-1]["content"]  # the document added since is searched too
    ticked = [*shown, "nordic"]
    service.remove("nordic")
    history, *_ = list(service.respond(QUESTION, [], "", "", list(render.KINDS), "", ticked, [], ticked))[-1]
    assert "answer error" not in history[-1]["content"]  # the document removed since is dropped quietly


def test_edits_are_refused_when_not_allowed(library: Assistant, other: Path) -> None:
    service = ChatService(library, stream_delay=0.0, allow_edits=False)
    before = service.doc_ids()
    with pytest.raises(PermissionError, match="loopback"):
        service.add(other)
    with pytest.raises(PermissionError):
        service.remove(before[0])
    assert service.doc_ids() == before and "--auth" in EDITS_REFUSED


def test_examples_follow_the_library(library: Assistant, other: Path) -> None:
    service = ChatService(library, stream_delay=0.0)
    index = service.add(other)
    examples = examples_for(index, service.assistant)
    assert examples and all(q.startswith("What happened on ") for q in examples)
    assert all(not service.assistant.answer(q).abstained for q in examples)
    assert service.examples == examples
    header = render.render_header(index.library(), "us-japan-sep-dec-2023")
    assert "2 briefings" in header and "nordic" in header


def test_document_filter_checks_its_choices() -> None:
    known = ["a", "b"]
    assert render.make_filters("", "", list(render.KINDS), ["a"], known).docs == ("a",)
    assert render.make_filters("", "", list(render.KINDS), ["a", "b"], known).docs == ()
    with pytest.raises(ValueError, match="No document is ticked"):
        render.make_filters("", "", list(render.KINDS), [], known)
    with pytest.raises(ValueError, match="No document c"):
        render.make_filters("", "", list(render.KINDS), ["c"], known)


def test_reader_escapes_and_highlights_by_offsets() -> None:
    source = "Tokyo hosted it. <b>Tokyo hosted it.</b> End."
    second = source.index("Tokyo", 5)
    out = render.render_reader("T<1>", "§ S", source, 0, len(source), second, second + 16)
    assert '<mark id="reader-mark">Tokyo hosted it.</mark>' in out and "&lt;b&gt;" in out and "T&lt;1&gt;" in out
    assert out.count("<mark") == 1 and out.index("<mark") > out.index("Tokyo")


# --------------------------------------------------------------------------- the API, through gradio_client


@pytest.fixture
def live(library: Assistant) -> Iterator[tuple[str, Assistant]]:
    demo = build_app(library.index, library, stream_delay=0.0)
    url = launch(demo, "127.0.0.1", free_port())
    try:
        yield url, library
    finally:
        demo.close(verbose=False)


def test_api_add_ask_remove(live: tuple[str, Assistant], other: Path, tmp_path: Path) -> None:
    url, _ = live
    client = Client(url, verbose=False, analytics_enabled=False)
    added = client.predict(handle_file(str(other)), "", api_name="/add_document")
    assert [d["id"] for d in added["documents"]][-1] == "nordic"
    got = client.predict(QUESTION, "", "", ["article", "chronology"], "", ["nordic"], api_name="/ask")
    assert "Reykjavik" in got["answer"] and {c["doc"] for c in got["citations"]} == {"nordic"}
    cite = got["citations"][0]
    assert cite["title"] == "nordic" and cite["char_start"] <= cite["highlight_start"] < cite["highlight_end"]

    with pytest.raises(Exception, match="already in the library"):
        client.predict(handle_file(str(other)), "copy", api_name="/add_document")
    binary = tmp_path / "blob.txt"
    binary.write_bytes(b"\x00\x01\x02")
    with pytest.raises(Exception, match="binary") as refused:
        client.predict(handle_file(str(binary)), "", api_name="/add_document")
    assert "blob.txt: " in str(refused.value) and "/" not in str(refused.value)  # no server path in the message

    removed = client.predict("nordic", api_name="/remove_document")
    assert "nordic" not in [d["id"] for d in removed["documents"]]
    with pytest.raises(Exception, match="No document"):
        client.predict(QUESTION, "", "", ["article", "chronology"], "", ["nordic"], api_name="/ask")


def test_api_edits_refused_beyond_loopback_without_auth(library: Assistant, other: Path) -> None:
    demo = build_app(library.index, library, stream_delay=0.0, allow_edits=False)
    url = launch(demo, "127.0.0.1", free_port())
    try:
        client = Client(url, verbose=False, analytics_enabled=False)
        with pytest.raises(Exception, match="loopback"):
            client.predict(handle_file(str(other)), "", api_name="/add_document")
        with pytest.raises(Exception, match="loopback"):
            client.predict("us-japan-sep-dec-2023", api_name="/remove_document")
    finally:
        demo.close(verbose=False)
