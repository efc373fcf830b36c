"""Sentiment heads per language: which head judges which text, how their rows are picked, the shipped ones."""

from __future__ import annotations

import numpy as np
import pytest

from classifiers.base import SENTIMENTS
from classifiers.model_features import N_FEATURES, RULE_NAMES
from classifiers.model_heads import (
    HEAD_CLASSES,
    LANGUAGE_HEADS,
    OTHER_LANGUAGES,
    Head,
    Heads,
    classes_of,
    sentiment_head,
    softmax_rows,
)
from classifiers.tiered import TieredClassifier, load_default_classifier
from classifiers.train_sets import TrainSet, language_subsets, subset
from classifiers.transformer import cache_key

DIM = 4


def _head(classes: tuple[str, ...], favourite: int) -> Head:
    """A head that always prefers one class (its bias), whatever the text."""
    bias = np.zeros(len(classes), np.float32)
    bias[favourite] = 5.0
    return Head(classes, np.zeros((DIM, len(classes)), np.float32), np.zeros((N_FEATURES, len(classes)), np.float32),
                np.zeros((len(RULE_NAMES), len(classes)), np.float32), bias)


def _heads(**extra: int) -> Heads:
    heads = {name: _head(classes, 0) for name, classes in HEAD_CLASSES.items()}  # shared sentiment: negative
    heads |= {f"sentiment_{lang}": _head(SENTIMENTS, favourite) for lang, favourite in extra.items()}
    return Heads("test-encoder", DIM, "t", np.ones(N_FEATURES, np.float32), heads)


def _sentiments(heads: Heads, langs: list[str] | None) -> list[str]:
    n = len(langs or [None, None])
    grams = [(np.zeros(0, np.int64), np.zeros(0, np.float32))] * n
    probs = heads.predict_features(np.zeros((n, DIM), np.float32), (grams, np.zeros((n, len(RULE_NAMES)))), langs)
    assert set(probs) == set(HEAD_CLASSES)
    return [SENTIMENTS[int(row.argmax())] for row in probs["sentiment"]]


def test_each_language_goes_to_its_own_head_then_the_other_languages_head_then_the_shared_one() -> None:
    heads = _heads(it=2, xx=1)  # Italian head: positive; other languages: neutral
    assert _sentiments(heads, ["en", "it", "es", "und", ""]) == ["negative", "positive", "neutral", "neutral",
                                                                  "negative"]
    assert _sentiments(heads, None) == ["negative", "negative"]


def test_heads_without_language_heads_judge_every_text_with_the_shared_one() -> None:
    assert _sentiments(_heads(), ["it", "de", "en"]) == ["negative"] * 3
    assert sentiment_head("it", {"sentiment"}) == "sentiment"
    assert sentiment_head("it", {"sentiment", "sentiment_xx"}) == "sentiment_xx"
    assert sentiment_head("en", {"sentiment", "sentiment_en", "sentiment_xx"}) == "sentiment"
    assert classes_of("sentiment_it") == SENTIMENTS


def test_language_rows_are_picked_by_the_detected_language_and_small_languages_fall_to_the_other_head() -> None:
    italian = ["oggi il servizio non funziona e sono molto arrabbiato", "grazie mille, siete stati gentilissimi"]
    english = ["the delivery came early and the driver was lovely", "worst support I have ever had, still waiting"]
    german = ["die App funktioniert schon wieder nicht, das ist wirklich ärgerlich"]
    data = TrainSet(italian + english + german, [0, 2, 2, 0, 0], {"ours": 5}, [1.0, 2.0, 1.0, 1.0, 3.0])
    rows = language_subsets(data, ("it", "de"), OTHER_LANGUAGES, min_rows=2)
    assert rows == {"it": [0, 1], OTHER_LANGUAGES: [0, 1, 4]}  # one German row: too few for a head of its own
    picked = subset(data, rows["it"], "italian rows")
    assert picked.texts == italian and picked.labels == [0, 2] and picked.weights == [1.0, 2.0]


@pytest.fixture(scope="module")
def tiered() -> TieredClassifier:
    """The shipped heads over the packaged encoder."""
    return load_default_classifier(threads=1)


def test_the_shipped_heads_judge_italian_with_the_italian_head(tiered: TieredClassifier) -> None:
    shipped = tiered.heads.heads
    assert {f"sentiment_{lang}" for lang in (*LANGUAGE_HEADS, OTHER_LANGUAGES)} <= set(shipped)
    text = "grazie mille, il servizio clienti è stato fantastico"
    verdict = tiered.classify_batch([text])[0]
    assert verdict.lang == "it"
    grams, rules = tiered.heads.features([cache_key(text)], [text])
    emb = tiered.encoder.encode([text])
    expected = softmax_rows(shipped["sentiment_it"].logits(emb, grams, rules))[0]
    shared = softmax_rows(shipped["sentiment"].logits(emb, grams, rules))[0]
    assert [verdict.sentiment_scores[s] for s in SENTIMENTS] == pytest.approx(expected.tolist(), abs=1e-5)
    assert not np.allclose(expected, shared, atol=1e-3)


def test_heads_trained_on_other_ngram_features_are_refused_with_the_command_that_retrains(tmp_path) -> None:
    from classifiers.model_features import NGRAM_FEATURES

    heads = _heads(it=2)
    heads.info = {"features": {"ngrams": "char 2-5 within words, crc32 mod 2^18, sublinear tf-idf, L2"}}
    heads.save(tmp_path / "old.npz")
    with pytest.raises(ValueError, match=r"other features .*char 2-5 within words.*classifiers\.train"):
        Heads.load(tmp_path / "old.npz")
    heads.info = {"features": {"ngrams": NGRAM_FEATURES}}
    heads.save(tmp_path / "new.npz")
    assert set(Heads.load(tmp_path / "new.npz").heads) == {*HEAD_CLASSES, "sentiment_it"}
