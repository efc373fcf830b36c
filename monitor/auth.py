"""Dashboard login: users from config, signed session cookies, CSRF tokens, same-origin checks, login limits."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import secrets
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from monitor.clock import Clock, SystemClock
from monitor.passwords import hash_password, verify_password
from monitor.settings import UserSettings, WebSettings

log = logging.getLogger(__name__)
COOKIE = "monitor_session"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_TRACKED = 10_000


@dataclass(frozen=True, slots=True)
class User:
    """A logged-in user as the handlers see it."""

    name: str
    role: str
    csrf: str
    sid: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class LoginLimiter:
    """Refuses logins for a user name or client address after too many recent failures."""

    def __init__(self, attempts: int, window: timedelta, clock: Clock) -> None:
        self.attempts, self.window, self.clock = attempts, window, clock
        self.failures: dict[str, deque[datetime]] = {}

    def _recent(self, key: str) -> deque[datetime]:
        times = self.failures.get(key, deque())
        cutoff = self.clock.now() - self.window
        while times and times[0] <= cutoff:
            times.popleft()
        return times

    def blocked_for(self, *keys: str) -> float:
        """Seconds until a login may be tried again for these keys (0: allowed now)."""
        wait = 0.0
        for key in keys:
            times = self._recent(key)
            if len(times) >= self.attempts:
                wait = max(wait, (times[0] + self.window - self.clock.now()).total_seconds())
        return wait

    def failed(self, *keys: str) -> None:
        """Count one failure against each key."""
        if len(self.failures) > MAX_TRACKED:
            self.failures = {k: v for k, v in self.failures.items() if self._recent(k)}
        for key in keys:
            times = self._recent(key)
            times.append(self.clock.now())
            self.failures[key] = times

    def succeeded(self, *keys: str) -> None:
        """Forget the failures of these keys."""
        for key in keys:
            self.failures.pop(key, None)


class Auth:
    """Users, password checks, session cookies and CSRF tokens for one dashboard process."""

    def __init__(self, settings: WebSettings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        secret = settings.session_secret
        self.secret = secret.encode("utf-8") if secret else secrets.token_bytes(32)
        self.users: dict[str, tuple[UserSettings, str]] = {}
        for user in settings.users:
            hashed = user.password_hash or self._from_env(user)
            if hashed:
                self.users[user.name.lower()] = (user, hashed)
        self.dummy = hash_password(secrets.token_urlsafe(16)) if self.users else ""
        self.limiter = LoginLimiter(settings.login_attempts, timedelta(minutes=settings.login_window_minutes),
                                    self.clock)
        self.revoked: dict[str, float] = {}

    @staticmethod
    def _from_env(user: UserSettings) -> str:
        password = os.environ.get(user.password_env, "")
        if not password:
            log.warning("user %s is disabled: environment variable %s is not set", user.name, user.password_env)
            return ""
        return hash_password(password)

    @property
    def enabled(self) -> bool:
        """Whether anyone can log in (no users: the dashboard stays read-only)."""
        return bool(self.users)

    def check_password(self, name: str, password: str) -> UserSettings | None:
        """The user when name and password match (blocking: scrypt runs even for unknown names)."""
        entry = self.users.get(name.strip().lower())
        ok = verify_password(password, entry[1] if entry else self.dummy)
        return entry[0] if entry and ok else None

    def _mac(self, purpose: str, data: str) -> bytes:
        return hmac.new(self.secret, f"{purpose}:{data}".encode(), hashlib.sha256).digest()

    def _fingerprint(self, name: str) -> str:
        return _b64(self._mac("pw", self.users[name.lower()][1])[:9])

    def issue(self, user: UserSettings) -> str:
        """A signed session cookie value for a user who just logged in."""
        expires = self.clock.now().timestamp() + self.settings.session_minutes * 60
        payload = _b64(json.dumps({"u": user.name, "s": secrets.token_urlsafe(16), "e": int(expires),
                                   "f": self._fingerprint(user.name)}).encode())
        return f"{payload}.{_b64(self._mac('session', payload))}"

    def read(self, cookie: str | None) -> User | None:
        """The user of a valid, unexpired, unrevoked session cookie whose password has not changed since."""
        if not cookie or "." not in cookie or len(cookie) > 1024:
            return None
        payload, _, mac = cookie.partition(".")
        try:
            if not hmac.compare_digest(_unb64(mac), self._mac("session", payload)):
                return None
            data = json.loads(_unb64(payload))
            name, sid, expires, print_ = str(data["u"]), str(data["s"]), float(data["e"]), str(data["f"])
        except (ValueError, KeyError, TypeError):
            return None
        entry = self.users.get(name.lower())
        if entry is None or expires <= self.clock.now().timestamp() or sid in self.revoked:
            return None
        if not hmac.compare_digest(print_, self._fingerprint(name)):
            return None
        return User(entry[0].name, entry[0].role, _b64(self._mac("csrf", sid)), sid)

    def revoke(self, user: User) -> None:
        """Log a session out for good (until its expiry it is refused even if replayed)."""
        now = self.clock.now().timestamp()
        self.revoked = {sid: until for sid, until in self.revoked.items() if until > now}
        self.revoked[user.sid] = now + self.settings.session_minutes * 60

    def set_cookie(self, response: web.StreamResponse, value: str) -> None:
        """Attach the session cookie: HttpOnly, SameSite=Lax, Secure when configured."""
        response.set_cookie(COOKIE, value, max_age=int(self.settings.session_minutes * 60), path="/",
                            httponly=True, samesite="Lax", secure=self.settings.secure_cookie)

    def same_origin(self, request: web.Request) -> bool:
        """Whether an unsafe request comes from our own pages (Origin, else Referer, must match)."""
        source = request.headers.get("Origin") or request.headers.get("Referer")
        if not source or source == "null":
            return False
        parts = urlsplit(source)
        origin = f"{parts.scheme}://{parts.netloc}".lower()
        allowed = {f"{request.scheme}://{request.host}".lower(), *(o.rstrip("/").lower()
                                                                  for o in self.settings.allowed_origins)}
        return origin in allowed


AUTH = web.AppKey("auth", Auth)
USER: web.RequestKey[User | None] = web.RequestKey("user")


def current_user(request: web.Request) -> User | None:
    """The logged-in user of this request, if any."""
    return request.get(USER)


@web.middleware
async def auth_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    """Attach the session's user; refuse cross-site or token-less state changes with 403 before any handler."""
    auth = request.app[AUTH]
    request[USER] = auth.read(request.cookies.get(COOKIE))
    if request.method in UNSAFE:
        if not auth.same_origin(request):
            log.warning("refused %s %s: cross-site or missing Origin/Referer", request.method, request.path)
            raise web.HTTPForbidden(text="refused: this request did not come from the dashboard's own pages")
        if request.path != "/login":
            user = current_user(request)
            if user is None:
                raise web.HTTPForbidden(text="refused: log in first")
            form = await request.post()
            token = form.get("csrf_token")
            if not isinstance(token, str) or not hmac.compare_digest(token.encode(), user.csrf.encode()):
                log.warning("refused %s %s for %s: bad CSRF token", request.method, request.path, user.name)
                raise web.HTTPForbidden(text="refused: missing or stale form token; reload the page")
    response = await handler(request)
    if request[USER] is not None:  # pages carrying a form token are not kept in shared caches
        response.headers.setdefault("Cache-Control", "no-store")
    return response
