"""Low-rank adapters (LoRA) for the encoder's linear layers: trained small, shipped small, merged at load time."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

ADAPTER_FILE = "adapter.npz"


class AdapterMismatchError(ValueError):
    """The adapter file was trained for another encoder (layer names or shapes differ)."""


def _torch() -> Any:
    import torch

    return torch


def target_names(model: Any) -> list[str]:
    """Every linear layer inside the transformer blocks (attention and feed-forward), not the pooler."""
    nn = _torch().nn
    return [name for name, module in model.named_modules()
            if isinstance(module, nn.Linear) and ".layer." in f".{name}." and "pooler" not in name]


class LoRALinear(_torch().nn.Module):  # type: ignore[misc]
    """y = W x + b + (alpha / r) * B A x, with W and b frozen and A, B trained (B starts at zero)."""

    def __init__(self, base: Any, rank: int, alpha: float, dropout: float = 0.0) -> None:
        torch = _torch()
        super().__init__()
        self.base = base
        self.scale = alpha / rank
        self.a = torch.nn.Parameter(torch.empty(rank, base.in_features))
        self.b = torch.nn.Parameter(torch.zeros(base.out_features, rank))
        torch.nn.init.kaiming_uniform_(self.a, a=5 ** 0.5)
        self.dropout = torch.nn.Dropout(dropout) if dropout > 0 else torch.nn.Identity()

    def forward(self, x: Any) -> Any:
        """The frozen projection plus the low-rank update."""
        return self.base(x) + (self.dropout(x) @ self.a.T) @ self.b.T * self.scale


def _parent(model: Any, name: str) -> tuple[Any, str]:
    parent_name, _, child = name.rpartition(".")
    return (model.get_submodule(parent_name) if parent_name else model), child


def add_adapters(model: Any, rank: int = 8, alpha: float = 16.0, dropout: float = 0.05) -> list[str]:
    """Freeze the model and wrap its block linears in trainable LoRA layers; return the wrapped names."""
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    names = target_names(model)
    for name in names:
        parent, child = _parent(model, name)
        setattr(parent, child, LoRALinear(getattr(parent, child), rank, alpha, dropout))
    return names


def adapter_arrays(model: Any) -> dict[str, np.ndarray]:
    """The trained low-rank factors, folded with their scale into B, as float16 arrays keyed by layer name."""
    arrays: dict[str, np.ndarray] = {}
    for name, module in model.named_modules():
        if isinstance(module, LoRALinear):
            arrays[f"{name}.a"] = module.a.detach().float().numpy().astype(np.float16)
            arrays[f"{name}.b"] = (module.b.detach().float() * module.scale).numpy().astype(np.float16)
    return arrays


def save_adapter(model: Any, path: Path, info: dict[str, Any]) -> str:
    """Write the adapter (compressed .npz with a JSON meta entry); return its content digest."""
    arrays = adapter_arrays(model)
    digest = adapter_digest(arrays)
    meta = {**info, "digest": digest, "layers": sorted({k.rsplit(".", 1)[0] for k in arrays})}
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, meta=np.array(json.dumps(meta)), **arrays)
    return digest


def adapter_digest(arrays: dict[str, np.ndarray]) -> str:
    """A short digest of the factors, so heads can name the exact adapter they were trained over."""
    h = hashlib.sha1()
    for key in sorted(arrays):
        h.update(key.encode())
        h.update(np.ascontiguousarray(arrays[key]).tobytes())
    return h.hexdigest()[:12]


def read_adapter(path: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Meta and factors of an adapter file; a clear error when it is missing or malformed."""
    if not Path(path).is_file():
        raise FileNotFoundError(f"no adapter at {path}: run python -m classifiers.finetune")
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            arrays = {k: data[k] for k in data.files if k != "meta"}
    except (ValueError, KeyError, OSError) as error:
        raise AdapterMismatchError(f"{path} is not a readable adapter file: {error}") from error
    return meta, arrays


def merge_adapter(model: Any, arrays: dict[str, np.ndarray]) -> int:
    """Add B A into each named linear's weight in place (no extra cost at inference); return layers merged."""
    torch = _torch()
    layers = sorted({k.rsplit(".", 1)[0] for k in arrays})
    with torch.no_grad():
        for name in layers:
            try:
                linear = model.get_submodule(name)
            except AttributeError:
                raise AdapterMismatchError(f"the adapter names layer {name!r}, which this encoder lacks") from None
            a = torch.from_numpy(arrays[f"{name}.a"].astype(np.float32))
            b = torch.from_numpy(arrays[f"{name}.b"].astype(np.float32))
            if tuple(linear.weight.shape) != (b.shape[0], a.shape[1]):
                raise AdapterMismatchError(f"adapter layer {name!r} is {b.shape[0]}x{a.shape[1]}, "
                                           f"the encoder's is {tuple(linear.weight.shape)}")
            linear.weight += (b @ a).to(linear.weight.dtype)
    return len(layers)


def strip_adapters(model: Any) -> None:
    """Replace every LoRA wrapper by its base linear with the update merged (for evaluating a trained model)."""
    torch = _torch()
    for name, module in list(model.named_modules()):
        if isinstance(module, LoRALinear):
            with torch.no_grad():
                module.base.weight += (module.b @ module.a) * module.scale
            parent, child = _parent(model, name)
            setattr(parent, child, module.base)
