"""The shipped briefing in every format (tests/formats.py): read alike, indexed with offsets into one stored
text, refused as a duplicate of itself, reported per document, and answering the dev questions alike."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from rag import Answer, Assistant, Filters, Index, build_index
from rag.copies import read_document
from rag.embed import Embedder
from rag.errors import DocumentError
from rag.library import add_documents
from rag.parse import Document, parse

QUAD = "Where did the Quad Senior Cyber Group meet in December?"


def shape(doc: Document) -> list[tuple[str, str, str]]:
    return [(b.kind, b.section, doc.text(b)) for b in doc.blocks]


def check_offsets(index: Index, answers: list[Answer] = ()) -> None:  # type: ignore[assignment]
    """Every passage and every citation indexes the stored text of its document exactly."""
    for p in index.passages:
        stored = index.source(p.doc)
        assert stored[p.char_start : p.char_end] == p.text
        for a, b in p.sentences:
            assert p.char_start <= a < b <= p.char_end
    for answer in answers:
        for c in answer.citations:
            stored = index.source(c.passage.doc)
            assert stored[c.passage.char_start : c.passage.char_end] == c.passage.text
            assert c.passage.char_start <= c.highlight_start < c.highlight_end <= c.passage.char_end
            if c.short_start is not None and c.short_end is not None:
                assert c.highlight_start <= c.short_start < c.short_end <= c.highlight_end


@pytest.mark.parametrize("name", ["crlf", "cr", "bom", "cp1252", "md", "html", "docx", "pdf"])
def test_every_format_reads_as_the_text_does(format_files: dict[str, Path], name: str) -> None:
    reference = parse(format_files["txt"])
    doc = parse(format_files[name])
    assert shape(doc) == shape(reference)
    if name == "pdf":
        pages = [b.page for b in doc.blocks]
        assert doc.pages and all(pages) and pages == sorted(pages) and pages[-1] == doc.pages  # type: ignore[type-var]
    else:
        assert doc.pages is None and {b.page for b in doc.blocks} == {None}
    if name in ("crlf", "cr", "bom", "cp1252"):
        assert doc.source == reference.source and doc.content_sha256 == reference.content_sha256
    assert doc.notes == (("briefing.txt: decoded as windows-1252",) if name == "cp1252" else ())


def test_one_library_of_formats_keeps_offsets_and_pages(format_files: dict[str, Path], tmp_path: Path,
                                                       embedder: Embedder) -> None:
    files = [format_files["crlf"], format_files["pdf"], format_files["md"]]
    index = build_index(files, tmp_path / "idx", embedder=embedder, progress=False)
    assert [s.format for s in index.manifest.sources] == ["text", "pdf", "markdown"]
    assistant = Assistant(index, embedder=embedder)
    docs = [s.doc for s in index.manifest.sources]
    answers = [assistant.answer(QUAD, filters=Filters(docs=(doc,))) for doc in docs]
    check_offsets(index, answers)
    assert [a.short_answer for a in answers] == ["Tokyo"] * 3
    assert "\r" not in index.source(docs[0])  # stored once, with `\n` line ends
    assert all(p.page for p in index.passages if p.doc == docs[1])
    assert all(c["page"] for c in answers[1].to_dict()["citations"])
    assert not any(c["page"] for c in answers[0].to_dict()["citations"])
    # the index's copies are the documents as read: a library rebuilds from them whatever their format
    build = index.path
    for source in index.manifest.sources:
        copy = read_document(build, source)
        assert shape(copy) == shape(parse(source.path)) and copy.pages == source.pages


def test_the_same_text_in_another_encoding_or_line_ending_is_a_duplicate(format_files: dict[str, Path],
                                                                         tmp_path: Path, embedder: Embedder) -> None:
    index_dir = tmp_path / "idx"
    build_index([format_files["txt"]], index_dir, embedder=embedder, progress=False)
    for name in ("crlf", "cp1252"):
        with pytest.raises(DocumentError, match="already in the library as 'briefing'"):
            add_documents(index_dir, [format_files[name]], doc_id=f"copy-{name}", embedder=embedder, progress=False)
    with pytest.raises(DocumentError, match="same text as"):
        build_index([format_files["txt"], format_files["bom"]], tmp_path / "two", embedder=embedder, progress=False)


def test_build_report_names_format_pages_and_undated_chronologies(format_files: dict[str, Path],
                                                                  tmp_path: Path) -> None:
    from rag.cli import main

    undated = tmp_path / "undated.txt"
    undated.write_text("Trade\nTariffs rose in March.\nMar. 4, 2024 The ministers meet.\n"
                       "Mar. 5, 2024 Talks go on.\nMar. 6, 2024 Talks end.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["index", "build", "--quiet", "--index-dir", str(tmp_path / "idx"),
                                       str(format_files["pdf"]), str(undated), str(format_files["cp1252"])])
    assert result.exit_code == 0, result.output
    pages = parse(format_files["pdf"]).pages
    assert f"briefing (pdf, {pages} pages): 6 sections, " in result.output
    assert "61 chronology entries" in result.output
    assert "undated (text): 1 section, 4 article passages, 0 chronology entries" in result.output
    assert "Warning: undated: no chronology entries were read, yet 3 line(s) start with a date" in result.output
    assert "briefing.txt: decoded as windows-1252" in result.output
    asked = CliRunner().invoke(main, ["ask", QUAD, "--index-dir", str(tmp_path / "idx"), "--doc", "briefing"])
    assert asked.exit_code == 0 and "Tokyo" in asked.output, asked.output
    assert ", p. " in asked.output


@pytest.mark.slow
def test_dev_questions_score_alike_on_every_format(format_files: dict[str, Path], tmp_path: Path,
                                                   embedder: Embedder) -> None:
    from eval.judge import answer_matches
    from eval.questions import load_questions, select_split

    questions = select_split(load_questions(), "dev")
    accuracy: dict[str, float] = {}
    quad: dict[str, tuple[str | None, list[str]]] = {}
    for name, path in format_files.items():
        index = build_index([path], tmp_path / name, embedder=embedder, progress=False)
        assistant = Assistant(index, embedder=embedder)
        answers = [assistant.answer(q.question) for q in questions]
        check_offsets(index, answers)
        correct = [
            (not a.abstained and answer_matches(a.text, q.answers, q.all_answers)) if q.answerable else a.abstained
            for q, a in zip(questions, answers, strict=True)
        ]
        accuracy[name] = sum(correct) / len(correct)
        quad_answer = assistant.answer(QUAD)
        source = index.source(quad_answer.citations[0].passage.doc)
        quad[name] = (quad_answer.short_answer,
                      [source[c.highlight_start : c.highlight_end] for c in quad_answer.citations])
    print("dev accuracy per format:", {k: round(v, 3) for k, v in accuracy.items()})
    for name, value in accuracy.items():
        assert abs(value - accuracy["txt"]) <= 0.02, (name, accuracy)
    assert quad["crlf"] == quad["txt"] and quad["txt"][0] == "Tokyo"
