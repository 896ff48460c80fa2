"""The two dataclasses that travel from the index to the UI: `Passage` and `Answer` (with its `Citation`s)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from sys import intern
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from rag.question import Question

Kind = Literal["article", "chronology"]
#: What an answer is: sentences quoted from the briefing (with a short answer for typed questions), a dated
#: list of chronology entries, or a refusal with the closest passages.
AnswerKind = Literal["extract", "timeline", "abstain"]


@dataclass(frozen=True)
class Passage:
    """A span of one source document, as indexed and as retrieved.

    `source[char_start:char_end] == text` always holds for the document's source text.
    Retrieval fills the score fields with `dataclasses.replace`; nothing mutates a passage.
    """

    id: str
    doc: str
    title: str
    section: str
    kind: Kind
    text: str
    char_start: int
    char_end: int
    n_tokens: int
    date_start: str | None = None
    date_end: str | None = None
    #: Absolute (start, end) offsets of the passage's sentences in the source.
    sentences: tuple[tuple[int, int], ...] = ()
    #: Typed entity spans (start, end, type) with absolute offsets, found at build time (rag/entities.py).
    entities: tuple[tuple[int, int, str], ...] = ()
    #: spaCy's parse, found at build time (rag/entities.py): per token (start, end, lemma, part of speech,
    #: dependency label, index of its head in this tuple), absolute offsets. Answering reads it, never spaCy.
    tokens: tuple[tuple[int, int, str, str, str, int], ...] = ()
    #: The page (1-based) where the passage starts, for paged sources (PDF); None for the others.
    page: int | None = None
    score: float = 0.0
    dense_rank: int | None = None
    bm25_rank: int | None = None
    dense_score: float | None = None
    bm25_score: float | None = None

    def embed_text(self) -> str:
        """What the model sees: the section heading as context, then the text."""
        if self.kind == "article" and self.section:
            return f"{self.section}. {self.text}"
        return self.text

    def label(self) -> str:
        """A short human label: the date for chronology entries, the section for article passages."""
        if self.kind == "chronology" and self.date_start:
            from rag.dates import format_range

            return format_range(self.date_start, self.date_end or self.date_start)
        return self.section

    def page_label(self) -> str:
        """Where the passage is in a paged source, as a citation shows it ("p. 3"); "" when it has no page."""
        return f"p. {self.page}" if self.page is not None else ""

    def to_record(self) -> dict[str, Any]:
        """The stored form (scores left out): one line of passages.jsonl."""
        record = asdict(self)
        for key in ("score", "dense_rank", "bm25_rank", "dense_score", "bm25_score"):
            record.pop(key)
        record["sentences"] = [list(s) for s in self.sentences]
        record["entities"] = [list(e) for e in self.entities]
        record["tokens"] = [list(t) for t in self.tokens]
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Passage:
        # JSON gives the ints and strings their types already; tuples are made without a Python loop per token
        # (an archive's index holds millions of tokens), and the parse's labels are interned (a few dozen).
        data = dict(record)
        data["sentences"] = tuple(map(tuple, data.get("sentences", ())))
        data["entities"] = tuple((a, b, intern(t)) for a, b, t in data.get("entities", ()))
        data["tokens"] = tuple((a, b, intern(lemma), intern(pos), intern(dep), head)
                               for a, b, lemma, pos, dep, head in data.get("tokens", ()))
        return cls(**data)


@dataclass(frozen=True)
class Citation:
    """Citation `[n]`: a passage and the char span of the sentence that supports the claim."""

    n: int
    passage: Passage
    highlight_start: int
    highlight_end: int
    #: The short answer's span (absolute offsets, inside the highlight), when this citation carries it.
    short_start: int | None = None
    short_end: int | None = None

    def to_dict(self) -> dict[str, Any]:
        p = self.passage
        return {
            "n": self.n,
            "passage_id": p.id,
            "doc": p.doc,
            "title": p.title,
            "section": p.section,
            "kind": p.kind,
            "date_start": p.date_start,
            "date_end": p.date_end,
            "text": p.text,
            "char_start": p.char_start,
            "char_end": p.char_end,
            "page": p.page,
            "highlight_start": self.highlight_start,
            "highlight_end": self.highlight_end,
            "short_start": self.short_start,
            "short_end": self.short_end,
        }


@dataclass(frozen=True)
class ListItem:
    """One line of a timeline answer: a chronology entry, its date label and its citation number."""

    n: int
    label: str
    text: str


#: What became of a written answer: sentences checked against their passages (at least one verified), a
#: "the briefing does not say", nothing verified, the server failing, or still streaming.
WrittenStatus = Literal["written", "abstained", "unverified", "failed", "writing"]


@dataclass(frozen=True)
class WrittenSentence:
    """One sentence of a model's written answer, checked against the passages it cites (rag/verify.py)."""

    text: str
    #: The `[n]` the sentence cites, in order, as written.
    citations: tuple[int, ...]
    verified: bool
    #: Why it is verified or not, in words ("“14 million” is not in [2]").
    why: str
    #: For a verified sentence, each cited passage with the char span of its supporting sentence.
    support: tuple[Citation, ...] = ()
    #: The sentence says the briefing does not answer (no claim to check).
    abstains: bool = False
    #: Shown to the reader: False for an unverified sentence when the setting drops them.
    shown: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "citations": list(self.citations), "verified": self.verified, "why": self.why,
                "abstains": self.abstains, "shown": self.shown,
                "support": [{"n": c.n, "passage_id": c.passage.id, "doc": c.passage.doc,
                             "highlight_start": c.highlight_start, "highlight_end": c.highlight_end}
                            for c in self.support]}


@dataclass(frozen=True)
class WrittenAnswer:
    """An answer written by the user's own model server, held to the extractive answer's standard: every
    sentence's `[n]` checked against its passage (rag/written.py)."""

    model: str
    status: WrittenStatus
    #: What is shown: verified sentences, unverified ones marked "[unverified]" (or dropped, by the setting).
    text: str = ""
    sentences: tuple[WrittenSentence, ...] = ()
    #: The cited passages, numbered as in the prompt, each highlighting the sentence that supports its first use.
    citations: tuple[Citation, ...] = ()
    #: One line for the reader: why it failed, or what was dropped.
    note: str = ""
    #: While streaming: the sentence being written, not yet checked.
    pending: str = ""
    first_token_ms: float | None = None
    tokens_per_s: float | None = None
    #: Tokens the model wrote.
    tokens: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "status": self.status, "text": self.text,
                "sentences": [s.to_dict() for s in self.sentences],
                "citations": [c.to_dict() for c in self.citations], "note": self.note,
                "first_token_ms": None if self.first_token_ms is None else round(self.first_token_ms, 1),
                "tokens_per_s": None if self.tokens_per_s is None else round(self.tokens_per_s, 2),
                "tokens": self.tokens}


@dataclass(frozen=True)
class Answer:
    """What `Assistant.answer` returns: grounded text with `[n]` markers, or an abstention."""

    question: str
    text: str
    citations: tuple[Citation, ...]
    passages: tuple[Passage, ...]
    abstained: bool
    confidence: float
    #: The question as the assistant understood it (dates resolved, follow-up expanded).
    interpreted: str = ""
    notes: tuple[str, ...] = ()
    timings_ms: dict[str, float] = field(default_factory=dict)
    #: The signals behind `confidence` (see rag/answer.py FEATURES); empty for refusals.
    features: dict[str, float] = field(default_factory=dict)
    kind: AnswerKind = "extract"
    #: The question as analysed (type, focus, period, …); None only for answers made by hand.
    analysis: Question | None = None
    #: The name, place, date or number that answers a typed question, as the briefing writes it.
    short_answer: str | None = None
    #: The entries of a timeline answer, in date order.
    items: tuple[ListItem, ...] = ()
    #: The answer the user's model server wrote beside this one, when one is configured (rag/written.py).
    written: WrittenAnswer | None = None
    #: For an abstention, the kind of constraint of the question it could not meet ("period", "name",
    #: "office", "document", "negation", "grain"; rag/constraints.py), else None.
    unmet: str | None = None

    @property
    def resolved_question(self) -> str:
        """The question as read, follow-up expanded: what the next turn passes as `previous`."""
        return self.analysis.text if self.analysis is not None else self.question

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of `rag ask --json` (other tools read these keys: keep them)."""
        return {
            "question": self.question,
            "resolved_question": self.resolved_question,
            "answer": self.text,
            "abstained": self.abstained,
            "confidence": round(self.confidence, 4),
            "citations": [c.to_dict() for c in self.citations],
            "passages": [
                {
                    "passage_id": p.id,
                    "text": p.text,
                    "score": round(p.score, 6),
                    "dense_rank": p.dense_rank,
                    "bm25_rank": p.bm25_rank,
                    "doc": p.doc,
                    "section": p.section,
                    "kind": p.kind,
                    "date_start": p.date_start,
                    "date_end": p.date_end,
                    "page": p.page,
                }
                for p in self.passages
            ],
            "interpreted": self.interpreted,
            "kind": self.kind,
            "short_answer": self.short_answer,
            "answer_type": self.analysis.answer_type if self.analysis else None,
            "question_analysis": self.analysis.to_dict() if self.analysis else None,
            "unmet": self.unmet,
            "items": [{"n": i.n, "label": i.label, "text": i.text} for i in self.items],
            "notes": list(self.notes),
            "timings_ms": {k: round(v, 3) for k, v in self.timings_ms.items()},
            "written": None if self.written is None else self.written.to_dict(),
        }
