"""The place a capitalised adjective or demonym stands for: "Californian" → "California", "Bavarian" → "Bavaria",
"Iberian" → "Iberia", "Japanese" → "Japan", "Polish" → "Poland", "Pakistani" → "Pakistan", "Mexican" → "Mexico".

A question may say "the Californian delegation" where the briefing only says "California". The adjective's
possible places are made by English suffix rules (-ian, -an, -n, -ese, -ish, -i, -ic, -er, -ine, with the usual
endings of place names) and kept only when the briefing's alias table or a gazetteer knows one of them, so a
rule never invents a place. A word that looks like such an adjective but whose place the briefing does not
name and no gazetteer knows as a country ("Atlantean", "Hawaiian" in a briefing that names only "Honolulu") is
`adjectival`: it names no constraint by itself (rag/constraints.py).

Example:
    >>> place_of("Californian", lambda name: name == "California")
    'California'
    >>> place_of("Bavarians", {"Bavaria"}.__contains__), place_of("Polish", {"Poland"}.__contains__)
    ('Bavaria', 'Poland')
    >>> place_of("Quad", {"Quad"}.__contains__) is None, adjectival("Atlantean"), adjectival("Hayashi")
    (True, True, False)
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["adjectival", "place_of", "places_of"]

#: Suffixes of adjectives of place, longest first, each with the endings its place names may have
#: ("Bavar|ian" → "Bavar|ia", "Brazil|ian" → "Brazil", "Ital|ian" → "Ital|y", "Japan|ese", "Chin|ese" → "Chin|a",
#: "Pol|ish" → "Pol|and", "Pakistan|i", "Mexic|an" → "Mexic|o", "Chile|an", "Iceland|ic", "New Zealand|er").
_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ian", ("ia", "", "y", "a", "e")),
    ("ean", ("ea", "e", "")),
    ("an", ("a", "", "o", "e", "y", "as")),
    ("n", ("",)),
    ("ese", ("", "a", "e", "on", "al")),
    ("ish", ("", "and", "land", "ain", "en", "ey", "istan", "ia")),
    ("i", ("", "istan", "ia", "a")),
    ("ic", ("", "ia", "a")),
    ("ers", ("",)),
    ("er", ("",)),
    ("ine", ("ina", "a", "")),
    ("ite", ("", "a")),
)
#: The suffixes that make an adjective of place and rarely end a name ("Kenyan" may be a country's, "Morgan" is a
#: name; "Hayashi" is a name, "Pakistani" a country's): -ian, -ean, -ese, -ish, with a stem of three letters.
_ADJECTIVE = re.compile(r"^[A-Z][a-z]{2,}(?:ian|ean|ese|ish)s?$")
#: A few adjectives whose place is spelled otherwise (vowel or stem changes no suffix rule makes).
_IRREGULAR = {"danish": "Denmark", "dutch": "Netherlands", "french": "France", "welsh": "Wales",
              "swiss": "Switzerland", "greek": "Greece", "irish": "Ireland", "thai": "Thailand", "lao": "Laos",
              "filipino": "Philippines", "norwegian": "Norway", "peruvian": "Peru", "argentine": "Argentina",
              "flemish": "Flanders", "cypriot": "Cyprus", "malagasy": "Madagascar", "basque": "Basque Country",
              "castilian": "Castile", "andalusian": "Andalusia", "kiwi": "New Zealand", "british": "Britain",
              "spanish": "Spain", "portuguese": "Portugal", "finnish": "Finland", "scottish": "Scotland",
              "english": "England", "cornish": "Cornwall", "icelandic": "Iceland", "belgian": "Belgium"}


def places_of(word: str) -> list[str]:
    """The places `word` may be the adjective or demonym of, likeliest first, by the suffix rules (not checked)."""
    w = word.strip().removesuffix("’s").removesuffix("'s")
    out: list[str] = []
    irregular = _IRREGULAR.get(w.lower()) or _IRREGULAR.get(w.lower().removesuffix("s"))
    if irregular:
        out.append(irregular)
    forms = [w] + ([w[:-1]] if w.endswith("s") and len(w) > 4 else [])
    for form in forms:
        for suffix, endings in _RULES:
            if form.lower().endswith(suffix) and len(form) - len(suffix) >= 3:
                stem = form[: -len(suffix)]
                out += [stem + e for e in endings]
    return [p for p in dict.fromkeys(out) if p != w]


def place_of(word: str, *known: Callable[[str], bool]) -> str | None:
    """The place `word` is the adjective or demonym of, when one of `known` (the briefing's names first, then
    a gazetteer) knows it; else None. Each is asked about every candidate before the next is asked ("Chinese"
    is "China" when the briefing names China, before a gazetteer's "Chin"), and the fullest name it knows wins."""
    if not word[:1].isupper() or " " in word.strip():
        return None
    candidates = places_of(word)
    for test in known:
        hits = [p for p in candidates if test(p)]
        if hits:  # the fullest name known ("China", not "Chin")
            return max(hits, key=len)
    return None


#: All the suffixes of adjectives of place, names' endings too ("Okinawan", "Kenyan", "Pakistani"): read as an
#: adjective only where the question uses the word as one ("the Okinawan governor").
_LOOSE_ADJECTIVE = re.compile(r"^[A-Z][a-z]{2,}(?:ian|ean|an|ese|ish|i|ic)s?$")


def adjectival(word: str, loose: bool = False) -> bool:
    """`word` has the form of an adjective or demonym of a place ("Californian", "Iberian", "Bavarians",
    "Japanese", "Danish"), whether or not its place is known; names rarely do ("Hayashi", "Morgan" do not).
    `loose`: any suffix of place ("Okinawan", "Pakistani"), which names share ("Morgan", "Hayashi")."""
    w = word.strip()
    return bool((_LOOSE_ADJECTIVE if loose else _ADJECTIVE).match(w)) or w.lower() in _IRREGULAR
