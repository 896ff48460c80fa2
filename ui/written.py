"""The written answer on the page: beside the extractive answer, each sentence shown verified or marked.

Pure rendering, like `ui.render`: every interpolated string escaped, highlights placed from the verified
citations' offsets. The written answer's sources get their own ids (`src-<turn>w-<n>`), so its `[n]` and
the extractive answer's `[n]` each open their own passage.
"""

from __future__ import annotations

import html

from rag import Answer, Filters, WrittenAnswer
from rag.schema import WrittenSentence
from ui import render

#: The switch's label on the page.
SWITCH_LABEL = "Written answer (local model)"


def _sentence(s: WrittenSentence, key: str, known: set[int]) -> str:
    text = html.escape(s.text)
    if s.verified:
        return f'<span class="w-sentence verified">{render.link_markers(text, key, known)}</span>'  # type: ignore[arg-type]
    if s.abstains:
        return f'<span class="w-sentence abstains">{text}</span>'
    return (f'<span class="w-sentence unverified" title="{html.escape(s.why)}"><span class="w-badge">unverified: '
            f'{html.escape(s.why)}</span> {text}</span>')


def _sources(w: WrittenAnswer, key: str) -> str:
    if not w.citations:
        return ""
    items = "".join(
        f'<li id="src-{key}-{c.n}" class="source"><div class="src-head"><span class="src-n">[{c.n}]</span> '
        f'{render._where(c.passage)} <span class="src-kind">{html.escape(c.passage.kind)}</span></div>'
        f'<div class="src-text">{render.highlighted(c)}</div>{render._open_link(c)}</li>'
        for c in w.citations
    )
    return (f'<details class="sources" open><summary>Sources of the written answer ({len(w.citations)})</summary>'
            f'<ol class="src-list">{items}</ol></details>')


def render_written(w: WrittenAnswer, turn: int) -> str:
    """The written answer's own block: the model's name, its sentences (verified, marked or dropped), its sources."""
    key = f"{turn}w"
    known = {c.n for c in w.citations}
    shown = [s for s in w.sentences if s.shown]
    body = " ".join(_sentence(s, key, known) for s in shown)
    if w.pending:
        body += f' <span class="w-pending">{html.escape(w.pending)}</span>'
    state = "writing…" if w.status == "writing" else "every sentence checked against the passage it cites"
    head = (f'<div class="w-head"><span class="label">Written answer</span> · local model '
            f'<code class="w-model">{html.escape(w.model)}</code> · {state}</div>')
    note = f'<div class="w-note">{html.escape(w.note)}</div>' if w.note else ""
    speed = []
    if w.first_token_ms is not None:
        speed.append(f"first token {w.first_token_ms / 1e3:.1f} s")
    if w.tokens_per_s is not None:
        speed.append(f"{w.tokens_per_s:.0f} tokens/s")
    meta = f'<div class="meta">{html.escape(" · ".join(speed))}</div>' if speed and w.status != "writing" else ""
    return f'<div class="written {w.status}">{head}<p>{body}</p>{note}{_sources(w, key)}{meta}</div>'


def render_turn(answer: Answer, w: WrittenAnswer, turn: int, filters: Filters | None = None) -> str:
    """The turn with a written answer: the written block first (or the one line saying why there is none), then
    the extractive answer with its short answer and citations, which stay visible."""
    if w.status in ("failed", "unverified"):
        # Nothing to show from the model: its one line, then the extractive answer as usual.
        lead = (f'<div class="written {w.status}"><div class="w-head"><span class="label">Written answer</span> · '
                f'<code class="w-model">{html.escape(w.model)}</code></div>'
                f'<div class="w-note">{html.escape(w.note)}</div></div>')
    else:
        lead = render_written(w, turn)
    extractive = render.render_answer(answer, turn, filters)
    return (f'<div class="with-written">{lead}<div class="extractive"><div class="w-head"><span class="label">'
            f'Extractive answer</span> · quoted from the briefing</div>{extractive}</div></div>')


#: Styles of the written answer, appended to the page's CSS.
CSS = """
.written { border-left: 4px solid var(--color-accent); padding: 0.3em 0 0.3em 0.75em; margin-bottom: 0.6em; }
.written.failed, .written.unverified { border-left-color: #d97706; }
.w-head { font-size: 0.82em; color: var(--body-text-color-subdued); margin-bottom: 0.3em; }
.w-head .label { font-weight: 600; text-transform: uppercase; letter-spacing: 0.03em; font-size: 0.9em; }
.w-sentence.unverified { background: rgba(217, 119, 6, 0.12); text-decoration: underline dotted #d97706; }
.w-badge { font-size: 0.75em; font-weight: 600; color: #b45309; text-transform: uppercase; letter-spacing: 0.02em; }
.w-pending { color: var(--body-text-color-subdued); font-style: italic; }
.w-note { font-size: 0.85em; font-style: italic; color: #b45309; }
.extractive { border-top: 1px dashed var(--border-color-primary); padding-top: 0.4em; }
"""
