"""Pure rendering for the chat page: an `Answer` to HTML, the inspector rows, the filters, the index panel.

Everything interpolated into HTML goes through `html.escape`: questions and sources are shown as text,
never run. Highlights come from the citation's offsets, never from searching the text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from rag import Answer, Citation, Filters, Passage

KINDS: tuple[str, ...] = ("article", "chronology")
INSPECTOR_HEADERS = ["#", "passage", "kind", "dense rank", "BM25 rank", "fused score", "cited"]
#: More sources than this start folded, so a long timeline does not bury the next question.
OPEN_SOURCES = 6

_MARKER = re.compile(r"\[(\d+)\]")


def parse_date(text: str | None, what: str) -> date | None:
    """A `YYYY-MM-DD` date from a filter box; empty means no bound.

    Example:
        >>> parse_date(" 2023-12-01 ", "From"), parse_date("", "To")
        (datetime.date(2023, 12, 1), None)
    """
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{what} date {text!r} is not a date; write it as YYYY-MM-DD, e.g. 2023-11-01.") from None


def make_filters(start: str | None, end: str | None, kinds: Sequence[str] | None,
                 docs: Sequence[str] | None = None, known: Sequence[str] | None = None) -> Filters:
    """The page's filter widgets as rag `Filters`; raises `ValueError` with a fix-it message.

    `docs` are the ticked documents out of the library's `known` ones; all of them (or None) restrict nothing.

    Example:
        >>> make_filters("2023-12-01", "", ["chronology"]).kinds
        ('chronology',)
    """
    first, last = parse_date(start, "From"), parse_date(end, "To")
    if first and last and first > last:
        raise ValueError(f"The date range is reversed ({first} is after {last}); swap the two dates.")
    chosen = tuple(k for k in KINDS if k in (kinds or ()))
    unknown = sorted(set(kinds or ()) - set(KINDS))
    if unknown:
        raise ValueError(f"Unknown passage kind(s) {', '.join(unknown)}; choose from {', '.join(KINDS)}.")
    if not chosen:
        raise ValueError("No passage kind is ticked; tick Articles, Chronology or both.")
    chosen_docs: tuple[str, ...] = ()
    if docs is not None and known is not None:
        unknown_docs = sorted(set(docs) - set(known))
        if unknown_docs:
            raise ValueError(f"No document {', '.join(unknown_docs)} in the library; choose from {', '.join(known)}.")
        if not docs:
            raise ValueError("No document is ticked; tick at least one under Documents.")
        if set(docs) != set(known):
            chosen_docs = tuple(d for d in known if d in docs)
    return Filters(start=first, end=last, kinds=chosen, docs=chosen_docs)  # type: ignore[arg-type]


def stream_steps(text: str, steps: int = 12) -> Iterator[str]:
    """Progressively longer prefixes of `text`, cut at word boundaries, ending with the whole text.

    Example:
        >>> list(stream_steps("a b c d", steps=2))
        ['a b', 'a b c d']
    """
    words = text.split(" ")
    size = max(1, -(-len(words) // max(1, steps)))
    for i in range(size, len(words), size):
        yield " ".join(words[:i])
    yield text


def _where(p: Passage) -> str:
    title = f'<span class="src-title">{html.escape(p.title)}</span> · '
    page = f' · <span class="src-page">{html.escape(p.page_label())}</span>' if p.page is not None else ""
    if p.kind == "chronology" and p.date_start:
        return f'{title}<time datetime="{html.escape(p.date_start)}">{html.escape(p.label())}</time>{page}'
    return f'{title}<span class="src-section">§ {html.escape(p.section or p.title)}</span>{page}'


def where_in_source(p: Passage) -> str:
    """The passage's place in its document as the reader's head shows it: date or section, and its page.

    Example:
        >>> where_in_source(Passage(id="x", doc="d", title="T", section="Trade", kind="article", text="t",
        ...                         char_start=0, char_end=1, n_tokens=1, page=3))
        'Trade · p. 3'
    """
    return " · ".join(part for part in (p.label(), p.page_label()) if part)


def _link(n: int, turn: int) -> str:
    return f'<a class="cite" href="#src-{turn}-{n}" data-src="src-{turn}-{n}">[{n}]</a>'


def link_markers(escaped: str, turn: int, known: set[int]) -> str:
    """Turn the `[n]` markers of already-escaped text into links to the sources of turn `turn`."""
    return _MARKER.sub(lambda m: _link(int(m[1]), turn) if int(m[1]) in known else m[0], escaped)


def highlighted(citation: Citation) -> str:
    """The cited passage as escaped HTML with its supporting sentence in `<mark>`.

    The highlight offsets are absolute in the source; the passage starts at `char_start` in it.
    """
    p = citation.passage
    a = min(max(citation.highlight_start - p.char_start, 0), len(p.text))
    b = min(max(citation.highlight_end - p.char_start, a), len(p.text))
    before, sentence, after = (html.escape(s) for s in (p.text[:a], p.text[a:b], p.text[b:]))
    return f"{before}<mark>{sentence}</mark>{after}"


def render_sources(answer: Answer, turn: int) -> str:
    """The sources panel: each cited passage with its section or date and the highlighted sentence."""
    if not answer.citations:
        return ""
    title = "Closest passages" if answer.abstained else "Sources"
    items = "".join(
        f'<li id="src-{turn}-{c.n}" class="source"><div class="src-head"><span class="src-n">[{c.n}]</span> '
        f'{_where(c.passage)} <span class="src-kind">{html.escape(c.passage.kind)}</span></div>'
        f'<div class="src-text">{highlighted(c)}</div>{_open_link(c)}</li>'
        for c in answer.citations
    )
    fold = "" if len(answer.citations) > OPEN_SOURCES else " open"
    return (f'<details class="sources"{fold}><summary>{title} ({len(answer.citations)})</summary>'
            f'<ol class="src-list">{items}</ol></details>')


def _open_link(c: Citation) -> str:
    """The link that opens the whole document in the reader, at the cited sentence (offsets, not text).

    The offsets travel in the link's fragment (`#open:DOC:START:END:HIGHLIGHT_START:HIGHLIGHT_END`): the chat's
    sanitizer keeps `href` but drops `data-*` attributes.
    """
    p = c.passage
    where = ":".join([p.doc, *(str(n) for n in (p.char_start, p.char_end, c.highlight_start, c.highlight_end))])
    return f'<a class="open-source" href="#open:{html.escape(where)}">Open in {html.escape(p.title)}</a>'


def _render_timeline(answer: Answer, turn: int) -> str:
    by_n = {c.n: c.passage for c in answer.citations}
    items = []
    for item in answer.items:
        p = by_n.get(item.n)
        # A chronology entry opens with its own date ("Nov. 16, 2023: ..."); show it once, as the list's date.
        when, sep, event = item.text.partition(": ")
        if not sep or len(when) > 40:
            when, event = item.label, item.text
        items.append(f'<li><time datetime="{html.escape(p.date_start or "" if p else "")}">{html.escape(when)}</time> '
                     f'<span class="event">{html.escape(event)}</span> {_link(item.n, turn)}</li>')
    # The answer's own lines before its list: how the question was read (citing an anchor) and what it covers.
    known = {c.n for c in answer.citations}
    head = "<br>".join(link_markers(html.escape(line), turn, known) for line in answer.text.split("\n")
                       if not line.startswith("- "))
    return f'<p class="lead">{head}</p><ul class="timeline">{"".join(items)}</ul>'


def describe_filters(filters: Filters | None) -> str:
    """The filters in words, or "" when they restrict nothing.

    Example:
        >>> describe_filters(Filters(start=date(2023, 12, 1), kinds=("chronology",)))
        'from 2023-12-01 · chronology only'
    """
    if filters is None:
        return ""
    parts = []
    if filters.start or filters.end:
        parts.append(" ".join(f"{w} {d}" for w, d in (("from", filters.start), ("to", filters.end)) if d))
    if tuple(filters.kinds) != KINDS:
        parts.append(" and ".join(filters.kinds) + " only")
    return " · ".join(parts)


def _interpreted(answer: Answer, filters: Filters | None) -> str:
    notes = list(answer.notes)
    shown = answer.analysis.read_as() if answer.analysis is not None else answer.interpreted.strip() or answer.question
    parts = [f'<span class="label">Interpreted as</span> <q>{html.escape(shown)}</q>']
    parts += [f'<span class="note">{html.escape(n)}</span>' for n in notes]
    if describe_filters(filters):
        parts.append(f'<span class="note">filters: {html.escape(describe_filters(filters))}</span>')
    return f'<div class="interpreted">{" · ".join(parts)}</div>'


def render_answer(answer: Answer, turn: int, filters: Filters | None = None) -> str:
    """One assistant turn as HTML: interpretation, answer with linked `[n]`, sources, confidence."""
    known = {c.n for c in answer.citations}
    if answer.abstained:
        body = (f'<h4 class="verdict">Not in the briefing</h4>'
                f'<p>{link_markers(html.escape(answer.text), turn, known)}</p>')
        css = "answer abstained"
    else:
        if answer.kind == "timeline" and answer.items:
            body = _render_timeline(answer, turn)
            css = "answer timeline-answer"
        else:
            short, rest = answer.short_answer, answer.text
            lead = ""
            if short and rest.startswith(short):  # the short answer leads; the page shows it in bold
                lead, rest = f'<strong class="short-answer">{html.escape(short)}</strong>', rest[len(short) :]
            text = html.escape(rest).replace("\n", "<br>")
            body = f"<p>{lead}{link_markers(text, turn, known)}</p>"
            css = "answer"
    total = answer.timings_ms.get("total")
    meta = f"confidence {answer.confidence:.2f}" + (f" · {total:.0f} ms" if total is not None else "")
    return (f'<div class="{css}">{_interpreted(answer, filters)}{body}{render_sources(answer, turn)}'
            f'<div class="meta">{html.escape(meta)}</div></div>')


def render_partial(text: str) -> str:
    """The answer while it streams in: plain escaped text, links and sources come with the last chunk."""
    return f'<div class="answer streaming"><p>{html.escape(text).replace(chr(10), "<br>")}</p></div>'


def render_error(message: str) -> str:
    """A refused question or bad filter: the reason and how to fix it."""
    return f'<div class="answer error"><h4 class="verdict">Can’t answer that</h4><p>{html.escape(message)}</p></div>'


def render_user(question: str) -> str:
    """The user's message, escaped so that markup in it is shown, not run."""
    return html.escape(question)


def inspector_rows(answer: Answer) -> list[list[Any]]:
    """One row per passage the answer used: rank, label, kind, dense rank, BM25 rank, fused score, cited as."""
    cited = {c.passage.id: c.n for c in answer.citations}
    # A chronology answer lists its entries, then the retrieved passages, which may hold the same entries: each
    # passage is one row, in its first place, with its retrieval ranks when it was also retrieved.
    unique: dict[str, Passage] = {}
    for p in answer.passages:
        seen = unique.get(p.id)
        if seen is None or (seen.dense_rank is None and seen.bm25_rank is None and not seen.score):
            unique[p.id] = p
    rows: list[list[Any]] = []
    for rank, p in enumerate(unique.values(), start=1):
        snippet = p.text if len(p.text) <= 90 else p.text[:89] + "…"
        # a chronology entry opens with its own date; an article passage needs its section (and page) in front
        if p.kind == "chronology":
            where = f"{snippet} ({p.page_label()})" if p.page is not None else snippet
        else:
            where = f"{where_in_source(p)} — {snippet}"
        rows.append([rank, where, p.kind, p.dense_rank if p.dense_rank is not None else "–",
                     p.bm25_rank if p.bm25_rank is not None else "–", round(p.score, 4),
                     f"[{cited[p.id]}]" if p.id in cited else ""])
    return rows


def period(row: dict[str, Any]) -> str:
    """The period a library row's chronology covers, as the journal writes dates."""
    from rag.dates import format_range

    return format_range(row["start"], row["end"] or row["start"]) if row.get("start") else "no dated entries"


def render_library(library: Sequence[dict[str, Any]]) -> str:
    """The documents of the library: title, id, period, passages, when added."""
    items = "".join(
        f'<li class="doc" data-doc="{html.escape(r["id"])}"><span class="doc-title">{html.escape(r["title"])}</span> '
        f'<span class="doc-meta">{html.escape(r["id"])} · {html.escape(period(r))} · {r["passages"]} passages · '
        f'added {html.escape(str(r["added_at"]).replace("T", " ")[:16])}</span></li>'
        for r in library
    )
    return f'<ul class="library">{items}</ul>'


#: Up to this many documents, the page's title names each one.
HEADER_TITLES = 6


def render_header(library: Sequence[dict[str, Any]], default_doc: str) -> str:
    """The page's title and what it answers about: the shipped briefing, or the library's documents."""
    if [r["id"] for r in library] == [default_doc]:
        about = "the US–Japan briefing (Sept.–Dec. 2023)"
    elif len(library) == 1:
        about = f"“{html.escape(library[0]['title'])}” ({html.escape(period(library[0]))})"
    elif len(library) <= HEADER_TITLES:
        about = f"{len(library)} briefings: " + ", ".join(f"“{html.escape(r['title'])}”" for r in library)
    else:  # an archive: its size and span, not a thousand titles
        starts = sorted(r["start"] for r in library if r.get("start"))
        span = f" from {starts[0][:4]} to {max(r['end'] or r['start'] for r in library if r.get('start'))[:4]}" \
            if starts else ""
        about = f"{len(library):,} briefings{span}"
    what = "briefing" if len(library) == 1 else "briefings"
    return (f"<h1>Briefing QA</h1><p>Ask about {about}. Every answer quotes the {what} and cites its passages; "
            "click a [n] to see the source.</p>")


def render_reader(title: str, where: str, source: str, start: int, end: int, hs: int, he: int) -> str:
    """The whole document, escaped, with the cited passage marked and its sentence highlighted (by offsets)."""
    n = len(source)
    start, end = max(0, min(start, n)), max(0, min(end, n))
    hs, he = max(start, min(hs, end)), max(start, min(max(he, hs), end))
    parts = [html.escape(source[:start]), '<span class="reader-passage">', html.escape(source[start:hs]),
             f'<mark id="reader-mark">{html.escape(source[hs:he])}</mark>', html.escape(source[he:end]), "</span>",
             html.escape(source[end:])]
    return (f'<div class="reader"><div class="reader-head"><strong>{html.escape(title)}</strong> · '
            f'{html.escape(where)} · chars {hs}–{he}</div><div class="reader-text">{"".join(parts)}</div></div>')


def export_markdown(turns: Sequence[dict[str, Any]]) -> str:
    """The conversation as Markdown: each question and answer, its sources quoted with document, section or
    date, page (of a PDF) and char offsets (from the answers' JSON, `Answer.to_dict`)."""
    from rag.dates import format_range

    out = ["# Briefing QA conversation", ""]
    for i, turn in enumerate(turns, start=1):
        out += [f"## {i}. {turn['question']}", "", turn["answer"], ""]
        if turn["citations"]:
            out += ["Closest passages:" if turn["abstained"] else "Sources:", ""]
        for c in turn["citations"]:
            where = (format_range(c["date_start"], c["date_end"] or c["date_start"])
                     if c["kind"] == "chronology" and c["date_start"] else f"§ {c['section']}")
            if c.get("page") is not None:
                where += f", p. {c['page']}"
            quote = c["text"][c["highlight_start"] - c["char_start"] : c["highlight_end"] - c["char_start"]]
            out += [f"- [{c['n']}] {c.get('title') or c['doc']} (`{c['doc']}`), {where}, chars "
                    f"{c['char_start']}–{c['char_end']}, highlight {c['highlight_start']}–{c['highlight_end']}",
                    "", *[f"  > {line}" for line in quote.splitlines() or [""]], ""]
    return "\n".join(out).rstrip() + "\n"


def render_index_info(info: dict[str, Any]) -> str:
    """The index panel: documents, passages, model, build time."""
    rows = [
        ("Documents", ", ".join(info.get("documents", []))),
        ("Passages", f"{info.get('passages', 0)} ({info.get('article_passages', 0)} article, "
                     f"{info.get('chronology_passages', 0)} chronology)"),
        ("Model", f"{info.get('model', '?')} ({info.get('dimension', '?')}-d, {info.get('dense_index', '?')})"),
        ("Built at", str(info.get("created_at", "?")).replace("T", " ")),
    ]
    body = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in rows)
    return f'<table class="index-info">{body}</table>'
