"""Reddit, polled: new posts and comments matching each brand, resuming from a persisted created_utc mark."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, ClassVar

import aiohttp
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from monitor.brands import BrandMatcher, select_brands
from monitor.clock import Clock
from monitor.mention import Mention
from monitor.settings import ConfigError, Settings
from monitor.sources import Emit, SourceError
from monitor.sources.backoff import Backoff
from monitor.sources.reddit_api import RedditClient, RedditHTTPError, build_query, parse_listing
from monitor.sources.state import SourceContext

log = logging.getLogger(__name__)
SUBREDDIT = re.compile(r"^[A-Za-z0-9_]{2,21}$")
USERNAME = re.compile(r"^[A-Za-z0-9_-]{3,20}$")


class RedditConfig(BaseModel):
    """Options of the Reddit source."""

    model_config = ConfigDict(extra="forbid")
    user_agent: str = Field(min_length=8, description="required by Reddit: '<platform>:<app id>:<version> "
                                                      "(by /u/<name>)'")
    client_id: SecretStr | None = None
    client_secret: SecretStr | None = None
    api_base: str | None = Field(None, description="default: the OAuth host with credentials, else the web host")
    auth_base: str = "https://www.reddit.com"
    poll_seconds: float = Field(120.0, gt=0)
    posts: bool = True
    comments: bool = True
    subreddits: list[str] = Field(default_factory=list)
    brands: list[str] = Field(default_factory=list)
    accounts: dict[str, list[str]] = Field(default_factory=dict, description=(
        "each brand's own Reddit accounts: their comments are read; what they and the brand's handles write is "
        "tagged brand_reply (comments) or brand_post (posts)"))
    limit: int = Field(100, ge=1, le=100)
    max_pages: int = Field(10, ge=1, description="pages read per poll when catching up")
    backfill_pages: int = Field(1, ge=1, description="pages read on a first run, before any mark is saved")
    overlap_seconds: float = Field(120.0, ge=0, description="re-read this far behind the mark: search lags")
    max_retries: int = Field(5, ge=0)
    timeout_seconds: float = Field(30.0, gt=0)

    @field_validator("api_base", "auth_base")
    @classmethod
    def _base(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/") if value else value

    @field_validator("subreddits")
    @classmethod
    def _names(cls, value: list[str]) -> list[str]:
        names = [v.strip().removeprefix("/").removeprefix("r/") for v in value]
        for name in names:
            if not SUBREDDIT.match(name):
                raise ValueError(f"{name!r} is not a subreddit name (2-21 letters, digits or _)")
        return names

    @field_validator("accounts")
    @classmethod
    def _accounts(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        cleaned = {}
        for brand, names in value.items():
            cleaned[brand] = [n.strip().removeprefix("/").removeprefix("u/").removeprefix("@") for n in names]
            for name in cleaned[brand]:
                if not USERNAME.match(name):
                    raise ValueError(f"{name!r} is not a Reddit user name (3-20 letters, digits, _ or -)")
        return cleaned

    @model_validator(mode="after")
    def _pair(self) -> RedditConfig:
        if (self.client_id is None) != (self.client_secret is None):
            raise ValueError("give both client_id and client_secret, or neither (anonymous access)")
        return self


@dataclass
class Feed:
    """One polled listing: a brand's post or comment search, or the subreddits' comment stream."""

    kind: str
    label: str
    key: str
    path: str
    params: dict[str, str]
    local_filter: bool = False
    brand: str | None = None
    stopped: str | None = None
    backoff: Backoff = field(repr=False, kw_only=True)


class RedditSource:
    """Poll Reddit's newest posts and comments for every brand; a mark per listing makes restarts resume."""

    type_name: ClassVar[str] = "reddit"
    Config: ClassVar[type[BaseModel]] = RedditConfig

    def __init__(self, name: str, config: RedditConfig, settings: Settings, clock: Clock,
                 context: SourceContext | None = None) -> None:
        self.name, self.config, self.clock = name, config, clock
        self.context = context or SourceContext()
        brands = select_brands(name, config.brands, settings)
        for wanted in config.accounts:
            if wanted.lower() not in {b.name.lower() for b in brands}:
                raise ConfigError(f"source {name}: accounts: {wanted!r} is not a brand this source reads. "
                                  f"Hint: one of {', '.join(b.name for b in brands) or '(none configured)'}")
        accounts = {b.name: next((v for k, v in config.accounts.items() if k.lower() == b.name.lower()), None)
                    for b in brands}
        self.own: dict[str, str] = {}  # a brand's own account (lower case) -> the brand
        for brand in brands:
            for handle in [*(accounts[brand.name] or []), *brand.handles]:
                self.own.setdefault(handle.lower(), brand.name)
        self.matcher = BrandMatcher(brands)
        subs = "+".join(config.subreddits)
        prefix = f"/r/{subs}" if subs else ""
        base = {"sort": "new", "limit": str(config.limit), "raw_json": "1"}
        if subs:
            base["restrict_sr"] = "on"
        self.feeds: list[Feed] = []

        def add(kind: str, label: str, path: str, params: dict[str, str], local_filter: bool = False,
                brand: str | None = None) -> None:
            self.feeds.append(Feed(kind, label, f"mark:{kind}:{label.lower()}", path, params, local_filter, brand,
                                   backoff=Backoff(clock, base=2.0, cap=600.0)))

        for brand in brands:
            query = build_query(brand)
            if config.posts:
                add("posts", brand.name, f"{prefix}/search.json", {**base, "q": query, "type": "link"})
            if config.comments and not subs:
                add("comments", brand.name, "/search.json", {**base, "q": query, "type": "comment"})
        if config.comments and subs and brands:
            add("comments", f"r/{subs}", f"/r/{subs}/comments.json", {"limit": str(config.limit), "raw_json": "1"},
                local_filter=True)
        for brand in brands:  # the brand's own replies, which need not name the brand: response times
            for account in accounts[brand.name] or []:
                add("replies", f"u/{account}", f"/user/{account}/comments.json",
                    {"sort": "new", "limit": str(config.limit), "raw_json": "1"}, brand=brand.name)

    def _session(self) -> aiohttp.ClientSession:
        return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.config.timeout_seconds))

    def make_client(self, session: aiohttp.ClientSession) -> RedditClient:
        """A client for this source's host and credentials, on the given session."""
        cfg = self.config
        oauth = cfg.client_id is not None
        return RedditClient(session, cfg.api_base or ("https://oauth.reddit.com" if oauth else "https://www.reddit.com"),
                            cfg.auth_base, cfg.user_agent,
                            cfg.client_id.get_secret_value() if cfg.client_id else None,
                            cfg.client_secret.get_secret_value() if cfg.client_secret else None)

    async def check(self) -> str:
        """Authenticate (when configured) and read one listing once: ok, or SourceError with the reason."""
        if not self.feeds:
            return "ok: nothing to poll (no brands, or posts and comments both off)"
        feed = self.feeds[0]
        async with self._session() as session:
            client = self.make_client(session)
            try:
                payload = await client.get(feed.path, {**feed.params, "limit": "5"})
            except RedditHTTPError as exc:
                raise SourceError(self.describe(exc)) from None
            except (aiohttp.ClientError, OSError) as exc:
                raise SourceError(f"unreachable: {client.api_base} ({type(exc).__name__}: {exc})") from None
        records, _ = parse_listing(payload, "check")
        access = "app-only OAuth" if self.config.client_id else "anonymous"
        return f"ok: {feed.kind} of {feed.label} answered ({len(records)} recent items, {access})"

    def describe(self, exc: RedditHTTPError) -> str:
        """A short reason for a refused call, worded for `check` and the log."""
        if exc.status in (401, 403):
            return (f"bad credentials or access refused ({exc}). Hint: check client_id / client_secret, "
                    "the subreddits, and that user_agent is descriptive")
        if 300 <= exc.status < 400 or exc.status == 404:
            return f"not found ({exc}). Hint: check the subreddit names"
        if exc.status == 429:
            until = self.clock.now() + timedelta(seconds=exc.reset_seconds or 600)
            return f"rate limited until {until:%H:%M} UTC"
        return str(exc)

    async def run(self, emit: Emit) -> None:
        """Poll every listing each `poll_seconds` until cancelled; stops only when every listing is stopped."""
        if not self.feeds:
            raise SourceError(f"reddit {self.name}: nothing to poll (no brands, or posts and comments both off)")
        async with self._session() as session:
            client = self.make_client(session)
            while any(not f.stopped for f in self.feeds):
                await self.poll_once(emit, client)
                await self.clock.sleep(self.config.poll_seconds)
        reasons = sorted({f.stopped for f in self.feeds if f.stopped})
        raise SourceError(f"reddit {self.name}: every listing stopped: {'; '.join(reasons)}")

    async def poll_once(self, emit: Emit, client: RedditClient | None = None) -> int:
        """Read every listing once; return how many records were emitted."""
        if client is None:
            async with self._session() as session:
                return await self.poll_once(emit, self.make_client(session))
        total = 0
        for feed in self.feeds:
            if not feed.stopped:
                total += await self._poll_feed(client, feed, emit)
        return total

    async def _poll_feed(self, client: RedditClient, feed: Feed, emit: Emit) -> int:
        """Walk a newest-first listing back to the saved mark (less an overlap); save the newest time seen."""
        saved = await self.context.resume(self.name, feed.key)
        mark = float(saved) if saved and _is_number(saved) else None
        stop_at = mark - self.config.overlap_seconds if mark is not None else None
        params = dict(feed.params)
        where = f"reddit:{self.name}:{feed.kind}:{feed.label}"
        newest, emitted, pages = mark, 0, 0
        while True:
            payload = await self._call(client, feed, params)
            if payload is None:
                return emitted  # the mark stays: the next round re-reads
            records, after = parse_listing(payload, where)
            reached = False
            for record in records:
                if isinstance(record, Mention):
                    stamp = record.created_at.timestamp()
                    newest = max(newest or stamp, stamp)
                    if stop_at is not None and stamp < stop_at:
                        reached = True
                        continue
                    self.tag_own(record, feed.brand)
                    if feed.local_filter and self.matcher.match(record) is None:
                        continue
                await emit(record)
                emitted += 1
            pages += 1
            if reached or after is None:
                break
            if pages >= (self.config.max_pages if mark is not None else self.config.backfill_pages):
                if mark is not None:
                    log.warning("reddit %s: %s has more than %d new pages; older ones are skipped", self.name,
                                where, pages)
                break
            params["after"] = after
        if newest is not None and newest != mark:
            await self.context.checkpoint(self.name, feed.key, repr(newest))
        return emitted

    def tag_own(self, mention: Mention, brand: str | None = None) -> None:
        """Mark what the brand's own accounts wrote, as the X source does: comments are replies, posts posts."""
        own = self.own.get((mention.author.handle or "").lower())
        if own is None:
            return
        reply = mention.extra.get("reddit_kind") == "comment" or mention.in_reply_to is not None
        mention.extra["brand_reply" if reply else "brand_post"] = True
        mention.brand = mention.brand or brand or own

    async def _call(self, client: RedditClient, feed: Feed, params: dict[str, str]) -> Any:
        """One listing call: waits out rate limits, retries failures with jitter; None means give up for now."""
        failures = 0
        while True:
            try:
                payload = await client.get(feed.path, params)
            except RedditHTTPError as exc:
                if exc.status == 429:
                    seconds = exc.reset_seconds if exc.reset_seconds else feed.backoff.next_delay()
                    until = self.clock.now() + timedelta(seconds=seconds)
                    log.warning("reddit %s: rate limited until %s UTC; waiting", self.name, f"{until:%H:%M:%S}")
                    await feed.backoff.wait_until(until)
                    continue
                if exc.status == 401 and client.client_id and failures == 0:
                    failures += 1  # an expired token: one fresh token, then it is bad credentials
                    continue
                if exc.status in (401, 403, 404) or 300 <= exc.status < 400:
                    feed.stopped = self.describe(exc)
                    log.error("reddit %s: %s of %s stopped: %s", self.name, feed.kind, feed.label, feed.stopped)
                    return None
                error: Exception = exc
            except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                error = exc
            else:
                feed.backoff.reset()
                await self._respect_remaining(client, feed)
                return payload
            failures += 1
            if failures > self.config.max_retries:
                log.error("reddit %s: %s of %s failed %d times, trying again next round: %s", self.name, feed.kind,
                          feed.label, failures, error)
                return None
            delay = feed.backoff.next_delay()
            log.warning("reddit %s: %s failed (%s); retry in %.1f s", self.name, feed.kind, error, delay)
            await self.clock.sleep(delay)

    async def _respect_remaining(self, client: RedditClient, feed: Feed) -> None:
        """With no calls left in the window, wait for its reset: never provoke a 429."""
        if client.remaining is not None and client.remaining < 1 and client.reset_seconds:
                await feed.backoff.wait_until(self.clock.now() + timedelta(seconds=client.reset_seconds))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
