"""Honest progress in ``label``: phases, an ETA at the current pace, time per mode."""

from __future__ import annotations

import io
import json
import time

import pytest
from rich.console import Console
from typer.testing import CliRunner

from detector import label as label_module
from detector.cli import app
from detector.label import label_corpus
from detector.progress import ProgressBar, label_summary, progress_bar
from detector.report import Report

from .batch_helpers import ARTICLES, UNRELATED, build_archive, read_records, swap_words

LOAD_SECONDS = 3.0  # far above a record's time, even on a busy machine
SCORE_SECONDS = 0.05
COLD_SECONDS = 4.0  # a model's slow first call


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class SlowModel:
    """A fallback model that takes ``SCORE_SECONDS`` per article and calls it spun."""

    def score(self, document, **kwargs):
        time.sleep(SCORE_SECONDS)
        return Report(
            verdict="spun",
            relation=None,
            spin_score=0.9,
            substitution_rate=0.0,
            source=None,
            spans=(),
            suspect=document,
            mode="reference-free",
            model="slow",
        )


def _load_slowly(name):
    time.sleep(LOAD_SECONDS)
    return SlowModel()


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    return build_archive(tmp_path_factory.mktemp("index"))


@pytest.fixture(scope="module")
def suspects(tmp_path_factory, lexicon):
    """Two spun copies of originals in the index and two articles with no source."""
    folder = tmp_path_factory.mktemp("suspects")
    for seed, name in enumerate(("flood", "football")):
        (folder / f"spun-{name}.txt").write_text(swap_words(ARTICLES[name], lexicon, seed=seed))
    (folder / "unrelated-1.txt").write_text(UNRELATED)
    (folder / "unrelated-2.txt").write_text(UNRELATED.replace("dahlia", "rose"))
    return folder


# --------------------------------------------------------------------------- the bar


def test_eta_follows_the_current_phase_only():
    clock = FakeClock()
    bar = ProgressBar(clock=clock)
    clock.now = 1.6
    bar(16)  # 0.1 s an input
    assert bar.eta(100) == pytest.approx(10.0)
    bar.phase("loading model slow", busy=True)
    assert bar.eta(100) is None  # loading: no ETA claimed
    clock.now += 85.0
    bar.phase("labelling")
    assert bar.eta(100) is None  # the new pace is not known yet
    clock.now += 2.0
    bar(4)  # 0.5 s an input, the 85 s of loading not counted
    assert bar.eta(96) == pytest.approx(48.0)


def test_eta_follows_recent_inputs_rather_than_the_overall_average():
    clock = FakeClock()
    bar = ProgressBar(clock=clock)
    for _ in range(10):  # 160 fast inputs
        clock.now += 0.16
        bar(16)
    for _ in range(4):  # then 64 at 1 s each
        clock.now += 16.0
        bar(16)
    overall = (1.6 + 64.0) / 224
    assert bar.seconds_per_input > 0.9 > 3 * overall  # the overall average: 0.29 s


def test_a_shown_bar_names_the_loading_phase_without_an_eta():
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=160, color_system=None)
    with progress_bar("labelling", lambda: 10, console=console) as bar:
        bar(2)
        bar.phase("loading model slow", busy=True)
    last = out.getvalue().rsplit("\r", 1)[-1]
    assert "loading model slow" in last and "2/10" in last
    assert "ETA" not in last


# --------------------------------------------------------------------------- label_corpus


def test_label_reports_phases_and_time_per_mode(index, suspects, tmp_path, monkeypatch):
    monkeypatch.setattr(label_module, "load_fallback_model", _load_slowly)
    phases = []
    out = tmp_path / "results.jsonl"
    summary = label_corpus([suspects], index, out, model="slow", on_phase=phases.append)
    assert phases == ["loading model slow", "labelling"]
    assert (summary.by_reference, summary.by_model) == (2, 2)
    assert summary.model_load_seconds >= LOAD_SECONDS
    # Loading is counted apart, not in the first model record's time (with it, the mean of
    # the two records would be over LOAD_SECONDS / 2).
    assert SCORE_SECONDS <= summary.mean_model_seconds < LOAD_SECONDS / 2
    assert summary.mean_reference_seconds > 0
    for record in read_records(out):
        assert "seconds" not in record and "load_seconds" not in record
    shown = io.StringIO()
    Console(file=shown, width=120).print(label_summary(summary))
    text = shown.getvalue()
    assert "labelled by reference" in text and "labelled by the fallback model" in text
    assert "loading models" in text and " each" in text and "added up" not in text
    # A log of the run holds no padding after the title or the rows.
    assert text.startswith("Labelled into ") and not any(
        line.endswith(" ") for line in text.splitlines()
    )
    # With several workers each loads its models: the row says the times are added up.
    shown = io.StringIO()
    Console(file=shown, width=120).print(label_summary(summary, workers=2))
    assert "loading models (2 workers, added up)" in shown.getvalue()


class ColdModel(SlowModel):
    """A model whose first call is slow (lazy imports, a first pass), as torch models are."""

    def __init__(self) -> None:
        self.calls = 0

    def score(self, document, **kwargs):
        self.calls += 1
        if self.calls == 1:
            time.sleep(COLD_SECONDS)
        return super().score(document, **kwargs)


def test_a_models_slow_first_call_counts_as_loading_not_against_the_timeout(
    index, suspects, tmp_path, monkeypatch
):
    monkeypatch.setattr(label_module, "load_fallback_model", lambda name: ColdModel())
    out = tmp_path / "results.jsonl"
    # A limit far over an input's time even on a busy machine, and under the first call's.
    options = label_module.LabelOptions(timeout=COLD_SECONDS - 1.0)
    summary = label_corpus([suspects], index, out, model="cold", options=options)
    assert summary.by_model == 2 and summary.errors == 0
    assert summary.model_load_seconds >= COLD_SECONDS


def test_cli_label_prints_counts_and_time_per_mode(index, suspects, tmp_path, monkeypatch):
    monkeypatch.setattr(label_module, "load_fallback_model", _load_slowly)
    out = tmp_path / "results.jsonl"
    result = CliRunner().invoke(app, ["label", str(suspects), "-i", str(index), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    lines = {line.split("  ")[0].strip(): line for line in result.stderr.splitlines()}
    assert "2 (" in lines["labelled by reference"] and "each)" in lines["labelled by reference"]
    assert "2 (" in lines["labelled by the fallback model"]
    assert "loading models" in lines
    assert all(set(json.loads(line)) == set(label_module.RECORD_FIELDS) for line in out.open())


class _Stream(io.StringIO):
    def __init__(self, terminal: bool) -> None:
        super().__init__()
        self.terminal = terminal

    def isatty(self) -> bool:
        return self.terminal


@pytest.mark.parametrize(
    ("terminal", "quiet", "shown"),
    [(True, False, True), (False, False, False), (True, True, False)],
)
def test_working_spinner_only_on_a_terminal_and_not_quiet(monkeypatch, terminal, quiet, shown):
    from detector.progress import Messages

    stream = _Stream(terminal)
    monkeypatch.setattr("sys.stderr", stream)
    with Messages(quiet=quiet).working("scoring with hybrid"):
        pass
    assert ("scoring with hybrid" in stream.getvalue()) is shown


def test_score_says_how_long_loading_took_after_its_spinner_is_gone(monkeypatch, tmp_path):
    # A trial: with -v on a terminal, the "loaded model ... in 1.68 s" line was printed
    # under the live spinner, whose frames were left behind as blank lines.
    from contextlib import contextmanager

    from detector.progress import Messages

    events = []

    @contextmanager
    def working(self, what):
        events.append("spinner on")
        yield
        events.append("spinner off")

    monkeypatch.setattr(Messages, "working", working)
    monkeypatch.setattr(Messages, "detail", lambda self, message: events.append("detail"))
    text = tmp_path / "a.txt"
    text.write_text("The council approved the plan on Tuesday after a long debate.\n")
    result = CliRunner().invoke(app, ["score", str(text), "--model", "baseline", "-v"])
    assert result.exit_code == 0, result.output
    # (Lines said before, what was read, come before the first spinner.)
    after = events[events.index("spinner on") :]
    assert after == ["spinner on", "spinner off", "detail"] * 2


def test_a_resumed_run_with_nothing_left_says_so_not_a_rate(index, suspects, tmp_path):
    out = tmp_path / "results.jsonl"
    first = label_corpus([suspects], index, out, model=None)
    again = label_corpus([suspects], index, out, model=None, resume=True)
    assert (again.labelled, again.resumed) == (0, first.labelled)
    shown = io.StringIO()
    Console(file=shown, width=120).print(label_summary(again))
    text = shown.getvalue()
    assert "(the counts are this run's)" in text and "nothing left to label" in text
    assert "inputs/s" not in text


def test_instant_inputs_at_the_start_do_not_set_the_pace():
    # A trial: two unreadable files recorded at once, then articles at 0.18 s each, showed
    # "1,141.7/s ... ETA 0:00:00" and then crept down to the real pace.
    clock = FakeClock()
    bar = ProgressBar(clock=clock)
    clock.now += 0.002
    bar(2)
    assert bar.seconds_per_input is None and bar.eta(76) is None  # too early to tell
    for _ in range(10):
        clock.now += 0.18
        bar(1)
    assert bar.seconds_per_input == pytest.approx((0.002 + 1.8) / 12)
    assert bar.eta(66) > 60 * 0.14
