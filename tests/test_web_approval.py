"""The approval pages through a real HTTP client: login, CSRF and Origin checks, approve flow, escaping."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from monitor.app import Runtime, build_runtime
from monitor.auth import AUTH, COOKIE, Auth
from monitor.clock import SimulatedClock
from monitor.models import AuditRow, IncidentRow, StatusPostRow
from monitor.passwords import hash_password
from monitor.settings import ConfigError, parse_settings
from monitor.store import Store
from monitor.web import create_app

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
TEXT = "We are sorry: logging in to Acme fails for some of you. Details: https://status.acme.example ^Acme Care"
PASSWORDS = {"ann": "ann-pass-1", "bob": "bob-pass-2", "vic": "vic-pass-3"}
HOSTILE = "<script>alert('x')</script> @acme down"


class RecordingOutbox:
    """A small outbox: woken after an approval, it publishes approved posts (marks them) and counts wakes."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime, self.wakes = runtime, 0
        self.published: list[int] = []

    async def wake(self) -> None:
        """Publish every approved post once."""
        self.wakes += 1
        for post in await asyncio.to_thread(self.runtime.store.posts, "approved"):
            post.state = "published"
            await asyncio.to_thread(self.runtime.store.add, post)
            self.published.append(post.id)


def settings_with(users: bool = True, **approval: Any) -> Any:
    """Settings with an agent (ann), an approver (bob) and a viewer (vic), cheap hashes for speed."""
    roles = {"ann": "agent", "bob": "approver", "vic": "viewer"}
    web = {"users": [{"name": n, "role": roles[n], "password_hash": hash_password(p, n=2**10)}
                     for n, p in PASSWORDS.items()] if users else [], "session_secret": "s" * 32}
    return parse_settings({"brands": [{"name": "Acme", "status_page": "https://status.acme.example"}],
                           "status_posts": {"signature": "^Acme Care"}, "web": web, "approval": approval})


@pytest.fixture
async def env(aiohttp_client: Any, store_url: str, tmp_path: Path) -> dict[str, Any]:
    """A dashboard with one incident (a hostile sample) and one pending draft; a simulated auth clock."""
    settings = settings_with()
    seed = Store(store_url)  # the incident exists before the monitor starts, as after a restart
    incident = seed.add(IncidentRow(
        brand="Acme", signal="outage", started_at=T0, opened_at=T0,
        evidence={"samples": [{"at": T0.isoformat(), "handle": "eve", "text": HOSTILE, "url": None}]}))
    seed.close()
    runtime = build_runtime(settings, SimulatedClock(T0), store_url=store_url,
                            alert_urls=[f"oncall://?path={tmp_path / 'a.log'}&console=no"])
    post = runtime.store.add(StatusPostRow(incident_id=incident.id, phase="investigating", lang="en", text=TEXT,
                                           created_at=T0, problems=[]))
    runtime.outbox = RecordingOutbox(runtime)  # type: ignore[attr-defined]
    app = create_app(runtime)
    clock = SimulatedClock(T0)
    app[AUTH] = Auth(settings.web, clock)
    client = await aiohttp_client(app)
    origin = f"http://{client.host}:{client.port}"
    return {"client": client, "runtime": runtime, "post": post.id, "incident": incident.id, "origin": origin,
            "clock": clock}


async def login(env: dict[str, Any], name: str, password: str | None = None) -> Any:
    return await env["client"].post("/login", data={"name": name, "password": password or PASSWORDS[name],
                                                    "next": "/posts"},
                                    headers={"Origin": env["origin"]}, allow_redirects=False)


async def token(env: dict[str, Any], path: str) -> str:
    html = await (await env["client"].get(path)).text()
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def state(env: dict[str, Any]) -> str:
    return env["runtime"].store.get(StatusPostRow, env["post"]).state


def audit_rows(env: dict[str, Any]) -> list[AuditRow]:
    return env["runtime"].store.all(AuditRow, order=AuditRow.id)


async def test_pages_need_login(env: dict[str, Any]) -> None:
    client = env["client"]
    for path in ("/posts", f"/posts/{env['post']}", "/audit"):
        response = await client.get(path, allow_redirects=False)
        assert response.status == 303 and response.headers["Location"] == f"/login?next={path}"
    refused = await client.post(f"/posts/{env['post']}/approve", data={"csrf_token": "x"},
                                headers={"Origin": env["origin"]})
    assert refused.status == 403 and "log in first" in await refused.text()
    assert state(env) == "pending_approval" and audit_rows(env) == []
    assert (await client.get("/")).status == 200  # the cockpit stays readable


async def test_wrong_password_refused_and_login_rate_limited(env: dict[str, Any]) -> None:
    wrong = await login(env, "bob", "nope")
    assert wrong.status == 401 and "Wrong name or password" in await wrong.text() and COOKIE not in wrong.cookies
    unknown = await login(env, "nobody", "nope")
    assert unknown.status == 401
    for _ in range(3):
        await login(env, "bob", "nope")
    limited = await login(env, "bob")  # the right password, but five failures in the window
    assert limited.status == 429 and int(limited.headers["Retry-After"]) > 0
    assert COOKIE not in limited.cookies
    env["clock"].advance(16 * 60)
    ok = await login(env, "bob")
    assert ok.status == 303 and ok.headers["Location"] == "/posts"
    cookie = ok.cookies[COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/"


async def test_approval_without_token_or_from_another_site_is_refused(env: dict[str, Any]) -> None:
    client, url = env["client"], f"/posts/{env['post']}/approve"
    assert (await login(env, "bob")).status == 303
    good = await token(env, f"/posts/{env['post']}")
    attempts = [
        ({}, {"Origin": env["origin"]}),                                    # no token
        ({"csrf_token": "forged"}, {"Origin": env["origin"]}),              # wrong token
        ({"csrf_token": good}, {"Origin": "https://evil.example"}),         # foreign origin
        ({"csrf_token": good}, {"Referer": "https://evil.example/page"}),   # foreign referer
        ({"csrf_token": good}, {}),                                         # neither header
        ({"csrf_token": good}, {"Origin": "null"}),                         # opaque origin
    ]
    for data, headers in attempts:
        response = await client.post(url, data=data, headers=headers, allow_redirects=False)
        assert response.status == 403, (data, headers)
    assert state(env) == "pending_approval" and audit_rows(env) == []
    assert env["runtime"].outbox.wakes == 0
    referer = await client.post(url, data={"csrf_token": good}, headers={"Referer": env["origin"] + "/posts/1"},
                                allow_redirects=False)
    assert referer.status == 303 and state(env) == "published"


async def test_full_flow_edit_then_approve_wakes_the_outbox(env: dict[str, Any]) -> None:
    client, post = env["client"], env["post"]
    assert (await login(env, "ann")).status == 303
    page = await (await client.get(f"/posts/{post}")).text()
    assert 'id="approve"' not in page and 'id="save"' in page  # an agent edits but cannot approve
    edited = TEXT.replace("some of you", "customers in Italy")
    saved = await client.post(f"/posts/{post}/edit", data={"csrf_token": await token(env, f"/posts/{post}"),
                                                           "text": edited, "revision": "0"},
                              headers={"Origin": env["origin"]}, allow_redirects=False)
    assert saved.status == 303 and saved.headers["Location"] == f"/posts/{post}?done=edited"
    denied = await client.post(f"/posts/{post}/approve", data={"csrf_token": await token(env, f"/posts/{post}")},
                               headers={"Origin": env["origin"]})
    assert denied.status == 403 and "needs the approver role" in await denied.text()
    await client.post("/logout", data={"csrf_token": await token(env, "/posts")}, headers={"Origin": env["origin"]})
    assert (await client.get("/posts", allow_redirects=False)).status == 303

    assert (await login(env, "bob")).status == 303
    listing = await (await client.get("/posts")).text()
    assert "customers in Italy" in listing and "linter: no problems" in listing and "edited by ann" in listing
    approved = await client.post(f"/posts/{post}/approve", data={"csrf_token": await token(env, f"/posts/{post}"),
                                                                 "revision": "1"},
                                 headers={"Origin": env["origin"]}, allow_redirects=False)
    assert approved.status == 303 and approved.headers["Location"] == f"/posts/{post}?done=approved"
    assert env["runtime"].outbox.wakes == 1 and env["runtime"].outbox.published == [post]
    row = env["runtime"].store.get(StatusPostRow, post)
    assert row.state == "published" and row.text == edited
    rows = audit_rows(env)
    assert [(r.actor, r.action) for r in rows] == [("ann", "edit"), ("bob", "approve")]
    assert rows[0].before == TEXT and rows[0].after == edited and rows[1].detail == "step 1 of 1 (via web)"
    audit_page = await (await client.get("/audit")).text()
    assert "customers in Italy" in audit_page and "approve" in audit_page


async def test_self_approval_and_stale_form_refused_on_the_page(env: dict[str, Any]) -> None:
    client, post = env["client"], env["post"]
    assert (await login(env, "bob")).status == 303
    form_token = await token(env, f"/posts/{post}")
    await client.post(f"/posts/{post}/edit", data={"csrf_token": form_token, "text": TEXT + " Thanks.",
                                                   "revision": "0"}, headers={"Origin": env["origin"]})
    own = await client.post(f"/posts/{post}/approve", data={"csrf_token": form_token, "revision": "1"},
                            headers={"Origin": env["origin"]})
    assert own.status == 403 and "someone else must approve it" in await own.text()
    stale = await client.post(f"/posts/{post}/approve", data={"csrf_token": form_token, "revision": "0"},
                              headers={"Origin": env["origin"]})
    assert stale.status == 409 and state(env) == "pending_approval"


async def test_mention_and_draft_text_are_escaped(env: dict[str, Any]) -> None:
    client, post = env["client"], env["post"]
    assert (await login(env, "ann")).status == 303
    await client.post(f"/posts/{post}/edit", data={"csrf_token": await token(env, f"/posts/{post}"),
                                                   "text": HOSTILE, "revision": "0"}, headers={"Origin": env["origin"]})
    for path in ("/posts", f"/posts/{post}", "/audit", f"/incidents/{env['incident']}"):
        html = await (await client.get(path)).text()
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html and "<script>" not in html, path


async def test_acknowledge_from_the_incident_page(env: dict[str, Any], tmp_path: Path) -> None:
    client, incident = env["client"], env["incident"]
    assert (await login(env, "vic")).status == 303
    page = await (await client.get(f"/incidents/{incident}")).text()
    assert 'id="acknowledge"' not in page
    denied = await client.post(f"/incidents/{incident}/ack", data={"csrf_token": await token(env, "/posts")},
                               headers={"Origin": env["origin"]})
    assert denied.status == 403
    assert (await login(env, "ann")).status == 303
    form = await token(env, f"/incidents/{incident}")
    cross = await client.post(f"/incidents/{incident}/ack", data={"csrf_token": form},
                              headers={"Origin": "http://evil.example"})
    assert cross.status == 403 and env["runtime"].store.get(IncidentRow, incident).acknowledged_at is None
    done = await client.post(f"/incidents/{incident}/ack", data={"csrf_token": form},
                             headers={"Origin": env["origin"]}, allow_redirects=False)
    assert done.status == 303
    row = env["runtime"].store.get(IncidentRow, incident)
    assert row.acknowledged_by == "ann" and row.acknowledged_at is not None
    assert [(r.actor, r.action, r.incident_id) for r in audit_rows(env)] == [("ann", "acknowledge", incident)]
    assert "Acknowledged at" in await (await client.get(f"/incidents/{incident}")).text()
    assert "ann" in (tmp_path / "a.log").read_text(encoding="utf-8")  # on-call heard who is on it
    resolved = env["runtime"].store.add(IncidentRow(brand="Volta", signal="outage", state="resolved",
                                                    started_at=T0, opened_at=T0, resolved_at=T0))
    late = await client.post(f"/incidents/{resolved.id}/ack", data={"csrf_token": form},
                             headers={"Origin": env["origin"]})
    assert late.status == 409 and "nothing to acknowledge" in await late.text()
    assert (await client.post("/incidents/999/ack", data={"csrf_token": form},
                              headers={"Origin": env["origin"]})).status == 404


async def test_logout_revokes_the_session_and_next_is_local(env: dict[str, Any]) -> None:
    client = env["client"]
    response = await env["client"].post("/login", data={"name": "bob", "password": PASSWORDS["bob"],
                                                        "next": "//evil.example/x"},
                                        headers={"Origin": env["origin"]}, allow_redirects=False)
    assert response.headers["Location"] == "/posts"
    stolen = response.cookies[COOKIE].value
    await client.post("/logout", data={"csrf_token": await token(env, "/posts")}, headers={"Origin": env["origin"]})
    client.session.cookie_jar.update_cookies({COOKIE: stolen})
    assert (await client.get("/posts", allow_redirects=False)).status == 303
    auth = client.app[AUTH]
    assert auth.read(stolen) is None and auth.read(stolen + "x") is None and auth.read("a.b") is None
    env["clock"].advance(721 * 60)
    fresh = await login(env, "vic")
    assert auth.read(fresh.cookies[COOKIE].value) is not None
    env["clock"].advance(721 * 60)
    assert auth.read(fresh.cookies[COOKIE].value) is None  # expired


async def test_without_users_the_dashboard_is_read_only(aiohttp_client: Any, store_url: str, tmp_path: Path) -> None:
    runtime = build_runtime(settings_with(users=False), SimulatedClock(T0), store_url=store_url,
                            alert_urls=[f"oncall://?path={tmp_path / 'a.log'}&console=no"])
    client = await aiohttp_client(create_app(runtime))
    page = await (await client.get("/posts")).text()
    assert "read-only: no users are configured" in page
    origin = f"http://{client.host}:{client.port}"
    refused = await client.post("/login", data={"name": "bob", "password": "x"}, headers={"Origin": origin})
    assert refused.status == 403
    assert (await client.post("/posts/1/approve", data={}, headers={"Origin": origin})).status == 403


def test_user_config_errors_never_show_the_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    bad = "scrypt$3$8$1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"
    with pytest.raises(ConfigError) as caught:
        parse_settings({"web": {"users": [{"name": "bob", "role": "approver", "password_hash": bad}]}})
    assert "web.users[0]" in str(caught.value) and "power of two" in str(caught.value) and bad not in str(caught.value)
    with pytest.raises(ConfigError, match="exactly one of password_hash and password_env"):
        parse_settings({"web": {"users": [{"name": "bob"}]}})
    with pytest.raises(ConfigError, match="share a name"):
        parse_settings({"web": {"users": [{"name": "bob", "password_env": "A"}, {"name": "BOB", "password_env": "B"}]}})
    monkeypatch.delenv("DEMO_PW_UNSET", raising=False)
    monkeypatch.setenv("DEMO_PW_SET", "demo-secret")
    settings = parse_settings({"web": {"users": [{"name": "demo", "role": "admin", "password_env": "DEMO_PW_SET"},
                                                 {"name": "off", "password_env": "DEMO_PW_UNSET"}]}})
    auth = Auth(settings.web)
    assert auth.check_password("demo", "demo-secret") is not None and auth.check_password("demo", "x") is None
    assert auth.check_password("off", "") is None and "off" not in auth.users
