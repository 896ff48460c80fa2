"""Two real `rag serve` processes on loopback sharing one index folder: a briefing added through one is answered
by the other on its next question, without a restart (the in-process version is tests/test_live.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from gradio_client import Client, handle_file
from sample import OTHER, QUESTION  # tests/sample.py

from eval.load import start_servers, wait_ready
from rag import Index

pytestmark = pytest.mark.slow


def test_two_serve_processes_share_one_folder(tmp_path: Path, briefing_index: Index) -> None:
    folder = tmp_path / "idx"
    shutil.copytree(briefing_index.index_dir, folder, symlinks=True)
    upload = tmp_path / "upload" / "nordic.txt"
    upload.parent.mkdir()
    upload.write_text(OTHER, encoding="utf-8")
    urls, servers = start_servers(folder, 2)
    try:
        for url, server in zip(urls, servers, strict=True):
            wait_ready(url, server, timeout=300)
        a, b = (Client(url, verbose=False, analytics_enabled=False) for url in urls)
        assert b.predict(QUESTION, api_name="/ask")["abstained"]  # not in B's library yet
        added = a.predict(handle_file(str(upload)), "", api_name="/add_document")
        assert "nordic" in [d["id"] for d in added["documents"]]
        answer = b.predict(QUESTION, api_name="/ask")  # B's next question: it has loaded A's publication
        assert not answer["abstained"] and answer["citations"][0]["doc"] == "nordic"
        assert "Reykjavik" in answer["answer"]
        assert all(server.poll() is None for server in servers)  # no restart
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
