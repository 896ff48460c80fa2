"""Typed entity spans at build time (rag/entities.py): spaCy's tags, settled by a vote over the corpus."""

from __future__ import annotations

from rag import Index
from rag.entities import name_key


def _typed(index: Index) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for p in index.passages:
        source = index.source(p.doc)
        for a, b, kind in p.entities:
            out.setdefault(source[a:b], set()).add(kind)
    return out


def test_spans_are_inside_their_passage(briefing_index: Index) -> None:
    for p in briefing_index.passages:
        for a, b, kind in p.entities:
            assert p.char_start <= a < b <= p.char_end and kind


def test_names_spacy_mislabels_are_settled_by_the_vote(briefing_index: Index) -> None:
    typed = _typed(briefing_index)
    # The small model tags these surnames as places in some entries; titles and full names outvote it.
    assert typed["Kamikawa"] == {"person"} and typed["Blinken"] == {"person"}
    assert typed["Tokyo"] == {"place"} and "date" in typed["Nov. 29, 2023"]


def test_a_name_tagged_with_its_office_is_cut_out(briefing_index: Index) -> None:
    typed = _typed(briefing_index)
    assert typed.get("Gina Raimondo") == {"person"}
    assert "Commerce Gina Raimondo" not in typed


def test_name_key() -> None:
    assert name_key("the Quad’s") == "quad" and name_key("Kim Gun") == "kim gun"
