"""Post ids and links shaped like each network's own (X snowflakes, Bluesky TIDs, Mastodon ids, Reddit base36)."""

from __future__ import annotations

from monitor.simulate.people import B32, B36, Account

TWITTER_EPOCH_MS = 1288834974657


def base36(number: int) -> str:
    """Lower-case base 36, as Reddit writes ids."""
    out = ""
    while True:
        number, digit = divmod(number, 36)
        out = B36[digit] + out
        if number == 0:
            return out


def tid(micros: int, clock: int) -> str:
    """A Bluesky record key: 13 characters of base32-sortable (53 bits of microseconds, 10 of clock id)."""
    value = (micros << 10) | (clock & 0x3FF)
    return "".join(B32[(value >> (5 * i)) & 31] for i in reversed(range(13)))


def post_id(account: Account, ms: int, seq: int, thread: str | None = None, sub: str = "r/all") -> tuple[str, str]:
    """A unique post id for the account's network and the post's public URL; `seq` keeps ids unique."""
    if account.source == "x":
        snowflake = ((ms - TWITTER_EPOCH_MS) << 22) | (seq & 0x3FFFFF)
        return str(snowflake), f"https://x.com/{account.handle}/status/{snowflake}"
    if account.source == "bluesky":
        key = tid(ms * 1000 + seq % 1000, seq)
        return (f"at://{account.id}/app.bsky.feed.post/{key}",
                f"https://bsky.app/profile/{account.handle}/post/{key}")
    if account.source == "mastodon":
        status = str((ms << 16) | (seq & 0xFFFF))
        user = account.handle.split("@")[0]
        return status, f"https://{account.instance}/@{user}/{status}"
    comment = base36(60_000_000_000 + seq)
    return f"t1_{comment}", f"https://www.reddit.com/{sub}/comments/{thread or comment}/comment/{comment}/"
