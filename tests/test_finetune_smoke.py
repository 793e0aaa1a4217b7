"""The fine-tuning recipe end to end on a tiny dataset: a few steps of the real model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("datasets")

from detector.document import make_document
from detector.models import load_model
from detector.transformer_model import TransformerModel, document_windows
from training import finetune
from training.dataset import main as build_dataset_main

from .test_dataset import write_corpora

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("finetune")
    corpora = write_corpora(folder)
    data = folder / "spin"
    assert (
        build_dataset_main(
            [
                "--corpus",
                *corpora,
                "--out",
                str(data),
                "--min-words",
                "20",
                "--cross-profile",
                "none",
                "--spins-per-text",
                "1",
            ]
        )
        == 0
    )
    out = folder / "model"
    assert (
        finetune.main(
            [
                "--dataset",
                str(data),
                "--output-dir",
                str(out),
                "--max-steps",
                "2",
                "--batch-size",
                "2",
                "--max-length",
                "48",
                "--stride",
                "8",
                "--max-train-samples",
                "4",
                "--max-eval-samples",
                "4",
                "--logging-steps",
                "1",
            ]
        )
        == 0
    )
    return out


def test_training_writes_a_complete_model_folder(trained: Path) -> None:
    names = {p.name for p in trained.iterdir()}
    assert {
        "config.json",
        "network.safetensors",
        "numerics_check.json",
        "README.md",
        "tokenizer.json",
    } <= names
    config = json.loads((trained / "config.json").read_text("utf-8"))
    assert config["type"] == "transformer"
    assert config["labels"] == ["clean", "replaced"]
    assert 0 < config["word_threshold"] < 1
    assert config["numerics"] == "int8" and config["recipe"] == "full fine-tuning"
    assert not any(p.suffix in (".bin", ".pkl", ".pt") for p in trained.iterdir())
    card = (trained / "README.md").read_text("utf-8")
    assert f"--models {trained}" in card and "Reproduce: `make train`" not in card
    assert "Reproduce: `python -m training.finetune --dataset " in card


def test_reloaded_model_gives_identical_scores(trained: Path) -> None:
    document = make_document((EXAMPLES / "spun.txt").read_text("utf-8"))
    first = TransformerModel.load(trained).word_probabilities([document])
    second = TransformerModel.load(trained).word_probabilities([document])
    assert first == second
    assert len(first[0]) == len(document.words)


def test_loaded_model_reports_with_valid_offsets(trained: Path) -> None:
    text = (EXAMPLES / "spun.txt").read_text("utf-8")
    report = load_model(str(trained)).score(make_document(text, "spun.txt"))
    assert report.mode == "reference-free" and report.relation is None
    for span in report.spans:
        assert text[span.start : span.end] == span.text


def test_windows_label_each_word_once_on_its_first_piece(trained: Path) -> None:
    from detector.minilm import WordPieceWindows

    tokenizer = WordPieceWindows.from_file(trained / "tokenizer.json")
    document = make_document("The corporate's employees utterly rejected it.")
    (window,) = document_windows(tokenizer, document, max_length=48, stride=8)
    owners = [k for k in window.first_piece_of if k >= 0]
    assert owners == list(range(len(document.words)))


def test_a_trained_network_is_packaged_again_to_the_same_scores(
    trained: Path, tmp_path: Path
) -> None:
    run = trained.parent / f".{trained.name}-run" / "network"
    assert (run / finetune.TRAIN_SUMMARY).is_file()
    data = trained.parent / "spin"
    again = tmp_path / "again"
    assert (
        finetune.main(
            [
                "--dataset",
                str(data),
                "--output-dir",
                str(again),
                "--from-trained",
                str(run),
                "--max-length",
                "48",
                "--stride",
                "8",
                "--max-eval-samples",
                "4",
            ]
        )
        == 0
    )
    document = make_document((EXAMPLES / "spun.txt").read_text("utf-8"))
    first = TransformerModel.load(trained).word_probabilities([document])
    assert TransformerModel.load(again).word_probabilities([document]) == first
    metrics = json.loads((again / "training_metrics.json").read_text("utf-8"))
    assert metrics["train_steps"] == 2 and metrics["device"] == "cpu"
