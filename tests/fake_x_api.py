"""A local X API v2 for publishing: POST /2/tweets, GET /2/users/me, GET /2/users/:id/tweets, in X's JSON."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from typing import Any

from aiohttp import web
from oauthlib.oauth1.rfc5849 import signature, utils

from tests.fake_api_common import Script

USER = {"id": "2244994945", "name": "Acme Care", "username": "acmehelp"}
DUPLICATE = "You are not allowed to create a Tweet with duplicate content."


def problem(status: int, title: str, detail: str) -> web.Response:
    """X's error body (RFC 7807 style)."""
    return web.json_response({"title": title, "detail": detail, "type": "about:blank", "status": status},
                             status=status)


class FakeXApi:
    """What the fake X received, and how it should answer; links in stored texts come back as t.co links."""

    def __init__(self, consumer_key: str = "ck-123", user_token: str = "user-token-123", consumer_secret: str = "cs",
                 access_token: str = "at", access_token_secret: str = "ats") -> None:
        self.consumer_key, self.user_token = consumer_key, user_token
        self.consumer_secret, self.access_token, self.access_token_secret = (consumer_secret, access_token,
                                                                             access_token_secret)
        self.bad_signatures = 0
        self.tweets: list[dict[str, Any]] = []
        self.script = Script()
        self.next_id = 1_600_000_000_000_000_000

    def authorized(self, request: web.Request) -> bool:
        """OAuth 1.0a signed (HMAC-SHA1) for this very URL with our keys, or our OAuth 2.0 user token."""
        auth = request.headers.get("Authorization", "")
        if auth.startswith("OAuth "):
            return self.signed(request, auth)
        return auth == f"Bearer {self.user_token}"

    def signed(self, request: web.Request, auth: str) -> bool:
        """Check the signature as X does: over the method, the URL received and every parameter (RFC 5849)."""
        given = {k: utils.unescape(v) for k, v in utils.parse_authorization_header(auth)}
        if given.get("oauth_consumer_key") != self.consumer_key or given.get("oauth_token") != self.access_token:
            return False
        params = signature.collect_parameters(uri_query=request.query_string, headers={"Authorization": auth},
                                              exclude_oauth_signature=True, with_realm=False)
        base = signature.signature_base_string(request.method, signature.base_string_uri(
            f"{request.scheme}://{request.host}{request.path}"), signature.normalize_parameters(params))
        key = f"{utils.escape(self.consumer_secret)}&{utils.escape(self.access_token_secret)}"
        expected = base64.b64encode(hmac.new(key.encode(), base.encode(), hashlib.sha1).digest()).decode()
        good = hmac.compare_digest(expected, given.get("oauth_signature", ""))
        self.bad_signatures += not good
        return good

    async def create(self, request: web.Request) -> web.Response:
        """POST /2/tweets."""
        if not self.authorized(request):
            return problem(401, "Unauthorized", "Unauthorized")
        failure = self.script.failure()
        if failure is not None:
            return failure
        body = await request.json()
        if not await self.script.before():
            return problem(503, "Service Unavailable", "dropped")
        text = body.get("text", "")
        reply_to = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        if any(t["text"] == text for t in self.tweets):
            return problem(403, "Forbidden", DUPLICATE)
        self.next_id += 1
        tweet = {"id": str(self.next_id), "text": text, "in_reply_to": reply_to}
        self.tweets.append(tweet)
        await self.script.after()
        return web.json_response({"data": {"id": tweet["id"], "text": text,
                                           "edit_history_tweet_ids": [tweet["id"]]}}, status=201)

    async def me(self, request: web.Request) -> web.Response:
        """GET /2/users/me."""
        if not self.authorized(request):
            return problem(401, "Unauthorized", "Unauthorized")
        return web.json_response({"data": USER})

    async def timeline(self, request: web.Request) -> web.Response:
        """GET /2/users/:id/tweets, newest first, links rewritten to t.co as X does."""
        if not self.authorized(request):
            return problem(401, "Unauthorized", "Unauthorized")
        if request.match_info["id"] != USER["id"]:
            return problem(404, "Not Found Error", "Could not find user")
        count = int(request.query.get("max_results", "10"))
        data = []
        for tweet in reversed(self.tweets[-count:]):
            item: dict[str, Any] = {"id": tweet["id"], "edit_history_tweet_ids": [tweet["id"]],
                                    "text": re.sub(r"https?://\S+", "https://t.co/AbC123xyZ", tweet["text"])
                                    .replace("&", "&amp;")}
            if tweet["in_reply_to"]:
                item["referenced_tweets"] = [{"type": "replied_to", "id": tweet["in_reply_to"]}]
            data.append(item)
        meta: dict[str, Any] = {"result_count": len(data)}
        if data:
            meta.update(newest_id=data[0]["id"], oldest_id=data[-1]["id"])
        return web.json_response({"data": data, "meta": meta} if data else {"meta": meta})

    def app(self) -> web.Application:
        """The aiohttp application."""
        app = web.Application()
        app.router.add_post("/2/tweets", self.create)
        app.router.add_get("/2/users/me", self.me)
        app.router.add_get("/2/users/{id}/tweets", self.timeline)
        return app
