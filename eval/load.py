"""Sustained load on the chat page's API: concurrent clients for a while, then a long soak; figures to load.md.

Starts `rag serve` on a free loopback port (or `--replicas N` servers on one index folder, the clients spread
over them as a load balancer would; or uses `--url` with `--pid`), asks the gold questions through
`gradio_client` (api_name "/ask"), and checks the load bar:

- open loop: every client asks one question every `--every` seconds (2 s) for `--seconds` (120 s), whether or
  not the last one was answered: no request fails and p95 ≤ 0.3 s (latency from the scheduled send time);
- closed loop: throughput of all the clients asking back to back ≥ 1.7 × that of one client alone;
- soak: `--soak` questions (5,000) back to back; the servers' resident memory grows ≤ 10 % from warm-up to end.

Example:
    python -m eval.load --quick                       # 5 clients, 10 s, 200 soak questions (CI)
    python -m eval.load --clients 20 --seconds 120 --soak 5000
    python -m eval.load --replicas 2                  # two `rag serve` on one index, clients spread over both
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psutil

from eval.questions import load_questions
from rag.settings import OFFLINE_ENV
from ui.net import free_port

EVAL_DIR = Path(__file__).resolve().parent
#: Memory growth from warm-up to the end that counts as a leak.
MAX_GROWTH = 0.10
#: The open-loop bar: p95 latency (seconds), and the closed-loop bar: throughput of all clients over one's.
MAX_P95_OPEN = 0.3
MIN_SPEEDUP = 1.7


@dataclass
class Phase:
    """What one phase of the run measured."""

    name: str
    clients: int
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        lat = sorted(self.latencies)

        def pct(q: float) -> float:
            return round(1e3 * lat[min(len(lat) - 1, int(q * len(lat)))], 1) if lat else 0.0

        return {"phase": self.name, "clients": self.clients, "requests": len(lat) + len(self.failures),
                "failed": len(self.failures), "seconds": round(self.seconds, 1),
                "per_second": round(len(lat) / self.seconds, 1) if self.seconds else 0.0,
                "p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99),
                "max_ms": round(1e3 * lat[-1], 1) if lat else 0.0,
                "mean_ms": round(1e3 * statistics.fmean(lat), 1) if lat else 0.0,
                "first_failures": self.failures[:5]}


def start_server(index_dir: Path | None, port: int) -> subprocess.Popen[bytes]:
    """`rag serve` on loopback, in its own process so that its memory can be watched alone."""
    rag = Path(sys.executable).with_name("rag")
    command = [str(rag), "serve", "--host", "127.0.0.1", "--port", str(port)]
    if index_dir is not None:
        command += ["--index-dir", str(index_dir)]
    return subprocess.Popen(command, env={**os.environ, **OFFLINE_ENV}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


def wait_ready(url: str, server: subprocess.Popen[bytes] | None, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server is not None and server.poll() is not None:
            raise SystemExit(f"the server exited with code {server.returncode}: "
                             f"{server.stderr.read().decode(errors='replace')[-2000:] if server.stderr else ''}")
        try:
            if httpx.get(url + "config", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"no server answered at {url} within {timeout:.0f} s")


def rss_mb(pid: int | list[int] | None) -> float | None:
    """Resident memory of the server(s), summed over replicas."""
    pids = [pid] if isinstance(pid, int) else list(pid or [])
    if not pids:
        return None
    try:
        return sum(psutil.Process(p).memory_info().rss for p in pids) / 2**20
    except psutil.Error:
        return None


def _ask(client: Any, question: str) -> None:
    """One request; raises unless the answer is the JSON of `rag ask --json` with consistent citations."""
    data = client.predict(question, api_name="/ask")
    if not isinstance(data, dict) or not data.get("answer"):
        raise ValueError(f"not an answer: {str(data)[:200]}")
    numbers = [c["n"] for c in data["citations"]]
    if numbers != list(range(1, len(numbers) + 1)):
        raise ValueError(f"citations out of order: {numbers}")


def run_phase(phase: Phase, clients: list[Any], questions: list[str], seconds: float | None = None,
              total: int | None = None, seed: int = 0, in_order: bool = False) -> Phase:
    """Every client asks in a loop until `seconds` have passed or `total` requests have been made.

    Questions are drawn at random, or with `in_order` taken one after the other (each once per round).
    """
    lock = threading.Lock()
    issued = 0
    stop_at = time.perf_counter() + seconds if seconds is not None else None

    def take() -> int | None:
        nonlocal issued
        with lock:
            if total is not None and issued >= total:
                return None
            if stop_at is not None and time.perf_counter() >= stop_at:
                return None
            issued += 1
            return issued - 1

    def worker(i: int) -> None:
        rng = random.Random(seed * 1000 + i)
        while (n := take()) is not None:
            question = questions[n % len(questions)] if in_order else rng.choice(questions)
            t0 = time.perf_counter()
            try:
                _ask(clients[i], question)
            except Exception as exc:  # every failure is counted and reported; none ends the run
                with lock:
                    phase.failures.append(f"{type(exc).__name__}: {exc} (asking {question!r})"[:300])
            else:
                with lock:
                    phase.latencies.append(time.perf_counter() - t0)

    return _run_clients(phase, worker, len(clients), time.perf_counter())


def _run_clients(phase: Phase, target: Any, n_clients: int, started: float) -> Phase:
    """Run `target(i)` for every client on its own thread, wait for all, and record the phase's duration."""
    threads = [threading.Thread(target=target, args=(i,), daemon=True) for i in range(n_clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    phase.seconds = time.perf_counter() - started
    return phase


def run_open_loop(phase: Phase, clients: list[Any], questions: list[str], seconds: float, every: float,
                  seed: int = 0) -> Phase:
    """Each client asks one question every `every` seconds (staggered), answered or not: an open loop.

    Latency counts from the time a request was due, so a server that falls behind is not hidden by clients
    that wait for it (coordinated omission).
    """
    lock = threading.Lock()
    started = time.perf_counter()
    n_clients = len(clients)

    def send(i: int, due: float, question: str) -> None:
        try:
            _ask(clients[i], question)
        except Exception as exc:  # counted and reported; none ends the run
            with lock:
                phase.failures.append(f"{type(exc).__name__}: {exc} (asking {question!r})"[:300])
        else:
            with lock:
                phase.latencies.append(time.perf_counter() - due)

    def client(i: int) -> None:
        rng = random.Random(seed * 1000 + i)
        inflight: list[threading.Thread] = []
        due = started + every * i / n_clients
        while due < started + seconds:
            time.sleep(max(0.0, due - time.perf_counter()))
            t = threading.Thread(target=send, args=(i, due, rng.choice(questions)), daemon=True)
            t.start()
            inflight.append(t)
            due += every
        for t in inflight:
            t.join()

    return _run_clients(phase, client, n_clients, started)


def sample_memory(pid: int | list[int] | None, samples: list[float], stop: threading.Event, every: float = 1.0) -> None:
    while not stop.wait(every):
        value = rss_mb(pid)
        if value is not None:
            samples.append(value)


def write_report(path: Path, result: dict[str, Any]) -> None:
    """eval/load.md: the figures of one run, the load bar's verdicts, and the command that reproduces them."""
    rows = "\n".join(
        f"| {p['phase']} | {p['clients']} | {p['requests']:,} | {p['failed']} | {p['seconds']:.0f} | "
        f"{p['per_second']:.1f} | {p['p50_ms']:.0f} | {p['p95_ms']:.0f} | {p['p99_ms']:.0f} | {p['max_ms']:.0f} |"
        for p in result["phases"]
    )
    mem = result["memory_mb"]
    memory = (
        f"| warm-up end | {mem['warm']:.0f} MB |\n| end of soak | {mem['end']:.0f} MB |\n"
        f"| peak | {mem['peak']:.0f} MB |\n| growth | {100 * mem['growth']:+.1f}% (limit +{100 * MAX_GROWTH:.0f}%) |"
        if mem.get("warm") else "| (not measured: no server pid) | |"
    )
    bar = "\n".join(f"| {b['what']} | {b['measured']} | {b['limit']} | {'pass' if b['ok'] else 'MISS'} |"
                    for b in result["bar"])
    verdict = "PASS" if result["ok"] else "FAIL"
    text = f"""# Load test of the chat page's API

{verdict}: {result['total_requests']:,} requests, {result['total_failed']} failed;
server memory {100 * mem.get('growth', 0.0):+.1f}% from warm-up to end. The load bar:

| bar | measured | limit | |
|---|---:|---:|---|
{bar}

Run on {result['started']} with `{result['command']}`
({result['machine']}; {result['servers']}; load average {result['load_average']}).
Each client is a `gradio_client.Client` calling `api_name="/ask"` on `rag serve` over loopback, with a gold
question drawn at random from eval/questions.jsonl (the warm-up asks each once, in order); a request fails
if it raises or does not return the JSON of `rag ask --json`. Latency is measured at the client, queueing
included; in the open loop, from the time the request was due.

| phase | clients | requests | failed | seconds | req/s | p50 ms | p95 ms | p99 ms | max ms |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|
{rows}

Server resident memory (RSS, sampled every second, summed over replicas):

| when | RSS |
|---|---:|
{memory}

{result.get('note', '')}
"""
    path.write_text(text.rstrip() + "\n", encoding="utf-8")


def start_servers(index_dir: Path | None, replicas: int) -> tuple[list[str], list[subprocess.Popen[bytes]]]:
    """`replicas` servers on free loopback ports, all reading one index folder."""
    servers, urls = [], []
    for _ in range(replicas):
        port = free_port()
        servers.append(start_server(index_dir, port))
        urls.append(f"http://127.0.0.1:{port}/")
    return urls, servers


def load_bar(open_loop: Phase, one: Phase, many: Phase, growth: float) -> list[dict[str, Any]]:
    """The three checks of the load bar, each with what was measured."""
    o, c1, cn = open_loop.summary(), one.summary(), many.summary()
    speedup = cn["per_second"] / c1["per_second"] if c1["per_second"] else 0.0
    return [
        {"what": f"open loop ({o['clients']} clients): failed requests", "measured": str(o["failed"]),
         "limit": "0", "ok": o["failed"] == 0},
        {"what": "open loop: p95 latency", "measured": f"{o['p95_ms']:.0f} ms",
         "limit": f"{1e3 * MAX_P95_OPEN:.0f} ms", "ok": bool(o["requests"]) and o["p95_ms"] <= 1e3 * MAX_P95_OPEN},
        {"what": f"closed loop: {cn['clients']} clients' throughput over one client's",
         "measured": f"{speedup:.2f}× ({cn['per_second']:.1f}/s vs {c1['per_second']:.1f}/s)",
         "limit": f"≥ {MIN_SPEEDUP}×", "ok": speedup >= MIN_SPEEDUP},
        {"what": "soak: server memory growth", "measured": f"{100 * growth:+.1f}%",
         "limit": f"≤ +{100 * MAX_GROWTH:.0f}%", "ok": growth <= MAX_GROWTH},
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20, help="Concurrent clients (default 20).")
    parser.add_argument("--seconds", type=float, default=120, help="Length of the open-loop phase (default 120).")
    parser.add_argument("--every", type=float, default=2.0,
                        help="In the open loop, seconds between one client's questions (default 2).")
    parser.add_argument("--closed-seconds", type=float, default=30.0,
                        help="Length of each closed-loop phase, one client then all (default 30).")
    parser.add_argument("--soak", type=int, default=5000, help="Questions in the soak (default 5000).")
    parser.add_argument("--warmup", type=int, default=None,
                        help="Warm-up questions, asked in order (default: every gold question once).")
    parser.add_argument("--quick", action="store_true",
                        help="A short run for CI: 5 clients, 10 s open loop, 5 s closed loops, 200 soak.")
    parser.add_argument("--replicas", type=int, default=1,
                        help="Servers started on one index folder, the clients spread over them (default 1).")
    parser.add_argument("--url", action="append", default=None,
                        help="Use a running server instead of starting one (repeat for replicas).")
    parser.add_argument("--pid", type=int, action="append", default=None,
                        help="With --url: the server's pid, to watch its memory (repeat for replicas).")
    parser.add_argument("--index-dir", type=Path, default=None, help="Index for the server started here.")
    parser.add_argument("--out", type=Path, default=EVAL_DIR / "load.md", help="Report (default eval/load.md).")
    parser.add_argument("--json", type=Path, default=None, help="Also write the figures as JSON.")
    parser.add_argument("--note", default="", help="A line added to the report.")
    args = parser.parse_args(argv)
    if args.quick:
        args.clients, args.seconds, args.closed_seconds, args.soak = 5, 10.0, 5.0, 200
    if (args.clients < 1 or args.seconds <= 0 or args.soak < 0 or args.every <= 0 or args.closed_seconds <= 0
            or args.replicas < 1):
        parser.error("--clients and --replicas must be 1 or more, --seconds, --every and --closed-seconds "
                     "above 0, --soak 0 or more")
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)
    from gradio_client import Client

    started_at, load_at_start = datetime.now(UTC), os.getloadavg()

    servers: list[subprocess.Popen[bytes]] = []
    if args.url:
        urls, pids = [u.rstrip("/") + "/" for u in args.url], list(args.pid or [])
    else:
        urls, servers = start_servers(args.index_dir, args.replicas)
        pids = [s.pid for s in servers]
    try:
        for i, url in enumerate(urls):
            print(f"Waiting for {url}…", file=sys.stderr)
            wait_ready(url, servers[i] if servers else None)
        questions = [q.question for q in load_questions()]
        # clients spread over the replicas in turn, as an ordinary load balancer would
        clients = [Client(urls[i % len(urls)], verbose=False, analytics_enabled=False) for i in range(args.clients)]
        # the warm-up asks every question once: the model, caches and Gradio's queue reach their steady state
        warm = run_phase(Phase("warm-up", args.clients), clients, questions, in_order=True,
                         total=args.warmup if args.warmup is not None else len(questions), seed=1)
        time.sleep(1.0)  # let the allocator settle before the baseline
        warm_rss = rss_mb(pids)
        samples: list[float] = [warm_rss] if warm_rss else []
        stop = threading.Event()
        watcher = threading.Thread(target=sample_memory, args=(pids, samples, stop), daemon=True)
        watcher.start()
        print(f"Open loop: {args.clients} clients, one question every {args.every:g} s each, "
              f"for {args.seconds:.0f} s…", file=sys.stderr)
        open_loop = run_open_loop(Phase("open loop", args.clients), clients, questions, args.seconds,
                                  args.every, seed=2)
        print(f"Closed loop: one client, then {args.clients}, {args.closed_seconds:.0f} s each…", file=sys.stderr)
        one = run_phase(Phase("closed, one client", 1), clients[:1], questions, seconds=args.closed_seconds, seed=4)
        many = run_phase(Phase("closed", args.clients), clients, questions, seconds=args.closed_seconds, seed=5)
        print(f"Soak: {args.soak} questions…", file=sys.stderr)
        soak = run_phase(Phase("soak", args.clients), clients, questions, total=args.soak, seed=3)
        stop.set()
        watcher.join()
        end_rss = rss_mb(pids)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
    phases = [warm, open_loop, one, many, soak]
    measured = phases[1:]
    growth = (end_rss - warm_rss) / warm_rss if warm_rss and end_rss else 0.0
    total_failed = sum(len(p.failures) for p in phases)
    bar = load_bar(open_loop, one, many, growth)
    ok = total_failed == 0 and growth < MAX_GROWTH and bool(soak.latencies)
    result = {
        "ok": ok,
        "bar": bar,
        "bar_ok": all(b["ok"] for b in bar),
        "started": started_at.strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python -m eval.load " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": f"{psutil.cpu_count()} CPU cores, {platform.system()} {platform.machine()}, "
                   f"Python {platform.python_version()}",
        "servers": f"{len(urls)} server{'s' if len(urls) > 1 else ''} on one index",
        "load_average": f"{load_at_start[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end",
        "phases": [p.summary() for p in phases],
        "total_requests": sum(len(p.latencies) + len(p.failures) for p in measured),
        "total_failed": total_failed,
        "p95_ms": open_loop.summary()["p95_ms"],
        "memory_mb": {"warm": warm_rss, "end": end_rss, "peak": max(samples) if samples else None,
                      "growth": round(growth, 4)},
        "note": args.note,
    }
    write_report(args.out, result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    for p in result["phases"]:
        print(f"{p['phase']:>18}: {p['requests']:>6,} requests, {p['failed']} failed, {p['per_second']:.1f}/s, "
              f"p50 {p['p50_ms']:.0f} ms, p95 {p['p95_ms']:.0f} ms, max {p['max_ms']:.0f} ms")
        for failure in p["first_failures"]:
            print(f"    {failure}", file=sys.stderr)
    for b in bar:
        print(f"{'pass' if b['ok'] else 'MISS'}: {b['what']}: {b['measured']} (limit {b['limit']})")
    if warm_rss and end_rss:
        print(f"server RSS {warm_rss:.0f} MB after warm-up → {end_rss:.0f} MB at the end ({100 * growth:+.1f}%)")
    print(f"{'PASS' if ok else 'FAIL'} (no failures, bounded memory); load bar "
          f"{'met' if result['bar_ok'] else 'missed'} — figures in {args.out}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
