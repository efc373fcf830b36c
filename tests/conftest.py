"""Shared fixtures: paths to the shared data, a fresh SQLite store, a local Apprise json:// target."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def need_shared(*parts: str) -> Path:
    """Return a path under ../shared, or skip the test with the reason."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared data folder only exists on development machines")
    return path


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    """A new SQLite database in the test's folder."""
    return f"sqlite:///{tmp_path / 'test.db'}"


class HookRecorder:
    """What a local JSON webhook received, and how it should answer."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.fail_next = 0

    async def handle(self, request: web.Request) -> web.Response:
        """Record the POSTed JSON; fail with 503 while `fail_next` > 0."""
        if self.fail_next > 0:
            self.fail_next -= 1
            return web.Response(status=503, text="busy")
        self.received.append(await request.json())
        return web.Response(text="ok")


@pytest.fixture
async def hook(aiohttp_server: Any) -> tuple[HookRecorder, str]:
    """A real local HTTP server speaking what Apprise's json:// sends; returns the recorder and URL."""
    recorder = HookRecorder()
    app = web.Application()
    app.router.add_post("/hook", recorder.handle)
    server = await aiohttp_server(app)
    return recorder, f"json://127.0.0.1:{server.port}/hook"
