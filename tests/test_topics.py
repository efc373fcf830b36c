"""Keyword routing: defaults, accents, phrases, word boundaries, custom routes and ties."""

from __future__ import annotations

import pytest

from classifiers.topics import TopicRouter, keyword_pattern
from monitor.settings import DEFAULT_TOPICS


@pytest.fixture(scope="module")
def router() -> TopicRouter:
    """The default routes from the settings."""
    return TopicRouter()


@pytest.mark.parametrize(("text", "topic"), [
    ("@acme I can't log in since the update", "login"),
    ("forgot my PASSWORD again", "login"),
    ("Sign-in keeps failing", "login"),
    ("non riesco a fare l'accesso", "login"),
    ("my card declined at checkout", "payments"),
    ("il pagamento non va", "payments"),
    ("i pagamenti sono bloccati", "payments"),
    ("the app crashes on my iPhone", "app"),
    ("la nuova applicazione è lenta", "app"),
    ("website shows a 404", "website"),
    ("il sito è lentissimo", "website"),
    ("my parcel never arrived", "delivery"),
    ("la consegna è in ritardo, il pacco è fermo", "delivery"),
    ("Spedizione gratuita?", "delivery"),
    ("charged twice on my last invoice", "billing"),
    ("la fattura è sbagliata", "billing"),
    ("ancora nessun rimborso", "billing"),
    ("what a lovely day", None),
    ("", None),
])
def test_default_routes(router: TopicRouter, text: str, topic: str | None) -> None:
    assert router.route(text) == topic


def test_default_routes_come_from_settings(router: TopicRouter) -> None:
    assert router.names == list(DEFAULT_TOPICS)


def test_word_boundaries(router: TopicRouter) -> None:
    assert router.route("I love apples") is None            # "app" is not inside "apples"
    assert router.route("my paypal is fine") is None        # "pay " asks for the whole word
    assert router.route("I can't pay anything") == "payments"
    assert router.route("pay") == "payments"
    assert router.route("my 2FA code never arrives") == "login"
    assert router.route("error 5000 on screen") is None     # "500" is a whole number
    assert router.route("#login broken") == "login"


def test_handles_and_links_are_not_keywords(router: TopicRouter) -> None:
    assert router.route("@acmeapp @parcelbot hello") is None
    assert router.route("see https://acme.example/login/password") is None


def test_accents_both_ways() -> None:
    router = TopicRouter({"city": ["città", "perché"], "cafe": ["cafe"]})
    assert router.route("la CITTA è bella") == "city"
    assert router.route("la città è bella") == "city"
    assert router.route("un café crème") == "cafe"
    assert router.route("perche no") == "city"


def test_multi_word_phrases() -> None:
    router = TopicRouter({"cards": ["card declined"], "delivery": ["delivery window"]})
    assert router.route("Card   declined again") == "cards"
    assert router.route("card-declined at the till") == "cards"
    assert router.route("the card was declined") is None
    assert router.route("missed my delivery windows twice") == "delivery"


def test_most_hits_win_and_ties_go_to_route_order() -> None:
    router = TopicRouter({"a": ["alpha", "apple"], "b": ["beta"]})
    assert router.route("beta beta alpha") == "b"
    assert router.route("beta alpha") == "a"
    assert router.route("apple alpha beta") == "a"
    router = TopicRouter({"b": ["beta"], "a": ["alpha"]})
    assert router.route("beta alpha") == "b"


def test_custom_routes_and_odd_configs() -> None:
    assert TopicRouter({}).route("anything") is None
    assert TopicRouter({"empty": [], "blank": ["  "]}).route("anything") is None
    assert TopicRouter({"x": ["a+b (c)"]}).route("try a+b (c) now") == "x"
    router = TopicRouter({"shipping": ["courier", "tracking"], "refunds": ["refund"]})
    assert router.route("the courier lost the tracking code") == "shipping"
    assert router.route("refunds please") == "refunds"
    assert router.route("\ud800\x00") is None


def test_keyword_pattern() -> None:
    assert keyword_pattern("   ") is None
    assert keyword_pattern("log in") is not None
