"""A Bluesky login for reading: createSession once with an app password, refreshSession when the token expires."""

from __future__ import annotations

from typing import Any

import aiohttp

from monitor.sources import SourceError


class BskySession:
    """Holds the access and refresh tokens; never shows them (nor the password) in any message."""

    def __init__(self, base: str, identifier: str, password: str, timeout: float = 30.0) -> None:
        self.base, self.identifier = base.rstrip("/"), identifier
        self._password = password
        self._access = self._refresh = ""
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.logins = 0

    async def headers(self, session: aiohttp.ClientSession) -> dict[str, str]:
        """The Authorization header, logging in first if needed."""
        if not self._access:
            await self._login(session)
        return {"Authorization": f"Bearer {self._access}"}

    async def renew(self, session: aiohttp.ClientSession) -> None:
        """After a 401: refresh the session, or log in again when the refresh token is refused too."""
        if self._refresh:
            status, body = await self._call(session, "com.atproto.server.refreshSession", self._refresh, None)
            if status == 200 and self._take(body):
                return
        self._access = self._refresh = ""
        await self._login(session)

    async def _login(self, session: aiohttp.ClientSession) -> None:
        status, body = await self._call(session, "com.atproto.server.createSession", None,
                                        {"identifier": self.identifier, "password": self._password})
        if status == 200 and self._take(body):
            self.logins += 1
            return
        reason = body.get("message") if isinstance(body, dict) else None
        if status in (400, 401):
            raise SourceError(f"bluesky login as {self.identifier!r} refused (HTTP {status}: bad credentials"
                              f"{'; ' + str(reason)[:120] if reason else ''}); check identifier and app_password")
        if status == 429:
            raise SourceError(f"bluesky login is rate limited (HTTP 429) at {self.base}; try again later")
        raise SourceError(f"bluesky login at {self.base} answered HTTP {status}")

    def _take(self, body: Any) -> bool:
        if isinstance(body, dict) and isinstance(body.get("accessJwt"), str) and body["accessJwt"]:
            self._access = body["accessJwt"]
            self._refresh = body.get("refreshJwt") if isinstance(body.get("refreshJwt"), str) else ""
            return True
        return False

    async def _call(self, session: aiohttp.ClientSession, method: str, bearer: str | None,
                    payload: dict[str, str] | None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        try:
            async with session.post(f"{self.base}/xrpc/{method}", json=payload, headers=headers,
                                    timeout=self.timeout) as resp:
                try:
                    return resp.status, await resp.json(content_type=None)
                except ValueError:
                    return resp.status, None
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise SourceError(f"bluesky login at {self.base} unreachable: {type(exc).__name__}") from None
