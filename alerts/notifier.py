"""On-call alerts through Apprise: each URL its own target, one attempt at a time, failure reasons captured."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from urllib.parse import unquote

import apprise

import alerts.oncall_log  # noqa: F401  (registers the oncall:// target)
from alerts.routing import Route, Router
from monitor.settings import ConfigError, RouteSettings

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Delivery:
    """What happened to one alert: delivered or not, after how many attempts, and why not."""

    ok: bool
    attempts: int
    error: str | None = None


@dataclass(slots=True)
class Target:
    """One Apprise URL: its privacy-safe key, its tags, and the brand it belongs to (None: global)."""

    key: str
    service: apprise.Apprise
    tags: frozenset[str]
    brand: str | None
    routed: bool = False
    secrets: tuple[str, ...] = ()  # the parts of its URL that Apprise's privacy form hides

    def scrub(self, text: str) -> str:
        """Text (say, a library's error message) with this target's secrets masked."""
        for secret in self.secrets:
            text = text.replace(secret, "****")
        return text


def redact(url: str) -> str:
    """Return a URL safe to log: Apprise's privacy form, never the secret."""
    service = apprise.Apprise.instantiate(url)
    return service.url(privacy=True) if service else url.split("://", 1)[0] + "://..."


def secrets(url: str, private: str) -> tuple[str, ...]:
    """The pieces of a full URL (user, password, tokens) that do not appear in its privacy form."""
    parts = re.split(r"[/:@?&=#%,]+", unquote(url))
    return tuple(sorted({p for p in parts if len(p) >= 3 and p not in unquote(private)}, key=len, reverse=True))


def _no_match(result: object) -> bool:
    """True when no target matched the tags (None in Apprise 1.x, a NOMATCH result in 2.x)."""
    return result is None or getattr(getattr(result, "status", None), "name", "") == "NOMATCH"


class Notifier:
    """Every configured Apprise URL as its own target: the default list, each brand's, each route's."""

    def __init__(self, urls: list[str], retry_attempts: int = 3, backoff: float = 2.0,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 brand_urls: dict[str, list[str]] | None = None,
                 routes: Sequence[RouteSettings] = ()) -> None:
        self.targets: dict[str, Target] = {}
        self._by_url: dict[tuple[str, str | None], str] = {}
        default = [self._add(url, f"alerts.urls[{i}]", None) for i, url in enumerate(urls)]
        own: dict[str, list[str]] = {}
        for number, (brand, extra) in enumerate((brand_urls or {}).items()):
            own[brand.lower()] = [self._add(url, f"brands[{number}].alert_urls[{i}]", brand.lower())
                                  for i, url in enumerate(extra)]
        rules = [Route.from_settings(r, [self._add(url, f"alerts.routes[{n}].urls[{i}]", None, routed=True)
                                         for i, url in enumerate(r.urls)])
                 for n, r in enumerate(routes)]
        tagged = {t.key: t.tags for t in self.targets.values() if t.tags}
        self.router = Router([k for k in default if not self.targets[k].tags], own, rules, tagged,
                             {t.key: t.brand for t in self.targets.values()})
        self.urls = list(self.targets)
        self.retry_attempts = retry_attempts
        self.backoff = backoff
        self.sleep = sleep
        self._capturing = asyncio.Lock()

    def _add(self, url: str, key: str, brand: str | None, routed: bool = False) -> str:
        """Validate one Apprise URL (with optional ` #tag1,tag2`) and keep it as its own target."""
        url, _, tag_text = url.partition(" #")
        tags = frozenset(t.strip() for t in tag_text.split(",") if t.strip())
        service = apprise.Apprise.instantiate(url.strip(), tag=sorted(tags) or None)
        if service is None:
            raise ConfigError(f"{key}: not a usable Apprise URL: {redact(url)!r}. "
                              "Hint: see the Apprise wiki for the URL of each service")
        same = self._by_url.get((url.strip(), brand))
        if same is not None:  # the same URL listed twice (say, by default and by a route) is one target
            return same
        name = service.url(privacy=True)
        if name in self.targets:  # two secrets that redact alike stay two targets
            name = f"{name} ({key})"
        target = apprise.Apprise()
        target.add(service)
        self.targets[name] = Target(name, target, tags, brand, routed, secrets(service.url(privacy=False), name))
        self._by_url[(url.strip(), brand)] = name
        return name

    def route(self, brand: str, signal: str, severity: int) -> list[str]:
        """The target keys an alert of this brand, signal and severity goes to."""
        return self.router.targets(brand, signal, severity)

    async def attempt(self, key: str, title: str, body: str, notify_type: str = "warning"
                      ) -> tuple[bool, str | None]:
        """One delivery attempt to one target: (delivered, reason it was not); never raises."""
        target = self.targets.get(key)
        if target is None:
            return False, "target no longer configured"
        async with self._capturing:  # one capture at a time, so each reason is the target's own
            with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:
                try:
                    result = await target.service.async_notify(body=body, title=title, notify_type=notify_type,
                                                               tag=apprise.common.MATCH_ALL_TAG)
                    error = None
                except Exception as exc:  # a plugin bug must not lose the alert's record
                    result, error = False, f"{type(exc).__name__}: {exc}"
                text = captured.getvalue().strip()
        if result and not _no_match(result):
            return True, None
        reason = (text.splitlines()[-1] if text else error) or "delivery failed (no reason given)"
        return False, target.scrub(reason)

    async def _deliver(self, target: Target, title: str, body: str, notify_type: str,
                       tag: str | list[str] | None) -> tuple[bool | None, int, str | None]:
        """Deliver to one target with in-line retries; None when the tags exclude it."""
        wanted = {tag} if isinstance(tag, str) else set(tag or ())
        if (wanted and not wanted & target.tags) or (not wanted and target.routed):
            return None, 0, None
        error: str | None = None
        for attempt in range(1, self.retry_attempts + 1):
            ok, error = await self.attempt(target.key, title, body, notify_type)
            if ok:
                return True, attempt, None
            if attempt < self.retry_attempts:
                await self.sleep(self.backoff * 2 ** (attempt - 1))
        return False, self.retry_attempts, error

    async def send(self, title: str, body: str, notify_type: str = "warning",
                   tag: str | list[str] | None = None, brand: str | None = None) -> Delivery:
        """Deliver now to every target (or those with the tag), global ones plus the brand's own; retry in line."""
        wanted = brand.lower() if brand else None
        targets = [t for t in self.targets.values() if t.brand is None or t.brand == wanted]
        outcomes = await asyncio.gather(*(self._deliver(t, title, body, notify_type, tag) for t in targets))
        tried = [(t.key, *o) for t, o in zip(targets, outcomes, strict=True) if o[0] is not None]
        if not tried:
            return Delivery(False, 0, "no alert target matches")
        errors = [f"{name}: {err}" for name, ok, _n, err in tried if not ok]
        for message in errors:
            log.warning("alert delivery failed after %d attempts: %s", self.retry_attempts, message)
        attempts = max(n for _name, _ok, n, _err in tried)
        return Delivery(not errors, attempts, "; ".join(errors) or None)
