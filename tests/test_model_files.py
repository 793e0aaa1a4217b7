"""Damaged model files are refused in one line, from the library and from the CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from detector.errors import ModelNotFoundError
from detector.models import load_model, models_root

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "spun.txt"


def _damaged_copy(tmp_path: Path, model: str, file: str, content: bytes) -> Path:
    folder = tmp_path / model
    shutil.copytree(models_root() / model, folder)
    (folder / file).write_bytes(content)
    return folder


@pytest.mark.parametrize(
    ("model", "file"),
    [
        ("baseline", "word_model.skops"),
        ("baseline", "document_model.skops"),
        ("transformer", "network.safetensors"),
        ("transformer", "tokenizer.json"),
    ],
)
def test_damaged_model_file_is_refused_with_one_line(tmp_path, model, file):
    folder = _damaged_copy(tmp_path, model, file, b"\x00garbage" * 64)
    with pytest.raises(ModelNotFoundError, match=file.replace(".", r"\.")):
        load_model(str(folder))


def test_cli_reports_a_damaged_model_without_a_traceback(tmp_path):
    folder = _damaged_copy(tmp_path, "transformer", "network.safetensors", b"{" * 300)
    result = subprocess.run(
        [sys.executable, "-m", "detector", "score", str(EXAMPLE), "--model", str(folder)],
        capture_output=True,
        text=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert "network.safetensors" in result.stderr
    assert "Traceback" not in result.stderr


def test_skops_file_with_an_untrusted_type_is_refused(tmp_path):
    import skops.io

    from detector.prose import ProseCheck
    from detector.skops_files import load_trusted_skops

    path = tmp_path / "fusion.skops"
    skops.io.dump({"model": ProseCheck()}, path)
    with pytest.raises(ModelNotFoundError, match="does not trust"):
        load_trusted_skops(
            path,
            ("sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",),
            rebuild="make hybrid",
        )
    with pytest.raises(ModelNotFoundError, match="missing"):
        load_trusted_skops(tmp_path / "none.skops", (), rebuild="make hybrid")


def test_an_older_adapter_folder_and_a_bad_tokenizer_are_refused_in_one_line(tmp_path):
    folder = tmp_path / "transformer"
    shutil.copytree(models_root() / "transformer", folder)
    (folder / "tokenizer.json").write_text('{"version": "1.0"}', encoding="utf-8")
    with pytest.raises(ModelNotFoundError, match="not a usable tokenizer"):
        load_model(str(folder))
    (folder / "network.safetensors").unlink()
    (folder / "adapter_model.safetensors").write_bytes(b"")
    with pytest.raises(ModelNotFoundError, match=r"older LoRA-adapter model\); retrain"):
        load_model(str(folder))
