"""A local Mastodon API for posting: POST /api/v1/statuses with Idempotency-Key, verify_credentials."""

from __future__ import annotations

import html
import re
from typing import Any

from aiohttp import web

from tests.fake_api_common import Script

ACCOUNT = {"id": "109", "username": "acme", "acct": "acme", "display_name": "Acme Care"}


def render_links(text: str) -> str:
    """Links as Mastodon renders them: the scheme hidden, a long rest cut to 30 characters with an ellipsis."""
    def link(match: re.Match[str]) -> str:
        url = match.group()
        scheme, rest = url.split("://", 1)
        shown, hidden = rest[:30], rest[30:]
        return (f'<a href="{url}" rel="nofollow noopener noreferrer" target="_blank">'
                f'<span class="invisible">{scheme}://</span><span class="{"ellipsis" if hidden else ""}">{shown}'
                f'</span><span class="invisible">{hidden}</span></a>')
    return re.sub(r"https?://[^\s<]+", link, text)


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

    def forget_keys(self) -> None:
        """The Idempotency-Key window passed (an hour on Mastodon): a resent key posts again."""
        self.by_key.clear()

    async def account_statuses(self, request: web.Request) -> web.Response:
        """GET /api/v1/accounts/:id/statuses, newest first, with `content` rendered to HTML as Mastodon does."""
        if not self.authorized(request):
            return web.json_response({"error": "The access token is invalid"}, status=401)
        if request.match_info["id"] != ACCOUNT["id"]:
            return web.json_response({"error": "Record not found"}, status=404)
        limit = int(request.query.get("limit", "20"))
        shown = []
        for status in reversed(self.statuses[-limit:]):
            item = {k: v for k, v in status.items() if k != "text_sent"}
            body = render_links(html.escape(status["text_sent"])).replace("\n", "<br />")
            item["content"] = f"<p>{body}</p>"
            shown.append(item)
        return web.json_response(shown)

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
        app.router.add_get("/api/v1/accounts/{id}/statuses", self.account_statuses)
        return app
