"""The common mention format (JSON Lines) and its strict, forgiving parser."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from monitor.clock import as_utc

MAX_TEXT_CHARS = 25_000
MAX_LINE_BYTES = 256 * 1024
KNOWN_FIELDS = frozenset(
    {"id", "source", "created_at", "text", "author", "lang", "url", "in_reply_to", "is_repost", "brand"}
)


class MentionError(ValueError):
    """A mention that cannot be accepted, with the reason."""


@dataclass(slots=True)
class Author:
    """Who wrote a mention."""

    id: str
    handle: str
    name: str | None = None
    followers: int | None = None


@dataclass(slots=True)
class Mention:
    """One public post about a brand, normalised from any source."""

    id: str
    source: str
    created_at: datetime
    text: str
    author: Author
    lang: str | None = None
    url: str | None = None
    in_reply_to: str | None = None
    is_repost: bool = False
    brand: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        """The idempotency key: unique per source."""
        return (self.source, self.id)

    def to_json(self) -> dict[str, Any]:
        """Return the mention in the JSON Lines format (unknown fields kept)."""
        author: dict[str, Any] = {"id": self.author.id, "handle": self.author.handle}
        if self.author.name is not None:
            author["name"] = self.author.name
        if self.author.followers is not None:
            author["followers"] = self.author.followers
        out: dict[str, Any] = dict(self.extra)
        out.update(id=self.id, source=self.source, created_at=self.created_at.isoformat(), text=self.text,
                   author=author)
        for name in ("lang", "url", "in_reply_to", "brand"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.is_repost:
            out["is_repost"] = True
        return out


@dataclass(slots=True)
class Rejected:
    """An input that was set aside: where it came from, why, and its raw start."""

    location: str
    reason: str
    raw: str

    def to_json(self) -> dict[str, str]:
        """Return a JSON-ready record."""
        return {"location": self.location, "reason": self.reason, "raw": self.raw}


def _text(obj: dict[str, Any], key: str, where: str = "", required: bool = True) -> str | None:
    value = obj.get(key)
    if value is None:
        if required:
            raise MentionError(f"missing field {where}{key!r}")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise MentionError(f"field {where}{key!r} must be a string, got {type(value).__name__}")
    value = str(value)
    if required and not value.strip():
        raise MentionError(f"field {where}{key!r} is empty")
    return value


def _timestamp(raw: Any) -> datetime:
    if not isinstance(raw, str):
        raise MentionError("field 'created_at' must be an ISO 8601 string with an offset")
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise MentionError(f"field 'created_at' is not ISO 8601: {raw[:40]!r}") from exc
    if parsed.tzinfo is None:
        raise MentionError(f"field 'created_at' has no UTC offset: {raw[:40]!r}")
    return as_utc(parsed)


def _author(raw: Any) -> Author:
    if not isinstance(raw, dict):
        raise MentionError("field 'author' must be an object with 'id' and 'handle'")
    followers = raw.get("followers")
    if followers is not None and (isinstance(followers, bool) or not isinstance(followers, int)):
        raise MentionError(f"field 'author.followers' must be an integer, got {type(followers).__name__}")
    return Author(
        id=_text(raw, "id", "author.") or "",
        handle=(_text(raw, "handle", "author.") or "").lstrip("@"),
        name=_text(raw, "name", "author.", required=False),
        followers=followers,
    )


def parse_mention(obj: Any, default_source: str | None = None) -> Mention:
    """Validate one decoded JSON object into a Mention, or raise MentionError."""
    if not isinstance(obj, dict):
        raise MentionError(f"expected a JSON object, got {type(obj).__name__}")
    if default_source and not obj.get("source"):
        obj = {**obj, "source": default_source}
    text = obj.get("text")
    if not isinstance(text, str):
        raise MentionError("missing field 'text'" if text is None else "field 'text' must be a string")
    if len(text) > MAX_TEXT_CHARS:
        raise MentionError(f"text too long: {len(text)} characters (limit {MAX_TEXT_CHARS})")
    is_repost = obj.get("is_repost", False)
    if not isinstance(is_repost, bool):
        raise MentionError("field 'is_repost' must be true or false")
    return Mention(
        id=_text(obj, "id") or "",
        source=_text(obj, "source") or "",
        created_at=_timestamp(obj.get("created_at")),
        text=text,
        author=_author(obj.get("author")),
        lang=_text(obj, "lang", required=False),
        url=_text(obj, "url", required=False),
        in_reply_to=_text(obj, "in_reply_to", required=False),
        is_repost=is_repost,
        brand=_text(obj, "brand", required=False),
        extra={k: v for k, v in obj.items() if k not in KNOWN_FIELDS},
    )


def parse_line(raw: bytes, location: str, default_source: str | None = None) -> Mention | Rejected:
    """Decode and validate one JSON Lines record; never raises."""
    preview = raw[:200].decode("utf-8", errors="replace")
    if len(raw) > MAX_LINE_BYTES:
        return Rejected(location, f"line too long: {len(raw)} bytes (limit {MAX_LINE_BYTES})", preview)
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Rejected(location, f"invalid UTF-8 at byte {exc.start}", preview)
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return Rejected(location, f"malformed JSON: {exc.msg} at column {exc.colno}", preview)
    try:
        return parse_mention(obj, default_source)
    except MentionError as exc:
        return Rejected(location, str(exc), preview)


def iter_lines(chunks: Iterable[bytes], name: str, default_source: str | None = None
               ) -> Iterator[Mention | Rejected]:
    """Parse raw lines (with their trailing newline or not), skipping blank ones."""
    for number, raw in enumerate(chunks, start=1):
        raw = raw.rstrip(b"\r\n")
        if raw.strip():
            yield parse_line(raw, f"{name}:{number}", default_source)


def read_jsonl(path: Path, default_source: str | None = None) -> Iterator[Mention | Rejected]:
    """Stream a JSON Lines file of mentions, line by line."""
    with open(path, "rb") as handle:
        yield from iter_lines(handle, str(path), default_source)
