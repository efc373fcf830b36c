"""Weighted phrase rules behind trigger words, so each text only runs the few small regexes that could match it.

Sources are regexes over folded text, grouped by label and weight. A plain source is split into phrases whose
trigger words are read from the regex (see `classifiers.phrases`); a ``(triggers, regex)`` source keeps its regex
whole and is tried whenever one of the given words, ``stem*`` prefixes or substrings occurs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from classifiers.phrases import phrases, triggers

Source = str | tuple[str, str]
GroupSources = tuple[tuple[float, tuple[Source, ...]], ...]

REPEAT_SHARE = 0.25
GROUP_CAP = 2.0
TOKEN_CACHE_LIMIT = 200_000
TAGS = "#tags"
"""Trigger of a ``(TAGS, regex)`` source: the regex reads the text's hashtags, space-separated, without '#'."""
_HASHTAG = re.compile(r"#(\w+)")


@dataclass(frozen=True, slots=True)
class Rule:
    """One compiled phrase, the label and weight group it counts in, and whether it must start a word."""

    label: str
    group: int
    pattern: re.Pattern[str]
    word_start: bool
    on_tags: bool = False
    """Matched against the text's hashtags (without '#', space-separated) instead of the text."""


class RuleSet:
    """Rules in weight groups per label, indexed by trigger so a text only runs the rules its words can satisfy."""

    def __init__(self, labelled: dict[str, GroupSources]) -> None:
        self.rules: list[Rule] = []
        self.words: dict[str, list[int]] = {}
        self.prefixes: dict[str, list[tuple[str, int]]] = {}
        self.substrings: list[tuple[str, int]] = []
        self.always: list[int] = []
        self.group_weights: list[float] = []
        self.group_labels: list[str] = []
        self.labels = tuple(labelled)
        for label, groups in labelled.items():
            for weight, sources in groups:
                group = len(self.group_weights)
                self.group_weights.append(weight)
                self.group_labels.append(label)
                for source in sources:
                    if isinstance(source, tuple) and source[0] == TAGS:
                        self._add(label, group, source[1], ["#"], on_tags=True)
                    elif isinstance(source, tuple):
                        self._add(label, group, source[1], source[0].split())
                    else:
                        for phrase in phrases(source):
                            self._add(label, group, phrase, triggers(phrase))
        self._token_cache: dict[str, tuple[int, ...]] = {}

    def _add(self, label: str, group: int, phrase: str, found: list[str] | None, on_tags: bool = False) -> None:
        """Compile one phrase and index it under its triggers (no triggers: tried on every text)."""
        word_start = phrase.startswith(r"\b") and found is not None
        regex = phrase.removeprefix(r"\b") if word_start else phrase
        index = len(self.rules)
        self.rules.append(Rule(label, group, re.compile(regex, re.MULTILINE), word_start, on_tags))
        if found is None:
            self.always.append(index)
            return
        for trigger in found:
            if trigger.endswith("*") and len(trigger) > 3:
                self.prefixes.setdefault(trigger[:3], []).append((trigger[:-1], index))
            elif trigger.replace("'", "").isalpha():
                self.words.setdefault(trigger, []).append(index)
            else:
                self.substrings.append((trigger, index))

    def _for_token(self, token: str) -> tuple[int, ...]:
        """Rules a word triggers, exactly or by stem (remembered per word)."""
        ids = list(self.words.get(token, ()))
        ids += [i for stem, i in self.prefixes.get(token[:3], ()) if token.startswith(stem)]
        found = tuple(ids)
        if len(self._token_cache) < TOKEN_CACHE_LIMIT:
            self._token_cache[token] = found
        return found

    def candidates(self, tokens: Iterable[str], text: str) -> set[int]:
        """Indexes of the rules whose triggers occur: a word, a stem, or a substring of the text."""
        found = set(self.always)
        cache = self._token_cache
        for token in tokens:
            ids = cache.get(token)
            if ids is None:
                ids = self._for_token(token)
            if ids:
                found.update(ids)
        for needle, i in self.substrings:
            if needle in text:
                found.add(i)
        return found

    def hits(self, tokens: Iterable[str], text: str, negated: re.Pattern[str] | None = None,
             negatable: frozenset[str] = frozenset(), unreal: dict[str, re.Pattern[str]] | None = None
             ) -> tuple[dict[int, int], dict[int, int]]:
        """Matches per group: plain ones, and those right after a negator (for labels in `negatable`) or after one
        of a label's own `unreal` contexts ("hopefully it's back up" is a wish, not a recovery)."""
        plain: dict[int, int] = {}
        flipped: dict[int, int] = {}
        rules = self.rules
        tags: str | None = None
        for i in self.candidates(tokens, text):
            rule = rules[i]
            if rule.on_tags:
                tags = " ".join(_HASHTAG.findall(text)) if tags is None else tags
                found = len(rule.pattern.findall(tags))
                if found:
                    plain[rule.group] = plain.get(rule.group, 0) + found
                continue
            for match in rule.pattern.finditer(text):
                start = match.start()
                if start and rule.word_start and (text[start - 1].isalnum() or text[start - 1] == "_"):
                    continue
                own = unreal.get(rule.label) if unreal else None
                if start and ((negated is not None and rule.label in negatable
                               and negated.search(text, max(0, start - 24), start))
                              or (own is not None and own.search(text, max(0, start - 40), start))):
                    flipped[rule.group] = flipped.get(rule.group, 0) + 1
                else:
                    plain[rule.group] = plain.get(rule.group, 0) + 1
        return plain, flipped

    def totals(self, hits: dict[int, int]) -> dict[str, float]:
        """Evidence per label: each group's weight once for its first hit, plus a share per further hit, capped."""
        out = dict.fromkeys(self.labels, 0.0)
        weights, labels = self.group_weights, self.group_labels
        for group, count in hits.items():
            out[labels[group]] += weights[group] * min(GROUP_CAP, 1.0 + REPEAT_SHARE * (count - 1))
        return out

    def patterns(self, label: str) -> tuple[tuple[float, re.Pattern[str]], ...]:
        """Every compiled phrase of one label with its group weight (hashtag rules rewritten to read text)."""
        return tuple((self.group_weights[r.group],
                      re.compile(r"#\w*(?:" + r.pattern.pattern + ")") if r.on_tags else r.pattern)
                     for r in self.rules if r.label == label)
