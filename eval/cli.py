"""`rag eval` and `rag bench` (join `rag` through the `briefing_qa.commands` entry points; heavy imports happen only
when they run)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import click

from rag.cli import llm_options, warn_remote

EVAL_DIR = Path(__file__).resolve().parent


def _open_index(index_dir: Path | None) -> tuple[Any, Any, Any]:
    """The index to evaluate, the running settings and an embedder (None: `evaluate` loads the model once)."""
    from rag import Settings, open_index

    settings = Settings.from_env()
    return open_index(index_dir, settings), settings, None


def _retrievers(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, ...]:
    from eval.run import RETRIEVERS

    names = tuple(dict.fromkeys(v.strip() for v in value.split(",") if v.strip()))
    bad = [n for n in names if n not in RETRIEVERS]
    if bad or not names:
        raise click.BadParameter(f"{', '.join(bad) or 'nothing'} given; use a comma-separated list of "
                                 f"{', '.join(RETRIEVERS)}.")
    return names


@click.command("eval")
@click.option("--questions", "questions_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Gold questions, one JSON object per line (default: the shipped eval/questions.jsonl).")
@click.option("--retrievers", default="bm25,dense,hybrid", show_default=True, callback=_retrievers,
              help="Retrievers to compare, comma-separated.")
@click.option("--k", "k", type=click.IntRange(min=1, max=100), default=10, show_default=True,
              help="Passages ranked per question for the retrieval metrics.")
@click.option("--split", type=click.Choice(["dev", "test", "all"]), default="all", show_default=True,
              help="Questions to run; with all, figures are also reported per split.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the machine-readable results to this file.")
@click.option("--index-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Index folder (default: the shipped briefing's index, built on first use).")
@click.option("--out-dir", type=click.Path(file_okay=False, path_type=Path), default=EVAL_DIR, show_default=True,
              help="Where report.md and retrievers.png go.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--briefing", "briefing_paths", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Instead: another briefing (NAME.txt with its questions NAME.jsonl beside it, or a folder of such "
                   "pairs), each in its own index under --index-dir; writes briefings.md. Repeatable.")
@click.option("--briefings", "all_briefings", is_flag=True,
              help="Instead: every briefing in eval/briefings/ (like --briefing eval/briefings).")
@llm_options
@click.option("--llm-report", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where the written answers' report goes (default: llm_report.md in --out-dir).")
def eval_command(questions_file: Path | None, retrievers: tuple[str, ...], k: int, split: str, json_out: Path | None,
                 index_dir: Path | None, out_dir: Path, quiet: bool, briefing_paths: tuple[Path, ...],
                 all_briefings: bool, llm_url: str | None, llm_model: str | None, llm_report: Path | None) -> None:
    """Score retrieval and answers on the gold questions; write report.md and retrievers.png.

    With --llm-url, the model server's written answers are scored too, beside the extractive ones
    (llm_report.md). Example: rag eval --split dev --json eval/report.json

    With --briefings (or --briefing FILE), the other briefings are scored instead, one table each
    (briefings.md). Example: rag eval --briefings --index-dir /tmp/idx --out-dir /tmp/eval
    """
    if briefing_paths or all_briefings:
        _eval_briefings(briefing_paths, all_briefings, questions_file, retrievers, k, split, json_out, index_dir,
                        out_dir, quiet, llm_url)
        return
    from eval.questions import DEFAULT_QUESTIONS, load_questions, select_split
    from eval.report import write_report
    from eval.run import evaluate

    questions = select_split(load_questions(questions_file or DEFAULT_QUESTIONS), split)
    index, settings, embedder = _open_index(index_dir)
    flags = {"llm_url": llm_url, "llm_model": llm_model}
    settings = dataclasses.replace(settings, **{k: v for k, v in flags.items() if v is not None})
    warn_remote(settings)
    result = evaluate(questions, index, embedder, settings, retrievers, k, progress=not quiet)
    if settings.llm_url:
        from eval.written import evaluate_written, write_llm_report

        result["written"] = evaluate_written(questions, index, settings, progress=not quiet)
        written_report = write_llm_report(result["written"], llm_report or out_dir / "llm_report.md", split)
    report, chart = write_report(result, out_dir)
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    _print_summary(result)
    missed = [r["target"] for r in result["targets"]["rows"] if r["met"] is False]
    verdict = "all met" if not missed else "missed: " + ", ".join(missed)
    click.echo(f"Targets ({result['targets']['split']}): {verdict}.")
    if "written" in result:
        _print_written(result["written"])
        click.echo(f"Wrote {written_report}.")
    click.echo(f"Wrote {report} and {chart}" + (f" and {json_out}." if json_out else "."))


def _eval_briefings(paths: tuple[Path, ...], all_briefings: bool, questions_file: Path | None,
                    retrievers: tuple[str, ...], k: int, split: str, json_out: Path | None, index_root: Path | None,
                    out_dir: Path, quiet: bool, llm_url: str | None) -> None:
    """`rag eval --briefings` / `--briefing PATH`: see eval/briefing_eval.py."""
    from eval.briefing_eval import default_index_root, evaluate_briefings, summary_lines, write_briefings_report
    from eval.briefing_sets import BRIEFINGS_DIR, find_sets, pair
    from rag import Settings

    if llm_url:
        raise click.UsageError("--llm-url scores the shipped briefing only; leave it out with --briefing(s).")
    named = [*paths, *([BRIEFINGS_DIR] if all_briefings else [])]
    if questions_file is not None:
        if len(named) != 1 or not named[0].is_file():
            raise click.UsageError("--questions goes with one --briefing FILE (each briefing of a folder uses "
                                   "the NAME.jsonl beside it).")
        sets = [pair(named[0], questions_file)]
    else:
        sets = find_sets(named)
    settings = Settings.from_env()
    found = evaluate_briefings(sets, split, index_root or default_index_root(), settings, retrievers, k,
                               progress=not quiet)
    if not found["briefings"]:
        raise click.UsageError(f"No briefing has {split} questions; choose another --split.")
    report = write_briefings_report(found, out_dir / "briefings.md")
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(found, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for line in summary_lines(found):
        click.echo(line)
    for name, result in found["briefings"].items():
        dev = [r for r in result["per_question"] if not r["correct"] and r["split"] == "dev"]
        if dev:
            click.secho(f"{name}: dev misses", bold=True)
        for r in dev:
            click.echo(f"  {r['id']} ({r['type']}) {r['question']} -> "
                       + ("abstained" if r["abstained"] else " ".join(r["answer"].split())[:160]))
    click.echo(f"Wrote {report}" + (f" and {json_out}." if json_out else "."))


def _print_written(w: dict[str, Any]) -> None:
    def pct(v: float | None) -> str:
        return "n/a" if v is None else f"{v:.3f}"

    acc, ab = w["accuracy"], w["abstention"]
    click.secho(f"written answers ({w['model']}): {w['n_questions']} questions", bold=True)
    click.echo(f"  accuracy written {pct(acc['written'])}  shown {pct(acc['shown'])}  "
               f"extractive {pct(acc['extractive'])}")
    click.echo(f"  sentences verified {w['sentences_verified']}/{w['sentences']} ({pct(w['share_verified'])}), "
               f"unsupported caught {w['caught']}, failures {w['failed']}")
    click.echo(f"  abstention on unanswerable: written {pct(ab['written_on_unanswerable'])}, "
               f"extractive {pct(ab['extractive_on_unanswerable'])}")
    first, speed = w["first_token_ms_p50"], w["tokens_per_s_p50"]
    click.echo(f"  first token p50 {'n/a' if first is None else f'{first / 1e3:.2f} s'}, "
               f"tokens/s p50 {'n/a' if speed is None else f'{speed:.1f}'}")


def _print_summary(result: dict[str, Any]) -> None:
    from eval.metrics import RETRIEVAL_KEYS

    sections = [*result["splits"].items(), ("all", result)] if "splits" in result else [(result["split"], result)]
    for name, figures in sections:
        click.secho(f"{name}: {figures['n_questions']} questions", bold=True)
        for r, values in figures["retrievers"].items():
            click.echo(f"  {r:<7}" + "  ".join(f"{key} {values[key]:.3f}" for key in RETRIEVAL_KEYS))
        a, lat = figures["answers"], figures["latency_ms"]
        click.echo("  answers " + "  ".join(f"{key} {'n/a' if v is None else f'{v:.3f}'}" for key, v in a.items()))
        click.echo(f"  latency retrieve p50 {lat['retrieve_p50']:.1f} ms, p95 {lat['retrieve_p95']:.1f} ms; "
                   f"answer p50 {lat['answer_p50']:.1f} ms, p95 {lat['answer_p95']:.1f} ms")


@click.command("bench")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the machine-readable figures to this file.")
@click.option("--skip-1m", is_flag=True, help="Leave out the 1M-passage size of the scale sweep.")
@click.option("--quick", is_flag=True, help="One repetition where the full run makes three or five (for CI).")
@click.option("--md", "md_out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where the report goes (default eval/bench.md, or eval/archive_bench.md with --archive).")
@click.option("--archive", is_flag=True, help="Instead: the archive's figures (eval/archive.py) at --docs and at 21.")
@click.option("--docs", type=int, default=100, show_default=True, help="With --archive: the archive's size.")
@click.option("--size", type=click.Choice(["journal", "small"]), default="journal", show_default=True,
              help="With --archive: the size of each briefing (journal: a chapter's ~100 passages; small: ~19).")
def bench_command(json_out: Path | None, skip_1m: bool, quick: bool, md_out: Path | None, archive: bool,
                  docs: int, size: str) -> None:
    """Measure latency, cold start, build time, memory and scale against the targets; write bench.md.

    Example: rag bench --json eval/bench.json --skip-1m
    """
    if archive:
        from eval.archive_bench import archive_bench
        from eval.archive_bench import write_markdown as write_archive

        found = archive_bench(docs, quick, size=size)
        found["command"] = f"rag bench --archive --docs {docs} --size {size}" + (" --quick" if quick else "")
        md_out = md_out or EVAL_DIR / "archive_bench.md"
        write_archive(found, md_out)
        if json_out is not None:
            json_out.write_text(json.dumps(found, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        click.echo(f"Wrote {md_out}" + (f" and {json_out}." if json_out else "."))
        return
    from eval.bench import run_bench
    from eval.bench_report import write_markdown

    md_out = md_out or EVAL_DIR / "bench.md"
    result = run_bench(quick=quick, skip_1m=skip_1m)
    write_markdown(result, md_out)
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for t in result["targets"]:
        met = {True: "met", False: "MISSED", None: "n/a"}[t["met"]]
        click.echo(f"{met:>6}  {t['target']}: {t['measured']} {t['unit']} (target {t['op']} {t['threshold']})")
    click.echo(f"Wrote {md_out}" + (f" and {json_out}." if json_out else "."))
