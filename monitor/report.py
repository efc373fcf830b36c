"""The report of a run: what came in, what was found, who was paged, what was drafted, who to thank."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from monitor.advocates import rank_advocates
from monitor.agents import agent_workload
from monitor.care import care_queue
from monitor.clock import as_utc
from monitor.models import AlertRow, IncidentRow, StatusPostRow
from monitor.pipeline import Stats
from monitor.settings import BrandSettings
from monitor.store import Store


def _iso(value: datetime | None) -> str | None:
    return as_utc(value).isoformat() if value else None


def incident_json(row: IncidentRow, with_series: bool = True) -> dict[str, Any]:
    """One incident as the report and the API show it."""
    evidence = dict(row.evidence)
    evidence.pop("active", None)
    if not with_series:
        evidence.pop("series", None)
    return {
        "id": row.id, "brand": row.brand, "signal": row.signal, "state": row.state, "severity": row.severity,
        "topic": row.topic, "started_at": _iso(row.started_at), "opened_at": _iso(row.opened_at),
        "resolved_at": _iso(row.resolved_at), "acknowledged_at": _iso(row.acknowledged_at),
        "peak_rate": row.peak_rate, "baseline_rate": row.baseline_rate, "evidence": evidence,
        "acknowledged_by": row.acknowledged_by, "identified_at": _iso(row.identified_at),
        "identified_by": row.identified_by, "identified_note": row.identified_note,
        "monitoring_since": _iso(row.calm_since), "next_update_at": _iso(row.next_update_at),
        "timeline": list(row.timeline or []),
    }


def alert_json(row: AlertRow) -> dict[str, Any]:
    """One alert with its delivery outcome."""
    return {"id": row.id, "incident": row.incident_id, "kind": row.kind, "step": row.step,
            "severity": row.severity, "at": _iso(row.at), "title": row.title, "delivered": row.delivered,
            "attempts": row.attempts, "error": row.error,
            "status": row.status or ("delivered" if row.delivered else "failed"), "key": row.dedupe_key,
            "next_attempt_at": _iso(row.next_attempt_at), "delivered_at": _iso(row.delivered_at),
            "targets": [{"target": name, **outcome} for name, outcome in (row.targets or {}).items()]}


def post_json(row: StatusPostRow) -> dict[str, Any]:
    """One status post with the linter's findings."""
    return {"id": row.id, "incident": row.incident_id, "phase": row.phase, "state": row.state,
            "lang": row.lang, "text": row.text, "created_at": _iso(row.created_at), "problems": row.problems}


def build_report(store: Store, stats: Stats, seconds: float, now: datetime,
                 brands: Iterable[BrandSettings] = (), care: dict[str, Any] | None = None,
                 agents: dict[str, Any] | None = None) -> dict[str, Any]:
    """Assemble the JSON report of a run (the drill's contract); `care` holds `care_queue` options, `agents`
    `agent_workload` ones."""
    incidents = store.all(IncidentRow, order=IncidentRow.id)
    alerts = store.all(AlertRow, order=AlertRow.id)
    posts = store.all(StatusPostRow, order=StatusPostRow.id)
    return {
        "mentions": stats.stored,
        "received": stats.received,
        "duplicates": stats.duplicates,
        "unmatched": stats.unmatched,
        "rejected": {"count": stats.rejected, "items": stats.rejects},
        "seconds": round(seconds, 3),
        "mentions_per_second": round(stats.received / seconds, 1) if seconds > 0 else 0.0,
        "by_label": dict(sorted(stats.by_label.items())),
        "simulated_end": _iso(stats.last_event),
        "incidents": [incident_json(r) for r in incidents],
        "alerts": [alert_json(a) for a in alerts],
        "status_posts": [post_json(p) for p in posts],
        "advocates": [a.to_json() for a in rank_advocates(store, now, brands=brands)],
        "care": care_queue(store, now, brands, **(care or {})).to_json(),
        "agents": [a.to_json() for a in agent_workload(store, now, brands, **(agents or {}))],
    }
