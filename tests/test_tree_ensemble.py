"""The hybrid's boosted trees as plain JSON: the same probabilities as scikit-learn, no pickle."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from detector.errors import ModelNotFoundError
from detector.tree_ensemble import TreeEnsemble, load_tree_ensemble
from training.fit_hybrid import tree_ensemble

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def fitted():
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(0)
    x = rng.normal(size=(2000, 5))
    y = (x[:, 0] + x[:, 1] * x[:, 2] + rng.normal(scale=0.5, size=2000) > 0.3).astype(int)
    x[rng.random(x.shape) < 0.05] = np.nan  # missing values take their learned side
    return HistGradientBoostingClassifier(max_iter=40, random_state=0).fit(x, y), x


def test_exported_trees_give_scikit_learns_probabilities(fitted, tmp_path):
    classifier, x = fitted
    path = tmp_path / "fusion.json"
    path.write_text(json.dumps(tree_ensemble(classifier).to_dict()), "utf-8")
    ensemble = load_tree_ensemble(path, rebuild="make hybrid")
    np.testing.assert_allclose(
        ensemble.predict_proba(x), classifier.predict_proba(x), rtol=0, atol=1e-12
    )


def test_a_damaged_or_missing_file_is_refused_in_one_line(fitted, tmp_path):
    classifier, _ = fitted
    data = tree_ensemble(classifier).to_dict()
    data["trees"][0]["left"][0] = 10**6  # a child outside the tree
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), "utf-8")
    with pytest.raises(ModelNotFoundError, match="make hybrid"):
        load_tree_ensemble(bad, rebuild="make hybrid")
    (tmp_path / "junk.json").write_text("{not json", "utf-8")
    with pytest.raises(ModelNotFoundError, match="not a readable tree ensemble"):
        load_tree_ensemble(tmp_path / "junk.json", rebuild="make hybrid")
    with pytest.raises(ModelNotFoundError, match="missing"):
        load_tree_ensemble(tmp_path / "none.json", rebuild="make hybrid")


def test_rows_of_the_wrong_width_are_refused(fitted):
    classifier, _ = fitted
    ensemble = TreeEnsemble.from_dict(tree_ensemble(classifier).to_dict())
    with pytest.raises(ValueError, match="5 features"):
        ensemble.predict_proba(np.zeros((3, 4)))


def test_the_shipped_hybrid_loads_without_scikit_learn_or_skops():
    code = (
        "import sys; from detector.models import load_model; load_model('hybrid'); "
        "print('sklearn' in sys.modules, 'skops' in sys.modules)"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, check=True
    )
    assert out.stdout.split()[-2:] == ["False", "False"]


def _feature_rows(rng: np.random.Generator, rows: int) -> np.ndarray:
    """Rows of the hybrid's features drawn over their ranges."""
    from detector.hybrid_model import FEATURES

    base = np.column_stack(
        [
            rng.integers(0, 2, rows),  # lm_has_unit
            rng.uniform(-20, 20, rows),  # lm_margin
            rng.integers(0, 2, rows),  # lm_rescored
            rng.uniform(-20, 20, rows),  # lm_gain
            rng.uniform(0, 15, rows),  # lm_surprisal
            rng.uniform(0, 7, rows),  # lm_candidates
            rng.uniform(-14, 14, rows),  # transformer_logit
            rng.uniform(0, 8, rows),  # zipf
            rng.integers(0, 2, rows),  # capitalised
        ]
    )
    assert base.shape[1] == len(FEATURES)
    return base


def _evidence_ladders(rng: np.random.Generator, feature: int, rows: int = 400) -> np.ndarray:
    """Rows of ``_feature_rows``, each repeated along a rising ladder of one feature:
    shape (rows, steps, features)."""
    base = _feature_rows(rng, rows)
    steps = np.linspace(-20, 20, 81)
    ladders = np.repeat(base[:, None, :], len(steps), axis=1)
    ladders[:, :, feature] = steps
    return ladders


def test_the_shipped_fusion_never_lowers_a_word_for_a_surer_transformer():
    # The fit of 2026-12-07 without constraints read a word with no evidence as certainly
    # spun at a transformer logit of -8.0 and certainly clean at -8.3 (a leaf of -1634).
    from detector.hybrid_model import FEATURES
    from training.fit_hybrid import MONOTONE_FEATURES

    ensemble = load_tree_ensemble(ROOT / "models" / "hybrid" / "fusion.json", rebuild="make hybrid")
    rng = np.random.default_rng(0)
    for name in MONOTONE_FEATURES:
        ladders = _evidence_ladders(rng, FEATURES.index(name))
        p = ensemble.predict_proba(ladders.reshape(-1, len(FEATURES)))[:, 1]
        p = p.reshape(ladders.shape[:2])
        assert (np.diff(p, axis=1) >= -1e-12).all(), name
    leaves = np.concatenate([t.value[t.leaf] for t in ensemble.trees])
    assert np.abs(leaves).max() < 5  # 1634 in the fit before


def test_the_fusion_booster_is_monotone_where_its_data_is_not():
    from detector.hybrid_model import FEATURES
    from training.fit_hybrid import MONOTONE_FEATURES, fusion_booster

    rng = np.random.default_rng(1)
    x = _feature_rows(rng, 4000)
    logit = FEATURES.index("transformer_logit")
    # Labels that fall where the transformer's logit rises: unconstrained trees follow them.
    y = ((x[:, logit] < -5) ^ (rng.random(len(x)) < 0.1)).astype(int)
    booster = fusion_booster(list(FEATURES)).fit(x, y)
    ensemble = TreeEnsemble.from_dict(tree_ensemble(booster).to_dict())
    for name in MONOTONE_FEATURES:
        ladders = _evidence_ladders(rng, FEATURES.index(name), rows=50)
        p = ensemble.predict_proba(ladders.reshape(-1, len(FEATURES)))[:, 1]
        assert (np.diff(p.reshape(ladders.shape[:2]), axis=1) >= -1e-12).all(), name
    # Leaves shrink where the hessians vanish (a leaf of -1634 in the fit without it).
    assert booster.l2_regularization >= 1.0
