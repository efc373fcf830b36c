"""Exports for marketing and care supervisors: the advocates and the care queue as CSV or JSON Lines.

`python run_monitor.py advocates [--brand B] [--days 90] [--format csv|json] [--out FILE]` and `waiting` (the people
waiting for an answer) read the configured store; the dashboard serves the same CSV at /advocates.csv.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from monitor.settings import ConfigError, Settings, load_settings
from monitor.store import Store

ADVOCATE_COLUMNS = ("brand", "source", "handle", "profile_url", "score", "praise", "praise_days", "complaints",
                    "followers", "best_post", "best_post_url")
WAITING_COLUMNS = ("brand", "source", "handle", "profile_url", "since", "minutes", "posts", "label", "topic", "team",
                   "text", "url", "elsewhere")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet shows as text: a leading = + - @ would make it a formula."""
    if value is None:
        return ""
    if isinstance(value, list):  # accounts elsewhere: "bluesky:ann.bsky.social mastodon:ann@m.example"
        value = " ".join(f"{item['source']}:{item['handle']}" for item in value)
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def to_csv(rows: Iterable[dict[str, Any]], columns: tuple[str, ...]) -> str:
    """The rows as CSV with a header, formula-safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return out.getvalue()


def add_parsers(sub: Any) -> None:
    """Register `advocates` and `waiting` on the main parser's subcommands."""
    advocates = sub.add_parser("advocates", help="export the ranked brand advocates (CSV or JSON Lines)")
    advocates.add_argument("--days", type=int, default=90, help="praise of the last DAYS days (default 90)")
    advocates.add_argument("--min-praise", type=int, default=2, help="at least this many praising posts")
    waiting = sub.add_parser("waiting", help="export the people waiting for an answer, longest first")
    waiting.add_argument("--hours", type=float, default=None, help="the posts of the last HOURS (default [care] hours)")
    waiting.add_argument("--team", default=None, help="only the people this [[care.teams]] team answers")
    for command in (advocates, waiting):
        command.add_argument("--brand", default=None, help="one brand (default: all)")
        command.add_argument("--as-of", type=_moment, default=None,
                             help="ISO time the windows end at (default: the newest stored mention, or now)")
        command.add_argument("--limit", type=int, default=1000)
        command.add_argument("--format", choices=("csv", "json"), default="csv", help="CSV, or one JSON object a line")
        command.add_argument("--out", type=Path, default=None, help="write here instead of standard output")
        command.add_argument("--config", type=Path, default=None, help="TOML config (default: the demo config)")


def _write(rows: list[dict[str, Any]], columns: tuple[str, ...], args: argparse.Namespace) -> int:
    text = to_csv(rows, columns) if args.format == "csv" else "".join(
        json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {len(rows)} rows to {args.out}", file=sys.stderr)
    return 0


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _as_of(args: argparse.Namespace, store: Store) -> datetime:
    """The end of the export's window: --as-of, else the newest stored mention (a replayed store), else now."""
    moment = args.as_of or store.latest_mention_at() or datetime.now(UTC)
    print(f"as of {moment.isoformat()}", file=sys.stderr)
    return moment


def _checked(args: argparse.Namespace, settings: Settings) -> None:
    """Refuse non-positive numbers; turn --brand into the configured spelling of the brand's name."""
    for name in ("limit", "days", "min_praise", "hours"):
        value = getattr(args, name, None)
        if value is not None and not value > 0:
            raise ConfigError(f"--{name.replace('_', '-')} must be positive, got {value}")
    if args.brand is not None:
        names = {b.name.lower(): b.name for b in settings.brands}
        if args.brand.lower() not in names:
            raise ConfigError(f"--brand: no brand {args.brand!r} is configured (known: {', '.join(names.values())})")
        args.brand = names[args.brand.lower()]


def cmd_advocates(args: argparse.Namespace) -> int:
    """Print or write the ranked advocates of the configured store."""
    from monitor.advocates import rank_advocates
    from monitor.cli import DEMO_CONFIG

    settings = load_settings(args.config or DEMO_CONFIG)
    _checked(args, settings)
    store = Store(settings.store.url)
    try:
        ranked = rank_advocates(store, _as_of(args, store), brand=args.brand, limit=args.limit,
                                min_praise=args.min_praise, days=args.days, brands=settings.brands)
    finally:
        store.close()
    return _write([a.to_json() for a in ranked], ADVOCATE_COLUMNS, args)


def cmd_waiting(args: argparse.Namespace) -> int:
    """Print or write the people waiting longest for an answer."""
    from monitor.care import care_options, care_queue
    from monitor.cli import DEMO_CONFIG

    settings = load_settings(args.config or DEMO_CONFIG)
    _checked(args, settings)
    store = Store(settings.store.url)
    try:
        options = care_options(settings) | ({"hours": args.hours} if args.hours is not None else {})
        queue = care_queue(store, _as_of(args, store), settings.brands, limit=args.limit, brand=args.brand,
                           team=args.team, **options)
    finally:
        store.close()
    return _write([w.to_json() for w in queue.waiting], WAITING_COLUMNS, args)


COMMANDS = {"advocates": cmd_advocates, "waiting": cmd_waiting}
