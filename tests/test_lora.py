"""LoRA adapters: a trained adapter, saved small and merged at load, gives the embeddings the wrapped model gave."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch

from classifiers.lora import (
    AdapterMismatchError,
    LoRALinear,
    add_adapters,
    read_adapter,
    save_adapter,
    strip_adapters,
    target_names,
)
from classifiers.transformer import TransformerEncoder, _load

TEXTS = ["the app is down again and nobody answers", "grazie, tutto risolto in fretta!", "ok"]


def _embed(model: torch.nn.Module, tokenizer: object, texts: list[str]) -> np.ndarray:
    enc = tokenizer(texts, padding=True, return_tensors="pt")  # type: ignore[operator]
    with torch.no_grad():
        hidden = model(**enc).last_hidden_state
    mask = enc["attention_mask"].unsqueeze(-1).float()
    pooled = (hidden * mask).sum(1) / mask.sum(1)
    return torch.nn.functional.normalize(pooled, dim=1).numpy()


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, np.ndarray, np.ndarray]:
    """A model with adapters whose B factors are random (as if trained), its embeddings, and the saved file."""
    torch.manual_seed(0)
    tokenizer, model, _ = _load(None)
    model.eval()
    plain = _embed(model, tokenizer, TEXTS)
    wrapped = add_adapters(model, rank=4, alpha=8.0, dropout=0.0)
    assert len(wrapped) == 6 * 6, "every block's q, k, v, attention output, intermediate and output linears"
    for module in model.modules():
        if isinstance(module, LoRALinear):
            torch.nn.init.normal_(module.b, std=0.02)
    adapted = _embed(model, tokenizer, TEXTS)
    path = tmp_path_factory.mktemp("adapter") / "adapter.npz"
    save_adapter(model, path, {"base": "all-MiniLM-L6-v2", "rank": 4})
    return path, plain, adapted


def test_adapters_train_only_the_low_rank_factors() -> None:
    _, model, _ = _load(None)
    total = sum(p.numel() for p in model.parameters())
    add_adapters(model, rank=8)
    trainable = [p for p in model.parameters() if p.requires_grad]
    assert 0 < sum(p.numel() for p in trainable) < total * 0.03
    assert not any("pooler" in name for name in target_names(model))


def test_merged_adapter_reproduces_the_wrapped_model(trained: tuple[Path, np.ndarray, np.ndarray]) -> None:
    path, plain, adapted = trained
    assert path.stat().st_size < 2_000_000
    assert float((plain * adapted).sum(1).min()) < 0.999, "the random factors must change the embeddings"
    encoder = TransformerEncoder(threads=1, dtype="float32", adapter=path, max_length=64)
    merged = encoder.embed_uncached(TEXTS)
    assert float((merged * adapted).sum(1).min()) > 0.999
    meta, _ = read_adapter(path)
    assert encoder.name == f"all-MiniLM-L6-v2+lora-{meta['digest']}"


def test_strip_adapters_merges_in_place() -> None:
    torch.manual_seed(1)
    tokenizer, model, _ = _load(None)
    model.eval()
    add_adapters(model, rank=2, dropout=0.0)
    for module in model.modules():
        if isinstance(module, LoRALinear):
            torch.nn.init.normal_(module.b, std=0.02)
    before = _embed(model, tokenizer, TEXTS)
    strip_adapters(model)
    assert not any(isinstance(m, LoRALinear) for m in model.modules())
    assert float((_embed(model, tokenizer, TEXTS) * before).sum(1).min()) > 0.9999


def test_adapter_for_another_encoder_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "adapter.npz"
    np.savez(bad, meta=np.array('{"digest": "x"}'), **{"encoder.layer.9.output.dense.a": np.zeros((2, 1536)),
                                                         "encoder.layer.9.output.dense.b": np.zeros((384, 2))})
    with pytest.raises(AdapterMismatchError, match="lacks"):
        TransformerEncoder(threads=1, adapter=bad)
    wrong_shape = tmp_path / "shape.npz"
    np.savez(wrong_shape, meta=np.array('{"digest": "y"}'), **{"encoder.layer.0.output.dense.a": np.zeros((2, 10)),
                                                                 "encoder.layer.0.output.dense.b": np.zeros((384, 2))})
    with pytest.raises(AdapterMismatchError, match="384x10"):
        TransformerEncoder(threads=1, adapter=wrong_shape)


def test_missing_or_corrupt_adapter_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"classifiers\.finetune"):
        TransformerEncoder(threads=1, adapter=tmp_path / "none.npz")
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip")
    with pytest.raises(AdapterMismatchError, match="not a readable adapter"):
        TransformerEncoder(threads=1, adapter=junk)
