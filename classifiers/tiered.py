"""Two tiers: rules evidence first, then transformer heads in batches; one verdict per mention, cached for reposts."""

from __future__ import annotations

import logging
import math
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from classifiers.base import LABELS, SENTIMENTS, Classification
from classifiers.evidence import STRONG_OUTAGE, recovered
from classifiers.lora import ADAPTER_FILE
from classifiers.model_heads import DEFAULT_HEADS, MULTILINGUAL_HEADS, Heads, HeadsMismatchError
from classifiers.rules import RulesClassifier, normalize_hint, rule_evidence
from classifiers.textnorm import safe_text
from classifiers.transformer import MULTILINGUAL, TransformerEncoder, cache_key

log = logging.getLogger(__name__)

VERDICT_CACHE = 20_000
OUTAGE_FLOOR = 0.9
"""An unmistakable outage phrase (rules evidence >= STRONG_OUTAGE) lifts the outage score to at least this..."""
OUTAGE_DOUBT = 0.4
"""...unless the outage head is confident it is no report (a forecast, advice, a restored service). Chosen on
training rows only: 5-fold cross-validation of the outage head (train.py's settings) on the 600 hand-labeled training
power tweets (outage_hand_train) and our symptom examples split by sentence, counting a row as called an outage when
p >= 0.5 or (strong rules phrase and p >= doubt). Hand-labeled P / R: doubt 0.25 -> 0.727 / 0.948, 0.35 -> 0.754 /
0.944, 0.4 -> 0.768 / 0.940, 0.45 -> 0.786 / 0.936, 0.5 -> 0.796 / 0.933 (where the raise no longer changes a
label); symptom examples about 0.85 / 0.86 throughout (almost every power tweet says "power outage", which the
rules call unmistakable). 0.4 keeps the raise for a head that is unsure rather than doubtful."""
QUESTION_CENTER, QUESTION_SLOPE = 1.5, 2.0
PRAISE_VETO = 2.0
"""Rules praise evidence this strong, with no outage phrase at all, caps the model's outage score at 0.5."""
RECOVERY_CAP = 0.3
"""A recovery phrase that outweighs every outage phrase ("back up now") caps the model's outage score here."""


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def combine(model: dict[str, np.ndarray], evidence: dict[str, float], blank: bool = False) -> dict[str, float]:
    """Five label scores summing to 1 from one text's head probabilities and rules evidence (raise and veto)."""
    if blank:
        return {label: (1.0 if label == "other" else 0.0) for label in LABELS}
    outage = float(model["outage"][1])
    if evidence["outage"] >= STRONG_OUTAGE and outage >= OUTAGE_DOUBT:
        outage = max(outage, OUTAGE_FLOOR)
    elif evidence["outage"] == 0.0 and evidence["praise"] >= PRAISE_VETO:
        outage = min(outage, 0.5)
    if recovered(evidence):  # "back up now": about an outage, but not a report of one
        outage = min(outage, RECOVERY_CAP)
    complaint, praise, other = (float(x) for x in model["intent"])
    question = _sigmoid(QUESTION_SLOPE * (evidence["question"] - QUESTION_CENTER)) if evidence["question"] else 0.0
    question *= 1.0 - 0.5 * complaint
    rest = (1.0 - outage) * (1.0 - question)
    scores = {"complaint": rest * complaint, "praise": rest * praise, "outage": outage,
              "question": (1.0 - outage) * question, "other": rest * other}
    total = sum(scores.values())
    return {label: scores[label] / total for label in LABELS}


class TieredClassifier:
    """Rules evidence and transformer heads combined; implements the Classifier protocol."""

    name = "tiered"

    def __init__(self, encoder: TransformerEncoder, heads: Heads, topics: dict[str, list[str]] | None = None,
                 rules: RulesClassifier | None = None, cache_size: int = VERDICT_CACHE) -> None:
        if heads.dim != encoder.dim:
            raise HeadsMismatchError(
                f"the heads were trained on {heads.dim}-dimensional embeddings of {heads.encoder}, but the encoder "
                f"{encoder.name} gives {encoder.dim}: retrain them with python -m classifiers.train")
        if heads.encoder != encoder.name:
            log.warning("heads were trained on %s, the encoder is %s", heads.encoder, encoder.name)
        self.encoder, self.heads = encoder, heads
        self.rules = rules if rules is not None else RulesClassifier(topics)
        self.model = heads.name
        self.cache_size = cache_size
        self._cache: OrderedDict[tuple[str, str | None], Classification] = OrderedDict()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="encoder")

    def classify_batch(self, texts: list[str], lang_hints: list[str | None] | None = None) -> list[Classification]:
        """Classify texts in order; repeated texts and reposts reuse the first verdict."""
        hints = list(lang_hints or [])
        clean = [safe_text(t) for t in texts]
        keys = [(cache_key(t), normalize_hint(hints[i] if i < len(hints) else None)) for i, t in enumerate(clean)]
        out: list[Classification | None] = [None] * len(clean)
        todo: dict[tuple[str, str | None], list[int]] = {}
        with self._lock:
            for i, key in enumerate(keys):
                hit = self._cache.get(key)
                if hit is not None:
                    self._cache.move_to_end(key)
                    out[i] = _copy(hit)
                else:
                    todo.setdefault(key, []).append(i)
        if todo:
            first = [positions[0] for positions in todo.values()]
            fresh = self._classify([clean[i] for i in first], [keys[i][1] for i in first])
            with self._lock:
                for key, verdict in zip(todo, fresh, strict=True):
                    for i in todo[key]:
                        out[i] = _copy(verdict)
                    if self.cache_size:
                        self._cache[key] = verdict
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return [verdict for verdict in out if verdict is not None]

    def explain(self, texts: list[str]) -> list[dict[str, object]]:
        """Per text: the heads' own probabilities, the rules' evidence and verdict, and the combined scores."""
        clean = [safe_text(t) for t in texts]
        ruled = self.rules.classify_batch(clean)
        model = self._model_scores(clean, [r.lang for r in ruled])
        result = []
        for i, text in enumerate(clean):
            evidence = rule_evidence(text)
            heads = {name: dict(zip(self.heads.heads[name].classes, (float(p) for p in probs[i]), strict=True))
                     for name, probs in model.items()}
            result.append({"model": heads, "rules": {"evidence": evidence, "scores": ruled[i].scores,
                                                     "sentiment_scores": ruled[i].sentiment_scores},
                           "scores": combine({n: p[i] for n, p in model.items()}, evidence, not text.strip())})
        return result

    def _model_scores(self, texts: list[str], langs: list[str]) -> dict[str, np.ndarray]:
        embeddings = self.encoder.encode(texts)
        return self.heads.predict(embeddings, [cache_key(t) for t in texts], texts, langs)

    def _classify(self, texts: list[str], hints: list[str | None]) -> list[Classification]:
        # The encoder releases the GIL while it runs: the Python-bound rules and n-grams overlap with it.
        encoding = self._pool.submit(self.encoder.encode, texts)
        try:
            features = self.heads.features([cache_key(t) for t in texts], texts)
            ruled = self.rules.classify_batch(texts, hints)
        finally:
            embeddings = encoding.result()
        model = self.heads.predict_features(embeddings, features, [r.lang for r in ruled])
        verdicts = []
        for i, text in enumerate(texts):
            scores = combine({n: p[i] for n, p in model.items()}, rule_evidence(text), not text.strip())
            sentiment_scores = {s: float(p) for s, p in zip(SENTIMENTS, model["sentiment"][i], strict=True)}
            verdicts.append(Classification(
                label=max(LABELS, key=scores.__getitem__), sentiment=max(SENTIMENTS, key=sentiment_scores.__getitem__),
                lang=ruled[i].lang, topic=ruled[i].topic, scores=scores, sentiment_scores=sentiment_scores,
                model=self.model, recovery=ruled[i].recovery))
        return verdicts


def _copy(verdict: Classification) -> Classification:
    return Classification(verdict.label, verdict.sentiment, verdict.lang, verdict.topic, dict(verdict.scores),
                          dict(verdict.sentiment_scores), verdict.model, verdict.recovery)


def load_default_classifier(topics: dict[str, list[str]] | None = None, model: str | Path | None = None,
                            heads: Path = DEFAULT_HEADS, threads: int | None = None,
                            backend: str = "auto") -> TieredClassifier:
    """The shipped heads over the default (or configured) encoder; a clear error when they do not fit it."""
    if str(model) == MULTILINGUAL and Path(heads) == DEFAULT_HEADS:
        heads = MULTILINGUAL_HEADS  # the multilingual encoder has heads (and an adapter) of its own
    loaded = Heads.load(heads)
    adapter = loaded.info.get("adapter")
    # The adapter beside the heads, unless a configured encoder meets the shipped heads (trained for another one).
    path = Path(heads).parent / ADAPTER_FILE if adapter and (model is None or Path(heads) != DEFAULT_HEADS) else None
    encoder = TransformerEncoder(model, threads=threads, adapter=path, backend=backend)
    if path is not None and encoder.adapter != adapter:
        raise HeadsMismatchError(f"the heads in {heads} were trained over adapter {adapter}, but {path} is "
                                 f"{encoder.adapter}: rerun python -m classifiers.finetune")
    return TieredClassifier(encoder, loaded, topics)
