"""Openings that a bucket still filling already decides: paged at the deciding mention, the same decision, once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np

from monitor.detection import Detection
from monitor.detectors.base import EpisodeEvent
from monitor.detectors.seasonal import SeasonalDetector
from monitor.detectors.tracker import SignalMonitor
from monitor.models import AlertRow, IncidentRow
from monitor.restart import resume
from monitor.settings import DetectorSettings
from tests.test_alert_restart import T0, runtime_on, scenario, stalling_hook
from tests.test_detectors import MINUTE, START, rhythm

OUTAGE = DetectorSettings().for_signal("outage")


def outage_counts(seed: int) -> np.ndarray:
    """A day and a half at ~1.5 outage reports a minute, then an hour at 6x, then an hour as before."""
    rates = rhythm(1.5 + 2 / 24, 1.5, swing=0.3)
    rates[2160:2220] *= 6.0
    return np.random.default_rng(seed).poisson(rates)


def test_judging_a_filling_bucket_learns_nothing_and_agrees_with_its_close() -> None:
    looked, plain = SeasonalDetector(OUTAGE), SeasonalDetector(OUTAGE)
    anomalous = 0
    for index, count in enumerate(outage_counts(3)):
        at = START + index * MINUTE
        early = looked.judge(at, float(count))
        looked.judge(at, float(count + 9))  # a look at another count changes nothing either
        closed = looked.observe(at, float(count))
        assert closed == plain.observe(at, float(count)) == early, index
        anomalous += closed.anomalous
    assert anomalous >= 3


def test_a_peek_decides_what_the_close_would_and_changes_nothing() -> None:
    looked, plain = SignalMonitor(OUTAGE), SignalMonitor(OUTAGE)
    opened = 0
    for index, count in enumerate(outage_counts(4)):
        at = START + index * MINUTE
        found = looked.peek(at, float(count))
        events = looked.observe(at, float(count))
        assert events == plain.observe(at, float(count)), index
        opens = [event for event in events if event.kind == "open"]
        assert (found[0] if found else None) == (opens[0] if opens else None), index
        opened += len(opens)
    assert opened == 1


def test_an_adopted_episode_stays_open_until_calm_and_resolves_once() -> None:
    counts = outage_counts(5)
    monitor = SignalMonitor(OUTAGE)
    for index, count in enumerate(counts[:2160]):
        monitor.observe(START + index * MINUTE, float(count))
    found = monitor.peek(START + 2160 * MINUTE, 40.0)
    assert found is not None and found[1].opened and monitor.episode is None
    monitor.observe(START + 2160 * MINUTE, 2.0)  # the bucket closed without opening (it cannot: counts only grow)
    monitor.adopt(found[1])
    kinds = [event.kind for index in range(2161, len(counts))
             for event in monitor.observe(START + index * MINUTE, float(min(counts[index], 1)))]
    assert kinds == ["resolve"]


def run(detection: Detection, counts: np.ndarray, advance_each: bool) -> list[tuple[Any, str, EpisodeEvent]]:
    """Feed outage reports spread over each minute; advance after every one (live) or at minute ends only."""
    out = []
    signals = ("volume", "outage", "complaints", "negative")
    for index, count in enumerate(counts):
        minute = START + index * MINUTE
        for number in range(int(count)):
            at = minute + timedelta(seconds=(number + 0.5) * 60 / count)
            detection.add("Acme", at, f"x:{index}-{number}", signals)
            if advance_each:
                out += [(at, signal, event) for _, signal, event in detection.advance(at)]
        out += [(minute + MINUTE, signal, event) for _, signal, event in detection.advance(minute + MINUTE)]
    return out


def test_detection_pages_at_the_deciding_report_and_never_twice() -> None:
    counts = outage_counts(6)
    live = [(at, e) for at, signal, e in run(Detection(DetectorSettings()), counts, True) if signal == "outage"]
    closing = [(at, e) for at, signal, e in run(Detection(DetectorSettings()), counts, False) if signal == "outage"]
    kinds = [e.kind for _, e in live]
    assert kinds == [e.kind for _, e in closing] and kinds[0] == "open" and kinds.count("open") == 1
    assert kinds[-1] == "resolve" and kinds.count("resolve") == 1
    (paged, early), (_, late) = live[0], closing[0]
    assert early.at == paged and late.at - MINUTE < early.at < late.at  # the same bucket decides, before its end
    assert early.started_at == late.started_at and [e for _, e in live[1:]] == [e for _, e in closing[1:]]


async def test_a_replay_in_one_batch_pages_when_the_deciding_mention_arrives(tmp_path: Path,
                                                                            aiohttp_server: Any) -> None:
    hook, url = await stalling_hook(aiohttp_server)
    batches = scenario()
    opened, titles = [], []
    for name, groups in (("minutes", batches), ("whole", [[m for batch in batches for m in batch]])):
        runtime = runtime_on(f"sqlite:///{tmp_path / name}.db", url)
        for batch in groups:
            await runtime.pipeline.process(batch)
        incident = runtime.store.all(IncidentRow)[0]
        pages = runtime.store.all(AlertRow, AlertRow.kind == "open")
        assert len(pages) == 1 and pages[0].at == incident.opened_at
        opened.append(incident.opened_at)
        titles.append(pages[0].title)
    outage = T0 + timedelta(minutes=180)
    assert opened[0] == opened[1] and outage < opened[0] < outage + MINUTE  # within the outage's first minute
    reports = [m.created_at for m in batches[180]]
    assert opened[0] in reports  # the page went out as the report that decided it came in
    assert sorted(page["title"] for page in hook.received if page["title"] in titles) == sorted(titles)


def test_a_filling_bucket_that_opens_nothing_is_tried_again_only_as_it_grows() -> None:
    complaints = DetectorSettings().for_signal("complaints")  # opens after two raised minutes, or one huge one
    monitor = SignalMonitor(complaints)
    counts = np.random.default_rng(7).poisson(rhythm(1.5, 10.0, swing=0.3))
    for index, count in enumerate(counts):
        monitor.observe(START + index * MINUTE, float(count))
    start = START + len(counts) * MINUTE
    count = next(c for c in range(11, 200) if monitor.detector.judge(start, float(c)).anomalous)
    assert monitor.peek(start, float(count)) is None  # raised, but one minute is not enough: a trial, in vain
    assert monitor.tried == (start, float(count))
    assert monitor.peek(start, float(count + 1)) is None and monitor.tried == (start, float(count))  # not tried
    grown = float(np.ceil(1.25 * count))
    assert monitor.peek(start, grown) is not None or monitor.tried == (start, grown)


async def test_a_restart_before_the_deciding_minute_ends_keeps_the_incident_and_pages_once(
        tmp_path: Path, aiohttp_server: Any) -> None:
    hook, url = await stalling_hook(aiohttp_server)
    db = f"sqlite:///{tmp_path / 'm.db'}"
    batches = scenario()
    first = runtime_on(db, url)
    stopped = None
    for index, batch in enumerate(batches):
        await first.pipeline.process(batch)
        if first.store.all(IncidentRow):
            stopped = index
            break
    assert stopped is not None
    opened = first.store.all(IncidentRow)[0].opened_at
    minute = T0 + stopped * MINUTE  # paged at a report of this minute, while it was still filling
    assert minute < opened < minute + MINUTE and opened in [m.created_at for m in batches[stopped]]
    del first  # stopped before that minute closed

    second = runtime_on(db, url)
    await resume(second.incidents, second.pipeline.detection, second.store)
    assert list(second.incidents.open) == ["Acme"]  # the replayed minute opens the same episode: it stays open
    for batch in batches[stopped + 1:]:
        await second.pipeline.process(batch)
    rows = second.store.all(AlertRow, order=AlertRow.id)
    kinds = [a.kind for a in rows]
    assert kinds.count("open") == 1 and kinds[-1] == "resolve" and kinds.count("resolve") == 1, kinds
    titles = [m["title"] for m in hook.received]
    assert len(titles) == len(set(titles)) and sorted(titles) == sorted(a.title for a in rows)
    assert second.store.all(IncidentRow)[0].state == "resolved"
