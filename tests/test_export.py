"""Exports: the advocates and the people waiting for an answer, as CSV (formula-safe) or JSON Lines, and on the web."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from classifiers.base import Classification
from monitor.app import build_runtime
from monitor.clock import SimulatedClock
from monitor.export import WAITING_COLUMNS, to_csv
from monitor.mention import Author, Mention
from monitor.settings import parse_settings
from monitor.store import Store
from monitor.web import create_app
from tests.test_cli_posts import cli

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def fill(store: Store) -> None:
    """Two days of praise from @fan (one post opening with '=') and an unanswered question from @ann."""
    rows = [("1", "fan", 0, "praise", "=cmd|' /C calc'!A0 acme rocks"), ("2", "fan", 1500, "praise", "@acme thanks!"),
            ("3", "ann", 1600, "question", "acme how do I pay?")]
    for ident, handle, minutes, label, text in rows:
        store.save_batch([(Mention(ident, "x", T0 + timedelta(minutes=minutes), text, Author(handle, handle),
                                   url=f"https://x.com/{handle}/status/{ident}", brand="Acme"), "Acme",
                           Classification(label, "positive", "en", "payments" if label == "question" else None))])


@pytest.fixture
def config(tmp_path: Path) -> Path:
    db = tmp_path / "m.db"
    path = tmp_path / "m.toml"
    path.write_text(f'[[brands]]\nname = "Acme"\nhandles = ["@acmehelp"]\n[store]\nurl = "sqlite:///{db}"\n'
                    '[[care.teams]]\nname = "Billing"\ntopics = ["payments"]\n', encoding="utf-8")
    store = Store(f"sqlite:///{db}")
    fill(store)
    store.close()
    return path


def test_csv_cells_never_start_a_formula() -> None:
    text = to_csv([{"a": "=1+1", "b": "@x", "c": None, "d": 3}, {"a": "-2", "b": "+3", "c": "ok", "d": 1.5}],
                  ("a", "b", "c", "d"))
    assert list(csv.reader(io.StringIO(text))) == [["a", "b", "c", "d"], ["'=1+1", "'@x", "", "3"],
                                                   ["'-2", "'+3", "ok", "1.5"]]
    elsewhere = [{"source": "bluesky", "handle": "ann.bsky.social", "history": "/person"},
                 {"source": "mastodon", "handle": "ann@m.example", "history": "/person"}]
    assert to_csv([{"elsewhere": elsewhere}], ("elsewhere",)).splitlines()[1] == (
        "bluesky:ann.bsky.social mastodon:ann@m.example")


def test_advocates_and_waiting_export_as_of_the_newest_mention(config: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "advocates", "--config", str(config))
    assert code == 0 and "as of 2026-03-03T11:40:00+00:00" in err  # the newest stored mention, not the clock
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["handle"], r["praise"], r["praise_days"], r["profile_url"]) for r in rows] == [
        ("fan", "2", "2", "https://x.com/fan")]
    assert rows[0]["best_post"].startswith("'=cmd")  # a spreadsheet shows it as text
    code, out, _ = cli(capsys, "waiting", "--config", str(config), "--format", "json", "--brand", "acme")
    (ann,) = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and ann["handle"] == "ann" and ann["label"] == "question" and ann["minutes"] == 0.0
    code, _, err = cli(capsys, "waiting", "--config", str(config), "--as-of", "2026-03-03T13:40:00",
                       "--out", str(tmp_path / "w.csv"))
    assert code == 0 and "wrote 1 rows" in err
    (row,) = csv.DictReader(io.StringIO((tmp_path / "w.csv").read_text(encoding="utf-8")))
    assert row["minutes"] == "120.0"
    code, out, _ = cli(capsys, "waiting", "--config", str(config), "--team", "billing")
    (row,) = csv.DictReader(io.StringIO(out))
    assert code == 0 and (row["handle"], row["topic"], row["team"]) == ("ann", "payments", "Billing")
    code, out, _ = cli(capsys, "waiting", "--config", str(config), "--team", "nobody")
    assert code == 0 and out.splitlines() == [",".join(WAITING_COLUMNS)]
    code, out, _ = cli(capsys, "advocates", "--config", str(config), "--brand", "ACME", "--format", "json")
    assert code == 0 and json.loads(out)["handle"] == "fan"  # the brand's name in any case


def test_export_options_are_checked(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "advocates", "--config", str(config), "--limit", "0")
    assert code == 2 and "--limit must be positive, got 0" in err
    code, _, err = cli(capsys, "waiting", "--config", str(config), "--brand", "Volta")
    assert code == 2 and "--brand: no brand 'Volta' is configured (known: Acme)" in err
    code, _, err = cli(capsys, "waiting", "--config", str(config), "--as-of", "yesterday")
    assert code == 2 and "not an ISO 8601 time: 'yesterday'" in err


async def test_dashboard_serves_the_advocates_csv(aiohttp_client: Any, store_url: str, tmp_path: Path) -> None:
    settings = parse_settings({"brands": [{"name": "Acme"}]})
    runtime = build_runtime(settings, SimulatedClock(T0 + timedelta(days=2)), store_url=store_url,
                            alert_urls=[f"oncall://?path={tmp_path / 'a.log'}&console=no"])
    fill(runtime.store)
    client = await aiohttp_client(create_app(runtime))
    response = await client.get("/advocates.csv")
    assert response.status == 200 and response.content_type == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="advocates.csv"'
    rows = list(csv.DictReader(io.StringIO(await response.text())))
    assert [r["handle"] for r in rows] == ["fan"]
    assert 'href="/advocates.csv"' in await (await client.get("/")).text()
