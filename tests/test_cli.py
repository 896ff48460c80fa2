import json
import os
import subprocess
import sys
from pathlib import Path

import netguard  # tests/netguard.py
import pytest
from click.testing import CliRunner

from rag import Index
from rag.cli import main
from rag.settings import OFFLINE_ENV

JSON_KEYS = {"question", "answer", "abstained", "confidence", "citations", "passages", "timings_ms"}
CITATION_KEYS = {"n", "passage_id", "doc", "section", "kind", "date_start", "date_end", "text", "char_start",
                 "char_end", "highlight_start", "highlight_end"}
PASSAGE_KEYS = {"passage_id", "text", "score", "dense_rank", "bm25_rank"}


@pytest.fixture(scope="module")
def index_dir(briefing_index: Index) -> str:
    return str(briefing_index.path.parent)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_ask_json_schema_and_the_quad_answer(index_dir: str, briefing_index: Index) -> None:
    code, out, _ = run("ask", "Where did the Quad Senior Cyber Group meet in December?", "--json", "--index-dir", index_dir)
    assert code == 0
    data = json.loads(out)
    assert JSON_KEYS <= data.keys()
    assert "Tokyo" in data["answer"] and data["abstained"] is False and 0 <= data["confidence"] <= 1
    citation = data["citations"][0]
    assert CITATION_KEYS <= citation.keys()
    assert citation["kind"] == "chronology" and citation["date_start"] == "2023-12-05"
    source = briefing_index.source(citation["doc"])
    assert source[citation["char_start"] : citation["char_end"]] == citation["text"]
    assert citation["char_start"] <= citation["highlight_start"] < citation["highlight_end"] <= citation["char_end"]
    assert all(PASSAGE_KEYS <= p.keys() for p in data["passages"])


def test_ask_abstains_on_birth_rate(index_dir: str) -> None:
    code, out, _ = run("ask", "What is Japan's unemployment rate?", "--index-dir", index_dir)
    assert code == 0 and out.startswith("The briefing doesn't say")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["ask", ""], 1, "empty"),
        (["ask", "   "], 1, "empty"),
        (["ask", "x" * 100_000], 1, "limit"),
        (["ask", "bell\x07"], 1, "control character"),
        (["ask", "Kishida", "-k", "0"], 2, "not in the range"),
        (["ask", "Kishida", "-k", "-3"], 2, "not in the range"),
        (["ask", "日本の出生率は何ですか"], 1, "English"),
    ],
)
def test_bad_input_gives_a_message_and_an_exit_code(index_dir: str, args: list[str], code: int, message: str) -> None:
    result = CliRunner().invoke(main, [*args, "--index-dir", index_dir])
    assert result.exit_code == code
    assert message in result.output and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_missing_index_names_the_build_command(tmp_path: Path) -> None:
    code, _, err = run("ask", "Kishida?", "--index-dir", str(tmp_path / "none"))
    assert code == 1 and "rag index build" in err


def test_search_and_info(index_dir: str) -> None:
    code, out, _ = run("search", "Osprey crash", "-k", "3", "--json", "--index-dir", index_dir)
    assert code == 0 and len(json.loads(out)) == 3
    code, out, _ = run("info", "--json", "--index-dir", index_dir)
    assert code == 0 and json.loads(out)["chronology_passages"] == 61


def test_index_build_refuses_a_binary_file(tmp_path: Path) -> None:
    bad = tmp_path / "image.txt"
    bad.write_bytes(b"\x89PNG\x00\x00")
    code, _, err = run("index", "build", str(bad), "--index-dir", str(tmp_path / "idx"), "--quiet")
    assert code == 1 and str(bad) in err and "binary" in err
    assert not (tmp_path / "idx" / "current").exists()


GUARD = netguard.GUARD + r"""
import sys
from rag import Assistant, build_index
from rag.settings import DEFAULT_CORPUS
index = build_index([DEFAULT_CORPUS], sys.argv[1], progress=False)
answer = Assistant(index).answer("Where did the Quad Senior Cyber Group meet in December?")
assert "Tokyo" in answer.text, answer.text
print("attempts:", attempts)
sys.exit(1 if attempts else 0)
"""


@pytest.mark.slow
def test_nothing_goes_to_the_network_while_building_and_answering(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_"))}
    env.update(OFFLINE_ENV)
    result = subprocess.run([sys.executable, "-c", GUARD, str(tmp_path / "idx")], capture_output=True, text=True,
                            env=env, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "attempts: []" in result.stdout


#: Imports rag.cli, runs `rag ask`, and prints which of the packages that stand on rag got imported.
IMPORTS = r"""
import json, sys
import rag.cli
after_import = sorted(m for m in sys.modules if m.split(".")[0] in {heavy})
try:
    rag.cli.main(["ask", "Where did the Quad Senior Cyber Group meet in December?", "--index-dir", sys.argv[1]],
                 standalone_mode=False)
finally:
    after_ask = sorted(m for m in sys.modules if m.split(".")[0] in {heavy})
    print("IMPORTED " + json.dumps({{"import": after_import, "ask": after_ask}}))
""".format(heavy={"ui", "eval", "gradio", "matplotlib", "ir_measures"})


def test_the_library_and_rag_ask_import_no_ui_eval_gradio_matplotlib_or_ir_measures(index_dir: str) -> None:
    result = subprocess.run([sys.executable, "-c", IMPORTS, index_dir], capture_output=True, text=True,
                            env={**os.environ, **OFFLINE_ENV}, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Tokyo" in result.stdout
    line = next(line for line in result.stdout.splitlines() if line.startswith("IMPORTED "))
    assert json.loads(line[len("IMPORTED "):]) == {"import": [], "ask": []}


def test_rag_help_lists_the_commands_other_packages_register() -> None:
    code, out, _ = run("--help")
    assert code == 0
    listed = {line.split()[0] for line in out.split("Commands:")[1].splitlines() if line.strip()}
    assert {"ask", "search", "info", "index", "serve", "eval", "bench"} <= listed
    code, out, _ = run("serve", "--help")
    assert code == 0 and "--port" in out
