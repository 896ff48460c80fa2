from datetime import date

import pytest

from rag import Filters, Index, Retriever, Settings
from rag.embed import Embedder
from rag.errors import IndexMismatchError, SettingsError


@pytest.fixture(scope="module")
def retriever(briefing_index: Index, embedder: Embedder) -> Retriever:
    return Retriever(briefing_index, embedder)


@pytest.mark.parametrize(
    ("question", "needle"),
    [
        ("Where did the Quad Senior Cyber Group meet in December?", "Quad Senior Cyber Group is held in Tokyo"),
        ("Which aircraft crashed off Yakushima Island?", "CV-22 Osprey"),
        ("What will Japan export to the United States under the new arms rule?", "Patriot (PAC3)"),
        ("Who replaced Hayashi at the foreign ministry?", "Kamikawa replaced Hayashi"),
        ("What share of Americans support US bases in Japan?", "(63%) support US bases"),
    ],
)
def test_hybrid_finds_the_evidence_in_the_top_three(retriever: Retriever, question: str, needle: str) -> None:
    top = retriever.retrieve(question, k=3)
    assert any(needle in p.text for p in top), [p.text[:80] for p in top]


def test_passages_carry_both_ranks_and_a_fused_score(retriever: Retriever) -> None:
    top = retriever.retrieve("Osprey crash Yakushima", k=5)
    assert [p.score for p in top] == sorted((p.score for p in top), reverse=True)
    assert top[0].dense_rank is not None and top[0].bm25_rank is not None


def test_k_overrides_the_default(retriever: Retriever) -> None:
    assert len(retriever.retrieve("Kishida", k=2)) == 2
    assert len(retriever.retrieve("Kishida")) == Settings().k
    with pytest.raises(SettingsError, match="k of 0"):
        retriever.retrieve("Kishida", k=0)


def test_what_happened_on_a_day_lists_every_entry_in_date_order(retriever: Retriever) -> None:
    top = retriever.retrieve("What happened on Nov. 16?", k=3)
    days = {(p.date_start, p.date_end) for p in top}
    assert days == {("2023-11-16", "2023-11-16"), ("2023-11-11", "2023-11-17")}
    assert len([p for p in top if p.date_start == "2023-11-16"]) == 3


@pytest.mark.parametrize(
    ("question", "start", "end", "count"),
    [
        ("What happened between Dec. 5 and Dec. 7?", "2023-12-05", "2023-12-07", 5),
        ("What happened in early December?", "2023-12-01", "2023-12-10", 5),
        ("What happened in September 2023?", "2023-09-01", "2023-09-30", 17),
        ("What happened on Oct. 4?", "2023-10-04", "2023-10-04", 1),
    ],
)
def test_timeline_periods(retriever: Retriever, question: str, start: str, end: str, count: int) -> None:
    top = retriever.retrieve(question)
    assert len(top) == count
    assert all(p.kind == "chronology" and p.date_end >= start and p.date_start <= end for p in top)
    assert [p.date_start for p in top] == sorted(p.date_start for p in top)


def test_a_named_month_lifts_its_entries(retriever: Retriever) -> None:
    top = retriever.retrieve("Where did Kamikawa meet Blinken in November?", k=3)
    assert top[0].date_start.startswith("2023-11")


def test_filters_restrict_kind_and_dates(retriever: Retriever) -> None:
    only_article = retriever.retrieve("Osprey", k=5, filters=Filters(kinds=("article",)))
    assert only_article and all(p.kind == "article" for p in only_article)
    december = retriever.retrieve("Kamikawa meets", k=8, filters=Filters(start=date(2023, 12, 1), end=date(2023, 12, 31)))
    assert all(p.date_start >= "2023-12-01" for p in december if p.kind == "chronology")


def test_a_retriever_refuses_an_index_of_another_model(briefing_index: Index) -> None:
    with pytest.raises(IndexMismatchError, match="'another-model'.*rag index build"):
        Retriever(briefing_index, settings=Settings(model="another-model"))
