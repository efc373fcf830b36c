"""Readers for the shared training and evaluation data (../shared/data): sentiment, airline complaints, outages."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

SENTIMENT_NAMES = ("negative", "neutral", "positive")
XLMT_VAL_ORDER = ("ar", "en", "fr", "de", "hi", "it", "pt", "es")
"""XLM-T's `all` val split holds one block of equal size per language, in this order."""
XLMT_DIRS = {"en": "english", "it": "italian"}
AIRLINE_FILE = "complaints/us_airline_tweets_2015-02-16_to_21.csv"
OUTAGE_FILES = ("january-end_before_tweets.csv", "january-mid_during_tweets.csv", "january-early_after_tweets.csv")
HELD_OUT_DAYS = ("2015-02-20", "2015-02-21")
"""Airline tweets of these days are never trained on: they measure complaint detection."""
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


class DataMissingError(FileNotFoundError):
    """A shared data file is absent (the shared folder only exists on development machines)."""


@dataclass(slots=True)
class Labeled:
    """Texts with integer labels, and the language of each text when known ("" otherwise)."""

    texts: list[str]
    labels: list[int]
    langs: list[str]

    def __len__(self) -> int:
        return len(self.texts)


def _need(path: Path) -> Path:
    if not path.exists():
        raise DataMissingError(f"{path} is absent: point --data at the shared data folder")
    return path


def _lines(path: Path) -> list[str]:
    lines = _need(path).read_text(encoding="utf-8").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def unescape(text: str) -> str:
    """Turn SemEval's literal \\uXXXX escapes (surrogate pairs too) into characters."""
    if "\\u" not in text:
        return text
    raw = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    return raw.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def semeval(data: Path) -> Labeled:
    """SemEval 2013-2016 task 4A English tweets (negative/neutral/positive -> 0/1/2)."""
    path = _need(data / "sentiment/semeval2013-2016/subtask_a_english.tsv")
    texts, labels = [], []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row.get("label") in SENTIMENT_NAMES and row.get("text"):
                texts.append(unescape(row["text"]))
                labels.append(SENTIMENT_NAMES.index(row["label"]))
    return Labeled(texts, labels, ["en"] * len(texts))


def _split(folder: Path, split: str) -> tuple[list[str], list[int]]:
    texts = _lines(folder / f"{split}_text.txt")
    labels = [int(x) for x in _lines(folder / f"{split}_labels.txt")]
    if len(texts) != len(labels):
        raise ValueError(f"{folder}: {len(texts)} {split} texts but {len(labels)} labels")
    return texts, labels


def tweeteval_val(data: Path) -> Labeled:
    """TweetEval sentiment val (English): only for measuring."""
    texts, labels = _split(data / "sentiment/tweeteval/sentiment", "val")
    return Labeled(texts, labels, ["en"] * len(texts))


def xlmt(data: Path, split: str) -> Labeled:
    """XLM-T multilingual sentiment, all eight languages; languages come from the per-language folders."""
    texts, labels = _split(data / "sentiment/xlmt/all", split)
    langs = [""] * len(texts)
    if split == "val" and len(texts) % len(XLMT_VAL_ORDER) == 0:
        block = len(texts) // len(XLMT_VAL_ORDER)
        langs = [XLMT_VAL_ORDER[i // block] for i in range(len(texts))]
    else:
        known: dict[str, str] = {}
        for lang, folder in XLMT_DIRS.items():
            for text in _split(data / "sentiment/xlmt" / folder, split)[0]:
                known[text] = lang
        langs = [known.get(text, "") for text in texts]
    return Labeled(texts, labels, langs)


@dataclass(slots=True)
class AirlineTweet:
    """One airline tweet: text, crowd sentiment, complaint reason and creation day."""

    text: str
    sentiment: str
    reason: str
    day: str


def airline(data: Path) -> list[AirlineTweet]:
    """The US-airline tweets; a complaint is a tweet the crowd rated negative (each has a complaint reason)."""
    rows = []
    with _need(data / AIRLINE_FILE).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            created = datetime.strptime(row["tweet_created"].strip(), "%m/%d/%Y %H:%M")
            rows.append(AirlineTweet(row["text"], row["airline_sentiment"], row.get("negativereason") or "",
                                     created.date().isoformat()))
    return rows


def airline_split(data: Path) -> tuple[list[AirlineTweet], list[AirlineTweet]]:
    """(train, held out): the last days are held out for evaluation."""
    rows = airline(data)
    return [r for r in rows if r.day not in HELD_OUT_DAYS], [r for r in rows if r.day in HELD_OUT_DAYS]


@dataclass(slots=True)
class OutageTweet:
    """One tweet of the power-outage collection: id, text and storm window (before, during, after)."""

    id: str
    text: str
    stage: str


def outage_tweets(data: Path) -> list[OutageTweet]:
    """Every tweet of the three windows, duplicates (same id) dropped."""
    rows: dict[str, OutageTweet] = {}
    for name in OUTAGE_FILES:
        with _need(data / "outage_tweets" / name).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                rows.setdefault(row["Id"], OutageTweet(row["Id"], row["Text"], row["Stage"]))
    return list(rows.values())
