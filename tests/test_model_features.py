"""The heads' hashed n-gram features: character n-grams inside words, the words themselves and word pairs."""

from __future__ import annotations

import zlib

from classifiers.model_features import N_FEATURES, hashed_ngrams


def _bucket(gram: str) -> int:
    return zlib.crc32(gram.encode("utf-8")) & (N_FEATURES - 1)


def test_words_and_neighbouring_word_pairs_are_features_and_order_matters() -> None:
    grams = hashed_ngrams("not good at all")
    assert {_bucket("w:not"), _bucket("w:good"), _bucket("b:not good"), _bucket("b:good at")} <= set(grams)
    swapped = hashed_ngrams("good not at all")
    assert _bucket("b:not good") not in swapped and _bucket("b:good not") in swapped


def test_repeats_count_sublinearly_and_characters_stay_within_words() -> None:
    grams = hashed_ngrams("down down down")
    assert grams[_bucket("w:down")] > 1.0 and grams[_bucket("b:down down")] > 1.0
    assert _bucket("n d") not in grams  # no n-gram spans two words
