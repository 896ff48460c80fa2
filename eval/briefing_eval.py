"""`rag eval --briefings`: score the pipeline on other briefings, each in its own index, one table per briefing.

Each briefing (`eval/briefing_sets.py`) is indexed under `INDEX_ROOT/NAME` (rebuilt when missing, stale or built
from another file), its questions are run through `eval.run.evaluate` with one shared embedder, and
`briefings.md` gets a table per briefing: accuracy, coverage, abstention recall, short-answer precision,
paraphrase accuracy, the top-passage baseline, hybrid retrieval, and accuracy by type beside the baseline.
Misses are listed for dev questions only: a held-out (test) question is counted, never printed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from eval.briefing_sets import BriefingSet
from eval.questions import QUESTION_TYPES, select_split
from rag import Index, Settings, build_index
from rag.embed import Embedder
from rag.errors import IndexCorruptError, IndexMismatchError, IndexNotFoundError
from rag.index import load_index
from rag.settings import default_index_dir


def default_index_root() -> Path:
    """Where the other briefings' indexes go by default: `briefings/` beside the shipped briefing's index."""
    return default_index_dir().parent / "briefings"


def open_briefing_index(briefing: Path, index_dir: Path, settings: Settings, embedder: Embedder,
                        progress: bool = True) -> Index:
    """The index of this one briefing in `index_dir`, built (or rebuilt) when missing, stale or of another file."""
    try:
        index = load_index(index_dir, settings)
        paths = {Path(s.path).resolve() for s in index.manifest.sources}
        if paths == {briefing.resolve()}:
            return index
        reason = "built from another file"
    except (IndexNotFoundError, IndexMismatchError, IndexCorruptError) as exc:
        reason = "first use" if isinstance(exc, IndexNotFoundError) else str(exc).split(";")[0]
    if progress:
        print(f"Building the index of {briefing.name} in {index_dir} ({reason})…", file=sys.stderr)
    return build_index([briefing], index_dir, settings, embedder=embedder, progress=progress)


def evaluate_briefings(sets: Sequence[BriefingSet], split: str, index_root: Path, settings: Settings,
                       retrievers: Sequence[str], k: int, progress: bool = True,
                       embedder: Embedder | None = None,
                       evaluate: Callable[..., dict[str, Any]] | None = None) -> dict[str, Any]:
    """Every briefing's `evaluate` result (the `rag eval --json` structure) by name, with its files and index.

    A briefing without questions in `split` is left out and named under `"skipped"`.
    """
    if evaluate is None:
        from eval.run import evaluate
    embedder = embedder or Embedder(settings)
    out: dict[str, Any] = {"split": split, "briefings": {}, "skipped": []}
    for s in sets:
        questions = s.load()
        if split != "all" and not any(q.split == split for q in questions):
            out["skipped"].append({"name": s.name, "reason": f"no {split} questions"})
            continue
        chosen = select_split(questions, split)
        index = open_briefing_index(s.briefing, index_root / s.name, settings, embedder, progress)
        result = evaluate(chosen, index, embedder, settings, retrievers, k, progress=progress)
        result["briefing"] = {"name": s.name, "path": str(s.briefing), "questions": str(s.questions)}
        out["briefings"][s.name] = result
    return out


def _shown(path: str) -> str:
    """A path relative to the working folder when it is inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return path


def _f(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.3f}"


def headline(result: dict[str, Any]) -> dict[str, Any]:
    """The figures a briefing's table starts with."""
    a, hybrid = result["answers"], result["retrievers"].get("hybrid", {})
    by_type = result["by_type"]
    return {"questions": result["n_questions"], "answerable": result["n_answerable"],
            "accuracy": a["accuracy"], "top_passage_accuracy": a["top_passage_accuracy"],
            "coverage": a["coverage"], "abstention_recall": a["abstention_recall"],
            "abstention_precision": a["abstention_precision"],
            "short_precision": a["short_precision"], "short_shown": a["short_shown"],
            "short_accuracy": a["short_accuracy"],
            "paraphrase": by_type.get("paraphrase", {}).get("accuracy"),
            "hit@5": hybrid.get("hit@5"), "mrr@10": hybrid.get("mrr@10")}


def misses(result: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
    """The wrong answers to dev questions (listed) and how many test questions were missed (counted only)."""
    wrong = [r for r in result["per_question"] if not r["correct"]]
    return [r for r in wrong if r["split"] == "dev"], sum(r["split"] == "test" for r in wrong)


def briefing_table(name: str, result: dict[str, Any]) -> list[str]:
    h = headline(result)
    splits = sorted({r["split"] for r in result["per_question"]})
    lines = [f"## {name}", "", f"`{_shown(result['briefing']['path'])}` · {h['questions']} questions "
             f"({h['answerable']} answerable), split {'/'.join(splits)} · index {_shown(result['index']['path'])} "
             f"({result['index']['passages']} passages)", "",
             "| figure | value |", "|---|---|"]
    shown = f" ({h['short_shown']} shown)" if h["short_shown"] is not None else ""
    rows = [("accuracy", _f(h["accuracy"])), ("top-passage baseline", _f(h["top_passage_accuracy"])),
            ("coverage (answerable answered)", _f(h["coverage"])),
            ("abstention recall", _f(h["abstention_recall"])),
            ("abstention precision", _f(h["abstention_precision"])),
            ("short-answer precision (when shown)", _f(h["short_precision"]) + shown),
            ("short-answer accuracy (typed)", _f(h["short_accuracy"])),
            ("paraphrase accuracy", _f(h["paraphrase"])),
            ("hybrid hit@5", _f(h["hit@5"])), ("hybrid MRR@10", _f(h["mrr@10"]))]
    lines += [f"| {k} | {v} |" for k, v in rows]
    lines += ["", "| type | n | accuracy | top passage | hit@5 |", "|---|---|---|---|---|"]
    for kind in QUESTION_TYPES:
        t = result["by_type"].get(kind)
        if t:
            lines.append(f"| {kind} | {t['n']} | {_f(t['accuracy'])} | {_f(t['top_passage_accuracy'])} "
                         f"| {_f(t['hit@5'])} |")
    dev, test = misses(result)
    lines += ["", f"Misses: {len(dev)} dev (listed), {test} test (counted only: held out).", ""]
    for r in dev:
        answer = " ".join(r["answer"].split())
        lines.append(f"- `{r['id']}` ({r['type']}) {r['question']} → "
                     f"{'abstained' if r['abstained'] else answer[:240]}")
    return [*lines, ""]


def write_briefings_report(found: dict[str, Any], path: Path) -> Path:
    """`briefings.md`: a summary row and a table per briefing."""
    lines = ["# Other briefings", "",
             f"`rag eval --briefings --split {found['split']}`: the shipped pipeline on briefings it was not "
             "built on (eval/briefings/README.md).", "",
             "| briefing | n | accuracy | top passage | coverage | abstention recall | short precision "
             "| paraphrase | hit@5 |", "|---|---|---|---|---|---|---|---|---|"]
    for name, result in found["briefings"].items():
        h = headline(result)
        lines.append(f"| {name} | {h['questions']} | {_f(h['accuracy'])} | {_f(h['top_passage_accuracy'])} "
                     f"| {_f(h['coverage'])} | {_f(h['abstention_recall'])} | {_f(h['short_precision'])} "
                     f"| {_f(h['paraphrase'])} | {_f(h['hit@5'])} |")
    lines.append("")
    for s in found["skipped"]:
        lines += [f"Skipped {s['name']}: {s['reason']}.", ""]
    for name, result in found["briefings"].items():
        lines += briefing_table(name, result)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def summary_lines(found: dict[str, Any]) -> list[str]:
    """One console line per briefing, then the dev misses of each."""
    out = []
    for name, result in found["briefings"].items():
        h = headline(result)
        dev, test = misses(result)
        out.append(f"{name}: {h['questions']} q  accuracy {_f(h['accuracy'])} (top passage "
                   f"{_f(h['top_passage_accuracy'])})  coverage {_f(h['coverage'])}  abstention recall "
                   f"{_f(h['abstention_recall'])}  short precision {_f(h['short_precision'])}  paraphrase "
                   f"{_f(h['paraphrase'])}  hit@5 {_f(h['hit@5'])}  misses: {len(dev)} dev, {test} test")
    out += [f"skipped {s['name']}: {s['reason']}" for s in found["skipped"]]
    return out
