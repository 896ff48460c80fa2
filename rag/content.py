"""Questions about what was said, agreed or discussed, and whether the briefing gives that content.

"What did Kishida say at the UN General Assembly?" asks for the content of an address. A sentence that only
records that the address took place ("Kishida delivers an address at the UN General Assembly") does not answer
it: the answer is a sentence that carries content (a quotation, "agreed to …", "discussed …", "warned that …"),
or, when the briefing has none about that event, a plain statement that it records the event but not its
content, citing the mention. Plain rules over English wording, the same on any briefing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.question import Question

#: Verbs of a question about content, and the participle the answer uses ("not what was said").
_CONTENT_VERBS = {
    "say": "said", "said": "said", "says": "said", "state": "stated", "stated": "stated", "tell": "said",
    "told": "said", "discuss": "discussed", "discussed": "discussed", "talk": "discussed", "talked": "discussed",
    "agree": "agreed", "agreed": "agreed", "announce": "announced", "announced": "announced",
    "pledge": "pledged", "pledged": "pledged", "promise": "promised", "promised": "promised",
    "warn": "said", "warned": "said", "propose": "proposed", "proposed": "proposed", "declare": "declared",
    "declared": "declared", "stress": "said", "stressed": "said", "emphasize": "said", "emphasized": "said",
    "express": "said", "expressed": "said", "decide": "decided", "decided": "decided",
}
_VERB = "|".join(sorted(_CONTENT_VERBS, key=len, reverse=True))
_CONTENT_QUESTION = re.compile(
    rf"^\s*what\s+(?:did|do|does|have|has|had|will|would)\s+(?P<who>.+?)\s+(?P<verb>{_VERB})\b"
    rf"(?:\s+(?:about|on|to|in|at|during|with)\b|\s*\?|\s*$)"
    rf"|^\s*what\s+(?:was|were|has\s+been|had\s+been)\s+(?P<passive>{_VERB})\b"
    r"|^\s*what\s+(?:was|were)\s+(?:the\s+)?(?:content|substance|gist|message|topics?)\s+of\b",
    re.IGNORECASE,
)
#: Words of a narrower question that merely happen to follow a content verb ("agree to accelerate
#: discussions on"): the question names what the content is about, so it is a plain question.
_NARROWED = re.compile(rf"\b(?:{_VERB})\s+(?:to|on)\s+\w+\s+\w+", re.IGNORECASE)
#: A sentence carries content: a quotation of three words or more, or a content verb with what follows it.
_QUOTE = re.compile(r"[“\"][^”\"]{12,}[”\"]")
_CONTENT = re.compile(
    r"\b(?:agreed|agree|agreeing|pledged|pledging|vowed|committed|discussed|discussing|warned|stressed|"
    r"emphasized|emphasised|underscored|underlined|reaffirmed|affirmed|confirmed|called\s+for|urged|said|says|"
    r"stated|announced|expressed|noted|condemned|welcomed|highlighted|shared|reviewed|exchanged\s+views|"
    r"declared|promised|proposed|decided|outlined|explained|argued|argue|argues|arguing|insisted|told|claimed|"
    r"claiming|contended|contending|condemning|welcoming|reaffirming|"
    r"urging|calling\s+for|expressing|committing)\b"
    r"(?:\s+\w+){2,}",
    re.IGNORECASE,
)
#: Kinds of recorded event, each with the lemmas that record it ("meets", "a meeting", "talks"), in the order
#: they are tried ("speak by telephone" is a call before it is talk).
EVENTS: dict[str, frozenset[str]] = {
    "call": frozenset({"telephone", "phone", "call", "videoconference"}),
    "address": frozenset({"address", "speech", "remark", "deliver", "lecture", "keynote"}),
    "statement": frozenset({"statement", "declaration", "communique", "communiqué", "release", "issue"}),
    "agreement": frozenset({"agreement", "sign", "accord", "memorandum", "treaty"}),
    "meeting": frozenset({"meet", "meeting", "talk", "summit", "dialogue", "conference", "consultation",
                          "speak", "discuss", "hold", "host"}),
    "visit": frozenset({"visit", "trip", "tour"}),
}
@dataclass(frozen=True)
class ContentAsk:
    """A question about content: what kind of content ("said", "discussed", "agreed")."""

    done: str

    @property
    def talk(self) -> bool:
        """Content asked of talk (what was said or discussed), which an entry recording the event never gives;
        an act ("decided", "announced") an entry may state itself."""
        return self.done in ("said", "stated", "discussed")


def content_question(q: Question) -> ContentAsk | None:
    """The question asks what was said, agreed or discussed (not a name, place or date); else None.

    Example:
        >>> from rag.question import analyze
        >>> content_question(analyze("What did the minister say at the assembly?"))
        ContentAsk(done='said')
        >>> content_question(analyze("What did the two sides agree to accelerate discussions on?")) is None
        True
    """
    if q.typed or q.timeline or q.count:
        return None
    m = _CONTENT_QUESTION.search(q.text)
    if not m or _NARROWED.search(q.text):
        return None
    verb = (m["verb"] or m["passive"] or "said").lower()
    return ContentAsk(_CONTENT_VERBS.get(verb, "said"))


def carries_content(text: str) -> bool:
    """The sentence gives content (a quotation, "agreed to …", "discussed …"), not only that an event happened."""
    return bool(_QUOTE.search(text) or _CONTENT.search(text))


def event_kind(lemmas: frozenset[str]) -> str:
    """What a sentence records, from its lemmas ("address", "meeting", "call" …); "event" when none.

    Example:
        >>> event_kind(frozenset({"kishida", "deliver", "an", "address"}))
        'address'
    """
    return next((kind for kind, words in EVENTS.items() if words & lemmas), "event")
