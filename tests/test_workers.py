"""Classification on `monitor worker` processes through the local NATS server, and the daemon's fallback to itself."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from classifiers.rules import RulesClassifier
from monitor import workers
from monitor.app import _use_workers, build_runtime
from monitor.cli import main
from monitor.clock import SimulatedClock
from monitor.mention import Author, Mention
from monitor.models import ClassificationRow, MentionRow
from monitor.settings import BrandSettings, ConfigError, Settings, parse_settings
from monitor.workers import RemoteClassify, WorkersSettings, connect, decode_verdicts, serve, shown

nats = pytest.importorskip("nats")
NATS_URL = "nats://127.0.0.1:4222"
ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TEXTS = ["@acme the app is down again, nothing loads", "love the new @acme card ❤️", "@acme how do I export invoices?",
         "acme non funziona da stamattina", "@acme delivery late for the third time, awful"]


async def _reachable() -> None:
    try:
        client = await nats.connect(NATS_URL, connect_timeout=2, max_reconnect_attempts=0, allow_reconnect=False)
    except Exception as exc:
        pytest.skip(f"no NATS server on {NATS_URL} ({type(exc).__name__}: {exc})")
    await client.close()


def _settings(**workers: Any) -> Settings:
    """Rules-tier settings asking on a subject of this test's own, so tests never answer each other."""
    return Settings(brands=[BrandSettings(name="Acme", handles=["acme"], keywords=["acme"])],
                    workers=WorkersSettings(url=NATS_URL, subject=f"test.classify.{uuid.uuid4().hex}", **workers))


class Worker:
    """One `serve` task with its stop switch."""

    def __init__(self, settings: Settings, classifier: Any) -> None:
        self.stop, self.ready = asyncio.Event(), asyncio.Event()
        self.task = asyncio.create_task(serve(settings, classifier, self.stop, self.ready.set))

    async def finish(self) -> int:
        self.stop.set()
        return await self.task


@pytest.fixture
async def worker() -> AsyncIterator[tuple[Settings, Worker]]:
    await _reachable()
    settings = _settings()
    running = Worker(settings, RulesClassifier(settings.topics))
    await asyncio.wait_for(running.ready.wait(), 10)
    yield settings, running
    if not running.task.done():
        await running.finish()


async def test_a_worker_classifies_a_batch_as_the_daemon_would(worker: tuple[Settings, Worker]) -> None:
    settings, running = worker
    local = RulesClassifier(settings.topics)
    client = await connect(settings.workers, "test-hub")
    remote = RemoteClassify(client, settings.workers, local)
    hints: list[str | None] = [None, None, "en", "it", None]
    assert await remote(TEXTS, hints) == local.classify_batch(TEXTS, hints)  # scores to the last digit
    assert (remote.remote, remote.fallbacks) == (1, 0)
    await client.close()
    assert await running.finish() == 1


async def test_without_a_worker_the_daemon_classifies_the_batch_itself(caplog: pytest.LogCaptureFixture) -> None:
    await _reachable()
    settings = _settings(timeout_seconds=5)
    local = RulesClassifier(settings.topics)
    client = await connect(settings.workers, "test-hub")
    remote = RemoteClassify(client, settings.workers, local)
    with caplog.at_level(logging.WARNING, logger="monitor.workers"):
        assert await remote(TEXTS, [None] * len(TEXTS)) == local.classify_batch(TEXTS, [None] * len(TEXTS))
        await remote(TEXTS[:2], [None, None])
    assert (remote.remote, remote.fallbacks) == (0, 2)  # no responders: answered at once, here
    assert len(caplog.records) == 1 and "NoRespondersError" in caplog.records[0].getMessage()  # said once
    await client.close()


class OtherModel(RulesClassifier):
    """A classifier under another name: its verdicts are not the ones the daemon's incidents were tuned on."""

    name = "another-model"


async def test_a_worker_running_another_model_is_not_trusted(worker: tuple[Settings, Worker]) -> None:
    settings, _ = worker
    client = await connect(settings.workers, "test-hub")
    remote = RemoteClassify(client, settings.workers, OtherModel(settings.topics))
    assert await remote(TEXTS, [None] * len(TEXTS)) == RulesClassifier(settings.topics).classify_batch(TEXTS)
    assert (remote.remote, remote.fallbacks) == (0, 1)  # the worker's answer came back, and was set aside
    await client.close()


async def test_a_batch_bigger_than_the_server_takes_goes_in_parts(worker: tuple[Settings, Worker]) -> None:
    settings, running = worker
    client = await connect(settings.workers, "test-hub")
    texts = [f"@acme order {n} never arrived, " + "still waiting " * 40 for n in range(2500)]
    assert len(json.dumps(texts)) > client.max_payload
    remote = RemoteClassify(client, settings.workers, RulesClassifier(settings.topics))
    verdicts = await remote(texts, [None] * len(texts))
    assert len(verdicts) == len(texts) and remote.fallbacks == 0
    assert verdicts == RulesClassifier(settings.topics).classify_batch(texts, [None] * len(texts))
    # many short texts: small to send, but their verdicts would not fit in one answer
    short = [f"@acme down? ({n})" for n in range(4000)]
    assert len(json.dumps(short)) < client.max_payload / 4
    assert await remote(short, [None] * len(short)) == RulesClassifier(settings.topics).classify_batch(short)
    assert remote.fallbacks == 0
    await client.close()
    assert await running.finish() >= 4


async def test_a_malformed_request_gets_its_reason_and_the_worker_carries_on(worker: tuple[Settings, Worker]) -> None:
    settings, running = worker
    client = await nats.connect(NATS_URL)
    reply = await client.request(settings.workers.subject, b"\xff not json", timeout=10)
    with pytest.raises(ValueError, match="the worker failed"):
        decode_verdicts(reply.data, 1)
    good = await client.request(settings.workers.subject, json.dumps({"texts": ["@acme down?"]}).encode(), timeout=10)
    assert len(decode_verdicts(good.data, 1)) == 1
    with pytest.raises(ValueError, match="1 verdicts for 2 texts"):
        decode_verdicts(good.data, 2)
    await client.close()
    assert await running.finish() == 2


async def test_the_daemon_stores_worker_verdicts_in_intake_order(worker: tuple[Settings, Worker], store_url: str
                                                                  ) -> None:
    settings, running = worker
    second = Worker(settings, RulesClassifier(settings.topics))  # same queue group: batches are shared out
    await asyncio.wait_for(second.ready.wait(), 10)
    settings.pipeline.batch_size = 7
    runtime = build_runtime(settings, SimulatedClock(T0), store_url=store_url, alert_urls=[])
    bus = await _use_workers(runtime)
    assert runtime.pipeline.in_flight == settings.workers.in_flight
    consumer = asyncio.create_task(runtime.pipeline.consume())
    for n in range(120):
        await runtime.pipeline.emit(Mention(source="x", id=str(n), created_at=T0 + timedelta(seconds=n),
                                            text=TEXTS[n % len(TEXTS)], author=Author(id=f"a{n}", handle=f"u{n}")))
    await runtime.pipeline.close()
    await consumer
    with runtime.store.engine.connect() as conn:
        rows = conn.execute(select(MentionRow.external_id, ClassificationRow.label).join(
            ClassificationRow, ClassificationRow.mention_id == MentionRow.id).order_by(MentionRow.id)).all()
    assert [int(r.external_id) for r in rows] == list(range(120))  # batches answered in any order, stored in order
    labels = [v.label for v in RulesClassifier(settings.topics).classify_batch(TEXTS)]
    assert [r.label for r in rows] == [labels[n % len(TEXTS)] for n in range(120)]
    assert runtime.pipeline.classify.remote >= 120 // 7 and runtime.pipeline.classify.fallbacks == 0  # type: ignore
    assert runtime.pipeline.stats.last_event == T0 + timedelta(seconds=119)
    await bus.close()
    runtime.store.close()
    shares = [await running.finish(), await second.finish()]
    assert sum(shares) >= 18 and min(shares) > 0, shares


async def test_an_unreachable_server_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "CONNECT_SECONDS", 1.5)
    with pytest.raises(ConfigError, match=r"workers\.url: cannot reach the NATS server at nats://127\.0\.0\.1:1 "):
        await connect(WorkersSettings(url="nats://127.0.0.1:1"), "test-hub")


async def test_the_servers_credentials_are_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    assert shown("nats://monitor:s3cret@10.0.0.5:4222") == "nats://***@10.0.0.5:4222"
    assert shown("tls://tok3n@nats.internal") == "tls://***@nats.internal"
    assert shown(NATS_URL) == NATS_URL
    monkeypatch.setattr(workers, "CONNECT_SECONDS", 1.5)
    with pytest.raises(ConfigError) as refused:
        await connect(WorkersSettings(url="nats://monitor:s3cret@127.0.0.1:1"), "test-hub")
    assert "s3cret" not in str(refused.value) and "***@127.0.0.1:1" in str(refused.value)


def test_the_workers_section_is_validated() -> None:
    with pytest.raises(ConfigError, match=r"workers\.url"):
        parse_settings({"workers": {"url": "http://127.0.0.1:4222"}})
    with pytest.raises(ConfigError, match=r"workers\.in_flight"):
        parse_settings({"workers": {"url": NATS_URL, "in_flight": 0}})


def test_a_worker_without_a_server_to_ask_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "monitor.toml"
    config.write_text('[[brands]]\nname = "Acme"\n', encoding="utf-8")
    with pytest.raises(SystemExit) as stopped:
        main(["worker", "--config", str(config)])
    assert stopped.value.code == 2
    assert "workers.url: not set" in capsys.readouterr().err


async def test_the_worker_command_answers_until_it_is_stopped(tmp_path: Path) -> None:
    await _reachable()
    subject = f"test.classify.{uuid.uuid4().hex}"
    config = tmp_path / "monitor.toml"
    config.write_text(f'[[brands]]\nname = "Acme"\n\n[workers]\nurl = "{NATS_URL}"\nsubject = "{subject}"\n',
                      encoding="utf-8")
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "run_monitor.py"), "worker", "--config", str(config),
        stderr=asyncio.subprocess.PIPE)
    assert process.stderr is not None
    try:
        started = b""
        while b"answering on" not in started:  # the first line the worker prints once subscribed
            started = await asyncio.wait_for(process.stderr.readline(), 60)
            assert started, "the worker stopped before answering"
        assert f"answering on {subject} at {NATS_URL}" in started.decode()
        settings = Settings(workers=WorkersSettings(url=NATS_URL, subject=subject))
        client = await connect(settings.workers, "test-hub")
        remote = RemoteClassify(client, settings.workers, RulesClassifier(settings.topics))
        assert await remote(TEXTS, [None] * len(TEXTS)) == RulesClassifier(settings.topics).classify_batch(TEXTS)
        assert remote.remote == 1
        await client.close()
    finally:
        process.send_signal(signal.SIGTERM)
        rest = await asyncio.wait_for(process.stderr.read(), 30)
        assert await process.wait() == 0
    assert "worker: 1 batches classified" in rest.decode()
