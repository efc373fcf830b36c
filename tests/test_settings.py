"""Configuration: valid files load, every mistake gives one clear message naming key, type, value, hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.settings import ConfigError, load_settings, parse_settings
from tests.conftest import ROOT


@pytest.mark.parametrize("name", ["demo.toml", "example.toml"])
def test_shipped_configs_load(name: str) -> None:
    settings = load_settings(ROOT / "config" / name)
    assert settings.brands[0].name == "Acme"
    assert settings.brands[0].handles == ["acme", "acmehelp"]


@pytest.mark.parametrize(("data", "expected"), [
    ({"brands": [{"name": "A", "keywords": 5}]}, ["brands[0].keywords", "valid list", "5 (int)", "Hint"]),
    ({"brands": [{"keywords": ["a"]}]}, ["brands[0].name", "required key is missing"]),
    ({"detector": {"threshold": "high"}}, ["detector.threshold", "'high' (str)"]),
    ({"detector": {"treshold": 3}}, ["detector.treshold", "unknown key", "did you mean 'threshold'"]),
    ({"web": {"port": 70000}}, ["web.port", "70000"]),
    ({"alerts": {"urls": "json://x"}}, ["alerts.urls", "valid list"]),
    ({"bogus": 1}, ["bogus: unknown key", "known keys here"]),
    ({"brands": [{"name": "A"}, {"name": "a"}]}, ["two brands share a name"]),
    ({"detector": {"signals": ["outage", "sarcasm"]}}, ["detector.signals[1]", "'sarcasm'"]),
])
def test_bad_config_messages(data: dict, expected: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        parse_settings(data, "my.toml")
    message = str(info.value)
    assert message.startswith("my.toml: ")
    for part in expected:
        assert part in message, message


def test_env_expansion_and_missing_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOK_TOKEN", "s3cret")
    settings = parse_settings({"alerts": {"urls": ["json://h/${HOOK_TOKEN}"]}})
    assert settings.alerts.urls == ["json://h/s3cret"]
    monkeypatch.delenv("HOOK_TOKEN")
    with pytest.raises(ConfigError, match=r"alerts.urls\[0\]: environment variable HOOK_TOKEN is not set"):
        parse_settings({"alerts": {"urls": ["json://h/${HOOK_TOKEN}"]}})


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[brands\nname=1")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(bad)
    bad.write_bytes(b"name = '\xff'")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_settings(bad)


def test_unknown_brand_gets_defaults() -> None:
    settings = parse_settings({"brands": [{"name": "Acme"}]})
    assert settings.brand("acme").name == "Acme"
    assert settings.brand("Other").name == "Other" and settings.brand("Other").languages == []
