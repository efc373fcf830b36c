"""On-call notifications through Apprise, delivered to a real local json:// target."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from alerts.notifier import Notifier, redact
from monitor.settings import ConfigError, RouteSettings


async def no_wait(_seconds: float) -> None:
    """Backoff without sleeping."""


async def test_delivers_title_and_body_to_json_target(hook: tuple[Any, str]) -> None:
    recorder, url = hook
    delivery = await Notifier([url], sleep=no_wait).send("[Acme] outage spike", "What: outage reports")
    assert delivery.ok and delivery.attempts == 1 and delivery.error is None
    assert len(recorder.received) == 1
    assert recorder.received[0]["title"] == "[Acme] outage spike"
    assert recorder.received[0]["message"] == "What: outage reports"
    assert recorder.received[0]["type"] == "warning"


async def test_retries_then_succeeds(hook: tuple[Any, str]) -> None:
    recorder, url = hook
    recorder.fail_next = 2
    waits: list[float] = []

    async def record_wait(seconds: float) -> None:
        waits.append(seconds)

    delivery = await Notifier([url], retry_attempts=3, backoff=1.0, sleep=record_wait).send("t", "b")
    assert delivery.ok and delivery.attempts == 3
    assert waits == [1.0, 2.0]
    assert len(recorder.received) == 1


async def test_failure_reason_captured_and_other_targets_not_repeated(hook: tuple[Any, str],
                                                                       tmp_path: Path) -> None:
    recorder, url = hook
    log = tmp_path / "alerts.log"
    notifier = Notifier([url, f"oncall://?path={log}&console=no", "json://127.0.0.1:9/nothing"],
                        retry_attempts=2, sleep=no_wait)
    delivery = await notifier.send("title", "body")
    assert not delivery.ok
    assert "127.0.0.1:9" in delivery.error and "json://" in delivery.error
    assert len(recorder.received) == 1
    assert log.read_text().count("title") == 1


async def test_tags_select_targets(hook: tuple[Any, str], tmp_path: Path) -> None:
    recorder, url = hook
    log = tmp_path / "a.log"
    notifier = Notifier([f"{url} #critical", f"oncall://?path={log}&console=no #ops"], sleep=no_wait)
    assert (await notifier.send("t", "b", tag="ops")).ok
    assert recorder.received == [] and log.exists()
    assert (await notifier.send("t", "b", tag="critical")).ok
    assert len(recorder.received) == 1
    assert not (await notifier.send("t", "b", tag="nobody")).ok


def test_bad_url_is_a_config_error_without_the_secret() -> None:
    with pytest.raises(ConfigError) as info:
        Notifier(["https://user:supersecret@"])
    assert "alerts.urls[0]" in str(info.value) and "supersecret" not in str(info.value)


def test_redact_hides_passwords() -> None:
    assert "hunter2" not in redact("json://user:hunter2@example.com/path")


async def test_brand_targets_only_get_their_brand(hook: tuple[Any, str], tmp_path: Path) -> None:
    recorder, url = hook
    log = tmp_path / "global.log"
    notifier = Notifier([f"oncall://?path={log}&console=no"], brand_urls={"Acme": [url], "Volta": []},
                        sleep=no_wait)
    assert (await notifier.send("volta down", "b", brand="Volta")).ok
    assert recorder.received == [] and log.read_text().count("volta down") == 1
    assert (await notifier.send("acme down", "b", brand="Acme")).ok
    assert [m["title"] for m in recorder.received] == ["acme down"]
    assert log.read_text().count("acme down") == 1


def test_bad_brand_url_names_its_key() -> None:
    with pytest.raises(ConfigError, match=r"brands\[0\]\.alert_urls\[0\]"):
        Notifier([], brand_urls={"Acme": ["nonsense://"]})


async def test_one_attempt_reports_its_reason(hook: tuple[Any, str]) -> None:
    recorder, url = hook
    recorder.fail_next = 1
    notifier = Notifier([url, "json://127.0.0.1:9/nothing"], sleep=no_wait)
    live, dead = list(notifier.targets)
    ok, reason = await notifier.attempt(live, "t", "b")
    assert not ok and "503" in reason
    assert await notifier.attempt(live, "t", "b") == (True, None)
    ok, reason = await notifier.attempt(dead, "t", "b")
    assert not ok and "127.0.0.1" in reason
    assert await notifier.attempt("json://gone", "t", "b") == (False, "target no longer configured")
    assert len(recorder.received) == 1


async def test_the_same_url_twice_is_one_target(hook: tuple[Any, str]) -> None:
    recorder, url = hook
    notifier = Notifier([url, url], sleep=no_wait)
    assert len(notifier.targets) == 1
    assert (await notifier.send("t", "b")).ok and len(recorder.received) == 1


async def test_route_targets_are_not_paged_by_a_plain_send(hook: tuple[Any, str], tmp_path: Path) -> None:
    recorder, url = hook
    log = tmp_path / "phone.log"
    notifier = Notifier([url], routes=[RouteSettings(urls=[f"oncall://?path={log}&console=no"], min_severity=7)],
                        sleep=no_wait)
    assert (await notifier.send("t", "b")).ok
    assert len(recorder.received) == 1 and not log.exists()
    assert len(notifier.route("Acme", "outage", 7)) == 2


async def test_concurrent_attempts_keep_their_own_reasons(hook: tuple[Any, str]) -> None:
    recorder, url = hook
    recorder.fail_next = 1
    notifier = Notifier([url, "json://127.0.0.1:9/nothing"], sleep=no_wait)
    busy, dead = list(notifier.targets)
    (_ok1, busy_reason), (_ok2, dead_reason) = await asyncio.gather(notifier.attempt(busy, "t", "b"),
                                                                    notifier.attempt(dead, "t", "b"))
    assert "503" in busy_reason and "503" not in dead_reason and dead_reason != busy_reason


def test_a_reason_never_carries_the_url_secrets() -> None:
    notifier = Notifier(["json://user:hunter2@127.0.0.1:9/x", "discord://1234567/abcdefSECRETtoken"])
    basic, discord = notifier.targets.values()
    assert basic.scrub("401 for user:hunter2@127.0.0.1") == "401 for user:****@127.0.0.1"
    assert "SECRET" not in discord.scrub("POST /api/webhooks/1234567/abcdefSECRETtoken failed")
    assert not any("hunter2" in key or "SECRET" in key for key in notifier.targets)
