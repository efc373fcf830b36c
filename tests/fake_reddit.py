"""A local Reddit API: app-only OAuth, search and comment listings (Listing / t3 / t1), rate-limit headers."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web

CLIENT_ID, CLIENT_SECRET = "app-id", "app-secret"


def post(ident: str, title: str, at: datetime, sub: str = "technology", body: str = "", **more: Any
         ) -> dict[str, Any]:
    """A t3 thing as listings return it."""
    return {"kind": "t3", "data": {
        "id": ident, "name": f"t3_{ident}", "title": title, "selftext": body, "subreddit": sub,
        "author": f"user_{ident}", "author_fullname": f"t2_{ident}", "created_utc": at.timestamp(),
        "permalink": f"/r/{sub}/comments/{ident}/post/", "url": f"https://www.reddit.com/r/{sub}/comments/{ident}/",
        "score": 1, "num_comments": 0, "over_18": False, **more}}


def comment(ident: str, body: str, at: datetime, sub: str = "technology", parent: str = "t3_p1",
            author: str | None = None) -> dict[str, Any]:
    """A t1 thing as listings return it."""
    return {"kind": "t1", "data": {
        "id": ident, "name": f"t1_{ident}", "body": body, "subreddit": sub, "author": author or f"user_{ident}",
        "author_fullname": f"t2_c{ident}", "created_utc": at.timestamp(), "parent_id": parent, "link_id": "t3_p1",
        "permalink": f"/r/{sub}/comments/p1/post/{ident}/", "score": 1}}


@dataclass
class FakeReddit:
    """The server's state: posts, comments, credentials and faults to inject."""

    posts: list[dict[str, Any]] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)
    oauth: bool = False
    tokens_issued: int = 0
    expire_tokens: bool = False
    rate_limited: int = 0
    reset_seconds: int = 0
    fail: int = 0
    known_subs: set[str] | None = None
    requests: list[tuple[str, dict[str, str], str]] = field(default_factory=list)

    def app(self) -> web.Application:
        """The aiohttp application."""
        app = web.Application()
        app.router.add_post("/api/v1/access_token", self.handle_token)
        app.router.add_get("/search.json", self.handle_search)
        app.router.add_get("/r/{subs}/search.json", self.handle_search)
        app.router.add_get("/r/{subs}/comments.json", self.handle_comments)
        app.router.add_get("/user/{name}/comments.json", self.handle_user_comments)
        return app

    async def handle_token(self, request: web.Request) -> web.Response:
        """POST /api/v1/access_token with HTTP basic auth and grant_type=client_credentials."""
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        form = await request.post()
        if request.headers.get("Authorization") != expected or form.get("grant_type") != "client_credentials":
            return web.json_response({"message": "Unauthorized", "error": 401}, status=401)
        self.tokens_issued += 1
        return web.json_response({"access_token": f"tok-{self.tokens_issued}", "token_type": "bearer",
                                  "expires_in": 86400, "scope": "*"})

    def _limits(self, remaining: int = 99) -> dict[str, str]:
        return {"x-ratelimit-used": str(100 - remaining), "x-ratelimit-remaining": f"{remaining}.0",
                "x-ratelimit-reset": str(self.reset_seconds)}

    def _gate(self, request: web.Request) -> web.Response | None:
        self.requests.append((request.path, dict(request.query), request.headers.get("User-Agent", "")))
        if self.oauth:
            valid = f"bearer tok-{self.tokens_issued}"
            if not self.tokens_issued or request.headers.get("Authorization") != valid or self.expire_tokens:
                self.expire_tokens = False
                return web.json_response({"message": "Unauthorized", "error": 401}, status=401)
        if self.rate_limited > 0:
            self.rate_limited -= 1
            return web.Response(status=429, text="<html>Too Many Requests</html>", content_type="text/html",
                                headers=self._limits(0))
        subs = request.match_info.get("subs")
        if subs and self.known_subs is not None and not set(subs.lower().split("+")) <= self.known_subs:
            raise web.HTTPFound(f"/subreddits/search.json?q={subs}")
        if self.fail > 0:
            self.fail -= 1
            return web.json_response({"message": "Internal Server Error", "error": 500}, status=500)
        return None

    def _listing(self, request: web.Request, things: list[dict[str, Any]]) -> web.Response:
        """Newest first, `limit` per page, paged by the `after` fullname."""
        subs = request.match_info.get("subs")
        if subs:
            wanted = {s.lower() for s in subs.split("+")}
            things = [t for t in things if str(t.get("data", {}).get("subreddit", "")).lower() in wanted]
        things = sorted(things, key=lambda t: float(t.get("data", {}).get("created_utc") or 0), reverse=True)
        limit = int(request.query.get("limit", "25"))
        start = 0
        if "after" in request.query:
            names = [t.get("data", {}).get("name") for t in things]
            start = names.index(request.query["after"]) + 1 if request.query["after"] in names else len(things)
        page = things[start:start + limit]
        after = page[-1]["data"].get("name") if page and start + limit < len(things) else None
        return web.json_response({"kind": "Listing", "data": {
            "after": after, "before": None, "dist": len(page), "modhash": "", "geo_filter": "", "children": page}},
            headers=self._limits())

    async def handle_search(self, request: web.Request) -> web.Response:
        """GET [/r/SUBS]/search.json?q=...&sort=new&type=link|comment."""
        gate = self._gate(request)
        if gate:
            return gate
        kind = request.query.get("type", "link")
        return self._listing(request, self.comments if kind == "comment" else self.posts)

    async def handle_comments(self, request: web.Request) -> web.Response:
        """GET /r/SUBS/comments.json: the newest comments of those subreddits, unfiltered."""
        return self._gate(request) or self._listing(request, self.comments)

    async def handle_user_comments(self, request: web.Request) -> web.Response:
        """GET /user/NAME/comments.json: that account's newest comments, 404 for an unknown account."""
        gate = self._gate(request)
        if gate:
            return gate
        name = request.match_info["name"].lower()
        mine = [c for c in self.comments if str(c["data"].get("author", "")).lower() == name]
        if not mine:
            return web.json_response({"message": "Not Found", "error": 404}, status=404)
        return self._listing(request, mine)
