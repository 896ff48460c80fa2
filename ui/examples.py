"""The page's example questions, each with what it must answer: a short answer, the dates of the entries it
lists, or words its answer carries. tests/test_examples.py fails when an example's answer changes.

For another library the examples are generated so that they are right by construction: "What happened on
<date>?" for dates of its chronology, kept only when the answer lists exactly that day's entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rag import Answer, Assistant, Index
from rag.chronology import Chronology
from rag.dates import DateRange, format_range
from rag.settings import DEFAULT_CORPUS

__all__ = ["SHIPPED", "Example", "examples_for"]


@dataclass(frozen=True)
class Example:
    """An example question and what a right answer to it is."""

    question: str
    #: The short answer it must give (typed questions).
    short: str | None = None
    #: The start dates (ISO) of the entries a dated list must give, in order.
    entries: tuple[str, ...] = ()
    #: Words the answer's text must carry (questions answered with a sentence).
    says: str | None = None

    def holds(self, answer: Answer) -> bool:
        """Whether `answer` is the right one: answered, with the expected short answer, entries or words."""
        if answer.abstained:
            return False
        if self.short is not None and answer.short_answer != self.short:
            return False
        if self.entries and tuple(c.passage.date_start or "" for c in _listed(answer)) != self.entries:
            return False
        return self.says is None or self.says in answer.text


def _listed(answer: Answer) -> list:  # type: ignore[type-arg]
    numbers = {i.n for i in answer.items}
    return [c for c in answer.citations if c.n in numbers]


#: The shipped briefing's examples, checked against its text (tests/test_examples.py).
SHIPPED: tuple[Example, ...] = (
    Example("Where did the Quad Senior Cyber Group meet in December?", short="Tokyo"),
    Example("Which entries concern the Quad?", entries=("2023-09-22", "2023-12-05", "2023-12-22")),
    Example("What happened on Nov. 16?", entries=("2023-11-11", "2023-11-16", "2023-11-16", "2023-11-16")),
    Example("Who was Korea's special representative on the Dec. 19 call?", says="Kim Gun"),
    Example("Which missile system will Japan send to the US?", says="Patriot"),
    Example("Who met Kamikawa on Oct. 26?", short="Paul LaCamera"),
)


def examples_for(index: Index, assistant: Assistant, limit: int = 4) -> list[str]:
    """Example questions that follow the loaded library, each checked to be answered rightly.

    The shipped briefing alone gets `SHIPPED`; another library gets "What happened on …?" for dates of its
    chronology (spread over it), kept only when the answer lists exactly that day's entries.
    """
    if [s.doc for s in index.manifest.sources] == [DEFAULT_CORPUS.stem]:
        return [e.question for e in SHIPPED]
    chronology = Chronology.of(index)
    days = sorted({p.date_start for p in chronology.entries if p.date_start})
    picks = [days[i * len(days) // limit] for i in range(limit)] if len(days) > limit else days
    out = []
    for day in dict.fromkeys(picks):
        when = date.fromisoformat(day)
        expected = tuple(p.date_start or "" for p in chronology.within(DateRange(when, when, "", "on")))
        example = Example(f"What happened on {format_range(day, day)}?", entries=expected)
        if example.holds(assistant.answer(example.question)):
            out.append(example.question)
    return out
