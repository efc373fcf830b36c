"""The encoder through ONNX Runtime (float32, or int8 weights): exported once from the loaded model, cached on disk."""

from __future__ import annotations

import hashlib
import logging
import threading
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)
_EXPORT_LOCK = threading.Lock()
FORMAT = "1"
"""Bumped when the exported graph changes (inputs, pooling), so old cached files are not reused."""


class OnnxUnavailableError(RuntimeError):
    """ONNX Runtime (or the exporter's `onnx` package) is not installed."""


def available() -> bool:
    """True when onnxruntime and onnx can be imported."""
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def cache_dir() -> Path:
    """Where exported graphs are kept: $BRAND_MONITOR_CACHE/onnx or ~/.cache/brand-monitor/onnx."""
    from classifiers.transformer import cache_root

    return cache_root() / "onnx"


def weights_digest(model: Any) -> str:
    """A digest of every parameter (after any adapter was merged): the cache key of the exported graph."""
    h = hashlib.sha1(FORMAT.encode())
    for name, tensor in sorted(model.state_dict().items()):
        h.update(name.encode())
        h.update(tensor.detach().float().contiguous().numpy().tobytes())
    return h.hexdigest()[:16]


def _pooled(model: Any) -> Any:
    """The model plus masked mean pooling and L2 normalisation, as one exportable module."""
    import torch

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            hidden = self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)
            return torch.nn.functional.normalize(pooled, p=2.0, dim=1)

    return Pooled().eval()


def export(model: Any, path: Path, quantize: bool) -> None:
    """Export the float32 model with pooling to ONNX, then (if asked) quantise its weights to int8 per channel."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    path.parent.mkdir(parents=True, exist_ok=True)
    plain = path.with_suffix(".fp32.onnx")
    ids = torch.ones((2, 8), dtype=torch.long)
    mask = torch.ones((2, 8), dtype=torch.long)
    model = model.float()
    with torch.no_grad():
        torch.onnx.export(_pooled(model), (ids, mask), str(plain), input_names=["input_ids", "attention_mask"],
                          output_names=["embedding"], opset_version=17, dynamo=False,
                          dynamic_axes={"input_ids": {0: "batch", 1: "tokens"},
                                        "attention_mask": {0: "batch", 1: "tokens"}, "embedding": {0: "batch"}})
    partial = path.with_suffix(".partial")
    if quantize:
        quantize_dynamic(str(plain), str(partial), weight_type=QuantType.QInt8, per_channel=True)
        plain.unlink(missing_ok=True)
    else:
        plain.replace(partial)
    partial.replace(path)  # atomic: a crash mid-export never leaves a truncated graph under the final name


class OnnxEncoder:
    """Runs padded id/mask batches through the exported graph and returns unit-length pooled embeddings."""

    def __init__(self, model: Any, threads: int, directory: Path | None = None, quantize: bool = True) -> None:
        if not available():
            raise OnnxUnavailableError("the onnx backend needs the onnxruntime and onnx packages")
        import onnxruntime as ort

        digest = weights_digest(model)
        self.path = (directory or cache_dir()) / f"encoder-{digest}-{'int8' if quantize else 'fp32'}.onnx"
        with _EXPORT_LOCK:
            if not self.path.is_file():
                log.info("exporting the encoder to %s (once per model)", self.path)
                export(model, self.path, quantize)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            self.session = ort.InferenceSession(str(self.path), options, providers=["CPUExecutionProvider"])
        except Exception as error:  # a damaged cache file: export again once
            log.warning("cached graph %s unreadable (%s); exporting again", self.path, error)
            self.path.unlink(missing_ok=True)
            export(model, self.path, quantize)
            self.session = ort.InferenceSession(str(self.path), options, providers=["CPUExecutionProvider"])

    def __call__(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        """Embeddings (n x dim, float32) of one padded batch."""
        out = self.session.run(None, {"input_ids": input_ids.astype(np.int64),
                                      "attention_mask": attention_mask.astype(np.int64)})[0]
        return np.asarray(out, dtype=np.float32)
