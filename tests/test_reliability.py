"""What `label` promises against bad inputs and bad luck: every input once, or a clear error.

One test (or two) per promise of docs/reliability.md; each reproduces a reported data-loss bug.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import fcntl
import io
import json
import os
import subprocess
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from detector.cli import app
from detector.corpus_reader import TEXT_FIELDS, FieldNames, read_records
from detector.errors import SpindetectError
from detector.index import SourceIndex
from detector.index_build import build_index
from detector.inputs import iter_inputs, unique_ids
from detector.label import LabelOptions, label_corpus
from detector.report import Report

from .batch_helpers import ARTICLES, UNRELATED, build_archive, write_jsonl
from .batch_helpers import read_records as read_results

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    return build_archive(tmp_path_factory.mktemp("index"))


def other(k: int) -> str:
    """An article with no source in the index: labelled quickly, never an error."""
    return f"{UNRELATED} Entry {k}."


def label(index, out, *inputs_and_options):
    return invoke("label", *inputs_and_options, "-i", index, "-o", out, "--no-fallback")


def ids_of(path: Path) -> list[str]:
    return [r["id"] for r in read_results(path)]


def cut_to(path: Path, records: int) -> None:
    """Keep the first ``records`` lines of a results file, as if the run was killed there."""
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:records]))


# --------------------------------------------------------------------------- 1. unicode


def test_lone_surrogates_in_ids_and_texts_never_crash_or_lose_a_record(index, tmp_path):
    inputs = tmp_path / "in.jsonl"
    inputs.write_text(
        '{"id":"\\ud800","text":"x y z"}\n'
        + json.dumps({"id": "broken-text", "text": other(1) + " \ud800 end"})  # \ud800 escaped
        + "\n"
        + "".join(json.dumps({"id": f"after-{k}", "text": other(k)}) + "\n" for k in range(3)),
        encoding="ascii",
    )
    out = tmp_path / "results.jsonl"
    result = label(index, out, inputs, "--allow-errors")
    assert result.exit_code == 0, result.output
    records = {r["id"]: r for r in read_results(out)}
    assert list(records) == ["\\ud800", "broken-text", "after-0", "after-1", "after-2"]
    assert records["broken-text"]["error"] is None  # repaired, not an "internal error"
    complete = out.read_text()
    cut_to(out, 1)
    resumed = label(index, out, inputs, "--resume", "--allow-errors")
    assert resumed.exit_code == 0, resumed.output
    assert out.read_text() == complete


def test_a_file_name_that_is_not_utf8_gets_an_encodable_id(index, tmp_path):
    folder = tmp_path / "crawl"
    folder.mkdir()
    try:
        (folder / os.fsdecode(b"caf\xe9.txt")).write_text(other(0))
    except (OSError, UnicodeError):
        pytest.skip("this file system refuses names that are not UTF-8")
    (folder / "empty.txt").write_text("")
    out = tmp_path / "results.jsonl"
    assert label(index, out, folder, "--allow-errors").exit_code == 0
    assert ids_of(out) == [f"{folder}/caf\\udce9.txt", f"{folder}/empty.txt"]


def test_lone_surrogates_never_crash_the_index(tmp_path):
    inputs = tmp_path / "originals.jsonl"
    text = json.dumps(ARTICLES["flood"] + " ")[:-1] + '\\udc00"'  # a lone surrogate at the end
    inputs.write_text('{"id":"\\ud800","text":' + text + "}\n", encoding="ascii")
    summary = build_index([inputs], tmp_path / "a.sdx")
    assert summary.added == 1
    with SourceIndex.open(tmp_path / "a.sdx") as opened:
        assert list(opened.ids()) == ["\\ud800"]


# --------------------------------------------------------------------------- 2. one run at a time


@pytest.mark.parametrize("resume", [False, True])
def test_a_second_run_on_the_same_results_is_refused_at_once(index, tmp_path, resume):
    inputs = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": other(0)}])
    out = tmp_path / "results.jsonl"
    with open(tmp_path / "results.jsonl.lock", "w") as held:  # what a running `label` holds
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.write("4242\n")
        held.flush()
        started = time.monotonic()
        result = label(index, out, inputs, *(["--resume"] if resume else []))
        assert time.monotonic() - started < 10
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: {out} is in use by PID 4242; try again once it has finished"
    ]
    assert not out.exists()
    assert label(index, out, inputs).exit_code == 0  # the lock is free again
    assert not (tmp_path / "results.jsonl.lock").exists()


# --------------------------------------------------------------------------- 3. unique ids


def test_repeated_ids_are_numbered_and_resume_labels_each_input_once(index, tmp_path):
    first = tmp_path / "a.jsonl"
    first.write_text(
        "".join(
            f'{{"id": {id}, "text": "{other(k)}"}}\n' for k, id in enumerate(["7", '"7"', '"x"'])
        )
    )
    second = write_jsonl(
        tmp_path / "b.jsonl", [{"id": 7, "text": other(3)}, {"id": "x", "text": other(4)}]
    )
    out = tmp_path / "results.jsonl"
    result = label(index, out, first, second)
    assert result.exit_code == 0, result.output
    assert ids_of(out) == ["7", "7#1", "x", "7#2", "x#1"]
    assert "id '7' was used already; recorded as '7#1'" in result.stderr
    assert "3 input(s) had an id used already" in result.stderr
    complete = out.read_text()
    cut_to(out, 1)  # killed after the first record: the second "7" must not pass for done
    assert label(index, out, first, second, "--resume").exit_code == 0
    assert out.read_text() == complete


def test_dataset_splits_get_split_qualified_ids_and_resume_labels_every_split(index, tmp_path):
    datasets = pytest.importorskip("datasets")
    folder = tmp_path / "ds"
    split = {"id": list(range(6)), "text": [other(k) for k in range(6)]}
    datasets.DatasetDict(
        {"train": datasets.Dataset.from_dict(split), "test": datasets.Dataset.from_dict(split)}
    ).save_to_disk(str(folder))
    out = tmp_path / "results.jsonl"
    label_corpus([folder], index, out, model=None)
    assert ids_of(out) == [f"train/{k}" for k in range(6)] + [f"test/{k}" for k in range(6)]
    complete = out.read_text()
    cut_to(out, 6)
    summary = label_corpus([folder], index, out, resume=True, model=None)
    assert (summary.resumed, summary.labelled, summary.renamed) == (6, 6, 0)
    assert out.read_text() == complete


# --------------------------------------------------------------------------- 4. CSV and fields


def test_an_unclosed_csv_quote_costs_one_row_not_the_rest_of_the_file(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text(
        "id,text\n"
        "1,first\n"
        '2,"a quote opened\n'  # never closed: it would swallow rows 3 and 4
        "3,third\n"
        '4,"quoted, fine"\n'
        "5,fifth,extra\n"  # more fields than the header
        '6,"never closed at the end\n'
        "7,last\n"
    )
    items = list(iter_inputs([path]))
    assert [(i.id, i.text) for i in items if i.error is None] == [
        ("1", "first"),
        ("3", "third"),
        ("4", "quoted, fine"),
        ("7", "last"),
    ]
    errors = {i.id: i.error for i in items if i.error is not None}
    assert list(errors) == [f"{path}:3", f"{path}:6", f"{path}:7"]
    assert "not valid CSV" in errors[f"{path}:3"] and "3 fields" in errors[f"{path}:6"]


def test_paragraphs_swallowed_by_an_unclosed_csv_quote_are_not_records(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text(
        "id,text\n"
        '1,"First paragraph of an article whose closing quote was lost.\n'
        "\n"
        "Second paragraph, with one comma\n"  # two fields: alone it would read as a row
        '2,"the next row"\n'  # the parser stumbles here
        "3,last\n"
    )
    items = list(iter_inputs([path]))
    assert [(i.id, i.text) for i in items if i.error is None] == [
        ("2", "the next row"),
        ("3", "last"),
    ]
    [broken] = [i for i in items if i.error is not None]
    assert broken.id == f"{path}:2"
    assert "lines 2-4 are skipped as one row whose quote was never closed" in broken.error


def test_a_file_without_a_text_field_is_a_usage_error_naming_its_fields(index, tmp_path):
    inputs = write_jsonl(tmp_path / "in.jsonl", [{"key": "k1", "headline": other(0)}])
    out = tmp_path / "results.jsonl"
    refused = label(index, out, inputs)
    assert refused.exit_code == 2 and not out.exists()
    assert "fields found: key, headline" in refused.stderr and "--text-field" in refused.stderr
    accepted = label(index, out, inputs, "--text-field", "headline", "--id-field", "key")
    assert accepted.exit_code == 0, accepted.output
    assert ids_of(out) == ["k1"]
    built = invoke(
        "index", inputs, "--output", tmp_path / "a.sdx", "--text-field", "headline", "--id-field",
        "key",
    )  # fmt: skip
    assert built.exit_code == 0, built.output
    with SourceIndex.open(tmp_path / "a.sdx") as opened:
        assert list(opened.ids()) == ["k1"]


def test_the_reader_accepts_the_training_text_fields():
    assert TEXT_FIELDS[:5] == ("text", "article", "document", "content", "body")
    assert FieldNames(text="x").text_candidates == ("x",)


# --------------------------------------------------------------------------- 5. exit status


def test_a_run_whose_inputs_all_failed_exits_3_unless_errors_are_allowed(index, tmp_path):
    inputs = write_jsonl(tmp_path / "in.jsonl", [{"id": f"e{k}", "text": " "} for k in range(3)])
    failed = label(index, tmp_path / "a.jsonl", inputs)
    assert failed.exit_code == 3
    message = " ".join(failed.stderr.split())
    assert "3 input(s) in " in message and "got error records: " in message
    assert "e0 (" in message and "e2 (" in message  # which inputs, and why
    assert label(index, tmp_path / "b.jsonl", inputs, "--allow-errors").exit_code == 0
    help_text = invoke("label", "--help").stdout
    assert "3 the run finished, but some inputs got error records" in " ".join(help_text.split())


def test_inputs_without_records_are_said_not_silently_labelled(index, tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    result = label(index, tmp_path / "out.jsonl", empty)
    assert result.exit_code == 0
    assert "hold no records: nothing was labelled" in result.stderr


def test_a_resumed_run_still_exits_3_for_the_error_records_of_earlier_runs(index, tmp_path):
    inputs = write_jsonl(
        tmp_path / "in.jsonl", [{"id": "ok", "text": other(0)}, {"id": "bad", "text": " "}]
    )
    assert label(index, tmp_path / "a.jsonl", inputs).exit_code == 3
    resumed = label(index, tmp_path / "a.jsonl", inputs, "--resume")
    assert resumed.exit_code == 3, resumed.output
    message = " ".join(resumed.stderr.split())
    assert "1 input(s) in " in message and "got error records, 0 of them in this run" in message
    assert label(index, tmp_path / "a.jsonl", inputs, "--resume", "--allow-errors").exit_code == 0


def test_resume_refuses_a_file_of_inputs_rather_than_skip_them(index, tmp_path):
    rows = [{"id": f"d{k}", "text": other(k)} for k in range(3)]
    inputs = write_jsonl(tmp_path / "in.jsonl", rows)
    not_results = write_jsonl(tmp_path / "out.jsonl", rows[:2])  # input lines, not records
    result = label(index, not_results, inputs, "--resume")
    assert result.exit_code != 0
    assert "is not a result record" in result.stderr
    assert ids_of(not_results) == ["d0", "d1"]  # untouched


@pytest.mark.parametrize("command", ["label", "index", "score", "spin"])
def test_an_unknown_encoding_is_a_usage_error(index, tmp_path, command):
    inputs = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": other(0)}])
    article = tmp_path / "a.txt"
    article.write_text(other(0), encoding="utf-8")
    if command == "label":
        result = label(index, tmp_path / "out.jsonl", inputs, "--encoding", "foo")
    elif command == "index":
        result = invoke("index", inputs, "--output", tmp_path / "a.sdx", "--encoding", "foo")
    elif command == "score":
        result = invoke("score", article, "--original", article, "--encoding", "foo")
    else:
        result = invoke("spin", article, "--encoding", "foo")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == ["Error: unknown encoding 'foo' (--encoding)"]


def test_score_decodes_the_suspect_and_the_originals_each_with_its_own_encoding(tmp_path):
    # A page saved in Latin-1 scored against a UTF-8 archive: --encoding is the suspect's,
    # and the originals are guessed (it used to decode them as Latin-1 too: "Â£380,000").
    text = "The charity lost £380,000 to the fraud, the court in Chester heard on Monday."
    suspect, original = tmp_path / "page.txt", tmp_path / "original.txt"
    suspect.write_bytes(text.encode("latin-1"))
    original.write_bytes(text.encode("utf-8"))
    result = invoke("score", suspect, "--original", original, "--encoding", "latin-1", "-f", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["relation"], report["spans"], report["deletions"]) == ("copy", [], [])
    forced = invoke("score", suspect, "--original", original, "--original-encoding", "ascii")
    assert forced.exit_code == 1 and "--original-encoding" in forced.stderr
    unknown = invoke("score", suspect, "--original", original, "--original-encoding", "foo")
    assert unknown.exit_code == 2
    assert unknown.stderr.strip() == "Error: unknown encoding 'foo' (--original-encoding)"


# --------------------------------------------------------------------------- 6. disk and tails


def _can_mount_tmpfs(folder: Path) -> bool:
    if os.geteuid() != 0:
        return False
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)])
    return done.returncode == 0


def test_a_full_or_read_only_disk_is_one_line_and_resume_completes(index, tmp_path):
    disk = tmp_path / "disk"
    if not _can_mount_tmpfs(disk):
        pytest.skip("needs root and `mount -t tmpfs` to make a tiny disk")
    try:
        inputs = write_jsonl(
            tmp_path / "in.jsonl", [{"id": f"other-{k}", "text": other(k)} for k in range(60)]
        )
        (disk / "filler").write_bytes(b"x" * 14 * 4096)  # leaves a page for the lock, one for out
        out = disk / "results.jsonl"
        full = label(index, out, inputs)
        assert full.exit_code == 1
        assert full.stderr.strip().splitlines() == [
            f"Error: cannot write {out}: No space left on device; the records written so far "
            "are whole, so fix that and run again with --resume"
        ]
        written = ids_of(out)  # every line whole (read_results would fail on a torn one)
        assert 0 < len(written) < 60 and out.read_bytes().endswith(b"\n")
        (disk / "filler").unlink()
        assert label(index, out, inputs, "--resume").exit_code == 0
        assert ids_of(out) == [f"other-{k}" for k in range(60)]
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        read_only = label(index, disk / "again.jsonl", inputs)
        assert read_only.exit_code == 1
        assert read_only.stderr.startswith(f"Error: cannot write {disk / 'again.jsonl'}: Read-only")
        assert len(read_only.stderr.strip().splitlines()) == 1
    finally:
        subprocess.run(["umount", str(disk)])


def test_a_failed_write_is_undone_so_the_file_keeps_whole_records(index, tmp_path, monkeypatch):
    import detector.label as label_module

    inputs = write_jsonl(
        tmp_path / "in.jsonl", [{"id": f"o{k}", "text": other(k)} for k in range(5)]
    )
    out = tmp_path / "results.jsonl"
    real_write, calls = os.write, []

    def flaky_write(fd, data):
        if not data.startswith(b'{"id"'):
            return real_write(fd, data)  # not a record: the lock file's PID
        calls.append(fd)
        if len(calls) == 3:
            real_write(fd, data[:10])  # part of the third record reaches the disk...
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # ...then the disk is full
        return real_write(fd, data)

    monkeypatch.setattr(label_module.os, "write", flaky_write)
    result = label(index, out, inputs)
    monkeypatch.undo()
    assert result.exit_code == 1 and "No space left on device" in result.stderr
    assert "Traceback" not in result.output
    assert ids_of(out) == ["o0", "o1"] and out.read_bytes().endswith(b"\n")


def test_resume_cuts_a_torn_tail_even_when_it_parses_as_a_record(index, tmp_path):
    inputs = write_jsonl(
        tmp_path / "in.jsonl", [{"id": f"o{k}", "text": other(k)} for k in range(5)]
    )
    out = tmp_path / "results.jsonl"
    label_corpus([inputs], index, out, model=None)
    complete = out.read_text()
    lines = complete.splitlines(keepends=True)
    out.write_text("".join(lines[:3]) + lines[3].rstrip("\n"))  # killed before the newline
    summary = label_corpus([inputs], index, out, resume=True, model=None)
    assert (summary.resumed, summary.labelled) == (3, 2)
    assert out.read_text() == complete


# --------------------------------------------------------------------------- 7. time limit


class SlowModel:
    """A reference-free model that takes far too long on texts saying SLOW (picklable)."""

    def score(self, document):
        if "SLOW" in document.text:
            time.sleep(30)
        return Report(
            verdict="not_spun", relation=None, spin_score=0.1, substitution_rate=0.0,
            source=None, spans=(), suspect=document, mode="reference-free", model="slow",
        )  # fmt: skip


@pytest.mark.parametrize("workers", [1, 2])
def test_an_input_past_the_time_limit_gets_an_error_record_and_the_run_goes_on(
    index, tmp_path, workers
):
    texts = [other(0), other(1) + " SLOW", other(2), other(3)]
    inputs = write_jsonl(
        tmp_path / "in.jsonl", [{"id": f"o{k}", "text": t} for k, t in enumerate(texts)]
    )
    out = tmp_path / "results.jsonl"
    started = time.monotonic()
    summary = label_corpus(
        [inputs], index, out, model=SlowModel(), workers=workers, batch_size=1,
        options=LabelOptions(timeout=4.0),  # a worker's first input may wait on its start-up
    )  # fmt: skip
    assert time.monotonic() - started < 25  # the slow input alone would take 30 s
    records = read_results(out)
    assert [r["id"] for r in records] == ["o0", "o1", "o2", "o3"]
    assert "took longer than 4 s" in records[1]["error"]
    assert [r["error"] for r in records[::2]] == [None, None] and summary.errors == 1


def test_loading_the_fallback_model_does_not_count_against_an_inputs_time_limit(
    index, tmp_path, monkeypatch
):
    import detector.label

    def slow_load(name):
        time.sleep(4.0)  # longer than the 3 s limit below
        return SlowModel()

    monkeypatch.setattr(detector.label, "load_fallback_model", slow_load)
    inputs = write_jsonl(
        tmp_path / "in.jsonl", [{"id": f"o{k}", "text": other(k)} for k in range(2)]
    )
    out = tmp_path / "results.jsonl"
    label_corpus(
        [inputs], index, out, model="slow", workers=1, batch_size=1,
        options=LabelOptions(timeout=3.0),  # the input's own work: 0.4 s here, > 1 s on CI
    )  # fmt: skip
    records = read_results(out)
    assert [r["error"] for r in records] == [None, None]
    assert [r["model"] for r in records] == ["slow", "slow"]


# --------------------------------------------------------------------------- properties

_ANY_CHAR = st.characters(codec=None, categories=None)  # every code point, lone surrogates too
_VALUE = st.one_of(st.text(_ANY_CHAR, max_size=30), st.integers(), st.none(), st.booleans())


@st.composite
def jsonl_lines(draw):
    """Lines of a JSONL file: objects with any Unicode (escaped as JSON does), or raw bytes."""
    obj = st.fixed_dictionaries(
        {}, optional={"id": _VALUE, "text": _VALUE, "body": _VALUE, "doc_id": _VALUE}
    ).map(lambda d: json.dumps(d).encode("ascii"))
    raw = st.binary(max_size=40).map(lambda b: b.replace(b"\n", b" "))
    unescaped = st.text(_ANY_CHAR, max_size=20).map(
        lambda t: json.dumps({"id": t, "text": t}, ensure_ascii=False).encode(
            "utf-8", "surrogatepass"
        )
    )
    return draw(st.lists(st.one_of(obj, obj, raw, unescaped), min_size=1, max_size=8))


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=jsonl_lines())
def test_the_reader_gives_one_encodable_item_per_line_or_a_spindetect_error(tmp_path, lines):
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    try:
        items = list(unique_ids(iter_inputs([path])))
    except SpindetectError:
        first = next((json.loads(x) for x in lines if _is_object(x)), None)
        assert first is not None and not set(first) & set(TEXT_FIELDS)  # the only refusal
        return
    assert len(items) == sum(1 for line in lines if line.strip())
    assert len({item.id for item in items}) == len(items)
    for item in items:
        item.id.encode("utf-8")
        if item.text is not None:
            item.text.encode("utf-8")
        with contextlib.suppress(SpindetectError):
            item.read()


def _is_object(line: bytes) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


_CELL = st.text(st.characters(codec="utf-8"), max_size=30)


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.tuples(_CELL, _CELL), max_size=6))
def test_csv_rows_come_back_exactly_as_written(tmp_path, rows):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(["id", "text"])
    writer.writerows(rows)
    path = tmp_path / "in.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    records = list(read_records(path))
    assert [r.error for r in records] == [None] * len(rows)
    assert [r.text for r in records] == [text for _, text in rows]


def test_a_quote_open_to_the_end_of_the_file_keeps_the_rows_after_it(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text('id,text\n1,"opened, never closed\n\n2,two\n3,three, two commas\n4,four\n')
    items = list(iter_inputs([path]))
    assert [(i.id, i.text) for i in items if i.error is None] == [("2", "two"), ("4", "four")]
    assert [i.id for i in items if i.error is not None] == [f"{path}:2", f"{path}:5"]


def test_a_bad_record_says_what_is_wrong_with_its_text(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_bytes(
        b'{"id": "a", "text": null}\n{"id": "b", "body": "x"}\n{"id": "c", "text": "caf\xe9"}\n'
    )
    errors = [r.error for r in read_records(path)]
    assert errors[0] == f"{path}:1 has an empty 'text' field"
    assert errors[1] == f"{path}:2 has no 'text' field"
    # Record files are UTF-8 whatever --encoding says: the error names the fix.
    assert errors[2].startswith(f"{path}:3 is not valid UTF-8") and "iconv" in errors[2]
