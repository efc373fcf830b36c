"""Text clean-up shared by the rules tier: safe strings, reposts, handles, URLs, accents, elongations, tokens."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_CHARS = 4000
"""Only the first MAX_CHARS characters of a text are read: a mention's verdict is in its opening."""

_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufe00-\ufe0f"
                        "\ufeff\ud800-\udfff]+")
_REPOST = re.compile(r"^\s*(?:(?:RT|rt|Rt)\s*@\w+\s*:?\s*)+")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_HANDLE = re.compile(r"@\w+")
_ELONGATED = re.compile(r"([^\W\d_])\1{2,}")
_TRIPLE = re.compile(r"([a-z])\1\1")
TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)*'?|[!?.,;:]|<3")
"""Folded words (apostrophes kept inside, as in l'app, don't, c'est), clause punctuation, and the <3 heart."""


_COMBINING = re.compile("[\u0300-\u036f]+")
_SPECIAL = {ord("ß"): "ss", ord("æ"): "ae", ord("œ"): "oe", ord("ø"): "o", ord("đ"): "d", ord("ł"): "l",
            ord("ı"): "i", ord("\u2019"): "'", ord("\u2018"): "'", ord("`"): "'", ord("\u00b4"): "'"}
_SPECIAL_RE = re.compile("[" + "".join(map(chr, _SPECIAL)) + "]")


def fold(text: str) -> str:
    """Lowercase and strip accents (è -> e, ß -> ss), keeping everything else."""
    lower = text.lower()
    if lower.isascii():
        return lower
    folded = unicodedata.normalize("NFD", lower)
    if not folded.isascii():
        folded = _COMBINING.sub("", folded)
        if _SPECIAL_RE.search(folded):
            folded = folded.translate(_SPECIAL)
    return folded


def safe_text(value: object) -> str:
    """Any input as a clean string: str() of non-strings, no control characters or lone surrogates, capped."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS]
    if not text.isascii() or not text.isprintable():
        text = _BAD_CHARS.sub(" ", text)
        if not text.isascii():
            text = text.replace("\u2019", "'").replace("\u2018", "'")
    return text


def strip_repost(text: str) -> str:
    """Drop leading 'RT @handle:' markers so a repost reads as the text it reposts."""
    return _REPOST.sub("", text, count=1) if "RT" in text[:8].upper() else text


def strip_urls(text: str) -> str:
    """Replace links with spaces."""
    return _URL.sub(" ", text)


def strip_handles(text: str) -> str:
    """Replace @handles with spaces."""
    return _HANDLE.sub(" ", text)


def squeeze(text: str) -> str:
    """Shorten letters repeated three or more times to two (sooo -> soo, grazieee -> graziee)."""
    return _ELONGATED.sub(r"\1\1", text)


def squeeze_hard(text: str) -> str:
    """Shorten letters repeated three or more times to one (sooo -> so, grazieee -> grazie)."""
    return _ELONGATED.sub(r"\1", text)


@dataclass(slots=True)
class Prepared:
    """One text in the forms the rules read: pattern text, word text, tokens, and shouting."""

    raw: str
    """The cleaned text (repost marker removed), original case."""
    pattern_text: str
    """Folded text with URLs removed and handles kept, for phrase patterns (elongations squeezed)."""
    word_text: str
    """Folded text without URLs, handles or '#', for words, language and topics."""
    tokens: list[str]
    """Folded word and punctuation tokens of word_text."""
    stretched: list[str] | None
    """For a text with stretched words ("sooo"), its tokens with every stretch cut to one letter, else None."""
    capitals: bool
    """Some word may be written in capitals (the text has upper case and is not all capitals)."""
    shouting: bool
    """The whole text is written in capitals (at least a few letters)."""


def _words(text: str) -> str:
    """Text without handles or '#', for words, language and topics."""
    return (_HANDLE.sub(" ", text) if "@" in text else text).replace("#", " ")


def prepare(value: object) -> Prepared:
    """Clean a text once into every form the rules tier reads."""
    raw = strip_repost(safe_text(value))
    no_urls = _URL.sub(" ", raw) if ("/" in raw or "www" in raw.lower()) else raw
    folded = fold(no_urls)
    pattern_text = folded
    stretched: list[str] | None = None
    if _TRIPLE.search(folded) is not None:
        pattern_text, hard = squeeze(folded), squeeze_hard(folded)
        stretched = TOKEN.findall(_words(hard))
        if hard != pattern_text:
            pattern_text = f"{pattern_text} . {hard}"
    words = _words(pattern_text if stretched is None else squeeze(folded))
    capitals = shouting = False
    if no_urls != no_urls.lower():
        bare = _HANDLE.sub("", no_urls) if "@" in no_urls else no_urls
        shouting = bare.isupper() and len(bare) >= 10
        capitals = not shouting
    tokens = TOKEN.findall(words)
    if stretched is not None and len(stretched) != len(tokens):
        stretched = None
    return Prepared(raw, pattern_text, words, tokens, stretched, capitals, shouting)
