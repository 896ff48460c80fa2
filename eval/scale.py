"""The scale sweep of `rag bench`: FAISS and BM25 on synthetic corpora of 10k to 1M passages.

Each size runs in its own process (`python -m eval.scale N`) so that its memory figures start clean.

Vectors are unit vectors in 384 dimensions shaped like sentence embeddings: a passage is a topic centre
(uniformly random) plus a variation inside a shared 32-dimensional subspace plus isotropic noise, renormalized.
Uniform random unit vectors are no use here: in 384-d every point is nearly equidistant from every other,
so ranks 2-10 of an exact search are noise and recall@10 measures nothing. Queries are data vectors plus
noise of norm 0.3, renormalized (cosine about 0.96 to their source). Texts are 48 words drawn from a
Zipf-distributed vocabulary of made-up words; a text query is 5 words of one passage.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import psutil

from rag import Settings
from rag.settings import OFFLINE_ENV

DIM = 384
#: Latent dimensions of the within-topic variation, and passages per topic.
LATENT, PER_TOPIC = 32, 1000
WORDS_PER_PASSAGE = 48
#: Sizes above which a structure is not built inside the bench's budget (HNSW: ~40 min for 1M on 2 shared cores).
HNSW_MAX_N = 200_000
#: Single-query timings per index; exact search of a large corpus is timed on fewer queries.
EF_SWEEP = (32, 64, 96, 128, 256)
NPROBE_SWEEP = (4, 8, 16, 32, 64, 128, 256)
RECALL_TARGET = 0.95
#: A 1M-passage HNSW build is attempted only if the largest measured one extrapolates to less than this.
HNSW_BUDGET_S = 600.0


def _unit(a: np.ndarray) -> np.ndarray:
    return (a / np.linalg.norm(a, axis=1, keepdims=True)).astype(np.float32)


def synthetic_vectors(n: int, seed: int = 0, block: int = 100_000) -> np.ndarray:
    """`n` embedding-like unit vectors (float32, 384-d), generated in blocks to bound memory.

    Example:
        >>> synthetic_vectors(10).shape
        (10, 384)
    """
    rng = np.random.default_rng(seed)
    topics = _unit(rng.standard_normal((max(1, n // PER_TOPIC), DIM), dtype=np.float32))
    basis = rng.standard_normal((LATENT, DIM), dtype=np.float32) / math.sqrt(LATENT)
    out = np.empty((n, DIM), dtype=np.float32)
    for start in range(0, n, block):
        m = min(block, n - start)
        variation = rng.standard_normal((m, LATENT), dtype=np.float32) @ basis / math.sqrt(DIM)  # norm ≈ 1
        noise = 0.3 * _unit(rng.standard_normal((m, DIM), dtype=np.float32))
        out[start : start + m] = _unit(topics[rng.integers(0, len(topics), m)] + variation + noise)
    return out


def near_queries(vectors: np.ndarray, count: int, seed: int) -> np.ndarray:
    """Unit vectors near `count` random data points (a data vector plus noise of norm 0.3)."""
    rng = np.random.default_rng(seed)
    picks = rng.choice(len(vectors), count, replace=False)
    return _unit(vectors[picks] + 0.3 * _unit(rng.standard_normal((count, DIM), dtype=np.float32)))


def synthetic_texts(n: int, seed: int = 0, vocabulary: int = 20_000, block: int = 100_000) -> list[str]:
    """`n` passages of made-up words with a Zipfian word distribution, like running text."""
    rng = np.random.default_rng(seed)
    syllables = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
    words = ["".join(rng.choice(syllables, rng.integers(2, 5))) for _ in range(vocabulary)]
    p = 1.0 / (np.arange(vocabulary) + 2.7)
    p /= p.sum()
    texts: list[str] = []
    for start in range(0, n, block):
        ids = rng.choice(vocabulary, size=(min(block, n - start), WORDS_PER_PASSAGE), p=p).tolist()
        texts.extend(" ".join(map(words.__getitem__, row)) for row in ids)
    return texts


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def _timed_ms(search: Callable[[int], Any], count: int) -> list[float]:
    out = []
    for i in range(count):
        t = time.perf_counter()
        search(i)
        out.append((time.perf_counter() - t) * 1e3)
    return out


def _search_figures(index: Any, queries: np.ndarray, exact: np.ndarray, timed: int) -> dict[str, Any]:
    """p50 of single-query searches (FAISS's own thread count, then one thread) and recall@10 vs `exact`."""
    import faiss

    ids = index.search(queries, 10)[1]
    recall = float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(ids.tolist(), exact.tolist(), strict=True)]))
    p50 = float(np.median(_timed_ms(lambda i: index.search(queries[i : i + 1], 10), timed)))
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        p50_one = float(np.median(_timed_ms(lambda i: index.search(queries[i : i + 1], 10), timed)))
    finally:
        faiss.omp_set_num_threads(threads)
    return {"search_p50_ms": round(p50, 3), "search_p50_ms_1thread": round(p50_one, 3),
            "recall_at_10_vs_exact": round(recall, 4)}


def _built(make: Callable[[], Any]) -> tuple[Any, float, float]:
    before, t = rss_mb(), time.perf_counter()
    index = make()
    return index, time.perf_counter() - t, rss_mb() - before


def _row(
    n: int, kind: str, rag_default: bool, build_s: float | None, rss: float | None, **extra: Any
) -> dict[str, Any]:
    row = {"n": n, "index": kind, "rag_default": rag_default, "build_s": None if build_s is None else round(build_s, 3),
           "search_p50_ms": None, "recall_at_10_vs_exact": None, "rss_mb": None if rss is None else round(rss, 1)}
    row.update(extra)
    return row


def make_flat(vectors: np.ndarray) -> Any:
    import faiss

    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    return index


def make_ivf(vectors: np.ndarray, nlist: int, seed: int = 0) -> Any:
    """IVF with flat lists, its k-means trained on a sample of 40 points per list."""
    import faiss

    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(DIM), DIM, nlist, faiss.METRIC_INNER_PRODUCT)
    index.cp.niter = 10  # k-means converges enough for search in 10 rounds; the default 25 costs minutes at 1M
    sample = np.random.default_rng(seed).choice(len(vectors), min(len(vectors), 40 * nlist), replace=False)
    index.train(vectors[np.sort(sample)])
    index.add(vectors)
    return index


def ivf_nlist(n: int) -> int:
    """About 4·√n lists, rounded to a power of two (4096 for 1M), FAISS's usual starting point."""
    return int(2 ** round(math.log2(4 * math.sqrt(n))))


def dense_rows(
    n: int, queries: int = 200, seed: int = 0, hnsw: bool | None = None, settings: Settings | None = None,
    ivf_from: int = 100_000, log: bool = True,
) -> list[dict[str, Any]]:
    """Exact flat search, the index `make_dense_index` builds at `n`, and (from `ivf_from` up) IVF; a row each.

    HNSW's efSearch is swept on the evaluation queries; IVF's nprobe is chosen on a separate tuning set
    (the smallest reaching recall@10 ≥ 0.95) and then measured on the evaluation queries.
    """
    # The scale sweep measures the library's own structures at sizes no corpus reaches, so it reaches past the
    # public API (rag.__all__) on purpose, here and in `bm25_row`.
    from rag.build import make_dense_index

    settings = settings or Settings()

    def say(msg: str) -> None:
        if log:
            print(f"  [{n:,}] {msg}", file=sys.stderr, flush=True)

    vectors = synthetic_vectors(n, seed)
    evaluation, tuning = near_queries(vectors, queries, seed + 1), near_queries(vectors, queries, seed + 2)
    flat, build_s, rss = _built(lambda: make_flat(vectors))
    exact, exact_tuning = flat.search(evaluation, 10)[1], flat.search(tuning, 10)[1]
    timed_exact = queries if n < 500_000 else min(queries, 30)  # exact search of 1M takes ~0.1-0.5 s a query
    rows = [_row(n, "flat", n <= settings.approximate_above, build_s, rss,
                 **_search_figures(flat, evaluation, exact, timed_exact))]
    say(f"flat: {rows[0]['search_p50_ms']} ms a query")
    if n > settings.approximate_above:
        if (n <= HNSW_MAX_N) if hnsw is None else hnsw:
            say("building HNSW (minutes)…")
            (index, kind), build_s, rss = _built(lambda: make_dense_index(vectors, settings))
            row = _row(n, kind, True, build_s, rss, efSearch=index.hnsw.efSearch,
                       **_search_figures(index, evaluation, exact, queries), ef_sweep=[])
            for ef in EF_SWEEP:
                index.hnsw.efSearch = ef
                row["ef_sweep"].append({"efSearch": ef, **_search_figures(index, evaluation, exact, min(queries, 100))})
            rows.append(row)
            say(f"{kind}: {build_s:.0f} s build, {row['search_p50_ms']} ms, recall {row['recall_at_10_vs_exact']}")
            del index
        else:
            rows.append(_row(n, "hnsw32", True, None, None, skipped="build too long for the bench's budget"))
    if n >= ivf_from:
        nlist = ivf_nlist(n)
        say(f"building IVF{nlist}…")
        index, build_s, rss = _built(lambda: make_ivf(vectors, nlist, seed))
        sweep = []
        for nprobe in NPROBE_SWEEP:
            index.nprobe = nprobe
            sweep.append({"nprobe": nprobe, **_search_figures(index, tuning, exact_tuning, min(queries, 100))})
        index.nprobe = next((s["nprobe"] for s in sweep if s["recall_at_10_vs_exact"] >= RECALL_TARGET),
                            NPROBE_SWEEP[-1])
        row = _row(n, f"ivf{nlist},flat", False, build_s, rss, nprobe=index.nprobe,
                   **_search_figures(index, evaluation, exact, queries), nprobe_sweep=sweep)
        rows.append(row)
        say(f"IVF{nlist}: {build_s:.0f} s build, nprobe {index.nprobe}: {row['search_p50_ms']} ms, "
            f"recall {row['recall_at_10_vs_exact']}")
    return rows


def bm25_row(n: int, queries: int = 200, seed: int = 0) -> dict[str, Any]:
    """rag's BM25 (bm25s with stemming) over `n` synthetic passages: build time, query p50 at depth 100, RSS."""
    from rag.lexical import Bm25

    texts = synthetic_texts(n, seed)
    rng = np.random.default_rng(seed + 3)
    asks = [" ".join(rng.choice(texts[i].split(), 5, replace=False)) for i in rng.choice(n, queries)]
    bm25, build_s, rss = _built(lambda: Bm25.build(texts))
    depth = min(100, n)  # what Retriever asks of BM25 (CANDIDATES)
    p50 = float(np.median(_timed_ms(lambda i: bm25.search(asks[i], depth), queries)))
    return _row(n, "bm25s", True, build_s, rss, search_p50_ms=round(p50, 3), depth=depth)


def measure(n: int, queries: int = 200, hnsw: bool | None = None, log: bool = True) -> list[dict[str, Any]]:
    """Every row for corpus size `n`: flat, the approximate indexes, and BM25.

    Example:
        >>> [row["index"] for row in measure(2000, queries=10, log=False)]
        ['flat', 'bm25s']
    """
    rows = dense_rows(n, queries, hnsw=hnsw, log=log)
    rows.append(bm25_row(n, queries))
    if log:
        print(f"  [{n:,}] bm25s: {rows[-1]['build_s']:.1f} s build, {rows[-1]['search_p50_ms']} ms", file=sys.stderr)
    return rows


def scale_sweep(sizes: list[int], queries: int = 200) -> list[dict[str, Any]]:
    """`eval.scale` for each size in its own process; a 1M HNSW build only if the 100k one extrapolates in budget."""
    rows: list[dict[str, Any]] = []
    for n in sizes:
        print(f"scale: {n:,} passages", file=sys.stderr, flush=True)
        args = [sys.executable, "-m", "eval.scale", str(n), "--queries", str(queries)]
        estimate = hnsw_estimate(rows, n)
        if n > HNSW_MAX_N and estimate is not None and estimate <= HNSW_BUDGET_S:
            args.append("--hnsw")
        t = time.perf_counter()
        done = subprocess.run(args, stdout=subprocess.PIPE, text=True, env={**os.environ, **OFFLINE_ENV}, check=True)
        got = json.loads(done.stdout)
        for row in got["rows"]:
            row["peak_rss_mb_process"] = got["peak_rss_mb"]
            if row.get("skipped"):
                row["build_s_estimated"] = None if estimate is None else round(estimate, 1)
        rows.extend(got["rows"])
        print(f"scale: {n:,} done in {time.perf_counter() - t:.0f} s", file=sys.stderr, flush=True)
    return rows


def hnsw_estimate(rows: list[dict[str, Any]], n: int) -> float | None:
    """HNSW build time at `n` from the largest measured one, growing as n·log n."""
    built = [r for r in rows if r["index"].startswith("hnsw") and r.get("build_s")]
    if not built:
        return None
    ref = max(built, key=lambda r: r["n"])
    return float(ref["build_s"] * n / ref["n"] * math.log(n) / math.log(ref["n"]))


def flat_crossover(rows: list[dict[str, Any]], key: str = "search_p50_ms", ms: float = 5.0) -> int | None:
    """Corpus size at which exact search reaches `ms` a query, from a line through the measured flat rows."""
    flat = [(r["n"], r[key]) for r in rows if r["index"] == "flat" and r.get(key)]
    if not flat:
        return None
    slope = sum(n * p for n, p in flat) / sum(n * n for n, _ in flat)
    return int(ms / slope) if slope > 0 else None


def _cell(value: Any, fmt: str = "{}") -> str:
    return "–" if value is None else fmt.format(value)


def scale_markdown(rows: list[dict[str, Any]]) -> list[str]:
    """The sweep as Markdown lines: one table of indexes, then the efSearch and nprobe sweeps."""
    lines = ["| passages | index | rag builds it | build s | search p50 ms | p50, 1 FAISS thread | recall@10 vs exact "
             "| RSS growth MB |", "|---:|---|:-:|---:|---:|---:|---:|---:|"]
    for r in rows:
        build = _cell(r["build_s"], "{:.2f}")
        if r.get("skipped"):
            build = f"not built (≈ {_cell(r.get('build_s_estimated'), '{:.0f}')} s est.)"
        kind = r["index"] + (f" (efSearch {r['efSearch']})" if "efSearch" in r else "") + (
            f" (nprobe {r['nprobe']})" if "nprobe" in r else "")
        lines.append(f"| {r['n']:,} | {kind} | {'yes' if r['rag_default'] else ''} | {build} | "
                     f"{_cell(r['search_p50_ms'], '{:.3f}')} | {_cell(r.get('search_p50_ms_1thread'), '{:.3f}')} | "
                     f"{_cell(r['recall_at_10_vs_exact'], '{:.3f}')} | {_cell(r['rss_mb'], '{:.0f}')} |")
    for r in rows:
        for sweep, name in (("ef_sweep", "efSearch"), ("nprobe_sweep", "nprobe")):
            if sweep in r:
                lines += ["", f"{r['index']} at {r['n']:,} passages, {name} swept "
                          f"({'tuning' if name == 'nprobe' else 'evaluation'} queries):", "",
                          f"| {name} | search p50 ms | p50, 1 thread | recall@10 |", "|---:|---:|---:|---:|"]
                lines += [f"| {s[name]} | {s['search_p50_ms']:.3f} | {s['search_p50_ms_1thread']:.3f} | "
                          f"{s['recall_at_10_vs_exact']:.3f} |" for s in r[sweep]]
    return lines


def main(argv: list[str] | None = None) -> None:
    """`python -m eval.scale N [--queries Q] [--hnsw|--no-hnsw]`: print the rows for size N as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--hnsw", action=argparse.BooleanOptionalAction, default=None)
    args = parser.parse_args(argv)
    rows = measure(args.n, args.queries, args.hnsw)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"rows": rows, "peak_rss_mb": round(peak, 1)}))


if __name__ == "__main__":
    main()
