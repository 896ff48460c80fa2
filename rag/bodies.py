"""Bodies a question names in lower case: "Japan's central bank", "the parliament's budget committee".

A capitalised name ("the Harbour Council") is a name constraint read from the alias table; an organisation
or office written in common nouns is not, and a question about one the briefing never names used to be
answered with an unrelated sentence. `bodies_in` reads such noun phrases (a head noun that names an institution,
its lower-case modifiers, the name that owns it), and `named` says whether the briefing names the body — by
every word of the phrase by stem (“central banks”, “the committee on the budget”), or by its head next to
its owner (“Bank of Japan” for “Japan's central bank”) — never by its head word alone when the phrase has more
words than that.

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

__all__ = ["BODY_HEADS", "Body", "bodies_in", "named"]


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
        if _POSSESSIVE.search(before):  # "Japan's", "South Korea's", "the parliament's"
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
    if _used(head, texts) and all(_used(stem, texts) for stem in wanted):
        return True
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
