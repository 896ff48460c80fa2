"""Hostile requests to the chat page's server: no file served from disk, login enforced, loopback only,
no connection off the machine (the hostile inputs to the library are in test_hostile.py)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import netguard  # tests/netguard.py
import pytest

from rag import Assistant, Index
from rag.settings import OFFLINE_ENV
from ui.net import free_port

ROOT = Path(__file__).resolve().parents[1]


def child_env() -> dict[str, str]:
    return {**os.environ, **OFFLINE_ENV}


def raw_get(port: int, target: str) -> tuple[int, str]:
    """GET `target` exactly as written: httpx would resolve `../` before sending it."""
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.decode(errors="replace").partition("\r\n\r\n")
    return int(head.split()[1]), body


@pytest.fixture(scope="module")
def live(briefing_index: Index, assistant: Assistant):  # type: ignore[no-untyped-def]
    from ui.app import build_app, launch

    port = free_port()
    demo = build_app(briefing_index, assistant, stream_delay=0.0)
    launch(demo, "127.0.0.1", port)
    try:
        yield port
    finally:
        demo.close(verbose=False)


def _escapes(briefing_index: Index) -> list[str]:
    index_file = briefing_index.path / "manifest.json"
    return [
        "/file=/etc/passwd", "/gradio_api/file=/etc/passwd", "/gradio_api/file=%2Fetc%2Fpasswd",
        "/gradio_api/file=../../../../../../etc/passwd", "/gradio_api/file=..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "/file=../../../../../etc/passwd", "/gradio_api/file=/proc/self/environ", "/static/../../../../../etc/passwd",
        "/assets/../../../../../etc/passwd", "/assets/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "/gradio_api/static/../../../../etc/passwd", f"/gradio_api/file={ROOT / 'rag' / 'index.py'}",
        f"/gradio_api/file={ROOT / 'pyproject.toml'}", f"/gradio_api/file={index_file}",
        "/gradio_api/file=~/.ssh/id_rsa", "/gradio_api/file=/root/.bash_history",
    ]


def test_no_route_serves_a_file_from_disk(live: int, briefing_index: Index) -> None:
    for target in _escapes(briefing_index):
        status, body = raw_get(live, target)
        assert status in (400, 403, 404), (target, status, body[:200])
        assert "root:" not in body and "[project]" not in body and "format_version" not in body, target


def test_the_api_needs_the_login_when_auth_is_on(briefing_index: Index, assistant: Assistant) -> None:
    import httpx

    from ui.app import build_app, launch

    port = free_port()
    demo = build_app(briefing_index, assistant, stream_delay=0.0)
    url = launch(demo, "127.0.0.1", port, auth=("ann", "secret"))
    try:
        call = httpx.post(url + "gradio_api/call/ask", json={"data": ["Where did the Quad meet?"]})
        assert call.status_code == 401
        assert httpx.post(url + "gradio_api/upload", files={"files": ("x.txt", b"x")}).status_code == 401
        for target in ("/gradio_api/file=/etc/passwd", "/gradio_api/info"):
            status, body = raw_get(port, target)
            assert status in (401, 403, 404) and "root:" not in body, target
    finally:
        demo.close(verbose=False)


SERVER_GUARD = netguard.GUARD + r"""
import sys
import time
import httpx
from gradio_client import Client
from rag import Assistant
from rag.index import load_index
from ui.app import build_app, launch
index = load_index(sys.argv[1])
demo = build_app(index, Assistant(index), stream_delay=0.0)
url = launch(demo, "127.0.0.1", int(sys.argv[2]))
for path in ("", "config", "gradio_api/info", "gradio_api/file=/etc/passwd"):
    httpx.get(url + path)
client = Client(url, verbose=False, analytics_enabled=False)
answer = client.predict("Where did the Quad Senior Cyber Group meet in December?", api_name="/ask")
assert "Tokyo" in answer["answer"], answer
demo.close(verbose=False)
print("attempts:", attempts)
sys.exit(1 if attempts else 0)
"""


def test_the_server_never_reaches_the_network(briefing_index: Index) -> None:
    env = {k: v for k, v in child_env().items() if not k.startswith(("TRANSFORMERS_",))}
    result = subprocess.run([sys.executable, "-c", SERVER_GUARD, str(briefing_index.path.parent), str(free_port())],
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "attempts: []" in result.stdout


def test_rag_serve_listens_on_loopback_only_by_default(briefing_index: Index) -> None:
    import httpx
    import psutil

    port = free_port()
    rag = Path(sys.executable).with_name("rag")
    server = subprocess.Popen([str(rag), "serve", "--port", str(port), "--index-dir", str(briefing_index.path.parent)],
                              env=child_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 240
        while True:
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
            assert time.monotonic() < deadline, "the server did not start"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/config", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        listening = [c.laddr for c in psutil.Process(server.pid).net_connections(kind="inet")
                     if c.status == psutil.CONN_LISTEN]
        assert listening and all(addr.ip in ("127.0.0.1", "::1") for addr in listening), listening
        others = [a.address for addrs in psutil.net_if_addrs().values() for a in addrs
                  if a.family.name == "AF_INET" and not a.address.startswith("127.")]
        for address in others:  # the machine's other addresses do not reach it
            with pytest.raises(httpx.ConnectError):
                httpx.get(f"http://{address}:{port}/config", timeout=5)
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_public_host_warns_and_suggests_auth(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    import ui.app
    from rag.cli import main

    calls: list[tuple] = []  # type: ignore[type-arg]
    monkeypatch.setattr(ui.app, "serve", lambda *args: calls.append(args))
    public = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--port", "7999"])
    assert public.exit_code == 0 and "Warning" in public.output and "reachable from other machines" in public.output
    assert "--auth" in public.output
    shared = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--auth", "ann:s3cret"])
    assert shared.exit_code == 0 and "Warning" in shared.output and "consider --auth" not in shared.output
    local = CliRunner().invoke(main, ["serve"])
    assert local.exit_code == 0 and "Warning" not in local.output
    assert calls[0][0] == "0.0.0.0" and calls[1][3] == ("ann", "s3cret") and calls[2][0] == "127.0.0.1"
