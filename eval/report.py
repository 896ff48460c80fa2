"""eval/report.md and eval/retrievers.png from an eval result (the dict `eval.run.evaluate` returns)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eval.metrics import ANSWER_KEYS, RETRIEVAL_KEYS
from eval.targets import check_targets, target_figures

#: A question misses retrieval when no supporting passage is in the hybrid top MISS_DEPTH.
MISS_DEPTH = 5
_RETRIEVER_NOTES = {
    "bm25": "`Retriever.bm25` ranking alone (no fusion, date boost or timeline order)",
    "dense": "`Retriever.dense` ranking alone (no fusion, date boost or timeline order)",
    "hybrid": "`Retriever.retrieve`: the shipped fusion with date boost and timeline order",
}


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _cell(text: Any, limit: int = 160) -> str:
    text = " ".join(str(text).split())
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return text.replace("|", "\\|")


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_cell(v) if isinstance(v, str) else _fmt(v) for v in row) + " |" for row in rows]
    return [*out, ""]


def _sections(result: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(name, figures) for each split in the result, then the pooled figures when there are several."""
    if "splits" in result:
        return [*result["splits"].items(), ("all", result)]
    return [(result["split"], result)]


def _targets(result: dict[str, Any]) -> list[str]:
    split, figures = target_figures(result)
    out = ["## Targets", ""]
    if split != "test":
        out += [f"Targets are for the test split; this run has no test questions, so they are checked on {split}.", ""]
    else:
        out += ["Checked on the test split. `gap` is how far past the threshold the figure is "
                "(negative: missed by that much).", ""]
    rows = [[f"{r['target']} ({_fmt(r['threshold'])})" if r["versus"]
             else f"{r['target']} {r['op']} {_fmt(r['threshold'])}",
             r["measured"],
             "n/a" if r["met"] is None else ("met" if r["met"] else "missed"),
             None if r["gap"] is None else f"{r['gap']:+.3f}"] for r in check_targets(figures)]
    out += _table(["target", "measured", "met/missed", "gap"], rows)
    return out + _why(figures)


def _why(figures: dict[str, Any]) -> list[str]:
    """Where the misses come from (the weakest question types) and what would close them."""
    by_type = figures.get("by_type", {})
    weak = sorted(((v["accuracy"], t) for t, v in by_type.items() if v.get("accuracy") is not None))[:3]
    if not weak:
        return []
    listed = ", ".join(f"{t} {acc:.2f}" for acc, t in weak)
    strong = ", ".join(f"{t} {v['accuracy']:.2f}" for t, v in by_type.items()
                       if v.get("accuracy") is not None and v["accuracy"] >= 0.85) or "none"
    return [
        "### Why the misses, and what would close them", "",
        f"- **Where:** the weakest question types by answer accuracy are {listed}; types at 0.85 or better: "
        f"{strong} (table below).",
        "- **Short answers:** a typed question is answered by a stored entity of the expected type that stands in "
        "the question's relation (the parse stored at build time), shown in bold only above a threshold chosen "
        "out of fold on dev. It misses where the small spaCy model mislabels or mis-spans the name, where two "
        "candidates of the type are tied to the question alike, and the shown-when-sure threshold, fitted on "
        "~85 dev short answers of two briefings, does not transfer fully to unseen questions.",
        "- **Paraphrases and multi-hop:** untyped answers are sentences (read with their neighbours) chosen by "
        "the bundled all-MiniLM-L6-v2's sentence similarity plus term coverage. Questions that share few words "
        "with the text still pick the wrong sentence of a passage retrieved correctly. Multi-hop questions are "
        "answered when their description has a shape the rules read (\"the minister who replaced X\", \"the "
        "official quoted on Y\", \"the city where …\"); other shapes fall back to one pass and miss. Closing "
        "this needs a stronger reader (a cross-encoder or an extractive QA model), none of which ships offline.",
        "- **Abstention and coverage:** the rules that hold on any briefing (no candidate of the expected type, a "
        "body or a word the briefing never uses, a unit or role not met, content never recorded) and the "
        "calibrated confidence catch far misses and most near misses on dev, but a near miss that names the "
        "right people and event and asks an attribute the briefing never gives (how long, how many of another "
        "thing) still looks answerable, and each rule also turns away a few answerable questions. Closing both "
        "at once needs an entailment / QA no-answer model.",
        "- **Timelines:** \"timeline\" questions are graded with `all_answers`: every named entry must be "
        "listed. People, dates and places asked of two named parties are listed from every matching entry; "
        "lists of events described in words (\"which statements …\") still pick entries by the question's "
        "words and miss entries phrased differently. The chronology questions of the time issue "
        "(\"temporal\") are answered by scanning the whole chronology and do much better.",
        "- **Retrieval:** hybrid beats both single retrievers; the remaining hit@5 / MRR gap is paraphrase "
        "questions whose key words do not occur in the text; a larger embedding model or query expansion "
        "would help.", ""]


def _misses(result: dict[str, Any]) -> list[str]:
    out = [f"## Misses ({result['split']})", "",
           f"Each question whose hybrid top {MISS_DEPTH} holds no supporting passage (retrieval miss) or whose "
           "answer is wrong (answer miss), with the passage the hybrid retriever ranked first.", ""]
    rows = []
    for q in result["per_question"]:
        retrieval_miss = q["type"] != "unanswerable" and (q["hit_rank"] is None or q["hit_rank"] > MISS_DEPTH)
        if not retrieval_miss and q["correct"]:
            continue
        kind = " + ".join(k for k, bad in (("retrieval", retrieval_miss), ("answer", not q["correct"])) if bad)
        top = q.get("top1") or {}
        rank1 = f"{top.get('label', '')}: {top.get('text', '')}" if top else "(nothing)"
        answer = ("(abstained) " if q["abstained"] else "") + q["answer"]
        rows.append([q["id"], q["split"], q["type"], kind, q.get("question", ""), q["hit_rank"], answer, rank1])
    if not rows:
        return [*out, "None.", ""]
    return out + _table(["id", "split", "type", "miss", "question", "hit rank", "answer", "rank 1 (hybrid)"], rows)


def _constraints(result: dict[str, Any]) -> list[str]:
    """Accuracy and abstention per constraint kind the gold questions are tagged with (`constraint`)."""
    sections = [(name, f) for name, f in _sections(result) if f.get("by_constraint")]
    if not sections:
        return []
    out = ["## By constraint", "",
           "Questions tagged with what they bind the answer to (`constraint` in eval/questions.jsonl; a question "
           "may count under several). accuracy: as above; abstained: share of the kind's questions the pipeline "
           "refused, then among its answerable and its unanswerable ones (an unmet constraint should abstain; a "
           "met one should not).", ""]
    for name, figures in sections:
        out += [f"### {name}", ""]
        out += _table(["constraint", "n", "answerable", "accuracy", "abstained", "abstained (answerable)",
                       "abstained (unanswerable)"],
                      [[kind, v["n"], v["answerable"], v["accuracy"], v["abstained"], v["abstained_answerable"],
                        v["abstained_unanswerable"]] for kind, v in figures["by_constraint"].items()])
    return out


def render(result: dict[str, Any], chart: str | None = "retrievers.png") -> str:
    """The Markdown report."""
    s = result["settings"]
    index = result["index"]
    out = ["# Eval report", "",
           f"Measured {result['date']} on {result['n_questions']} questions (split: {result['split']}); "
           f"retrieval depth k = {result['k']}; index of {index['passages']} passages at `{index['path']}`.", "",
           "Thresholds and weights (`min_confidence`, `dense_weight`, `date_boost`, `rrf_k`, the confidence "
           "calibration) are tuned on the **dev split only**; the test split is the held-out estimate.", "",
           "Retrieval metrics cover answerable questions only; a passage is relevant when it supports an evidence "
           "string (eval/README.md). Computed with ir-measures: hit@k = Success@k, MRR@10 = RR@10, nDCG@10; "
           "recall@k = mean Success@k over one sub-query per evidence string.", ""]
    out += _targets(result)
    out += ["## Retrieval", ""]
    out += [f"- **{name}**: {_RETRIEVER_NOTES[name]}" for name in result["retrievers"]]
    out += ["", "The baselines call the two rankings directly rather than `Settings(dense_weight=0.0 or 1.0)`: "
            "through `Retriever.retrieve` those would still get the date boost and the timeline order, and the "
            "other ranking's candidates would trail with a fused score of 0.", ""]
    for name, figures in _sections(result):
        out += [f"### {name} ({figures['n_answerable']} answerable questions)", ""]
        out += _table(["retriever", *RETRIEVAL_KEYS],
                      [[r, *(v[key] for key in RETRIEVAL_KEYS)] for r, v in figures["retrievers"].items()])
    if chart:
        out += [f"![Retrievers compared]({chart})", ""]
    out += ["## Answers (shipped pipeline)", "",
            "accuracy: over all questions (unanswerable ones count when abstained); citation accuracy: answered "
            "answerable questions with a cited sentence or passage supporting the evidence; mean answer chars: "
            "`Answer.text` of non-abstentions (inline [n] markers in, the sources list out); coverage: answerable "
            "questions answered; short accuracy: typed answerable questions whose short answer names an answer string; "
            "short precision: shown short answers that name an answer string (one shown for an unanswerable question "
            "counts as wrong); short coverage: typed answerable questions that show a short answer.", ""]
    extra = ("short_accuracy", "short_precision", "short_coverage", "top_passage_accuracy")
    out += _table(["split", "n", *ANSWER_KEYS, *extra],
                  [[name, f["n_questions"], *(f["answers"][key] for key in ANSWER_KEYS),
                    *(f["answers"].get(key) for key in extra)] for name, f in _sections(result)])
    out += ["## By question type", "",
            "hit@5 and MRR@10 of the hybrid retriever; accuracy of the pipeline; short: share of typed answerable "
            "questions whose short answer names an answer string; short precision: shown short answers that are right; "
            "top passage: the baseline that shows the top "
            "retrieved passage as the answer.", ""]
    for name, figures in _sections(result):
        out += [f"### {name}", ""]
        out += _table(["type", "n", "hit@5", "mrr@10", "accuracy", "short", "short precision", "top passage"],
                      [[t, v["n"], v["hit@5"], v["mrr@10"], v["accuracy"], v.get("short_accuracy"),
                        v.get("short_precision"), v.get("top_passage_accuracy")]
                       for t, v in figures["by_type"].items()])
    out += _constraints(result)
    out += ["## Speed", "",
            "Warm (model loaded, one warm-up question first), per question, on this machine; the question is "
            "encoded in each timed call. Retrieval: `Retriever.retrieve`; answer: `Assistant.answer`. The machine "
            "is shared, so these vary with its load.", ""]
    lat = ("retrieve_p50", "retrieve_p95", "answer_p50", "answer_p95")
    out += _table(["split", *(f"{key} (ms)" for key in lat)],
                  [[name, *(_fmt(f["latency_ms"][key], 1) for key in lat)] for name, f in _sections(result)])
    out += [f"Index build time: {_fmt(index['build_seconds'], 1)} s (from the index manifest; built "
            f"{index['created_at']}).", ""]
    out += ["## Settings", ""]
    out += _table(["setting", "value"], [[key, str(value)] for key, value in s.items()])
    calibration = dict(result.get("calibration") or {})
    cv = calibration.pop("cross_validation", None)
    if calibration:
        out += [f"Confidence calibration: `{calibration}`.", ""]
    if cv:
        out += ["### Calibration, cross-validated (dev)", "",
                f"Nested {cv.get('folds')}-fold cross-validation over the dev questions of "
                f"{', '.join(calibration.get('briefings', ['the shipped briefing']))}: for each fold the model, the "
                "abstention threshold and the short-answer threshold are chosen on the other folds only, then the "
                "fold is decided end to end (rule refusals and timeline answers as they came out). Held out: "
                f"accuracy {_fmt(cv.get('accuracy'))}, coverage {_fmt(cv.get('coverage'))}, abstention recall "
                f"{_fmt(cv.get('abstention_recall'))}, short-answer precision {_fmt(cv.get('short_precision'))} "
                f"({cv.get('short_shown')} shown); abstention threshold min / median / max "
                f"{cv.get('threshold_spread')}, short-answer threshold {cv.get('short_threshold_spread')}.", ""]
        if cv.get("by_briefing"):
            out += ["Each briefing held out whole (fitted on the others' dev questions):", ""]
            out += _table(["held out", "questions", "accuracy", "coverage", "abstention recall", "short precision",
                           "short shown"],
                          [[r["held_out"], r["questions"], _fmt(r["accuracy"]), _fmt(r["coverage"]),
                            _fmt(r["abstention_recall"]), _fmt(r["short_precision"]), r["short_shown"]]
                           for r in cv["by_briefing"]])
    if result.get("unjudged"):
        out += [f"No passage supports some evidence of: {', '.join(result['unjudged'])} (scored as misses).", ""]
    out += _misses(result)
    return "\n".join(out)


def write_chart(result: dict[str, Any], path: str | Path) -> Path:
    """A grouped bar chart of the retrieval metrics per retriever, one panel per split."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    sections = [(name, f) for name, f in _sections(result) if name != "all" or "splits" not in result]
    fig = Figure(figsize=(6.5 * len(sections), 4.2), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, len(sections), squeeze=False)[0]
    for ax, (name, figures) in zip(axes, sections, strict=True):
        names = list(figures["retrievers"])
        width = 0.8 / len(names)
        for i, r in enumerate(names):
            values = [figures["retrievers"][r][key] or 0.0 for key in RETRIEVAL_KEYS]
            xs = [x + (i - (len(names) - 1) / 2) * width for x in range(len(RETRIEVAL_KEYS))]
            ax.bar(xs, values, width, label=r)
        ax.set_xticks(range(len(RETRIEVAL_KEYS)), RETRIEVAL_KEYS, rotation=30)
        ax.set_ylim(0, 1.15)
        ax.set_title(f"{name} split ({figures['n_answerable']} answerable questions)")
        ax.grid(axis="y", alpha=0.3)
        ax.legend(loc="upper center", ncols=len(names), frameon=False)
    path = Path(path)
    fig.savefig(path, dpi=110)
    return path


def write_report(result: dict[str, Any], out_dir: str | Path) -> tuple[Path, Path]:
    """Write report.md and retrievers.png into `out_dir`; returns their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    chart = write_chart(result, out_dir / "retrievers.png")
    report = out_dir / "report.md"
    report.write_text(render(result, chart.name), encoding="utf-8")
    return report, chart
