"""Which brand a mention is about: handles, keywords, exclusions and languages, the same for every source."""

from __future__ import annotations

import re
from dataclasses import dataclass

from monitor.mention import Mention
from monitor.settings import BrandSettings, ConfigError, Settings

# Characters a JSON encoder may escape; a term holding one cannot be searched for in raw JSON text.
_JSON_ESCAPED = re.compile(r'[^\x20-\x7e]|["\\<>&]')


@dataclass(frozen=True, slots=True)
class _Rule:
    """One brand's compiled rule."""

    name: str
    include: re.Pattern[str]
    exclude: re.Pattern[str] | None
    languages: frozenset[str]


def _terms(brand: BrandSettings) -> list[str]:
    """The literal strings that name a brand: its handles with '@', its keywords and its name."""
    terms = ["@" + h for h in brand.handles if h]
    terms += [k.lower() for k in [*brand.keywords, brand.name] if k and k.strip()]
    return list(dict.fromkeys(terms))


def select_brands(source: str, wanted: list[str], settings: Settings) -> list[BrandSettings]:
    """The configured brands a source reads (all when `wanted` is empty); an unknown name is a ConfigError."""
    known = {b.name.lower(): b for b in settings.brands}
    for name in wanted:
        if name.lower() not in known:
            raise ConfigError(f"source {source}: brands: unknown brand {name!r}. "
                              f"Hint: one of {', '.join(b.name for b in settings.brands) or '(none configured)'}")
    return [known[name.lower()] for name in wanted] if wanted else list(settings.brands)


def primary_language(tag: str | None) -> str | None:
    """The primary subtag of a language tag ('en-US' -> 'en'), lower case; None when absent."""
    if not tag:
        return None
    return tag.replace("_", "-").split("-", 1)[0].strip().lower() or None


class BrandMatcher:
    """Match mentions to configured brands; a mention that names its brand is taken as is."""

    def __init__(self, brands: list[BrandSettings]) -> None:
        self._brands = brands
        self._rules: list[_Rule] = []
        every: list[str] = []
        for brand in brands:
            terms = _terms(brand)
            every += terms
            include = re.compile(r"(?<![\w@])(?:" + "|".join(re.escape(t) for t in terms) + r")(?!\w)",
                                 re.IGNORECASE)
            exclude = (re.compile("|".join(re.escape(x.lower()) for x in brand.exclude if x), re.IGNORECASE)
                       if any(brand.exclude) else None)
            languages = frozenset(filter(None, (primary_language(x) for x in brand.languages)))
            self._rules.append(_Rule(brand.name, include, exclude, languages))
        self._canonical = {b.name.lower(): b.name for b in brands}
        # A cheap superset test run before anything else: case-folded substrings, without word boundaries, and
        # only the shortest needles (a text holding 'acme pay' holds 'acme'); str.find beats a regex many times.
        folded = {t.casefold() for t in every}
        self._needles = tuple(sorted(n for n in folded if not any(o != n and o in n for o in folded)))
        self.raw_safe = bool(every) and not any(_JSON_ESCAPED.search(t) for t in every)

    @property
    def brands(self) -> list[BrandSettings]:
        """The configured brands, in order."""
        return list(self._brands)

    def match(self, mention: Mention) -> str | None:
        """Return the brand this mention is about, or None when it names no monitored brand."""
        if mention.brand:
            return self._canonical.get(mention.brand.lower(), mention.brand)
        return self.match_text(mention.text, mention.lang)

    def match_text(self, text: str, lang: str | None = None) -> str | None:
        """The first brand whose terms the text names, not excluded, in one of the brand's languages."""
        if not self._hit(text.casefold()):
            return None
        primary = primary_language(lang)
        for rule in self._rules:
            if rule.languages and primary and primary not in rule.languages:
                continue
            if rule.include.search(text) and not (rule.exclude and rule.exclude.search(text)):
                return rule.name
        return None

    def might_match(self, raw: str) -> bool:
        """A fast superset test on raw text or a raw JSON document: False means no brand can match.

        Literal terms only, so JSON escapes around them do not hide them; when a term holds a character a
        JSON encoder may escape (non-ASCII, quotes, '<', '>', '&'), every document passes.
        """
        if not self._needles:
            return False
        return self._hit(raw.casefold()) if self.raw_safe else True

    def _hit(self, folded: str) -> bool:
        """Whether a case-folded text holds any needle."""
        return any(needle in folded for needle in self._needles)

    def search_terms(self, name: str) -> list[str]:
        """What to ask a search API for one brand: its keywords, name and handles (without '@')."""
        for brand in self._brands:
            if brand.name == name:
                terms = list(dict.fromkeys(t.lstrip("@") for t in _terms(brand)))
                # 'volta' already finds every 'volta energia': ask only for terms no shorter term covers
                return [t for t in terms if not any(o != t and re.search(rf"(?<!\w){re.escape(o)}(?!\w)", t)
                                                    for o in terms)]
        return []

    def hashtags(self) -> list[str]:
        """Hashtags naming the brands: every single-word term, lower case, without '@' or '#'."""
        tags: list[str] = []
        for brand in self._brands:
            for term in _terms(brand):
                tag = term.lstrip("@#").lower()
                if re.fullmatch(r"\w+", tag):
                    tags.append(tag)
        return list(dict.fromkeys(tags))
