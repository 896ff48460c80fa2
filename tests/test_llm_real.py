"""A real model: llama.cpp's server serving SmolLM2-135M-Instruct (eval/llm_server.py), run by `make test-llm`.

A model this small often writes claims its passages do not hold: the tests check that every sentence it
writes is verified against its passage or shown marked, never passed off as verified, and that stopping the
server leaves the extractive answer. Missing packages fail these tests (`make test-llm` installs them).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from eval.llm_server import LocalServer
from rag import Assistant, Index, Settings, Writer
from rag.cli import main
from rag.embed import Embedder

pytestmark = [pytest.mark.llm, pytest.mark.slow]

#: Dev-split questions (the test split stays held out).
QUESTIONS = [
    "Where did the Quad Senior Cyber Group meet in December?",
    "Which Japanese political party has been ensnared by the political funds scandal?",
    "What is Japan's unemployment rate?",
]


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer() as running:
        yield running


def test_every_sentence_of_the_real_model_is_verified_or_marked(server: LocalServer, briefing_index: Index,
                                                               embedder: Embedder) -> None:
    settings = Settings(llm_url=server.url, llm_max_tokens=120, llm_timeout=120.0)
    assistant = Assistant(briefing_index, settings=settings, embedder=embedder)
    writer = Writer(assistant)
    for question in QUESTIONS:
        answer = writer.write(assistant.answer(question))
        w = answer.written
        assert w is not None and w.status != "failed", w.note if w else None
        assert w.model == "smollm2-135m-instruct" and w.first_token_ms is not None and w.tokens > 0
        assert w.sentences
        for s in w.sentences:
            if s.verified:
                assert s.citations and s.support and "supported" in s.why
                for c in s.support:
                    assert c.passage.char_start <= c.highlight_start < c.highlight_end <= c.passage.char_end
            elif not s.abstains:
                assert s.why and not s.support
                assert f"[unverified] {s.text}" in w.text


def test_rag_ask_with_the_real_server_then_without_it(briefing_index: Index) -> None:
    index_dir = str(briefing_index.path.parent)
    with LocalServer() as running:
        url = running.url
        result = CliRunner().invoke(main, ["ask", QUESTIONS[0], "--index-dir", index_dir, "--llm-url", url],
                                    env={"RAG_LLM_MAX_TOKENS": "120", "RAG_LLM_TIMEOUT": "120"})
        assert result.exit_code == 0, result.output
        assert "Tokyo" in result.stdout  # the extractive answer is always there
        assert "Written answer (smollm2-135m-instruct" in result.stdout or "extractive answer stands" in result.stderr
        assert "No written answer" not in result.stderr
    stopped = CliRunner().invoke(main, ["ask", QUESTIONS[0], "--index-dir", index_dir, "--llm-url", url])
    assert stopped.exit_code == 0 and "Cannot reach the model server" in stopped.stderr
    assert stopped.stdout.startswith("Tokyo")
