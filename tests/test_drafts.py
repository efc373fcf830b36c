"""Status-post drafts: the right language, the required elements, and a linter that catches problems."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alerts.drafts import Drafter, lint, weighted_length
from monitor.settings import BrandSettings, StatusPostSettings

BRAND = BrandSettings(name="Acme", status_page="https://status.acme.example", languages=["en", "it"])
SINCE = datetime(2026, 3, 2, 14, 5, tzinfo=UTC)
NOW = datetime(2026, 3, 2, 14, 9, tzinfo=UTC)


def test_investigating_english_has_every_element() -> None:
    draft = Drafter(StatusPostSettings(signature="^Anna")).draft(BRAND, "investigating", "en", "login", SINCE, NOW)
    assert draft.lang == "en" and draft.problems == []
    for part in ("logging in", "14:05", "sorry", "14:39", "https://status.acme.example", "^Anna"):
        assert part in draft.text


def test_italian_and_resolved() -> None:
    drafter = Drafter(StatusPostSettings())
    draft = drafter.draft(BRAND, "investigating", "it", "payments", SINCE, NOW)
    assert draft.lang == "it" and "i pagamenti" in draft.text and "scus" in draft.text.lower()
    done = drafter.draft(BRAND, "resolved", "it", "payments", SINCE, NOW, resolved=NOW)
    assert "Grazie per la pazienza" in done.text and done.problems == []


def test_unknown_language_falls_back_to_english() -> None:
    draft = Drafter(StatusPostSettings()).draft(BRAND, "investigating", "de", None, SINCE, NOW)
    assert draft.lang == "en" and "trouble using Acme" in draft.text


def test_lint_finds_problems() -> None:
    settings = StatusPostSettings(max_chars=60, forbidden=["unfortunately"], signature="^Anna")
    problems = lint("Unfortunately things broke", "en", settings, BRAND)
    assert any("forbidden phrase" in p for p in problems)
    assert "missing the status page link" in problems
    assert "missing an apology" in problems and "missing the signature" in problems
    assert any(p.startswith("too long") for p in lint("sorry " * 20 + BRAND.status_page + " ^Anna", "en",
                                                     settings, BRAND))


def test_url_weighting() -> None:
    assert weighted_length("see https://status.acme.example/incidents/very/long/path/12345") == 4 + 23


def test_editor_template_overrides_builtin(tmp_path: Path) -> None:
    (tmp_path / "acme").mkdir()
    (tmp_path / "acme" / "investigating.en.j2").write_text("Sorry, {{ brand }} trouble. {{ status_page }}")
    draft = Drafter(StatusPostSettings(), tmp_path).draft(BRAND, "investigating", "en", None, SINCE, NOW)
    assert draft.text == "Sorry, Acme trouble. https://status.acme.example"
