"""Status posts end to end: a drill's drafts, approved on the web page, published to a local X once, across a kill.

One chain per client: an HTTP client against the real daemon process (killed with SIGKILL after the approval
and started again), and headless Chromium against the dashboard with a screenshot saved by the test.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import shutil
import signal
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from alerts.drafts import lint
from monitor.app import build_runtime
from monitor.clock import SystemClock
from monitor.drill import run_drill
from monitor.models import AuditRow, DeliveryRow, StatusPostRow
from monitor.settings import Settings, load_settings
from monitor.simulate import generate, write_jsonl
from monitor.store import Store
from monitor.web import create_app
from tests.conftest import ROOT
from tests.fake_x_api import FakeXApi
from tests.test_browser import CHROMEDRIVER, CHROMIUM, chromedriver, free_port, png_size

pytestmark = pytest.mark.slow
PASSWORDS = {"editor": "editor-pass-1", "approver": "approver-pass-2"}
SIGNATURE = "^Acme Care"
MORE = {  # what the comms agent adds to the all-clear: long enough for a thread of three on X
    "en": "If a payment failed during the disruption, you were not charged twice: any duplicate charge is "
          "reversed automatically within 24 hours, with no action needed on your side. If you still see a "
          "problem, reply here or write to our support team and we will look into it with you. We will publish "
          "a full account of what went wrong, and what we are changing so that it does not happen again, on our "
          "status page this week. Thank you again to everyone who reported the problem so quickly.",
    "it": "Se un pagamento non è andato a buon fine durante il disservizio, non vi è stato addebitato due volte: "
          "eventuali addebiti doppi vengono stornati automaticamente entro 24 ore, senza bisogno di fare nulla. "
          "Se vedete ancora un problema, rispondete qui o scrivete al nostro supporto e lo esamineremo insieme. "
          "Pubblicheremo questa settimana sulla pagina di stato un resoconto completo di cosa è successo e di cosa "
          "cambiamo perché non si ripeta. Grazie ancora a chi ci ha segnalato il problema così in fretta.",
}


def audience_language(path: Path, outage: dict[str, Any], allowed: list[str]) -> str:
    """The language most people use in the scenario's mentions of the brand during its outage (ground truth)."""
    start, end = datetime.fromisoformat(outage["start"]), datetime.fromisoformat(outage["end"])
    langs: Counter[str] = Counter()
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            if item.get("brand") == outage["brand"] and item.get("lang") in allowed \
                    and start <= datetime.fromisoformat(item["created_at"]) <= end:
                langs[item["lang"]] += 1
    return langs.most_common(1)[0][0]


@pytest.fixture(scope="module")
def drilled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run the drill once on the outage scenario; the tests copy its database."""
    folder = tmp_path_factory.mktemp("drill")
    path = folder / "outage.jsonl"
    write_jsonl(generate("outage", seed=1), path)
    truth = json.loads(Path(str(path) + ".truth.json").read_text())
    outage = next(e for e in truth["events"] if e["kind"] == "outage")
    settings = load_settings(ROOT / "config" / "demo.toml")
    report = asyncio.run(run_drill(settings, path, db_url=f"sqlite:///{folder / 'drill.db'}",
                                   alert_urls=[f"oncall://?path={folder / 'alerts.log'}&console=no"], progress=False))
    brand = settings.brand(outage["brand"])
    incident = next(i for i in report["incidents"] if i["brand"] == brand.name and i["signal"] == "outage")
    posts = [p for p in report["status_posts"] if p["incident"] == incident["id"]]
    return {"db": folder / "drill.db", "posts": posts, "brand": brand,
            "lang": audience_language(path, outage, brand.languages)}


def daemon_settings(tmp_path: Path, db: Path, x_base: str, port: int) -> Path:
    """The daemon's config: the demo brands, the drill's database, logins, and an X channel at the local fake."""
    demo = (ROOT / "config" / "demo.toml").read_text(encoding="utf-8")
    brands = demo[:demo.index("[[sources]]")]
    path = tmp_path / "monitor.toml"
    path.write_text(f"""{brands}
[store]
url = "sqlite:///{db}"

[alerts]
urls = ["oncall://?path={tmp_path / 'alerts.log'}&console=no"]

[status_posts]
signature = "{SIGNATURE}"

[[status_posts.channels]]
type = "x"
name = "x-acme"
brands = ["Acme"]
api_base = "{x_base}"
consumer_key = "ck-123"
consumer_secret = "cs"
access_token = "at"
access_token_secret = "ats"

[web]
host = "127.0.0.1"
port = {port}
session_secret = "{'k' * 32}"

[[web.users]]
name = "editor"
role = "agent"
password_env = "TEST_EDITOR_PASSWORD"

[[web.users]]
name = "approver"
role = "approver"
password_env = "TEST_APPROVER_PASSWORD"
""", encoding="utf-8")
    return path


def check_drafts(drilled: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """The drill's drafts are in the audience's language and pass the linter; return the one to approve."""
    posts = drilled["posts"]
    assert posts[0]["phase"] == "investigating" and posts[-1]["phase"] == "resolved"
    for post in posts:
        assert post["lang"] == drilled["lang"], (post["lang"], drilled["lang"])
        assert post["problems"] == []
        assert lint(post["text"], post["lang"], settings.status_posts, drilled["brand"], phase=post["phase"]) == []
    return posts[-1]  # the newest draft: the earlier ones are superseded by it


def longer(text: str, lang: str) -> str:
    """The draft with the agent's additions before the signature."""
    return f"{text.removesuffix(SIGNATURE).rstrip()} {MORE[lang]} {SIGNATURE}"


def chained(fake: FakeXApi) -> bool:
    """Every tweet after the first replies to the one before it."""
    ids = [t["id"] for t in fake.tweets]
    return [t["in_reply_to"] for t in fake.tweets] == [None, *ids[:-1]]


async def until(condition: Any, seconds: float = 60.0) -> None:
    """Wait (wall clock: another process or a browser is at work) until the condition holds."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not await condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.1)


async def form_token(http: aiohttp.ClientSession, url: str) -> str:
    """The CSRF token of a page's forms."""
    html = await (await http.get(url)).text()
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


async def start_daemon(config: Path, tmp_path: Path, name: str) -> asyncio.subprocess.Process:
    """`run_monitor.py run` as its own process, logging to a file in the test's folder."""
    env = {**os.environ, "TEST_EDITOR_PASSWORD": PASSWORDS["editor"], "TEST_APPROVER_PASSWORD": PASSWORDS["approver"]}
    log = (tmp_path / f"{name}.log").open("wb")
    try:
        return await asyncio.create_subprocess_exec(
            sys.executable, str(ROOT / "run_monitor.py"), "run", "--config", str(config), cwd=str(tmp_path),
            env=env, stdout=log, stderr=log)
    finally:
        log.close()


async def test_drill_draft_approved_over_http_is_published_once_across_a_kill(
        drilled: dict[str, Any], tmp_path: Path, aiohttp_server: Any) -> None:
    fake = FakeXApi()
    x_base = f"http://127.0.0.1:{(await aiohttp_server(fake.app())).port}"
    db = tmp_path / "monitor.db"
    shutil.copy(drilled["db"], db)
    port = free_port()
    config = daemon_settings(tmp_path, db, x_base, port)
    draft = check_drafts(drilled, load_settings(config))
    post_id, lang = draft["id"], draft["lang"]
    site = f"http://127.0.0.1:{port}"
    store = Store(f"sqlite:///{db}")

    def state() -> str:
        return str(store.get(StatusPostRow, post_id).state)

    first = await start_daemon(config, tmp_path, "first")
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            async def up() -> bool:
                try:
                    return (await http.get(f"{site}/healthz")).status == 200
                except aiohttp.ClientError:
                    return False
            await until(up)
            same_site = {"Origin": site}
            anonymous = await http.post(f"{site}/posts/{post_id}/approve", data={"csrf_token": "x"},
                                        headers=same_site, allow_redirects=False)
            assert anonymous.status == 403 and state() == "pending_approval"

            login = await http.post(f"{site}/login", data={"name": "editor", "password": PASSWORDS["editor"]},
                                    headers=same_site, allow_redirects=False)
            assert login.status == 303
            listing = await (await http.get(f"{site}/posts")).text()
            assert f"/posts/{post_id}" in listing
            edited = longer(draft["text"], lang)
            saved = await http.post(f"{site}/posts/{post_id}/edit", headers=same_site, allow_redirects=False, data={
                "csrf_token": await form_token(http, f"{site}/posts/{post_id}"), "text": edited, "revision": "0"})
            assert saved.status == 303
            page = await (await http.get(f"{site}/posts/{post_id}")).text()
            assert 'id="problems"' not in page and "no problems" in page  # the edit was linted again: clean
            await http.post(f"{site}/logout", headers=same_site,
                            data={"csrf_token": await form_token(http, f"{site}/posts")})

            login = await http.post(f"{site}/login", data={"name": "approver", "password": PASSWORDS["approver"]},
                                    headers=same_site, allow_redirects=False)
            assert login.status == 303
            token = await form_token(http, f"{site}/posts/{post_id}")
            for hostile in ({"Origin": "https://evil.example"}, {"Referer": "https://evil.example/page"}, {}):
                refused = await http.post(f"{site}/posts/{post_id}/approve", headers=hostile, allow_redirects=False,
                                          data={"csrf_token": token, "revision": "1"})
                assert refused.status == 403, hostile
            without_token = await http.post(f"{site}/posts/{post_id}/approve", headers=same_site,
                                            data={"revision": "1"}, allow_redirects=False)
            assert without_token.status == 403 and state() == "pending_approval" and fake.tweets == []

            fake.script.hold(2, after=True)  # part 2 reaches X, its answer never comes back: then the kill
            approved = await http.post(f"{site}/posts/{post_id}/approve", headers=same_site, allow_redirects=False,
                                       data={"csrf_token": token, "revision": "1"})
            assert approved.status == 303 and approved.headers["Location"].endswith("done=approved")
        await asyncio.wait_for(fake.script.held.wait(), 60)
    finally:
        first.send_signal(signal.SIGKILL)
        await first.wait()
    fake.script.release.set()
    await until(lambda: _true(len(fake.tweets) == 2))
    assert state() == "approved"

    second = await start_daemon(config, tmp_path, "second")
    try:
        await until(lambda: _true(state() == "published"))
    finally:
        second.send_signal(signal.SIGTERM)
        await asyncio.wait_for(second.wait(), 30)
    delivery = store.all(DeliveryRow)[0]
    assert len(delivery.parts) >= 3 and [t["text"] for t in fake.tweets] == delivery.parts  # each part once
    assert chained(fake) and " ".join(p.rsplit(" [", 1)[0] for p in delivery.parts) == edited
    assert fake.bad_signatures == 0
    actions = [(r.actor, r.action) for r in store.all(AuditRow, order=AuditRow.id)]
    assert ("editor", "edit") in actions and ("approver", "approve") in actions
    store.close()


async def _true(value: bool) -> bool:
    return value


@pytest.mark.skipif(not (CHROMIUM.exists() or shutil.which("chromium")) or not (
    CHROMEDRIVER.exists() or shutil.which("chromedriver")), reason="needs chromium and chromium-driver")
async def test_drill_draft_approved_in_headless_chromium_goes_to_x_as_a_thread(
        drilled: dict[str, Any], tmp_path: Path, aiohttp_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeXApi()
    x_base = f"http://127.0.0.1:{(await aiohttp_server(fake.app())).port}"
    db = tmp_path / "monitor.db"
    shutil.copy(drilled["db"], db)
    port = free_port()
    monkeypatch.setenv("TEST_EDITOR_PASSWORD", PASSWORDS["editor"])
    monkeypatch.setenv("TEST_APPROVER_PASSWORD", PASSWORDS["approver"])
    settings = load_settings(daemon_settings(tmp_path, db, x_base, port))
    draft = check_drafts(drilled, settings)
    post_id, lang = draft["id"], draft["lang"]
    runtime = build_runtime(settings, SystemClock())
    assert runtime.outbox is not None
    await runtime.outbox.start()
    runner = web.AppRunner(create_app(runtime))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    base = f"http://127.0.0.1:{port}"
    edited = longer(draft["text"], lang)
    try:
        async with chromedriver(tmp_path) as driver:
            await driver.sign_in(f"{base}/posts/{post_id}", "editor", PASSWORDS["editor"])
            box = await driver.find("#edit-text")
            await driver.call("POST", f"/element/{box}/clear", {})
            await driver.type("#edit-text", edited)
            await driver.click("#save")
            assert "Saved" in await driver.text("#notice") and "revision 1" in await driver.text("#state-line")
            assert "no problems" in await driver.text("body")
            await driver.click("#logout")

            async def logged_out() -> bool:  # the logout has landed before we go on
                return "done=out" in await driver.call("GET", "/url")
            await until(logged_out, 30)
            await driver.sign_in(f"{base}/login?next=/posts/{post_id}", "approver", PASSWORDS["approver"])
            assert "revision 1 by editor" in await driver.text("#state-line")  # who wrote the text is shown
            assert (await driver.call("GET", "/url")).endswith(f"/posts/{post_id}")
            await driver.click("#approve")
            assert "Approved" in await driver.text("#notice")
            await until(lambda: _true(runtime.store.get(StatusPostRow, post_id).state == "published"))
            await driver.call("POST", "/url", {"url": f"{base}/incidents/{draft['incident']}"})
            assert "x-acme: published" in await driver.text("body")
            shot = base64.b64decode(await driver.call("GET", "/screenshot"))
    finally:
        await runner.cleanup()
        await runtime.outbox.stop()
        runtime.store.close()
    path = tmp_path / "published.png"
    path.write_bytes(shot)
    width, height = png_size(path.read_bytes())
    assert width >= 800 and height >= 600 and path.stat().st_size > 5_000
    texts = [t["text"] for t in fake.tweets]
    assert len(texts) >= 3 and texts[0].endswith(f"[1/{len(texts)}]") and chained(fake)
    assert " ".join(t.rsplit(" [", 1)[0] for t in texts) == edited
