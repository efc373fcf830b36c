"""The three training sets (sentiment, intent, outage), built reproducibly from the shared data and our examples."""

from __future__ import annotations

import random
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from classifiers import datasets
from classifiers.train_examples import intent_examples, outage_examples
from classifiers.train_outage import weak_set

INTENT_OF_AIRLINE = {"negative": "complaint", "positive": "praise", "neutral": "other"}
OUTAGE_NEGATIVES_SEMEVAL = 3000
OUTAGE_NEGATIVES_AIRLINE = 1500


@dataclass(slots=True)
class TrainSet:
    """Texts and integer labels for one head, and where they came from (for the model card)."""

    texts: list[str]
    labels: list[int]
    sources: dict[str, int]


def held_out(key: str) -> bool:
    """The calibration hold-out (one text in ten, by a hash of its normalised form): never seen in fine-tuning."""
    return zlib.crc32(key.encode("utf-8", "replace")) % 10 == 0


def contamination_key(text: str) -> str:
    """Lowercase words without links, handles or punctuation: a tweet and its copies with other links share it."""
    text = re.sub(r"(?:https?://|www\.)\S+|@\w+", " ", text.lower())
    return re.sub(r"\W+", " ", text).strip()


def _val_keys(data: Path) -> set[str]:
    """Keys of every measuring text (TweetEval val, XLM-T val), to keep their copies out of training."""
    texts = datasets.tweeteval_val(data).texts + datasets.xlmt(data, "val").texts
    keys = {contamination_key(t) for t in texts}
    return keys | {k[:60] for k in keys if len(k) >= 60}


def _clean(texts: list[str], labels: list[int], banned: set[str]) -> tuple[list[str], list[int], int]:
    kept_t, kept_l, dropped = [], [], 0
    for text, label in zip(texts, labels, strict=True):
        key = contamination_key(text)
        if key in banned or (len(key) >= 60 and key[:60] in banned):
            dropped += 1
            continue
        kept_t.append(text)
        kept_l.append(label)
    return kept_t, kept_l, dropped


def sentiment_set(data: Path) -> TrainSet:
    """SemEval 2013-2016 + XLM-T train (all languages), minus copies of any val text."""
    banned = _val_keys(data)
    semeval, xlmt = datasets.semeval(data), datasets.xlmt(data, "train")
    s_texts, s_labels, s_drop = _clean(semeval.texts, semeval.labels, banned)
    x_texts, x_labels, x_drop = _clean(xlmt.texts, xlmt.labels, banned)
    return TrainSet(s_texts + x_texts, s_labels + x_labels,
                    {"semeval": len(s_texts), "xlmt_train": len(x_texts), "dropped_as_val_copies": s_drop + x_drop})


def intent_set(data: Path, classes: tuple[str, ...]) -> TrainSet:
    """Airline tweets of the training days (negative -> complaint, positive -> praise, neutral -> other) + ours."""
    train, _ = datasets.airline_split(data)
    texts = [r.text for r in train]
    labels = [classes.index(INTENT_OF_AIRLINE[r.sentiment]) for r in train]
    ours, our_labels = intent_examples()
    return TrainSet(texts + ours, labels + [classes.index(x) for x in our_labels],
                    {"airline_train_days": len(texts), "own_examples": len(ours)})


def outage_set(data: Path, seed: int) -> TrainSet:
    """Weakly labeled power-outage tweets + our service-outage examples + sampled non-outage tweets as negatives."""
    weak_texts, weak_labels = weak_set(data)
    ours, our_labels = outage_examples()
    rng = random.Random(seed)
    semeval = datasets.semeval(data).texts
    negatives = rng.sample(semeval, min(OUTAGE_NEGATIVES_SEMEVAL, len(semeval)))
    airline_train, _ = datasets.airline_split(data)
    airline = [r.text for r in airline_train]
    negatives += rng.sample(airline, min(OUTAGE_NEGATIVES_AIRLINE, len(airline)))
    return TrainSet(weak_texts + ours + negatives, weak_labels + our_labels + [0] * len(negatives),
                    {"weak_power_outage_tweets": len(weak_texts), "weak_positives": sum(weak_labels),
                     "own_examples": len(ours), "sampled_negatives": len(negatives)})
