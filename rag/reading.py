"""Reading a sentence with the parse stored at build time: lemmas, the relation a candidate stands in, roles
named by titles, and clauses that state a cause.

Every rule here is about English, not about one briefing: a verb's lemma ("led" → "lead"), the head a name
hangs from in the dependency tree, the words that make someone the head of something ("runs Google" is said
by "Google President and CEO"), the markers of a reason ("because", "so as to", a purpose "to" clause, a
parenthetical explanation). Answering reads `Passage.tokens` (rag/entities.py); spaCy is never loaded.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from rag.index import Index
from rag.question import Question, salient_terms, terms
from rag.schema import Passage

Token = tuple[int, int, str, str, str, int]

#: Titles that make the one who bears them the head of what the title names ("Google President and CEO",
#: "Commander of US Indo-Pacific Command", "head of the agency"), for a head asked in any wording
#: (`Question.headed`, rag/roles.py).
HEAD_TITLES = frozenset(
    [
        "ceo", "president", "chairman", "chairwoman", "chair", "chairperson", "commander", "head", "chief",
        "director", "leader", "governor", "mayor", "premier", "minister", "secretary", "king", "queen",
        "emperor", "executive", "administrator", "boss", "captain", "coordinator",
    ]
)
#: Share of the words naming what is headed ("US Indo-Pacific Command") the title zone must carry.
HEADED_SHARE = 0.75
_PARENTHESIS = re.compile(r"\([^()]{0,40}\)")
#: Where a title zone starts before a name: a comma, a semicolon, a parenthesis, "and", "with".
_ZONE_START = re.compile(r"[,;:(]\s*(?:and\s+)?|\bwith\s+")
#: The party a "who" question ties its person to, at the end of the question ("… for the State of Florida?").
_FOR_PARTY = re.compile(r"\b(?:for|on behalf of|representing)\s+(?P<party>[^?,]+?)\s*\??\s*$", re.IGNORECASE)
#: Where the title of one name of a list starts: a comma, a colon, "and", "with".
_TITLE_START = re.compile(r"[,;:(]\s*(?:and\s+)?|\b(?:and|with)\s+")
#: A question whose subject follows its auxiliary: "Where would the plant …", "When was the statement …".
_SUBJECT = re.compile(
    r"^\s*(?:(?:in|by|on|at)\s+)?(?:where|when|what\s+\w+|which\s+\w+)\s+(?:would|will|did|does|do|was|were|is|are|"
    r"has|have|had|can|could|should)\s+(?P<rest>.+)$", re.IGNORECASE)
_NOT_A_VERB = frozenset({"be", "been", "being", "to", "in", "on", "at", "of", "for", "by", "with", "under", "from",
                         "during", "after", "before", "it", "they", "this", "that", "there", "first", "last"})
_SUBJECT_STOP = frozenset({"be", "been", "being", "to", "in", "on", "at", "of", "for", "by", "with", "under", "from",
                           "during", "after", "before", "first", "last", "originally", "finally", "take", "held"})
#: What a "how many / how much" question counts: the words right after it, up to its verb.
_COUNTED = re.compile(
    r"\bhow\s+(?:many|much)\s+(?P<what>(?:[\w-]+\s+){0,2}?[\w-]+)\s+(?:did|do|does|will|would|were|was|are|is|"
    r"have|has|had|can|could|should|took|take|make|made|went|go)\b", re.IGNORECASE)
#: Words after "how many / how much" that name no unit.
_NOT_COUNTED = frozenset({"more", "less", "fewer", "of", "the", "in", "total", "times", "new", "additional"})
#: Markers of a stated reason or purpose.
_CAUSE = re.compile(
    r"\b(?:because|since|as a result|due to|owing to|thanks to|in order to|so as to|so that|in an effort to|"
    r"aim(?:s|ed|ing)? to|intend(?:s|ed)? to|meant to|designed to|to avoid|to prevent|to ensure|for fear)\b|\(",
    re.IGNORECASE,
)
#: A name and the apposition right after it that gives its title (", commander of the Peruvian Army,").
_APPOSITION = re.compile(r"[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*){0,4},\s+(?:the\s+)?(?P<title>[a-z][^,;.()]{2,80})")
_SUBJECT_OR_OBJECT = frozenset({"nsubj", "nsubjpass", "dobj", "pobj", "attr", "appos", "conj", "ROOT", "obj"})
_WORD = re.compile(r"[A-Za-z][\w’'-]*")


def _heads(headed: str, zone: str) -> bool:
    """The title `zone` holds a head title and the words of what is `headed` (most of them; a country and its
    adjective alike: "Indonesia's armed forces" is headed by the "Indonesian" one)."""
    words = {w.lower().rstrip(".") for w in _WORD.findall(zone)}
    if not words & HEAD_TITLES:
        return False
    wanted = salient_terms(headed)
    have = terms(zone)
    said = sum(any(t == z or (min(len(t), len(z)) >= 4 and (z.startswith(t) or t.startswith(z))) for z in have)
               for t in wanted)
    return not wanted or said / len(wanted) >= HEADED_SHARE


class Reader:
    """The stored parse of one index, with the lookups answering needs; built once per index."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self._starts: dict[str, list[int]] = {}  # filled per passage as answers read them
        # One count per (form, lemma) pair, stored with the index (an archive holds millions of tokens); a
        # form's lemma is its most frequent one, the first seen among equals (as `Counter.most_common` picks).
        pairs = index.lemma_pairs()
        best: dict[str, tuple[int, str]] = {}
        for (form, lemma), n in pairs.items():
            if form not in best or n > best[form][0]:
                best[form] = (n, lemma)
        #: How the briefing's words lemmatize ("led" → "lead"), by spaCy at build time.
        self.lemma_of = {form: lemma for form, (_, lemma) in best.items()}
        self._known_lemmas = frozenset(self.lemma_of.values())

    def lemma(self, word: str) -> str:
        """The word's lemma as the briefing's parse has it, else a plain English suffix rule."""
        w = word.lower()
        if w in self.lemma_of:
            return self.lemma_of[w]
        for suffix, repl in (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e")):
            if w.endswith(suffix) and (w[: -len(suffix)] + repl) in self._known_lemmas:
                return w[: -len(suffix)] + repl
        return w

    def question_lemmas(self, q: Question) -> frozenset[str]:
        """Lemmas of the question's predicate words (its lower-case topic words)."""
        words = [w for w in _WORD.findall(q.text)[1:] if not w[0].isupper()]
        return frozenset(self.lemma(w) for w in words if terms(w) & q.predicate)

    def tokens(self, p: Passage, a: int, b: int) -> list[tuple[int, Token]]:
        """(index, token) of `p`'s tokens inside [a, b)."""
        starts = self._starts.get(p.id)
        if starts is None:
            starts = self._starts[p.id] = [t[0] for t in p.tokens]
        i, j = bisect_left(starts, a), bisect_right(starts, b - 1)
        return [(n, p.tokens[n]) for n in range(i, j) if p.tokens[n][1] <= b]

    def lemmas(self, p: Passage, a: int, b: int) -> frozenset[str]:
        return frozenset(t[2] for _, t in self.tokens(p, a, b))

    def relation(self, p: Passage, a: int, b: int, wanted: frozenset[str], hops: int = 4) -> bool:
        """The span hangs, within `hops` steps up the dependency tree, from a word whose lemma is `wanted`
        (the subject of "signed", the object of "met", the date of "visited")."""
        return self.distance(p, a, b, wanted, hops) is not None

    def distance(self, p: Passage, a: int, b: int, wanted: frozenset[str], hops: int = 4) -> int | None:
        """How many steps up the dependency tree the span hangs from a word whose lemma is `wanted` (1: right
        below it, 2: through a preposition, "the plant in Central Sulawesi"), or None beyond `hops`."""
        inside = self.tokens(p, a, b)
        if not inside or not wanted:
            return None
        ids = {n for n, _ in inside}
        heads = [n for n, t in inside if t[5] not in ids] or [inside[0][0]]
        best: int | None = None
        for n in heads:
            for step in range(1, hops + 1):
                parent = p.tokens[n][5]
                if parent == n:
                    break
                n = parent
                if p.tokens[n][2] in wanted:
                    best = step if best is None else min(best, step)
                    break
        return best

    def subject(self, q: Question) -> frozenset[str]:
        """Lemmas of what a "where / when / what year … would/was the X …" question asks about: the noun phrase
        right after its auxiliary, up to its first participle, adverb or preposition, and the verb the question
        ends with ("Where would the cable factory studied under … be built?" → {"cable", "factory", "build"})."""
        m = _SUBJECT.search(q.text)
        if not m:
            return frozenset()
        words: list[str] = []
        for w in _WORD.findall(m["rest"]):
            low = w.lower()
            if low in ("the", "a", "an"):
                continue
            if low in _SUBJECT_STOP or (len(words) > 0 and low.endswith(("ed", "en", "ing", "ly"))) or len(words) == 4:
                break
            words.append(low)
        # and the verb it ends with ("… be built?", "… held?"): the place or date may hang from the verb instead
        last = _WORD.findall(m["rest"])[-1:]
        if last and last[0].lower() not in _NOT_A_VERB and last[0].lower() not in words:
            words.append(last[0].lower())
        return frozenset(self.lemma(w) for w in words)

    def counted(self, q: Question) -> frozenset[str]:
        """The lemmas of what a "how many / how much" question counts ("how many places" → {"place"})."""
        m = _COUNTED.search(q.text)
        if not m:
            return frozenset()
        words = [w for w in _WORD.findall(m["what"]) if w.lower() not in _NOT_COUNTED]
        return frozenset(self.lemma(w) for w in words)

    def counts(self, p: Passage, a: int, b: int, nouns: frozenset[str]) -> bool:
        """The number [a, b) counts one of `nouns`: it holds it ("300 tonnes") or the noun is its head
        ("6,500 places")."""
        if not nouns:
            return False
        inside = self.tokens(p, a, b)
        if any(t[2] in nouns for _, t in inside):
            return True
        ids = {n for n, _ in inside}
        return any(t[5] not in ids and p.tokens[t[5]][2] in nouns for _, t in inside)

    def entry_date(self, p: Passage, a: int, wanted: frozenset[str]) -> bool:
        """The span is the date a chronology entry opens with, and the entry says one of the `wanted` lemmas:
        the date of the event the entry records ("Dec. 20, 2023: … release a joint statement")."""
        return p.kind == "chronology" and a <= p.char_start + 1 and bool(wanted & self.lemmas(p, p.char_start,
                                                                                             p.char_end))

    def bound_to(self, q: Question, source: str, floor: int, start: int) -> bool:
        """A "who" question that ties the person to a party ("Who signed the accord for the State of Florida?",
        "… on behalf of Latvia?") is met by a name whose own title names that party ("Secretary of the State of
        Florida Cord Byrd"), not by a co-signer's."""
        m = _FOR_PARTY.search(q.text)
        if q.answer_type != "person" or not m:
            return False
        party = salient_terms(m["party"])
        if not party:
            return False
        zone = source[max(floor, start - 100) : start]
        cuts = list(_TITLE_START.finditer(zone))
        if cuts:
            zone = zone[cuts[-1].end() :]
        return len(party & terms(zone)) / len(party) >= HEADED_SHARE

    def names_role_head(self, q: Question, source: str, floor: int, start: int) -> bool:
        """A role verb asked about ("Who runs Google?") met by the title before a name: a head title and what
        the question says is headed ("Google President and CEO Sundar Pichai"), or by an apposition right after
        the name ("General Marco Rivas, commander of the Peruvian Army,")."""
        if not q.headed:  # what "who runs / is in charge of / is the head of X" says is headed (rag/roles.py)
            return False
        # An acronym in parentheses inside a title ("Commander of the … Armed Forces (TNI) General") is no cut.
        zone = _PARENTHESIS.sub(" ", source[max(floor, start - 100) : start])
        cuts = list(_ZONE_START.finditer(zone))
        if cuts:
            zone = zone[cuts[-1].end() :]
        after = _APPOSITION.match(source, start)
        return _heads(q.headed, zone) or (after is not None and _heads(q.headed, after["title"]))

    def states_cause(self, p: Passage, source: str, a: int, b: int) -> bool:
        """The sentence states a reason or a purpose: a marker ("because", "so as to", a parenthesis) or a
        verb clause of purpose ("began early to thwart protests": an adverbial clause opened by "to")."""
        if _CAUSE.search(source, a, b):
            return True
        inside = self.tokens(p, a, b)
        for _n, t in inside:
            if t[2] == "to" and t[4] == "aux":
                head = p.tokens[t[5]]
                if head[4] in ("advcl", "xcomp") and head[3] == "VERB":
                    return True
        return False

    def root(self, p: Passage, a: int, b: int) -> int | None:
        """Where the main verb of the sentence [a, b) starts (the root of its parse), or None."""
        return next((t[0] for _, t in self.tokens(p, a, b) if t[4] == "ROOT"), None)

    def has_role(self, p: Passage, a: int, b: int, noun: str) -> bool:
        """A subject or object of the sentence is a `noun` (the X of "which X"), by lemma."""
        wanted = self.lemma(noun)
        return any(t[2] == wanted and t[4] in _SUBJECT_OR_OBJECT for _, t in self.tokens(p, a, b))
