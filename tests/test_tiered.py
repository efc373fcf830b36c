"""The tiered classifier: calibrated five-way scores, rules raise and veto, visible model scores, shipped weights."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from classifiers.base import LABELS, SENTIMENTS, Classification
from classifiers.model_heads import DEFAULT_HEADS, HEAD_CLASSES, Head, Heads, HeadsMismatchError
from classifiers.tiered import TieredClassifier, combine, load_default_classifier
from tests.conftest import need_shared

MIXED = [
    "l'app non funziona da stamattina",
    "grazie mille, servizio fantastico",
    "The app is down, can't log in since 8am",
    "How do I change the email on my account?",
    "Thank you so much, your support team was great today!",
    "I have been waiting three weeks for my refund, worst service ever",
    "",
    "😍😍😍",
]


@pytest.fixture(scope="module")
def tiered() -> TieredClassifier:
    """The shipped heads over the packaged encoder."""
    return load_default_classifier(threads=1)


def test_shipped_weights_load_and_name_the_model(tiered: TieredClassifier) -> None:
    assert DEFAULT_HEADS.is_file() and DEFAULT_HEADS.stat().st_size < 8_000_000
    assert set(HEAD_CLASSES) <= set(tiered.heads.heads)
    adapter = tiered.heads.info.get("adapter")
    base = f"all-MiniLM-L6-v2+lora-{adapter}" if adapter else "all-MiniLM-L6-v2"
    assert tiered.encoder.name == base and tiered.model.startswith(f"{base}+heads-")
    assert DEFAULT_HEADS.with_name("adapter.npz").stat().st_size < 2_000_000 if adapter else True
    assert tiered.classify_batch(["hello"])[0].model == tiered.model


def test_scores_are_distributions(tiered: TieredClassifier) -> None:
    for verdict in tiered.classify_batch(MIXED):
        assert isinstance(verdict, Classification)
        assert set(verdict.scores) == set(LABELS) and set(verdict.sentiment_scores) == set(SENTIMENTS)
        assert sum(verdict.scores.values()) == pytest.approx(1.0, abs=1e-6)
        assert sum(verdict.sentiment_scores.values()) == pytest.approx(1.0, abs=1e-5)
        assert verdict.label == max(verdict.scores, key=verdict.scores.__getitem__)
        assert all(0.0 <= v <= 1.0 for v in verdict.scores.values())


def test_italian_outage_and_praise(tiered: TieredClassifier) -> None:
    outage, praise = tiered.classify_batch(MIXED[:2])
    assert outage.label == "outage" and outage.lang == "it"
    assert praise.label == "praise" and praise.sentiment == "positive" and praise.lang == "it"


def test_english_verdicts(tiered: TieredClassifier) -> None:
    down, question, thanks, complaint = tiered.classify_batch(MIXED[2:6])
    assert down.label == "outage" and down.sentiment == "negative"
    assert question.label == "question"
    assert thanks.label == "praise" and thanks.sentiment == "positive"
    assert complaint.label == "complaint" and complaint.sentiment == "negative"


def test_rules_raise_outage_but_model_scores_stay_visible(tiered: TieredClassifier) -> None:
    text = "servizio down da stamattina, non funziona niente"
    [explained] = tiered.explain([text])
    model = explained["model"]
    assert set(model) == set(HEAD_CLASSES)
    assert sum(model["intent"].values()) == pytest.approx(1.0, abs=1e-5)
    [verdict] = tiered.classify_batch([text])
    assert verdict.label == "outage" and verdict.scores["outage"] >= 0.9
    # the heads' complaint/praise/other split is kept inside the remaining mass, not replaced
    rest = 1.0 - verdict.scores["outage"] - verdict.scores["question"]
    assert verdict.scores["complaint"] == pytest.approx(rest * model["intent"]["complaint"], rel=1e-3, abs=1e-6)
    assert verdict.sentiment_scores == pytest.approx({k: model["sentiment"][k] for k in SENTIMENTS}, abs=1e-5)


def test_combine_raise_and_veto() -> None:
    model = {"outage": np.array([0.8, 0.2]), "intent": np.array([0.5, 0.1, 0.4]),
             "sentiment": np.array([0.6, 0.3, 0.1])}
    quiet = {"complaint": 0.0, "praise": 0.0, "outage": 0.0, "question": 0.0, "other": 0.0}
    assert combine(model, quiet)["outage"] == pytest.approx(0.2)
    raised = combine({**model, "outage": np.array([0.6, 0.4])}, {**quiet, "outage": 3.0})
    assert raised["outage"] >= 0.9 and raised["complaint"] > 0.0
    doubted = combine({**model, "outage": np.array([0.95, 0.05])}, {**quiet, "outage": 3.0})
    assert doubted["outage"] == pytest.approx(0.05)  # "outages possible tonight": the head keeps the phrase down
    vetoed = combine({**model, "outage": np.array([0.1, 0.9])}, {**quiet, "praise": 3.0})
    assert vetoed["outage"] <= 0.5
    assert combine(model, quiet, blank=True)["other"] == 1.0
    for scores in (raised, doubted, vetoed, combine(model, {**quiet, "question": 2.5})):
        assert sum(scores.values()) == pytest.approx(1.0)


def test_reposts_keep_the_original_verdict(tiered: TieredClassifier) -> None:
    original = "The website is down again, checkout fails with error 500"
    calls = tiered.encoder.encoded_texts
    first, *copies = tiered.classify_batch([original, f"RT @someone: {original}", original.upper(),
                                            f"{original}  https://t.co/x"])
    assert tiered.encoder.encoded_texts - calls <= 1
    for copy in copies:
        assert copy.label == first.label and copy.scores == first.scores
    copies[0].scores["outage"] = -1.0  # a caller mutating its verdict does not poison the cache
    assert tiered.classify_batch([original])[0].scores == first.scores


def test_lang_hints_and_hostile_input(tiered: TieredClassifier) -> None:
    texts = ["\ud800 lone surrogate", "x" * 10_000, "caf\ufffd non va", None, "   "]
    verdicts = tiered.classify_batch(texts, ["it", None])  # type: ignore[arg-type]
    assert len(verdicts) == len(texts)
    assert verdicts[-1].label == "other"


def test_heads_for_another_encoder_are_refused(tiered: TieredClassifier) -> None:
    size = 16
    head = Head(("a", "b"), np.zeros((size, 2), np.float32), np.zeros((4, 2), np.float32),
                np.zeros((6, 2), np.float32), np.zeros(2, np.float32))
    wrong = Heads("other-encoder", size, "x", np.ones(4, np.float32), dict.fromkeys(HEAD_CLASSES, head))
    with pytest.raises(HeadsMismatchError, match="16-dimensional"):
        TieredClassifier(tiered.encoder, wrong)


def test_missing_heads_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"classifiers\.train"):
        load_default_classifier(heads=tmp_path / "none.npz")


@pytest.mark.slow
def test_sentiment_on_shared_val_is_sane(tiered: TieredClassifier) -> None:
    from classifiers.datasets import tweeteval_val
    from classifiers.evaluate import macro_recall

    data = need_shared("data", "sentiment", "tweeteval", "sentiment").parent.parent.parent
    val = tweeteval_val(data)
    verdicts = tiered.classify_batch(val.texts[:300])
    assert macro_recall(val.labels[:300], [SENTIMENTS.index(v.sentiment) for v in verdicts]) > 0.6
