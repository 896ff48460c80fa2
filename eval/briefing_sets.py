"""Other briefings to evaluate on: a briefing (`NAME.txt`) and its gold questions (`NAME.jsonl`) side by side.

The shipped ones live in eval/briefings/ (see eval/README.md, "Other briefings"): they check that nothing in the
pipeline was tuned to the shipped briefing. Each is indexed in its own folder and scored on its own questions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from eval.questions import Question, QuestionFileError, load_questions, missing_evidence

#: The shipped other briefings and their questions.
BRIEFINGS_DIR = Path(__file__).resolve().parent / "briefings"


@dataclass(frozen=True)
class BriefingSet:
    """One briefing and the file of its gold questions."""

    name: str
    briefing: Path
    questions: Path

    def load(self) -> list[Question]:
        """Its questions, checked against the briefing: every evidence string must occur in it."""
        questions = load_questions(self.questions)
        text = self.briefing.read_text(encoding="utf-8")
        missing = missing_evidence(questions, text)
        if missing:
            qid, evidence = missing[0]
            raise QuestionFileError(f"{self.questions}: {qid}'s evidence is not in {self.briefing.name}: "
                                    f"{evidence[:80]!r} ({len(missing)} such string(s)).")
        return questions


def pair(briefing: str | Path, questions: str | Path | None = None) -> BriefingSet:
    """A briefing and its questions file (default: the `.jsonl` beside it with the same name)."""
    briefing = Path(briefing)
    if not briefing.is_file():
        raise QuestionFileError(f"No briefing at {briefing}; name a text file (article, then chronology).")
    questions = Path(questions) if questions is not None else briefing.with_suffix(".jsonl")
    if not questions.is_file():
        raise QuestionFileError(f"No questions for {briefing.name}: expected {questions} "
                                f"(or pass --questions FILE; format: eval/README.md).")
    return BriefingSet(briefing.stem, briefing, questions)


def find_sets(paths: Iterable[str | Path] = (BRIEFINGS_DIR,)) -> list[BriefingSet]:
    """Every briefing named: a `.txt` file, or a folder's `.txt` files that have a `.jsonl` beside them."""
    out: list[BriefingSet] = []
    for path in map(Path, paths):
        if path.is_dir():
            found = [pair(p) for p in sorted(path.glob("*.txt")) if p.with_suffix(".jsonl").is_file()]
            if not found:
                raise QuestionFileError(f"No briefing with questions in {path}: expected NAME.txt beside NAME.jsonl.")
            out += found
        else:
            out.append(pair(path))
    names = [s.name for s in out]
    if len(set(names)) != len(names):
        raise QuestionFileError(f"Two briefings share a name ({', '.join(sorted(names))}); rename one.")
    return out
