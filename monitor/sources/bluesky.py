"""Bluesky: the Jetstream websocket filtered for the brands' terms, resumable by cursor, plus searchPosts backfill."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta
from typing import Any, ClassVar

import aiohttp
from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from monitor.brands import BrandMatcher
from monitor.clock import Clock, SystemClock
from monitor.mention import Mention, MentionError, Rejected, parse_mention
from monitor.settings import Settings
from monitor.sources import Emit, SourceError
from monitor.sources.backoff import Backoff
from monitor.sources.bsky_session import BskySession
from monitor.sources.checkpoints import Checkpointer
from monitor.sources.jetstream import POST, REPOST, FrameReader, from_time_us, post_json, subscribe_url
from monitor.sources.state import SourceContext

log = logging.getLogger(__name__)
CURSOR_KEY = "jetstream_cursor"
MEMORY_KEY = "recent_posts"


class BlueskyConfig(BaseModel):
    """Options of the Bluesky source."""

    model_config = ConfigDict(extra="forbid")
    url: str = "wss://jetstream2.us-east.bsky.network/subscribe"
    api_base: str = "https://public.api.bsky.app"
    identifier: str | None = Field(None, description="handle or e-mail to log in with, for searchPosts")
    app_password: SecretStr | None = Field(None, description="an app password (write ${ENV_VAR}), with identifier")
    auth_base: str = Field("https://bsky.social", description="the account's PDS: logins and searches go there")
    reposts: bool = True
    backfill_hours: float = Field(24.0, ge=0, description="first run: search this far back; 0 = no backfill")
    backfill_pages: int = Field(10, ge=0, description="at most this many pages of 100 per search term")
    rewind_seconds: float = Field(5.0, ge=0, description="resume this far before the saved cursor")
    checkpoint_every: int = Field(5000, gt=0, description="save the cursor after this many frames...")
    checkpoint_seconds: float = Field(10.0, gt=0, description="...or after this many seconds")
    reconnect_base: float = Field(1.0, gt=0)
    reconnect_cap: float = Field(120.0, gt=0)
    timeout: float = Field(30.0, gt=0, description="seconds to connect, and to wait for a search page")

    @model_validator(mode="after")
    def _login_pair(self) -> BlueskyConfig:
        if bool(self.identifier) != bool(self.app_password and self.app_password.get_secret_value()):
            raise ValueError("give both 'identifier' and 'app_password' (to log in for searchPosts) or neither")
        return self


class BlueskySource:
    """Posts (and reposts of matching posts) from Jetstream that name a brand; searchPosts fills in history."""

    type_name: ClassVar[str] = "bluesky"
    Config: ClassVar[type[BaseModel]] = BlueskyConfig

    def __init__(self, name: str, config: BlueskyConfig, settings: Settings | None = None,
                 clock: Clock | None = None, context: SourceContext | None = None) -> None:
        self.name, self.config = name, config
        self.clock = clock or SystemClock()
        self.context = context or SourceContext()
        self.matcher = BrandMatcher(settings.brands if settings else [])
        self.reader = FrameReader(self.matcher, f"jetstream:{name}", reposts=config.reposts)
        self.checkpointer = Checkpointer(self.context, name)
        self.connections = 0
        self.backfilled = 0
        self._remembered = 0
        password = config.app_password.get_secret_value() if config.app_password else ""
        self.login = BskySession(config.auth_base, config.identifier, password, config.timeout) if (
            config.identifier) else None
        # searchPosts: the public AppView anonymously, or through the account's PDS once logged in
        self.search_url = (config.auth_base if self.login else config.api_base).rstrip("/") + \
            "/xrpc/app.bsky.feed.searchPosts"

    @property
    def collections(self) -> list[str]:
        """The Jetstream collections asked for."""
        return [POST, REPOST] if self.config.reposts else [POST]

    async def _headers(self, session: aiohttp.ClientSession) -> dict[str, str]:
        return await self.login.headers(session) if self.login else {}

    async def run(self, emit: Emit) -> None:
        """Stream from the saved cursor (or live), with a searchPosts backfill running beside it."""
        saved = await self.context.resume(self.name, CURSOR_KEY)
        cursor = int(saved) if saved and saved.isdigit() else None
        if self.config.reposts:
            self.reader.restore(await self.context.resume(self.name, MEMORY_KEY))
        if cursor is not None:
            since = from_time_us(cursor)
        else:
            since = self.clock.now() - timedelta(hours=self.config.backfill_hours)
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=self.config.timeout)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            backfill = None
            if self.config.backfill_hours > 0 and self.config.backfill_pages > 0 and self.matcher.brands:
                backfill = asyncio.create_task(self._backfill_all(session, emit, since))
            try:
                await self._stream(session, emit, cursor)
            finally:
                if backfill is not None:
                    backfill.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await backfill
                await self.checkpointer.close()

    async def _stream(self, session: aiohttp.ClientSession, emit: Emit, cursor: int | None) -> None:
        """Read frames until cancelled; after a drop, reconnect with backoff from just before the last frame read."""
        backoff = Backoff(self.clock, base=self.config.reconnect_base, cap=self.config.reconnect_cap)
        rewind = int(self.config.rewind_seconds * 1_000_000)
        while True:
            start = None if cursor is None else cursor - rewind
            url = subscribe_url(self.config.url, self.collections, start)
            before = self.reader.frames
            try:
                async with session.ws_connect(url, heartbeat=30.0, max_msg_size=16 * 1024 * 1024,
                                              autoping=True) as ws:
                    self.connections += 1
                    log.info("source %s: connected to %s", self.name, url)
                    await self._read(ws, emit)
                    reason = f"closed by the server (code {ws.close_code})"
            except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                reason = f"{type(exc).__name__}: {exc}"
            # Frames read before the drop are already queued in this process: resume from the newest one.
            cursor = self.reader.last_time_us if self.reader.last_time_us is not None else cursor
            self._mark()
            if self.reader.frames > before:
                backoff.reset()
            delay = backoff.next_delay()
            log.warning("source %s: jetstream %s; reconnecting in %.1f s", self.name, reason, delay)
            await self.clock.sleep(delay)

    async def _read(self, ws: aiohttp.ClientWebSocketResponse, emit: Emit) -> None:
        """Emit what each frame yields, and note the cursor every so many frames or seconds."""
        reader, every = self.reader, self.config.checkpoint_every
        last_mark, since_mark = self.clock.now(), 0
        async for msg in ws:
            if msg.type == aiohttp.WSMsgType.TEXT:
                raw = msg.data
            elif msg.type == aiohttp.WSMsgType.BINARY:
                try:
                    raw = msg.data.decode("utf-8")
                except UnicodeDecodeError as exc:
                    reader.frames += 1
                    reader.rejected += 1
                    await emit(Rejected(f"{reader.location}:frame {reader.frames}",
                                        f"invalid UTF-8 at byte {exc.start}", repr(msg.data[:200])))
                    continue
            else:
                break
            record = reader.read(raw)
            if record is not None:
                await emit(record)
            since_mark += 1
            if since_mark >= every or (self.clock.now() - last_mark).total_seconds() >= self.config.checkpoint_seconds:
                self._mark()
                last_mark, since_mark = self.clock.now(), 0

    def _mark(self) -> None:
        """Note the cursor (and the posts reposts may refer to) for saving once what came before is stored."""
        if self.reader.last_time_us is None:
            return
        if self.config.reposts and self.reader.matched != self._remembered:
            self._remembered = self.reader.matched
            self.checkpointer.note(MEMORY_KEY, self.reader.snapshot())
        self.checkpointer.note(CURSOR_KEY, str(self.reader.last_time_us))

    async def _backfill_all(self, session: aiohttp.ClientSession, emit: Emit, since: datetime) -> None:
        """Search every brand's terms from `since`; a failure is logged and leaves the stream running."""
        terms = [t for brand in self.matcher.brands for t in self.matcher.search_terms(brand.name)]
        for term in dict.fromkeys(terms):
            try:
                self.backfilled += await self.backfill(session, emit, term, since)
            except SourceError as exc:  # credentials, rate limit or outage: the other terms would fail alike
                log.error("source %s: backfill stopped at %r: %s", self.name, term, exc)
                return

    async def backfill(self, session: aiohttp.ClientSession, emit: Emit, term: str, since: datetime) -> int:
        """Page through searchPosts for one term (newest first) and emit the posts that match a brand."""
        emitted, cursor = 0, None
        for page in range(1, self.config.backfill_pages + 1):
            params = {"q": term, "sort": "latest", "limit": "100",
                      "since": since.isoformat(timespec="milliseconds").replace("+00:00", "Z")}
            if cursor:
                params["cursor"] = cursor
            body = await self._search(session, params)
            posts = body.get("posts")
            if not isinstance(posts, list):
                raise SourceError(f"searchPosts answered without a 'posts' list (page {page})")
            for index, view in enumerate(posts, start=1):
                record = self._view(view, f"searchPosts:{self.name}:{term}:page {page}:{index}")
                if record is not None:
                    await emit(record)
                    emitted += isinstance(record, Mention)
            cursor = body.get("cursor")
            if not posts or not isinstance(cursor, str) or not cursor:
                break
        return emitted

    def _view(self, view: Any, where: str) -> Mention | Rejected | None:
        """One searchPosts post view as a mention of a brand, a Rejected record, or None."""
        try:
            if not isinstance(view, dict) or not isinstance(view.get("author"), dict):
                raise MentionError("post view without an 'author' object")
            author, record = view["author"], view.get("record")
            if not isinstance(record, dict) or not isinstance(view.get("uri"), str):
                raise MentionError("post view without 'uri' or 'record'")
            did, handle = author.get("did"), author.get("handle")
            if not isinstance(did, str) or not did:
                raise MentionError("post view author without a 'did'")
            indexed = view.get("indexedAt")
            when = datetime.fromisoformat(indexed.replace("Z", "+00:00")) if isinstance(indexed, str) else None
            mention = parse_mention(post_json(view["uri"], did, record, when, handle if isinstance(handle, str)
                                              else None, author.get("displayName") or None))
        except (MentionError, ValueError) as exc:
            self.reader.rejected += 1
            return Rejected(where, str(exc), str(view)[:200])
        brand = self.matcher.match(mention)
        if brand is None:
            return None
        mention.brand = brand
        return mention

    async def _search(self, session: aiohttp.ClientSession, params: dict[str, str]) -> dict[str, Any]:
        """GET searchPosts, waiting out 429s until the reset time and retrying server errors with backoff."""
        url, renewed = self.search_url, False
        backoff = Backoff(self.clock, base=self.config.reconnect_base, cap=self.config.reconnect_cap)
        for _attempt in range(6):
            try:
                async with session.get(url, params=params, headers=await self._headers(session),
                                       timeout=aiohttp.ClientTimeout(total=self.config.timeout)) as resp:
                    if resp.status == 200:
                        body = await resp.json(content_type=None)
                        if not isinstance(body, dict):
                            raise SourceError("searchPosts answered with something other than a JSON object")
                        return body
                    if resp.status == 429:
                        await backoff.wait_until(_reset_time(resp.headers, self.clock.now()))
                        continue
                    if resp.status == 401 and self.login and not renewed:
                        await self.login.renew(session)  # the access token expired
                        renewed = True
                        continue
                    if resp.status in (401, 403):
                        raise SourceError(f"searchPosts refused the request (HTTP {resp.status}): bad or missing "
                                          "credentials; set the bluesky source's identifier and app_password")
                    if resp.status < 500:
                        raise SourceError(f"searchPosts answered HTTP {resp.status}: {(await resp.text())[:200]}")
            except (aiohttp.ClientError, OSError, TimeoutError, ValueError) as exc:
                log.warning("source %s: searchPosts failed (%s); retrying", self.name, type(exc).__name__)
            await backoff.wait()
        raise SourceError(f"searchPosts at {url} unreachable after 6 attempts")

    async def check(self) -> str:
        """Open the websocket and wait for one frame; ask searchPosts for one post if backfill is on."""
        url = subscribe_url(self.config.url, self.collections, None)
        timeout = aiohttp.ClientTimeout(total=self.config.timeout)
        try:
            async with aiohttp.ClientSession(timeout=timeout) as session:
                async with session.ws_connect(url) as ws:
                    msg = await ws.receive(timeout=self.config.timeout)
                    if msg.type not in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
                        raise SourceError(f"jetstream {self.config.url} closed before sending an event")
                found = ""
                if self.config.backfill_hours > 0 and self.matcher.brands:
                    term = self.matcher.search_terms(self.matcher.brands[0].name)[0]
                    body = await self._search_once(session, term)
                    found = f"; searchPosts ok ({len(body.get('posts') or [])} recent posts for {term!r})"
        except aiohttp.WSServerHandshakeError as exc:
            raise SourceError(f"jetstream {self.config.url} refused the websocket (HTTP {exc.status})") from None
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise SourceError(f"jetstream {self.config.url} unreachable: {type(exc).__name__}: {exc}") from None
        return f"ok: jetstream {self.config.url} streaming{found}"

    async def _search_once(self, session: aiohttp.ClientSession, term: str) -> dict[str, Any]:
        url = self.search_url
        async with session.get(url, params={"q": term, "limit": "1"}, headers=await self._headers(session)) as resp:
            if resp.status == 429:
                raise SourceError(f"searchPosts is rate limited (HTTP 429) at {url}")
            if resp.status in (401, 403):
                raise SourceError(f"searchPosts refused the request (HTTP {resp.status}): bad or missing "
                                  "credentials; set identifier and app_password")
            if resp.status != 200:
                raise SourceError(f"searchPosts answered HTTP {resp.status} at {url}")
            body = await resp.json(content_type=None)
            return body if isinstance(body, dict) else {}


def _reset_time(headers: Any, now: datetime) -> datetime:
    """When a 429 lifts: the `ratelimit-reset` epoch seconds header, else `Retry-After`, else a minute."""
    reset = headers.get("ratelimit-reset")
    if reset and reset.isdigit():
        return datetime.fromtimestamp(int(reset), now.tzinfo)
    after = headers.get("Retry-After")
    if after and after.isdigit():
        return now + timedelta(seconds=int(after))
    return now + timedelta(seconds=60)
