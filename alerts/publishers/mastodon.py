"""Mastodon: POST /api/v1/statuses with an Idempotency-Key per part, threads through `in_reply_to_id`."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import SecretStr

from alerts.publishers.base import HttpPublisher, PostInfo, Progress, PublisherConfig, PublishError, secret
from monitor.clock import Clock


class MastodonConfig(PublisherConfig):
    """The instance (`api_base`, e.g. https://mastodon.social) and an access token with write:statuses."""

    api_base: str
    access_token: SecretStr
    visibility: Literal["public", "unlisted", "private"] = "public"


class MastodonPublisher(HttpPublisher):
    """Posts statuses; the server keeps each Idempotency-Key, so a resent part is not posted twice."""

    type_name: ClassVar[str] = "mastodon"
    Config: ClassVar[type[PublisherConfig]] = MastodonConfig

    def __init__(self, name: str, config: PublisherConfig, clock: Clock | None = None) -> None:
        super().__init__(name, config, clock)
        self.cfg: MastodonConfig = config  # type: ignore[assignment]

    def secrets(self) -> list[str]:
        """The access token."""
        return [secret(self.cfg.access_token)]

    def _headers(self, idempotency_key: str | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {secret(self.cfg.access_token)}"}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        return headers

    async def check(self) -> str:
        """Verify the token; say which account posts."""
        _status, account = await self.call("GET", "/api/v1/accounts/verify_credentials", headers=self._headers())
        return f"ok: posting as @{account.get('acct', '?')}"

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
