"""Small linear heads over the frozen encoder: sentiment, intent (complaint/praise/other) and outage report."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from classifiers.base import SENTIMENTS
from classifiers.model_features import N_FEATURES, NGRAM_FEATURES, RULE_NAMES, ngram_rows, rule_features

HEAD_CLASSES: dict[str, tuple[str, ...]] = {
    "sentiment": SENTIMENTS,
    "intent": ("complaint", "praise", "other"),
    "outage": ("no", "yes"),
}
LANGUAGE_HEADS = ("it", "es", "pt", "de", "fr")
"""Languages with a sentiment head of their own (`sentiment_it`, ...), trained on their rows alone; every other
non-English text goes to `sentiment_xx`, trained on all non-English rows; English keeps the shared `sentiment`."""
OTHER_LANGUAGES = "xx"
WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
DEFAULT_HEADS = WEIGHTS_DIR / "heads.npz"
MULTILINGUAL_HEADS = WEIGHTS_DIR / "multilingual" / "heads.npz"
"""Heads (and adapter.npz beside them) for the multilingual-e5-small encoder of `classifiers.e5_import`."""
Features = tuple[list[tuple[np.ndarray, np.ndarray]], np.ndarray]
"""What the heads read besides the embedding: (n-gram rows, rule features)."""


class HeadsMismatchError(ValueError):
    """The heads were trained on embeddings of another size (another encoder)."""


@dataclass(slots=True)
class Head:
    """One linear head: logits = emb @ w_emb + ngrams @ w_ngram + rules @ w_rules + bias, then / temperature."""

    classes: tuple[str, ...]
    w_emb: np.ndarray
    w_ngram: np.ndarray
    w_rules: np.ndarray
    bias: np.ndarray
    temperature: float = 1.0

    def logits(self, emb: np.ndarray, grams: list[tuple[np.ndarray, np.ndarray]], rules: np.ndarray) -> np.ndarray:
        """Raw logits, one row per text."""
        out = emb @ self.w_emb + rules @ self.w_rules + self.bias
        for i, (index, values) in enumerate(grams):
            if len(index):
                out[i] += values @ self.w_ngram[index]
        return out / self.temperature


def family(name: str) -> str:
    """The task a head serves, by its name (`sentiment_it` serves `sentiment`)."""
    return name.partition("_")[0]


def classes_of(name: str) -> tuple[str, ...]:
    """The classes of a head by its name (`sentiment_it` has the sentiment classes)."""
    return HEAD_CLASSES[family(name)]


def sentiment_head(lang: str | None, names: set[str] | dict[str, Head]) -> str:
    """Which sentiment head judges a text in `lang`: its own, the non-English one, or the shared one."""
    if not lang or lang == "en":
        return "sentiment"
    for name in (f"sentiment_{lang}", f"sentiment_{OTHER_LANGUAGES}"):
        if name in names:
            return name
    return "sentiment"


def softmax_rows(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax."""
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def quantize(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 weights and a float32 scale per column (symmetric: the largest weight of a column maps to 127)."""
    scale = (np.abs(weights).max(axis=0) / 127).astype(np.float32)
    return np.round(weights / np.where(scale > 0, scale, 1)).astype(np.int8), scale


def _ngram_weights(data: np.lib.npyio.NpzFile, name: str) -> np.ndarray:
    """A head's n-gram weights as float32, from int8 and scales (or float16, as older files keep them)."""
    if f"{name}.w_ngram_q" in data:
        return data[f"{name}.w_ngram_q"].astype(np.float32) * data[f"{name}.w_ngram_scale"]
    return data[f"{name}.w_ngram"].astype(np.float32)


@dataclass(slots=True)
class Heads:
    """The trained heads, the idf they were trained with, and which encoder produced their embeddings."""

    encoder: str
    dim: int
    version: str
    idf: np.ndarray
    heads: dict[str, Head] = field(default_factory=dict)
    info: dict[str, object] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """Encoder and heads version, as Classification.model shows them."""
        return f"{self.encoder}+heads-{self.version}"

    def predict(self, emb: np.ndarray, keys: list[str], texts: list[str], langs: list[str] | None = None
                ) -> dict[str, np.ndarray]:
        """Probabilities per head (n x classes), from embeddings, normalised texts (n-grams) and raw texts (rules)."""
        if emb.shape[1] != self.dim:
            raise HeadsMismatchError(f"heads were trained on {self.dim}-dimensional embeddings ({self.encoder}), "
                                     f"the encoder gives {emb.shape[1]}: retrain them with python -m classifiers.train")
        return self.predict_features(emb, self.features(keys, texts), langs)

    def features(self, keys: list[str], texts: list[str]) -> Features:
        """The inputs besides the embedding: n-gram rows of the normalised texts and rule features of the raw ones."""
        return ngram_rows(keys, self.idf), rule_features(texts)

    def predict_features(self, emb: np.ndarray, features: Features, langs: list[str] | None = None
                         ) -> dict[str, np.ndarray]:
        """Probabilities of the sentiment, intent and outage heads from embeddings and the output of `features` for
        the same texts; with `langs`, each text's sentiment comes from the head for its language."""
        grams, rules = features
        out = {name: softmax_rows(self.heads[name].logits(emb, grams, rules)) for name in HEAD_CLASSES
               if name != "sentiment" or not langs}
        if langs:  # each sentiment head scores only its own rows
            routes: dict[str, list[int]] = {}
            for i, lang in enumerate(langs):
                routes.setdefault(sentiment_head(lang, self.heads), []).append(i)
            blocks = {name: softmax_rows(self.heads[name].logits(emb[rows], [grams[i] for i in rows], rules[rows]))
                      for name, rows in routes.items()}
            sentiment = np.empty((len(langs), len(SENTIMENTS)), dtype=np.result_type(*blocks.values()))
            for name, rows in routes.items():
                sentiment[rows] = blocks[name]
            out["sentiment"] = sentiment
        return out

    def save(self, path: Path) -> None:
        """Write every array to one compressed .npz (n-gram weights as int8 with a scale per class)."""
        meta = {"encoder": self.encoder, "dim": self.dim, "version": self.version, "info": self.info,
                "heads": {n: {"classes": list(h.classes), "temperature": h.temperature} for n, h in self.heads.items()}}
        arrays: dict[str, np.ndarray] = {"meta": np.array(json.dumps(meta)), "idf": self.idf.astype(np.float16)}
        for name, head in self.heads.items():
            arrays[f"{name}.w_emb"] = head.w_emb.astype(np.float32)
            arrays[f"{name}.w_ngram_q"], arrays[f"{name}.w_ngram_scale"] = quantize(head.w_ngram)
            arrays[f"{name}.w_rules"] = head.w_rules.astype(np.float32)
            arrays[f"{name}.bias"] = head.bias.astype(np.float32)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, **arrays)

    @classmethod
    def load(cls, path: Path = DEFAULT_HEADS) -> Heads:
        """Read heads written by `save`; a clear error when the file is missing or malformed."""
        if not Path(path).is_file():
            raise FileNotFoundError(f"no trained heads at {path}: run python -m classifiers.train")
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            heads = {}
            for name, spec in meta["heads"].items():
                heads[name] = Head(tuple(spec["classes"]), data[f"{name}.w_emb"], _ngram_weights(data, name),
                                   data[f"{name}.w_rules"], data[f"{name}.bias"], float(spec["temperature"]))
            idf = data["idf"].astype(np.float32)
        missing = set(HEAD_CLASSES) - set(heads)
        if missing:
            raise ValueError(f"{path} lacks the heads {sorted(missing)}")
        features = meta.get("info", {}).get("features", {}).get("ngrams")
        if len(idf) != N_FEATURES or any(h.w_rules.shape[0] != len(RULE_NAMES) for h in heads.values()) \
                or features != NGRAM_FEATURES:
            raise ValueError(f"{path} was written for other features ({features or 'unknown'}): retrain with "
                             "python -m classifiers.train")
        return cls(meta["encoder"], int(meta["dim"]), meta["version"], idf, heads, meta.get("info", {}))
