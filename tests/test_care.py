"""The care queue: who waits for an answer (oldest first), who was answered, and the brand's response times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from classifiers.base import Classification
from monitor.care import care_queue
from monitor.mention import Author, Mention
from monitor.settings import BrandSettings
from monitor.store import Store

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
ACME = BrandSettings(name="Acme", handles=["@AcmeHelp", "@AcmeHelp@social.example"], keywords=["acme"])
VERDICTS = {label: Classification(label, "negative" if label == "complaint" else "neutral", "en",
                                  "login" if label == "complaint" else None)
            for label in ("complaint", "question", "praise", "other", "outage")}


def post(store: Store, ident: str, handle: str, minutes_ago: float, label: str = "complaint", source: str = "x",
         reply_to: str | None = None, **extra: Any) -> None:
    """Store one mention of Acme, `minutes_ago` before NOW."""
    repost = extra.pop("is_repost", False)
    mention = Mention(ident, source, NOW - timedelta(minutes=minutes_ago), f"{handle}: acme post {ident}",
                      Author(f"id-{handle}", handle), url=f"https://example.test/{ident}", in_reply_to=reply_to,
                      is_repost=repost, brand="Acme", extra=extra)
    store.save_batch([(mention, "Acme", VERDICTS[label])])


def test_waiting_people_oldest_first_and_an_answer_resets_the_wait(url: str) -> None:
    store = Store(url)
    post(store, "a1", "alice", 180)
    post(store, "r1", "acme_agent", 160, "other", reply_to="a1", brand_reply=True)  # answered after 20 min
    post(store, "a2", "alice", 60)  # she writes again after the answer: waiting again, since then
    post(store, "b1", "bob", 300, "question")
    post(store, "b2", "bob", 240)
    post(store, "c1", "carol@social.example", 120, source="mastodon", local_id="social.example:42")
    post(store, "r2", "AcmeHelp@social.example", 60, "other", source="mastodon", reply_to="social.example:42")
    post(store, "d1", "dave", 30, "praise")  # praise waits for nothing
    post(store, "e1", "eve", 3 * 24 * 60)  # older than the window
    post(store, "f1", "frank", 20, is_repost=True)  # a repost is not a request
    post(store, "g1", "acme_agent", 10, brand_post=True)  # the brand's own words
    post(store, "h1", "AcmeHelp", 5)  # the brand's configured handle, untagged
    queue = care_queue(store, NOW, [ACME])
    assert [(w.handle, w.posts, w.minutes, w.label) for w in queue.waiting] == [
        ("bob", 2, 300.0, "complaint"), ("alice", 1, 60.0, "complaint")]
    bob = queue.waiting[0]
    assert bob.text == "bob: acme post b2" and bob.url == "https://example.test/b2"  # the latest post
    assert bob.topic == "login" and queue.waiting[1].topic == "login"
    assert bob.profile_url == "https://x.com/bob" and bob.since == NOW - timedelta(minutes=300)
    (acme,) = queue.brands
    assert (acme.answered, acme.median_minutes, acme.within_target) == (2, 40.0, 1.0)  # 20 and 60 minutes
    assert (acme.waiting, acme.longest_minutes) == (2, 300.0)
    assert queue.to_json()["waiting"][0]["since"] == "2026-03-10T07:00:00+00:00"
    store.close()


def test_without_the_brand_handles_only_tagged_replies_answer(url: str) -> None:
    store = Store(url)
    post(store, "c1", "carol", 120)
    post(store, "r1", "AcmeHelp", 100, "other", reply_to="c1")
    assert [w.handle for w in care_queue(store, NOW, [ACME]).waiting] == []
    assert [w.handle for w in care_queue(store, NOW).waiting] == ["carol"]
    store.close()


def test_the_queue_is_limited_and_counts_everyone(store_url: str) -> None:
    store = Store(store_url)
    for i in range(8):
        post(store, f"p{i}", f"user{i}", 100 - i)
    queue = care_queue(store, NOW, [ACME], limit=3)
    assert [w.handle for w in queue.waiting] == ["user0", "user1", "user2"]
    assert queue.brands[0].waiting == 8 and queue.brands[0].answered == 0 and queue.brands[0].median_minutes is None
    assert care_queue(store, NOW, [ACME], hours=1.5).brands == []  # every post is older than 90 minutes
    (recent,) = care_queue(store, NOW, [ACME], hours=1.6).brands  # 96 minutes: the posts 96 to 93 minutes old
    assert (recent.waiting, recent.longest_minutes) == (4, 96.0)
    store.close()


def test_teams_take_their_topics_and_a_team_without_topics_takes_the_rest() -> None:
    from monitor.care import team_for
    from monitor.settings import CareTeam

    teams = [CareTeam(name="Payments", topics=["payments", "billing"]),
             CareTeam(name="Volta desk", brands=["Volta"]), CareTeam(name="Desk")]
    assert team_for(teams, "Acme", "billing") == "Payments"
    assert team_for(teams, "Acme", "login") == team_for(teams, "Acme", None) == "Desk"
    assert team_for(teams, "volta", "login") == "Volta desk"  # the first catch-all that covers the brand
    assert team_for(teams[:1], "Acme", "login") is None and team_for([], "Acme", "billing") is None


def test_the_queue_names_each_persons_team_from_the_config(store_url: str) -> None:
    from monitor.care import care_options
    from monitor.settings import parse_settings

    store = Store(store_url)
    post(store, "a1", "ann", 30)  # a complaint about login (VERDICTS)
    post(store, "b1", "bob", 20, "question")  # no topic
    settings = parse_settings({"brands": [{"name": "Acme"}], "care": {
        "hours": 1, "labels": ["question"], "teams": [{"name": "Logins", "topics": ["login"]}, {"name": "Desk"}]}})
    queue = care_queue(store, NOW, settings.brands, **care_options(settings))
    assert [(w.handle, w.team) for w in queue.waiting] == [("bob", "Desk")]  # questions only, as configured
    assert queue.hours == 1 and queue.to_json()["teams"] == ["Logins", "Desk"]
    queue = care_queue(store, NOW, settings.brands, teams=settings.care.teams)
    assert [(w.handle, w.team) for w in queue.waiting] == [("ann", "Logins"), ("bob", "Desk")]
    store.close()


@pytest.mark.parametrize(("care", "message"), [
    ({"labels": ["rants"]}, r"care\.labels"), ({"hours": 0}, r"care\.hours"),
    ({"teams": [{"name": ""}]}, r"care\.teams"), ({"teams": [{"name": "x", "topic": ["a"]}]}, r"care\.teams")])
def test_care_settings_are_checked(care: dict[str, Any], message: str) -> None:
    from monitor.settings import ConfigError, parse_settings

    with pytest.raises(ConfigError, match=message):
        parse_settings({"care": care})


def test_one_teams_queue_reaches_past_the_longest_waits_of_other_teams(store_url: str, monkeypatch) -> None:
    import monitor.care
    from monitor.settings import CareTeam

    monkeypatch.setattr(monitor.care, "TEAM_PAGE", 3)  # read the queue three people at a time
    store = Store(store_url)
    for number in range(7):  # seven people wait longer with login complaints ...
        post(store, f"l{number}", f"login{number}", 200 - number)
    post(store, "q1", "quinn", 50, "question")  # ... than the two whose questions the desk answers
    post(store, "q2", "rita", 40, "question")
    teams = [CareTeam(name="Logins", topics=["login"]), CareTeam(name="Desk")]
    desk = care_queue(store, NOW, [ACME], limit=2, teams=teams, team="desk")
    assert [(w.handle, w.team) for w in desk.waiting] == [("quinn", "Desk"), ("rita", "Desk")]
    logins = care_queue(store, NOW, [ACME], limit=4, teams=teams, team="Logins")
    assert [w.handle for w in logins.waiting] == ["login0", "login1", "login2", "login3"]
    assert care_queue(store, NOW, [ACME], teams=teams, team="nobody").waiting == []
    assert [b.waiting for b in desk.brands] == [9]  # the brand's figures count everyone waiting
    store.close()


def test_someone_waiting_on_two_networks_is_shown_on_both(url: str) -> None:
    store = Store(url)
    post(store, "g1", "Giorgio_1769", 120)
    post(store, "g2", "giorgio1769.bsky.social", 60, source="bluesky")  # unanswered, they try another network
    post(store, "b1", "bob", 90)
    post(store, "b2", "bob.bsky.social", 80, source="bluesky")  # too short a handle to suggest the same person
    waiting = {(w.source, w.handle): w.elsewhere for w in care_queue(store, NOW, [ACME]).waiting}
    assert waiting[("x", "Giorgio_1769")] == [{"source": "bluesky", "handle": "giorgio1769.bsky.social",
                                               "history": "/person?source=bluesky&id=id-giorgio1769.bsky.social"}]
    assert [e["source"] for e in waiting[("bluesky", "giorgio1769.bsky.social")]] == ["x"]
    assert waiting[("x", "bob")] == waiting[("bluesky", "bob.bsky.social")] == []
    store.close()
