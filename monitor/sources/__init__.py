"""Mention sources: built-ins listed explicitly, extras through the `brand_monitor.sources` entry points."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from importlib.metadata import entry_points
from typing import Any, ClassVar, Protocol

from pydantic import BaseModel, ValidationError

from monitor.clock import Clock
from monitor.mention import Mention, Rejected
from monitor.settings import ConfigError, Settings, SourceSettings
from monitor.sources.state import SourceContext

Emit = Callable[[Mention | Rejected], Awaitable[None]]
ENTRY_POINT_GROUP = "brand_monitor.sources"
DEFAULT_SOURCES: tuple[str, ...] = (
    "monitor.sources.replay:ReplaySource",
    "monitor.sources.x:XSource",
    "monitor.sources.reddit:RedditSource",
    "monitor.sources.bluesky:BlueskySource",
    "monitor.sources.mastodon:MastodonSource",
    "monitor.sources.webhook:WebhookSource",
)


class SourceError(Exception):
    """The one error a source raises: what failed and why, never with a secret in it."""


class Source(Protocol):
    """One input of mentions: a name, its own config model and one async method."""

    type_name: ClassVar[str]
    Config: ClassVar[type[BaseModel]]
    name: str

    async def run(self, emit: Emit) -> None: ...

    async def check(self) -> str:
        """Connect once and say what was found ("ok: ..."), or raise SourceError with the reason."""
        ...


def _load(ref: str) -> type[Any]:
    module, _, attr = ref.partition(":")
    return getattr(__import__(module, fromlist=[attr]), attr)


def source_types() -> dict[str, type[Any]]:
    """Return every known source class by type name; a duplicate name is a start-up error."""
    found: dict[str, type[Any]] = {}
    classes = [_load(ref) for ref in DEFAULT_SOURCES]
    classes += [ep.load() for ep in entry_points(group=ENTRY_POINT_GROUP)]
    for cls in classes:
        if cls.type_name in found and found[cls.type_name] is not cls:
            raise ConfigError(f"two source plugins are both named {cls.type_name!r}")
        found[cls.type_name] = cls
    return found


def build_sources(settings: Settings, clock: Clock, context: SourceContext | None = None) -> list[Any]:
    """Instantiate the configured sources, validating each one's options with its own model."""
    types = source_types()
    built = []
    for index, spec in enumerate(settings.sources):
        built.append(build_source(spec, index, types, settings, clock, context))
    return built


def build_source(spec: SourceSettings, index: int, types: dict[str, type[Any]], settings: Settings,
                 clock: Clock, context: SourceContext | None = None) -> Any:
    """Validate and build one source."""
    where = f"sources[{index}]"
    cls = types.get(spec.type)
    if cls is None:
        raise ConfigError(f"{where}.type: unknown source {spec.type!r}. Hint: one of {', '.join(sorted(types))}")
    options = dict(spec.model_extra or {})
    try:
        config = cls.Config.model_validate(options)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        key = ".".join(str(p) for p in err["loc"])
        raise ConfigError(f"{where}.{key}: {err['msg'].lower()}; got {err.get('input')!r}. "
                          f"Hint: see the {spec.type} source in config/example.toml") from None
    return cls(spec.name or f"{spec.type}-{index}", config, settings, clock, context=context or SourceContext())
