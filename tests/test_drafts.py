"""Status-post drafts and the rules of engagement: every state in both languages, voices, lengths, threads."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from alerts.drafts import PHASES, Drafter, lint, weighted_length
from alerts.rules_of_engagement import lint_post
from alerts.textlength import bluesky_length, fallback_graphemes, graphemes, mastodon_length, x_length
from alerts.threads import ThreadError, split_thread
from monitor.settings import BrandSettings, ChannelSettings, StatusPostSettings, parse_settings

BRAND = BrandSettings(name="Acme", status_page="https://status.acme.example", languages=["en", "it"])
SINCE = datetime(2026, 3, 2, 14, 5, tzinfo=UTC)
NOW = datetime(2026, 3, 2, 14, 9, tzinfo=UTC)
CHANNELS = [ChannelSettings(type="x"), ChannelSettings(type="mastodon"), ChannelSettings(type="bluesky")]
EMOJI = ["👍🏽", "🇮🇹", "👨‍👩‍👧‍👦", "e\u0301", "🏳️‍🌈", "\r\n"]


def test_investigating_english_has_every_element() -> None:
    draft = Drafter(StatusPostSettings(signature="^Anna")).draft(BRAND, "investigating", "en", "login", SINCE, NOW)
    assert draft.lang == "en" and draft.problems == []
    for part in ("logging in", "14:05", "sorry", "14:39", "https://status.acme.example", "^Anna"):
        assert part in draft.text


@pytest.mark.parametrize("lang", ["en", "it"])
@pytest.mark.parametrize("phase", [*PHASES, "update"])
@pytest.mark.parametrize("topic", ["payments", None])
def test_every_state_and_language_passes_the_linter_on_every_network(phase: str, lang: str,
                                                                     topic: str | None) -> None:
    settings = StatusPostSettings(signature="^Anna, Acme Care", forbidden=["unfortunately", "as per"],
                                  channels=CHANNELS, max_thread_parts=1)
    draft = Drafter(settings).draft(BRAND, phase, lang, topic, SINCE, NOW, resolved=NOW)
    assert draft.lang == lang and draft.phase == phase and draft.problems == []
    assert "https://status.acme.example" in draft.text and draft.text.endswith("^Anna, Acme Care")
    if phase == "resolved":
        assert ("Thank you for your patience" if lang == "en" else "Grazie per la pazienza") in draft.text
    else:
        assert "14:39" in draft.text  # when the next update comes
    assert x_length(draft.text) <= 280


def test_follow_up_says_why() -> None:
    drafter = Drafter(StatusPostSettings())
    worse = drafter.draft(BRAND, "update", "en", "login", SINCE, NOW, severity=7, previous_severity=4)
    better = drafter.draft(BRAND, "update", "it", "login", SINCE, NOW, severity=3, previous_severity=6)
    due = drafter.draft(BRAND, "update", "en", None, SINCE, NOW, next_update_minutes=60)
    assert "affecting more of you" in worse.text and "si stanno attenuando" in better.text
    assert "still working" in due.text and "15:09" in due.text


def test_italian_and_resolved() -> None:
    drafter = Drafter(StatusPostSettings())
    draft = drafter.draft(BRAND, "investigating", "it", "payments", SINCE, NOW)
    assert draft.lang == "it" and "i pagamenti" in draft.text and "scus" in draft.text.lower()
    done = drafter.draft(BRAND, "resolved", "it", "payments", SINCE, NOW, resolved=NOW)
    assert "Grazie per la pazienza" in done.text and done.problems == []


def test_unknown_language_falls_back_to_english() -> None:
    draft = Drafter(StatusPostSettings()).draft(BRAND, "investigating", "de", None, SINCE, NOW)
    assert draft.lang == "en" and "trouble using Acme" in draft.text


def test_brand_voice_signature_and_variables(tmp_path: Path) -> None:
    (tmp_path / "acme").mkdir()
    (tmp_path / "acme" / "investigating.en.j2").write_text(
        "Hi from {{ team }}: sorry, {{ brand }} trouble. {{ status_page }} {{ signature }}")
    settings = parse_settings({"status_posts": {"signature": "^Team", "template_dir": "tpl", "voice": {
        "Acme": {"signature": "^Anna, Acme Care", "variables": {"team": "Acme Care"}, "forbidden": ["ASAP"]}}}},
        base_dir=tmp_path.parent)
    settings.status_posts.template_dir = tmp_path.name
    drafter = Drafter.from_settings(settings)
    draft = drafter.draft(BRAND, "investigating", "en", None, SINCE, NOW)
    assert draft.text == "Hi from Acme Care: sorry, Acme trouble. https://status.acme.example ^Anna, Acme Care"
    assert draft.problems == []
    assert "forbidden phrase: 'ASAP'" in lint(draft.text + " asap", "en", settings.status_posts, BRAND)
    other = drafter.draft(BrandSettings(name="Other"), "investigating", "en", None, SINCE, NOW)
    assert other.text.endswith("^Team") and "missing the signature" not in other.problems


def test_broken_editor_template_falls_back_and_says_so(tmp_path: Path) -> None:
    (tmp_path / "investigating.en.j2").write_text("Sorry {{ no_such_variable }}")
    (tmp_path / "resolved.en.j2").write_text("Thanks {% if %}")
    drafter = Drafter(StatusPostSettings(), tmp_path)
    draft = drafter.draft(BRAND, "investigating", "en", None, SINCE, NOW)
    assert "trouble using Acme" in draft.text and "no_such_variable" in draft.problems[0]
    assert "working normally again" in drafter.draft(BRAND, "resolved", "en", None, SINCE, NOW).text


def test_editor_template_overrides_builtin(tmp_path: Path) -> None:
    (tmp_path / "acme").mkdir()
    (tmp_path / "acme" / "investigating.en.j2").write_text("Sorry, {{ brand }} trouble. {{ status_page }}")
    draft = Drafter(StatusPostSettings(), tmp_path).draft(BRAND, "investigating", "en", None, SINCE, NOW)
    assert draft.text == "Sorry, Acme trouble. https://status.acme.example"


def test_lint_finds_problems() -> None:
    settings = StatusPostSettings(max_chars=60, forbidden=["unfortunately", "as per"], signature="^Anna",
                                  max_thread_parts=1)
    problems = lint("Unfortunately things broke", "en", settings, BRAND)
    assert any("forbidden phrase" in p for p in problems)
    assert "missing the status page link" in problems
    assert "missing an apology" in problems and "missing the signature" in problems
    assert any(p.startswith("too long") for p in lint("sorry " * 20 + BRAND.status_page + " ^Anna", "en",
                                                     settings, BRAND))
    assert not any("forbidden" in p for p in lint("as perhaps expected", "en", settings, BRAND))
    assert any("forbidden" in p for p in lint("AS  PER the plan", "en", settings, BRAND))


def test_lint_italian_and_the_all_clear() -> None:
    settings = StatusPostSettings()
    link = BRAND.status_page or ""
    assert "missing an apology" in lint(f"L'app non funziona. {link}", "it", settings, BRAND)
    assert lint(f"Ci scusiamo: l'app non funziona. {link}", "it", settings, BRAND) == []
    assert "the all-clear does not thank people for their patience" in lint(
        f"Sorry, fixed. {link}", "en", settings, BRAND, phase="resolved")
    assert lint(f"Scusate, risolto. Grazie! {link}", "it", settings, BRAND, phase="resolved") == []
    assert lint("{{ brand }} sorry " + link, "en", settings, BRAND) == [
        "an unfilled template placeholder is left in the text"]


def test_url_weighting() -> None:
    assert weighted_length("see https://status.acme.example/incidents/very/long/path/12345") == 4 + 23
    assert x_length("see status.acme.com.") == 4 + 23 + 1  # bare domains count as links, the full stop does not
    assert x_length("日本") == 4 and x_length("👍🏽") == 2 and x_length("é") == 1
    assert mastodon_length("see https://example.com/" + "a" * 100 + " @anna@mastodon.social") == 4 + 23 + 6
    assert bluesky_length("see https://example.com/" + "a" * 100) == 4 + 20 + 100


@pytest.mark.parametrize("cluster", EMOJI)
def test_graphemes_with_and_without_the_regex_package(cluster: str) -> None:
    text = f"a{cluster}b{cluster}"
    assert graphemes(text) == ["a", cluster, "b", cluster]
    assert fallback_graphemes(text) == ["a", cluster, "b", cluster]


def test_per_network_limits() -> None:
    settings = StatusPostSettings(max_thread_parts=1)
    link = BRAND.status_page or ""
    base = f"Sorry. {link} "
    x_ok = base + "a" * (280 - x_length(base))
    assert lint_post(x_ok, "en", "x", settings, BRAND) == []
    assert lint_post(x_ok + "a", "en", "x", settings, BRAND)[0].startswith("x: too long: 281 weighted")
    long_url = base + "https://example.com/" + "p" * 300  # 23 on X and Mastodon, full length on Bluesky
    assert lint_post(long_url, "en", "x", settings, BRAND) == []
    assert lint_post(long_url, "en", "mastodon", settings, BRAND) == []
    assert lint_post(long_url, "en", "bluesky", settings, BRAND)[0].startswith("bluesky: too long")
    emoji = base + "👍🏽" * (300 - bluesky_length(base))
    assert lint_post(emoji, "en", "bluesky", settings, BRAND) == []  # 300 graphemes, far more code points
    assert lint_post(emoji + "🇮🇹", "en", "bluesky", settings, BRAND)[0].startswith("bluesky: too long: 301")
    assert lint_post("x" * 2000 + " sorry " + link, "en", "statuspage", settings, BRAND) == []
    custom = ChannelSettings(type="mastodon", name="fosstodon", max_chars=100)
    assert lint_post("sorry " * 20 + link, "en", custom, settings, BRAND)[0].startswith("fosstodon: too long")


def test_threads_fit_their_limit_counter_included() -> None:
    sentences = [f"Sentence number {i} says something useful about the outage." for i in range(1, 13)]
    text = " ".join(sentences) + " https://status.acme.example/a/very/long/link/that/must/stay/whole"
    parts = split_thread(text, 280, x_length)
    assert len(parts) == 3 and [p[-5:] for p in parts] == ["[1/3]", "[2/3]", "[3/3]"]
    assert all(x_length(p) <= 280 for p in parts)
    assert all(p.rsplit(" [", 1)[0].endswith((".", "whole")) for p in parts)  # split at sentence ends
    assert "https://status.acme.example/a/very/long/link/that/must/stay/whole" in parts[-1]
    assert " ".join(p.rsplit(" [", 1)[0] for p in parts) == text
    assert split_thread("short", 280, x_length) == ["short"]


def test_threads_split_words_and_graphemes_and_refuse_too_many_parts() -> None:
    words = split_thread("word " * 30, 40, len)
    assert all(len(p) <= 40 for p in words) and all(" wor " not in p for p in words)
    flags = split_thread("🇮🇹" * 30, 20, bluesky_length)
    assert all(bluesky_length(p) <= 20 for p in flags) and "".join(p.rsplit(" [", 1)[0] for p in flags) == "🇮🇹" * 30
    many = split_thread("Ok. " * 200, 20, len, max_parts=100)
    assert len(many) > 9 and many[-1].endswith(f"[{len(many)}/{len(many)}]") and all(len(p) <= 20 for p in many)
    with pytest.raises(ThreadError, match="more than the 4 allowed"):
        split_thread("Ok. " * 200, 20, len, max_parts=4)
    settings = StatusPostSettings(max_thread_parts=2)
    assert "too long" in lint_post("Sorry. " * 200 + (BRAND.status_page or ""), "en", "x", settings, BRAND)[0]


def test_thread_preview_per_channel() -> None:
    from alerts.rules_of_engagement import thread_preview

    settings = StatusPostSettings(channels=[*CHANNELS, ChannelSettings(type="statuspage", name="page")])
    text = "Sorry, we're on it. " * 20 + (BRAND.status_page or "")
    preview = thread_preview(text, "en", settings, BRAND)
    assert len(preview["x"]) == 2 and len(preview["mastodon"]) == 1 and len(preview["bluesky"]) == 2
    assert preview["page"] == [text] and preview["x"][0].endswith("[1/2]")
