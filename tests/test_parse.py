from pathlib import Path

import pytest

from rag.errors import DocumentError
from rag.parse import parse
from rag.settings import DEFAULT_CORPUS


def test_shipped_briefing_structure() -> None:
    doc = parse(DEFAULT_CORPUS)
    sections = list(dict.fromkeys(b.section for b in doc.blocks if b.kind == "article"))
    assert sections == [
        "Introduction",
        "The Usual Stuff is Very Good",
        "Two Important Steps Forward",
        "Ever More Economics",
        "A Partnership for Larger Things",
        "And Yet…..",
    ]
    entries = [b for b in doc.blocks if b.kind == "chronology"]
    assert len(entries) == 61
    assert [e.date_start for e in entries] == sorted(e.date_start for e in entries)
    ranged = [e for e in entries if e.date_start != e.date_end]
    assert {(e.date_start, e.date_end) for e in ranged} >= {("2023-10-16", "2023-10-18"), ("2023-12-05", "2023-12-07")}
    assert all(doc.source[b.char_start : b.char_end].strip() == doc.source[b.char_start : b.char_end] for b in doc.blocks)
    assert "Articles" not in sections


def test_markdown_briefing(tmp_path: Path) -> None:
    path = tmp_path / "brief.md"
    path.write_text(
        "# A Markdown Briefing\n\nOpening paragraph that runs\nover two lines.\n\n## Trade\n\nTariffs rose.\n\n"
        "## Chronology\n\n- Jan. 9, 2024: Leaders meet in Tokyo.\n- **Nov. 30-Dec. 2, 2023**: A summit is held.\n",
        encoding="utf-8",
    )
    doc = parse(path)
    assert doc.title == "A Markdown Briefing"
    article = [b for b in doc.blocks if b.kind == "article"]
    assert [b.section for b in article] == ["Introduction", "Trade"]
    assert doc.text(article[0]) == "Opening paragraph that runs\nover two lines."
    entries = [b for b in doc.blocks if b.kind == "chronology"]
    assert [(e.date_start, e.date_end) for e in entries] == [("2024-01-09", "2024-01-09"), ("2023-11-30", "2023-12-02")]
    assert doc.text(entries[0]).startswith("Jan. 9, 2024:")


def test_plain_text_without_chronology_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"Heading One\r\nFirst paragraph here.\r\nSecond paragraph.\r\n")
    doc = parse(path)
    assert [doc.text(b) for b in doc.blocks] == ["First paragraph here.", "Second paragraph."]
    assert {b.section for b in doc.blocks} == {"Heading One"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"   \n\n  ", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
        (bytes([0x81, 0x8D, 0xC3, 0x28, 0xA0, 0xA1, 0xE2, 0x82, 0xFF, 0x41]) * 3, "not valid UTF-8"),
    ],
)
def test_bad_files_are_refused_by_name(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(DocumentError, match=message) as info:
        parse(path)
    assert str(path) in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="no such file"):
        parse(tmp_path / "absent.txt")
