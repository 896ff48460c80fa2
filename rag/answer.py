"""Grounded, extractive answers: sentences of retrieved passages, each followed by its `[n]` citation.

A typed question (who, where, when, how many, which city …) is answered with its short answer first — the
name, place, date or number of the expected type that fits best — then the sentence it stands in.
The answer abstains when the briefing cannot answer: no candidate of the expected type in the evidence,
a focus the briefing never mentions, a constraint not met, or a calibrated confidence below the threshold.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import replace
from typing import Any

import numpy as np

from rag import constraints
from rag.abstain import capped, logistic
from rag.constraints import Unmet
from rag.content import content_question
from rag.embed import Embedder
from rag.evidence import Evidence, Sentence, ShortAnswer
from rag.index import Index
from rag.multihop import Hops, merge
from rag.question import Question, analyze, terms
from rag.retrieve import Filters, Retriever
from rag.roles import alike, no_one_as
from rag.schema import Answer, Citation, Passage
from rag.settings import PACKAGE_DIR, Settings
from rag.spelling import spelled_in, spellings
from rag.timeline import Timelines

CALIBRATION = PACKAGE_DIR / "calibration.json"
#: Signals the confidence model reads, each in [0, 1] and meaning the same on any briefing: the lead sentence's
#: similarity to the question and share of its words, whether it says the question's predicate (stem, lemma or
#: title; or the short answer hangs from it), the share of the question's words the briefing uses at all, and
#: the best passage's similarity. Fewer signals than questions to fit them on, so that the fit transfers.
FEATURES = ("sim", "cov_sentence", "cov_lower", "known", "top_dense")
#: Signals of the short answer's own confidence (is the bold name right?), fitted apart on dev.
SHORT_FEATURES = ("short_margin", "short_relation", "short_exact", "short_says", "sim", "cov_sentence")
ABSTAIN = "The briefing doesn't say."
#: A chronology entry within this share of the best entry's score is listed beside it (several answers).
TIE_RATIO = 0.9
#: Share of a role's words ("governor of Okinawa Prefecture") the answering passage must carry.
ROLE_COVERAGE = 0.5
#: Most entries listed together in an extractive answer.
MAX_TIED = 5


class Assistant:
    """Answers questions from an index, citing the sentences it used.

    Example:
        >>> from rag import open_index
        >>> assistant = Assistant(open_index())  # doctest: +SKIP
        >>> assistant.answer("Where did the Quad Senior Cyber Group meet in December?").short_answer  # doctest: +SKIP
        'Tokyo'
    """

    #: The confidence model's signals and where its fitted weights live (written by `python -m eval.calibrate`).
    FEATURES = FEATURES
    SHORT_FEATURES = SHORT_FEATURES
    CALIBRATION = CALIBRATION

    def __init__(
        self, index: Index, retriever: Retriever | None = None, settings: Settings | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        self.index = index
        self.settings = settings or Settings()
        self.retriever = retriever or Retriever(index, embedder, self.settings)
        self.evidence = Evidence(index)
        self.timelines = Timelines(index, self.retriever, self._abstain)
        self.hops = Hops(index, self.retriever, self.evidence, self.analyze)
        # Weights of the confidence model, fitted on the dev questions by `python -m eval.calibrate`.
        self.calibration: dict[str, Any] = json.loads(CALIBRATION.read_text()) if CALIBRATION.is_file() else {
            "features": list(FEATURES), "weights": [1.0] * len(FEATURES), "bias": -4.0,
        }
        self.min_confidence = (self.settings.min_confidence if self.settings.min_confidence is not None
                               else float(self.calibration.get("min_confidence", 0.5)))

    def short_confidence(self, features: dict[str, float]) -> float:
        """How sure the short answer is right; 1.0 when no model is fitted (every short answer shown)."""
        cal = self.calibration.get("short")
        return logistic(cal, features) if cal else 1.0

    def confidence(self, features: dict[str, float]) -> float:
        """How sure the briefing answers the question (`rag.abstain`: the fitted model, capped out of scope)."""
        return capped(logistic(self.calibration, features), features, self.settings.min_similarity_unknown)

    def analyze(self, question: str, previous: str | None = None, filters: Filters | None = None) -> Question:
        """The question as read: cleaned (or refused), follow-up resolved, cut to the model's input, typed, and
        its constraints (names, exclusions, grain, the reader's `filters`) read against the alias table."""
        q = analyze(question, previous, self.index.dates, self.settings.max_question_chars,
                    fit=self.retriever.embedder.truncate, kind_of=self.index.aliases.kind_of)
        return constraints.read(q, self.index.aliases, filters.docs if filters else (),
                                filters.admits if filters else None)

    def answer(
        self, question: str, k: int | None = None, filters: Filters | None = None, previous: str | None = None
    ) -> Answer:
        """Answer `question` from the index; `previous` is the last question, for follow-ups."""
        self.index.check_integrity()  # the large files' sha256, checked while the index started (rag/integrity.py)
        return self._answer(question, k, filters, previous, hops=True)

    def _answer(self, question: str, k: int | None, filters: Filters | None, previous: str | None,
                hops: bool) -> Answer:
        t0 = time.perf_counter()
        q = self.analyze(question, previous, filters)
        hop = self.hops.hop(q, filters) if hops else None
        if hop is not None:  # a description the briefing resolves: answer the rewritten question, cite both
            second = self._answer(hop.rewritten, k, filters, None, hops=False)
            if not second.abstained:
                timings = {**second.timings_ms, "total": (time.perf_counter() - t0) * 1e3}
                return replace(merge(second, hop, q.asked), timings_ms=timings)
        notes: list[str] = []
        if q.cut:
            notes.append(f"The question was cut to its first {len(q.text)} characters, the model's input limit.")
        t1 = time.perf_counter()
        passages = self.retriever.retrieve(q.text, k, filters=filters, period=q.period)
        qvec = self.retriever.encode(q.text)
        t2 = time.perf_counter()
        unread = ", ".join(q.unread_dates)  # a date the reader cannot place is said, never silently dropped
        if unread and q.timeline and q.period is None and q.anchor is None:
            # A dated list was asked for and no date was read: a list of entries would look like its answer.
            # Nor are passages that share its digits ("13" → Nov. 13) the closest to it: none are shown.
            answer = self._abstain(q, [], notes, f"I could not read {unread} as a date; ask with a date "
                                   "such as “Nov. 16, 2023”, “11/16/2023” or “2023-11-16”.")
        else:
            if unread:
                notes.append(f"Not read as a date: {unread}; answered without it.")
            answer = self._timeline(q, passages, notes) or self._extract(q, qvec, passages, notes)
            answer = self.hops.dated(q, answer) or answer  # an event's day from its chronology entry
            unmet = constraints.check(q, answer, self.index)  # the last gate, for every kind of answer
            if unmet is not None:
                answer = self._unmet(q, passages, notes, unmet)
        t3 = time.perf_counter()
        timings = {"prepare": (t1 - t0) * 1e3, "retrieve": (t2 - t1) * 1e3, "compose": (t3 - t2) * 1e3,
                   "total": (t3 - t0) * 1e3}
        return replace(answer, timings_ms=timings)

    def _timeline(self, q: Question, passages: list[Passage], notes: list[str]) -> Answer | None:
        """A chronology answer (dated list, anchored period, first/last, count, empty period), or None."""
        return self.timelines.answer(q, passages, notes)

    def _refusal(self, q: Question, lead: Sentence, short: ShortAnswer | None) -> str | None:
        """Why the briefing cannot answer, when a rule that holds on any briefing says so; else None."""
        ev = self.evidence
        if q.typed and short is None:
            return f"{ABSTAIN} It names no {q.answer_type.replace('_', ' ')} that answers this."
        # A word of what is defined that the briefing never uses in any spelling ("labour"/"labor", "cyber-security"
        # /"cybersecurity", rag/spelling.py): the briefing cannot define it.
        unknown = [w for w in re.findall(r"[\w’'-]+", q.focus)
                   if terms(w) & q.focus_terms and not spelled_in(w, ev.idf)]
        if unknown:
            return f"{ABSTAIN} It never mentions “{' '.join(unknown)}”."
        context = lead.terms | ev.passage_terms(lead.passage)
        # No rule refuses because a question word is missing: the text may say it in other words ("runs" ~ "CEO").
        # Whether the sentence says the predicate (by stem, lemma or title) is a signal of the confidence instead.
        source = self.index.source(lead.passage.doc)
        sentence = source[lead.start:lead.end].lower()
        for unit in q.units:
            if not any(form in sentence for form in spellings(unit)):  # "kilometres" ~ "kilometers"
                return f"{ABSTAIN} It gives no figure in {unit}."
        if q.role_terms and ev.coverage(q.role_terms, alike(q.role_terms, context)) < ROLE_COVERAGE:
            return f"{ABSTAIN} {no_one_as(q.role, q.headed)}"
        return None

    def _features(self, q: Question, lead: Sentence, chosen: list[Sentence], passages: list[Passage],
                  short: ShortAnswer | None) -> dict[str, float]:
        ev = self.evidence
        covered = frozenset().union(*(s.terms for s in chosen)) & q.must
        context = frozenset().union(*(ev.passage_terms(s.passage) for s in chosen))
        dense_scores = [p.dense_score for p in passages if p.dense_score is not None]
        return {"sim": lead.sim, "cov_sentence": lead.coverage, "cov_context": ev.coverage(q.must, context | covered),
                "cov_lower": 1.0 if short is not None and short.relation else ev.predicate_coverage(q, lead),
                "known": ev.known(q.must),
                "type_ok": float(short is not None) if q.typed else 1.0,
                "top_dense": max(dense_scores, default=0.0),
                **({"short_margin": min(max(short.margin, 0.0), 1.0), "short_relation": float(short.relation),
                    "short_exact": float(short.exact), "short_says": float(short.sentence.says)} if short else {})}

    def _chosen(self, q: Question, sentences: list[Sentence], short: ShortAnswer | None) -> list[Sentence]:
        """The sentences to quote: the lead one, then entries that answer alike or a sentence that adds words."""
        best = sentences[0]
        lead = short.sentence if short else best
        chosen = [lead]
        if short is not None and best is not lead and best.score > lead.score and best.coverage > lead.coverage:
            chosen.append(best)  # the sentence that restates the question, beside the one that answers it
        if lead.passage.kind == "chronology":  # several entries may answer alike: list them all
            for s in sentences[1:]:
                if (s.passage.kind == "chronology" and s.score >= TIE_RATIO * lead.score and s not in chosen
                        and (s.candidates or not q.typed) and len(chosen) < MAX_TIED):
                    chosen.append(s)
        ev = self.evidence
        if short is None and not q.typed and len(chosen) == 1:  # a sentence and the one that continues it
            paired = ev.partner(lead, sentences)
            if paired is not None:
                chosen.append(paired)
        covered = lead.terms & q.must
        if len(chosen) == 1 and ev.coverage(q.must, covered) < 0.99:
            for s in sentences[1:6]:
                gain = ev.coverage(q.must, covered | (s.terms & q.must)) - ev.coverage(q.must, covered)
                if gain >= 0.2 and s.score >= 0.75 * lead.score and (s.start, s.end) != (lead.start, lead.end):
                    chosen.append(s)
                    break
        return chosen

    def _extract(self, q: Question, qvec: np.ndarray, passages: list[Passage], notes: list[str]) -> Answer:
        sentences = self.evidence.sentences(q, qvec, passages)
        if not sentences:
            return self._abstain(q, passages, notes, ABSTAIN)
        # Only sentences that meet the question's period, names, exclusions and grain may answer it.
        sentences, unmet = constraints.admit(q, sentences, self.index)
        if unmet is not None:
            return self._unmet(q, passages, notes, unmet)
        ask = content_question(q)
        if ask is not None:  # what was said / agreed: the sentence that gives it, or say the briefing does not
            found = self.evidence.content_sentence(q, sentences)
            if found is not None:
                sentences = [found, *(s for s in sentences if s is not found)]
            elif q.names and (self.evidence.event_kind(sentences[0]) != "event"
                              or (sentences[0].passage.kind == "chronology" and ask.talk)):
                # A chronology entry records that something happened (a meeting, an event attended); without a
                # content sentence about it, the briefing does not say what was said there. An entry that states
                # an act ("raises its rate to 4.5 percent") is itself what was decided or announced.
                return self._recorded_only(q, passages, notes, sentences[0], ask.done)
        short = self.evidence.short_answer(q, sentences) if q.typed else None
        lead = short.sentence if short else sentences[0]
        chosen = self._chosen(q, sentences, short)
        features = self._features(q, lead, chosen, passages, short)
        confidence = self.confidence(features)
        refusal = self._refusal(q, lead, short)
        if refusal is not None:
            features = {**features, "refused_by_rule": 1.0}
            return self._abstain(q, passages, notes, refusal, min(confidence, self.min_confidence / 2), features)
        if confidence < self.min_confidence:
            return self._abstain(q, passages, notes, ABSTAIN, confidence, features)
        if short is None:
            chosen.sort(key=lambda s: (s.passage.kind != "chronology", s.passage.date_start or "", s.rank, s.start))
        # The bold short answer only when it is sure (threshold fitted on dev); otherwise the sentence alone.
        sure = short is not None and self.short_confidence(features) >= self.calibration.get("short", {}).get(
            "min_confidence", 0.0)
        shown = short if sure else None
        parts, citations = [], []
        for n, s in enumerate(chosen, start=1):
            source = self.index.source(s.passage.doc)
            keep = (short.start, short.end) if short is not None and s is short.sentence else None
            main = s.passage if q.answer_type != "reason" else None  # a reason is often the subordinate clause
            a, b = self.evidence.trim(source, s.start, s.end, q.must, keep, main)
            sentence = ("…" if a > s.start else "") + source[a:b] + ("…" if b < s.end else "")
            parts.append(f"{sentence} [{n}]")
            citations.append(Citation(n, s.passage, a, b, *(keep if keep and shown else (None, None))))
        text = " ".join(parts)
        if shown is not None:
            text = f"{shown.text} — {text}"
        answer = Answer(q.asked, text, tuple(citations), tuple(passages), False, confidence, q.read_as(),
                        tuple(notes), features=features, kind="extract", analysis=q,
                        short_answer=shown.text if shown else None)
        if short is not None and shown is None:
            # A hidden short answer still decides which cited passages the answer stands on: the constraints
            # are checked as if it were shown.
            unmet = constraints.check(q, replace(answer, short_answer=short.text), self.index)
            if unmet is not None:
                return self._unmet(q, passages, notes, unmet)
        return answer

    def _recorded_only(self, q: Question, passages: list[Passage], notes: list[str], mention: Sentence,
                       done: str) -> Answer:
        """The briefing records the event asked about but not its content: say so, citing the mention."""
        when = f" on {mention.passage.label()}" if mention.passage.kind == "chronology" else ""
        message = f"The briefing records the {self.evidence.event_kind(mention)}{when} but not what was {done} [1]."
        citation = Citation(1, mention.passage, mention.start, mention.end)
        return Answer(q.asked, message, (citation,), tuple(passages), True, 0.0, q.read_as(), tuple(notes),
                      features={"recorded_only": 1.0}, kind="abstain", analysis=q)

    def _unmet(self, q: Question, passages: list[Passage], notes: list[str], unmet: Unmet) -> Answer:
        """An abstention that names the constraint not met; for a period, the nearest entries outside it."""
        if not unmet.nearest:
            return replace(self._abstain(q, passages, notes, unmet.message), unmet=unmet.kind)
        shown = [p for p, _ in unmet.nearest]
        citations = tuple(Citation(n, p, p.char_start, p.char_end) for n, p in enumerate(shown, start=1))
        lines = [f"- {side}: {p.text} [{n}]" for n, (p, side) in enumerate(unmet.nearest, start=1)]
        text = unmet.message + " The nearest entries, outside it:\n" + "\n".join(lines)
        return Answer(q.asked, text, citations, tuple(shown + passages), True, 0.0, q.read_as(), tuple(notes),
                      features={"unmet": 1.0}, kind="abstain", analysis=q, unmet=unmet.kind)

    def _abstain(self, q: Question, passages: list[Passage], notes: list[str], message: str,
                 confidence: float = 0.0, features: dict[str, float] | None = None) -> Answer:
        """Say so, and show the closest passages (each with its best sentence) for the reader to judge."""
        closest = passages[:3]
        qvec = self.retriever.encode(q.text)
        citations = []
        for n, p in enumerate(closest, start=1):
            sims = self.index.sentence_vectors_of(self.index.by_id[p.id]) @ qvec
            a, b = p.sentences[int(np.argmax(sims))] if p.sentences else (p.char_start, p.char_end)
            citations.append(Citation(n, p, a, b))
        if citations:
            refs = ", ".join(f"[{c.n}]" for c in citations)
            message = f"{message} The closest passages are {refs}."
        # A similarity below zero (nothing alike at all) is still a confidence of zero, never less.
        return Answer(q.asked, message, tuple(citations), tuple(passages), True, min(max(confidence, 0.0), 1.0),
                      q.read_as(), tuple(notes), features=features or {}, kind="abstain", analysis=q)
