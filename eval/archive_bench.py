"""`rag bench --archive`: the archive's figures (eval/archive.py) at N briefings, beside the same at 21.

For each size: the warm answer against one question embedding; what a chronology answer across the library costs
beyond retrieval; the `Assistant`'s ready time and resident memory in a fresh process (vectors memory-mapped, and
read into memory, side by side); adding one more briefing against embedding its own text; and the build's
recorded time, with the per-passage embedding rate extrapolated to an archive of 100k passages (labelled so).

Run alone: `python -m eval.archive_bench --docs 100` (prints the figures as JSON); `--add-only FOLDER` measures
adding one more briefing to the archive in FOLDER (built by `python -m eval.archive --folder FOLDER`) alone.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from eval.archive import DEFAULT_SIZE, MONTH_NAMES, briefing, build_archive, build_log, default_folder
from rag import Assistant, Embedder, Index, Settings
from rag.chunk import chunk
from rag.entities import annotate
from rag.index import load_index
from rag.library import add_documents, read_documents, remove_documents
from rag.manifest import CURRENT, read_manifest
from rag.publish import build_lock

EVAL_DIR = Path(__file__).resolve().parent
#: The library size of `rag bench`'s library figures, measured here on the archive's own briefings.
SMALL = 21
#: The archive size the issue asks about, for the labelled extrapolation.
TARGET_PASSAGES = 100_000
#: A fresh process: load, make the assistant, answer once; print the times (wall, and CPU of all the process's
#: threads: the machine may be loaded) and the resident memory. The first answer waits for the background sha256
#: of the large files (rag/integrity.py), so "ready" + "first answer" is the time to a checked answer.
_READY = (
    "import json, sys, time\nt0 = time.perf_counter()\nimport psutil\n"
    "from rag import Assistant, Settings\nfrom rag.index import load_index\n"
    "settings = Settings.from_env()\nt1, c1 = time.perf_counter(), time.process_time()\n"
    "index = load_index(sys.argv[1], settings, check_sources=False, mmap=sys.argv[3] == 'mmap')\n"
    "assistant = Assistant(index, settings=settings)\nt2, c2 = time.perf_counter(), time.process_time()\n"
    "assistant.answer(sys.argv[2])\nt3, c3 = time.perf_counter(), time.process_time()\n"
    "print(json.dumps({'imports_s': t1 - t0, 'ready_s': t2 - t1, 'first_answer_s': t3 - t2,"
    " 'ready_cpu_s': c2 - c1, 'first_answer_cpu_s': c3 - c2,"
    " 'rss_mb': psutil.Process().memory_info().rss / 2**20}))\n"
)


def questions_for(docs: int, size: str = DEFAULT_SIZE) -> tuple[list[str], list[str]]:
    """Questions about the archive's briefings: (entry questions, chronology questions across the library)."""
    picks = sorted({(i * 7919) % docs for i in range(12)})
    entries = []
    for i in picks:
        b = briefing(i, size=size)
        a, c = (x.removeprefix("the ") for x in b.countries)
        entries += [f"Where was the {b.accord.name} signed?", f"Who signed the {b.accord.name}?",
                    f"What did {a} and {c} do in {MONTH_NAMES[b.accord.day.month - 1]} {b.start.year}?"]
    years = sorted({briefing(i, size=size).start.year for i in picks})
    timelines = [f"What happened in {y}?" for y in years]
    for i in picks:
        b = briefing(i, size=size)
        timelines.append(f"What happened in {MONTH_NAMES[b.accord.day.month - 1]} {b.start.year}?")
    return entries, timelines


def _median(values: list[float], digits: int = 2) -> float:
    return round(float(statistics.median(values)), digits) if values else 0.0


def ready_and_memory(index_dir: Path, question: str, reps: int) -> dict[str, Any]:
    """Fresh processes (alternating memory-mapped and read vectors): ready time, first answer, resident memory."""
    runs: dict[str, list[dict[str, float]]] = {"mmap": [], "read": []}
    for r in range(reps):
        for mode in (("mmap", "read") if r % 2 == 0 else ("read", "mmap")):
            done = subprocess.run([sys.executable, "-c", _READY, str(index_dir), question, mode],
                                  capture_output=True, text=True, check=True)
            runs[mode].append(json.loads(done.stdout.strip().splitlines()[-1]))
    out: dict[str, Any] = {}
    for mode, got in runs.items():
        for key in ("ready_s", "first_answer_s", "ready_cpu_s", "first_answer_cpu_s", "rss_mb", "imports_s"):
            out[f"{key}_{mode}"] = _median([g[key] for g in got], 3 if key.endswith("_s") else 1)
    return out


def warm_answers(index: Index, embedder: Embedder, settings: Settings, entries: list[str], timelines: list[str],
                 rounds: int) -> dict[str, Any]:
    """Warm answers (question vectors not memoized) against one question embedding, measured interleaved; and
    chronology answers' cost beyond retrieval (the answer's own stage timings)."""
    assistant = Assistant(index, settings=settings, embedder=embedder)
    for q in entries[:3] + timelines[:2]:
        assistant.answer(q)
    answer_ms: list[float] = []
    encode_ms: list[float] = []
    beyond: list[float] = []
    kinds: dict[str, int] = {}
    for _ in range(rounds):
        for q in entries + timelines:
            assistant.retriever.clear_cache()
            t = time.perf_counter()
            embedder.encode_query(q)
            encode_ms.append((time.perf_counter() - t) * 1e3)
            assistant.retriever.clear_cache()
            t = time.perf_counter()
            answer = assistant.answer(q)
            answer_ms.append((time.perf_counter() - t) * 1e3)
            kinds[answer.kind] = kinds.get(answer.kind, 0) + 1
            if q in timelines and answer.kind not in ("extract", "abstain"):
                beyond.append(answer.timings_ms["total"] - answer.timings_ms["retrieve"])
    return {"answer_p50_ms": _median(answer_ms), "encode_p50_ms": _median(encode_ms),
            "answer_over_encode": round(_median(answer_ms, 4) / _median(encode_ms, 4), 2),
            "chronology_beyond_retrieval_p50_ms": _median(beyond),
            "chronology_beyond_retrieval_max_ms": round(max(beyond), 2) if beyond else 0.0,
            "chronology_answers": len(beyond), "answer_kinds": kinds}


#: A fresh process adds one briefing, as `rag index add FILE` does: the time from its imports done to the library
#: returned (loading the model and reading what the library needs to be returned included).
_ADD = (
    "import json, sys, time\nt0 = time.perf_counter()\n"
    "from rag import Settings\nfrom rag.embed import Embedder\nfrom rag.library import add_documents\n"
    "settings = Settings.from_env()\nspent = [0.0]\nencode = Embedder.encode\n"
    "def timed(self, *args, **kwargs):\n"
    "    t = time.perf_counter()\n    try:\n        return encode(self, *args, **kwargs)\n"
    "    finally:\n        spent[0] += time.perf_counter() - t\n"
    "Embedder.encode = timed\nt1 = time.perf_counter()\n"
    "index = add_documents(sys.argv[1], [sys.argv[2]], settings=settings, progress=False)\n"
    "t2 = time.perf_counter()\n"
    "print(json.dumps({'imports_s': t1 - t0, 'add_s': t2 - t1, 'embed_s': spent[0]}))\n"
)


def _put_back(index_dir: Path, build: str, doc: str, embedder: Embedder, settings: Settings) -> None:
    """The library as before adding `doc`: its previous build published again when the addition appended a
    segment (and the new build removed), else (the addition compacted) `doc` removed."""
    if not (index_dir / build).is_dir():
        remove_documents(index_dir, [doc], settings=settings, embedder=embedder, progress=False)
        return
    with build_lock(index_dir):
        link = index_dir / f".{CURRENT}-put-back"
        link.unlink(missing_ok=True)
        os.symlink(build, link)
        os.replace(link, index_dir / CURRENT)
        keep = {build} | {s.build for s in read_manifest(index_dir)[1].parts()}
        for folder in index_dir.glob("build-*"):
            if folder.name not in keep:
                shutil.rmtree(folder)


def add_one_more(index_dir: Path, docs: int, embedder: Embedder, settings: Settings, reps: int,
                 size: str = DEFAULT_SIZE) -> dict[str, Any]:
    """Add briefing `docs` (the next one) beside embedding its own passages and sentences, measured interleaved:
    in this process with the library loaded (a server adding an upload: `add_one_s`), and from a fresh process
    (`rag index add`: `add_one_fresh_s`, loading the models and reading the returned library included; its own
    embedding there is timed inside it, `add_one_fresh_embed_s`: a fresh process embeds a few texts without
    torch, `rag.embed.Embedder.LIGHT_MAX_TEXTS`, at another rate than this warm one).
    After each addition the library is put back as it was, so every run adds to the same library. spaCy is
    loaded before the runs, as in a server that has read a document before: its first addition otherwise also
    loads spaCy (~3 s here, once per process; the fresh process's figure includes it)."""
    b = briefing(docs, size=size)
    loaded = load_index(index_dir, settings, check_sources=False)  # what a server holds
    build = loaded.path.name
    with tempfile.TemporaryDirectory(prefix="rag-archive-add-") as tmp:
        path = Path(tmp) / f"{b.id}.txt"
        path.write_text(b.text, encoding="utf-8")
        passages = chunk(read_documents([path])[0], settings)
        annotate(passages[:1], progress=False)  # spaCy loaded once, as in a server
        texts = [p.embed_text() for p in passages]
        sentences = list(dict.fromkeys(b.text[x:y] for p in passages if p.kind == "article" for x, y in p.sentences))
        adds, fresh, fresh_embeds, embeds, segments = [], [], [], [], []
        for r in range(reps):
            order = ("add", "fresh", "embed") if r % 2 == 0 else ("embed", "fresh", "add")
            for what in order:
                t = time.perf_counter()
                if what == "add":
                    added = add_documents(index_dir, [path], settings=settings, embedder=embedder, progress=False)
                    adds.append(time.perf_counter() - t)
                    segments.append(len(added.manifest.parts()))
                    del added
                    _put_back(index_dir, build, b.id, embedder, settings)
                elif what == "fresh":
                    done = subprocess.run([sys.executable, "-c", _ADD, str(index_dir), str(path)],
                                          capture_output=True, text=True, check=True)
                    child = json.loads(done.stdout.strip().splitlines()[-1])
                    fresh.append(child["add_s"])
                    fresh_embeds.append(child["embed_s"])
                    _put_back(index_dir, build, b.id, embedder, settings)
                else:
                    embedder.encode(texts)
                    embedder.encode(sentences)
                    embeds.append(time.perf_counter() - t)
    add_s, fresh_s, embed_s = _median(adds, 3), _median(fresh, 3), _median(embeds, 3)
    return {"add_one_s": add_s, "add_one_embed_own_s": embed_s, "add_one_overhead_s": round(add_s - embed_s, 3),
            "add_one_fresh_s": fresh_s, "add_one_fresh_embed_s": _median(fresh_embeds, 3),
            "add_one_fresh_overhead_s": _median([a - e for a, e in zip(fresh, fresh_embeds, strict=True)], 3),
            "add_one_runs_s": [round(x, 3) for x in adds], "add_one_fresh_runs_s": [round(x, 3) for x in fresh],
            "add_one_segments_after": max(segments) if segments else 0}


def embedding_rate(index: Index, embedder: Embedder, n: int = 400) -> dict[str, Any]:
    """Passages embedded per second by the batch model on this machine (the step a GPU would take over)."""
    texts = [p.embed_text() for p in index.passages[:n]]
    embedder.encode(texts[:32])
    t, cpu = time.perf_counter(), time.process_time()
    embedder.encode(texts)
    rate = len(texts) / (time.perf_counter() - t)
    # per CPU-second (all the process's threads): what a free machine gives, whatever the load while measuring
    cpu_rate = len(texts) / max(time.process_time() - cpu, 1e-9)
    sentences_per_passage = index.sentence_vectors.shape[0] / max(1, len(index))
    # a passage costs its own embedding and its sentences' (shorter texts, about as many per second)
    work = TARGET_PASSAGES * (1 + sentences_per_passage)
    return {"passages_per_s": round(rate, 1), "passages_per_cpu_s": round(cpu_rate, 1),
            "sentences_per_passage": round(sentences_per_passage, 2),
            "extrapolated_100k_passages_embedding_h": round(work / rate / 3600, 2),
            "extrapolated_100k_passages_cpu_h": round(work / cpu_rate / 3600, 2)}


def size_figures(docs: int, folder: Path, embedder: Embedder, settings: Settings, reps: int,
                 progress: bool, size: str = DEFAULT_SIZE) -> dict[str, Any]:
    index = build_archive(docs, folder, embedder=embedder, settings=settings, progress=progress, size=size)
    if len(index.manifest.sources) != docs:
        raise SystemExit(f"{folder} holds {len(index.manifest.sources)} briefings, not {docs}; "
                         "use its size or another folder.")
    entries, timelines = questions_for(docs, size)
    out: dict[str, Any] = {"documents": docs, "passages": len(index), "sentences": int(index.sentence_vectors.shape[0])}
    out.update(warm_answers(index, embedder, settings, entries, timelines, reps))
    out.update(ready_and_memory(index.index_dir, entries[0], reps))
    out.update(add_one_more(index.index_dir, docs, embedder, settings, max(1, reps - 1), size))
    log = build_log(folder)
    out["build_logged_s"] = round(sum(r["seconds"] for r in log), 1)
    out["build_logged_documents"] = sum(r["added"] for r in log)
    out["build_reused_vectors"] = sum(r.get("reused_vectors", 0) for r in log)
    if log:
        out["build_first_batch_at"], out["build_last_batch_at"] = log[0]["at"], log[-1]["at"]
        loads = [r["load"] for r in log if "load" in r]
        if loads:
            out["build_load_average_p50"] = _median(loads, 1)
    out.update(embedding_rate(index, embedder))
    return out


def archive_bench(docs: int, quick: bool = False, progress: bool = True, size: str = DEFAULT_SIZE) -> dict[str, Any]:
    """The archive figures at `docs` briefings and at 21, side by side (each archive cached, see eval/archive)."""
    settings = Settings.from_env()
    embedder = Embedder(settings)
    embedder.encode(["warm-up"] * 30)
    reps = 1 if quick else 3
    base = default_folder(settings=settings, size=size)
    sizes = sorted({SMALL, docs})
    import os
    import platform

    import psutil

    load = os.getloadavg()[0]
    figures = {str(n): size_figures(n, base if n == docs else base.with_name(base.name + f"-n{n}"),
                                    embedder, settings, reps, progress, size) for n in sizes}
    return {"sizes": figures, "size": size, "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "machine": f"{psutil.cpu_count()} CPU cores, {platform.system()} {platform.machine()}",
            "load": f"{load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end", "quick": quick,
            "note": "Figures at these sizes were measured; anything about 100k passages is an extrapolation."}


#: Rows of the report: label, key, unit, the issue's limit at 1,000 briefings (text).
ROWS = (
    ("passages", "passages", "", ""),
    ("sentences (article sentences, embedded too)", "sentences", "", ""),
    ("warm answer, p50", "answer_p50_ms", "ms", ""),
    ("one question embedding, p50", "encode_p50_ms", "ms", ""),
    ("warm answer ÷ question embedding", "answer_over_encode", "×", "≤ 2"),
    ("chronology answer beyond retrieval, p50", "chronology_beyond_retrieval_p50_ms", "ms", "≤ 50"),
    ("chronology answer beyond retrieval, max", "chronology_beyond_retrieval_max_ms", "ms", "≤ 50"),
    ("Assistant ready (vectors memory-mapped)", "ready_s_mmap", "s", "≤ 5"),
    ("Assistant ready (vectors read)", "ready_s_read", "s", ""),
    ("… its CPU time (mmap)", "ready_cpu_s_mmap", "s", ""),
    ("first answer after ready, incl. the large files' sha256 (mmap)", "first_answer_s_mmap", "s", ""),
    ("… its CPU time (mmap)", "first_answer_cpu_s_mmap", "s", ""),
    ("resident memory, one answer (mmap)", "rss_mb_mmap", "MB", "≤ 2,048"),
    ("resident memory, one answer (read)", "rss_mb_read", "MB", ""),
    ("add one more briefing", "add_one_s", "s", ""),
    ("… embedding its own text alone", "add_one_embed_own_s", "s", ""),
    ("add one more − its own embedding", "add_one_overhead_s", "s", "≤ 2"),
    ("add one more, from a fresh process (`rag index add`)", "add_one_fresh_s", "s", ""),
    ("… its embedding there (timed inside it)", "add_one_fresh_embed_s", "s", ""),
    ("… − its embedding (loading spaCy, the model, the library)", "add_one_fresh_overhead_s", "s", ""),
    ("build time recorded (batches of `rag index add`)", "build_logged_s", "s", ""),
    ("passages embedded per second (wall)", "passages_per_s", "/s", ""),
    ("passages embedded per CPU-second", "passages_per_cpu_s", "/s", ""),
)


def write_markdown(result: dict[str, Any], path: Path) -> None:
    """The report: one column per archive size, the issue's limits beside them."""
    sizes = list(result["sizes"])
    head = "| | " + " | ".join(f"{n} briefings" for n in sizes) + " | limit at 1,000 |"
    rule = "|---|" + "---:|" * len(sizes) + "---|"
    lines = [head, rule]
    for label, key, unit, limit in ROWS:
        cells = []
        for n in sizes:
            value = result["sizes"][n].get(key)
            cells.append("" if value is None else f"{value:,}{' ' + unit if unit else ''}")
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {limit} |")
    big = result["sizes"][sizes[-1]]
    size = result.get("size", "journal")
    shape = ("journal-sized: ~36 article passages and ~60 chronology entries each, like a chapter"
             if size == "journal" else "small: about a fifth of a chapter each, ~19 passages")
    built = (f"The {sizes[-1]}-briefing archive's build: {big.get('build_logged_documents', 0):,} briefings added in "
             f"{big.get('build_logged_s', 0.0):,.0f} s of `rag index add` batches "
             f"(batches ending {big.get('build_first_batch_at', '?')} to {big.get('build_last_batch_at', '?')}; "
             "recorded in the archive's build-log.jsonl"
             + (f", load average p50 {big['build_load_average_p50']}" if "build_load_average_p50" in big else "")
             + ").")
    if big.get("build_reused_vectors"):
        built += (f" Those batches reused {big['build_reused_vectors']:,} vectors of an earlier build of the same "
                  "briefings (another index format, eval/archive_seed.py): the time is annotating and writing, not "
                  "embedding; the embedding rate above is measured afresh.")
    text = f"""# The archive at {sizes[-1]} briefings ({size}), beside {sizes[0]}

Measured on {result.get('when', '?')} ({result.get('machine', '')}; load average {result.get('load', '?')}),
with `{result.get('command', 'rag bench --archive')}`. The archive is generated by `python -m eval.archive`
(templates and vocabulary of our own, journal-shaped briefings over 2000–2024; {shape}) and cached.

{chr(10).join(lines)}

Extrapolation (not measured): embedding an archive of {TARGET_PASSAGES:,} passages from scratch at the rate measured
here ({big['passages_per_s']} passages/s, {big['sentences_per_passage']} sentences per passage also embedded)
would take about **{big['extrapolated_100k_passages_embedding_h']} h** at the wall-clock rate of this run, and
{big.get('extrapolated_100k_passages_cpu_h', '?')} h of CPU time ({big.get('passages_per_cpu_s', '?')} passages per
CPU-second; about half that in wall time on two free cores) — the step that wants a GPU or a batch engine.
{built}

{result.get('note', '')}
"""
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.archive_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=100, help="Archive size (default 100).")
    parser.add_argument("--quick", action="store_true", help="One repetition.")
    parser.add_argument("--size", choices=("journal", "small"), default=DEFAULT_SIZE, help="Briefing size.")
    parser.add_argument("--md", type=Path, default=EVAL_DIR / "archive_bench.md", help="Where the report goes.")
    parser.add_argument("--add-only", type=Path, default=None, metavar="FOLDER",
                        help="Only measure adding one more briefing to the archive of --docs briefings in FOLDER.")
    args = parser.parse_args(argv)
    if args.add_only is not None:
        settings = Settings.from_env()
        embedder = Embedder(settings)
        embedder.encode(["warm-up"] * 30)
        docs = len(read_manifest(args.add_only / "index")[1].sources)
        print(json.dumps(add_one_more(args.add_only / "index", docs, embedder, settings, 1 if args.quick else 3,
                                      args.size), indent=2))
        return 0
    result = archive_bench(args.docs, args.quick, size=args.size)
    result["command"] = "python -m eval.archive_bench " + " ".join(argv if argv is not None else sys.argv[1:])
    write_markdown(result, args.md)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
