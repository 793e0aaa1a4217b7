"""The evaluation plots, drawn from small synthetic curves: colours, threshold markers, no
line that is not data."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
pytest.importorskip("sklearn")
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from training.eval_report import (  # noqa: E402
    MAX_STEP,
    MODEL_COLOURS,
    draw_curves,
    draw_rates,
    model_colour,
    operating_point,
    plot_curves,
    plot_rates,
    pr_points,
)
from training.metrics import token_metrics  # noqa: E402

MODELS = ("baseline", "transformer", "lm", "hybrid", "reference")


def _level(rng: np.random.Generator, n: int, kind: str) -> tuple[np.ndarray, np.ndarray]:
    truth = rng.random(n) < 0.3
    if kind == "dense":  # continuous scores, higher for the positives
        scores = np.clip(rng.normal(0.35 + 0.3 * truth, 0.15), 0, 1)
    elif kind == "binary":  # 0 or 1, as reference mode's words off or on a spin span
        scores = np.where(truth, rng.random(n) < 0.9, rng.random(n) < 0.02).astype(float)
    else:  # three levels only
        scores = np.where(truth, rng.choice([0.5, 1.0], n), rng.choice([0.0, 0.5], n))
    return truth, scores


@pytest.fixture(scope="module")
def curves() -> dict[str, dict[str, dict[str, tuple[np.ndarray, np.ndarray]]]]:
    rng = np.random.default_rng(7)
    kinds = {"reference": "binary", "lm": "levels"}
    return {
        model: {
            split: {
                "word": _level(rng, 600, kinds.get(model, "dense")),
                "document": _level(rng, 80, kinds.get(model, "dense")),
            }
            for split in ("test", "cross_spinner")
        }
        for model in MODELS
    }


THRESHOLDS = {
    "baseline": {"word": 0.45, "document": 0.55},
    "transformer": {"word": 0.5, "document": 0.5},
    "lm": {"word": 0.5, "document": 0.5},
    "hybrid": {"word": 0.36, "document": 0.5},
    "reference": {"word": 1e-6, "document": 0.5},
}


@pytest.fixture(scope="module")
def results() -> dict[str, dict[str, dict[str, float | None]]]:
    buckets = ("0.15-0.25", "0.25-0.35", "0.35-0.50")
    out: dict[str, dict[str, dict[str, float | None]]] = {}
    for k, model in enumerate(MODELS):
        for split in ("test", "cross_spinner"):
            values: dict[str, float | None] = {}
            for b, bucket in enumerate(buckets):
                values[f"token_f1_rate_{bucket}"] = 0.3 + 0.1 * k + 0.05 * b
                values[f"document_recall_rate_{bucket}"] = 0.5 + 0.05 * b
            out.setdefault(model, {})[split] = values
        out[model]["speed"] = {"articles_per_second": 10.0}
    out["lm"]["cross_spinner"]["token_f1_rate_0.25-0.35"] = None  # a bucket left empty
    return out


@pytest.fixture(scope="module")
def figures(curves, results):
    pr = draw_curves(curves, THRESHOLDS)
    rates = draw_rates(results)
    yield pr, rates
    plt.close(pr)
    plt.close(rates)


def _artists(fig):
    for ax in fig.axes:
        yield from ax.lines
        yield from ax.collections


def _colour(artist) -> str:
    """The model colour an artist carries: a line's colour, a marker's face or edge."""
    gid = artist.get_gid()
    if hasattr(artist, "get_color") and not hasattr(artist, "get_offsets"):
        return to_hex(artist.get_color())
    if gid.startswith("rate:"):  # filled (test) or hollow (cross_spinner): the edge
        return to_hex(artist.get_edgecolor()[0])
    return to_hex(artist.get_facecolor()[0])


def test_every_model_has_its_own_fixed_colour():
    assert len(set(MODEL_COLOURS.values())) == len(MODEL_COLOURS)
    assert set(MODELS) <= set(MODEL_COLOURS)
    assert model_colour("some-new-model") == model_colour("some-new-model")


def test_models_of_one_run_never_share_a_fallback_colour():
    # Two folders a researcher trained ("runs/baseline-smoke", "runs/transformer-smoke")
    # both drew in olive: their names' hashes met.
    names = ["runs/baseline-smoke", "runs/transformer-smoke", "baseline", "a", "b", "c"]
    colours = [model_colour(m, names) for m in names]
    assert len(set(colours)) == len(names)
    assert model_colour("baseline", names) == MODEL_COLOURS["baseline"]


def test_the_same_model_gets_the_same_colour_in_both_figures(figures):
    pr, rates = figures
    seen: dict[str, set[str]] = {}
    for fig in (pr, rates):
        for artist in _artists(fig):
            gid = artist.get_gid()
            if gid is None:
                continue
            model = gid.split(":")[1]
            seen.setdefault(model, set()).add(_colour(artist))
    assert set(seen) == set(MODELS)
    for model, colours in seen.items():
        assert colours == {to_hex(model_colour(model))}, model
    # and both figures draw every model
    for fig in (pr, rates):
        drawn = {a.get_gid().split(":")[1] for a in _artists(fig) if a.get_gid()}
        assert drawn == set(MODELS)


def test_a_tuned_threshold_marker_per_model_on_every_curve(figures, curves):
    pr, _ = figures
    for ax in pr.axes:
        split, level = ax.get_title().split(": ")
        level = level.rstrip("s")
        markers = {
            c.get_gid().split(":")[1]: c
            for c in ax.collections
            if (c.get_gid() or "").startswith("threshold:")
        }
        assert set(markers) == set(MODELS)
        for model, marker in markers.items():
            truth, scores = curves[model][split][level]
            expected = token_metrics(truth, scores >= THRESHOLDS[model][level])
            (point,) = marker.get_offsets()
            assert list(point) == pytest.approx([expected["recall"], expected["precision"]])
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert labels.count("tuned threshold") == 1
        assert set(MODELS) <= set(labels)


def test_without_thresholds_no_marker_is_drawn(curves):
    fig = draw_curves(curves)
    try:
        gids = [c.get_gid() or "" for ax in fig.axes for c in ax.collections]
        assert not any(g.startswith("threshold:") for g in gids)
    finally:
        plt.close(fig)


def test_no_line_joins_fewer_than_three_points(figures):
    for fig in figures:
        for ax in fig.axes:
            for line in ax.lines:
                assert len(line.get_xdata()) >= 3, (ax.get_title(), line.get_gid())


def test_sparse_curves_are_markers_not_lines(figures):
    pr, rates = figures
    for ax in pr.axes:
        line_models = {line.get_gid().split(":")[1] for line in ax.lines}
        # Binary scores give one measured point below "flag everything": no line at all.
        assert "reference" not in line_models
        point_models = {(c.get_gid() or "").split(":")[-1] for c in ax.collections}
        assert "reference" in point_models
    # The spin-rate buckets are markers; nothing joins them.
    for ax in rates.axes:
        assert len(ax.lines) == 0


def test_no_line_spans_a_gap_between_measured_points(figures):
    pr, _ = figures
    for ax in pr.axes:
        for line in ax.lines:
            xs, ys = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
            assert np.abs(np.diff(xs)).max() <= MAX_STEP
            assert np.abs(np.diff(ys)).max() <= MAX_STEP


def test_pr_points_are_only_reachable_points():
    truth = np.array([1, 1, 0, 0], dtype=bool)
    recall, precision = pr_points(truth, np.array([1.0, 1.0, 0.0, 0.0]))
    # "flag everything" and "flag the ones": not the (recall 0, precision 1) end point
    assert list(zip(recall, precision, strict=True)) == [(1.0, 0.5), (1.0, 1.0)]
    assert operating_point(truth, np.array([0.9, 0.2, 0.6, 0.1]), 0.5) == (0.5, 0.5)


def test_the_empty_rate_bucket_is_left_out(figures, results):
    _, rates = figures
    token_ax = rates.axes[0]
    (lm_cross,) = [c for c in token_ax.collections if c.get_gid() == "rate:lm:cross_spinner"]
    assert len(lm_cross.get_offsets()) == 2


def test_plots_are_written(tmp_path, curves, results):
    assert plot_curves(curves, tmp_path, THRESHOLDS) == ["pr_curves.png"]
    assert plot_rates(results, tmp_path) == "f1_by_rate.png"
    for name in ("pr_curves.png", "f1_by_rate.png"):
        assert (tmp_path / name).read_bytes().startswith(b"\x89PNG")


def test_render_only_redraws_the_rate_plot_from_metrics_json(tmp_path):
    from training.evaluate import main

    shutil.copy(Path(__file__).resolve().parents[1] / "docs/eval/metrics.json", tmp_path)
    report = tmp_path / "EVALUATION.md"
    assert main(["--render-only", "--out-dir", str(tmp_path), "--report", str(report)]) == 0
    assert (tmp_path / "f1_by_rate.png").read_bytes().startswith(b"\x89PNG")
    assert not (tmp_path / "pr_curves.png").exists()  # needs the predictions
    assert "## Plots" in report.read_text("utf-8")
