"""`check`: build the configured sources and let each connect once; one line per source, ok or the reason."""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from pydantic import SecretStr

from monitor.clock import Clock, SystemClock
from monitor.settings import ConfigError, Settings, load_settings
from monitor.sources import SourceError, build_sources
from monitor.sources.state import SourceContext

DEFAULT_TIMEOUT = 20.0


@dataclass(frozen=True)
class CheckResult:
    """What one source's check found."""

    name: str
    type: str
    ok: bool
    detail: str

    def line(self) -> str:
        """The printed line: `ok  NAME (TYPE): detail` or `FAIL NAME (TYPE): reason`."""
        return f"{'ok  ' if self.ok else 'FAIL '}{self.name} ({self.type}): {self.detail}"


def _secrets(source: Any) -> list[str]:
    """The secret option values of a source, so that no message can show them."""
    config = getattr(source, "config", None)
    values = [getattr(config, key, None) for key in getattr(type(config), "model_fields", {})]
    return [v.get_secret_value() for v in values if isinstance(v, SecretStr) and v.get_secret_value()]


def _redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return " ".join(text.split())


async def check_source(source: Any, timeout: float = DEFAULT_TIMEOUT) -> CheckResult:
    """Run one source's `check()` with a time limit; never raises."""
    kind = getattr(type(source), "type_name", type(source).__name__)
    name = getattr(source, "name", kind)
    ok = False
    try:
        detail = str(await asyncio.wait_for(source.check(), timeout))
        ok = True
        detail = detail.removeprefix("ok:").removeprefix("ok").strip() or "ok"
    except SourceError as exc:
        detail = str(exc)
    except TimeoutError:
        detail = f"unreachable: no answer within {timeout:g} s"
    except (aiohttp.ClientError, OSError) as exc:
        detail = f"unreachable: {type(exc).__name__}: {exc}"
    except Exception as exc:  # a plugin's bug must not hide the other sources' results
        detail = f"check failed: {type(exc).__name__}: {exc}"
    return CheckResult(name, kind, ok, _redact(detail, _secrets(source)))


async def check_sources(settings: Settings, timeout: float = DEFAULT_TIMEOUT, clock: Clock | None = None
                        ) -> list[CheckResult]:
    """Build every configured source (a bad option is a ConfigError) and check them all at once."""
    sources = build_sources(settings, clock or SystemClock(), SourceContext())
    return list(await asyncio.gather(*(check_source(s, timeout) for s in sources)))


def run_check(settings: Settings, timeout: float = DEFAULT_TIMEOUT) -> int:
    """Print one line per source; 0 when every source is ok, 1 otherwise."""
    results = asyncio.run(check_sources(settings, timeout))
    if not results:
        print("FAIL no [[sources]] configured: nothing to check")
        return 1
    for result in results:
        print(result.line(), flush=True)
    return 0 if all(r.ok for r in results) else 1


def cmd_check(args: argparse.Namespace) -> int:
    """The `check` command."""
    from monitor.cli import DEMO_CONFIG

    if args.timeout <= 0:
        raise ConfigError(f"--timeout: must be positive, got {args.timeout:g}")
    return run_check(load_settings(args.config or DEMO_CONFIG), args.timeout)


def add_parser(sub: Any) -> None:
    """Register `check [--config FILE] [--timeout SECONDS]`."""
    check = sub.add_parser("check", help="connect to each configured source once and report ok or the reason")
    check.add_argument("--config", type=Path, default=None, help="TOML config (default: the demo config)")
    check.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per source (default 20)")


COMMANDS = {"check": cmd_check}
