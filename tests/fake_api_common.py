"""Shared by the fake network APIs: scripted failures for the next requests, and a gate that holds one request."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web


class Script:
    """Failures to answer the next create requests with, and which create request to hold (a crash window)."""

    def __init__(self) -> None:
        self.failures: list[tuple[int, Any, dict[str, str]]] = []
        self.attempts = 0
        self.hold_at: int | None = None
        self.hold_after = False
        self.held = asyncio.Event()
        self.release = asyncio.Event()

    def fail(self, status: int, body: Any, headers: dict[str, str] | None = None, times: int = 1) -> None:
        """Answer the next `times` create requests with this status, body and headers."""
        self.failures += [(status, body, headers or {})] * times

    def hold(self, nth: int, after: bool) -> None:
        """Hold the nth create request: before it is processed (it never will be) or after (its answer is lost)."""
        self.hold_at, self.hold_after = nth, after

    def failure(self) -> web.Response | None:
        """The next scripted failure, if any."""
        if not self.failures:
            return None
        status, body, headers = self.failures.pop(0)
        text = body if isinstance(body, str) else json.dumps(body)
        ctype = "text/html" if isinstance(body, str) else "application/json"
        return web.Response(status=status, text=text, headers=headers, content_type=ctype)

    async def before(self) -> bool:
        """Count a create request; False means: held before processing, drop it."""
        self.attempts += 1
        if self.hold_at == self.attempts and not self.hold_after:
            self.held.set()
            await self.release.wait()
            return False
        return True

    async def after(self) -> None:
        """Hold after processing when asked, so the answer never reaches the client."""
        if self.hold_at == self.attempts and self.hold_after:
            self.held.set()
            await self.release.wait()
