"""The rules of engagement from config: forbidden phrases, required elements, signature, per-network length."""

from __future__ import annotations

import re
from collections.abc import Iterable

from alerts.textlength import NetworkLimit, network_limit, x_length
from alerts.threads import ThreadError, split_thread
from monitor.settings import BrandSettings, ChannelSettings, StatusPostSettings

APOLOGY = {
    "en": re.compile(r"\bsorry\b|\bapologi[sz]e|\bapologies\b", re.I),
    "it": re.compile(r"\bscus(?:a|e|i|iamo|ate|ateci)\b|\bci dispiace\b|\bspiacenti\b", re.I),
}
THANKS = {
    "en": re.compile(r"\bthank(?:s| you)\b", re.I),
    "it": re.compile(r"\bgrazie\b|\bringrazi", re.I),
}
PLACEHOLDER = re.compile(r"\{\{|\}\}|\{%|%\}")
CHANNEL_OPTION_LIMIT = "max_chars"  # a channel may lower or raise its network's limit (a Mastodon instance's)


def signature_for(settings: StatusPostSettings, brand: BrandSettings) -> str:
    """The signature posts of this brand must carry (the brand's voice first, then the global one)."""
    voice = settings.voice_for(brand.name)
    return voice.signature if voice.signature is not None else settings.signature


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    """Whole-word, case-insensitive, any whitespace between the words."""
    words = [re.escape(w) for w in phrase.split()]
    body = r"\s+".join(words)
    start = r"(?<!\w)" if re.match(r"\w", phrase.strip()) else ""
    end = r"(?!\w)" if re.search(r"\w$", phrase.strip()) else ""
    return re.compile(start + body + end, re.IGNORECASE)


def forbidden_found(text: str, phrases: Iterable[str]) -> list[str]:
    """The forbidden phrases the text contains."""
    return [p for p in phrases if p.strip() and _phrase_pattern(p).search(text)]


def channel_network(channel: ChannelSettings | str | None) -> tuple[str, str, int | None]:
    """(label, network, configured limit) of a channel given as settings, a network name or None (generic)."""
    if channel is None:
        return "", "x", None
    if isinstance(channel, str):
        return channel, channel, None
    extra = channel.model_extra or {}
    limit = extra.get(CHANNEL_OPTION_LIMIT)
    return channel.name or channel.type, channel.type, int(limit) if isinstance(limit, int) else None


def length_problems(text: str, channel: ChannelSettings | str | None, settings: StatusPostSettings) -> list[str]:
    """Whether the text fits the channel as one post or as a numbered thread within the allowed parts."""
    label, network, override = channel_network(channel)
    if channel is None:
        rule = NetworkLimit("post", settings.max_chars, x_length, "weighted characters")
    else:
        rule = network_limit(network, override)
    if rule.limit is None:
        return []
    prefix = f"{label}: " if label else ""
    length = rule.measure(text)
    if length <= rule.limit:
        return []
    if settings.max_thread_parts <= 1:
        return [f"{prefix}too long: {length} {rule.unit} (limit {rule.limit}) and threads are off"]
    try:
        parts = split_thread(text, rule.limit, rule.measure, settings.max_thread_parts)
    except ThreadError as exc:
        return [f"{prefix}too long: {length} {rule.unit} (limit {rule.limit}); {exc}"]
    if rule.max_bytes is not None:
        heavy = [i for i, p in enumerate(parts, 1) if len(p.encode("utf-8")) > rule.max_bytes]
        if heavy:
            return [f"{prefix}part {heavy[0]} is over {rule.max_bytes} bytes"]
    return []


def lint_post(text: str, lang: str, channel: ChannelSettings | str | None, settings: StatusPostSettings,
              brand: BrandSettings, phase: str | None = None) -> list[str]:
    """Check one post for one channel (None: the generic limit); return the problems, empty when fine."""
    problems: list[str] = []
    if not text.strip():
        return ["the post is empty"]
    if PLACEHOLDER.search(text):
        problems.append("an unfilled template placeholder is left in the text")
    voice = settings.voice_for(brand.name)
    for phrase in forbidden_found(text, [*settings.forbidden, *voice.forbidden]):
        problems.append(f"forbidden phrase: {phrase!r}")
    if "status_link" in settings.required and brand.status_page and brand.status_page not in text:
        problems.append("missing the status page link")
    if "apology" in settings.required and lang in APOLOGY and not APOLOGY[lang].search(text):
        problems.append("missing an apology")
    if ("thanks_on_resolve" in settings.required and phase == "resolved" and lang in THANKS
            and not THANKS[lang].search(text)):
        problems.append("the all-clear does not thank people for their patience")
    signature = signature_for(settings, brand)
    if signature and signature not in text:
        problems.append("missing the signature")
    problems += length_problems(text, channel, settings)
    return problems


def channels_for(settings: StatusPostSettings, brand: str, lang: str | None = None) -> list[ChannelSettings]:
    """The configured channels a post of this brand (and language) goes to."""
    chosen = []
    for channel in settings.channels:
        if channel.brands and brand.lower() not in (b.lower() for b in channel.brands):
            continue
        if lang and channel.languages and lang not in channel.languages:
            continue
        chosen.append(channel)
    return chosen


def lint_all(text: str, lang: str, settings: StatusPostSettings, brand: BrandSettings,
             phase: str | None = None) -> list[str]:
    """Lint for every channel the brand posts to (or the generic limit when none is configured), de-duplicated."""
    targets: list[ChannelSettings | None] = list(channels_for(settings, brand.name, lang)) or [None]
    problems: list[str] = []
    for channel in targets:
        for problem in lint_post(text, lang, channel, settings, brand, phase):
            if problem not in problems:
                problems.append(problem)
    return problems


def thread_preview(text: str, lang: str, settings: StatusPostSettings, brand: BrandSettings) -> dict[str, list[str]]:
    """How each channel of the brand will carry the text (its thread parts), for review before approval."""
    preview: dict[str, list[str]] = {}
    for channel in channels_for(settings, brand.name, lang):
        label, network, override = channel_network(channel)
        rule = network_limit(network, override)
        try:
            preview[label] = split_thread(text, rule.limit, rule.measure, settings.max_thread_parts) \
                if network != "statuspage" else [text.strip()]
        except ThreadError as exc:
            preview[label] = [f"(cannot be split: {exc})"]
    return preview
