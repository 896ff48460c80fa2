"""Grounded, extractive answers: sentences of retrieved passages, each followed by its `[n]` citation."""

from __future__ import annotations

import json
import math
import re
import time
import unicodedata
from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property
from typing import Any

import numpy as np

from rag.dates import DateRange, format_range
from rag.embed import Embedder
from rag.errors import InvalidQuestionError
from rag.index import Index
from rag.lexical import tokenize
from rag.retrieve import Filters, Retriever, wants_timeline
from rag.schema import Answer, Citation, Passage
from rag.settings import PACKAGE_DIR, Settings

CALIBRATION = PACKAGE_DIR / "calibration.json"
#: Signals the confidence model reads, each in [0, 1].
FEATURES = ("sim", "cov_sentence", "cov_context", "cov_lower", "known", "type_ok", "top_dense")
ABSTAIN = "The briefing doesn't say."

#: Words that shape a question but carry no topic (already stemmed, as `tokenize` returns them).
_QUESTION_WORDS = set(
    tokenize(
        [
            "what where when who whom whose which why how did does do done happen happened take took place "
            "held hold meet met meeting many much brief briefing say said according mention mentioned "
            "describe tell give list name event events else also anything something occur occurred "
            "from between to until till after before during within since one ones there their any all "
            "exact exactly specific"
        ]
    )[0]
)
_MONTH_WORDS = set(
    tokenize(["january february march april may june july august september october november december "
              "jan feb mar apr jun jul aug sep sept oct nov dec early late mid middle end beginning 2022 2023 2024"])[0]
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NUMBER = re.compile(r"(?<![A-Za-z])\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                     r"dozen|hundred|thousand|million|billion|half|third|quarter|quarters|first|second)\b",
                     re.IGNORECASE)
_WHEN = re.compile(r"\b(?:19|20)\d\d\b|\b(?:jan(?:uary)?|feb(?:ruary)?|march|april|may|june|july|aug(?:ust)?|"
                   r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b|"
                   r"\b(?:summer|winter|spring|autumn|fall|year|week|month|day|today|end of)\b", re.IGNORECASE)
#: How a sentence's signals add up to its answer score; chosen on the dev questions (eval/README.md).
SENTENCE_WEIGHTS = {"sim": 1.0, "coverage": 0.5, "window": 0.6, "passage": 0.5, "rank": 0.1, "type_ok": 0.1}
#: A chronology entry within this share of the best entry's score is listed beside it (several answers).
TIE_RATIO = 0.9
_CLAUSE_BREAK = re.compile(r"(?:[,;:]\s+|\s+[—–]\s*|[—–]|\s+\()")
#: Sentences longer than this are cut to their best run of clauses, marked with "…".
MAX_SENTENCE_CHARS = 240
_CAPITAL = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-zA-Z’'-]+")


def _answer_type(question: str) -> str | None:
    q = question.lower()
    if re.search(r"\bhow (many|much)\b|\bwhat (share|percentage|percent|proportion|number)\b|\bhow large\b", q):
        return "number"
    if re.search(r"^\s*when\b|\bwhat (date|day|month|year)\b|\bwhich (date|day|month|year)\b|\bsince when\b", q):
        return "when"
    if re.search(r"^\s*(who|whom)\b|\bwhich (official|minister|person|leader|president|secretary)\b", q):
        return "who"
    if re.search(r"^\s*where\b|\bin which (city|country|place)\b|\bwhat (city|country|place|location)\b", q):
        return "where"
    return None


def _type_ok(kind: str | None, sentence: str) -> bool:
    if kind == "number":
        return bool(_NUMBER.search(sentence))
    if kind == "when":
        return bool(_WHEN.search(sentence))
    if kind in ("who", "where"):
        return bool(_CAPITAL.search(sentence))
    return True


def validate_question(question: str, settings: Settings) -> tuple[str, list[str]]:
    """Clean a question or refuse it with a message that says how to fix it."""
    if not isinstance(question, str):
        raise InvalidQuestionError("The question must be text.")
    notes: list[str] = []
    bad = _CONTROL.search(question)
    if bad:
        raise InvalidQuestionError(
            f"The question contains a control character (U+{ord(bad.group()):04X}); remove it and ask again."
        )
    text = unicodedata.normalize("NFC", " ".join(question.split()))
    if not text:
        raise InvalidQuestionError("The question is empty; ask something about the briefing.")
    if len(text) > settings.max_question_chars:
        raise InvalidQuestionError(
            f"The question is {len(text):,} characters long; the limit is {settings.max_question_chars:,}. "
            "Ask a shorter question."
        )
    if not any(ch.isalnum() for ch in text):
        raise InvalidQuestionError("The question has no words in it; ask something about the briefing.")
    letters = [ch for ch in text if ch.isalpha()]
    latin = sum("LATIN" in unicodedata.name(ch, "") for ch in letters)
    if letters and latin / len(letters) < 0.5:
        raise InvalidQuestionError("The briefing is in English; please ask in English.")
    return text, notes


_FOLLOW_UP = re.compile(r"^\s*(?:and|what about|how about|and what about)\b[\s,]*(?P<rest>.*?)\??\s*$", re.IGNORECASE)


def resolve_follow_up(question: str, previous: str | None, period_phrase: str | None) -> str:
    """Turn "And in December?" into the previous question with its period replaced.

    Example:
        >>> resolve_follow_up("And in December?", "What did the Quad do in November?", "in November")
        'What did the Quad do in December?'
    """
    m = _FOLLOW_UP.match(question)
    if not previous or not m or len(question.split()) > 6:
        return question
    rest = m["rest"].strip()
    if period_phrase and period_phrase in previous:
        return previous.replace(period_phrase, rest, 1)
    return f"{previous.rstrip(' ?')} {rest}?"


@dataclass(frozen=True)
class _Candidate:
    rank: int
    passage: Passage
    start: int
    end: int
    sim: float
    coverage: float
    terms: frozenset[str]
    type_ok: bool
    score: float


class Assistant:
    """Answers questions from an index, citing the sentences it used.

    Example:
        >>> from rag import open_index
        >>> assistant = Assistant(open_index())  # doctest: +SKIP
        >>> assistant.answer("Where did the Quad Senior Cyber Group meet in December?").text  # doctest: +SKIP
        'Dec. 5-6, 2023: Third Meeting of Principles of the Quad Senior Cyber Group is held in Tokyo. [1]'
    """

    def __init__(
        self, index: Index, retriever: Retriever | None = None, settings: Settings | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        self.index = index
        self.settings = settings or Settings()
        self.retriever = retriever or Retriever(index, embedder, self.settings)
        # Weights of the confidence model, fitted on the dev questions by `python -m eval.calibrate`.
        self.calibration: dict[str, Any] = json.loads(CALIBRATION.read_text()) if CALIBRATION.is_file() else {
            "features": list(FEATURES), "weights": [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0], "bias": -4.0,
        }
        self.min_confidence = (self.settings.min_confidence if self.settings.min_confidence is not None
                               else float(self.calibration.get("min_confidence", 0.5)))
        self._sentence_terms: dict[tuple[int, int], frozenset[str]] = {}

    # ------------------------------------------------------------------ vocabulary statistics

    @cached_property
    def _idf(self) -> dict[str, float]:
        df: dict[str, int] = {}
        for terms in tokenize([p.text for p in self.index.passages]):
            for t in set(terms):
                df[t] = df.get(t, 0) + 1
        n = len(self.index.passages)
        return {t: math.log((n + 1) / (c + 0.5)) for t, c in df.items()}

    def _weight(self, term: str) -> float:
        return self._idf.get(term, math.log(len(self.index.passages) + 1) + 1.0)

    def _terms(self, text: str) -> frozenset[str]:
        return frozenset(tokenize([text])[0])

    def _coverage(self, wanted: frozenset[str], have: frozenset[str]) -> float:
        total = sum(self._weight(t) for t in wanted)
        return sum(self._weight(t) for t in wanted & have) / total if total else 1.0

    # ------------------------------------------------------------------ answering

    def confidence(self, features: dict[str, float]) -> float:
        cal = self.calibration
        z = cal["bias"] + sum(w * features[name] for name, w in zip(cal["features"], cal["weights"]))
        return 1.0 / (1.0 + math.exp(-z))

    def _candidates(self, question_vec: np.ndarray, passages: list[Passage], wanted: frozenset[str],
                    kind: str | None) -> list[_Candidate]:
        """Every sentence of the retrieved passages, scored as a possible answer (weights: SENTENCE_WEIGHTS)."""
        out: list[_Candidate] = []
        w = SENTENCE_WEIGHTS
        for rank, p in enumerate(passages, start=1):
            pos = self.index.by_id[p.id]
            sims = self.index.sentence_vectors_of(pos) @ question_vec
            source = self.index.source(p.doc)
            heading = self._terms(p.section) if p.kind == "article" else frozenset()
            previous: frozenset[str] = heading
            for j, ((a, b), sim) in enumerate(zip(p.sentences, sims.tolist())):
                key = (pos, j)
                terms = self._sentence_terms.get(key)
                if terms is None:
                    terms = self._sentence_terms[key] = self._terms(source[a:b])
                coverage = self._coverage(wanted, terms)
                window = self._coverage(wanted, terms | previous)
                previous = terms | heading
                ok = _type_ok(kind, source[a:b])
                score = (w["sim"] * sim + w["coverage"] * coverage + w["window"] * window
                         + w["passage"] * (p.dense_score or 0.0) + w["rank"] / rank + w["type_ok"] * ok)
                out.append(_Candidate(rank, p, a, b, sim, coverage, terms, ok, score))
        out.sort(key=lambda c: -c.score)
        return out

    def answer(
        self, question: str, k: int | None = None, filters: Filters | None = None, previous: str | None = None
    ) -> Answer:
        """Answer `question` from the index; `previous` is the last question, for follow-ups."""
        t0 = time.perf_counter()
        text, notes = validate_question(question, self.settings)
        if previous:
            prev_period = self.index.dates.interpret(previous)
            resolved = resolve_follow_up(text, previous, prev_period.phrase if prev_period else None)
            if resolved != text:
                notes.append(f"Read as: {resolved}")
                text = resolved
        text = self._fit_to_model(text, notes)
        period = self.index.dates.interpret(text)
        t1 = time.perf_counter()
        passages = self.retriever.retrieve(text, k, filters=filters, period=period)
        qvec = self.retriever.encode(text)
        t2 = time.perf_counter()
        interpreted = text + (f"  [period: {period.describe()}]" if period else "")
        answer = self._timeline(question, text, period, passages, notes, interpreted)
        if answer is None:
            answer = self._extract(question, text, qvec, passages, notes, interpreted)
        t3 = time.perf_counter()
        timings = {"prepare": (t1 - t0) * 1e3, "retrieve": (t2 - t1) * 1e3, "compose": (t3 - t2) * 1e3,
                   "total": (t3 - t0) * 1e3}
        return replace(answer, timings_ms=timings)

    def _fit_to_model(self, text: str, notes: list[str]) -> str:
        cut = self.retriever.embedder.truncate(text)
        if cut != text:
            notes.append(f"The question was cut to its first {len(cut)} characters, the model's input limit.")
        return cut

    def _trim(self, source: str, start: int, end: int, wanted: frozenset[str]) -> tuple[int, int]:
        """The run of clauses of a long sentence that covers the question best, within MAX_SENTENCE_CHARS."""
        if end - start <= MAX_SENTENCE_CHARS:
            return start, end
        cuts = [start] + [m.end() for m in _CLAUSE_BREAK.finditer(source, start, end)
                          if start + 20 < m.end() < end - 5] + [end]
        best = (-1.0, 0, start, end)
        for i in range(len(cuts) - 1):
            for j in range(i + 1, len(cuts)):
                a, b = cuts[i], cuts[j]
                if b - a > MAX_SENTENCE_CHARS:
                    break
                piece = source[a:b].rstrip(" ,;:—–(")
                b = a + len(piece)
                score = self._coverage(wanted, self._terms(piece))
                if (score, -(b - a)) > (best[0], -best[1]):
                    best = (score, b - a, a, b)
        return (best[2], best[3]) if best[0] >= 0 else (start, end)

    def _salient(self, text: str) -> frozenset[str]:
        return frozenset(t for t in self._terms(text) - _QUESTION_WORDS - _MONTH_WORDS if not t.isdigit())

    def _timeline(self, question: str, text: str, period: DateRange | None, passages: list[Passage],
                  notes: list[str], interpreted: str) -> Answer | None:
        """A dated list, for "what happened in …" and "which meetings took place in …" questions."""
        timeline = wants_timeline(text)
        salient = self._salient(text)
        entries = [p for p in passages if p.kind == "chronology"]
        if period is not None:
            entries = [p for p in entries if period.overlaps(date.fromisoformat(p.date_start or "9999-12-31"),
                                                             date.fromisoformat(p.date_end or "0001-01-01"))]
        if salient:
            entries = [p for p in entries if salient <= self._terms(p.text)]
        if not (timeline or (period is not None and len(entries) >= 2)):
            return None
        if period is None and len(entries) < 2:
            return None
        if not entries:
            what = f" for {period.phrase}" if period else ""
            return self._abstain(question, text, passages, notes, interpreted,
                                 f"The briefing's chronology lists nothing{what} that matches.")
        entries.sort(key=lambda p: (p.date_start or "", p.char_start))
        lines, citations = [], []
        for n, p in enumerate(entries, start=1):
            lines.append(f"- {p.text} [{n}]")
            citations.append(Citation(n, p, p.char_start, p.char_end))
        head = f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'} in the chronology"
        if period is not None:
            head += f" for {format_range(period.start.isoformat(), period.end.isoformat())}"
        # Every listed entry lies in the period asked about and carries the question's key terms.
        confidence = 0.95
        return Answer(question, head + ":\n" + "\n".join(lines), tuple(citations), tuple(passages), False,
                      confidence, interpreted, tuple(notes), features={"timeline": 1.0})

    def _extract(self, question: str, text: str, qvec: np.ndarray, passages: list[Passage], notes: list[str],
                 interpreted: str) -> Answer:
        wanted = self._salient(text) or self._terms(text)
        kind = _answer_type(text)
        candidates = self._candidates(qvec, passages, wanted, kind)
        if not candidates:
            return self._abstain(question, text, passages, notes, interpreted, ABSTAIN)
        best = candidates[0]
        chosen = [best]
        covered = best.terms & wanted
        if best.passage.kind == "chronology":  # several entries may answer alike: list them all
            for c in candidates[1:]:
                if c.passage.kind == "chronology" and c.score >= TIE_RATIO * best.score and len(chosen) < 5:
                    chosen.append(c)
                    covered |= c.terms & wanted
        if not best.type_ok:  # e.g. "when" answered by an undated sentence: chain to one that has the date
            typed = next((c for c in candidates[1:] if c.type_ok and c.score >= 0.6 * best.score), None)
            if typed is not None:
                chosen.append(typed)
                covered |= typed.terms & wanted
        if len(chosen) == 1 and self._coverage(wanted, covered) < 0.99:
            for c in candidates[1:6]:
                gain = self._coverage(wanted, covered | (c.terms & wanted)) - self._coverage(wanted, covered)
                if gain >= 0.2 and c.score >= 0.75 * best.score and (c.start, c.end) != (best.start, best.end):
                    chosen.append(c)
                    covered |= c.terms & wanted
                    break
        known = self._coverage(wanted, frozenset(t for t in wanted if t in self._idf))
        passage_terms = frozenset().union(*(self._terms(c.passage.embed_text()) for c in chosen))
        dense_scores = [p.dense_score for p in passages if p.dense_score is not None]
        # Near misses name the right people but ask about something else ("what did X and Y *discuss*"):
        # the question's lower-case words are its predicate, and the answer must carry them.
        words = re.findall(r"[\w’'-]+", text)[1:]
        lower = self._terms(" ".join(w for w in words if not w[0].isupper())) & wanted
        features = {"sim": best.sim, "cov_sentence": best.coverage,
                    "cov_context": self._coverage(wanted, passage_terms | covered),
                    "cov_lower": self._coverage(lower, covered | (best.terms if len(chosen) == 1 else frozenset())),
                    "known": known,
                    "type_ok": float(best.type_ok), "top_dense": max(dense_scores, default=0.0)}
        confidence = self.confidence(features)
        if known < 1.0 and best.sim < self.settings.min_similarity_unknown:
            # Words the briefing never uses, and nothing close in meaning: out of scope, whatever else matched.
            confidence = min(confidence, best.sim)
        if confidence < self.min_confidence:
            return self._abstain(question, text, passages, notes, interpreted, ABSTAIN, confidence, features)
        chosen.sort(key=lambda c: (c.passage.kind != "chronology", c.passage.date_start or "", c.rank, c.start))
        parts, citations = [], []
        for n, c in enumerate(chosen, start=1):
            source = self.index.source(c.passage.doc)
            a, b = self._trim(source, c.start, c.end, wanted)
            sentence = ("…" if a > c.start else "") + source[a:b] + ("…" if b < c.end else "")
            parts.append(f"{sentence} [{n}]")
            citations.append(Citation(n, c.passage, a, b))
        return Answer(question, " ".join(parts), tuple(citations), tuple(passages), False, confidence,
                      interpreted, tuple(notes), features=features)

    def _abstain(self, question: str, text: str, passages: list[Passage], notes: list[str], interpreted: str,
                 message: str, confidence: float = 0.0, features: dict[str, float] | None = None) -> Answer:
        """Say so, and show the closest passages (each with its best sentence) for the reader to judge."""
        closest = passages[:3]
        qvec = self.retriever.encode(text)
        citations = []
        for n, p in enumerate(closest, start=1):
            sims = self.index.sentence_vectors_of(self.index.by_id[p.id]) @ qvec
            a, b = p.sentences[int(np.argmax(sims))] if p.sentences else (p.char_start, p.char_end)
            citations.append(Citation(n, p, a, b))
        if citations:
            refs = ", ".join(f"[{c.n}]" for c in citations)
            message = f"{message} The closest passages are {refs}."
        return Answer(question, message, tuple(citations), tuple(passages), True, min(confidence, 1.0),
                      interpreted, tuple(notes), features=features or {})
