"""`rag bench --archive`'s report (eval/archive_bench.py): questions drawn from the archive, figures side by side,
the extrapolation labelled as one."""

from __future__ import annotations

from pathlib import Path

from eval.archive import briefing
from eval.archive_bench import ROWS, questions_for, write_markdown


def test_questions_name_entries_of_the_archive_and_periods_across_it() -> None:
    entries, timelines = questions_for(50)
    names = {briefing(i).accord.name for i in range(50)}
    assert entries and all(any(n in q for n in names) for q in entries if "Accord" in q)
    assert timelines and all(q.startswith("What happened in ") for q in timelines)


def test_the_report_puts_the_sizes_side_by_side_and_labels_the_extrapolation(tmp_path: Path) -> None:
    sizes = {}
    for n, scale in (("21", 1.0), ("100", 4.0)):
        figures = {key: scale * (i + 1) for i, (_, key, _, _) in enumerate(ROWS)}
        figures.update(sentences_per_passage=1.5, extrapolated_100k_passages_embedding_h=7.5)
        sizes[n] = figures
    out = tmp_path / "archive.md"
    write_markdown({"sizes": sizes, "when": "today", "machine": "2 CPU cores", "load": "3.0",
                    "command": "rag bench --archive --docs 100"}, out)
    text = out.read_text()
    assert "| 21 briefings | 100 briefings | limit at 1,000 |" in text
    assert "| warm answer ÷ question embedding | 5.0 × | 20.0 × | ≤ 2 |" in text
    assert "Extrapolation (not measured)" in text and "7.5 h" in text
