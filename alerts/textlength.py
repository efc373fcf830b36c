"""How each network measures a post: X's weighted length, Mastodon's and Bluesky's grapheme counts."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

try:  # the `regex` package knows extended grapheme clusters exactly
    import regex as _regex

    _CLUSTER: re.Pattern[str] | None = _regex.compile(r"\X")  # type: ignore[assignment]
except ImportError:  # pragma: no cover - exercised through the fallback test
    _CLUSTER = None

URL_WEIGHT = 23  # X and Mastodon count every link as 23 characters
_TRAIL = r"(?<![.,;:!?'\")\]])"
URL = re.compile(r"https?://[^\s<>\"]+" + _TRAIL, re.IGNORECASE)
BARE_DOMAIN = re.compile(
    r"(?<![\w@/.-])(?:www\.)?(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+"
    r"(?:com|net|org|io|it|co|uk|de|fr|es|eu|app|dev|info|biz|me|ly|gl|tv|us|ca|ch|nl|be|at)"
    r"(?![\w-])(?:/[^\s<>\"]*" + _TRAIL + ")?", re.IGNORECASE)
REMOTE_MENTION = re.compile(r"(?<![\w@])(@\w+)@[\w.-]+\w", re.UNICODE)
_X_LIGHT = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))  # twitter-text v3: weight 1, the rest 2


def _extends(cp: int, category: str) -> bool:
    """A code point that never starts a new cluster: marks, joiners, variation selectors, skin tones, tags."""
    return (category in ("Mn", "Me", "Mc") or cp in (0x200C, 0x200D) or 0xFE00 <= cp <= 0xFE0F
            or 0x1F3FB <= cp <= 0x1F3FF or 0xE0020 <= cp <= 0xE007F or 0xE0100 <= cp <= 0xE01EF)


def _pictographic(cp: int) -> bool:
    """Roughly Unicode's Extended_Pictographic: emoji and symbols that ZWJ sequences join."""
    return (0x1F000 <= cp <= 0x1FAFF or 0x2600 <= cp <= 0x27BF or 0x2300 <= cp <= 0x23FF
            or 0x2B00 <= cp <= 0x2BFF or cp in (0x00A9, 0x00AE, 0x203C, 0x2049, 0x2122, 0x2139, 0x3030, 0x303D))


def _regional(cp: int) -> bool:
    return 0x1F1E6 <= cp <= 0x1F1FF


def fallback_graphemes(text: str) -> list[str]:
    """Split into extended grapheme clusters without `regex`: CR LF, marks, ZWJ emoji, skin tones, flags, tags."""
    clusters: list[str] = []
    for ch in text:
        cp = ord(ch)
        if clusters:
            prev = clusters[-1]
            last = ord(prev[-1])
            joins = (
                (prev[-1] == "\r" and ch == "\n")
                or (prev[-1] not in "\r\n" and _extends(cp, unicodedata.category(ch)))
                or (last == 0x200D and _pictographic(cp) and len(prev) > 1)
                or (_regional(cp) and len(prev) == 1 and _regional(last))
            )
            if joins:
                clusters[-1] = prev + ch
                continue
        clusters.append(ch)
    return clusters


def graphemes(text: str) -> list[str]:
    """The text's user-perceived characters (extended grapheme clusters)."""
    if _CLUSTER is not None:
        return _CLUSTER.findall(text)
    return fallback_graphemes(text)


def _is_emoji(cluster: str) -> bool:
    first = ord(cluster[0])
    return _pictographic(first) or _regional(first) or "\ufe0f" in cluster or "\u200d" in cluster


def _x_cluster_weight(cluster: str) -> int:
    if _is_emoji(cluster):
        return 2
    total = 0
    for ch in cluster:
        cp = ord(ch)
        total += 1 if any(lo <= cp <= hi for lo, hi in _X_LIGHT) else 2
    return total


def urls(text: str, bare: bool = False) -> list[re.Match[str]]:
    """Links in the text (with a scheme; also bare domains when `bare`), trailing punctuation left out."""
    found = list(URL.finditer(text))
    if bare:
        taken = [m.span() for m in found]
        found += [m for m in BARE_DOMAIN.finditer(text)
                  if not any(a <= m.start() < b for a, b in taken)]
    return sorted(found, key=lambda m: m.start())


def x_length(text: str) -> int:
    """Length as X counts it: NFC, each link 23, CJK and most symbols 2, an emoji sequence 2."""
    text = unicodedata.normalize("NFC", text)
    total, pos = 0, 0
    for match in urls(text, bare=True):
        total += sum(_x_cluster_weight(c) for c in graphemes(text[pos:match.start()])) + URL_WEIGHT
        pos = match.end()
    return total + sum(_x_cluster_weight(c) for c in graphemes(text[pos:]))


def mastodon_length(text: str) -> int:
    """Length as Mastodon counts it: links 23, @user@domain as @user, then grapheme clusters."""
    text = URL.sub("x" * URL_WEIGHT, text)
    return len(graphemes(REMOTE_MENTION.sub(r"\1", text)))


def bluesky_length(text: str) -> int:
    """Length as Bluesky counts it: grapheme clusters of the whole text, links at full length."""
    return len(graphemes(text))


@dataclass(frozen=True, slots=True)
class NetworkLimit:
    """One network's length rule: a limit and the measure it applies to."""

    network: str
    limit: int | None
    measure: Callable[[str], int]
    unit: str = "characters"
    max_bytes: int | None = None


NETWORKS: dict[str, NetworkLimit] = {
    "x": NetworkLimit("x", 280, x_length, "weighted characters"),
    "mastodon": NetworkLimit("mastodon", 500, mastodon_length),
    "bluesky": NetworkLimit("bluesky", 300, bluesky_length, "graphemes", max_bytes=3000),
    "statuspage": NetworkLimit("statuspage", None, len),
}


def network_limit(network: str, override: int | None = None) -> NetworkLimit:
    """The length rule of a network (a configured limit replaces the default one)."""
    base = NETWORKS.get(network, NetworkLimit(network, None, len))
    if override is None:
        return base
    return NetworkLimit(base.network, override, base.measure, base.unit, base.max_bytes)
