"""The client of the user's own model server (OpenAI chat-completions protocol, streamed), and the prompt.

Any server speaking the protocol works: llama.cpp's server, Ollama, vLLM, LM Studio. The client is httpx
with explicit timeouts; every way a server can fail (down, too slow, an unknown model, an HTTP error, a
reply that is not JSON, a stream cut midway) becomes one `LlmError` with a line a user can act on.

Example:
    >>> client = LlmClient("http://127.0.0.1:8080/v1")  # doctest: +SKIP
    >>> "".join(client.stream([{"role": "user", "content": "Say hi."}], Generation()))  # doctest: +SKIP
    'Hi!'
"""

from __future__ import annotations

import ipaddress
import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from rag.errors import LlmError
from rag.question import Question
from rag.schema import Passage

#: The whole reply may take at most this many times the timeout (a server trickling bytes forever is cut off).
DEADLINE_FACTOR = 4
#: Passages sent to the model: the retrieved ones in order, up to this many tokens (small models have 2,048).
PROMPT_TOKENS = 1200

INSTRUCTION = (
    "You answer questions about a policy briefing. Use only the numbered passages below, never your own "
    "knowledge. Answer in one to three short sentences, in English. After every sentence write the number of the "
    "passage it comes from in square brackets, like [2]. Copy names, numbers and dates exactly as the passages "
    "write them. If the passages do not answer the question, reply only: The briefing does not say."
)


def is_remote(url: str) -> bool:
    """True when `url` points beyond this machine (the passages would leave it).

    Example:
        >>> is_remote("http://127.0.0.1:8080/v1"), is_remote("http://localhost:11434/v1"), is_remote("https://a.b/v1")
        (False, False, True)
    """
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True


def remote_warning(url: str) -> str | None:
    """The warning to print before sending passages to `url`, or None for a loopback server."""
    if not is_remote(url):
        return None
    host = urlsplit(url).hostname
    return (f"Warning: the model server {host} is not on this machine; the retrieved passages and your questions "
            "will be sent to it.")


def passages_for_prompt(passages: Sequence[Passage], budget: int = PROMPT_TOKENS) -> list[Passage]:
    """The passages the model reads, in order, within `budget` tokens (at least one)."""
    out: list[Passage] = []
    used = 0
    for p in passages:
        if out and used + p.n_tokens > budget:
            break
        out.append(p)
        used += p.n_tokens
    return out


def build_prompt(question: Question, passages: Sequence[Passage]) -> list[dict[str, str]]:
    """The chat messages: the instruction, the passages numbered as the citations will be, the question as read."""
    lines = []
    for n, p in enumerate(passages, start=1):
        # a chronology entry opens with its own date; an article passage gets its section in front
        lines.append(f"[{n}] {p.text}" if p.kind == "chronology" else f"[{n}] ({p.section or p.title}) {p.text}")
    read = [f"Question: {question.text}"]
    if question.period is not None:
        read.append(f"Period asked about: {question.period.label()}")
    if question.constraints:
        read.append("The answer must meet: " + ", ".join(question.constraints))
    user = "Passages:\n" + "\n".join(lines) + "\n\n" + "\n".join(read)
    return [{"role": "system", "content": INSTRUCTION}, {"role": "user", "content": user}]


@dataclass
class Generation:
    """What one streamed reply measured, filled in while it streams (first token, tokens, why it stopped)."""

    first_token_ms: float | None = None
    seconds: float = 0.0
    tokens: int = 0
    finish_reason: str | None = None

    @property
    def tokens_per_s(self) -> float | None:
        """Tokens per second after the first token (generation speed, without the prompt's processing)."""
        if self.first_token_ms is None or self.tokens < 2:
            return None
        span = self.seconds - self.first_token_ms / 1e3
        return (self.tokens - 1) / span if span > 0 else None


class LlmClient:
    """Streams chat completions from an OpenAI-compatible server at `url` (its base, e.g. `…/v1`)."""

    def __init__(self, url: str, model: str = "", timeout: float = 30.0, max_tokens: int = 300) -> None:
        self.url = url.rstrip("/")
        self.model = model
        self.timeout = timeout
        self.max_tokens = max_tokens
        self._http: httpx.Client | None = None

    def _client(self) -> httpx.Client:
        """One connection pool per client (thread-safe), made on first use."""
        if self._http is None:
            # No environment proxies: a loopback server must be reached directly, and passages go nowhere else.
            self._http = httpx.Client(timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 5.0)),
                                      trust_env=False)
        return self._http

    def _where(self) -> str:
        return f"the model server at {self.url}"

    def _fail(self, exc: Exception) -> LlmError:
        if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
            return LlmError(f"Cannot reach {self._where()}; is it running?")
        if isinstance(exc, httpx.TimeoutException):
            return LlmError(f"{self._where().capitalize()} did not answer within {self.timeout:g} s.")
        if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
            return LlmError(f"The reply from {self._where()} was cut off midway.")
        return LlmError(f"{self._where().capitalize()} failed: {exc}")

    def models(self) -> list[str]:
        """The model names the server lists (`GET /models`)."""
        try:
            response = self._client().get(f"{self.url}/models")
            response.raise_for_status()
            data = response.json()
        except httpx.HTTPStatusError as exc:
            raise LlmError(f"{self._where().capitalize()} answered HTTP {exc.response.status_code} to "
                           "GET /models; is the URL its OpenAI-compatible base (ending in /v1)?") from None
        except httpx.HTTPError as exc:
            raise self._fail(exc) from None
        except ValueError:
            raise LlmError(f"{self._where().capitalize()} sent a model list that is not JSON; is the URL its "
                           "OpenAI-compatible base (ending in /v1)?") from None
        items = data.get("data") if isinstance(data, dict) else None
        return [str(m["id"]) for m in items or [] if isinstance(m, dict) and "id" in m]

    def model_name(self) -> str:
        """The model asked for, or the first the server lists; resolved once."""
        if not self.model:
            names = self.models()
            if not names:
                raise LlmError(f"{self._where().capitalize()} lists no model; name one with --llm-model.")
            self.model = names[0]
        return self.model

    def _http_error(self, response: httpx.Response) -> LlmError:
        try:
            body = response.read().decode("utf-8", "replace")
        except httpx.HTTPError:
            body = ""
        message = body[:300]
        try:
            error = json.loads(body).get("error")
            message = str(error.get("message", error) if isinstance(error, dict) else error or message)[:300]
        except (ValueError, AttributeError):
            pass
        if response.status_code == 404 and "model" in message.lower():
            try:
                known = ", ".join(self.models()) or "none"
            except LlmError:
                known = "unknown"
            return LlmError(f"{self._where().capitalize()} has no model {self.model!r} (it lists: {known}); "
                            "choose one with --llm-model.")
        return LlmError(f"{self._where().capitalize()} answered HTTP {response.status_code}: "
                        f"{' '.join(message.split()) or response.reason_phrase}.")

    def stream(self, messages: list[dict[str, str]], generation: Generation) -> Iterator[str]:
        """The reply's text, piece by piece as the server writes it; `generation` gets the measurements.

        Raises `LlmError` for every failure, including a reply cut before the server said it was done.
        """
        model = self.model_name()
        body: dict[str, Any] = {"model": model, "messages": messages, "stream": True, "temperature": 0,
                                "max_tokens": self.max_tokens}
        started = time.perf_counter()
        deadline = started + DEADLINE_FACTOR * self.timeout
        try:
            with self._client().stream("POST", f"{self.url}/chat/completions", json=body) as response:
                if response.status_code >= 400:
                    raise self._http_error(response)
                if "text/event-stream" not in response.headers.get("content-type", ""):
                    # A server that ignores "stream": the whole reply comes as one JSON object.
                    text = self._whole(response.read(), generation)
                    generation.seconds = time.perf_counter() - started
                    generation.first_token_ms = generation.seconds * 1e3
                    yield text
                    return
                done = False
                for line in response.iter_lines():
                    if time.perf_counter() > deadline:
                        raise LlmError(f"{self._where().capitalize()} took over {DEADLINE_FACTOR * self.timeout:g} s "
                                       "to write its answer.")
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        done = True
                        break
                    piece, finish = self._chunk(data)
                    if finish:
                        generation.finish_reason = finish
                    if piece:
                        if generation.first_token_ms is None:
                            generation.first_token_ms = (time.perf_counter() - started) * 1e3
                        generation.tokens += 1
                        generation.seconds = time.perf_counter() - started
                        yield piece
                if not done and generation.finish_reason is None:
                    raise LlmError(f"The reply from {self._where()} was cut off midway.")
        except httpx.HTTPError as exc:
            raise self._fail(exc) from None
        generation.seconds = time.perf_counter() - started

    def _chunk(self, data: str) -> tuple[str, str | None]:
        try:
            chunk = json.loads(data)
            if "error" in chunk:
                error = chunk["error"]
                raise LlmError(f"{self._where().capitalize()} reported an error: "
                               f"{error.get('message', error) if isinstance(error, dict) else error}")
            choice = (chunk.get("choices") or [{}])[0]
            piece = (choice.get("delta") or {}).get("content") or ""
            return str(piece), choice.get("finish_reason")
        except (ValueError, AttributeError, TypeError, IndexError):
            raise LlmError(f"{self._where().capitalize()} sent a reply that is not OpenAI-style JSON: "
                           f"{data[:80]!r}") from None

    def _whole(self, raw: bytes, generation: Generation) -> str:
        try:
            data = json.loads(raw)
            choice = data["choices"][0]
            generation.finish_reason = choice.get("finish_reason") or "stop"
            text = str(choice["message"]["content"] or "")
            generation.tokens = int((data.get("usage") or {}).get("completion_tokens") or len(text.split()))
            return text
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            raise LlmError(f"{self._where().capitalize()} sent a reply that is not OpenAI-style JSON: "
                           f"{raw[:80]!r}") from None
