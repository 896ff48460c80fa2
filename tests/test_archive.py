"""The archive generator (eval/archive.py) and correctness at (small) scale: one known entry among N documents,
the document and date filters, a timeline across the library, and a resumable, cached build."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from eval.archive import (
    MONTH_NAMES,
    archive_key,
    briefing,
    build_archive,
    held_documents,
    main,
    period_of,
)
from rag import Assistant, Embedder, Filters, Index, Settings
from rag.chunk import chunk
from rag.parse import parse

N = 6
#: The tests build small briefings (a fifth of a chapter) to stay quick; the journal size is checked by shape.
SIZE = "small"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Index:
    folder = tmp_path_factory.mktemp("archive")
    build_archive(N - 2, folder, batch=2, embedder=embedder, progress=False, size=SIZE)  # a first, smaller build…
    return build_archive(N, folder, batch=3, embedder=embedder, progress=False, size=SIZE)  # …completed to N


@pytest.fixture(scope="module")
def archive_assistant(archive: Index, embedder: Embedder) -> Assistant:
    return Assistant(archive, embedder=embedder)


def test_briefings_are_stable_distinct_and_of_the_journal_shape(tmp_path: Path) -> None:
    five = briefing(5, size=SIZE).text
    assert five == briefing(5, size=SIZE).text and five != briefing(5, seed=2, size=SIZE).text
    many = [briefing(i, size=SIZE) for i in range(1000)]
    assert len({b.id for b in many}) == len({b.accord.name for b in many}) == 1000
    assert {b.start.year for b in many} == set(range(2000, 2025))
    b = many[7]
    path = tmp_path / f"{b.id}.txt"
    path.write_text(b.text, encoding="utf-8")
    doc = parse(path, b.id)
    assert doc.source.startswith("Articles\n") and len(doc.source) == len(b.text)
    dated = [line for line in b.text.splitlines() if line[:3] in {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
                                                                  "Aug", "Sep", "Oct", "Nov", "Dec"}
             and ", 20" in line.split(":")[0]]
    assert 10 <= len(dated) <= 14 and any(b.accord.name in line and b.accord.city in line for line in dated)
    assert b.start <= b.accord.day <= b.end


def test_journal_briefings_have_a_chapters_size(tmp_path: Path) -> None:
    """About 36 article passages and 60 chronology entries, like the shipped chapter; the accord in both parts."""
    small, journal = briefing(3, size="small"), briefing(3)
    assert (journal.id, journal.accord.name, journal.start) == (small.id, small.accord.name, small.start)
    assert journal.text != briefing(3, seed=2).text
    path = tmp_path / f"{journal.id}.txt"
    path.write_text(journal.text, encoding="utf-8")
    passages = chunk(parse(path, journal.id))
    kinds = [p.kind for p in passages]
    assert 25 <= kinds.count("article") <= 50 and 55 <= kinds.count("chronology") <= 66
    signed = [p for p in passages if journal.accord.name in p.text and journal.accord.city in p.text]
    assert {p.kind for p in signed} == {"article", "chronology"}
    assert len({briefing(i).accord.name for i in range(200)}) == 200


def test_an_unknown_size_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown briefing size"):
        briefing(0, size="huge")
    with pytest.raises(SystemExit):
        main(["--size", "huge"])


def test_periods_are_four_months() -> None:
    assert period_of(0) == (date(2000, 1, 1), date(2000, 4, 30))
    assert period_of(2) == (date(2000, 9, 1), date(2000, 12, 31))
    assert period_of(74) == (date(2024, 9, 1), date(2024, 12, 31)) and period_of(75) == period_of(0)


def test_the_cache_key_follows_the_generator_not_the_size() -> None:
    assert archive_key(19) == archive_key(19, Settings()) != archive_key(20)
    assert archive_key(19, size="small") != archive_key(19, size="journal") == archive_key(19)


def test_the_archive_is_built_resumably_and_holds_every_briefing(archive: Index, tmp_path: Path) -> None:
    ids = [briefing(i, size=SIZE).id for i in range(N)]
    assert [s.doc for s in archive.manifest.sources] == ids
    assert held_documents(archive.index_dir) == set(ids)
    assert held_documents(tmp_path) == set()


def test_a_known_entry_is_found_among_the_documents(archive_assistant: Assistant) -> None:
    for i in (1, N - 1):
        b = briefing(i, size=SIZE)
        answer = archive_assistant.answer(f"Where was the {b.accord.name} signed?")
        assert not answer.abstained, answer.text
        assert answer.citations[0].passage.doc == b.id and answer.short_answer == b.accord.city


def test_the_document_filter_keeps_to_the_chosen_document(archive_assistant: Assistant) -> None:
    b, other = briefing(1, size=SIZE), briefing(3, size=SIZE)
    answer = archive_assistant.answer(f"Where was the {b.accord.name} signed?", filters=Filters(docs=(other.id,)))
    assert all(c.passage.doc == other.id for c in answer.citations)
    assert answer.short_answer != b.accord.city


def test_the_date_filter_keeps_to_the_chosen_days(archive_assistant: Assistant) -> None:
    b = briefing(4, size=SIZE)
    start, end = b.start, b.accord.day
    passages = archive_assistant.retriever.retrieve(
        "talks", k=50, filters=Filters(start=start, end=end, kinds=("chronology",)))
    assert passages and all(start.isoformat() <= (p.date_start or "") <= end.isoformat() for p in passages)


def test_a_timeline_spans_the_library(archive_assistant: Assistant) -> None:
    year = briefing(3, size=SIZE).start.year  # briefings 3, 4 and 5 cover the three periods of that year
    answer = archive_assistant.answer(f"What happened in {year}?")
    docs = {c.passage.doc for c in answer.citations}
    assert not answer.abstained and {briefing(i, size=SIZE).id for i in (3, 4, 5)} <= docs
    days = [c.passage.date_start for c in answer.citations]
    assert days == sorted(days) and all(d and d.startswith(str(year)) for d in days)


def test_a_month_of_one_relationship_is_answered_from_its_briefing(archive_assistant: Assistant) -> None:
    b = briefing(2, size=SIZE)
    a, c = (x.removeprefix("the ") for x in b.countries)
    month = b.accord.day.month
    answer = archive_assistant.answer(f"What did {a} and {c} do in {MONTH_NAMES[month - 1]} {b.start.year}?")
    assert not answer.abstained and {x.passage.doc for x in answer.citations} == {b.id}


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(SystemExit) as info:
        main(["--docs", "0"])
    assert info.value.code == 2


def test_a_killed_build_resumes_where_it_stopped(tmp_path: Path, embedder: Embedder,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import rag.library

    real, added = rag.library.add_documents, []

    def add(index_dir: Path, paths: list[Path], **kw: object) -> Index:
        if len(added) == 1:
            raise KeyboardInterrupt  # killed during the second batch
        added.append([p.stem for p in paths])
        return real(index_dir, paths, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(rag.library, "add_documents", add)
    with pytest.raises(KeyboardInterrupt):
        build_archive(3, tmp_path, batch=1, embedder=embedder, progress=False, size=SIZE)
    assert held_documents(tmp_path / "index") == {briefing(0, size=SIZE).id}
    added.append(["(rerun)"])
    index = build_archive(3, tmp_path, batch=1, embedder=embedder, progress=False, size=SIZE)
    ids = [briefing(i, size=SIZE).id for i in range(3)]
    assert added == [[ids[0]], ["(rerun)"], [ids[1]], [ids[2]]]  # nothing added twice
    assert [s.doc for s in index.manifest.sources] == [briefing(i, size=SIZE).id for i in range(3)]


class _Counting(Embedder):
    """Counts the texts it is asked to embed."""

    def __init__(self, inner: Embedder) -> None:
        super().__init__(inner.settings)
        self.inner, self.texts = inner, 0

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def encode(self, texts: list[str], progress: bool = False):  # type: ignore[no-untyped-def]
        self.texts += len(texts)
        return self.inner.encode(texts, progress=progress)


def test_an_archive_under_a_new_key_reuses_the_vectors_of_its_siblings(
    tmp_path: Path, embedder: Embedder, settings: Settings
) -> None:
    """A new cache key (another index format) builds the same briefings again without embedding them again:
    the vectors come from the sibling archive's files, and the index answers as before."""
    from eval.archive_seed import SeededEmbedder, sibling_vectors

    old = tmp_path / "v1-seed5-aaaaaaaaaa"
    first = build_archive(3, old, seed=5, embedder=embedder, progress=False, size=SIZE)
    new = tmp_path / "v1-seed5-bbbbbbbbbb"
    seeds = sibling_vectors(new, settings)
    assert seeds and not sibling_vectors(tmp_path / "v1-seed6-cccccccccc", settings)
    counting = _Counting(embedder)
    second = build_archive(4, new, seed=5, embedder=SeededEmbedder(counting, seeds), progress=False, size=SIZE)
    fourth = [p for p in second.passages if p.doc == briefing(3, seed=5, size=SIZE).id]
    assert 0 < counting.texts <= len(fourth) + sum(len(p.sentences) for p in fourth)  # only briefing 3 is new
    same = second.by_id[first.passages[0].id]
    assert (second.passage_vectors[same] == first.passage_vectors[0]).all()
