"""The partial-reuse benchmark's case building and measuring, on a tiny hand-written fixture."""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from detector.report import Passage

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_passages", BENCH / "bench_passages.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


TEXTS = {
    "harbour": (
        "The harbour board voted on Tuesday to close the old ferry terminal.\n"
        "Members said repairs would cost more than a new building.\n"
        "The terminal opened in 1921 and carried two million passengers a year at its peak.\n"
    ),
    "orchard": (
        "Apple growers in the valley expect a small harvest after the late frost.\n"
        "Several farms lost most of their blossom in a single night in April.\n"
        "Prices at the market have already risen by a fifth.\n"
    ),
    "library": (
        "The city library will stay open until midnight during the exam season.\n"
        "Students asked for longer hours in a petition signed by four thousand people.\n"
        "The council agreed to pay for extra staff until June.\n"
    ),
}


def _stories(bench):
    return [bench.Story(name, text, bench.paragraphs(text)) for name, text in TEXTS.items()]


def _report(passages, relation="copy", verdict="not_spun"):
    return SimpleNamespace(passages=tuple(passages), relation=relation, verdict=verdict)


def test_partial_case_marks_the_reused_paragraphs(bench) -> None:
    stories = _stories(bench)
    for seed in range(6):
        case = bench.partial_case(stories, None, random.Random(seed), seed, spun=False)
        ((start, end),) = case.truth
        reused = case.suspect[start:end]
        paragraphs = bench.paragraphs(reused)
        assert 1 <= len(paragraphs) <= 2  # unspun: copied word for word
        assert all(p in bench.paragraphs(case.original) for p in paragraphs)
        assert case.suspect != reused  # set among other stories' paragraphs
        assert case.spun is False


def test_measure_counts_a_found_and_a_missed_passage(bench) -> None:
    case = bench.partial_case(_stories(bench), None, random.Random(1), 1, spun=False)
    ((start, end),) = case.truth
    half = start + (end - start) // 2
    found = _report([Passage(start - 2, end, 0, 10, "copy")])  # 2 characters outside
    too_little = _report([Passage(start, half - 1, 0, 10, "copy")])  # under half of it
    missed = _report([], relation="unrelated")
    quality = bench.measure([case, case, case], [found, too_little, missed])
    assert (quality.stretches, quality.found, quality.copies) == (3, 1, 2)
    assert quality.reported_chars == (end - start + 2) + (half - 1 - start)
    assert quality.inside_chars == (end - start) + (half - 1 - start)
    assert quality.unspun_cases == 3 and quality.unspun_called_not_spun == 3
    assert quality.recall == pytest.approx(1 / 3)


def test_measure_negatives_counts_false_calls(bench) -> None:
    reports = [
        _report([Passage(0, 5, 0, 5, "spun")], verdict="spun"),
        _report([], relation="unrelated"),
    ]
    negatives = bench.measure_negatives(reports, ["unrelated", "unrelated"])
    assert (negatives.pairs, negatives.copies, negatives.spun) == (2, 1, 1)
    assert (negatives.with_passages, negatives.passages, negatives.added_copies) == (1, 1, 1)


def test_a_real_unspun_partial_copy_is_found(bench, scorer) -> None:
    stories = _stories(bench)
    story = stories[0]
    filler = [*stories[1].paragraphs, *stories[2].paragraphs]
    suspect, truth = bench._join([filler[0], filler[1], story.text.strip(), filler[3]], [2])
    case = bench.Case(suspect, story.text, truth, False, "fixture")
    (report,) = bench.score_all(scorer, [(case.suspect, case.original)])
    quality = bench.measure([case], [report])
    assert quality.found == 1 and quality.copies == 1
    assert quality.precision >= 0.9
