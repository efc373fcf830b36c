"""Webhook: an HTTP endpoint taking mention JSON Lines, signed with HMAC-SHA256 or a bearer token, size-limited."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import socket
import uuid
from typing import ClassVar

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from monitor.clock import Clock
from monitor.mention import MAX_LINE_BYTES, Mention, Rejected, parse_line
from monitor.settings import Settings
from monitor.sources import Emit, SourceError
from monitor.sources.state import SourceContext

log = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-Signature"


class WebhookConfig(BaseModel):
    """Options of the webhook source."""

    model_config = ConfigDict(extra="forbid")
    host: str = "127.0.0.1"
    port: int = Field(8081, ge=0, le=65535)
    path: str = "/mentions"
    secret: SecretStr | None = Field(None, description="HMAC-SHA256 key: X-Signature: sha256=<hex of the body>")
    token: SecretStr | None = Field(None, description="or a bearer token: Authorization: Bearer <token>")
    max_body_bytes: int = Field(10 * 1024 * 1024, gt=0)
    max_line_bytes: int = Field(MAX_LINE_BYTES, gt=0, le=MAX_LINE_BYTES)
    default_source: str = "webhook"

    @model_validator(mode="after")
    def _authenticated(self) -> WebhookConfig:
        if not (self.secret and self.secret.get_secret_value()) and not (self.token and
                                                                         self.token.get_secret_value()):
            raise ValueError("set 'secret' (HMAC signature) or 'token' (bearer): the endpoint is never open")
        if not self.path.startswith("/"):
            raise ValueError("'path' must start with '/'")
        return self


def sign(secret: str, body: bytes) -> str:
    """The signature header value a sender computes: 'sha256=' and the hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


class WebhookSource:
    """Serve a POST endpoint; every accepted line is queued before the request is answered."""

    type_name: ClassVar[str] = "webhook"
    Config: ClassVar[type[BaseModel]] = WebhookConfig

    def __init__(self, name: str, config: WebhookConfig, settings: Settings | None = None,
                 clock: Clock | None = None, context: SourceContext | None = None) -> None:
        self.name, self.config = name, config
        self.accepted = self.rejected = self.requests = 0
        self.port: int | None = None
        self._emit: Emit | None = None
        self.ready = asyncio.Event()

    def app(self) -> web.Application:
        """The aiohttp application with the one POST route."""
        app = web.Application(client_max_size=self.config.max_body_bytes + 1)
        app.router.add_post(self.config.path, self.receive)
        return app

    async def run(self, emit: Emit) -> None:
        """Listen until cancelled."""
        self._emit = emit
        runner = web.AppRunner(self.app(), access_log=None)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.config.host, self.config.port)
            try:
                await site.start()
            except OSError as exc:
                raise SourceError(f"webhook {self.name}: cannot listen on {self.config.host}:{self.config.port} "
                                  f"({exc.strerror})") from None
            self.port = int(runner.addresses[0][1]) if runner.addresses else self.config.port
            log.info("source %s: webhook on http://%s:%s%s", self.name, self.config.host, self.port,
                     self.config.path)
            self.ready.set()
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()

    def _bearer_ok(self, request: web.Request) -> bool:
        """The configured bearer token, compared in constant time."""
        token = self.config.token.get_secret_value() if self.config.token else ""
        auth = request.headers.get("Authorization", "")
        return bool(token and auth.startswith("Bearer ") and hmac.compare_digest(
            auth.removeprefix("Bearer ").strip().encode(), token.encode()))

    def _signature_ok(self, request: web.Request, body: bytes) -> bool:
        """A valid HMAC-SHA256 signature over the raw body, compared in constant time."""
        secret = self.config.secret.get_secret_value() if self.config.secret else ""
        given = request.headers.get(SIGNATURE_HEADER, "").strip().lower()
        return bool(secret and given and hmac.compare_digest(given.encode(), sign(secret, body).encode()))

    async def _body(self, request: web.Request) -> bytes | None:
        """The raw body, or None when it is over the limit (read no further than limit + 1 bytes)."""
        limit = self.config.max_body_bytes
        if request.content_length is not None and request.content_length > limit:
            return None
        chunks, size = [], 0
        async for chunk in request.content.iter_chunked(64 * 1024):
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
        return b"".join(chunks)

    async def receive(self, request: web.Request) -> web.Response:
        """Check size and signature, parse every line, queue the good ones, set the bad ones aside, say so."""
        rid = uuid.uuid4().hex[:12]
        self.requests += 1
        bearer = self._bearer_ok(request)
        if not bearer and SIGNATURE_HEADER not in request.headers:
            return self._refuse(rid)  # nothing to verify: refused before the body is read
        body = await self._body(request)
        if body is None:
            return _answer(413, rid, error=f"body too large: limit {self.config.max_body_bytes} bytes per request; "
                                           "send fewer lines per request")
        if not bearer and not self._signature_ok(request, body):
            return self._refuse(rid)
        if not body.strip():
            return _answer(400, rid, error="empty body: send one mention JSON object per line")
        records = self._parse(body, rid)
        assert self._emit is not None, "the endpoint serves only while the source runs"
        for record in records:
            await self._emit(record)  # waits when the pipeline's queue is full: we answer only once queued
        rejected = [r for r in records if isinstance(r, Rejected)]
        accepted = len(records) - len(rejected)
        self.accepted += accepted
        self.rejected += len(rejected)
        status = 422 if rejected and not accepted else 200
        return _answer(status, rid, accepted=accepted,
                       rejected=[{"line": int(r.location.rsplit(":", 1)[1]), "reason": r.reason} for r in rejected])

    def _refuse(self, rid: str) -> web.Response:
        log.warning("source %s: request %s refused: bad or missing signature or token", self.name, rid)
        return _answer(401, rid, error=f"bad or missing signature: send {SIGNATURE_HEADER}: sha256=<hex HMAC-SHA256 "
                                       "of the body> or Authorization: Bearer <token>")

    def _parse(self, body: bytes, rid: str) -> list[Mention | Rejected]:
        """Parse each non-blank line; one over the per-line limit is set aside like any other bad line."""
        out: list[Mention | Rejected] = []
        for number, raw in enumerate(body.split(b"\n"), start=1):
            raw = raw.rstrip(b"\r")
            if not raw.strip():
                continue
            where = f"webhook:{rid}:{number}"
            if len(raw) > self.config.max_line_bytes:
                out.append(Rejected(where, f"line too long: {len(raw)} bytes (limit {self.config.max_line_bytes})",
                                    raw[:200].decode("utf-8", errors="replace")))
                continue
            out.append(parse_line(raw, where, self.config.default_source))
        return out

    async def check(self) -> str:
        """The configured address must be free to listen on."""
        try:
            infos = socket.getaddrinfo(self.config.host, self.config.port, type=socket.SOCK_STREAM)
            with socket.socket(infos[0][0], socket.SOCK_STREAM) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                probe.bind(infos[0][4])
        except OSError as exc:
            raise SourceError(f"webhook {self.name}: cannot listen on {self.config.host}:{self.config.port} "
                              f"({exc.strerror or exc})") from None
        auth = "HMAC signature" if self.config.secret else "bearer token"
        return f"ok: can listen on http://{self.config.host}:{self.config.port}{self.config.path} ({auth})"


def _answer(status: int, rid: str, **body: object) -> web.Response:
    return web.json_response({"request_id": rid, **body}, status=status, headers={"X-Request-Id": rid})
