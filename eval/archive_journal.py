"""Journal-sized briefings for the archive (eval/archive.py, `--size journal`).

A chapter of the journal is about 36 article passages and 60 chronology entries (the shipped
rag/corpus/us-japan-sep-dec-2023.txt: 36 + 61); the archive's `small` briefings are about 7 + 12. This module
writes briefings of the journal's size from the same vocabulary: an introduction of three paragraphs, five or six
sections of five to seven paragraphs of four to six sentences, and 55-66 dated entries over the four months,
with the briefing's own accord in its chronology and its article. Briefing i is the same for any archive size.
"""

from __future__ import annotations

import random

from eval.archive import (
    CITIES,
    EXERCISES,
    HEADINGS,
    MONTH_NAMES,
    ORDINALS,
    Briefing,
    cap,
    cast,
    chronology,
    day_text,
    slug,
)

#: Section headings of a journal-sized article (the small briefings' eight and more).
JOURNAL_HEADINGS = (
    *HEADINGS, "Summits and Side Meetings", "The Alliance Question", "Money, Markets and Ministers", "Friction at Sea",
    "People to People", "The View from Parliament", "Regional Echoes", "Unfinished Business",
)
AGENCIES = ("the coast guard", "the trade ministry", "the central bank", "the navy", "the space agency",
            "the customs service", "the energy regulator", "the fisheries agency")
VERBS = ("pressed", "welcomed", "questioned", "defended", "praised", "criticized", "revisited", "postponed")


def _sentences(rng: random.Random, a: str, b: str, people: dict[str, list[str]], offices: dict[str, list[str]],
               topics: list[str], year: int, months: tuple[int, int]) -> list[str]:
    """The article's sentence templates, filled from the briefing's own people, topics and months."""
    c = rng.choice((a, b))
    k = rng.randrange(len(people[c]))
    p, o = people[c][k], offices[c][k]
    t1, t2 = rng.sample(topics, 2)
    c1, c2 = rng.sample(CITIES, 2)
    month = MONTH_NAMES[rng.randrange(months[0], months[1] + 1) - 1]
    pct, amount = rng.randint(2, 48), rng.randint(3, 950)
    home = c.removeprefix("the ")
    return [
        f"In {month}, {p}, {home}’s {o}, {rng.choice(VERBS)} the plan on {t1} before reporters in {c1}.",
        f"Trade in goods linked to {t1} rose {pct} percent on the year, according to figures released in {c2}.",
        f"{cap(a)} pledged ${amount} million for {t2}, a sum that officials in {c1} described as a first step.",
        f"Working-level talks on {t2} resumed in {c2} after a pause of several months.",
        f"{cap(rng.choice(AGENCIES))} of {c} took part in a joint {rng.choice(EXERCISES)} drill off {c1}.",
        f"Commentators in {c2} read the meeting as a sign that {t1} now ranks above {t2} in both capitals.",
        f"{p} told a parliamentary committee that {t2} would stay on the agenda through {year}.",
        f"Opposition lawmakers in {home} {rng.choice(VERBS)} the government’s approach to {t1}.",
        f"A survey published in {month} found {pct} percent of respondents in {home} favoured closer ties.",
        f"The {rng.choice(ORDINALS)} round of consultations on {t1} ended in {c1} without a joint statement.",
        f"Business groups in {c2} asked both governments to simplify rules on {t2}.",
        f"{cap(b)} sent a delegation of {rng.randint(8, 60)} officials to {c1} to study {t1}.",
    ]


def journal_briefing(i: int, seed: int) -> Briefing:
    """Briefing i at the journal's size (see the module's docstring)."""
    rng = random.Random(f"{seed}-{i}-journal")
    c = cast(rng, i, officials=6, entries=(55, 66), topics=8)
    start, end, a, b, people, offices, topics, accord = (c.start, c.end, c.a, c.b, c.people, c.offices, c.topics,
                                                         c.accord)

    def more(city: str, topic: str, k: int) -> list[str]:
        return [
            f"{cap(rng.choice(AGENCIES))} of {a} and its counterpart from {b} sign a memorandum on {topic}.",
            f"{cap(c.official(b, k))} says in {city} that progress on {topic} is “within reach.”",
            f"Lawmakers from {a} and {b} meet in {city} to discuss {topic}.",
            f"{cap(a)} announces ${rng.randint(5, 900)} million in support for {topic} projects in {b}.",
        ]

    entries = chronology(rng, c, more)
    a_, b_ = a.removeprefix("the "), b.removeprefix("the ")
    season = f"{MONTH_NAMES[start.month - 1]}–{MONTH_NAMES[end.month - 1]} {start.year}"
    months = (start.month, end.month)
    intro = [
        f"Relations between {a} and {b} in {season} turned on {topics[0]} and {topics[1]}. "
        f"{people[a][0]}, {a_}’s {offices[a][0]}, and {people[b][0]}, {b_}’s {offices[b][0]}, set the pace, "
        f"and the period brought the {accord.name}, signed in {accord.city} on {day_text(accord.day)}.",
    ]
    for _ in range(2):
        intro.append(" ".join(rng.sample(_sentences(rng, a, b, people, offices, topics, end.year, months),
                                         rng.randint(4, 6))))
    sections = []
    for h in rng.sample(JOURNAL_HEADINGS, rng.randint(5, 6)):
        paragraphs = [" ".join(rng.sample(_sentences(rng, a, b, people, offices, topics, end.year, months),
                                          rng.randint(4, 6))) for _ in range(rng.randint(5, 7))]
        sections.append(h + "\n" + "\n".join(paragraphs))
    text = "Articles\n" + "\n".join(intro) + "\n" + "\n".join(sections) + "\n" + "\n".join(entries) + "\n"
    doc_id = f"cc-{start.year}-{start.month:02d}-{slug(a)}-{slug(b)}"
    title = f"{a_}–{b_} Relations, {season}"
    return Briefing(doc_id, title, text, accord, start, end, (a, b))
