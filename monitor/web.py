"""The dashboard: counts by label, incidents with evidence, who waits for an answer, drafts awaiting approval."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from aiohttp import web
from sqlmodel import Session, select

from alerts.approval import Approvals
from monitor.activity import HOURS, brand_activity
from monitor.advocates import rank_advocates
from monitor.agents import agent_options, agent_workload
from monitor.app import Runtime
from monitor.care import care_options, care_queue
from monitor.clock import as_utc
from monitor.export import ADVOCATE_COLUMNS, to_csv
from monitor.history import PersonHistory, person_history
from monitor.models import DeliveryPartRow, DeliveryRow, IncidentRow
from monitor.report import alert_json, incident_json, post_json
from monitor.web_approval import page_context, setup_approval
from monitor.web_cache import SlowParts
from monitor.web_templates import TEMPLATES

RUNTIME = web.AppKey("runtime", Runtime)
SLOW = web.AppKey("slow", SlowParts)


def sparkline(series: list[Any], width: int = 360, height: int = 60) -> str:
    """An inline SVG polyline of bucket counts (numbers only, nothing to escape)."""
    counts = [float(c) for _t, c in series] or [0.0]
    top = max(counts) or 1.0
    step = width / max(1, len(counts) - 1)
    points = " ".join(f"{i * step:.1f},{height - c / top * (height - 4) - 2:.1f}" for i, c in enumerate(counts))
    return (f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
            f'<polyline fill="none" stroke="#c0392b" stroke-width="2" points="{points}"/></svg>')


def _summary(runtime: Runtime, slow: SlowParts) -> dict[str, Any]:
    store, now = runtime.store, runtime.clock.now()
    Approvals(store, runtime.settings, runtime.clock).expire_stale()  # as the posts page and CLI list them
    stats = runtime.pipeline.stats
    return slow.get(now, lambda: _slow_parts(runtime, now)) | {
        "now": now.isoformat(),
        "activity": brand_activity(store, now, [b.name for b in runtime.settings.brands]),
        "mentions": store.count_mentions(),
        "rejected": store.rejected_count(),
        "by_label": store.label_counts(),
        "incidents": [incident_json(r, with_series=False)
                      for r in store.all(IncidentRow, order=IncidentRow.id.desc(), limit=50)],  # type: ignore[union-attr]
        "status_posts": [post_json(p) for p in store.posts("pending_approval")],
        "received": stats.received,
    }


def _slow_parts(runtime: Runtime, now: datetime) -> dict[str, Any]:
    """The care queue, the agents' workload and the advocates: the summary's costly queries."""
    store, brands = runtime.store, runtime.settings.brands
    return {"care": care_queue(store, now, brands, limit=20, **care_options(runtime.settings)).to_json(),
            "agents": [a.to_json() for a in agent_workload(store, now, brands, **agent_options(runtime.settings))],
            "advocates": [a.to_json() for a in rank_advocates(store, now, limit=10, brands=brands)]}


async def index(request: web.Request) -> web.Response:
    """The cockpit page."""
    runtime = request.app[RUNTIME]
    data = await asyncio.to_thread(_summary, runtime, request.app[SLOW])
    live = [{"brand": a["brand"], "cells": [(signal, sparkline(v["series"], width=150, height=30), v["last_hour"])
                                            for signal, v in a["signals"].items()]} for a in data["activity"]]
    html = TEMPLATES.get_template("index.html").render(**page_context(request), live=live, live_hours=HOURS, **data)
    return web.Response(text=html, content_type="text/html")


def post_deliveries(runtime: Runtime, incident_id: int) -> dict[int, list[dict[str, Any]]]:
    """Each status post's channels for one incident: state, attempts, last reason and the published links."""
    found: dict[int, list[dict[str, Any]]] = {}
    with Session(runtime.store.engine) as session:
        rows = session.exec(select(DeliveryRow).where(DeliveryRow.incident_id == incident_id)
                            .order_by(DeliveryRow.id)).all()  # type: ignore[arg-type]
        for row in rows:
            parts = session.exec(select(DeliveryPartRow).where(DeliveryPartRow.delivery_id == row.id)
                                 .order_by(DeliveryPartRow.index)).all()  # type: ignore[arg-type]
            found.setdefault(row.post_id, []).append({
                "channel": row.channel, "state": row.state, "attempts": row.attempts, "error": row.error,
                "parts": len(row.parts), "sent": sum(1 for p in parts if p.external_id),
                "next_attempt_at": as_utc(row.next_attempt_at).isoformat() if row.next_attempt_at else None,
                "links": [p.url for p in parts if p.url and p.url.startswith(("https://", "http://"))]})
    return found


async def incident_page(request: web.Request) -> web.Response:
    """One incident: lifecycle, evidence, volume series, alerts and drafts."""
    runtime = request.app[RUNTIME]
    try:
        incident_id = int(request.match_info["id"])
    except ValueError:
        raise web.HTTPNotFound(text="no such incident") from None
    row = await asyncio.to_thread(runtime.store.get, IncidentRow, incident_id)
    if row is None:
        raise web.HTTPNotFound(text="no such incident")
    alerts = await asyncio.to_thread(runtime.store.alerts_for, incident_id)
    posts = [p for p in await asyncio.to_thread(runtime.store.posts) if p.incident_id == incident_id]
    deliveries = await asyncio.to_thread(post_deliveries, runtime, incident_id)
    html = TEMPLATES.get_template("incident.html").render(
        incident=incident_json(row), alerts=[alert_json(a) for a in alerts], posts=[post_json(p) for p in posts],
        deliveries=deliveries, chart=sparkline(row.evidence.get("series", [])), **page_context(request))
    return web.Response(text=html, content_type="text/html")


async def _history(request: web.Request) -> PersonHistory:
    runtime = request.app[RUNTIME]
    source, author_id = request.query.get("source", ""), request.query.get("id", "")
    found = await asyncio.to_thread(person_history, runtime.store, source, author_id, runtime.settings.brands)
    if found is None:
        raise web.HTTPNotFound(text="nobody with that source and id has written about the brands")
    return found


async def person_page(request: web.Request) -> web.Response:
    """One person's posts with the brands' answers, and their probable accounts elsewhere."""
    html = TEMPLATES.get_template("person.html").render(p=await _history(request), **page_context(request))
    return web.Response(text=html, content_type="text/html")


async def api_person(request: web.Request) -> web.Response:
    """The same as the person page, as JSON."""
    return web.json_response((await _history(request)).to_json())


async def advocates_csv(request: web.Request) -> web.Response:
    """Every ranked advocate (up to 1,000) as a CSV download for marketing."""
    runtime = request.app[RUNTIME]
    ranked = await asyncio.to_thread(rank_advocates, runtime.store, runtime.clock.now(), limit=1000,
                                     brands=runtime.settings.brands)
    return web.Response(text=to_csv([a.to_json() for a in ranked], ADVOCATE_COLUMNS), content_type="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="advocates.csv"'})


async def api_summary(request: web.Request) -> web.Response:
    """The same data as the cockpit, as JSON."""
    return web.json_response(await asyncio.to_thread(_summary, request.app[RUNTIME], request.app[SLOW]))


async def healthz(request: web.Request) -> web.Response:
    """Liveness: the process answers and the queue depth is visible."""
    runtime = request.app[RUNTIME]
    return web.json_response({"ok": True, "queue": runtime.pipeline.queue.qsize()})


@web.middleware
async def security_headers(request: web.Request, handler: Any) -> web.StreamResponse:
    """Pages never run scripts or get framed."""
    response = await handler(request)
    response.headers.setdefault("Content-Security-Policy", "default-src 'self'; style-src 'unsafe-inline'")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


def create_app(runtime: Runtime) -> web.Application:
    """Build the dashboard application around a runtime."""
    app = web.Application(middlewares=[security_headers])
    app[RUNTIME] = runtime
    app[SLOW] = SlowParts(runtime.settings.web.summary_cache_seconds)
    app.router.add_get("/", index)
    app.router.add_get("/incidents/{id}", incident_page)
    app.router.add_get("/api/summary", api_summary)
    app.router.add_get("/person", person_page)
    app.router.add_get("/advocates.csv", advocates_csv)
    app.router.add_get("/api/person", api_person)
    app.router.add_get("/healthz", healthz)
    setup_approval(app, runtime)
    return app
