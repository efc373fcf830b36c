"""Advocates: sustained praise ranks, complaints and reposts do not, and the brand's own accounts never do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from classifiers.base import Classification
from monitor.advocates import rank_advocates
from monitor.mention import Author, Mention
from monitor.settings import BrandSettings
from monitor.store import Store

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
ACME = BrandSettings(name="Acme", handles=["@AcmeHelp"], keywords=["acme"])
PRAISE = Classification("praise", "positive", "en")
COMPLAINT = Classification("complaint", "negative", "en")


def said(store: Store, ident: str, handle: str, days_ago: int, verdict: Classification = PRAISE,
         **extra: Any) -> None:
    """Store one mention of Acme by `handle`, `days_ago` days before NOW."""
    mention = Mention(ident, "x", NOW - timedelta(days=days_ago), f"{handle} says something about acme ({ident})",
                      Author(f"id-{handle.lower()}", handle, followers=100), brand="Acme", extra=extra)
    store.save_batch([(mention, "Acme", verdict)])


def test_praise_over_days_ranks_and_the_brand_never_does(store_url: str) -> None:
    store = Store(store_url)
    for day in (1, 2, 3):
        said(store, f"fan{day}", "fan", day)
        said(store, f"help{day}", "AcmeHelp", day)  # the brand's configured handle thanking people
        said(store, f"agent{day}", "acme_agent", day, brand_reply=True)  # a source saw it reply as the brand
    said(store, "moody1", "moody", 1)
    said(store, "moody2", "moody", 2)
    said(store, "moody3", "moody", 3, COMPLAINT)
    ranked = rank_advocates(store, NOW, brands=[ACME])
    assert [a.handle for a in ranked] == ["fan", "moody"] and ranked[0].praise_days == 3
    assert ranked[0].score > ranked[1].score
    # without the brand list the configured handle is not known, but the tagged account still is
    assert [a.handle for a in rank_advocates(store, NOW)] == ["AcmeHelp", "fan", "moody"]
    store.close()


def test_each_advocate_says_where_to_find_them_and_their_best_post(store_url: str) -> None:
    store = Store(store_url)
    for day in (1, 2):
        store.save_batch([(Mention(f"r{day}", "reddit", NOW - timedelta(days=day), f"acme is great, day {day}",
                                   Author("t2_abc", "quiet_fan"), brand="Acme",
                                   url=f"https://www.reddit.com/r/acme/comments/{day}/"), "Acme", PRAISE)])
        store.save_batch([(Mention(f"m{day}", "mastodon", NOW - timedelta(days=day), f"love acme {'!' * day}",
                                   Author("109", "ana@social.example", followers=50), brand="Acme",
                                   url="javascript:alert(1)"), "Acme", PRAISE)])
    by_source = {a.source: a for a in rank_advocates(store, NOW)}
    reddit, mastodon = by_source["reddit"], by_source["mastodon"]
    assert reddit.followers is None and reddit.to_json()["followers"] is None  # Reddit shows no count: not 0
    assert reddit.profile_url == "https://www.reddit.com/user/quiet_fan"
    assert reddit.best_post_url and reddit.best_post_url.startswith("https://www.reddit.com/r/acme/comments/")
    assert mastodon.followers == 50 and mastodon.profile_url == "https://social.example/@ana"
    assert mastodon.best_post == "love acme !!" and mastodon.best_post_url is None  # only http(s) links
    store.close()


def test_profile_links_only_for_plain_handles_on_known_networks() -> None:
    from monitor.advocates import profile_url

    assert profile_url("x", "@fan_1") == "https://x.com/fan_1"
    assert profile_url("bluesky", "fan.bsky.social") == "https://bsky.app/profile/fan.bsky.social"
    assert profile_url("mastodon", "ana@Mastodon.Social") == "https://mastodon.social/@ana"
    assert profile_url("webhook", "fan") is None
    assert profile_url("x", "fan\"><script>") is None
    assert profile_url("mastodon", "ana@evil/path") is None and profile_url("mastodon", "ana") is None


def test_praise_on_more_days_outranks_more_posts_on_one_day(store_url: str) -> None:
    store = Store(store_url)
    for number in range(6):  # six posts on a campaign day
        said(store, f"burst{number}", "burst", 1)
    said(store, "steady1", "steady", 1)
    said(store, "steady2", "steady", 4)
    ranked = rank_advocates(store, NOW, brands=[ACME])
    assert [(a.handle, a.praise, a.praise_days) for a in ranked] == [("steady", 2, 2), ("burst", 6, 1)]
    more = rank_advocates(store, NOW, brands=[ACME], days=3)  # within three days the steady fan said it once
    assert [a.handle for a in more] == ["burst"]
    store.close()
