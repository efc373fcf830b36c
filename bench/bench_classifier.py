"""Classifier throughput on 2 cores: tiered classifier vs a naive per-mention feature-extraction loop, same input."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from classifiers.transformer import MULTILINGUAL, cache_key, default_model_dir
from monitor.settings import PipelineSettings

THREADS = 2
BATCH = PipelineSettings().batch_size  # what the pipeline hands the classifier in a spike (a full batch)
NAIVE_SAMPLE = 200
SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def unique_mentions(count: int, seed: int = 5) -> list[str]:
    """Distinct mention texts: real tweets from the shared data when present, else the scenario generator's."""
    texts: list[str] = []
    val = SHARED / "sentiment" / "tweeteval" / "sentiment" / "val_text.txt"
    xlmt = SHARED / "sentiment" / "xlmt" / "all" / "val_text.txt"
    for path in (val, xlmt):
        if path.exists():
            texts += path.read_text(encoding="utf-8").splitlines()
    if len(texts) < count:
        from monitor.simulate import generate

        texts += [m["text"] for m in generate("demo", seed=seed).mentions()]
    seen: set[str] = set()
    unique = []
    for text in texts:
        key = cache_key(text)
        if key and key not in seen:
            seen.add(key)
            unique.append(text)
    random.Random(seed).shuffle(unique)
    return unique[:count]


def spike_stream(originals: list[str], viral: int = 20, seed: int = 7) -> list[str]:
    """Half unique mentions, half reposts and near-copies (RT prefix, case, spacing, links) of a few viral posts."""
    rng = random.Random(seed)
    hot = originals[:viral]
    copies = []
    for i in range(len(originals)):
        text = rng.choice(hot)
        form = rng.randrange(4)
        copies.append([f"RT @fan{i}: {text}", text.upper(), f"  {text}  ", f"{text} https://t.co/x{i}"][form])
    stream = originals + copies
    rng.shuffle(stream)
    return stream


def _rate(fn: Any, texts: list[str]) -> float:
    started = time.perf_counter()
    for start in range(0, len(texts), BATCH):
        fn(texts[start:start + BATCH])
    return len(texts) / (time.perf_counter() - started)


def naive_rate(texts: list[str], model_dir: str | None = None) -> float:
    """One `transformers.pipeline("feature-extraction")` call per mention, mean-pooled: the common first version."""
    import numpy as np
    import torch
    from transformers import pipeline

    torch.set_num_threads(THREADS)
    extractor = pipeline("feature-extraction", model=model_dir or str(default_model_dir()), framework="pt", device=-1)
    extractor(texts[0])
    started = time.perf_counter()
    for text in texts:
        vector = np.asarray(extractor(text, truncation=True)[0]).mean(axis=0)
        vector /= np.linalg.norm(vector) or 1.0
    return len(texts) / (time.perf_counter() - started)


def resident_mb(model: str | None = None) -> float:
    """Resident memory (MB) of a fresh process holding the loaded tiered classifier after one batch."""
    code = (f"from classifiers.tiered import load_default_classifier as L; c = L(model={model!r}, threads=2); "
            "c.classify_batch(['the app is down'] * 64 + [f'text {i}' for i in range(256)]); "
            "print([l for l in open('/proc/self/status') if l.startswith('VmRSS')][0].split()[1])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def measure(count: int = 1500, rounds: int = 2, model: str | None = None) -> dict[str, float]:
    """Every figure, each the best of `rounds` interleaved runs (the machine is shared and noisy), plus memory."""
    from classifiers.tiered import load_default_classifier

    texts = unique_mentions(count)
    spike = spike_stream(texts)
    classifier = load_default_classifier(model=model, threads=THREADS)
    model_dir = model
    if model == MULTILINGUAL:
        from classifiers.e5_import import ensure_model

        model_dir = str(ensure_model())  # converted by the load above; the naive loop reads the same directory
    classifier.classify_batch(texts[:64])

    def fresh(fn: Any, batch: list[str]) -> float:
        classifier.encoder.clear_cache()
        classifier._cache.clear()
        return _rate(fn, batch)

    figures: dict[str, float] = {}
    for _ in range(rounds):
        for name, value in (("encoder_unique", lambda: fresh(classifier.encoder.encode, texts)),
                            ("tiered_unique", lambda: fresh(classifier.classify_batch, texts)),
                            ("tiered_spike", lambda: fresh(classifier.classify_batch, spike)),
                            ("naive_unique", lambda: naive_rate(texts[:NAIVE_SAMPLE], model_dir)),
                            ("naive_spike", lambda: naive_rate(spike[:NAIVE_SAMPLE], model_dir))):
            figures[name] = max(figures.get(name, 0.0), value())
    figures["resident_mb"] = resident_mb(model)
    figures["count"] = len(texts)
    figures["load_average"] = os.getloadavg()[0]
    return figures


def run(model: str | None = None) -> dict[str, Any]:
    """The bench/run.py row: tiered classifier on the spike stream vs the naive loop on the same stream."""
    f = measure(model=model)
    encoder = "MiniLM" if model is None else model
    return {"name": f"classifier (rules + {encoder} heads), {THREADS} threads",
            "input": f"{f['count']:.0f} unique mentions + as many reposts/near-copies",
            "ours": f"{f['tiered_spike']:,.0f} mentions/s spike, {f['tiered_unique']:,.0f}/s unique "
                    f"(encoder {f['encoder_unique']:,.0f}/s), {f['resident_mb']:,.0f} MB RSS",
            "baseline": f"{f['naive_spike']:,.0f} mentions/s spike, {f['naive_unique']:,.0f}/s unique "
                        "(per-mention feature-extraction pipeline)",
            "ratio": f["tiered_spike"] / f["naive_spike"], "figures": f}


def run_multilingual() -> dict[str, Any]:
    """The same row for the multilingual encoder, or a row saying why it was not measured."""
    from classifiers.model_heads import MULTILINGUAL_HEADS
    from classifiers.transformer import ModelNotFoundError

    try:
        if not MULTILINGUAL_HEADS.exists():
            raise ModelNotFoundError(f"{MULTILINGUAL_HEADS} is absent")
        return run(MULTILINGUAL)
    except ModelNotFoundError as error:
        return {"name": f"classifier (rules + {MULTILINGUAL} heads)", "input": "-", "ours": f"not measured: {error}",
                "baseline": "-", "ratio": float("nan"), "figures": {}}


if __name__ == "__main__":
    result = run(sys.argv[1] if len(sys.argv) > 1 else None)
    for key, value in result["figures"].items():
        print(f"{key:16s} {value:10.1f}")
    print(f"{result['name']}: ours {result['ours']}; baseline {result['baseline']}; ratio {result['ratio']:.1f}x "
          f"(unique: {result['figures']['tiered_unique'] / result['figures']['naive_unique']:.1f}x)")
