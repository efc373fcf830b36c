"""Dashboard pages for people: log in, review, edit, approve or reject status posts, audit log, acknowledge."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from aiohttp import web

from alerts.approval import Approvals, WorkflowError, audit_json, can
from monitor.app import Runtime
from monitor.auth import AUTH, COOKIE, Auth, User, auth_middleware, current_user
from monitor.models import IncidentRow
from monitor.web_templates import TEMPLATES

log = logging.getLogger(__name__)
APPROVALS = web.AppKey("approvals", Approvals)
WEB_RUNTIME = web.AppKey("approval_runtime", Runtime)
NOTICES = {"approved": "Approved: the post goes to the publishing queue.", "step": "Approval recorded; "
           "another approver must approve it too.", "edited": "Saved; the text was linted again.",
           "rejected": "Rejected.", "acknowledged": "Incident acknowledged.", "out": "Logged out."}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def page_context(request: web.Request) -> dict[str, Any]:
    """What every page needs to show the user, the form token and whether logins exist."""
    user = current_user(request)
    auth = request.app[AUTH]
    notice = NOTICES.get(request.query.get("done", ""))
    return {"user": user, "csrf_token": user.csrf if user else "", "auth_enabled": auth.enabled,
            "notice": notice, "can": (lambda action: bool(user) and can(user.role, action))}


def render(request: web.Request, name: str, status: int = 200, **data: Any) -> web.Response:
    """Render a page with the shared context; pages with tokens are never cached."""
    html = TEMPLATES.get_template(name).render(**page_context(request), **data)
    response = web.Response(text=html, content_type="text/html", status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _viewer(request: web.Request) -> User | None:
    """The logged-in user; with logins configured, anyone else is sent to the login page."""
    user = current_user(request)
    if user is None and request.app[AUTH].enabled:
        raise web.HTTPSeeOther(f"/login?next={quote(request.path)}")
    return user


def _redirect(location: str) -> web.Response:
    """A 303 See Other to a local page."""
    return web.Response(status=303, headers={"Location": location})


def _safe_next(target: str) -> str:
    """Only local paths are followed after login (no open redirect)."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/posts"


def _post_id(request: web.Request) -> int:
    try:
        return int(request.match_info["id"])
    except ValueError:
        raise web.HTTPNotFound(text="no such status post") from None


async def login_page(request: web.Request) -> web.Response:
    """The login form (or a note that the dashboard is read-only)."""
    return render(request, "login.html", next=_safe_next(request.query.get("next", "/posts")), error=None)


async def login(request: web.Request) -> web.StreamResponse:
    """Check name and password (rate-limited per name and per address); set the session cookie."""
    auth = request.app[AUTH]
    form = await request.post()
    name, password = str(form.get("name", ""))[:64], str(form.get("password", ""))
    target = _safe_next(str(form.get("next", "/posts")))
    if not auth.enabled:
        return render(request, "login.html", status=403, next=target, error="No users are configured.")
    keys = (f"user:{name.strip().lower()}", f"addr:{request.remote}")
    wait = auth.limiter.blocked_for(*keys)
    if wait > 0:
        log.warning("login refused from %s: too many failures", request.remote)
        response = render(request, "login.html", status=429, next=target,
                          error=f"Too many failed logins; try again in {int(wait // 60) + 1} minutes.")
        response.headers["Retry-After"] = str(int(wait) + 1)
        return response
    user = await asyncio.to_thread(auth.check_password, name, password)
    if user is None:
        auth.limiter.failed(*keys)
        known = name.strip().lower() in auth.users  # an unknown "name" may be a password typed in the wrong box
        log.warning("failed login for %s from %s", repr(name) if known else "an unknown name", request.remote)
        return render(request, "login.html", status=401, next=target, error="Wrong name or password.")
    auth.limiter.succeeded(*keys)
    log.info("%s logged in from %s", user.name, request.remote)
    response = _redirect(target)
    auth.set_cookie(response, auth.issue(user))
    return response


async def logout(request: web.Request) -> web.StreamResponse:
    """End the session for good."""
    user = current_user(request)
    if user is not None:
        request.app[AUTH].revoke(user)
    response = _redirect("/login?done=out")
    response.del_cookie(COOKIE, path="/")
    return response


async def posts_page(request: web.Request) -> web.Response:
    """Drafts awaiting approval with their lint problems."""
    _viewer(request)
    views = await asyncio.to_thread(request.app[APPROVALS].pending)
    return render(request, "posts.html", posts=[v.to_json() for v in views])


async def post_page(request: web.Request, error: str | None = None, status: int = 200,
                    draft: str | None = None) -> web.Response:
    """One post: text, lint problems, approvals, edit form, approve and reject buttons, history."""
    _viewer(request)
    approvals = request.app[APPROVALS]
    post_id = _post_id(request)
    try:
        view = await asyncio.to_thread(approvals.view, post_id)
    except WorkflowError as exc:
        raise web.HTTPNotFound(text=str(exc)) from None
    history = [audit_json(r) for r in await asyncio.to_thread(approvals.history, post_id)]
    return render(request, "post.html", status=status, post=view.to_json(), history=history, error=error,
                  draft=draft if draft is not None else view.row.text)


async def _act(request: web.Request, action: str) -> web.StreamResponse:
    """Run one workflow step for the logged-in user; a refusal re-renders the post with the reason."""
    user = current_user(request)
    assert user is not None  # the middleware refused anonymous posts
    runtime, approvals, post_id = request.app[WEB_RUNTIME], request.app[APPROVALS], _post_id(request)
    form = await request.post()
    revision = str(form.get("revision", ""))
    base = int(revision) if revision.isdigit() else None
    try:
        if action == "edit":
            await asyncio.to_thread(approvals.edit, post_id, str(form.get("text", "")), user.name, user.role, base)
            done = "edited"
        elif action == "approve":
            outcome = await asyncio.to_thread(approvals.approve, post_id, user.name, user.role,
                                              form.get("override") == "yes", base)
            done = "approved" if outcome.final else "step"
            outbox = getattr(runtime, "outbox", None)
            if outcome.final and outbox is not None:
                await outbox.wake()
        else:
            await asyncio.to_thread(approvals.reject, post_id, user.name, user.role, str(form.get("reason", "")))
            done = "rejected"
    except WorkflowError as exc:
        log.info("%s refused for %s on post %s: %s", action, user.name, post_id, exc)
        draft = str(form.get("text", "")) if action == "edit" else None
        return await post_page(request, error=str(exc), status=exc.status, draft=draft)
    return _redirect(f"/posts/{post_id}?done={done}")


async def edit_post(request: web.Request) -> web.StreamResponse:
    """Save an edited text (re-linted; approvals start over)."""
    return await _act(request, "edit")


async def approve_post(request: web.Request) -> web.StreamResponse:
    """Give one approval step."""
    return await _act(request, "approve")


async def reject_post(request: web.Request) -> web.StreamResponse:
    """Reject with a reason."""
    return await _act(request, "reject")


async def audit_page(request: web.Request) -> web.Response:
    """Who did what and when, newest first."""
    _viewer(request)
    rows = await asyncio.to_thread(request.app[APPROVALS].history, None, 500)
    return render(request, "audit.html", rows=[audit_json(r) for r in rows])


async def acknowledge(request: web.Request) -> web.StreamResponse:
    """Acknowledge an incident (agent or above): stops the no-acknowledgement escalation."""
    user = current_user(request)
    assert user is not None
    try:
        incident_id = int(request.match_info["id"])
    except ValueError:
        raise web.HTTPNotFound(text="no such incident") from None
    if not can(user.role, "acknowledge"):
        raise web.HTTPForbidden(text=f"a {user.role} may not acknowledge incidents")
    runtime = request.app[WEB_RUNTIME]
    before = await asyncio.to_thread(runtime.store.get, IncidentRow, incident_id)
    if before is None:
        raise web.HTTPNotFound(text="no such incident")
    if before.acknowledged_at is None:
        row = await runtime.incidents.acknowledge(incident_id, user.name)
        if row is None or row.acknowledged_at is None:
            raise web.HTTPConflict(text=f"incident {incident_id} is not open here (resolved?); nothing to acknowledge")
        await asyncio.to_thread(request.app[APPROVALS].record, user.name, "acknowledge", incident_id,
                                f"acknowledged by {row.acknowledged_by}")
    return _redirect(f"/incidents/{incident_id}?done=acknowledged")


def setup_approval(app: web.Application, runtime: Runtime, auth: Auth | None = None) -> None:
    """Add login, the approval pages, the audit log and acknowledgement to the dashboard app."""
    app[AUTH] = auth or Auth(runtime.settings.web)
    app[WEB_RUNTIME] = runtime
    app[APPROVALS] = Approvals(runtime.store, runtime.settings, runtime.clock)
    app.middlewares.append(auth_middleware)
    app.router.add_get("/login", login_page)
    app.router.add_post("/login", login)
    app.router.add_post("/logout", logout)
    app.router.add_get("/posts", posts_page)
    app.router.add_get("/posts/{id}", post_page)
    app.router.add_post("/posts/{id}/edit", edit_post)
    app.router.add_post("/posts/{id}/approve", approve_post)
    app.router.add_post("/posts/{id}/reject", reject_post)
    app.router.add_get("/audit", audit_page)
    app.router.add_post("/incidents/{id}/ack", acknowledge)
