"""Weights that turn reference-mode evidence into probabilities, read from JSON.

Two small logistic models: one scores a single swap (how spinner-like is
"hospital" -> "infirmary"?), one scores a document from its swap statistics.
``training/calibrate_reference.py`` fits both on spun copies and on ordinary
edits and human rewrites, and writes ``detector/data/reference_weights.json``::

    {"format": 1,
     "span": {"features": [...], "coef": [...], "intercept": b},
     "document": {"features": [...], "coef": [...], "intercept": b, "threshold": 0.5},
     "fitted_on": "...", "command": "..."}
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from detector.errors import ResourceError

__all__ = [
    "DOCUMENT_FEATURES",
    "SPAN_FEATURES",
    "LogisticWeights",
    "ReferenceWeights",
    "load_reference_weights",
]

SPAN_FEATURES = (
    "zipf_old",
    "zipf_new",
    "zipf_drop",
    "new_multiword",
    "old_multiword",
    "phrase",
    "log_synonyms_old",
    "log_synonyms_new",
)
DOCUMENT_FEATURES = (
    "weighted_rate",
    "rate",
    "sentence_share",
    "log_swaps",
    "short_swap_rate",
    "long_edit_rate",
    "gap_rate",
)


@dataclass(frozen=True)
class LogisticWeights:
    """A logistic model over named features: ``sigmoid(intercept + coef . x)``."""

    features: tuple[str, ...]
    coef: tuple[float, ...]
    intercept: float

    def __post_init__(self) -> None:
        if len(self.features) != len(self.coef):
            raise ResourceError(
                f"weights name {len(self.features)} features but give {len(self.coef)} coefficients"
            )

    def coefficients(self, order: Sequence[str]) -> tuple[float, ...]:
        """The coefficients of the features named in ``order`` (0 for those the model lacks)."""
        by_name = dict(zip(self.features, self.coef, strict=True))
        return tuple(by_name.get(name, 0.0) for name in order)

    def probability(self, values: Mapping[str, float]) -> float:
        """The modelled probability for a feature mapping (missing features count as 0)."""
        z = self.intercept
        for name, coef in zip(self.features, self.coef, strict=True):
            z += coef * values.get(name, 0.0)
        if z < -40:
            return 0.0
        return 1.0 / (1.0 + math.exp(-z))

    @classmethod
    def from_dict(cls, data: Mapping[str, object], expected: tuple[str, ...]) -> LogisticWeights:
        """Weights from their JSON form, checking they use only known features."""
        features = tuple(data["features"])  # type: ignore[arg-type]
        unknown = set(features) - set(expected)
        if unknown:
            raise ResourceError(
                f"reference weights use unknown features: {', '.join(sorted(unknown))}"
            )
        return cls(features, tuple(float(c) for c in data["coef"]), float(data["intercept"]))  # type: ignore[union-attr, arg-type]


@dataclass(frozen=True)
class ReferenceWeights:
    """The span model, the document model and the document threshold."""

    span: LogisticWeights
    document: LogisticWeights
    threshold: float = 0.5


def load_reference_weights(path: Path | None = None) -> ReferenceWeights:
    """Reference-mode weights from ``path``, or the bundled ones."""
    try:
        if path is None:
            text = (
                resources.files("detector")
                .joinpath("data/reference_weights.json")
                .read_text("utf-8")
            )
        else:
            text = Path(path).read_text("utf-8")
        data = json.loads(text)
        if data.get("format") != 1:
            raise ValueError(f"unknown format {data.get('format')!r}")
        return ReferenceWeights(
            span=LogisticWeights.from_dict(data["span"], SPAN_FEATURES),
            document=LogisticWeights.from_dict(data["document"], DOCUMENT_FEATURES),
            threshold=float(data["document"].get("threshold", 0.5)),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ResourceError(
            f"reference weights {path or '(bundled)'} are unreadable: {exc}"
        ) from None
