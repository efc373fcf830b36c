"""The daemon on a replay source, and the replay source's pacing on an injected clock."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.app import run_daemon
from monitor.clock import SimulatedClock
from monitor.mention import Mention, Rejected
from monitor.models import IncidentRow
from monitor.settings import ConfigError, parse_settings
from monitor.sources import SourceError, build_sources
from monitor.sources.replay import ReplayConfig, ReplaySource
from monitor.store import Store

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def write_mentions(path: Path, count: int, step_seconds: float) -> None:
    """Write `count` mentions `step_seconds` apart."""
    with path.open("w") as handle:
        for i in range(count):
            handle.write(json.dumps({
                "id": str(i), "source": "x", "created_at": (T0 + timedelta(seconds=i * step_seconds)).isoformat(),
                "text": f"@acme hello {i}", "author": {"id": str(i % 7), "handle": f"u{i % 7}"}, "brand": "Acme",
            }) + "\n")


async def test_speed_factor_paces_on_the_injected_clock(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    write_mentions(path, 61, 60.0)  # one hour of mentions
    pacer = SimulatedClock(T0)
    got: list[Mention | Rejected] = []

    async def emit(record: Mention | Rejected) -> None:
        got.append(record)

    source = ReplaySource("r", ReplayConfig(path=str(path), speed=60.0), pacer=pacer)
    await source.run(emit)
    assert len(got) == 61 and source.emitted == 61
    assert pacer.now() - T0 == timedelta(minutes=1)  # an hour at 60x takes a minute


async def test_missing_replay_file_is_a_source_error(tmp_path: Path) -> None:
    source = ReplaySource("r", ReplayConfig(path=str(tmp_path / "none.jsonl")))
    with pytest.raises(SourceError, match="no such file"):
        await source.run(lambda r: None)  # type: ignore[arg-type,return-value]


@pytest.mark.parametrize(("options", "message"), [
    ({"type": "replay"}, "exactly one of 'path' or 'scenario'"),
    ({"type": "replay", "path": "a", "speed": -1}, "sources[0].speed"),
    ({"type": "replay", "path": "a", "colour": "red"}, "sources[0].colour"),
    ({"type": "carrier-pigeon"}, "unknown source 'carrier-pigeon'. Hint: one of"),
])
def test_source_config_errors(options: dict, message: str) -> None:
    settings = parse_settings({"sources": [options]})
    with pytest.raises(ConfigError, match=re.escape(message)):
        build_sources(settings, SimulatedClock())


async def test_daemon_runs_replay_to_the_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "m.jsonl"
    write_mentions(path, 500, 5.0)
    settings = parse_settings({
        "sources": [{"type": "replay", "path": str(path)}],
        "store": {"url": f"sqlite:///{tmp_path / 'd.db'}"},
        "alerts": {"urls": [f"oncall://?path={tmp_path / 'a.log'}&console=no"]},
        "web": {"enabled": False},
    })
    runtime = await run_daemon(settings, exit_when_done=True)
    assert runtime.pipeline.stats.stored == 500
    assert "sources done: 500 mentions stored" in capsys.readouterr().out
    assert Store(settings.store.url).all(IncidentRow) == []


@pytest.mark.slow
def test_transformer_tier_from_config(tmp_path: Path) -> None:
    from monitor.app import build_classifier

    classifier = build_classifier(parse_settings({"classifier": {"tier": "transformer", "threads": 1}}))
    verdicts = classifier.classify_batch(["@acme l'app non funziona da stamattina", "love the new @acme update!"])
    assert [v.label for v in verdicts] == ["outage", "praise"]
    assert verdicts[0].model != "rules" and abs(sum(verdicts[0].scores.values()) - 1) < 1e-6
    with pytest.raises(ConfigError, match=r"classifier\.model"):
        build_classifier(parse_settings({"classifier": {"tier": "transformer", "model": str(tmp_path / "none")}}))


def test_configured_encoder_directory_with_its_own_heads(tmp_path: Path) -> None:
    import shutil

    from classifiers.model_heads import DEFAULT_HEADS
    from classifiers.transformer import default_model_dir
    from monitor.app import build_classifier

    encoder = tmp_path / "my-encoder"
    encoder.symlink_to(default_model_dir(), target_is_directory=True)
    weights = tmp_path / "weights"
    shutil.copytree(DEFAULT_HEADS.parent, weights)
    options = {"tier": "transformer", "threads": 1, "model": str(encoder), "heads": str(weights / "heads.npz")}
    classifier = build_classifier(parse_settings({"classifier": options}))
    adapter = classifier.heads.info.get("adapter")  # the adapter beside the configured heads is merged in
    assert classifier.encoder.name == (f"my-encoder+lora-{adapter}" if adapter else "my-encoder")
    assert classifier.classify_batch(["@acme l'app non funziona da stamattina"])[0].label == "outage"
    (weights / "heads.npz").write_bytes(b"not a zip")
    with pytest.raises(ConfigError, match=r"classifier\.heads: cannot load .*heads\.npz"):
        build_classifier(parse_settings({"classifier": options}))


def test_drill_targets_replace_brand_targets_too(tmp_path: Path) -> None:
    from monitor.app import build_runtime

    settings = parse_settings({"brands": [{"name": "Acme", "alert_urls": ["json://127.0.0.1:9/acme-oncall"]}]})
    live = build_runtime(settings, SimulatedClock(T0), store_url=f"sqlite:///{tmp_path / 'a.db'}")
    assert any("acme-oncall" in url for url in live.notifier.urls)
    drill = build_runtime(settings, SimulatedClock(T0), store_url=f"sqlite:///{tmp_path / 'b.db'}",
                          alert_urls=[f"oncall://?path={tmp_path / 'd.log'}"])
    assert not any("acme-oncall" in url for url in drill.notifier.urls)
