"""The brand's common level: bursts of attention that lift every kind of mention are not outage spikes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from monitor.detection import Detection
from monitor.detector_settings import SignalTuning
from monitor.detectors.level import LEVEL_CAP, LEVEL_FLOOR, CommonLevel
from monitor.settings import DetectorSettings

START = datetime(2026, 3, 2, 6, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
QUIET = 6 * 60  # minutes of ordinary traffic before anything happens


def test_the_level_reads_how_busy_the_brand_is_within_its_bounds() -> None:
    rng = np.random.default_rng(41)
    level = CommonLevel(DetectorSettings())
    seen = [level.update(START + minute * MINUTE, rng.poisson(80.0)) for minute in range(QUIET)]
    assert seen[0] == 1.0 and 0.95 < float(np.median(seen[-60:])) < 1.05
    at = START + QUIET * MINUTE
    assert 1.3 < level.update(at, 128) < 1.6  # 1.6x: mostly a burst, shrunk by how bursty the brand has been
    assert level.update(at + MINUTE, 800) == LEVEL_CAP          # a campaign: only up to the cap is explained
    assert level.update(at + 2 * MINUTE, 0) == LEVEL_FLOOR      # a source that went quiet
    assert level.value == LEVEL_FLOOR


def opened(settings: DetectorSettings, outage: list[float], other: list[float], seed: int) -> list[int]:
    """Minutes at which the outage family opened, for Poisson mentions at these rates a minute."""
    rng = np.random.default_rng(seed)
    detection = Detection(settings)
    out = []
    for minute, (reports, chatter) in enumerate(zip(outage, other, strict=True)):
        at = START + minute * MINUTE
        mentions = [("volume", "outage")] * rng.poisson(reports) + [("volume",)] * rng.poisson(chatter)
        for number, signals in enumerate(mentions):
            detection.add("Acme", at + number * MINUTE / (len(mentions) + 1), f"x:{minute}-{number}", signals)
        out += [minute for _, name, event in detection.advance(at + MINUTE)
                if name == "outage" and event.kind == "open"]
    return out


def with_level(on: bool) -> DetectorSettings:
    """The default detector with the outage signal's common level on or off."""
    tuning = DetectorSettings().per_signal["outage"].model_copy(update={"common_level": on})
    return DetectorSettings(per_signal={"outage": SignalTuning(**tuning.model_dump())})


def test_a_burst_of_attention_opens_no_outage_but_an_outage_within_it_does() -> None:
    assert with_level(True).for_signal("outage").common_level
    assert not with_level(False).for_signal("outage").common_level
    assert DetectorSettings().for_signal("outage").common_level  # on by default for outage reports
    assert not DetectorSettings().for_signal("complaints").common_level
    # Twenty minutes in which twice the usual number of people write about the brand, outage reports included.
    reports = [8.0] * QUIET + [16.0] * 20 + [8.0] * 60
    chatter = [80.0] * QUIET + [160.0] * 20 + [80.0] * 60
    for seed in (42, 43):
        assert opened(with_level(False), reports, chatter, seed), "the burst alone must look like a spike"
        assert not opened(with_level(True), reports, chatter, seed)
    # Outage reports at 5x open at once while the rest is as usual, and also half an hour into a campaign that
    # tripled the rest over 45 minutes: the level has learned the campaign, so it explains none of the outage.
    outage = [8.0] * QUIET + [40.0] * 10 + [8.0] * 60
    assert opened(with_level(True), outage, [80.0] * len(outage), 43)[:1] == [QUIET]
    campaign = [80.0] * QUIET + [80.0 * (1 + 2 * minute / 45) for minute in range(45)] + [240.0] * 90
    outage = [8.0] * (QUIET + 75) + [40.0] * 10 + [8.0] * 50
    for seed in (44, 45):
        during = opened(with_level(True), outage, campaign, seed)
        assert during and QUIET + 75 <= during[0] <= QUIET + 76, during
