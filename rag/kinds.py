"""Kinds of person a question names ("Which US military commanders did X meet?", "Which ministers …", "Which
business leaders …") and whether a chronology entry's person is one: by the title the briefing puts before the
name ("Commander of the US Sixth Fleet Vice Admiral Thomas Reed", "Nordlys Energy CEO Kari Dahl") or right after
it ("Mark Keller, commander of US Army Europe").

The kinds are a small table of English titles (military ranks and commands, ministers, secretaries, company
executives, diplomats, lawmakers, governors, mayors), the same on any briefing; a noun of no kind ("officials",
"people", "leaders") restricts nothing. A field word before "ministers" ("foreign ministers") must be in the
title too.

Example:
    >>> kind = person_kind("US military commanders")
    >>> kind.titled("Commander of the US Sixth Fleet Vice Admiral"), kind.titled("Nordlys Energy CEO")
    (True, False)
    >>> person_kind("officials") is None
    True
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rag.schema import Passage
from rag.spelling import canonical

if TYPE_CHECKING:
    from rag.question import Question

__all__ = ["PersonKind", "asked_kind", "of_kind", "offices_of", "person_kind", "title_zones"]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_MILITARY = _words("commander commanders general gen admiral adm colonel col lieutenant lt major maj captain capt "
                   "commodore brigadier marshal sergeant sgt commandant")
_BUSINESS = _words("ceo ceos executive executives chairman chairwoman chairperson founder cofounder co-founder "
                   "cfo coo cto managing md")
_DIPLOMAT = _words("ambassador amb envoy consul consul-general chargé charge diplomat emissary")
_LEGISLATOR = _words("senator sen rep congressman congresswoman congressmember lawmaker legislator mp "
                     "parliamentarian speaker councillor councilor assemblyman assemblywoman")
#: Civil offices that contain a military word ("Attorney General", "Secretary-General"): not of a military kind.
_CIVIL = re.compile(r"\b(?:attorney|secretary|director|consul|solicitor|surgeon|inspector|auditor|procurator|"
                    r"postmaster|governor)[- ]general\b", re.IGNORECASE)
#: A head noun of a kind of person → the title words that make someone one.
_HEADS: dict[str, frozenset[str]] = {
    "commander": _MILITARY, "general": _words("general gen"), "admiral": _words("admiral adm"),
    "officer": _MILITARY, "soldier": _MILITARY, "minister": _words("minister"), "secretary": _words("secretary"),
    "ceo": _BUSINESS, "executive": _BUSINESS, "businessman": _BUSINESS, "businesswoman": _BUSINESS,
    "ambassador": _words("ambassador amb"), "diplomat": _DIPLOMAT, "envoy": _DIPLOMAT,
    "lawmaker": _LEGISLATOR, "legislator": _LEGISLATOR, "senator": _words("senator sen"),
    "congressman": _LEGISLATOR, "parliamentarian": _LEGISLATOR, "governor": _words("governor gov"),
    "mayor": _words("mayor"),
}
#: A modifier that makes a generic noun a kind ("military leaders", "business leaders", "company heads").
_MODIFIERS: dict[str, frozenset[str]] = {"military": _MILITARY, "army": _MILITARY, "naval": _MILITARY,
                                          "navy": _MILITARY, "business": _BUSINESS,
                                          "company": _BUSINESS, "corporate": _BUSINESS, "industry": _BUSINESS}
#: Generic nouns a modifier of `_MODIFIERS` makes a kind of.
_GENERIC = _words("leader leaders official officials head heads figure figures chief chiefs people person "
                  "representative representatives")
#: Field words that narrow an office ("foreign ministers", "defense secretaries") and must be in the title.
_FIELDS = _words("foreign defense defence finance trade economy economic commerce energy environment interior "
                 "home justice health education transport agriculture fisheries labor labour state treasury prime")
#: Every title word: where a title before a name may run on through "and" ("President and CEO").
_TITLE_WORDS = frozenset().union(*_HEADS.values(), *_MODIFIERS.values()) | _words(
    "president vice prime minister secretary deputy special chief head director chair governor mayor "
    "representative civiloffice")
_JOINING = _words("of the for on and to de")
_BOUNDARY = re.compile(r"[,;:()“”\"]")
_WORD = re.compile(r"[\w.’'-]+")
_PARENTHESIS = re.compile(r"\([^()]{0,40}\)")


def _singular(word: str) -> str:
    w = word.lower().strip(".")
    if w.endswith("ies"):
        return w[:-3] + "y"
    if w.endswith("s") and not w.endswith("ss") and len(w) > 3:
        return w[:-1]
    return w


@dataclass(frozen=True)
class PersonKind:
    """A kind of person: the title words that make someone one, and field words the title must carry too."""

    noun: str
    titles: frozenset[str]
    fields: tuple[str, ...] = ()

    def titled(self, zone: str) -> bool:
        """The title `zone` makes its bearer one of this kind."""
        return self.judge(zone) is True

    def judge(self, zone: str) -> bool | None:
        """True when the title `zone` makes its bearer one of this kind, False when it is a title of another
        kind ("Finance Minister" for "commanders"), None when it holds no title word at all (a bare name)."""
        words = [w.lower().strip(".") for w in _WORD.findall(_CIVIL.sub(" civiloffice ", zone))]
        have = set(words) | {_singular(w) for w in words}
        if have & self.titles:
            spelled = {canonical(w) for w in have}
            return all(canonical(f) in spelled for f in self.fields)
        return False if have & _TITLE_WORDS else None


def person_kind(focus: str) -> PersonKind | None:
    """The kind of person a "which X" question's noun phrase names ("US military commanders", "foreign
    ministers", "business leaders", "CEOs"), or None for a noun of no kind ("officials", "people")."""
    words = _WORD.findall(focus)
    if not words:
        return None
    head = _singular(words[-1])
    modifiers = [w.lower() for w in words[:-1] if w[:1].islower()]
    titles = _HEADS.get(head)
    if titles is None and words[-1].lower() in _GENERIC:
        titles = next((_MODIFIERS[m] for m in modifiers if m in _MODIFIERS), None)
    if titles is None:
        return None
    fields = tuple(m for m in modifiers if m in _FIELDS and head in ("minister", "secretary"))
    return PersonKind(words[-1], titles, fields)


def title_zones(p: Passage, spans: Sequence[tuple[int, int]]) -> list[str]:
    """For each name at `spans` (absolute offsets) in the entry `p`, its title: the words right before it back
    to a comma, a colon, another person's name or a word that is neither capitalised nor part of a title ("Berg
    meets with | Commander of the US Sixth Fleet Vice Admiral", "President and CEO"), and an apposition right
    after it (", commander of US Army Europe,")."""
    names = [b - p.char_start for a, b, t in p.entities if t == "person"]
    return _zones(p.text, [(a - p.char_start, b - p.char_start) for a, b in spans], names)


def _zones(text: str, spans: Sequence[tuple[int, int]], names: Sequence[int] = ()) -> list[str]:
    """`title_zones` over plain text; `names` are where other people's names end (a title stops there:
    "Prime Minister Nils Berg and | Commander …")."""
    out: list[str] = []
    for start, end in spans:
        # an acronym in parentheses inside a title ("… Interchange (CULCON) Kenichiro Sasae") is no cut
        before = _PARENTHESIS.sub(lambda m: " " * len(m.group()), text[:start])
        cut = max([m.end() for m in _BOUNDARY.finditer(before)] + [n for n in names if n <= start], default=0)
        words = list(_WORD.finditer(before, cut))
        keep = len(words)
        for i in range(len(words) - 1, -1, -1):
            w = words[i].group()
            low = w.lower().strip(".")
            if not (w[:1].isupper() or low in _JOINING or low in _TITLE_WORDS):
                break
            keep = i
        zone = before[words[keep].start():] if keep < len(words) else ""
        after = re.match(r",\s+(?P<title>[^,;.()]{1,60})", text[end:])
        if after and after["title"][:1].islower():
            zone += " " + after["title"]
        out.append(zone.strip())
    return out


def asked_kind(q: Question) -> PersonKind | None:
    """The kind of person a "which / what X" question asks for, or None."""
    if q.answer_type != "person" or q.wh not in ("which", "what") or not q.focus:
        return None
    return person_kind(q.focus)


def _without_asked(p: Passage, asked: Sequence[re.Pattern[str]]) -> str:
    """The entry's text past its date, without the names asked about and their titles."""
    text = re.sub(r"^[^:]*:\s*", "", p.text)
    spans = [(m.start(), m.end()) for r in asked for m in r.finditer(text)]
    for (s, e), zone in sorted(zip(spans, _zones(text, spans, [e for _, e in spans])), reverse=True):
        text = text[: max(0, s - len(zone) - 1)] + " " + text[e:]
    return text


def offices_of(offices: Mapping[str, Sequence[str]], name: str) -> str:
    """The offices the briefing gives a person elsewhere (the alias table's "secretary" → ("Blinken",)), as one
    title: a bare name ("Kishida meets with Blinken") is judged by them."""
    last = name.split()[-1] if name.split() else ""
    return " ".join(o for o, holders in offices.items() if any(h.split()[-1:] == [last] for h in holders))


def of_kind(q: Question, entries: list[Passage], asked: Sequence[re.Pattern[str]],
            offices: Mapping[str, Sequence[str]] | None = None) -> list[Passage]:
    """The entries that name a person of the kind a "which X" question asks for ("Which US military commanders
    did Berg meet in Oslo?" keeps "Commander … Vice Admiral Thomas Reed", not "Nordlys Energy CEO Kari Dahl"),
    by the title of each person the entry names besides those asked about (`asked`), or for a bare name by the
    offices the briefing gives it elsewhere (`offices`, the alias table's). A question of no kind keeps every
    entry."""
    kind = asked_kind(q)
    if kind is None:
        return entries
    kept: list[Passage] = []
    for p in entries:
        people = [(a, b) for a, b, t in p.entities if t == "person"
                  and not any(r.search(p.text[a - p.char_start:b - p.char_start]) for r in asked)]
        if not people:  # nobody else tagged ("… meets with US Trade Representative Tai"): the entry's own words,
            kept += [p] if kind.judge(_without_asked(p, asked)) is not False else []  # but not the asked's titles
            continue
        zones = title_zones(p, people)
        if offices:  # a bare name is judged by the offices the briefing gives it elsewhere
            zones = [z or offices_of(offices, p.text[a - p.char_start:b - p.char_start])
                     for z, (a, b) in zip(zones, people)]
        verdicts = [kind.judge(zone) for zone in zones]
        # Kept when someone bears a title of the kind, or nobody's title can be read (a bare name, or nobody
        # tagged: the entry is not judged); dropped when every title read is of another kind.
        if True in verdicts or False not in verdicts:
            kept.append(p)
    return kept
