"""Alert routing: which targets an incident's page goes to, by brand, signal and severity, with tags."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from monitor.settings import RouteSettings


@dataclass(frozen=True, slots=True)
class Route:
    """One `[[alerts.routes]]` table with its own URLs already turned into target keys."""

    name: str
    targets: tuple[str, ...]
    tags: frozenset[str] = frozenset()
    min_severity: int = 1
    brands: frozenset[str] = frozenset()
    signals: frozenset[str] = frozenset()
    exclusive: bool = False

    @classmethod
    def from_settings(cls, settings: RouteSettings, targets: Iterable[str]) -> Route:
        """Build a route from its config table and the keys of its URLs."""
        return cls(settings.name, tuple(targets), frozenset(settings.tags), settings.min_severity,
                   frozenset(b.lower() for b in settings.brands), frozenset(settings.signals), settings.exclusive)

    def matches(self, brand: str, signal: str, severity: int) -> bool:
        """True when an alert of this brand, signal and severity takes this route."""
        return (severity >= self.min_severity and (not self.brands or brand.lower() in self.brands)
                and (not self.signals or signal in self.signals))


class Router:
    """Pick targets: the untagged default URLs (unless an exclusive route matches), the brand's own URLs,
    and every matching route's URLs plus the configured targets carrying one of the route's tags."""

    def __init__(self, default: list[str], brand_targets: dict[str, list[str]], routes: list[Route],
                 tagged: dict[str, frozenset[str]], owners: dict[str, str | None]) -> None:
        self.default = list(default)
        self.brand_targets = {b.lower(): list(keys) for b, keys in brand_targets.items()}
        self.routes = list(routes)
        self.tagged = dict(tagged)
        self.owners = dict(owners)

    def matching(self, brand: str, signal: str, severity: int) -> list[Route]:
        """The routes an alert takes, in config order."""
        return [r for r in self.routes if r.matches(brand, signal, severity)]

    def targets(self, brand: str, signal: str, severity: int) -> list[str]:
        """Target keys for one alert, each once, in a stable order."""
        wanted = brand.lower()
        matched = self.matching(brand, signal, severity)
        chosen: list[str] = [] if any(r.exclusive for r in matched) else list(self.default)
        chosen += self.brand_targets.get(wanted, [])
        for route in matched:
            chosen += route.targets
            if route.tags:
                chosen += [key for key, tags in self.tagged.items()
                           if tags & route.tags and self.owners.get(key) in (None, wanted)]
        return list(dict.fromkeys(chosen))
