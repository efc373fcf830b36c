"""A restart during an open incident neither loses nor repeats a page, and the incident still resolves."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from classifiers.base import Classification
from monitor.app import Runtime, build_runtime
from monitor.clock import SimulatedClock
from monitor.detection import Detection, signals_for
from monitor.detectors.base import EpisodeEvent
from monitor.mention import Author, Mention
from monitor.models import AlertRow, IncidentRow, StatusPostRow
from monitor.restart import resume, warm_detection
from monitor.settings import Settings, parse_settings
from monitor.store import Store

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CHATTER = ["@acme what time does the store open", "@acme do you ship to Lisbon?", "@acme is there a student plan",
           "@acme where can I find the invoice page"]


class StallingHook:
    """A json:// webhook that records pages, and can stall one page until released, then refuse it."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.stall_on: str | None = None
        self.refuse = False
        self.refuse_stalled = True
        self.stalled = asyncio.Event()
        self.release = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        """Record the page, unless it is the one to stall: that one never counts as received."""
        page = await request.json()
        if self.refuse:
            return web.Response(status=503, text="busy")
        if self.stall_on and self.stall_on in page["title"]:
            self.stall_on = None
            self.stalled.set()
            await self.release.wait()
            if self.refuse_stalled:
                return web.Response(status=503, text="gone")
        self.received.append(page)
        return web.Response(text="ok")


async def stalling_hook(aiohttp_server: Any) -> tuple[StallingHook, str]:
    """Serve the stalling hook on a local port."""
    hook = StallingHook()
    app = web.Application()
    app.router.add_post("/hook", hook.handle)
    server = await aiohttp_server(app)
    return hook, f"json://127.0.0.1:{server.port}/hook"


def settings_for(url: str) -> Settings:
    """One brand paging the local hook; drafts in English."""
    return parse_settings({
        "brands": [{"name": "Acme", "keywords": ["acme"], "handles": ["@acme"], "languages": ["en"],
                    "status_page": "https://status.acme.example"}],
        "alerts": {"urls": [url], "escalate_unacked_minutes": 15},
        "web": {"enabled": False}})


def minute_batches(start: datetime, minutes: int, per_minute: int, outage: bool) -> list[list[Mention]]:
    """One batch per minute: steady chatter, or people reporting that the app is down."""
    batches = []
    for m in range(minutes):
        at = start + timedelta(minutes=m)
        batch = []
        for i in range(per_minute):
            key = f"{at:%H%M}-{i}-{'o' if outage else 'c'}"
            text = "@acme is the app down for everyone?" if outage else CHATTER[i % len(CHATTER)]
            batch.append(Mention(key, "x", at + timedelta(seconds=i * 50 / per_minute), text,
                                 Author(f"u{key}", f"user_{key}")))
        batches.append(batch)
    return batches


def scenario() -> list[list[Mention]]:
    """Three quiet hours, a 40-minute outage, then two quiet hours."""
    return (minute_batches(T0, 180, 4, False) + minute_batches(T0 + timedelta(minutes=180), 40, 20, True)
            + minute_batches(T0 + timedelta(minutes=220), 120, 4, False))


def runtime_on(db: str, url: str) -> Runtime:
    """A fresh runtime (new objects, nothing in memory) on the given database."""
    return build_runtime(settings_for(url), SimulatedClock(T0), store_url=db)


async def test_a_crash_while_a_page_is_in_flight_loses_nothing_and_repeats_nothing(
        tmp_path: Path, aiohttp_server: Any) -> None:
    hook, url = await stalling_hook(aiohttp_server)
    db = f"sqlite:///{tmp_path / 'm.db'}"
    batches = scenario()
    first = runtime_on(db, url)
    await resume(first.incidents, first.pipeline.detection, first.store)
    hook.stall_on = "not acknowledged"
    killed_at = None
    for index, batch in enumerate(batches):
        task = asyncio.create_task(first.pipeline.process(batch))
        stalled = asyncio.create_task(hook.stalled.wait())
        await asyncio.wait({task, stalled}, return_when=asyncio.FIRST_COMPLETED)
        if hook.stalled.is_set():
            task.cancel()  # the process dies with the reminder written but not yet delivered
            await asyncio.gather(task, return_exceptions=True)
            killed_at = index
            break
        stalled.cancel()
    assert killed_at is not None, "the reminder page never went out"
    hook.release.set()
    before = [m["title"] for m in hook.received]
    assert len(before) >= 1 and "spike" in before[0]
    pending = Store(db).all(AlertRow, AlertRow.status == "pending")
    assert [(a.kind, a.attempts) for a in pending] == [("escalate", 0)]
    del first  # no clean shutdown: nothing is closed or flushed

    second = runtime_on(db, url)
    assert list(second.incidents.open) == ["Acme"]
    await resume(second.incidents, second.pipeline.detection, second.store)
    assert [m["title"] for m in hook.received][len(before):] == [pending[0].title]
    for batch in batches[killed_at:]:  # the source replays from where its cursor was saved
        await second.pipeline.process(batch)

    rows = second.store.all(AlertRow, order=AlertRow.id)
    titles = [m["title"] for m in hook.received]
    assert len(titles) == len(set(titles)), titles
    assert sorted(titles) == sorted(a.title for a in rows)
    assert all(a.status == "delivered" and a.delivered for a in rows)
    kinds = [a.kind for a in rows]
    assert kinds[0] == "open" and kinds[-1] == "resolve" and kinds.count("resolve") == 1
    assert sum("not acknowledged" in t for t in titles) == 1 and sum("all clear" in t for t in titles) == 1
    incident = second.store.all(IncidentRow)[0]
    outage_end = T0 + timedelta(minutes=220)
    assert incident.state == "resolved"
    assert outage_end - timedelta(minutes=5) <= incident.resolved_at <= outage_end + timedelta(minutes=30)
    assert "lasted" in hook.received[-1]["message"]
    phases = [p.phase for p in second.store.all(StatusPostRow, order=StatusPostRow.id)]
    assert phases[0] == "investigating" and phases[-1] == "resolved" and phases.count("resolved") == 1


async def test_a_restart_between_failed_attempts_keeps_the_retry_schedule(tmp_path: Path,
                                                                          aiohttp_server: Any) -> None:
    hook, url = await stalling_hook(aiohttp_server)
    hook.refuse = True
    db = f"sqlite:///{tmp_path / 'm.db'}"
    first = runtime_on(db, url)
    for batch in scenario():
        await first.pipeline.process(batch)
        if first.store.all(AlertRow):
            break
    alert = first.store.all(AlertRow)[0]
    assert alert.kind == "open" and alert.status == "pending" and alert.attempts >= 1  # retried by the batch end
    assert "503" in alert.error and alert.next_attempt_at >= first.clock.now() + timedelta(seconds=15)
    del first

    second = runtime_on(db, url)
    assert await second.incidents.resume() == 0  # tried before: it keeps its stored schedule
    hook.refuse = False
    due = second.store.get(AlertRow, alert.id).next_attempt_at
    await second.incidents.tick(due - timedelta(seconds=1))
    assert hook.received == []
    await second.incidents.tick(due)
    stored = second.store.get(AlertRow, alert.id)
    assert [m["title"] for m in hook.received] == [alert.title]
    assert stored.status == "delivered" and stored.error is None and stored.delivered_at == due


def test_an_older_database_gains_the_new_columns(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE alerts (id INTEGER PRIMARY KEY, incident_id INTEGER, kind VARCHAR(16), "
                     "step INTEGER, severity INTEGER, at DATETIME, title TEXT, body TEXT, delivered BOOLEAN, "
                     "attempts INTEGER, error TEXT)")
        conn.execute("INSERT INTO alerts VALUES (1, 1, 'open', 0, 3, '2026-03-02 10:00:00', 't', 'b', 1, 1, NULL)")
    store = Store(f"sqlite:///{path}")
    row = store.get(AlertRow, 1)
    assert row.title == "t" and row.dedupe_key is None and row.targets is None
    with sqlite3.connect(path) as conn:
        indexes = {r[1] for r in conn.execute("PRAGMA index_list('alerts')")}
    assert "ix_alerts_dedupe_key" in indexes


def stopped(store: Store, when: str, minute: int) -> bool:
    """Whether a run has reached the moment to stop it: `opened`, `calming` (spike over, still open), `monitoring`."""
    rows = store.all(IncidentRow)
    if when == "opened":
        return bool(rows)
    if when == "calming":
        return minute >= 221  # the outage ended a minute ago; the detector waits for a quiet stretch
    return bool(rows) and rows[0].state == "monitoring"


@pytest.mark.parametrize("when", ["opened", "calming", "monitoring"])
async def test_a_restart_at_any_step_pages_each_step_exactly_once(tmp_path: Path, hook: tuple[Any, str],
                                                                  when: str) -> None:
    recorder, url = hook
    db = f"sqlite:///{tmp_path / 'm.db'}"
    batches = scenario()
    first = runtime_on(db, url)
    stop = 0
    while not stopped(first.store, when, stop) and stop < len(batches):
        await first.pipeline.process(batches[stop])
        stop += 1
    state = first.store.all(IncidentRow)[0].state
    assert state == ("monitoring" if when == "monitoring" else "investigating")
    del first
    second = runtime_on(db, url)
    await resume(second.incidents, second.pipeline.detection, second.store)
    for batch in batches[stop:]:
        await second.pipeline.process(batch)
    rows = second.store.all(AlertRow, order=AlertRow.id)
    titles = [m["title"] for m in recorder.received]
    assert titles == [a.title for a in rows]
    kinds = [a.kind for a in rows]
    assert kinds[0] == "open" and kinds.count("resolve") == 1
    assert sum("not acknowledged" in t for t in titles) == 1
    incident = second.store.all(IncidentRow)[0]
    assert incident.state == "resolved" and incident.resolved_at <= T0 + timedelta(minutes=250)


def test_stored_counts_match_what_the_live_counter_counts(url: str) -> None:
    verdicts = [Classification("outage", "negative", "en"), Classification("complaint", "neutral", "en", "login"),
                Classification("praise", "positive", "en"), Classification("other", "negative", "en"),
                Classification("praise", "positive", "en", recovery=True)]
    items = []
    for i in range(40):  # authors repeat within a minute; each counts once per minute and signal
        mention = Mention(str(i), "x", T0 + timedelta(seconds=7 * i), "@acme hello",
                          Author(f"a{i % 3}", f"user{i % 3}"))
        items.append((mention, "Acme", verdicts[i % 5]))
    store = Store(url)
    own = Mention("own", "x", T0, "@user0 we're on it", Author("acme", "acme"), extra={"brand_reply": True})
    store.save_batch([*items, (own, "Acme", verdicts[1])])  # the brand's own reply is stored, never counted
    live = Detection(parse_settings({}).detector)
    for mention, _brand, verdict in items:
        live.add("Acme", mention.created_at, f"x:{mention.author.id}", signals_for(verdict))
    expected: dict[str, dict[datetime, int]] = {}
    for _brand, signal, start, count in live.counter.close_until(T0 + timedelta(minutes=5)):
        if count:
            expected.setdefault(signal, {})[start] = count
    counted = store.signal_counts("Acme", T0, T0 + timedelta(minutes=5), 60, lambda label, sentiment, topic, back:
                                  signals_for(Classification(label, sentiment, "en", topic, recovery=back)))
    assert counted == expected and set(counted) == {"outage", "complaints", "complaints:login", "negative", "volume",
                                                    "recovery"}
    assert store.latest_mention_at("Acme") == T0 + timedelta(seconds=7 * 39)
    assert store.latest_mention_at("Other") is None
    recent = store.recent_verdicts("Acme", T0 + timedelta(minutes=4), limit=3)
    assert [m.external_id for m, _v in recent] == ["37", "38", "39"] and recent[0][1].label == "praise"
    assert [v.recovery for _m, v in recent] == [False, False, True]
    store.close()


async def test_pages_a_crash_kept_from_being_written_are_written_at_start_up(store_url: str,
                                                                            hook: tuple[Any, str]) -> None:
    recorder, url = hook
    store = Store(store_url)  # what a process left when it died right after storing these incidents
    store.add(IncidentRow(brand="Acme", signal="outage", severity=4, started_at=T0, opened_at=T0 + timedelta(minutes=2),
                          evidence={"active": ["outage"]}))
    acked = store.add(IncidentRow(brand="Volta", signal="outage", severity=4, started_at=T0, opened_at=T0,
                                  acknowledged_at=T0 + timedelta(minutes=3), acknowledged_by="anna",
                                  evidence={"active": ["outage"]}))
    store.add(AlertRow(incident_id=acked.id, kind="open", step=0, severity=4, at=T0, title="[Volta] opened",
                       body="b", dedupe_key=f"incident-{acked.id}:open", status="delivered", delivered=True))
    for _ in range(2):  # a second restart writes nothing again
        runtime = runtime_on(store_url, url)
        await resume(runtime.incidents, runtime.pipeline.detection, runtime.store)
    assert [m["title"] for m in recorder.received] == [
        "[Acme] severity 4/10, problems detected: outage reports spike (incident #1)",
        "[Volta] acknowledged by anna: outage reports (incident #2)"]
    assert "Acknowledged by anna at 2026-03-02T09:03:00+00:00" in recorder.received[1]["message"]


async def test_a_retry_pass_during_a_send_does_not_send_it_twice(tmp_path: Path, aiohttp_server: Any) -> None:
    hook, url = await stalling_hook(aiohttp_server)
    hook.stall_on, hook.refuse_stalled = "spike", False
    runtime = runtime_on(f"sqlite:///{tmp_path / 'm.db'}", url)
    incidents = runtime.incidents
    runtime.clock.set(T0 + timedelta(minutes=2))  # type: ignore[attr-defined]
    event = EpisodeEvent("open", T0 + timedelta(minutes=2), T0, 4, 20.0, 2.0, 20.0)
    opening = asyncio.create_task(incidents.on_event("Acme", "outage", event, []))
    await hook.stalled.wait()  # the page is written and on its way
    passes = [asyncio.create_task(incidents.pager.retry_due(T0 + timedelta(minutes=2, seconds=s)))
              for s in (0, 30, 90)]  # the ticker's retry passes meanwhile
    done, _ = await asyncio.wait(passes, timeout=5)
    assert len(done) == 3 and [p.result() for p in passes] == [0, 0, 0]
    hook.release.set()
    await opening
    await incidents.tick(T0 + timedelta(minutes=10))
    assert [m["title"][:20] for m in hook.received] == ["[Acme] severity 4/10"]
    assert runtime.store.all(AlertRow)[0].status == "delivered"


def test_a_restart_warms_each_complaint_topic_from_the_store(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'topics.db'}")
    items = []
    for minute in range(120):  # two hours of complaints about billing, then a login surge in the last ten minutes
        topics = ["billing"] * 2 + (["login"] * 12 if minute >= 110 else [])
        for i, topic in enumerate(topics):
            mention = Mention(f"{minute}-{i}", "x", T0 + timedelta(minutes=minute, seconds=i), "@acme no good",
                              Author(f"a{minute}-{i}", "someone"))
            items.append((mention, "Acme", Classification("complaint", "negative", "en", topic)))
    store.save_batch(items)
    detection = Detection(parse_settings({}).detector)
    warmed = warm_detection(detection, store, ["Acme"])
    billing = detection.monitors[("Acme", "complaints:billing")]
    assert billing.detector.baseline.seen >= 119  # its baseline carries on instead of starting cold
    login = detection.monitors[("Acme", "complaints:login")]
    assert login.episode is not None and login.episode.opened  # the surge about one topic is still open
    assert warmed[("Acme", "complaints")].episode_open
    store.close()
