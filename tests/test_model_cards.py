"""Model cards: every ``models/*/README.md``, and every recipe's card, opens with Hugging
Face metadata (YAML front matter) naming the licence, language, base model, library,
datasets, metrics and tags."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from training.model_card import card_metadata, metadata_block

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "models"
CARDS = sorted(MODELS.glob("*/README.md"))
KEYS = {"license", "language", "base_model", "library_name", "datasets", "metrics", "tags"}


def _simple_parse(block: str) -> dict[str, Any]:
    """The cards' YAML subset: one key a line, each value in JSON."""
    return {
        key: json.loads(value)
        for key, _, value in (line.partition(": ") for line in block.splitlines())
    }


def front_matter(text: str, use_yaml: bool = True) -> dict[str, Any]:
    """The YAML block a card starts with (with ``yaml`` if installed, else line by line)."""
    match = re.match(r"---\n(.*?)\n---\n", text, re.DOTALL)
    assert match, "the card does not start with a '---' metadata block"
    try:
        import yaml
    except ImportError:
        use_yaml = False
    if not use_yaml:
        return _simple_parse(match.group(1))
    data = yaml.safe_load(match.group(1))
    assert isinstance(data, dict)
    return data


def _licence() -> str:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    return project["license"]["text"].lower()


def _check(metadata: dict[str, Any]) -> None:
    assert set(metadata) >= KEYS
    assert metadata["license"] == _licence()
    assert metadata["language"] == ["en"]
    assert metadata["library_name"] == "spindetect"
    assert any("OneStopEnglish" in d for d in metadata["datasets"])
    assert any("Wikinews" in d for d in metadata["datasets"])
    assert metadata["tags"] and all(isinstance(t, str) for t in metadata["tags"])
    assert metadata["metrics"], "no metrics"
    assert all(isinstance(v, int | float) for v in metadata["metrics"].values())


def test_every_shipped_model_has_a_card():
    folders = {p.parent.name for p in MODELS.glob("*/config.json")}
    assert folders == {p.parent.name for p in CARDS}
    assert {"baseline", "transformer"} <= folders


@pytest.mark.parametrize("card", CARDS, ids=lambda p: p.parent.name)
def test_every_model_card_starts_with_hub_metadata(card: Path):
    text = card.read_text("utf-8")
    metadata = front_matter(text)
    _check(metadata)
    after = text.split("\n---\n", 1)[1].lstrip("\n")
    assert after.startswith("# "), "the card's title should follow its metadata"


@pytest.mark.parametrize("card", CARDS, ids=lambda p: p.parent.name)
def test_the_simple_parser_reads_what_yaml_reads(card: Path):
    pytest.importorskip("yaml")
    text = card.read_text("utf-8")
    assert front_matter(text, use_yaml=False) == front_matter(text)


def test_base_models_are_hub_ids():
    base = {card.parent.name: front_matter(card.read_text("utf-8"))["base_model"] for card in CARDS}
    assert base["transformer"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert base["baseline"] is None  # trained from scratch
    for name in ("lm", "hybrid"):
        if name in base:
            assert base[name] == "HuggingFaceTB/SmolLM2-135M-Instruct"


def test_metadata_block_is_yaml_front_matter():
    block = metadata_block(card_metadata("org/model", {"f1": 0.5}, tags=["extra"]))
    assert block.startswith("---\n") and block.endswith("\n---\n\n")
    metadata = front_matter(block)
    _check(metadata)
    assert metadata["tags"][-1] == "extra"


def test_the_baseline_recipe_writes_the_metadata():
    from training.baseline import model_card

    config = json.loads((MODELS / "baseline" / "config.json").read_text("utf-8"))
    metadata = front_matter(model_card(config))
    _check(metadata)
    assert metadata["metrics"] == config["validation"]


def test_the_transformer_recipe_writes_the_metadata():
    from training.finetune import _model_card

    config = {
        "lora_rank": 16,
        "training_data": "data/spin-dataset",
        "max_length": 256,
        "stride": 32,
        "word_threshold": 0.15,
        "document_threshold": 0.5,
    }
    metrics = {"validation_token_f1": 0.61, "eval_f1": 0.54, "eval_recall": float("nan")}
    metadata = front_matter(_model_card(config, metrics, "make train"))
    _check(metadata)
    assert metadata["base_model"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert metadata["metrics"] == {"validation_token_f1": 0.61, "eval_f1": 0.54}
