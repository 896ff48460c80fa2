"""The chronology of an index as a table: its dated entries in date order, who or what each one names (people
under their surnames, countries and groups under their usual variants, offices by who holds them), and the
entries of a period or around it.
"""

from __future__ import annotations

import re
from datetime import date

from rag.dates import DateRange
from rag.index import Index
from rag.schema import Passage

__all__ = ["GROUPS", "Chronology", "day"]

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

def _literal(text: str) -> str:
    """`text` as a pattern in which straight and curly apostrophes match each other."""
    return re.sub(r"\\?['’]", "['’]", re.escape(text))


def day(iso: str | None, default: str) -> date:
    return date.fromisoformat(iso or default)


class Chronology:
    """The index's dated entries, in date order, and who or what each one names.

    Example:
        >>> chronology = Chronology(index)  # doctest: +SKIP
        >>> len(chronology.naming(("Park Jin",)))  # doctest: +SKIP
        5
    """

    def __init__(self, index: Index) -> None:
        self.entries = sorted((p for p in index.passages if p.kind == "chronology" and p.date_start),
                              key=lambda p: (p.date_start or "", p.char_start))
        # One-word person names the briefing uses alone ("Park", "Brown"): the words a longer name is known by.
        self.surnames: frozenset[str] = frozenset(
            word for p in index.passages for a, b, t in p.entities if t == "person"
            for word in [index.source(p.doc)[a:b].strip()] if word and " " not in word
        )
        self._patterns: dict[str, re.Pattern[str]] = {}
        # Who holds which office, as the briefing says it ("Prime Minister Kishida"): "the prime minister" in a
        # question then names them. An office held by two people in the period names either.
        self.offices: dict[str, set[str]] = {}
        for p in index.passages:
            source = index.source(p.doc)
            for a, b, t in p.entities:
                title = _OFFICE.search(source[max(p.char_start, a - 80):a]) if t == "person" else None
                if title:
                    office = " ".join(title.group(1).lower().split())
                    name = source[a:b]
                    known = [w for w in name.split() if w in self.surnames]  # "Kishida" of "Kishida Fumio"
                    self.offices.setdefault(office, set()).add(known[0] if known else name)
        for office, holders in self.offices.items():
            self._patterns[f"the {office}"] = re.compile(rf"\b(?:{'|'.join(map(re.escape, sorted(holders)))})\b")

    def office_in(self, text: str) -> str | None:
        """"the prime minister" (as a name `pattern` knows) when `text` asks about an office the briefing fills."""
        lowered = " ".join(text.lower().split())
        found = [o for o in self.offices if re.search(rf"(?:^|\bthe ){re.escape(o)}\b", lowered)]
        return f"the {max(found, key=len)}" if found else None

    def pattern(self, name: str) -> re.Pattern[str]:
        """A pattern that finds `name` under its variants: surname alone, a country's short forms, a demonym."""
        cached = self._patterns.get(name)
        if cached is not None:
            return cached
        bare = re.sub(r"^the\s+", "", name.strip(), flags=re.I)
        key = bare.lower()
        key = _GROUP_ALIASES.get(key, key)
        if key not in GROUPS:  # "Korean", "Japanese", "Australians": a demonym of a listed country
            key = next((k for k, spellings in GROUPS.items() for sp in spellings
                        if len(sp) >= 4 and len(key) <= len(sp) + 3
                        and key.startswith(sp.lower()[: max(4, len(sp) - 1)])), key)
        known = [w for w in bare.split() if w.strip(".,") in self.surnames]
        if known:
            alternatives = [_literal(bare)] + [re.escape(w.strip(".,")) for w in known]
            pattern = re.compile(rf"\b(?:{'|'.join(alternatives)})\b")
        elif key in GROUPS:
            spellings = "|".join(re.escape(s) for s in GROUPS[key])
            # "Korea" must not find "North Korea".
            guard = r"(?<!North )" if key == "south korea" else ""
            pattern = re.compile(rf"{guard}\b(?:{spellings})(?:\w*)")
        else:
            pattern = re.compile(rf"\b{_literal(bare)}\w*", 0 if bare != bare.lower() else re.I)
        self._patterns[name] = pattern
        return pattern

    def naming(self, names: tuple[str, ...], entries: list[Passage] | None = None) -> list[Passage]:
        """The entries that name every one of `names`."""
        patterns = [self.pattern(n) for n in names]
        return [p for p in (self.entries if entries is None else entries) if all(r.search(p.text) for r in patterns)]

    def within(self, period: DateRange | None) -> list[Passage]:
        """The entries of a period; "after X" leaves out entries begun before it, "before X" those still running."""
        if period is None:
            return list(self.entries)
        out = []
        for p in self.entries:
            start, end = day(p.date_start, "9999-12-31"), day(p.date_end or p.date_start, "0001-01-01")
            if not period.overlaps(start, end):
                continue
            if (period.relation == "after" and start < period.start) or (
                    period.relation == "before" and end > period.end):
                continue
            out.append(p)
        return out

    def nearest(self, period: DateRange) -> tuple[list[Passage], list[Passage]]:
        """The entries of the last day before `period` and of the first day after it."""
        before = [p for p in self.entries if day(p.date_end or p.date_start, "9999-12-31") < period.start]
        after = [p for p in self.entries if day(p.date_start, "0001-01-01") > period.end]
        last = before[-1].date_end or before[-1].date_start if before else None
        first = after[0].date_start if after else None
        return ([p for p in before if (p.date_end or p.date_start) == last],
                [p for p in after if p.date_start == first])
