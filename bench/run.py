"""Run every benchmark once and print ours vs baseline ratios measured in the same run (markdown)."""

from __future__ import annotations

import argparse
import math
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import (
    bench_accuracy,
    bench_classifier,
    bench_detector,
    bench_drill,
    bench_jetstream,
    bench_nab,
    bench_onset,
    bench_pipeline,
)

BENCHES = [bench_pipeline.run, bench_classifier.run, bench_classifier.run_multilingual, bench_jetstream.run]
BENCHES.append(bench_detector.run)
# extra markdown sections after the table
SECTIONS = [bench_accuracy.section, bench_nab.section, bench_drill.section, bench_onset.section]


def main() -> None:
    """Run the benchmarks; with --write, keep the results in docs/benchmarks.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()
    rows = [bench() for bench in BENCHES]
    lines = [
        "# Benchmarks", "",
        "Produced by `.venv/bin/python bench/run.py --write` on "
        f"{datetime.now(UTC).date()} ({platform.machine()}, {platform.python_version()}); ratios are measured "
        "in the same run on the same input, because the machines are noisy.", "",
        "| benchmark | input | ours | baseline | ratio |", "|---|---|---|---|---|",
    ]
    lines += [f"| {r['name']} | {r['input']} | {r['ours']} | {r['baseline']} | "
              f"{'-' if math.isnan(r['ratio']) else format(r['ratio'], '.1f') + 'x'} |" for r in rows]
    for section in SECTIONS:
        lines += ["", *section()]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        (Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
