"""Split a long post into a numbered thread: `[1/3]`, `[2/3]`... each part within the network's limit."""

from __future__ import annotations

import re
from collections.abc import Callable

from alerts.textlength import graphemes

SENTENCE_END = re.compile(r"(?<=[.!?…:;])\s+|\n+")


class ThreadError(ValueError):
    """The text cannot be split into parts that fit."""


def counter(index: int, total: int) -> str:
    """The numbering appended to part `index` (from 1) of `total`."""
    return f" [{index}/{total}]"


def _units(text: str) -> list[str]:
    """Sentences (or lines), the preferred places to split."""
    return [u.strip() for u in SENTENCE_END.split(text) if u and u.strip()]


def _words(sentence: str) -> list[str]:
    return sentence.split()


def _hard_split(word: str, fits: Callable[[str], bool]) -> list[str]:
    """Cut a single over-long word between grapheme clusters (never inside an emoji or accent)."""
    pieces: list[str] = []
    current = ""
    for cluster in graphemes(word):
        if current and not fits(current + cluster):
            pieces.append(current)
            current = ""
        current += cluster
    if current:
        pieces.append(current)
    return pieces


def _pack(text: str, fits: Callable[[str], bool]) -> list[str]:
    """Greedily fill parts with whole sentences, then whole words, then grapheme pieces."""
    parts: list[str] = []
    current = ""

    def push(piece: str, sep: str) -> None:
        nonlocal current
        candidate = f"{current}{sep}{piece}" if current else piece
        if fits(candidate):
            current = candidate
            return
        if current:
            parts.append(current)
            current = ""
        if fits(piece):
            current = piece
            return
        words = _words(piece)
        if len(words) > 1:
            for word in words:
                push(word, " ")
            return
        for chunk in _hard_split(piece, fits):
            if current:
                parts.append(current)
            current = chunk

    for unit in _units(text):
        push(unit, " ")
    if current:
        parts.append(current)
    return parts


def split_thread(text: str, limit: int | None, measure: Callable[[str], int], max_parts: int = 25) -> list[str]:
    """Return the text as one post, or as numbered parts that each fit `limit` counter included."""
    text = text.strip()
    if limit is None or measure(text) <= limit:
        return [text]
    total = 2
    for _ in range(8):  # the counter's width depends on the total; settle it
        width = max(measure(counter(total, total)), measure(counter(total, total).replace(" ", "", 1)) + 1)
        if width >= limit:
            raise ThreadError(f"the limit of {limit} leaves no room for the thread counter")
        parts = _pack(text, lambda s, w=width: measure(s) + w <= limit)  # type: ignore[misc]
        if len(parts) <= total:
            total = len(parts)
            break
        total = len(parts)
    else:  # pragma: no cover - the width grows with log10 of the total, so this settles
        raise ThreadError("could not settle the thread numbering")
    if total > max_parts:
        raise ThreadError(f"the text needs {total} posts, more than the {max_parts} allowed in a thread")
    numbered = [part + counter(i, total) for i, part in enumerate(parts, 1)]
    too_long = [i for i, part in enumerate(numbered, 1) if measure(part) > limit]
    if too_long:
        raise ThreadError(f"part {too_long[0]} of {total} is still over the limit of {limit}")
    return numbered
