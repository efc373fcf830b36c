"""Measure the classifiers on the held-out data: python -m classifiers.evaluate --data ../shared/data."""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from classifiers import datasets
from classifiers.base import SENTIMENTS, Classification, Classifier
from classifiers.outage_eval_examples import SERVICE_OUTAGE_EVAL
from classifiers.train_outage import eval_set

TARGETS = {"tweeteval_macro_recall": 0.80, "xlmt_it_macro_f1": 0.68, "airline_complaint_f1": 0.90,
           "outage_recall": 0.90, "outage_precision": 0.90}
COMPLAINT_LABELS = frozenset({"complaint", "outage"})
"""An outage report is a complaint too when measuring complaint-vs-not."""


def macro_recall(truth: Sequence[int], pred: Sequence[int], classes: int = 3) -> float:
    """Mean per-class recall (TweetEval's sentiment metric)."""
    t, p = np.asarray(truth), np.asarray(pred)
    return float(np.mean([(p[t == c] == c).mean() for c in range(classes) if (t == c).any()]))


def f1(truth: Sequence[bool], pred: Sequence[bool]) -> tuple[float, float, float]:
    """Precision, recall and F1 of the positive class."""
    t, p = np.asarray(truth, dtype=bool), np.asarray(pred, dtype=bool)
    tp = float((t & p).sum())
    precision = tp / p.sum() if p.sum() else 0.0
    recall = tp / t.sum() if t.sum() else 0.0
    return precision, recall, (2 * precision * recall / (precision + recall) if tp else 0.0)


def macro_f1(truth: Sequence[int], pred: Sequence[int], classes: int = 3) -> float:
    """Mean per-class F1 (XLM-T's metric)."""
    t, p = np.asarray(truth), np.asarray(pred)
    return float(np.mean([f1(t == c, p == c)[2] for c in range(classes)]))


def _classify(classifier: Classifier, texts: list[str], batch: int = 256) -> list[Classification]:
    out: list[Classification] = []
    for start in range(0, len(texts), batch):
        out += classifier.classify_batch(texts[start:start + batch])
    return out


def _sentiments(verdicts: list[Classification]) -> list[int]:
    return [SENTIMENTS.index(v.sentiment) for v in verdicts]


def best_recall_at_precision(truth: Sequence[int], scores: Sequence[float], floor: float) -> tuple[float, float]:
    """(recall, threshold) of the best operating point with precision >= floor (an optimistic, eval-tuned figure)."""
    best = (0.0, 1.0)
    t = np.asarray(truth, dtype=bool)
    for threshold in sorted(set(scores)):
        precision, recall, _ = f1(t, np.asarray(scores) >= threshold)
        if precision >= floor and recall > best[0]:
            best = (recall, float(threshold))
    return best


def evaluate(data: Path, classifier: Classifier) -> dict[str, float]:
    """Every figure the issue asks for, for one classifier."""
    results: dict[str, float] = {}
    tweeteval = datasets.tweeteval_val(data)
    results["tweeteval_macro_recall"] = macro_recall(tweeteval.labels, _sentiments(_classify(classifier,
                                                                                             tweeteval.texts)))
    xlmt = datasets.xlmt(data, "val")
    predicted = np.asarray(_sentiments(_classify(classifier, xlmt.texts)))
    labels, langs = np.asarray(xlmt.labels), np.asarray(xlmt.langs)
    for lang in ("it", "en", "es", "fr", "de", "pt", "ar", "hi"):
        results[f"xlmt_{lang}_macro_f1"] = macro_f1(labels[langs == lang], predicted[langs == lang])
    results["xlmt_all_macro_f1"] = macro_f1(labels, predicted)
    _, held = datasets.airline_split(data)
    verdicts = _classify(classifier, [r.text for r in held])
    truth = [r.sentiment == "negative" for r in held]
    p, r, f = f1(truth, [v.label in COMPLAINT_LABELS for v in verdicts])
    results.update(airline_complaint_precision=p, airline_complaint_recall=r, airline_complaint_f1=f)
    power_texts, power = eval_set(data)
    service_texts, service = [t for t, _ in SERVICE_OUTAGE_EVAL], [y for _, y in SERVICE_OUTAGE_EVAL]
    verdicts = _classify(classifier, power_texts + service_texts)
    said = [v.label == "outage" for v in verdicts]
    truth = [x == 1 for x in power + service]
    n = len(power)
    for name, part in (("outage_power", slice(0, n)), ("outage_service", slice(n, None)), ("outage", slice(None))):
        p, r, f = f1(truth[part], said[part])
        results.update({f"{name}_precision": p, f"{name}_recall": r, f"{name}_f1": f})
    recall, threshold = best_recall_at_precision(power + service, [v.scores.get("outage", 0.0) for v in verdicts], 0.9)
    results.update(outage_recall_at_p90_eval_tuned=recall, outage_threshold_eval_tuned=threshold)
    return results


def report(name: str, results: dict[str, float]) -> str:
    """A readable block: each figure, and its target when the issue sets one."""
    lines = [f"== {name}"]
    for key, value in results.items():
        target = TARGETS.get(key)
        mark = "" if target is None else f"  (target >= {target:.2f}: {'met' if value >= target else 'missed'})"
        lines.append(f"{key:36s} {value:.3f}{mark}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Evaluate the tiered classifier (and the rules tier alone, for comparison)."""
    from classifiers.rules import RulesClassifier
    from classifiers.tiered import load_default_classifier

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--no-rules-baseline", action="store_true", help="skip measuring the rules tier alone")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")
    parser.add_argument("--heads", type=Path, default=None, help="heads.npz to measure (default: the shipped one)")
    parser.add_argument("--backend", default="auto", help="encoder backend: auto, torch, onnx or onnx-int8")
    parser.add_argument("--model", default=None, help="encoder: a local directory, a cached Hugging Face id or "
                                                      "multilingual-e5-small (default: the bundled all-MiniLM-L6-v2)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    options: dict = {"heads": args.heads} if args.heads else {}
    if args.model:
        options["model"] = args.model
    everything = {"tiered": evaluate(args.data, load_default_classifier(backend=args.backend, **options))}
    print(report("tiered (rules + transformer heads)", everything["tiered"]), flush=True)
    if not args.no_rules_baseline:
        everything["rules"] = evaluate(args.data, RulesClassifier())
        print(report("rules tier alone", everything["rules"]))
    print(f"({time.perf_counter() - started:.0f}s)")
    if args.json:
        args.json.write_text(json.dumps(everything, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
