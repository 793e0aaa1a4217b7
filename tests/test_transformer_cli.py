"""`spindetect score` without --original, through the shipped transformer model."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from detector.cli import app
from detector.models import models_root

from .conftest import EXAMPLES

pytest.importorskip("torch")
pytest.importorskip("tokenizers")

runner = CliRunner()


@pytest.fixture(scope="module", autouse=True)
def transformer_installed():
    if not (models_root() / "transformer" / "config.json").is_file():
        pytest.skip("no transformer model in models/: run `make train`")


@pytest.mark.parametrize(
    ("example", "verdict"), [("spun.txt", "spun"), ("original.txt", "not_spun")]
)
def test_transformer_reads_an_article_alone(example: str, verdict: str) -> None:
    result = runner.invoke(
        app, ["score", str(EXAMPLES / example), "--model", "transformer", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["mode"], report["model"], report["verdict"]) == (
        "reference-free",
        "transformer",
        verdict,
    )
    text = (EXAMPLES / example).read_text()
    for span in report["spans"]:
        assert text[span["start"] : span["end"]] == span["text"]


def test_score_with_no_model_named_uses_the_shipped_default() -> None:
    default = json.loads((models_root() / "default.json").read_text())["model"]
    result = runner.invoke(app, ["score", str(EXAMPLES / "spun.txt"), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["model"], report["verdict"]) == (default, "spun")
    assert result.stderr == ""  # no load reports, progress bars or warnings from the libraries


def test_label_says_what_its_fast_fallback_misses(tmp_path) -> None:
    from .batch_helpers import UNRELATED, build_archive

    index = build_archive(tmp_path)
    suspect = tmp_path / "page.txt"
    suspect.write_text(UNRELATED, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(
        app, ["label", str(suspect), "-i", str(index), "-o", str(out), "-m", "transformer"]
    )
    assert result.exit_code == 0, result.output
    assert "scored reference-free by the fast transformer" in result.output
    assert "--model hybrid" in result.output
