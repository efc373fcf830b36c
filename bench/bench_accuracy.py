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
    del tiered
    multilingual = _multilingual()
    if isinstance(multilingual, str):
        results["multilingual_skipped"] = multilingual
    else:
        results["multilingual"], results["multilingual_model"] = evaluate(DATA, multilingual), multilingual.model
    results["seconds"] = time.perf_counter() - started
    return results


def _multilingual() -> Any:
    """The classifier over the multilingual encoder, or why it cannot be measured here."""
    from classifiers.model_heads import MULTILINGUAL_HEADS
    from classifiers.tiered import load_default_classifier
    from classifiers.transformer import MULTILINGUAL, ModelNotFoundError

    if not MULTILINGUAL_HEADS.exists():
        return f"{MULTILINGUAL_HEADS} is absent"
    try:
        return load_default_classifier(model=MULTILINGUAL, threads=2)
    except ModelNotFoundError as error:
        return str(error)


def markdown(results: dict[str, Any]) -> list[str]:
    """The accuracy table, with each target and whether it is met."""
    lines = ["## Classifier accuracy (held-out real data, `python -m classifiers.evaluate`)", ""]
    if "skipped" in results:
        return [*lines, f"Skipped: {results['skipped']}."]
    tiered, rules, multi = results["tiered"], results["rules"], results.get("multilingual")
    columns = [tiered, *([multi] if multi else []), rules]
    lines += [f"Default classifier `{results['model']}`"
              + (f"; multilingual `{results['multilingual_model']}` (`[classifier] model = \"multilingual-e5-small\"`)"
                 if multi else "") + ". The val splits and held-out days are never trained or tuned on.", "",
              f"| measure | tiered (default) |{' multilingual |' if multi else ''} rules tier alone | target |",
              f"|---|---|---|{'---|' if multi else ''}---|"]
    for key, label in ROWS:
        target = TARGETS.get(key)
        verdict = "" if target is None else f">= {target:.2f} ({_met(target, tiered[key], multi and multi[key])})"
        lines.append(f"| {label} | {' | '.join(f'{c[key]:.3f}' for c in columns)} | {verdict} |")
    per_lang = [" / ".join(f"{c[f'xlmt_{lang}_macro_f1']:.3f}" for lang in OTHER_LANGS) for c in columns[:-1]]
    lines.append(f"| XLM-T val macro F1, {' / '.join(OTHER_LANGS)} | {' | '.join(per_lang)} | | |")
    for part in ("outage_power", "outage_service"):
        cells = " | ".join(f"{c[f'{part}_precision']:.3f} / {c[f'{part}_recall']:.3f}" for c in columns)
        lines.append(f"| {part.replace('_', ' ')} subset: precision / recall | {cells} | |")
    if "multilingual_skipped" in results:
        lines += ["", f"Multilingual encoder not measured: {results['multilingual_skipped']}."]
    return lines


def _met(target: float, default: float, multilingual: float | None) -> str:
    """Whether the default classifier meets the target, and the multilingual one when it alone does."""
    if default >= target:
        return "met"
    return "met by multilingual" if multilingual is not None and multilingual >= target else "missed"


def section() -> list[str]:
    """The markdown section for bench/run.py."""
    return markdown(run())


if __name__ == "__main__":
    print("\n".join(section()))
