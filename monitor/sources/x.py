"""X (Twitter) through tweepy's AsyncClient: recent search, the brand accounts' mentions and their own replies."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, ClassVar

import aiohttp
import tweepy
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from monitor.brands import select_brands
from monitor.clock import Clock
from monitor.mention import Mention
from monitor.settings import ConfigError, Settings
from monitor.sources import Emit, SourceError
from monitor.sources.backoff import Backoff
from monitor.sources.state import SourceContext
from monitor.sources.x_api import (
    EXPANSIONS,
    MAX_QUERY_CHARS,
    TWEET_FIELDS,
    USER_FIELDS,
    Kind,
    XClient,
    build_query,
    describe_error,
    one_line,
    parse_page,
    reset_time,
)

log = logging.getLogger(__name__)


def clean_base(value: str) -> str:
    """An API base URL: http(s), without a trailing slash."""
    if not value.startswith(("http://", "https://")):
        raise ValueError("must start with http:// or https://")
    return value.rstrip("/")


class XConfig(BaseModel):
    """Options of the X source."""

    model_config = ConfigDict(extra="forbid")
    bearer_token: SecretStr = Field(description="app bearer token; write ${X_BEARER_TOKEN}")
    api_base: str = "https://api.twitter.com"
    poll_seconds: float = Field(60.0, gt=0)
    search: bool = True
    mentions: bool = True
    replies: bool = True
    brands: list[str] = Field(default_factory=list, description="brand names to follow; empty = every brand")
    max_results: int = Field(100, ge=10, le=100)
    backfill_pages: int = Field(1, ge=1, description="pages read on a first run, before any since_id is saved")
    max_retries: int = Field(5, ge=0)
    timeout_seconds: float = Field(30.0, gt=0)

    @field_validator("api_base")
    @classmethod
    def _base(cls, value: str) -> str:
        return clean_base(value)


@dataclass
class Feed:
    """One polled timeline: a brand's search, or one brand account's mentions or replies."""

    kind: Kind
    brand: str
    key: str
    query: str | None = None
    handle: str | None = None
    user_id: str | None = None
    stopped: str | None = None
    own_ids: frozenset[str] = field(default_factory=frozenset)


class XSource:
    """Poll X: every brand's recent search, its accounts' mentions and their replies, resuming from since_id."""

    type_name: ClassVar[str] = "x"
    Config: ClassVar[type[BaseModel]] = XConfig

    def __init__(self, name: str, config: XConfig, settings: Settings, clock: Clock,
                 context: SourceContext | None = None) -> None:
        self.name, self.config, self.clock = name, config, clock
        self.context = context or SourceContext()
        self.brands = select_brands(name, config.brands, settings)
        self.feeds: list[Feed] = []
        for brand in self.brands:
            query = build_query(brand)
            if len(query) > MAX_QUERY_CHARS:
                raise ConfigError(f"source {name}: the X query of brand {brand.name!r} is {len(query)} characters "
                                  f"(limit {MAX_QUERY_CHARS}). Hint: fewer keywords or exclusions")
            if config.search:
                self.feeds.append(Feed("search", brand.name, f"since_id:search:{brand.name.lower()}", query=query))
            for handle in brand.handles:
                for kind in ("mentions", "replies"):
                    if getattr(config, kind):
                        self.feeds.append(Feed(kind, brand.name, f"since_id:{kind}:@{handle}", handle=handle))
        self.backoffs: dict[str, Backoff] = {}
        self._resolving = asyncio.Lock()

    def make_client(self, session: aiohttp.ClientSession) -> XClient:
        """A client for this source's host and token, on the given session."""
        return XClient(self.config.bearer_token.get_secret_value(), self.config.api_base, session)

    def _session(self) -> aiohttp.ClientSession:
        return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.config.timeout_seconds))

    async def check(self) -> str:
        """One account lookup (or one search): ok with what was found, or SourceError with the reason."""
        handles = [f.handle for f in self.feeds if f.handle]
        async with self._session() as session:
            client = self.make_client(session)
            try:
                if handles:
                    found = await self._lookup(client, sorted(set(handles)))
                    return f"ok: {len(found)} brand accounts found ({', '.join('@' + h for h in found)})"
                search = next((f for f in self.feeds if f.query), None)
                if search is None:
                    return "ok: nothing to poll (no brands or every feed disabled)"
                page = await client.search_recent_tweets(search.query, max_results=10)
                count = (page.get("meta") or {}).get("result_count", 0) if isinstance(page, dict) else 0
                return f"ok: recent search answered ({count} recent posts for {search.brand})"
            except tweepy.HTTPException as exc:
                raise SourceError(describe_error(exc, client.limits)) from None
            except (aiohttp.ClientError, OSError) as exc:
                raise SourceError(f"unreachable: {self.config.api_base} ({type(exc).__name__}: {exc})") from None

    async def _lookup(self, client: XClient, handles: list[str]) -> dict[str, str]:
        """Resolve handles to user ids; a handle X does not know is a configuration mistake."""
        found = user_ids(await client.get_users(usernames=handles))
        missing = [h for h in handles if h.lower() not in found]
        if missing:
            raise SourceError(f"X does not know the brand account(s) {', '.join('@' + h for h in missing)}")
        return found

    async def run(self, emit: Emit) -> None:
        """Poll every feed kind on its own loop until cancelled; stops only when every feed is stopped."""
        if not self.feeds:
            raise SourceError(f"x {self.name}: nothing to poll (no brands, or search, mentions and replies all off)")
        async with self._session() as session:
            client = self.make_client(session)
            kinds = list(dict.fromkeys(f.kind for f in self.feeds))
            await asyncio.gather(*(self._loop(client, kind, emit) for kind in kinds))
        reasons = sorted({f.stopped for f in self.feeds if f.stopped})
        raise SourceError(f"x {self.name}: every feed stopped: {'; '.join(reasons) or 'nothing configured'}")

    async def _loop(self, client: XClient, kind: Kind, emit: Emit) -> None:
        while any(f.kind == kind and not f.stopped for f in self.feeds):
            await self.poll_once(emit, client, kind)
            await self.clock.sleep(self.config.poll_seconds)

    async def poll_once(self, emit: Emit, client: XClient | None = None, kind: Kind | None = None) -> int:
        """Read every (or every `kind`) feed once, all pages; return how many records were emitted."""
        if client is None:
            async with self._session() as session:
                return await self.poll_once(emit, self.make_client(session), kind)
        await self._resolve(client)
        total = 0
        for feed in self.feeds:
            if not feed.stopped and (kind is None or feed.kind == kind):
                total += await self._poll_feed(client, feed, emit)
        return total

    async def _resolve(self, client: XClient) -> None:
        """Find the brand accounts' user ids once (ids are what the timelines are addressed by)."""
        async with self._resolving:
            wanted = sorted({f.handle for f in self.feeds if f.handle and f.user_id is None and not f.stopped})
            if wanted:
                await self._lookup_feeds(client, wanted)

    async def _lookup_feeds(self, client: XClient, wanted: list[str]) -> None:
        placeholder = Feed("mentions", "brand accounts", "lookup")
        page = await self._call(client, placeholder, client.get_users, {"usernames": wanted})
        found = user_ids(page)
        for feed in self.feeds:
            if feed.handle and feed.user_id is None:
                if placeholder.stopped:
                    feed.stopped = placeholder.stopped
                    log.error("x %s: %s feed of @%s stopped: %s", self.name, feed.kind, feed.handle, feed.stopped)
                elif feed.handle in found:
                    feed.user_id = found[feed.handle]
                elif page is not None:
                    feed.stopped = f"X does not know @{feed.handle}"
                    log.error("x %s: %s; its %s feed is stopped", self.name, feed.stopped, feed.kind)
        own = frozenset(found.values())
        for feed in self.feeds:
            feed.own_ids = feed.own_ids | own

    async def _poll_feed(self, client: XClient, feed: Feed, emit: Emit) -> int:
        """Read one feed from its saved since_id through every page; save the newest id once all are handed on."""
        if feed.handle and feed.user_id is None:
            return 0
        since = await self.context.resume(self.name, feed.key)
        fetch, params = self._endpoint(client, feed)
        params.update(max_results=self.config.max_results, expansions=EXPANSIONS, tweet_fields=TWEET_FIELDS,
                      user_fields=USER_FIELDS)
        if since:
            params["since_id"] = since
        token_name = "next_token" if feed.kind == "search" else "pagination_token"
        newest: int | None = None
        emitted = pages = 0
        seen_tokens: set[str] = set()
        where = f"x:{self.name}:{feed.kind}:{feed.handle or feed.brand}"
        while True:
            page = await self._call(client, feed, fetch, params)
            if page is None:
                return emitted  # gave up this round: the mark stays, the next round re-reads
            if since and "since_id" not in params:
                since = None  # X refused the saved since_id (too old): this walk is a backfill
            records, meta = parse_page(page, feed.brand, feed.kind, where, feed.own_ids)
            for record in records:
                if feed.kind == "replies" and isinstance(record, Mention) and not record.in_reply_to:
                    continue  # the brand's own standalone posts are not mentions
                await emit(record)
                emitted += 1
            ids = [int(r.id) for r in records if isinstance(r, Mention) and r.id.isdigit()]
            if str(meta.get("newest_id", "")).isdigit():
                ids.append(int(meta["newest_id"]))
            newest = max([*ids, newest or 0]) or None
            pages += 1
            token = meta.get("next_token")
            if not isinstance(token, str) or not token or (since is None and pages >= self.config.backfill_pages):
                break
            if token in seen_tokens:
                log.error("x %s: %s repeated the page token %r; the page walk stops here", self.name, where, token)
                return emitted
            seen_tokens.add(token)
            params[token_name] = token
        if newest is not None and not (since and since.isdigit() and newest <= int(since)):
            await self.context.checkpoint(self.name, feed.key, str(newest))
        return emitted

    def _endpoint(self, client: XClient, feed: Feed) -> tuple[Callable[..., Awaitable[Any]], dict[str, Any]]:
        if feed.kind == "search":
            return client.search_recent_tweets, {"query": feed.query}
        if feed.kind == "mentions":
            return client.get_users_mentions, {"id": feed.user_id}
        return client.get_users_tweets, {"id": feed.user_id, "exclude": ["retweets"]}

    def _backoff(self, kind: str) -> Backoff:
        return self.backoffs.setdefault(kind, Backoff(self.clock, base=2.0, cap=600.0))

    async def _call(self, client: XClient, feed: Feed, fetch: Callable[..., Awaitable[Any]],
                    params: dict[str, Any]) -> Any:
        """One API call: waits out rate limits, retries other failures with jitter; None means give up for now."""
        backoff = self._backoff(feed.kind)
        failures = 0
        while True:
            try:
                page = await fetch(**params)
            except tweepy.TooManyRequests as exc:
                reset = reset_time(exc.reset_time, self.clock.now())
                if reset <= self.clock.now():  # a reset already past: back off instead of retrying at once
                    reset = self.clock.now() + timedelta(seconds=backoff.next_delay())
                log.warning("x %s: %s rate limited until %s UTC; waiting", self.name, feed.kind, f"{reset:%H:%M:%S}")
                await backoff.wait_until(reset)
                continue
            except (tweepy.Unauthorized, tweepy.Forbidden, tweepy.NotFound) as exc:
                feed.stopped = describe_error(exc, client.limits)
                if feed.key != "lookup":
                    log.error("x %s: %s feed of %s stopped: %s", self.name, feed.kind, feed.handle or feed.brand,
                              feed.stopped)
                return None
            except tweepy.BadRequest as exc:
                if "since_id" in params and "since_id" in str(exc):
                    log.warning("x %s: saved since_id refused (%s); reading recent posts instead", self.name, exc)
                    params.pop("since_id")
                    continue
                feed.stopped = f"request refused: {exc}".replace("\n", " ")
                log.error("x %s: %s feed of %s stopped: %s", self.name, feed.kind, feed.brand, feed.stopped)
                return None
            except (tweepy.HTTPException, aiohttp.ClientError, OSError, TimeoutError, ValueError) as exc:
                failures += 1
                if failures > self.config.max_retries:
                    log.error("x %s: %s failed %d times, trying again next round: %s", self.name, feed.kind,
                              failures, one_line(exc))
                    return None
                delay = backoff.next_delay()
                log.warning("x %s: %s failed (%s); retry in %.1f s", self.name, feed.kind, one_line(exc), delay)
                await self.clock.sleep(delay)
                continue
            backoff.reset()
            await self._respect_remaining(client, feed.kind)
            return page

    async def _respect_remaining(self, client: XClient, kind: str) -> None:
        """When a window's last call is spent, wait for its reset before the next one: never provoke a 429."""
        remaining, reset = client.limits.get("x-rate-limit-remaining"), client.limits.get("x-rate-limit-reset")
        if remaining == "0" and reset and reset.isdigit():
            when = reset_time(int(reset), self.clock.now())
            log.info("x %s: %s window spent; next call after %s UTC", self.name, kind, f"{when:%H:%M:%S}")
            await self._backoff(kind).wait_until(when)


def user_ids(page: Any) -> dict[str, str]:
    """Lower-case username -> user id, from a users lookup page (unknown names are left out)."""
    users = page.get("data") if isinstance(page, dict) else None
    return {str(u.get("username", "")).lower(): str(u.get("id")) for u in users or []
            if isinstance(u, dict) and u.get("id")}
