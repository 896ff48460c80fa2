from datetime import date
from types import SimpleNamespace

import numpy as np
import pytest

from rag import Filters, Index, Retriever, Settings, build_index
from rag.dates import DateRange
from rag.embed import Embedder
from rag.errors import IndexMismatchError, SettingsError
from rag.retrieve import Ranking, best_sentence, date_boost, fuse
from tests.briefings import NORRVIK


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
        ("What share of Americans back US bases in Japan?", "(63%) support US bases"),
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
        ("What happened from Dec. 5 to Dec. 7?", "2023-12-05", "2023-12-07", 5),
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


# --------------------------------------------------------------------------- fusion and the date boost, unit by unit


def _brute_force(dense: Ranking, lexical: Ranking, settings: Settings) -> dict[int, float]:
    """The fusion written out score by score, as the docstring of `fuse` states it."""
    out: dict[int, float] = {}
    for weight, (ids, scores) in ((settings.dense_weight, dense), (1 - settings.dense_weight, lexical)):
        for rank, (pos, score) in enumerate(zip(ids.tolist(), scores.tolist()), start=1):
            if settings.fusion == "rrf":
                add = 2 * weight / (settings.rrf_k + rank)
            else:
                lo, hi = min(scores.tolist()), max(scores.tolist())
                add = weight * ((score - lo) / (hi - lo) if hi > lo else 1.0)
            out[pos] = out.get(pos, 0.0) + add
    return out


def _ranking(rng: np.random.Generator, n: int) -> Ranking:
    ids = rng.choice(50, size=n, replace=False)
    return ids.astype(np.int64), np.sort(rng.random(n))[::-1] * rng.choice([1.0, 30.0])


@pytest.mark.parametrize("fusion", ["rrf", "weighted"])
def test_fusion_matches_a_brute_force_oracle_on_random_rankings(fusion: str) -> None:
    rng = np.random.default_rng(7)
    for trial in range(200):
        settings = Settings(fusion=fusion, dense_weight=float(rng.random()), rrf_k=int(rng.integers(1, 100)))
        dense, lexical = _ranking(rng, int(rng.integers(0, 20))), _ranking(rng, int(rng.integers(0, 20)))
        got, want = fuse(dense, lexical, settings), _brute_force(dense, lexical, settings)
        assert got.keys() == want.keys(), trial
        assert all(got[k] == pytest.approx(want[k], abs=1e-12) for k in want), trial


def test_weighted_fusion_by_hand() -> None:
    dense = (np.array([0, 1, 2]), np.array([0.9, 0.5, 0.1]))
    lexical = (np.array([2, 3]), np.array([10.0, 5.0]))
    fused = fuse(dense, lexical, Settings(fusion="weighted", dense_weight=0.7))
    assert fused == pytest.approx({0: 0.7, 1: 0.35, 2: 0.3, 3: 0.0})
    tied = fuse((np.array([5, 6]), np.array([0.4, 0.4])), (np.array([], dtype=np.int64), np.array([])), Settings())
    assert tied == pytest.approx({5: 0.7, 6: 0.7})  # equal scores all count as the best


def test_rrf_fusion_by_hand() -> None:
    dense = (np.array([0, 1, 2]), np.array([0.9, 0.5, 0.1]))
    lexical = (np.array([2, 3]), np.array([10.0, 5.0]))
    fused = fuse(dense, lexical, Settings(fusion="rrf", dense_weight=0.7, rrf_k=60))
    assert fused == pytest.approx({0: 1.4 / 61, 1: 1.4 / 62, 2: 1.4 / 63 + 0.6 / 61, 3: 0.6 / 62})


@pytest.mark.parametrize("fusion", ["rrf", "weighted"])
def test_the_date_boost_lifts_exactly_the_entries_of_the_period(briefing_index: Index, embedder: Embedder,
                                                                fusion: str) -> None:
    period = DateRange(date(2023, 11, 1), date(2023, 11, 30))
    question = "Where did Kamikawa meet Blinken?"
    k = len(briefing_index)
    plain = Retriever(briefing_index, embedder, Settings(fusion=fusion, date_boost=0.0)).retrieve(question, k, period=period)
    boosted_settings = Settings(fusion=fusion, date_boost=0.3)
    boosted = Retriever(briefing_index, embedder, boosted_settings).retrieve(question, k, period=period)
    before = {p.id: p.score for p in plain}
    lift = date_boost(boosted_settings)
    assert lift == pytest.approx(0.3 if fusion == "weighted" else 0.3 * 2 / 61)
    in_period = 0
    for p in boosted:
        inside = p.kind == "chronology" and p.date_start <= "2023-11-30" and p.date_end >= "2023-11-01"
        in_period += inside
        assert p.score == pytest.approx(before.get(p.id, 0.0) + (lift if inside else 0.0)), p.id
    assert in_period > 5 and boosted[0].date_start.startswith("2023-11")


def test_best_sentence_matches_a_brute_force_oracle_on_random_vectors() -> None:
    rng = np.random.default_rng(7)
    counts = [3, 0, 1, 5, 2, 0, 4]
    vectors = rng.normal(size=(sum(counts), 16)).astype(np.float32)
    fake = SimpleNamespace(sentence_offsets=np.cumsum([0, *counts]), sentence_vectors=vectors)
    query = rng.normal(size=16).astype(np.float32)
    ids = np.array([6, 1, 3, 0, 5, 2])
    fallback = rng.normal(size=len(ids)).astype(np.float32)
    got = best_sentence(fake, query, ids, fallback)  # type: ignore[arg-type]
    starts = np.cumsum([0, *counts])
    expected = [max(float(vectors[r] @ query) for r in range(starts[i], starts[i + 1])) if counts[i] else fallback[j]
                for j, i in enumerate(ids.tolist())]
    assert got == pytest.approx(expected, rel=1e-5)


@pytest.fixture(scope="module")
def islands(tmp_path_factory: pytest.TempPathFactory, settings: Settings, embedder: Embedder) -> Index:
    folder = tmp_path_factory.mktemp("islands")
    (folder / "islands.txt").write_text(NORRVIK, encoding="utf-8")
    return build_index([folder / "islands.txt"], folder / "idx", settings, embedder, progress=False)


def test_the_dense_score_blends_the_passage_and_its_best_sentence(islands: Index, embedder: Embedder) -> None:
    settings = Settings(sentence_weight=0.6)
    retriever = Retriever(islands, embedder, settings)
    question = "What was wrong with the lighthouse stairs?"
    ids, scores, cosines = retriever.nearest(question, len(islands))
    query = retriever.encode(question)
    for pos, score, cosine in zip(ids.tolist(), scores.tolist(), cosines.tolist()):
        sentence = float((islands.sentence_vectors_of(pos) @ query).max())
        assert cosine == pytest.approx(float(islands.passage_vectors[pos] @ query), abs=1e-5)
        assert score == pytest.approx(0.4 * cosine + 0.6 * sentence, abs=1e-5)
    assert list(scores) == sorted(scores, reverse=True)
    # the answer's signals still read the passage's own cosine
    top = retriever.retrieve(question, k=len(islands))
    assert {p.id: p.dense_score for p in top} == pytest.approx(
        {islands.passages[pos].id: c for pos, c in zip(ids.tolist(), cosines.tolist())})


@pytest.mark.parametrize("question", ["What happened to the steps of the beacon?",
                                      "Why can tourists no longer go up the beacon tower?"])
def test_a_paraphrase_of_one_sentence_lifts_its_long_passage(islands: Index, embedder: Embedder,
                                                              question: str) -> None:
    long = next(pos for pos, p in enumerate(islands.passages) if "rusted through" in p.text)

    def dense_rank(weight: float) -> int:
        ids, _ = Retriever(islands, embedder, Settings(sentence_weight=weight)).dense(question, len(islands))
        return ids.tolist().index(long) + 1

    assert dense_rank(Settings().sentence_weight) < dense_rank(0.0)
    assert dense_rank(Settings().sentence_weight) <= 2


def test_sentence_weight_is_checked() -> None:
    with pytest.raises(SettingsError, match="sentence_weight"):
        Settings(sentence_weight=1.5)
