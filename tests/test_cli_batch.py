import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from detector.cli import app

from .batch_helpers import ARTICLES, UNRELATED, swap_words, write_originals

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def corpus(tmp_path, lexicon):
    originals = tmp_path / "originals"
    write_originals(originals)
    suspects = tmp_path / "suspects"
    suspects.mkdir()
    (suspects / "spun.txt").write_text(swap_words(ARTICLES["museum"], lexicon, seed=3))
    (suspects / "other.txt").write_text(UNRELATED)
    (suspects / "empty.txt").write_text("")
    return originals, suspects, tmp_path / "archive.sdx", tmp_path / "results.jsonl"


def test_index_add_of_a_copied_archive_adds_nothing_and_says_why(corpus, tmp_path):
    originals, _, index, _ = corpus
    invoke("index", originals, "--output", index)
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "museum-copy.txt").write_text((originals / "museum.txt").read_text())
    added = invoke("index", mirror, "--output", index, "--add")
    assert added.exit_code == 0, added.output
    assert "museum-copy.txt: the same text is indexed as museum.txt" in added.stderr
    assert "same text under another id, skipped" in added.stderr


def test_index_then_label(corpus):
    originals, suspects, index, out = corpus
    built = invoke("index", originals, "--output", index)
    assert built.exit_code == 0, built.output
    assert "originals in the index" in built.stderr and str(len(ARTICLES)) in built.stderr
    labelled = invoke(
        "label", suspects, "--index", index, "--output", out, "--no-fallback", "--allow-errors"
    )
    assert labelled.exit_code == 0, labelled.output
    records = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert records[str(suspects / "spun.txt")]["source"] == "museum.txt"  # id below ORIGINALS
    assert records[str(suspects / "spun.txt")]["verdict"] == "spun"
    assert records[str(suspects / "other.txt")]["source"] is None
    assert "is empty" in records[str(suspects / "empty.txt")]["error"]
    assert labelled.stdout == ""
    summary = labelled.stderr
    assert "records written" in summary and "errors (unreadable, or over --timeout)" in summary


def test_the_summary_counts_unscored_records(corpus):
    originals, suspects, index, out = corpus
    invoke("index", originals, "--output", index)
    (suspects / "french.txt").write_text(
        "Le conseil municipal a voté mardi la fermeture de deux bibliothèques à la fin de "
        "l'année, en disant que les bâtiments coûtaient trop cher à réparer."
    )
    labelled = invoke(
        "label", suspects, "-i", index, "-o", out, "--model", "baseline", "--allow-errors"
    )
    assert labelled.exit_code == 0, labelled.output
    records = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert records[str(suspects / "french.txt")]["verdict"] == "unscored"
    summary = " ".join(labelled.stderr.split())
    assert "unscored (see their note) │ 1" in summary or "unscored (see their note) 1" in summary


def test_label_refuses_to_overwrite_without_resume(corpus):
    originals, suspects, index, out = corpus
    invoke("index", originals, "--output", index)
    invoke("label", suspects, "-i", index, "-o", out, "--no-fallback")
    again = invoke("label", suspects, "-i", index, "-o", out, "--no-fallback")
    assert again.exit_code == 2  # a usage mistake: --resume forgotten
    assert "Error:" in again.stderr and "--resume" in again.stderr
    resumed = invoke("label", suspects, "-i", index, "-o", out, "--resume", "--no-fallback")
    assert resumed.exit_code == 3  # empty.txt's error record, from the first run, still stands
    assert "already done (resumed)" in resumed.stderr
    assert len(out.read_text().splitlines()) == 3


def test_a_resume_that_matches_no_recorded_id_says_so(corpus, monkeypatch):
    originals, suspects, index, out = corpus
    invoke("index", originals, "--output", index)
    (suspects / "empty.txt").unlink()
    invoke("label", suspects, "-i", index, "-o", out, "--no-fallback")
    monkeypatch.chdir(suspects)  # the same inputs named from inside their folder: other ids
    resumed = invoke("label", ".", "-i", index, "-o", out, "--resume", "--no-fallback")
    assert resumed.exit_code == 0, resumed.output
    warning = " ".join(resumed.stderr.split())
    assert "none of the 2 records already in" in warning and "labelled again" in warning


@pytest.mark.parametrize("address", ["garbage", "tcp://localhost", "http://127.0.0.1:8786"])
def test_a_malformed_scheduler_address_is_one_line_and_writes_nothing(corpus, address):
    originals, suspects, index, out = corpus
    invoke("index", originals, "--output", index)
    result = invoke("label", suspects, "-i", index, "-o", out, "--scheduler", address)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "not a scheduler address" in result.stderr
    assert not out.exists()


def test_index_refuses_to_overwrite_without_add(corpus):
    originals, _, index, _ = corpus
    invoke("index", originals, "--output", index)
    again = invoke("index", originals, "--output", index)
    assert again.exit_code == 2 and "--add" in again.stderr  # a usage mistake
    added = invoke("index", originals, "--output", index, "--add")
    assert added.exit_code == 0 and "duplicate ids skipped" in added.stderr


def test_missing_inputs_are_usage_errors(corpus):
    _, _, index, _ = corpus
    result = invoke("index", "no-such-folder", "--output", index)
    assert result.exit_code == 2 and "no-such-folder: no such file" in result.stderr


def test_a_corrupt_index_is_refused_with_one_line(corpus):
    _, suspects, index, out = corpus
    index.write_bytes(b"\x00" * 4096)
    result = invoke("label", suspects, "-i", index, "-o", out)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and "not a spindetect index" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("command", ["index", "label"])
def test_batch_commands_teach_with_examples(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.stdout and f"spindetect {command} " in result.stdout


def test_label_falls_back_to_the_model_it_is_given(corpus):
    originals, suspects, index, out = corpus
    invoke("index", originals, "--output", index)
    labelled = invoke(
        "label", suspects, "-i", index, "-o", out, "--model", "baseline", "--allow-errors"
    )
    assert labelled.exit_code == 0, labelled.output
    records = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    other = records[str(suspects / "other.txt")]
    assert other["source"] is None and other["relation"] is None  # read by the baseline alone
    assert other["verdict"] == "not_spun" and other["error"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--model", "no-such-model"), "no model at no-such-model"),
        (("--model", "baseline", "--no-fallback"), "contradict"),
    ],
)
def test_label_refuses_a_bad_model_choice_before_starting(corpus, args, message):
    originals, suspects, index, out = corpus
    invoke("index", originals, "--output", index)
    result = invoke("label", suspects, "-i", index, "-o", out, *args)
    assert result.exit_code == 2 and message in result.stderr
    assert not out.exists()


@pytest.mark.parametrize("command", ["index", "label"])
def test_batch_output_must_be_a_file(tmp_path, command):
    folder = tmp_path / "originals"
    write_originals(folder)
    extra = ["-i", tmp_path / "missing.sdx"] if command == "label" else []
    result = invoke(command, folder, *extra, "-o", "-")
    assert result.exit_code == 2 and "give a file name" in result.stderr
    assert not (tmp_path / "-").exists()
    result = invoke(command, folder, *extra, "-o", folder)
    assert result.exit_code == 2 and "is a folder" in result.stderr
    fifo = tmp_path / "fifo.jsonl"
    os.mkfifo(fifo)  # reading it back after the run would block forever
    result = invoke(command, folder, *extra, "-o", fifo)
    assert result.exit_code == 2 and "is not a regular file" in result.stderr


def test_sigterm_unwinds_like_ctrl_c():
    import os
    import signal

    from detector.cli import Terminated, _exit_status, _terminate_as_interrupt

    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(Terminated), _terminate_as_interrupt():
        os.kill(os.getpid(), signal.SIGTERM)
        signal.pause()  # not reached: the handler raises first
    assert signal.getsignal(signal.SIGTERM) is before
    assert _exit_status(Terminated()) == 143 and _exit_status(KeyboardInterrupt()) == 130
    # A process told to ignore SIGTERM (by its parent) keeps ignoring it.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        with _terminate_as_interrupt():
            assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGTERM, before)


def test_schema_output_dash_is_standard_output(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("schema", "label", "-o", "-")
    assert result.exit_code == 0 and '"note"' in result.stdout
    assert not (tmp_path / "-").exists()


def _labelled_by_the_baseline(corpus) -> tuple[Path, Path, Path, list[dict]]:
    """The corpus indexed and labelled once with the baseline as the fallback: its suspects,
    index, results file and records."""
    originals, suspects, index, out = corpus
    invoke("index", originals, "--output", index)
    (suspects / "empty.txt").unlink()
    first = invoke("label", suspects, "-i", index, "-o", out, "--model", "baseline")
    assert first.exit_code == 0, first.output
    return suspects, index, out, [json.loads(line) for line in out.read_text().splitlines()]


def test_a_resume_with_another_model_than_the_records_says_so(corpus):
    suspects, index, out, records = _labelled_by_the_baseline(corpus)
    assert {r["model"] for r in records} == {None, "baseline"}  # other.txt: no source
    (suspects / "late.txt").write_text(UNRELATED.replace("the", "a"))
    same = invoke("label", suspects, "-i", index, "-o", out, "--model", "baseline", "--resume")
    assert "will mix models" not in same.stderr
    (suspects / "later.txt").write_text(UNRELATED.replace("and", "or"))
    other = invoke("label", suspects, "-i", index, "-o", out, "--model", "transformer", "--resume")
    assert other.exit_code == 0, other.output
    assert "scored by baseline; this run scores with transformer" in " ".join(other.stderr.split())


def test_a_resume_of_the_cascade_is_not_called_a_mix_of_models(corpus):
    # The cascade's records name the screen or the hybrid, whichever decided.
    from detector.models import recorded_names

    assert recorded_names("cascade") == {"screen", "hybrid"}
    assert recorded_names("baseline") == {"baseline"}
    suspects, index, out, records = _labelled_by_the_baseline(corpus)
    for record, decided in zip(records, ("screen", "hybrid", "screen"), strict=False):
        if record["model"]:
            record["model"] = decided
    out.write_text("".join(json.dumps(r) + "\n" for r in records))
    resumed = invoke("label", suspects, "-i", index, "-o", out, "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert "will mix models" not in resumed.stderr


def test_label_without_an_index_scores_every_input_with_the_model(corpus):
    _, suspects, _, out = corpus
    labelled = invoke("label", suspects, "-o", out, "--model", "baseline", "--allow-errors")
    assert labelled.exit_code == 0, labelled.output
    records = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    for name in ("spun.txt", "other.txt"):
        record = records[str(suspects / name)]
        assert (record["mode"], record["model"], record["source"]) == (
            "reference-free",
            "baseline",
            None,
        )
    assert "is empty" in records[str(suspects / "empty.txt")]["error"]  # still one line each
    assert "labelled by the model (no index)" in labelled.stderr
    assert "judged against an original in the index" not in labelled.stderr


def test_label_without_an_index_uses_the_default_model(corpus, monkeypatch):
    import detector.label
    from detector.models import model_dir

    _, suspects, _, out = corpus
    given = {}

    def fake_label_corpus(inputs, index, output, **kwargs):
        given.update(index=index, model=kwargs["model"])
        raise KeyboardInterrupt  # stop before any model loads

    monkeypatch.setattr(detector.label, "label_corpus", fake_label_corpus)
    invoke("label", suspects, "-o", out)
    # Every input is the model's: the accurate default one, not the fast fallback.
    assert given == {"index": None, "model": str(model_dir("default"))}


def test_label_without_an_index_refuses_no_fallback(corpus):
    _, suspects, _, out = corpus
    result = invoke("label", suspects, "-o", out, "--no-fallback")
    assert result.exit_code == 2 and "--no-fallback needs --index" in result.stderr
    assert not out.exists()


def test_label_without_an_index_stops_when_its_model_will_not_load(corpus, tmp_path, monkeypatch):
    # A hybrid whose transformer is missing: every record "no source" would call the whole
    # crawl clean (a review's finding); the run stops with one line instead.
    import shutil

    from detector.models import model_dir

    _, suspects, _, out = corpus
    models = tmp_path / "models"
    shutil.copytree(model_dir("hybrid"), models / "hybrid")
    (models / "default.json").write_text('{"model": "hybrid"}')
    monkeypatch.setenv("SPINDETECT_MODELS", str(models))
    result = invoke("label", suspects, "-o", out)
    assert result.exit_code == 1, result.output
    assert "could not be loaded" in result.stderr and "transformer" in result.stderr
    records = out.read_text().splitlines() if out.exists() else []
    assert not any('"not_spun"' in r for r in records)


def test_label_without_an_index_and_no_default_model_says_what_to_pass(
    corpus, tmp_path, monkeypatch
):
    _, suspects, _, out = corpus
    monkeypatch.setenv("SPINDETECT_MODELS", str(tmp_path / "no-models"))
    result = invoke("label", suspects, "-o", out)
    assert result.exit_code == 2
    assert "pass --model NAME" in result.stderr and "--original" not in result.stderr


def test_resuming_an_index_run_without_the_index_warns(corpus):
    originals, suspects, index, out = corpus
    invoke("index", originals, "--output", index)
    first = invoke("label", suspects, "-i", index, "-o", out, "-m", "baseline", "--allow-errors")
    assert first.exit_code == 0, first.output
    kept = [line for line in out.read_text().splitlines() if '"reference"' in line]
    out.write_text(kept[0] + "\n")
    resumed = invoke("label", suspects, "-o", out, "-m", "baseline", "--resume", "--allow-errors")
    assert resumed.exit_code == 0, resumed.output
    assert "labelled against an index; this run has no --index" in resumed.stderr


def test_label_gives_a_language_model_more_time_per_input(corpus, monkeypatch):
    import detector.label

    _, suspects, _, out = corpus
    given = {}

    def fake_label_corpus(inputs, index, output, **kwargs):
        given["timeout"] = kwargs["options"].timeout
        raise KeyboardInterrupt

    monkeypatch.setattr(detector.label, "label_corpus", fake_label_corpus)
    invoke("label", suspects, "-o", out, "-m", "hybrid")
    assert given["timeout"] == 300
    invoke("label", suspects, "-o", out, "-m", "baseline")
    assert given["timeout"] == 60
    invoke("label", suspects, "-o", out, "-m", "hybrid", "--timeout", "5")
    assert given["timeout"] == 5
