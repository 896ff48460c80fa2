"""`rag bench`: how fast the assistant answers, starts and builds, how much memory it holds, how its indexes scale.

Every figure is a median (or p95) over repetitions, and every ratio compares figures measured side by side in
one run: the machine is shared, so single timings mean little. The scale sweep lives in `eval/scale.py`, the
targets and the Markdown report in `eval/bench_report.py`.

Example:
    >>> result = run_bench(quick=True, skip_1m=True)  # doctest: +SKIP
    >>> sorted(result["baselines"])  # doctest: +SKIP
    ['bm25s_only_p50_ms', 'bm25s_only_p95_ms', 'naive_dense_p50_ms', 'naive_dense_p95_ms']
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from eval.bench_report import check_targets
from eval.library_bench import LIBRARY_SIZE, library_times
from eval.questions import load_questions
from eval.scale import scale_sweep
from rag import Assistant, Embedder, Index, Retriever, Settings, build_index, open_index
from rag.errors import InvalidQuestionError
from rag.settings import DEFAULT_CORPUS, OFFLINE_ENV

EVAL_DIR = Path(__file__).resolve().parent
COLD_QUESTION = "Where did the Quad Senior Cyber Group meet in December?"
#: Prints which heavy modules a command imported (run as `python -c`).
_MODULES_OF_ASK = (
    "import json, sys\nfrom rag.cli import main\n"
    "try:\n    main(sys.argv[1:], standalone_mode=False)\nfinally:\n"
    "    print('MODULES ' + json.dumps({m: m in sys.modules for m in ('torch', 'sentence_transformers')}),"
    " file=sys.stderr)\n"
)
_SERVE_RSS = (
    "import sys, psutil\nfrom rag import Assistant, Settings, open_index\n"
    "settings = Settings.from_env()\nindex = open_index(sys.argv[1], settings)\n"
    "Assistant(index, settings=settings).answer(sys.argv[2])\n"
    "print(psutil.Process().memory_info().rss / 2**20)\n"
)


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _pct(values: list[float], q: float) -> float:
    return round(float(np.percentile(values, q)), 3)


def _median(values: list[float]) -> float:
    return round(float(np.median(values)), 3)


def _rag_command() -> list[str]:
    script = Path(sys.executable).with_name("rag")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "rag.cli"]


def _run(args: list[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Wall time of a fresh process, start to exit."""
    t = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, env={**os.environ, **OFFLINE_ENV}, check=False)
    elapsed = time.perf_counter() - t
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:4])}… failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return elapsed, done


# --------------------------------------------------------------------------- warm latency and baselines


def _baselines(index: Index, embedder: Embedder) -> dict[str, Callable[[str], Any]]:
    """What a tutorial would do over one-line chunks: bm25s alone, and model.encode + a flat FAISS search."""
    import bm25s
    import faiss

    lines = [line for text in index.sources.values() for line in text.splitlines() if line.strip()]
    bm25 = bm25s.BM25()
    bm25.index(bm25s.tokenize(lines, stopwords="en", show_progress=False), show_progress=False)
    model = embedder.model
    flat = faiss.IndexFlatIP(embedder.dimension)
    flat.add(np.asarray(model.encode(lines, normalize_embeddings=True), dtype=np.float32))

    def lexical(q: str) -> Any:
        return bm25.retrieve(bm25s.tokenize(q, stopwords="en", show_progress=False), k=5, show_progress=False)

    def dense(q: str) -> Any:
        return flat.search(np.asarray(model.encode([q], normalize_embeddings=True), dtype=np.float32), 5)

    return {"bm25s_only": lexical, "naive_dense": dense}


def warm_latency(
    index: Index, embedder: Embedder, settings: Settings, questions: list[str], rounds: int = 3, progress: bool = True
) -> dict[str, Any]:
    """Per-question timings in one process over `rounds`, the measurements interleaved in a random order.

    The question embedding is paid every time: `encode` calls the embedder directly, `retrieve` uses a fresh
    `Retriever`, and the assistant's memo of question vectors is emptied before each `answer`. The torch
    baseline runs in its own pass after each round: torch's worker threads keep spinning for a while after a
    call and would slow whatever numpy step came next.
    """
    from tqdm import tqdm

    assistant = Assistant(index, settings=settings, embedder=embedder)
    base = _baselines(index, embedder)

    def answer(q: str) -> Any:
        assistant.retriever.clear_cache()  # the memo would make a repeated question free
        return assistant.answer(q)

    steps: dict[str, Callable[[str], Any]] = {
        "encode": embedder.encode_query,
        "retrieve": lambda q: Retriever(index, embedder, settings).retrieve(q),
        "answer": answer,
        "bm25s_only": base["bm25s_only"],
    }
    for q in [COLD_QUESTION, *questions[:5]]:  # model, statistics and caches warm before timing
        for step in [*steps.values(), base["naive_dense"]]:
            step(q)
    times: dict[str, list[float]] = {name: [] for name in [*steps, "naive_dense"]}
    stages: dict[str, list[float]] = {}
    ratios, skipped, rng = [], 0, np.random.default_rng(0)
    bar = tqdm(total=rounds * len(questions), desc="warm latency", disable=not progress, file=sys.stderr)
    for _ in range(rounds):
        first = len(times["answer"])
        asked = []
        for q in questions:
            bar.update()
            got: dict[str, float] = {}
            try:
                for name in rng.permutation(list(steps)).tolist():
                    t = time.perf_counter()
                    out = steps[name](q)
                    got[name] = (time.perf_counter() - t) * 1e3
                    if name == "answer":
                        answer_stages = out.timings_ms
            except InvalidQuestionError:  # refused questions are not latencies
                skipped += 1
                continue
            asked.append(q)
            for name, ms in got.items():
                times[name].append(ms)
            for stage, ms in answer_stages.items():
                stages.setdefault(stage, []).append(ms)
        ratios.append(float(np.median(times["answer"][first:]) / np.median(times["encode"][first:])))
        for q in asked:
            t = time.perf_counter()
            base["naive_dense"](q)
            times["naive_dense"].append((time.perf_counter() - t) * 1e3)
    bar.close()
    out = {f"{name}_{p}_ms": _pct(times[name], q) for name in ("encode", "retrieve", "answer") for p, q in
           (("p50", 50), ("p95", 95))}
    out["answer_over_encode"] = round(out["answer_p50_ms"] / out["encode_p50_ms"], 3)
    out["answer_over_encode_per_round"] = [round(x, 3) for x in ratios]
    out["answer_stages_p50_ms"] = {stage: _median(values) for stage, values in stages.items()}
    out["baselines"] = {f"{name}_{p}_ms": _pct(times[name], q) for name in base for p, q in (("p50", 50), ("p95", 95))}
    out["warm_samples"] = {"questions": len(questions), "rounds": rounds, "per_step": len(times["answer"]),
                           "skipped_invalid": skipped}
    return out


# --------------------------------------------------------------------------- fresh processes


def cold_start(index_dir: Path, reps: int = 5, question: str = COLD_QUESTION) -> dict[str, Any]:
    """`rag ask` as a fresh process beside `import sentence_transformers`, alternating, `reps` times each."""
    ask = [*_rag_command(), "ask", question, "--index-dir", str(index_dir), "--json"]
    floor = [sys.executable, "-c", "import sentence_transformers"]
    asks, floors, inner = [], [], []
    for r in range(reps):
        for which in (("ask", "floor") if r % 2 == 0 else ("floor", "ask")):
            elapsed, done = _run(ask if which == "ask" else floor)
            if which == "ask":
                asks.append(elapsed)
                inner.append(json.loads(done.stdout)["timings_ms"]["total"])
            else:
                floors.append(elapsed)
    _, done = _run([sys.executable, "-c", _MODULES_OF_ASK, *ask[len(_rag_command()) :]])
    modules = next((json.loads(line[8:]) for line in done.stderr.splitlines() if line.startswith("MODULES ")), {})
    return {"cold_ask_s": _median(asks), "import_floor_s": _median(floors),
            "cold_ask_runs_s": [round(x, 3) for x in asks], "import_floor_runs_s": [round(x, 3) for x in floors],
            "cold_answer_in_process_ms": _median(inner), "ask_imports_torch": bool(modules.get("torch")),
            "ask_imports_sentence_transformers": bool(modules.get("sentence_transformers"))}


def _manifest_seconds(index_dir: Path) -> float:
    return float(json.loads((index_dir / "current" / "manifest.json").read_text(encoding="utf-8"))["build_seconds"])


def build_times(work: Path, embedder: Embedder, settings: Settings, reps: int = 3) -> dict[str, Any]:
    """The default index from scratch, then rebuilt after one paragraph of a copy of the briefing changed.

    Each is timed twice, interleaved: as `rag index build` in a fresh process (what a user waits for) and as
    `build_index` in this process with the model already loaded (the library's own work).
    """
    rag = _rag_command()
    cli, library, manifest = [], [], []
    for r in range(reps):
        _say(f"build {r + 1}/{reps}")
        target = work / f"fresh-cli-{r}"
        elapsed, _ = _run([*rag, "index", "build", "--index-dir", str(target), "--quiet"])
        cli.append(elapsed)
        manifest.append(_manifest_seconds(target))
        t = time.perf_counter()
        build_index([DEFAULT_CORPUS], work / f"fresh-lib-{r}", settings, embedder, progress=False)
        library.append(time.perf_counter() - t)
    source = work / "corpus" / DEFAULT_CORPUS.name
    source.parent.mkdir()
    shutil.copyfile(DEFAULT_CORPUS, source)
    original = source.read_text(encoding="utf-8")
    paragraph = max(original.splitlines(), key=len)  # the longest article paragraph
    target = work / "edited"
    ids = {p.id for p in build_index([source], target, settings, embedder, progress=False).passages}
    re_cli, re_library, changed = [], [], []
    for r in range(reps):
        for how in (("cli", "library") if r % 2 == 0 else ("library", "cli")):
            edit = f"{paragraph} The benchmark changed this paragraph ({how}, round {r})."
            source.write_text(original.replace(paragraph, edit, 1), encoding="utf-8")
            t = time.perf_counter()
            if how == "cli":
                _run([*rag, "index", "build", str(source), "--index-dir", str(target), "--quiet"])
                re_cli.append(time.perf_counter() - t)
                new = {p.id for p in open_index(target, settings).passages}
            else:
                new = {p.id for p in build_index([source], target, settings, embedder, progress=False).passages}
                re_library.append(time.perf_counter() - t)
            changed.append(len(new - ids))
            ids = new
    return {"build_s": _median(cli), "build_runs_s": [round(x, 3) for x in cli], "build_manifest_s": _median(manifest),
            "build_in_process_s": _median(library), "rebuild_one_change_s": _median(re_cli),
            "rebuild_runs_s": [round(x, 3) for x in re_cli], "rebuild_in_process_s": _median(re_library),
            "rebuild_reembedded_passages": int(np.median(changed)), "fresh_index_dir": str(work / "fresh-cli-0")}


def serving_rss(index_dir: Path, reps: int = 3, question: str = COLD_QUESTION) -> dict[str, Any]:
    """Resident memory of a fresh process that loaded the index and gave one answer."""
    runs = [float(_run([sys.executable, "-c", _SERVE_RSS, str(index_dir), question])[1].stdout.split()[-1])
            for _ in range(reps)]
    return {"rss_mb_server": round(float(np.median(runs)), 1), "rss_mb_server_runs": [round(x, 1) for x in runs]}


# --------------------------------------------------------------------------- the whole run


def environment() -> dict[str, Any]:
    import faiss
    import torch

    return {"when": datetime.now(UTC).isoformat(timespec="seconds"), "cpus": os.cpu_count(),
            "load_average": [round(x, 2) for x in os.getloadavg()], "faiss_omp_threads": faiss.omp_get_max_threads(),
            "torch_threads": torch.get_num_threads(), "python": platform.python_version(),
            "platform": platform.platform(), "faiss": faiss.__version__, "torch": torch.__version__}


def run_bench(quick: bool = False, skip_1m: bool = False, progress: bool = True) -> dict[str, Any]:
    """Every measurement of `rag bench`; `quick` repeats less, `skip_1m` leaves out the 1M-passage size."""
    started = time.perf_counter()
    settings = Settings.from_env()
    embedder = Embedder(settings)
    reps = 1 if quick else 3
    env = environment()
    embedder.encode(["warm-up"])  # in-process builds are timed with the model already loaded
    light = embedder.light is not None
    result: dict[str, Any] = {"query_encoder": "numpy (light)" if light else "sentence-transformers"}
    with tempfile.TemporaryDirectory(prefix="rag-bench-") as tmp:
        result.update(build_times(Path(tmp), embedder, settings, reps))
        index_dir = Path(result.pop("fresh_index_dir"))
        index = open_index(index_dir, settings)
        questions = [q.question for q in load_questions()]
        _say(f"warm latency: {len(questions)} questions × {reps} rounds")
        result.update(warm_latency(index, embedder, settings, questions, reps, progress))
        _say(f"library: add a briefing to {LIBRARY_SIZE}, warm answer over them")
        dev = [q.question for q in load_questions() if q.split == "dev"]
        result.update(library_times(Path(tmp), embedder, settings, dev, reps, 1 if quick else 2))
        _say("cold start")
        result.update(cold_start(index_dir, 2 if quick else 5))
        result.update(serving_rss(index_dir, reps))
        from eval.journal_pdf import pdf_read_times

        result.update(pdf_read_times(Path(tmp), reps=reps))
        _say(f"reading a {result['pdf_pages']}-page PDF: {result['pdf_read_s']:.2f} s "
             f"(its text as .txt: {result['pdf_text_read_s']:.2f} s)")
    sizes = [10_000, 100_000] + ([] if skip_1m else [1_000_000])
    result["scale"] = scale_sweep(sizes, 50 if quick else 200)
    env["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    env["bench_s"] = round(time.perf_counter() - started, 1)
    result["environment"] = env
    result["quick"], result["skip_1m"] = quick, skip_1m
    result["targets"] = check_targets(result)
    return result
