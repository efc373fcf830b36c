"""Command line: run, worker, drill, classify, backtest, simulate."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from monitor import check, cli_posts, export
from monitor.settings import ConfigError, Settings, load_settings
from monitor.sources import SourceError

ROOT = Path(__file__).resolve().parent.parent
DEMO_CONFIG = ROOT / "config" / "demo.toml"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="run_monitor.py", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="run the monitor daemon (the default)")
    run.add_argument("--config", type=Path, default=None, help=f"TOML config (default: {DEMO_CONFIG.name})")
    drill = sub.add_parser("drill", help="replay a mentions file through the whole pipeline, fast")
    drill.add_argument("--mentions", type=Path, required=True, help="mention JSON Lines file")
    drill.add_argument("--config", type=Path, default=None, help="TOML config (brands, detector settings)")
    drill.add_argument("--report", type=Path, default=None, help="write the JSON report here (default stdout)")
    drill.add_argument("--db", default=None, help="database URL (default: a new SQLite file in a temp folder)")
    drill.add_argument("--live-alerts", action="store_true",
                       help="send alerts to the configured targets (default: a local drill log only)")
    classify = sub.add_parser("classify", help="classify one text (or mention JSON) per line")
    classify.add_argument("file", nargs="?", type=Path, default=None, help="input file (default stdin)")
    classify.add_argument("--config", type=Path, default=None)
    backtest = sub.add_parser("backtest", help="run the spike detector causally over a timestamp,value CSV")
    backtest.add_argument("--series", type=Path, required=True)
    backtest.add_argument("--bucket", default=None, help="bucket size of the series, e.g. 5m (default 1m)")
    backtest.add_argument("--config", type=Path, default=None)
    worker = sub.add_parser("worker", help="classify for a daemon whose [workers] url names a NATS server "
                                           "(run as many as needed, on any machine)")
    worker.add_argument("--config", type=Path, default=None,
                        help="TOML config: the daemon's [classifier], [topics] and [workers] sections")
    simulate = sub.add_parser("simulate", help="generate a realistic mention stream")
    simulate.add_argument("--scenario", required=True)
    simulate.add_argument("--out", type=Path, required=True)
    simulate.add_argument("--seed", type=int, default=0)
    simulate.add_argument("--days", type=float, default=None)
    cli_posts.add_parsers(sub)
    export.add_parsers(sub)
    check.add_parser(sub)
    return parser


def _settings(path: Path | None) -> Settings:
    return load_settings(path)


def cmd_run(args: argparse.Namespace) -> int:
    """Run the daemon until interrupted."""
    from monitor.app import run_daemon

    path = args.config or DEMO_CONFIG
    if args.config is None and not DEMO_CONFIG.exists():
        raise ConfigError(f"no --config given and the demo config {DEMO_CONFIG} is missing")
    asyncio.run(run_daemon(_settings(path)))
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    """Answer a daemon's classification requests until interrupted."""
    from monitor.app import build_classifier
    from monitor.workers import serve, shown

    settings = _settings(args.config or DEMO_CONFIG)
    if not settings.workers.url:
        raise ConfigError("workers.url: not set, so no daemon asks this worker anything. Hint: set [workers] url "
                          "to the daemon's NATS server, e.g. nats://127.0.0.1:4222")
    classifier = build_classifier(settings)

    async def work() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        return await serve(settings, classifier, stop, lambda: print(
            f"worker: {classifier.name} answering on {settings.workers.subject} at {shown(settings.workers.url)}",
            file=sys.stderr, flush=True))

    answered = asyncio.run(work())
    print(f"worker: {answered} batches classified", file=sys.stderr)
    return 0


def cmd_drill(args: argparse.Namespace) -> int:
    """Replay a file and write the report."""
    from monitor.drill import run_drill

    if not args.mentions.is_file():
        raise ConfigError(f"--mentions: no such file {args.mentions}")
    settings = _settings(args.config)
    alert_urls = settings.alerts.urls if args.live_alerts else None
    report = asyncio.run(run_drill(settings, args.mentions, db_url=args.db, alert_urls=alert_urls))
    text = json.dumps(report, indent=2, ensure_ascii=False)
    if args.report:
        args.report.write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    print(f"drill: {report['mentions']} mentions in {report['seconds']} s ({report['mentions_per_second']}/s), "
          f"{len(report['incidents'])} incidents, {len(report['alerts'])} alerts, "
          f"{len(report['status_posts'])} status posts, {report['rejected']['count']} set aside",
          file=sys.stderr)
    return 0


def _classify_inputs(stream: IO[bytes]) -> Iterator[tuple[str, str | None, str | None]]:
    """Yield (text, lang hint, error) for every input line, mention JSON or plain text."""
    for number, raw in enumerate(stream, start=1):
        raw = raw.rstrip(b"\r\n")
        error = None
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line, error = raw.decode("utf-8", errors="replace"), f"line {number}: invalid UTF-8 at byte {exc.start}"
        if line.lstrip().startswith("{"):
            try:
                obj = json.loads(line)
                if isinstance(obj, dict) and isinstance(obj.get("text"), str):
                    yield obj["text"], obj.get("lang") if isinstance(obj.get("lang"), str) else None, error
                    continue
            except json.JSONDecodeError:
                pass
        yield line, None, error


def cmd_classify(args: argparse.Namespace) -> int:
    """Classify each input line and print one JSON object per line."""
    from monitor.app import build_classifier

    classifier = build_classifier(_settings(args.config))
    stream = open(args.file, "rb") if args.file else sys.stdin.buffer  # noqa: SIM115
    batch: list[tuple[str, str | None, str | None]] = []

    def flush() -> None:
        verdicts = classifier.classify_batch([t for t, _, _ in batch], [h for _, h, _ in batch])
        for (_t, _h, error), verdict in zip(batch, verdicts, strict=True):
            out: dict[str, Any] = verdict.to_json()
            if error:
                out["error"] = error
            sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        sys.stdout.flush()
        batch.clear()

    try:
        for item in _classify_inputs(stream):
            batch.append(item)
            if len(batch) >= 256:
                flush()
        flush()
    finally:
        if args.file:
            stream.close()
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    """Print one JSON line per alert onset over a series."""
    from monitor.backtest import backtest, parse_bucket, read_series

    settings = _settings(args.config)
    detector = settings.detector
    if args.bucket:
        try:
            detector = detector.model_copy(update={"bucket_seconds": parse_bucket(args.bucket)})
        except ValueError as exc:
            raise ConfigError(f"--bucket: {exc}") from None
    try:
        rows = read_series(args.series)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"--series {args.series}: {exc}") from None
    for onset in backtest(rows, detector):
        sys.stdout.write(json.dumps(onset) + "\n")
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    """Write a generated scenario."""
    from monitor.simulate import SCENARIOS, generate, write_jsonl

    if args.scenario not in SCENARIOS:
        raise ConfigError(f"--scenario: unknown scenario {args.scenario!r}. Hint: one of {', '.join(SCENARIOS)}")
    if args.days is not None and args.days <= 0:
        raise ConfigError(f"--days: must be positive, got {args.days}")
    scenario = generate(args.scenario, seed=args.seed, days=args.days)
    count = write_jsonl(scenario, args.out)
    print(f"simulate: {count} mentions of scenario {args.scenario!r} written to {args.out}", file=sys.stderr)
    return 0


COMMANDS = {"run": cmd_run, "worker": cmd_worker, "drill": cmd_drill, "classify": cmd_classify,
            "backtest": cmd_backtest, "simulate": cmd_simulate, **cli_posts.COMMANDS, **check.COMMANDS,
            **export.COMMANDS}


def main(argv: list[str] | None = None) -> None:
    """Entry point of `run_monitor.py` and the `brand-monitor` script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    flags = [a for a in argv if a in ("-v", "--verbose")]
    rest = [a for a in argv if a not in flags]
    if not (rest and (rest[0] in COMMANDS or rest[0] in ("-h", "--help"))):
        argv = [*flags, "run", *rest]
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        code = COMMANDS[args.command](args)
    except (ConfigError, SourceError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        code = 2
    except KeyboardInterrupt:
        code = 130
    except BrokenPipeError:
        code = 0
    sys.exit(code)
