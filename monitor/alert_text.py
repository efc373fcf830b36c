"""What an on-call page says: what, how big, since when, samples, top phrases, a link; safe to show anywhere."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime

from monitor.clock import as_utc
from monitor.models import IncidentRow

SIGNAL_WORDS = {"outage": "outage reports", "complaints": "complaints", "negative": "negative mentions",
                "volume": "mention volume"}
SEVERITY_LABELS = ((9, "critical outage"), (7, "major problems"), (4, "problems detected"), (1, "possible problems"))
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")
MASS_MENTION = re.compile(r"@(here|channel|everyone|all)\b", re.I)
SAMPLE_CHARS = 200


def severity_label(severity: int) -> str:
    """The status-page style words for a 1-10 severity (possible problems ... critical outage)."""
    return next(label for floor, label in SEVERITY_LABELS if severity >= floor)


def clean(text: str, limit: int = SAMPLE_CHARS) -> str:
    """Mention text made safe for any target: one line, no control or bidi characters, no mass mentions,
    no angle brackets (Slack links, HTML), trimmed to `limit` characters."""
    text = " ".join(CONTROL.sub(" ", text).split())
    text = MASS_MENTION.sub(lambda m: "@\u2060" + m.group(1), text)
    text = text.replace("<", "‹").replace(">", "›")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def duration(start: datetime, end: datetime) -> str:
    """A short human duration: `1 h 25 min`, `40 min`, `2 d 3 h`."""
    minutes = max(0, round((as_utc(end) - as_utc(start)).total_seconds() / 60))
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {mins} min" if hours else f"{mins} min"


def what(row: IncidentRow) -> str:
    """The signal in words, with the topic when one stands out."""
    return SIGNAL_WORDS.get(row.signal, row.signal) + (f" about {row.topic}" if row.topic else "")


def how_big(row: IncidentRow) -> str:
    """Rate against the usual rate, and the severity with its label."""
    size = f"{row.peak_rate:g}/min vs {row.baseline_rate:g}/min usual"
    if row.baseline_rate > 0:
        size += f" ({row.peak_rate / row.baseline_rate:.1f}x)"
    return f"{size}, severity {row.severity}/10 ({severity_label(row.severity)})"


def title_for(row: IncidentRow, kind: str, reason: str | None = None, who: str | None = None) -> str:
    """The one-line title of a page of this kind."""
    tag = f"[{row.brand}]"
    ref = f"(incident #{row.id})"
    if kind == "resolve":
        return f"{tag} all clear: {what(row)} back to normal {ref}"
    if kind == "ack":
        return f"{tag} acknowledged by {clean(who or '?', 64)}: {what(row)} {ref}"
    if kind == "identified":
        return f"{tag} cause identified: {what(row)} {ref}"
    if kind == "escalate" and reason == "unacked":
        return f"{tag} not acknowledged: {what(row)} still elevated {ref}"
    verb = "rising" if kind == "escalate" else "spike"
    return f"{tag} severity {row.severity}/10, {severity_label(row.severity)}: {what(row)} {verb} {ref}"


def compose(row: IncidentRow, kind: str, base_url: str, now: datetime, reason: str | None = None,
            who: str | None = None, note: str | None = None) -> tuple[str, str]:
    """Title and body of a page; every mention text in it is cleaned and trimmed."""
    lines = [f"What: {what(row)} for {row.brand}", f"How big: {how_big(row)}",
             f"Since: {as_utc(row.started_at).isoformat()} ({duration(row.started_at, now)} ago)"]
    if kind == "resolve" and row.resolved_at:
        lines[2] = f"Since: {as_utc(row.started_at).isoformat()}"
        lines.append(f"Resolved: {as_utc(row.resolved_at).isoformat()}, "
                     f"lasted {duration(row.started_at, row.resolved_at)}")
        said = row.evidence.get("recovery") or {}
        if said.get("mentions"):
            lines.append(f"People saying it works again: {said['mentions']}")
            for sample in said.get("samples", [])[:2]:
                lines.append(f"- @{clean(str(sample.get('handle', '?')), 40)}: {clean(str(sample.get('text', '')))}")
    if row.acknowledged_at and kind != "ack":
        lines.append(f"Acknowledged by {clean(row.acknowledged_by or '?', 64)} at "
                     f"{as_utc(row.acknowledged_at).isoformat()}")
    if kind == "ack":
        lines.append(f"Acknowledged by {clean(who or '?', 64)} at {as_utc(now).isoformat()}; "
                     "no more reminders for this incident")
    if kind == "identified":
        lines.append(f"Identified by {clean(who or '?', 64)}" + (f": {clean(note, 500)}" if note else ""))
    if kind in ("open", "escalate"):
        topics = Counter(row.evidence.get("topics", {})).most_common(3)
        if topics:
            lines.append("Topics: " + ", ".join(f"{clean(str(t), 40)} ({n})" for t, n in topics))
        phrases = row.evidence.get("top_phrases") or []
        if phrases:
            lines.append("Top phrases: " + "; ".join(clean(str(p), 60) for p in phrases[:5]))
        for sample in row.evidence.get("samples", [])[:3]:
            lines.append(f"- @{clean(str(sample.get('handle', '?')), 40)}: {clean(str(sample.get('text', '')))}")
    lines.append(f"Incident page: {base_url.rstrip('/')}/incidents/{row.id}")
    return title_for(row, kind, reason, who), "\n".join(lines)
