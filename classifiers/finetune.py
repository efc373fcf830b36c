"""Fine-tune LoRA adapters of the encoder on the three tasks (python -m classifiers.finetune --data ../shared/data)."""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

from classifiers.lora import ADAPTER_FILE, add_adapters, save_adapter
from classifiers.model_heads import HEAD_CLASSES
from classifiers.train_sets import TrainSet, held_out, intent_set, outage_set, sentiment_set
from classifiers.transformer import cache_key

SEED = 20240611
REPEAT = {"sentiment": 1, "intent": 2, "outage": 2}
"""Passes per epoch: the small intent and outage sets are seen twice so the shared adapters serve them too."""
BALANCED = {"sentiment": True, "intent": False, "outage": True}


def _batches(name: str, texts: list[str], labels: list[int], size: int, rng: random.Random
             ) -> list[tuple[str, list[str], list[int]]]:
    order = list(range(len(texts)))
    out = []
    pool = size * 50
    for _ in range(REPEAT[name]):
        rng.shuffle(order)
        for start in range(0, len(order), pool):  # similar lengths together: less padding, same randomness
            chunk = sorted(order[start:start + pool], key=lambda i: len(texts[i]))
            out += [(name, [texts[i] for i in chunk[s:s + size]], [labels[i] for i in chunk[s:s + size]])
                    for s in range(0, len(chunk), size)]
    return out


def _class_weights(labels: list[int], classes: int, balanced: bool) -> list[float]:
    if not balanced:
        return [1.0] * classes
    counts = [max(1, labels.count(c)) for c in range(classes)]
    return [len(labels) / (classes * n) for n in counts]


def finetune(sets: dict[str, TrainSet], out: Path, epochs: float = 2.0, rank: int = 8, alpha: float = 16.0,
             lr: float = 1e-3, batch_size: int = 32, max_length: int = 64, seed: int = SEED,
             threads: int | None = None, model: str | Path | None = None) -> str:
    """Train adapters plus throw-away task heads on everything but the calibration hold-out; write adapter.npz."""
    import torch

    from classifiers.transformer import _load

    torch.manual_seed(seed)
    torch.set_num_threads(threads or torch.get_num_threads())
    rng = random.Random(seed)
    tokenizer, network, encoder_name = _load(model)
    network.train()
    wrapped = add_adapters(network, rank, alpha)
    dim = int(network.config.hidden_size)
    heads = torch.nn.ModuleDict({n: torch.nn.Linear(dim, len(HEAD_CLASSES[n])) for n in sets})
    kept: dict[str, tuple[list[str], list[int]]] = {}
    for name, data in sets.items():
        pairs = [(cache_key(t), y) for t, y in zip(data.texts, data.labels, strict=True) if not held_out(cache_key(t))]
        kept[name] = ([t for t, _ in pairs], [y for _, y in pairs])
    weights = {n: torch.tensor(_class_weights(y, len(HEAD_CLASSES[n]), BALANCED[n])) for n, (_, y) in kept.items()}
    params = [p for p in network.parameters() if p.requires_grad] + list(heads.parameters())
    optimiser = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    per_epoch = sum(len(_batches(n, t, y, batch_size, random.Random(0))) for n, (t, y) in kept.items())
    total = max(1, int(per_epoch * epochs))
    warmup = max(1, total // 20)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(1, total - warmup))))
    started, step, losses = time.perf_counter(), 0, {n: [] for n in sets}
    while step < total:
        plan = [b for n, (t, y) in kept.items() for b in _batches(n, t, y, batch_size, rng)]
        rng.shuffle(plan)
        for name, texts, labels in plan[: total - step]:
            enc = tokenizer(texts, padding=True, truncation=True, max_length=max_length, return_tensors="pt")
            with torch.autocast("cpu", dtype=torch.bfloat16):
                hidden = network(**enc).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).float()
            pooled = (hidden.float() * mask).sum(1) / mask.sum(1).clamp(min=1.0)
            pooled = torch.nn.functional.normalize(pooled, dim=1) * 20.0
            loss = torch.nn.functional.cross_entropy(heads[name](pooled), torch.tensor(labels), weight=weights[name])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad(set_to_none=True)
            losses[name].append(float(loss.detach()))
            step += 1
            if step % 200 == 0 or step == total:
                recent = {n: round(sum(v[-50:]) / max(1, len(v[-50:])), 4) for n, v in losses.items()}
                print(f"step {step}/{total} {time.perf_counter() - started:.0f}s loss {json.dumps(recent)}", flush=True)
    info = {"base": encoder_name, "rank": rank, "alpha": alpha, "lr": lr, "epochs": epochs, "batch_size": batch_size,
            "max_length": max_length, "seed": seed, "steps": total, "layers_wrapped": len(wrapped),
            "rows": {n: len(t) for n, (t, _) in kept.items()}, "repeat": REPEAT,
            "seconds": round(time.perf_counter() - started),
            "final_loss": {n: round(sum(v[-100:]) / max(1, len(v[-100:])), 4) for n, v in losses.items()}}
    digest = save_adapter(network, out / ADAPTER_FILE, info)
    print(f"wrote {out / ADAPTER_FILE} ({(out / ADAPTER_FILE).stat().st_size / 1e6:.2f} MB, digest {digest}) "
          f"in {info['seconds']}s", flush=True)
    return digest


def build_sets(data: Path, seed: int = SEED) -> dict[str, TrainSet]:
    """The same three training sets the heads use."""
    return {"sentiment": sentiment_set(data), "intent": intent_set(data, HEAD_CLASSES["intent"]),
            "outage": outage_set(data, seed)}


def main(argv: list[str] | None = None) -> None:
    """Command line entry point: fine-tune, then refit the heads over the adapted encoder."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "weights")
    parser.add_argument("--epochs", type=float, default=2.0)
    parser.add_argument("--rank", type=int, default=8)
    parser.add_argument("--alpha", type=float, default=16.0, help="LoRA scale numerator: updates are x alpha/rank")
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--model", default=None, help="encoder: a local directory or cached Hugging Face id "
                                                          "(default: the bundled all-MiniLM-L6-v2)")
    parser.add_argument("--no-heads", action="store_true", help="only write the adapter, do not refit the heads")
    args = parser.parse_args(argv)
    finetune(build_sets(args.data, args.seed), args.out, args.epochs, args.rank, args.alpha, lr=args.lr, seed=args.seed,
             threads=args.threads, model=args.model)
    if not args.no_heads:
        from classifiers.train import train

        train(args.data, args.out, cache=None, seed=args.seed, threads=args.threads, adapter=args.out / ADAPTER_FILE,
              model=args.model)


if __name__ == "__main__":
    main()
