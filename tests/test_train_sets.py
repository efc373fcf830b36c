"""The outage head's training rows: our symptom examples, and which sampled negatives are dropped as mislabeled."""

from __future__ import annotations

from collections import Counter

from classifiers.lang import detect_language
from classifiers.outage_symptom_examples import symptom_examples
from classifiers.train_sets import TRUSTED_WEIGHT, outage_head_set, outage_set, reports_service_failure
from tests.conftest import need_shared


def test_symptom_examples_are_many_balanced_unique_and_seeded() -> None:
    texts, labels = symptom_examples()
    assert len(texts) == len(labels) >= 400
    assert 0.4 <= sum(labels) / len(labels) <= 0.6
    assert len({t.lower() for t in texts}) == len(texts)
    assert symptom_examples() == (texts, labels)
    assert symptom_examples(seed=1) != (texts, labels)
    assert not any("{" in t or "  " in t for t in texts), "an unfilled slot or a double space"


def test_symptom_examples_are_mostly_english_and_italian_with_some_others() -> None:
    texts, labels = symptom_examples()
    langs = Counter(detect_language(t) for t in texts)
    assert langs["en"] >= 150 and langs["it"] >= 100, langs
    assert sum(langs[x] for x in ("es", "de", "fr", "pt")) >= 20, langs
    positives = Counter(detect_language(t) for t, y in zip(texts, labels, strict=True) if y)
    assert positives["en"] >= 80 and positives["it"] >= 60, positives


def test_symptoms_and_their_look_alikes_share_words() -> None:
    texts, labels = symptom_examples()
    for word in ("logged", "notifications", "error", "schermo nero", "black screen", "offline"):
        said = {y for t, y in zip(texts, labels, strict=True) if word in t.lower()}
        assert said == {0, 1}, word


def test_a_negative_that_reports_a_failing_service_is_recognised() -> None:
    assert reports_service_failure("@air your site isn't working and nobody answers the phone")
    assert reports_service_failure("@air WEBSITE DOWN AGAIN, CAN'T CHECK IN")
    assert not reports_service_failure("@air lost my bag again #fail")
    assert not reports_service_failure("@air the seat TV is not working, third flight in a row")
    assert not reports_service_failure("@air the website looks great, booked in a minute")


def test_the_heads_outage_set_adds_our_examples_and_drops_few_negatives() -> None:
    data = need_shared("data")
    base, heads = outage_set(data, 7), outage_head_set(data, 7)
    texts, labels = symptom_examples()
    dropped = heads.sources["negatives_dropped_as_service_failures"]
    assert 0 < dropped <= 30
    assert len(heads.texts) == len(base.texts) + len(texts) - dropped
    assert sum(heads.labels) == sum(base.labels) + sum(labels)
    assert set(texts) <= set(heads.texts) and not set(texts) & set(base.texts)
    assert len(heads.weights) == len(heads.texts) and not base.weights
    trusted = [t for t, w in zip(heads.texts, heads.weights, strict=True) if w == TRUSTED_WEIGHT]
    assert len(trusted) == heads.sources["hand_labeled_power_tweets"] + len(texts)
    assert 500 <= heads.sources["hand_labeled_power_tweets"] <= 600
    gone = Counter(base.texts) - Counter(heads.texts)
    assert sum(gone.values()) == dropped and all(reports_service_failure(t) for t in gone)
