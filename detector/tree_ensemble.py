"""Gradient-boosted trees as plain JSON, evaluated with numpy: the hybrid's fusion model.

``make hybrid`` fits scikit-learn's ``HistGradientBoostingClassifier`` and
writes its trees here as JSON (``training/fit_hybrid.py``), so scoring needs
neither scikit-learn nor skops (importing both took over 2 s of the hybrid's
load) and nothing is unpickled.  The format::

    {"format": 1, "baseline": -2.43,
     "trees": [{"feature": [...], "threshold": [...], "missing_left": [...],
                "left": [...], "right": [...], "leaf": [...], "value": [...]}, ...]}

one list per node field, node 0 the root.  A row goes left when its feature is
at most the threshold (or missing and ``missing_left``); the probability is
``sigmoid(baseline + sum of the leaf values reached)``, as scikit-learn's
binary classifier computes it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from detector.errors import ModelNotFoundError

__all__ = ["FORMAT_VERSION", "Tree", "TreeEnsemble", "load_tree_ensemble"]

FORMAT_VERSION = 1
_FIELDS = ("feature", "threshold", "missing_left", "left", "right", "leaf", "value")


@dataclass(frozen=True)
class Tree:
    """One regression tree: parallel arrays over its nodes, node 0 the root."""

    feature: np.ndarray  # int
    threshold: np.ndarray  # float
    missing_left: np.ndarray  # bool
    left: np.ndarray  # int
    right: np.ndarray  # int
    leaf: np.ndarray  # bool
    value: np.ndarray  # float

    @classmethod
    def from_dict(cls, data: Mapping[str, Sequence[Any]]) -> Tree:
        """The tree of one JSON object (see the module docstring); ValueError when malformed."""
        tree = cls(
            feature=np.asarray(data["feature"], dtype=np.int64),
            threshold=np.asarray(data["threshold"], dtype=np.float64),
            missing_left=np.asarray(data["missing_left"], dtype=bool),
            left=np.asarray(data["left"], dtype=np.int64),
            right=np.asarray(data["right"], dtype=np.int64),
            leaf=np.asarray(data["leaf"], dtype=bool),
            value=np.asarray(data["value"], dtype=np.float64),
        )
        n = len(tree.value)
        if n == 0 or any(len(getattr(tree, f)) != n for f in _FIELDS):
            raise ValueError("node fields of unequal length")
        inner = ~tree.leaf
        for child in (tree.left[inner], tree.right[inner]):
            if len(child) and (child.min() <= 0 or child.max() >= n):
                raise ValueError("a child index outside the tree")
        if inner.any() and tree.feature[inner].min() < 0:
            raise ValueError("a negative feature index")
        return tree

    def to_dict(self) -> dict[str, list[Any]]:
        """The tree as JSON-able lists."""
        return {f: getattr(self, f).tolist() for f in _FIELDS}

    def predict(self, features: np.ndarray) -> np.ndarray:
        """The leaf value each row of ``features`` reaches."""
        node = np.zeros(len(features), dtype=np.int64)
        rows = np.arange(len(features))
        for _ in range(len(self.value)):  # a path is never longer than the tree
            active = ~self.leaf[node]
            if not active.any():
                break
            at, r = node[active], rows[active]
            x = features[r, self.feature[at]]
            go_left = np.where(np.isnan(x), self.missing_left[at], x <= self.threshold[at])
            node[active] = np.where(go_left, self.left[at], self.right[at])
        return self.value[node]


@dataclass(frozen=True)
class TreeEnsemble:
    """A binary gradient-boosted tree classifier (see the module docstring)."""

    baseline: float
    trees: tuple[Tree, ...]
    n_features: int

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TreeEnsemble:
        """The ensemble of a parsed JSON file; ValueError when it is not one."""
        if data.get("format") != FORMAT_VERSION:
            raise ValueError(f"format {data.get('format')!r}, not {FORMAT_VERSION}")
        trees = tuple(Tree.from_dict(t) for t in data["trees"])
        return cls(float(data["baseline"]), trees, int(data["n_features"]))

    def to_dict(self) -> dict[str, Any]:
        """The ensemble as JSON-able data."""
        return {
            "format": FORMAT_VERSION,
            "baseline": self.baseline,
            "n_features": self.n_features,
            "trees": [t.to_dict() for t in self.trees],
        }

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        """``[P(class 0), P(class 1)]`` per row, as scikit-learn's ``predict_proba`` gives."""
        features = np.asarray(features, dtype=np.float64)
        if features.ndim != 2 or features.shape[1] != self.n_features:
            raise ValueError(f"expected rows of {self.n_features} features, got {features.shape}")
        raw = np.full(len(features), self.baseline)
        for tree in self.trees:
            raw += tree.predict(features)
        # Clipped: past +-40 the probability is 0 or 1 to float precision (exp would overflow).
        positive = 1.0 / (1.0 + np.exp(-np.clip(raw, -40.0, 40.0)))
        return np.column_stack([1.0 - positive, positive])


def load_tree_ensemble(path: Path, *, rebuild: str) -> TreeEnsemble:
    """The ensemble in the JSON file ``path``; a missing or damaged one is refused in one
    line naming the command (``rebuild``) that writes it again."""
    try:
        return TreeEnsemble.from_dict(json.loads(Path(path).read_text("utf-8")))
    except FileNotFoundError:
        raise ModelNotFoundError(f"{path} is missing; rebuild it with `{rebuild}`") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelNotFoundError(
            f"{path} is not a readable tree ensemble ({exc}); rebuild it with `{rebuild}`"
        ) from None
