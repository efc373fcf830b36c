"""The fast rules tier: multilingual phrase rules and a sentiment lexicon, with scores a later tier can combine."""

from __future__ import annotations

import math

from classifiers.base import LABELS, SENTIMENTS, Classification
from classifiers.evidence import STRONG_OUTAGE, Evidence, evidence_of, gather
from classifiers.lang import UNDETERMINED, language_scores, pick_language
from classifiers.lang_data import LANGS
from classifiers.outage_patterns import OUTAGE_PATTERNS
from classifiers.textnorm import Prepared, prepare
from classifiers.topics import TopicRouter

__all__ = ["OUTAGE_PATTERNS", "STRONG_OUTAGE", "RulesClassifier", "normalize_hint", "rule_evidence", "softmax"]

OTHER_PRIOR = 1.0
NEUTRAL_PRIOR = 1.1
SENTIMENT_GAIN = 0.9
_PUNCT = frozenset(".,;:!?")
_HINT_IGNORED = frozenset({"und", "zxx", "mul", "mis", "qme", "qht", "qam", "qct", "qst", "art", "xx", ""})


def rule_evidence(text: str) -> dict[str, float]:
    """Evidence (>= 0) per label from the rules alone, and for a recovery; outage >= STRONG_OUTAGE means an
    unmistakable report."""
    try:
        return evidence_of(text).as_dict()
    except Exception:  # rules must never take the pipeline down
        return Evidence().as_dict()


def softmax(logits: dict[str, float]) -> dict[str, float]:
    """Probabilities from logits, summing to 1."""
    names, probabilities = _softmax(list(logits), list(logits.values()))
    return dict(zip(names, probabilities, strict=True))


def _softmax(names: list[str] | tuple[str, ...], logits: list[float]) -> tuple[list[str] | tuple[str, ...],
                                                                               list[float]]:
    """Names and their probabilities from logits in the same order."""
    top = max(logits)
    exps = [math.exp(value - top) for value in logits]
    total = sum(exps)
    return names, [value / total for value in exps]


def _label_logits(evidence: Evidence) -> list[float]:
    """Rule evidence per label in LABELS order, with a prior favouring "other"; a recovery vetoes an outage."""
    outage = 0.0 if evidence.recovered else evidence.outage
    return [evidence.complaint, evidence.praise, outage, evidence.question, OTHER_PRIOR]


def _sentiment_logits(evidence: Evidence) -> list[float]:
    """Lexicon polarity in SENTIMENTS order, nudged by what the label rules found (an outage report is bad news)."""
    negative = evidence.negative + 0.5 * min(evidence.outage, 3.0) + 0.35 * min(evidence.complaint, 3.0)
    positive = evidence.positive + 0.2 * min(evidence.praise, 3.0)
    return [SENTIMENT_GAIN * negative, NEUTRAL_PRIOR, SENTIMENT_GAIN * positive]


def _verdict(names: tuple[str, ...], logits: list[float]) -> tuple[str, dict[str, float]]:
    """The winning name (first on ties) and the probabilities of all names."""
    _, probabilities = _softmax(names, logits)
    return names[probabilities.index(max(probabilities))], dict(zip(names, probabilities, strict=True))


def normalize_hint(hint: object) -> str | None:
    """A source's language tag as a lowercase primary subtag ("en-US" -> "en"), or None when unusable."""
    if not isinstance(hint, str):
        return None
    primary = hint.strip().replace("_", "-").split("-", 1)[0].lower()
    if primary in _HINT_IGNORED or not (2 <= len(primary) <= 3) or not primary.isalpha() or not primary.isascii():
        return None
    return primary


def _language(prepared: Prepared, hint: str | None) -> str:
    """The hint when it is plausible for the text, else the detected language."""
    words = len(prepared.tokens) - sum(map(_PUNCT.__contains__, prepared.tokens))
    if not words and not prepared.raw.strip():
        return UNDETERMINED
    scores = language_scores(prepared.tokens, prepared.raw, prepared.word_text)
    detected = pick_language(scores, words) if words else UNDETERMINED
    if hint is None:
        return detected
    if detected in (UNDETERMINED, hint):
        return hint
    best = max(scores)
    hint_score = scores[LANGS.index(hint)] if hint in LANGS else 0.0
    # The tag loses only to strong, clear evidence for another language the detector knows.
    return detected if best >= 3.0 and hint_score < 0.3 * best else hint


class RulesClassifier:
    """Label, sentiment, language and topic from precompiled rules; fast enough for every mention."""

    name = "rules"

    def __init__(self, topics: dict[str, list[str]] | None = None) -> None:
        self.router = TopicRouter(topics) if topics is not None else TopicRouter()

    def classify(self, text: str, lang_hint: str | None = None) -> Classification:
        """Classify one text; never raises."""
        try:
            return self._classify(text, lang_hint)
        except Exception:  # a verdict of "other" beats a crashed pipeline
            return _fallback()

    def classify_batch(self, texts: list[str], lang_hints: list[str | None] | None = None) -> list[Classification]:
        """Classify texts in order; a missing or short hints list means no hint for the rest."""
        hints = list(lang_hints or [])
        return [self.classify(text, hints[i] if i < len(hints) else None) for i, text in enumerate(texts)]

    def _classify(self, text: str, lang_hint: str | None) -> Classification:
        """Classify one text (may raise on a bug; `classify` guards it)."""
        prepared = prepare(text)
        evidence = evidence_of(text) if isinstance(text, str) else gather(prepared)
        label, scores = _verdict(LABELS, _label_logits(evidence))
        sentiment, sentiment_scores = _verdict(SENTIMENTS, _sentiment_logits(evidence))
        lang = _language(prepared, normalize_hint(lang_hint))
        topic = self.router.route_folded(prepared.word_text) if prepared.word_text.strip() else None
        return Classification(label=label, sentiment=sentiment, lang=lang, topic=topic, scores=scores,
                              sentiment_scores=sentiment_scores, model="rules", recovery=evidence.recovered)


def _fallback() -> Classification:
    """The verdict for a text the rules could not read."""
    label, scores = _verdict(LABELS, _label_logits(Evidence()))
    sentiment, sentiment_scores = _verdict(SENTIMENTS, _sentiment_logits(Evidence()))
    return Classification(label=label, sentiment=sentiment, lang=UNDETERMINED, topic=None, scores=scores,
                          sentiment_scores=sentiment_scores, model="rules")

