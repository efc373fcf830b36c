"""A local Bluesky PDS for posting: createSession, createRecord, getRecord, in the XRPC wire format."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from aiohttp import web

from alerts.textlength import graphemes
from tests.fake_api_common import Script

DID = "did:plc:acme1234567890abcdefghij"
TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")


def xrpc_error(status: int, error: str, message: str) -> web.Response:
    """XRPC's error body."""
    return web.json_response({"error": error, "message": message}, status=status)


class FakeBskyPds:
    """Records by rkey; a second createRecord with a taken rkey is refused as the real PDS does."""

    def __init__(self, identifier: str = "acme.bsky.social", password: str = "app-pass-1234") -> None:
        self.identifier, self.password = identifier, password
        self.records: dict[str, dict[str, Any]] = {}
        self.order: list[str] = []
        self.sessions = 0
        self.valid_jwts: set[str] = set()
        self.script = Script()

    async def create_session(self, request: web.Request) -> web.Response:
        """com.atproto.server.createSession."""
        body = await request.json()
        if body.get("identifier") != self.identifier or body.get("password") != self.password:
            return xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password")
        self.sessions += 1
        jwt = f"eyJ.access.{self.sessions}.{'x' * 40}"
        self.valid_jwts.add(jwt)
        return web.json_response({"did": DID, "handle": self.identifier, "accessJwt": jwt,
                                  "refreshJwt": f"eyJ.refresh.{self.sessions}", "active": True})

    def _auth(self, request: web.Request) -> web.Response | None:
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            return xrpc_error(401, "AuthenticationRequired", "Authentication Required")
        if auth[7:] not in self.valid_jwts:
            return xrpc_error(400, "ExpiredToken", "Token has expired")
        return None

    def expire_sessions(self) -> None:
        """Make every issued access token expire."""
        self.valid_jwts.clear()

    async def create_record(self, request: web.Request) -> web.Response:
        """com.atproto.repo.createRecord."""
        refused = self._auth(request)
        if refused is not None:
            return refused
        failure = self.script.failure()
        if failure is not None:
            return failure
        body = await request.json()
        rkey, record = body.get("rkey", ""), body.get("record", {})
        if body.get("repo") != DID or body.get("collection") != "app.bsky.feed.post":
            return xrpc_error(400, "InvalidRequest", "Invalid repo or collection")
        if not TID.match(rkey):
            return xrpc_error(400, "InvalidRequest", f"Invalid record key: {rkey}")
        if len(graphemes(record.get("text", ""))) > 300:
            return xrpc_error(400, "InvalidRequest",
                              "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes")
        if not await self.script.before():
            return xrpc_error(503, "InternalServerError", "dropped")
        uri = f"at://{DID}/app.bsky.feed.post/{rkey}"
        if rkey in self.records:
            return xrpc_error(400, "InvalidRequest", f"Record already exists at {uri}")
        cid = "bafyrei" + hashlib.sha256(repr(record).encode()).hexdigest()[:40]
        self.records[rkey] = {"uri": uri, "cid": cid, "value": record}
        self.order.append(rkey)
        await self.script.after()
        return web.json_response({"uri": uri, "cid": cid, "commit": {"cid": "bafyreicommit", "rev": "3k"},
                                  "validationStatus": "valid"})

    async def get_record(self, request: web.Request) -> web.Response:
        """com.atproto.repo.getRecord."""
        rkey = request.query.get("rkey", "")
        if rkey not in self.records or request.query.get("repo") != DID:
            return xrpc_error(400, "RecordNotFound", f"Could not locate record: at://{DID}/app.bsky.feed.post/{rkey}")
        return web.json_response(self.records[rkey])

    def posts(self) -> list[dict[str, Any]]:
        """Records in the order they were created."""
        return [self.records[k]["value"] for k in self.order]

    def app(self) -> web.Application:
        """The aiohttp application."""
        app = web.Application()
        app.router.add_post("/xrpc/com.atproto.server.createSession", self.create_session)
        app.router.add_post("/xrpc/com.atproto.repo.createRecord", self.create_record)
        app.router.add_get("/xrpc/com.atproto.repo.getRecord", self.get_record)
        return app
