"""Lexicon polarity of one prepared text: negation, intensifiers, contrast, capitals, elongation, emoji."""

from __future__ import annotations

import re

from classifiers.lexicon import CONTRAST, EMOJI, EMOTICONS, INTENSIFIERS, NEGATORS, VALENCES
from classifiers.textnorm import Prepared

NEGATION_SCOPE = 3
NEGATION_FLIP = -0.6
CAPS_BOOST = 1.4
ELONGATION_BOOST = 1.3
_WORD, _PUNCT, _NEGATOR, _INTENSIFIER, _CONTRAST = range(5)


def _roles() -> dict[str, tuple[int, float]]:
    """Every token the polarity loop reacts to, with its role and value, in one table."""
    roles: dict[str, tuple[int, float]] = {word: (_WORD, value) for word, value in VALENCES.items()}
    roles.update({mark: (_PUNCT, 0.0) for mark in ".,;:!?"})
    roles.update({word: (_NEGATOR, 0.0) for word in NEGATORS})
    roles.update({word: (_INTENSIFIER, value) for word, value in INTENSIFIERS.items()})
    roles.update({word: (_CONTRAST, 0.0) for word in CONTRAST})
    return roles


ROLES = _roles()
_EMOJI_RANGES = re.compile("[\U0001F000-\U0001FFFF\u2300-\u23ff\u2600-\u27bf\u2b00-\u2bff]")
_EMOTICON_RE = re.compile(r"(?<![\w/])(?:[:;=]-?[()dp/@]|:'\(|xd\b)|-_-|>:\(|<3")


def word_polarity(prepared: Prepared) -> tuple[float, float]:
    """Positive and negative mass of the words, after negation, intensifiers, contrast and capitals."""
    pos = neg = 0.0
    scope = 0
    boost = after = 1.0
    exclaims = 0
    capitals, raw = prepared.capitals, prepared.raw
    unstretched = prepared.stretched
    roles = ROLES.get
    for position, token in enumerate(prepared.tokens):
        role = roles(token)
        stretched = False
        if role is None:
            if unstretched is not None and unstretched[position] != token:
                role = roles(unstretched[position])
                stretched = role is not None
            if role is None:
                if token.endswith("n't"):
                    scope = NEGATION_SCOPE
                elif scope:
                    scope -= 1
                continue
        kind, value = role
        if kind == _PUNCT:
            exclaims += token == "!"
            scope, boost = 0, 1.0
            continue
        if kind == _NEGATOR:
            scope = NEGATION_SCOPE
            continue
        if kind == _INTENSIFIER:
            boost = value
            continue
        if kind == _CONTRAST:
            pos, neg, after, scope = pos * 0.5, neg * 0.5, 1.5, 0
            continue
        value *= boost * after
        boost = 1.0
        if stretched:
            value *= ELONGATION_BOOST
        if capitals and len(token) > 2 and token.upper() in raw:
            value *= CAPS_BOOST
        if scope:
            value *= NEGATION_FLIP
            scope = 0
        if value > 0:
            pos += value
        else:
            neg -= value
    if exclaims and (pos or neg):
        lift = 1.0 + 0.1 * min(exclaims, 4)
        if pos >= neg:
            pos *= lift
        else:
            neg *= lift
    if prepared.shouting:
        pos, neg = pos * 1.3, neg * 1.3
    return pos, neg


def symbol_polarity(prepared: Prepared) -> tuple[float, float]:
    """Positive and negative mass of emoji and emoticons; repeats add a little."""
    pos = neg = 0.0
    seen: dict[str, int] = {}
    symbols: list[str] = []
    if not prepared.raw.isascii():
        symbols = [char for char in _EMOJI_RANGES.findall(prepared.raw) if char in EMOJI]
    if ":" in prepared.word_text or "<3" in prepared.word_text or "_" in prepared.word_text \
            or "xd" in prepared.word_text:
        symbols += _EMOTICON_RE.findall(prepared.word_text)
    for symbol in symbols:
        count = seen.get(symbol, 0)
        seen[symbol] = count + 1
        if count > 2:
            continue
        value = EMOJI.get(symbol) or EMOTICONS.get(symbol if symbol == "-_-" else symbol.replace("-", ""), 0.0)
        value *= 1.0 if count == 0 else 0.3
        if value > 0:
            pos += value
        else:
            neg -= value
    return pos, neg


def polarity(prepared: Prepared) -> tuple[float, float]:
    """Total positive and negative mass of a prepared text."""
    wpos, wneg = word_polarity(prepared)
    spos, sneg = symbol_polarity(prepared)
    return wpos + spos, wneg + sneg
