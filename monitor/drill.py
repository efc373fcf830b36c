"""Drill: replay a file as fast as possible on a simulated clock through the whole pipeline."""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from monitor.agents import agent_options
from monitor.app import build_runtime
from monitor.care import care_options
from monitor.clock import SimulatedClock
from monitor.report import build_report
from monitor.restart import resume
from monitor.settings import Settings
from monitor.sources.replay import ReplayConfig, ReplaySource


def _count_lines(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


async def run_drill(settings: Settings, mentions: Path, db_url: str | None = None,
                    alert_urls: list[str] | None = None, progress: bool | None = None) -> dict[str, Any]:
    """Run the full pipeline over a mentions file and return the report; drills never page real people."""
    workdir = Path(tempfile.mkdtemp(prefix="drill-"))
    db_url = db_url or f"sqlite:///{workdir / 'drill.db'}"
    if alert_urls is None:
        alert_urls = [f"oncall://?path={workdir / 'drill-alerts.log'}&console=no"]
    clock = SimulatedClock()
    runtime = build_runtime(settings, clock, store_url=db_url, alert_urls=alert_urls)
    await resume(runtime.incidents, runtime.pipeline.detection, runtime.store)  # a --db with an open incident
    source = ReplaySource("drill", ReplayConfig(path=str(mentions)))
    bar = None
    if progress if progress is not None else sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=_count_lines(mentions), unit="mention", file=sys.stderr, desc="drill")
        runtime.pipeline.on_batch = bar.update
    started = time.perf_counter()
    consumer = asyncio.create_task(runtime.pipeline.consume())
    try:
        await source.run(runtime.pipeline.emit)
    finally:
        await runtime.pipeline.close()
        await consumer
    seconds = time.perf_counter() - started
    if bar:
        bar.close()
    report = build_report(runtime.store, runtime.pipeline.stats, seconds, clock.now(), settings.brands,
                          care_options(settings), agent_options(settings))
    report["database"] = db_url
    report["alert_log"] = str(workdir / "drill-alerts.log")
    runtime.store.close()
    return report
