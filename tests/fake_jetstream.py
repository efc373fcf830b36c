"""A local Jetstream (websocket) and searchPosts (XRPC) server speaking the real wire formats, with scripted drops."""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

DID = "did:plc:eygmaihciaxprqvxpfvl6flk"
T0_US = 1_772_460_000_000_000  # 2026-03-02T14:00:00Z in microseconds


def _frame(event: dict[str, Any]) -> str:
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False)


def post(time_us: int, rkey: str, text: str, did: str = DID, langs: list[str] | None = None,
         reply_to: str | None = None, quote: str | None = None, created_at: str | None = None) -> str:
    """A Jetstream commit event creating an app.bsky.feed.post record."""
    record: dict[str, Any] = {"$type": "app.bsky.feed.post", "createdAt": created_at or "2026-03-02T14:00:00.000Z",
                              "langs": langs or ["en"], "text": text}
    if reply_to:
        record["reply"] = {"parent": {"cid": "bafyreiparent", "uri": reply_to},
                           "root": {"cid": "bafyreiroot", "uri": reply_to}}
    if quote:
        record["embed"] = {"$type": "app.bsky.embed.record", "record": {"cid": "bafyreiquoted", "uri": quote}}
    return _frame({"did": did, "time_us": time_us, "kind": "commit",
                   "commit": {"rev": f"3l{rkey}", "operation": "create", "collection": "app.bsky.feed.post",
                              "rkey": rkey, "record": record, "cid": f"bafyrei{rkey}"}})


def repost(time_us: int, rkey: str, subject: str, did: str = DID) -> str:
    """A commit creating an app.bsky.feed.repost of `subject`."""
    record = {"$type": "app.bsky.feed.repost", "createdAt": "2026-03-02T14:00:00.000Z",
              "subject": {"cid": "bafyreisubject", "uri": subject}}
    return _frame({"did": did, "time_us": time_us, "kind": "commit",
                   "commit": {"rev": f"3l{rkey}", "operation": "create", "collection": "app.bsky.feed.repost",
                              "rkey": rkey, "record": record, "cid": f"bafyrei{rkey}"}})


def delete(time_us: int, rkey: str, did: str = DID) -> str:
    """A commit deleting a post (no record)."""
    return _frame({"did": did, "time_us": time_us, "kind": "commit",
                   "commit": {"rev": f"3l{rkey}d", "operation": "delete", "collection": "app.bsky.feed.post",
                              "rkey": rkey}})


def profile_update(time_us: int, description: str, did: str = DID) -> str:
    """A commit updating a profile: not a post, even when it names a brand."""
    record = {"$type": "app.bsky.actor.profile", "displayName": "Sam", "description": description}
    return _frame({"did": did, "time_us": time_us, "kind": "commit",
                   "commit": {"rev": "3lprof", "operation": "update", "collection": "app.bsky.actor.profile",
                              "rkey": "self", "record": record, "cid": "bafyreiprof"}})


def identity(time_us: int, handle: str, did: str = DID) -> str:
    """An identity event carrying an account's current handle."""
    return _frame({"did": did, "time_us": time_us, "kind": "identity",
                   "identity": {"did": did, "handle": handle, "seq": 1409752997, "time": "2026-03-02T14:00:00Z"}})


def uri(rkey: str, did: str = DID, collection: str = "app.bsky.feed.post") -> str:
    """The at:// URI of a record."""
    return f"at://{did}/{collection}/{rkey}"


@dataclass
class Step:
    """What one connection does: send at most `limit` frames, then 'drop' (abort), 'close' or 'hold'."""

    limit: int | None = None
    then: str = "hold"


@dataclass
class FakeJetstream:
    """Frames as (time_us, raw); a cursor replays frames at or after it; each connection follows the plan."""

    frames: list[tuple[int, str | bytes]]
    plan: list[Step] = field(default_factory=list)
    connections: list[dict[str, Any]] = field(default_factory=list)
    search_pages: dict[str, dict[str, Any]] = field(default_factory=dict)
    search_calls: list[dict[str, str]] = field(default_factory=list)
    search_limited: int = 0
    reset_epoch: int = 0
    password: str | None = None
    expire_next: int = 0
    logins: int = 0
    refreshes: int = 0
    access: set[str] = field(default_factory=set)

    def app(self) -> web.Application:
        """The aiohttp application: /subscribe (websocket) and the searchPosts XRPC method."""
        app = web.Application()
        app.router.add_get("/subscribe", self.subscribe)
        app.router.add_get("/xrpc/app.bsky.feed.searchPosts", self.search)
        app.router.add_post("/xrpc/com.atproto.server.createSession", self.create_session)
        app.router.add_post("/xrpc/com.atproto.server.refreshSession", self.refresh_session)
        return app

    async def create_session(self, request: web.Request) -> web.Response:
        """com.atproto.server.createSession with an app password."""
        body = await request.json()
        if self.password is None or body.get("password") != self.password or not body.get("identifier"):
            return web.json_response({"error": "AuthenticationRequired",
                                      "message": "Invalid identifier or password"}, status=401)
        self.logins += 1
        return self._session(f"login{self.logins}")

    async def refresh_session(self, request: web.Request) -> web.Response:
        """com.atproto.server.refreshSession with the refresh token as bearer."""
        if not request.headers.get("Authorization", "").startswith("Bearer eyJ.refresh."):
            return web.json_response({"error": "ExpiredToken", "message": "Token has expired"}, status=400)
        self.refreshes += 1
        return self._session(f"refresh{self.refreshes}")

    def _session(self, tag: str) -> web.Response:
        access = f"eyJ.access.{tag}"
        self.access.add(access)
        return web.json_response({"accessJwt": access, "refreshJwt": f"eyJ.refresh.{tag}", "handle": "acme.test",
                                  "did": "did:plc:acmemonitor", "active": True})

    async def subscribe(self, request: web.Request) -> web.StreamResponse:
        """Send the frames from the cursor on, following this connection's step of the plan."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        cursor = request.query.get("cursor")
        step = self.plan[len(self.connections)] if len(self.connections) < len(self.plan) else Step()
        info = {"cursor": int(cursor) if cursor else None,
                "collections": request.query.getall("wantedCollections", []), "sent": 0}
        self.connections.append(info)
        frames = [raw for t, raw in self.frames if cursor is None or t >= int(cursor)]
        for raw in frames[: step.limit]:
            await (ws.send_bytes(raw) if isinstance(raw, bytes) else ws.send_str(raw))
            info["sent"] += 1
        if step.then == "drop":
            assert request.transport is not None
            request.transport.close()
            return ws
        if step.then == "close":
            await ws.close()
            return ws
        async for _msg in ws:  # hold the connection open until the client goes away
            pass
        return ws

    async def search(self, request: web.Request) -> web.Response:
        """searchPosts: pages keyed by cursor ('' = first); 429 with ratelimit-reset while `search_limited`."""
        self.search_calls.append(dict(request.query))
        if self.password is not None:
            token = request.headers.get("Authorization", "").removeprefix("Bearer ")
            if self.expire_next > 0 and token in self.access:
                self.expire_next -= 1
                self.access.discard(token)
            if token not in self.access:
                return web.json_response({"error": "ExpiredToken", "message": "Token has expired"}, status=401)
        if self.search_limited > 0:
            self.search_limited -= 1
            return web.json_response({"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}, status=429,
                                     headers={"ratelimit-limit": "3000", "ratelimit-remaining": "0",
                                              "ratelimit-reset": str(self.reset_epoch)})
        page = self.search_pages.get(request.query.get("cursor", ""))
        if page is None:
            return web.json_response({"error": "InvalidRequest", "message": "bad cursor"}, status=400)
        return web.json_response(page)


def post_view(rkey: str, text: str, handle: str, did: str = DID, langs: list[str] | None = None) -> dict[str, Any]:
    """A searchPosts result (app.bsky.feed.defs#postView)."""
    return {"uri": uri(rkey, did), "cid": f"bafyrei{rkey}",
            "author": {"did": did, "handle": handle, "displayName": handle.split(".")[0].title(), "labels": []},
            "record": {"$type": "app.bsky.feed.post", "createdAt": "2026-03-02T13:00:00.000Z",
                       "langs": langs or ["en"], "text": text},
            "replyCount": 0, "repostCount": 1, "likeCount": 3, "quoteCount": 0,
            "indexedAt": "2026-03-02T13:00:01.000Z", "labels": []}


WORDS = ("the a my our this that new old good bad long short day night coffee train music game photo dog cat "
         "garden book movie city weekend rain sun morning evening friends work home code art walk run team "
         "really just so very quite love hate think see feel want need make take going trying").split()


def synthetic_stream(count: int, seed: int = 1, match_every: int = 50,
                     brand_texts: tuple[str, ...] = ("@acme is the app down?", "acme pay keeps failing",
                                                     "volta energia non funziona")) -> list[tuple[int, str]]:
    """A realistic stream: posts of 8-30 words, reposts (a few of brand posts), identities; one post in
    `match_every` names a brand."""
    rng = random.Random(seed)
    frames: list[tuple[int, str]] = []
    posts: list[str] = []
    matching: list[str] = []
    for n in range(count):
        t = T0_US + n * 700
        did = f"did:plc:{rng.getrandbits(100):025x}"
        roll = rng.random()
        if n % match_every == match_every - 1 or n == count - 1:
            text = rng.choice(brand_texts) + " " + " ".join(rng.choices(WORDS, k=rng.randint(3, 15)))
            frames.append((t, post(t, f"3m{n:09d}", text, did=did)))
            matching.append(uri(f"3m{n:09d}", did))
        elif roll < 0.15 and posts:
            target = rng.choice(matching) if matching and rng.random() < 0.05 else rng.choice(posts)
            frames.append((t, repost(t, f"3r{n:09d}", target, did=did)))
        elif roll < 0.17:
            frames.append((t, identity(t, f"user{n}.bsky.social", did=did)))
        else:
            text = " ".join(rng.choices(WORDS, k=rng.randint(8, 30))).capitalize()
            frames.append((t, post(t, f"3m{n:09d}", text, did=did, langs=[rng.choice(["en", "en", "ja", "pt"])])))
            posts.append(uri(f"3m{n:09d}", did))
    return frames


async def wait_for(predicate: Any, timeout: float = 15.0) -> None:
    """Wait (on real local I/O, not on time) until predicate() is true."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise TimeoutError("condition not reached")
        await asyncio.sleep(0.005)
