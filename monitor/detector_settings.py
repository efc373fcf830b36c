"""The `[detector]` section: spike detection, the incident lifecycle and per-signal tuning."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from monitor.config_model import Model


class SignalTuning(Model):
    """Per-signal overrides of the detector's decision rule (unset keys keep the [detector] value)."""

    threshold: float | None = Field(None, gt=0)
    min_excess: float | None = Field(None, ge=0)
    open_after_minutes: float | None = Field(None, ge=0)
    common_level: bool | None = None


def _default_per_signal() -> dict[str, SignalTuning]:
    """Outage reports are explicit and sparse: a first minute with a few of them opens at once. Complaints and
    negative mentions are a brand's everyday noise (over half its mentions): they page only on a clearer surge."""
    return {"outage": SignalTuning(open_after_minutes=1.0, min_excess=2.0, threshold=4.5, common_level=True),
            "complaints": SignalTuning(threshold=5.0), "negative": SignalTuning(threshold=5.0)}


class DetectorSettings(Model):
    """Spike detection and incident lifecycle settings."""

    bucket_seconds: int = Field(60, gt=0)
    signals: list[Literal["outage", "complaints", "negative", "volume"]] = Field(
        default_factory=lambda: ["outage", "complaints", "negative"],
        description="series that can open incidents; 'volume' alone would page on every campaign")
    threshold: float = Field(4.0, gt=0, description="score above which a bucket is anomalous")
    min_excess: float = Field(3.0, ge=0, description="minimum mentions per bucket above baseline")
    open_after_minutes: float = Field(2.0, ge=0)
    quiet_minutes: float = Field(5.0, gt=0, description="back near baseline this long: the episode is over")
    recovery_reports: int = Field(
        3, ge=0, description="an outage episode also ends when its reports have been back near baseline for "
                             "quiet_minutes and this many people said it works again since its last loud minute "
                             "(0: off)")
    monitoring_minutes: float = Field(
        15.0, ge=0, description="after every signal is calm, wait this long before the all-clear; "
                                "a spike within it reopens the same incident")
    warmup_minutes: float = Field(60.0, ge=0, description="cold start: noise is taken as at least its prior")
    extreme_days: float = Field(
        0.0, ge=0, description="long-horizon gate (0: off): a bucket opens an episode only when its excess over "
                               "baseline reaches extreme_factor x the extreme_quantile of the excesses of the "
                               "last this many days")
    extreme_quantile: float = Field(0.99, gt=0, le=1)
    extreme_factor: float = Field(2.0, ge=0)
    echo_hours: float = Field(
        0.0, ge=0, description="aftershocks (0: off): after an episode ends, a new one needs a bucket of echo_factor "
                               "x the last peak, a bar halved every echo_hours")
    echo_factor: float = Field(1.0, ge=0)
    common_level: bool = Field(
        False, description="judge a signal against its baseline x the brand's current level, taken from its other "
                           "mentions (a burst of attention lifts every kind of mention; on by default for outage "
                           "reports, whose series are sparse: their share of a burst is not a spike of their own)")
    timezone: str = "UTC"
    per_signal: dict[Literal["outage", "complaints", "negative", "volume"], SignalTuning] = Field(
        default_factory=_default_per_signal,
        description="threshold, min_excess, open_after_minutes, common_level per signal")

    @field_validator("per_signal")
    @classmethod
    def _keep_default_tuning(cls, value: dict[str, SignalTuning]) -> dict[str, SignalTuning]:
        """A signal the file leaves out keeps its built-in tuning (set its keys to override them)."""
        return {**_default_per_signal(), **value}

    def for_signal(self, signal: str) -> DetectorSettings:
        """These settings with `signal`'s overrides applied (itself when it has none)."""
        tuning = self.per_signal.get(signal)  # type: ignore[call-overload]
        if tuning is None:
            return self
        changes = {k: v for k, v in tuning.model_dump().items() if v is not None}
        return self.model_copy(update=changes) if changes else self

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name like 'Europe/Rome' or 'UTC')") from None
        return value
