"""The registry of reference-free models: find a model folder by name and load it.

Every model turns a ``Document`` into ``WordScores`` (``detector.scoring``) and a
``Report``.  Models live in folders with a ``config.json`` naming their ``type``
(``baseline``, ``transformer``, ``lm``, ``hybrid`` or ``cascade``; ``screen`` is an
``lm`` whose judge reads one pass only); the shipped ones sit in the project's
``models/`` folder (or ``$SPINDETECT_MODELS``), and ``models/default.json`` names
the default.  Loading never unpickles anything: baselines are skops files
loaded with an explicit list of trusted types, transformers are safetensors.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

from detector.document import Document
from detector.errors import ModelNotFoundError
from detector.model_config import default_model_name, models_root, read_model_config
from detector.report import Report
from detector.scoring import WordScores

__all__ = [
    "MODEL_NAMES",
    "ReferenceFreeModel",
    "load_model",
    "model_dir",
    "models_root",
    "read_model_config",
    "recorded_names",
]

MODEL_NAMES = ("baseline", "transformer", "screen", "lm", "hybrid", "cascade")


@runtime_checkable
class ReferenceFreeModel(Protocol):
    """What ``load_model`` returns."""

    name: str

    def score_words(self, documents: Sequence[Document]) -> list[WordScores]:
        """Word and document probabilities for each document."""
        ...

    def score(self, document: Document, *, threshold: float | None = None) -> Report:
        """The reference-free report on one document.

        ``threshold`` moves the operating point: the document probability at or
        above which the verdict is ``spun`` (the model's own threshold when None).
        """
        ...


def model_dir(name_or_path: str) -> Path:
    """The folder of a model named ``default``, ``baseline``, ``transformer`` or given by path."""
    root = models_root()
    if name_or_path == "default":
        named = default_model_name(root)
        if named is None:
            raise ModelNotFoundError(
                f"no default model is installed in {root} (models/default.json); "
                "build one with `make baseline` or `make train`, or pass --original"
            )
        name_or_path = named
    folder = root / name_or_path if name_or_path in MODEL_NAMES else Path(name_or_path)
    if not (folder / "config.json").is_file():
        hints = {
            "baseline": "build it with `make baseline`",
            "transformer": "build it with `make train`",
            "screen": "build it with `make screen`",
            "cascade": "it is a config.json naming two models (detector/cascade_model.py)",
            "lm": "build it with `make hybrid`",
            "hybrid": "build it with `make hybrid`",
        }
        hint = hints.get(
            name_or_path,
            f"give default, one of {', '.join(MODEL_NAMES)}, or a folder holding a model's "
            "config.json",
        )
        raise ModelNotFoundError(f"no model at {folder}: {hint}")
    return folder


def recorded_names(name_or_path: str) -> frozenset[str]:
    """The names a model's reports give in their ``model`` field: its own, or for a cascade
    its two models' (each report names the one that decided)."""
    folder = model_dir(name_or_path)
    config = read_model_config(folder)
    if config.get("type") == "cascade":
        first = recorded_names(str(config.get("first", "screen")))
        return first | recorded_names(str(config.get("then", "hybrid")))
    return frozenset({str(config.get("name") or folder.name)})


def load_model(name_or_path: str = "default", *, lm: str | None = None) -> ReferenceFreeModel:
    """A reference-free model by name (``default``, ``baseline``, ``transformer``, ``screen``,
    ``lm``, ``hybrid``, ``cascade``) or folder.

    ``lm`` names the causal language model for the models that read with one
    (``lm``, ``hybrid``): a Hugging Face name or folder; the packaged SmolLM2 by default.
    """
    folder = model_dir(name_or_path)
    config = read_model_config(folder)
    kind = config.get("type")
    if kind == "lm":
        from detector.lm_model import LMModel

        return LMModel.load(folder, config=config, lm=lm)
    if kind == "hybrid":
        from detector.hybrid_model import HybridModel

        transformer = model_dir(str(config.get("transformer", "transformer")))
        return HybridModel.load(folder, transformer_folder=transformer, config=config, lm=lm)
    if kind == "cascade":
        from detector.cascade_model import CascadeModel

        return CascadeModel.load(
            folder, load_model=load_model, model_dir=model_dir, config=config, lm=lm
        )
    if kind == "baseline":
        from detector.baseline_model import BaselineModel

        return BaselineModel.load(folder, config=config)
    if kind == "transformer":
        from detector.transformer_model import TransformerModel

        return TransformerModel.load(folder, config=config)
    if kind is None:
        raise ModelNotFoundError(
            f'{folder / "config.json"} is no spindetect model\'s (it names no "type"): give '
            "a folder written by `make baseline`, `make train` or `make hybrid`"
        )
    raise ModelNotFoundError(f"{folder} holds a model of unknown type {kind!r}")
