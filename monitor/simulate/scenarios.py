"""The named scenarios, `generate` and `write_jsonl`: a reproducible mention stream plus its ground truth."""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from monitor.simulate.brands import ACME, BRANDS, VOLTA, BrandSpec
from monitor.simulate.care import with_care_replies
from monitor.simulate.events import TruthEvent, day_windows, make_campaign, make_outage, make_surge
from monitor.simulate.stream import iter_mentions

DEFAULT_START = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday: runs are reproducible without a clock
Planner = Callable[[random.Random, datetime, float], list[TruthEvent]]


@dataclass(frozen=True)
class ScenarioSpec:
    """A named scenario: default length, brands, and how its events are drawn and placed."""

    name: str
    description: str
    days: float
    brands: tuple[str, ...]
    plan: Planner
    volume_scale: float = 1.0
    peak: float | None = None
    care_replies: bool = False
    """The brands' care teams answer some complaints and questions (monitor.simulate.care)."""


@dataclass
class Scenario:
    """A generated scenario: its span, its ground-truth events, and its mentions (regenerated on demand)."""

    name: str
    start: datetime
    end: datetime
    events: list[TruthEvent]
    seed: int = 0
    brands: tuple[str, ...] = ("Acme",)
    description: str = ""
    counts: dict[str, Any] = field(default_factory=dict)
    volume_scale: float = 1.0
    care_replies: bool = False

    def brand_specs(self) -> list[BrandSpec]:
        """The scenario's brands, their daily volume multiplied by `volume_scale`."""
        return [replace(BRANDS[b], daily_volume=BRANDS[b].daily_volume * self.volume_scale) for b in self.brands]

    @property
    def minutes(self) -> int:
        """Length in whole minutes."""
        return round((self.end - self.start).total_seconds() / 60)

    def mentions(self) -> Iterator[dict[str, Any]]:
        """JSON-ready mention dicts in created_at order; the same for the same seed, every time."""
        brands = self.brand_specs()
        stream = iter_mentions(self.name, self.seed, self.start, self.minutes, brands, self.events)
        return with_care_replies(stream, brands, self.end, f"{self.name}:{self.seed}") if self.care_replies else stream

    def truth(self) -> dict[str, Any]:
        """The ground truth as written beside the JSON Lines file."""
        return {
            "scenario": self.name, "description": self.description, "seed": self.seed,
            "start": self.start.isoformat(), "end": self.end.isoformat(), "days": round(self.minutes / 1440, 4),
            "volume_scale": self.volume_scale,
            "brands": [{"name": b.name, "handles": sorted({h.lower() for h in b.handles}),
                        "daily_volume": b.daily_volume} for b in self.brand_specs()],
            "events": [e.to_json() for e in self.events],
            **self.counts,
        }


def _no_events(rng: random.Random, start: datetime, span: float) -> list[TruthEvent]:
    return []


def _outage(rng: random.Random, start: datetime, span: float) -> list[TruthEvent]:
    """One outage on the last day in working hours (10-16 UTC), after two days of normal traffic if they fit."""
    windows = day_windows(span, [-1, -2], (10, 16), earliest=2 * 1440 if span >= 3 * 1440 else 0)
    return [make_outage(rng, ACME.name, ACME.outage_topics, start, span, windows)]


def _campaign(rng: random.Random, start: datetime, span: float) -> list[TruthEvent]:
    """A promo of 3-8 hours starting 8-11 UTC on the fourth day (Thursday), else on the last day."""
    windows = day_windows(span, [3, -1], (8, 11))
    return [make_campaign(rng, ACME.name, ACME.promo, start, span, windows, hours=(3, 8))]


def _demo(rng: random.Random, start: datetime, span: float) -> list[TruthEvent]:
    """On the last day: a morning campaign, then an afternoon outage, both for Acme."""
    campaign = make_campaign(rng, ACME.name, ACME.promo, start, span, day_windows(span, [-1], (7.5, 9)),
                             hours=(2.5, 3.5), fallback=(0.15, 0.3))
    outage = make_outage(rng, ACME.name, ACME.outage_topics, start, span, day_windows(span, [-1], (14, 15.5)),
                         fallback=(0.6, 0.75))
    return [campaign, outage]


def _surge(rng: random.Random, start: datetime, span: float) -> list[TruthEvent]:
    """A complaint surge about one topic on the last day, starting 9-15 UTC: no outage, no campaign."""
    topics = tuple(t for t in ACME.complaint_topics if t != "any")
    return [make_surge(rng, ACME.name, topics, start, span, day_windows(span, [-1], (9, 15)))]


SCENARIOS: dict[str, ScenarioSpec] = {
    spec.name: spec for spec in (
        ScenarioSpec("normal", "ordinary traffic for Acme: weekly rhythm, no outage, no campaign", 7.0,
                     ("Acme",), _no_events),
        ScenarioSpec("outage", "two days of normal traffic, then an Acme outage in working hours", 3.0,
                     ("Acme",), _outage),
        ScenarioSpec("campaign", "a week with an Acme promo campaign (praise and chatter burst, no outage)", 7.0,
                     ("Acme",), _campaign),
        ScenarioSpec("surge", "four days for Acme, then a complaint surge about one topic (no outage)", 4.0,
                     ("Acme",), _surge),
        ScenarioSpec("outage-5x", "a large brand (Acme at 40x its volume, 120,000 mentions a day): 10-16 hours of "
                     "normal traffic, then an outage whose reports peak at exactly 5x their baseline", 1.0,
                     ("Acme",), _outage, volume_scale=40.0, peak=5.0),
        ScenarioSpec("demo", "one day, Acme and Volta: a morning campaign and an afternoon outage at Acme; their care "
                     "teams answer some complaints and questions", 1.0, (ACME.name, VOLTA.name), _demo,
                     care_replies=True),
    )
}


def generate(scenario: str, seed: int = 0, days: float | None = None, start: datetime | None = None,
             volume_scale: float | None = None, peak: float | None = None) -> Scenario:
    """Plan a named scenario: its span and ground-truth events; mentions are produced by `Scenario.mentions()`.

    `volume_scale` multiplies every brand's daily volume (and so its baseline of outage reports); `peak` sets every
    outage's peak to exactly that multiple of the baseline reports instead of a draw from OUTAGE_PEAK_RANGE.
    Both default to the scenario's own values.
    """
    spec = SCENARIOS.get(scenario)
    if spec is None:
        raise ValueError(f"unknown scenario {scenario!r}; one of {', '.join(SCENARIOS)}")
    length = spec.days if days is None else float(days)
    if not length > 0:
        raise ValueError(f"days must be positive, got {days}")
    scale = spec.volume_scale if volume_scale is None else float(volume_scale)
    if not scale > 0:
        raise ValueError(f"volume_scale must be positive, got {volume_scale}")
    peak = spec.peak if peak is None else float(peak)
    if peak is not None and not peak >= 1:
        raise ValueError(f"peak must be at least 1 (a multiple of the baseline), got {peak}")
    origin = DEFAULT_START if start is None else (
        start.replace(tzinfo=UTC) if start.tzinfo is None else start.astimezone(UTC))
    minutes = max(1, round(length * 1440))
    events = spec.plan(random.Random(f"{scenario}:{seed}:events"), origin, float(minutes))
    if peak is not None:  # the draw still happens, so the outage keeps its place, length and topic
        events = [replace(e, peak=peak) if e.kind == "outage" else e for e in events]
    return Scenario(spec.name, origin, origin + timedelta(minutes=minutes), events, seed, spec.brands,
                    spec.description, volume_scale=scale, care_replies=spec.care_replies)


def write_jsonl(scenario: Scenario, path: Path) -> int:
    """Write the mentions as JSON Lines and the ground truth to PATH.truth.json; return the number written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tallies: dict[str, Counter[str]] = {k: Counter() for k in ("by_brand", "by_intent", "by_lang", "by_source",
                                                                "by_form")}
    count = 0
    with open(path, "w", encoding="utf-8") as handle:
        for mention in scenario.mentions():
            handle.write(json.dumps(mention, ensure_ascii=False) + "\n")
            count += 1
            sim = mention["sim"]
            tallies["by_brand"][mention["brand"]] += 1
            tallies["by_intent"][sim["intent"]] += 1
            tallies["by_lang"][mention.get("lang", "untagged")] += 1
            tallies["by_source"][mention["source"]] += 1
            tallies["by_form"][sim["form"]] += 1
    scenario.counts = {"mentions": count, **{k: dict(sorted(v.items())) for k, v in tallies.items()}}
    truth = Path(str(path) + ".truth.json")
    truth.write_text(json.dumps(scenario.truth(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return count
