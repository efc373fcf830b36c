"""Shared fixtures and helpers: data paths, fresh stores, a local json:// target, fake networks, waiting."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from tests.outbox_common import net  # noqa: F401  (a fixture: the outbox tests' fake networks)

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


def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database on 127.0.0.1:5432, dropped afterwards (skipped with the reason when none answers)."""
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test", autocommit=True,
                                connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable on 127.0.0.1:5432 ({exc})")
    name = f"monitor_{uuid.uuid4().hex[:10]}"
    admin.execute(f"CREATE DATABASE {name}")
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
        admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, store_url: str) -> Iterator[str]:
    """The test on SQLite, then on PostgreSQL (skipped with the reason when no server answers)."""
    if request.param == "sqlite":
        yield store_url
    else:
        yield from postgres_url()


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


async def until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    """Let the event loop run until the condition holds (or fail after `seconds` of wall time)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached"
        await asyncio.sleep(0.01)
