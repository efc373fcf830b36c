"""The transformer encoder: loading, length batching, the repost cache and hostile input."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from classifiers.transformer import ModelNotFoundError, TransformerEncoder, cache_key, default_model_dir

TEXTS = [
    "The app is down again, nothing loads since this morning and support does not answer",
    "ok",
    "Grazie mille, servizio fantastico!",
    "Is the website down for anyone else? I keep getting error 503 when I try to pay my bill online today",
    "l'app non funziona da stamattina",
]


@pytest.fixture(scope="module")
def encoder() -> TransformerEncoder:
    """One encoder for the module: loading it takes about a second."""
    return TransformerEncoder(threads=1, batch_size=2)


def test_loads_from_package_dir(encoder: TransformerEncoder) -> None:
    assert default_model_dir().is_dir()
    vectors = encoder.encode(["hello world"])
    assert vectors.shape == (1, encoder.dim) == (1, 384)
    assert np.isclose(np.linalg.norm(vectors[0]), 1.0, atol=1e-3)


def test_loads_from_configured_directory(tmp_path: Path, encoder: TransformerEncoder) -> None:
    local = tmp_path / "my-encoder"
    local.symlink_to(default_model_dir(), target_is_directory=True)
    other = TransformerEncoder(local, threads=1)
    assert other.name == "my-encoder"
    np.testing.assert_allclose(other.encode(TEXTS[:2]), encoder.encode(TEXTS[:2]), atol=2e-3)


def test_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="nowhere"):
        TransformerEncoder(tmp_path / "nowhere")


def test_missing_hub_model_names_the_model() -> None:
    with pytest.raises(ModelNotFoundError, match="acme/no-such-model-here"):
        TransformerEncoder("acme/no-such-model-here")


def test_length_batches_match_one_by_one(encoder: TransformerEncoder) -> None:
    batched = encoder.embed_uncached(TEXTS)
    single = np.vstack([encoder.embed_uncached([text]) for text in TEXTS])
    np.testing.assert_allclose(batched, single, atol=5e-3)
    assert np.all((batched * single).sum(1) > 0.999)


def test_cache_serves_reposts_and_variants_without_encoding(encoder: TransformerEncoder) -> None:
    encoder.clear_cache()
    base = "Checkout is broken, card payments fail every time"
    first = encoder.encode([base])
    calls = encoder.encoded_texts
    variants = [f"RT @someone: {base}", f"  {base.upper()}  ", base.replace(" ", "   "),
                f"{base} https://t.co/abc123", f"rt @a: RT @b: {base}"]
    again = encoder.encode(variants)
    assert encoder.encoded_texts == calls
    for row in again:
        np.testing.assert_array_equal(row, first[0])
    assert cache_key(variants[0]) == cache_key(base)


def test_spike_of_duplicates_encodes_each_text_once(encoder: TransformerEncoder) -> None:
    encoder.clear_cache()
    before = encoder.encoded_texts
    spike = [f"RT @user{i}: the app is down" for i in range(500)] + ["the app is down"] * 500
    vectors = encoder.encode(spike)
    assert encoder.encoded_texts - before == 1
    assert np.all(vectors == vectors[0])


def test_cache_is_bounded() -> None:
    small = TransformerEncoder(threads=1, cache_size=3)
    small.encode([f"text number {i}" for i in range(10)])
    assert len(small) == 3


@pytest.mark.parametrize("text", ["", "   ", "😡😡😡", "x" * 10_000, "word " * 2_000, "\ud800 broken \udfff",
                                  "caf\ufffd\ufffd non funziona", "\x00\x01 control", "🇮🇹" * 300])
def test_bad_input_never_crashes(encoder: TransformerEncoder, text: str) -> None:
    vectors = encoder.encode([text, "normal text"])
    assert vectors.shape == (2, encoder.dim)
    assert np.all(np.isfinite(vectors))


def test_non_string_input_is_stringified(encoder: TransformerEncoder) -> None:
    assert encoder.encode([None, 42]).shape == (2, encoder.dim)  # type: ignore[list-item]


def test_token_budget_splits_long_texts_without_changing_results() -> None:
    wide = TransformerEncoder(threads=1, batch_size=64)
    texts = [f"short note {i}" for i in range(40)] + ["a very long complaint " * 60, "another long one " * 50]
    batches = wide._batches(list(range(len(texts))), [4] * 40 + [128, 128])
    assert all(len(b) * wide._width(128 if b[-1] >= 40 else 4) <= 4096 or len(b) == 1 for b in batches)
    together = wide.embed_uncached(texts)
    alone = np.vstack([wide.embed_uncached([t]) for t in texts[-3:]])
    np.testing.assert_allclose(together[-3:], alone, atol=5e-3)


@pytest.mark.slow
def test_onnx_backends_match_torch_and_cache_their_export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("onnxruntime")
    monkeypatch.setenv("BRAND_MONITOR_CACHE", str(tmp_path))
    reference = TransformerEncoder(threads=1, dtype="float32", backend="torch").embed_uncached(TEXTS)
    plain = TransformerEncoder(threads=1, backend="onnx")
    assert plain.name == "all-MiniLM-L6-v2" and plain.dtype == "float32"
    np.testing.assert_allclose(plain.embed_uncached(TEXTS), reference, atol=1e-4)
    exported = sorted(p.name for p in (tmp_path / "onnx").iterdir())
    assert len(exported) == 1 and exported[0].endswith("-fp32.onnx")
    again = TransformerEncoder(threads=1, backend="onnx")  # reuses the cached graph
    assert sorted(p.name for p in (tmp_path / "onnx").iterdir()) == exported
    np.testing.assert_allclose(again.embed_uncached(TEXTS[:2]), reference[:2], atol=1e-4)
    small = TransformerEncoder(threads=1, backend="onnx-int8")
    assert small.name.endswith("+int8")
    assert ((small.embed_uncached(TEXTS) * reference).sum(1) > 0.95).all()


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(ValueError, match="onnx-int8"):
        TransformerEncoder(threads=1, backend="tensorrt")


def test_bf16_is_picked_only_where_the_cpu_has_it_and_it_is_faster(monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    from classifiers import transformer
    from classifiers.onnx_backend import available

    assert transformer.pick_dtype("float32") == "float32" and transformer.pick_dtype("bfloat16") == "bfloat16"
    transformer.bf16_pays.cache_clear()
    measured = transformer.bf16_pays()
    assert transformer.pick_dtype("auto") == ("bfloat16" if measured else "float32")
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: False, raising=False)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: False, raising=False)
    transformer.bf16_pays.cache_clear()
    try:  # no native bf16: float32, through ONNX Runtime when it is installed
        assert transformer.bf16_pays() is False and transformer.pick_dtype("auto") == "float32"
        assert transformer.pick_backend("auto") == ("onnx" if available() else "torch")
    finally:
        transformer.bf16_pays.cache_clear()
