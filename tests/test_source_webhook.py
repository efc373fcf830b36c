"""Webhook source: signed batches accepted, bad signatures and oversize bodies refused, bad lines set aside."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from monitor.clock import SimulatedClock
from monitor.mention import Mention, Rejected
from monitor.settings import ConfigError, Settings, SourceSettings
from monitor.sources import SourceError, build_source, source_types
from monitor.sources.webhook import WebhookConfig, WebhookSource, sign

SECRET = "s3cret-key"


def line(n: int, **extra: Any) -> bytes:
    """One mention in the JSON Lines format."""
    obj = {"id": f"w{n}", "source": "x", "created_at": "2026-03-02T14:05:00+00:00", "text": f"@acme down {n}",
           "author": {"id": str(n), "handle": f"user{n}"}, **extra}
    return json.dumps(obj).encode()


class Sink:
    """Records what the source emits; can hold emits back to show the answer waits for the queue."""

    def __init__(self) -> None:
        self.records: list[Mention | Rejected] = []
        self.gate = asyncio.Event()
        self.gate.set()

    async def emit(self, record: Mention | Rejected) -> None:
        """Queue one record (waiting while the gate is closed)."""
        await self.gate.wait()
        self.records.append(record)


@contextlib.asynccontextmanager
async def serving(**options: Any) -> AsyncIterator[tuple[WebhookSource, Sink, str]]:
    """Run a webhook source on a free local port."""
    config = WebhookConfig(port=0, **({"secret": SECRET} | options))
    source, sink = WebhookSource("hook", config), Sink()
    task = asyncio.create_task(source.run(sink.emit))
    await asyncio.wait_for(source.ready.wait(), 10)
    try:
        yield source, sink, f"http://127.0.0.1:{source.port}/mentions"
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def post(url: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    """POST a body and return the status and the JSON answer."""
    async with aiohttp.ClientSession() as session, session.post(url, data=body, headers=headers or {}) as resp:
        return resp.status, await resp.json()


async def test_signed_batch_accepted_and_bad_lines_set_aside() -> None:
    body = b"\n".join([line(1), b"", b"{not json", line(2, lang="en"), b'{"id": "w3"}', b"\xff\xfe", line(4)]) + b"\n"
    async with serving() as (source, sink, url):
        status, answer = await post(url, body, {"X-Signature": sign(SECRET, body),
                                                "Content-Type": "application/x-ndjson"})
    assert status == 200
    assert answer["accepted"] == 3
    rid = answer["request_id"]
    assert [r["line"] for r in answer["rejected"]] == [3, 5, 6]
    assert answer["rejected"][0]["reason"].startswith("malformed JSON")
    assert answer["rejected"][1]["reason"] == "missing field 'text'"
    assert answer["rejected"][2]["reason"].startswith("invalid UTF-8")
    mentions = [r for r in sink.records if isinstance(r, Mention)]
    assert [m.id for m in mentions] == ["w1", "w2", "w4"] and mentions[1].lang == "en"
    assert [r.location for r in sink.records if isinstance(r, Rejected)] == [
        f"webhook:{rid}:3", f"webhook:{rid}:5", f"webhook:{rid}:6"]
    assert (source.accepted, source.rejected) == (3, 3)


async def test_source_defaults_to_webhook_and_a_single_object_works() -> None:
    body = json.dumps({"id": "one", "created_at": "2026-03-02T14:05:00Z", "text": "acme",
                       "author": {"id": "1", "handle": "a"}}).encode()
    async with serving() as (_source, sink, url):
        status, answer = await post(url, body, {"X-Signature": sign(SECRET, body)})
    assert status == 200 and answer["accepted"] == 1 and answer["rejected"] == []
    assert isinstance(sink.records[0], Mention) and sink.records[0].source == "webhook"


@pytest.mark.parametrize("headers", [{}, {"X-Signature": "sha256=" + "0" * 64},
                                     {"X-Signature": sign("wrong", line(1))},
                                     {"Authorization": "Bearer s3cret-key"}])
async def test_bad_or_missing_signature_is_refused(headers: dict[str, str]) -> None:
    async with serving() as (_source, sink, url):
        status, answer = await post(url, line(1), headers)
    assert status == 401 and "signature" in answer["error"]
    assert sink.records == []


async def test_bearer_token_works_when_configured() -> None:
    async with serving(secret=None, token="tok-123") as (_source, sink, url):
        good, _ = await post(url, line(1), {"Authorization": "Bearer tok-123"})
        bad, _ = await post(url, line(2), {"Authorization": "Bearer tok-124"})
    assert (good, bad) == (200, 401)
    assert [r.id for r in sink.records if isinstance(r, Mention)] == ["w1"]


async def test_oversize_body_is_refused_with_413_and_long_line_set_aside() -> None:
    big = b"\n".join(line(n) for n in range(60))
    async with serving(max_body_bytes=2000, max_line_bytes=200) as (_source, sink, url):
        status, answer = await post(url, big, {"X-Signature": sign(SECRET, big)})
        assert status == 413 and "body too large" in answer["error"] and "2000" in answer["error"]
        body = line(1) + b"\n" + line(2, text="acme " * 60)
        status, answer = await post(url, body, {"X-Signature": sign(SECRET, body)})
    assert status == 200 and answer["accepted"] == 1
    assert answer["rejected"][0]["line"] == 2 and "line too long" in answer["rejected"][0]["reason"]
    assert len([r for r in sink.records if isinstance(r, Mention)]) == 1


async def test_all_lines_bad_answers_422_and_empty_body_400() -> None:
    async with serving() as (_source, _sink, url):
        status, answer = await post(url, b"nope\n", {"X-Signature": sign(SECRET, b"nope\n")})
        assert status == 422 and answer["accepted"] == 0
        status, answer = await post(url, b"\n", {"X-Signature": sign(SECRET, b"\n")})
        assert status == 400 and "empty body" in answer["error"]


async def test_answer_waits_until_every_accepted_line_is_queued() -> None:
    body = line(1) + b"\n" + line(2)
    async with serving() as (_source, sink, url):
        sink.gate.clear()
        sending = asyncio.create_task(post(url, body, {"X-Signature": sign(SECRET, body)}))
        await asyncio.sleep(0.2)  # real local I/O: the request is in, blocked on the full queue
        assert not sending.done(), "no answer before the mentions are queued"
        sink.gate.set()
        status, answer = await asyncio.wait_for(sending, 10)
    assert status == 200 and answer["accepted"] == 2 and len(sink.records) == 2


def test_config_requires_a_secret_or_token_and_hides_it() -> None:
    spec = SourceSettings.model_validate({"type": "webhook", "port": 9000})
    with pytest.raises(ConfigError, match="secret"):
        build_source(spec, 0, source_types(), Settings(), SimulatedClock())
    assert "s3cret" not in repr(WebhookConfig(secret="s3cret"))


async def test_check_says_whether_the_port_is_free(unused_tcp_port: int) -> None:
    source = WebhookSource("hook", WebhookConfig(port=unused_tcp_port, secret=SECRET))
    assert (await source.check()).startswith("ok: can listen")
    async with serving() as (running, _sink, _url):
        taken = WebhookSource("hook2", WebhookConfig(port=running.port, secret=SECRET))
        with pytest.raises(SourceError, match="cannot listen"):
            await taken.check()


async def test_batch_through_the_pipeline_is_stored_once_and_bad_lines_kept(tmp_path: Any) -> None:
    from monitor.app import build_runtime
    from monitor.settings import BrandSettings

    settings = Settings(brands=[BrandSettings(name="Acme", handles=["acme"])])
    runtime = build_runtime(settings, SimulatedClock(), store_url=f"sqlite:///{tmp_path / 'h.db'}", alert_urls=[])
    source = WebhookSource("hook", WebhookConfig(port=0, secret=SECRET))
    consumer = asyncio.create_task(runtime.pipeline.consume())
    task = asyncio.create_task(source.run(runtime.pipeline.emit))
    await asyncio.wait_for(source.ready.wait(), 10)
    url = f"http://127.0.0.1:{source.port}/mentions"
    body = b"\n".join([line(1), line(2), b"[1, 2]"])
    for _ in range(2):  # a sender retrying the same batch stores nothing twice
        status, _answer = await post(url, body, {"X-Signature": sign(SECRET, body)})
        assert status == 200
    await runtime.pipeline.settled()
    assert runtime.store.count_mentions() == 2
    assert runtime.store.rejected_count() == 2 and runtime.pipeline.stats.duplicates == 2
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await runtime.pipeline.close()
    await consumer
    runtime.store.close()
