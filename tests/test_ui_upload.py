"""Uploads on the chat page (ui/upload.py): the formats it takes, the command line's messages without the
server's upload folder, and the script that refuses a file before it is sent."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from rag.cli import main
from rag.parse import MAX_BYTES, SUFFIXES
from ui import upload


def _cli_error(path: Path, tmp_path: Path) -> str:
    """What `rag index add PATH` says when it refuses the file (the text after "Error: ")."""
    result = CliRunner().invoke(main, ["index", "add", str(path), "--index-dir", str(tmp_path / "idx"), "--quiet"])
    assert result.exit_code != 0
    return result.stderr.strip().removeprefix("Error: ")


@pytest.mark.parametrize(("name", "size"), [("huge briefing.txt", MAX_BYTES + 1), ("huge.pdf", 3 * MAX_BYTES),
                                            ("slides.pptx", 1_000), ("README", 10),
                                            ("big notes.docx", MAX_BYTES + 2**20)])
def test_refusals_are_the_command_lines_messages_with_the_files_own_name(name: str, size: int,
                                                                         tmp_path: Path) -> None:
    path = tmp_path / "uploads" / "4f1c9" / name  # laid out as Gradio keeps an upload
    path.parent.mkdir(parents=True)
    with path.open("wb") as fh:
        fh.truncate(size)  # sparse: nothing is written
    cli = _cli_error(path, tmp_path)
    page = upload.refusal(name, size)
    assert page == cli.replace(str(path), name)
    assert page.startswith(f"{name}: ") and "\n" not in page and str(tmp_path) not in page


def test_a_readable_file_is_not_refused_by_name_or_size() -> None:
    assert all(upload.refusal(f"briefing{s.upper()}", MAX_BYTES) == "" for s in SUFFIXES)


def test_a_name_with_a_folder_is_judged_by_its_own_name() -> None:
    message = upload.refusal("../../etc/passwd.png", 10)
    assert message.startswith("passwd.png: ") and "etc" not in message


def test_scrub_removes_the_upload_folder_however_it_is_written(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    path = tmp_path / "link" / "nordic.pdf"
    message = (f"{path}: the same text is already in the library as 'nordic' (Nordic); nothing was changed. "
               f"Compare {real / 'nordic.pdf'}.")
    scrubbed = upload.scrub(message, path)
    assert scrubbed.startswith("nordic.pdf: the same text") and str(tmp_path) not in scrubbed
    assert upload.scrub("No file given.", "") == "No file given."


def test_label_and_picker_list_every_format_and_the_limit() -> None:
    label = upload.label()
    assert all(s in label for s in SUFFIXES) and f"{MAX_BYTES // 2**20} MiB" in label
    assert upload.FILE_TYPES == list(SUFFIXES)


def test_the_guard_script_carries_the_librarys_limits() -> None:
    script = upload.guard_script()
    limits = json.loads(re.search(r"var limits = (\{.*?\});", script)[1])  # type: ignore[index]
    assert limits == {"suffixes": [s.lower() for s in SUFFIXES], "maxBytes": MAX_BYTES}
    assert "__LIMITS__" not in script and "#upload-refused" in script

