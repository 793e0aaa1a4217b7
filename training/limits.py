"""What limits the fine-tuned replaced-word model: one measured experiment per run (issue 11).

Every run trains (or loads) a word tagger over all-MiniLM-L6-v2 and scores it the same
way: word-level precision, recall and F1 of the ``replaced`` tag on the first
``--eval-articles`` articles of ``validation``, ``test`` and ``cross_spinner``, at the
threshold that is best on that validation subset (test and cross at that same
threshold; each split's own best F1 is recorded beside it).  Evaluation windows do not
overlap, so each word is scored once.  The result, with the command and its wall
times, goes to ``runs/limits/NAME.json``.

Experiments:

- ``cached``: MiniLM's hidden states are computed once for the windows and stored as
  float16 ``.npy`` files under ``--cache-dir`` (layers 4, 5 and 6 from one forward pass);
  only the top ``--top-layers`` transformer layers (0: none) and a head train on them,
  for many epochs.
- ``finetune``: MiniLM with a LoRA adapter (``--lora-rank`` > 0, as ``make train``) or
  with every weight trainable (``--lora-rank 0``), for ``--max-steps`` steps.
- ``shipped``: the model in ``--model-dir`` as it loads for ``spindetect`` (a reference row).

Usage::

    python -m training.limits --experiment cached --top-layers 0 --epochs 30
    python -m training.limits --experiment cached --train-articles 150 --name curve-150
    python -m training.limits --experiment finetune --lora-rank 0 --max-steps 150
    python -m training.limits --experiment shipped

Dependencies: torch, transformers, peft, datasets (``pip install -e .[train]``).
"""

from __future__ import annotations

import json
import logging
import math
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from training.args import parse_args
from training.dataset import LABELS, id_to_label, label_to_id
from training.finetune import token_metrics, tokenize_and_tag

__all__ = ["LimitsArgs", "Windows", "main", "score_splits", "windows_of"]

logger = logging.getLogger("training.limits")

EVAL_SPLITS = ("validation", "test", "cross_spinner")
CACHED_LAYERS = (4, 5, 6)  # MiniLM's hidden states kept by the cache (6: the last layer)
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.05, 0.96, 0.05))


@dataclass(frozen=True)
class LimitsArgs:
    """One experiment: its recipe, its data and its budget."""

    experiment: Literal["cached", "finetune", "shipped"] = field(
        default="cached", metadata={"help": "cached encoder, LoRA/full fine-tuning, or shipped"}
    )
    name: str = field(default="", metadata={"help": "result name (runs/limits/NAME.json)"})
    dataset: Path = field(
        default=Path("data/spin-dataset"), metadata={"help": "make data's dataset"}
    )
    out_dir: Path = field(default=Path("runs/limits"), metadata={"help": "where results go"})
    cache_dir: Path = field(
        default=Path("runs/limits/cache"), metadata={"help": "hidden-state cache (float16 .npy)"}
    )
    model_dir: Path = field(
        default=Path("models/transformer"), metadata={"help": "the model the shipped row loads"}
    )
    train_articles: int = field(
        default=600, metadata={"help": "training articles (shuffled by --seed, then the first N)"}
    )
    eval_articles: int = field(
        default=100, metadata={"help": "first N articles of each eval split"}
    )
    max_length: int = field(default=128, metadata={"help": "tokens per window"})
    stride: int = field(default=16, metadata={"help": "tokens shared by training windows"})
    top_layers: int = field(
        default=0, metadata={"help": "cached: transformer layers trained above the cache (0-2)"}
    )
    head: Literal["linear", "mlp"] = field(
        default="linear", metadata={"help": "cached: the classification head"}
    )
    lora_rank: int = field(default=16, metadata={"help": "finetune: LoRA rank (0: every weight)"})
    epochs: float = field(default=20.0, metadata={"help": "passes over the training windows"})
    max_steps: int = field(default=-1, metadata={"help": "stop after this many steps (-1: epochs)"})
    batch_size: int = field(default=16, metadata={"help": "windows per step"})
    learning_rate: float = field(default=1e-3, metadata={"help": "peak learning rate"})
    class_weight: float = field(
        default=1.0, metadata={"help": "loss weight of the replaced tag (clean: 1)"}
    )
    eval_every: int = field(
        default=0, metadata={"help": "validation F1 every N steps, for the curve (0: at the end)"}
    )
    max_minutes: float = field(default=12.0, metadata={"help": "stop training after this long"})
    threads: int = field(default=1, metadata={"help": "CPU threads for torch"})
    seed: int = field(default=13, metadata={"help": "random seed"})

    def __post_init__(self) -> None:
        if not 0 <= self.top_layers <= 2:
            raise ValueError(f"the 'top_layers' parameter must be in [0, 2], got {self.top_layers}")
        if self.train_articles < 1 or self.eval_articles < 1:
            raise ValueError("the 'train_articles' and 'eval_articles' parameters must be >= 1")
        if not 0 <= self.stride < self.max_length // 2:
            raise ValueError(
                f"the 'stride' parameter must be in [0, max_length/2), got {self.stride}"
            )
        if self.epochs <= 0 and self.max_steps <= 0:
            raise ValueError("give a positive 'epochs' or 'max_steps'")

    @property
    def run_name(self) -> str:
        """The result's name: ``--name``, else one derived from the recipe."""
        if self.name:
            return self.name
        if self.experiment == "cached":
            return f"cached-top{self.top_layers}-{self.head}-{self.train_articles}a"
        if self.experiment == "finetune":
            kind = f"lora{self.lora_rank}" if self.lora_rank else "full"
            return f"{kind}-{self.max_steps}steps-{self.train_articles}a"
        return "shipped"


@dataclass(frozen=True)
class Windows:
    """Token windows padded to one length: ids, mask, first-piece labels (-100 elsewhere),
    and the article each window comes from."""

    input_ids: np.ndarray
    attention_mask: np.ndarray
    labels: np.ndarray
    article: np.ndarray

    def __len__(self) -> int:
        return len(self.input_ids)


def windows_of(
    rows: dict[str, list], tokenizer: Any, max_length: int, stride: int, pad_id: int = 0
) -> Windows:
    """The windows ``training.finetune.tokenize_and_tag`` cuts from ``rows``, padded."""
    ids, masks, labels, article = [], [], [], []
    for k, (text, tags) in enumerate(zip(rows["suspect"], rows["tags"], strict=True)):
        cut = tokenize_and_tag({"suspect": [text], "tags": [tags]}, tokenizer, max_length, stride)
        for window_ids, window_labels in zip(cut["input_ids"], cut["labels"], strict=True):
            pad = max_length - len(window_ids)
            ids.append(list(window_ids) + [pad_id] * pad)
            masks.append([1] * len(window_ids) + [0] * pad)
            labels.append(list(window_labels) + [-100] * pad)
            article.append(k)
    return Windows(
        np.asarray(ids, dtype=np.int32).reshape(-1, max_length),
        np.asarray(masks, dtype=np.uint8).reshape(-1, max_length),
        np.asarray(labels, dtype=np.int16).reshape(-1, max_length),
        np.asarray(article, dtype=np.int32),
    )


def split_scores(probabilities: np.ndarray, labels: np.ndarray) -> dict[str, dict[str, float]]:
    """Precision, recall and F1 of the replaced tag at every threshold of ``THRESHOLDS``."""
    keep = labels != -100
    p, y = probabilities[keep], labels[keep].astype(int)
    return {
        str(t): {k: round(v, 4) for k, v in token_metrics((p >= t).astype(int), y).items()}
        for t in THRESHOLDS
    }


def score_splits(
    probabilities: dict[str, np.ndarray], labels: dict[str, np.ndarray]
) -> dict[str, Any]:
    """Each split's metrics at validation's best threshold, and its own best F1."""
    curves = {name: split_scores(p, labels[name]) for name, p in probabilities.items()}
    chosen = max(curves["validation"], key=lambda t: curves["validation"][t]["f1"])
    out: dict[str, Any] = {"threshold": float(chosen)}
    for name, curve in curves.items():
        best = max(curve, key=lambda t: curve[t]["f1"])
        out[name] = {**curve[chosen], "best_f1": curve[best]["f1"], "best_threshold": float(best)}
        out[name]["words"] = int((labels[name] != -100).sum())
    return out


# --------------------------------------------------------------------------- models


def extended_mask(mask: Any) -> Any:
    """A [batch, 1, 1, length] additive attention mask, as BERT layers take it."""
    import torch

    return (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min


def top_model(base: Path, top_layers: int, head: str) -> Any:
    """MiniLM's top ``top_layers`` layers (its own weights) and a fresh tagging head."""
    import torch
    from torch import nn
    from transformers import AutoModel

    encoder = AutoModel.from_pretrained(base)
    width = encoder.config.hidden_size
    layers = nn.ModuleList(encoder.encoder.layer[len(encoder.encoder.layer) - top_layers :])
    if head == "mlp":
        classifier = nn.Sequential(
            nn.Dropout(0.1), nn.Linear(width, width), nn.GELU(), nn.Linear(width, len(LABELS))
        )
    else:
        classifier = nn.Sequential(nn.Dropout(0.1), nn.Linear(width, len(LABELS)))

    class Top(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layers, self.classifier = layers, classifier

        def forward(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            additive = extended_mask(attention_mask)
            for layer in self.layers:
                out = layer(hidden, additive)
                hidden = out[0] if isinstance(out, tuple) else out
            return self.classifier(hidden)

    return Top()


def tagging_network(base: Path, lora_rank: int) -> Any:
    """MiniLM with a fresh tagging head, with ``make train``'s LoRA adapter when
    ``lora_rank`` > 0, else with every weight trainable."""
    from transformers import AutoModelForTokenClassification

    network = AutoModelForTokenClassification.from_pretrained(
        base, num_labels=len(LABELS), id2label=id_to_label, label2id=label_to_id
    )
    if not lora_rank:
        return network
    from peft import LoraConfig, get_peft_model

    return get_peft_model(
        network,
        LoraConfig(  # as training.finetune configures it
            r=lora_rank,
            lora_alpha=2 * lora_rank,
            lora_dropout=0.05,
            target_modules=["query", "key", "value", "dense"],
            task_type="TOKEN_CLS",
        ),
    )


# --------------------------------------------------------------------------- cache


def _largest_prefix_cache(parent: Path, key: str, windows: Windows) -> tuple[Path | None, int]:
    """The cache under ``parent`` with ``key`` that agrees with the most leading ``windows``
    (a cache of more, or fewer, articles in the same order), and how many it covers."""
    best: tuple[Path | None, int] = (None, 0)
    for other in sorted(parent.glob("*/meta.json")):
        meta = json.loads(other.read_text("utf-8"))
        if meta.get("key") != key:
            continue
        covered = min(meta["windows"], len(windows))
        ids = np.load(other.parent / "input_ids.npy", mmap_mode="r")[:covered]
        if covered > best[1] and np.array_equal(ids, windows.input_ids[:covered]):
            best = (other.parent, covered)
    return best


def _load_states(folder: Path, n: int) -> dict[int, np.ndarray]:
    return {k: np.load(folder / f"layer{k}.npy", mmap_mode="r")[:n] for k in CACHED_LAYERS}


def cache_states(
    encoder: Any, windows: Windows, folder: Path, key: str, batch_size: int = 32
) -> tuple[dict[int, np.ndarray], float]:
    """The hidden states of ``CACHED_LAYERS`` for ``windows`` (float16, memory-mapped) and
    the encoder seconds they cost (pro rata when they are part of a larger cache).

    Any cache beside ``folder`` with the same ``key`` whose windows start as these do is
    reused: read as it is when it covers them all, else copied and extended into
    ``folder``.  A cache is plain ``.npy`` files (``layer4.npy``... and ``input_ids.npy``)
    and ``meta.json`` (key, windows, seconds); nothing is pickled."""
    import torch

    n, length = windows.input_ids.shape
    previous, done = _largest_prefix_cache(folder.parent, key, windows)
    prior_seconds = 0.0
    if previous is not None:
        meta = json.loads((previous / "meta.json").read_text("utf-8"))
        prior_seconds = float(meta["seconds"]) * done / meta["windows"]
        if done == n:
            return _load_states(previous, n), prior_seconds
    folder.mkdir(parents=True, exist_ok=True)
    width = encoder.config.hidden_size
    files = {
        k: np.lib.format.open_memmap(
            folder / f"layer{k}.npy", mode="w+", dtype=np.float16, shape=(n, length, width)
        )
        for k in CACHED_LAYERS
    }
    if previous is not None:
        for k, old in _load_states(previous, done).items():
            files[k][:done] = old
        logger.info("reused %d cached windows of %s", done, previous.name)
    started = time.monotonic()
    with torch.inference_mode():
        for lo in range(done, n, batch_size):
            ids = torch.from_numpy(windows.input_ids[lo : lo + batch_size].astype(np.int64))
            mask = torch.from_numpy(windows.attention_mask[lo : lo + batch_size].astype(np.int64))
            hidden = encoder(input_ids=ids, attention_mask=mask, output_hidden_states=True)
            for k, file in files.items():
                file[lo : lo + batch_size] = hidden.hidden_states[k].numpy().astype(np.float16)
            if (lo - done) // batch_size % 20 == 0:
                logger.info("cached %d/%d windows of %s", lo + len(ids), n, folder.name)
    seconds = prior_seconds + time.monotonic() - started
    for file in files.values():
        file.flush()
    np.save(folder / "input_ids.npy", windows.input_ids)
    meta = {"key": key, "windows": n, "seconds": round(seconds, 1)}
    (folder / "meta.json").write_text(json.dumps(meta) + "\n", "utf-8")
    return _load_states(folder, n), seconds


# --------------------------------------------------------------------------- training


def batches(n: int, batch_size: int, seed: int) -> Iterator[np.ndarray]:
    """Window indices, ``batch_size`` at a time, in a new random order every epoch."""
    rng = np.random.default_rng(seed)
    while True:
        order = rng.permutation(n)
        for lo in range(0, n - batch_size + 1 if n >= batch_size else 1, batch_size):
            yield np.sort(order[lo : lo + batch_size])


def train(
    module: Any,
    step_inputs: Callable[[np.ndarray], tuple[dict[str, Any], Any]],
    n: int,
    args: LimitsArgs,
    validate: Callable[[], float] | None = None,
) -> dict[str, Any]:
    """AdamW with linear warm-up (6% of steps) and decay, as ``make train`` trains; stops at
    the step count or the time budget.  Returns steps, epochs, seconds, losses and the
    validation curve."""
    import torch
    from transformers import get_linear_schedule_with_warmup

    steps = args.max_steps if args.max_steps > 0 else math.ceil(args.epochs * n / args.batch_size)
    trainable = [p for p in module.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=args.learning_rate, weight_decay=0.01)
    schedule = get_linear_schedule_with_warmup(optimizer, math.ceil(0.06 * steps), steps)
    weight = torch.tensor([1.0, args.class_weight])
    losses, curve = [], []
    started = time.monotonic()
    step, indices = 0, batches(n, args.batch_size, args.seed)
    module.train()
    while step < steps:
        inputs, labels = step_inputs(next(indices))
        logits = module(**inputs)
        loss = torch.nn.functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]).float(),
            labels.reshape(-1),
            weight=weight,
            ignore_index=-100,
        )
        loss.backward()
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
        step += 1
        losses.append(loss.item())
        if step % 50 == 0 or step == steps:
            logger.info("step %d/%d loss %.4f", step, steps, float(np.mean(losses[-50:])))
        timed_out = time.monotonic() - started > args.max_minutes * 60
        if validate and args.eval_every and step % args.eval_every == 0 and step < steps:
            module.eval()
            curve.append([step, validate()])
            logger.info("step %d validation F1 %.4f", step, curve[-1][1])
            module.train()
        if timed_out:
            logger.warning("time budget of %.1f min reached at step %d", args.max_minutes, step)
            break
    module.eval()
    return {
        "steps": step,
        "planned_steps": steps,
        "epochs": round(step * args.batch_size / n, 2),
        "train_s": round(time.monotonic() - started, 1),
        "loss_first_50": round(float(np.mean(losses[:50])), 4),
        "loss_last_50": round(float(np.mean(losses[-50:])), 4),
        "curve_validation_f1": curve,
    }


def predict_with(forward: Callable[[np.ndarray], Any], n: int, batch_size: int) -> np.ndarray:
    """P(replaced) for every position of ``n`` windows, ``forward(indices)`` giving logits."""
    import torch

    out = []
    with torch.inference_mode():
        for lo in range(0, n, batch_size):
            logits = forward(np.arange(lo, min(lo + batch_size, n)))
            out.append(torch.softmax(logits.float(), dim=-1)[..., 1].numpy())
    return np.concatenate(out) if out else np.zeros((0, 0))


# --------------------------------------------------------------------------- recipe


def main(argv: Sequence[str] | None = None) -> int:
    """Run one experiment and write its result JSON."""
    (args,) = parse_args((LimitsArgs,), argv, prog="python -m training.limits")
    command = "python -m training.limits " + " ".join(sys.argv[1:] if argv is None else argv)

    # Logging, seed, threads
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO
    )
    try:
        import torch
        from datasets import load_from_disk
        from transformers import AutoModel, AutoTokenizer, set_seed
    except ImportError as exc:
        sys.exit(f"this needs the train extra ({exc.name} is missing): pip install -e '.[train]'")
    set_seed(args.seed)
    torch.set_num_threads(args.threads)
    load_at_start = os.getloadavg()[0]
    from detector.minilm import WordPieceWindows
    from detector.transformer_model import TransformerModel, base_model_path

    # Data: shuffled training articles, the first articles of each evaluation split
    if not (args.dataset / "dataset_dict.json").is_file():
        print(f"Error: no dataset at {args.dataset}: build it with `make data`", file=sys.stderr)
        sys.exit(2)
    dataset = load_from_disk(str(args.dataset))
    train_rows = dataset["train"].shuffle(seed=args.seed)
    train_rows = train_rows.select(range(min(args.train_articles, len(train_rows))))
    eval_rows = {
        s: dataset[s].select(range(min(args.eval_articles, len(dataset[s]))))
        for s in EVAL_SPLITS
        if s in dataset
    }
    shipped = TransformerModel.load(args.model_dir) if args.experiment == "shipped" else None
    base = base_model_path()
    tokenizer = (
        shipped.tokenizer
        if shipped
        else WordPieceWindows.from_hf(AutoTokenizer.from_pretrained(base))
    )
    length = shipped.max_length if shipped else args.max_length
    pad = tokenizer.pad_token_id
    train_windows = windows_of(train_rows[:], tokenizer, length, args.stride, pad)
    eval_windows = {s: windows_of(r[:], tokenizer, length, 0, pad) for s, r in eval_rows.items()}
    logger.info("%d training windows; evaluation: %s", len(train_windows),
                {s: len(w) for s, w in eval_windows.items()})  # fmt: skip

    result: dict[str, Any] = {
        "name": args.run_name,
        "experiment": args.experiment,
        "command": command,
        "args": {k: str(v) for k, v in asdict(args).items()},
        "train_articles": len(train_rows),
        "train_windows": len(train_windows),
        "eval_articles": {s: len(r) for s, r in eval_rows.items()},
        "threads": args.threads,
    }

    # Model and training
    if args.experiment == "cached":
        encoder = AutoModel.from_pretrained(base).eval()
        key = f"L{length}-S{args.stride}-seed{args.seed}"
        train_states, train_cache_s = cache_states(
            encoder,
            train_windows,
            args.cache_dir / f"train-{len(train_rows)}a-{key}",
            f"train-{key}",
        )
        eval_states, eval_cache_s = {}, 0.0
        for split, windows in eval_windows.items():
            eval_states[split], seconds = cache_states(
                encoder,
                windows,
                args.cache_dir / f"{split}-{len(eval_rows[split])}a-L{length}",
                f"{split}-L{length}",
            )
            eval_cache_s += seconds
        result["cache_s"] = {"train": round(train_cache_s, 1), "eval": round(eval_cache_s, 1)}
        layer = CACHED_LAYERS[-1] - args.top_layers
        module = top_model(base, args.top_layers, args.head)

        def inputs_of(states: np.ndarray, windows: Windows, index: np.ndarray) -> dict[str, Any]:
            return {
                "hidden": torch.from_numpy(np.asarray(states[index], dtype=np.float32)),
                "attention_mask": torch.from_numpy(windows.attention_mask[index].astype(np.int64)),
            }

        def step_inputs(index: np.ndarray) -> tuple[dict[str, Any], Any]:
            labels = torch.from_numpy(train_windows.labels[index].astype(np.int64))
            return inputs_of(train_states[layer], train_windows, index), labels

        def predictor(split: str) -> Callable[[np.ndarray], Any]:
            return lambda index: module(
                **inputs_of(eval_states[split][layer], eval_windows[split], index)
            )

    else:
        network = shipped.network if shipped else tagging_network(base, args.lora_rank)

        def model_inputs(windows: Windows, index: np.ndarray) -> dict[str, Any]:
            width = max(int(windows.attention_mask[index].sum(1).max()), 1)
            return {
                "input_ids": torch.from_numpy(windows.input_ids[index, :width].astype(np.int64)),
                "attention_mask": torch.from_numpy(
                    windows.attention_mask[index, :width].astype(np.int64)
                ),
            }

        class Logits(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.network = network

            def forward(self, **inputs: Any) -> Any:
                out = self.network(**inputs)  # the shipped TokenClassifier gives logits
                return out if isinstance(out, torch.Tensor) else out.logits

        module = Logits()

        def step_inputs(index: np.ndarray) -> tuple[dict[str, Any], Any]:
            batch = model_inputs(train_windows, index)
            width = batch["input_ids"].shape[1]
            return batch, torch.from_numpy(train_windows.labels[index, :width].astype(np.int64))

        def predictor(split: str) -> Callable[[np.ndarray], Any]:
            return lambda index: module(**model_inputs(eval_windows[split], index))

    def predict(split: str) -> np.ndarray:
        probabilities = predict_with(predictor(split), len(eval_windows[split]), 32)
        width = probabilities.shape[1] if probabilities.size else length
        padded = np.zeros((len(eval_windows[split]), length), dtype=np.float32)
        padded[:, :width] = probabilities
        return padded

    def validate() -> float:
        scores = split_scores(predict("validation"), eval_windows["validation"].labels)
        return max(s["f1"] for s in scores.values())

    result["trainable_parameters"] = sum(p.numel() for p in module.parameters() if p.requires_grad)
    if args.experiment == "shipped":
        result.update({"steps": 0, "epochs": 0, "train_s": 0.0, "note": "trained by make train"})
    else:
        result.update(train(module, step_inputs, len(train_windows), args, validate))

    # Evaluation on the fixed subsets
    started = time.monotonic()
    module.eval()
    scores = score_splits(
        {s: predict(s) for s in eval_windows}, {s: w.labels for s, w in eval_windows.items()}
    )
    result["eval_s"] = round(time.monotonic() - started, 1)
    result.update(scores)
    result["load_average"] = [round(load_at_start, 2), round(os.getloadavg()[0], 2)]

    args.out_dir.mkdir(parents=True, exist_ok=True)
    path = args.out_dir / f"{args.run_name}.json"
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    logger.info(
        "%s: validation F1 %.4f, test F1 %.4f -> %s",
        args.run_name,
        result["validation"]["f1"],
        result.get("test", {}).get("f1", math.nan),
        path,
    )
    return 0


if __name__ == "__main__":
    from training.args import run_script

    raise SystemExit(run_script(main))
