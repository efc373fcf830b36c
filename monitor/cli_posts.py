"""Operator commands on the configured store: status posts (list, show, edit, approve, reject), ack, hash-password.

The CLI acts as an operator on the same machine: `--as USER` must name a configured user and that user's role
is enforced, but no password is asked (whoever can run this can already write the database). The audit log
records the command line and the operating-system account that ran it.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from monitor.clock import SystemClock
from monitor.settings import ConfigError, Settings, UserSettings, load_settings

if TYPE_CHECKING:
    from alerts.approval import PostView


def _config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, default=None, help="TOML config (default: the demo config)")


def add_parsers(sub: Any) -> None:
    """Register `posts`, `ack` and `hash-password` on the main parser's subcommands."""
    posts = sub.add_parser("posts", help="list, show, edit, approve or reject status posts")
    verbs = posts.add_subparsers(dest="posts_command", required=True)
    listing = verbs.add_parser("list", help="posts awaiting approval (or in another state)")
    listing.add_argument("--state", default="pending_approval", help="a state, or 'all'")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    show = verbs.add_parser("show", help="one post with its lint problems, approvals and history")
    show.add_argument("id", type=int)
    edit = verbs.add_parser("edit", help="replace a pending post's text (linted again; approvals start over)")
    edit.add_argument("id", type=int)
    text = edit.add_mutually_exclusive_group(required=True)
    text.add_argument("--text", help="the new text")
    text.add_argument("--text-file", type=Path, help="read the new text from a file ('-' for stdin)")
    approve = verbs.add_parser("approve", help="give one approval step")
    approve.add_argument("id", type=int)
    approve.add_argument("--force", action="store_true", help="approve despite lint problems")
    reject = verbs.add_parser("reject", help="reject a pending post")
    reject.add_argument("id", type=int)
    reject.add_argument("--reason", required=True)
    for verb in (listing, show, edit, approve, reject):
        _config(verb)
    for verb in (edit, approve, reject):
        verb.add_argument("--as", dest="user", required=True, help="a user configured under [[web.users]]")
    ack = sub.add_parser("ack", help="acknowledge an incident (stops the no-acknowledgement escalation)")
    ack.add_argument("incident", type=int)
    ack.add_argument("--as", dest="user", required=True, help="a user configured under [[web.users]]")
    _config(ack)
    sub.add_parser("hash-password", help="read a password from stdin or a prompt and print its scrypt hash")


def _settings(args: argparse.Namespace) -> Settings:
    from monitor.cli import DEMO_CONFIG

    return load_settings(args.config or DEMO_CONFIG)


def _user(settings: Settings, name: str) -> UserSettings:
    for user in settings.web.users:
        if user.name.lower() == name.strip().lower():
            return user
    known = ", ".join(u.name for u in settings.web.users) or "none: add [[web.users]] to the config"
    raise ConfigError(f"--as: no user {name!r} is configured (known users: {known})")


def _via() -> str:
    try:
        account = getpass.getuser()
    except (KeyError, OSError):
        account = "unknown"
    return f"command line, account {account}"


def _print_post(view: PostView, as_json: bool) -> None:
    data = view.to_json()
    if as_json:
        print(json.dumps(data, ensure_ascii=False))
        return
    by = f" by {data['edited_by']}" if data["edited_by"] else ""
    names = f": {', '.join(data['approvals'])}" if data["approvals"] else ""
    print(f"#{data['id']} incident {data['incident']} · {data['phase']} · {data['lang']} · {data['state']} · "
          f"revision {data['revision']}{by} · approvals {len(data['approvals'])}/{data['steps']}{names}")
    for problem in data["problems"]:
        print(f"  lint: {problem}")
    print("  " + data["text"].replace("\n", "\n  "))


def cmd_posts(args: argparse.Namespace) -> int:
    """Run one `posts` verb against the configured store."""
    from alerts.approval import Approvals, WorkflowError, audit_json
    from monitor.store import Store

    settings = _settings(args)
    store = Store(settings.store.url)
    approvals = Approvals(store, settings, SystemClock(), via=_via())
    try:
        verb = args.posts_command
        if verb == "list":
            if args.state == "pending_approval":
                views = approvals.pending()
            else:
                views = [approvals.view(p.id) for p in store.posts(None if args.state == "all" else args.state)]
            for view in views:
                _print_post(view, args.json)
            if not views and not args.json:
                print(f"no status posts in state {args.state}", file=sys.stderr)
            return 0
        if verb == "show":
            _print_post(approvals.view(args.id), False)
            for row in approvals.history(args.id):
                entry = audit_json(row)
                print(f"  {entry['at']} {entry['actor']} {entry['action']}: {entry['detail'] or ''}")
            return 0
        user = _user(settings, args.user)
        if verb == "edit":
            if args.text_file is None:
                text = args.text
            elif str(args.text_file) == "-":
                text = sys.stdin.read()
            else:
                try:
                    text = args.text_file.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as exc:
                    raise ConfigError(f"--text-file {args.text_file}: cannot read it as UTF-8 text ({exc})") from None
            view = approvals.edit(args.id, text, user.name, user.role)
            _print_post(view, False)
        elif verb == "approve":
            outcome = approvals.approve(args.id, user.name, user.role, override=args.force)
            print(f"post #{args.id}: approval {outcome.step} of {settings.approval.steps} by {user.name}; "
                  + ("approved: the running monitor publishes it" if outcome.final else "awaiting the next approver"))
        else:
            approvals.reject(args.id, user.name, user.role, args.reason)
            print(f"post #{args.id}: rejected by {user.name}")
        return 0
    except WorkflowError as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()


def cmd_ack(args: argparse.Namespace) -> int:
    """Acknowledge an incident as a configured user."""
    from alerts.approval import Approvals, can
    from alerts.drafts import Drafter
    from alerts.notifier import Notifier
    from monitor.evidence import EvidenceBuffer
    from monitor.incidents import IncidentManager
    from monitor.store import Store

    settings = _settings(args)
    user = _user(settings, args.user)
    if not can(user.role, "acknowledge"):
        print(f"refused: a {user.role} may not acknowledge incidents (needs the agent role)", file=sys.stderr)
        return 1
    store = Store(settings.store.url)
    clock = SystemClock()
    try:
        notifier = Notifier(settings.alerts.urls, retry_attempts=settings.alerts.retry_attempts,
                            brand_urls={b.name: b.alert_urls for b in settings.brands}, routes=settings.alerts.routes)
        manager = IncidentManager(store, notifier, Drafter.from_settings(settings), settings, clock, EvidenceBuffer())
        row = asyncio.run(manager.acknowledge(args.incident, user.name))
        if row is None:
            print(f"refused: no incident #{args.incident}", file=sys.stderr)
            return 1
        if row.acknowledged_at is None:
            print(f"refused: incident #{args.incident} is {row.state}, not open; nothing to acknowledge",
                  file=sys.stderr)
            return 1
        Approvals(store, settings, clock, via=_via()).record(user.name, "acknowledge", args.incident,
                                                             f"acknowledged by {row.acknowledged_by}")
        print(f"incident #{args.incident} acknowledged by {row.acknowledged_by} at {row.acknowledged_at}")
        return 0
    finally:
        store.close()


def read_password() -> str:
    """The password from a prompt (asked twice) or the first line of stdin; never from the command line."""
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != first:
            raise ConfigError("hash-password: the two passwords differ")
        return first
    try:
        return sys.stdin.readline().rstrip("\r\n")
    except UnicodeDecodeError:
        raise ConfigError("hash-password: the password on stdin is not valid UTF-8") from None


def cmd_hash_password(args: argparse.Namespace) -> int:
    """Print the scrypt hash of a password, for `password_hash` under [[web.users]]."""
    from monitor.passwords import MAX_PASSWORD_BYTES, hash_password

    password = read_password()
    if not password:
        raise ConfigError("hash-password: empty password (give it on stdin or at the prompt)")
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise ConfigError(f"hash-password: the password is longer than {MAX_PASSWORD_BYTES} bytes")
    print(hash_password(password))
    return 0


COMMANDS = {"posts": cmd_posts, "ack": cmd_ack, "hash-password": cmd_hash_password}
