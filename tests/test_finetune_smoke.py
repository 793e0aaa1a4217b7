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


def _package_again(data: Path, run: Path, out: Path) -> int:
    return finetune.main(
        [
            "--dataset",
            str(data),
            "--output-dir",
            str(out),
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


def test_a_trained_network_is_packaged_again_to_the_same_scores(
    trained: Path, tmp_path: Path
) -> None:
    run = trained.parent / f".{trained.name}-run" / "network"
    assert (run / finetune.TRAIN_SUMMARY).is_file()
    data = trained.parent / "spin"
    again = tmp_path / "again"
    assert _package_again(data, run, again) == 0
    document = make_document((EXAMPLES / "spun.txt").read_text("utf-8"))
    first = TransformerModel.load(trained).word_probabilities([document])
    assert TransformerModel.load(again).word_probabilities([document]) == first
    metrics = json.loads((again / "training_metrics.json").read_text("utf-8"))
    assert metrics["train_steps"] == 2 and metrics["device"] == "cpu"
    # Arguments keep their JSON types (a trial read "tune_only": "False").
    assert metrics["args"]["tune_only"] is False and metrics["args"]["lora_rank"] == 0
    assert metrics["args"]["max_train_samples"] is None


def test_a_run_stopped_while_tuning_leaves_the_model_it_was_to_replace(
    trained: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A trial's Ctrl-C while the thresholds were tuned had left a new network under the
    # old folder's name, its card and metrics deleted and an untuned threshold that loaded.
    import shutil

    copy = tmp_path / "model"
    shutil.copytree(trained, copy)
    before = {p.name: p.read_bytes() for p in copy.iterdir()}

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(finetune, "tune_thresholds", interrupted)
    run = trained.parent / f".{trained.name}-run" / "network"
    with pytest.raises(KeyboardInterrupt):
        _package_again(trained.parent / "spin", run, copy)
    assert {p.name: p.read_bytes() for p in copy.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["model"]  # no staging folder left


def test_an_output_folder_holding_other_files_is_refused_before_any_work(
    trained: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "notes.txt").write_text("mine", encoding="utf-8")
    run = trained.parent / f".{trained.name}-run" / "network"
    with pytest.raises(SystemExit) as stopped:
        _package_again(trained.parent / "spin", run, notes)
    assert stopped.value.code == 2
    assert "not a transformer model" in capsys.readouterr().err
    assert [p.name for p in notes.iterdir()] == ["notes.txt"]
    with pytest.raises(SystemExit) as missing:
        _package_again(tmp_path / "no-dataset", tmp_path / "no-network", tmp_path / "new")
    assert "--from-trained" in str(missing.value.code)  # said before the missing dataset


def test_a_negative_learning_rate_or_no_epochs_is_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for flags in (["--learning-rate", "-1"], ["--epochs", "0"]):
        with pytest.raises(SystemExit) as stopped:
            finetune.main(flags)
        assert stopped.value.code == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "must be > 0" in err


def test_a_short_run_into_the_shipped_folder_says_it_replaces_the_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Stopped by the missing dataset before any work: nothing is written.
    monkeypatch.chdir(EXAMPLES.parent)  # "models/transformer" is the checkout's
    with pytest.raises(SystemExit) as stopped:
        finetune.main(["--max-steps", "3", "--dataset", str(tmp_path / "none")])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "replaces the shipped model" in err and "no dataset at" in err
