"""A small OpenAI-compatible model server for the tests: real sockets on loopback, scripted replies.

`ScriptedServer` answers `GET /v1/models` and `POST /v1/chat/completions` (streamed as server-sent events, or
as one JSON object when the request does not ask for a stream) with the `Reply` its `script` returns for the
request, and records every request it got.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ui.net import free_port


@dataclass(frozen=True)
class Reply:
    """One scripted reply: its text (streamed in `pieces`), or a failure."""

    text: str = ""
    #: Pieces the text is streamed in (default: word by word).
    pieces: tuple[str, ...] = ()
    status: int = 200
    #: Seconds to wait before the first byte.
    delay: float = 0.0
    #: Stop after this many pieces, closing the connection without a finish reason or [DONE].
    cut_after: int | None = None
    #: Send this line instead of JSON events.
    garbage: str | None = None
    finish_reason: str = "stop"
    #: Seconds between pieces.
    pace: float = 0.0
    #: Answer with one JSON object even when a stream was asked for (as some servers do).
    whole: bool = False

    def chunks(self) -> tuple[str, ...]:
        if self.pieces:
            return self.pieces
        words = self.text.split(" ")
        return tuple(w if i == len(words) - 1 else w + " " for i, w in enumerate(words))


class ScriptedServer:
    """Serves `script(request_json) -> Reply` on 127.0.0.1 at a free port, in a background thread.

    Example:
        >>> with ScriptedServer(lambda body: Reply("Hello [1].")) as server:  # doctest: +SKIP
        ...     server.url
        'http://127.0.0.1:PORT/v1'
    """

    def __init__(self, script: Callable[[dict[str, Any]], Reply], models: tuple[str, ...] = ("scripted-model",),
                 strict_models: bool = False) -> None:
        self.script = script
        self.models = models
        self.strict_models = strict_models
        self.requests: list[dict[str, Any]] = []
        port = free_port()
        self.url = f"http://127.0.0.1:{port}/v1"
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _json(self, status: int, data: Any) -> None:
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                if self.path.rstrip("/") == "/v1/models":
                    self._json(200, {"object": "list", "data": [{"id": m, "object": "model"} for m in outer.models]})
                else:
                    self._json(404, {"error": {"message": f"no route {self.path}"}})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                outer.requests.append(body)
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._json(404, {"error": {"message": f"no route {self.path}"}})
                    return
                if outer.strict_models and body.get("model") not in outer.models:
                    self._json(404, {"error": {"message": f"model '{body.get('model')}' not found"}})
                    return
                reply = outer.script(body)
                time.sleep(reply.delay)
                if reply.status != 200:
                    self._json(reply.status, {"error": {"message": "the scripted server failed"}})
                    return
                if not body.get("stream") or reply.whole:
                    self._json(200, {"choices": [{"index": 0, "message": {"role": "assistant", "content": reply.text},
                                                  "finish_reason": reply.finish_reason}],
                                     "usage": {"completion_tokens": len(reply.chunks())}})
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                if reply.garbage is not None:
                    self.wfile.write(f"data: {reply.garbage}\n\n".encode())
                    return
                for i, piece in enumerate(reply.chunks()):
                    if reply.cut_after is not None and i >= reply.cut_after:
                        return  # the connection closes: no finish reason, no [DONE]
                    event = {"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                    self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                    self.wfile.flush()
                    time.sleep(reply.pace)
                end = {"choices": [{"index": 0, "delta": {}, "finish_reason": reply.finish_reason}]}
                self.wfile.write(f"data: {json.dumps(end)}\n\ndata: [DONE]\n\n".encode())

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> ScriptedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
