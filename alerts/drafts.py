"""Draft public status posts from editable templates and lint them against the rules of engagement."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound

from monitor.settings import BrandSettings, StatusPostSettings

TEMPLATES = Path(__file__).parent / "templates"
PHASES = ("investigating", "identified", "monitoring", "resolved")
TOPIC_WORDS = {
    "en": {"login": "logging in", "payments": "payments", "app": "the app", "website": "the website",
           "delivery": "deliveries", "billing": "billing"},
    "it": {"login": "l'accesso", "payments": "i pagamenti", "app": "l'app", "website": "il sito",
           "delivery": "le consegne", "billing": "la fatturazione"},
}
APOLOGY = {"en": re.compile(r"\bsorry\b|\bapologi", re.I), "it": re.compile(r"\bscus", re.I)}
URL = re.compile(r"https?://\S+")
URL_WEIGHT = 23  # X counts every link as 23 characters


@dataclass(slots=True)
class Draft:
    """A drafted post and the problems the linter found in it."""

    text: str
    lang: str
    phase: str
    problems: list[str]


def weighted_length(text: str) -> int:
    """Length as X counts it: each URL weighs 23 characters."""
    return len(URL.sub("x" * URL_WEIGHT, text))


def lint(text: str, lang: str, settings: StatusPostSettings, brand: BrandSettings) -> list[str]:
    """Check a post against the rules of engagement; return the problems, empty when it is fine."""
    problems: list[str] = []
    length = weighted_length(text)
    if length > settings.max_chars:
        problems.append(f"too long: {length} characters (limit {settings.max_chars})")
    lowered = text.lower()
    for phrase in settings.forbidden:
        if phrase.lower() in lowered:
            problems.append(f"forbidden phrase: {phrase!r}")
    if brand.status_page and brand.status_page not in text:
        problems.append("missing the status page link")
    if lang in APOLOGY and not APOLOGY[lang].search(text):
        problems.append("missing an apology")
    if settings.signature and settings.signature not in text:
        problems.append("missing the signature")
    return problems


class Drafter:
    """Render the template for a brand, language and incident phase; editors change the files."""

    def __init__(self, settings: StatusPostSettings, template_dir: Path | None = None) -> None:
        self.settings = settings
        dirs = [str(template_dir)] if template_dir else []
        self.env = Environment(loader=FileSystemLoader([*dirs, str(TEMPLATES)]), undefined=StrictUndefined,
                               autoescape=False, keep_trailing_newline=False)

    def _template(self, brand: str, phase: str, lang: str):  # type: ignore[no-untyped-def]
        for name in (f"{brand.lower()}/{phase}.{lang}.j2", f"{phase}.{lang}.j2", f"{phase}.en.j2"):
            try:
                return self.env.get_template(name), name.split(".")[-2]
            except TemplateNotFound:
                continue
        raise LookupError(f"no status-post template for phase {phase!r}")

    def draft(self, brand: BrandSettings, phase: str, lang: str, topic: str | None, since: datetime,
              now: datetime, resolved: datetime | None = None, next_update_minutes: int = 30) -> Draft:
        """Write the post for one incident phase, linted."""
        template, used_lang = self._template(brand.name, phase, lang)
        text = template.render(
            brand=brand.name, status_page=brand.status_page, signature=self.settings.signature,
            topic_en=TOPIC_WORDS["en"].get(topic or "", ""), topic_it=TOPIC_WORDS["it"].get(topic or "", ""),
            since=since.strftime("%H:%M"), next_update=(now + timedelta(minutes=next_update_minutes)).strftime(
                "%H:%M"), resolved=(resolved or now).strftime("%H:%M"),
        ).strip()
        text = re.sub(r"\s+", " ", text)
        return Draft(text, used_lang, phase, lint(text, used_lang, self.settings, brand))
