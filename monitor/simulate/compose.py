"""Composing one mention: who writes it, where, in which form (original, repost, reply, near-duplicate), and what."""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from monitor.simulate.brands import BrandSpec
from monitor.simulate.events import TruthEvent
from monitor.simulate.ids import base36, post_id
from monitor.simulate.people import People, Person
from monitor.simulate.text import TextWriter

SENTIMENT = {"complaint": "negative", "outage": "negative", "praise": "positive", "question": "neutral",
             "other": "neutral"}
REPLY_TO = {"outage": "outage", "complaint": "complaint", "other": "question", "praise": "praise"}
LANG_TAGGED = {"x": 1.0, "bluesky": 0.9, "mastodon": 0.75, "reddit": 0.0}
RECENT = 300
# Chance that a complaint or outage report comes from someone who already complained (picked by how often).
REPEAT_COMPLAINER = {"complaint": 0.22, "outage": 0.1}


@dataclass(slots=True)
class Post:
    """What later reposts, replies and near-duplicates need to know about an original."""

    id: str
    source: str
    handle: str
    text: str
    lang: str
    weight: float
    event: int | None
    topic: str | None
    thread: tuple[str, str] | None


@dataclass
class BrandState:
    """The people and recent posts of one brand as the stream unfolds."""

    brand: BrandSpec
    people: People
    fans: list[Person]
    seen: list[Person] = field(default_factory=list)
    complainers: list[Person] = field(default_factory=list)
    recent: dict[str, deque[Post]] = field(default_factory=dict)
    pending: list[tuple[str, Post]] = field(default_factory=list)

    def flush(self) -> None:
        """Make this minute's originals visible to the next minutes (never to posts earlier in time)."""
        for intent, post in self.pending:
            self.recent.setdefault(intent, deque(maxlen=RECENT)).append(post)
        self.pending.clear()


def new_state(brand: BrandSpec, rng: random.Random) -> BrandState:
    """A brand's people, with its few loyal fans (bigger audiences, praise often, never complain)."""
    people = People(rng, brand.sources)
    langs = list(brand.langs)
    fans = [people.new(rng.choices(langs, weights=list(brand.langs.values()))[0], kind="fan")
            for _ in range(brand.fans)]
    return BrandState(brand, people, fans)


class Composer:
    """Turns (brand, intent, event, time) into a JSON-ready mention; ids are unique across the whole stream."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.writer = TextWriter(rng)
        self.seq = 0

    def mention(self, state: BrandState, intent: str, event: TruthEvent | None, index: int | None,
                ms: int) -> dict[str, Any]:
        """Compose one mention of `intent` at epoch milliseconds `ms`."""
        rng = self.rng
        self.seq += 1
        campaign = event is not None and event.kind == "campaign"
        outage = event is not None and event.kind == "outage"
        p_repost = 0.2 if campaign else 0.12 if outage and intent == "outage" else 0.06
        p_reply = 0.15 if outage and intent == "outage" else 0.07
        roll = rng.random()
        parent: Post | None = None
        form = "original"
        if roll < p_repost:
            parent = self._pick(state, intent, index, reposts=True)
            form = "repost" if parent else form
        elif roll < p_repost + p_reply and intent in REPLY_TO and not (outage and intent == "other"):
            parent = self._pick(state, REPLY_TO[intent], None)
            form = "reply" if parent else form
        elif roll < p_repost + p_reply + 0.04:
            parent = self._pick(state, intent, index)
            form = "near_duplicate" if parent else form
        person = self._person(state, intent, campaign)
        source = parent.source if parent and form != "near_duplicate" else self._source(state, person, intent)
        account = state.people.account(person, source)
        thread = parent.thread if parent and form == "reply" else None
        if source == "reddit" and thread is None:
            thread = (rng.choice(state.brand.subreddits), base36(rng.randrange(36**5, 36**6)))
        mid, url = post_id(account, ms, self.seq, thread[1] if thread else None, thread[0] if thread else "r/all")
        lang, topic, reply_to = person.lang, None, None
        if form == "repost" and parent:
            text = f"RT @{parent.handle}: {parent.text}" if source == "x" else parent.text
            lang, topic = parent.lang, parent.topic
        elif form == "near_duplicate" and parent:
            text, lang, topic = self.writer.nudge(parent.text), parent.lang, parent.topic
        else:
            kind = self._kind(intent, event)
            if form == "reply" and parent:
                kind, reply_to = f"reply_{REPLY_TO[intent]}", parent.id
            text, topic = self._write(state.brand, lang, kind, intent, event, source)
            if form == "reply" and parent and source != "reddit":
                text = f"@{parent.handle} {text}"
            if form == "original":
                state.pending.append((intent, Post(mid, source, account.handle, text, lang,
                                                   (account.followers or 50) ** 0.5, index, topic, thread)))
        if source == "x" and len(text) > 280:
            text = text[:279] + "…"
        sim: dict[str, Any] = {"intent": intent, "form": form, "topic": topic,
                               "sentiment": "positive" if outage and intent == "other" else SENTIMENT[intent]}
        if index is not None:
            sim["event"] = index
        out: dict[str, Any] = {
            "id": mid, "source": source,
            "created_at": datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds"),
            "text": text, "author": account.to_json(), "url": url, "brand": state.brand.name,
        }
        if rng.random() < LANG_TAGGED[source]:
            out["lang"] = lang
        if reply_to:
            out["in_reply_to"] = reply_to
        if form == "repost":
            out["is_repost"] = True
        out["sim"] = sim
        return out

    def _pick(self, state: BrandState, intent: str, index: int | None, reposts: bool = False) -> Post | None:
        posts = state.recent.get(intent)
        if not posts:
            return None
        pool = [p for p in posts if (not reposts or p.source != "reddit")]
        if index is not None:
            pool = [p for p in pool if p.event == index] or pool
        if not pool:
            return None
        return self.rng.choices(pool, weights=[p.weight for p in pool])[0] if reposts else self.rng.choice(pool)

    def _person(self, state: BrandState, intent: str, campaign: bool) -> Person:
        rng = self.rng
        roll = rng.random()
        if intent == "praise" and roll < (0.06 if campaign else 0.035):
            return rng.choice(state.fans)
        repeat = REPEAT_COMPLAINER.get(intent, 0.0)
        if state.complainers and roll < repeat:
            person = rng.choice(state.complainers)
        elif state.seen and roll < (0.03 if intent in ("complaint", "outage") else 0.12):
            person = rng.choice(state.seen)
        else:
            langs = state.brand.langs
            person = state.people.new(rng.choices(list(langs), weights=list(langs.values()))[0])
        state.seen.append(person)
        if intent in ("complaint", "outage"):
            state.complainers.append(person)
        return person

    def _source(self, state: BrandState, person: Person, intent: str) -> str:
        # Someone ignored on one network tries another: repeat complainers sometimes switch.
        if intent == "complaint" and len(person.accounts) and self.rng.random() < 0.3:
            sources = state.brand.sources
            return self.rng.choices(list(sources), weights=list(sources.values()))[0]
        return person.home

    @staticmethod
    def _kind(intent: str, event: TruthEvent | None) -> str:
        if event is not None and event.kind == "campaign" and intent in ("praise", "other", "question"):
            return f"promo_{intent}"
        if event is not None and event.kind == "outage" and intent == "other":
            return "recovery"
        return intent

    def _write(self, brand: BrandSpec, lang: str, kind: str, intent: str, event: TruthEvent | None,
               source: str) -> tuple[str, str | None]:
        rng = self.rng
        topic, bias = None, 0.7
        if event is not None and event.kind == "outage" and intent in ("outage", "complaint"):
            topic, bias = event.topic, (0.8 if intent == "outage" else 0.6)
        elif event is not None and event.kind == "surge" and intent == "complaint":
            topic, bias = event.topic, 0.9
        elif intent == "outage":
            topic = rng.choice(brand.outage_topics)
        elif intent == "complaint":
            topics = brand.complaint_topics
            topic, bias = rng.choices(list(topics), weights=list(topics.values()))[0], 1.0
        text, used = self.writer.render(brand, lang, kind, topic, source, bias)
        return self.writer.vary(text, intent, lang, brand), used
