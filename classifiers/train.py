"""Train the heads over the frozen encoder (python -m classifiers.train --data ../shared/data --out DIR)."""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import time
from pathlib import Path

import numpy as np

from classifiers.evaluate import macro_f1
from classifiers.model_features import (
    N_FEATURES,
    NGRAM_FEATURES,
    RULE_NAMES,
    document_frequency_idf,
    ngram_rows,
    rule_features,
    sparse_matrix,
)
from classifiers.model_heads import HEAD_CLASSES, LANGUAGE_HEADS, OTHER_LANGUAGES, Head, Heads, classes_of, family
from classifiers.train_sets import (
    TrainSet,
    held_out,
    intent_set,
    language_subsets,
    outage_head_set,
    sentiment_set,
    subset,
)
from classifiers.transformer import TransformerEncoder, cache_key

VERSION = "2"  # 2: words and word pairs among the n-gram features; sentiment heads per language
SEED = 20240611
C_VALUES = {"sentiment": 1.0, "intent": 1.0, "outage": 1.0}
CLASS_WEIGHT: dict[str, str | None] = {"sentiment": "balanced", "intent": None, "outage": "balanced"}
"""Balanced classes serve macro recall (sentiment) and the rare class (outage); for intent, leave-one-day-out
cross-validation on the airline training days preferred the natural class mix (F1 0.875 vs 0.857)."""


def embed(encoder: TransformerEncoder, name: str, texts: list[str], cache: Path | None) -> np.ndarray:
    """Embeddings of texts, kept in `cache` (keyed by encoder and texts) so a rerun skips the encoder."""
    digest = hashlib.sha1("\x00".join([encoder.name, encoder.dtype, *texts]).encode("utf-8", "replace")).hexdigest()
    path = cache / f"{name}-{digest[:16]}.npy" if cache else None
    if path is not None and path.exists():
        return np.load(path)
    vectors = encoder.encode(texts)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, vectors)
    return vectors


def design(emb: np.ndarray, keys: list[str], texts: list[str], idf: np.ndarray):
    """The training matrix: [hashed n-gram tf-idf | embedding | rule features], the order Head splits it back in."""
    from scipy.sparse import csr_matrix, hstack

    grams = sparse_matrix(ngram_rows(keys, idf), len(idf))
    return hstack([grams, csr_matrix(emb), csr_matrix(rule_features(texts))]).tocsr()


def log_loss(logits: np.ndarray, labels: np.ndarray, temperature: float = 1.0) -> float:
    """Mean negative log-likelihood of the labels under softmax(logits / temperature)."""
    scaled = logits / temperature
    scaled = scaled - scaled.max(axis=1, keepdims=True)
    logp = scaled - np.log(np.exp(scaled).sum(axis=1, keepdims=True))
    return -float(logp[np.arange(len(labels)), labels].mean())


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The temperature minimising log loss on held-out training rows (a 1-D grid: no tuning on val splits)."""
    best, best_loss = 1.0, float("inf")
    for temperature in np.exp(np.linspace(np.log(0.3), np.log(5.0), 60)):
        loss = log_loss(logits, labels, float(temperature))
        if loss < best_loss:
            best, best_loss = float(temperature), loss
    return best


def train_head(name: str, data: TrainSet, emb: np.ndarray, idf: np.ndarray, seed: int) -> tuple[Head, dict]:
    """Fit one head on 90% of its rows (logistic regression, the set's sample weights), calibrate on the other 10%."""
    from sklearn.linear_model import LogisticRegression

    classes, base = classes_of(name), family(name)
    keys = [cache_key(t) for t in data.texts]
    labels = np.asarray(data.labels)
    calibration = np.array([held_out(k) for k in keys])
    hold, fit = np.flatnonzero(calibration), np.flatnonzero(~calibration)
    matrix = design(emb, keys, data.texts, idf)
    model = LogisticRegression(C=C_VALUES[base], max_iter=3000, class_weight=CLASS_WEIGHT[base], random_state=seed)
    weights = np.asarray(data.weights) if data.weights else None
    model.fit(matrix[fit], labels[fit], sample_weight=None if weights is None else weights[fit])
    coef, bias = model.coef_.T, model.intercept_
    if coef.shape[1] == 1:  # binary: logits (0, z) give the same probabilities as sigmoid(z)
        coef, bias = np.hstack([np.zeros_like(coef), coef]), np.array([0.0, bias[0]])
    n_emb = emb.shape[1]
    head = Head(classes, coef[N_FEATURES:N_FEATURES + n_emb].astype(np.float32),
                coef[:N_FEATURES].astype(np.float32), coef[N_FEATURES + n_emb:].astype(np.float32),
                bias.astype(np.float32))
    logits = np.asarray(matrix[hold] @ coef) + bias
    head.temperature = fit_temperature(logits, labels[hold])
    accuracy = float((logits.argmax(1) == labels[hold]).mean())
    stats = {"rows": len(labels), "fit_rows": len(fit), "calibration_rows": len(hold), "C": C_VALUES[base],
             "class_weight": CLASS_WEIGHT[base], "weighted_rows": 0 if weights is None else int((weights != 1).sum()),
             "temperature": round(head.temperature, 3),
             "holdout_accuracy": round(accuracy, 4),
             "holdout_log_loss": round(log_loss(logits, labels[hold], head.temperature), 4),
             "holdout_macro_f1": round(macro_f1(labels[hold], logits.argmax(1), len(classes)), 4),
             "class_counts": {c: int((labels == i).sum()) for i, c in enumerate(classes)}, "sources": data.sources}
    return head, stats


def train(data: Path, out: Path, cache: Path | None, seed: int = SEED, threads: int | None = None,
          adapter: Path | None = None, model: str | Path | None = None) -> Heads:
    """Build every set, embed it (through the fine-tuned adapter if given), train the heads, write out/heads.npz."""
    random.seed(seed)
    np.random.seed(seed % (2**32))
    started = time.perf_counter()
    encoder = TransformerEncoder(model, threads=threads, adapter=adapter)
    # The outage head trains on outage_head_set (outage_set + our symptom examples - mislabeled negatives); the
    # adapter was fine-tuned on outage_set (classifiers.finetune.build_sets), which stays as it was.
    sets = {"sentiment": sentiment_set(data), "intent": intent_set(data, HEAD_CLASSES["intent"]),
            "outage": outage_head_set(data, seed)}
    embeddings = {name: embed(encoder, name, s.texts, cache) for name, s in sets.items()}
    print(f"embedded {sum(len(s.texts) for s in sets.values())} texts in {time.perf_counter() - started:.0f}s",
          flush=True)
    all_keys = sorted({cache_key(t) for s in sets.values() for t in s.texts})
    idf = document_frequency_idf(all_keys, N_FEATURES)
    heads = Heads(encoder.name, encoder.dim, VERSION, idf, info={"seed": seed, "adapter": encoder.adapter, "features": {
        "ngrams": NGRAM_FEATURES, "rules": list(RULE_NAMES)}})
    jobs = [(name, train_set, embeddings[name]) for name, train_set in sets.items()]
    for lang, rows in language_subsets(sets["sentiment"], LANGUAGE_HEADS, OTHER_LANGUAGES).items():
        jobs.append((f"sentiment_{lang}", subset(sets["sentiment"], rows, f"sentiment rows in {lang}"),
                     embeddings["sentiment"][rows]))
    for name, train_set, emb in jobs:
        head, stats = train_head(name, train_set, emb, idf, seed)
        heads.heads[name] = head
        heads.info[name] = stats
        print(f"{name}: {json.dumps(stats)}", flush=True)
    heads.info["train_seconds"] = round(time.perf_counter() - started)
    heads.save(out / "heads.npz")
    print(f"wrote {out / 'heads.npz'} ({(out / 'heads.npz').stat().st_size / 1e6:.1f} MB) "
          f"in {time.perf_counter() - started:.0f}s")
    return heads


def main(argv: list[str] | None = None) -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"), help="the shared data folder")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "weights")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "brand-monitor" / "embeddings",
                        help="where embeddings of the training texts are kept between runs ('' for none)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--model", default=None, help="encoder: a local directory or cached Hugging Face id "
                                                          "(default: the bundled all-MiniLM-L6-v2)")
    parser.add_argument("--adapter", type=Path, default=None,
                        help="a fine-tuned adapter.npz to embed through (python -m classifiers.finetune writes one)")
    args = parser.parse_args(argv)
    train(args.data, args.out, args.cache if str(args.cache) else None, args.seed, args.threads, args.adapter,
          args.model)


if __name__ == "__main__":
    main()
