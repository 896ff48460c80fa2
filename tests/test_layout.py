"""The library-wide lookups that replace per-question scans (rag/layout.py, the day arrays of rag/chronology.py,
BM25's stored document frequencies and ranking among chosen positions): each gives what the scan gave."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from rag import Assistant, Embedder, Filters, Index, Settings
from rag.chronology import Chronology, day
from rag.dates import DateRange
from rag.index import load_index
from rag.layout import layout
from rag.library import add_documents
from rag.question import terms
from tests.briefings import HARBOR, RIVERS

RANGES = ("Feb. 1, 2024:", "Feb. 9-12, 2024:", "March 7-20, 2024:")


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory, settings: Settings, embedder: Embedder) -> Index:
    tmp = tmp_path_factory.mktemp("layout")
    paths = []
    # a third briefing whose entries span several days, so overlaps are tested on ranges too
    spans = "Articles\nQuays\nThe quays were rebuilt.\n\nChronology\n" + "\n".join(
        f"{r} The quay commission meets in Valdemar." for r in RANGES) + "\n"
    for name, text in (("harbor", HARBOR), ("rivers", RIVERS), ("quays", spans)):
        path = tmp / f"{name}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return add_documents(tmp / "index", paths, settings=settings, embedder=embedder, progress=False)


def test_positions_by_document(library: Index) -> None:
    lay = layout(library)
    for doc in ("harbor", "rivers", "quays"):
        assert lay.of_docs((doc,)).tolist() == [i for i, p in enumerate(library.passages) if p.doc == doc]
    both = lay.of_docs(("rivers", "harbor", "nowhere"))
    assert both.tolist() == [i for i, p in enumerate(library.passages) if p.doc in ("harbor", "rivers")]
    assert lay.of_docs(("nowhere",)).size == 0 and layout(library) is lay


@pytest.mark.parametrize("start,end", [(date(2024, 2, 9), date(2024, 2, 9)), (date(2024, 2, 10), date(2024, 3, 7)),
                                       (date(2024, 1, 1), date(2024, 12, 31)), (date(2023, 1, 1), date(2023, 2, 1))])
def test_entries_of_a_period_are_those_a_scan_finds(library: Index, start: date, end: date) -> None:
    scan = [i for i, p in enumerate(library.passages) if p.kind == "chronology" and p.date_start and p.date_end
            and DateRange(start, end).overlaps(date.fromisoformat(p.date_start), date.fromisoformat(p.date_end))]
    assert layout(library).overlapping(start, end).tolist() == scan


@pytest.mark.parametrize("relation", ["in", "after", "before"])
def test_the_chronology_within_a_period_is_the_scan(library: Index, relation: str) -> None:
    chronology = Chronology(library)
    for start, end in ((date(2024, 2, 10), date(2024, 3, 7)), (date(2024, 2, 1), date(2024, 2, 9)),
                       (date(2025, 1, 1), date(2025, 2, 1))):
        period = DateRange(start, end, "", relation)  # type: ignore[arg-type]
        scan = []
        for p in chronology.entries:
            first, last = day(p.date_start, ""), day(p.date_end or p.date_start, "")
            if period.overlaps(first, last) and not (relation == "after" and first < start) and not (
                    relation == "before" and last > end):
                scan.append(p)
        assert chronology.within(period) == scan
        only = Filters(docs=("quays",)).admits
        assert chronology.within(period, only) == [p for p in scan if p.doc == "quays"]
        before, after = chronology.nearest(period)
        assert all(day(p.date_end, "") < start for p in before) and all(day(p.date_start, "") > end for p in after)


def test_document_frequencies_come_from_the_bm25_index(library: Index) -> None:
    counts: dict[str, int] = {}
    for p in library.passages:
        for t in terms(p.text):
            counts[t] = counts.get(t, 0) + 1
    assert library.bm25.document_frequencies() == counts


def test_bm25_among_chosen_positions_scores_as_the_whole_search(library: Index) -> None:
    question = "fisheries accord signed in Riga"
    everything = np.arange(len(library))
    full, among = library.bm25.search(question, len(library)), library.bm25.search_among(question, everything)
    assert dict(zip(full[0].tolist(), full[1].tolist())) == pytest.approx(dict(zip(among[0].tolist(),
                                                                                     among[1].tolist())))
    chosen = layout(library).of_docs(("rivers",))
    ids, scores = library.bm25.search_among("fish dams Mekong", chosen)
    assert set(ids.tolist()) <= set(chosen.tolist()) and list(scores) == sorted(scores, reverse=True)


def test_a_document_filter_ranks_the_chosen_documents_only(library: Index, embedder: Embedder) -> None:
    assistant = Assistant(library, embedder=embedder)
    found = assistant.retriever.retrieve("Where was the fisheries accord signed?", k=3, filters=Filters(docs=("harbor",)))
    assert found and {p.doc for p in found} == {"harbor"} and "Riga" in found[0].text
    other = assistant.retriever.retrieve("Where was the fisheries accord signed?", k=3,
                                         filters=Filters(docs=("rivers",)))
    assert other and {p.doc for p in other} == {"rivers"}


def test_the_period_boost_lifts_the_same_entries(tmp_path: Path, library: Index, embedder: Embedder) -> None:
    assistant = Assistant(library, embedder=embedder)
    found = assistant.retriever.retrieve("What happened on Feb. 10, 2024?", k=5)
    assert found[0].doc == "quays" and found[0].date_start == "2024-02-09"


def test_the_chronology_scoped_to_documents_is_the_scan_and_decodes_only_theirs(library: Index,
                                                                                 tmp_path: Path) -> None:
    import shutil

    shutil.copytree(library.index_dir, tmp_path / "copy", symlinks=True)
    fresh = load_index(tmp_path / "copy")  # another folder: its passages not decoded yet
    chronology = Chronology(fresh)
    only = Filters(docs=("quays",)).admits
    scan = [p for p in Chronology(library).entries if p.doc == "quays"]
    assert chronology.scoped(only) == scan and chronology.within(None, only) == scan
    decoded = {fresh.passages[i].doc for i in range(len(fresh)) if fresh.passages._cache[i] is not None}  # type: ignore[attr-defined]
    assert decoded <= {"quays"}
    assert list(chronology.scoped(None)) == list(Chronology(library).entries)
