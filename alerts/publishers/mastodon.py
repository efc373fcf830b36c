"""Mastodon: POST /api/v1/statuses with an Idempotency-Key per part, threads through `in_reply_to_id`.

A server honours an Idempotency-Key only for a while (an hour on Mastodon itself), so a part whose request may
have gone out before a crash is first looked for among the account's own recent statuses; the key is the second
guard, for a restart within that window.
"""

from __future__ import annotations

import html
import re
from typing import Any, ClassVar, Literal

from pydantic import SecretStr

from alerts.publishers.base import HttpPublisher, PostInfo, Progress, PublisherConfig, PublishError, secret
from monitor.clock import Clock


class MastodonConfig(PublisherConfig):
    """The instance (`api_base`, e.g. https://mastodon.social) and an access token with write:statuses."""

    api_base: str
    access_token: SecretStr
    visibility: Literal["public", "unlisted", "private"] = "public"
    lookup_count: int = 40


TAG = re.compile(r"<[^>]+>")
BREAK = re.compile(r"<br\s*/?>|</p>\s*<p>", re.IGNORECASE)
LINK = re.compile(r"https?://\S+")


def plain_text(content: str) -> str:
    """A status's HTML `content` as the text that was posted (paragraphs and breaks as spaces)."""
    return html.unescape(TAG.sub("", BREAK.sub(" ", content)))


def same_text(content: str, ours: str) -> bool:
    """Whether the server's rendering of a status is our text: links, entities and spacing aside."""
    def norm(text: str) -> str:
        return " ".join(LINK.sub("<link>", text).split())
    return norm(plain_text(content)) == norm(ours)


class MastodonPublisher(HttpPublisher):
    """Posts statuses; the server keeps each Idempotency-Key, so a resent part is not posted twice."""

    type_name: ClassVar[str] = "mastodon"
    Config: ClassVar[type[PublisherConfig]] = MastodonConfig

    def __init__(self, name: str, config: PublisherConfig, clock: Clock | None = None) -> None:
        super().__init__(name, config, clock)
        self.cfg: MastodonConfig = config  # type: ignore[assignment]
        self._account: dict[str, Any] | None = None

    def secrets(self) -> list[str]:
        """The access token."""
        return [secret(self.cfg.access_token)]

    def _headers(self, idempotency_key: str | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {secret(self.cfg.access_token)}"}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        return headers

    async def account(self) -> dict[str, Any]:
        """The posting account (verify_credentials), asked once."""
        if self._account is None:
            _status, account = await self.call("GET", "/api/v1/accounts/verify_credentials",
                                               headers=self._headers())
            if not isinstance(account, dict) or "id" not in account:
                raise PublishError(f"{self.name}: verify_credentials answered without an account id", retry=True)
            self._account = account
        return self._account

    async def check(self) -> str:
        """Verify the token; say which account posts."""
        self._account = None
        account = await self.account()
        return f"ok: posting as @{account.get('acct', '?')}"

    async def recover(self, index: int, text: str, parent: str | None, key: str, info: PostInfo,
                      progress: Progress) -> str | None:
        """Look through the account's recent statuses for this part (same text, replying to the same status)."""
        account = await self.account()
        _status, statuses = await self.call(
            "GET", f"/api/v1/accounts/{account['id']}/statuses", headers=self._headers(),
            params={"limit": str(max(1, min(40, self.cfg.lookup_count))), "exclude_reblogs": "true"})
        for status in statuses if isinstance(statuses, list) else []:
            if not isinstance(status, dict) or not same_text(str(status.get("content", "")), text):
                continue
            if (status.get("in_reply_to_id") or None) == parent:
                if status.get("url"):
                    progress.urls[index] = str(status["url"])
                return str(status["id"])
        return None

    async def send(self, index: int, text: str, parent: str | None, key: str, info: PostInfo,
                   progress: Progress) -> tuple[str, str | None]:
        """Post one status (a reply to the previous part when threaded); resending the same key is safe."""
        body: dict[str, object] = {"status": text, "visibility": self.cfg.visibility, "language": info.lang}
        if parent:
            body["in_reply_to_id"] = parent
        _status, status = await self.call("POST", "/api/v1/statuses", headers=self._headers(f"{key}-{index}"),
                                          json_body=body)
        if not isinstance(status, dict) or "id" not in status:
            raise PublishError(f"{self.name}: the server answered without a status id", retry=True)
        return str(status["id"]), status.get("url")
