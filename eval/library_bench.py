"""`rag bench`'s library figures: adding a briefing to a library of 20, and a warm answer over it.

The 20 briefings are copies of the shipped one under distinct names, each line's last sentence marked with the
copy's name (so that no two have the same sha256); the one added is another such copy. Its passages are all new
(a passage id includes its document's id); its sentences that the library already holds are reused. The
addition is set beside embedding exactly that new text — its passages and its sentences the library does not
hold — with the same warm model, in the same process, the two measurements interleaved.

Run alone: `python -m eval.library_bench` (prints the figures as JSON).
"""

from __future__ import annotations

import json
import re
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from rag import Embedder, Settings, build_index
from rag.chunk import chunk
from rag.index import load_index
from rag.library import add_documents, read_documents, remove_documents
from rag.settings import DEFAULT_CORPUS

#: Briefings in the library before the timed addition.
LIBRARY_SIZE = 20


def _marked_copy(path: Path, marker: str) -> None:
    """The shipped briefing with `marker` appended to every sentence-ending line: the same shape, new text."""
    lines = DEFAULT_CORPUS.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(f"{line[:-1]} ({marker}){line[-1]}" if re.search(r"[.!?]$", line) else line
                              for line in lines) + "\n", encoding="utf-8")


def library_times(work: Path, embedder: Embedder, settings: Settings, questions: list[str], reps: int = 3,
                  rounds: int = 2) -> dict[str, Any]:
    """Median time to add one briefing to a library of `LIBRARY_SIZE`, beside embedding its own text; then the
    warm answer over the library against one question embedding (`eval.bench.warm_latency`)."""
    from eval.bench import warm_latency

    folder = work / "library-sources"
    folder.mkdir()
    copies = []
    for i in range(LIBRARY_SIZE):
        copy = folder / f"briefing-{i + 1:02d}.txt"
        _marked_copy(copy, f"Copy {i + 1}")
        copies.append(copy)
    index_dir = work / "library"
    started = time.perf_counter()
    build_index(copies, index_dir, settings, embedder, progress=False)
    build_s = time.perf_counter() - started
    new = folder / "added.txt"
    _marked_copy(new, "Added briefing")
    doc = read_documents([new])[0]
    passages = chunk(doc, settings)
    library = load_index(index_dir, settings, check_sources=False, verify=False)
    held = {library.sources[p.doc][a:b] for p in library.passages for a, b in p.sentences}
    texts = [p.embed_text() for p in passages]
    own = list(dict.fromkeys(doc.source[a:b] for p in passages if p.kind == "article" for a, b in p.sentences))
    sentences = [s for s in own if s not in held]
    adds, embeds = [], []
    for r in range(reps):
        for what in (("add", "embed") if r % 2 == 0 else ("embed", "add")):
            t = time.perf_counter()
            if what == "add":
                index = add_documents(index_dir, [new], settings=settings, embedder=embedder, progress=False)
                adds.append(time.perf_counter() - t)
                remove_documents(index_dir, ["added"], settings=settings, embedder=embedder, progress=False)
            else:
                embedder.encode(texts)
                embedder.encode(sentences)
                embeds.append(time.perf_counter() - t)
    index = add_documents(index_dir, [new], settings=settings, embedder=embedder, progress=False)
    warm = warm_latency(index, embedder, settings, questions, rounds, progress=False)
    add_s, embed_s = statistics.median(adds), statistics.median(embeds)
    return {
        "library_documents": LIBRARY_SIZE, "library_passages": len(index) - len(passages),
        "library_build_s": round(build_s, 2),
        "library_add_s": round(add_s, 3), "library_add_runs_s": [round(x, 3) for x in adds],
        "library_add_embed_own_s": round(embed_s, 3), "library_add_embed_runs_s": [round(x, 3) for x in embeds],
        "library_add_overhead_s": round(add_s - embed_s, 3),
        "library_add_texts": {"passages": len(texts), "sentences": len(sentences),
                              "sentences_reused": len(own) - len(sentences)},
        "library_answer_p50_ms": warm["answer_p50_ms"], "library_encode_p50_ms": warm["encode_p50_ms"],
        "library_answer_over_encode": warm["answer_over_encode"],
        "library_answer_over_encode_per_round": warm["answer_over_encode_per_round"],
    }


if __name__ == "__main__":
    from eval.questions import load_questions

    settings = Settings.from_env()
    embedder = Embedder(settings)
    embedder.encode(["warm-up"] * 30)
    asked = [q.question for q in load_questions() if q.split == "dev"]
    with tempfile.TemporaryDirectory(prefix="rag-library-bench-") as tmp:
        print(json.dumps(library_times(Path(tmp), embedder, settings, asked), indent=2))
