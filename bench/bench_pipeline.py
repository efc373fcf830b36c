"""Pipeline throughput: the batched, idempotent pipeline vs a naive per-mention ORM loop, same input."""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlmodel import Session

from monitor.app import build_classifier
from monitor.drill import run_drill
from monitor.mention import Mention, read_jsonl
from monitor.models import ClassificationRow, MentionRow
from monitor.settings import Settings
from monitor.simulate import generate, write_jsonl
from monitor.store import Store


def naive(path: Path, db: str) -> tuple[int, float]:
    """Classify and insert one mention at a time, one transaction each: the common first version."""
    classifier = build_classifier(Settings())
    store = Store(db)
    started = time.perf_counter()
    count = 0
    for record in read_jsonl(path):
        if not isinstance(record, Mention):
            continue
        verdict = classifier.classify_batch([record.text], [record.lang])[0]
        with Session(store.engine) as session:
            row = MentionRow(source=record.source, external_id=record.id, brand=record.brand or "", text=record.text,
                             created_at=record.created_at, author_id=record.author.id,
                             author_handle=record.author.handle, extra=record.extra)
            session.add(row)
            session.flush()
            session.add(ClassificationRow(mention_id=row.id, label=verdict.label, sentiment=verdict.sentiment,
                                          lang=verdict.lang, topic=verdict.topic, model=verdict.model,
                                          scores=verdict.scores))
            session.commit()
        count += 1
    return count, time.perf_counter() - started


def run(days: float = 2.0) -> dict[str, Any]:
    """Measure both on the same generated stream and return the figures."""
    work = Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
    path = work / "normal.jsonl"
    write_jsonl(generate("normal", seed=3, days=days), path)
    report = asyncio.run(run_drill(Settings(), path, db_url=f"sqlite:///{work / 'ours.db'}", progress=False))
    base_count, base_seconds = naive(path, f"sqlite:///{work / 'naive.db'}")
    ours = report["mentions"] / report["seconds"]
    theirs = base_count / base_seconds
    return {"name": "pipeline (classify + store + detect), SQLite", "input": f"{report['mentions']} mentions",
            "ours": f"{ours:,.0f} mentions/s", "baseline": f"{theirs:,.0f} mentions/s (per-mention ORM insert)",
            "ratio": ours / theirs}


if __name__ == "__main__":
    result = run()
    print(f"{result['name']}: ours {result['ours']}, baseline {result['baseline']}, ratio {result['ratio']:.1f}x")
