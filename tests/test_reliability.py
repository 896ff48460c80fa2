"""A build can die at any moment, run out of disk or race another build: the previous index keeps answering.

Kills are real (SIGKILL in a child process, at named stages and after random delays); disk-full is simulated
with an `OSError(ENOSPC)`; the read-only folder is real (`chattr +i`, or `chmod` when not root).
"""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from killer import STAGES_BEFORE_SWAP, killer_script  # tests/killer.py

from rag import Assistant, Index, RagError, build_index
from rag.embed import Embedder
from rag.errors import IndexBusyError, IndexWriteError
from rag.index import load_index
from rag.settings import DEFAULT_CORPUS, OFFLINE_ENV

QUESTION = "Where did the Quad Senior Cyber Group meet in December?"
EXTRA = "\nThe Lantern Accord on undersea cables was signed in Reykjavik by both delegations.\n"

#: Runs a build in a child that SIGKILLs itself when the build reaches STAGE.
KILLER = killer_script(
    "from rag import build_index\nbuild_index([source], index_dir, progress=False)",
    more_stages=r"""elif stage == "holding-lock":     # hold the lock for a while, then finish normally
    real = rag.build._old_index

    def slow(*args, **kwargs):
        Path(index_dir, "started").touch()
        import time
        time.sleep(float(os.environ.get("HOLD_SECONDS", "6")))
        return real(*args, **kwargs)

    rag.build._old_index = slow
""",
)


def child_env() -> dict[str, str]:
    return {**os.environ, **OFFLINE_ENV}


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A: the briefing. B: the same file name in another folder with one more paragraph (same doc id)."""
    root = tmp_path_factory.mktemp("sources")
    a, b = root / "a" / "briefing.txt", root / "b" / "briefing.txt"
    a.parent.mkdir()
    b.parent.mkdir()
    shutil.copy(DEFAULT_CORPUS, a)
    b.write_text(a.read_text(encoding="utf-8") + EXTRA, encoding="utf-8")
    return a, b


@pytest.fixture(scope="module")
def previous(tmp_path_factory: pytest.TempPathFactory, sources: tuple[Path, Path], embedder: Embedder) -> Path:
    """An index of A, built once; each test works on its own copy."""
    folder = tmp_path_factory.mktemp("previous")
    build_index([sources[0]], folder, embedder=embedder, progress=False)
    return folder


@pytest.fixture
def index_dir(tmp_path: Path, previous: Path) -> Path:
    target = tmp_path / "idx"
    shutil.copytree(previous, target, symlinks=True)
    return target


def built_from(index: Index) -> str:
    return index.manifest.sources[0].path


def assert_answers(index_dir: Path, embedder: Embedder) -> Index:
    """The index loads with every file's sha256 verified, and answers with valid citations."""
    index = load_index(index_dir)
    answer = Assistant(index, embedder=embedder).answer(QUESTION)
    assert "Tokyo" in answer.text and not answer.abstained
    for c in answer.citations:
        p = c.passage
        assert index.source(p.doc)[p.char_start : p.char_end] == p.text
        assert p.char_start <= c.highlight_start < c.highlight_end <= p.char_end
    return index


def assert_clean(index_dir: Path) -> None:
    names = sorted(p.name for p in index_dir.iterdir())
    assert not [n for n in names if n.startswith((".tmp-", ".current-"))], names
    assert len([n for n in names if n.startswith("build-")]) == 1, names


def kill_at(stage: str, index_dir: Path, source: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", KILLER, stage, str(index_dir), str(source)], capture_output=True,
                          text=True, env=child_env(), timeout=300)


@pytest.mark.slow
@pytest.mark.parametrize("stage", [*STAGES_BEFORE_SWAP, "after-swap"])
def test_a_build_killed_at_any_stage_leaves_an_index_that_answers(
    stage: str, index_dir: Path, sources: tuple[Path, Path], embedder: Embedder
) -> None:
    result = kill_at(stage, index_dir, sources[1])
    assert result.returncode == -signal.SIGKILL, result.stdout + result.stderr
    assert f"killed at {stage}" in result.stdout
    survivor = assert_answers(index_dir, embedder)
    # before the swap the old index is served; after it, the new one, complete
    assert built_from(survivor) == str(sources[0 if stage in STAGES_BEFORE_SWAP else 1].resolve())
    # the next build clears what the killed one left behind and publishes the new sources
    build_index([sources[1]], index_dir, embedder=embedder, progress=False)
    assert_clean(index_dir)
    assert built_from(assert_answers(index_dir, embedder)) == str(sources[1].resolve())


@pytest.mark.slow
def test_rag_index_build_killed_after_random_delays(index_dir: Path, sources: tuple[Path, Path],
                                                    embedder: Embedder) -> None:
    rag = Path(sys.executable).with_name("rag")
    rng = random.Random(5)
    # how long a whole build takes here, to spread the kills over it
    started = time.perf_counter()
    subprocess.run([str(rag), "index", "build", "--quiet", "--index-dir", str(index_dir), str(sources[0])],
                   check=True, env=child_env(), capture_output=True, timeout=300)
    full = time.perf_counter() - started
    for delay in sorted(rng.uniform(0.2, 1.0) * full for _ in range(3)):
        child = subprocess.Popen([str(rag), "index", "build", "--quiet", "--index-dir", str(index_dir),
                                  str(sources[1])], env=child_env(), stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
        assert built_from(assert_answers(index_dir, embedder)) in {str(s.resolve()) for s in sources}
        # put A back so that the next kill again interrupts a build with work to do
        build_index([sources[0]], index_dir, embedder=embedder, progress=False)
    assert_clean(index_dir)


@pytest.mark.slow
def test_two_builds_at_once_one_waits_its_turn(index_dir: Path, sources: tuple[Path, Path],
                                               embedder: Embedder) -> None:
    """Two real processes: while the first holds the lock the second is refused cleanly; readers are served."""
    env = {**child_env(), "HOLD_SECONDS": "8"}
    first = subprocess.Popen([sys.executable, "-c", KILLER, "holding-lock", str(index_dir), str(sources[1])],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not (index_dir / "started").exists():
            assert first.poll() is None and time.monotonic() < deadline, first.communicate()
            time.sleep(0.1)
        rag = Path(sys.executable).with_name("rag")
        second = subprocess.run([str(rag), "index", "build", "--quiet", "--index-dir", str(index_dir),
                                 str(sources[1])], env=child_env(), capture_output=True, text=True, timeout=120)
        assert second.returncode == 1, second.stdout + second.stderr
        assert "Another build" in second.stderr and "Traceback" not in second.stderr
        assert first.poll() is None, "the first build must still be running for this test to mean anything"
        assert built_from(assert_answers(index_dir, embedder)) == str(sources[0].resolve())  # readers: old index
        out, err = first.communicate(timeout=300)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0 and "finished" in out, out + err
    assert built_from(assert_answers(index_dir, embedder)) == str(sources[1].resolve())
    assert_clean(index_dir)


@pytest.mark.slow
def test_two_builds_started_together_never_corrupt_the_index(index_dir: Path, sources: tuple[Path, Path],
                                                             embedder: Embedder) -> None:
    rag = Path(sys.executable).with_name("rag")
    outcomes = []
    for _ in range(2):
        children = [subprocess.Popen([str(rag), "index", "build", "--quiet", "--index-dir", str(index_dir),
                                      str(source)], env=child_env(), stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True) for source in sources]
        for child in children:
            out, err = child.communicate(timeout=300)
            assert "Traceback" not in err
            assert child.returncode == 0 or (child.returncode == 1 and "Another build" in err), err
            outcomes.append(child.returncode)
        assert built_from(assert_answers(index_dir, embedder)) in {str(s.resolve()) for s in sources}
        assert_clean(index_dir)
    assert 0 in outcomes


# --------------------------------------------------------------------------- disk full, read-only


def _no_space(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _fail_on(real, test):  # type: ignore[no-untyped-def]
    def patched(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if test(self):
            _no_space()
        return real(self, *args, **kwargs)

    return patched


@pytest.mark.parametrize("stage", ["passages", *(pytest.param(s, marks=pytest.mark.slow)
                                                for s in ("sources", "vectors", "bm25", "manifest", "rename")), "swap"])
def test_a_full_disk_is_a_clear_error_and_the_previous_index_survives(
    stage: str, index_dir: Path, sources: tuple[Path, Path], embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = load_index(index_dir)
    if stage == "passages":
        monkeypatch.setattr(Path, "open", _fail_on(Path.open, lambda p: p.name == "passages.jsonl"))
    elif stage == "sources":
        monkeypatch.setattr(Path, "write_text", _fail_on(Path.write_text, lambda p: p.parent.name == "sources"))
    elif stage == "vectors":
        monkeypatch.setattr("rag.build.np.save", _no_space)
    elif stage == "bm25":
        monkeypatch.setattr("rag.build.Bm25.save", _no_space)
    elif stage == "manifest":
        monkeypatch.setattr(Path, "write_text", _fail_on(Path.write_text, lambda p: "manifest" in p.name))
    elif stage == "rename":
        monkeypatch.setattr("rag.publish.os.rename", _no_space)
    else:
        real = os.replace
        monkeypatch.setattr("rag.publish.os.replace",
                            lambda src, dst: _no_space() if Path(dst).name == "current" else real(src, dst))
    with pytest.raises(IndexWriteError) as info:
        build_index([sources[1]], index_dir, embedder=embedder, progress=False)
    monkeypatch.undo()
    message = str(info.value)
    assert f"Cannot write the index at {index_dir}" in message and "no space left on device" in message
    assert "free some space and retry" in message and "previous index" in message
    assert isinstance(info.value, RagError) and isinstance(info.value, OSError)
    after = assert_answers(index_dir, embedder)
    assert [p.id for p in after.passages] == [p.id for p in before.passages]
    assert built_from(after) == str(sources[0].resolve())
    assert_clean(index_dir)  # nothing half-written is left for the next build to find


@pytest.fixture
def read_only(index_dir: Path) -> Iterator[Path]:
    """`index_dir` made unwritable for real: immutable for root (`chattr +i`), mode 555 for anyone else."""
    if os.geteuid() == 0:
        if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(index_dir)]).returncode:
            pytest.skip("chattr +i is not available on this file system")
        undo = ["chattr", "-i", str(index_dir)]
    else:
        index_dir.chmod(0o555)
        undo = ["chmod", "755", str(index_dir)]
    try:
        yield index_dir
    finally:
        subprocess.run(undo, check=True)


def test_a_read_only_index_folder_is_a_clear_error(read_only: Path, sources: tuple[Path, Path],
                                                   embedder: Embedder) -> None:
    with pytest.raises(IndexWriteError, match=f"Cannot write the index at {read_only}: .*(not permitted|denied)"):
        build_index([sources[1]], read_only, embedder=embedder, progress=False)
    assert built_from(assert_answers(read_only, embedder)) == str(sources[0].resolve())


def test_the_cli_says_so_without_a_traceback(read_only: Path, sources: tuple[Path, Path]) -> None:
    from click.testing import CliRunner

    from rag.cli import main

    result = CliRunner().invoke(main, ["index", "build", "--quiet", "--index-dir", str(read_only), str(sources[0])])
    assert result.exit_code == 1 and "Cannot write the index at" in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)


def test_an_unwritable_parent_folder_is_a_clear_error(tmp_path: Path, sources: tuple[Path, Path],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def read_only_fs(self: Path, *args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))

    monkeypatch.setattr(Path, "mkdir", read_only_fs)
    with pytest.raises(IndexWriteError, match="file system is read-only"):
        build_index([sources[0]], tmp_path / "new" / "idx", progress=False)


def test_an_interrupt_mid_write_leaves_nothing_behind(index_dir: Path, sources: tuple[Path, Path],
                                                      embedder: Embedder, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("rag.build.Bm25.save", interrupt)
    with pytest.raises(KeyboardInterrupt):
        build_index([sources[1]], index_dir, embedder=embedder, progress=False)
    monkeypatch.undo()
    assert_clean(index_dir)
    assert built_from(assert_answers(index_dir, embedder)) == str(sources[0].resolve())


def test_the_lock_is_free_again_after_an_error(index_dir: Path, sources: tuple[Path, Path], embedder: Embedder,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from filelock import FileLock

    monkeypatch.setattr("rag.build.np.save", _no_space)
    with pytest.raises(IndexWriteError):
        build_index([sources[1]], index_dir, embedder=embedder, progress=False)
    monkeypatch.undo()
    lock = FileLock(str(index_dir / ".lock"), timeout=0)
    lock.acquire()
    lock.release()
    with FileLock(str(index_dir / ".lock")), pytest.raises(IndexBusyError):
        build_index([sources[1]], index_dir, embedder=embedder, progress=False)


@pytest.mark.slow
def test_a_killed_first_build_says_to_rebuild(tmp_path: Path, sources: tuple[Path, Path]) -> None:
    """With no previous index, a killed build leaves nothing that loads, and the error says what to do."""
    result = kill_at("before-rename", tmp_path / "idx", sources[0])
    assert result.returncode == -signal.SIGKILL, result.stderr
    with pytest.raises(RagError, match="rebuild it|rag index build"):
        load_index(tmp_path / "idx")


def test_manifest_lists_every_file_and_vectors_are_plain_arrays(index_dir: Path) -> None:
    """What `load_index(verify=True)` trusts: every file is in the manifest, and nothing needs pickle."""
    build = (index_dir / "current").resolve()
    manifest = json.loads((build / "manifest.json").read_text())
    on_disk = {str(f.relative_to(build)) for f in build.rglob("*") if f.is_file()} - {"manifest.json"}
    assert on_disk == set(manifest["files"])
    assert np.load(build / "passage_vectors.npy", allow_pickle=False).dtype == np.float32
