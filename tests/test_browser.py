"""Headless Chromium, driven over the W3C WebDriver protocol: log in, approve a draft, save a screenshot."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import shutil
import socket
import struct
import subprocess
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from monitor.app import build_runtime
from monitor.clock import SimulatedClock
from monitor.models import AuditRow, IncidentRow, StatusPostRow
from monitor.web import create_app
from tests.test_web_approval import HOSTILE, PASSWORDS, TEXT, RecordingOutbox, settings_with

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
         "--window-size=1280,900"]
T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (CHROMIUM.exists() or shutil.which("chromium")) or not (
        CHROMEDRIVER.exists() or shutil.which("chromedriver")),
        reason="headless browser test needs Debian's chromium and chromium-driver "
               "(apt-get install -y chromium chromium-driver)"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class WebDriver:
    """The few W3C WebDriver commands the test needs, spoken with aiohttp."""

    def __init__(self, http: aiohttp.ClientSession, base: str) -> None:
        self.http, self.base, self.session = http, base, ""

    async def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        url = f"{self.base}/session/{self.session}{path}" if self.session else f"{self.base}{path}"
        async with self.http.request(method, url, json=body if method == "POST" else None,
                                     timeout=aiohttp.ClientTimeout(total=60)) as response:
            data = await response.json()
            if response.status != 200:
                raise AssertionError(f"WebDriver {method} {path}: {response.status} {data}")
            return data["value"]

    async def start(self, user_data: Path) -> None:
        options = {"binary": str(CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")),
                   "args": [*FLAGS, f"--user-data-dir={user_data}"]}
        value = await self.call("POST", "/session", {"capabilities": {"alwaysMatch": {
            "browserName": "chrome", "goog:chromeOptions": options}}})
        self.session = value["sessionId"]
        # element lookups wait for the next page after a click that submits a form
        await self.call("POST", "/timeouts", {"implicit": 15_000, "pageLoad": 30_000})

    async def find(self, css: str) -> str:
        found = await self.call("POST", "/element", {"using": "css selector", "value": css})
        assert ELEMENT in found, found
        return str(found[ELEMENT])

    async def type(self, css: str, text: str) -> None:
        await self.call("POST", f"/element/{await self.find(css)}/value", {"text": text})

    async def click(self, css: str) -> None:
        await self.call("POST", f"/element/{await self.find(css)}/click", {})

    async def text(self, css: str) -> str:
        return str(await self.call("GET", f"/element/{await self.find(css)}/text"))

    async def sign_in(self, url: str, name: str, password: str) -> None:
        """Open a page that needs login, check it sends to /login, and sign in there."""
        await self.call("POST", "/url", {"url": url})
        assert "/login" in await self.call("GET", "/url")
        await self.type("#name", name)
        await self.type("#password", password)
        await self.click("#login")


@contextlib.asynccontextmanager
async def chromedriver(tmp_path: Path) -> AsyncIterator[WebDriver]:
    """Run chromedriver on a free local port and open one headless Chromium session."""
    port = free_port()
    binary = str(CHROMEDRIVER if CHROMEDRIVER.exists() else shutil.which("chromedriver"))
    log = (tmp_path / "chromedriver.log").open("wb")
    process = subprocess.Popen([binary, f"--port={port}", "--allowed-ips=127.0.0.1"], stdout=log, stderr=log)
    try:
        async with aiohttp.ClientSession() as http:
            driver = WebDriver(http, f"http://127.0.0.1:{port}")
            for _ in range(200):  # wait for chromedriver to listen (up to 20 s)
                with contextlib.suppress(aiohttp.ClientError):
                    if (await driver.call("GET", "/status")).get("ready"):
                        break
                await asyncio.sleep(0.1)
            await driver.start(tmp_path / "profile")
            try:
                yield driver
            finally:
                with contextlib.suppress(Exception):
                    await driver.call("DELETE", "")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, after checking its signature and header chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


async def test_login_and_approve_in_headless_chromium(tmp_path: Path, store_url: str) -> None:
    runtime = build_runtime(settings_with(), SimulatedClock(T0), store_url=store_url,
                            alert_urls=[f"oncall://?path={tmp_path / 'a.log'}&console=no"])
    incident = runtime.store.add(IncidentRow(
        brand="Acme", signal="outage", started_at=T0, opened_at=T0,
        evidence={"samples": [{"at": T0.isoformat(), "handle": "eve", "text": HOSTILE, "url": None}]}))
    post = runtime.store.add(StatusPostRow(incident_id=incident.id, phase="investigating", lang="en", text=TEXT,
                                           created_at=T0, problems=["too long for Bluesky (example)"]))
    runtime.outbox = RecordingOutbox(runtime)  # type: ignore[attr-defined]
    runner = web.AppRunner(create_app(runtime))
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    base = f"http://127.0.0.1:{port}"
    try:
        async with chromedriver(tmp_path) as driver:
            await driver.sign_in(f"{base}/posts/{post.id}", "bob", PASSWORDS["bob"])
            assert "too long for Bluesky" in await driver.text("#problems")
            assert (await driver.call("GET", "/url")).endswith(f"/posts/{post.id}")
            await driver.click("#approve")  # without ticking the override: refused, shown on the page
            assert "lint problems" in await driver.text("#error")
            assert runtime.store.get(StatusPostRow, post.id).state == "pending_approval"
            await driver.click("#override")
            await driver.click("#approve")
            assert "Approved" in await driver.text("#notice")
            shot = base64.b64decode(await driver.call("GET", "/screenshot"))
    finally:
        await runner.cleanup()
    path = tmp_path / "approved.png"
    path.write_bytes(shot)
    width, height = png_size(path.read_bytes())
    assert width >= 800 and height >= 600 and path.stat().st_size > 5_000
    row = runtime.store.get(StatusPostRow, post.id)
    assert row.state == "published" and runtime.outbox.wakes == 1  # type: ignore[attr-defined]
    actions = [(r.actor, r.action) for r in runtime.store.all(AuditRow, order=AuditRow.id)]
    assert actions == [("bob", "approve")]
