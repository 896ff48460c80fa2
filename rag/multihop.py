"""Two-hop questions: a description in the question that the briefing resolves elsewhere.

"On what date did *the minister who replaced Hayashi at the foreign ministry* speak with Blinken?" names nobody;
the article says who replaced Hayashi, the chronology when that person spoke with Blinken. The question is read
in two passes: the description is found by rules over English question forms (a relative or participle clause
after a noun, or a statement followed by a question about "it"), resolved to a name by a first retrieval
("Who is the minister who replaced Hayashi at the foreign ministry?" → Kamikawa), and the question is rewritten
with that name and answered as usual; the sentence that resolved the description is cited beside the answer.

Nothing is detected in most questions, so they cost no extra retrieval.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from rag import constraints
from rag.answer_type import word_set
from rag.chronology import Chronology
from rag.evidence import Evidence, Sentence
from rag.index import Index
from rag.question import Question, salient_terms, terms, topic_names
from rag.retrieve import Filters, Retriever
from rag.schema import Answer, Citation, Passage

__all__ = ["Description", "Hop", "Hops", "describe", "merge", "rewrite", "statement_question"]

#: Share of a description's words (by rarity) that the sentence resolving it must carry, when the name found does
#: not stand by the description's verb.
CLAUSE_COVERAGE = 0.5
#: The entity types a description of each kind resolves to (the tagger confuses places and organizations).
_KINDS = {"person": frozenset({"person"}), "place": frozenset({"place", "organization"})}
#: Entity types that identify an event in a sentence, for finding its chronology entry.
_EVENT_NAMES = frozenset({"person", "organization", "place", "group"})
#: Names an article sentence and a chronology entry must share to be the same event.
MIN_SHARED = 2
#: How far (in characters) from the clause's verb the person described may stand in the resolving sentence.
VERB_CHARS = 40
#: How far a passive verb's doer may stand after "<verb> by" (a list of names: "by A, B, and C").
PASSIVE_CHARS = 120
_PASSIVE = re.compile(r"\b([\w-]+)\s+by\b(?![^.;]*\b(?:which|who|that)\b)", re.IGNORECASE)
#: How a sentence quotes someone ("According to X, …", "X said …", a quotation mark near the name).
_QUOTED = re.compile(r"\baccording to\b|\b(?:said|says|told|warned|stated)\b|[“”\"]", re.IGNORECASE)
#: Verbs a question's main clause commonly has after "did … ": where a description before it ends.
_BASE_VERBS = word_set(
    "meet speak talk visit attend sign hold take say discuss call travel go come join receive deliver host give "
    "make release announce agree serve lead chair open address arrive leave become work tell ask see accompany "
    "participate propose issue approve launch condemn pledge send reach win lose run head represent replace "
    "succeed hold happen occur telephone phone report warn write publish decide invite welcome greet")
#: Past forms that start a question's main clause after a subject description ("… quoted on X took part in …").
_PAST_VERBS = word_set(
    "met spoke talked visited attended signed held took said discussed called traveled travelled went came joined "
    "received delivered hosted gave made released announced agreed served led chaired opened addressed arrived "
    "left became worked told asked saw accompanied participated proposed issued approved launched condemned "
    "pledged sent reached was were is are has have had did does")
_PRONOUN = re.compile(r"\b(?:it|they|he|she|him|her|them)\b", re.IGNORECASE)
_POSSESSIVE = re.compile(r"\b(?:its|their|his|her)\b", re.IGNORECASE)
#: Words after which the next word is a noun, never a verb ("made *the call*").
_DETERMINERS = word_set("the a an to its his her their this that these those our your my of")
_WORD = re.compile(r"[\w’'.-]+")
#: "the (…) minister who …", "the official quoted on …": a description's start.
_RELATIVE = re.compile(
    r"\b(?P<det>the|a|an)\s+(?P<head>(?:[\w’'.-]+\s+){0,6}?[\w’'.-]+?)\s+"
    r"(?P<rel>who|whom|that|whose|where|quoted\s+(?:on|about|in|as)|cited\s+(?:on|about|in)|named\s+(?:in|as))\s+",
    re.IGNORECASE,
)
_WH_START = re.compile(r"^\s*(?:(?:in|on|at|from|to|with|for)\s+)?(?:what|which|when|where|who|whom|how|why)\b",
                       re.IGNORECASE)
#: "… took part in which meeting?", "… met which minister?": a question word after a subject.
_WH_LATER = re.compile(r"\s(?:which|what|whom)\b", re.IGNORECASE)
#: "<statement>; <question>" or "<statement>. <question>".
_SPLIT = re.compile(r"\s*(?:;|\.\s+|—|–|:)\s*(?=(?:and\s+)?(?:(?:in|on|at|from|to|with|for)\s+)?"
                    r"(?:what|which|when|where|who|whom|how|why)\b)", re.IGNORECASE)
#: Heads that name a place, so "the X where …" resolves to a place's name.
_PLACE_HEADS = re.compile(r"\b(?:city|town|country|place|port|capital|province|region|state|island|venue|village)\b",
                          re.IGNORECASE)
#: A description that follows a preposition or a verb is the question's object: it may run to the question's end.
_AFTER_PREPOSITION = re.compile(r"\b(?:in|at|to|from|with|of|by|for|on|near|visit|visited|meet|met)\s*$",
                                re.IGNORECASE)
#: Heads that name a person, so the description resolves to a person's name.
_PERSON_HEADS = re.compile(
    r"\b(?:minister|secretary|official|officer|president|premier|leader|diplomat|ambassador|envoy|general|admiral|"
    r"commander|chief|governor|mayor|senator|representative|adviser|advisor|advisor|director|chairman|chair|ceo|"
    r"head|spokesperson|spokesman|negotiator|commissioner|counterpart|person|man|woman|executive|lawmaker|"
    r"deputy|king|queen|prince|chancellor|envoy)s?\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Description:
    """A description of someone in the question, and the question around it."""

    #: As worded: "the minister who replaced Hayashi at the foreign ministry".
    phrase: str
    #: The question that names it: "Who is the minister who replaced Hayashi at the foreign ministry?".
    probe: str
    #: The clause's verb ("replaced", "quoted") and where the person described stands from it in a sentence
    #: that says it: "before" it ("X replaced Hayashi"), "after" it ("Kamikawa replaced X"), or "any".
    verb: str = ""
    side: str = "any"
    #: What it describes: a "person" or a "place" ("the city where the shipment had arrived").
    kind: str = "person"


@dataclass(frozen=True)
class Hop:
    """How the question was rewritten: the phrase, the name it resolved to and the sentence that says so."""

    phrase: str
    name: str
    rewritten: str
    passage: Passage | None = None
    start: int = 0
    end: int = 0


def _is_base_verb(word: str, before: str, verbs: frozenset[str]) -> bool:
    return word.lower() in verbs and before.lower() not in _DETERMINERS


def describe(text: str, verbs: frozenset[str] = _BASE_VERBS) -> Description | None:
    """The description of a person inside a question, or None (most questions).

    Example:
        >>> describe("On what date did the minister who replaced Vidal speak with Weber by telephone?").phrase
        'the minister who replaced Vidal'
    """
    if not _WH_START.search(text) and not _WH_LATER.search(text):
        return None
    for m in _RELATIVE.finditer(text):
        head = m["head"]
        place = m["rel"].lower() == "where"
        if not (_PLACE_HEADS if place else _PERSON_HEADS).search(head.split()[-1]):
            continue
        before = text[: m.start()]
        do_support = re.search(r"\b(?:did|does|do)\s*$", before, re.IGNORECASE) is not None
        rest = text[m.end():]
        words = list(_WORD.finditer(rest))
        end = None
        if not do_support and _AFTER_PREPOSITION.search(before):
            words = []  # "… met in the city where the shipment had arrived?": the clause runs to the end
        # The clause's own verb (and its subject, for "whom Kamikawa replaced") comes first: skip one word.
        for i, w in enumerate(words[1:], start=1):
            prev = words[i - 1].group()
            word = w.group().strip(".")
            if (do_support and _is_base_verb(word, prev, verbs)) or (
                    not do_support and word.lower() in _PAST_VERBS and prev.lower() not in _DETERMINERS):
                end = m.end() + w.start()
                break
        if end is None and _AFTER_PREPOSITION.search(before):
            end = len(text.rstrip(" ?.!"))  # "… met in the city where the shipment had arrived?": to the end
        if end is None:
            continue
        phrase = text[m.start():end].strip(" ,")
        if len(phrase.split()) < 4:
            continue
        probe = phrase[0].lower() + phrase[1:] if phrase.startswith(("The ", "A ", "An ")) else phrase
        if m["rel"].lower() not in ("who", "whom", "that", "whose"):  # "the official quoted on X": its title
            probe = probe.replace(m["rel"], "who was " + m["rel"], 1)  # is the role, the clause what it did
        clause = _WORD.findall(text[m.end():end])
        if place:
            clause_text = text[m.end():end].strip()
            return Description(phrase, f"In which {head.split()[-1]} {clause_text}?", clause[-1] if clause else "",
                               "after", "place")
        if m["rel"].lower() in ("who", "that"):
            verb, side = (clause[0] if clause else ""), "before"
        elif m["rel"].lower() == "whom":
            verb, side = (clause[-1] if clause else ""), "after"
        else:
            verb, side = m["rel"].split()[0], "any"
        return Description(phrase, f"Who is {probe}?", verb, side)
    return None


def statement_question(text: str) -> tuple[str, str] | None:
    """"<statement>; in which city was it held?": the statement's subject and the question with its pronoun
    replaced by it ("In which city was the coastal patrol exercise held?"), or None.

    Example:
        >>> statement_question("The exercise came after the forum; in which city was it held?")
        ('the exercise', 'In which city was the exercise held?')
    """
    m = _SPLIT.search(text)
    if m is None or m.start() == 0 or _WH_START.search(text[: m.start()]):
        return None
    statement, asked = text[: m.start()], text[m.end():]
    words = list(_WORD.finditer(statement))
    subject_end = next((w.start() for i, w in enumerate(words[1:], start=1)
                        if w.group().lower() in _PAST_VERBS | _BASE_VERBS | {"came", "followed", "preceded"}
                        and words[i - 1].group().lower() not in _DETERMINERS), None)
    if subject_end is None:
        return None
    subject = re.sub(r"^(The|A|An)\b", lambda d: d.group().lower(), statement[:subject_end].strip())
    if _PRONOUN.search(asked):
        asked = _PRONOUN.sub(subject, asked, count=1)
    elif _POSSESSIVE.search(asked):
        asked = _POSSESSIVE.sub(subject + "’s", asked, count=1)
    else:
        return None
    asked = re.sub(r"^and\s+", "", asked.strip(), flags=re.IGNORECASE)
    return subject, asked[0].upper() + asked[1:]


def pick(description: Description, candidates: list[tuple[float, str, int, int]]) -> int | None:
    """Which of the scored person candidates (score, source text, start, end) the description names: the sentence score
    plus a bonus for standing on the right side of the clause's verb, near it ("Kamikawa *replaced* Hayashi": the
    subject for "who replaced", the object for "whom … replaced"). None when no candidate stands by the verb."""
    stem = terms(description.verb)
    if not stem:
        return None
    best, best_score = None, 0.0
    for i, (score, source, a, b) in enumerate(candidates):
        zone_before, zone_after = source[max(0, a - VERB_CHARS):a], source[b:b + VERB_CHARS]
        near = {"before": [zone_after], "after": [zone_before]}.get(description.side, [zone_before, zone_after])
        quoted = description.verb.lower() in ("quoted", "cited") and _QUOTED.search(zone_before + zone_after)
        # "the statement released by Blinken, Kamikawa, and Park Jin": the doer of a passive verb comes after it.
        passive = description.side == "before" and any(
            terms(m[1]) & stem for m in _PASSIVE.finditer(source[max(0, a - PASSIVE_CHARS):a]))
        by_verb = quoted or passive or any(terms(w) & stem for zone in near for w in _WORD.findall(zone))
        if by_verb and (best is None or score > best_score):
            best, best_score = i, score
    return best


def rewrite(text: str, name: str, description: Description) -> str:
    """The question with the description replaced by the name it resolved to."""
    return text.replace(description.phrase, name, 1)


def merge(answer: Answer, hop: Hop, asked: str) -> Answer:
    """The second pass's answer, asked as the user asked it, with the sentence that resolved the description
    cited after it and said on the "Read as" line."""
    note = f"Read “{hop.phrase}” as {hop.name}"
    if hop.passage is None:
        return replace(answer, question=asked, notes=(*answer.notes, f"{note}."))
    if any(c.passage.id == hop.passage.id and c.highlight_start <= hop.start < c.highlight_end
           for c in answer.citations):  # the answer already cites the sentence that resolved it
        return replace(answer, question=asked, notes=(*answer.notes, f"{note}."))
    n = len(answer.citations) + 1
    citation = Citation(n, hop.passage, hop.start, hop.end)
    source_text = hop.passage.text[hop.start - hop.passage.char_start: hop.end - hop.passage.char_start]
    text = f"{answer.text} {source_text} [{n}]"
    return replace(answer, question=asked, text=text, citations=(*answer.citations, citation),
                   passages=(*answer.passages, hop.passage) if hop.passage not in answer.passages else answer.passages,
                   notes=(*answer.notes, f"{note} [{n}]."),
                   interpreted=f"{answer.interpreted}  ·  {note} [{n}]" if answer.interpreted else note)


class Hops:
    """The first pass of a two-hop question, for an `Assistant`: `hop` returns None for most questions."""

    def __init__(self, index: Index, retriever: Retriever, evidence: Evidence,
                 analyze: Callable[[str, str | None, Filters | None], Question]) -> None:
        self.index = index
        self.retriever = retriever
        self.evidence = evidence
        self.analyze = analyze
        self._chronology: Chronology | None = None

    def dated(self, q: Question, answer: Answer) -> Answer | None:
        """A date question answered by an article sentence that names an event without its day ("… met while
        attending ASEAN-related summit meetings in Indonesia in September"): the chronology entry of that event,
        the one that names most of the sentence's people, organizations and places, gives the day. None when
        no entry stands out (two entries on other dates naming as many), or the answer needs no second hop."""
        if (q.answer_type != "date" or answer.abstained or answer.kind != "extract" or not answer.citations
                or (answer.short_answer and re.search(r"\d", answer.short_answer))
                or any(c.passage.kind == "chronology" for c in answer.citations)):
            return None
        names: dict[str, re.Pattern[str]] = {}
        for c in answer.citations:
            source = self.index.source(c.passage.doc)
            for a, b, kind in c.passage.entities:
                if c.highlight_start <= a and b <= c.highlight_end and kind in _EVENT_NAMES:
                    names.setdefault(source[a:b].lower(), self.index.aliases.pattern(source[a:b]))
        if len(names) < MIN_SHARED:
            return None
        if self._chronology is None:
            self._chronology = Chronology.of(self.index)
        scope = q.limits.scope if q.limits is not None else None
        said = frozenset().union(*(terms(self.index.source(c.passage.doc)[c.highlight_start:c.highlight_end])
                                   for c in answer.citations))
        # Names shared first, then the words ("ballistic missile launches" tells two statements apart).
        scored = sorted((((sum(bool(r.search(p.text)) for r in names.values()), len(said & terms(p.text))), p)
                         for p in self._chronology.scoped(scope)), key=lambda x: (-x[0][0], -x[0][1]))
        if not scored or scored[0][0][0] < MIN_SHARED:
            return None
        best, entry = scored[0]
        if any(n == best and p.date_start != entry.date_start for n, p in scored[1:]):
            return None  # two events on other days fit alike: not guessed
        day = entry.label()
        n = len(answer.citations) + 1
        citation = Citation(n, entry, entry.char_start, entry.char_end)
        body = re.sub(r"^[^—]*— ", "", answer.text) if answer.short_answer else answer.text
        return replace(answer, text=f"{day} — {body} {entry.text} [{n}]", short_answer=day,
                       citations=(*answer.citations, citation), passages=(entry, *answer.passages),
                       notes=(*answer.notes, f"Dated by the chronology entry that names the same event [{n}]."))

    def hop(self, q: Question, filters: Filters | None) -> Hop | None:
        """The question rewritten when it describes someone the briefing names elsewhere ("the minister who
        replaced X" → a first retrieval for "Who is the minister who replaced X?"), or with a statement's
        subject for the question's "it"; None for most questions (no extra retrieval)."""
        stated = statement_question(q.text)
        if stated is not None:
            return Hop("it", *stated)
        described = describe(q.text)
        if described is None:
            return None
        # A month in a description qualifies its noun ("the October export controls"): it does not bind.
        probe = replace(self.analyze(described.probe, None, filters), period=None)
        passages = self.retriever.retrieve(probe.text, filters=filters, period=probe.period)
        sentences = self.evidence.sentences(probe, self.retriever.encode(probe.text), passages)
        admitted, unmet = constraints.admit(probe, sentences, self.index)
        if not admitted or unmet is not None:
            return None
        # The admitted sentences, with all their candidates: the names the question gives may bind the
        # sentence, but the person described is another one of its names.
        kept = {(s.passage.id, s.start) for s in admitted}
        sentences = [s for s in sentences if (s.passage.id, s.start) in kept]
        # Someone the question names (in the description or beside it: "whom Kamikawa replaced", "… meet Blinken")
        # is not whom the description describes.
        named = terms(" ".join(topic_names(q.text)))
        sentences = [replace(s, candidates=tuple(
            c for c in s.candidates if c[2] in _KINDS[described.kind] and not terms(self._text(s, c[0], c[1])) & named))
            for s in sentences]
        found = self._by_verb(described, sentences)
        if found is None:
            short = self.evidence.short_answer(probe, sentences)
            # Without the clause's verb by the name, its sentence must say most of what the clause says.
            clause = salient_terms(described.phrase) - named
            if short is None or self.evidence.coverage(clause, short.sentence.terms) < CLAUSE_COVERAGE:
                return None
            found = (short.sentence, short.start, short.end)
        s, start, end = found
        name = self._text(s, start, end)
        source = self.index.source(s.passage.doc)
        a, b = self.evidence.trim(source, s.start, s.end, probe.must)  # the clause that says what describes them
        if not (a <= start and end <= b):
            a, b = self.evidence.trim(source, s.start, s.end, probe.must, (start, end))
        return Hop(described.phrase, name, rewrite(q.text, name, described), s.passage, a, b)

    def _text(self, s: Sentence, a: int, b: int) -> str:
        return self.index.source(s.passage.doc)[a:b]

    def _by_verb(self, described: Description, sentences: list[Sentence], depth: int = 8,
                 ) -> tuple[Sentence, int, int] | None:
        """The candidate that stands by the clause's verb, in the best of the `depth` best sentences."""
        flat = [(s, a, b) for s in sentences[:depth] for a, b, _ in s.candidates]
        i = pick(described, [(s.score, self.index.source(s.passage.doc), a, b) for s, a, b in flat])
        return None if i is None else flat[i]
