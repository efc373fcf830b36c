"""A local Mastodon server: SSE streaming (hashtag, public), tag and public timelines with min_id, instance info."""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BASE_ID = 113_000_000_000_000_000
TOKEN = "mastodon-token-123"


def status(n: int, html: str, acct: str = "sam", host: str = "social.example", language: str | None = "en",
           reblog: dict[str, Any] | None = None, reply_to: int | None = None, spoiler: str = "") -> dict[str, Any]:
    """A status entity as the REST and streaming APIs send it."""
    sid = str(BASE_ID + n)
    return {
        "id": sid, "created_at": f"2026-03-02T14:{n % 60:02d}:00.000Z",
        "in_reply_to_id": str(BASE_ID + reply_to) if reply_to else None, "in_reply_to_account_id": None,
        "sensitive": bool(spoiler), "spoiler_text": spoiler, "visibility": "public", "language": language,
        "uri": f"https://{host}/users/{acct}/statuses/{sid}", "url": f"https://{host}/@{acct}/{sid}",
        "replies_count": 0, "reblogs_count": 0, "favourites_count": 0, "edited_at": None,
        "content": "" if reblog else html, "reblog": reblog, "application": None,
        "account": {"id": str(100 + len(acct)), "username": acct.split("@")[0], "acct": acct,
                    "display_name": acct.title(), "locked": False, "bot": False,
                    "url": f"https://{host}/@{acct}", "followers_count": 12, "following_count": 3,
                    "statuses_count": 40},
        "media_attachments": [], "mentions": [], "tags": [], "emojis": [], "card": None, "poll": None,
    }


@dataclass
class Push:
    """What one streaming connection does: refuse with `status`, or send `events` then 'drop' or 'hold'.

    Statuses sent are in the timeline too; `missed` join the timeline when the connection drops.
    """

    status: int = 200
    events: list[tuple[str, str]] = field(default_factory=list)
    then: str = "hold"
    missed: list[dict[str, Any]] = field(default_factory=list)


def update(entity: dict[str, Any]) -> tuple[str, str]:
    """An `update` event carrying a status."""
    return ("update", json.dumps(entity))


@dataclass
class FakeMastodon:
    """Timelines hold statuses (ascending ids); each streaming connection follows `pushes` in order."""

    host: str = "social.example"
    timeline: list[dict[str, Any]] = field(default_factory=list)
    pushes: list[Push] = field(default_factory=list)
    streams: list[str] = field(default_factory=list)
    polls: list[dict[str, str]] = field(default_factory=list)
    limited: int = 0
    reset_at: str = ""
    untagged: list[dict[str, Any]] = field(default_factory=list)  # only a search finds these
    searches: list[dict[str, str]] = field(default_factory=list)

    def app(self) -> web.Application:
        """The aiohttp application."""
        app = web.Application()
        app.router.add_get("/api/v1/streaming/hashtag", self.stream)
        app.router.add_get("/api/v1/streaming/public", self.stream)
        app.router.add_get("/api/v1/timelines/tag/{tag}", self.poll)
        app.router.add_get("/api/v1/timelines/public", self.poll)
        app.router.add_get("/api/v1/instance", self.instance)
        app.router.add_get("/api/v1/accounts/verify_credentials", self.verify)
        app.router.add_get("/api/v2/search", self.search)
        return app

    async def search(self, request: web.Request) -> web.Response:
        """GET /api/v2/search?q=&type=statuses: logged-in users only; statuses holding q, newest first."""
        self.searches.append(dict(request.query))
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.json_response({"error": "Search queries require a logged-in user"}, status=401)
        if self.limited > 0:
            self.limited -= 1
            return web.json_response({"error": "Too many requests"}, status=429, headers={
                "X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": self.reset_at})
        query, min_id = request.query.get("q", "").lower(), request.query.get("min_id")
        found = sorted((s for s in [*self.timeline, *self.untagged] if query and query in s["content"].lower()),
                       key=lambda s: int(s["id"]))
        if min_id:
            found = [s for s in found if int(s["id"]) > int(min_id)]
        limit = int(request.query.get("limit", "20"))
        page = found[:limit] if min_id else found[-limit:]
        statuses = list(reversed(page)) if request.query.get("type", "statuses") == "statuses" else []
        return web.json_response({"accounts": [], "statuses": statuses, "hashtags": []})

    async def stream(self, request: web.Request) -> web.StreamResponse:
        """Server-sent events: a heartbeat comment, then this connection's events."""
        self.streams.append(request.path_qs)
        push = self.pushes[len(self.streams) - 1] if len(self.streams) <= len(self.pushes) else Push()
        if push.status != 200:
            return web.json_response({"error": "This method requires an authenticated user"}, status=push.status)
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
        await resp.prepare(request)
        await resp.write(b":)\n\n")
        for event, data in push.events:
            with contextlib.suppress(ValueError):
                entity = json.loads(data)
                if event == "update" and entity not in self.timeline:
                    self.timeline.append(entity)
            await resp.write(f"event: {event}\ndata: {data}\n\n".encode())
            await resp.write(b":thump\n\n")
        if push.then == "drop":
            self.timeline.extend(push.missed)
            assert request.transport is not None
            request.transport.close()
            return resp
        while request.transport is not None and not request.transport.is_closing():
            await resp.write(b":thump\n\n")
            await asyncio.sleep(0.05)
        return resp

    async def poll(self, request: web.Request) -> web.Response:
        """min_id: the `limit` statuses just newer than it; otherwise the newest; always newest first."""
        self.polls.append(dict(request.query))
        if self.limited > 0:
            self.limited -= 1
            return web.json_response({"error": "Too many requests"}, status=429, headers={
                "X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": self.reset_at})
        limit = int(request.query.get("limit", "20"))
        min_id = request.query.get("min_id")
        ordered = sorted(self.timeline, key=lambda s: int(s["id"]))
        page = [s for s in ordered if int(s["id"]) > int(min_id)][:limit] if min_id else ordered[-limit:]
        return web.json_response(list(reversed(page)))

    async def instance(self, request: web.Request) -> web.Response:
        """Instance information (v1)."""
        return web.json_response({"uri": self.host, "title": "Fake social", "version": "4.3.0"})

    async def verify(self, request: web.Request) -> web.Response:
        """The token's account, or 401."""
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.json_response({"error": "The access token is invalid"}, status=401)
        return web.json_response({"id": "1", "username": "monitor", "acct": "monitor"})
