"""Approval workflow rules: roles, multi-step, no self-approval, edits re-linted, expiry, audit log."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from alerts.approval import Approvals, Invalid, NotAllowed, NotFound, WorkflowError, can, clean_text
from monitor.clock import SimulatedClock
from monitor.models import AuditRow, IncidentRow, PostApprovalRow, StatusPostRow
from monitor.settings import ConfigError, parse_settings
from monitor.store import Store

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
GOOD = "We are sorry: logging in to Acme fails for some of you. Details: https://status.acme.example ^Acme Care"


def make(store_url: str, **approval: Any) -> tuple[Approvals, Store, SimulatedClock, int]:
    """A store with one incident and one clean pending draft; returns the workflow and the post id."""
    settings = parse_settings({
        "brands": [{"name": "Acme", "status_page": "https://status.acme.example"}],
        "status_posts": {"signature": "^Acme Care", "forbidden": ["unfortunately"]},
        "approval": approval})
    store = Store(store_url)
    clock = SimulatedClock(T0)
    incident = store.add(IncidentRow(brand="Acme", signal="outage", started_at=T0, opened_at=T0))
    post = store.add(StatusPostRow(incident_id=incident.id, phase="investigating", lang="en", text=GOOD,
                                   created_at=T0, problems=[]))
    return Approvals(store, settings, clock), store, clock, post.id


def audit(store: Store) -> list[tuple[str, str]]:
    return [(r.actor, r.action) for r in store.all(AuditRow, order=AuditRow.id)]


def test_roles_are_ordered() -> None:
    assert can("viewer", "read") and not can("viewer", "edit")
    assert can("agent", "edit") and can("agent", "acknowledge") and not can("agent", "approve")
    assert can("approver", "approve") and can("approver", "reject") and can("admin", "approve")
    assert not can("intruder", "read")


def test_single_step_approval_sets_approved_and_audits(store_url: str) -> None:
    flow, store, _clock, post_id = make(store_url)
    for role in ("viewer", "agent"):
        with pytest.raises(NotAllowed, match="needs the approver role"):
            flow.approve(post_id, "mallory", role)
    assert store.get(StatusPostRow, post_id).state == "pending_approval" and audit(store) == []
    outcome = flow.approve(post_id, "bob", "approver")
    assert outcome.final and outcome.step == 1
    assert store.get(StatusPostRow, post_id).state == "approved"
    row = store.all(AuditRow)[0]
    assert (row.actor, row.action, row.post_id, row.at) == ("bob", "approve", post_id, T0)
    assert row.after == GOOD and "step 1 of 1" in row.detail
    with pytest.raises(WorkflowError, match="is approved, not awaiting approval"):
        flow.approve(post_id, "carol", "approver")
    with pytest.raises(NotFound):
        flow.approve(999, "bob", "approver")


@pytest.mark.parametrize("steps", [2, 3])
def test_multi_step_needs_distinct_approvers(url: str, steps: int) -> None:
    flow, store, _clock, post_id = make(url, steps=steps)
    approvers = ["bob", "carol", "dan"][:steps]
    for step, name in enumerate(approvers[:-1], start=1):
        outcome = flow.approve(post_id, name, "approver")
        assert (outcome.step, outcome.final) == (step, False)
        assert store.get(StatusPostRow, post_id).state == "pending_approval"
        with pytest.raises(NotAllowed, match="already approved"):
            flow.approve(post_id, name.upper(), "admin")
    assert flow.approve(post_id, approvers[-1], "approver").final
    assert store.get(StatusPostRow, post_id).state == "approved"
    assert [a.approver for a in store.all(PostApprovalRow, order=PostApprovalRow.step)] == approvers


def test_editor_cannot_approve_own_text_and_edit_resets_approvals(url: str) -> None:
    flow, store, _clock, post_id = make(url, steps=2)
    flow.approve(post_id, "bob", "approver")
    with pytest.raises(NotAllowed, match="agent"):
        flow.edit(post_id, GOOD + " Next update 15:30.", "vic", "viewer")
    view = flow.edit(post_id, GOOD + " Next update 15:30.", "carol", "approver")
    assert view.revision == 1 and view.editor == "carol" and view.approvals == [] and view.row.problems == []
    with pytest.raises(NotAllowed, match="carol wrote the current text"):
        flow.approve(post_id, "carol", "approver")
    with pytest.raises(WorkflowError, match="edited after you opened it"):
        flow.approve(post_id, "bob", "approver", revision=0)
    assert not flow.approve(post_id, "bob", "approver", revision=1).final  # bob's earlier approval did not count
    assert flow.approve(post_id, "dan", "admin").final
    assert audit(store) == [("bob", "approve"), ("carol", "edit"), ("bob", "approve"), ("dan", "approve")]


def test_edit_is_linted_and_kept_in_history(store_url: str) -> None:
    flow, store, _clock, post_id = make(store_url)
    bad = "Unfortunately Acme is down. ^Acme Care"
    view = flow.edit(post_id, bad + "\r\n", "alice", "agent")
    assert view.row.text == bad
    assert "forbidden phrase: 'unfortunately'" in view.row.problems
    assert "missing the status page link" in view.row.problems and "missing an apology" in view.row.problems
    assert store.get(StatusPostRow, post_id).problems == view.row.problems
    edit = store.all(AuditRow)[0]
    assert (edit.actor, edit.action, edit.before, edit.after) == ("alice", "edit", GOOD, bad)
    assert "forbidden phrase" in edit.detail
    with pytest.raises(Invalid, match="lint problems"):
        flow.approve(post_id, "bob", "approver")
    assert flow.approve(post_id, "bob", "approver", override=True).final
    assert "despite: forbidden phrase" in flow.history(post_id)[0].detail
    with pytest.raises(WorkflowError, match="not awaiting approval"):
        flow.edit(post_id, GOOD, "alice", "agent")


def test_edit_refuses_empty_huge_unchanged_and_stale_text(store_url: str) -> None:
    flow, _store, _clock, post_id = make(store_url)
    with pytest.raises(Invalid, match="empty"):
        flow.edit(post_id, " \n\x00 ", "alice", "agent")
    with pytest.raises(Invalid, match="at most 10000"):
        clean_text("x" * 10_001)
    with pytest.raises(Invalid, match="unchanged"):
        flow.edit(post_id, GOOD, "alice", "agent")
    flow.edit(post_id, GOOD + " Thanks.", "alice", "agent", base_revision=0)
    with pytest.raises(WorkflowError, match="edited by someone else"):
        flow.edit(post_id, GOOD + " Sorry.", "erin", "agent", base_revision=0)


def test_reject_needs_reason_and_is_final(store_url: str) -> None:
    flow, store, _clock, post_id = make(store_url)
    with pytest.raises(NotAllowed):
        flow.reject(post_id, "alice", "agent", "no")
    with pytest.raises(Invalid, match="reason"):
        flow.reject(post_id, "bob", "approver", "  ")
    flow.reject(post_id, "bob", "approver", "wrong tone")
    assert store.get(StatusPostRow, post_id).state == "rejected"
    assert store.all(AuditRow)[0].detail == "wrong tone (via web)"
    with pytest.raises(WorkflowError):
        flow.approve(post_id, "carol", "approver")


def test_superseded_draft_expires(url: str) -> None:
    flow, store, _clock, post_id = make(url)
    old = store.get(StatusPostRow, post_id)
    newer = store.add(StatusPostRow(incident_id=old.incident_id, phase="resolved", lang="en", text=GOOD,
                                    created_at=T0, problems=[]))
    assert [v.row.id for v in flow.pending()] == [newer.id]
    assert store.get(StatusPostRow, post_id).state == "expired"
    row = store.all(AuditRow)[0]
    assert (row.actor, row.action, row.post_id) == ("system", "expire", post_id)
    assert f"superseded by the newer draft #{newer.id}" in row.detail
    with pytest.raises(WorkflowError, match="expired"):
        flow.approve(post_id, "bob", "approver")
    assert flow.approve(newer.id, "bob", "approver").final


def test_old_draft_expires_after_the_limit(store_url: str) -> None:
    flow, store, clock, post_id = make(store_url, expire_minutes=30, expire_superseded=False)
    clock.advance(29 * 60)
    assert [v.row.id for v in flow.pending()] == [post_id]
    clock.advance(60)
    with pytest.raises(WorkflowError, match="is expired"):
        flow.approve(post_id, "bob", "approver")
    assert store.get(StatusPostRow, post_id).state == "expired"
    assert audit(store) == [("system", "expire")] and "older than 30 minutes" in store.all(AuditRow)[0].detail


def test_approval_settings_are_checked() -> None:
    with pytest.raises(ConfigError, match=r"approval\.steps"):
        parse_settings({"approval": {"steps": 4}})
    with pytest.raises(ConfigError, match=r"approval\.expire_minutes"):
        parse_settings({"approval": {"expire_minutes": -1}})
