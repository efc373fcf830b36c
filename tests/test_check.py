"""`check`: every configured source connects once and reports ok or a clear reason, against local servers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from monitor.check import CheckResult, check_source, check_sources
from monitor.clock import SimulatedClock
from monitor.settings import BrandSettings, Settings, SourceSettings
from monitor.sources.reddit import RedditConfig, RedditSource
from monitor.sources.x import XConfig, XSource
from tests.conftest import ROOT
from tests.fake_reddit import CLIENT_ID, CLIENT_SECRET, FakeReddit
from tests.fake_x import TOKEN, FakeX, user

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SETTINGS = Settings(brands=[BrandSettings(name="Acme", handles=["acme"], keywords=["acme pay"])])
UA = "linux:brand-monitor-tests:0.1 (by /u/acme_care)"


def closed_port() -> int:
    """A local port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def x_source(base: str, token: str = TOKEN, settings: Settings = SETTINGS) -> XSource:
    """An X source against `base`."""
    return XSource("x-main", XConfig(bearer_token=token, api_base=base), settings, SimulatedClock(T0))


def reddit_source(base: str, secret: str = CLIENT_SECRET) -> RedditSource:
    """A Reddit source with app-only OAuth against `base`."""
    config = RedditConfig(user_agent=UA, api_base=base, auth_base=base, client_id=CLIENT_ID, client_secret=secret)
    return RedditSource("reddit-main", config, SETTINGS, SimulatedClock(T0))


async def test_x_check_reports_ok_bad_credentials_unknown_account_and_rate_limit(aiohttp_server: Any) -> None:
    fake = FakeX(users={"100": user("100", "acme")})
    server = await aiohttp_server(fake.app())
    base = f"http://127.0.0.1:{server.port}"

    ok = await check_source(x_source(base))
    assert ok == CheckResult("x-main", "x", True, "1 brand accounts found (@acme)")
    assert ok.line() == "ok  x-main (x): 1 brand accounts found (@acme)"

    bad = await check_source(x_source(base, token="not-the-token"))
    assert not bad.ok and bad.detail.startswith("bad credentials") and "not-the-token" not in bad.detail
    assert bad.line().startswith("FAIL x-main (x): bad credentials")

    other = Settings(brands=[BrandSettings(name="Acme", handles=["acme", "acme_typo"])])
    missing = await check_source(x_source(base, settings=other))
    assert not missing.ok and "@acme_typo" in missing.detail

    fake.rate_limited, fake.reset_epoch = 1, int((T0 + timedelta(minutes=15)).timestamp())
    limited = await check_source(x_source(base))
    assert not limited.ok and limited.detail == "rate limited until 09:15 UTC"
    assert len(fake.requests) == 4, "check never waits or retries"


async def test_x_check_without_accounts_runs_one_search(aiohttp_server: Any) -> None:
    fake = FakeX()
    server = await aiohttp_server(fake.app())
    settings = Settings(brands=[BrandSettings(name="Acme", keywords=["acme pay"])])
    result = await check_source(x_source(f"http://127.0.0.1:{server.port}", settings=settings))
    assert result.ok and "recent search answered" in result.detail
    assert fake.requests[0][0] == "/2/tweets/search/recent"


async def test_reddit_check_reports_ok_bad_credentials_and_rate_limit(aiohttp_server: Any) -> None:
    fake = FakeReddit(oauth=True)
    server = await aiohttp_server(fake.app())
    base = f"http://127.0.0.1:{server.port}"
    ok = await check_source(reddit_source(base))
    assert ok.ok and "app-only OAuth" in ok.detail, ok
    bad = await check_source(reddit_source(base, secret="wrong-secret"))
    assert not bad.ok and bad.detail.startswith("bad credentials") and "wrong-secret" not in bad.detail
    fake.rate_limited, fake.reset_seconds = 1, 300
    limited = await check_source(reddit_source(base))
    assert not limited.ok and limited.detail.startswith("rate limited until ")


async def test_unreachable_sources_say_so() -> None:
    base = f"http://127.0.0.1:{closed_port()}"
    for source in (x_source(base), reddit_source(base)):
        result = await check_source(source)
        assert not result.ok and result.detail.startswith("unreachable:"), result
        assert base.removeprefix("http://") in result.detail


async def test_a_check_that_hangs_is_timed_out() -> None:
    class Slow:
        type_name = "slow"
        name = "slow-1"

        async def check(self) -> str:
            import asyncio

            await asyncio.sleep(30)
            return "ok"

    result = await check_source(Slow(), timeout=0.05)
    assert result == CheckResult("slow-1", "slow", False, "unreachable: no answer within 0.05 s")


async def test_check_sources_builds_every_configured_source(tmp_path: Path) -> None:
    (tmp_path / "m.jsonl").write_text("{}\n")
    settings = Settings(brands=SETTINGS.brands, sources=[
        SourceSettings.model_validate({"type": "replay", "name": "file", "path": str(tmp_path / "m.jsonl")}),
        SourceSettings.model_validate({"type": "replay", "name": "gone", "path": str(tmp_path / "no.jsonl")}),
    ])
    results = await check_sources(settings, timeout=5)
    assert [(r.name, r.ok) for r in results] == [("file", True), ("gone", False)]
    assert "no such file" in results[1].detail


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Run `run_monitor.py check` as a user would."""
    return subprocess.run([sys.executable, str(ROOT / "run_monitor.py"), "check", *args], capture_output=True,
                          text=True, timeout=120, cwd=ROOT)


@pytest.mark.slow
def test_cli_check_lines_and_exit_codes(tmp_path: Path) -> None:
    (tmp_path / "m.jsonl").write_text("{}\n")
    port = closed_port()
    config = tmp_path / "c.toml"
    config.write_text(f"""
[[brands]]
name = "Acme"
handles = ["acme"]

[[sources]]
type = "replay"
name = "file"
path = "m.jsonl"

[[sources]]
type = "x"
name = "x-main"
bearer_token = "${{TEST_X_TOKEN}}"
api_base = "http://127.0.0.1:{port}"
""")
    env_token = "super-secret-bearer"
    result = subprocess.run([sys.executable, str(ROOT / "run_monitor.py"), "check", "--config", str(config),
                             "--timeout", "10"], capture_output=True, text=True, timeout=120, cwd=ROOT,
                            env={**os.environ, "TEST_X_TOKEN": env_token})
    lines = result.stdout.splitlines()
    assert result.returncode == 1, result.stderr
    assert lines[0].startswith("ok  file (replay): ")
    assert lines[1].startswith("FAIL x-main (x): unreachable: ")
    assert env_token not in result.stdout + result.stderr

    only_ok = tmp_path / "ok.toml"
    only_ok.write_text('[[sources]]\ntype = "replay"\npath = "m.jsonl"\n')
    assert run_cli("--config", str(only_ok)).returncode == 0

    broken = tmp_path / "bad.toml"
    broken.write_text('[[sources]]\ntype = "x"\nbearer_token = "t"\npoll_seconds = "often"\n')
    bad = run_cli("--config", str(broken))
    assert bad.returncode == 2 and bad.stderr.startswith("error: ") and "poll_seconds" in bad.stderr
    assert "Traceback" not in bad.stderr
