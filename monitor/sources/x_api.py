"""The X API v2 wire format: tweepy's AsyncClient on a configurable host, the search query, tweet parsing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import aiohttp
import tweepy
from tweepy.asynchronous import AsyncClient

from monitor.mention import Mention, MentionError, Rejected, parse_mention
from monitor.settings import BrandSettings

Kind = Literal["search", "mentions", "replies"]
TWEET_FIELDS = ["author_id", "created_at", "lang", "referenced_tweets", "conversation_id", "note_tweet"]
USER_FIELDS = ["username", "name", "public_metrics"]
EXPANSIONS = ["author_id"]
MAX_QUERY_CHARS = 512


def build_query(brand: BrandSettings) -> str:
    """The recent-search query for a brand: its handles and keywords, minus exclusions, in its languages."""
    def term(word: str) -> str:
        return f'"{word}"' if any(c.isspace() for c in word) else word

    include = [f"@{h}" for h in brand.handles] + [term(k) for k in dict.fromkeys([*brand.keywords, brand.name]) if k]
    parts = ["(" + " OR ".join(include) + ")" if len(include) > 1 else include[0]]
    parts += [f"-{term(x)}" for x in brand.exclude if x.strip()]
    parts += [f"-from:{h}" for h in brand.handles]
    if brand.languages:
        langs = [f"lang:{x}" for x in brand.languages]
        parts.append("(" + " OR ".join(langs) + ")" if len(langs) > 1 else langs[0])
    return " ".join(parts)


class XClient(AsyncClient):
    """tweepy's AsyncClient on one session against a configurable host; never logs the token."""

    def __init__(self, bearer_token: str, api_base: str, session: aiohttp.ClientSession) -> None:
        super().__init__(bearer_token=bearer_token, return_type=dict)
        self.api_base = api_base
        self.session = session
        self.limits: dict[str, str] = {}

    async def request(self, method: str, route: str, params: Any = None, json: Any = None,  # type: ignore[override]
                      user_auth: bool = False) -> aiohttp.ClientResponse:
        """Send one request (app-only auth) and raise tweepy's error types on failure."""
        headers = {"User-Agent": self.user_agent, "Authorization": f"Bearer {self.bearer_token}"}
        async with self.session.request(method, self.api_base + route, params=params, json=json,
                                        headers=headers) as response:
            body = await response.read()
        self.limits = {k.lower(): v for k, v in response.headers.items() if k.lower().startswith("x-rate-limit")}
        if 200 <= response.status < 300:
            return response
        payload = _error_json(body)
        errors: dict[int, type[tweepy.HTTPException]] = {
            400: tweepy.BadRequest, 401: tweepy.Unauthorized, 403: tweepy.Forbidden, 404: tweepy.NotFound}
        if response.status == 429:
            reset = self.limits.get("x-rate-limit-reset", "")
            raise tweepy.TooManyRequests(response, response_json=payload,
                                         reset_time=int(reset) if reset.isdigit() else None)
        if response.status >= 500:
            raise tweepy.TwitterServerError(response, response_json=payload)
        raise errors.get(response.status, tweepy.HTTPException)(response, response_json=payload)


def _error_json(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body)
    except ValueError:
        payload = None
    if isinstance(payload, dict):
        return payload
    return {"errors": [{"message": body[:200].decode("utf-8", errors="replace")}]} if body.strip() else {}


def tweet_to_mention(tweet: Any, users: dict[str, dict[str, Any]], brand: str, kind: Kind,
                     own_ids: frozenset[str] = frozenset()) -> Mention:
    """Normalise one v2 tweet object (with its author from includes.users) into a Mention."""
    if not isinstance(tweet, dict):
        raise MentionError(f"expected a tweet object, got {type(tweet).__name__}")
    author_id = tweet.get("author_id")
    user = users.get(str(author_id))
    if user is None:
        raise MentionError(f"author {author_id!r} is not in includes.users")
    metrics = user.get("public_metrics")
    followers = metrics.get("followers_count") if isinstance(metrics, dict) else None
    refs: dict[str, Any] = {}
    for ref in tweet.get("referenced_tweets") or []:
        if isinstance(ref, dict) and isinstance(ref.get("type"), str):
            refs[ref["type"]] = ref.get("id")
    note = tweet.get("note_tweet")
    text = note.get("text") if isinstance(note, dict) and isinstance(note.get("text"), str) else tweet.get("text")
    extra: dict[str, Any] = {"x_feed": kind}
    if tweet.get("conversation_id"):
        extra["conversation_id"] = tweet["conversation_id"]
    if "quoted" in refs:
        extra.update(is_quote=True, quote_of=refs["quoted"])
    if str(author_id) in own_ids:
        extra["brand_reply" if "replied_to" in refs else "brand_post"] = True
    obj: dict[str, Any] = {
        "id": tweet.get("id"), "source": "x", "created_at": tweet.get("created_at"), "text": text,
        "author": {"id": user.get("id"), "handle": user.get("username"), "name": user.get("name"),
                   "followers": followers},
        "lang": None if tweet.get("lang") in ("und", "zxx", "qme", "qht") else tweet.get("lang"),
        "in_reply_to": refs.get("replied_to"), "is_repost": "retweeted" in refs, "brand": brand, **extra}
    mention = parse_mention(obj)
    mention.url = f"https://x.com/{mention.author.handle}/status/{mention.id}"
    return mention


def parse_page(payload: Any, brand: str, kind: Kind, where: str,
               own_ids: frozenset[str] = frozenset()) -> tuple[list[Mention | Rejected], dict[str, Any]]:
    """Split one response page into mentions and set-aside items; returns them with the page's `meta`."""
    if not isinstance(payload, dict):
        return [Rejected(where, f"expected a JSON object page, got {type(payload).__name__}", str(payload)[:200])], {}
    meta = payload.get("meta") if isinstance(payload.get("meta"), dict) else {}
    data = payload.get("data", [])
    if not isinstance(data, list):
        return [Rejected(where, "field 'data' is not a list", json.dumps(data)[:200])], meta
    includes = payload.get("includes") if isinstance(payload.get("includes"), dict) else {}
    users = {str(u.get("id")): u for u in includes.get("users") or [] if isinstance(u, dict)}
    out: list[Mention | Rejected] = []
    for number, tweet in enumerate(data, start=1):
        try:
            out.append(tweet_to_mention(tweet, users, brand, kind, own_ids))
        except MentionError as exc:
            ident = tweet.get("id") if isinstance(tweet, dict) else None
            out.append(Rejected(f"{where}:{ident or f'item {number}'}", str(exc),
                                json.dumps(tweet, ensure_ascii=False)[:200]))
    return out, meta


def reset_time(epoch: int | None, now: datetime) -> datetime:
    """The reset time from an `x-rate-limit-reset` epoch; 15 minutes (one X window) when absent."""
    if epoch is None:
        return now + timedelta(minutes=15)
    return datetime.fromtimestamp(epoch, UTC)


def one_line(exc: BaseException) -> str:
    return (f"{type(exc).__name__}: {exc}".splitlines() or [""])[0][:300]


def describe_error(exc: tweepy.HTTPException, limits: dict[str, str]) -> str:
    """A short reason for a refused call, worded for `check` and the log."""
    text = " ".join(str(exc).split())
    status = getattr(exc.response, "status", None)
    if status in (401, 403):
        return f"bad credentials or access level ({text}). Hint: check X_BEARER_TOKEN and the app's API access"
    if status == 429:
        reset = limits.get("x-rate-limit-reset", "")
        if reset.isdigit():
            return f"rate limited until {datetime.fromtimestamp(int(reset), UTC):%H:%M} UTC"
        return "rate limited (no reset time given)"
    return text
