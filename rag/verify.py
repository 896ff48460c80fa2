"""Checks a written answer sentence by sentence against the passages each sentence cites.

A sentence is *verified* only when all of these hold:

1. it cites at least one `[n]`, and every `[n]` names a passage the model was given;
2. every name, number and date in it is in a cited passage (or in the question as read);
3. a cited passage says what it says: the claim's words, weighted by their rarity in this corpus, are
   mostly the passage's (`MIN_COVERAGE`), and a sentence of the passage is close in meaning to the claim
   (cosine similarity of the stored sentence vectors to the claim's vector, `MIN_SIMILARITY`) — or the
   words alone match almost entirely (`HIGH_COVERAGE`).

The signals are the extractive answer's own (rag/evidence.py): similarity, coverage, names. A sentence that
says the briefing does not answer is an abstention, not a claim. The thresholds were chosen on the dev
questions (eval/README.md, "Written answers").
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np
import pysbd

from rag.dates import month_number
from rag.evidence import Evidence
from rag.index import Index
from rag.question import Question, terms
from rag.schema import Citation, Passage, WrittenSentence

#: Least weighted share of a claim's words that its cited passages must hold.
MIN_COVERAGE = 0.45
#: Least cosine similarity between the claim and the best sentence of its cited passages.
MIN_SIMILARITY = 0.45
#: Words this fully covered verify a claim whatever its similarity (a short claim embeds noisily).
HIGH_COVERAGE = 0.8

#: `[2]`, `[1, 3]`, `[1-2]`, `[Passage 2]`; `[1][2]` is two markers.
MARKER = re.compile(r"\s*\[(?:passages?|source|ref)?\s*(\d+(?:\s*(?:,|;|and|-|–)\s*\d+)*)\]", re.IGNORECASE)
_ABSTAIN = re.compile(
    r"\b(?:briefing|passages?|sources?|text|context|documents?|information)\b.{0,40}?"
    r"\b(?:does\s+not|doesn[’']t|do\s+not|don[’']t|did\s+not|didn[’']t|cannot|can[’']t|is\s+not|are\s+not)\s+"
    r"(?:say|says|mention|state|specify|contain|provide|include|answer|give|tell|indicate|available|given)"
    r"|\bno\s+(?:information|mention)\b|\bnot\s+(?:mentioned|specified|stated|provided)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_WORD = re.compile(r"[A-Za-z][\w’'.&-]*")


def _words(text: str) -> list[str]:
    return text.split()


_NUMBER_WORDS = {w: str(i) for i, w in enumerate(_words(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty"))}
#: Capitalized words that are never names: sentence openers, titles and offices, and the prompt's own nouns.
_NOT_NAMES = frozenset(_words(
    "a an the in on at of for by to from with and or but as after before during since until while when where "
    "who whom whose which what why how this that these those there then thus also both each some many most "
    "it its he she his her they their them we our i you according however meanwhile later earlier first last "
    "briefing passage passages source sources answer question yes no not "
    "minister prime president vice secretary foreign defense defence deputy ambassador general admiral governor "
    "senator representative special envoy chief director adviser advisor chairman chair spokesperson official "
    "officials leader leaders mr ms mrs dr "
    "monday tuesday wednesday thursday friday saturday sunday"
))
#: Short and long forms of a few country names that briefings and models write either way.
_ALIASES: dict[str, frozenset[str]] = {
    "us": frozenset({"united", "states", "america", "american", "usa", "washington"}),
    "usa": frozenset({"united", "states", "america", "us"}),
    "uk": frozenset({"united", "kingdom", "britain", "british"}),
    "rok": frozenset({"korea", "korean", "seoul"}),
    "prc": frozenset({"china", "chinese", "beijing"}),
    "dprk": frozenset({"north", "korea", "pyongyang"}),
}
_ENGLISH = frozenset(_words("the a an of in on and to is was were for with by at that this it as from has have had be "
                            "are not did does its their his her said which who met will would also"))


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False)


def split_sentences(text: str) -> list[str]:
    """The reply's sentences, each with the `[n]` markers written after it (even after its full stop).

    Example:
        >>> split_sentences("Tokyo hosted it. [1] It met on Dec. 5 [2].")
        ['Tokyo hosted it. [1]', 'It met on Dec. 5 [2].']
    """
    out: list[str] = []
    for line in text.splitlines():
        line = re.sub(r"^\s*(?:[-*•]|\d+[.)])\s+", "", line).strip()
        if not line:
            continue
        for piece in _segmenter().segment(line):
            piece = piece.strip()
            if not piece:
                continue
            lead = re.match(r"^(?:\[[^\]]{1,20}\][.,;]?\s*)+", piece)
            if out and lead:  # markers written after the full stop belong to the sentence before them
                out[-1] = f"{out[-1]} {lead.group().strip()}"
                piece = piece[lead.end() :].strip()
            if piece:
                out.append(piece)
    return out


def markers(sentence: str) -> tuple[int, ...]:
    """The passage numbers a sentence cites, in order, without repeats (`[1-3]` is 1, 2, 3)."""
    found: list[int] = []
    for m in MARKER.finditer(sentence):
        spec = m.group(1)
        for part in re.split(r"\s*(?:,|;|and)\s*", spec):
            bounds = [int(x) for x in re.split(r"\s*[-–]\s*", part) if x]
            if len(bounds) == 2 and 0 < bounds[1] - bounds[0] < 20:
                found.extend(range(bounds[0], bounds[1] + 1))
            else:
                found.extend(bounds)
    return tuple(dict.fromkeys(found))


def claim_of(sentence: str) -> str:
    """The sentence without its markers."""
    return " ".join(MARKER.sub("", sentence).split())


def abstains(sentence: str) -> bool:
    """The sentence says the briefing (or the passages) does not answer."""
    return bool(_ABSTAIN.search(sentence))


def is_english(text: str) -> bool:
    """False for a reply plainly in another language (few English function words, or mostly non-Latin letters).

    Example:
        >>> is_english("The Quad met in Tokyo [1]."), is_english("Le groupe s’est réuni à Tokyo le 5 décembre.")
        (True, False)
    """
    letters = [ch for ch in text if ch.isalpha()]
    if letters and sum(ch.isascii() for ch in letters) / len(letters) < 0.7:
        return False
    words = re.findall(r"[a-z]+", MARKER.sub(" ", text).lower())
    if len(words) < 6:
        return True
    return sum(w in _ENGLISH for w in words) / len(words) >= 0.12


def _numbers(text: str) -> set[str]:
    found = {n.replace(",", "").rstrip(".") for n in _NUMBER.findall(text)}
    found |= {_NUMBER_WORDS[w] for w in re.findall(r"[a-z]+", text.lower()) if w in _NUMBER_WORDS}
    return {n[:-2] if n.endswith(".0") else n for n in found}


def _months(text: str) -> set[int]:
    out = set()
    for w in re.findall(r"[A-Za-z]+", text):
        number = month_number(w.lower()) if w[0].isupper() else None
        if number:
            out.add(number)
    return out


def _norm(word: str) -> str:
    return re.sub(r"[’']s$", "", word).replace(".", "").replace("’", "'").lower()


def _names(claim: str) -> list[str]:
    """The capitalized words of a claim that name something (not openers, titles, months or days)."""
    out = []
    for i, m in enumerate(_WORD.finditer(claim)):
        word = m.group().rstrip(".")
        if not word[:1].isupper() or word.lower() in _NOT_NAMES or _norm(word) in _NOT_NAMES:
            continue
        if month_number(word.lower()) is not None:
            continue
        if i == 0 and word.lower() in terms_stop():
            continue
        out.append(word)
    return out


@lru_cache(maxsize=1)
def terms_stop() -> frozenset[str]:
    """English stop words (bm25s' list): a capitalized stop word opening a sentence is no name."""
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


def _alike(a: str, b: str) -> bool:
    """Same word, or one a prefix of the other ("japan" / "japanese", "korea" / "korean")."""
    return a == b or (min(len(a), len(b)) >= 4 and (a.startswith(b) or b.startswith(a)))


def _named(word: str, known: set[str]) -> bool:
    key = _norm(word)
    parts = [p for p in re.split(r"[-&]", key) if p] or [key]
    for part in parts:
        if part in known or any(_alike(part, k) for k in known if k[:1] == part[:1]):
            continue
        if known & _ALIASES.get(part, frozenset()):
            continue
        return False
    return True


class Verifier:
    """Checks sentences against the passages they cite, with one index's vectors and vocabulary.

    `encode` turns a claim into a unit vector in the index's space (the question encoder).
    """

    def __init__(self, index: Index, evidence: Evidence, encode: Callable[[str], np.ndarray]) -> None:
        self.index = index
        self.evidence = evidence
        self.encode = encode

    def check(self, sentence: str, passages: Sequence[Passage], question: Question | None = None) -> WrittenSentence:
        """The verdict on one sentence; `passages` are the ones the model was given, `[1]` first."""
        cited = markers(sentence)
        claim = claim_of(sentence)
        if not cited:
            if abstains(claim):
                return WrittenSentence(sentence, (), False, "says the briefing does not answer", abstains=True)
            return WrittenSentence(sentence, (), False, "cites no passage")
        missing = [n for n in cited if not 1 <= n <= len(passages)]
        if missing:
            return WrittenSentence(sentence, cited, False,
                                   f"cites [{missing[0]}], but only [1]–[{len(passages)}] were given")
        chosen = [passages[n - 1] for n in cited]
        refs = ", ".join(f"[{n}]" for n in cited)
        given = ""  # what the question itself says is given, not invented
        if question is not None:
            given = f"{question.text} {question.period.label() if question.period else ''}"
        facts = " ".join([p.text for p in chosen] + [f"{p.title} {p.section} {p.label()}" for p in chosen])
        for number in sorted(_numbers(claim) - _numbers(facts) - _numbers(given)):
            return WrittenSentence(sentence, cited, False, f"“{number}” is not in {refs}")
        for month in sorted(_months(claim) - _months(facts) - _months(given)):
            return WrittenSentence(sentence, cited, False, f"{calendar.month_name[month]} is not in {refs}")
        known = {_norm(w) for w in _WORD.findall(facts + " " + given)}
        known |= {part for w in list(known) for part in re.split(r"[-&]", w) if part}
        for name in _names(claim):
            if not _named(name, known):
                return WrittenSentence(sentence, cited, False, f"“{name}” is not in {refs}")
        if abstains(claim):
            return WrittenSentence(sentence, cited, False, "says the briefing does not answer", abstains=True)
        wanted = terms(claim)
        have = frozenset().union(*(self.evidence.passage_terms(p) for p in chosen))
        coverage = self.evidence.coverage(wanted, have)
        vector = self.encode(claim)
        support, best_sim = [], -1.0
        for n, p in zip(cited, chosen):
            pos = self.index.by_id[p.id]
            sims = self.index.sentence_vectors_of(pos) @ vector if p.sentences else np.zeros(0)
            if len(sims):
                j = int(np.argmax(sims))
                a, b = p.sentences[j]
                best_sim = max(best_sim, float(sims[j]))
            else:
                a, b = p.char_start, p.char_end
            support.append(Citation(n, p, a, b))
        figures = f"words {coverage:.0%} in {refs}, similarity {best_sim:.2f}"
        if coverage >= HIGH_COVERAGE or (coverage >= MIN_COVERAGE and best_sim >= MIN_SIMILARITY):
            return WrittenSentence(sentence, cited, True, f"supported: {figures}", tuple(support))
        return WrittenSentence(sentence, cited, False, f"{refs} does not say this ({figures})")
