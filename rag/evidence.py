"""Evidence for an answer: every sentence of the retrieved passages scored, typed answer candidates in them,
and long sentences trimmed around what must stay (the answer span, the question's words).

Scores are built from signals that mean the same on any briefing: cosine similarity, shares of the
question's words (weighted by their rarity in this corpus), ranks, and whether a candidate of the
expected type is there.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

import numpy as np

from rag.answer_type import CANDIDATE_TYPES
from rag.content import carries_content, event_kind
from rag.entities import name_key
from rag.index import Index
from rag.lexical import tokenize
from rag.neighbours import Neighbours, opens_as_continuation
from rag.question import Question, salient_terms, terms
from rag.reading import Reader
from rag.schema import Passage

#: How a sentence's signals add up to its score; chosen on the dev questions (eval/README.md).
SENTENCE_WEIGHTS = {"sim": 1.0, "coverage": 0.5, "window": 0.6, "passage": 0.5, "rank": 0.1, "typed": 0.3,
                    "cause": 0.3, "role": 0.2}
#: A candidate close to the question's words in its sentence is likelier the answer: bonus at distance 0,
#: halved every PROXIMITY_CHARS characters.
PROXIMITY_WEIGHT = 0.3
PROXIMITY_CHARS = 60
#: A candidate whose title matches the role asked about ("Korea's special representative") gains this much.
ROLE_WEIGHT = 1.0
#: A candidate that hangs from the question's predicate in the parse (the subject of "signed") gains this much.
RELATION_WEIGHT = 0.5
#: A candidate right below what the question asks about, or one preposition below it ("the plant in Central
#: Sulawesi" for "where would the plant be built", not "the agreement in Tallinn"), gains this much more.
CLOSE_WEIGHT = 0.3
CLOSE_HOPS = 2
#: A number that counts what a "how many" question counts ("6,500 places" for "how many places") gains this much.
COUNT_WEIGHT = 0.3
_COUNT_TYPES = frozenset({"number", "money", "percent"})
#: A date that stands on its own: a month name, a year or a day number.
_ABSOLUTE = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?|\b(?:19|20)\d\d\b|\d",
                       re.IGNORECASE)
_PLACE_OR_ORGANIZATION = frozenset({"place", "organization"})
#: What a candidate of another name type (an "organization" for "where") costs against one of the asked type.
MISTYPED_COST = 0.5
#: A sentence read with the lead one (one continues the other) is quoted beside it when it scores this share of it.
PAIR_SHARE = 0.75
#: A content sentence must score this share of the best sentence's score to answer a question about content.
CONTENT_SHARE = 0.6
#: What a candidate costs when its passage never mentions the question's predicate (see `Question.predicate`).
PREDICATE_COST = 1.0
#: A date candidate as fine as the question asks ("which year" → a year, "what date" → a day) gains this much.
GRAIN_WEIGHT = 0.1
_ZONE_START = re.compile(r"[,;:(]\s*(?:and\s+)?|\bwith\s+")
#: A run of clauses that holds the sentence's main verb gains this much when a long sentence is cut (more than any
#: share of the question's words: a clause of background that repeats the question is rarely the answer).
MAIN_CLAUSE_WEIGHT = 1.0
#: Sentences longer than this are cut to their best run of clauses, marked with "…".
MAX_SENTENCE_CHARS = 240
_CLAUSE_BREAK = re.compile(r"(?:[,;:]\s+|\s+[—–]\s*|[—–]|\s+\()")
_WORD = re.compile(r"[\w’'-]+")


@dataclass(frozen=True)
class Sentence:
    """One sentence of a retrieved passage, scored as evidence for the question."""

    rank: int
    passage: Passage
    start: int
    end: int
    sim: float
    coverage: float
    window: float
    terms: frozenset[str]
    #: Whether the sentence says the question's predicate in any form (stem, lemma, or a title for a role verb).
    says: bool
    #: Typed candidates (start, end, type) in this sentence that could answer the question.
    candidates: tuple[tuple[int, int, str], ...]
    score: float
    #: It opens as a continuation of the sentence before it ("This …", "The move …", "(…)"), read with it.
    continues: bool = False


@dataclass(frozen=True)
class ShortAnswer:
    """The candidate of the expected type that answers best, and the sentence it stands in."""

    text: str
    start: int
    end: int
    sentence: Sentence
    score: float
    #: How far it leads the best candidate with another name (0 when it is the only one).
    margin: float = 0.0
    #: It hangs from the question's predicate in the parse, or bears the title of the role asked about.
    relation: bool = False
    #: Its entity type is the one asked for (not a place tagged as an organization, or back).
    exact: bool = True


class Evidence:
    """Scores sentences and candidates of one index; keeps its vocabulary statistics between questions."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.reader = Reader(index)
        self.neighbours = Neighbours(index)
        self._sentence_terms: dict[tuple[int, int], frozenset[str]] = {}
        self._passage_terms: dict[str, frozenset[str]] = {}
        # the BM25 index was built from the passages' texts with the same tokenizer: its document frequencies
        df = index.bm25.document_frequencies()
        n = len(index.passages)
        self.idf = {t: math.log((n + 1) / (c + 0.5)) for t, c in df.items()}
        self._unknown_weight = math.log(n + 1) + 1.0

    def _terms_of(self, p: Passage, j: int, source: str, pos: int | None = None) -> frozenset[str]:
        """The stemmed words of `p`'s `j`-th sentence, computed once per sentence."""
        key = (self.index.by_id[p.id] if pos is None else pos, j)
        have = self._sentence_terms.get(key)
        if have is None:
            a, b = p.sentences[j]
            have = self._sentence_terms[key] = terms(source[a:b])
        return have

    def passage_terms(self, p: Passage) -> frozenset[str]:
        """The stemmed words of a passage with its heading, computed once per passage."""
        have = self._passage_terms.get(p.id)
        if have is None:
            have = self._passage_terms[p.id] = terms(p.embed_text())
        return have

    def weight(self, term: str) -> float:
        return self.idf.get(term, self._unknown_weight)

    def coverage(self, wanted: frozenset[str], have: frozenset[str]) -> float:
        """Share of `wanted`'s weight (rare words weigh more) that `have` holds; 1.0 when nothing is wanted."""
        total = sum(self.weight(t) for t in wanted)
        return sum(self.weight(t) for t in wanted & have) / total if total else 1.0

    def known(self, wanted: frozenset[str]) -> float:
        """Share of `wanted`'s weight the briefing uses at all."""
        return self.coverage(wanted, frozenset(t for t in wanted if t in self.idf))

    def sentences(self, question: Question, qvec: np.ndarray, passages: list[Passage]) -> list[Sentence]:
        """Every sentence of the retrieved passages, best first (weights: SENTENCE_WEIGHTS)."""
        out: list[Sentence] = []
        w = SENTENCE_WEIGHTS
        wanted = question.must
        types = CANDIDATE_TYPES.get(question.answer_type, frozenset())
        # The small NER model confuses places and organizations (a capital tagged as an organization), so for a
        # "where" or "which organization" question the other of the two stays a candidate, at a cost (MISTYPED_COST).
        loose = bool(types & _PLACE_OR_ORGANIZATION)
        asked = {name_key(n) for n in question.names} | set(terms(question.text))
        lemmas = self.reader.question_lemmas(question)
        head = _focus_head(question)
        aliases = getattr(self.index, "aliases", None)
        aliased = [(terms(n), aliases.pattern(n)) for n in question.names] if aliases is not None else []
        retrieved = {p.id for p in passages}
        units: list[tuple[int, Passage, int]] = []
        for rank, p in enumerate(passages, start=1):
            units.append((rank, p, len(p.sentences)))
            follow = self.neighbours.after(p)
            if follow is not None and follow.id not in retrieved and follow.sentences:
                # The sentence right after a retrieved passage, when it goes on about what that passage ended
                # with ("This is a historic step …"): read it too, with the same rank.
                retrieved.add(follow.id)
                units.append((rank, follow, -1))
        for rank, p, count in units:
            pos = self.index.by_id[p.id]
            sims = self.index.sentence_vectors_of(pos) @ qvec
            source = self.index.source(p.doc)
            heading = terms(p.section) if p.kind == "article" else frozenset()
            before = self.neighbours.before(p)
            previous: frozenset[str] = heading | (self._terms_of(before, len(before.sentences) - 1, source)
                                                  if before is not None else frozenset())
            for j, ((a, b), sim) in enumerate(zip(p.sentences, sims.tolist())):
                if count < 0 and j > 0:
                    break
                have = self._terms_of(p, j, source, pos)
                for said, pattern in aliased:  # "NPC" asked, "Northern Ports Council" written: the same name
                    if not said <= have and pattern.search(source, a, b):
                        have = have | said
                continues = p.kind == "article" and opens_as_continuation(
                    source[a:b], [t for _, t in self.reader.tokens(p, a, b)])
                if count < 0 and not continues:
                    break
                # A sentence that goes on about the one before it is read with it: its words count as this one's.
                coverage = self.coverage(wanted, have | previous if continues else have)
                window = self.coverage(wanted, have | previous)
                context = have | previous if continues else have
                previous = context | heading
                if continues and before is not None:  # "The move …" may name what a paragraph before named
                    context = context | self.passage_terms(before)
                found = tuple(
                    (s, e, t)
                    for s, e, t in p.entities
                    if a <= s and e <= b and (t in types or (loose and t in _PLACE_OR_ORGANIZATION))
                    and not _given(source[s:e], asked)
                )
                says = self._says(question, lemmas, p, source, a, b, context, found)
                cause = question.answer_type == "reason" and self.reader.states_cause(p, source, a, b)
                role = bool(head) and self.reader.has_role(p, a, b, head)
                score = (
                    w["sim"] * sim
                    + w["coverage"] * coverage
                    + w["window"] * window
                    + w["passage"] * (p.dense_score or 0.0)
                    + w["rank"] / rank
                    + w["typed"] * any(t in types for _, _, t in found)
                    + w["cause"] * cause
                    + w["role"] * role
                )
                out.append(Sentence(rank, p, a, b, sim, coverage, window, have, says, found, score, continues))
        out.sort(key=lambda s: -s.score)
        return out

    def short_answer(self, question: Question, sentences: list[Sentence], depth: int = 8) -> ShortAnswer | None:
        """The typed candidate that fits best, from the `depth` best sentences.

        A candidate scores its sentence's score plus a bonus for standing near the question's words, so the
        name right after "his counterpart on Japan's National Security Council" beats one far away.
        """
        types = CANDIDATE_TYPES.get(question.answer_type, frozenset())
        scored: list[ShortAnswer] = []
        lemmas = self.reader.question_lemmas(question)
        counting = self.reader.counted(question)
        subject = self.reader.subject(question)
        for s in sentences[:depth]:
            if not s.candidates:
                continue
            source = self.index.source(s.passage.doc)
            anchors = [m.start() for m in _WORD.finditer(source, s.start, s.end) if terms(m.group()) & question.must]
            # A candidate whose sentence says what the question asks ("signed", "builds", or a title for "runs")
            # beats one whose doesn't.
            says = s.says
            for a, b, kind in s.candidates:
                if question.answer_type == "date" and not _ABSOLUTE.search(source[a:b]):
                    continue  # "two months later" dates nothing by itself
                distance = min((abs(x - a) if x < a else abs(x - b) for x in anchors), default=None)
                near = 0.0 if distance is None else PROXIMITY_WEIGHT * 0.5 ** (distance / PROXIMITY_CHARS)
                headed = self.reader.names_role_head(question, source, s.start, a)
                title = _title_match(question.role, source, s.start, a)
                bound = self.reader.bound_to(question, source, s.start, a)
                hops = self.reader.distance(s.passage, a, b, lemmas)
                near_subject = bool(subject) and self.reader.distance(s.passage, a, b, subject, CLOSE_HOPS) is not None
                counted = kind in _COUNT_TYPES and self.reader.counts(s.passage, a, b, counting)
                # A chronology entry's own date is the date of the event it records: as close as a relation gets.
                dated = kind == "date" and self.reader.entry_date(s.passage, a, lemmas)
                close = dated or near_subject
                # Tied to the question: it hangs from the predicate, is bound to what the question names, bears
                # the whole title of the role asked, counts what is asked, or is the date of the entry.
                tied = headed or bound or title >= 1.0 or hops is not None or counted or dated
                score = (s.score + near + ROLE_WEIGHT * max(title, headed, bound)
                         + RELATION_WEIGHT * tied + CLOSE_WEIGHT * close
                         + COUNT_WEIGHT * counted
                         + GRAIN_WEIGHT * _grain_fits(question, source[a:b])
                         - MISTYPED_COST * (kind not in types) - PREDICATE_COST * (not (says or headed)))
                scored.append(ShortAnswer(source[a:b], a, b, s, score, relation=tied, exact=kind in types))
        if not scored:
            return None
        scored.sort(key=lambda c: -c.score)
        best = scored[0]
        rival = next((c.score for c in scored[1:] if name_key(c.text) != name_key(best.text)), None)
        return replace(best, margin=best.score - rival if rival is not None else 1.0)

    def partner(self, lead: Sentence, sentences: list[Sentence], depth: int = 12) -> Sentence | None:
        """The sentence right before or after `lead` that is read with it (one continues the other: "… send the
        missiles back. This is a historic step — …"), when it scores within PAIR_SHARE of `lead`; else None.

        When two such sentences come that close, which one holds the asked-for information is a guess: both
        are quoted, in the text's order (the partner takes `lead`'s rank so that sorting by rank keeps them
        together)."""
        source = self.index.source(lead.passage.doc)
        best: Sentence | None = None
        for s in sentences[:depth]:
            if s is lead or s.passage.doc != lead.passage.doc or s.passage.kind != "article":
                continue
            after = s.continues and lead.end <= s.start and not source[lead.end:s.start].strip()
            before = lead.continues and s.end <= lead.start and not source[s.end:lead.start].strip()
            if (after or before) and s.score >= PAIR_SHARE * lead.score and (best is None or s.score > best.score):
                best = s
        return replace(best, rank=lead.rank) if best is not None else None

    def content_sentence(self, question: Question, sentences: list[Sentence], depth: int = 8) -> Sentence | None:
        """For a question about what was said or agreed: the best sentence that gives content (a quotation,
        "agreed to …") about what the question names, and about the same event as the best mention (same
        passage, or naming the same kind of event); None when the briefing records the event only."""
        named = salient_terms(" ".join(question.names))
        mention = sentences[0]
        kind = self.event_kind(mention)
        for s in sentences[:depth]:
            text = self.index.source(s.passage.doc)[s.start:s.end]
            if not carries_content(text) or s.score < CONTENT_SHARE * mention.score:
                continue
            if named and self.coverage(named, s.terms | self.passage_terms(s.passage)) < 0.99:
                continue
            if s.passage.id == mention.passage.id or kind == "event" or kind == self.event_kind(s):
                return s
        return None

    def event_kind(self, s: Sentence) -> str:
        """What the sentence records ("address", "meeting", "call" …), by the lemmas of its parse."""
        return event_kind(self.reader.lemmas(s.passage, s.start, s.end))

    def predicate_coverage(self, question: Question, s: Sentence) -> float:
        """Share of the question's predicate words the sentence says, by stem or by lemma ("led" for "leads")."""
        if not question.predicate:
            return 1.0
        lemmas = self.reader.lemmas(s.passage, s.start, s.end)
        said = frozenset(t for t in question.predicate
                         if any(self.reader.lemma(w) in lemmas for w in _WORD.findall(question.text) if t in terms(w)))
        return self.coverage(question.predicate, s.terms | said)

    def _says(self, question: Question, lemmas: frozenset[str], p: Passage, source: str, a: int, b: int,
              have: frozenset[str], found: tuple[tuple[int, int, str], ...]) -> bool:
        """The sentence (with its passage) says the question's predicate: by stem, by lemma ("led" ~ "leads"),
        or, for a role verb, by a head title before one of its candidates ("runs Google" ~ "Google … CEO").
        Only where the passage is about what the question names, too ("capacity building" elsewhere is not it)."""
        if not question.predicate:
            return True
        context = have | self.passage_terms(p)
        named = salient_terms(" ".join(question.names))
        if named and not named & context:
            return False
        if question.predicate & context or lemmas & self.reader.lemmas(p, p.char_start, p.char_end):
            return True
        return any(self.reader.names_role_head(question, source, a, s) for s, _, _ in found)

    def trim(
        self, source: str, start: int, end: int, wanted: frozenset[str], keep: tuple[int, int] | None = None,
        passage: Passage | None = None,
    ) -> tuple[int, int]:
        """The run of clauses of a long sentence that covers `wanted` best within MAX_SENTENCE_CHARS.

        Among runs that cover alike, the longest wins: the words that match the question are rarely the
        answer, which tends to sit in the clauses around them. A `keep` span (the short answer) is never cut:
        only runs that hold it whole are considered. With its `passage`, a run that holds the sentence's main
        verb (the root of its parse) is preferred: "Since X leads in Y, they pledged Z" is answered by "they
        pledged Z", not by the clause of background that shares the question's words. (A reason question
        passes no passage: its answer is the clause of cause, "since X …".)
        """
        if end - start <= MAX_SENTENCE_CHARS:
            return start, end
        root = self.reader.root(passage, start, end) if passage is not None else None
        cuts = (
            [start]
            + [m.end() for m in _CLAUSE_BREAK.finditer(source, start, end) if start + 20 < m.end() < end - 5]
            + [end]
        )
        best = (-1.0, 0, start, end)
        for i in range(len(cuts) - 1):
            for j in range(i + 1, len(cuts)):
                a, b = cuts[i], cuts[j]
                if b - a > MAX_SENTENCE_CHARS and not (keep and j == i + 1):
                    break
                piece = source[a:b].rstrip(" ,;:—–(")
                b = a + len(piece)
                if keep is not None and not (a <= keep[0] and keep[1] <= b):
                    continue
                score = self.coverage(wanted, terms(piece)) + MAIN_CLAUSE_WEIGHT * (root is not None and a <= root < b)
                if (score, b - a) > (best[0], best[1]):
                    best = (score, b - a, a, b)
        return (best[2], best[3]) if best[0] >= 0 else (start, end)


def _focus_head(question: Question) -> str:
    """The noun a "what/which X" question asks about (its focus's last word), for untyped questions."""
    if question.wh not in ("what", "which") or not question.focus or question.typed:
        return ""
    return question.focus.split()[-1].lower()


def _grain_fits(question: Question, candidate: str) -> bool:
    """A date candidate of the grain the question asks for: a year, a month, or (by default) a day."""
    if question.answer_type != "date":
        return False
    head = question.focus.split()[-1].lower() if question.focus else ""
    has_day = re.search(r"[A-Za-z]\.?\s+\d{1,2}\b", candidate) is not None
    if head.startswith("year"):
        return re.fullmatch(r"(?:19|20)\d\d", candidate.strip()) is not None
    if head.startswith("month"):
        return not has_day and re.search(r"[A-Za-z]", candidate) is not None
    return has_day


def _alike(a: str, b: str) -> bool:
    """Same stem, or one a prefix of the other ("korea" / "korean", "japan" / "japanes")."""
    return a == b or (min(len(a), len(b)) >= 4 and (a.startswith(b) or b.startswith(a)))


def _title_match(role_text: str, source: str, floor: int, start: int) -> float:
    """Share of the role's words in the title right before a name (back to the last comma or "with"),
    plus a quarter when the title starts as the role does ("Korean Special Representative …" for "Korea's
    special representative", not "Deputy Special Representative for North Korea")."""
    ordered = [t for t in tokenize([role_text])[0] if not t.isdigit()] if role_text else []
    role = frozenset(ordered)
    if not role:
        return 0.0
    zone = source[max(floor, start - 100) : start]
    cuts = list(_ZONE_START.finditer(zone))
    if cuts:
        zone = zone[cuts[-1].end() :]
    zone_terms = tokenize([zone])[0]
    share = sum(any(_alike(t, z) for z in zone_terms) for t in role) / len(role)
    return share + (0.25 if zone_terms and _alike(ordered[0], zone_terms[0]) else 0.0)


def _given(candidate: str, asked: set[str]) -> bool:
    """The candidate is already in the question: "Kamikawa" does not answer "Whom did Kamikawa meet?"."""
    key = name_key(candidate)
    if key in asked:
        return True
    words = [w for w in key.split() if len(w) > 2]
    have = terms(candidate)
    return bool(words) and bool(have) and have <= asked
