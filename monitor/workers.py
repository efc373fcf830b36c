"""Classification on worker processes over NATS: the daemon asks, any worker of the queue group answers.

The daemon (the hub) keeps intake, storage, detection, incidents and the dashboard; what costs the CPU, running the
classifier, can be spread over `monitor worker` processes on other machines. Each batch is one NATS request on
`[workers] subject`; the workers form one queue group, so each request reaches one of them. The hub keeps several
batches in flight and applies their verdicts in intake order. When no worker answers (none running, a timeout, a
worker with another model) the hub classifies the batch itself: nothing is lost and nothing waits forever.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, field_validator

from classifiers.base import Classification, Classifier
from monitor.config_model import Model

if TYPE_CHECKING:
    from monitor.settings import Settings

log = logging.getLogger(__name__)
QUEUE_GROUP = "classifiers"
CONNECT_SECONDS = 10.0  # how long the first connection to the server may take
VERDICT_BYTES = 600    # a verdict's size in an answer, with room to spare (scores of 5 labels and 3 sentiments)
PAYLOAD_SHARE = 0.9  # a request is split when it would take more than this share of the server's max payload
FIELDS = frozenset(Classification.__dataclass_fields__)
Classify = Callable[[list[str], list[str | None]], Awaitable[list[Classification]]]


class WorkersSettings(Model):
    """The `[workers]` section: classify on `monitor worker` processes reached through a NATS server."""

    url: str = Field("", description="NATS server, e.g. nats://127.0.0.1:4222 (empty: classify in this process)")
    subject: str = Field("monitor.classify", min_length=1)
    in_flight: int = Field(4, ge=1, le=64, description="batches being classified at once (about one per worker)")
    timeout_seconds: float = Field(120.0, gt=0, description="a batch not answered by then is classified here")

    @field_validator("url")
    @classmethod
    def _nats_url(cls, value: str) -> str:
        """Only nats:// and tls:// servers are understood."""
        if value and not value.startswith(("nats://", "tls://")):
            raise ValueError(f"expected a nats:// or tls:// URL, got {value!r}")
        return value


def shown(url: str) -> str:
    """The server URL without its user, password or token (never logged)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc="***@" + parts.netloc.rsplit("@", 1)[1]))


def encode(texts: list[str], hints: list[str | None]) -> bytes:
    """The request body for one batch."""
    return json.dumps({"texts": texts, "hints": hints}, ensure_ascii=False).encode("utf-8")


def decode_verdicts(body: bytes, expected: int) -> list[Classification]:
    """The verdicts of a worker's answer; ValueError when it is not one verdict per text."""
    answer = json.loads(body)
    if "error" in answer:
        raise ValueError(f"the worker failed: {answer['error']}")
    verdicts = [Classification(**{k: v for k, v in item.items() if k in FIELDS}) for item in answer["verdicts"]]
    if len(verdicts) != expected:
        raise ValueError(f"{len(verdicts)} verdicts for {expected} texts")
    return verdicts


class RemoteClassify:
    """Classify batches on the workers, or here when none answers."""

    def __init__(self, client: Any, settings: WorkersSettings, local: Classifier) -> None:
        self.client, self.settings, self.local = client, settings, local
        self.remote = self.fallbacks = 0  # batches answered by workers, and classified here instead
        self._warned = ""

    async def __call__(self, texts: list[str], hints: list[str | None]) -> list[Classification]:
        """One verdict per text, in order."""
        if not texts:
            return []
        try:
            verdicts = await self._ask(texts, hints)
        except Exception as exc:  # no responders, a timeout, a dropped connection, a broken answer
            self._warn(type(exc).__name__, f"classifying {len(texts)} mentions here: {type(exc).__name__}: {exc}")
            return await self._here(texts, hints)
        foreign = {v.model for v in verdicts} - {self.local.name}
        if foreign:
            self._warn("foreign", f"a worker runs {', '.join(sorted(foreign))}, not {self.local.name}: "
                                  "classifying here")
            return await self._here(texts, hints)
        if self._warned:
            log.warning("workers: answering again")
            self._warned = ""
        self.remote += 1
        return verdicts

    async def _here(self, texts: list[str], hints: list[str | None]) -> list[Classification]:
        """Classify in this process instead, off the event loop."""
        self.fallbacks += 1
        return await asyncio.to_thread(self.local.classify_batch, texts, hints)

    async def _ask(self, texts: list[str], hints: list[str | None]) -> list[Classification]:
        """One request, or several halves when the batch is bigger than the server takes."""
        body = encode(texts, hints)
        room = PAYLOAD_SHARE * self.client.max_payload  # for the request, and for the verdicts it brings back
        if (len(body) > room or len(texts) * VERDICT_BYTES > room) and len(texts) > 1:
            half = len(texts) // 2
            first, second = await asyncio.gather(self._ask(texts[:half], hints[:half]),
                                                 self._ask(texts[half:], hints[half:]))
            return [*first, *second]
        reply = await self.client.request(self.settings.subject, body, timeout=self.settings.timeout_seconds)
        return decode_verdicts(reply.data, len(texts))

    def _warn(self, reason: str, message: str) -> None:
        """Log a fallback once per reason until workers answer again (a backlog would repeat it per batch)."""
        if reason != self._warned:
            log.warning("workers: %s", message)
            self._warned = reason


async def connect(settings: WorkersSettings, name: str) -> Any:
    """A NATS connection to `settings.url` that reconnects on its own once made; ConfigError when it cannot be."""
    import nats

    from monitor.settings import ConfigError

    try:  # once connected it reconnects forever; the first connection is given CONNECT_SECONDS
        return await asyncio.wait_for(nats.connect(settings.url, name=name, connect_timeout=2,
                                                   reconnect_time_wait=1, max_reconnect_attempts=-1,
                                                   allow_reconnect=True), CONNECT_SECONDS)
    except Exception as exc:
        raise ConfigError(f"workers.url: cannot reach the NATS server at {shown(settings.url)} ({type(exc).__name__}: "
                          f"{exc}). Hint: start it, or leave [workers] url empty to classify in this process"
                          ) from None


async def serve(settings: Settings, classifier: Classifier, stop: asyncio.Event,
                ready: Callable[[], None] | None = None) -> int:
    """Answer classification requests until `stop` is set; returns how many batches were answered."""
    client = await connect(settings.workers, f"monitor-worker:{classifier.name}")
    answered = 0

    async def answer(msg: Any) -> None:
        nonlocal answered
        try:
            request = json.loads(msg.data)
            texts, hints = list(request["texts"]), list(request.get("hints") or [None] * len(request["texts"]))
            verdicts = await asyncio.to_thread(classifier.classify_batch, texts, hints)
            body = json.dumps({"verdicts": [asdict(v) for v in verdicts]}, ensure_ascii=False).encode("utf-8")
            if len(body) > client.max_payload:
                raise ValueError(f"the answer ({len(body)} bytes) is over the server's {client.max_payload}")
        except Exception as exc:  # a malformed request is answered with its reason, the worker carries on
            log.error("bad classification request on %s: %s", msg.subject, exc)
            body = json.dumps({"error": f"{type(exc).__name__}: {exc}"}).encode("utf-8")
        await msg.respond(body)
        answered += 1

    await client.subscribe(settings.workers.subject, queue=QUEUE_GROUP, cb=answer)
    await client.flush()
    log.info("worker %s answering on %s", classifier.name, settings.workers.subject)
    if ready:
        ready()
    await stop.wait()
    await client.drain()  # answer what was already received before leaving
    return answered
