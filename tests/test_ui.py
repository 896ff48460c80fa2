"""The chat page without a browser: rendering, filters, the chat turn, and a live server for the API."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import date

import pytest
from gradio_client import Client

from rag import Answer, Assistant, Citation, Filters, Index, Passage
from rag.schema import ListItem
from ui import render
from ui.app import EXAMPLES, ChatService, build_app, launch
from ui.cli import parse_auth
from ui.net import free_port, is_loopback

QUAD_SEPT = "What did the Quad do in September?"  # (none in November: that one abstains)


def _passage(text: str, char_start: int = 100, kind: str = "article", **extra: object) -> Passage:
    fields = {"id": "p1", "doc": "doc", "title": "Doc", "section": "The Usual Stuff", "kind": kind, "text": text,
              "char_start": char_start, "char_end": char_start + len(text), "n_tokens": 10}
    return Passage(**{**fields, **extra})  # type: ignore[arg-type]


def _answer(text: str, citations: tuple[Citation, ...], abstained: bool = False) -> Answer:
    return Answer("q?", text, citations, tuple(c.passage for c in citations), abstained, 0.9, "q?")


# --------------------------------------------------------------------------- rendering


def test_highlight_uses_offsets_relative_to_the_passage_not_a_text_search() -> None:
    text = "Tokyo hosted it. Tokyo hosted it. Then <b>more</b>."
    p = _passage(text, char_start=1000)
    second = text.index("Tokyo", 5)  # the same sentence twice: only the offsets can say which is cited
    cite = Citation(1, p, 1000 + second, 1000 + second + len("Tokyo hosted it."))
    out = render.highlighted(cite)
    assert out == "Tokyo hosted it. <mark>Tokyo hosted it.</mark> Then &lt;b&gt;more&lt;/b&gt;."


def test_answer_links_its_markers_to_sources_of_its_turn() -> None:
    p = _passage("Alpha met Beta in Tokyo.")
    out = render.render_answer(_answer("Alpha met Beta in Tokyo. [1] Not a cite [7].", (Citation(1, p, 100, 124),)), 3)
    assert '<a class="cite" href="#src-3-1"' in out and '<li id="src-3-1" class="source">' in out
    assert "[7]" in out and "#src-3-7" not in out
    assert "§ The Usual Stuff" in out and "<mark>Alpha met Beta in Tokyo.</mark>" in out


def test_markup_in_answers_and_sources_is_escaped() -> None:
    evil = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    p = _passage(evil, section=evil)
    out = render.render_answer(_answer(evil + " [1]", (Citation(1, p, 100, 100 + len(evil)),)), 1)
    assert "<script>" not in out and "<img" not in out and "&lt;script&gt;" in out
    assert render.render_user(evil) == ("&lt;script&gt;alert(1)&lt;/script&gt;"
                                        "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;")
    assert "<script>" not in render.render_error(evil)


def test_a_pdf_passage_shows_its_page_in_sources_reader_and_export() -> None:
    paged = _passage("The compact was signed in Valparaiso.", page=3)
    entry = _passage("Jan. 5, 2024: The ministers met in Lima.", kind="chronology", section="Chronology",
                     date_start="2024-01-05", date_end="2024-01-05", page=4, id="p2")
    plain = _passage("A text file has no pages.", id="p3")
    cites = (Citation(1, paged, 100, 137), Citation(2, entry, 100, 140), Citation(3, plain, 100, 125))
    answer = _answer("The compact was signed in Valparaiso. [1] [2] [3]", cites)
    out = render.render_sources(answer, 1)
    heads = re.findall(r'<div class="src-head">(.*?)</div>', out)
    assert "§ The Usual Stuff</span> · <span class=\"src-page\">p. 3</span>" in heads[0]
    assert "Jan. 5, 2024</time> · <span class=\"src-page\">p. 4</span>" in heads[1]
    assert "p. " not in heads[2]
    assert render.where_in_source(paged) == "The Usual Stuff · p. 3"
    assert render.where_in_source(entry) == "Jan. 5, 2024 · p. 4" and render.where_in_source(plain) == "The Usual Stuff"
    reader = render.render_reader("Doc", render.where_in_source(paged), "x" * 200, 100, 137, 100, 137)
    assert "The Usual Stuff · p. 3" in reader.split('class="reader-text"')[0]
    markdown = render.export_markdown([answer.to_dict()])
    assert "Doc (`doc`), § The Usual Stuff, p. 3, chars 100–137" in markdown
    assert "Doc (`doc`), Jan. 5, 2024, p. 4, chars" in markdown
    assert "Doc (`doc`), § The Usual Stuff, chars" in markdown
    rows = render.inspector_rows(answer)
    assert [r[1] for r in rows] == ["The Usual Stuff · p. 3 — The compact was signed in Valparaiso.",
                                    "Jan. 5, 2024: The ministers met in Lima. (p. 4)",
                                    "The Usual Stuff — A text file has no pages."]


def test_abstention_looks_different_and_lists_the_closest_passages() -> None:
    p = _passage("Something nearby.")
    out = render.render_answer(_answer("The briefing doesn't say. The closest passages are [1].",
                                       (Citation(1, p, 100, 117),), abstained=True), 2)
    assert 'class="answer abstained"' in out and "Not in the briefing" in out and "Closest passages (1)" in out


def test_timeline_answer_is_a_dated_list() -> None:
    a = _passage("Nov. 16, 2023: Biden and Kishida meet.", kind="chronology", section="Chronology",
                 date_start="2023-11-16", date_end="2023-11-16")
    text = "1 entry in the chronology for Nov. 16, 2023:\n- Nov. 16, 2023: Biden and Kishida meet. [1]"
    answer = replace(_answer(text, (Citation(1, a, a.char_start, a.char_end),)), kind="timeline",
                     items=(ListItem(1, "Nov. 16, 2023", a.text),))
    out = render.render_answer(answer, 1)
    assert '<ul class="timeline"><li><time datetime="2023-11-16">Nov. 16, 2023</time>' in out
    assert '<span class="event">Biden and Kishida meet.</span> <a class="cite" href="#src-1-1"' in out


def test_short_answer_leads_in_bold() -> None:
    p = _passage("Tokyo hosted it.")
    answer = replace(_answer("Tokyo — Tokyo hosted it. [1]", (Citation(1, p, 100, 116, 100, 105),)),
                     short_answer="Tokyo")
    assert '<p><strong class="short-answer">Tokyo</strong> — Tokyo hosted it.' in render.render_answer(answer, 1)


def test_many_sources_start_folded() -> None:
    cites = tuple(Citation(n, _passage(f"Entry {n}.", id=f"p{n}"), 100, 108) for n in range(1, 9))
    assert "<details class=\"sources\">" in render.render_sources(_answer("x", cites), 1)
    assert "<details class=\"sources\" open>" in render.render_sources(_answer("x", cites[:2]), 1)


def test_inspector_rows_show_both_ranks_and_the_fused_score() -> None:
    p = _passage("A passage.", score=0.0321, dense_rank=2, bm25_rank=None)
    rows = render.inspector_rows(_answer("A passage. [1]", (Citation(1, p, 100, 110),)))
    assert rows == [[1, "The Usual Stuff — A passage.", "article", 2, "–", 0.0321, "[1]"]]
    assert len(rows[0]) == len(render.INSPECTOR_HEADERS)


def test_filters_parse_and_explain_mistakes() -> None:
    f = render.make_filters("2023-12-01", " 2023-12-31 ", ["chronology"])
    assert f == Filters(date(2023, 12, 1), date(2023, 12, 31), ("chronology",))
    assert render.describe_filters(f) == "from 2023-12-01 to 2023-12-31 · chronology only"
    assert render.describe_filters(render.make_filters("", "", list(render.KINDS))) == ""
    for start, end, kinds, message in [("Dec 1", "", ["article"], "YYYY-MM-DD"),
                                       ("2023-12-31", "2023-12-01", ["article"], "reversed"),
                                       ("", "", [], "tick"), ("", "", ["video"], "Unknown")]:
        with pytest.raises(ValueError, match=message):
            render.make_filters(start, end, kinds)


def test_stream_steps_grow_to_the_whole_text() -> None:
    text = "one two three four five six seven"
    steps = list(render.stream_steps(text, steps=3))
    assert steps[-1] == text and len(steps) >= 3
    assert all(text.startswith(s) and len(s) < len(t) for s, t in itertools.pairwise(steps))


def test_index_panel() -> None:
    out = render.render_index_info({"documents": ["a<b"], "passages": 9, "article_passages": 4,
                                    "chronology_passages": 5, "model": "m", "dimension": 8,
                                    "created_at": "2024-01-01T00:00:00+00:00"})
    assert "a&lt;b" in out and "9 (4 article, 5 chronology)" in out and "2024-01-01 00:00:00" in out


def test_cli_helpers() -> None:
    assert parse_auth("ann:pa:ss") == ("ann", "pa:ss") and parse_auth(None) is None
    with pytest.raises(Exception, match="USER:PASS"):
        parse_auth("ann")
    assert is_loopback("127.0.0.1") and is_loopback("::1") and not is_loopback("0.0.0.0")


def test_serve_help_lists_its_options() -> None:
    out = subprocess.run([sys.executable, "-m", "rag.cli", "serve", "--help"], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    for option in ("--host", "--port", "--index-dir", "--auth", "127.0.0.1", "7860"):
        assert option in out


# --------------------------------------------------------------------------- the assistant behind the page


@pytest.mark.parametrize("question", EXAMPLES)
def test_every_example_is_answered_confidently(assistant: Assistant, question: str) -> None:
    assert not assistant.answer(question).abstained


@pytest.fixture(scope="module")
def service(assistant: Assistant) -> ChatService:
    return ChatService(assistant, stream_delay=0.0)


def _turn(service: ChatService, message: str, history: list, previous: str = "",
          start: str = "", end: str = "", kinds: tuple[str, ...] = render.KINDS) -> list[tuple]:
    return list(service.respond(message, history, start, end, list(kinds), previous))


def test_chat_streams_then_shows_sources_and_inspector(service: ChatService) -> None:
    steps = _turn(service, QUAD_SEPT, [])
    assert len(steps) > 2 and "streaming" in steps[0][0][-1]["content"]
    history, box, rows, previous, turns = steps[-1]
    assert [m["role"] for m in history] == ["user", "assistant"] and box == ""
    assert 'href="#src-1-1"' in history[-1]["content"] and "<mark>" in history[-1]["content"]
    assert rows and previous == QUAD_SEPT and [t["question"] for t in turns] == [QUAD_SEPT]


def test_follow_up_keeps_the_subject(service: ChatService) -> None:
    history, _, _, previous, _ = _turn(service, QUAD_SEPT, [])[-1]
    history, _, _, previous, _ = _turn(service, "And in December?", history, previous)[-1]
    assert previous == "What did the Quad do in December?"
    assert "What did the Quad do in December?" in history[-1]["content"] and 'id="src-2-1"' in history[-1]["content"]


@pytest.mark.parametrize("message", ["", "   \n "])
def test_empty_message_is_ignored(service: ChatService, message: str) -> None:
    [(history, _, _, previous, _)] = _turn(service, message, [{"role": "user", "content": "hi"}], "hi")
    assert history == [{"role": "user", "content": "hi"}] and previous == "hi"


def test_huge_paste_and_bad_filter_get_a_clear_message(service: ChatService) -> None:
    [(history, _, _, previous, _)] = _turn(service, "x" * 100_000, [], "before")
    assert "answer error" in history[-1]["content"] and "limit is 2,000" in history[-1]["content"]
    assert previous == "before"
    [(history, _, _, _, _)] = _turn(service, QUAD_SEPT, [], start="tomorrow")
    assert "YYYY-MM-DD" in history[-1]["content"]


def test_date_filter_reaches_the_assistant(service: ChatService) -> None:
    history, _, rows, _, _ = _turn(service, "Which meetings took place?", [], start="2023-12-01", end="2023-12-31",
                                kinds=("chronology",))[-1]
    assert rows and all(r[2] == "chronology" for r in rows)
    dates = re.findall(r'<time datetime="([\d-]+)"', history[-1]["content"])
    assert dates and all("2023-12-01" <= d <= "2023-12-31" for d in dates)
    assert "chronology only" in history[-1]["content"]


# --------------------------------------------------------------------------- a live server


@pytest.fixture(scope="module")
def live_url(briefing_index: Index, assistant: Assistant) -> Iterator[str]:
    demo = build_app(briefing_index, assistant, stream_delay=0.0)
    url = launch(demo, "127.0.0.1", free_port())
    try:
        yield url
    finally:
        demo.close(verbose=False)


def _strip_timings(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "timings_ms"}


def test_api_returns_the_json_of_rag_ask(live_url: str, assistant: Assistant) -> None:
    client = Client(live_url, verbose=False, analytics_enabled=False)
    got = client.predict("Where did the Quad Senior Cyber Group meet in December?", api_name="/ask")
    want = assistant.answer("Where did the Quad Senior Cyber Group meet in December?").to_dict()
    assert _strip_timings(got) == _strip_timings(want) and set(got["timings_ms"]) == set(want["timings_ms"])
    follow = client.predict("And in December?", "", "", ["article", "chronology"], QUAD_SEPT, api_name="/ask")
    assert follow["interpreted"].startswith("What did the Quad do in December?")
    with pytest.raises(Exception, match="limit is 2,000"):
        client.predict("x" * 100_000, api_name="/ask")


def test_ten_clients_at_once_are_all_answered(live_url: str) -> None:
    clients = [Client(live_url, verbose=False, analytics_enabled=False) for _ in range(10)]
    start = threading.Barrier(10)
    results: dict[int, dict] = {}

    def ask(i: int) -> None:
        start.wait()
        results[i] = clients[i].predict(EXAMPLES[i % len(EXAMPLES)], api_name="/ask")

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == list(range(10))
    assert all(not r["abstained"] and r["citations"] for r in results.values())


def test_auth_is_gradios_own(briefing_index: Index, assistant: Assistant) -> None:
    import httpx

    demo = build_app(briefing_index, assistant)
    url = launch(demo, "127.0.0.1", free_port(), auth=("ann", "secret"))
    try:
        assert httpx.get(url + "config").status_code == 401
        client = Client(url, auth=("ann", "secret"), verbose=False, analytics_enabled=False)
        assert not client.predict(EXAMPLES[0], api_name="/ask")["abstained"]
    finally:
        demo.close(verbose=False)


def test_rag_serve_refuses_an_index_built_with_another_model(briefing_index: Index,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    import ui.app
    from rag.cli import main

    def never(*args: object, **kwargs: object) -> str:
        raise AssertionError("rag serve started with a mismatched index")

    monkeypatch.setattr(ui.app, "launch", never)
    monkeypatch.setenv("RAG_MODEL", "another-model")
    result = CliRunner().invoke(main, ["serve", "--index-dir", str(briefing_index.path.parent), "--port", "9"])
    assert result.exit_code == 1, result.output
    assert "built with the model 'all-MiniLM-L6-v2'" in result.stderr and "'another-model'" in result.stderr
    assert f"rag index build --index-dir {briefing_index.path.parent}" in result.stderr
