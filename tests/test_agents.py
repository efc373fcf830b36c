"""Each agent's workload from the brand's signed replies: replies, first answers, same-words share, who waits again."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from classifiers.base import Classification
from monitor.agents import agent_of, agent_workload, skeleton
from monitor.care import care_queue
from monitor.mention import Author, Mention
from monitor.settings import AGENT_SIGNATURE, BrandSettings, parse_settings
from monitor.store import Store

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
ACME = BrandSettings(name="Acme", handles=["@AcmeHelp"], keywords=["acme"])
SIGNED = re.compile(AGENT_SIGNATURE)
CANNED = "sorry to hear that! Please DM us your account email so we can check. ^Anna"


def store_one(store: Store, ident: str, handle: str, minutes_ago: float, text: str, label: str = "complaint",
              reply_to: str | None = None, tagged: bool = False) -> None:
    """Store one mention of Acme on X, `minutes_ago` before NOW."""
    verdict = Classification(label, "negative" if label == "complaint" else "neutral", "en")
    mention = Mention(ident, "x", NOW - timedelta(minutes=minutes_ago), text, Author(f"id-{handle}", handle),
                      url=f"https://x.com/{handle}/status/{ident}", in_reply_to=reply_to, brand="Acme",
                      extra={"brand_reply": True} if tagged else {})
    store.save_batch([(mention, "Acme", verdict)])


def test_names_and_words_of_a_reply() -> None:
    assert agent_of("@bob we are on it ^Anna", "acme_agent", SIGNED) == "Anna"
    assert agent_of("@bob ci pensiamo noi \u2014 Giulia ", "acme_agent", SIGNED) == "Giulia"
    assert agent_of("@bob we re-Checked", "@AcmeHelp", SIGNED) == "AcmeHelp"  # no signature: the account
    assert skeleton("@bob Sorry, order 1234: see https://acme.example/help ^Anna", SIGNED) == "sorry order see"


def test_each_agents_replies_first_answers_same_words_and_people_waiting_again(url: str) -> None:
    store = Store(url)
    for ident, who, ago, label in (("a1", "alice", 180, "complaint"), ("b1", "bob", 120, "question"),
                                   ("c1", "carol", 90, "complaint"), ("d1", "dan", 80, "complaint"),
                                   ("e1", "erin", 50, "complaint")):
        store_one(store, ident, who, ago, f"acme is broken for me ({ident})", label)
    store_one(store, "r1", "acme_agent", 170, f"@alice {CANNED}", "other", "a1", tagged=True)  # 10 min
    store_one(store, "r2", "acme_agent", 100, f"@bob {CANNED}", "other", "b1", tagged=True)  # 20 min
    store_one(store, "r3", "acme_agent", 60, f"@carol {CANNED}", "other", "c1", tagged=True)  # 30 min
    store_one(store, "r4", "acme_agent", 70, "@dan Hi Dan, calm down: the login fix is rolling out now - Marco",
              "other", "d1", tagged=True)
    store_one(store, "r6", "acme_agent", 160, "@alice Hi Alice, following up: is it working now? - Marco", "other",
              "a1", tagged=True)  # a second answer to alice: a reply, not a first answer
    store_one(store, "r7", "acme_agent", 150, "@alice can you send us your order number? ^Sara", "other", "a1",
              tagged=True)  # alice had been asked for her email already
    store_one(store, "r5", "AcmeHelp", 45, "@erin looking into it", "other", "e1")  # the configured handle, unsigned
    store_one(store, "d2", "dan", 30, "acme still broken", "complaint")  # dan writes again after Marco's answer
    loads = {a.agent: a.to_json() for a in agent_workload(store, NOW, [ACME], forbidden={"acme": ["Calm down"]})}
    assert list(loads) == ["Anna", "Marco", "AcmeHelp", "Sara"]  # busiest first
    assert loads["Anna"] == {"brand": "Acme", "agent": "Anna", "replies": 3, "people": 3, "first_answers": 3,
                             "median_minutes": 20.0, "same_words": 1.0, "waiting_again": 0, "asked_again": 0,
                             "forbidden": 0, "phrases": []}
    assert loads["Marco"] == {"brand": "Acme", "agent": "Marco", "replies": 2, "people": 2, "first_answers": 1,
                              "median_minutes": 10.0, "same_words": 0.0, "waiting_again": 1, "asked_again": 0,
                              "forbidden": 1, "phrases": ["Calm down"]}
    assert (loads["Sara"]["replies"], loads["Sara"]["first_answers"], loads["Sara"]["asked_again"]) == (1, 0, 1)
    assert (loads["AcmeHelp"]["replies"], loads["AcmeHelp"]["median_minutes"]) == (1, 5.0)
    # Two hours back: only the replies since, and the questions alone are care work when so configured.
    recent = {a.agent: a for a in agent_workload(store, NOW, [ACME], hours=2, labels=("question",))}
    assert recent["Anna"].replies == 2 and recent["Anna"].first_answers == 1 and recent["Anna"].same_words == 0.0
    # From 165 minutes back: alice was first answered (by Anna) before the window, so Marco's follow-up to her is
    # not a first answer, in his figures nor in the brand's response times.
    later = {a.agent: a for a in agent_workload(store, NOW, [ACME], hours=2.75)}
    assert (later["Marco"].first_answers, later["Marco"].median_minutes) == (1, 10.0)
    times = care_queue(store, NOW, [ACME], hours=2.75).brands[0]
    assert (times.answered, times.median_minutes) == (4, 15.0)  # bob 20, carol 30, dan 10, erin 5
    store.close()


def test_the_forbidden_phrases_are_the_rules_of_engagement_of_each_brand() -> None:
    from monitor.agents import agent_options

    settings = parse_settings({"brands": [{"name": "Acme"}, {"name": "Volta"}], "status_posts": {
        "forbidden": ["calm down"], "voice": {"volta": {"forbidden": ["stai calmo"]}}}})
    assert agent_options(settings)["forbidden"] == {"Acme": ["calm down"], "Volta": ["calm down", "stai calmo"]}


@pytest.mark.parametrize("signature", ["\\^\\w+", "(unclosed"])
def test_a_signature_without_a_name_group_is_refused(signature: str) -> None:
    from monitor.settings import ConfigError

    with pytest.raises(ConfigError, match=r"care\.signature"):
        parse_settings({"care": {"signature": signature}})
