"""X: posts through tweepy's AsyncClient `create_tweet`, threads as chained replies, lookups after a crash."""

from __future__ import annotations

import html
import re
from typing import Any, ClassVar

import aiohttp
from pydantic import SecretStr, model_validator
from yarl import URL

from alerts.publishers.base import (
    HttpPublisher,
    PostInfo,
    Progress,
    PublisherConfig,
    PublishError,
    RateLimited,
    reset_from_headers,
    secret,
)
from monitor.clock import Clock

TWITTER = "https://api.twitter.com"
LINK = re.compile(r"https?://\S+")


class XConfig(PublisherConfig):
    """OAuth 1.0a user-context keys, or an OAuth 2.0 user access token; `api_base` only for tests and proxies."""

    api_base: str = TWITTER
    consumer_key: SecretStr | None = None
    consumer_secret: SecretStr | None = None
    access_token: SecretStr | None = None
    access_token_secret: SecretStr | None = None
    user_token: SecretStr | None = None
    lookup_count: int = 20

    @model_validator(mode="after")
    def _credentials(self) -> XConfig:
        oauth1 = [self.consumer_key, self.consumer_secret, self.access_token, self.access_token_secret]
        if self.user_token is None and not all(oauth1):
            raise ValueError("set user_token (OAuth 2.0 user context) or all four of consumer_key, "
                             "consumer_secret, access_token and access_token_secret (OAuth 1.0a)")
        return self


class _RebasedSession:
    """Hands tweepy's requests to an aiohttp session with api.twitter.com replaced by another base URL.

    tweepy signs OAuth 1.0a requests for api.twitter.com; the signature covers the URL, so a request sent
    elsewhere is signed again for the URL it really goes to, or the server there would refuse it.
    """

    def __init__(self, session: aiohttp.ClientSession, base: str, signer: Any = None) -> None:
        self.session, self.base, self.signer = session, base.rstrip("/"), signer

    def request(self, method: str, url: Any, **kwargs: Any) -> Any:
        """Rewrite the URL, keep its query encoding, sign it again when it carries OAuth 1.0a, and send."""
        text = str(url)
        if text.startswith(TWITTER) and self.base != TWITTER:
            text = self.base + text[len(TWITTER):]
            url = URL(text, encoded=True)
            headers = dict(kwargs.get("headers") or {})
            if self.signer is not None and str(headers.get("Authorization", "")).startswith("OAuth "):
                del headers["Authorization"]
                _uri, signed, _body = self.signer.sign(text, method, headers=headers)
                kwargs["headers"] = signed
        return self.session.request(method, url, **kwargs)


def _oauth1_signer(config: XConfig) -> Any:
    """An oauthlib client for the four OAuth 1.0a user-context keys, or None with an OAuth 2.0 token."""
    if config.user_token is not None:
        return None
    from oauthlib.oauth1 import Client

    return Client(secret(config.consumer_key), client_secret=secret(config.consumer_secret),
                  resource_owner_key=secret(config.access_token),
                  resource_owner_secret=secret(config.access_token_secret))


def _client_class() -> type[Any]:
    try:
        from tweepy.asynchronous import AsyncClient
    except Exception as exc:  # tweepy raises its own error when async_lru or aiohttp is missing
        raise PublishError(f"x: tweepy's async client is unavailable ({exc}); install tweepy[async]") from None

    class XClient(AsyncClient):  # type: ignore[misc]
        """tweepy's AsyncClient talking to `api_base` instead of the api.twitter.com it hard-codes."""

        def __init__(self, api_base: str, session: aiohttp.ClientSession, signer: Any = None, **kwargs: Any
                     ) -> None:
            super().__init__(**kwargs)
            self.session = _RebasedSession(session, api_base, signer)

    return XClient


def same_text(posted: str, ours: str) -> bool:
    """Whether X's copy of a post is ours: X escapes entities and rewrites links, so compare without them."""
    def norm(text: str) -> str:
        return " ".join(LINK.sub("<link>", html.unescape(text)).split())
    return norm(posted) == norm(ours)


class XPublisher(HttpPublisher):
    """Posts to X; a thread is a chain of replies (`in_reply_to_tweet_id`)."""

    type_name: ClassVar[str] = "x"
    Config: ClassVar[type[PublisherConfig]] = XConfig
    default_base: ClassVar[str] = TWITTER

    def __init__(self, name: str, config: PublisherConfig, clock: Clock | None = None) -> None:
        super().__init__(name, config, clock)
        self.cfg: XConfig = config  # type: ignore[assignment]
        self.user_auth = self.cfg.user_token is None
        self._client: Any = None
        self._me: tuple[str, str] | None = None

    def secrets(self) -> list[str]:
        """Every configured key and token."""
        c = self.cfg
        return [secret(v) for v in (c.consumer_key, c.consumer_secret, c.access_token, c.access_token_secret,
                                    c.user_token)]

    def client(self) -> Any:
        """The tweepy client, built once."""
        if self._client is None:
            c = self.cfg
            self._client = _client_class()(
                self.base, self.session(), _oauth1_signer(c), bearer_token=secret(c.user_token) or None,
                consumer_key=secret(c.consumer_key) or None, consumer_secret=secret(c.consumer_secret) or None,
                access_token=secret(c.access_token) or None,
                access_token_secret=secret(c.access_token_secret) or None)
        return self._client

    async def _call(self, what: str, coro: Any) -> Any:
        """Await a tweepy call, turning its exceptions into PublishError with X's own reason."""
        from tweepy.errors import Forbidden, HTTPException, TooManyRequests, TwitterServerError

        try:
            return await coro
        except HTTPException as exc:
            status = getattr(exc.response, "status", 0)
            words = "; ".join(str(m) for m in exc.api_messages) or str(getattr(exc.response, "reason", ""))
            reason = self.redact(f"{self.name}: {what}: HTTP {status}: {words}")
            if isinstance(exc, TooManyRequests):
                raise RateLimited(reason, reset_from_headers(exc.response.headers, self.clock.now())) from None
            if isinstance(exc, Forbidden) and "duplicate" in words.lower():
                raise PublishError(reason, retry=False) from DuplicateContent(words)
            raise PublishError(reason, retry=isinstance(exc, TwitterServerError)) from None
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise PublishError(self.redact(f"{self.name}: {what}: cannot reach {self.base} "
                                           f"({type(exc).__name__}: {exc})"), retry=True) from None

    async def me(self) -> tuple[str, str]:
        """The posting account's (id, username)."""
        if self._me is None:
            response = await self._call("who am I", self.client().get_me(user_auth=self.user_auth))
            self._me = (str(response.data.id), str(response.data.username))
        return self._me

    async def check(self) -> str:
        """Verify the credentials; say which account posts."""
        _id, username = await self.me()
        return f"ok: posting as @{username}"

    async def send(self, index: int, text: str, parent: str | None, key: str, info: PostInfo,
                   progress: Progress) -> tuple[str, str | None]:
        """Create one tweet, as a reply to the previous part when threaded."""
        try:
            response = await self._call("create_tweet", self.client().create_tweet(
                text=text, in_reply_to_tweet_id=parent, user_auth=self.user_auth))
        except PublishError as exc:
            if isinstance(exc.__cause__, DuplicateContent):  # X kept the first copy: find it rather than fail
                found = await self.recover(index, text, parent, key, info, progress)
                if found:
                    return found, f"https://x.com/i/web/status/{found}"
            raise
        tweet_id = str(response.data["id"])
        return tweet_id, f"https://x.com/i/web/status/{tweet_id}"

    async def recover(self, index: int, text: str, parent: str | None, key: str, info: PostInfo,
                      progress: Progress) -> str | None:
        """Look through the account's recent tweets for this part (same text, replying to the same parent)."""
        user_id, _name = await self.me()
        response = await self._call("recent tweets", self.client().get_users_tweets(
            user_id, max_results=max(5, min(100, self.cfg.lookup_count)),
            tweet_fields=["referenced_tweets", "created_at"], user_auth=self.user_auth))
        for tweet in response.data or []:
            if not same_text(tweet.text, text):
                continue
            replied = [str(r.id) for r in (tweet.referenced_tweets or []) if r.type == "replied_to"]
            if (parent is None and not replied) or (parent is not None and parent in replied):
                return str(tweet.id)
        return None


class DuplicateContent(Exception):
    """X refused a tweet as a duplicate of one the account already posted."""
