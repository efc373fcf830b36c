"""The README documents every command, every config section and every mention field."""

from __future__ import annotations

from monitor.cli import COMMANDS
from monitor.mention import KNOWN_FIELDS
from monitor.settings import Settings
from monitor.sources import source_types
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
EXAMPLE = (ROOT / "config" / "example.toml").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands() -> None:
    lines = [line for line in README.splitlines() if line.startswith("python3.11 -m venv")]
    assert len(lines) == 2
    assert lines[0].endswith("run_monitor.py") and lines[1].endswith("-m pytest")
    assert all("torch==2.13.0" in line for line in lines)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert lines[1] in ci


def test_every_command_documented() -> None:
    for command in COMMANDS:
        assert f"`{command}" in README, command


def test_every_mention_field_documented() -> None:
    for field in KNOWN_FIELDS:
        assert f"`{field}`" in README, field


def test_every_config_key_in_the_example() -> None:
    for section, field in Settings.model_fields.items():
        if section == "base_dir":
            continue
        assert f"[{section}]" in EXAMPLE or f"[[{section}]]" in EXAMPLE, section
        model = field.annotation
        inner = getattr(model, "__args__", (model,))[0]
        for key in getattr(inner, "model_fields", {}):
            if key not in ("type", "name"):
                assert f"{key} =" in EXAMPLE or f"[[{section}.{key}]]" in EXAMPLE, f"{section}.{key}"


def test_every_source_documented() -> None:
    for name in source_types():
        assert f"`{name}`" in README, name


def test_every_web_user_key_in_the_example() -> None:
    from monitor.settings import UserSettings

    assert "[[web.users]]" in EXAMPLE
    for key in UserSettings.model_fields:
        assert f"{key} =" in EXAMPLE, f"web.users.{key}"
    for command in ("posts list", "posts approve", "ack", "hash-password"):
        assert command in README, command


def test_every_x_and_reddit_option_in_the_example() -> None:
    from monitor.sources.reddit import RedditSource
    from monitor.sources.x import XSource

    for cls in (XSource, RedditSource):
        assert f'type = "{cls.type_name}"' in EXAMPLE, cls.type_name
        assert f"`{cls.type_name}`" in README, cls.type_name
        for key in cls.Config.model_fields:
            assert f"{key} =" in EXAMPLE and f"`{key}`" in README, f"{cls.type_name}.{key}"
    assert "`check" in README


def test_every_status_post_and_channel_key_in_the_example() -> None:
    from alerts.publishers import publisher_types
    from monitor.settings import BrandVoice, ChannelSettings, StatusPostSettings

    for model in (StatusPostSettings, BrandVoice, ChannelSettings):
        for key in model.model_fields:
            assert f"{key} =" in EXAMPLE, f"status_posts: {key}"
    for name, cls in publisher_types().items():
        assert f'type = "{name}"' in EXAMPLE, name
        for key in cls.Config.model_fields:
            assert f"{key} =" in EXAMPLE, f"{name} channel: {key}"


def test_every_alert_route_key_in_the_example() -> None:
    from monitor.settings import RouteSettings

    assert "[[alerts.routes]]" in EXAMPLE
    for key in RouteSettings.model_fields:
        assert f"{key} =" in EXAMPLE, f"alerts.routes.{key}"


def test_streaming_and_webhook_source_options_in_the_example() -> None:
    from monitor.sources.bluesky import BlueskyConfig
    from monitor.sources.mastodon import InstanceConfig, MastodonConfig
    from monitor.sources.webhook import WebhookConfig

    for model, name in ((BlueskyConfig, "bluesky"), (MastodonConfig, "mastodon"), (WebhookConfig, "webhook")):
        assert f'type = "{name}"' in EXAMPLE, name
        for key in model.model_fields:
            assert f"{key} =" in EXAMPLE, f"{name}.{key}"
    assert all(f"{key} =" in EXAMPLE for key in InstanceConfig.model_fields)
