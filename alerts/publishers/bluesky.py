"""Bluesky: createSession, then createRecord of a post under a deterministic rkey, with replies and link facets."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any, ClassVar

from pydantic import SecretStr

from alerts.publishers.base import HttpPublisher, PostInfo, Progress, PublisherConfig, PublishError, secret
from alerts.textlength import urls
from monitor.clock import Clock, as_utc

POST = "app.bsky.feed.post"
TID_CHARS = "234567abcdefghijklmnopqrstuvwxyz"


def tid(micros: int, clock_id: int) -> str:
    """A record key in AT Protocol's TID syntax: 53 bits of microseconds and 10 of clock id, base32-sortable."""
    value = ((micros & ((1 << 53) - 1)) << 10) | (clock_id & 0x3FF)
    return "".join(TID_CHARS[(value >> shift) & 31] for shift in range(60, -5, -5))


def rkey_for(key: str, index: int, created_at: datetime) -> str:
    """The same rkey for the same delivery and part, every time: a retry can only hit the same record."""
    micros = int(as_utc(created_at).timestamp() * 1_000_000) + index
    clock_id = int.from_bytes(hashlib.sha256(key.encode()).digest()[:2], "big")
    return tid(micros, clock_id)


def link_facets(text: str) -> list[dict[str, Any]]:
    """Link facets over UTF-8 byte offsets, so links are clickable."""
    facets = []
    for match in urls(text):
        start = len(text[:match.start()].encode("utf-8"))
        facets.append({"index": {"byteStart": start, "byteEnd": start + len(match.group().encode("utf-8"))},
                       "features": [{"$type": "app.bsky.richtext.facet#link", "uri": match.group()}]})
    return facets


class BlueskyConfig(PublisherConfig):
    """The PDS (`api_base`), the account's handle or DID, and an app password."""

    api_base: str = "https://bsky.social"
    identifier: str
    app_password: SecretStr


class BlueskyPublisher(HttpPublisher):
    """Posts records; a thread's parts reply to the first (root) and the previous (parent) part."""

    type_name: ClassVar[str] = "bluesky"
    Config: ClassVar[type[PublisherConfig]] = BlueskyConfig
    default_base: ClassVar[str] = "https://bsky.social"

    def __init__(self, name: str, config: PublisherConfig, clock: Clock | None = None) -> None:
        super().__init__(name, config, clock)
        self.cfg: BlueskyConfig = config  # type: ignore[assignment]
        self._auth: dict[str, str] | None = None
        self._cids: dict[str, str] = {}

    def secrets(self) -> list[str]:
        """The app password and the session tokens."""
        tokens = list((self._auth or {}).values())
        return [secret(self.cfg.app_password), *[t for t in tokens if len(t) > 40]]

    async def login(self, fresh: bool = False) -> dict[str, str]:
        """com.atproto.server.createSession, once (again when `fresh`)."""
        if self._auth is None or fresh:
            _s, data = await self.call("POST", "/xrpc/com.atproto.server.createSession", json_body={
                "identifier": self.cfg.identifier, "password": secret(self.cfg.app_password)})
            if not data.get("accessJwt") or not data.get("did"):
                raise PublishError(f"{self.name}: createSession answered without a session", retry=True)
            self._auth = {"did": data["did"], "handle": str(data.get("handle", "")), "jwt": data["accessJwt"]}
        return self._auth

    async def _xrpc(self, method: str, nsid: str, **kwargs: Any) -> Any:
        """An authenticated call; an expired session is renewed once."""
        for attempt in (0, 1):
            auth = await self.login(fresh=attempt == 1)
            try:
                _s, data = await self.call(method, f"/xrpc/{nsid}", headers={"Authorization": f"Bearer {auth['jwt']}"},
                                           **kwargs)
                return data
            except PublishError as exc:
                if attempt == 0 and ("ExpiredToken" in exc.reason or "HTTP 401" in exc.reason):
                    continue
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def check(self) -> str:
        """Log in; say which account posts."""
        auth = await self.login(fresh=True)
        return f"ok: posting as @{auth['handle'] or auth['did']}"

    async def _ref(self, uri: str) -> dict[str, str]:
        """A strong reference (uri and cid) to one of our records, fetched when not known from this run."""
        if uri not in self._cids:
            auth = await self.login()
            record = await self._xrpc("GET", "com.atproto.repo.getRecord", params={
                "repo": auth["did"], "collection": POST, "rkey": uri.rsplit("/", 1)[-1]})
            self._cids[uri] = record["cid"]
        return {"uri": uri, "cid": self._cids[uri]}

    async def _existing(self, rkey: str) -> str | None:
        auth = await self.login()
        try:
            record = await self._xrpc("GET", "com.atproto.repo.getRecord",
                                      params={"repo": auth["did"], "collection": POST, "rkey": rkey})
        except PublishError as exc:
            if "RecordNotFound" in exc.reason or "HTTP 404" in exc.reason or "not found" in exc.reason.lower():
                return None
            raise
        self._cids[record["uri"]] = record["cid"]
        return str(record["uri"])

    async def recover(self, index: int, text: str, parent: str | None, key: str, info: PostInfo,
                      progress: Progress) -> str | None:
        """The rkey is deterministic: if the record exists, it is this part."""
        return await self._existing(rkey_for(key, index, info.created_at))

    async def send(self, index: int, text: str, parent: str | None, key: str, info: PostInfo,
                   progress: Progress) -> tuple[str, str | None]:
        """Create the record for one part under its deterministic rkey."""
        auth = await self.login()
        rkey = rkey_for(key, index, info.created_at)
        record: dict[str, Any] = {"$type": POST, "text": text, "langs": [info.lang],
                                  "createdAt": (as_utc(info.created_at) + timedelta(milliseconds=index))
                                  .isoformat().replace("+00:00", "Z")}
        facets = link_facets(text)
        if facets:
            record["facets"] = facets
        if parent:
            root = (info.root if self.first_parent(info) else None) or progress.ids[0] or parent
            record["reply"] = {"root": await self._ref(root), "parent": await self._ref(parent)}
        try:
            created = await self._xrpc("POST", "com.atproto.repo.createRecord", json_body={
                "repo": auth["did"], "collection": POST, "rkey": rkey, "record": record})
        except PublishError as exc:
            if not exc.retry:  # e.g. the rkey is taken: by this very part, sent before a crash
                found = await self._existing(rkey)
                if found:
                    return found, self._web_url(auth, rkey)
            raise
        self._cids[created["uri"]] = created["cid"]
        return str(created["uri"]), self._web_url(auth, rkey)

    @staticmethod
    def _web_url(auth: dict[str, str], rkey: str) -> str:
        return f"https://bsky.app/profile/{auth['handle'] or auth['did']}/post/{rkey}"
