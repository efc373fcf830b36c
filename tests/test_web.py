"""The dashboard: counts, incidents and drafts shown, mention text escaped, JSON API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from monitor.app import build_runtime
from monitor.clock import SimulatedClock
from monitor.models import IncidentRow, StatusPostRow
from monitor.settings import parse_settings
from monitor.web import create_app, sparkline

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


async def test_cockpit_and_incident_page_escape_text(aiohttp_client: Any, store_url: str, tmp_path: Any) -> None:
    settings = parse_settings({"brands": [{"name": "Acme"}]})
    runtime = build_runtime(settings, SimulatedClock(T0), store_url=store_url,
                            alert_urls=[f"oncall://?path={tmp_path / 'a.log'}&console=no"])
    hostile = "<script>alert(1)</script> @acme down"
    row = runtime.store.add(IncidentRow(
        brand="Acme", signal="outage", started_at=T0, opened_at=T0, peak_rate=12.0, baseline_rate=1.0,
        evidence={"samples": [{"at": T0.isoformat(), "handle": "eve", "text": hostile, "url": None}],
                  "top_phrases": ["app down"], "series": [[T0.isoformat(), 3], [T0.isoformat(), 9]]}))
    runtime.store.add(StatusPostRow(incident_id=row.id, phase="investigating", lang="en", text="We are <b>sorry</b>",
                                    created_at=T0, problems=["missing the status page link"]))
    client = await aiohttp_client(create_app(runtime))
    page = await (await client.get("/")).text()
    assert "Acme" in page and "outage" in page and "We are &lt;b&gt;sorry&lt;/b&gt;" in page
    assert "missing the status page link" in page
    assert 'href="/posts"' in page, "the cockpit links to the approval pages"
    detail = await client.get(f"/incidents/{row.id}")
    html = await detail.text()
    assert detail.status == 200 and "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    assert "<polyline" in html and detail.headers["X-Frame-Options"] == "DENY"
    assert (await client.get("/incidents/999")).status == 404
    assert (await client.get("/incidents/abc")).status == 404
    summary = await (await client.get("/api/summary")).json()
    assert summary["incidents"][0]["id"] == row.id and summary["status_posts"][0]["incident"] == row.id
    assert (await (await client.get("/healthz")).json())["ok"] is True


def test_sparkline_scales() -> None:
    svg = sparkline([("a", 0), ("b", 10)], width=100, height=50)
    assert 'points="0.0,48.0 100.0,2.0"' in svg
