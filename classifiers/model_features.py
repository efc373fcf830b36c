"""Features the trained heads read besides the embedding: hashed character and word n-grams, the rules' evidence."""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Sequence
from itertools import pairwise

import numpy as np

from classifiers.evidence import evidence_of, gather
from classifiers.textnorm import prepare

N_FEATURES = 1 << 18
NGRAMS = (2, 3, 4, 5)
NGRAM_FEATURES = "char 2-5 within words + words + word pairs, crc32 mod 2^18, sublinear tf-idf, L2"
"""What the n-gram features are: heads trained on other ones are refused at load (they would read noise)."""
RULE_NAMES = ("positive", "negative", "outage", "complaint", "praise", "question")
WORD_CACHE = 200_000
"""Words whose n-gram buckets are remembered: word frequencies are Zipfian, so most words of a post hit."""
_WORD_GRAMS: dict[int, dict[str, tuple[int, ...]]] = {}
_HANDLE = re.compile(r"@\w+")
_DIGITS = re.compile(r"\d")


def ngram_text(key: str) -> str:
    """The text the n-grams are cut from: a cache key with handles as @user and digits as 0."""
    text = _HANDLE.sub("@user", key) if "@" in key else key
    return _DIGITS.sub("0", text)


def _bucket(gram: str, mask: int) -> int:
    """The hash bucket of one n-gram, word or word pair."""
    return zlib.crc32(gram.encode("utf-8", "replace")) & mask


def word_grams(word: str, mask: int) -> tuple[int, ...]:
    """The hash buckets of one word's character n-grams (padded with a space each side) and of the word itself."""
    padded = f" {word} "
    size = len(padded)
    chars = tuple(_bucket(padded[start:start + n], mask) for n in NGRAMS if n <= size for start in range(size - n + 1))
    return (*chars, _bucket(f"w:{word}", mask))


def hashed_ngrams(key: str, n_features: int = N_FEATURES) -> dict[int, float]:
    """Sublinear counts (1 + log tf) of a normalised text's word-bounded character n-grams, words and word pairs, by
    hash bucket."""
    counts: dict[int, int] = {}
    mask = n_features - 1
    cache = _WORD_GRAMS.setdefault(mask, {})
    words = ngram_text(key).split()
    for word in words:
        grams = cache.get(word)
        if grams is None:
            if len(cache) >= WORD_CACHE:
                cache.clear()  # crude but bounded; the common words come back within a batch
            grams = cache[word] = word_grams(word, mask)
        for bucket in grams:
            counts[bucket] = counts.get(bucket, 0) + 1
    for first, second in pairwise(words):  # word pairs: "not good", "non va"
        bucket = _bucket(f"b:{first} {second}", mask)
        counts[bucket] = counts.get(bucket, 0) + 1
    return {bucket: 1.0 + math.log(count) if count > 1 else 1.0 for bucket, count in counts.items()}


def ngram_rows(keys: Sequence[str], idf: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per text, (bucket indexes, tf-idf values scaled to unit length)."""
    rows = []
    for key in keys:
        grams = hashed_ngrams(key, len(idf))
        index = np.fromiter(grams.keys(), dtype=np.int64, count=len(grams))
        values = np.fromiter(grams.values(), dtype=np.float32, count=len(grams)) * idf[index]
        norm = float(np.linalg.norm(values))
        rows.append((index, values / norm if norm else values))
    return rows


def rule_features(texts: Sequence[object]) -> np.ndarray:
    """log1p of the rules' lexicon polarity and label evidence, one row per text (zeros when a text breaks them)."""
    out = np.zeros((len(texts), len(RULE_NAMES)), dtype=np.float32)
    for i, text in enumerate(texts):
        try:
            e = evidence_of(text) if isinstance(text, str) else gather(prepare(text))
        except Exception:  # a feature must never take the pipeline down
            continue
        out[i] = (e.positive, e.negative, e.outage, e.complaint, e.praise, e.question)
    return np.log1p(np.maximum(out, 0.0))


def sparse_matrix(rows: list[tuple[np.ndarray, np.ndarray]], n_features: int):
    """The rows as a scipy CSR matrix (training only)."""
    from scipy.sparse import csr_matrix

    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(index) for index, _ in rows])
    index = np.concatenate([i for i, _ in rows]) if rows else np.zeros(0, dtype=np.int64)
    values = np.concatenate([v for _, v in rows]) if rows else np.zeros(0, dtype=np.float32)
    return csr_matrix((values, index, indptr), shape=(len(rows), n_features))


def document_frequency_idf(keys: Sequence[str], n_features: int = N_FEATURES) -> np.ndarray:
    """Smoothed idf per bucket, ln((1 + n) / (1 + df)) + 1, as scikit-learn computes it."""
    df = np.zeros(n_features, dtype=np.float64)
    for key in keys:
        df[list(hashed_ngrams(key, n_features))] += 1
    return (np.log((1 + len(keys)) / (1 + df)) + 1).astype(np.float32)
