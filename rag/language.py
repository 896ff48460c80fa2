"""Is a question in English? The briefing is, and so is every rule that reads a question.

Four steps, cheapest first, the same for every front end (`rag.question.clean` calls `check_english`):

1. A question mostly in a non-Latin script (Japanese, Chinese, Korean, Russian, Arabic, …) is not English.
2. Names say nothing of the language ("Kishida?", "Did Kishida Fumio meet Kamikawa Yoko?"): capitalised words
   after the first, and the small words inside a name ("Ursula von der Leyen"), are set aside. A name kept for
   lingua would make "Where is Düsseldorf?" German, so names stay aside even when the library does not know them.
3. A short question (four words or fewer once names are set aside) is decided by its function words: English
   ones (bm25s' NLTK list) against those of German, French, Spanish, Italian, Portuguese, Dutch and the
   Scandinavian languages (bm25s' lists, with their question words), a word both languages use ("was", "in")
   counting for neither. More English ones: English ("Who is Kishida?"); more foreign ones: foreign ("Wer ist
   Kishida?", "Qui est Kishida?"), unless a single foreign word is all there is and lingua finds English; none
   either way ("Was geschah?"): lingua, when sure.
4. A longer question whose other words are mostly English function words is English; any other is given to
   lingua (lingua-language-detector), restricted to English and the Latin-script languages a reader most often
   writes in: first its low-accuracy mode (trigrams, light and quick to load), and only a question that finds
   foreign to the full models (~150 MB more, loaded once, on first need).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import cache
from typing import Any

from bm25s import stopwords as _stopwords
from bm25s.stopwords import STOPWORDS_EN_PLUS

from rag.errors import InvalidQuestionError

__all__ = ["LANGUAGES", "check_english", "foreign_language"]

#: The languages lingua weighs a Latin-script question against (names as lingua spells them).
LANGUAGES: tuple[str, ...] = ("ENGLISH", "SPANISH", "FRENCH", "GERMAN", "PORTUGUESE", "ITALIAN")
#: A question another language wins is refused when English is below this confidence …
MIN_ENGLISH = 0.1
#: … or when the winner is at least this sure (a language outside `LANGUAGES` lands on its nearest one).
SURE = 0.5
#: Two words (names aside) are refused only when the winner is this sure and English below `SHORT_MIN_ENGLISH`.
SHORT_SURE = 0.6
SHORT_MIN_ENGLISH = 0.05
#: The winner is named when at least this sure; else the question is said to be in "another language".
NAMED = 0.8
#: The share of a question's words (names aside) that English function words must reach to skip lingua.
FUNCTION_SHARE = 0.4
#: English function words of two letters or more ("a", "o", "y" are words of other languages too).
_FUNCTION_WORDS = frozenset(w for w in STOPWORDS_EN_PLUS if len(w) >= 2)
_WORD = re.compile(r"[^\W\d_][^\W\d_’'-]*")
#: Question words of the same languages, which their stop-word lists leave out.
_FOREIGN_QUESTION_WORDS = frozenset(re.findall(r"\S+",
    "wer wen wem wessen wann warum wieso weshalb wohin woher welche welcher welches welchen qu quand pourquoi quel "
    "quelle quels quelles combien comment où quién quiénes cuándo dónde cuál cuáles cuánto cuántos qué cómo "
    "porqué quem quando onde porque quanto quantos chi dove perché quale quali quanti cosa wanneer waarom waar "
    "welke hoe hvem hvornår hvorfor hvor hvilken vem när varför vilken vad"))
#: Function words of other languages a reader writes in (bm25s' NLTK lists), less every English stop word.
_FOREIGN_WORDS = (frozenset().union(*(
    getattr(_stopwords, f"STOPWORDS_{name}") for name in
    ("GERMAN", "FRENCH", "SPANISH", "ITALIAN", "PORTUGUESE", "DUTCH", "SWEDISH", "DANISH", "NORWEGIAN")))
    | _FOREIGN_QUESTION_WORDS) - frozenset(STOPWORDS_EN_PLUS)
#: English function words no other of those languages uses ("was", "in", "is" count for neither; nor do the
#: pieces of "I've", "we'll", "they're": "ve" is Turkish for "and").
_ENGLISH_WORDS = _FUNCTION_WORDS - {"ve", "ll", "re"} - frozenset().union(*(
    getattr(_stopwords, f"STOPWORDS_{name}") for name in
    ("GERMAN", "FRENCH", "SPANISH", "ITALIAN", "PORTUGUESE", "DUTCH", "SWEDISH", "DANISH", "NORWEGIAN")))
#: A short question (names aside) is decided by its function words.
SHORT_WORDS = 4
#: A short question with no function word either way is refused when lingua is this sure, English below …
EVIDENCE_FREE_SURE = 0.6
EVIDENCE_FREE_MAX_ENGLISH = 0.15
_ASK_IN_ENGLISH = "The briefing is in English; please ask in English"


@cache
def _detector(low_accuracy: bool) -> Any:
    """lingua over `LANGUAGES`; in low-accuracy mode (trigrams only: ~0.3 s and ~60 MB to load) or in full."""
    from lingua import Language, LanguageDetectorBuilder

    builder = LanguageDetectorBuilder.from_languages(*(getattr(Language, name) for name in LANGUAGES))
    return (builder.with_low_accuracy_mode() if low_accuracy else builder).build()


def _verdict(kept: list[str], low_accuracy: bool) -> str | None:
    """lingua's verdict on a question's words (names aside): the other language it is in, or None."""
    from lingua import Language

    values = _detector(low_accuracy).compute_language_confidence_values(" ".join(kept))
    english = next((v.value for v in values if v.language == Language.ENGLISH), 0.0)
    top = values[0] if values else None
    if top is None or top.language == Language.ENGLISH:
        return None
    if len(kept) == 2 and not (top.value >= SHORT_SURE and english < SHORT_MIN_ENGLISH):
        return None  # two words say little: only a sure verdict counts ("¿Dónde está Kishida?")
    if len(kept) > 2 and english >= MIN_ENGLISH and top.value < SURE:
        return None
    return str(top.language.name).title() if top.value >= NAMED else "another language"


def _script(letters: list[str]) -> str | None:
    """The main non-Latin script of a question's letters ("Cyrillic", "Cjk", "Hangul"), or None."""
    latin = sum("LATIN" in unicodedata.name(ch, "") for ch in letters)
    if not letters or latin / len(letters) >= 0.5:
        return None
    names = (unicodedata.name(ch, "OTHER") for ch in letters)
    scripts = Counter(name.split()[0] for name in names if "LATIN" not in name)
    name = scripts.most_common(1)[0][0]
    return name if name == "CJK" else name.title()


def foreign_language(text: str) -> str | None:
    """The language or script a question is written in when that is not English, else None.

    Example:
        >>> foreign_language("Kishida?"), foreign_language("Did Kishida Fumio meet Kamikawa Yoko?")
        (None, None)
        >>> foreign_language("¿Dónde se reunió el grupo Quad en diciembre?")
        'Spanish'
        >>> foreign_language("Что произошло в октябре?")
        'Cyrillic script'
    """
    script = _script([ch for ch in text if ch.isalpha()])
    if script is not None:
        return f"{script} script"
    words = _WORD.findall(text)
    # Names (capitalised after the first word) belong to no language; what is left must say which.
    kept = words[:1] + [w for i, w in enumerate(words[1:], 1) if not w[0].isupper() and not _in_name(words, i)]
    if len(kept) <= SHORT_WORDS:
        return _short(kept)
    lowered = [w.lower() for w in kept]
    function = sum(w in _FUNCTION_WORDS for w in lowered)
    if function >= 2 and function / len(lowered) >= FUNCTION_SHARE:
        return None
    # The light model clears most questions; a question it finds foreign is confirmed by the full one.
    if _verdict(kept, low_accuracy=True) is None:
        return None
    return _verdict(kept, low_accuracy=False)


def _in_name(words: list[str], i: int) -> bool:
    """A small lower-case word between two capitalised ones, as in "Ursula von der Leyen", "Luiz Inácio da Silva"."""
    before = next((w for w in reversed(words[1:i]) if not _particle(w)), "")  # the first word is no name
    after = next((w for w in words[i + 1 :] if not _particle(w)), "")
    return _particle(words[i]) and before[:1].isupper() and after[:1].isupper()


def _particle(word: str) -> bool:
    return word.islower() and len(word) <= 3 and word not in _ENGLISH_WORDS


def _evidence(kept: list[str]) -> tuple[int, int]:
    """(English, foreign) function words among a question's words (names aside); "Qu'a", "est-il" by parts."""
    parts = [p for w in kept for p in re.split(r"[’'-]", w.lower()) if p]
    english = sum(p in _ENGLISH_WORDS for p in parts)
    foreign = sum(p in _FOREIGN_WORDS for p in parts)
    return english, foreign


def _short(kept: list[str]) -> str | None:
    """The language of a short question (names aside): its function words decide, lingua only where they don't."""
    if not kept or (len(kept) == 1 and kept[0].lower() not in _FOREIGN_QUESTION_WORDS):
        return None  # a name alone ("Kishida?", "La Paz?", "Der Spiegel?"), or one English word ("Why?")
    english, foreign = _evidence(kept)
    if english > foreign:
        return None
    if foreign > english:
        if foreign == 1 and english == 0 and _top(kept)[0] == "ENGLISH":
            return None  # "Men arrested?": one word of another language's list, and lingua reads English
        return _named(kept)
    language, sure, english_confidence = _top(kept)
    if language != "ENGLISH" and sure >= EVIDENCE_FREE_SURE and english_confidence < EVIDENCE_FREE_MAX_ENGLISH:
        return _named(kept)
    if len(kept) < 3 or _verdict(kept, low_accuracy=True) is None:
        return None
    return _verdict(kept, low_accuracy=False)  # "Gdzie spotkali się …?": lingua's rule for longer questions


def _top(kept: list[str]) -> tuple[str, float, float]:
    """lingua's (full models) top language, its confidence, and English's confidence."""
    from lingua import Language

    values = _detector(False).compute_language_confidence_values(" ".join(kept))
    english = next((v.value for v in values if v.language == Language.ENGLISH), 0.0)
    return str(values[0].language.name), float(values[0].value), float(english)


def _named(kept: list[str]) -> str:
    language, sure, _ = _top(kept)
    return language.title() if language != "ENGLISH" and sure >= NAMED else "another language"


def check_english(text: str) -> None:
    """Refuse a question that is not in English, with one line that says so.

    Example:
        >>> check_english("Was hat das Quad im November gemacht?")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        rag.errors.InvalidQuestionError: The briefing is in English; ... (this question reads as German).
    """
    found = foreign_language(text)
    if found is None:
        return
    how = f"is written in {found}" if found.endswith("script") else f"reads as {found}"
    how = "does not read as English" if found == "another language" else how
    raise InvalidQuestionError(f"{_ASK_IN_ENGLISH} (this question {how}).")
