"""The approval workflow for status posts: edit (re-linted), approve in 1-3 steps, reject, expire, audit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from alerts.drafts import lint
from monitor.clock import Clock, as_utc
from monitor.models import AuditRow, IncidentRow, PostApprovalRow, StatusPostRow
from monitor.settings import Settings
from monitor.store import Store

PENDING = "pending_approval"
SYSTEM = "system"
ROLES = ("viewer", "agent", "approver", "admin")
NEEDS = {"read": "viewer", "edit": "agent", "acknowledge": "agent", "approve": "approver", "reject": "approver"}
MAX_TEXT = 10_000


class WorkflowError(Exception):
    """A refused workflow step, with the reason worded for the person who asked."""

    status = 409


class NotAllowed(WorkflowError):
    """The role does not allow it, or it would be self-approval."""

    status = 403


class NotFound(WorkflowError):
    """No such post or incident."""

    status = 404


class Invalid(WorkflowError):
    """The request itself is unusable (empty text, missing reason)."""

    status = 400


def can(role: str, action: str) -> bool:
    """Whether a role may do an action; roles are ordered viewer < agent < approver < admin."""
    if role not in ROLES:
        return False
    return ROLES.index(role) >= ROLES.index(NEEDS[action])


def require(role: str, action: str) -> None:
    """Raise NotAllowed unless the role may do the action."""
    if not can(role, action):
        raise NotAllowed(f"a {role} may not {action} status posts (needs the {NEEDS[action]} role)")


@dataclass
class PostView:
    """A post with its current revision, who wrote that revision and the approvals it has."""

    row: StatusPostRow
    revision: int
    editor: str | None
    approvals: list[PostApprovalRow] = field(default_factory=list)
    steps: int = 1

    def to_json(self) -> dict[str, Any]:
        """The post as the CLI and the API show it."""
        row = self.row
        return {"id": row.id, "incident": row.incident_id, "phase": row.phase, "state": row.state,
                "lang": row.lang, "text": row.text, "problems": row.problems,
                "created_at": as_utc(row.created_at).isoformat(), "revision": self.revision,
                "edited_by": self.editor, "approvals": [a.approver for a in self.approvals], "steps": self.steps}


@dataclass
class Outcome:
    """What an approval did: the post after it, the step given and whether it was the last one."""

    post: StatusPostRow
    step: int
    final: bool


def clean_text(text: str) -> str:
    """Normalise an edited text: newlines, no NULs, trimmed; refuse empty or huge text."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()
    if not text:
        raise Invalid("the text is empty")
    if len(text) > MAX_TEXT:
        raise Invalid(f"the text has {len(text)} characters; at most {MAX_TEXT} are accepted")
    return text


class Approvals:
    """List, edit, approve, reject and expire status posts; every change goes to the audit log."""

    def __init__(self, store: Store, settings: Settings, clock: Clock, via: str = "web") -> None:
        self.store, self.settings, self.clock, self.via = store, settings, clock, via

    def _session(self) -> Session:
        return Session(self.store.engine, expire_on_commit=False)

    def _audit(self, session: Session, actor: str, action: str, post: StatusPostRow | None = None,
               incident_id: int | None = None, before: str | None = None, after: str | None = None,
               detail: str | None = None) -> None:
        if actor != SYSTEM and self.via:
            detail = f"{detail} (via {self.via})" if detail else f"via {self.via}"
        session.add(AuditRow(at=self.clock.now(), actor=actor, action=action, post_id=post.id if post else None,
                             incident_id=post.incident_id if post else incident_id, before=before, after=after,
                             detail=detail))

    def record(self, actor: str, action: str, incident_id: int | None = None, detail: str | None = None) -> None:
        """Write one audit row about something outside the posts (an acknowledgement)."""
        with self._session() as session:
            self._audit(session, actor, action, incident_id=incident_id, detail=detail)
            session.commit()

    def _revision(self, session: Session, post_id: int) -> tuple[int, str | None]:
        """The post's revision (edits so far) and the author of the current text (None: drafted)."""
        edits = session.scalar(select(func.count()).select_from(AuditRow).where(
            AuditRow.post_id == post_id, AuditRow.action == "edit")) or 0
        editor = session.scalar(select(AuditRow.actor).where(AuditRow.post_id == post_id, AuditRow.action == "edit")
                                .order_by(AuditRow.id.desc()).limit(1))  # type: ignore[union-attr]
        return edits, editor

    def _view(self, session: Session, row: StatusPostRow) -> PostView:
        revision, editor = self._revision(session, row.id)  # type: ignore[arg-type]
        approvals = list(session.scalars(select(PostApprovalRow).where(
            PostApprovalRow.post_id == row.id, PostApprovalRow.revision == revision).order_by(PostApprovalRow.step)))
        return PostView(row, revision, editor, approvals, self.settings.approval.steps)

    def _pending_row(self, session: Session, post_id: int) -> StatusPostRow:
        row = session.get(StatusPostRow, post_id)
        if row is None:
            raise NotFound(f"no status post #{post_id}")
        if row.state != PENDING:
            raise WorkflowError(f"status post #{post_id} is {row.state}, not awaiting approval")
        return row

    def _set_state(self, session: Session, row: StatusPostRow, state: str) -> None:
        """Move a pending post to `state`, only if no one else moved it first."""
        done = session.execute(update(StatusPostRow).where(
            StatusPostRow.id == row.id, StatusPostRow.state == PENDING).values(state=state))
        if done.rowcount != 1:  # type: ignore[attr-defined]
            session.rollback()
            raise WorkflowError(f"status post #{row.id} changed state meanwhile; reload it")
        row.state = state

    def expire_stale(self) -> list[int]:
        """Expire pending drafts superseded by a newer draft of their incident, or older than the limit."""
        conf = self.settings.approval
        now = self.clock.now()
        expired: list[int] = []
        with self._session() as session:
            newest = dict(session.execute(select(StatusPostRow.incident_id, func.max(StatusPostRow.id))
                                          .group_by(StatusPostRow.incident_id)).all())
            for row in session.scalars(select(StatusPostRow).where(StatusPostRow.state == PENDING)):
                reason = None
                if conf.expire_superseded and newest.get(row.incident_id, row.id) != row.id:
                    reason = f"superseded by the newer draft #{newest[row.incident_id]}"
                elif conf.expire_minutes and as_utc(row.created_at) + timedelta(minutes=conf.expire_minutes) <= now:
                    reason = f"older than {conf.expire_minutes:g} minutes"
                if reason is None:
                    continue
                if session.execute(update(StatusPostRow).where(StatusPostRow.id == row.id, StatusPostRow.state
                                                               == PENDING).values(state="expired")).rowcount:
                    self._audit(session, SYSTEM, "expire", row, detail=reason)
                    expired.append(row.id)  # type: ignore[arg-type]
            session.commit()
        return expired

    def pending(self) -> list[PostView]:
        """Drafts awaiting approval, oldest first (stale ones are expired first)."""
        self.expire_stale()
        with self._session() as session:
            rows = session.scalars(select(StatusPostRow).where(StatusPostRow.state == PENDING)
                                   .order_by(StatusPostRow.id))  # type: ignore[arg-type]
            return [self._view(session, row) for row in rows]

    def view(self, post_id: int) -> PostView:
        """One post in any state."""
        with self._session() as session:
            row = session.get(StatusPostRow, post_id)
            if row is None:
                raise NotFound(f"no status post #{post_id}")
            return self._view(session, row)

    def history(self, post_id: int | None = None, limit: int = 200) -> list[AuditRow]:
        """Audit rows, newest first, of one post or of everything."""
        stmt = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)  # type: ignore[union-attr]
        if post_id is not None:
            stmt = stmt.where(AuditRow.post_id == post_id)
        with self._session() as session:
            return list(session.scalars(stmt))

    def lint(self, row: StatusPostRow, text: str) -> list[str]:
        """The linter's findings for a text of this post, with its brand's rules."""
        incident = self.store.get(IncidentRow, row.incident_id)
        brand = self.settings.brand(incident.brand if incident else "")
        return lint(text, row.lang, self.settings.status_posts, brand, phase=row.phase)

    def edit(self, post_id: int, text: str, user: str, role: str, base_revision: int | None = None) -> PostView:
        """Replace the text (re-linted); approvals given to the old text no longer count."""
        require(role, "edit")
        self.expire_stale()
        text = clean_text(text)
        with self._session() as session:
            row = self._pending_row(session, post_id)
            revision, _editor = self._revision(session, post_id)
            if base_revision is not None and base_revision != revision:
                raise WorkflowError(f"status post #{post_id} was edited by someone else meanwhile; reload it")
            if text == row.text:
                raise Invalid("the text is unchanged")
            before, problems = row.text, self.lint(row, text)
            done = session.execute(update(StatusPostRow).where(
                StatusPostRow.id == post_id, StatusPostRow.state == PENDING, StatusPostRow.text == before)
                .values(text=text, problems=problems))
            if done.rowcount != 1:  # type: ignore[attr-defined]
                raise WorkflowError(f"status post #{post_id} changed meanwhile; reload it")
            row.text, row.problems = text, problems
            self._audit(session, user, "edit", row, before=before, after=text,
                        detail="; ".join(problems) or "lint: no problems")
            session.commit()
            return self._view(session, row)

    def approve(self, post_id: int, user: str, role: str, override: bool = False,
                revision: int | None = None) -> Outcome:
        """Give one approval step; the last required step sets the post to approved."""
        require(role, "approve")
        self.expire_stale()
        with self._session() as session:
            row = self._pending_row(session, post_id)
            view = self._view(session, row)
            if revision is not None and revision != view.revision:
                raise WorkflowError(f"status post #{post_id} was edited after you opened it; review it again")
            if view.editor is not None and view.editor.lower() == user.lower():
                raise NotAllowed(f"{user} wrote the current text of post #{post_id}; someone else must approve it")
            if any(a.approver.lower() == user.lower() for a in view.approvals):
                raise NotAllowed(f"{user} already approved this text of post #{post_id}; "
                                 "the next step needs another approver")
            if row.problems and not override:
                raise Invalid(f"post #{post_id} has lint problems ({'; '.join(row.problems)}); "
                              "fix them or approve despite them explicitly")
            step = len(view.approvals) + 1
            session.add(PostApprovalRow(post_id=post_id, revision=view.revision, step=step, approver=user,
                                        at=self.clock.now()))
            try:
                session.flush()
            except IntegrityError:
                session.rollback()
                raise WorkflowError(f"post #{post_id} was approved by someone else meanwhile; reload it") from None
            final = step >= view.steps
            if final:
                self._set_state(session, row, "approved")
            note = f"step {step} of {view.steps}" + ("; despite: " + "; ".join(row.problems) if row.problems else "")
            self._audit(session, user, "approve", row, after=row.text, detail=note)
            session.commit()
            return Outcome(row, step, final)

    def reject(self, post_id: int, user: str, role: str, reason: str) -> StatusPostRow:
        """Reject a pending post with a reason; it will never be published."""
        require(role, "reject")
        reason = reason.replace("\x00", "").strip()
        if not reason:
            raise Invalid("a rejection needs a reason")
        self.expire_stale()
        with self._session() as session:
            row = self._pending_row(session, post_id)
            self._set_state(session, row, "rejected")
            self._audit(session, user, "reject", row, before=row.text, detail=reason[:2000])
            session.commit()
            return row


def audit_json(row: AuditRow) -> dict[str, Any]:
    """One audit row for the CLI and the API."""
    at: datetime = as_utc(row.at)
    return {"id": row.id, "at": at.isoformat(), "actor": row.actor, "action": row.action, "post": row.post_id,
            "incident": row.incident_id, "before": row.before, "after": row.after, "detail": row.detail}
