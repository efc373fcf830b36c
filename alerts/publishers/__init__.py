"""Status-post publishers: built-ins listed explicitly, extras through the `brand_monitor.publishers` entry points."""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any

from pydantic import ValidationError

from alerts.publishers.base import PostInfo, Progress, Publisher, PublishError, RateLimited
from monitor.clock import Clock
from monitor.settings import ChannelSettings, ConfigError, Settings

ENTRY_POINT_GROUP = "brand_monitor.publishers"
DEFAULT_PUBLISHERS: tuple[str, ...] = (
    "alerts.publishers.x:XPublisher",
    "alerts.publishers.mastodon:MastodonPublisher",
    "alerts.publishers.bluesky:BlueskyPublisher",
    "alerts.publishers.statuspage:StatuspagePublisher",
)
__all__ = ["PostInfo", "Progress", "PublishError", "Publisher", "RateLimited", "build_publishers",
           "publisher_types"]


def _load(ref: str) -> type[Any]:
    module, _, attr = ref.partition(":")
    return getattr(__import__(module, fromlist=[attr]), attr)


def publisher_types() -> dict[str, type[Any]]:
    """Every known publisher class by type name; a duplicate name is a start-up error."""
    found: dict[str, type[Any]] = {}
    classes = [_load(ref) for ref in DEFAULT_PUBLISHERS]
    classes += [ep.load() for ep in entry_points(group=ENTRY_POINT_GROUP)]
    for cls in classes:
        if cls.type_name in found and found[cls.type_name] is not cls:
            raise ConfigError(f"two publisher plugins are both named {cls.type_name!r}")
        found[cls.type_name] = cls
    return found


def channel_name(spec: ChannelSettings) -> str:
    """A channel's name: the configured one, else its type."""
    return spec.name or spec.type


def build_publisher(spec: ChannelSettings, index: int, types: dict[str, type[Any]], clock: Clock) -> Any:
    """Validate one channel's options with its publisher's model and build it."""
    where = f"status_posts.channels[{index}]"
    cls = types.get(spec.type)
    if cls is None:
        raise ConfigError(f"{where}.type: unknown channel {spec.type!r}. Hint: one of {', '.join(sorted(types))}")
    try:
        config = cls.Config.model_validate(dict(spec.model_extra or {}))
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        key = ".".join(str(p) for p in err["loc"])
        shown = "(hidden)" if any(w in key for w in ("token", "secret", "password", "key")) else repr(err.get("input"))
        raise ConfigError(f"{where}{'.' + key if key else ''}: {err['msg'].lower()}; got {shown}. "
                          f"Hint: see the {spec.type} channel in config/example.toml") from None
    return cls(channel_name(spec), config, clock)


def build_publishers(settings: Settings, clock: Clock) -> dict[str, Any]:
    """Every configured channel's publisher by channel name; names must be unique."""
    types = publisher_types() if settings.status_posts.channels else {}
    built: dict[str, Any] = {}
    for index, spec in enumerate(settings.status_posts.channels):
        name = channel_name(spec)
        if name in built:
            raise ConfigError(f"status_posts.channels[{index}].name: a second channel is named {name!r}. "
                              "Hint: give each channel its own name")
        built[name] = build_publisher(spec, index, types, clock)
    return built
