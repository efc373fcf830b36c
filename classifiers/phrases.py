"""Reading phrase regexes: split a source at its alternatives and find the words any match must contain.

A source such as ``\\b(?:still\\s+waiting|on\\s+hold)\\b`` becomes one phrase per alternative; each phrase's
leading literal ("still", "on") is the word that must occur in a text for the phrase to be worth trying.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_LITERAL = re.compile(r"[a-z0-9'#<>/:@-]+")
_LOOKBEHIND = re.compile(r"\(\?<[!=](?:[^()\\]|\\.)*\)")


def _structure(regex: str, start: int = 0) -> Iterator[tuple[int, str, int]]:
    """Yield (index, char, depth after it) for each unescaped character outside character classes."""
    depth, i, in_class = 0, start, False
    while i < len(regex):
        char = regex[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        else:
            depth += (char == "(") - (char == ")")
            yield i, char, depth
        i += 1


def _close(regex: str, start: int) -> int:
    """Index of the parenthesis closing the one at `start`."""
    for i, char, depth in _structure(regex, start):
        if char == ")" and depth == 0:
            return i
    raise ValueError(f"unbalanced parentheses in {regex!r}")


def split_top(regex: str) -> list[str]:
    """Split a regex at its top-level '|'."""
    parts, last = [], 0
    for i, char, depth in _structure(regex):
        if char == "|" and depth == 0:
            parts.append(regex[last:i])
            last = i + 1
    return [*parts, regex[last:]]


def phrases(regex: str) -> list[str]:
    """The phrases of a source regex: its top-level alternatives, each opening group's alternatives spread out."""
    out: list[str] = []
    for part in split_top(regex):
        bounded = part.startswith(r"\b")
        body = part.removeprefix(r"\b")
        if body.startswith("(?:"):
            end = _close(body, 0)
            rest = body[end + 1:]
            if not rest[:1] or rest[:1] not in "?*+{":
                alts = split_top(body[3:end])
                out += [(r"\b" + alt.removeprefix(r"\b") if bounded else alt) + rest for alt in alts]
                continue
        out.append(part)
    return out


def triggers(phrase: str) -> list[str] | None:
    """Words ("word", "stem*") or substrings that any match must contain; None when none can be told."""
    body = phrase.removeprefix(r"\b")
    while (found := _LOOKBEHIND.match(body)) is not None:
        body = body[found.end():].removeprefix(r"\b")
    if body.startswith("(?:"):
        end = _close(body, 0)
        rest = body[end + 1:]
        if rest[:1] and rest[:1] in "?*+{":
            return None
        out: list[str] = []
        for alt in split_top(body[3:end]):
            found_triggers = triggers(alt.removeprefix(r"\b") + rest)
            if found_triggers is None:
                return None
            out += found_triggers
        return out
    literal = _LITERAL.match(body)
    if literal is None:
        return None
    word = literal.group()
    after = body[literal.end():]
    # The literal is a whole word only when something that cannot be a letter must follow it.
    exact = after == "" or after.startswith((r"\b", "$")) or (after.startswith(r"\s") and after[2:3] not in "*?{")
    if after[:1] in ("?", "*", "{"):
        word, exact = word[:-1], False
    if not word:
        return None
    if not word[0].isalpha():
        return [word] if word[0] in "#<@" or "/" in word else None
    if "-" in word:
        word, exact = word.split("-", 1)[0], True
    if not word.replace("'", "").isalpha():
        return None
    if exact:
        return [word]
    return [word + "*"] if len(word) >= 3 else None
