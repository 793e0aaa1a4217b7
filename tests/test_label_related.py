"""`label` when the index holds only an independent report of the suspect's story.

A spun copy of an article outside the index, next to a report of the same event
inside it, must not be shielded by that report: the reference-free model scores
it, and the report is named as ``related``, never as its ``source``.
"""

import pytest

from detector.document import make_document
from detector.index import SourceIndex
from detector.index_build import build_index
from detector.label import RECORD_FIELDS, Labeller, label_corpus, load_fallback_model
from detector.report import Report

from .batch_helpers import ARTICLES, read_records, swap_words, write_jsonl

# Another paper's report of ARTICLES["flood"]: the same names and numbers, its own words
# (the reference scorer calls the flood article a "rewrite" of it, not a copy).
FLOOD_REPORT = (
    "After three years of argument, Riverside council backed on Tuesday a plan costing "
    "42 million pounds to hold back the Avon. Maria Okonjo, a councillor, told us some "
    "6,500 homes would be safer; many were flooded by storms in 2019 and 2021, when the "
    "embankment from 1968 gave way.\n\nBuilders start near Kingsmead bridge in "
    "March, aiming to finish late in 2026. Most of the money, 60 per cent, comes from the "
    "Environment Agency, with the Hartley Trust and council tax covering what is left."
)


class VerdictModel:
    """A reference-free model giving fixed verdicts by document name (``not_spun`` otherwise)."""

    def __init__(self, spun=()):
        self.spun = set(spun)
        self.seen = []

    def score(self, document):
        self.seen.append(document.name)
        spun = document.name in self.spun
        return Report(
            verdict="spun" if spun else "not_spun",
            relation=None,
            spin_score=0.9 if spun else 0.1,
            substitution_rate=0.0,
            source=None,
            spans=(),
            suspect=document,
            mode="reference-free",
            model="verdicts",
        )


def _index(folder, names):
    """An index of FLOOD_REPORT and the ARTICLES ``names``.

    One-row bands make every original sharing a feature a candidate, so these
    tests are about the decision, not about retrieval.
    """
    from detector.fingerprint import IndexParams

    records = [{"id": "flood-report", "text": FLOOD_REPORT}]
    records += [{"id": name, "text": ARTICLES[name]} for name in names]
    path = folder / "archive.sdx"
    originals = write_jsonl(folder / "originals.jsonl", records)
    build_index([originals], path, params=IndexParams(rows=1))
    return path


@pytest.fixture(scope="module")
def related_only(tmp_path_factory):
    """An index with the flood report and every article but the flood article itself."""
    return _index(tmp_path_factory.mktemp("related"), [n for n in ARTICLES if n != "flood"])


@pytest.fixture(scope="module")
def with_source(tmp_path_factory):
    """An index with the flood report and every article, the flood article included."""
    return _index(tmp_path_factory.mktemp("source"), list(ARTICLES))


@pytest.fixture(scope="module")
def spun_flood(lexicon):
    return make_document(swap_words(ARTICLES["flood"], lexicon, seed=0), name="spun-flood")


def _label(index, document, model):
    labeller = Labeller(SourceIndex.open(index), model=model)
    try:
        return labeller.label_document(document)
    finally:
        labeller.close()


def test_the_flood_article_is_a_rewrite_of_the_report(related_only, spun_flood):
    labeller = Labeller(SourceIndex.open(related_only), model=None)
    try:
        best = labeller._best_source(spun_flood)
    finally:
        labeller.close()
    assert best is not None and best.report.source == "flood-report"
    assert best.report.relation == "rewrite" and best.report.verdict == "not_spun"


def test_a_spun_copy_beside_a_related_report_is_labelled_by_the_model(related_only, spun_flood):
    model = VerdictModel(spun={"spun-flood"})
    record = _label(related_only, spun_flood, model)
    assert model.seen == ["spun-flood"]
    assert record.to_dict() == {
        "id": "spun-flood", "verdict": "spun", "relation": None, "spin_score": 0.9,
        "source": None, "related": "flood-report", "n_spans": 0, "mode": "reference-free",
        "model": "verdicts", "error": None, "note": None, "coverage": None,
        "schema_version": "1.3",
    }  # fmt: skip
    assert record.outcome == "reference-free"


def test_a_clean_related_report_stays_not_spun_with_related_set(related_only):
    clean = make_document(ARTICLES["flood"], name="clean-flood")
    model = VerdictModel()
    record = _label(related_only, clean, model)
    assert model.seen == ["clean-flood"]
    assert (record.verdict, record.relation, record.source, record.related) == (
        "not_spun", "rewrite", None, "flood-report"
    )  # fmt: skip
    assert (record.mode, record.model, record.outcome) == ("reference", "verdicts", "source")


def test_without_a_model_the_reference_verdict_stands_and_names_the_report(
    related_only, spun_flood
):
    record = _label(related_only, spun_flood, None)
    assert (record.verdict, record.relation, record.source, record.related) == (
        "not_spun", "rewrite", None, "flood-report"
    )  # fmt: skip
    assert (record.mode, record.model) == ("reference", None)


def test_a_copy_found_in_the_index_still_labels_by_reference(with_source, spun_flood):
    model = VerdictModel()
    record = _label(with_source, spun_flood, model)
    assert model.seen == []  # a source decides: the model is never asked
    assert (record.verdict, record.relation, record.source, record.related) == (
        "spun", "copy", "flood", None
    )  # fmt: skip
    assert (record.mode, record.model) == ("reference", None)


def test_the_baseline_model_finds_the_spun_copy_and_clears_the_clean_article(
    related_only, spun_flood, tmp_path
):
    if load_fallback_model("baseline") is None:
        pytest.skip("the baseline model is not installed")
    suspects = write_jsonl(
        tmp_path / "suspects.jsonl",
        [
            {"id": "spun-flood", "text": spun_flood.text},
            {"id": "clean-flood", "text": ARTICLES["flood"]},
        ],
    )
    out = tmp_path / "results.jsonl"
    summary = label_corpus([suspects], related_only, out, model="baseline")
    records = {r["id"]: r for r in read_records(out)}
    assert all(tuple(r) == RECORD_FIELDS for r in records.values())
    spun, clean = records["spun-flood"], records["clean-flood"]
    assert (spun["verdict"], spun["mode"], spun["model"]) == ("spun", "reference-free", "baseline")
    assert (spun["source"], spun["related"]) == (None, "flood-report")
    assert (clean["verdict"], clean["relation"]) == ("not_spun", "rewrite")
    assert clean["mode"] == "reference"
    assert (clean["source"], clean["related"], clean["model"]) == (None, "flood-report", "baseline")
    assert (summary.reference_free, summary.with_source, summary.no_source) == (1, 1, 0)


@pytest.mark.parametrize("clean_first", [True, False])
def test_a_clean_copy_on_the_page_does_not_hide_a_spun_one(with_source, lexicon, clean_first):
    # A spinner's page that carries a wire story word for word beside a spun article: the
    # clean copy may be the index's first candidate, and a copy found first used to end the
    # search.  The spun copy is the page's source, as `score --original FOLDER` says.
    clean = ARTICLES["earnings"] + "\n\n" + ARTICLES["museum"]
    spun = swap_words(ARTICLES["flood"], lexicon, seed=0)
    text = f"{clean}\n\n{spun}" if clean_first else f"{spun}\n\n{clean}"
    record = _label(with_source, make_document(text, name="page"), None)
    assert (record.verdict, record.relation, record.source) == ("spun", "copy", "flood")
    assert record.mode == "reference"


def test_a_spun_edition_in_the_index_does_not_outrank_the_clean_copy(tmp_path, lexicon):
    # A syndicated page (the flood story word for word, then a newsletter footer) when the
    # index also holds a spun edition of the same story: the spun edition covers what the
    # clean copy covers, so it does not become the page's source.
    spun = swap_words(ARTICLES["flood"], lexicon, seed=3)
    records = [{"id": "flood", "text": ARTICLES["flood"]}, {"id": "spun-flood", "text": spun}]
    records += [{"id": name, "text": ARTICLES[name]} for name in ("museum", "launch")]
    originals = write_jsonl(tmp_path / "originals.jsonl", records)
    from detector.fingerprint import IndexParams

    build_index([originals], tmp_path / "a.sdx", params=IndexParams(rows=1))
    footer = (
        "\n\nSign up for our daily newsletter to get the latest local headlines delivered to "
        "your inbox every morning, and follow us on social media for updates from around "
        "the county throughout the day, every day of the week."
    )
    record = _label(tmp_path / "a.sdx", make_document(ARTICLES["flood"] + footer, "page"), None)
    assert (record.verdict, record.relation, record.source) == ("not_spun", "copy", "flood")


def test_score_against_several_prefers_the_whole_clean_copy_to_a_spun_excerpt(lexicon):
    from detector.score import ReferenceScorer

    first = ARTICLES["flood"].split("\n\n", 1)[0]
    digest = swap_words(first, lexicon, seed=1) + "\n\n" + ARTICLES["museum"]
    page = make_document(ARTICLES["flood"], "page")
    originals = [make_document(ARTICLES["flood"], "wire"), make_document(digest, "digest")]
    report = ReferenceScorer().score(page, originals)
    assert (report.verdict, report.source) == ("not_spun", "wire")
