from pathlib import Path

from rag import Settings
from rag.chunk import chunk, count_tokens
from rag.parse import parse
from rag.settings import DEFAULT_CORPUS


def test_offsets_round_trip_and_ids_are_stable() -> None:
    doc = parse(DEFAULT_CORPUS)
    passages = chunk(doc)
    for p in passages:
        assert doc.source[p.char_start : p.char_end] == p.text
        for a, b in p.sentences:
            assert p.char_start <= a < b <= p.char_end
    assert len({p.id for p in passages}) == len(passages)
    assert [p.id for p in chunk(parse(DEFAULT_CORPUS))] == [p.id for p in passages]


def test_one_passage_per_chronology_entry() -> None:
    passages = [p for p in chunk(parse(DEFAULT_CORPUS)) if p.kind == "chronology"]
    assert len(passages) == 61
    assert all(p.text[:4] in {"Sept", "Oct.", "Nov.", "Dec."} and p.date_start for p in passages)


def test_token_budget_and_sentence_boundaries() -> None:
    for budget in (40, 100, 160):
        settings = Settings(max_tokens=budget)
        doc = parse(DEFAULT_CORPUS)
        for p in chunk(doc, settings):
            assert p.n_tokens == count_tokens(p.text)
            if p.kind == "article" and len(p.sentences) > 1:
                assert p.n_tokens <= budget
            if p.kind == "article":
                assert p.text[-1] in ".?!”)…", p.text[-40:]


def test_an_edit_changes_only_its_passages(tmp_path: Path) -> None:
    original = parse(DEFAULT_CORPUS)
    text = original.source.replace("The tragedy resurrected those concerns.", "The tragedy revived those fears.")
    edited_path = tmp_path / f"{Path(DEFAULT_CORPUS).stem}.txt"
    edited_path.write_text(text, encoding="utf-8")
    before = {p.id for p in chunk(original)}
    after = {p.id for p in chunk(parse(edited_path))}
    assert len(after - before) == 1


def test_pages_travel_from_blocks_to_passages_and_records() -> None:
    from dataclasses import replace

    from rag.schema import Citation, Passage

    doc = parse(DEFAULT_CORPUS)
    paged = replace(doc, blocks=tuple(replace(b, page=1 + i // 10) for i, b in enumerate(doc.blocks)))
    passages = chunk(paged)
    assert {p.page for p in passages} >= {1, 2}
    first = passages[0]
    assert first.page == 1 and first.page_label() == "p. 1"
    assert Passage.from_record(first.to_record()) == first
    assert Citation(1, first, first.char_start, first.char_end).to_dict()["page"] == 1
    assert chunk(doc)[0].page is None and chunk(doc)[0].page_label() == ""
