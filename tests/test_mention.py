"""The mention format: accepted fields, unknown fields kept, every bad input set aside with a reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.mention import MAX_TEXT_CHARS, Mention, Rejected, parse_line, read_jsonl

GOOD = {"id": "1", "source": "x", "created_at": "2026-03-02T10:00:00+01:00", "text": "@acme hello",
        "author": {"id": "a1", "handle": "@sam", "followers": 12}, "lang": "en", "brand": "Acme",
        "custom": {"k": 1}}


def line(obj: object) -> bytes:
    """Encode one object as a JSON line."""
    return json.dumps(obj).encode()


def test_good_mention_roundtrips_and_keeps_unknown_fields() -> None:
    result = parse_line(line(GOOD), "f:1")
    assert isinstance(result, Mention)
    assert result.created_at.isoformat() == "2026-03-02T09:00:00+00:00"
    assert result.author.handle == "sam" and result.author.followers == 12
    assert result.extra == {"custom": {"k": 1}}
    again = parse_line(line(result.to_json()), "f:2")
    assert isinstance(again, Mention) and again.to_json() == result.to_json()


@pytest.mark.parametrize(("raw", "reason"), [
    (b"{not json", "malformed JSON"),
    (b"\xff\xfe broken", "invalid UTF-8 at byte 0"),
    (b"[1, 2]", "expected a JSON object"),
    (line({k: v for k, v in GOOD.items() if k != "text"}), "missing field 'text'"),
    (line({k: v for k, v in GOOD.items() if k != "author"}), "'author' must be an object"),
    (line({**GOOD, "author": {"id": "a"}}), "missing field author.'handle'"),
    (line({**GOOD, "created_at": "yesterday"}), "not ISO 8601"),
    (line({**GOOD, "created_at": "2026-03-02T10:00:00"}), "no UTC offset"),
    (line({**GOOD, "is_repost": "yes"}), "'is_repost' must be true or false"),
    (line({**GOOD, "author": {"id": "a", "handle": "b", "followers": "many"}}), "followers' must be an integer"),
    (line({**GOOD, "text": "x" * (MAX_TEXT_CHARS + 1)}), "text too long"),
    (line({**GOOD, "id": ""}), "field 'id' is empty"),
])
def test_bad_input_is_rejected_with_reason(raw: bytes, reason: str) -> None:
    result = parse_line(raw, "file.jsonl:7")
    assert isinstance(result, Rejected)
    assert reason in result.reason
    assert result.location == "file.jsonl:7"


def test_read_jsonl_reports_line_numbers_and_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_bytes(line(GOOD) + b"\n\n{oops\n" + b"\xff\n" + line({**GOOD, "id": "2"}) + b"\r\n")
    results = list(read_jsonl(path))
    assert [type(r).__name__ for r in results] == ["Mention", "Rejected", "Rejected", "Mention"]
    assert results[1].location.endswith(":3") and results[2].location.endswith(":4")


def test_missing_source_defaults_for_replay() -> None:
    obj = {k: v for k, v in GOOD.items() if k != "source"}
    result = parse_line(line(obj), "f:1", default_source="replay")
    assert isinstance(result, Mention) and result.source == "replay"
