"""The corpus overview (issue 14): `spindetect report RESULTS -o overview.html`."""

import json
import re

import pytest
from typer.testing import CliRunner

from detector.cli import app
from detector.label import LabelRecord, label_corpus
from detector.overview import (
    BINS,
    Suspect,
    load_overview,
    locate_suspect,
    read_results,
    render_overview,
    summarise,
)

from .batch_helpers import ARTICLES, UNRELATED, build_archive, swap_words, write_jsonl

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def record(id, verdict="not_spun", score=0.1, **fields):
    """A label record line as ``label`` writes it."""
    base = LabelRecord(
        id=id,
        verdict=verdict,
        relation=fields.pop("relation", "unrelated"),
        spin_score=score,
        source=fields.pop("source", None),
        n_spans=fields.pop("n_spans", 0),
        mode=fields.pop("mode", None),
        **fields,
    )
    return base.to_json()


def failed(id, error):
    return LabelRecord.failed(id, error).to_json()


SMALL = [
    record("a", "spun", 0.97, relation="copy", source="flood", mode="reference", n_spans=12),
    record("b", "spun", 1.0, relation="copy", source="museum", mode="reference", n_spans=30),
    record("c", "not_spun", 0.95, relation="rewrite", related="museum", mode="reference"),
    record("d", "not_spun", 0.05),
    record("e", "not_spun", 0.3),
    record("f", "spun", 0.62, relation=None, mode="reference-free", model="transformer"),
    record("g", "unscored", 0.0, relation=None, mode="reference-free", model="lm"),
    failed("h", "h is empty"),
]


def write_results(path, lines):
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- summary


def test_counts_per_verdict_mode_and_errors(tmp_path):
    overview = load_overview(write_results(tmp_path / "r.jsonl", SMALL))
    assert (overview.total, overview.errors, overview.skipped) == (8, 1, 0)
    assert dict(overview.verdicts) == {"spun": 3, "not_spun": 3, "unscored": 1}
    assert dict(overview.modes) == {"reference": 3, "none": 2, "reference-free": 2}
    assert dict(overview.relations)["copy"] == 2
    assert overview.error_examples == (("h", "h is empty"),)


def test_histogram_bins_are_exact_and_split_by_verdict(tmp_path):
    overview = load_overview(write_results(tmp_path / "r.jsonl", SMALL))
    counts = overview.histogram.counts
    assert len(counts) == BINS
    assert counts[0] == (0, 1, 1)  # 0.05 not spun, 0.0 unscored
    assert counts[3] == (0, 1, 0)  # 0.3 sits on an edge: the bin above it
    assert counts[6] == (1, 0, 0)  # 0.62
    assert counts[9] == (2, 1, 0)  # 0.95, 0.97 and 1.0 (the last bin holds 1.0)
    assert sum(map(sum, counts)) == overview.total - overview.errors
    assert overview.histogram.edges[0] == "0.0" and overview.histogram.edges[-1] == "1.0"


def test_top_suspects_are_spun_first_then_by_score_and_capped():
    records = [json.loads(line) for line in SMALL]
    top = summarise(records, top=4).top
    assert [s.id for s in top] == ["b", "a", "f", "c"]  # c scores 0.95 but is not spun
    assert top[0] == Suspect("b", "spun", 1.0, "copy", "museum", None, "reference", 30)
    assert summarise(records, top=0).top == ()
    assert len(summarise(records, top=100).top) == 7  # every scored record, no error


def test_the_page_holds_counts_histogram_and_suspects(tmp_path):
    page = render_overview(load_overview(write_results(tmp_path / "r.jsonl", SMALL), top=3))
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and "<rect" in page
    assert "Top 3 suspects" in page
    assert re.search(r">spun</td><td class=\"n\">3</td>", page)
    # A trial: "16 records" heads the page, and "spun 8 57.1%" was a share of the 14
    # records labelled (two were errors), which the page did not say.
    assert "Shares of verdict, mode and relation are of the 7 records labelled" in page
    assert "href=" not in page  # no index: listed without links
    # Self-contained: no script, no external resource.
    assert "<script" not in page and "src=" not in page and "<link" not in page
    assert "http" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_hostile_ids_and_messages_are_escaped(tmp_path):
    lines = [
        record("<script>alert(1)</script>", "spun", 0.9, relation="copy", source='w"><img>'),
        failed("<b>x</b>", "<script>bad()</script> \x1b[31m"),
    ]
    page = render_overview(load_overview(write_results(tmp_path / "r.jsonl", lines)))
    assert "<script" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&quot;&gt;&lt;img&gt;" in page
    assert "\x1b" not in page and "\\x1b" in page


def test_malformed_lines_are_skipped_with_one_warning_each(tmp_path):
    lines = [SMALL[0], "not json", "[1, 2]", '{"id": "x"}', SMALL[1], ""]
    lines.append(record("bad-score", "spun", 0.5).replace("0.5", "7"))
    path = write_results(tmp_path / "r.jsonl", lines)
    warnings = []
    overview = load_overview(path, on_bad=warnings.append)
    assert overview.total == 2 and overview.skipped == 4
    assert warnings == [
        f"{path}:2: not JSON; skipped",
        f"{path}:3: not a JSON object; skipped",
        f"{path}:4: no verdict, spin_score, source, error fields; skipped",
        f"{path}:7: spin_score 7 is not a number in [0, 1]; skipped",
    ]
    assert "4 bad lines skipped" in render_overview(overview)


def test_records_stream_without_reading_the_whole_file(tmp_path):
    path = write_results(tmp_path / "r.jsonl", SMALL)
    records = read_results(path)
    assert next(records)["id"] == "a"  # a generator, one line at a time


# --------------------------------------------------------------------------- the command


def test_report_writes_the_page_and_warns_on_bad_lines(tmp_path):
    results = write_results(tmp_path / "r.jsonl", [*SMALL, "{broken"])
    page = tmp_path / "overview.html"
    result = invoke("report", results, "-o", page)
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == f"Warning: {results}:9: not JSON; skipped"
    assert "Top 7 suspects" not in page.read_text() and "All 7 suspects" in page.read_text()
    assert invoke("report", results, "-o", page, "-q").stderr == ""


def test_report_missing_empty_or_unusable_results_are_one_line_errors(tmp_path):
    missing = invoke("report", tmp_path / "none.jsonl", "-o", tmp_path / "o.html")
    assert missing.exit_code == 2
    assert missing.stderr.count("\n") == 1 and missing.stderr.startswith("Error: ")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    result = invoke("report", empty, "-o", tmp_path / "o.html")
    assert (
        result.exit_code == 1
        and result.stderr == f"Error: {empty} is empty: no label records to summarise\n"
    )
    junk = write_results(tmp_path / "junk.jsonl", ["junk", "[]"])
    result = invoke("report", junk, "-o", tmp_path / "o.html", "-q")
    assert result.exit_code == 1 and "holds no label record (2 bad line(s))" in result.stderr
    assert not (tmp_path / "o.html").exists()


def test_report_help_teaches_and_keeps_the_conventions():
    short, long = invoke("report", "-h"), invoke("report", "--help")
    assert short.exit_code == 0 and short.stdout == long.stdout
    for option in ("-o, --output", "-i, --index", "--reports-dir", "--top", "-q, --quiet"):
        assert option in short.stdout
    assert "Examples:" in short.stdout and "Exit status:" in short.stdout


def test_index_without_output_or_reports_dir_is_a_usage_error(tmp_path):
    results = write_results(tmp_path / "r.jsonl", SMALL)
    result = invoke("report", results, "--index", tmp_path / "archive.sdx")
    assert result.exit_code == 2 and "--reports-dir" in result.stderr


# --------------------------------------------------------------------------- per-pair reports


@pytest.fixture(scope="module")
def labelled(tmp_path_factory, lexicon):
    """(folder, index, results): spun copies labelled against an index of the originals."""
    folder = tmp_path_factory.mktemp("overview")
    index = build_archive(folder)
    suspects = folder / "suspects"
    suspects.mkdir()
    for seed, name in enumerate(("flood", "museum", "launch")):
        (suspects / f"spun-{name}.txt").write_text(swap_words(ARTICLES[name], lexicon, seed=seed))
    (suspects / "unrelated.txt").write_text(UNRELATED)
    # A record without an id is FILE:LINE; one with an id names no file.
    write_jsonl(
        suspects / "pages.jsonl",
        [
            {"text": swap_words(ARTICLES["football"], lexicon, seed=9)},
            {"id": "page-7", "text": swap_words(ARTICLES["earnings"], lexicon, seed=8)},
        ],
    )
    results = folder / "results.jsonl"
    label_corpus([suspects], index, results, model=None)
    return folder, index, results


def test_top_suspects_get_linked_per_pair_reports(labelled, tmp_path):
    _, index, results = labelled
    page = tmp_path / "overview.html"
    result = invoke("report", results, "-o", page, "--index", index, "--top", "10", "-q")
    assert result.exit_code == 0, result.output
    html = page.read_text()
    reports = sorted((tmp_path / "overview_files").glob("*.html"))
    assert len(reports) == 4  # three spun files and the FILE:LINE record
    for report in reports:
        assert f'href="overview_files/{report.name}"' in html
        text = report.read_text()
        assert text.startswith("<!DOCTYPE html>") and "<h2>Original</h2>" in text
    assert any("spun-museum" in r.name for r in reports)
    assert "Carrowkeel" in next(r for r in reports if "spun-museum" in r.name).read_text()
    # The record with an id names no file: the page says so instead of linking.
    row = re.search(r"<tr><td class=\"n\">\d+</td><td class=\"id\">page-7</td>.*?</tr>", html)
    assert row is not None and "input not found" in row.group() and "href" not in row.group()


def test_records_with_ids_of_their_own_are_found_in_the_inputs_given(labelled, tmp_path):
    folder, index, results = labelled
    page = tmp_path / "overview.html"
    pages = folder / "suspects" / "pages.jsonl"
    result = invoke("report", results, "-o", page, "-i", index, "--inputs", pages, "-q")
    assert result.exit_code == 0, result.output
    reports = sorted((tmp_path / "overview_files").glob("*.html"))
    assert len(reports) == 5 and any("page-7" in r.name for r in reports)
    missing = invoke("report", results, "-o", page, "-i", index, "--inputs", tmp_path / "no.jsonl")
    assert missing.exit_code == 2 and "--inputs" in missing.output


def test_a_suspect_that_cannot_be_found_again_is_named_not_linked(labelled, tmp_path):
    folder, index, _ = labelled
    lines = [
        record(str(tmp_path / "moved.txt"), "spun", 0.99, relation="copy", source="flood"),
        record(str(folder / "suspects" / "spun-flood.txt"), "spun", 0.9, source="nowhere"),
    ]
    moved = write_results(tmp_path / "moved.jsonl", lines)
    out = tmp_path / "pairs"
    result = invoke("report", moved, "-o", tmp_path / "o.html", "-i", index, "--reports-dir", out)
    assert result.exit_code == 0, result.output
    html = (tmp_path / "o.html").read_text()
    assert "input not found" in html and "the index has no original &#x27;nowhere&#x27;" in html
    assert "href=" not in html and not out.exists()
    assert "2 of 2 suspect(s) got no report" in result.stderr


def test_locate_suspect_reads_files_and_file_line_records(labelled):
    folder, _, _ = labelled
    spun = folder / "suspects" / "spun-flood.txt"
    assert locate_suspect(str(spun)).text == spun.read_text()
    assert locate_suspect(f"{spun}#1").text == spun.read_text()  # a renamed repeat
    pages = folder / "suspects" / "pages.jsonl"
    assert "Northgate" in locate_suspect(f"{pages}:1").text
    assert locate_suspect(f"{pages}:9").startswith("input not found")
    assert locate_suspect("-:3").startswith("read from standard input")


def test_records_labelled_with_named_fields_are_found_with_the_same_fields(
    labelled, lexicon, tmp_path
):
    _, index, _ = labelled
    pages = write_jsonl(
        tmp_path / "pages.jsonl",
        [{"url": "http://a.example/flood", "summary": swap_words(ARTICLES["flood"], lexicon)}],
    )
    results = tmp_path / "results.jsonl"
    fields = ("--text-field", "summary", "--id-field", "url")
    labelled_run = invoke("label", pages, "-i", index, "-o", results, *fields, "--no-fallback")
    assert labelled_run.exit_code == 0, labelled_run.output
    page = tmp_path / "overview.html"
    result = invoke("report", results, "-o", page, "-i", index, "--inputs", pages, *fields, "-q")
    assert result.exit_code == 0, result.output
    (report,) = (tmp_path / "overview_files").glob("*.html")
    assert "a.example" in report.name and "<h2>Original</h2>" in report.read_text()
    # Without the id field label was given, the record is not found again, and the page says so.
    again = invoke("report", results, "-o", page, "-i", index, "--inputs", pages, *fields[:2])
    assert again.exit_code == 0 and "no record http://a.example/flood in --inputs" in (
        page.read_text()
    )


def test_a_record_without_its_named_id_is_found_again_by_its_line(tmp_path, monkeypatch):
    # label --id-field url names a row with a blank url FILE:LINE; read again with the
    # default fields, its "id" column would name it, and the row was not found.
    from detector.overview import locate_suspect

    monkeypatch.chdir(tmp_path)
    (tmp_path / "news.csv").write_text(
        "id,url,text\n1,http://a,The council said the old bridge would close.\n"
        "2,,The mayor said on Wednesday that the new road would open soon.\n",
        encoding="utf-8",
    )
    found = locate_suspect("news.csv:3", id_field="url")
    assert not isinstance(found, str) and "new road" in found.text
    assert isinstance(locate_suspect("news.csv:3"), str)
