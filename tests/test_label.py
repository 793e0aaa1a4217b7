import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace

import pytest

from detector.errors import CorruptIndexError, InputError
from detector.index import SourceIndex
from detector.index_build import build_index
from detector.label import (
    RECORD_FIELDS,
    LabelJob,
    LabelOptions,
    LabelRecord,
    label_corpus,
    load_fallback_model,
    read_done_ids,
)
from detector.report import Report
from detector.schema import SCHEMA_VERSION

from .batch_helpers import ARTICLES, UNRELATED, build_archive, read_records, swap_words, write_jsonl
from .conftest import ROOT, SHARED


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    return build_archive(tmp_path_factory.mktemp("index"))


@pytest.fixture(scope="module")
def suspects(tmp_path_factory, lexicon):
    """A folder of suspects: a spun copy of every original, an unrelated article, bad files."""
    folder = tmp_path_factory.mktemp("suspects")
    for seed, (name, text) in enumerate(ARTICLES.items()):
        (folder / f"spun-{name}.txt").write_text(swap_words(text, lexicon, seed=seed))
    (folder / "unrelated.txt").write_text(UNRELATED)
    (folder / "empty.txt").write_text("")
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    (folder / "undecodable.txt").write_bytes(b"caf\x81\x8d\x8f\x90\x9d")
    write_jsonl(folder / "records.jsonl", [{"id": "r-unrelated", "text": UNRELATED}])
    with open(folder / "records.jsonl", "a") as f:
        f.write('{"id": "r-broken", "text": \n')
    return folder


def by_id(records):
    return {r["id"]: r for r in records}


# --------------------------------------------------------------------------- one run


def test_every_input_gets_exactly_one_record_with_the_contract_fields(index, suspects, tmp_path):
    out = tmp_path / "results.jsonl"
    summary = label_corpus([suspects], index, out, model=None)
    records = read_records(out)
    assert len(records) == len(ARTICLES) + 6
    assert all(tuple(r) == RECORD_FIELDS for r in records)
    assert len(by_id(records)) == len(records)
    assert (summary.labelled, summary.errors, summary.with_source) == (len(records), 4, 6)
    assert summary.spun == len(ARTICLES) and summary.no_source == 2


def test_spun_copies_get_their_source(index, suspects, tmp_path):
    out = tmp_path / "results.jsonl"
    label_corpus([suspects], index, out, model=None)
    records = by_id(read_records(out))
    for name in ARTICLES:
        record = records[str(suspects / f"spun-{name}.txt")]
        assert (record["verdict"], record["relation"], record["source"]) == ("spun", "copy", name)
        assert record["spin_score"] >= 0.5 and record["n_spans"] > 0 and record["error"] is None


def test_unrelated_articles_get_no_source(index, suspects, tmp_path):
    out = tmp_path / "results.jsonl"
    label_corpus([suspects], index, out, model=None)
    records = by_id(read_records(out))
    for id in (str(suspects / "unrelated.txt"), "r-unrelated"):
        assert records[id] == {
            "id": id, "verdict": "not_spun", "relation": "unrelated", "spin_score": 0.0,
            "source": None, "related": None, "n_spans": 0, "mode": None, "model": None,
            "error": None, "note": None, "coverage": None, "schema_version": SCHEMA_VERSION,
        }  # fmt: skip


def test_bad_inputs_give_error_records(index, suspects, tmp_path):
    out = tmp_path / "results.jsonl"
    label_corpus([suspects], index, out, model=None)
    records = by_id(read_records(out))
    expected = {
        "empty.txt": "is empty",
        "binary.txt": "looks binary",
        "undecodable.txt": "--encoding",
    }
    for name, reason in expected.items():
        record = records[str(suspects / name)]
        assert reason in record["error"]
        assert record["schema_version"] == SCHEMA_VERSION
        assert record["note"] is None
        unset = [k for k in RECORD_FIELDS if k not in ("id", "error", "note", "schema_version")]
        assert [record[k] for k in unset] == [None] * len(unset)
    assert "not valid JSON" in records[f"{suspects / 'records.jsonl'}:2"]["error"]


def test_an_existing_output_needs_resume(index, suspects, tmp_path):
    out = tmp_path / "results.jsonl"
    out.write_text('{"id": "x"}\n')
    with pytest.raises(InputError, match="--resume"):
        label_corpus([suspects], index, out)


def test_a_damaged_index_is_refused_before_anything_is_written(suspects, tmp_path):
    bad = tmp_path / "bad.sdx"
    bad.write_bytes(b"not an index at all" * 20)
    out = tmp_path / "results.jsonl"
    with pytest.raises(CorruptIndexError):
        label_corpus([suspects], bad, out)
    assert not out.exists()


def test_a_record_says_how_much_of_the_page_a_partial_copy_covers(index, tmp_path, lexicon):
    # A trial: a page reusing one spun article among text of its own was recorded as
    # "spun, copy, source" like a whole copy; only score's JSON told them apart.
    flood = swap_words(ARTICLES["flood"], lexicon, seed=0)
    page = f"{UNRELATED}\n\n{flood}\n\n{UNRELATED.replace('dahlia', 'rose')}"
    records = [
        {"id": "whole", "text": flood},
        {"id": "part", "text": page},
        {"id": "other", "text": UNRELATED},
    ]
    inputs = write_jsonl(tmp_path / "in.jsonl", records)
    out = tmp_path / "results.jsonl"
    label_corpus([inputs], index, out, model=None)
    records = {r["id"]: r for r in read_records(out)}
    whole, part = records["whole"]["coverage"], records["part"]["coverage"]
    assert records["part"]["relation"] == "copy" and records["part"]["source"] is not None
    assert whole["suspect"] > 0.9 and part["suspect"] < 0.7
    assert part["original"] > 0.9
    assert records["other"]["coverage"] is None


def test_records_serialise_fields_in_contract_order():
    record = LabelRecord.failed("a.txt", "a.txt is empty\n(really)")
    assert record.to_json() == (
        '{"id": "a.txt", "verdict": null, "relation": null, "spin_score": null, '
        '"source": null, "related": null, "n_spans": null, "mode": null, "model": null, '
        '"error": "a.txt is empty (really)", "note": null, "coverage": null, '
        '"schema_version": "1.3"}'
    )
    assert record.outcome == "error"


def test_a_clean_texts_tiny_score_is_written_so_that_it_still_ranks():
    # A trial: the text report's hint said "--threshold 0.00000347" where the JSON wrote
    # the score as 0.0, and every clean text of a crawl tied at 0.0.
    from detector.document import make_document

    report = Report(
        verdict="not_spun", relation=None, spin_score=6.94321e-06, substitution_rate=0.01,
        source=None, spans=(), suspect=make_document("A clean text.", "c.txt"),
        mode="reference-free", model="hybrid",
    )  # fmt: skip
    assert report.to_dict()["spin_score"] == 6.94e-06
    assert json.loads(LabelRecord.from_report("c.txt", report).to_json())["spin_score"] == 6.94e-06
    assert replace(report, spin_score=0.123456).to_dict()["spin_score"] == 0.1235


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"candidates": 0}, "'candidates'"), ({"min_similarity": 2.0}, "'min_similarity'")],
)
def test_label_options_name_the_bad_value(kwargs, message):
    with pytest.raises(ValueError, match=message):
        LabelOptions(**kwargs)


# --------------------------------------------------------------------------- fallback model


class FakeModel:
    """A reference-free model that calls everything it sees spun."""

    def __init__(self, fail=False):
        self.seen = []
        self.fail = fail

    def score(self, document):
        self.seen.append(document.name)
        if self.fail:
            raise RuntimeError("model exploded")
        return Report(
            verdict="spun",
            relation=None,
            spin_score=0.8,
            substitution_rate=0.0,
            source=None,
            spans=(),
            suspect=document,
            mode="reference-free",
            model="fake",
        )


class FileWatchingModel(FakeModel):
    """Records how many lines the results file holds each time it is asked, and notes."""

    def __init__(self, out):
        super().__init__()
        self.out, self.lines = out, []

    def score(self, document):
        self.lines.append(len(self.out.read_text().splitlines()) if self.out.exists() else 0)
        return replace(super().score(document), verdict="unscored", note="not English prose")


def test_one_process_writes_each_record_before_labelling_the_next(index, tmp_path):
    folder = tmp_path / "unsourced"
    folder.mkdir()
    for k in range(3):
        text = f"Story {k}: the lighthouse keeper counted gulls all day."
        (folder / f"u{k}.txt").write_text(text)
    out = tmp_path / "results.jsonl"
    model = FileWatchingModel(out)
    label_corpus([folder], index, out, model=model)
    assert model.lines == [0, 1, 2]  # a kill loses at most the record being made
    records = read_records(out)
    assert [r["note"] for r in records] == ["not English prose"] * 3  # why it is unscored


def test_suspects_without_a_source_fall_back_to_the_model(index, suspects, tmp_path):
    model = FakeModel()
    out = tmp_path / "results.jsonl"
    summary = label_corpus([suspects], index, out, model=model)
    records = by_id(read_records(out))
    assert sorted(model.seen) == sorted([str(suspects / "unrelated.txt"), "r-unrelated"])
    assert records["r-unrelated"] == {
        "id": "r-unrelated", "verdict": "spun", "relation": None, "spin_score": 0.8,
        "source": None, "related": None, "n_spans": 0, "mode": "reference-free", "model": "fake",
        "error": None, "note": None, "coverage": None, "schema_version": SCHEMA_VERSION,
    }  # fmt: skip
    assert records[str(suspects / "spun-flood.txt")]["source"] == "flood"
    assert (summary.reference_free, summary.no_source) == (2, 0)


def test_a_failing_model_gives_error_records_not_a_crash(index, suspects, tmp_path):
    out = tmp_path / "results.jsonl"
    label_corpus([suspects], index, out, model=FakeModel(fail=True))
    record = by_id(read_records(out))["r-unrelated"]
    assert "internal error (RuntimeError: model exploded)" in record["error"]


def test_no_model_installed_means_no_fallback(index, suspects, tmp_path):
    missing = str(ROOT / "no-such-model")
    assert load_fallback_model(missing) is None
    out = tmp_path / "results.jsonl"
    summary = label_corpus([suspects], index, out, model=missing)
    assert summary.no_source == 2 and summary.reference_free == 0
    assert by_id(read_records(out))["r-unrelated"]["relation"] == "unrelated"


# --------------------------------------------------------------------------- resuming


def test_resume_skips_done_ids_and_cuts_a_torn_last_line(index, suspects, tmp_path):
    out = tmp_path / "results.jsonl"
    label_corpus([suspects], index, out, model=None)
    complete = out.read_text().splitlines(keepends=True)
    out.write_text("".join(complete[:4]) + complete[4][:25])  # killed while writing line 5
    summary = label_corpus([suspects], index, out, resume=True, model=None)
    assert summary.resumed == 4 and summary.labelled == len(complete) - 4
    assert out.read_text().splitlines(keepends=True) == complete


def test_a_results_file_inside_the_labelled_folder_is_never_an_input(index, tmp_path):
    folder = tmp_path / "suspects"
    folder.mkdir()
    for k in range(3):
        (folder / f"{k}.txt").write_text(ARTICLES["flood"], encoding="utf-8")
    out = folder / "results.jsonl"
    label_corpus([folder], index, out, model=None)
    complete = out.read_text().splitlines(keepends=True)
    out.write_text("".join(complete[:1]))  # interrupted after the first record
    summary = label_corpus([folder], index, out, resume=True, model=None)
    assert (summary.resumed, summary.labelled, summary.errors) == (1, 2, 0)
    assert out.read_text().splitlines(keepends=True) == complete


def test_resume_refuses_a_file_that_is_not_a_results_file(tmp_path):
    out = tmp_path / "results.jsonl"
    record = '{"id": "a", "verdict": "spun", "error": null}\n'
    out.write_text(record + 'not json\n{"id": "b"}\n')
    with pytest.raises(InputError, match=":2 is not a result record"):
        read_done_ids(out)
    out.write_text(record + '{"id": "b", "text": "an input line, not a result"}\n')
    with pytest.raises(InputError, match=":2 is not a result record"):
        read_done_ids(out)


def _label_command(index, inputs, out, *extra):
    code = "from detector.cli import app; app()"
    return [
        sys.executable,
        "-c",
        code,
        "label",
        str(inputs),
        "-i",
        str(index),
        "-o",
        str(out),
        *extra,
    ]


@pytest.fixture(scope="module")
def many_suspects(tmp_path_factory, lexicon):
    """120 spun copies and unrelated articles as JSONL: enough to be killed mid-run."""
    folder = tmp_path_factory.mktemp("many")
    records = []
    for seed in range(20):
        for name, text in ARTICLES.items():
            records.append({"id": f"{name}-{seed}", "text": swap_words(text, lexicon, seed=seed)})
        records.append({"id": f"other-{seed}", "text": f"{UNRELATED} Entry {seed}."})
    return write_jsonl(folder / "suspects.jsonl", records), len(records)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_run_killed_mid_way_resumes_without_loss_or_duplicate(
    index, many_suspects, tmp_path, workers
):
    psutil = pytest.importorskip("psutil")
    inputs, total = many_suspects
    out = tmp_path / "results.jsonl"
    command = _label_command(index, inputs, out, "--workers", str(workers), "--no-fallback")
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE)
    children = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if workers > 1 and not children:
                children = psutil.Process(process.pid).children(recursive=True)
            if out.exists() and out.read_bytes().count(b"\n") >= 10:
                break
            time.sleep(0.005)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
        killed_at = out.read_bytes().count(b"\n")
        assert 10 <= killed_at < total, "the run was not killed mid-way"
        # Worker processes notice their parent is gone and stop by themselves.
        _, alive = psutil.wait_procs(children, timeout=10)
        assert not alive
    finally:
        for child in children:
            if child.is_running():
                child.kill()
        if process.poll() is None:
            process.kill()
    resumed = subprocess.run(
        _label_command(index, inputs, out, "--resume", "--no-fallback"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert resumed.returncode == 0, resumed.stderr
    ids = [r["id"] for r in read_records(out)]
    assert len(ids) == total and len(set(ids)) == total  # no gap, no duplicate
    reference = tmp_path / "reference.jsonl"
    label_corpus([inputs], index, reference, model=None)
    assert sorted(out.read_text().splitlines()) == sorted(reference.read_text().splitlines())


def test_sigterm_stops_a_run_as_ctrl_c_does_with_exit_143(index, many_suspects, tmp_path):
    inputs, total = many_suspects
    out = tmp_path / "results.jsonl"
    command = _label_command(index, inputs, out, "--no-fallback")
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (
            out.exists() and out.read_bytes().count(b"\n") >= 10
        ):
            time.sleep(0.005)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    written = out.read_bytes().count(b"\n")
    assert process.returncode == 143 and 10 <= written < total, (process.returncode, stderr)
    assert "terminated; run the same command with --resume" in " ".join(stderr.split())
    assert out.read_bytes().endswith(b"\n")  # whole records only
    assert not (tmp_path / "results.jsonl.lock").exists()  # the lock was released


# --------------------------------------------------------------------------- scaling out


def test_worker_processes_give_the_same_records(index, suspects, tmp_path):
    local, parallel = tmp_path / "local.jsonl", tmp_path / "parallel.jsonl"
    label_corpus([suspects], index, local, model=None)
    phases: list[str] = []
    label_corpus(
        [suspects], index, parallel, workers=2, batch_size=2, model=None, on_phase=phases.append
    )
    assert parallel.read_text() == local.read_text()
    # The bar says what the wait before the first record is (it sat at 0% unexplained).
    assert phases == ["starting 2 workers (each loads the index and models)", "labelling"]


class _CleanModel:
    def score(self, document, **kwargs):
        return Report(
            verdict="not_spun", relation=None, spin_score=0.01, substitution_rate=0.0,
            source=None, spans=(), suspect=document, mode="reference-free", model="clean",
        )  # fmt: skip


@pytest.mark.parametrize(("model", "size"), [(None, 16), (_CleanModel(), 4)])
def test_workers_take_small_batches_when_a_fallback_model_reads_for_seconds(
    index, tmp_path, monkeypatch, model, size
):
    # A trial: a run with -j 2 on a 16-page crawl, stopped with Ctrl-C, had written
    # nothing (one batch of 16 a worker) and --resume labelled every page again.
    import detector.parallel

    sizes: list[int] = []

    def run_here(job, batches, workers):
        def counted():
            for batch in batches:
                sizes.append(len(batch))
                yield batch

        return detector.parallel._run_here(job, counted())

    monkeypatch.setattr(detector.parallel, "run_ordered", run_here)
    inputs = write_jsonl(
        tmp_path / "in.jsonl", [{"id": f"u{k}", "text": f"{UNRELATED} {k}"} for k in range(20)]
    )
    label_corpus([inputs], index, tmp_path / "out.jsonl", workers=2, model=model)
    assert sizes == [size] * (20 // size) + ([20 % size] if 20 % size else [])


def test_dask_cluster_gives_the_same_records(index, suspects, tmp_path):
    distributed = pytest.importorskip("distributed")
    local, on_dask = tmp_path / "local.jsonl", tmp_path / "dask.jsonl"
    label_corpus([suspects], index, local, model=None)
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=2,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        summary = label_corpus(
            [suspects],
            index,
            on_dask,
            scheduler=cluster.scheduler_address,
            batch_size=2,
            model=None,
        )
    assert on_dask.read_text() == local.read_text()
    assert summary.labelled == len(local.read_text().splitlines())


def test_an_unreachable_scheduler_is_a_clear_error(index):
    pytest.importorskip("distributed")
    from detector.dask_runner import SchedulerError, run_on_dask

    job = LabelJob(str(index), LabelOptions())
    with pytest.raises(SchedulerError, match="cannot reach the Dask scheduler"):
        run_on_dask(job, [], "tcp://127.0.0.1:9", timeout=1)


# --------------------------------------------------------------------------- shared corpora


def test_shared_corpora_spun_copies_find_their_source(tmp_path, lexicon):
    corpora = SHARED / "corpora"
    if not corpora.is_dir():
        pytest.skip("../shared/corpora is not beside this checkout")
    index = tmp_path / "shared.sdx"
    build_index([corpora], index)
    wikinews = corpora / "wikinewssum_en_articles.jsonl.xz"
    import lzma

    with lzma.open(wikinews, "rt", encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f][:15]
    suspects = write_jsonl(
        tmp_path / "suspects.jsonl",
        [{"id": f"s{k}", "text": swap_words(t, lexicon, seed=k)} for k, t in enumerate(texts)]
        + [{"id": "empty", "text": ""}],
    )
    out = tmp_path / "results.jsonl"
    label_corpus([suspects], index, out, model=None)
    records = by_id(read_records(out))
    assert len(records) == 16 and "empty" in records["empty"]["error"]
    with SourceIndex.open(index) as opened:
        for k, text in enumerate(texts):
            source = records[f"s{k}"]["source"]
            assert source is not None and opened.text(source) == text


def test_with_no_index_the_model_scores_every_input(suspects, tmp_path):
    model = FakeModel()
    out = tmp_path / "results.jsonl"
    summary = label_corpus([suspects], None, out, model=model)
    records = read_records(out)
    scored = [r for r in records if r["error"] is None]
    assert scored and all(r["mode"] == "reference-free" and r["source"] is None for r in scored)
    assert len(model.seen) == len(scored) == summary.reference_free
    assert summary.with_source == 0
