"""Written answers against a scripted OpenAI-compatible server on loopback (tests/llm_server.py): the verifier's
verdict on good answers, missing and wrong [n], invented numbers, outside knowledge, and every way a server fails.

The briefing is our own: nothing in the shipped one mentions the accord, Reykjavik, krona or Bergen.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from llm_server import Reply, ScriptedServer  # tests/llm_server.py

from rag import Assistant, Index, Settings, build_index
from rag.cli import main
from rag.embed import Embedder
from rag.errors import SettingsError
from rag.llm import is_remote, remote_warning
from rag.schema import Answer
from rag.written import Writer
from ui.net import free_port

BRIEFING = """Harbor Diplomacy
The Lantern Accord on undersea cables was signed in Reykjavik by both delegations on a cold morning. Iceland pledged 40 million krona for cable repairs under the accord.

Fisheries
Norway and Iceland keep disagreeing over mackerel quotas, and talks stalled again in the autumn.

Chronology
Jan. 5, 2024: Iceland and Norway met in Bergen to discuss fisheries quotas.
Jan. 9, 2024: Iceland's foreign minister visited Oslo for talks on Arctic shipping.
"""
QUESTION = "Where was the Lantern Accord signed?"


@pytest.fixture(scope="module")
def harbor(tmp_path_factory: pytest.TempPathFactory, settings: Settings, embedder: Embedder) -> Index:
    folder = tmp_path_factory.mktemp("harbor")
    source = folder / "harbor.txt"
    source.write_text(BRIEFING, encoding="utf-8")
    return build_index([source], folder / "index", settings, embedder, progress=False)


@pytest.fixture(scope="module")
def extractive(harbor: Index, embedder: Embedder) -> Answer:
    return Assistant(harbor, settings=Settings(), embedder=embedder).answer(QUESTION)


def writer(harbor: Index, embedder: Embedder, url: str, **settings: Any) -> Writer:
    chosen = Settings(llm_url=url, **settings)
    return Writer(Assistant(harbor, settings=chosen, embedder=embedder))


def n_of(body: dict[str, Any], word: str) -> int:
    """The number the prompt gives the passage holding `word` (the script cites as the model should)."""
    prompt = body["messages"][-1]["content"]
    return next(int(m[1]) for m in re.finditer(r"^\[(\d+)\] (.*)$", prompt, re.MULTILINE) if word in m[2])


def n_without(body: dict[str, Any], word: str) -> int:
    prompt = body["messages"][-1]["content"]
    return next(int(m[1]) for m in re.finditer(r"^\[(\d+)\] (.*)$", prompt, re.MULTILINE) if word not in m[2])


def ask(harbor: Index, embedder: Embedder, extractive: Answer, script: Any, **settings: Any) -> Answer:
    with ScriptedServer(script) as server:
        return writer(harbor, embedder, server.url, **settings).write(extractive)


def test_a_good_answer_is_verified_and_highlights_its_supporting_sentence(harbor: Index, embedder: Embedder,
                                                                          extractive: Answer) -> None:
    answer = ask(harbor, embedder, extractive,
                 lambda b: Reply(f"The Lantern Accord was signed in Reykjavik [{n_of(b, 'Reykjavik')}]."))
    w = answer.written
    assert w is not None and w.status == "written" and w.model == "scripted-model"
    (sentence,) = w.sentences
    assert sentence.verified, sentence.why
    (support,) = sentence.support
    source = harbor.source(support.passage.doc)
    assert source[support.highlight_start : support.highlight_end].startswith("The Lantern Accord on undersea cables")
    assert support.passage.char_start <= support.highlight_start < support.highlight_end <= support.passage.char_end
    assert [c.n for c in w.citations] == [support.n]
    assert w.first_token_ms is not None and w.tokens > 1
    # the extractive answer is untouched beside it
    assert replace(answer, written=None) == extractive
    data = answer.to_dict()["written"]
    assert data["sentences"][0].keys() >= {"text", "citations", "verified", "why"}
    assert data["sentences"][0]["citations"] == [support.n] and data["sentences"][0]["verified"] is True


@pytest.mark.parametrize(("script", "why"), [
    (lambda b: Reply("The Lantern Accord was signed in Reykjavik."), "cites no passage"),
    (lambda b: Reply("The Lantern Accord was signed in Reykjavik [9]."), "cites [9], but only"),
    (lambda b: Reply(f"The Lantern Accord was signed in Reykjavik [{n_without(b, 'Reykjavik')}]."),
     "“Reykjavik” is not in"),
    (lambda b: Reply(f"Iceland pledged 75 million krona for cable repairs [{n_of(b, 'krona')}]."), "“75” is not in"),
    (lambda b: Reply(f"Reykjavik is the capital of Iceland and the northernmost capital city in the world "
                     f"[{n_of(b, 'Reykjavik')}]."), "does not say this"),
    (lambda b: Reply(f"The accord was signed in Reykjavik in March [{n_of(b, 'Reykjavik')}]."), "March is not in"),
])
def test_unsupported_sentences_are_caught(harbor: Index, embedder: Embedder, extractive: Answer, script: Any,
                                          why: str) -> None:
    good = lambda b: f"The Lantern Accord was signed in Reykjavik [{n_of(b, 'Reykjavik')}]. "  # noqa: E731
    answer = ask(harbor, embedder, extractive, lambda b: Reply(good(b) + script(b).text))
    w = answer.written
    assert w is not None and w.status == "written"
    first, second = w.sentences
    assert first.verified and not second.verified
    assert why in second.why
    assert not second.support
    assert f"[unverified] {second.text}" in w.text and "could not be checked" in w.note


def test_the_drop_setting_leaves_unverified_sentences_out_of_the_text(harbor: Index, embedder: Embedder,
                                                                      extractive: Answer) -> None:
    answer = ask(harbor, embedder, extractive,
                 lambda b: Reply(f"The accord was signed in Reykjavik [{n_of(b, 'Reykjavik')}]. "
                                 f"It cost 90 million krona [{n_of(b, 'krona')}]."), llm_unverified="drop")
    w = answer.written
    assert w is not None and "90" not in w.text and "Reykjavik" in w.text
    assert [s.shown for s in w.sentences] == [True, False] and "dropped" in w.note


def test_nothing_verified_leaves_the_extractive_answer_with_a_note(harbor: Index, embedder: Embedder,
                                                                  extractive: Answer) -> None:
    answer = ask(harbor, embedder, extractive, lambda b: Reply("It was signed in Paris in 1999."))
    w = answer.written
    assert w is not None and w.status == "unverified" and "extractive answer stands" in w.note
    assert not any(s.verified for s in w.sentences)


def test_an_abstention_is_not_a_claim(harbor: Index, embedder: Embedder, extractive: Answer) -> None:
    w = ask(harbor, embedder, extractive, lambda b: Reply("The briefing does not say.")).written
    assert w is not None and w.status == "abstained" and w.sentences[0].abstains


@pytest.mark.parametrize(("script", "message"), [
    (lambda b: Reply("The Lantern Accord was signed in Reykjavik by both delegations [1].", cut_after=4),
     "cut off midway"),
    (lambda b: Reply(status=500), "answered HTTP 500: the scripted server failed"),
    (lambda b: Reply(garbage="<html>Bad gateway</html>"), "not OpenAI-style JSON"),
    (lambda b: Reply("L'accord Lantern a été signé à Reykjavik par les deux délégations, un matin froid [1]."),
     "another language"),
    (lambda b: Reply(""), "empty answer"),
])
def test_a_failing_server_gives_one_line_and_the_extractive_answer(harbor: Index, embedder: Embedder,
                                                                   extractive: Answer, script: Any,
                                                                   message: str) -> None:
    answer = ask(harbor, embedder, extractive, script)
    w = answer.written
    assert w is not None and w.status == "failed" and message in w.note and "\n" not in w.note
    assert replace(answer, written=None) == extractive


def test_a_slow_server_times_out_instead_of_hanging(harbor: Index, embedder: Embedder, extractive: Answer) -> None:
    started = time.perf_counter()
    answer = ask(harbor, embedder, extractive, lambda b: Reply("Late [1].", delay=3.0), llm_timeout=0.5)
    assert time.perf_counter() - started < 3.0
    assert answer.written is not None and "did not answer within 0.5 s" in answer.written.note


def test_a_server_trickling_forever_is_cut_off(harbor: Index, embedder: Embedder, extractive: Answer) -> None:
    started = time.perf_counter()
    answer = ask(harbor, embedder, extractive, lambda b: Reply("word " * 200, pace=0.1), llm_timeout=0.3)
    assert time.perf_counter() - started < 4.0
    assert answer.written is not None and "to write its answer" in answer.written.note


def test_a_server_that_is_down_and_an_unknown_model(harbor: Index, embedder: Embedder, extractive: Answer) -> None:
    down = writer(harbor, embedder, f"http://127.0.0.1:{free_port()}/v1").write(extractive).written
    assert down is not None and down.status == "failed" and "Cannot reach the model server" in down.note
    with ScriptedServer(lambda b: Reply("x [1]."), models=("smollm2",), strict_models=True) as server:
        wrong = writer(harbor, embedder, server.url, llm_model="gpt-9").write(extractive).written
        assert wrong is not None and "has no model 'gpt-9' (it lists: smollm2)" in wrong.note
        right = writer(harbor, embedder, server.url).write(extractive).written  # no name: the first it lists
        assert right is not None and right.model == "smollm2" and server.requests[-1]["model"] == "smollm2"


def test_the_prompt_numbers_the_passages_and_gives_the_question_as_read(harbor: Index, embedder: Embedder) -> None:
    assistant = Assistant(harbor, settings=Settings(), embedder=embedder)
    extractive = assistant.answer("Who met in Bergen on Jan. 5?")
    with ScriptedServer(lambda b: Reply("The briefing does not say.")) as server:
        writer(harbor, embedder, server.url).write(extractive)
        body = server.requests[0]
    system, user = body["messages"]
    assert "only the numbered passages" in system["content"] and "[2]" in system["content"]
    numbered = re.findall(r"^\[(\d+)\] ", user["content"], re.MULTILINE)
    assert numbered == [str(n) for n in range(1, len(numbered) + 1)] and numbered
    assert "Question: Who met in Bergen on Jan. 5?" in user["content"]
    assert "Period asked about: Jan. 5, 2024" in user["content"]
    assert body["stream"] is True and body["temperature"] == 0


def test_streaming_shows_each_sentence_checked_as_it_completes(harbor: Index, embedder: Embedder,
                                                              extractive: Answer) -> None:
    with ScriptedServer(lambda b: Reply(f"The accord was signed in Reykjavik [{n_of(b, 'Reykjavik')}]. "
                                        f"It cost 90 million krona [{n_of(b, 'krona')}].")) as server:
        snapshots = list(writer(harbor, embedder, server.url).stream(extractive))
    assert [s.status for s in snapshots[:-1]] == ["writing"] * (len(snapshots) - 1)
    assert snapshots[-1].status == "written" and len(snapshots[-1].sentences) == 2
    counts = [len(s.sentences) for s in snapshots]
    assert counts == sorted(counts) and 0 in counts and 1 in counts  # sentences appear one by one, checked
    assert any(s.pending.startswith("It cost") for s in snapshots)


def test_a_server_that_ignores_stream_is_read_whole(harbor: Index, embedder: Embedder, extractive: Answer) -> None:
    answer = ask(harbor, embedder, extractive,
                 lambda b: Reply(f"The Lantern Accord was signed in Reykjavik [{n_of(b, 'Reykjavik')}].", whole=True))
    assert answer.written is not None and answer.written.status == "written"
    assert [s.verified for s in answer.written.sentences] == [True]


def test_settings_and_the_remote_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_LLM_URL", "http://127.0.0.1:8080/v1")
    monkeypatch.setenv("RAG_LLM_MODEL", "smollm2")
    monkeypatch.setenv("RAG_LLM_UNVERIFIED", "drop")
    s = Settings.from_env()
    assert (s.llm_url, s.llm_model, s.llm_unverified) == ("http://127.0.0.1:8080/v1", "smollm2", "drop")
    assert Settings().llm_url == ""  # off by default
    with pytest.raises(SettingsError, match="not an http"):
        Settings(llm_url="127.0.0.1:8080")
    with pytest.raises(SettingsError, match="'mark' or 'drop'"):
        Settings(llm_unverified="hide")  # type: ignore[arg-type]
    assert not is_remote("http://localhost:11434/v1") and not is_remote("http://[::1]:8080/v1")
    assert is_remote("https://models.example.org/v1") and is_remote("http://192.168.1.5:8080/v1")
    assert "will be sent to it" in (remote_warning("http://192.168.1.5:8080/v1") or "")
    assert remote_warning("http://127.0.0.1:8080/v1") is None


def test_rag_ask_prints_the_written_answer_and_falls_back_when_the_server_stops(harbor: Index) -> None:
    index_dir = str(harbor.path.parent)
    with ScriptedServer(lambda b: Reply(f"The accord was signed in Reykjavik [{n_of(b, 'Reykjavik')}]. "
                                        f"It cost 90 million krona [{n_of(b, 'krona')}].")) as server:
        result = CliRunner().invoke(main, ["ask", QUESTION, "--index-dir", index_dir, "--llm-url", server.url])
        assert result.exit_code == 0, result.output
        assert "Written answer (scripted-model" in result.stdout
        assert "  The accord was signed in Reykjavik [" in result.stdout
        assert "[unverified: “90” is not in" in result.stdout
        assert "Extractive answer:" in result.stdout and "Reykjavik" in result.stdout.split("Extractive answer:")[1]
        as_json = CliRunner().invoke(main, ["ask", QUESTION, "--index-dir", index_dir, "--llm-url", server.url,
                                            "--json"])
        data = json.loads(as_json.stdout)
        assert [s["verified"] for s in data["written"]["sentences"]] == [True, False]
        assert data["answer"].startswith("Reykjavik")
        url = server.url
    stopped = CliRunner().invoke(main, ["ask", QUESTION, "--index-dir", index_dir, "--llm-url", url])
    assert stopped.exit_code == 0
    assert "Cannot reach the model server" in stopped.stderr and "extractive answer stands" in stopped.stderr
    assert "Written answer" not in stopped.stdout and stopped.stdout.startswith("Reykjavik")


def test_the_page_streams_the_written_answer_beside_the_extractive_one(harbor: Index, embedder: Embedder) -> None:
    from ui.app import ChatService, build_app

    with ScriptedServer(lambda b: Reply(f"The accord was signed in Reykjavik [{n_of(b, 'Reykjavik')}]. "
                                        f"It cost 90 million krona [{n_of(b, 'krona')}].")) as server:
        assistant = Assistant(harbor, settings=Settings(llm_url=server.url), embedder=embedder)
        service = ChatService(assistant, stream_delay=0.0)
        steps = list(service.respond(QUESTION, [], "", "", ["article", "chronology"], "", write=True))
        plain = list(ChatService(assistant, stream_delay=0.0).respond(QUESTION, [], "", "", ["article", "chronology"],
                                                                      ""))
        api = service.ask(QUESTION, write=True)
    pages = [step[0][-1]["content"] for step in steps[:-1]]
    assert any("writing…" in page and "w-pending" in page for page in pages)  # it streams
    final = steps[-1][0][-1]["content"]
    assert "scripted-model" in final and 'class="w-sentence verified"' in final
    assert 'class="w-sentence unverified"' in final and "unverified: “90” is not in" in final
    # the extractive short answer and its citation stay visible, with sources of their own
    assert '<strong class="short-answer">Reykjavik</strong>' in final and 'id="src-1-1"' in final
    assert 'id="src-1w-' in final and "<mark>The Lantern Accord on undersea cables" in final
    assert steps[-1][4][-1]["written"]["sentences"][1]["verified"] is False  # the conversation keeps it (export)
    assert "Written answer" not in plain[-1][0][-1]["content"]  # the switch off: as before
    assert api["written"]["status"] == "written" and api["short_answer"] == "Reykjavik"
    demo = build_app(harbor, assistant, examples=[])
    switch = next(c for c in demo.blocks.values() if getattr(c, "elem_id", None) == "write")
    assert switch.visible and switch.label == "Written answer (local model)"
    quiet = build_app(harbor, Assistant(harbor, settings=Settings(), embedder=embedder), examples=[])
    assert not next(c for c in quiet.blocks.values() if getattr(c, "elem_id", None) == "write").visible


def test_make_test_llm_fails_when_a_written_answer_failed(tmp_path: Path) -> None:
    from eval.llm_server import check_report

    report = tmp_path / "report.json"
    report.write_text(json.dumps({"written": {"failed": 0, "n_questions": 3}}), encoding="utf-8")
    assert check_report(report) == 0
    report.write_text(json.dumps({"written": {"failed": 1, "n_questions": 3}}), encoding="utf-8")
    assert check_report(report) == 1
    report.write_text(json.dumps({"n_questions": 3}), encoding="utf-8")
    assert check_report(report) == 1
