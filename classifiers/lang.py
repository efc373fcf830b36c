"""Fast language identification for short social texts: en, it, es, fr, de, pt, or "und"."""

from __future__ import annotations

import re

from classifiers.lang_data import BOOST, CLUSTERS, ENDINGS, LANGS, LETTERS, SHARED, WORDS
from classifiers.textnorm import TOKEN, fold, safe_text, strip_handles, strip_urls

UNDETERMINED = "und"
MIN_SCORE = 0.8
MIN_MARGIN = 0.3
DECISIVE = 3.0
"""Word evidence this strong (and three times the runner-up's) settles the language without letter clusters."""
_N = len(LANGS)
_POS = {lang: i for i, lang in enumerate(LANGS)}
_IT = _POS["it"]
_PT = _POS["pt"]
Weights = tuple[tuple[int, float], ...]


def _build_words() -> dict[str, Weights]:
    """Index every listed word (folded) to the languages that use it, shared words split evenly."""
    users: dict[str, set[str]] = {}
    for lang, words in WORDS.items():
        for word in words.split():
            users.setdefault(fold(word), set()).add(lang)
    for word, langs in SHARED.items():
        users.setdefault(fold(word), set()).update(langs.split())
    weights: dict[str, dict[int, float]] = {
        word: {_POS[lang]: 1.0 / len(langs) for lang in sorted(langs)} for word, langs in users.items()}
    for word, lang, extra in BOOST:
        slot = weights.setdefault(fold(word), {})
        slot[_POS[lang]] = slot.get(_POS[lang], 0.0) + extra
    for tail in ("'s", "'m", "'re", "'ll", "'ve", "'d", "'t"):
        weights[tail] = {_POS["en"]: 0.8}
    for elided in ("e'", "perche'", "piu'", "gia'", "puo'", "cosi'", "po'"):
        weights[elided] = {_POS["it"]: 1.0}
    return {word: tuple(slot.items()) for word, slot in weights.items()}


def _build(table: dict[str, tuple[tuple[str, float], ...]]) -> dict[str, Weights]:
    """Turn (language, weight) pairs into (slot, weight) pairs."""
    return {key: tuple((_POS[lang], w) for lang, w in pairs) for key, pairs in table.items() if pairs}


_WORDS = _build_words()
_UNKNOWN: dict[str, Weights] = {mark: () for mark in ".,;:!?"}
_UNKNOWN_LIMIT = 200_000
_LETTERS = _build(LETTERS)
_LETTER_SET = frozenset(LETTERS)
_ENDINGS = _build(ENDINGS)
_ENDING_SIZES = tuple(sorted({len(k) for k in ENDINGS}, reverse=True))
_CLUSTERS = _build(CLUSTERS)
_CLUSTER_RE = re.compile("|".join(sorted(map(re.escape, CLUSTERS), key=len, reverse=True)))
_IT_FINAL_GRAVE = re.compile(r"(?<=[^\W\d_])[àèìòù](?![^\W\d_])")
_IT_E_GRAVE = re.compile(r"(?<![^\W\d_])è(?![^\W\d_])")
_PT_E_ACUTE = re.compile(r"(?<![^\W\d_])é(?![^\W\d_])")


def _unknown_weights(token: str) -> Weights:
    """Evidence of a token the word lists do not hold (elision parts or its ending), remembered per token."""
    out: dict[int, float] = {}
    if "'" in token:
        head, _, tail = token.partition("'")
        for part in (head + "'", "'" + tail, tail):
            for slot, weight in _WORDS.get(part, ()):
                out[slot] = out.get(slot, 0.0) + 0.8 * weight
    elif len(token) > 3:
        for ending in _ENDING_SIZES:
            hit = _ENDINGS.get(token[-ending:]) if ending < len(token) else None
            if hit is not None:
                out = dict(hit)
                break
    weights = tuple(out.items())
    if len(_UNKNOWN) < _UNKNOWN_LIMIT:
        _UNKNOWN[token] = weights
    return weights


def language_scores(tokens: list[str], raw: str, word_text: str) -> list[float]:
    """Evidence per language (in LANGS order) from folded tokens, the raw text's letters and letter clusters."""
    scores = [0.0] * _N
    known, unknown = _WORDS.get, _UNKNOWN.get
    for token in tokens:
        hit = known(token)
        if hit is None:
            hit = unknown(token)
            if hit is None:
                hit = _unknown_weights(token)
        for slot, weight in hit:
            scores[slot] += weight
    ranked = sorted(scores)
    if ranked[-1] >= DECISIVE and ranked[-1] >= 3 * ranked[-2]:
        return scores
    for cluster in _CLUSTER_RE.findall(word_text):
        for slot, weight in _CLUSTERS[cluster]:
            scores[slot] += weight
    if not raw.isascii():
        lower = raw.lower()
        for letter in sorted(_LETTER_SET.intersection(lower)):  # a fixed order: float sums, hence ties, repeat
            for slot, weight in _LETTERS[letter]:
                scores[slot] += weight
        if "è" in lower:
            scores[_IT] += 1.5 * min(2, len(_IT_E_GRAVE.findall(lower)))
        scores[_IT] += 0.8 * min(3, len(_IT_FINAL_GRAVE.findall(lower)))
        if "é" in lower and _PT_E_ACUTE.search(lower):
            scores[_PT] += 1.2
    return scores


def pick_language(scores: list[float], words: int) -> str:
    """The best language when it is clear enough, else "und"."""
    ranked = sorted(scores)
    top, runner = ranked[-1], ranked[-2]
    if top < MIN_SCORE or top - runner < MIN_MARGIN or (words >= 6 and top < 0.15 * words):
        return UNDETERMINED
    return LANGS[scores.index(top)]


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language among en, it, es, fr, de, pt, or "und" when unclear."""
    try:
        raw = safe_text(text)
        if "/" in raw or "www" in raw:
            raw = strip_urls(raw)
        words_text = fold(raw)
        if "@" in words_text:
            words_text = strip_handles(words_text)
        tokens = TOKEN.findall(words_text)
        words = sum(1 for t in tokens if t.isalpha())
        if not words:
            return UNDETERMINED
        return pick_language(language_scores(tokens, raw, words_text), words)
    except Exception:  # a detector must never take the pipeline down
        return UNDETERMINED
