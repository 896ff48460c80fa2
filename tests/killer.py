"""A child-process script that SIGKILLs itself when an index write reaches a named stage (crash tests).

`tests/test_reliability.py` kills `build_index`, `tests/test_library.py` kills `add_documents`; both use the
same stages, so a build and an addition are proven crash-safe at the same points.
"""

from __future__ import annotations

#: Stages at which the previous index must still be the one published.
STAGES_BEFORE_SWAP = ["embedding", "writing", "before-manifest", "before-rename", "before-swap"]

_HEAD = r'''
import os, signal, sys
from pathlib import Path
stage, index_dir, source = sys.argv[1:4]
import numpy as np
import rag.build
import rag.publish
from rag.embed import Embedder


def when(owner, name, test=lambda *a, **k: True):
    real = getattr(owner, name)

    def hook(*args, **kwargs):
        if test(*args, **kwargs):
            print("killed at", stage, flush=True)
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)

    setattr(owner, name, hook)


if stage == "embedding":          # the model is computing new vectors
    when(Embedder, "encode")
elif stage == "writing":          # passages.jsonl, sources/ and one .npy written, the rest not
    when(np, "save", lambda path, *a, **k: "sentence" in str(path))
elif stage == "before-manifest":  # every file written, no manifest
    when(rag.publish, "_fsync_tree")
elif stage == "before-rename":    # manifest written in the temp folder, not yet renamed
    when(rag.publish.os, "rename")
elif stage == "before-swap":      # build-* renamed, new symlink made, `current` not yet replaced
    when(rag.publish.os, "replace", lambda src, dst, *a, **k: Path(dst).name == "current")
elif stage == "after-swap":       # published (the index folder's sync after the swap); old builds not yet removed
    when(rag.publish, "_fsync_dir", lambda folder, *a, **k: not Path(folder).name.startswith(".tmp-"))
'''


def killer_script(run: str, more_stages: str = "") -> str:
    """The child's source: stage hooks (`more_stages` adds `elif stage == ...` branches), then `run`.

    Run it as `python -c SCRIPT STAGE INDEX_DIR SOURCE`; it prints "finished" when `run` completes.
    """
    return _HEAD + more_stages + run + '\nprint("finished", flush=True)\n'
