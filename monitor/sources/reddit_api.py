"""Reddit's JSON API: app-only OAuth, listing requests with rate-limit headers, and t3/t1 things as mentions."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp

from monitor.mention import MAX_TEXT_CHARS, Mention, MentionError, Rejected, parse_mention
from monitor.settings import BrandSettings

WEB = "https://www.reddit.com"


class RedditHTTPError(Exception):
    """A refused Reddit call: the status, a short reason and, for 429, the seconds until the window resets."""

    def __init__(self, status: int, reason: str, reset_seconds: float | None = None) -> None:
        super().__init__(f"{status} {reason}")
        self.status, self.reason, self.reset_seconds = status, reason, reset_seconds


def build_query(brand: BrandSettings) -> str:
    """Reddit search syntax for a brand: its keywords, name and handles, minus exclusions."""
    def term(word: str) -> str:
        return f'"{word}"' if any(c.isspace() for c in word) else word

    words = [term(w) for w in dict.fromkeys([*brand.keywords, brand.name, *brand.handles]) if w.strip()]
    query = "(" + " OR ".join(words) + ")" if len(words) > 1 else words[0]
    return " ".join([query, *(f"NOT {term(x)}" for x in brand.exclude if x.strip())])


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


@dataclass
class RedditClient:
    """GET listings from the API (with an app-only OAuth token when credentials are given)."""

    session: aiohttp.ClientSession
    api_base: str
    auth_base: str
    user_agent: str
    client_id: str | None = None
    client_secret: str | None = None
    token: str | None = None
    remaining: float | None = None
    reset_seconds: float | None = None

    async def authenticate(self) -> None:
        """Fetch an app-only token (client credentials grant); 401/403 mean bad credentials."""
        if self.client_id is None:
            return
        basic = base64.b64encode(f"{self.client_id}:{self.client_secret or ''}".encode()).decode()
        async with self.session.post(f"{self.auth_base}/api/v1/access_token",
                                     data={"grant_type": "client_credentials"},
                                     headers={"User-Agent": self.user_agent, "Authorization": f"Basic {basic}"},
                                     allow_redirects=False) as response:
            body = await response.read()
        payload = _json(body)
        token = payload.get("access_token") if isinstance(payload, dict) else None
        if response.status != 200 or not isinstance(token, str):
            detail = payload.get("error") if isinstance(payload, dict) else None
            raise RedditHTTPError(response.status if response.status != 200 else 401,
                                  f"token refused ({detail or response.reason})")
        self.token = token

    async def get(self, path: str, params: dict[str, str]) -> Any:
        """One GET; returns the decoded JSON or raises RedditHTTPError (or aiohttp's errors when unreachable)."""
        if self.client_id is not None and self.token is None:
            await self.authenticate()
        headers = {"User-Agent": self.user_agent}
        if self.token:
            headers["Authorization"] = f"bearer {self.token}"
        async with self.session.get(self.api_base + path, params=params, headers=headers,
                                    allow_redirects=False) as response:
            body = await response.read()
        self.remaining = _number(response.headers.get("x-ratelimit-remaining"))
        self.reset_seconds = _number(response.headers.get("x-ratelimit-reset"))
        if response.status == 401 and self.token:
            self.token = None  # expired: the caller's retry fetches a new one
        if response.status != 200:
            message = _json(body)
            reason = message.get("message") if isinstance(message, dict) else None
            raise RedditHTTPError(response.status, str(reason or response.reason or "error"),
                                  self.reset_seconds if response.status == 429 else None)
        try:
            return json.loads(body)
        except ValueError as exc:
            raise RedditHTTPError(502, f"response is not JSON ({exc})") from None


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def thing_to_mention(child: Any) -> Mention:
    """Normalise one listing child (t3 post or t1 comment) into a Mention."""
    if not isinstance(child, dict) or child.get("kind") not in ("t3", "t1") or not isinstance(child.get("data"), dict):
        raise MentionError("expected a t3 (post) or t1 (comment) thing with a 'data' object")
    data: dict[str, Any] = child["data"]
    created = data.get("created_utc")
    if isinstance(created, bool) or not isinstance(created, int | float):
        raise MentionError("field 'created_utc' must be a number of seconds")
    if child["kind"] == "t3":
        title, body = data.get("title"), data.get("selftext") or ""
        if not isinstance(title, str) or not isinstance(body, str):
            raise MentionError("field 'title' must be a string")
        text = f"{title}\n\n{body}" if body.strip() else title
    else:
        text = data.get("body")
        if not isinstance(text, str):
            raise MentionError("missing field 'body'" if text is None else "field 'body' must be a string")
    extra: dict[str, Any] = {"reddit_kind": "post" if child["kind"] == "t3" else "comment",
                             "subreddit": data.get("subreddit")}
    if len(text) > MAX_TEXT_CHARS:
        text, extra["truncated"] = text[:MAX_TEXT_CHARS], True
    if data.get("link_id") and child["kind"] == "t1":
        extra["post"] = data["link_id"]
    handle = data.get("author")
    obj: dict[str, Any] = {
        "id": data.get("name"), "source": "reddit", "text": text,
        "created_at": datetime.fromtimestamp(created, UTC).isoformat(),
        "author": {"id": data.get("author_fullname") or (f"u/{handle}" if isinstance(handle, str) else None),
                   "handle": handle},
        "in_reply_to": data.get("parent_id") if child["kind"] == "t1" else None,
        "is_repost": bool(data.get("crosspost_parent")), **extra}
    if isinstance(data.get("permalink"), str):
        obj["url"] = WEB + data["permalink"]
    return parse_mention(obj)


def parse_listing(payload: Any, where: str) -> tuple[list[Mention | Rejected], str | None]:
    """Split a Listing into mentions and set-aside things; returns them with the `after` fullname."""
    listing = payload.get("data") if isinstance(payload, dict) and payload.get("kind") == "Listing" else None
    children = listing.get("children") if isinstance(listing, dict) else None
    if not isinstance(children, list):
        return [Rejected(where, "expected a Listing with data.children", json.dumps(payload)[:200])], None
    out: list[Mention | Rejected] = []
    for number, child in enumerate(children, start=1):
        try:
            out.append(thing_to_mention(child))
        except MentionError as exc:
            data = child.get("data") if isinstance(child, dict) else None
            ident = data.get("name") if isinstance(data, dict) else None
            out.append(Rejected(f"{where}:{ident or f'item {number}'}", str(exc),
                                json.dumps(child, ensure_ascii=False)[:200]))
    after = listing.get("after") if isinstance(listing, dict) else None
    return out, after if isinstance(after, str) and after else None
