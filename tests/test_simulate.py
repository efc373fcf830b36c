"""The scenario generator: reproducible valid mentions, a daily rhythm, outages and campaigns where the truth says."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from monitor.mention import parse_mention
from monitor.simulate import SCENARIOS, Scenario, TruthEvent, generate, write_jsonl

OUTAGE_CUES = re.compile(r"is down|down again|not working|can'?t log in|is it just me|#fail|non funziona|è giù|"
                         r"è down|non riesco ad accedere|\bdown\b|solo a me|\bgiù\b", re.IGNORECASE)


@cache
def stream(name: str, seed: int = 1, days: float | None = None) -> tuple[Scenario, tuple[dict[str, Any], ...]]:
    """A generated scenario and its mentions (cached: several tests read the same stream)."""
    scenario = generate(name, seed=seed, days=days)
    return scenario, tuple(scenario.mentions())


def at(mention: dict[str, Any]) -> datetime:
    """A mention's created_at as a datetime."""
    return datetime.fromisoformat(mention["created_at"])


def count(mentions: tuple[dict[str, Any], ...], intent: str, start: datetime, end: datetime) -> int:
    """Mentions the generator meant as `intent` in [start, end)."""
    return sum(1 for m in mentions if m["sim"]["intent"] == intent and start <= at(m) < end)


def test_the_four_named_scenarios_exist_and_unknown_names_are_refused() -> None:
    assert {"normal", "outage", "campaign", "demo"} <= set(SCENARIOS)
    with pytest.raises(ValueError, match="unknown scenario 'apocalypse'"):
        generate("apocalypse")
    with pytest.raises(ValueError, match="positive"):
        generate("normal", days=0)


def test_deterministic_for_a_seed_and_different_across_seeds() -> None:
    first = list(generate("demo", seed=5, days=0.3).mentions())
    again = list(generate("demo", seed=5, days=0.3).mentions())
    other = list(generate("demo", seed=6, days=0.3).mentions())
    assert first == again
    assert [m["text"] for m in first[:50]] != [m["text"] for m in other[:50]]
    assert generate("outage", seed=1).events[0].start != generate("outage", seed=2).events[0].start


def test_every_mention_is_valid_sorted_unique_and_varied() -> None:
    _, mentions = stream("demo")
    parsed = [parse_mention(dict(m)) for m in mentions]
    assert len(parsed) > 3000
    times = [p.created_at for p in parsed]
    assert times == sorted(times)
    assert all(m["created_at"].endswith("+00:00") for m in mentions)
    assert len({p.id for p in parsed}) == len(parsed)
    assert {p.source for p in parsed} == {"x", "bluesky", "mastodon", "reddit"}
    assert {p.brand for p in parsed} == {"Acme", "Volta"}
    langs = Counter(p.lang for p in parsed)
    assert langs["en"] > 0 and langs["it"] > 0 and langs[None] > 0
    assert all(p.extra["sim"]["intent"] in ("complaint", "outage", "praise", "question", "other", "care_reply")
               for p in parsed)
    assert all(p.author.followers is None or p.author.followers >= 0 for p in parsed)


def test_the_demo_care_teams_answer_some_complaints_and_questions_later_and_leave_the_public_posts_alone(
        ) -> None:
    from dataclasses import replace

    scenario, mentions = stream("demo")
    by_id = {m["id"]: m for m in mentions}
    replies = [m for m in mentions if m["sim"]["intent"] == "care_reply"]
    asked = [m for m in mentions if m["sim"]["intent"] in ("complaint", "question") and m["sim"]["form"] == "original"
             and m["source"] != "mastodon"]
    assert 0.3 < len(replies) / len(asked) < 0.8
    for reply in replies:
        parent = by_id[reply["in_reply_to"]]
        assert parent["sim"]["intent"] in ("complaint", "question") and parent["source"] == reply["source"]
        assert at(parent) < at(reply) <= scenario.end and reply["brand_reply"] is True
        assert reply["author"]["handle"].lower().startswith(("acmehelp", "volta_it"))
        assert reply["source"] == "reddit" or reply["text"].startswith(f"@{parent['author']['handle']} ")
    waits = sorted((at(r) - at(by_id[r["in_reply_to"]])).total_seconds() / 60 for r in replies)
    assert 15 < waits[len(waits) // 2] < 90 and waits[-1] > 3 * waits[len(waits) // 2]
    public = list(replace(scenario, care_replies=False).mentions())
    assert public == [m for m in mentions if m["sim"]["intent"] != "care_reply"]
    assert not any("brand_reply" in m for m in stream("normal", days=1)[1])


def test_acme_languages_are_about_70_30() -> None:
    _, mentions = stream("normal", days=2)
    tagged = Counter(m["lang"] for m in mentions if "lang" in m)
    assert 0.6 < tagged["en"] / (tagged["en"] + tagged["it"]) < 0.8


def test_reposts_replies_near_duplicates_repeat_complainers_and_fans() -> None:
    _, mentions = stream("normal")
    by_id = {m["id"]: m for m in mentions}
    forms = Counter(m["sim"]["form"] for m in mentions)
    assert forms["repost"] > 100 and forms["reply"] > 100 and forms["near_duplicate"] > 100
    reposts = [m for m in mentions if m.get("is_repost")]
    assert all(m["sim"]["form"] == "repost" for m in reposts)
    assert any(m["text"].startswith("RT @") for m in reposts if m["source"] == "x")
    texts = Counter(m["text"] for m in mentions if m["source"] != "x")
    assert any(texts[m["text"]] > 1 for m in reposts if m["source"] != "x")
    replies = [m for m in mentions if "in_reply_to" in m]
    assert replies and all(at(by_id[m["in_reply_to"]]) < at(m) for m in replies if m["in_reply_to"] in by_id)
    complainers = Counter(m["author"]["id"] for m in mentions if m["sim"]["intent"] == "complaint")
    assert sum(1 for n in complainers.values() if n >= 3) >= 20
    praise_days: dict[str, set[str]] = {}
    for m in mentions:
        if m["sim"]["intent"] == "praise" and m["sim"]["form"] != "repost":
            praise_days.setdefault(m["author"]["id"], set()).add(m["created_at"][:10])
    loyal = [a for a, days in praise_days.items() if len(days) >= 3]
    assert len(loyal) >= 5
    followers = {m["author"]["id"]: m["author"].get("followers") or 0 for m in mentions}
    median = sorted(followers.values())[len(followers) // 2]
    assert sum(followers[a] > 10 * median for a in loyal) >= 5


def test_texts_say_outage_only_when_meant() -> None:
    _, mentions = stream("demo")
    outages = [m["text"] for m in mentions if m["sim"]["intent"] == "outage"]
    assert sum(bool(OUTAGE_CUES.search(t)) for t in outages) > 0.9 * len(outages)
    others = [m["text"] for m in mentions if m["sim"]["intent"] != "outage"]
    assert [t for t in others if OUTAGE_CUES.search(t)] == []


def test_normal_has_no_events_and_a_daily_and_weekly_rhythm() -> None:
    scenario, mentions = stream("normal")
    assert scenario.events == [] and (scenario.end - scenario.start) == timedelta(days=7)
    assert 15_000 < len(mentions) < 27_000
    hours = Counter(at(m).hour for m in mentions)
    night = sum(hours[h] for h in range(4, 8))
    afternoon = sum(hours[h] for h in range(15, 19))
    assert afternoon > 2 * night
    days = Counter(at(m).weekday() for m in mentions)
    assert days[2] > 1.3 * days[6]
    shares = Counter(m["sim"]["intent"] for m in mentions)
    assert 0.5 < shares["complaint"] / len(mentions) < 0.65
    assert 0.005 < shares["outage"] / len(mentions) < 0.03


def test_outage_reports_surge_in_the_true_window() -> None:
    scenario, mentions = stream("outage")
    [event] = scenario.events
    assert isinstance(event, TruthEvent) and event.kind == "outage" and event.brand == "Acme"
    assert 20 <= event.minutes <= 120 and 50 <= event.peak <= 400 and event.topic
    assert 1 <= event.ramp_minutes <= 3 and 1.5 <= event.decay_minutes <= 3.5  # loud and sudden, like real ones
    assert event.start - scenario.start >= timedelta(days=2)
    assert 10 <= event.start.hour < 16 and event.end + timedelta(minutes=30) <= scenario.end
    length = event.end - event.start
    during = count(mentions, "outage", event.start, event.end)
    before = count(mentions, "outage", event.start - length, event.start)
    assert during >= 20 * max(before, 2)
    first = count(mentions, "outage", event.start, event.start + timedelta(minutes=3))
    assert first >= 3  # many reports within minutes
    assert count(mentions, "complaint", event.start, event.end) > count(
        mentions, "complaint", event.start - timedelta(days=1), event.end - timedelta(days=1))
    topics = Counter(m["sim"]["topic"] for m in mentions
                     if m["sim"]["intent"] == "outage" and event.start <= at(m) < event.end)
    assert topics.most_common(1)[0][0] == event.topic


@pytest.mark.parametrize("seed", [0, 3, 11])
def test_outage_is_always_placed_sensibly(seed: int) -> None:
    scenario = generate("outage", seed=seed)
    [event] = scenario.events
    assert scenario.start + timedelta(days=2) <= event.start and event.end < scenario.end
    assert 20 <= event.minutes <= 120


def test_campaign_raises_praise_but_not_outage_reports() -> None:
    scenario, mentions = stream("campaign")
    assert [e.kind for e in scenario.events] == ["campaign"]
    event = scenario.events[0]
    assert 3 <= event.peak <= 6 and event.hashtag
    day = timedelta(days=1)
    praise = count(mentions, "praise", event.start, event.end)
    assert praise > 3 * count(mentions, "praise", event.start - day, event.end - day)
    outage = count(mentions, "outage", event.start, event.end)
    assert outage <= 2 * count(mentions, "outage", event.start - day, event.end - day) + 5
    assert sum(event.hashtag in m["text"] for m in mentions if event.start <= at(m) < event.end) > 100


def test_demo_has_a_morning_campaign_then_an_afternoon_outage() -> None:
    scenario, _ = stream("demo")
    campaign, outage = scenario.events
    assert (campaign.kind, outage.kind) == ("campaign", "outage")
    assert campaign.start.hour < 12 <= outage.start.hour and campaign.end < outage.start


@pytest.mark.parametrize("name", ["normal", "outage", "campaign", "demo"])
@pytest.mark.parametrize("days", [0.1, 1.5])
def test_days_and_start_override_the_span(name: str, days: float) -> None:
    start = datetime(2026, 6, 10, 8, 30, tzinfo=UTC)
    scenario = generate(name, seed=2, days=days, start=start)
    assert scenario.start == start and scenario.end == start + timedelta(days=days)
    assert all(scenario.start <= e.start < e.end <= scenario.end for e in scenario.events)
    mentions = list(scenario.mentions())
    assert mentions and all(start <= at(m) < scenario.end for m in mentions)


def test_write_jsonl_writes_mentions_and_ground_truth(tmp_path: Path) -> None:
    scenario = generate("demo", seed=4, days=0.5)
    path = tmp_path / "out" / "demo.jsonl"
    written = write_jsonl(scenario, path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert written == len(lines) > 500
    assert all(parse_mention(json.loads(line)) for line in lines)
    truth = json.loads(Path(str(path) + ".truth.json").read_text(encoding="utf-8"))
    assert truth["scenario"] == "demo" and truth["seed"] == 4 and truth["mentions"] == written
    assert [e["kind"] for e in truth["events"]] == [e.kind for e in scenario.events]
    assert all(datetime.fromisoformat(e["start"]) < datetime.fromisoformat(e["end"]) for e in truth["events"])
    assert sum(truth["by_intent"].values()) == written and set(truth["by_brand"]) == {"Acme", "Volta"}


def test_a_complaint_surge_is_about_one_topic_and_raises_no_outage_reports() -> None:
    scenario, mentions = stream("surge")
    [event] = scenario.events
    assert event.kind == "surge" and event.brand == "Acme" and event.topic and 2 <= event.peak <= 4
    day = timedelta(days=1)
    during = count(mentions, "complaint", event.start, event.end)
    assert during > 1.8 * count(mentions, "complaint", event.start - day, event.end - day)
    topics = Counter(m["sim"]["topic"] for m in mentions
                     if m["sim"]["intent"] == "complaint" and event.start <= at(m) < event.end)
    assert topics.most_common(1)[0][0] == event.topic
    outage = count(mentions, "outage", event.start, event.end)
    assert outage <= 2 * count(mentions, "outage", event.start - day, event.end - day) + 5


def test_outage_5x_puts_a_large_brand_s_reports_at_exactly_five_times_their_baseline() -> None:
    start = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)  # a Monday late morning: the large brand's busy hours
    scenario = generate("outage-5x", seed=2, days=0.1, start=start)
    [event] = scenario.events
    assert event.kind == "outage" and event.peak == 5.0 and scenario.volume_scale == 40.0
    assert event.start - start >= timedelta(minutes=60)
    truth = scenario.truth()
    assert truth["brands"][0]["daily_volume"] == 120_000 and truth["events"][0]["peak"] == 5.0
    assert generate("outage", seed=3, peak=5.0, volume_scale=2.0).events[0].peak == 5.0
    with pytest.raises(ValueError, match="peak"):
        generate("outage", peak=0.5)

    mentions = [m for m in scenario.mentions() if m["sim"]["intent"] == "outage"]
    onset = event.start
    ramp_end = onset + timedelta(minutes=event.ramp_minutes)
    before = sum(1 for m in mentions if onset - timedelta(minutes=60) <= at(m) < onset) / 60
    assert 0.7 <= before <= 3.0  # the outage-report baseline is 1-2 a minute, not the demo brand's 0.03
    assert all("event" not in m["sim"] for m in mentions if at(m) < onset)
    # Within each minute of the plateau an outage report is the outage's with probability 4s / (1 + 4s), s the
    # event's intensity there (1 right after the ramp): reports stand at (1 + 4s) = up to 5x the background.
    origin = scenario.start
    shape = event.shape(origin, scenario.minutes)
    plateau = [m for m in mentions if ramp_end <= at(m) < event.end]
    expected = variance = 0.0
    for m in plateau:
        s = shape[int((at(m) - origin).total_seconds() // 60)]
        p = 4 * s / (1 + 4 * s)
        expected, variance = expected + p, variance + p * (1 - p)
    tagged = sum("event" in m["sim"] for m in plateau)
    assert len(plateau) > 80 and abs(tagged - expected) <= 4 * variance**0.5
    background = len(plateau) - tagged
    assert 3.0 <= len(plateau) / background <= 6.5
