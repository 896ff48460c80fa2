"""What a question binds its answer to, read once, and the one place every answer is checked against it.

A question's constraints are fields of `Constraints` (on `Question.limits`): the documents the reader chose,
the people, offices, organizations, places and nationalities it names, what it excludes ("but not Tokyo",
"other than Blinken"), and the grain of the answer it wants (a city, not a country). Its period stays
`Question.period`. Names are read by matching the question against the index's alias table
(rag/aliases.py) and its capitalised spans, so answering never loads spaCy.

`admit` keeps the evidence sentences that meet the constraints (a typed short answer is then chosen only
among them); `check` looks at a finished answer of any kind — extract, short answer, dated list, count,
first/last, anchored period — and returns the `Unmet` constraint that forbids showing it, or None.

Example:
    >>> from rag.aliases import Aliases
    >>> from rag.question import analyze
    >>> q = read(analyze("Which entries concern the Quad but not Tokyo?"), Aliases())
    >>> q.subject, q.limits.exclusions
    ('Quad', ('Tokyo',))
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Literal
from weakref import WeakKeyDictionary

from rag.aliases import Aliases
from rag.bodies import Body, bodies_in, instances, named
from rag.demonyms import adjectival, place_of
from rag.index import Index
from rag.kinds import asked_kind, offices_of, title_zones
from rag.question import Question, salient_terms, topic_names
from rag.schema import Answer, Passage
from rag.spelling import spellings

if TYPE_CHECKING:
    from rag.evidence import Sentence

__all__ = ["ConstraintKind", "Constraints", "Unmet", "admit", "check", "dated", "read"]

ConstraintKind = Literal["period", "document", "name", "office", "negation", "grain"]
Grain = Literal["city", "country", "company", "year", ""]

#: "but not Tokyo", "other than Blinken", "except the Quad", "outside Tokyo", "excluding China".
_EXCLUSION = re.compile(
    r"[,\s]*\b(?:but\s+not|and\s+not|not|except(?:\s+for)?|other\s+than|besides|apart\s+from|outside(?:\s+of)?|"
    r"excluding)\s+(?:the\s+|a\s+)?(?P<x>[A-Z][\w’'.-]*(?:\s+(?:of\s+)?[A-Z][\w’'.-]*)*)",
)
#: An office a question names: "the president of Mexico", "Mexico's president", "the prime minister".
_OFFICE_WORDS = (r"(?:(?:prime|foreign|defen[cs]e|trade|finance|deputy|vice|chief|special)\s+)?"
                 r"(?:minister|president|secretary|ambassador|governor|premier|chancellor|king|queen|emperor|"
                 r"mayor|envoy|representative|commander)")
_OFFICE = re.compile(
    rf"\b(?:(?P<owner>[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*)*)[’']s\s+)?(?P<office>{_OFFICE_WORDS})\b"
    r"(?:\s+(?:of|for)\s+(?:the\s+)?(?P<of>[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*)*))?",
    re.IGNORECASE,
)
#: Organization names of government bodies, not companies ("which company" never answers with a ministry).
_GOVERNMENT = re.compile(
    r"\b(?:Ministry|Department|Agency|Government|Cabinet|Diet|Parliament|Congress|Senate|Council|Command|"
    r"Forces|Navy|Army|Air Force|Commission|Bureau|Office|Administration|Embassy|Self-Defense|State)\b")
_CAPITAL = re.compile(r"[A-Z]")
#: Words of titles and offices: "Gen. Paul LaCamera" is checked as "Paul LaCamera"; "US Commerce Secretary" is
#: an office, not a name.
_TITLES = frozenset(re.findall(r"\w+", (
    "gen general adm admiral president vice prime minister secretary ambassador governor gov mayor senator sen "
    "rep representative speaker premier chancellor commander chief director chairman chair mr ms mrs dr prof "
    "professor king queen emperor prince princess lt col envoy adviser advisor special deputy under "
    "undersecretary foreign defense defence trade commerce state ceo cfo coo mp mep pm fm")))


@dataclass(frozen=True)
class Constraints:
    """What a question binds its answer to, besides its period (`Question.period`) and answer type."""

    #: Documents the reader chose (the Documents filter, `--doc`); empty means all.
    documents: tuple[str, ...] = ()
    #: The reader's own filters as a test on a passage (`Filters.admits`); None admits every passage.
    scope: Callable[[Passage], bool] | None = None
    people: tuple[str, ...] = ()
    #: Offices as worded ("the president of Mexico").
    offices: tuple[str, ...] = ()
    organizations: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    nationalities: tuple[str, ...] = ()
    #: Capitalised names of no known kind (the briefing never uses them, and no gazetteer knows them).
    others: tuple[str, ...] = ()
    #: Adjectives of place whose place no one knows ("the Atlantean fleet"): no constraint by themselves.
    unplaced: tuple[str, ...] = ()
    #: Bodies named in common nouns ("Japan's central bank", "the parliament's budget committee"): the briefing
    #: must name them (rag/bodies.py), else the answer abstains naming the body.
    bodies: tuple[Body, ...] = ()
    #: Capitals that stand for their country in the question ("What did Washington announce?"), with the
    #: country: the evidence may name either.
    actors: tuple[tuple[str, str], ...] = ()
    #: Names the answer must not carry ("but not Tokyo").
    exclusions: tuple[str, ...] = ()
    grain: Grain = ""
    #: For "Who is the governor of …?": the office's head word; a person answer must bear that title in its
    #: sentence ("Governor X", "X, the governor"). Empty: no such check.
    title: str = ""

    def to_dict(self) -> dict[str, object]:
        return {"documents": list(self.documents), "people": list(self.people), "offices": list(self.offices),
                "organizations": list(self.organizations), "places": list(self.places),
                "nationalities": list(self.nationalities), "others": list(self.others),
                "unplaced": list(self.unplaced),
                "exclusions": list(self.exclusions), "grain": self.grain, "title": self.title,
                "bodies": [b.phrase for b in self.bodies], "actors": dict(self.actors)}

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the evidence must carry."""
        return self.people + self.organizations + self.places + self.nationalities + self.others

    def kinds(self, period: bool) -> tuple[ConstraintKind, ...]:
        """The kinds of constraint present, for the eval's per-kind table."""
        out: list[ConstraintKind] = []
        if period:
            out.append("period")
        if self.documents:
            out.append("document")
        if self.names or self.bodies:
            out.append("name")
        if self.offices:
            out.append("office")
        if self.exclusions:
            out.append("negation")
        if self.grain:
            out.append("grain")
        return tuple(out)


@dataclass(frozen=True)
class Unmet:
    """A constraint an answer cannot meet: its kind, what was asked (as worded) and the sentence that says so."""

    kind: ConstraintKind
    what: str
    message: str
    #: Entries to show instead, each with a note ("before the period"), for an unmet period.
    nearest: tuple[tuple[Passage, str], ...] = ()


# ---------------------------------------------------------------------------------------------------- reading


def _kind_of(name: str, aliases: Aliases) -> str:
    found = aliases.type_of(name)
    if found == "group":
        return "nationality"
    if found:
        return found
    return "place" if aliases.grain_of(name) else "other"


def _grain(q: Question) -> Grain:
    head = q.focus.split()[-1].lower() if q.focus else ""
    if head in ("city", "cities", "town", "capital"):
        return "city"
    if head in ("country", "countries", "nation", "nations"):
        return "country"
    if head in ("company", "companies", "firm", "firms", "manufacturer"):
        return "company"
    if head in ("year", "years") and q.answer_type == "date":
        return "year"
    return ""


def read(q: Question, aliases: Aliases, documents: Sequence[str] = (),
         scope: Callable[[Passage], bool] | None = None) -> Question:
    """`q` with its constraints read (`Question.limits`) and its exclusions taken out of its subject and names.

    Example:
        >>> from rag.question import analyze
        >>> read(analyze("Where did Kishida meet the president of Mexico?"), Aliases()).limits.offices
        ('the president of Mexico',)
    """
    text = q.text
    exclusions = tuple(dict.fromkeys(m["x"].strip(" .") for m in _EXCLUSION.finditer(text)))
    cut = _EXCLUSION.sub(" ", text) if exclusions else text
    subject = _EXCLUSION.sub("", q.subject).strip(" ,") if exclusions else q.subject
    offices: list[str] = []
    asked_role = q.role.lower() if q.role else ""
    for m in _OFFICE.finditer(cut):
        if asked_role and m["office"].lower() in asked_role:
            continue  # "Who was Korea's special representative": the office is what is asked, not a condition
        owner = m["of"] or m["owner"]
        if owner:  # "the president of Mexico"; a bare office ("the prime minister") is a name the table knows
            offices.append(f"the {m['office'].lower()} of {owner}")
    body = re.sub(r"^\W*\w+", "", cut)  # past the question word
    for phrase in (q.period.phrase if q.period else "", q.anchor.phrase if q.anchor else ""):
        if phrase:  # whole words only: the period "Nov" is not the start of "Novak"
            body = re.sub(rf"(?<!\w){re.escape(phrase)}(?!\w)", " ", body)
    found: dict[str, list[str]] = {"person": [], "organization": [], "place": [], "nationality": [], "other": []}
    for name in topic_names(body):
        words = name.split()
        while words and words[0].strip(".").lower() in _TITLES:
            words = words[1:]
        name = " ".join(words)
        if not name or not _CAPITAL.match(name) or words[-1].strip(".").lower() in _TITLES:
            continue  # "US Commerce Secretary": an office, checked as one
        found[_kind_of(name, aliases)].append(name)
    # "the Californian delegation" where the briefing says "California": the adjective stands for its place
    # (rag/demonyms.py); an adjective of a place no one knows binds nothing by itself.
    placed: list[tuple[str, str]] = []
    described: list[tuple[str, str]] = []  # "Which Bavarian city …": the place describes the answer
    unplaced: list[str] = []
    for name in list(found["other"]):
        place = place_of(name, lambda p: _in_briefing(aliases, p), lambda p: _named(aliases, p),
                         lambda p: _in_gazetteer(aliases, p))
        if place is not None and q.wh in ("which", "what") and _named(aliases, place) and re.search(
                rf"(?<!\w){re.escape(name)}(?!\w)", q.focus):
            found["other"].remove(name)  # the answer lies in Bavaria; its sentence need not say so
            described.append((name, place))
        elif place is not None:
            found["other"].remove(name)
            found["place"].append(place)
            placed.append((name, place))
        elif (adjectival(name) and _attributive(cut, name)) or (adjectival(name, loose=True) and _attributive(
                cut, name, determined=True)):
            found["other"].remove(name)
            unplaced.append(name)
    actors = tuple((n, c) for n in found["place"] + found["other"] if (c := aliases.country_meant(cut, n)) is not None)
    drop = salient_terms(" ".join(exclusions))
    # "Which committee …" asks for a committee: the body asked for binds nothing.
    bodies = bodies_in(cut, skip=q.focus if q.wh in ("which", "what") else "")
    # The office asked for binds a title ("Who is the governor of …?"); a head asked for ("Who heads the Prime
    # Minister's Office?") is met by any head title (rag/reading.py), not by the office words inside its name.
    asked_office = _OFFICE.search(q.role) if q.role and q.answer_type == "person" and not q.headed else None
    limits = Constraints(
        documents=tuple(documents), scope=scope, people=tuple(found["person"]), offices=tuple(offices),
        organizations=tuple(found["organization"]), places=tuple(found["place"]),
        nationalities=tuple(found["nationality"]), others=tuple(found["other"]), unplaced=tuple(unplaced),
        bodies=bodies, actors=actors,
        exclusions=exclusions,
        grain=_grain(q), title=asked_office["office"].lower().split()[-1] if asked_office else "",
    )
    q = _as_bodies(_as_places(_as_countries(q, actors), placed, unplaced, described), bodies, aliases)
    if not exclusions:
        return replace(q, limits=limits)
    return replace(q, limits=limits, subject=subject,
                   topic_names=tuple(n for n in q.topic_names if n not in exclusions and not _within(n, exclusions)),
                   names=tuple(n for n in q.names if not _within(n, exclusions)),
                   topic=q.topic - drop, must=(q.must - drop) or q.must)


def _as_countries(q: Question, actors: tuple[tuple[str, str], ...]) -> Question:
    """`q` with each capital that acts for its country read as the country where evidence is scored: its topic
    words and the names it gives ("What did Tokyo decide?" is scored like "What did Japan decide?")."""
    if not actors:
        return q
    capital_terms = salient_terms(" ".join(c for c, _ in actors))
    country_terms = salient_terms(" ".join(k for _, k in actors))
    swap = dict(actors)
    return replace(q, names=tuple(swap.get(n, n) for n in q.names),
                   topic_names=tuple(swap.get(n, n) for n in q.topic_names),
                   topic=(q.topic - capital_terms) | country_terms, must=(q.must - capital_terms) | country_terms)


def _in_briefing(aliases: Aliases, name: str) -> bool:
    """The briefing names `name` as a place or a people (its alias table)."""
    return aliases.type_of(name) in ("place", "group") or name in aliases.grains


def _named(aliases: Aliases, name: str) -> bool:
    """The briefing uses `name` as a name of any kind (the tagger may call a place a person: "Okinawa")."""
    return aliases.type_of(name) is not None


def _in_gazetteer(aliases: Aliases, name: str) -> bool:
    """pycountry knows `name` as a country. (A state or region the briefing never names binds nothing: a
    briefing may name "Honolulu" and never "Hawaii", so "the Hawaiian city" is no reason to refuse.)"""
    return aliases.grain_of(name) == "country"


def _attributive(text: str, word: str, determined: bool = False) -> bool:
    """`word` is used as an adjective or a demonym: before a lower-case word ("the Iberian ports") or in the
    plural ("the Scandinavians"); `determined`: after an article too ("the Okinawan governor", not "Morgan said")."""
    article = r"\b(?i:the|a|an)\s+" if determined else ""
    if word.endswith("s") and not determined:
        return True
    return re.search(rf"{article}(?<!\w){re.escape(word)}\s+[a-z]", text) is not None


def _as_places(q: Question, placed: list[tuple[str, str]], unplaced: list[str],
               described: Sequence[tuple[str, str]] = ()) -> Question:
    """`q` with each adjective of place read as its place ("Californian" as "California") where evidence is
    scored, and adjectives of unknown places (or of the place that describes what is asked, "Which Bavarian
    city") kept out of the names an answer must carry."""
    if not placed and not unplaced and not described:
        return q
    swap = dict(placed)
    dropped = set(unplaced) | {a for a, _ in described}
    adjective_terms = salient_terms(" ".join([a for a, _ in placed + list(described)] + unplaced))
    place_terms = salient_terms(" ".join(p for _, p in placed + list(described)))
    must = (q.must - adjective_terms) | place_terms
    return replace(q, names=tuple(swap.get(n, n) for n in q.names if n not in dropped),
                   topic_names=tuple(swap.get(n, n) for n in q.topic_names if n not in dropped),
                   topic=(q.topic - adjective_terms) | place_terms, must=must or q.must)


def _as_bodies(q: Question, bodies: tuple[Body, ...], aliases: Aliases) -> Question:
    """`q` with each body named in common nouns that the briefing calls by a proper name of its kind ("the
    parliament" → "the Storting", "the central bank" → "the Bank of Norway", rag/bodies.py) scored by that
    name's words: the sentence that says "The Storting approved …" carries what "the parliament" asks."""
    add: frozenset[str] = frozenset()
    drop: frozenset[str] = frozenset()
    for body in bodies:
        found = instances(body, aliases.types)
        if found:
            add |= salient_terms(" ".join(found))
            drop |= salient_terms(" ".join([*body.modifiers, body.head])) - add
    if not add:
        return q
    return replace(q, topic=(q.topic - drop) | add, must=((q.must - drop) | add) or q.must)


def _within(name: str, exclusions: tuple[str, ...]) -> bool:
    return any(name == x or x in name for x in exclusions)


# ---------------------------------------------------------------------------------------------------- checking


def dated(index: Index, p: Passage, start: int, end: int) -> list[tuple[date, date]]:
    """The days a sentence speaks of: a chronology entry's dates, else the date mentions in the sentence (or,
    failing those, the last one before it in its passage)."""
    if p.kind == "chronology" and p.date_start:
        return [(date.fromisoformat(p.date_start), date.fromisoformat(p.date_end or p.date_start))]
    source = index.source(p.doc)
    mentions = [(a, b) for a, b, t in p.entities if t == "date"]
    own = [(a, b) for a, b in mentions if start <= a and b <= end]
    if not own:
        own = [(a, b) for a, b in mentions if b <= start][-1:]
    out = []
    for a, b in own:
        found = index.dates.interpret(f"in {source[a:b]}")
        if found is not None:
            out.append((found.start, found.end))
    return out


#: A period said as an adverb ("on Oct. 26", "in November", "after Oct. 20") binds what happened; one that
#: qualifies a noun ("the October export controls", "the Dec. 19 call") only prefers the passages of its days.
_ADVERBIAL = re.compile(r"^(?:in|on|during|between|from|after|before|since|until|till|through|throughout|over|"
                        r"by|at|within|the\s+(?:day|week|month|days|weeks)|early|late|mid)\b", re.IGNORECASE)


def binds_period(q: Question) -> bool:
    """Whether the question's period binds its answer (else it only prefers passages of those days)."""
    period = q.period
    return period is not None and (period.relation != "in" or bool(_ADVERBIAL.match(period.phrase.strip())))


def _in_period(q: Question, index: Index, p: Passage, start: int, end: int) -> bool:
    period = q.period
    if period is None:
        return True
    if period.start <= index.dates.corpus_start and period.end >= index.dates.corpus_end:
        return True  # the whole briefing ("in 2023"): nothing to bind
    return any(period.overlaps(a, b) for a, b in dated(index, p, start, end))


def _words_of(name: str) -> list[str]:
    """The words a name is checked by: no titles, no possessive; "US-Japan-South Korea" by its parts."""
    words = [w.strip(".,’'").removesuffix("’s").removesuffix("'s") for w in re.split(r"[\s/-]+", name)]
    return [w for w in words if len(w) > 1 and w[0].isupper() and w.lower() not in _TITLES]


def _found(index: Index, name: str, text: str, actors: tuple[tuple[str, str], ...] = ()) -> bool:
    """`name` (under its aliases) is in `text`; a name of several words when most of its words are; a capital
    that stands for its country (`actors`) when either is."""
    if index.aliases.pattern(name).search(text):
        return True
    # spelled otherwise: "Defence Ministry" for "Defense Ministry", "Harbour Council" for "Harbor Council"
    if any(index.aliases.pattern(v).search(text) for v in _spelled_otherwise(name)):
        return True
    country = dict(actors).get(name)
    if country is not None and index.aliases.pattern(country).search(text):
        return True
    words = _words_of(name)
    if len(words) < 2 and (not words or words[0] == name):
        return False
    hits = sum(bool(index.aliases.pattern(w).search(text)) for w in words)
    return bool(words) and 2 * hits >= len(words) and hits > 0


@lru_cache(maxsize=4096)
def _spelled_otherwise(name: str) -> tuple[str, ...]:
    """`name` with each of its words in its other spellings (US/UK, hyphen; rag/spelling.py), capitalised as
    written; at most a few variants."""
    words = name.split()
    variants: list[str] = []
    for i, w in enumerate(words):
        for form in sorted(spellings(w) - {w.lower()}):
            if " " in form:
                continue
            spelled = form[:1].upper() + form[1:] if w[:1].isupper() else form
            variants.append(" ".join([*words[:i], spelled, *words[i + 1:]]))
    return tuple(variants[:8])


def _context(index: Index, p: Passage) -> str:
    """Where a passage's names are looked for: a chronology entry alone; an article passage with its whole
    section (a paragraph may say "the relocation" for the "Futenma relocation" named a paragraph before)."""
    if p.kind == "chronology":
        return p.text
    sections = _SECTIONS.get(index)
    if sections is None:  # every section's text, gathered in one pass over the index
        parts: dict[tuple[str, str], list[str]] = {}
        c = index.columns  # a passage's text is its source's span: no passage is decoded
        for pos in (~c.chronology).nonzero()[0].tolist():
            doc, section = c.doc_of(pos), c.section_of(pos)
            parts.setdefault((doc, section), [section]).append(index.source(doc)[c.char_start[pos]:c.char_end[pos]])
        sections = _SECTIONS[index] = {key: "\n".join(texts) for key, texts in parts.items()}
    return sections.get((p.doc, p.section), p.text)


_SECTIONS: WeakKeyDictionary[Index, dict[tuple[str, str], str]] = WeakKeyDictionary()


def _names_in(index: Index, p: Passage, names: tuple[str, ...], actors: tuple[tuple[str, str], ...] = ()) -> list[str]:
    """The names of `names` that the passage (in its context) does not carry."""
    text = _context(index, p)
    return [n for n in names if not _found(index, n, text, actors)]


def _mentions(index: Index, name: str, actors: tuple[tuple[str, str], ...] = ()) -> bool:
    """The briefing uses `name` somewhere (a name its entity spans hold, or found in its text)."""
    if index.aliases.type_of(name) is not None:
        return True
    return any(_found(index, name, text, actors) for text in index.sources.values())


def _missing_body(q: Question, index: Index) -> Unmet | None:
    """The first body the question names in common nouns that the briefing never names, as an `Unmet`."""
    limits = q.limits or Constraints()
    for body in limits.bodies:
        owner = index.aliases.pattern(body.owner) if body.owner else None

        def owner_found(piece: str, found: re.Pattern[str] | None = owner) -> bool:
            return found is not None and found.search(piece) is not None

        if not named(body, index.sources.values(), owner_found=owner_found):
            return Unmet("name", body.phrase, f"The briefing doesn't say: it never mentions {body.phrase}.")
    return None


def _office_missing(index: Index, office: str) -> str | None:
    """The owner of "the president of Mexico" when the briefing never mentions it."""
    owner = office.rsplit(" of ", 1)[-1]
    return owner if not _mentions(index, owner) else None


#: Titles as briefings abbreviate them before a name.
_ABBREVIATED = {"governor": "Gov.", "general": "Gen.", "senator": "Sen.", "representative": "Rep.",
                "ambassador": "Amb.", "admiral": "Adm."}


def _titled(title: str, source: str, a: int, b: int, start: int, end: int) -> bool:
    """The candidate at source[a:b] bears `title` next to it in its sentence (before it, or just after it)."""
    if not title:
        return True
    words = [re.escape(title)] + ([re.escape(_ABBREVIATED[title])] if title in _ABBREVIATED else [])
    near = source[max(start, a - 100) : a] + " " + source[b : min(end, b + 60)]
    return re.search(rf"\b(?:{'|'.join(words)})", near, re.IGNORECASE) is not None


def _grain_ok(grain: Grain, aliases: Aliases, candidate: str) -> bool:
    if not grain:
        return True
    if grain in ("city", "country"):
        known = aliases.grain_of(candidate)
        return not known or known == grain
    if grain == "year":  # "In which year …": a date that names its year, not "Nov. 16"
        return re.search(r"\b(?:1[89]|20)\d\d\b", candidate) is not None
    return not _GOVERNMENT.search(candidate) if grain == "company" else True


def admit(q: Question, sentences: list[Sentence], index: Index) -> tuple[list[Sentence], Unmet | None]:
    """The sentences that meet every constraint (candidates of the wrong grain or excluded dropped), and the
    constraint that left none, when none is left."""
    limits = q.limits or Constraints()
    if not sentences:
        return sentences, None
    missing = [n for n in limits.names if not _mentions(index, n, limits.actors)]
    for office in limits.offices:
        owner = _office_missing(index, office)
        if owner:
            return [], Unmet("office", office,
                             f"The briefing doesn't say: it never mentions {owner}, so it names no {office[4:]}.")
    if missing:
        return [], Unmet("name", missing[0], f"The briefing doesn't say: it never mentions {missing[0]}.")
    body = _missing_body(q, index)
    if body is not None:
        return [], body
    full: list[Sentence] = []
    # Passages that carry some of the names (together they may carry all), or lie outside a period that only
    # qualifies a noun: used when no passage meets everything.
    partial: list[Sentence] = []
    strict = binds_period(q)
    had_candidates = False
    reasons: dict[ConstraintKind, str] = {}
    source_of = index.source
    kind = asked_kind(q)  # "Which military commanders …": a person whose title is of another kind is no answer
    for s in sentences:
        p = s.passage
        if limits.scope is not None and not limits.scope(p):
            reasons.setdefault("document", "")
            continue
        lacking = _names_in(index, p, limits.names, limits.actors)
        if lacking and len(lacking) == len(limits.names):
            reasons.setdefault("name", lacking[0])
            continue
        if not _in_period(q, index, p, s.start, s.end):
            reasons.setdefault("period", "")
            if strict:
                continue
            lacking = lacking or ["(period)"]  # "the October export controls": a period that only prefers
        if limits.exclusions and not q.typed and any(_names_in(index, p, (x,)) == [] for x in limits.exclusions):
            reasons.setdefault("negation", limits.exclusions[0])
            continue
        candidates = tuple(
            c for c in s.candidates
            if _grain_ok(limits.grain, index.aliases, source_of(p.doc)[c[0]:c[1]])
            and _titled(limits.title, source_of(p.doc), c[0], c[1], s.start, s.end)
            and not any(index.aliases.pattern(x).search(source_of(p.doc)[c[0]:c[1]]) for x in limits.exclusions)
            and (kind is None or c[2] != "person" or (
                kind.judge(title_zones(p, [(c[0], c[1])])[0]
                           or offices_of(index.aliases.offices, source_of(p.doc)[c[0]:c[1]])) is not False
                and not any(index.aliases.pattern(n).search(source_of(p.doc)[c[0]:c[1]]) for n in limits.people)))
        )
        kept = s if candidates == s.candidates else replace(s, candidates=candidates)
        had_candidates = had_candidates or bool(s.candidates)
        (partial if lacking else full).append(kept)
    out = full or partial
    if out and q.typed and limits.grain and had_candidates and not any(s.candidates for s in out):
        # Candidates there were, none of the grain asked ("Which city …" where the briefing names a country).
        return [], Unmet("grain", limits.grain,
                         f"The briefing doesn't say: where it names {_a(q.answer_type)}, it names no {limits.grain} "
                         "that answers this.")
    if out:
        return out, None
    return [], _unmet(q, reasons, index)


def _unmet(q: Question, reasons: dict[ConstraintKind, str], index: Index) -> Unmet:
    """The constraint that left no sentence: the most telling one (a sentence that failed only on its period
    says more than one that lacks a name)."""
    limits = q.limits or Constraints()
    if "period" in reasons and q.period is not None:
        return _unmet_period(q, index)
    if "negation" in reasons:
        return Unmet("negation", reasons["negation"],
                     f"The briefing doesn't say: every passage about this names {reasons['negation']}.")
    if "name" in reasons:
        others = [n for n in limits.names if n != reasons["name"]]
        together = f" together with {_join(others)}" if others else ""
        return Unmet("name", reasons["name"],
                     f"The briefing doesn't say: no passage about this names {reasons['name']}{together}.")
    return Unmet("document", ", ".join(limits.documents),
                 "The briefing doesn't say: nothing in the chosen documents answers this.")


def _unmet_period(q: Question, index: Index) -> Unmet:
    """Nothing about the question in its period: say so, with the nearest entries about it outside the period."""
    from rag.chronology import Chronology

    assert q.period is not None
    limits = q.limits or Constraints()
    chronology = Chronology.of(index)
    # named first, in the entries' texts (nothing decoded), then scoped: the few found, not the whole library
    scope = limits.scope
    about = [p for p in chronology.naming(limits.names) if scope is None or scope(p)] if limits.names else []
    before, after = chronology.nearest(q.period, among=about) if about else ([], [])
    what = f" about {_join(limits.names)}" if limits.names else ""
    message = f"The briefing doesn't say: it has nothing{what} for {q.period.label()}."
    nearest = tuple((p, "before the period") for p in before) + tuple((p, "after the period") for p in after)
    return Unmet("period", q.period.label(), message, nearest)


def _a(noun: str) -> str:
    """The noun with its indefinite article: "a person", "an organization"."""
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def _join(names: Sequence[str]) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def check(q: Question, answer: Answer, index: Index) -> Unmet | None:
    """The constraint a finished answer breaks, or None: the last gate before any answer is shown.

    Every cited passage must lie in the chosen documents; the entries of a list (and the one of a first/last
    or count answer) must lie in the question's period and carry none of its exclusions; an extract's lead
    passage must carry the question's names.
    """
    if answer.abstained or q is None:
        return None
    limits = q.limits or Constraints()
    body = _missing_body(q, index)  # "Japan's central bank" where the briefing names none: no answer of any kind
    if body is not None:
        return body
    for c in answer.citations:
        if limits.scope is not None and not limits.scope(c.passage):
            return Unmet("document", c.passage.doc,
                         f"The briefing doesn't say: only {c.passage.doc}, which is not among the chosen "
                         "documents, answers this.")
    if answer.kind == "timeline":
        numbers = {i.n for i in answer.items}  # the listed entries (an anchoring event is cited, not listed)
        read_as = answer.analysis or q  # an anchored or "between" period is the one the timeline dated
        for p in (c.passage for c in answer.citations if c.n in numbers):
            if read_as.period is not None and not _in_period(read_as, index, p, p.char_start, p.char_end):
                return _unmet_period(read_as, index)
            if any(not _names_in(index, p, (x,)) for x in limits.exclusions):
                return Unmet("negation", limits.exclusions[0],
                             f"The briefing doesn't say: its entries about this all name {limits.exclusions[0]}.")
        return None
    if answer.citations and answer.kind == "extract":
        first = answer.citations[0]
        if binds_period(q) and first.passage.kind == "chronology" and not _in_period(
                q, index, first.passage, first.highlight_start, first.highlight_end):
            return _unmet_period(q, index)
        # The names must be where the answer is: in passages that carry the short answer, when there is one
        # ("Kishida meets Gen. Brown" and "Kamikawa meets Gen. Brown" answer "Whom did Kishida and Kamikawa meet?").
        cited = [c for c in answer.citations
                 if c is first or not answer.short_answer or answer.short_answer in c.passage.text]
        lacking = [n for n in limits.names if all(_names_in(index, c.passage, (n,), limits.actors) for c in cited)]
        if lacking:
            others = [n for n in limits.names if n not in lacking]
            together = f" together with {_join(others)}" if others else ""
            return Unmet("name", lacking[0],
                         f"The briefing doesn't say: no passage about this names {lacking[0]}{together}.")
    return None

