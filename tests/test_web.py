"""The dashboard: counts, incidents and drafts shown, mention text escaped, JSON API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from monitor.app import build_runtime
from monitor.clock import SimulatedClock
from monitor.models import AlertRow, DeliveryPartRow, DeliveryRow, IncidentRow, StatusPostRow
from monitor.settings import parse_settings
from monitor.web import create_app, sparkline
from monitor.web_templates import when

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


async def test_cockpit_and_incident_page_escape_text(aiohttp_client: Any, store_url: str, tmp_path: Any) -> None:
    settings = parse_settings({"brands": [{"name": "Acme"}]})
    runtime = build_runtime(settings, SimulatedClock(T0), store_url=store_url,
                            alert_urls=[f"oncall://?path={tmp_path / 'a.log'}&console=no"])
    hostile = "<script>alert(1)</script> @acme down"
    row = runtime.store.add(IncidentRow(
        brand="Acme", signal="outage", started_at=T0, opened_at=T0, peak_rate=12.0, baseline_rate=1.0,
        evidence={"samples": [{"at": T0.isoformat(), "handle": "eve", "text": hostile, "url": None}],
                  "top_phrases": ["app down"], "series": [[T0.isoformat(), 3], [T0.isoformat(), 9]],
                  "recovery": {"mentions": 4, "samples": [{"at": T0.isoformat(), "handle": "bo", "url": None,
                                                           "text": "<b>back</b> up now"}]}}))
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
    assert "Saying it works again (4)" in html and "@bo: &lt;b&gt;back&lt;/b&gt; up now" in html
    assert (await client.get("/incidents/999")).status == 404
    assert (await client.get("/incidents/abc")).status == 404
    summary = await (await client.get("/api/summary")).json()
    assert summary["incidents"][0]["id"] == row.id and summary["status_posts"][0]["incident"] == row.id
    assert (await (await client.get("/healthz")).json())["ok"] is True


def test_sparkline_scales() -> None:
    svg = sparkline([("a", 0), ("b", 10)], width=100, height=50)
    assert 'points="0.0,48.0 100.0,2.0"' in svg


async def test_incident_page_shows_each_target_and_channel(aiohttp_client: Any, store_url: str, tmp_path: Any
                                                           ) -> None:
    settings = parse_settings({"brands": [{"name": "Acme"}]})
    runtime = build_runtime(settings, SimulatedClock(T0), store_url=store_url,
                            alert_urls=[f"oncall://?path={tmp_path / 'a.log'}&console=no"])
    row = runtime.store.add(IncidentRow(brand="Acme", signal="outage", started_at=T0, opened_at=T0))
    runtime.store.add(AlertRow(
        incident_id=row.id, kind="open", at=T0, title="Acme outage", body="b", attempts=2, status="pending",
        error="json://hook.example/x: HTTP 503 <busy>", next_attempt_at=T0 + timedelta(minutes=1),
        targets={"oncall://log": {"ok": True, "attempts": 1, "error": None},
                 "json://hook.example/x": {"ok": False, "attempts": 2, "error": "HTTP 503 <busy>"}}))
    post = runtime.store.add(StatusPostRow(incident_id=row.id, phase="investigating", lang="en", text="t",
                                           created_at=T0, state="approved"))
    delivery = runtime.store.add(DeliveryRow(
        post_id=post.id, incident_id=row.id, channel="x-main", network="x", key="k1", state="sending",
        parts=["a [1/2]", "b [2/2]"], attempts=1, error="x-main: HTTP 429: Too Many Requests", created_at=T0,
        next_attempt_at=T0 + timedelta(minutes=15)))
    runtime.store.add(DeliveryPartRow(delivery_id=delivery.id, index=0, state="sent", external_id="101",
                                      url="https://x.com/i/web/status/101", at=T0))
    runtime.store.add(DeliveryPartRow(delivery_id=delivery.id, index=1, state="sent", external_id="102",
                                      url="javascript:alert(1)", at=T0))
    client = await aiohttp_client(create_app(runtime))
    html = await (await client.get(f"/incidents/{row.id}")).text()
    assert "<code>oncall://log</code>: delivered (1 attempt)" in html
    assert "<code>json://hook.example/x</code>: not delivered (2 attempts): HTTP 503 &lt;busy&gt;" in html
    assert ('pending after 2 attempts; next try <time datetime="2026-03-02T14:01:00+00:00">2026-03-02 14:01:00 UTC'
            '</time>') in html
    assert "x-main: sending, 2/2 parts sent, 1 attempt: x-main: HTTP 429: Too Many Requests" in html
    assert 'href="https://x.com/i/web/status/101"' in html and "javascript:" not in html


def test_timestamps_read_as_utc_times_with_the_iso_form_kept_for_machines() -> None:
    assert when("2026-03-02T14:45:02.705000+00:00") == \
        '<time datetime="2026-03-02T14:45:02.705000+00:00">2026-03-02 14:45:02 UTC</time>'
    assert when("2026-03-02T15:45:02+01:00") == \
        '<time datetime="2026-03-02T14:45:02+00:00">2026-03-02 14:45:02 UTC</time>'
    assert when(datetime(2026, 3, 2, 14, 45)) == \
        '<time datetime="2026-03-02T14:45:00+00:00">2026-03-02 14:45:00 UTC</time>'  # naive, as databases give
    assert when(None) == "" and when("") == ""
    assert when("<b>soon</b>") == "&lt;b&gt;soon&lt;/b&gt;"


async def test_cockpit_lists_only_the_newest_draft_of_an_incident(aiohttp_client: Any, store_url: str,
                                                                  tmp_path: Any) -> None:
    settings = parse_settings({"brands": [{"name": "Acme"}]})
    runtime = build_runtime(settings, SimulatedClock(T0 + timedelta(hours=2)), store_url=store_url,
                            alert_urls=[f"oncall://?path={tmp_path / 'a.log'}&console=no"])
    row = runtime.store.add(IncidentRow(brand="Acme", signal="outage", started_at=T0, opened_at=T0,
                                        resolved_at=T0 + timedelta(hours=1)))
    old = runtime.store.add(StatusPostRow(incident_id=row.id, phase="investigating", lang="en",
                                          text="We are investigating", created_at=T0))
    new = runtime.store.add(StatusPostRow(incident_id=row.id, phase="resolved", lang="en", text="All fixed",
                                          created_at=T0 + timedelta(hours=1)))
    client = await aiohttp_client(create_app(runtime))
    page = await (await client.get("/")).text()
    assert "All fixed" in page and "We are investigating" not in page, "a superseded draft is not offered"
    assert '<time datetime="2026-03-02T14:00:00+00:00">2026-03-02 14:00:00 UTC</time>' in page
    assert "+00:00</td>" not in page, "no raw ISO timestamps in the table"
    summary = await (await client.get("/api/summary")).json()
    assert [p["id"] for p in summary["status_posts"]] == [new.id]
    assert runtime.store.get(StatusPostRow, old.id).state == "expired"


async def test_cockpit_links_each_advocate_to_their_profile(aiohttp_client: Any, store_url: str,
                                                            tmp_path: Any) -> None:
    from classifiers.base import Classification
    from monitor.mention import Author, Mention

    settings = parse_settings({"brands": [{"name": "Acme"}]})
    runtime = build_runtime(settings, SimulatedClock(T0 + timedelta(days=3)), store_url=store_url,
                            alert_urls=[f"oncall://?path={tmp_path / 'a.log'}&console=no"])
    praise = Classification("praise", "positive", "en")
    for day in (1, 2):
        runtime.store.save_batch([(Mention(f"p{day}", "bluesky", T0 + timedelta(days=day), "acme <3 you",
                                           Author("did:plc:x", "fan.bsky.social"), brand="Acme",
                                           url=f"https://bsky.app/profile/fan.bsky.social/post/{day}"),
                                   "Acme", praise)])
    client = await aiohttp_client(create_app(runtime))
    page = await (await client.get("/")).text()
    assert ('<a href="/person?source=bluesky&amp;id=did%3Aplc%3Ax">@fan.bsky.social</a> <a class="muted" '
            'href="https://bsky.app/profile/fan.bsky.social" rel="noopener noreferrer">profile</a>') in page
    assert "<td>bluesky</td>" in page and "<td>—</td>" in page and "acme &lt;3 you" in page
    assert 'href="https://bsky.app/profile/fan.bsky.social/post/' in page


def test_waits_read_in_minutes_hours_and_days() -> None:
    from monitor.web_templates import duration

    assert [duration(x) for x in (None, 0.4, 45, 60, 192, 1440, 3120, -3)] == [
        "", "0 min", "45 min", "1 h", "3 h 12 min", "1 d", "2 d 4 h", "0 min"]


async def test_cockpit_shows_who_waits_for_an_answer_and_how_fast_the_brand_answers(
        aiohttp_client: Any, store_url: str, tmp_path: Any) -> None:
    from classifiers.base import Classification
    from monitor.mention import Author, Mention

    settings = parse_settings({"brands": [{"name": "Acme", "handles": ["@AcmeHelp"]}]})
    now = T0 + timedelta(hours=5)
    runtime = build_runtime(settings, SimulatedClock(now), store_url=store_url,
                            alert_urls=[f"oncall://?path={tmp_path / 'a.log'}&console=no"])
    rows = [("1", "bob", 192, "complaint", None, "my <order> never came"),
            ("2", "carol", 100, "question", None, "how do I reset my password?"),
            ("3", "AcmeHelp", 70, "other", "2", "@carol here is how ^Dina")]
    for ident, handle, ago, label, reply_to, text in rows:
        runtime.store.save_batch([(Mention(ident, "x", now - timedelta(minutes=ago), text, Author(handle, handle),
                                           url=f"https://x.com/{handle}/status/{ident}", in_reply_to=reply_to,
                                           brand="Acme"), "Acme", Classification(label, "neutral", "en"))])
    client = await aiohttp_client(create_app(runtime))
    page = await (await client.get("/")).text()
    assert "Acme: <b>1</b> person waiting, the longest for 3 h 12 min;" in page
    assert "Live, the last 3 hours" in page and page.count('<svg class="spark"') == 4  # one brand, four signals
    assert "1 answered in the last 48 h, median first answer 30 min (90% within 30 min), 100% within 1 h." in page
    assert '<a class="muted" href="https://x.com/bob" rel="noopener noreferrer">profile</a>' in page
    assert "my &lt;order&gt; never came" in page and "how do I reset" not in page
    agent_row = ("<td>Acme</td><td>Dina</td><td>1</td><td>1</td><td>1</td><td>30 min</td><td>0%</td>"
                 "<td>0</td><td>0</td><td>0</td>")
    assert agent_row in page
    summary = await (await client.get("/api/summary")).json()
    care = summary["care"]
    assert [w["handle"] for w in care["waiting"]] == ["bob"] and care["brands"][0]["median_minutes"] == 30.0
    assert [(a["agent"], a["replies"], a["median_minutes"]) for a in summary["agents"]] == [("Dina", 1, 30.0)]


async def test_person_page_shows_their_history_and_the_cockpit_links_to_it(aiohttp_client: Any, store_url: str,
                                                                           tmp_path: Any) -> None:
    from classifiers.base import Classification
    from monitor.mention import Author, Mention

    settings = parse_settings({"brands": [{"name": "Acme", "handles": ["@AcmeHelp"]}]})
    runtime = build_runtime(settings, SimulatedClock(T0 + timedelta(hours=2)), store_url=store_url,
                            alert_urls=[f"oncall://?path={tmp_path / 'a.log'}&console=no"])
    who = Author("https://m.example/@ann", "ann@m.example")
    runtime.store.save_batch([(Mention("https://m.example/s/1", "mastodon", T0, "acme <b>broke</b> my order", who,
                                       brand="Acme"), "Acme", Classification("complaint", "negative", "en"))])
    client = await aiohttp_client(create_app(runtime))
    cockpit = await (await client.get("/")).text()
    link = "/person?source=mastodon&amp;id=https%3A%2F%2Fm.example%2F%40ann"
    assert f'<a href="{link}">@ann@m.example</a>' in cockpit
    response = await client.get(link.replace("&amp;", "&"))
    page = await response.text()
    assert response.status == 200 and "@ann@m.example" in page and "acme &lt;b&gt;broke&lt;/b&gt; my order" in page
    assert 'href="https://m.example/@ann"' in page and "complaint: 1" in page
    data = await (await client.get("/api/person", params={"source": "mastodon", "id": "https://m.example/@ann"})).json()
    assert data["handle"] == "ann@m.example" and data["entries"][0]["label"] == "complaint"
    assert (await client.get("/person?source=x&id=nobody")).status == 404
    assert (await client.get("/person")).status == 404
