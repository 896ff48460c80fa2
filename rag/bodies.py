"""Bodies a question names in lower case: "Japan's central bank", "the parliament's budget committee".

A capitalised name ("the Harbour Council") is a name constraint read from the alias table; an organisation
or office written in common nouns is not, and a question about one the briefing never names used to be
answered with an unrelated sentence. `bodies_in` reads such noun phrases (a head noun that names an institution,
its lower-case modifiers, the name that owns it), and `named` says whether the briefing names the body — by
every word of the phrase by stem (“central banks”, “the committee on the budget”), by its head next to its owner
(“Bank of Japan” for “Japan's central bank”), or by a proper name of its kind (`INSTANCES`, a small table:
“the Diet”, “the Storting” for “the parliament”; “the Bank of Norway”, “Norges Bank” for “the central bank”) —
never by its head word alone when the phrase has more words than that.

Example:
    >>> [b.phrase for b in bodies_in("What did Norway's central bank decide?")]
    ["Norway's central bank"]
    >>> named(bodies_in("What did Norway's central bank decide?")[0], ["Norges Bank and the Bank of Norway met."])
    True
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["BODY_HEADS", "INSTANCES", "Body", "bodies_in", "instances", "named"]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Nouns that name an institution or an organised body (English, any briefing).
BODY_HEADS: frozenset[str] = _words(
    "bank banks committee committees commission commissions council councils ministry ministries department "
    "departments agency agencies parliament parliaments congress senate assembly assemblies legislature "
    "legislatures court courts tribunal tribunals cabinet party parties union unions board boards bureau "
    "bureaus authority authorities regulator regulators watchdog police army armies navy navies military "
    "coastguard corporation corporations fund funds federation association associations organization "
    "organizations organisation organisations institute institutes university universities chamber chambers "
    "secretariat embassy embassies consulate consulates delegation delegations coalition administration "
    "junta militia guard")
#: Modifiers that restrict nothing ("the new committee" is the committee the briefing may call by its name).
_LOOSE = _words(
    "new old current former same other next last first main top senior junior own whole entire local national "
    "country's nation's government's state's")
#: Words that end a phrase going leftwards: determiners, possessive pronouns, question and function words.
_STOP = _words(
    "the a an its their his her our your my this that these those which what whose who whom when where why how "
    "did does do is are was were has have had will would can could should may might must to of for in on at by "
    "with from and or but not about into over after before since during than as if then so")
#: A determiner or possessive right before a phrase: only then are the words before the head its modifiers.
_DETERMINED = _words("the a an its their his her our this that these those")
#: Auxiliaries before an inverted subject: in "What did the central bank decide?" the word after the head is a verb.
_AUX = _words("did does do is are was were has have had will would can could should may might must")
_WORD = re.compile(r"[A-Za-z][\w’'-]*")
_POSSESSIVE = re.compile(r"(?:[’']s|[’'])$")
#: A body named by the title of the one who heads it: "the finance ministry" by "Finance Minister Rosa Ibarra".
_HEADED_BY = {"ministry": ("minister",), "ministries": ("minister",)}
#: How near (in words, about) a capitalised head must stand to the owner ("the Bank of Japan").
WINDOW = 4


@dataclass(frozen=True)
class Body:
    """An institution a question names in common nouns: "Japan's central bank" = owner "Japan", modifiers
    ("central",), head "bank"."""

    phrase: str
    head: str
    modifiers: tuple[str, ...] = ()
    #: The capitalised name that owns it ("Japan" of "Japan's central bank"), if any.
    owner: str = ""


#: Legislatures by their own names, with the country of each that belongs to one (generic names: "").
_LEGISLATURES: tuple[tuple[str, str], ...] = (
    (r"(?:National\s+)?Diet", "Japan"), (r"Congress", "United States"), (r"Congress", ""),  # Peru's, too
    (r"Bundestag|Bundesrat", "Germany"),
    (r"Storting(?:et)?", "Norway"), (r"Riksdag(?:en)?", "Sweden"), (r"Folketing(?:et)?", "Denmark"),
    (r"Eduskunta", "Finland"), (r"Althing(?:i)?", "Iceland"), (r"Sejm", "Poland"), (r"Knesset", "Israel"),
    (r"(?:State\s+)?Duma", "Russia"), (r"Verkhovna\s+Rada", "Ukraine"), (r"Lok\s+Sabha|Rajya\s+Sabha", "India"),
    (r"DPR|People[’']s\s+Representative\s+Council|House\s+of\s+Representatives\s+\(DPR\)", "Indonesia"),
    (r"Oireachtas|D[áa]il", "Ireland"), (r"Saeima", "Latvia"), (r"Riigikogu", "Estonia"), (r"Seimas", "Lithuania"),
    (r"Legislative\s+Yuan", "Taiwan"), (r"National\s+People[’']s\s+Congress|NPC", "China"),
    (r"Cortes(?:\s+Generales)?", "Spain"), (r"Tweede\s+Kamer|States\s+General", "Netherlands"),
    (r"Majlis", ""), (r"National\s+Assembly", ""), (r"Parliament", ""), (r"Senate", ""),
    (r"House\s+of\s+(?:Representatives|Commons|Lords|Councillors)", ""), (r"Legislative\s+Council", ""),
    (r"Federal\s+Assembly", ""),
)
#: Central banks by their own names; "Bank of X" is one when X is a country (`_COUNTRY_BANK`).
_CENTRAL_BANKS: tuple[tuple[str, str], ...] = (
    (r"Federal\s+Reserve|the\s+Fed\b", "United States"), (r"Bundesbank", "Germany"), (r"Riksbank", "Sweden"),
    (r"Norges\s+Bank", "Norway"), (r"Danmarks\s+Nationalbank", "Denmark"), (r"Bank\s+Indonesia", "Indonesia"),
    (r"People[’']s\s+Bank\s+of\s+China", "China"), (r"Reserve\s+Bank(?:\s+of\s+[A-Z][\w ]+)?", ""),
    (r"European\s+Central\s+Bank|ECB", ""), (r"(?:[A-Z][\w]+\s+)*National\s+Bank", ""),
    (r"Central\s+Bank(?:\s+of\s+[A-Z]\w+)?", ""), (r"Monetary\s+Authority", ""),
)
_COUNTRY_BANK = re.compile(r"\bBank\s+of\s+(?:the\s+)?(?P<x>[A-Z]\w+(?:\s+[A-Z]\w+)?)")
#: Armed forces by their own names.
_MILITARIES: tuple[tuple[str, str], ...] = (
    (r"Self-Defen[cs]e\s+Forces?|SDF", "Japan"), (r"Bundeswehr", "Germany"), (r"People[’']s\s+Liberation\s+Army|PLA",
                                                                           "China"),
    (r"TNI", "Indonesia"), (r"Armed\s+Forces", ""), (r"Defen[cs]e\s+Forces?", ""),
)
#: Navies by their own names.
_NAVIES: tuple[tuple[str, str], ...] = (
    (r"Maritime\s+Self-Defen[cs]e\s+Force|JMSDF", "Japan"), (r"Royal\s+(?:Australian\s+|Canadian\s+)?Navy", ""),
    (r"People[’']s\s+Liberation\s+Army\s+Navy|PLAN", "China"), (r"(?:[A-Z]\w+\s+)?Fleet", ""),
)
#: Foreign and defence ministries by their own names.
_FOREIGN_MINISTRIES: tuple[tuple[str, str], ...] = (
    (r"State\s+Department|Department\s+of\s+State", "United States"), (r"Foreign\s+Office", "United Kingdom"),
    (r"Gaimusho", "Japan"), (r"Quai\s+d[’']Orsay", "France"), (r"Global\s+Affairs\s+Canada", "Canada"),
    (r"DFAT|Department\s+of\s+Foreign\s+Affairs(?:\s+and\s+Trade)?", ""),
    (r"MOFA|Ministry\s+of\s+Foreign\s+Affairs", ""),
)
_DEFENCE_MINISTRIES: tuple[tuple[str, str], ...] = (
    (r"Pentagon|Department\s+of\s+Defen[cs]e|DoD", "United States"), (r"Ministry\s+of\s+Defen[cs]e|MOD", ""),
)
#: A small table of generic body nouns and the proper names that instantiate them in briefings: a question may
#: say "the parliament" or "the central bank" where the briefing says "the Diet" or "the Bank of Japan". Keyed by
#: (modifier, head); each name with the country it belongs to ("" for a name any country's body may bear).
INSTANCES: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {
    ("", "parliament"): _LEGISLATURES, ("", "legislature"): _LEGISLATURES, ("national", "legislature"): _LEGISLATURES,
    ("", "congress"): _LEGISLATURES, ("central", "bank"): _CENTRAL_BANKS, ("", "military"): _MILITARIES,
    ("", "army"): _MILITARIES, ("armed", "forces"): _MILITARIES, ("", "navy"): _NAVIES,
    ("foreign", "ministry"): _FOREIGN_MINISTRIES,
    ("defence", "ministry"): _DEFENCE_MINISTRIES, ("defence", "department"): _DEFENCE_MINISTRIES,
}


def _kind_key(body: Body) -> tuple[str, str]:
    """The `INSTANCES` key of a body: its last modifier and its head, in one spelling ("defense" is "defence")."""
    from rag.spelling import canonical

    return (canonical(body.modifiers[-1]) if body.modifiers else "", canonical(body.head))


@lru_cache(maxsize=1024)
def _country(name: str) -> str:
    """pycountry's name for a country name, short form or adjective ("Norway", "US", "Norwegian"), else ""."""
    import pycountry

    from rag.demonyms import place_of

    def lookup(text: str) -> str:
        try:
            return str(pycountry.countries.lookup(text.strip()).name)
        except LookupError:
            return ""

    return lookup(name) or lookup(place_of(name.strip(), lambda p: bool(lookup(p))) or "")


def _instance_named(body: Body, texts: list[str], owner_found: Callable[[str], bool] | None) -> bool:
    """The briefing names `body` by a proper name of its kind (`INSTANCES`): "the Storting" for "the
    parliament"; with an owner ("Norway's parliament"), one that is the owner's (its country matches) or a
    generic name ("National Assembly") near the owner."""
    key = _kind_key(body)
    names = INSTANCES.get(key)
    if names is None:
        return False
    owner_country = _country(body.owner) if body.owner else ""
    found: list[tuple[str, str, int, str]] = []  # (name, its country, where, text)
    for pattern, country in names:
        for text in texts:
            found += [(m.group(), country, m.start(), text) for m in re.finditer(rf"\b(?:{pattern})(?!\w)", text)]
    if key == ("central", "bank"):
        for text in texts:
            found += [(m.group(), c, m.start(), text) for m in _COUNTRY_BANK.finditer(text) if (c := _country(m["x"]))]
    if not body.owner:
        return bool(found)
    for name, country, at, text in found:
        if country and (country == owner_country or (owner_found is not None and owner_found(country))):
            return True  # "the Diet" for "Japan's parliament"
        near = text[max(0, at - 12 * WINDOW): at + len(name) + 12 * WINDOW]
        if not country and ((owner_found is not None and owner_found(near)) or (
                owner_country and re.search(rf"\b{re.escape(owner_country)}", near))):
            return True  # "Indonesia's National Assembly", "Peru's Congress" for "the Peruvian parliament"
    return False


def instances(body: Body, names: Iterable[str]) -> list[str]:
    """Which of `names` (the alias table's names) are proper names of `body`'s kind (`INSTANCES`; with an owner,
    the owner's own or a generic one): "storting" and "bank of norway" for "the parliament", "the central bank".

    Example:
        >>> instances(bodies_in("What did the parliament approve?")[0], ["storting", "oslo", "bank of norway"])
        ['storting']
    """
    table = INSTANCES.get(_kind_key(body))
    if table is None:
        return []
    owner = _country(body.owner) if body.owner else ""
    out = []
    for name in names:
        for pattern, country in table:
            if re.fullmatch(rf"(?:the\s+)?(?:{pattern})", name, re.I) and (not owner or country in (owner, "")):
                out.append(name)
                break
        else:
            m = re.fullmatch(_COUNTRY_BANK.pattern.removeprefix(r"\b"), name, re.I) if body.head == "bank" else None
            if m and (c := _country(m["x"])) and (not owner or c == owner):
                out.append(name)
    return out


def _stem(word: str) -> str:
    from rag.lexical import tokenize
    from rag.spelling import canonical

    word = canonical(word)  # "organisation" / "organization", "defence" / "defense": one spelling
    out = tokenize([word])[0]
    return out[0] if out else word


@lru_cache(maxsize=4096)
def _stem_cached(word: str) -> str:
    return _stem(word)


def bodies_in(text: str, skip: str = "") -> tuple[Body, ...]:
    """The bodies `text` names in lower case, outside `skip` (what the question asks for: "which committee").

    Example:
        >>> [(b.head, b.modifiers, b.owner) for b in bodies_in("What did the parliament's budget committee say?")]
        [('committee', ('budget',), '')]
    """
    skipped = {w.lower() for w in _WORD.findall(skip)}
    words = [(m.group(), m.start()) for m in _WORD.finditer(text)]
    out: list[Body] = []
    taken: set[int] = set()
    for i in range(len(words) - 1, 0, -1):  # never the first word: the question word
        word = words[i][0]
        bare = _POSSESSIVE.sub("", word)
        if i in taken or not bare.islower() or bare not in BODY_HEADS or bare in skipped:
            continue
        after = [_POSSESSIVE.sub("", w) for w, _ in words[i + 1 : i + 4]]
        if _POSSESSIVE.search(word) and any(w.islower() and w in BODY_HEADS for w in after):
            continue  # "the parliament's budget committee": the owner of the phrase after it
        if i + 1 < len(words) and words[i + 1][0].islower() and _POSSESSIVE.sub("", words[i + 1][0]) in BODY_HEADS:
            continue  # "bank committee": "bank" modifies the head after it
        j = i
        modifiers: list[str] = []
        while j - 1 >= 1:
            prev = words[j - 1][0]
            if not prev.islower() or _POSSESSIVE.search(prev) or prev in _STOP:
                break
            modifiers.insert(0, prev)
            j -= 1
        before = words[j - 1][0] if j - 1 >= 0 else ""
        owner, start = "", j
        if (before[:1].isupper() and not _POSSESSIVE.search(before) and j - 2 >= 1
                and words[j - 2][0].lower() in _DETERMINED):
            # "the Chilean finance ministry": an adjective of its owner before the modifiers
            owner, start = before, j - 2
        elif _POSSESSIVE.search(before):  # "Japan's", "South Korea's", "the parliament's"
            start = j - 1
            while start - 1 >= 1 and words[start - 1][0][:1].isupper() and before[:1].isupper():
                start -= 1
            if before[:1].isupper():
                owner = " ".join([w for w, _ in words[start : j - 1]] + [_POSSESSIVE.sub("", before)])
            elif start - 1 >= 1 and words[start - 1][0].lower() in _DETERMINED:
                start -= 1
        elif before.lower() in _DETERMINED:
            start = j - 1  # "the central bank"
        else:
            modifiers = []  # "Who chairs budget committee": without a determiner, the words before may be verbs
            start = i
        following = words[i + 1][0] if i + 1 < len(words) else ""
        if following.islower() and following not in _STOP and words[start - 1][0].lower() not in _AUX:
            continue  # "the political funds scandal", "a military conflict": a modifier of the noun after it
        modifiers = [m for m in modifiers if m not in _LOOSE and not m.isdigit()]
        phrase = _POSSESSIVE.sub("", text[words[start][1] : words[i][1] + len(word)])
        out.append(Body(phrase=phrase, head=bare, modifiers=tuple(modifiers), owner=owner))
        taken.update(range(j, i + 1))
    return tuple(reversed(out))


def _used(stem: str, texts: list[str]) -> bool:
    """Some word of `texts` has `stem` (found by a regex on its first letters, then stemmed)."""
    prefix = re.compile(rf"\b{re.escape(stem[:max(3, len(stem) - 1)])}\w*", re.IGNORECASE)
    return any(_stem_cached(_POSSESSIVE.sub("", m.group())) == stem for text in texts for m in prefix.finditer(text))


def named(body: Body, texts: Iterable[str], owner_found: Callable[[str], bool] | None = None) -> bool:
    """Whether `texts` name `body`: every word of it (head and modifiers, by stem) is in them, or its head,
    capitalised as in a proper name, stands within `WINDOW` words of its owner ("Bank of Norway" for "Norway's
    central bank"). A paraphrase may spread the words ("the committee on finance"), so they need not stand
    together; one word missing ("budget" of "the budget committee") is enough to say the body is never named.
    `owner_found` tells whether a piece of text carries the owner under one of its aliases (default: the
    owner's words as written).

    Example:
        >>> budget = bodies_in("What did the parliament's budget committee say?")[0]
        >>> named(budget, ["The Diet's Budget Committee met."]), named(budget, ["A trade committee met."])
        (True, False)
    """
    texts = list(texts)
    head = _stem_cached(body.head)
    wanted = {_stem_cached(m) for m in body.modifiers}
    heads = [head] + [_stem_cached(h) for h in _HEADED_BY.get(body.head.lower(), ())]
    if any(_used(h, texts) for h in heads) and all(_used(stem, texts) for stem in wanted):
        return True  # "the finance ministry" is named by "Finance Minister" too
    if _instance_named(body, texts, owner_found):
        return True  # "the Storting" for "the parliament", "the Bank of Japan" for "the central bank"
    if not body.owner:
        return False
    if owner_found is None:
        owner = body.owner.lower()

        def owner_found(piece: str) -> bool:
            return owner in piece.lower()

    near_head = re.compile(rf"\b{re.escape(head[:max(3, len(head) - 1)])}\w*", re.IGNORECASE)
    for text in texts:
        for hit in near_head.finditer(text):
            if not hit.group()[:1].isupper() or _stem_cached(_POSSESSIVE.sub("", hit.group())) != head:
                continue
            lo, hi = max(0, hit.start() - 12 * WINDOW), min(len(text), hit.end() + 12 * WINDOW)
            if owner_found(text[lo:hi]):
                return True  # "Bank of Japan" for "Japan's central bank"
    return False
