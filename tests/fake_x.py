"""A local X API v2 server: recent search, user lookup, mentions and user timelines, in the documented JSON shapes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web

TOKEN = "test-bearer-token"


def tweet(ident: int, text: str, author: str, at: datetime, **more: Any) -> dict[str, Any]:
    """A tweet object as the API returns it with tweet.fields=author_id,created_at,lang,..."""
    return {"id": str(ident), "text": text, "author_id": author, "edit_history_tweet_ids": [str(ident)],
            "created_at": at.strftime("%Y-%m-%dT%H:%M:%S.000Z"), "lang": "en", **more}


def user(ident: str, username: str, followers: int = 10) -> dict[str, Any]:
    """A user object with user.fields=username,name,public_metrics."""
    return {"id": ident, "username": username, "name": username.title(),
            "public_metrics": {"followers_count": followers, "following_count": 1, "tweet_count": 5,
                               "listed_count": 0}}


@dataclass
class FakeX:
    """The server's state: timelines, users, and faults to inject."""

    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    search: list[dict[str, Any]] = field(default_factory=list)
    mentions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    timelines: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    page_size: int | None = None
    rate_limited: int = 0
    reset_epoch: int = 0
    remaining: int = 449
    fail: int = 0
    fail_tokens: set[str] = field(default_factory=set)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def app(self) -> web.Application:
        """The aiohttp application."""
        app = web.Application()
        app.router.add_get("/2/tweets/search/recent", self.handle_search)
        app.router.add_get("/2/users/by", self.handle_lookup)
        app.router.add_get("/2/users/{id}/mentions", self.handle_mentions)
        app.router.add_get("/2/users/{id}/tweets", self.handle_tweets)
        return app

    def _gate(self, request: web.Request) -> web.Response | None:
        self.requests.append((request.path, dict(request.query)))
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.json_response({"title": "Unauthorized", "type": "about:blank", "status": 401,
                                      "detail": "Unauthorized"}, status=401)
        if self.rate_limited > 0:
            self.rate_limited -= 1
            return web.json_response({"title": "Too Many Requests", "detail": "Too Many Requests",
                                      "type": "about:blank", "status": 429}, status=429,
                                     headers={"x-rate-limit-limit": "450", "x-rate-limit-remaining": "0",
                                              "x-rate-limit-reset": str(self.reset_epoch)})
        tokens = {request.query.get("next_token"), request.query.get("pagination_token")}
        if self.fail > 0 or tokens & self.fail_tokens:
            self.fail = max(0, self.fail - 1)
            return web.Response(status=503, text="Service Unavailable")
        return None

    def _page(self, request: web.Request, items: list[dict[str, Any]], token_param: str) -> web.Response:
        """Newest first, newer than since_id, one page at a time with an opaque next_token."""
        query = request.query
        since = int(query.get("since_id", "0"))
        chosen = sorted((t for t in items if int(t.get("id", "0") or 0) > since),
                        key=lambda t: int(t.get("id", "0") or 0), reverse=True)
        size = self.page_size or int(query.get("max_results", "10"))
        start = int(query[token_param].removeprefix("page-")) if token_param in query else 0
        page = chosen[start:start + size]
        if not page:
            return web.json_response({"meta": {"result_count": 0}})
        authors = {t.get("author_id") for t in page}
        meta: dict[str, Any] = {"newest_id": page[0]["id"], "oldest_id": page[-1]["id"], "result_count": len(page)}
        if start + size < len(chosen):
            meta["next_token"] = f"page-{start + size}"
        return web.json_response({
            "data": page, "includes": {"users": [self.users[a] for a in authors if a in self.users]}, "meta": meta},
            headers={"x-rate-limit-limit": "450", "x-rate-limit-remaining": str(self.remaining),
                     "x-rate-limit-reset": str(self.reset_epoch)})

    async def handle_search(self, request: web.Request) -> web.Response:
        """GET /2/tweets/search/recent."""
        return self._gate(request) or self._page(request, self.search, "next_token")

    async def handle_mentions(self, request: web.Request) -> web.Response:
        """GET /2/users/:id/mentions."""
        return self._gate(request) or self._page(request, self.mentions.get(request.match_info["id"], []),
                                                 "pagination_token")

    async def handle_tweets(self, request: web.Request) -> web.Response:
        """GET /2/users/:id/tweets."""
        return self._gate(request) or self._page(request, self.timelines.get(request.match_info["id"], []),
                                                 "pagination_token")

    async def handle_lookup(self, request: web.Request) -> web.Response:
        """GET /2/users/by?usernames=a,b: found users in data, unknown ones in errors."""
        gate = self._gate(request)
        if gate:
            return gate
        names = [n for n in request.query.get("usernames", "").split(",") if n]
        by_name = {u["username"].lower(): u for u in self.users.values()}
        data = [{"id": by_name[n.lower()]["id"], "username": by_name[n.lower()]["username"],
                 "name": by_name[n.lower()]["name"]} for n in names if n.lower() in by_name]
        body: dict[str, Any] = {"data": data} if data else {}
        errors = [{"value": n, "detail": f"Could not find user with usernames: [{n}].", "title": "Not Found Error",
                   "resource_type": "user", "parameter": "usernames", "resource_id": n,
                   "type": "https://api.twitter.com/2/problems/resource-not-found"}
                  for n in names if n.lower() not in by_name]
        if errors:
            body["errors"] = errors
        return web.json_response(body)
