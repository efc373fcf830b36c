"""The evidence kept for incidents: recent sample mentions per signal, top phrases, topics, languages."""

from __future__ import annotations

import itertools
import re
from collections import Counter, deque
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from classifiers.base import Classification
from monitor.mention import Mention

WORD = re.compile(r"[#\w']+", re.UNICODE)
STOPWORDS = frozenset((
    "a an the and or but is are was were be been to of in on at for with my me i you it this that is's "
    "it's im i'm do does did not no so just again still all any your our we they he she rt via amp il lo "
    "la i gli le un una di da in con su per tra fra e è ed o ma non mi ti si ci vi che chi del della dei "
    "delle al alla ai alle nel nella sono ho ha hanno anche ancora più come "
).split())


@dataclass(slots=True)
class Sample:
    """One mention kept as evidence."""

    at: datetime
    handle: str
    text: str
    topic: str | None
    lang: str
    url: str | None


class EvidenceBuffer:
    """Keep the latest mentions of each (brand, signal) so an incident can show what people say."""

    def __init__(self, size: int = 300) -> None:
        self.size = size
        self._buffers: dict[tuple[str, str], deque[Sample]] = {}

    def record(self, brand: str, signals: tuple[str, ...], mention: Mention, cls: Classification) -> None:
        """Remember a mention under each of its signals."""
        self.remember(brand, signals, Sample(mention.created_at, mention.author.handle, mention.text[:500],
                                             cls.topic, cls.lang, mention.url))

    def remember(self, brand: str, signals: tuple[str, ...], sample: Sample) -> None:
        """Keep one sample under each of its signals (also used to refill the buffer after a restart)."""
        for signal in signals:
            buffer = self._buffers.get((brand, signal))
            if buffer is None:
                buffer = self._buffers[(brand, signal)] = deque(maxlen=self.size)
            buffer.append(sample)

    def snapshot(self, brand: str, signal: str, since: datetime | None = None, samples: int = 5
                 ) -> dict[str, Any]:
        """Summarise what was said: distinct sample texts, top phrases, topics and languages."""
        items = [s for s in self._buffers.get((brand, signal), ()) if since is None or s.at >= since]
        seen: set[str] = set()
        picked: list[dict[str, Any]] = []
        for s in reversed(items):
            key = s.text.lower().removeprefix("rt ")[:80]
            if key in seen or s.text.startswith("RT @"):
                continue
            seen.add(key)
            picked.append({"at": s.at.isoformat(), "handle": s.handle, "text": s.text, "url": s.url})
            if len(picked) >= samples:
                break
        return {
            "mentions": len(items),
            "samples": picked,
            "top_phrases": top_phrases([s.text for s in items]),
            "topics": dict(Counter(s.topic for s in items if s.topic).most_common(5)),
            "langs": dict(Counter(s.lang for s in items).most_common(5)),
        }

    def main_topic(self, brand: str, signal: str, since: datetime | None = None) -> str | None:
        """The topic most of the recent mentions share, when one stands out (>= 40%)."""
        items = [s for s in self._buffers.get((brand, signal), ()) if since is None or s.at >= since]
        topics = Counter(s.topic for s in items if s.topic)
        if not topics:
            return None
        topic, count = topics.most_common(1)[0]
        return topic if count >= 0.4 * len(items) else None


def top_phrases(texts: list[str], limit: int = 5) -> list[str]:
    """The most repeated two-word phrases (or words), ignoring handles, links and stopwords."""
    pairs: Counter[str] = Counter()
    words: Counter[str] = Counter()
    for text in texts:
        tokens = [t for t in WORD.findall(re.sub(r"https?://\S+|@\w+", " ", text.lower()))
                  if t not in STOPWORDS and len(t) > 1]
        words.update(set(tokens))
        pairs.update({f"{a} {b}" for a, b in itertools.pairwise(tokens)})
    ranked = [p for p, n in pairs.most_common(limit) if n > 1]
    return ranked or [w for w, n in words.most_common(limit) if n > 1]
