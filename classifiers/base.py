"""What every classifier returns, and the interface the pipeline calls."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

LABELS = ("complaint", "praise", "outage", "question", "other")
SENTIMENTS = ("negative", "neutral", "positive")


@dataclass(slots=True)
class Classification:
    """The verdict on one text: label, sentiment, language, topic and the scores behind them."""

    label: str
    sentiment: str
    lang: str
    topic: str | None = None
    scores: dict[str, float] = field(default_factory=dict)
    sentiment_scores: dict[str, float] = field(default_factory=dict)
    model: str = "rules"
    recovery: bool = False  # says the service works again after a problem ("back up now", "adesso va")

    def to_json(self) -> dict[str, object]:
        """Return the JSON object the `classify` command prints."""
        return {
            "label": self.label,
            "sentiment": self.sentiment,
            "lang": self.lang,
            "topic": self.topic,
            "scores": {k: round(v, 4) for k, v in self.scores.items()},
            "sentiment_scores": {k: round(v, 4) for k, v in self.sentiment_scores.items()},
            "model": self.model,
            "recovery": self.recovery,
        }


class Classifier(Protocol):
    """Classifies texts in batches; `lang_hints` carries a source's own language tag when it has one."""

    name: str

    def classify_batch(self, texts: list[str], lang_hints: list[str | None] | None = None
                       ) -> list[Classification]: ...
