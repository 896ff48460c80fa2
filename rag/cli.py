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
    info = index.info()
    click.echo(f"Indexed {info['passages']} passages ({info['article_passages']} article, "
               f"{info['chronology_passages']} chronology) from {len(info['documents'])} document(s) "
               f"into {target} in {index.manifest.build_seconds:.1f} s.")


def _print_answer(answer: Any, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return
    if answer.analysis is not None and answer.analysis.follows:
        click.secho(f"(Read as: {answer.analysis.text})", fg="yellow", err=True)
    for note in answer.notes:
        click.secho(f"({note})", fg="yellow", err=True)
    click.echo(answer.text)
    if answer.citations:
        click.echo("")
        click.secho("Sources" if not answer.abstained else "Closest passages", bold=True)
        for c in answer.citations:
            p = c.passage
            where = f"{p.doc}, {p.label()}" if p.kind == "chronology" else f"{p.doc}, § {p.section}"
            click.echo(f" [{c.n}] {where}  (chars {c.highlight_start}–{c.highlight_end})")
            if p.kind == "article" or answer.abstained:
                sentence = p.text[c.highlight_start - p.char_start : c.highlight_end - p.char_start]
                click.echo(f"     “{sentence}”")
    click.secho(f"confidence {answer.confidence:.2f} · {answer.timings_ms.get('total', 0):.0f} ms", dim=True)


@main.command()
@click.argument("question", required=False)
@k_option
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@index_dir_option
def ask(question: str | None, k: int | None, as_json: bool, index_dir: Path | None) -> None:
    """Answer QUESTION with cited passages (no QUESTION: an interactive prompt)."""
    from rag import Assistant
    from rag.errors import InvalidQuestionError

    index, settings = _open(index_dir)
    assistant = Assistant(index, settings=settings)
    if question is not None:
        _print_answer(assistant.answer(question, k=k), as_json)
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
            _print_answer(assistant.answer(line, k=k, previous=previous), as_json)
            previous = line
        except InvalidQuestionError as exc:
            click.secho(str(exc), fg="red", err=True)
        click.echo("")


@main.command()
@click.argument("query")
@k_option
@click.option("--json", "as_json", is_flag=True, help="Print the passages as JSON.")
@index_dir_option
def search(query: str, k: int | None, as_json: bool, index_dir: Path | None) -> None:
    """Ranked passages for QUERY, without composing an answer."""
    from rag import Retriever
    from rag.question import clean

    index, settings = _open(index_dir)
    text = clean(query, settings.max_question_chars)
    passages = Retriever(index, settings=settings).retrieve(text, k)
    if as_json:
        keys = ("id", "doc", "section", "kind", "date_start", "date_end", "text", "char_start", "char_end", "score",
                "dense_rank", "bm25_rank")
        click.echo(json.dumps([{key: getattr(p, key) for key in keys} for p in passages], ensure_ascii=False, indent=2))
        return
    for rank, p in enumerate(passages, start=1):
        click.secho(f"{rank:>2}. {p.label()}  score {p.score:.4f}  dense #{p.dense_rank or '-'}  "
                    f"bm25 #{p.bm25_rank or '-'}  [{p.id}]", bold=True)
        click.echo(f"    {p.text[:300]}{'…' if len(p.text) > 300 else ''}")


@main.command()
@index_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def info(index_dir: Path | None, as_json: bool) -> None:
    """Index statistics: documents, passages, model, when it was built."""
    index, _ = _open(index_dir)
    data = index.info()
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    width = max(len(k) for k in data)
    for key, value in data.items():
        click.echo(f"{key:<{width}}  {', '.join(value) if isinstance(value, list) else value}")


if __name__ == "__main__":
    main()
