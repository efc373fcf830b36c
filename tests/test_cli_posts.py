"""The operator commands: posts list/show/edit/approve/reject, ack, and hash-password."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.models import AuditRow, IncidentRow, StatusPostRow
from monitor.passwords import hash_password, verify_password
from monitor.store import Store
from tests.conftest import ROOT

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
TEXT = "We are sorry: logging in to Acme fails for some of you. Details: https://status.acme.example ^Acme Care"


def hash_password_cli(stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, str(ROOT / "run_monitor.py"), "hash-password"], input=stdin,
                          capture_output=True, timeout=120, cwd=ROOT)


def test_hash_password_reads_stdin_never_argv() -> None:
    result = hash_password_cli(b"correct horse\n")
    assert result.returncode == 0, result.stderr
    encoded = result.stdout.decode().strip()
    assert encoded.startswith("scrypt$32768$8$1$") and verify_password("correct horse", encoded)
    assert b"correct horse" not in result.stdout + result.stderr


def test_hash_password_refuses_an_empty_password(monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    code, out, err = cli(capsys, "hash-password")
    assert code == 2 and out == "" and "empty password" in err


@pytest.fixture
def config(tmp_path: Path) -> tuple[Path, Store, int, int]:
    """A config with an agent, an approver and a viewer; a store with one incident and two drafts."""
    db = tmp_path / "ops.db"
    users = "".join(f'[[web.users]]\nname = "{n}"\nrole = "{r}"\n'
                    f'password_hash = "{hash_password("pw", n=2**10)}"\n'
                    for n, r in (("ann", "agent"), ("bob", "approver"), ("vic", "viewer")))
    path = tmp_path / "ops.toml"
    path.write_text(f'[[brands]]\nname = "Acme"\nstatus_page = "https://status.acme.example"\n'
                    f'[status_posts]\nsignature = "^Acme Care"\n[approval]\nexpire_superseded = false\n'
                    f'[store]\nurl = "sqlite:///{db}"\n'
                    f'[alerts]\nurls = ["oncall://?path={tmp_path / "a.log"}&console=no"]\n'
                    f'{users}', encoding="utf-8")
    store = Store(f"sqlite:///{db}")
    incident = store.add(IncidentRow(brand="Acme", signal="outage", started_at=T0, opened_at=T0))
    first, _second = (store.add(StatusPostRow(incident_id=incident.id, phase=phase, lang="en", text=TEXT,
                                             created_at=T0, problems=[])) for phase in ("investigating", "resolved"))
    return path, store, first.id, incident.id


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as caught:
        main(list(args))
    out = capsys.readouterr()
    return int(caught.value.code or 0), out.out, out.err


def test_posts_edit_approve_reject_and_ack(config: tuple[Path, Store, int, int],
                                           capsys: pytest.CaptureFixture[str]) -> None:
    path, store, post, incident = config
    conf = ("--config", str(path))
    code, out, _ = cli(capsys, "posts", "list", *conf)
    assert code == 0 and f"#{post} incident {incident}" in out and "approvals 0/1" in out and TEXT in out
    code, out, _ = cli(capsys, "posts", "edit", str(post), "--text", "Acme is down", "--as", "ann", *conf)
    assert code == 0 and "lint: missing an apology" in out and "revision 1 by ann" in out
    code, _, err = cli(capsys, "posts", "approve", str(post), "--as", "ann", *conf)
    assert code == 1 and "needs the approver role" in err
    code, _, err = cli(capsys, "posts", "approve", str(post), "--as", "bob", *conf)
    assert code == 1 and "lint problems" in err
    assert store.get(StatusPostRow, post).state == "pending_approval"
    code, out, _ = cli(capsys, "posts", "approve", str(post), "--as", "bob", "--force", *conf)
    assert code == 0 and "approved" in out and store.get(StatusPostRow, post).state == "approved"
    code, _, err = cli(capsys, "posts", "reject", str(post + 1), "--as", "bob", "--reason", "", *conf)
    assert code == 1 and "needs a reason" in err
    code, _, _ = cli(capsys, "posts", "reject", str(post + 1), "--as", "bob", "--reason", "not yet", *conf)
    assert code == 0 and store.get(StatusPostRow, post + 1).state == "rejected"
    code, _, err = cli(capsys, "posts", "approve", str(post), "--as", "mallory", *conf)
    assert code == 2 and "no user 'mallory' is configured" in err and "ann, bob, vic" in err
    code, _, err = cli(capsys, "ack", str(incident), "--as", "vic", *conf)
    assert code == 1 and "needs the agent role" in err
    code, out, _ = cli(capsys, "ack", str(incident), "--as", "ann", *conf)
    assert code == 0 and f"incident #{incident} acknowledged by ann" in out
    assert store.get(IncidentRow, incident).acknowledged_by == "ann"
    assert "ann" in (path.parent / "a.log").read_text(encoding="utf-8")  # on-call heard who is on it
    resolved = store.add(IncidentRow(brand="Volta", signal="outage", state="resolved", started_at=T0, opened_at=T0,
                                     resolved_at=T0))
    code, _, err = cli(capsys, "ack", str(resolved.id), "--as", "ann", *conf)
    assert code == 1 and "is resolved, not open" in err
    code, _, err = cli(capsys, "ack", "999", "--as", "ann", *conf)
    assert code == 1 and "no incident #999" in err
    rows = store.all(AuditRow, order=AuditRow.id)
    assert [(r.actor, r.action) for r in rows] == [("ann", "edit"), ("bob", "approve"), ("bob", "reject"),
                                                   ("ann", "acknowledge")]
    assert all("via command line, account" in (r.detail or "") for r in rows)
    code, out, _ = cli(capsys, "posts", "show", str(post), *conf)
    assert code == 0 and "bob approve" in out and "ann edit" in out and "Acme is down" in out
    code, out, _ = cli(capsys, "posts", "list", "--state", "all", "--json", *conf)
    assert code == 0 and out.count('"state"') == 2
