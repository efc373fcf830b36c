"""The heads file: n-gram weights stored as int8 with a scale per class, read back close to what was trained."""

from __future__ import annotations

import numpy as np

from classifiers.model_features import N_FEATURES, NGRAM_FEATURES, RULE_NAMES
from classifiers.model_heads import HEAD_CLASSES, Head, Heads, quantize

DIM = 8


def _weights(rng: np.random.Generator, columns: int) -> np.ndarray:
    """Mostly tiny weights with a few up to 1.5, as trained n-gram heads have (their largest: 0.4 to 1.9)."""
    weights = rng.normal(size=(N_FEATURES, columns)).astype(np.float32) * 0.03
    weights[rng.integers(0, N_FEATURES, 20)] = rng.uniform(-1.5, 1.5, size=(20, columns))
    return weights


def _heads(rng: np.random.Generator) -> Heads:
    heads = {}
    for name, classes in HEAD_CLASSES.items():
        w_ngram = _weights(rng, len(classes))
        if len(classes) == 2:
            w_ngram[:, 0] = 0.0  # a binary head keeps a zero column
        heads[name] = Head(classes, rng.normal(size=(DIM, len(classes))).astype(np.float32), w_ngram,
                           rng.normal(size=(len(RULE_NAMES), len(classes))).astype(np.float32),
                           rng.normal(size=len(classes)).astype(np.float32), 1.3)
    return Heads("test-encoder", DIM, "t", rng.random(N_FEATURES).astype(np.float32) + 1, heads,
                 {"features": {"ngrams": NGRAM_FEATURES}})


def test_quantize_keeps_every_weight_within_half_a_step_and_zero_columns_zero() -> None:
    weights = _weights(np.random.default_rng(1), 3)
    weights[:, 1] = 0.0
    q, scale = quantize(weights)
    assert q.dtype == np.int8 and scale.dtype == np.float32 and scale.shape == (3,)
    assert np.abs(q).max() == 127 and scale[1] == 0.0 and not q[:, 1].any()
    error = np.abs(q * scale - weights)
    assert (error <= scale / 2 + 1e-7).all()
    assert np.allclose(np.abs(q * scale).max(axis=0), np.abs(weights).max(axis=0))


def test_saved_heads_read_back_with_logits_within_a_hundredth(tmp_path) -> None:
    rng = np.random.default_rng(2)
    heads = _heads(rng)
    heads.save(tmp_path / "heads.npz")
    with np.load(tmp_path / "heads.npz") as stored:
        assert stored["outage.w_ngram_q"].dtype == np.int8 and "outage.w_ngram" not in stored
    loaded = Heads.load(tmp_path / "heads.npz")
    n = 50
    emb = rng.normal(size=(n, DIM)).astype(np.float32)
    grams = []
    for _ in range(n):  # about 60 active n-grams a text, L2-normalised like the real rows
        index = np.sort(rng.choice(N_FEATURES, 60, replace=False))
        values = rng.random(60).astype(np.float32)
        grams.append((index, values / np.linalg.norm(values)))
    rules = rng.random((n, len(RULE_NAMES))).astype(np.float32)
    for name, head in heads.heads.items():
        again = loaded.heads[name]
        assert again.classes == head.classes and again.temperature == head.temperature
        assert np.array_equal(again.w_emb, head.w_emb) and np.array_equal(again.bias, head.bias)
        difference = np.abs(again.logits(emb, grams, rules) - head.logits(emb, grams, rules))
        assert difference.max() < 0.01, name


def test_heads_files_with_float16_ngram_weights_still_load(tmp_path) -> None:
    heads = _heads(np.random.default_rng(3))
    heads.save(tmp_path / "new.npz")
    with np.load(tmp_path / "new.npz") as stored:
        arrays = {key: stored[key] for key in stored.files if not key.endswith(("w_ngram_q", "w_ngram_scale"))}
    arrays |= {f"{name}.w_ngram": head.w_ngram.astype(np.float16) for name, head in heads.heads.items()}
    np.savez_compressed(tmp_path / "old.npz", **arrays)
    loaded = Heads.load(tmp_path / "old.npz")
    for name, head in heads.heads.items():
        assert np.allclose(loaded.heads[name].w_ngram, head.w_ngram, rtol=1e-3, atol=1e-4)
