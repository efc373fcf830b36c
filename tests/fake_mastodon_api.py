"""A local Mastodon API for posting: POST /api/v1/statuses with Idempotency-Key, verify_credentials."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from tests.fake_api_common import Script

ACCOUNT = {"id": "109", "username": "acme", "acct": "acme", "display_name": "Acme Care"}


class FakeMastodonApi:
    """Statuses received; a repeated Idempotency-Key gets the status created the first time."""

    def __init__(self, token: str = "masto-token-123", max_chars: int = 500) -> None:
        self.token, self.max_chars = token, max_chars
        self.statuses: list[dict[str, Any]] = []
        self.by_key: dict[str, dict[str, Any]] = {}
        self.script = Script()
        self.base = ""

    def authorized(self, request: web.Request) -> bool:
        """Bearer token check."""
        return request.headers.get("Authorization") == f"Bearer {self.token}"

    async def post_status(self, request: web.Request) -> web.Response:
        """POST /api/v1/statuses (JSON or form)."""
        if not self.authorized(request):
            return web.json_response({"error": "The access token is invalid"}, status=401)
        failure = self.script.failure()
        if failure is not None:
            return failure
        body: dict[str, Any] = dict(await request.json()) if request.content_type == "application/json" \
            else dict(await request.post())
        key = request.headers.get("Idempotency-Key")
        if key and key in self.by_key:
            return web.json_response(self.by_key[key])
        if not await self.script.before():
            return web.json_response({"error": "dropped"}, status=503)
        text = str(body.get("status", ""))
        if len(re.sub(r"https?://\S+", "x" * 23, text)) > self.max_chars:
            return web.json_response({"error": f"Validation failed: Text character limit of {self.max_chars} "
                                               "exceeded"}, status=422)
        status_id = str(110_000 + len(self.statuses) + 1)
        status = {"id": status_id, "url": f"{self.base}/@acme/{status_id}", "content": f"<p>{text}</p>",
                  "in_reply_to_id": body.get("in_reply_to_id"), "visibility": body.get("visibility", "public"),
                  "language": body.get("language"), "account": ACCOUNT, "text_sent": text}
        self.statuses.append(status)
        if key:
            self.by_key[key] = status
        await self.script.after()
        return web.json_response(status)

    async def verify(self, request: web.Request) -> web.Response:
        """GET /api/v1/accounts/verify_credentials."""
        if not self.authorized(request):
            return web.json_response({"error": "The access token is invalid"}, status=401)
        return web.json_response(ACCOUNT)

    def app(self) -> web.Application:
        """The aiohttp application."""
        app = web.Application()
        app.router.add_post("/api/v1/statuses", self.post_status)
        app.router.add_get("/api/v1/accounts/verify_credentials", self.verify)
        return app
