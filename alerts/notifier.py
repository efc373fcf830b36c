"""On-call alerts through Apprise: any URL list, retries with backoff, failure reasons captured."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import apprise

import alerts.oncall_log  # noqa: F401  (registers the oncall:// target)
from monitor.settings import ConfigError

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Delivery:
    """What happened to one alert: delivered or not, after how many attempts, and why not."""

    ok: bool
    attempts: int
    error: str | None = None


def redact(url: str) -> str:
    """Return a URL safe to log: Apprise's privacy form, never the secret."""
    service = apprise.Apprise.instantiate(url)
    return service.url(privacy=True) if service else url.split("://", 1)[0] + "://..."


def _no_match(result: object) -> bool:
    """True when no target matched the tags (None in Apprise 1.x, a NOMATCH result in 2.x)."""
    return result is None or getattr(getattr(result, "status", None), "name", "") == "NOMATCH"


class Notifier:
    """Send alerts to every configured Apprise URL, each target retried on its own; tags pick a subset."""

    def __init__(self, urls: list[str], retry_attempts: int = 3, backoff: float = 2.0,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 brand_urls: dict[str, list[str]] | None = None) -> None:
        self.targets: list[tuple[str, apprise.Apprise, str | None]] = []
        for index, url in enumerate(urls):
            self._add(url, f"alerts.urls[{index}]", None)
        for number, (brand, extra) in enumerate((brand_urls or {}).items()):
            for index, url in enumerate(extra):
                self._add(url, f"brands[{number}].alert_urls[{index}]", brand.lower())
        self.urls = [name for name, _, _ in self.targets]
        self.retry_attempts = retry_attempts
        self.backoff = backoff
        self.sleep = sleep

    def _add(self, url: str, key: str, brand: str | None) -> None:
        """Validate one Apprise URL (with optional ` #tag1,tag2`) and keep it as its own target."""
        url, _, tag_text = url.partition(" #")
        tags = [t.strip() for t in tag_text.split(",") if t.strip()]
        service = apprise.Apprise.instantiate(url.strip(), tag=tags or None)
        if service is None:
            raise ConfigError(f"{key}: not a usable Apprise URL: {redact(url)!r}. "
                              "Hint: see the Apprise wiki for the URL of each service")
        target = apprise.Apprise()
        target.add(service)
        self.targets.append((service.url(privacy=True), target, brand))

    async def _deliver(self, target: apprise.Apprise, title: str, body: str, notify_type: str,
                       tag: str | list[str] | None) -> tuple[bool | None, int, str | None]:
        """Deliver to one target with retries; None when the tags exclude it."""
        error: str | None = None
        for attempt in range(1, self.retry_attempts + 1):
            with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:
                try:
                    result = await target.async_notify(
                        body=body, title=title, notify_type=notify_type,
                        tag=tag if tag is not None else apprise.common.MATCH_ALL_TAG)
                except Exception as exc:  # a plugin bug must not lose the alert's record
                    result, error = False, f"{type(exc).__name__}: {exc}"
                text = captured.getvalue().strip()
            if _no_match(result):
                return None, 0, None
            if result:
                return True, attempt, None
            error = (text.splitlines()[-1] if text else error) or "delivery failed (no reason given)"
            if attempt < self.retry_attempts:
                await self.sleep(self.backoff * 2 ** (attempt - 1))
        return False, self.retry_attempts, error

    async def send(self, title: str, body: str, notify_type: str = "warning",
                   tag: str | list[str] | None = None, brand: str | None = None) -> Delivery:
        """Deliver to every matching target (global ones plus the brand's own); never raises."""
        wanted = brand.lower() if brand else None
        targets = [(name, t) for name, t, owner in self.targets if owner is None or owner == wanted]
        outcomes = await asyncio.gather(*(self._deliver(t, title, body, notify_type, tag) for _, t in targets))
        tried = [(name, *o) for (name, _), o in zip(targets, outcomes, strict=True) if o[0] is not None]
        if not tried:
            return Delivery(False, 0, "no alert target matches")
        errors = [f"{name}: {err}" for name, ok, _n, err in tried if not ok]
        for message in errors:
            log.warning("alert delivery failed after %d attempts: %s", self.retry_attempts, message)
        attempts = max(n for _name, _ok, n, _err in tried)
        return Delivery(not errors, attempts, "; ".join(errors) or None)
