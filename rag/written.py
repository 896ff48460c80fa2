"""Written answers: the user's own model writes from the retrieved passages; every sentence is checked.

The extractive `Answer` stays the answer; the written one comes beside it (`Answer.written`). The model
gets the passages numbered as its citations will be and the question as read; as its reply streams in,
each finished sentence goes through the verifier (rag/verify.py), so what is shown is always verified,
marked unverified, or (by the setting) dropped. A server that fails, a reply in another language, or one
with nothing verified leaves the extractive answer in charge, with a one-line note.

Example:
    >>> from rag import Assistant, Settings, open_index
    >>> settings = Settings(llm_url="http://127.0.0.1:8080/v1")
    >>> assistant = Assistant(open_index(), settings=settings)  # doctest: +SKIP
    >>> answer = Writer(assistant).write(assistant.answer("Where did the Quad meet in December?"))  # doctest: +SKIP
    >>> [s.verified for s in answer.written.sentences]  # doctest: +SKIP
    [True]
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from rag.errors import LlmError
from rag.llm import Generation, LlmClient, build_prompt, passages_for_prompt
from rag.schema import Answer, Citation, Passage, WrittenAnswer, WrittenSentence
from rag.verify import Verifier, is_english, split_sentences

if TYPE_CHECKING:
    from rag.answer import Assistant

NOTHING_VERIFIED = ("None of the model's sentences could be checked against the passages it cites; "
                    "the extractive answer stands.")


class Writer:
    """Asks the configured model server for a written answer to an extractive `Answer`, and verifies it."""

    def __init__(self, assistant: Assistant, client: LlmClient | None = None) -> None:
        settings = assistant.settings
        if client is None and not settings.llm_url:
            raise LlmError("No model server is configured; give one with --llm-url or RAG_LLM_URL.")
        self.assistant = assistant
        self.settings = settings
        self.client = client or LlmClient(settings.llm_url, settings.llm_model, settings.llm_timeout,
                                          settings.llm_max_tokens)
        encoder = assistant.retriever.embedder
        self.verifier = Verifier(assistant.index, assistant.evidence, encoder.encode_query)

    @property
    def model(self) -> str:
        """The model's name as configured (the server's own name once a reply has started)."""
        return self.client.model or "the server's default model"

    def write(self, answer: Answer) -> Answer:
        """`answer` with its written answer beside it (`Answer.written`); never raises for a failing server."""
        *_, last = self.stream(answer)
        return replace(answer, written=last)

    def stream(self, answer: Answer) -> Iterator[WrittenAnswer]:
        """Snapshots of the written answer as it streams: checked sentences so far and the one being written.

        The last snapshot is final (its status is never "writing").
        """
        q = answer.analysis
        passages = passages_for_prompt(self._sources(answer))
        if q is None or not passages:
            yield WrittenAnswer(self.model, "failed", note="There are no passages to write an answer from.")
            return
        generation = Generation()
        text = ""
        checked: list[WrittenSentence] = []
        try:
            for piece in self.client.stream(build_prompt(q, passages), generation):
                text += piece
                sentences = split_sentences(text)
                for sentence in sentences[len(checked) : -1]:  # the last one may still grow
                    checked.append(self.verifier.check(sentence, passages, q))
                pending = sentences[-1] if sentences else ""
                yield self._snapshot(checked, passages, generation, "writing", pending=pending)
            if not is_english(text):
                raise LlmError("The model answered in another language; the briefing's answers are in English.")
            sentences = split_sentences(text)
            checked += [self.verifier.check(s, passages, q) for s in sentences[len(checked) :]]
        except LlmError as exc:
            yield WrittenAnswer(self.client.model or self.model, "failed",
                                note=f"No written answer: {exc} The extractive answer stands.",
                                first_token_ms=generation.first_token_ms, tokens=generation.tokens)
            return
        if not checked:
            yield WrittenAnswer(self.model, "failed", note="The model returned an empty answer; "
                                "the extractive answer stands.", first_token_ms=generation.first_token_ms)
            return
        yield self._final(checked, passages, generation)

    def _sources(self, answer: Answer) -> list[Passage]:
        """What the model reads: a timeline's listed entries, else the retrieved passages."""
        if answer.kind == "timeline" and answer.citations:
            return list(dict.fromkeys(c.passage for c in answer.citations))
        return list(answer.passages)

    def _snapshot(self, checked: list[WrittenSentence], passages: list[Passage], generation: Generation,
                  status: str, pending: str = "", note: str = "") -> WrittenAnswer:
        drop = self.settings.llm_unverified == "drop"
        checked = [s if s.verified or s.abstains or not drop else replace(s, shown=False) for s in checked]
        text = " ".join(s.text if s.verified or s.abstains else f"[unverified] {s.text}" for s in checked if s.shown)
        first: dict[int, Citation] = {}
        for s in checked:
            for c in s.support:
                first.setdefault(c.n, c)
        return WrittenAnswer(self.client.model or self.model, status, text, tuple(checked),  # type: ignore[arg-type]
                             tuple(first[n] for n in sorted(first)), note, pending, generation.first_token_ms,
                             generation.tokens_per_s, generation.tokens)

    def _final(self, checked: list[WrittenSentence], passages: list[Passage], generation: Generation) -> WrittenAnswer:
        claims = [s for s in checked if not s.abstains]
        verified = [s for s in claims if s.verified]
        notes = []
        if verified:
            status = "written"
        elif not claims:
            status = "abstained"
        else:
            status = "unverified"
            notes.append(NOTHING_VERIFIED)
        unverified = len(claims) - len(verified)
        if verified and unverified:
            what = "dropped" if self.settings.llm_unverified == "drop" else "marked [unverified]"
            notes.append(f"{unverified} of the model's {len(claims)} sentences could not be checked and are {what}.")
        if generation.finish_reason == "length":
            notes.append(f"The model stopped at its limit of {self.settings.llm_max_tokens} tokens.")
        return self._snapshot(checked, passages, generation, status, note=" ".join(notes))
