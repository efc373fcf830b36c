"""Wiring: build the runtime from settings, and run the daemon (sources, pipeline, dashboard)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy.exc import OperationalError

from alerts.drafts import Drafter
from alerts.notifier import Notifier
from alerts.outbox import Outbox
from classifiers.base import Classifier
from monitor.brands import BrandMatcher
from monitor.clock import Clock, SimulatedClock, SystemClock
from monitor.detection import Detection
from monitor.evidence import EvidenceBuffer
from monitor.incidents import IncidentManager
from monitor.models import IncidentRow
from monitor.pipeline import Pipeline
from monitor.restart import resume
from monitor.settings import ConfigError, Settings
from monitor.sources import build_sources
from monitor.sources.state import CursorStore, SourceContext
from monitor.store import Store

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """Everything the pipeline, the drill and the dashboard share."""

    settings: Settings
    clock: Clock
    store: Store
    classifier: Classifier
    notifier: Notifier
    incidents: IncidentManager
    pipeline: Pipeline
    base_url: str
    outbox: Outbox | None = None


def build_classifier(settings: Settings) -> Classifier:
    """The configured classifier: the rules tier, or rules plus the transformer heads."""
    if settings.classifier.tier == "transformer":
        from classifiers.tiered import load_default_classifier
        from classifiers.transformer import ModelNotFoundError

        try:
            heads: dict[str, Path] = {}
            if settings.classifier.heads:
                from classifiers.model_heads import Heads

                heads["heads"] = Path(settings.classifier.heads).expanduser()
                try:
                    Heads.load(heads["heads"])
                except Exception as exc:  # a missing, truncated or foreign file: say which key and why
                    raise ConfigError(f"classifier.heads: cannot load {heads['heads']}: {exc}") from None
            return load_default_classifier(settings.topics, settings.classifier.model or None,
                                           threads=settings.classifier.threads, backend=settings.classifier.backend,
                                           **heads)
        except (ModelNotFoundError, ValueError, OSError) as exc:
            raise ConfigError(f"classifier.model: {exc}") from None
    from classifiers.rules import RulesClassifier

    return RulesClassifier(settings.topics)


def build_runtime(settings: Settings, clock: Clock, store_url: str | None = None,
                  alert_urls: list[str] | None = None, base_url: str | None = None) -> Runtime:
    """Create the store, classifier, detectors, notifier, drafter, incident manager and pipeline."""
    store = Store(store_url or settings.store.url)
    classifier = build_classifier(settings)
    live = alert_urls is None  # a drill passes its own targets and never pages brand targets either
    notifier = Notifier(settings.alerts.urls if live else alert_urls, retry_attempts=settings.alerts.retry_attempts,
                        brand_urls={b.name: b.alert_urls for b in settings.brands} if live else None,
                        routes=settings.alerts.routes if live else ())
    evidence = EvidenceBuffer()
    base_url = base_url or f"http://{settings.web.host}:{settings.web.port}"
    incidents = IncidentManager(store, notifier, Drafter.from_settings(settings), settings, clock, evidence,
                                base_url)
    pipeline = Pipeline(store, classifier, BrandMatcher(settings.brands), Detection(settings.detector),
                        incidents, evidence, clock, settings.pipeline.queue_size, settings.pipeline.batch_size)
    # a drill never publishes: only the live daemon gets an outbox, and only with channels configured
    outbox = Outbox(store, settings, clock) if live and settings.status_posts.channels else None
    return Runtime(settings, clock, store, classifier, notifier, incidents, pipeline, base_url, outbox)


async def _ticker(runtime: Runtime, stop: asyncio.Event, period: float | None = None) -> None:
    """Close buckets on the wall clock, so silence is observed and incidents can resolve (every `period` seconds,
    by default a quarter bucket); a tick that fails is logged and the next one comes all the same."""
    period = period or max(1.0, runtime.settings.detector.bucket_seconds / 4)
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=period)
        try:
            await runtime.pipeline.advance(runtime.clock.now())
        except OperationalError as exc:  # what it could not apply is kept and applied at a later tick
            log.error("database unavailable at the tick, trying again in %.0f s: %s", period,
                      str(exc).splitlines()[0])
        except Exception:
            log.exception("the tick failed; the next one comes in %.0f s", period)


async def run_daemon(settings: Settings, stop: asyncio.Event | None = None, exit_when_done: bool = False
                     ) -> Runtime:
    """Run until stopped (or until every source is done): sources feed the pipeline, the dashboard serves."""
    from monitor.web import create_app

    stop = stop or asyncio.Event()
    replay_only = bool(settings.sources) and all(s.type == "replay" for s in settings.sources)
    clock: Clock = SimulatedClock() if replay_only else SystemClock()
    runtime = build_runtime(settings, clock)
    bus = await _use_workers(runtime) if settings.workers.url else None
    await resume(runtime.incidents, runtime.pipeline.detection, runtime.store)
    context = SourceContext(CursorStore(runtime.store, clock), runtime.pipeline.settled)
    sources = build_sources(settings, clock, context)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    runner = None
    if settings.web.enabled:
        runner = web.AppRunner(create_app(runtime))
        await runner.setup()
        try:
            await web.TCPSite(runner, settings.web.host, settings.web.port).start()
        except OSError as exc:
            await runner.cleanup()
            raise ConfigError(f"web.port: cannot listen on {settings.web.host}:{settings.web.port} "
                              f"({exc.strerror}). Hint: set another [web] port or stop the other process") from None
        log.info("dashboard on %s", runtime.base_url)
        print(f"dashboard: {runtime.base_url}  (Ctrl-C to stop)", flush=True)
    consumer = asyncio.create_task(runtime.pipeline.consume())
    if runtime.outbox:
        await runtime.outbox.start()
    feeding = [asyncio.create_task(_run_source(s, runtime), name=s.name) for s in sources]
    tasks = list(feeding)
    if not replay_only:
        tasks.append(asyncio.create_task(_ticker(runtime, stop)))
    if feeding:
        tasks.append(asyncio.create_task(_when_fed(runtime, feeding, stop if exit_when_done else None)))
    await stop.wait()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await runtime.pipeline.close()
    await consumer
    if runner:
        await runner.cleanup()
    if runtime.outbox:
        await runtime.outbox.stop()
    if bus is not None:
        await bus.close()
    runtime.store.close()
    return runtime


async def _use_workers(runtime: Runtime) -> Any:
    """Hand classification to the `monitor worker` processes behind [workers] url; the NATS connection."""
    from monitor.workers import RemoteClassify, connect, shown

    workers = runtime.settings.workers
    client = await connect(workers, "monitor-daemon")
    runtime.pipeline.classify = RemoteClassify(client, workers, runtime.classifier)
    runtime.pipeline.in_flight = workers.in_flight
    log.info("classifying on workers at %s (%s), %d batches in flight", shown(workers.url), workers.subject,
             workers.in_flight)
    return client


async def _when_fed(runtime: Runtime, feeding: list[asyncio.Task[None]], stop: asyncio.Event | None) -> None:
    """When every source is done and the queue drained, say what was found (and stop if asked)."""
    await asyncio.gather(*feeding, return_exceptions=True)
    await runtime.pipeline.queue.join()
    stats = runtime.pipeline.stats
    incidents = await asyncio.to_thread(runtime.store.all, IncidentRow)
    pending = await asyncio.to_thread(runtime.store.posts, "pending_approval")
    print(f"sources done: {stats.stored} mentions stored, {stats.rejected} set aside, {len(incidents)} incidents, "
          f"{len(pending)} status posts awaiting approval; see {runtime.base_url}", flush=True)
    if stop is not None:
        stop.set()


async def _run_source(source: object, runtime: Runtime) -> None:
    """Run one source; a failure is logged with its reason and does not stop the others."""
    try:
        await source.run(runtime.pipeline.emit)  # type: ignore[attr-defined]
        log.info("source %s finished", source.name)  # type: ignore[attr-defined]
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        log.error("source %s stopped: %s", getattr(source, "name", "?"), exc)
