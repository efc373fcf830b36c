"""Writing mention texts: slot filling from the grammars, then human noise (typos, casing, emoji, hashtags)."""

from __future__ import annotations

import random
import re

from monitor.simulate import grammar_en, grammar_it
from monitor.simulate.brands import BrandSpec

GRAMMARS: dict[str, tuple[dict[str, list[str]], dict[str, dict[str, list[str]]]]] = {
    "en": (grammar_en.SLOTS, grammar_en.TEMPLATES),
    "it": (grammar_it.SLOTS, grammar_it.TEMPLATES),
}
SLOT = re.compile(r"\{(\w+)\}")
WORD = re.compile(r"(?<![@#/\w.])[A-Za-zàèéìòù]{4,}(?![\w.]*/)")
NEGATIVE = ("complaint", "outage")
EXTRA_TAGS = {"en": {"complaint": ["#customerservice", "#disappointed", "#badservice"], "outage": ["#outage"]},
              "it": {"complaint": ["#assistenzaclienti", "#delusione"], "outage": ["#disservizio"]}}
EMOJI = {"complaint": ["😡", "🙄", "😤", "😩"], "outage": ["😩", "🤦", "😭", "⚠️"], "praise": ["❤️", "🙌", "😍", "✨"],
         "question": ["🤔", "🙏"], "other": ["😅", "👀"]}
NEIGHBOURS = {"a": "sq", "e": "wr", "i": "uo", "o": "ip", "n": "bm", "t": "ry", "s": "ad", "r": "et", "l": "k",
              "d": "sf", "g": "fh", "u": "yi", "c": "xv", "m": "n", "p": "o"}


class TextWriter:
    """Renders a template kind for a brand, language, topic and network into a plausible post."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def render(self, brand: BrandSpec, lang: str, kind: str, topic: str | None, source: str,
               topic_bias: float = 0.7) -> tuple[str, str | None]:
        """Return a text and the topic it is about (None when the template is generic)."""
        rng = self.rng
        slots, templates = GRAMMARS[lang]
        by_topic = templates[kind]
        used: str | None = None
        if topic and topic in by_topic and (topic_bias >= 1 or rng.random() < topic_bias):
            choices, used = by_topic[topic], topic
        else:
            choices = by_topic["any"]
        own = brand.slots.get(lang, {})
        template = rng.choice(choices)
        if source == "reddit" and template.startswith("{B} "):
            template = rng.choice(["{Bn}: ", "{Bn}: ", "{Bn} - "]) + template[4:]

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name == "B":
                return self._address(brand, source)
            if name == "Bn":
                return rng.choice(brand.names)
            if name == "promo":
                return brand.promo
            options = own.get(name) or slots.get(name)
            if options is None:
                raise KeyError(f"no slot {name!r} for {brand.name}/{lang}")
            return SLOT.sub(fill, rng.choice(options))

        return tidy(SLOT.sub(fill, template)), used

    def _address(self, brand: BrandSpec, source: str) -> str:
        rng = self.rng
        if source == "reddit" or rng.random() < 0.15:
            return rng.choice(brand.names)
        handle = rng.choice(brand.handles)
        if source == "mastodon" and rng.random() < 0.5:
            return f"{handle}@mastodon.social"
        if source == "bluesky" and rng.random() < 0.5:
            return f"{handle.lower()}.bsky.social"
        return handle

    def vary(self, text: str, intent: str, lang: str, brand: BrandSpec) -> str:
        """Add the noise of real posts: typos, casing, emoji, hashtags, punctuation."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.10:
            text = typo(text, rng)
        elif roll < 0.13:
            text = typo(typo(text, rng), rng)
        roll = rng.random()
        if roll < 0.15:
            text = text.lower()
        elif roll < 0.19 and intent in NEGATIVE:
            text = text.upper()
        elif roll < 0.45 and text[:1].islower():
            text = text[:1].upper() + text[1:]
        roll = rng.random()
        if roll < 0.12 and intent in EMOJI:
            text = f"{text} {rng.choice(EMOJI[intent])}"
        elif roll < 0.20 and intent in NEGATIVE:
            text = text.rstrip(".") + rng.choice(["!!", "!!!", " ffs", "?!"] if lang == "en" else ["!!", "!!!", "?!"])
        elif roll < 0.30:
            text = text.rstrip(".")
        if rng.random() < 0.06:
            text = f"{text} #{brand.name.lower()}"
        tags = EXTRA_TAGS[lang].get(intent)
        if tags and rng.random() < 0.05:
            text = f"{text} {rng.choice(tags)}"
        return tidy(text)

    def nudge(self, text: str) -> str:
        """A near-duplicate: the same text with one small edit."""
        rng = self.rng
        for _ in range(5):
            edit = rng.randrange(6)
            if edit == 0:
                out = text.rstrip("!?. ") + rng.choice(["!", "!!", "?", "...", ""])
            elif edit == 1:
                out = f"{text} {rng.choice(['😩', '🙄', '👀', '🙏', '😂', '+1'])}"
            elif edit == 2:
                out = text[:1].swapcase() + text[1:]
            elif edit == 3:
                out = text.replace("@acme ", "@acmehelp ", 1) if "@acme " in text else f"{text}."
            elif edit == 4:
                out = typo(text, rng)
            else:
                out = rng.choice(["", "ugh ", "wow ", "lol ", "ok "]) + text
            out = tidy(out)
            if out and out != text:
                return out
        return text + " !"


def typo(text: str, rng: random.Random) -> str:
    """One keyboard slip in a random word (never in handles, hashtags or links)."""
    words = list(WORD.finditer(text))
    if not words:
        return text
    match = rng.choice(words)
    word = match.group(0)
    i = rng.randrange(1, len(word) - 1)
    op = rng.randrange(4)
    if op == 0:
        new = word[:i] + word[i + 1] + word[i] + word[i + 2:]
    elif op == 1:
        new = word[:i] + word[i + 1:]
    elif op == 2:
        new = word[:i] + word[i] + word[i:]
    else:
        near = NEIGHBOURS.get(word[i].lower())
        new = word[:i] + rng.choice(near) + word[i + 1:] if near else word[:i] + word[i + 1:]
    return text[:match.start()] + new + text[match.end():]


def tidy(text: str) -> str:
    """Collapse the whitespace and punctuation left by empty slots."""
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r" ([.,])", r"\1", text)
    text = re.sub(r"([?!])[.,](?!\.)", r"\1", text)
    text = re.sub(r"\.{4,}", "...", text)
    text = re.sub(r"^[.,] ?", "", text)
    return text
