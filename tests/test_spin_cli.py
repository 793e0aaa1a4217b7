"""`spindetect spin`: text and JSON output, determinism, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from detector.cli import app

ARTICLE = Path(__file__).parent / "fixtures" / "spin_article.txt"
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, ["spin", *args])


def test_text_output_is_deterministic_per_seed() -> None:
    first = invoke(str(ARTICLE), "--seed", "7", "--rate", "0.3")
    assert first.exit_code == 0, first.output
    assert first.stdout == invoke(str(ARTICLE), "--seed", "7", "--rate", "0.3").stdout
    assert first.stdout != invoke(str(ARTICLE), "--seed", "8", "--rate", "0.3").stdout
    original = ARTICLE.read_text("utf-8")
    assert first.stdout.rstrip("\n") != original.rstrip("\n")
    assert first.stdout.splitlines()[0] != "" and len(first.stdout.splitlines()) == len(
        original.splitlines()
    )
    assert first.stderr == ""


def test_seed_is_reported_when_drawn() -> None:
    result = invoke(str(ARTICLE))
    assert result.exit_code == 0
    seed = result.stderr.split("--seed ")[1].split(" ")[0]
    again = invoke(str(ARTICLE), "--seed", seed)
    assert again.stdout == result.stdout


def test_json_output_lists_exact_spans() -> None:
    result = invoke(str(ARTICLE), "--seed", "3", "--format", "json", "--protect", "names,quotes")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    original = ARTICLE.read_text("utf-8")
    assert data["original"] == original and data["seed"] == 3 and data["profile"] == "moby"
    assert data["protect"] == ["names", "quotes"] and data["rate"] == 0.3
    assert data["spans"]
    for span in data["spans"]:
        assert data["text"][span["start"] : span["end"]] == span["text"]
        assert original[span["original_start"] : span["original_end"]] == span["original"]
        assert span["kind"] in ("synonym", "phrase")


def test_output_file_and_stdin(tmp_path: Path) -> None:
    out = tmp_path / "spun.txt"
    result = invoke(str(ARTICLE), "--seed", "1", "--output", str(out))
    assert result.exit_code == 0 and result.stdout == ""
    piped = runner.invoke(app, ["spin", "-", "--seed", "1"], input=ARTICLE.read_text("utf-8"))
    assert piped.exit_code == 0
    assert out.read_text("utf-8").rstrip("\n") == piped.stdout.rstrip("\n")


def test_cross_profile() -> None:
    result = invoke(str(ARTICLE), "--seed", "2", "--profile", "cross", "--format", "json")
    if result.exit_code == 1 and "mythes-en-us" in result.stderr:
        pytest.skip("MyThes is not installed")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["profile"] == "cross"


def test_paratable_profile() -> None:
    args = (str(ARTICLE), "--seed", "4", "--rate", "0.4", "--profile", "paratable")
    result = invoke(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    original = ARTICLE.read_text("utf-8")
    assert data["profile"] == "paratable" and data["protect"] == ["numbers"]
    for span in data["spans"]:
        assert data["text"][span["start"] : span["end"]] == span["text"]
        assert original[span["original_start"] : span["original_end"]] == span["original"]
        assert span["kind"] in ("synonym", "phrase")
    assert any(len(s["text"].split()) > len(s["original"].split()) for s in data["spans"])
    assert invoke(*args).stdout.rstrip("\n") == data["text"].rstrip("\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rate", "0.9"], "Error: --rate must be in [0.02, 0.6], got 0.9\n"),
        (["--rate", "0.01"], "Error: --rate must be in [0.02, 0.6], got 0.01\n"),
        (
            ["--protect", "names,nums"],
            "Error: --protect must list some of names, numbers, quotes (or 'none'), got 'nums'\n",
        ),
    ],
)
def test_bad_parameters_exit_2_with_one_line(args: list[str], message: str) -> None:
    result = invoke(str(ARTICLE), *args)
    assert result.exit_code == 2
    assert result.stderr == message and result.stdout == ""


def test_bad_profile_is_a_usage_error() -> None:
    result = invoke(str(ARTICLE), "--profile", "wordai")
    assert result.exit_code == 2 and "wordai" in result.stderr


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    result = invoke(str(tmp_path / "nope.txt"))
    assert (
        result.exit_code == 2 and result.stderr == f"Error: {tmp_path / 'nope.txt'}: no such file\n"
    )
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\x00\x00\x01")
    result = invoke(str(binary))
    assert (
        result.exit_code == 1
        and result.stderr.startswith("Error: ")
        and result.stderr.count("\n") == 1
    )
    assert "Traceback" not in result.output


def test_help_describes_the_command() -> None:
    result = runner.invoke(app, ["spin", "--help"])
    assert result.exit_code == 0
    for words in ("--rate", "--seed", "--profile", "--protect", "--format", "red-teaming"):
        assert words in result.stdout
    assert "paratable" in result.stdout
    assert "spin" in runner.invoke(app, ["--help"]).stdout
