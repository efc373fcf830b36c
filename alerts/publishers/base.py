"""What every publisher shares: the protocol, errors worded for people, progress callbacks, rate-limit resets."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar, Protocol

import aiohttp
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from monitor.clock import Clock, SystemClock

DEFAULT_RATE_WAIT = 60.0


class PublishError(Exception):
    """A channel refused or failed a post: the reason, whether retrying can help, and from when."""

    def __init__(self, reason: str, *, retry: bool = False, retry_at: datetime | None = None) -> None:
        super().__init__(reason)
        self.reason, self.retry, self.retry_at = reason, retry, retry_at


class RateLimited(PublishError):
    """The network said 429: try again at `retry_at` (its reset time); this is not a failed attempt."""

    def __init__(self, reason: str, retry_at: datetime) -> None:
        super().__init__(reason, retry=True, retry_at=retry_at)


class PublisherConfig(BaseModel):
    """Options every publisher has; unknown keys are mistakes."""

    model_config = ConfigDict(extra="forbid")
    api_base: str = ""
    timeout_seconds: float = Field(30.0, gt=0)
    max_chars: int | None = Field(None, gt=20, description="replaces the network's length limit")
    reply_to_previous: bool = Field(True, description="an incident's later posts reply to its earlier ones")


@dataclass(slots=True)
class PostInfo:
    """What a publisher may need besides the text: phase, language, a title, when it was approved, earlier ids."""

    phase: str = "investigating"
    lang: str = "en"
    title: str = ""
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    previous: str | None = None
    state: str = ""
    reply_to: str | None = None
    root: str | None = None


class Progress:
    """Known external ids per part, parts whose request may already have been sent, and where to report both."""

    def __init__(self, count: int, ids: list[str | None] | None = None, uncertain: set[int] | None = None) -> None:
        self.ids: list[str | None] = list(ids) if ids else [None] * count
        self.uncertain: set[int] = set(uncertain or ())
        self.urls: dict[int, str] = {}

    async def sending(self, index: int) -> None:
        """Called right before the request for part `index`; the outbox persists the mark."""
        self.uncertain.add(index)

    async def sent(self, index: int, external_id: str, url: str | None = None) -> None:
        """Called as soon as part `index` has its external id."""
        self.ids[index] = external_id
        self.uncertain.discard(index)
        if url:
            self.urls[index] = url


class Publisher(Protocol):
    """One channel: a name, its own config model, one async publish method and a credentials check."""

    type_name: ClassVar[str]
    Config: ClassVar[type[PublisherConfig]]
    name: str

    async def publish(self, parts: list[str], key: str, progress: Progress | None = None,
                      info: PostInfo | None = None) -> list[str]: ...

    async def check(self) -> str: ...

    async def close(self) -> None: ...


def secret(value: SecretStr | None) -> str:
    """The plain value of an optional secret."""
    return value.get_secret_value() if value is not None else ""


def reset_from_headers(headers: Any, now: datetime) -> datetime:
    """When a rate limit resets: epoch seconds, an ISO time, Retry-After seconds or date; else a minute on."""
    for name in ("x-rate-limit-reset", "ratelimit-reset", "x-ratelimit-reset"):
        value = headers.get(name)
        if not value:
            continue
        value = str(value).strip()
        try:
            number = float(value)
        except ValueError:
            try:
                return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
            except ValueError:
                continue
        # epoch seconds, or (some servers) seconds from now
        return datetime.fromtimestamp(number, UTC) if number > 10**9 else now + timedelta(seconds=number)
    retry_after = headers.get("retry-after")
    if retry_after:
        try:
            return now + timedelta(seconds=float(retry_after))
        except ValueError:
            try:
                return parsedate_to_datetime(retry_after).astimezone(UTC)
            except (TypeError, ValueError):
                pass
    return now + timedelta(seconds=DEFAULT_RATE_WAIT)


def error_reason(status: int, body: bytes | str | Any) -> str:
    """The server's own words for an error, from the usual JSON fields, else the start of its body."""
    data: Any = body
    if isinstance(body, bytes | str):
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
            return f"HTTP {status}: {text.strip()[:200] or 'no details'}"
    if isinstance(data, dict):
        words = [str(data[k]) for k in ("error", "title", "detail", "message", "error_description")
                 if isinstance(data.get(k), str | int) and str(data[k]) not in ("about:blank",)]
        errors = data.get("errors")
        if isinstance(errors, list):
            words += [str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors[:3]]
        if words:
            return f"HTTP {status}: " + ": ".join(dict.fromkeys(words))
    return f"HTTP {status}: {str(data)[:200]}"


class HttpPublisher:
    """Base for publishers speaking HTTP through aiohttp: one session, status codes mapped to PublishError."""

    type_name: ClassVar[str] = ""
    Config: ClassVar[type[PublisherConfig]] = PublisherConfig
    default_base: ClassVar[str] = ""
    threads: ClassVar[bool] = True

    def __init__(self, name: str, config: PublisherConfig, clock: Clock | None = None) -> None:
        self.name, self.config = name, config
        self.clock: Clock = clock or SystemClock()
        self.base = (config.api_base or self.default_base).rstrip("/")
        self._session: aiohttp.ClientSession | None = None

    def secrets(self) -> list[str]:
        """Values that must never appear in a reason or a log line."""
        return []

    def redact(self, text: str) -> str:
        """Hide every secret value in a text."""
        for value in self.secrets():
            if value and len(value) >= 4:
                text = text.replace(value, "***")
        return text

    def session(self) -> aiohttp.ClientSession:
        """The shared client session, created on first use."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.config.timeout_seconds))
        return self._session

    async def close(self) -> None:
        """Release connections."""
        if self._session is not None:
            await self._session.close()

    async def call(self, method: str, path: str, *, headers: dict[str, str] | None = None, json_body: Any = None,
                   params: dict[str, Any] | None = None) -> tuple[int, Any]:
        """One request; 2xx gives (status, decoded JSON), anything else raises PublishError with the reason."""
        url = path if path.startswith("http") else self.base + path
        try:
            async with self.session().request(method, url, headers=headers, json=json_body, params=params) as resp:
                body = await resp.read()
                status, resp_headers = resp.status, resp.headers
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise PublishError(self.redact(f"{self.name}: cannot reach {self.base} ({type(exc).__name__}: {exc})"),
                               retry=True) from None
        if 200 <= status < 300:
            try:
                return status, json.loads(body) if body else {}
            except ValueError:
                raise PublishError(f"{self.name}: HTTP {status} with a body that is not JSON", retry=True) from None
        reason = self.redact(f"{self.name}: {error_reason(status, body)}")
        if status in (420, 429):  # 420: older Statuspage-style APIs say "enhance your calm"
            raise RateLimited(reason, reset_from_headers(resp_headers, self.clock.now()))
        raise PublishError(reason, retry=status >= 500 or status == 408)

    async def publish(self, parts: list[str], key: str, progress: Progress | None = None,
                      info: PostInfo | None = None) -> list[str]:
        """Post the parts in order (each a reply to the one before), skipping those already known."""
        progress = progress or Progress(len(parts))
        info = info or PostInfo()
        for index, text in enumerate(parts):
            if progress.ids[index]:
                continue
            parent = progress.ids[index - 1] if index else self.first_parent(info)
            if index in progress.uncertain:
                found = await self.recover(index, text, parent, key, info, progress)
                if found:
                    await progress.sent(index, found)
                    continue
            await progress.sending(index)
            external_id, url = await self.send(index, text, parent, key, info, progress)
            await progress.sent(index, external_id, url)
        return [i for i in progress.ids if i]

    def first_parent(self, info: PostInfo) -> str | None:
        """What the first part replies to: the end of the incident's previous post on this channel, if wanted."""
        return info.reply_to if self.threads and self.config.reply_to_previous else None

    async def recover(self, index: int, text: str, parent: str | None, key: str, info: PostInfo,
                      progress: Progress) -> str | None:
        """Find a part whose request may have gone out before a crash; None means send it (again)."""
        return None

    async def send(self, index: int, text: str, parent: str | None, key: str, info: PostInfo,
                   progress: Progress) -> tuple[str, str | None]:
        """Post one part; return its external id and public URL."""
        raise NotImplementedError
