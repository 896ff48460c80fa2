"""`rag eval --llm-url …`: the written answers of a model server, scored beside the extractive ones.

For every gold question the extractive answer is made as usual, then the model writes its own from the same
passages and the verifier checks each sentence. Reported: accuracy of the written answer (its verified
sentences name a gold answer; an unanswerable question is right when it abstains), accuracy of what the page
shows with the switch on (the written answer when something in it is verified, else the extractive one), the
share of sentences verified, the unsupported sentences caught (by reason), abstention, failures, first-token
latency and tokens/s.
"""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tqdm import tqdm

from eval.judge import answer_matches, normalize
from eval.metrics import percentile
from eval.questions import Question
from rag import Answer, Assistant, Index, Settings, Writer

#: How the verifier's reasons are grouped in the report.
REASONS = (
    ("no [n]", re.compile(r"^cites no passage")),
    ("[n] that does not exist", re.compile(r"^cites \[\d+\], but only")),
    ("name, number or month not in the cited passage", re.compile(r"is not in \[")),
    ("cited passage does not say it", re.compile(r"does not say this")),
)


def reason(why: str) -> str:
    return next((name for name, pattern in REASONS if pattern.search(why)), "other")


def _verified_text(a: Answer) -> str:
    w = a.written
    return " ".join(s.text for s in w.sentences if s.verified) if w is not None else ""


def _median(values: Sequence[float]) -> float | None:
    return percentile(list(values), 50) if values else None


def evaluate_written(questions: Sequence[Question], index: Index, settings: Settings,
                     progress: bool = True) -> dict[str, Any]:
    """Written answers for `questions` from the server in `settings.llm_url`, checked and scored."""
    assistant = Assistant(index, settings=settings)
    writer = Writer(assistant)
    rows = []
    started = time.perf_counter()
    for q in tqdm(questions, desc="written", unit="q", file=sys.stderr, disable=not progress):
        answer = writer.write(assistant.answer(q.question))
        w = answer.written
        assert w is not None
        claims = [s for s in w.sentences if not s.abstains]
        verified = _verified_text(answer)
        if q.answerable:
            written_ok = w.status == "written" and answer_matches(verified, q.answers, q.all_answers)
            extractive_ok = not answer.abstained and answer_matches(answer.text, q.answers, q.all_answers)
        else:
            written_ok = w.status == "abstained"
            extractive_ok = answer.abstained
        # The page shows the extractive answer in any case; it is what stands unless something written verified.
        shown_ok = written_ok if w.status == "written" else extractive_ok
        rows.append({
            "id": q.id, "split": q.split, "type": q.type, "answerable": q.answerable, "status": w.status,
            "note": w.note, "written_ok": written_ok, "extractive_ok": extractive_ok, "shown_ok": shown_ok,
            "sentences": len(claims), "verified": sum(s.verified for s in claims),
            "reasons": [reason(s.why) for s in claims if not s.verified],
            "unverified": [{"text": s.text, "why": s.why} for s in claims if not s.verified
                           and normalize(q.question) not in normalize(s.text)],
            "first_token_ms": w.first_token_ms, "tokens_per_s": w.tokens_per_s, "tokens": w.tokens,
        })
    return summarize_written(rows, writer.model, settings, time.perf_counter() - started)


def summarize_written(rows: list[dict[str, Any]], model: str, settings: Settings, seconds: float) -> dict[str, Any]:
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    sentences = sum(r["sentences"] for r in rows)
    verified = sum(r["verified"] for r in rows)

    def share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    first = [r["first_token_ms"] for r in rows if r["first_token_ms"] is not None]
    speeds = [r["tokens_per_s"] for r in rows if r["tokens_per_s"] is not None]
    statuses = Counter(r["status"] for r in rows)
    return {
        "model": model, "url": settings.llm_url, "max_tokens": settings.llm_max_tokens,
        "n_questions": len(rows), "seconds": round(seconds, 1),
        "accuracy": {"written": share(sum(r["written_ok"] for r in rows), len(rows)),
                     "shown": share(sum(r["shown_ok"] for r in rows), len(rows)),
                     "extractive": share(sum(r["extractive_ok"] for r in rows), len(rows))},
        "statuses": dict(statuses),
        "sentences": sentences, "sentences_verified": verified, "share_verified": share(verified, sentences),
        "caught": sentences - verified,
        "caught_by_reason": dict(Counter(x for r in rows for x in r["reasons"]).most_common()),
        "abstention": {
            "written_on_unanswerable": share(sum(r["status"] == "abstained" for r in unanswerable), len(unanswerable)),
            "written_on_answerable": share(sum(r["status"] == "abstained" for r in answerable), len(answerable)),
            "extractive_on_unanswerable": share(sum(r["extractive_ok"] for r in unanswerable), len(unanswerable)),
        },
        "failed": statuses.get("failed", 0),
        "first_token_ms_p50": _median(first), "first_token_ms_p95": percentile(first, 95) if first else None,
        "tokens_per_s_p50": _median(speeds),
        "per_question": rows,
    }


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def write_llm_report(result: dict[str, Any], path: Path, split: str) -> Path:
    """The written answers' figures as Markdown, beside the extractive ones."""
    acc, ab = result["accuracy"], result["abstention"]
    ms, ms95, speed = result["first_token_ms_p50"], result["first_token_ms_p95"], result["tokens_per_s_p50"]
    lines = [
        "# Written answers (local model)", "",
        f"Model `{result['model']}` at {result['url']}, at most {result['max_tokens']} tokens, temperature 0; "
        f"{result['n_questions']} questions of the {split} split, {result['seconds']:.0f} s in all. "
        "Written by `rag eval --llm-url …` (eval/written.py).", "",
        "| | written answer | extractive answer |", "|---|---|---|",
        f"| accuracy | {_pct(acc['written'])} | {_pct(acc['extractive'])} |",
        f"| accuracy of what the page shows (written when verified, else extractive) | {_pct(acc['shown'])} | |",
        f"| abstains on unanswerable questions | {_pct(ab['written_on_unanswerable'])} | "
        f"{_pct(ab['extractive_on_unanswerable'])} |",
        f"| abstains on answerable questions | {_pct(ab['written_on_answerable'])} | |",
        f"| sentences verified | {result['sentences_verified']} of {result['sentences']} "
        f"({_pct(result['share_verified'])}) | every sentence quoted |",
        f"| unsupported sentences caught (marked unverified) | {result['caught']} | |",
        f"| server failures (extractive answer shown) | {result['failed']} | |",
        f"| first token, p50 / p95 | {'n/a' if ms is None else f'{ms / 1e3:.1f} s'} / "
        f"{'n/a' if ms95 is None else f'{ms95 / 1e3:.1f} s'} | |",
        f"| tokens/s, p50 | {'n/a' if speed is None else f'{speed:.1f}'} | |", "",
        "Outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(result["statuses"].items())) + ".", "",
        "## Unsupported sentences caught, by reason", "",
        "| reason | sentences |", "|---|---|",
        *[f"| {k} | {v} |" for k, v in result["caught_by_reason"].items()], "",
        "## Examples of sentences marked unverified", "",
    ]
    examples = [(r["id"], u) for r in result["per_question"] for u in r["unverified"]][:15]
    lines += [f"- {qid}: “{u['text']}” — {u['why']}" for qid, u in examples] or ["(none)"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
