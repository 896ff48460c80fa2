"""Answers read off the chronology: dated lists for a period, an event-anchored period, a topic; first/last
entries; counts; and empty periods, which name the nearest entries instead.

Every entry is cited whole (`Citation` spans the entry), so highlights always lie inside their passage.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, timedelta

from rag.anchors import Anchor, anchored_period
from rag.chronology import Chronology, Scope, day
from rag.dates import DateRange, format_range
from rag.index import Index
from rag.kinds import of_kind
from rag.question import Question, salient_terms, terms, topic_names
from rag.retrieve import TIMELINE_LIMIT, Filters, Retriever
from rag.schema import Answer, Citation, ListItem, Passage

__all__ = ["ANCHOR_TIE", "Timelines"]

#: Two candidate events for an anchor whose retrieval scores lie within this share of each other, on different
#: dates, make the anchor ambiguous: the answer names both instead of guessing.
ANCHOR_TIE = 0.05
#: Candidate entries retrieved for an anchoring event.
ANCHOR_CANDIDATES = 5
#: Most entries an ordinal answer lists when several share the first (or last) date.
MAX_TIED = 5
# Verbs that say how people met, so "first meet" skips a phone call and "first talk" finds one.
_ACTIONS: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (
    # A meeting is also one an entry says was held: "hold a … meeting", "… Dialogue is held".
    (re.compile(r"\b(?:meet|met|meetings)\b", re.I),
     re.compile(r"\b(?:meet|meets|met|meeting|dialogue|talks|summit)\b", re.I)),
    (re.compile(r"\b(?:talk|talked|speak|spoke|call|called|phone|phoned|telephone)\b", re.I),
     re.compile(r"\b(?:speak|speaks|spoke|telephone|phone|call|talk)", re.I)),
)
#: A question about whom someone received, hosted or welcomed asks whom they met.
_RECEIVED = re.compile(r"\b(?:receiv|host|welcom)(?:e|ed|es|ing|s)?\b", re.IGNORECASE)
_IN_PERSON = re.compile(r"\bin person\b|\bface[- ]to[- ]face\b", re.I)
_REMOTE = re.compile(r"\b(?:telephone|phone|video|statement)\b", re.I)
#: Words of chronology questions that say nothing of the topic ("What has happened …", "list the entries …").
_GENERIC = salient_terms("has have had entry entries event events chronology list show times many")
#: Words of first/last questions that say nothing of the topic.
_ORDINAL_WORDS = salient_terms(
    "first earliest initially initial last latest final recent most entry entries event events chronology "
    "person time times meet met talk talked speak spoke call called phone telephone came come comes")
#: "between <event or date> and <event or date>", to the end of the question.
_BETWEEN_ENDS = re.compile(r"\bbetween\s+(?P<a>.+?)\s+and\s+(?P<b>.+?)\s*\??\s*$", re.I)
_CHRONOLOGY_WORDS = re.compile(r"\b(?:entry|entries|event|events|chronology|meeting|meetings)\b", re.I)


Abstain = Callable[[Question, list[Passage], list[str], str], Answer]


def _cite(entries: list[Passage], first: int = 1) -> tuple[list[Citation], list[ListItem], list[str]]:
    citations, items, lines = [], [], []
    for n, p in enumerate(entries, start=first):
        citations.append(Citation(n, p, p.char_start, p.char_end))
        items.append(ListItem(n, p.label(), p.text))
        lines.append(f"- {p.text} [{n}]")
    return citations, items, lines


def _for(period: DateRange) -> str:
    """" for Oct. 21-31, 2023", " after Oct. 20, 2023 (Oct. 21-Dec. 22, 2023)": a period after a noun."""
    label = period.label()
    return f" {label}" if label.split(" ", 1)[0] in ("after", "since", "before", "until") else f" for {label}"


def _scope(q: Question) -> Scope:
    """The reader's document and date filters, which bind every scan of the chronology."""
    return q.limits.scope if q.limits is not None else None


def _entries(n: int) -> str:
    return f"{n} entr{'y' if n == 1 else 'ies'}"


class Timelines:
    """Chronology answers for an `Assistant`: `answer` returns None when the question is not one of them."""

    def __init__(self, index: Index, retriever: Retriever, abstain: Abstain) -> None:
        self.index = index
        self.retriever = retriever
        self.chronology = Chronology.of(index)
        self.abstain = abstain

    def answer(self, q: Question, passages: list[Passage], notes: list[str]) -> Answer | None:
        if q.timeline and _BETWEEN_ENDS.search(q.text):
            between = self._between(q, passages, notes)
            if between is not None:
                return between
        if q.anchor is not None and q.period is None:
            anchored = self._anchored(q, q.anchor, passages, notes)
            if anchored is not None:
                return anchored
        if q.count and (q.topic_names or q.subject or q.period):
            return self._listing(q, passages, notes, count=True)
        if q.ordinal and (q.topic_names or q.period or q.wh == "when" or _CHRONOLOGY_WORDS.search(q.text)):
            found = self._ordinal(q, passages, notes)
            if found is not None:
                return found
        if q.subject and not q.ordinal:
            return self._listing(q, passages, notes, count=False)
        if not q.timeline and not q.ordinal and not q.count:
            people = self._people(q, passages, notes)
            if people is not None:
                return people
        return self._period(q, passages, notes)

    # ---------------------------------------------------------------------------------------------------- filters

    def _names(self, q: Question) -> tuple[str, ...]:
        """The question's names, and an office it names in lower case ("the prime minister")."""
        office = self.chronology.office_in(q.subject or q.text)
        return q.topic_names + ((office,) if office else ())

    def _about(self, q: Question, entries: Sequence[Passage], words_too: bool = True) -> list[Passage]:
        """The entries that carry the question's names and (with `words_too`) its other topic words."""
        entries = self.chronology.naming(self._names(q), entries)
        excluded = [self.chronology.pattern(x) for x in (q.limits.exclusions if q.limits else ())]
        entries = [p for p in entries if not any(r.search(p.text) for r in excluded)]  # "… but not Tokyo"
        if not words_too:
            return entries
        skip = salient_terms(" ".join(q.topic_names))
        for phrase in (q.period.phrase if q.period else "", q.anchor.phrase if q.anchor else "", q.subject):
            skip |= salient_terms(phrase)
        words = q.topic - skip - _GENERIC
        return [p for p in entries if words <= terms(p.text)]

    def _acting(self, q: Question, entries: list[Passage]) -> list[Passage]:
        """The entries where people act as the question says: "meet" (not a call), "talk", "in person"."""
        for asked, done in _ACTIONS:
            if asked.search(q.text):
                entries = [p for p in entries if done.search(p.text)]
        if _IN_PERSON.search(q.text):
            entries = [p for p in entries if not _REMOTE.search(p.text)]
        return entries

    # ---------------------------------------------------------------------------------------------------- answers

    def _list(self, q: Question, entries: list[Passage], head: str, passages: list[Passage], notes: list[str],
              lead: list[Passage] | None = None, short: str | None = None) -> Answer:
        """A dated list of `entries`; `lead` entries (an anchor) are cited first, on the "Read as" line."""
        lead = lead or []
        lead_citations, _, _ = _cite(lead)
        citations, items, lines = _cite(entries, first=len(lead) + 1)
        text = head + ":\n" + "\n".join(lines)
        if lead:
            text = f"{notes[-1]}\n{text}"
        return Answer(q.asked, text, tuple(lead_citations + citations), tuple(lead + entries + passages), False,
                      0.95, q.read_as(), tuple(notes), features={"timeline": 1.0}, kind="timeline", analysis=q,
                      items=tuple(items), short_answer=short)

    def _empty(self, q: Question, passages: list[Passage], notes: list[str], period: DateRange,
               lead: list[Passage] | None = None, matching: bool = False) -> Answer:
        """Nothing in the period (`matching`: nothing that matches): say so, citing the nearest entries."""
        before, after = self.chronology.nearest(period, _scope(q)) if not matching else ([], [])
        lead = lead or []
        before, after = [p for p in before if p not in lead], [p for p in after if p not in lead]
        shown = lead + before + after
        citations, _, _ = _cite(shown)
        side = {id(p): "before" for p in before} | {id(p): "after" for p in after}
        text = f"The chronology lists nothing{_for(period)}{' that matches' if matching else ''}."
        if before or after:
            text += " The nearest entries:\n" + "\n".join(
                f"- {side[id(p)]}: {p.text} [{c.n}]" for p, c in zip(shown, citations) if id(p) in side)
        if lead:
            text = f"{notes[-1]}\n{text}"
        return Answer(q.asked, text, tuple(citations), tuple(shown + passages), True, 0.0, q.read_as(), tuple(notes),
                      features={"empty_period": 1.0}, kind="abstain", analysis=q)

    def _period(self, q: Question, passages: list[Passage], notes: list[str]) -> Answer | None:
        """A dated list for "what happened in …" questions (and questions whose period holds several entries)."""
        if q.timeline and q.period is not None:
            entries = self.chronology.within(q.period, _scope(q))[:TIMELINE_LIMIT]
            if not entries:
                return self._empty(q, passages, notes, q.period)
        else:
            entries = [p for p in passages if p.kind == "chronology"]
            if q.period is not None:
                inside = {p.id for p in self.chronology.within(q.period, _scope(q))}
                entries = [p for p in entries if p.id in inside]
        entries = self._about(q, entries)
        if not (q.timeline or (q.period is not None and len(entries) >= 2)):
            return None
        if q.period is None and len(entries) < 2:
            return None
        if not entries:
            what = _for(q.period) if q.period else ""
            return self.abstain(q, passages, notes, f"The briefing's chronology lists nothing{what} that matches.")
        entries.sort(key=lambda p: (p.date_start or "", p.char_start))
        head = f"{_entries(len(entries))} in the chronology"
        if q.period is not None:
            head += _for(q.period)
        return self._list(q, entries, head, passages, notes)

    def _listing(self, q: Question, passages: list[Passage], notes: list[str], count: bool) -> Answer:
        """Every entry about the subject, across the whole chronology (and the period, if one is named)."""
        entries = self._about(q, self.chronology.within(q.period, _scope(q)), words_too=False)
        entries = self._acting(q, entries)
        if q.subject and not self._names(q):  # "Which entries concern trade?": the subject's words, all of them
            words = salient_terms(q.subject)
            entries = [p for p in entries if words <= terms(p.text)]
        subject = q.subject or " and ".join(q.topic_names)
        office = self.chronology.office_in(q.subject or q.text)
        if office and not q.topic_names:  # say who the briefing says holds it
            subject = f"{office} ({', '.join(sorted(self.chronology.offices[office.removeprefix('the ')]))})"
        where = _for(q.period) if q.period else ""
        about = f" name{'s' if len(entries) == 1 else ''} {subject}" if subject else ""
        excluded = q.limits.exclusions if q.limits else ()
        if about and excluded:
            about += f" but not {' or '.join(excluded)}"
        if not entries:
            if count:
                notes = [*notes, f"No entry of the chronology{where} names {subject}."]
            return self.abstain(q, passages, notes,
                                f"The briefing's chronology has no entry{where} about {subject or 'this'}.")
        head = f"{_entries(len(entries))} in the chronology{where}{about}"
        if count:
            return self._list(q, entries, f"{len(entries)} — {head}", passages, notes, short=str(len(entries)))
        return self._list(q, entries, head, passages, notes)

    def _people(self, q: Question, passages: list[Passage], notes: list[str]) -> Answer | None:
        """"Whom did X meet in Tokyo?", "Which ministers spoke with Y by telephone on Sept. 14?", "On which dates
        did X and Y speak?", "Where did X and Y meet?": every entry that meets the question's names, places,
        period and action (for a person, each naming someone else), listed in date order; None unless there are
        at least two that answer differently (one is answered as a sentence, with its short answer)."""
        limits = q.limits
        received = _RECEIVED.search(q.text) is not None
        if (q.answer_type not in ("person", "date", "place") or limits is None
                or not (received or any(asked.search(q.text) for asked, _ in _ACTIONS))):
            return None
        # The people, places and organizations the question names bind; a nationality qualifying the asked noun
        # ("which Japanese ministers") describes the answer, which an entry need not spell out.
        # So does a name inside the asked noun itself ("which US military commanders").
        names = tuple(n for n in limits.people + limits.places + limits.organizations + limits.others
                      if not (q.wh in ("which", "what") and re.search(rf"(?<!\w){re.escape(n)}(?!\w)", q.focus)))
        office = self.chronology.office_in(q.text)  # "Whom did the prime minister meet …": its holders
        names += (office,) if office and office not in names else ()
        if not names:
            return None
        entries = self._acting(q, self.chronology.naming(names, self.chronology.within(q.period, _scope(q))))
        if received:  # "Which commanders were received in Tokyo?": whom the hosts met there
            entries = [p for p in entries if _ACTIONS[0][1].search(p.text)]
        excluded = [self.chronology.pattern(x) for x in limits.exclusions]
        asked = [self.chronology.pattern(n) for n in names]
        entries = [p for p in entries if not any(r.search(p.text) for r in excluded)]
        if q.answer_type == "person":
            entries = [p for p in entries if self._someone_else(p, asked)]
            # "Which military commanders …": the entries whose person's title says so
            kinded = of_kind(q, entries, asked, self.index.aliases.offices)
            if len(kinded) == 1 and len(entries) >= 2:  # the one of its kind among several: listed alone
                return self._list(q, kinded, f"1 entry in the chronology{_for(q.period) if q.period else ''} "
                                  f"names {' and '.join(names)}", passages, notes)
            entries = kinded
        # "When did X and Y speak?", "Where did X and Y meet?": a list only when the entries answer differently
        # (several days, several places); one answer is given as a sentence, with its short answer.
        differ = {"date": lambda p: p.date_start, "place": lambda p: self._places(p, asked)}.get(q.answer_type)
        if len(entries) < 2 or (differ is not None and len({differ(p) for p in entries}) < 2):
            return None
        where = _for(q.period) if q.period else ""
        head = f"{_entries(len(entries))} in the chronology{where} name {' and '.join(names)}"
        return self._list(q, entries, head, passages, notes)

    def _places(self, p: Passage, asked: list[re.Pattern[str]]) -> frozenset[str]:
        """The places an entry names, besides those asked about."""
        return frozenset(p.text[a - p.char_start:b - p.char_start] for a, b, t in p.entities
                         if t == "place" and not any(r.search(p.text[a - p.char_start:b - p.char_start])
                                                     for r in asked))

    def _someone_else(self, p: Passage, asked: list[re.Pattern[str]]) -> bool:
        """The entry names a person besides those asked about: a person's name tagged at build time, or a name
        the alias table does not know as a place or an organization (the tagger misses names that open an
        entry: "Vidal and Chancellor Weber speak by telephone")."""
        if any(t == "person" and not any(r.search(p.text[a - p.char_start:b - p.char_start]) for r in asked)
               for a, b, t in p.entities):
            return True
        body = re.sub(r"^[^:]*:\s*", "", p.text)
        for name in topic_names(body):
            words = [w for w in name.split() if not any(r.search(w) for r in asked)]
            if words and self.index.aliases.type_of(words[-1]) not in ("place", "organization"):
                return True
        return False

    def _ordinal(self, q: Question, passages: list[Passage], notes: list[str]) -> Answer | None:
        """The first or last entry about the question's names (in its period), or None when none fits."""
        entries = self._acting(q, self._about(q, self.chronology.within(q.period, _scope(q)), words_too=False))
        # The question's other words ("semiconductor export rules"): an entry must carry at least half of them,
        # or the question is not about the chronology at all.
        words = q.topic - salient_terms(" ".join(q.topic_names)) - _ORDINAL_WORDS
        if q.period is not None:
            words -= salient_terms(q.period.phrase)
        if words:
            entries = [p for p in entries if 2 * len(words & terms(p.text)) >= len(words)]
        if not entries:
            return None
        pick = entries[0] if q.ordinal == "first" else entries[-1]
        same = [p for p in entries if p.date_start == pick.date_start][:MAX_TIED]
        citations, _, _ = _cite(same)
        body = " ".join(f"{p.text} [{c.n}]" for p, c in zip(same, citations))
        short = pick.label() if q.wh == "when" else None
        text = f"{short} — {body}" if short else body
        return Answer(q.asked, text, tuple(citations), tuple(same + passages), False, 0.9, q.read_as(),
                      tuple(notes), features={"ordinal": 1.0}, kind="extract", analysis=q, short_answer=short)

    def _locate(self, event: str, q: Question) -> tuple[Passage | None, Passage | None]:
        """The chronology entry an event phrase names, found by retrieval, and a rival entry on another date
        when the two score within ANCHOR_TIE of each other (the event is then ambiguous)."""
        docs = q.limits.documents if q.limits else ()
        found = self.retriever.retrieve(event, k=ANCHOR_CANDIDATES, filters=Filters(kinds=("chronology",), docs=docs))
        # A candidate must carry most of the event's own names (or, without names, one of its words).
        patterns = [self.chronology.pattern(n) for n in topic_names(event)]
        key = salient_terms(event)
        candidates = [p for p in found if (2 * sum(bool(r.search(p.text)) for r in patterns) >= len(patterns)
                                           if patterns else key & terms(p.text))]
        if not candidates:
            return None, None
        best = candidates[0]
        rival = next((p for p in candidates[1:] if (p.date_start, p.date_end) != (best.date_start, best.date_end)),
                     None)
        return best, rival if rival is not None and rival.score >= (1 - ANCHOR_TIE) * best.score else None

    def _ambiguous(self, q: Question, event: str, best: Passage, rival: Passage, passages: list[Passage],
                   notes: list[str]) -> Answer:
        citations, _, _ = _cite([best, rival])
        text = (f"‘{event}’ could be either of two entries: {best.text} [1] or {rival.text} [2]. "
                "Ask again with the event's date or more of its words.")
        return Answer(q.asked, text, tuple(citations), tuple([best, rival, *passages]), True, 0.0, q.read_as(),
                      tuple(notes), features={"ambiguous_anchor": 1.0}, kind="abstain", analysis=q)

    def _between(self, q: Question, passages: list[Passage], notes: list[str]) -> Answer | None:
        """"Between <event or date> and <event or date>": the days strictly between the two, each end dated."""
        m = _BETWEEN_ENDS.search(q.text)
        if m is None or all(self._party(side, q) for side in (m["a"], m["b"])):
            return None  # "between Japan and Korea (in 2013)": parties, not the ends of a period
        ends: list[tuple[date, date, Passage | None, str]] = []
        for side in (m["a"], m["b"]):
            dated = self.index.dates.interpret(f"on {side}")
            if dated is not None:
                ends.append((dated.start, dated.end, None, dated.phrase.removeprefix("on ")))
                continue
            best, rival = self._locate(side, q)
            if best is None:
                return self.abstain(q, passages, notes, f"The briefing's chronology has no entry that matches "
                                                        f"‘{side}’, so the period cannot be dated.")
            if rival is not None:
                return self._ambiguous(q, side, best, rival, passages, notes)
            wording = re.sub(r"^[^:]*:\s*", "", best.text).rstrip(".")
            ends.append((day(best.date_start, ""), day(best.date_end or best.date_start, ""), best, wording))
        (_, a_end, a_entry, _), (b_start, _, b_entry, _) = ends
        if not any(entry is not None for _, _, entry, _ in ends):
            return None  # two dates: the date interpreter's own "between" reading stands
        start, end = a_end + timedelta(days=1), b_start - timedelta(days=1)
        lead = [e for e in (a_entry, b_entry) if e is not None]
        refs = iter(range(1, len(lead) + 1))
        said = [f"‘{w}’ ({format_range(s.isoformat(), e.isoformat())})" + (f" [{next(refs)}]" if entry else "")
                for s, e, entry, w in ends]
        notes = [*notes, f"Read as: the days between {said[0]} and {said[1]}"]
        if start > end:
            return self.abstain(q, passages, notes, f"{notes[-1]}: no day lies between them.")
        period = DateRange(start, end, m.group(0), "between")
        # The two ends' own names say when, not what: the entries between need not name them.
        q = replace(q, period=period, subject="", topic_names=tuple(n for n in q.topic_names if n not in m.group(0)))
        inside = self.chronology.within(period, _scope(q))
        entries = [p for p in self._about(q, inside) if p not in lead][:TIMELINE_LIMIT]
        if not entries:
            return self._empty(q, passages, notes, period, lead=lead, matching=bool(inside))
        head = f"{_entries(len(entries))} in the chronology for {period.span()}"
        return self._list(q, entries, head, passages, notes, lead=lead)

    def _party(self, side: str, q: Question) -> bool:
        """Whether one side of "between … and …" is a party (a country, person, organization, group or place the
        briefing or the gazetteer knows by that whole name), once the question's own period ("in 2013") is cut off,
        rather than an event or a date."""
        if q.period is not None and q.period.phrase:
            side = side.replace(q.period.phrase, " ")
        bare = re.sub(r"^(?:the\s+)", "", " ".join(side.split()).strip(" ?.,"), flags=re.I)
        if not bare or self.index.dates.interpret(f"on {bare}") is not None:
            return False
        aliases = self.index.aliases
        return aliases.is_name(bare) or aliases.grain_of(bare) == "country"

    def _anchored(self, q: Question, anchor: Anchor, passages: list[Passage], notes: list[str]) -> Answer | None:
        """Date the event by retrieval among the entries, then answer for the period measured from it."""
        best, rival = self._locate(anchor.event, q)
        if best is None:
            if not q.timeline:  # "since World War II" in a question about the article: not a chronology question
                return None
            return self.abstain(q, passages, notes,
                                f"The briefing's chronology has no entry that matches ‘{anchor.event}’, so the "
                                f"period {anchor.phrase} cannot be dated.")
        if rival is not None:
            return self._ambiguous(q, anchor.event, best, rival, passages, notes)
        wording = re.sub(r"^[^:]*:\s*", "", best.text).rstrip(".")
        named = Anchor(anchor.relation, anchor.offset_days, wording, anchor.phrase.replace(anchor.event, wording))
        dates = self.index.dates
        period = anchored_period(named, day(best.date_start, ""), day(best.date_end or best.date_start, ""),
                                 dates.corpus_start, dates.corpus_end)
        q = replace(q, period=period)
        notes = [*notes, f"Read as: {period.label()} [1]"]  # the anchor entry is always cited first
        inside = self.chronology.within(period, _scope(q))
        entries = [p for p in self._about(q, inside) if p.id != best.id][:TIMELINE_LIMIT]
        if not entries:
            matching = bool(inside)  # entries there, but none about the question
            return self._empty(q, passages, notes, period, lead=[best], matching=matching)
        head = f"{_entries(len(entries))} in the chronology for {period.span()}"
        return self._list(q, entries, head, passages, notes, lead=[best])
