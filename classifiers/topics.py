"""Keyword routing of a mention to the product area it is about (login, payments, app, ...)."""

from __future__ import annotations

import re

from classifiers.textnorm import fold, safe_text, strip_handles, strip_urls
from monitor.settings import DEFAULT_TOPICS

_VOWELS = "aeio"
_LEFT = r"(?<!\w)"
_RIGHT = r"(?!\w)"


def keyword_pattern(keyword: str) -> str | None:
    """Regex for a keyword: accent-free whole words, flexible gaps, light inflection unless it ends in a space."""
    words = fold(keyword).split()
    if not words:
        return None
    exact_end = keyword[-1:].isspace()
    head = [re.escape(word) for word in words[:-1]]
    last = words[-1]
    if exact_end or not last.isalpha() or len(last) < 3:
        tail = re.escape(last)
    elif len(last) >= 7 and last[-1] in _VOWELS:
        tail = re.escape(last[:-1]) + r"[a-z]{0,4}"
    elif len(last) >= 5 and last[-1] in _VOWELS:
        tail = re.escape(last[:-1]) + r"(?:[aeio]s?|ed|ing)"
    elif last.endswith("y") and len(last) >= 4:
        tail = re.escape(last[:-1]) + r"(?:y|ies|ied)"
    elif last.endswith("e"):
        tail = re.escape(last[:-1]) + r"(?:e|es|ed|ing)"
    else:
        tail = re.escape(last) + r"(?:s|es|ed|ing)?"
    return _LEFT + r"[\s\-_/]*".join([*head, tail]) + _RIGHT


class TopicRouter:
    """Route a text to the topic whose keywords it mentions most; ties go to the earlier route."""

    _CACHE_LIMIT = 20_000

    def __init__(self, routes: dict[str, list[str]] | None = None) -> None:
        routes = DEFAULT_TOPICS if routes is None else routes
        self.names: list[str] = []
        self.owners: list[re.Pattern[str]] = []
        every: set[str] = set()
        for name, keywords in routes.items():
            patterns = {p for p in (keyword_pattern(str(k)) for k in keywords or ()) if p}
            if not patterns:
                continue
            self.names.append(str(name))
            self.owners.append(re.compile("|".join(sorted(patterns, key=len, reverse=True))))
            every |= patterns
        bare = sorted((p.removeprefix(_LEFT).removesuffix(_RIGHT) for p in every), key=len, reverse=True)
        alternatives = "|".join(bare)
        self.finder = re.compile(f"{_LEFT}(?:{alternatives}){_RIGHT}") if every else None
        self._seen: dict[str, tuple[int, ...]] = {}

    def route(self, text: str) -> str | None:
        """The best-matching topic for a raw text, or None when no keyword appears."""
        if self.finder is None:
            return None
        clean = safe_text(text)
        if "/" in clean or "www" in clean:
            clean = strip_urls(clean)
        folded = fold(clean)
        return self.route_folded(strip_handles(folded) if "@" in folded else folded)

    def route_folded(self, folded: str) -> str | None:
        """The best-matching topic for text already folded (lowercase, accent-free, no handles or links)."""
        if self.finder is None:
            return None
        counts = [0] * len(self.names)
        hit = False
        for match in self.finder.finditer(folded):
            for index in self._owners_of(match.group()):
                counts[index] += 1
                hit = True
        if not hit:
            return None
        return self.names[max(range(len(counts)), key=counts.__getitem__)]

    def _owners_of(self, found: str) -> tuple[int, ...]:
        """Which routes a matched keyword belongs to (remembered: the vocabulary of matches is small)."""
        owners = self._seen.get(found)
        if owners is None:
            owners = tuple(i for i, pattern in enumerate(self.owners) if pattern.fullmatch(found))
            if len(self._seen) < self._CACHE_LIMIT:
                self._seen[found] = owners
        return owners
