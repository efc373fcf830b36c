"""Classifier accuracy on the held-out real data: the tiered classifier beside the rules tier, against the targets."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from classifiers.evaluate import TARGETS, evaluate

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
ROWS = [  # (figure, what it is)
    ("tweeteval_macro_recall", "TweetEval sentiment val, macro recall"),
    ("xlmt_it_macro_f1", "XLM-T Italian val, macro F1"),
    ("xlmt_all_macro_f1", "XLM-T val, all 8 languages, macro F1"),
    ("airline_complaint_f1", "US-airline complaint-vs-not F1, held-out days 20-21 Feb"),
    ("outage_precision", "outage reports, hand-labelled set: precision"),
    ("outage_recall", "outage reports, hand-labelled set: recall"),
]
OTHER_LANGS = ("en", "es", "fr", "de", "pt", "ar", "hi")


def run() -> dict[str, Any]:
    """Both tiers on every held-out set (about two minutes on 2 cores), or why it was skipped."""
    if not (DATA / "README.md").exists():
        return {"skipped": f"the shared data is not at {DATA}"}
    from classifiers.rules import RulesClassifier
    from classifiers.tiered import load_default_classifier

    started = time.perf_counter()
    tiered = load_default_classifier(threads=2)
    results = {"tiered": evaluate(DATA, tiered), "rules": evaluate(DATA, RulesClassifier()),
               "model": tiered.model, "seconds": 0.0}
    results["seconds"] = time.perf_counter() - started
    return results


def markdown(results: dict[str, Any]) -> list[str]:
    """The accuracy table, with each target and whether it is met."""
    lines = ["## Classifier accuracy (held-out real data, `python -m classifiers.evaluate`)", ""]
    if "skipped" in results:
        return [*lines, f"Skipped: {results['skipped']}."]
    tiered, rules = results["tiered"], results["rules"]
    lines += [f"Classifier `{results['model']}`; the val splits and held-out days are never trained or tuned on.", "",
              "| measure | tiered | rules tier alone | target |", "|---|---|---|---|"]
    for key, label in ROWS:
        target = TARGETS.get(key)
        verdict = "" if target is None else f">= {target:.2f} ({'met' if tiered[key] >= target else 'missed'})"
        lines.append(f"| {label} | {tiered[key]:.3f} | {rules[key]:.3f} | {verdict} |")
    per_lang = " / ".join(f"{tiered[f'xlmt_{lang}_macro_f1']:.3f}" for lang in OTHER_LANGS)
    lines.append(f"| XLM-T val macro F1, {' / '.join(OTHER_LANGS)} | {per_lang} | | |")
    for part in ("outage_power", "outage_service"):
        lines.append(f"| {part.replace('_', ' ')} subset: precision / recall | {tiered[f'{part}_precision']:.3f} / "
                     f"{tiered[f'{part}_recall']:.3f} | {rules[f'{part}_precision']:.3f} / "
                     f"{rules[f'{part}_recall']:.3f} | |")
    return lines


def section() -> list[str]:
    """The markdown section for bench/run.py."""
    return markdown(run())


if __name__ == "__main__":
    print("\n".join(section()))
