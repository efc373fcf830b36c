"""The command line from the outside: exit codes, one clear error line, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run run_monitor.py as a user would."""
    return subprocess.run([sys.executable, str(ROOT / "run_monitor.py"), *args], input=stdin,
                          capture_output=True, timeout=300, cwd=ROOT)


def test_classify_stdin_one_object_per_line_with_bad_bytes() -> None:
    lines = b"@acme the app is down again\n\n\xff\xfe broken\n" + b"grazie @acme, fantastici!\n"
    result = run("classify", stdin=lines)
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 4
    assert out[0]["label"] == "outage" and out[0]["lang"] == "en"
    assert out[1]["label"] == "other" and out[1]["lang"] == "und"
    assert "invalid UTF-8" in out[2]["error"]
    assert out[3]["label"] == "praise" and out[3]["lang"] == "it" and out[3]["sentiment"] == "positive"


def test_classify_mention_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text(json.dumps({"text": "how do I reset my password @acme?", "lang": "en"}) + "\n")
    result = run("classify", str(path))
    assert json.loads(result.stdout)["label"] == "question"


@pytest.mark.parametrize(("args", "message"), [
    (["drill", "--mentions", "/nonexistent.jsonl"], "--mentions: no such file"),
    (["simulate", "--scenario", "apocalypse", "--out", "/tmp/x.jsonl"], "unknown scenario 'apocalypse'"),
    (["backtest", "--series", "/nonexistent.csv"], "--series /nonexistent.csv"),
    (["run", "--config", "/nonexistent.toml"], "cannot read the config file"),
])
def test_errors_are_one_clear_line(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.returncode == 2
    err = result.stderr.decode()
    assert message in err and "Traceback" not in err


def test_bad_config_type_names_key_value_and_hint(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[detector]\nthreshold = "loud"\n')
    result = run("drill", "--mentions", str(config), "--config", str(config))
    err = result.stderr.decode()
    assert result.returncode == 2 and "Traceback" not in err
    assert "detector.threshold" in err and "'loud'" in err and "Hint" in err
