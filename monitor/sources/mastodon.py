"""Mastodon: hashtag and public streams (server-sent events) on several instances, with polling and search.

A stream that drops or is refused is caught up by polling its timeline from the saved status id. Posts that
name a brand without its hashtag never reach a hashtag stream, so instances with a token are also searched
(/api/v2/search, statuses newer than the saved id) for the brands' terms; servers search only for logged-in
users, and only posts whose authors allow it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import quote, urlparse

import aiohttp
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from monitor.brands import BrandMatcher
from monitor.clock import Clock, SystemClock
from monitor.mention import Mention, MentionError, Rejected, parse_mention
from monitor.settings import Settings
from monitor.sources import Emit, SourceError
from monitor.sources.backoff import Backoff
from monitor.sources.checkpoints import Checkpointer
from monitor.sources.mastodon_text import html_to_text, newer, sse_events
from monitor.sources.state import SourceContext

log = logging.getLogger(__name__)
UNAVAILABLE = {401, 403, 404, 405, 410, 422, 501}


class InstanceConfig(BaseModel):
    """One Mastodon server and its optional access token (write token = "${ENV_VAR}")."""

    model_config = ConfigDict(extra="forbid")
    url: str
    token: SecretStr | None = None

    @property
    def host(self) -> str:
        """The server's host name."""
        return urlparse(self.url).netloc or self.url


class MastodonConfig(BaseModel):
    """Options of the Mastodon source."""

    model_config = ConfigDict(extra="forbid")
    instances: list[InstanceConfig] = Field(min_length=1)
    hashtags: list[str] = Field(default_factory=list, description="default: the brands' one-word terms")
    public: bool = Field(False, description="also follow the whole public timeline (heavy on big servers)")
    stream: bool = Field(True, description="false = poll only")
    poll_seconds: float = Field(60.0, gt=0)
    stream_retry_minutes: float = Field(10.0, gt=0, description="after a refused stream, poll this long first")
    search: bool = Field(True, description="also search the brands' terms on instances with a token")
    search_terms: list[str] = Field(default_factory=list, description="default: each brand's search terms")
    search_seconds: float = Field(300.0, gt=0, description="how often each term is searched")
    reconnect_base: float = Field(1.0, gt=0)
    reconnect_cap: float = Field(120.0, gt=0)
    timeout: float = Field(30.0, gt=0)

    @field_validator("instances", mode="before")
    @classmethod
    def _urls(cls, value: Any) -> Any:
        return [{"url": v} if isinstance(v, str) else v for v in value] if isinstance(value, list) else value

    @field_validator("hashtags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        return [t.lstrip("#").lower() for t in value if t.strip("# ")]


class StreamUnavailable(Exception):
    """The server refuses streaming for this timeline (HTTP status in the message)."""


class MastodonSource:
    """One task per (instance, timeline): stream when allowed, catch up by polling from the saved status id."""

    type_name: ClassVar[str] = "mastodon"
    Config: ClassVar[type[BaseModel]] = MastodonConfig

    def __init__(self, name: str, config: MastodonConfig, settings: Settings | None = None,
                 clock: Clock | None = None, context: SourceContext | None = None) -> None:
        self.name, self.config = name, config
        self.clock = clock or SystemClock()
        self.context = context or SourceContext()
        self.matcher = BrandMatcher(settings.brands if settings else [])
        self.checkpointer = Checkpointer(self.context, name)
        self.tags = config.hashtags or self.matcher.hashtags()
        self.streamed = self.polled = self.skipped = self.rejected = 0
        self.marks: dict[str, str | None] = {}

    def terms(self) -> list[str]:
        """What is searched for: the configured terms, else every brand's search terms."""
        if self.config.search_terms:
            return list(dict.fromkeys(t.strip() for t in self.config.search_terms if t.strip()))
        return list(dict.fromkeys(t for b in self.matcher.brands for t in self.matcher.search_terms(b.name)))

    def timelines(self, inst: InstanceConfig | None = None) -> list[tuple[str, str | None, str, dict[str, str]]]:
        """(name, streaming path or None, polling path, its parameters) of every timeline followed on `inst`."""
        out: list[tuple[str, str | None, str, dict[str, str]]] = [
            (f"hashtag:{t}", f"/api/v1/streaming/hashtag?tag={quote(t)}", f"/api/v1/timelines/tag/{quote(t)}", {})
            for t in self.tags]
        if self.config.public:
            out.append(("public", "/api/v1/streaming/public", "/api/v1/timelines/public", {}))
        if self.config.search and (inst is None or inst.token is not None):
            out += [(f"search:{t}", None, "/api/v2/search", {"q": t, "type": "statuses", "resolve": "false"})
                    for t in self.terms()]
        return out

    async def run(self, emit: Emit) -> None:
        """Follow every timeline of every instance until cancelled."""
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=self.config.timeout,
                                        sock_read=max(self.config.timeout, 90.0))
        async with aiohttp.ClientSession(timeout=timeout) as session:
            tasks = [asyncio.create_task(self._follow(session, emit, inst, *tl),
                                         name=f"{self.name}:{inst.host}:{tl[0]}")
                     for inst in self.config.instances for tl in self.timelines(inst)]
            try:
                await asyncio.gather(*tasks)
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                await self.checkpointer.close()

    async def _follow(self, session: aiohttp.ClientSession, emit: Emit, inst: InstanceConfig, timeline: str,
                      sse: str | None, poll: str, params: dict[str, str]) -> None:
        """Poll from the mark (start-up and after every drop), then stream; poll only while streaming is refused."""
        key = f"since_id:{inst.host}:{timeline}"
        self.marks[key] = await self.context.resume(self.name, key)
        backoff = Backoff(self.clock, base=self.config.reconnect_base, cap=self.config.reconnect_cap)
        stream_again = self.clock.now() if self.config.stream and sse else None
        interval = self.config.poll_seconds if sse else self.config.search_seconds
        where = f"{inst.host} {timeline}"
        while True:
            try:
                await self._poll(session, inst, poll, key, emit, params=params)
            except SourceError as exc:
                log.error("source %s: polling %s failed: %s", self.name, where, exc)
            if sse is None or stream_again is None or self.clock.now() < stream_again:
                await self.clock.sleep(interval)
                continue
            try:
                await self._stream(session, inst, sse, key, emit, backoff)
                reason = "stream ended"
            except StreamUnavailable as exc:
                log.warning("source %s: %s streaming refused (%s); polling every %.0f s", self.name, where, exc,
                            self.config.poll_seconds)
                stream_again = self.clock.now() + timedelta(minutes=self.config.stream_retry_minutes)
                continue
            except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                reason = f"{type(exc).__name__}: {exc}"
            delay = backoff.next_delay()
            log.warning("source %s: %s %s; catching up and reconnecting in %.1f s", self.name, where, reason, delay)
            await self.clock.sleep(delay)

    def _headers(self, inst: InstanceConfig) -> dict[str, str]:
        token = inst.token.get_secret_value() if inst.token else ""
        return {"Authorization": f"Bearer {token}"} if token else {}

    def _advance(self, key: str, status_id: str | None) -> bool:
        """Raise the mark of one timeline to `status_id` if it is newer; say whether it moved."""
        if status_id and newer(status_id, self.marks.get(key)):
            self.marks[key] = status_id
            return True
        return False

    async def _stream(self, session: aiohttp.ClientSession, inst: InstanceConfig, path: str, key: str, emit: Emit,
                      backoff: Backoff) -> None:
        """Read `update` events until the stream drops, raising the timeline's mark as statuses come."""
        headers = {**self._headers(inst), "Accept": "text/event-stream"}
        async with session.get(inst.url.rstrip("/") + path, headers=headers) as resp:
            if resp.status in UNAVAILABLE:
                raise StreamUnavailable(f"HTTP {resp.status}")
            if resp.status != 200:
                raise aiohttp.ClientResponseError(resp.request_info, (), status=resp.status,
                                                  message=f"streaming answered HTTP {resp.status}")
            async for event, data in sse_events(resp.content):
                backoff.reset()
                if event != "update":
                    continue
                record, status_id = self._record(data, inst, f"mastodon:{inst.host}:stream")
                if record is not None:
                    await emit(record)
                    self.streamed += isinstance(record, Mention)
                if self._advance(key, status_id):
                    self.checkpointer.note(key, status_id or "")

    async def _poll(self, session: aiohttp.ClientSession, inst: InstanceConfig, path: str, key: str, emit: Emit,
                    pages: int = 10, params: dict[str, str] | None = None) -> None:
        """Fetch what is newer than the mark, oldest page first (min_id); a first run takes the latest page."""
        first_run = self.marks.get(key) is None
        for _page in range(pages):
            since = self.marks.get(key)
            query = {**(params or {}), "limit": "40", **({"min_id": since} if since else {})}
            answer = await self._get(session, inst, path, query)
            statuses = answer.get("statuses") if isinstance(answer, dict) else answer  # a search answers an object
            if not isinstance(statuses, list):
                raise SourceError(f"{path} answered with something other than a list of statuses")
            for status in sorted(statuses, key=lambda s: _id_order(s.get("id") if isinstance(s, dict) else None)):
                record, status_id = self._record(status, inst, f"mastodon:{inst.host}:{path}")
                if record is not None:
                    await emit(record)
                    self.polled += isinstance(record, Mention)
                self._advance(key, status_id)
            mark = self.marks.get(key)
            if mark:
                self.checkpointer.note(key, mark)
            if len(statuses) < 40 or first_run:
                break

    async def _get(self, session: aiohttp.ClientSession, inst: InstanceConfig, path: str,
                   params: dict[str, str]) -> Any:
        """GET a JSON document, waiting out 429s until X-RateLimit-Reset and retrying server errors."""
        backoff = Backoff(self.clock, base=self.config.reconnect_base, cap=self.config.reconnect_cap)
        url = inst.url.rstrip("/") + path
        for _attempt in range(5):
            try:
                async with session.get(url, params=params, headers=self._headers(inst),
                                       timeout=aiohttp.ClientTimeout(total=self.config.timeout)) as resp:
                    if resp.status == 200:
                        return await resp.json(content_type=None)
                    if resp.status == 429:
                        await backoff.wait_until(_reset(resp.headers.get("X-RateLimit-Reset"), self.clock.now()))
                        continue
                    if resp.status in (401, 403):
                        raise SourceError(f"{inst.host} refused {path} (HTTP {resp.status}): bad or missing token")
                    if resp.status < 500:
                        raise SourceError(f"{inst.host} answered HTTP {resp.status} for {path}")
            except (aiohttp.ClientError, OSError, TimeoutError, ValueError) as exc:
                log.warning("source %s: %s %s failed (%s); retrying", self.name, inst.host, path, type(exc).__name__)
            await backoff.wait()
        raise SourceError(f"{inst.host} unreachable for {path} after 5 attempts")

    def _record(self, data: Any, inst: InstanceConfig, where: str) -> tuple[Mention | Rejected | None, str | None]:
        """A status (decoded or SSE text) as a mention of a brand, a Rejected record or None; plus its id."""
        try:
            status = json.loads(data) if isinstance(data, str) else data
        except json.JSONDecodeError as exc:
            self.rejected += 1
            return Rejected(where, f"malformed JSON: {exc.msg} at column {exc.colno}", data[:200]), None
        status_id = status.get("id") if isinstance(status, dict) else None
        status_id = str(status_id) if isinstance(status_id, str | int) else None
        try:
            mention = parse_mention(status_json(status, inst.host))
        except MentionError as exc:
            self.rejected += 1
            return Rejected(f"{where}:{status_id or '?'}", str(exc), str(data)[:200]), status_id
        brand = self.matcher.match(mention)
        if brand is None:
            self.skipped += 1
            return None, status_id
        mention.brand = brand
        return mention, status_id

    async def check(self) -> str:
        """Reach every instance; with a token, verify it; say which timelines will be followed."""
        found = []
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.config.timeout)) as session:
            for inst in self.config.instances:
                path = "/api/v1/accounts/verify_credentials" if inst.token else "/api/v1/instance"
                try:
                    async with session.get(inst.url.rstrip("/") + path, headers=self._headers(inst)) as resp:
                        if resp.status == 429:
                            raise SourceError(f"{inst.host} is rate limiting us (HTTP 429)")
                        if resp.status in (401, 403):
                            raise SourceError(f"{inst.host} refused the access token (HTTP {resp.status})")
                        if resp.status != 200:
                            raise SourceError(f"{inst.host} answered HTTP {resp.status} for {path}")
                except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                    raise SourceError(f"{inst.host} unreachable: {type(exc).__name__}: {exc}") from None
                found.append(inst.host + (" (token ok)" if inst.token else ""))
        tokens = [i for i in self.config.instances if i.token is not None]
        names = ", ".join(t for t, *_ in self.timelines(tokens[0] if tokens else self.config.instances[0])) \
            or "nothing (no hashtags)"
        return f"ok: {', '.join(found)}; following {names}"


def status_json(status: Any, host: str) -> dict[str, Any]:
    """A Mastodon status in the mention JSON Lines format; a boost carries the boosted text and is a repost."""
    if not isinstance(status, dict) or not isinstance(status.get("account"), dict):
        raise MentionError("status without an 'account' object")
    shown = status.get("reblog") if isinstance(status.get("reblog"), dict) else status
    account = status["account"]
    acct = str(account.get("acct") or account.get("username") or "")
    if acct and "@" not in acct:  # a local account: its domain is in its profile address
        acct += "@" + (urlparse(str(account.get("url") or "")).netloc or host)
    text = html_to_text(shown.get("content"))
    spoiler = shown.get("spoiler_text")
    if isinstance(spoiler, str) and spoiler.strip():
        text = f"{spoiler.strip()}\n\n{text}"
    followers = account.get("followers_count")
    out: dict[str, Any] = {
        "id": status.get("uri"), "source": "mastodon", "created_at": status.get("created_at"), "text": text,
        "author": {"id": account.get("url") or acct, "handle": acct,
                   **({"name": account["display_name"]} if account.get("display_name") else {}),
                   **({"followers": followers} if isinstance(followers, int) else {})},
        "url": status.get("url") or status.get("uri"), "instance": host,
    }
    if status.get("id"):  # what this instance calls the status: replies read here name their parent by it
        out["local_id"] = f"{host}:{status['id']}"
    if isinstance(shown.get("language"), str):
        out["lang"] = shown["language"]
    if status.get("in_reply_to_id"):
        out["in_reply_to"] = f"{host}:{status['in_reply_to_id']}"
    if shown is not status:
        out["is_repost"], out["repost_of"] = True, shown.get("uri")
    return out


def _id_order(value: Any) -> tuple[int, str]:
    text = str(value) if value is not None else ""
    return (len(text), text)


def _reset(header: str | None, now: datetime) -> datetime:
    """When a 429 lifts: X-RateLimit-Reset is an ISO 8601 time; a minute when absent or unreadable."""
    try:
        return datetime.fromisoformat(header.replace("Z", "+00:00")) if header else now + timedelta(seconds=60)
    except ValueError:
        return now + timedelta(seconds=60)
