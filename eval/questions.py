"""The gold questions: one JSON object per line, loaded into frozen `Question`s and checked at the boundary."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from eval.judge import normalize
from rag import RagError

QuestionType = Literal[
    "fact", "paraphrase", "date", "number", "quote", "timeline", "multihop", "temporal", "unanswerable"
]
Split = Literal["dev", "test"]

QUESTION_TYPES: tuple[str, ...] = get_args(QuestionType)
SPLITS: tuple[str, ...] = get_args(Split)
#: The shipped gold set.
DEFAULT_QUESTIONS = Path(__file__).resolve().parent / "questions.jsonl"

_REQUIRED = ("id", "question", "answers", "evidence", "type", "split")
_OPTIONAL = ("all_answers", "constraint")
#: What a question binds its answer to, for the report's per-constraint table (rag/constraints.py's kinds, and
#: "alias" for a name asked under another form the briefing defines).
CONSTRAINT_KINDS = ("period", "document", "name", "office", "negation", "grain", "alias")


class QuestionFileError(RagError):
    """A questions file is unreadable or breaks the format described in eval/README.md."""


@dataclass(frozen=True)
class Question:
    """One gold question.

    `evidence` holds the verbatim source spans that answer it (empty for unanswerable questions);
    `answers` the acceptable answer strings: any one suffices, or every one when `all_answers` is set.
    """

    id: str
    question: str
    answers: tuple[str, ...]
    evidence: tuple[str, ...]
    type: QuestionType
    split: Split
    all_answers: bool = False
    #: The constraints the question tests ("period", "name", …; CONSTRAINT_KINDS), for the per-constraint table.
    constraint: tuple[str, ...] = ()

    @property
    def answerable(self) -> bool:
        return self.type != "unanswerable"


def _strings(value: Any, field: str, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value] if value else []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise QuestionFileError(f"{where}: {field!r} must be a non-empty string or a list of them, not {value!r}.")
    return tuple(value)


def parse_question(record: Any, where: str) -> Question:
    """Check one decoded line and turn it into a `Question`; `where` names the line in error messages."""
    if not isinstance(record, dict):
        raise QuestionFileError(f"{where}: expected a JSON object, got {type(record).__name__}.")
    missing = [k for k in _REQUIRED if k not in record]
    if missing:
        raise QuestionFileError(
            f"{where}: missing key(s) {', '.join(missing)}; every line needs {', '.join(_REQUIRED)}."
        )
    unknown = sorted(set(record) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise QuestionFileError(
            f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(_REQUIRED + _OPTIONAL)}."
        )
    for key in ("id", "question"):
        if not isinstance(record[key], str) or not record[key].strip():
            raise QuestionFileError(f"{where}: {key!r} must be a non-empty string.")
    if record["type"] not in QUESTION_TYPES:
        raise QuestionFileError(f"{where}: type {record['type']!r} is not one of {', '.join(QUESTION_TYPES)}.")
    if record["split"] not in SPLITS:
        raise QuestionFileError(f"{where}: split {record['split']!r} must be 'dev' or 'test'.")
    all_answers = record.get("all_answers", False)
    if not isinstance(all_answers, bool):
        raise QuestionFileError(f"{where}: 'all_answers' must be true or false.")
    if record["type"] == "unanswerable":
        if record["answers"] or record["evidence"]:
            raise QuestionFileError(f"{where}: an unanswerable question has \"answers\": [] and \"evidence\": \"\".")
        answers: tuple[str, ...] = ()
        evidence: tuple[str, ...] = ()
    else:
        answers = _strings(record["answers"], "answers", where)
        evidence = _strings(record["evidence"], "evidence", where)
        if not answers or not evidence:
            raise QuestionFileError(
                f"{where}: an answerable question needs at least one answer and one evidence string."
            )
    constraint = _strings(record["constraint"], "constraint", where) if "constraint" in record else ()
    unknown_kinds = sorted(set(constraint) - set(CONSTRAINT_KINDS))
    if unknown_kinds:
        raise QuestionFileError(f"{where}: constraint {', '.join(unknown_kinds)} is not one of "
                                f"{', '.join(CONSTRAINT_KINDS)}.")
    return Question(record["id"], record["question"], answers, evidence, record["type"], record["split"], all_answers,
                    constraint)


def parse_questions(lines: Iterable[str], name: str = "<questions>") -> list[Question]:
    """Questions from JSON lines (blank lines skipped), with unique ids."""
    questions: list[Question] = []
    seen: dict[str, int] = {}
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{name}:{n}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise QuestionFileError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno}).") from None
        q = parse_question(record, where)
        if q.id in seen:
            raise QuestionFileError(f"{where}: id {q.id!r} repeats line {seen[q.id]}; ids must be unique.")
        seen[q.id] = n
        questions.append(q)
    if not questions:
        raise QuestionFileError(f"{name}: no questions in it.")
    return questions


def load_questions(path: str | Path = DEFAULT_QUESTIONS) -> list[Question]:
    """Load and validate a questions file (format: eval/README.md).

    Example:
        >>> questions = load_questions()
        >>> questions[0].id, questions[0].split
        ('q001', 'dev')
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise QuestionFileError(
            f"No questions file at {path}; pass --questions FILE (format: eval/README.md)."
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionFileError(f"Cannot read {path} as UTF-8 text: {exc}.") from None
    return parse_questions(text.splitlines(), str(path))


def missing_evidence(questions: Iterable[Question], source: str) -> list[tuple[str, str]]:
    """(id, evidence) pairs whose evidence string is not in `source`, compared after `normalize`."""
    text = normalize(source)
    return [(q.id, e) for q in questions for e in q.evidence if normalize(e) not in text]


def select_split(questions: list[Question], split: str) -> list[Question]:
    """The questions of one split, or all of them for "all"."""
    if split == "all":
        return list(questions)
    if split not in SPLITS:
        raise QuestionFileError(f"split must be dev, test or all, not {split!r}.")
    chosen = [q for q in questions if q.split == split]
    if not chosen:
        raise QuestionFileError(f"No {split} questions in the file; choose another --split.")
    return chosen
