"""The `rag` command: build an index, ask, search, inspect.

Other packages add subcommands through the `briefing_qa.commands` entry-point group (pyproject.toml): `ui`
adds `serve`, `eval` adds `eval` and `bench`. They are imported only when named (or listed by `rag --help`),
so `rag ask` never imports Gradio, matplotlib or ir-measures, and the library never imports `ui` or `eval`.
"""

from __future__ import annotations

import json
import os
import sys
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any

import click

from rag.settings import OFFLINE_ENV

# NumPy's BLAS threads fight over two shared cores for the tiny matrices of a question: one is faster.
# The variable reaches processes this one starts; importing `rag.cli` has already loaded NumPy (through the
# package's `__init__`), so `main` limits this process's BLAS pool at run time with threadpoolctl.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

#: The entry-point group whose commands join `rag` (name = "package.module:click_command").
COMMANDS_GROUP = "briefing_qa.commands"


def set_offline_env() -> None:
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)


def single_thread_search() -> None:
    """One FAISS thread for one query at a time: on two shared cores, two threads make a search slower
    (rag bench: exact search over 100k passages 15.6 ms with two, 8.8 ms with one)."""
    import faiss

    faiss.omp_set_num_threads(1)


index_dir_option = click.option(
    "--index-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Index folder (default: the shipped briefing's index, built on first use).",
)


def llm_options(command: Any) -> Any:
    """`--llm-url` and `--llm-model`: a written answer from the user's own model server, beside the extractive one."""
    command = click.option("--llm-model", default=None, metavar="NAME",
                           help="Model the server should use (default: $RAG_LLM_MODEL, else the first one it lists).",
                           )(command)
    return click.option("--llm-url", default=None, metavar="URL",
                        help="OpenAI-compatible model server that also writes an answer, every [n] checked, "
                             "e.g. http://127.0.0.1:8080/v1 (default: $RAG_LLM_URL; off).")(command)


def warn_remote(settings: Any) -> None:
    """Say so when the model server is not on this machine: the passages will leave it."""
    if not settings.llm_url:
        return
    from rag.llm import remote_warning

    warning = remote_warning(settings.llm_url)
    if warning:
        click.secho(warning, fg="yellow", err=True)


k_option = click.option("-k", "k", type=click.IntRange(min=1, max=100), default=None,
                        help="Passages to retrieve (default 5).")


class RagGroup(click.Group):
    """Turns the library's own errors into one clean line and exit code 1: no tracebacks for users.

    Commands registered under `COMMANDS_GROUP` by other packages are loaded on first use, like plugins.
    """

    def _plugins(self) -> dict[str, EntryPoint]:
        return {ep.name: ep for ep in entry_points(group=COMMANDS_GROUP)}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._plugins()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and (plugin := self._plugins().get(cmd_name)) is not None:
            command = plugin.load()
        return command

    def invoke(self, ctx: click.Context) -> Any:
        from rag.errors import RagError

        try:
            return super().invoke(ctx)
        except RagError as exc:
            raise click.ClickException(str(exc)) from None
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            sys.exit(130)


def _open(index_dir: Path | None, **overrides: Any):  # type: ignore[no-untyped-def]
    from rag import Settings, open_index

    settings = Settings.from_env(**overrides)
    single_thread_search()
    return open_index(index_dir, settings), settings


@click.group(cls=RagGroup)
@click.version_option(package_name="briefing-qa", prog_name="rag")
def main() -> None:
    """Briefing QA: ask questions about a policy briefing; every answer cites its passages."""
    set_offline_env()
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


@main.group("index")
def index_group() -> None:
    """Build and inspect indexes."""


@index_group.command("build")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@index_dir_option
@click.option("--max-tokens", type=click.IntRange(min=16), default=None, help="Largest article passage in tokens.")
@click.option("--model", default=None, help="sentence-transformers model name or local path.")
@click.option("--quiet", is_flag=True, help="No progress output.")
def index_build(files: tuple[Path, ...], index_dir: Path | None, max_tokens: int | None, model: str | None,
                quiet: bool) -> None:
    """Build an index from briefing FILES (default: the shipped briefing)."""
    from rag import Settings, build_index
    from rag.settings import DEFAULT_CORPUS, default_index_dir

    settings = Settings.from_env(max_tokens=max_tokens, model=model)
    sources = list(files) or [DEFAULT_CORPUS]
    target = index_dir or default_index_dir()
    index = build_index(sources, target, settings, progress=not quiet)
    _report(index, None)
    info = index.info()
    click.echo(f"Indexed {info['passages']} passages ({info['article_passages']} article, "
               f"{info['chronology_passages']} chronology) from {len(info['documents'])} document(s) "
               f"into {target} in {index.manifest.build_seconds:.1f} s.")


def _report(index: Any, docs: set[str] | None) -> None:
    """Per document: what was read (format, pages, sections, passages, entries), notes, and warnings."""
    from rag.report import report

    for row in report(index, docs):
        for note in row.notes:
            click.secho(note, fg="yellow", err=True)
        click.echo(row.line())
        if row.warning:
            click.secho(f"Warning: {row.warning}", fg="yellow", err=True)


def _library_dir(index_dir: Path | None, settings: Any) -> Path:
    """The folder a library edit works on; the default index is built first if it is missing or stale."""
    from rag import open_index
    from rag.settings import default_index_dir

    if index_dir is not None:
        return index_dir
    open_index(None, settings)
    return default_index_dir()


@index_group.command("add")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--id", "doc_id", default=None, help="Document id (default: the file's name without its suffix); "
              "a document with this id is replaced.")
@click.option("--title", default=None, help="Title shown in citations (default: the Markdown title or file name).")
@index_dir_option
@click.option("--quiet", is_flag=True, help="No progress output.")
def index_add(files: tuple[Path, ...], doc_id: str | None, title: str | None, index_dir: Path | None,
              quiet: bool) -> None:
    """Add briefing FILES (.txt, .md, .pdf, .html, .docx) to the library, or replace documents with the same id.

    Only text the index has not seen is embedded; the update is published atomically.
    """
    from rag import Settings
    from rag.library import add_documents, doc_id_for

    settings = Settings.from_env()
    target = _library_dir(index_dir, settings)
    index = add_documents(target, list(files), doc_id=doc_id, title=title, settings=settings, progress=not quiet)
    added = {doc_id} if doc_id else {doc_id_for(f) for f in files}
    _report(index, added)
    rows = [row for row in index.library() if row["id"] in added]
    for row in rows:
        click.echo(f"Added {row['id']} ({row['title']}): {row['passages']} passages, {_period(row)}.")
    click.echo(f"The library in {target} holds {len(index.manifest.sources)} document(s), {len(index)} passages "
               f"({index.manifest.build_seconds:.1f} s).")


@index_group.command("remove")
@click.argument("doc_ids", nargs=-1, required=True)
@index_dir_option
def index_remove(doc_ids: tuple[str, ...], index_dir: Path | None) -> None:
    """Remove documents (by id, see `rag info`) from the library."""
    from rag import Settings
    from rag.library import remove_documents

    settings = Settings.from_env()
    target = _library_dir(index_dir, settings)
    index = remove_documents(target, doc_ids, settings=settings, progress=False)
    click.echo(f"Removed {', '.join(doc_ids)}; the library in {target} holds {len(index.manifest.sources)} "
               f"document(s), {len(index)} passages.")


@index_group.command("compact")
@index_dir_option
def index_compact(index_dir: Path | None) -> None:
    """Rewrite the library as one segment (additions each add one; a ninth compacts by itself). Nothing is
    embedded; BM25 scores become exact again."""
    from rag import Settings
    from rag.library import compact_index

    settings = Settings.from_env()
    target = _library_dir(index_dir, settings)
    index = compact_index(target, settings=settings, progress=False)
    click.echo(f"The library in {target} is one segment: {len(index.manifest.sources)} document(s), "
               f"{len(index)} passages.")


@index_group.command("verify")
@index_dir_option
def index_verify(index_dir: Path | None) -> None:
    """Check every file of the index against its manifest's sha256 now, the large ones included (loading checks
    those on a background thread that answers wait for)."""
    from rag import Settings
    from rag.index import load_index

    settings = Settings.from_env()
    target = _library_dir(index_dir, settings)
    index = load_index(target, settings)
    index.check_integrity()
    click.echo(f"{target}: all {len(index.manifest.files)} files match their manifest (sha256); "
               f"{len(index.manifest.sources)} document(s), {len(index)} passages.")


def _period(row: dict[str, Any]) -> str:
    from rag.dates import format_range

    if not row.get("start"):
        return "no dated entries"
    return format_range(row["start"], row["end"] or row["start"])


def _where(p: Any) -> str:
    """A citation's place: the document's title, the date of a chronology entry or the article's section, and
    the page of a paged source (`p. 3`)."""
    where = f"{p.title}, {p.label()}" if p.kind == "chronology" else f"{p.title}, § {p.section}"
    return f"{where}, {p.page_label()}" if p.page is not None else where


doc_option = click.option("--doc", "docs", multiple=True, metavar="DOC_ID",
                          help="Search only this document (repeatable; ids as `rag info` lists them).")


def _filters(index: Any, docs: tuple[str, ...]) -> Any:
    from rag import Filters
    from rag.errors import DocumentError

    if not docs:
        return None
    known = [s.doc for s in index.manifest.sources]
    unknown = [d for d in docs if d not in known]
    if unknown:
        raise DocumentError(f"No document {', '.join(map(repr, unknown))} in the library; "
                            f"choose from {', '.join(known)} (`rag info`).")
    return Filters(docs=tuple(dict.fromkeys(docs)))


def _print_written(w: Any) -> bool:
    """The written answer, each sentence verified or marked, with its sources; False when it is not shown."""
    if w.status in ("failed", "unverified"):
        click.secho(f"({w.note})", fg="yellow", err=True)
        return False
    click.secho(f"Written answer ({w.model}, every sentence checked against its source):", bold=True)
    for s in w.sentences:
        if s.verified or s.abstains:
            click.echo(f"  {s.text}")
        elif s.shown:  # marked, unless the setting drops it
            click.secho(f"  [unverified: {s.why}] {s.text}", fg="yellow")
    if w.note:
        click.secho(f"({w.note})", fg="yellow", err=True)
    for c in w.citations:
        p = c.passage
        sentence = p.text[c.highlight_start - p.char_start : c.highlight_end - p.char_start]
        click.echo(f" [{c.n}] {_where(p)}  (chars {c.highlight_start}–{c.highlight_end})")
        click.echo(f"     “{sentence}”")
    click.echo("")
    click.secho("Extractive answer:", bold=True)
    return True


def _print_answer(answer: Any, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return
    if answer.written is not None:
        _print_written(answer.written)
    q = answer.analysis
    if q is not None and q.follows:
        click.secho(f"(Read as: {q.text})", fg="yellow", err=True)
    if q is not None and q.period is not None and q.period.reading:
        click.secho(f"({q.period.reading_note()})", fg="yellow", err=True)
    for note in answer.notes:
        click.secho(f"({note})", fg="yellow", err=True)
    click.echo(answer.text)
    if answer.citations:
        click.echo("")
        click.secho("Sources" if not answer.abstained else "Closest passages", bold=True)
        for c in answer.citations:
            p = c.passage
            click.echo(f" [{c.n}] {_where(p)}  (chars {c.highlight_start}–{c.highlight_end})")
            if p.kind == "article" or answer.abstained:
                sentence = p.text[c.highlight_start - p.char_start : c.highlight_end - p.char_start]
                click.echo(f"     “{sentence}”")
    click.secho(f"confidence {answer.confidence:.2f} · {answer.timings_ms.get('total', 0):.0f} ms", dim=True)


@main.command()
@click.argument("question", required=False)
@k_option
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@doc_option
@index_dir_option
@llm_options
def ask(question: str | None, k: int | None, as_json: bool, docs: tuple[str, ...], index_dir: Path | None,
        llm_url: str | None, llm_model: str | None) -> None:
    """Answer QUESTION with cited passages (no QUESTION: an interactive prompt).

    With a model server (--llm-url), its written answer comes first, each sentence checked against the passage
    it cites; the extractive answer follows.
    """
    from rag import Assistant, carried_question
    from rag.errors import InvalidQuestionError

    index, settings = _open(index_dir, llm_url=llm_url, llm_model=llm_model)
    warn_remote(settings)
    filters = _filters(index, docs)
    assistant = Assistant(index, settings=settings)
    writer = None
    if settings.llm_url:  # imported only then: `rag ask` alone stays as quick to start as before
        from rag.written import Writer

        writer = Writer(assistant)

    def ask_one(text: str, previous: str | None = None) -> Any:
        extractive = assistant.answer(text, k=k, filters=filters, previous=previous)
        return writer.write(extractive) if writer is not None else extractive

    if question is not None:
        _print_answer(ask_one(question), as_json)
        return
    click.echo("Ask about the briefing (an empty line or Ctrl-D quits).")
    previous = None
    while True:
        try:
            line = input("? ")
        except EOFError:
            break
        if not line.strip():
            break
        try:
            answer = ask_one(line, previous)
            _print_answer(answer, as_json)
            previous = carried_question(answer)  # as the page does: a chain of follow-ups keeps its subject
        except InvalidQuestionError as exc:
            click.secho(str(exc), fg="red", err=True)
        click.echo("")


@main.command()
@click.argument("query")
@k_option
@click.option("--json", "as_json", is_flag=True, help="Print the passages as JSON.")
@doc_option
@index_dir_option
def search(query: str, k: int | None, as_json: bool, docs: tuple[str, ...], index_dir: Path | None) -> None:
    """Ranked passages for QUERY, without composing an answer."""
    from rag import Retriever
    from rag.question import clean

    index, settings = _open(index_dir)
    text = clean(query, settings.max_question_chars)
    passages = Retriever(index, settings=settings).retrieve(text, k, filters=_filters(index, docs))
    if as_json:
        keys = ("id", "doc", "title", "section", "kind", "date_start", "date_end", "text", "char_start", "char_end",
                "page", "score", "dense_rank", "bm25_rank")
        click.echo(json.dumps([{key: getattr(p, key) for key in keys} for p in passages], ensure_ascii=False, indent=2))
        return
    for rank, p in enumerate(passages, start=1):
        click.secho(f"{rank:>2}. {_where(p)}  score {p.score:.4f}  dense #{p.dense_rank or '-'}  "
                    f"bm25 #{p.bm25_rank or '-'}  [{p.id}]", bold=True)
        click.echo(f"    {p.text[:300]}{'…' if len(p.text) > 300 else ''}")


@main.command()
@index_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def info(index_dir: Path | None, as_json: bool) -> None:
    """The library's documents (id, title, period, passages, added at), then index statistics."""
    index, _ = _open(index_dir)
    data = index.info()
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    library = data.pop("library")
    rows = [("id", "title", "period", "passages", "added at")]
    rows += [(r["id"], r["title"], _period(r), str(r["passages"]), str(r["added_at"]).replace("T", " "))
             for r in library]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        click.secho("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip(), bold=n == 0)
    click.echo("")
    width = max(len(k) for k in data)
    for key, value in data.items():
        click.echo(f"{key:<{width}}  {', '.join(value) if isinstance(value, list) else value}")


if __name__ == "__main__":
    main()
