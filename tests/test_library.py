"""A library of briefings: add, replace and remove documents, from Python and from `rag index add/remove`.

Crash tests kill a real `add_documents` in a child process at each stage, as tests/test_reliability.py does
for builds: before the swap the previous library answers, after it the new one does.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from killer import STAGES_BEFORE_SWAP, killer_script  # tests/killer.py
from sample import OTHER, QUESTION  # tests/sample.py

from rag import Assistant, Filters, Index, Retriever
from rag.cli import main
from rag.embed import Embedder
from rag.errors import DocumentError
from rag.index import load_index
from rag.library import add_documents, doc_id_for, remove_documents
from rag.settings import OFFLINE_ENV

SHIPPED_QUESTION = "Where did the Quad Senior Cyber Group meet in December?"


@pytest.fixture
def index_dir(tmp_path: Path, briefing_index: Index) -> Path:
    """A copy of the session's index of the shipped briefing, for each test to edit."""
    target = tmp_path / "idx"
    shutil.copytree(briefing_index.index_dir, target, symlinks=True)
    return target


@pytest.fixture
def other(tmp_path: Path) -> Path:
    path = tmp_path / "files" / "other.txt"
    path.parent.mkdir()
    path.write_text(OTHER, encoding="utf-8")
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def published(index_dir: Path) -> str:
    return os.readlink(index_dir / "current")


def test_cli_add_ask_doc_remove(index_dir: Path, other: Path) -> None:
    code, out, err = run("index", "add", str(other), "--title", "Nordic Notes", "--index-dir", str(index_dir),
                         "--quiet")
    assert code == 0, out + err
    assert "Added other (Nordic Notes)" in out and "2 document(s)" in out

    code, out, _ = run("info", "--index-dir", str(index_dir))
    assert code == 0
    assert "other" in out and "Nordic Notes" in out and "Jan. 5-9, 2024" in out

    code, out, _ = run("ask", QUESTION, "--doc", "other", "--json", "--index-dir", str(index_dir))
    data = json.loads(out)
    assert code == 0 and not data["abstained"] and "Reykjavik" in data["answer"]
    assert {c["doc"] for c in data["citations"]} == {"other"}
    assert {c["title"] for c in data["citations"]} == {"Nordic Notes"}
    code, out, _ = run("ask", QUESTION, "--doc", "other", "--index-dir", str(index_dir))
    assert "Nordic Notes, § Undersea Cables" in out

    code, out, _ = run("search", "fisheries quotas", "--doc", "other", "--json", "--index-dir", str(index_dir))
    assert code == 0 and {p["doc"] for p in json.loads(out)} == {"other"}

    code, out, err = run("index", "remove", "other", "--index-dir", str(index_dir))
    assert code == 0 and "Removed other" in out, out + err
    code, out, _ = run("ask", QUESTION, "--json", "--index-dir", str(index_dir))
    data = json.loads(out)
    assert "Reykjavik" not in data["answer"] and all(c["doc"] != "other" for c in data["citations"])
    code, _, err = run("ask", QUESTION, "--doc", "other", "--index-dir", str(index_dir))
    assert code == 1 and "No document 'other'" in err


def test_doc_filter_restricts_retrieval_to_the_chosen_documents(index_dir: Path, other: Path,
                                                                embedder: Embedder) -> None:
    index = add_documents(index_dir, [other], embedder=embedder, progress=False)
    retriever = Retriever(index, embedder=embedder)
    shipped = index.manifest.sources[0].doc
    for docs in [("other",), (shipped,)]:
        passages = retriever.retrieve(SHIPPED_QUESTION, 5, filters=Filters(docs=docs))
        assert passages and {p.doc for p in passages} == set(docs)
    answer = Assistant(index, embedder=embedder).answer(SHIPPED_QUESTION)
    assert "Tokyo" in answer.text  # the shipped briefing still answers with every document selected


def test_adding_embeds_only_new_text_and_replacing_keeps_one_document(
    index_dir: Path, other: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = load_index(index_dir)
    encoded: list[str] = []
    real = Embedder.encode

    def counting(self: Embedder, texts: list[str], progress: bool = False):  # type: ignore[no-untyped-def]
        encoded.extend(texts)
        return real(self, texts, progress)

    monkeypatch.setattr(Embedder, "encode", counting)
    index = add_documents(index_dir, [other], embedder=embedder, progress=False)
    new = [p for p in index.passages if p.doc == "other"]
    assert len(new) == 3 and len(index) == len(before) + 3
    assert len(encoded) == len(new) + sum(len(p.sentences) for p in new if p.kind == "article")
    assert all("Quad" not in text for text in encoded)
    assert [p.id for p in index.passages[: len(before)]] == [p.id for p in before.passages]

    encoded.clear()
    changed = other.with_name("other-v2.txt")
    changed.write_text(OTHER.replace("cold morning", "windy morning"), encoding="utf-8")
    index = add_documents(index_dir, [changed], doc_id="other", embedder=embedder, progress=False)
    assert [s.doc for s in index.manifest.sources].count("other") == 1
    assert "windy" in index.source("other") and len(encoded) == 2  # the edited passage and its sentence
    assert index.source("other") == changed.read_text(encoding="utf-8")

    index = remove_documents(index_dir, ["other"], embedder=embedder, progress=False)
    assert [p.id for p in index.passages] == [p.id for p in before.passages]


@pytest.mark.parametrize("bad", ["empty", "blank", "binary", "undecodable", "oversize", "duplicate", "suffix", "bad-id"])
def test_bad_input_is_one_clear_message_and_changes_nothing(bad: str, index_dir: Path, tmp_path: Path,
                                                            embedder: Embedder) -> None:
    path, doc_id = tmp_path / f"{bad}.txt", None
    if bad == "empty":
        path.write_bytes(b"")
    elif bad == "blank":
        path.write_text("  \n\n ", encoding="utf-8")
    elif bad == "binary":
        path.write_bytes(b"Title\n\x00\x01binary\n")
    elif bad == "undecodable":  # no encoding reads these bytes as text
        path.write_bytes(b"Talks resumed. " * 20 + bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D, 0xFF]) * 3)
    elif bad == "oversize":
        with path.open("wb") as fh:
            fh.truncate(21 * 2**20)
    elif bad == "duplicate":
        shutil.copy(load_index(index_dir).manifest.sources[0].path, path)
    elif bad == "suffix":
        path = tmp_path / "notes.rtf"
        path.write_text(OTHER, encoding="utf-8")
    else:
        path.write_text(OTHER, encoding="utf-8")
        doc_id = "../escape"
    before = published(index_dir)
    with pytest.raises(DocumentError) as info:
        add_documents(index_dir, [path], doc_id=doc_id, embedder=embedder, progress=False)
    assert "\n" not in str(info.value)
    expected = {"empty": "empty", "blank": "empty", "binary": "binary", "undecodable": "iconv -f",
                "oversize": "too large",
                "duplicate": "already in the library", "suffix": ".docx briefings can be added", "bad-id": "document id"}[bad]
    assert expected in str(info.value)
    assert published(index_dir) == before
    assert not [p for p in index_dir.iterdir() if p.name.startswith((".tmp-", ".current-"))]
    code, _, err = run("index", "add", str(path), *(["--id", doc_id] if doc_id else []), "--index-dir",
                       str(index_dir), "--quiet")
    assert code == 1 and expected in err and "Traceback" not in err
    assert published(index_dir) == before


def test_removing_unknown_or_every_document_is_refused(index_dir: Path, embedder: Embedder) -> None:
    before = published(index_dir)
    with pytest.raises(DocumentError, match="No document 'nope'"):
        remove_documents(index_dir, ["nope"], embedder=embedder, progress=False)
    only = load_index(index_dir).manifest.sources[0].doc
    with pytest.raises(DocumentError, match="empty"):
        remove_documents(index_dir, [only], embedder=embedder, progress=False)
    assert published(index_dir) == before


def test_document_ids_from_file_names() -> None:
    assert doc_id_for(Path("q4 2023 (draft).md")) == "q4-2023-draft"
    assert doc_id_for(Path("...")) == "document"


# --------------------------------------------------------------------------- killed midway

ADD_KILLER = killer_script("from rag.library import add_documents\nadd_documents(index_dir, [source], progress=False)")


@pytest.mark.slow
@pytest.mark.parametrize("stage", [*STAGES_BEFORE_SWAP, "after-swap"])
def test_rag_index_add_killed_at_any_stage_leaves_a_library_that_answers(
    stage: str, index_dir: Path, other: Path, embedder: Embedder
) -> None:
    result = subprocess.run([sys.executable, "-c", ADD_KILLER, stage, str(index_dir), str(other)],
                            capture_output=True, text=True, env={**os.environ, **OFFLINE_ENV}, timeout=300)
    assert result.returncode == -signal.SIGKILL, result.stdout + result.stderr
    assert f"killed at {stage}" in result.stdout
    survivor = load_index(index_dir)  # every file's sha256 verified
    has_other = "other" in {s.doc for s in survivor.manifest.sources}
    assert has_other == (stage not in STAGES_BEFORE_SWAP)
    answer = Assistant(survivor, embedder=embedder).answer(SHIPPED_QUESTION)
    assert "Tokyo" in answer.text and not answer.abstained
    for c in answer.citations:
        assert survivor.source(c.passage.doc)[c.passage.char_start : c.passage.char_end] == c.passage.text
    # the next edit clears what the killed one left behind
    if has_other:
        remove_documents(index_dir, ["other"], embedder=embedder, progress=False)
    else:
        add_documents(index_dir, [other], embedder=embedder, progress=False)
    names = [p.name for p in index_dir.iterdir()]
    assert not [n for n in names if n.startswith((".tmp-", ".current-"))]
    # the published build and the earlier builds it lists as segments (an addition appends one), no other
    listed = {s.build for s in load_index(index_dir).manifest.parts()} - {"."}
    assert {n for n in names if n.startswith("build-")} == {published(index_dir), *listed}


@pytest.mark.slow
def test_rebuilding_the_default_index_keeps_added_documents(index_dir: Path, other: Path, embedder: Embedder,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from rag import Settings, open_index

    markdown = other.with_name("notes.md")
    markdown.write_text("# Arctic Notes\n\n## Shipping\n\nThe Polar Code was revised in Tromsø last spring.\n",
                        encoding="utf-8")
    from eval.journal_pdf import write_pdf

    pdf = write_pdf(other.with_name("cables.pdf"), [
        ("heading", "Cables"), ("paragraph", "The cable ship Aurora laid a new line to the Faroe Islands."),
        ("entry", "Jan. 7, 2024: The Aurora reaches Torshavn."),
    ])
    add_documents(index_dir, [other, markdown, pdf], embedder=embedder, progress=False)
    before = {p.id: p for p in load_index(index_dir).passages}
    monkeypatch.setenv("RAG_INDEX_DIR", str(index_dir))
    index = open_index(None, Settings(max_tokens=120), embedder=embedder, progress=False)  # stale: rebuilt
    assert index.manifest.settings["max_tokens"] == 120
    assert [s.doc for s in index.manifest.sources][1:] == ["other", "notes", "cables"]
    notes = [p for p in index.passages if p.doc == "notes"]
    assert notes and notes[0].title == "Arctic Notes" and notes[0].section == "Shipping"  # parsed as Markdown
    cables = [p for p in index.passages if p.doc == "cables"]  # re-added from the index's copy, pages and all
    assert [(p.id, p.page, p.kind) for p in cables] == [(p.id, p.page, p.kind) for p in before.values()
                                                        if p.doc == "cables"]
    assert all(index.source("cables")[p.char_start : p.char_end] == p.text for p in cables)


def test_adding_reports_each_stage_as_it_goes(index_dir: Path, other: Path, embedder: Embedder,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("rag.build.PROGRESS_SLICE", 1)  # one report per text embedded
    told: list[tuple[str, float]] = []
    index = add_documents(index_dir, [other], embedder=embedder, progress=False,
                          on_progress=lambda stage, fraction: told.append((stage, fraction)))
    stages = list(dict.fromkeys(stage for stage, _ in told))
    assert stages == ["reading", "embedding", "publishing"]
    for stage in stages:
        fractions = [f for s, f in told if s == stage]
        assert fractions[0] == 0.0 and fractions[-1] == 1.0 and fractions == sorted(fractions)
    new = [p for p in index.passages if p.doc == "other"]
    embedded = len(new) + sum(len(p.sentences) for p in new if p.kind == "article")
    assert len([f for s, f in told if s == "embedding" and f > 0]) == embedded  # the bar moves with each text
