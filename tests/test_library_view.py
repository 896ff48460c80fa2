"""The page's view of a large library (ui/library_view.py): the searchable Documents filter and the index
panel that summarises."""

from __future__ import annotations

from ui import render
from ui.library_view import PANEL_ROWS, choices, chosen, label, matches, panel


def _rows(n: int) -> list[dict]:
    return [{"id": f"cc-{2000 + i // 3}-{i:03d}", "title": f"Relations {i}", "start": f"{2000 + i // 3}-01-05",
             "end": f"{2000 + i // 3}-04-20", "passages": 30, "added_at": "2026-11-30T10:00:00"} for i in range(n)]


def test_labels_name_title_id_and_period() -> None:
    row = _rows(1)[0]
    assert label(row) == "Relations 0 — cc-2000-000 — Jan. 5-April 20, 2000"
    assert label({**row, "title": row["id"]}).startswith("cc-2000-000 — ")
    assert choices([row]) == [(label(row), "cc-2000-000")]


def test_none_chosen_or_everything_shown_means_every_document() -> None:
    known = ["a", "b", "c"]
    assert chosen([], ["a", "b"], known) is None and chosen(None, None, known) is None
    assert chosen(["a", "b"], ["a", "b"], known) is None  # "c" was added since: searched too
    assert chosen(["b"], ["a", "b"], known) == ["b"]
    assert chosen(["b", "gone"], ["a", "b", "gone"], known) == ["b"]  # removed since: dropped
    assert render.make_filters("", "", list(render.KINDS), ["b"], known).docs == ("b",)


def test_search_matches_every_word_of_title_id_or_period() -> None:
    rows = _rows(30)
    assert [r["id"] for r in matches(rows, "2004 relations")] == [r["id"] for r in rows if "2004" in r["id"]]
    assert [r["id"] for r in matches(rows, "cc-2001-004")] == ["cc-2001-004"]
    assert matches(rows, "nothing-like-this") == []


def test_the_panel_summarises_a_large_library() -> None:
    rows = _rows(1000)
    info = {"documents": [r["id"] for r in rows], "passages": 30_000, "model": "m", "dimension": 384}
    html = panel(info, rows)
    assert "1,000 documents" in html and f"The first {PANEL_ROWS} of 1,000" in html
    assert html.count('class="doc"') == PANEL_ROWS and rows[PANEL_ROWS]["id"] not in html
    found = panel(info, rows, "cc-2300")
    assert "match “cc-2300”" in found and found.count('class="doc"') == 3
    small = panel({**info, "documents": ["a"]}, rows[:2])
    assert "cc-2000-000, cc-2000-001" in small and "library-note" not in small


def test_the_header_of_an_archive_gives_its_size_and_span() -> None:
    header = render.render_header(_rows(1000), "us-japan-sep-dec-2023")
    assert "1,000 briefings from 2000 to 2333" in header and "Relations 999" not in header
