"""Mastodon wire helpers: status HTML to plain text, status id order, and server-sent events framing."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from typing import Any

import aiohttp
from aiohttp.http_exceptions import LineTooLong

_BLOCKS = {"p", "blockquote", "pre", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6"}
MAX_EVENT_BYTES = 1024 * 1024


class _Text(HTMLParser):
    """Collects text: <br> is a line break, paragraphs are separated by a blank line, entities decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCKS and self.parts:
            self.parts.append("\n\n")
        elif tag == "li":
            self.parts.append("\n- ")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(html: Any) -> str:
    """Plain text of a status's HTML content (links keep their full address; mentions read '@user')."""
    if not isinstance(html, str):
        return ""
    parser = _Text()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def newer(candidate: str, mark: str | None) -> bool:
    """Whether status id `candidate` is newer than `mark` (ids are decimal strings: longer is newer)."""
    if mark is None:
        return True
    return (len(candidate), candidate) > (len(mark), mark)


async def sse_events(content: aiohttp.StreamReader) -> AsyncIterator[tuple[str, str]]:
    """Yield (event, data) per server-sent event; comments (':thump' heartbeats) and oversize events skipped."""
    event, data, size = "message", [], 0
    while True:
        try:
            raw = await content.readuntil(b"\n", max_size=MAX_EVENT_BYTES)
        except LineTooLong:  # an oversize line: drop the event it belongs to, keep reading
            data, size = [], MAX_EVENT_BYTES + 1
            continue
        if not raw:
            return
        line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        if not line:
            if data and size <= MAX_EVENT_BYTES:
                yield event, "\n".join(data)
            event, data, size = "message", [], 0
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "event":
            event = value
        elif name == "data":
            data.append(value)
            size += len(value)
