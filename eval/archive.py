"""An archive-sized test library: N generated briefings of the journal's shape, built into one index.

Each briefing is an article (an introduction, then sections under short headings) and a dated chronology
(`Mon. D, YYYY: text`, in date order) about one relationship between two countries over a four-month period;
relationships and periods cover 2000-2024. Officials' names, cities and topics are drawn from this module's
own vocabulary with a seeded generator, and each briefing records one accord of its own (“the Cobalt Meridian
Accord”, signed in a named city on a given day), so that a test can ask for one entry among N documents and
know the answer and its document. Briefings come in two sizes (`--size`, part of the cache key): `journal`, the
default, a chapter's size (~36 article passages and ~60 chronology entries, eval/archive_journal.py), and
`small`, about a fifth of that (quick to build: tests and CI).

The library is built with `rag.library.add_documents` — what `rag index add` runs — in batches, with progress;
killed midway, a rerun skips the documents the published manifest already holds. Briefing i is the same for any
N, so the build is cached under a key of the generator's settings (version, size, seed, model), not of N: a
benchmark asking for N reuses an archive built to N or more, and a larger N only adds the missing ones.

Example:
    python -m eval.archive --docs 50            # writes and builds (or completes) the archive, prints its folder
    python -m eval.archive --docs 1000 --batch 50
    python -m eval.archive --docs 1000 --size small   # ~19 passages per briefing instead of ~100
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from rag import Embedder, Settings
from rag.errors import RagError
from rag.index import Index, load_index
from rag.manifest import READABLE_FORMATS, read_manifest

#: Bump when the templates or vocabulary change: the cache key changes with it.
GENERATOR_VERSION = 1
DEFAULT_SEED = 19
#: One JSON line per batch added (documents, passages, sentences, seconds): how long the archive took to build.
BUILD_LOG = "build-log.jsonl"
FIRST_YEAR, YEARS = 2000, 25
#: Four-month reporting periods, as the journal publishes them.
PERIODS = ((1, 4), (5, 8), (9, 12))
MONTHS = ("Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.")
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")
COUNTRIES = ("Japan", "Korea", "China", "Australia", "India", "Indonesia", "Vietnam", "the Philippines",
             "Taiwan", "Russia", "the US", "Mongolia", "Singapore", "Thailand", "Malaysia", "New Zealand")
PAIRS = tuple((a, b) for i, a in enumerate(COUNTRIES) for b in COUNTRIES[i + 1:])
FIRST = ("Arlen", "Bettina", "Caspar", "Delia", "Emeric", "Fenna", "Gideon", "Halina", "Ivo", "Jorunn", "Kasimir",
         "Liesel", "Marek", "Nerys", "Oskar", "Perpetua", "Quillon", "Rosalind", "Sebastien", "Tamsin", "Ulric",
         "Valeska", "Wendel", "Xanthe", "Yorick", "Zinovia", "Anselm", "Brigida", "Cyprian", "Dorothea")
LAST = ("Achterberg", "Bellweather", "Castellane", "Dunmore", "Eckhardt", "Falkenrath", "Grisewood", "Hallorann",
        "Ingersleben", "Jessamine", "Kettleby", "Lindqvist", "Marchbanks", "Nettleford", "Ostrander", "Pemberton",
        "Quarrington", "Rothwell", "Sandoval", "Thistlewood", "Underhill", "Vasquez-Holm", "Whitcombe", "Yarborough",
        "Zeller", "Abernethy", "Brackenridge", "Cordwainer", "Delacourt", "Everleigh")
OFFICES = ("foreign minister", "defense minister", "trade minister", "national security adviser",
           "deputy foreign minister", "finance minister", "ambassador", "chief of staff")
CITIES = ("Harrowgate", "Port Veyra", "Calderon Bay", "Marlow Point", "Estervale", "Kingsbridge", "Lindenhall",
          "Ossory", "Redmarsh", "Saltcombe", "Thornbury", "Valmont", "Westerholm", "Ashcombe", "Brightwater",
          "Coldharbour", "Dunwich Reach", "Elmstead", "Fairhaven", "Glenrock", "Highmoor", "Ironbridge",
          "Juniper Cove", "Kestrel Island", "Larkspur", "Millbrook", "Northgate", "Oakhurst", "Pinecrest",
          "Queensferry")
TOPICS = ("fisheries quotas", "undersea cables", "semiconductor supply chains", "maritime surveillance",
          "port infrastructure", "export controls", "disaster relief", "space cooperation", "energy security",
          "critical minerals", "cyber defense", "student exchanges", "customs procedures", "satellite launches",
          "pandemic preparedness", "rare earth stockpiles", "coast guard training", "river management")
EXERCISES = ("naval", "air defense", "search-and-rescue", "amphibious", "mine countermeasures", "coast guard")
ACCORD_ADJ = ("Amber", "Basalt", "Cobalt", "Driftwood", "Emerald", "Flint", "Granite", "Heather", "Indigo", "Jasper",
              "Kelp", "Limestone", "Mica", "Nimbus", "Obsidian", "Pewter", "Quartz", "Russet", "Sable", "Tidewater",
              "Umber", "Vermilion", "Willow", "Yarrow", "Zircon", "Alder", "Bramble", "Cinder", "Dune", "Ember",
              "Fjord", "Glacier", "Hawthorn", "Ivory", "Juniper", "Kestrel", "Lichen", "Marram", "Nettle", "Onyx")
ACCORD_NOUN = ("Meridian", "Compass", "Keystone", "Beacon", "Anchor", "Causeway", "Bulwark", "Lattice", "Harbor",
               "Trellis", "Rampart", "Gateway", "Pinnacle", "Cairn", "Spindle", "Tiller", "Quadrant", "Sextant",
               "Capstan", "Bastion", "Corridor", "Fulcrum", "Aqueduct", "Citadel", "Threshold", "Palisade",
               "Windlass", "Transom", "Belvedere", "Arbor")
HEADINGS = ("Talks at Every Level", "The Economic Ledger", "Security on the Water", "Old Grievances, New Channels",
            "A Busy Calendar", "Looking Ahead", "Ministers on the Move", "Trade Before Politics")
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth")
#: Briefing sizes: `journal` is a chapter's size (~36 article passages and ~60 chronology entries, like the
#: shipped briefing: ~100 passages), `small` about a fifth of it (~7 + ~12: quick to build, for tests and CI).
SIZES = ("journal", "small")
DEFAULT_SIZE = "journal"


@dataclass(frozen=True)
class Accord:
    """The one entry of a briefing that no other briefing shares: what, where, when."""

    name: str
    city: str
    day: date


@dataclass(frozen=True)
class Briefing:
    id: str
    title: str
    text: str
    accord: Accord
    start: date
    end: date
    countries: tuple[str, str]


def period_of(i: int) -> tuple[date, date]:
    """Briefing i's reporting period: four months, cycling over 25 years."""
    n = i % (YEARS * len(PERIODS))
    year, (first, last) = FIRST_YEAR + n // len(PERIODS), PERIODS[n % len(PERIODS)]
    end = date(year + (last == 12), 1 if last == 12 else last + 1, 1) - timedelta(days=1)
    return date(year, first, 1), end


def accord_of(i: int) -> str:
    """A name unique to briefing i (for i below 1,200)."""
    return f"{ACCORD_ADJ[i % len(ACCORD_ADJ)]} {ACCORD_NOUN[(i // len(ACCORD_ADJ)) % len(ACCORD_NOUN)]} Accord"


def pair_of(i: int) -> tuple[str, str]:
    """The relationship: briefings of one period are about different pairs of countries."""
    n = YEARS * len(PERIODS)
    return PAIRS[(i // n + 37 * (i % n)) % len(PAIRS)]


def day_text(d: date) -> str:
    return f"{MONTHS[d.month - 1]} {d.day}, {d.year}"


def cap(text: str) -> str:
    """`text` with its first letter upper-case (`str.capitalize` would lower the rest)."""
    return text[:1].upper() + text[1:]


def slug(country: str) -> str:
    return country.removeprefix("the ").replace(" ", "").lower()



@dataclass(frozen=True)
class Cast:
    """Who, when and what of one briefing: its two countries, their officials and offices, the days of its
    chronology, its topics and its accord (drawn in this order from the briefing's own generator)."""

    start: date
    end: date
    a: str
    b: str
    people: dict[str, list[str]]
    offices: dict[str, list[str]]
    days: list[date]
    accord: Accord
    topics: list[str]

    def official(self, c: str, k: int) -> str:
        return f"{c.removeprefix('the ')}’s {self.offices[c][k]} {self.people[c][k]}"


def cast(rng: random.Random, i: int, officials: int, entries: tuple[int, int], topics: int) -> Cast:
    """Briefing i's cast: `officials` per country, a chronology of `entries` (low, high) days, `topics` topics."""
    start, end = period_of(i)
    a, b = pair_of(i)
    people = {c: [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(officials)] for c in (a, b)}
    offices = {c: rng.sample(OFFICES, officials) for c in (a, b)}
    span = (end - start).days
    days = sorted(start + timedelta(days=rng.randrange(span + 1)) for _ in range(rng.randint(*entries)))
    accord = Accord(accord_of(i), rng.choice(CITIES), days[len(days) // 2])
    return Cast(start, end, a, b, people, offices, days, accord, rng.sample(TOPICS, topics))


def chronology(rng: random.Random, c: Cast,
               more: Callable[[str, str, int], list[str]] | None = None) -> list[str]:
    """The dated entries: the accord's signing on its day, other days one of the templates (`more` adds
    templates, given the day's city, topic and official)."""
    a, b, people, n = c.a, c.b, c.people, len(c.people[c.a])
    entries = []
    for i, d in enumerate(c.days):
        city, topic, k = rng.choice(CITIES), rng.choice(c.topics), rng.randrange(n)
        if i == len(c.days) // 2:
            text = (f"The {c.accord.name} on {c.topics[0]} is signed in {c.accord.city} by {people[a][0]} and "
                    f"{people[b][0]}.")
        else:
            text = rng.choice((
                f"{cap(c.official(a, k))} and {c.official(b, k)} meet in {city}.",
                f"{cap(a)} and {b} hold the {rng.choice(ORDINALS)} round of talks on {topic} in {city}.",
                f"{cap(c.official(b, k))} visits {city} for talks on {topic}.",
                f"{cap(c.official(a, k))} calls {c.official(b, (k + 1) % n)} to discuss {topic}.",
                f"{cap(a)} and {b} conduct a joint {rng.choice(EXERCISES)} exercise near {city}.",
                f"A delegation led by {people[b][k]} arrives in {city} to negotiate on {topic}.",
                *(more(city, topic, k) if more else ()),
            ))
        entries.append(f"{day_text(d)}: {text}")
    return entries


def briefing(i: int, seed: int = DEFAULT_SEED, size: str = DEFAULT_SIZE) -> Briefing:
    """Briefing i of the archive (the same for any archive size), `journal`- or `small`-sized."""
    if size == "journal":
        from eval.archive_journal import journal_briefing

        return journal_briefing(i, seed)
    if size != "small":
        raise ValueError(f"unknown briefing size {size!r}; use one of {', '.join(SIZES)}")
    rng = random.Random(f"{seed}-{i}")
    c = cast(rng, i, officials=4, entries=(10, 14), topics=5)
    start, end, a, b, people, offices, topics, accord = (c.start, c.end, c.a, c.b, c.people, c.offices, c.topics,
                                                         c.accord)
    official = c.official
    entries = chronology(rng, c)
    a_, b_ = a.removeprefix("the "), b.removeprefix("the ")
    season = f"{MONTH_NAMES[start.month - 1]}–{MONTH_NAMES[end.month - 1]} {start.year}"
    intro = (f"Relations between {a} and {b} in {season} turned on {topics[0]} and {topics[1]}. "
             f"{people[a][0]}, {a_}’s {offices[a][0]}, and {people[b][0]}, {b_}’s {offices[b][0]}, set the pace, "
             f"and the period brought the {accord.name}, signed in {accord.city} on {day_text(accord.day)}.")
    sections = []
    for h in rng.sample(HEADINGS, 3):
        t1, t2 = rng.sample(topics, 2)
        c1, c2 = rng.sample(CITIES, 2)
        k = rng.randrange(4)
        sections.append(f"{h}\n"
                        f"Officials of both governments met repeatedly on {t1}. {people[a][k]} travelled to {c1} "
                        f"while {people[b][k]} received visitors in {c2}. Progress on {t2} was slower, and "
                        f"observers in {c1} expected little before the end of {end.year}.\n"
                        f"The talks on {t2} drew attention in both capitals. {cap(official(b, (k + 2) % 4))} "
                        f"called them “a test of patience,” and the next round was set for {c2}.")
    text = "Articles\n" + intro + "\n" + "\n".join(sections) + "\n" + "\n".join(entries) + "\n"
    doc_id = f"cc-{start.year}-{start.month:02d}-{slug(a)}-{slug(b)}"
    title = f"{a_}–{b_} Relations, {season}"
    return Briefing(doc_id, title, text, accord, start, end, (a, b))


def archive_key(seed: int = DEFAULT_SEED, settings: Settings | None = None, size: str = DEFAULT_SIZE) -> str:
    """The cache key of an archive: generator version, briefing size, seed, embedding model, chunker and index
    format (not the number of briefings), so that a change to any of them builds a new archive instead of
    failing on the old one. (The `small` key is the one of the generator before sizes existed.) The format is
    the oldest one this version still reads: a newer format that reads the old builds keeps their cache."""
    s = settings or Settings()
    extra, label = ("", "") if size == "small" else (f"|{size}", f"-{size}")
    fmt = READABLE_FORMATS[0]
    digest = hashlib.sha256(f"{GENERATOR_VERSION}|{seed}|{s.model}|{s.max_tokens}|{fmt}{extra}".encode())
    return f"v{GENERATOR_VERSION}{label}-seed{seed}-{digest.hexdigest()[:10]}"


def default_folder(seed: int = DEFAULT_SEED, settings: Settings | None = None, size: str = DEFAULT_SIZE) -> Path:
    return Path.home() / ".cache" / "briefing-qa" / "archive" / archive_key(seed, settings, size)


def held_documents(index_dir: Path) -> set[str]:
    """The document ids the published manifest holds (none before the first batch)."""
    try:
        return {s.doc for s in read_manifest(index_dir)[1].sources}
    except RagError:
        return set()


def build_archive(docs: int, folder: Path | None = None, seed: int = DEFAULT_SEED, batch: int = 25,
                  settings: Settings | None = None, embedder: Embedder | None = None,
                  progress: bool = True, size: str = DEFAULT_SIZE) -> Index:
    """Write briefings 0..docs-1 under `folder/briefings` and add the missing ones to `folder/index` in batches.

    Returns the library loaded (it may hold more than `docs` briefings, built earlier for a larger N).
    """
    from rag.library import add_documents

    settings = settings or Settings()
    folder = folder or default_folder(seed, settings, size)
    sources, index_dir = folder / "briefings", folder / "index"
    sources.mkdir(parents=True, exist_ok=True)
    held = held_documents(index_dir)
    todo: list[Path] = []
    for i in range(docs):
        b = briefing(i, seed, size)
        if b.id in held:
            continue
        path = sources / f"{b.id}.txt"
        if not path.is_file():
            path.write_text(b.text, encoding="utf-8")
        todo.append(path)
    if progress:
        print(f"Archive {folder} ({size} briefings): {docs - len(todo)} of {docs} briefings already built; "
              f"adding {len(todo)} in batches of {batch}.", file=sys.stderr)
    if embedder is None:
        embedder = Embedder(settings)
        if todo and not held:  # a new cache key (another index format, say): the same briefings' vectors serve
            from eval.archive_seed import SeededEmbedder, sibling_vectors

            seeds = sibling_vectors(folder, settings)
            if seeds:
                embedder = SeededEmbedder(embedder, seeds)
                if progress:
                    print(f"  reusing {len(seeds):,} vectors of earlier builds of these briefings (same model).",
                          file=sys.stderr)
    started = time.perf_counter()
    for n in range(0, len(todo), batch):
        chunk = todo[n:n + batch]
        t, reused = time.perf_counter(), getattr(embedder, "reused", 0)
        index = add_documents(index_dir, chunk, settings=settings, embedder=embedder, progress=False)
        record: dict[str, Any] = {"at": datetime.now(UTC).isoformat(timespec="seconds"), "added": len(chunk),
                  "documents": len(index.manifest.sources), "passages": len(index),
                  "sentences": int(index.sentence_vectors.shape[0]), "seconds": round(time.perf_counter() - t, 2),
                  "load": round(os.getloadavg()[0], 1)}
        if getattr(embedder, "reused", 0) > reused:  # vectors of an earlier build: not an embedding time
            record["reused_vectors"] = embedder.reused - reused  # type: ignore[attr-defined]
        with (folder / BUILD_LOG).open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(record) + "\n")
        if progress:
            done = n + len(chunk)
            spent = time.perf_counter() - started
            print(f"  {docs - len(todo) + done}/{docs} briefings ({spent:.0f} s, "
                  f"{spent / done:.1f} s per briefing)", file=sys.stderr, flush=True)
    return load_index(index_dir, settings, check_sources=False, verify=False)


def build_log(folder: Path) -> list[dict[str, Any]]:
    """The batches added to the archive in `folder`, oldest first (empty before the first)."""
    path = folder / BUILD_LOG
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.archive", description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=100, help="Briefings in the archive (default 100).")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"Generator seed (default {DEFAULT_SEED}).")
    parser.add_argument("--size", choices=SIZES, default=DEFAULT_SIZE,
                        help="Briefing size: journal (a chapter's ~100 passages, the default) or small (~19, "
                             "quick; for tests). Part of the cache key.")
    parser.add_argument("--batch", type=int, default=25, help="Briefings per `rag index add` (default 25).")
    parser.add_argument("--folder", type=Path, default=None,
                        help="Where to write it (default ~/.cache/briefing-qa/archive/KEY).")
    args = parser.parse_args(argv)
    if not 1 <= args.docs <= len(ACCORD_ADJ) * len(ACCORD_NOUN) or args.batch < 1:
        parser.error(f"--docs must be 1 to {len(ACCORD_ADJ) * len(ACCORD_NOUN)}, --batch 1 or more")
    from rag.settings import OFFLINE_ENV

    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)
    started = time.perf_counter()
    index = build_archive(args.docs, args.folder, args.seed, args.batch, size=args.size)
    print(f"{len(index.manifest.sources)} briefings, {len(index):,} passages, "
          f"{index.sentence_vectors.shape[0]:,} sentences in {index.index_dir} "
          f"({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
