import json
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from detector.cli import app

from .conftest import EXAMPLES, ORIGINAL, SPUN

runner = CliRunner()


def invoke(*args, **kwargs):
    return runner.invoke(app, [str(a) for a in args], **kwargs)


def test_score_json_is_one_object_with_the_contract_fields(pair):
    suspect, original = pair
    result = invoke("score", suspect, "--original", original, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["verdict"] == "spun"
    assert report["relation"] == "copy"
    assert report["source"] == str(original)
    assert 0.5 <= report["spin_score"] <= 1
    assert report["substitution_rate"] > 0.2
    assert [(s["text"], s["original"]) for s in report["spans"]] == [
        ("employees", "staff"),
        ("utterly", "completely"),
        ("on account", "because"),
        ("plenty", "a lot"),
    ]
    assert [s["kind"] for s in report["spans"]][:3] == ["synonym", "synonym", "phrase"]
    for span in report["spans"]:
        assert set(span) == {
            "start",
            "end",
            "text",
            "original",
            "original_start",
            "original_end",
            "kind",
            "score",
            "restore_score",
        }
        assert span["restore_score"] is None  # reference mode reads the original
        assert SPUN[span["start"] : span["end"]] == span["text"]


def test_score_text_marks_spans_with_their_originals(pair):
    suspect, original = pair
    result = invoke("score", suspect, "--original", original)
    assert result.exit_code == 0
    assert result.stdout.startswith("SPUN  spin score")
    assert "The company's {employees|staff} {utterly|completely} rejected" in result.stdout


def test_score_html_is_a_self_contained_page(pair, tmp_path):
    suspect, original = pair
    out = tmp_path / "report.html"
    result = invoke("score", suspect, "--original", original, "--format", "html", "--output", out)
    assert result.exit_code == 0
    assert result.stdout == ""
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page and "http" not in page.split("<body>")[1]
    assert 'data-other="swap; original: completely"' in page
    assert ">utterly</mark>" in page and ">completely</mark>" in page


def test_html_escapes_article_text(tmp_path):
    evil = "<script>alert('spun')</script> The staff completely rejected the <b>report</b>."
    original = tmp_path / "o.txt"
    suspect = tmp_path / "s.txt"
    original.write_text(evil)
    suspect.write_text(evil.replace("staff completely", "employees utterly"))
    result = invoke("score", suspect, "--original", original, "-f", "html")
    assert result.exit_code == 0
    assert "<script>" not in result.stdout and "<b>" not in result.stdout
    assert "&lt;script&gt;alert(&#x27;spun&#x27;)&lt;/script&gt;" in result.stdout


def test_score_reads_the_suspect_from_stdin(pair):
    _, original = pair
    result = invoke("score", "-", "--original", original, "-f", "json", input=SPUN)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["verdict"] == "spun"


def test_score_refuses_standard_input_as_both_suspect_and_original():
    result = invoke("score", "-", "--original", "-", input=SPUN)
    assert result.exit_code == 2
    assert "standard input can be read once" in result.stderr


@pytest.mark.parametrize("which", [0, 1])
def test_score_refuses_to_write_its_report_over_an_input(pair, which):
    result = invoke("score", pair[0], "--original", pair[1], "-o", pair[which])
    assert result.exit_code == 2
    assert "is an input" in result.stderr
    assert pair[0].read_text() == SPUN and pair[1].read_text() == ORIGINAL


def test_score_refuses_to_replace_an_article_with_its_report_as_old_o_did(pair, tmp_path):
    # -o was --original's short form: an old command line must not replace the original.
    result = invoke("score", pair[0], "-o", pair[1], "--model", "baseline")
    assert result.exit_code == 2
    assert "is not a spindetect report" in result.stderr and "--original" in result.stderr
    assert pair[1].read_text() == ORIGINAL
    # A report written before is replaced as asked, and so is an empty file.
    report = tmp_path / "report.txt"
    for _ in range(2):
        assert invoke("score", pair[0], "-o", report, "--model", "baseline").exit_code == 0
    empty = tmp_path / "empty.md"
    empty.write_text("")
    assert invoke("score", pair[0], "-o", empty, "--model", "baseline").exit_code == 0
    for fmt in ("json", "html"):
        written = tmp_path / f"report-{fmt}.txt"
        for _ in range(2):
            result = invoke("score", pair[0], "-o", written, "-f", fmt, "--model", "baseline")
            assert result.exit_code == 0
    # An article that merely names the tool is still an article.
    article = tmp_path / "article.txt"
    article.write_text("Local firm adopts spindetect for its newsroom.\n")
    assert invoke("score", pair[0], "-o", article, "--model", "baseline").exit_code == 2


def test_score_refuses_to_write_over_an_article_inside_an_originals_folder(pair, tmp_path):
    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "kept.txt").write_text(ORIGINAL)
    result = invoke("score", pair[0], "--original", folder, "-o", folder / "kept.txt")
    assert result.exit_code == 2 and "is an input" in result.stderr
    assert (folder / "kept.txt").read_text() == ORIGINAL


def test_score_output_dash_is_standard_output(pair, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("score", pair[0], "--original", pair[1], "-o", "-", "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["verdict"] == "spun"
    assert not (tmp_path / "-").exists()


def test_score_picks_the_best_of_several_originals_and_names_it(pair, tmp_path):
    suspect, _ = pair
    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "other.txt").write_text("Scientists found a new frog species in Peru last week.")
    (folder / "same.txt").write_text(ORIGINAL)
    result = invoke("score", suspect, "--original", folder, "-f", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["source"] == str(folder / "same.txt")


def test_score_without_original_or_model_says_what_is_needed(pair, tmp_path, monkeypatch):
    suspect, _ = pair
    monkeypatch.setenv("SPINDETECT_MODELS", str(tmp_path / "no-models"))
    result = invoke("score", suspect)
    assert result.exit_code == 1
    assert "--original" in result.stderr
    assert result.stdout == ""


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("make_suspect", "code", "message"),
    [
        (lambda d: d / "missing.txt", 2, "no such file"),
        (lambda d: d, 2, "is a directory"),
        (lambda d: _write(d / "empty.txt", b""), 1, "is empty"),
        (lambda d: _write(d / "bin.txt", b"\x00\x01\x02\x03binary\x00\xff" * 10), 1, "binary"),
        (lambda d: _write(d / "bad.txt", b"caf\x81\x8d\x8f\x90\x9d"), 1, "--encoding"),
    ],
    ids=["missing", "directory", "empty", "binary", "undecodable"],
)
def test_bad_suspects_give_one_line_errors(tmp_path, pair, make_suspect, code, message):
    _, original = pair
    result = invoke("score", make_suspect(tmp_path), "--original", original)
    assert result.exit_code == code
    assert message in result.stderr
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.output


def test_huge_file_is_refused_in_bounded_memory(tmp_path, pair):
    _, original = pair
    huge = tmp_path / "huge.txt"
    with open(huge, "wb") as f:
        f.truncate(50_000_000)
    result = invoke("score", huge, "--original", original)
    assert result.exit_code == 1
    assert "larger than 10 MB" in result.stderr


def test_folder_of_originals_without_texts_is_a_usage_error(tmp_path, pair):
    suspect, _ = pair
    empty = tmp_path / "none"
    empty.mkdir()
    result = invoke("score", suspect, "--original", empty)
    assert result.exit_code == 2
    assert "holds no article files" in result.stderr


def test_unknown_format_is_a_usage_error(pair):
    suspect, original = pair
    result = invoke("score", suspect, "--original", original, "--format", "pdf")
    assert result.exit_code == 2


def test_every_command_has_help():
    commands = get_command(app).commands
    assert "score" in commands
    for name, command in commands.items():
        assert command.help, f"{name} has no help"
        result = invoke(name, "--help")
        assert result.exit_code == 0
        assert "Usage:" in result.stdout


def test_demo_example_is_spun_and_syndicated_copy_is_not():
    spun = invoke(
        "score", EXAMPLES / "spun.txt", "--original", EXAMPLES / "original.txt", "-f", "json"
    )
    syndicated = invoke(
        "score", EXAMPLES / "syndicated.txt", "--original", EXAMPLES / "original.txt", "-f", "json"
    )
    assert json.loads(spun.stdout)["verdict"] == "spun"
    assert json.loads(syndicated.stdout)["verdict"] == "not_spun"


def test_score_refuses_a_file_of_records_and_points_at_label(pair, tmp_path):
    suspect, original = pair
    records = tmp_path / "crawl.jsonl"
    records.write_text(json.dumps({"id": "a", "text": SPUN}) + "\n", encoding="utf-8")
    result = invoke("score", records, "--original", original)
    assert result.exit_code == 2
    assert "score reads one article" in result.output and "spindetect label" in result.output
    result = invoke("score", suspect, "--original", records)
    assert result.exit_code == 2
    assert "spindetect index" in result.output


def test_score_with_an_unknown_model_name_is_a_usage_error(pair):
    suspect, _ = pair
    result = invoke("score", suspect, "--model", "no-such-model")
    assert result.exit_code == 2
    assert "give default, one of" in result.output


def test_score_warns_when_the_output_extension_names_no_format(pair, tmp_path):
    suspect, original = pair
    out = tmp_path / "report.pdf"
    result = invoke("score", suspect, "--original", original, "-o", out)
    assert result.exit_code == 0
    assert "no report format has the extension .pdf" in result.output
    assert out.read_text("utf-8").startswith("SPUN")


def test_an_unrelated_original_shows_no_swaps_or_edits(tmp_path):
    suspect = tmp_path / "council.txt"
    suspect.write_text(
        "The city council voted on Tuesday to close two public libraries next spring, "
        "despite protests from residents who packed the chamber for the meeting. Council "
        "members said the decision was painful but necessary because the city faces a "
        "budget shortfall of nearly four million dollars. The libraries will shut their "
        "doors in April, and their books will be moved to the central branch.\n",
        encoding="utf-8",
    )
    original = tmp_path / "earnings.txt"
    original.write_text(
        "The company's chief executive said on Thursday that profits had fallen sharply in "
        "the last three months because customers were buying fewer new cars. Sales in Europe "
        "dropped by twelve percent, while demand in China remained weak. The firm plans to "
        "cut about two thousand jobs by the end of next year and will close a factory.\n",
        encoding="utf-8",
    )
    result = invoke("score", suspect, "--original", original, "--format", "json")
    report = json.loads(result.stdout)
    assert report["relation"] == "unrelated" and report["verdict"] == "not_spun"
    assert report["spans"] == [] and report["substitution_rate"] == 0.0
    text = invoke("score", suspect, "--original", original).stdout
    assert "swaps:     none: the texts are unrelated" in text
    # The verdict clears nothing: the text may be spun from another source.
    assert "says nothing of spinning from another source" in text
    assert "without --original the text gets a reference-free one" in text
    assert "{" not in text.split("\n\n", 1)[1]  # no marks in the article


def test_a_folder_holding_only_the_suspect_is_a_usage_mistake(pair, tmp_path):
    folder = tmp_path / "archive"
    folder.mkdir()
    suspect = folder / "suspect.txt"
    suspect.write_text(pair[0].read_text())
    result = invoke("score", suspect, "--original", folder)
    assert result.exit_code == 2 and "but the suspect" in result.stderr


def test_score_says_before_a_long_read_that_the_language_model_takes_a_while(tmp_path, monkeypatch):
    import detector.cli as cli

    article = ((Path(EXAMPLES) / "spun.txt").read_text("utf-8") + "\n\n") * 20  # 6,000 words
    long_text = tmp_path / "long.txt"
    long_text.write_text(article, encoding="utf-8")
    # The baseline scores it in a blink; the note asks only what the model's type is.
    monkeypatch.setattr(cli, "_model_type", lambda name: "hybrid")
    result = runner.invoke(app, ["score", str(long_text), "--model", "baseline"])
    assert result.exit_code == 0, result.output
    assert "words for the language model to read" in result.stderr
    assert "--model transformer" in result.stderr
    short = runner.invoke(app, ["score", str(Path(EXAMPLES) / "spun.txt"), "--model", "baseline"])
    assert short.exit_code == 0 and "language model to read" not in short.stderr
    quiet = runner.invoke(app, ["score", str(long_text), "--model", "baseline", "--quiet"])
    assert quiet.exit_code == 0 and "language model to read" not in quiet.stderr


def test_the_long_read_note_is_for_language_models_and_long_texts_only():
    from detector.cli import _long_read_note

    assert _long_read_note(2_999, "hybrid") is None
    assert _long_read_note(50_000, "transformer") is None
    assert _long_read_note(50_000, None) is None
    note = _long_read_note(8_000, "cascade")
    assert note is not None and "8,000 words" in note and "10 times" in note
