"""The outage head's training rows: our symptom examples, and which sampled negatives are dropped as mislabeled."""

from __future__ import annotations

from collections import Counter

from classifiers.lang import detect_language
from classifiers.outage_symptom_examples import symptom_examples
from classifiers.train_examples import outage_examples
from classifiers.train_outage import dedupe_key, eval_sample, more_hand_labels, weak_set
from classifiers.train_sets import (
    OUTAGE_NEGATIVES_AIRLINE,
    OUTAGE_NEGATIVES_SEMEVAL,
    TRUSTED_WEIGHT,
    outage_head_set,
    outage_set,
    reports_service_failure,
)
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


def test_the_heads_outage_set_keeps_hand_labels_and_our_examples_and_drops_few_negatives() -> None:
    data = need_shared("data")
    base, heads = outage_set(data, 7), outage_head_set(data, 7)
    more = more_hand_labels(data)
    texts, labels = symptom_examples()
    dropped = heads.sources["negatives_dropped_as_service_failures"]
    assert 0 < dropped <= 30
    hand_count = heads.sources["hand_labeled_power_tweets"] + heads.sources["more_hand_labeled_power_tweets"]
    assert 500 <= heads.sources["hand_labeled_power_tweets"] <= 600
    assert heads.sources["more_hand_labeled_power_tweets"] == len(more) >= 550
    assert set(texts) <= set(heads.texts) and not set(texts) & set(base.texts)
    assert not Counter(zip(texts, labels, strict=True)) - Counter(zip(heads.texts, heads.labels, strict=True))
    assert len(heads.weights) == len(heads.texts) and not base.weights
    trusted = [t for t, w in zip(heads.texts, heads.weights, strict=True) if w == TRUSTED_WEIGHT]
    assert len(trusted) == hand_count + len(texts)
    power = {t: label for t, label in zip(heads.texts[:hand_count], heads.labels[:hand_count], strict=True)}
    assert {t: power[t] for t in more} == more  # the later hand label wins
    held = {dedupe_key(r.text) for r in eval_sample(data)}
    assert not {dedupe_key(t) for t in power} & held
    weak_only = set(base.texts[:len(weak_set(data)[0])]) - set(power)
    assert weak_only and not weak_only & set(heads.texts)  # weakly labelled tweets train the adapter, not the heads
    assert len(heads.texts) == hand_count + len(outage_examples()[0]) + len(texts) + \
        heads.sources["sampled_negatives"]
    assert heads.sources["sampled_negatives"] + dropped == OUTAGE_NEGATIVES_SEMEVAL + OUTAGE_NEGATIVES_AIRLINE


def test_the_hand_labeled_training_tweets_are_the_documented_seeded_samples() -> None:
    import random

    from classifiers.datasets import outage_tweets
    from classifiers.outage_hand_train import HAND_LABELED_TRAIN
    from classifiers.outage_hand_train_more import HAND_LABELED_TRAIN_MORE
    from classifiers.train_outage import HAND_LABELED
    from classifiers.train_sets import contamination_key

    tweets = outage_tweets(need_shared("data"))
    by_id = {t.id: t for t in tweets}
    evaluated = {contamination_key(by_id[tweet_id].text) for tweet_id, *_ in HAND_LABELED if tweet_id in by_id}
    pool, keys = [], set()
    for tweet in sorted(tweets, key=lambda t: t.id):
        key = contamination_key(tweet.text)
        if key not in evaluated and key not in keys:
            keys.add(key)
            pool.append(tweet)
    first = random.Random(2020).sample(pool, 600)
    assert [t.id for t in first] == [tweet_id for tweet_id, _ in HAND_LABELED_TRAIN]
    taken = {t.id for t in first}
    more = [tweet_id for tweet_id, _ in HAND_LABELED_TRAIN_MORE]
    for seed, start in ((2021, 0), (2022, 600)):
        rest = [t for t in pool if t.id not in taken]
        sample = random.Random(seed).sample(rest, 600)
        assert [t.id for t in sample] == more[start:start + 600]
        taken |= {t.id for t in sample}
    assert len(set(more)) == len(more) == 1200 and {label for _, label in HAND_LABELED_TRAIN_MORE} == {0, 1}
