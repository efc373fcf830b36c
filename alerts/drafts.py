"""Draft public status posts from editable templates and lint them against the rules of engagement."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, TemplateError, TemplateNotFound

from alerts.rules_of_engagement import APOLOGY, lint_all, lint_post, signature_for
from alerts.textlength import URL_WEIGHT, x_length
from monitor.settings import BrandSettings, Settings, StatusPostSettings

log = logging.getLogger(__name__)
TEMPLATES = Path(__file__).parent / "templates"
PHASES = ("investigating", "identified", "monitoring", "resolved")
FOLLOW_UP = "update"
UPDATE_REASONS = ("worse", "better", "scheduled")
TOPIC_WORDS = {
    "en": {"login": "logging in", "payments": "payments", "app": "the app", "website": "the website",
           "delivery": "deliveries", "billing": "billing"},
    "it": {"login": "l'accesso", "payments": "i pagamenti", "app": "l'app", "website": "il sito",
           "delivery": "le consegne", "billing": "la fatturazione"},
}
SOME_OF_YOU = {"en": "some of you", "it": "alcuni di voi"}
URL = re.compile(r"https?://\S+")
__all__ = ["APOLOGY", "FOLLOW_UP", "PHASES", "URL_WEIGHT", "Draft", "Drafter", "lint", "lint_post",
           "weighted_length"]


@dataclass(slots=True)
class Draft:
    """A drafted post and the problems the linter found in it."""

    text: str
    lang: str
    phase: str
    problems: list[str]


def weighted_length(text: str) -> int:
    """Length as X counts it: each URL weighs 23 characters, an emoji 2."""
    return x_length(text)


def lint(text: str, lang: str, settings: StatusPostSettings, brand: BrandSettings,
         phase: str | None = None) -> list[str]:
    """Check a post against the rules of engagement for every channel of its brand; empty when it is fine."""
    return lint_all(text, lang, settings, brand, phase)


class Drafter:
    """Render the template for a brand, language and incident phase; editors change the files."""

    def __init__(self, settings: StatusPostSettings, template_dir: Path | None = None) -> None:
        self.settings = settings
        if template_dir is None and settings.template_dir:
            template_dir = Path(settings.template_dir)
        self.template_dir = template_dir
        dirs = [str(template_dir)] if template_dir else []
        self.env = Environment(loader=FileSystemLoader([*dirs, str(TEMPLATES)]), undefined=StrictUndefined,
                               autoescape=False, keep_trailing_newline=False)
        self.builtin = Environment(loader=FileSystemLoader(str(TEMPLATES)), undefined=StrictUndefined,
                                   autoescape=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Drafter:
        """A drafter whose template folder is taken relative to the config file's folder."""
        folder = settings.status_posts.template_dir
        return cls(settings.status_posts, settings.resolve(folder) if folder else None)

    @staticmethod
    def _names(brand: str, phase: str, lang: str) -> list[str]:
        folder = brand.lower()
        return [f"{folder}/{phase}.{lang}.j2", f"{phase}.{lang}.j2", f"{folder}/{phase}.en.j2", f"{phase}.en.j2"]

    def _template(self, brand: str, phase: str, lang: str, env: Environment | None = None) -> tuple[Template, str]:
        for name in self._names(brand, phase, lang):
            try:
                return (env or self.env).get_template(name), name
            except TemplateNotFound:
                continue
        raise LookupError(f"no status-post template for phase {phase!r}")

    def variables(self, brand: BrandSettings, phase: str, lang: str, topic: str | None, since: datetime,
                  now: datetime, resolved: datetime | None, next_update: datetime, **extra: Any) -> dict[str, Any]:
        """What a template can use: the incident's facts, the brand's voice and its own variables."""
        voice = self.settings.voice_for(brand.name)
        affected = extra.pop("affected", None)
        base: dict[str, Any] = {
            "brand": brand.name, "status_page": brand.status_page or "", "signature": signature_for(
                self.settings, brand), "phase": phase, "lang": lang, "topic_key": topic or "",
            "topic_en": TOPIC_WORDS["en"].get(topic or "", ""), "topic_it": TOPIC_WORDS["it"].get(topic or "", ""),
            "topic": TOPIC_WORDS.get(lang, TOPIC_WORDS["en"]).get(topic or "", ""),
            "who": affected or SOME_OF_YOU.get(lang, SOME_OF_YOU["en"]), "affected": affected or "",
            "since": since.strftime("%H:%M"), "next_update": next_update.strftime("%H:%M"),
            "resolved": (resolved or now).strftime("%H:%M"), "now": now.strftime("%H:%M"),
            "voice": dict(voice.variables),
        }
        base.update(extra)
        return {**voice.variables, **base}

    def _render(self, template: Template, name: str, values: dict[str, Any], brand: str, phase: str,
                lang: str) -> tuple[str, list[str]]:
        """Render; an editor's broken template falls back to the built-in one, reported as a problem."""
        try:
            return template.render(**values), []
        except TemplateError as exc:
            log.warning("status-post template %s failed: %s", name, exc)
            problem = f"template {name} failed ({exc}); the built-in one was used"
            builtin, _name = self._template(brand, phase, lang, self.builtin)
            return builtin.render(**values), [problem]

    def draft(self, brand: BrandSettings, phase: str, lang: str, topic: str | None, since: datetime,
              now: datetime, resolved: datetime | None = None, next_update_minutes: int | None = None, *,
              severity: int | None = None, previous_severity: int | None = None, reason: str | None = None,
              affected: str | None = None, next_update_at: datetime | None = None) -> Draft:
        """Write the post for one incident phase (or a follow-up `update`), linted for every channel."""
        minutes = next_update_minutes if next_update_minutes is not None else self.settings.next_update_minutes
        next_update = next_update_at or now + timedelta(minutes=minutes)
        if phase == FOLLOW_UP and reason is None:
            reason = ("worse" if (severity or 0) > (previous_severity or 0) else "better") \
                if severity is not None and previous_severity is not None and severity != previous_severity \
                else "scheduled"
        try:
            template, name = self._template(brand.name, phase, lang)
        except TemplateError as exc:  # a syntax error in an editor's file
            log.warning("status-post template for %s/%s/%s unusable: %s", brand.name, phase, lang, exc)
            template, name = self._template(brand.name, phase, lang, self.builtin)
        used_lang = name.rsplit(".", 2)[-2]
        values = self.variables(brand, phase, used_lang, topic, since, now, resolved, next_update,
                                severity=severity, previous_severity=previous_severity, reason=reason or "",
                                affected=affected)
        text, problems = self._render(template, name, values, brand.name, phase, used_lang)
        text = re.sub(r"\s+", " ", text).strip()
        problems += lint(text, used_lang, self.settings, brand, phase=phase)
        return Draft(text, used_lang, phase, problems)
