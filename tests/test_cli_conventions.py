"""The conventions every command keeps (issue 14): help, output, verbosity, exit codes, schema."""

import json
import re
import unicodedata

import jsonschema
import pytest
from typer.main import get_command
from typer.testing import CliRunner

from detector.cli import app
from detector.io import format_size
from detector.label import LabelRecord
from detector.output import format_from_suffix, wrap_text
from detector.schema import SCHEMA_FILES, SCHEMA_VERSION, load_schema, schema_path

from .batch_helpers import ARTICLES, UNRELATED, swap_words, write_originals
from .conftest import EXAMPLES, ROOT

runner = CliRunner()
COMMANDS = sorted(get_command(app).commands)  # type: ignore[attr-defined]
SPUN_EXAMPLE = EXAMPLES / "spun.txt"
ORIGINAL_EXAMPLE = EXAMPLES / "original.txt"
SYNDICATED_EXAMPLE = EXAMPLES / "syndicated.txt"


def invoke(*args, **kwargs):
    return runner.invoke(app, [str(a) for a in args], **kwargs)


def report_validator():
    return jsonschema.Draft202012Validator(load_schema("report"))


def record_validator():
    return jsonschema.Draft202012Validator(load_schema("label"))


@pytest.fixture
def corpus(tmp_path, lexicon):
    """(originals folder, suspects folder, index path, results path), index not yet built."""
    originals = tmp_path / "originals"
    write_originals(originals)
    suspects = tmp_path / "suspects"
    suspects.mkdir()
    (suspects / "spun.txt").write_text(swap_words(ARTICLES["museum"], lexicon, seed=3))
    (suspects / "other.txt").write_text(UNRELATED)
    return originals, suspects, tmp_path / "archive.sdx", tmp_path / "results.jsonl"


@pytest.fixture
def built(corpus):
    originals, _, index, _ = corpus
    result = invoke("index", originals, "-o", index, "-q")
    assert result.exit_code == 0, result.output
    return corpus


# --------------------------------------------------------------------------- help


@pytest.mark.parametrize("command", [[], *([c] for c in COMMANDS)])
def test_dash_h_is_help_everywhere(command):
    short, long = invoke(*command, "-h"), invoke(*command, "--help")
    assert short.exit_code == long.exit_code == 0
    assert short.stdout == long.stdout
    assert "-h, --help" in short.stdout


def test_top_level_help_does_not_cut_command_summaries():
    result = invoke("--help")
    commands = result.stdout.split("Commands:")[1].split("Exit status:")[0]
    assert set(COMMANDS) <= set(re.findall(r"^  (\w+) ", commands, re.M))
    assert "..." not in commands


def _environment_variables_read() -> set[str]:
    """Upper-case names next to os.environ / getenv (or in *_ENV constants) in detector/."""
    names: set[str] = set()
    for path in (ROOT / "detector").rglob("*.py"):
        for line in path.read_text("utf-8").splitlines():
            if "environ" in line or "getenv" in line or re.match(r"\s*\w+_ENV = ", line):
                names.update(re.findall(r"\"([A-Z][A-Z0-9_]{2,})\"", line))
    # Set by spindetect itself around the GGUF reader (and restored), not read from the user.
    return names - {"TQDM_DISABLE"}


def test_top_level_help_lists_every_environment_variable_read():
    help_text = invoke("--help").stdout
    read = _environment_variables_read()
    assert {"SPINDETECT_CACHE", "SPINDETECT_MODELS", "NO_COLOR"} <= read
    for name in read | {"HF_HUB_OFFLINE"}:
        assert re.search(rf"^\s+{name}\s", help_text, re.M), name


def test_score_help_names_the_default_model():
    # A new-user trial: "the best shipped model, models/default.json" left the editor to
    # find out from a report which model that is.
    from detector.model_config import default_model_name, models_root

    named = json.loads((models_root() / "default.json").read_text("utf-8"))["model"]
    assert default_model_name() == named
    help_text = " ".join(invoke("score", "--help").stdout.split())
    assert f"[default: {named}, the best shipped model (models/default.json)]" in help_text


def test_default_model_name_is_none_for_a_missing_or_broken_file(tmp_path):
    from detector.model_config import default_model_name

    assert default_model_name(tmp_path) is None
    for broken in ("{", '{"model": 3}', "[]"):
        (tmp_path / "default.json").write_text(broken, "utf-8")
        assert default_model_name(tmp_path) is None, broken


@pytest.mark.parametrize("command", [[], ["score"], ["label"]])
def test_exit_statuses_are_documented_in_help(command):
    help_text = " ".join(invoke(*command, "--help").stdout.split())
    assert "--fail-on" in help_text
    assert re.search(r"\b4\b", help_text)
    if command != ["score"]:
        assert re.search(r"\b3\b", help_text)


@pytest.mark.parametrize("command", ["score", "index", "label", "spin", "schema", "report"])
def test_output_is_dash_o_in_every_command(command):
    help_text = invoke(command, "--help").stdout
    assert re.search(r"-o, --output", help_text)
    assert "--out " not in help_text and "--out," not in help_text  # the old name is hidden


# --------------------------------------------------------------------------- -q / -v


def test_score_verbose_says_what_was_read_and_how_long_it_took():
    result = invoke("score", SPUN_EXAMPLE, "--original", ORIGINAL_EXAMPLE, "-v")
    assert result.exit_code == 0, result.output
    assert f"read {SPUN_EXAMPLE}" in result.stderr
    assert str(ORIGINAL_EXAMPLE) in result.stderr
    assert re.search(r"in \d+\.\d\d s", result.stderr)


def test_score_verbose_names_the_model_it_loaded():
    result = invoke("score", SPUN_EXAMPLE, "--model", "baseline", "--verbose", "-f", "json")
    assert result.exit_code == 0, result.output
    assert "loaded model baseline from" in result.stderr
    assert "scored by baseline" in result.stderr
    json.loads(result.stdout)  # stdout stays the report alone


def test_score_quiet_silences_warnings():
    args = ["score", SPUN_EXAMPLE, "--original", ORIGINAL_EXAMPLE, "--model", "lm"]
    assert "Warning: --model has no effect" in invoke(*args).stderr
    quiet = invoke(*args, "-q")
    assert quiet.exit_code == 0 and quiet.stderr == ""
    assert quiet.stdout.startswith("SPUN")


def test_quiet_and_verbose_together_are_a_usage_error():
    result = invoke("score", SPUN_EXAMPLE, "--original", ORIGINAL_EXAMPLE, "-q", "-v")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --quiet and --verbose")


def test_index_and_label_quiet_print_nothing_and_verbose_more(corpus):
    originals, suspects, index, out = corpus
    quiet = invoke("index", originals, "-o", index, "--quiet")
    assert quiet.exit_code == 0, quiet.output
    assert quiet.stderr == ""
    labelled = invoke("label", suspects, "-i", index, "-o", out, "-q", "--no-fallback")
    assert labelled.exit_code == 0, labelled.output
    assert labelled.stderr == "" and len(out.read_text().splitlines()) == 2
    again = invoke("index", originals, "-o", index, "--add", "-v")
    assert "spindetect: adding to" in again.stderr and "originals in the index" in again.stderr
    verbose = invoke("label", suspects, "-i", index, "-o", out, "--resume", "-v")
    assert "fallback model: cascade" in verbose.stderr


# --------------------------------------------------------------------------- --fail-on


@pytest.mark.parametrize(
    ("suspect", "fail_on", "status"),
    [
        (SPUN_EXAMPLE, "spun", 4),
        (SPUN_EXAMPLE, "any", 4),
        (SPUN_EXAMPLE, "paraphrased", 0),
        (SYNDICATED_EXAMPLE, "spun", 0),
        (SYNDICATED_EXAMPLE, "any", 0),
    ],
)
def test_score_fail_on_exits_4_when_the_verdict_matches(suspect, fail_on, status):
    result = invoke("score", suspect, "--original", ORIGINAL_EXAMPLE, "--fail-on", fail_on)
    assert result.exit_code == status, result.output
    assert result.stdout.startswith(("SPUN", "NOT SPUN"))  # the report is written all the same


def test_fail_on_rejects_unknown_verdicts():
    result = invoke("score", SPUN_EXAMPLE, "--original", ORIGINAL_EXAMPLE, "--fail-on", "maybe")
    assert result.exit_code == 2


def test_label_fail_on_counts_matching_records(built):
    _, suspects, index, out = built
    clean = invoke("label", suspects, "-i", index, "-o", out, "--no-fallback", "-q")
    assert clean.exit_code == 0
    out.unlink()
    failing = invoke("label", suspects, "-i", index, "-o", out, "--no-fallback", "--fail-on", "any")
    assert failing.exit_code == 4, failing.output
    assert "1 record(s)" in failing.stderr and "--fail-on any" in failing.stderr
    resumed = invoke(
        "label", suspects, "-i", index, "-o", out, "--no-fallback", "--resume", "--fail-on", "spun"
    )
    assert resumed.exit_code == 4  # records of earlier runs count too


# --------------------------------------------------------------------------- --threshold


@pytest.mark.parametrize(("threshold", "verdict"), [("0", "spun"), ("1", "not_spun")])
def test_threshold_moves_the_reference_free_verdict(threshold, verdict):
    result = invoke(
        "score", SYNDICATED_EXAMPLE, "-m", "baseline", "--threshold", threshold, "-f", "json"
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["verdict"] == verdict
    assert 0 < report["spin_score"] < 1
    # The note says what the verdict rests on (a trial's note vanished at --threshold):
    # the syndicated example is not spun at the model's own threshold.
    if verdict == "spun":  # the threshold moved the verdict: the note says so
        assert report["note"].startswith("spun at threshold 0 ")
        assert report["note"].endswith("own threshold of 0.631 it would be not spun")


def test_threshold_outside_0_1_is_a_usage_error():
    result = invoke("score", SPUN_EXAMPLE, "--model", "baseline", "--threshold", "1.5")
    assert result.exit_code == 2


def test_threshold_has_no_effect_with_an_original():
    result = invoke("score", SPUN_EXAMPLE, "--original", ORIGINAL_EXAMPLE, "--threshold", "0.9")
    assert result.exit_code == 0
    assert "Warning: --threshold has no effect with --original" in result.stderr


def test_label_threshold_reaches_the_fallback_model(built):
    _, suspects, index, out = built
    result = invoke(
        "label", suspects, "-i", index, "-o", out, "-m", "baseline", "--threshold", "0", "-q"
    )
    assert result.exit_code == 0, result.output
    records = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    unrelated = records[str(suspects / "other.txt")]
    assert (unrelated["mode"], unrelated["verdict"]) == ("reference-free", "spun")


# --------------------------------------------------------------------------- -o / --output


def test_score_dash_o_is_the_output_and_its_extension_the_format(tmp_path):
    for name, start in [("r.html", "<!DOCTYPE html>"), ("r.json", "{"), ("r.txt", "SPUN")]:
        out = tmp_path / name
        result = invoke("score", SPUN_EXAMPLE, "--original", ORIGINAL_EXAMPLE, "-o", out)
        assert result.exit_code == 0, result.output
        assert result.stdout == ""
        assert out.read_text().lstrip().startswith(start), name


def test_an_explicit_format_beats_the_extension(tmp_path):
    out = tmp_path / "report.json"
    result = invoke("score", SPUN_EXAMPLE, "--original", ORIGINAL_EXAMPLE, "-o", out, "-f", "text")
    assert result.exit_code == 0
    assert out.read_text().startswith("SPUN")


def test_spin_output_extension_picks_json(tmp_path):
    out = tmp_path / "spun.json"
    result = invoke("spin", ORIGINAL_EXAMPLE, "--seed", "1", "-o", out)
    assert result.exit_code == 0, result.output
    assert set(json.loads(out.read_text())) >= {"text", "original"}


def test_format_from_suffix():
    choices = ("text", "json", "html")
    assert format_from_suffix("a/REPORT.HTML", choices) == "html"
    assert format_from_suffix("r.htm", choices) == "html"
    assert format_from_suffix("r.json", choices) == "json"
    assert format_from_suffix("r.jsonl", choices) is None
    assert format_from_suffix("r.jsonl", ("jsonl",)) == "jsonl"
    assert format_from_suffix(None, choices) is None


def test_old_out_still_works_with_one_deprecation_line(corpus):
    originals, _, index, _ = corpus
    result = invoke("index", originals, "--out", index)
    assert result.exit_code == 0, result.output
    assert index.exists()
    lines = [line for line in result.stderr.splitlines() if "deprecated" in line]
    assert lines == ["Warning: --out is deprecated and will go; use --output (or -o)"]


def test_out_and_output_together_or_neither_are_usage_errors(corpus):
    originals, _, index, _ = corpus
    both = invoke("index", originals, "--out", index, "--output", index)
    assert both.exit_code == 2 and "--out is the old name of --output" in both.stderr
    neither = invoke("index", originals)
    assert neither.exit_code == 2 and "missing option --output/-o" in neither.stderr


def test_label_warns_when_the_results_file_is_not_named_jsonl(built):
    _, suspects, index, tmp = built
    out = tmp.with_suffix(".json")
    result = invoke("label", suspects, "-i", index, "-o", out, "--no-fallback")
    assert result.exit_code == 0
    assert "label writes JSON lines" in result.stderr


# --------------------------------------------------------------------------- wrapping


def _words(text):
    return text.split()


def test_text_report_wraps_to_the_width_given_without_breaking_words_or_marks():
    plain = invoke("score", SPUN_EXAMPLE, "--original", ORIGINAL_EXAMPLE).stdout
    wrapped = invoke("score", SPUN_EXAMPLE, "--original", ORIGINAL_EXAMPLE, "--width", "50")
    assert wrapped.exit_code == 0
    lines = wrapped.stdout.splitlines()
    assert max(map(len, lines)) <= 50
    assert _words(wrapped.stdout) == _words(plain)  # nothing broken, nothing lost
    marks = re.findall(r"\{[^{}]*\}", plain)
    assert marks and all(mark in wrapped.stdout for mark in marks)  # each mark on one line
    assert any(" " in mark for mark in marks)


def test_text_report_is_not_wrapped_into_a_pipe_or_file(tmp_path):
    piped = invoke("score", SPUN_EXAMPLE, "--original", ORIGINAL_EXAMPLE).stdout
    assert max(map(len, piped.splitlines())) > 200
    out = tmp_path / "report.txt"
    invoke("score", SPUN_EXAMPLE, "--original", ORIGINAL_EXAMPLE, "-o", out)
    assert out.read_text().rstrip("\n") == piped.rstrip("\n")


def test_wrap_text_keeps_coloured_marks_whole_and_ignores_escapes_in_widths():
    mark = "\x1b[31m\x1b[1mon account\x1b[0m\x1b[2m(because)\x1b[0m"
    text = f"prices rose {mark} of the weather this spring"
    wrapped = wrap_text(text, 24)
    assert mark in wrapped
    visible = re.sub(r"\x1b\[[0-9;]*m", "", wrapped)
    assert max(map(len, visible.splitlines())) <= 24
    assert wrap_text(text, 0) == text


def test_wrap_text_hangs_header_values_and_keeps_long_words_whole():
    wrapped = wrap_text("swaps:     44 synonym swaps and some ordinary edits", 30)
    assert wrapped.splitlines()[1].startswith(" " * 11)
    assert wrap_text("a " + "x" * 40 + " b", 10).splitlines() == ["a", "x" * 40, "b"]


# --------------------------------------------------------------------------- sizes, stdin


@pytest.mark.parametrize(
    ("n_bytes", "shown"),
    [(1, "1 byte"), (100, "100 bytes"), (12_500, "12.5 kB"), (3_000_000, "3 MB")],
)
def test_sizes_read_like_people_write_them(n_bytes, shown):
    assert format_size(n_bytes) == shown


def test_max_bytes_message_names_the_size_in_bytes():
    result = invoke("score", SPUN_EXAMPLE, "--original", ORIGINAL_EXAMPLE, "--max-bytes", "100")
    assert result.exit_code == 1
    assert "larger than 100 bytes" in result.stderr


def test_label_reads_json_lines_from_standard_input(built, lexicon):
    _, _, index, out = built
    lines = [
        {"id": "copy-1", "text": swap_words(ARTICLES["museum"], lexicon, seed=5)},
        {"text": UNRELATED},
    ]
    stdin = "".join(json.dumps(line) + "\n" for line in lines)
    result = invoke("label", "-", "-i", index, "-o", out, "--no-fallback", input=stdin)
    assert result.exit_code == 0, result.output
    records = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert set(records) == {"copy-1", "-:2"}
    assert records["copy-1"]["source"] == "museum.txt"


# --------------------------------------------------------------------------- JSON Schema


@pytest.mark.parametrize("name", sorted(SCHEMA_FILES))
def test_schemas_are_valid_draft_2020_12_and_printed_by_the_schema_command(name):
    schema = load_schema(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    result = invoke("schema", name)
    assert result.exit_code == 0
    assert json.loads(result.stdout) == schema
    assert schema_path(name).parent == ROOT / "detector" / "data"  # packaged: data/* in pyproject


def test_docs_explain_the_schemas():
    page = (ROOT / "docs" / "schema.md").read_text("utf-8")
    for name in SCHEMA_FILES.values():
        assert f"detector/data/{name}" in page
    assert "spindetect schema" in page and "schema_version" in page
    for name in SCHEMA_FILES:
        for field in load_schema(name)["properties"]:
            assert f"`{field}`" in page, (name, field)
    for field in load_schema("report")["$defs"]["span"]["properties"]:
        assert f"`{field}`" in page, ("span", field)


@pytest.mark.parametrize(
    "args",
    [
        ["--original", ORIGINAL_EXAMPLE],
        ["--original", SYNDICATED_EXAMPLE],
        ["--model", "baseline"],
    ],
    ids=["reference-spun", "reference-syndicated", "reference-free"],
)
def test_score_json_follows_the_report_schema(args):
    result = invoke("score", SPUN_EXAMPLE, *args, "-f", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    report_validator().validate(report)
    assert report["schema_version"] == SCHEMA_VERSION


def test_an_unscored_report_follows_the_schema(tmp_path):
    code = tmp_path / "code.txt"
    code.write_text("def f(x):\n    return x + 1\n\nfor i in range(10):\n    print(f(i))\n" * 5)
    result = invoke("score", code, "--model", "baseline", "-f", "json")
    report = json.loads(result.stdout)
    assert report["verdict"] == "unscored"
    report_validator().validate(report)


def test_the_report_schema_refuses_fields_it_does_not_know():
    report = json.loads(
        invoke("score", SPUN_EXAMPLE, "--original", ORIGINAL_EXAMPLE, "-f", "json").stdout
    )
    report["surprise"] = 1
    with pytest.raises(jsonschema.ValidationError, match="surprise"):
        report_validator().validate(report)


def test_the_report_schema_accepts_the_fields_being_added():
    report = json.loads(
        invoke("score", SPUN_EXAMPLE, "--original", ORIGINAL_EXAMPLE, "-f", "json").stdout
    )
    report["verdict"] = "paraphrased"
    report["spans"][0].update(original_start=3, original_end=9, kind="insert")
    report["deletions"] = [{"original_start": 0, "original_end": 4, "text": "The ", "start": 0}]
    report["passages"] = [
        {"start": 0, "end": 40, "original_start": 0, "original_end": 38, "kind": "spun"},
        {"start": 40, "end": 90, "original_start": None, "original_end": None, "kind": "copy"},
    ]
    report["coverage"] = {"suspect": 0.9, "original": 0.75}
    report_validator().validate(report)
    report.update(deletions=None, passages=None, coverage=None)
    report_validator().validate(report)


def test_label_records_follow_the_record_schema(built):
    _, suspects, index, out = built
    (suspects / "empty.txt").write_text("")
    result = invoke("label", suspects, "-i", index, "-o", out, "-m", "baseline", "-q")
    assert result.exit_code == 3  # the empty input got an error record
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert {r["mode"] for r in records} >= {"reference", "reference-free", None}
    validator = record_validator()
    for record in records:
        validator.validate(record)
        assert record["schema_version"] == SCHEMA_VERSION
    validator.validate(LabelRecord.no_source("x").to_dict())
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({**records[0], "surprise": 1})
    validator.validate({**records[0], "related": "flood-report", "verdict": "paraphrased"})


def test_jsonschema_is_pinned_for_the_tests():
    lock = (ROOT / "requirements.lock").read_text()
    assert re.search(r"^jsonschema==\d", lock, re.M)
    assert "jsonschema" in (ROOT / "pyproject.toml").read_text()


def test_readme_documents_the_conventions():
    readme = (ROOT / "README.md").read_text("utf-8")
    for needle in ["--fail-on", "--threshold", "spindetect schema", "-o report.html", "--quiet"]:
        assert needle in readme, needle
    assert re.search(r"\b4\b.*--fail-on|--fail-on.*\b4\b", readme)
    assert not re.search(r"spindetect (index|label) .*--out\b", readme)  # the old name is gone
    assert not re.search(r"spindetect score .* -o (original|archive)", readme)


def test_wrap_text_keeps_added_and_dropped_text_marks_whole():
    from detector.output import wrap_text

    wrapped = wrap_text("the council [+on Tuesday, March 4,+] approved [-a large sum of-] it", 24)
    lines = wrapped.split("\n")
    assert "[+on Tuesday, March 4,+]" in lines
    assert "[-a large sum of-] it" in lines or "[-a large sum of-]" in lines


def test_wrap_text_counts_wide_characters_as_two_columns():
    text = "東京 大阪 名古屋 札幌 福岡 神戸 京都 横浜 " * 2 + "caf\u0065\u0301 e\u0301te\u0301"
    for line in wrap_text(text, 20).splitlines():
        columns = sum(
            0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
            for c in line
        )
        assert columns <= 20, line
    assert wrap_text("café étété " * 3, 23).splitlines()[0] == "café étété café étété"


def test_labels_closing_note_cuts_a_long_error_at_a_word(tmp_path):
    from detector.cli import _error_records

    results = tmp_path / "results.jsonl"
    error = (
        "crawl/page.txt is neither UTF-8, UTF-16 nor cp1252; retry with --encoding (e.g. latin-1)"
    )
    results.write_text(json.dumps({"id": "crawl/page.txt", "error": error}) + "\n", "utf-8")
    [(_, shown)] = _error_records(results)
    assert len(shown) <= 80 and shown.endswith(" …")
    assert error.startswith(shown[:-2]) and error[len(shown) - 2] == " "
