"""Which brand a mention is about: handles, keywords and exclusions, the same for every source."""

from __future__ import annotations

import re

from monitor.mention import Mention
from monitor.settings import BrandSettings


class BrandMatcher:
    """Match mentions to configured brands; a mention that names its brand is taken as is."""

    def __init__(self, brands: list[BrandSettings]) -> None:
        self._brands = brands
        self._patterns: list[tuple[str, re.Pattern[str], re.Pattern[str] | None]] = []
        for brand in brands:
            terms = [re.escape("@" + h) for h in brand.handles]
            terms += [re.escape(k.lower()) for k in [*brand.keywords, brand.name] if k]
            include = re.compile(r"(?<![\w@])(?:" + "|".join(terms) + r")(?!\w)", re.IGNORECASE)
            exclude = (re.compile("|".join(re.escape(x.lower()) for x in brand.exclude), re.IGNORECASE)
                       if brand.exclude else None)
            self._patterns.append((brand.name, include, exclude))
        self._canonical = {b.name.lower(): b.name for b in brands}

    def match(self, mention: Mention) -> str | None:
        """Return the brand this mention is about, or None when it names no monitored brand."""
        if mention.brand:
            return self._canonical.get(mention.brand.lower(), mention.brand)
        for name, include, exclude in self._patterns:
            if include.search(mention.text) and not (exclude and exclude.search(mention.text)):
                return name
        return None
