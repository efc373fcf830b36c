"""The dashboard's Jinja templates, with filters that show timestamps and waits the way people read them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from monitor.clock import as_utc


def when(value: str | datetime | None) -> Markup:
    """A `<time>` element reading "2026-03-02 14:45:02 UTC" for an ISO timestamp ("" for none; unparsable as is)."""
    if value is None or value == "":
        return Markup("")
    try:
        moment = as_utc(value if isinstance(value, datetime) else datetime.fromisoformat(str(value)))
    except ValueError:
        return escape(str(value))
    return Markup('<time datetime="{}">{}</time>').format(moment.isoformat(), moment.strftime("%Y-%m-%d %H:%M:%S UTC"))


def duration(minutes: float | None) -> str:
    """A wait as people say it: "45 min", "3 h 12 min", "2 d 4 h" ("" for none)."""
    if minutes is None:
        return ""
    total = max(0, round(minutes))
    days, rest = divmod(total, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    return f"{mins} min"


TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                        autoescape=select_autoescape(["html"]))
TEMPLATES.filters["when"] = when
TEMPLATES.filters["duration"] = duration
