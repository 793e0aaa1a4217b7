"""A non-editable install: the wheel carries the library's data and the shipped models."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("spindetect-*.whl")
    return built


def test_wheel_carries_package_data_and_every_shipped_model(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "detector/data/glue_phrases.tsv" in names
    assert "detector/spin/data/cross_phrases.tsv" in names
    data = "spindetect-0.1.0.data/data/share/spindetect/models/"
    assert data + "default.json" in names
    for folder in sorted(p for p in (ROOT / "models").iterdir() if p.is_dir()):
        for file in folder.iterdir():
            assert f"{data}{folder.name}/{file.name}" in names, file


def test_installed_models_are_found_under_the_prefix(tmp_path, monkeypatch):
    import detector.model_config as model_config
    import detector.models as models

    monkeypatch.delenv("SPINDETECT_MODELS", raising=False)
    fake_module = tmp_path / "site-packages" / "detector" / "model_config.py"
    fake_module.parent.mkdir(parents=True)
    monkeypatch.setattr(model_config, "__file__", str(fake_module))
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "prefix"))
    assert models.models_root() == tmp_path / "prefix" / "share" / "spindetect" / "models"


def test_shipped_model_folders_hold_no_machine_paths():
    for path in (ROOT / "models").rglob("*.json"):
        text = path.read_text("utf-8")
        for marker in ("/work/", "/home/", "/root/", "/tmp/", "site-packages", "C:\\\\"):
            assert marker not in text, f"{path} mentions {marker}"
