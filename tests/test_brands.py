"""Brand matching: handles, keywords, exclusions, languages, the raw prefilter and search terms."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from monitor.brands import BrandMatcher, primary_language
from monitor.mention import Author, Mention
from monitor.settings import BrandSettings

ACME = BrandSettings(name="Acme", handles=["@acme", "AcmeHelp"], keywords=["acme", "acme pay"],
                     exclude=["acme anvil"], languages=["en", "it"])
VOLTA = BrandSettings(name="Volta", handles=["volta_it"], keywords=["volta energia"], languages=["it"])
MATCHER = BrandMatcher([ACME, VOLTA])


def mention(text: str, lang: str | None = None, brand: str | None = None) -> Mention:
    """A minimal mention."""
    return Mention(id="1", source="x", created_at=datetime(2026, 3, 2, tzinfo=UTC), text=text,
                   author=Author(id="1", handle="u"), lang=lang, brand=brand)


@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("@acme is the app down?", None, "Acme"),
    ("ACME PAY declined my card", "en", "Acme"),
    ("talk to @AcmeHelp", None, "Acme"),
    ("#acme down again", "en-GB", "Acme"),
    ("acmes are not acme-like", None, "Acme"),
    ("my acme anvil fell", None, None),
    ("acmecorp is not us", None, None),
    ("email me at me@acme", None, None),
    ("acme está caído", "es", None),
    ("volta energia non funziona", "it", "Volta"),
    ("volta energia is down", "en", None),
    ("volta energia", None, "Volta"),
])
def test_match(text: str, lang: str | None, expected: str | None) -> None:
    assert MATCHER.match(mention(text, lang)) == expected


def test_a_named_brand_is_taken_as_is() -> None:
    assert MATCHER.match(mention("nothing here", brand="acme")) == "Acme"
    assert MATCHER.match(mention("nothing here", brand="Other", lang="fr")) == "Other"


def test_raw_prefilter_is_a_superset_on_json_documents() -> None:
    for text in ["\nacme down", "tab\tacme", '"acme" quoted', "ACME", "x@acmehelp"]:
        raw = json.dumps({"record": {"text": text}})
        assert MATCHER.might_match(raw), text
    assert not MATCHER.might_match(json.dumps({"text": "a lovely day in the garden"}))
    assert MATCHER.raw_safe


def test_non_ascii_terms_disable_the_raw_prefilter() -> None:
    accented = BrandMatcher([BrandSettings(name="Città", keywords=["città"])])
    assert not accented.raw_safe
    assert accented.might_match(json.dumps({"text": "la citt\u00e0 è bella"}))  # escaped as \\u00e0 by default
    assert accented.match_text("la città è bella") == "Città"
    assert not BrandMatcher([]).might_match("anything") and BrandMatcher([]).match_text("acme") is None


def test_search_terms_and_hashtags() -> None:
    assert MATCHER.search_terms("Acme") == ["acme", "acmehelp"]
    assert MATCHER.search_terms("Volta") == ["volta_it", "volta"]
    assert MATCHER.search_terms("Nobody") == []
    assert MATCHER.hashtags() == ["acme", "acmehelp", "volta_it", "volta"]
    assert [primary_language(t) for t in ("en-US", "pt_BR", "IT", "", None)] == ["en", "pt", "it", None, None]
