"""The local default alert target: `oncall://FILE` appends each page to a file and echoes it."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from apprise.decorators import notify


def _target(meta: dict[str, Any]) -> Path:
    explicit = (meta.get("qsd") or {}).get("path")
    if explicit:
        return Path(explicit)
    return Path((meta.get("host") or "") + (meta.get("fullpath") or "")) if meta.get("host") else Path(
        "monitor-alerts.log")


@notify(on="oncall", name="On-call log file")
def oncall_log(body: str, title: str, notify_type: str, meta: dict[str, Any], *args: Any, **kwargs: Any
               ) -> bool:
    """Append the alert to the log file and print a one-line summary unless `?console=no`."""
    target = _target(meta)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("a", encoding="utf-8") as handle:
            handle.write(f"--- {stamp} [{notify_type}] {title}\n{body}\n")
    except OSError as exc:
        raise RuntimeError(f"cannot write alert log {target}: {exc.strerror}") from exc
    if (meta.get("qsd") or {}).get("console", "yes").lower() not in ("no", "false", "0"):
        print(f"ALERT [{notify_type}] {title}", file=sys.stderr)
    return True
