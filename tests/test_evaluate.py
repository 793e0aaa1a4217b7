"""The evaluation: the metric functions on hand-made cases, the timing articles, and the report."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench.speed import speed_articles
from detector.document import make_document
from training.eval_report import render_markdown
from training.metrics import (
    document_metrics,
    false_positive_rates,
    rate_bucket,
    restoration_accuracy,
    restoration_counts,
    split_metrics,
    token_metrics,
)
from training.predict import (
    Predictions,
    SplitData,
    predictions_from_scores,
    span_word_mask,
    stratified_head,
)


def test_token_metrics_count_every_word():
    tags = np.array([1, 1, 1, 0, 0, 0, 0, 0])
    predicted = np.array([1, 1, 0, 1, 0, 0, 0, 0], dtype=bool)
    assert token_metrics(tags, predicted) == pytest.approx(
        {"precision": 2 / 3, "recall": 2 / 3, "f1": 2 / 3}
    )


def test_token_metrics_with_nothing_predicted_are_zero_not_nan():
    assert token_metrics(np.array([1, 0]), np.array([False, False])) == {
        "precision": 0.0,
        "recall": 0.0,
        "f1": 0.0,
    }


def test_token_metrics_reject_mismatched_lengths():
    with pytest.raises(ValueError, match="differ in shape"):
        token_metrics(np.array([1, 0, 1]), np.array([True, False]))


def test_document_metrics_at_a_threshold_and_auroc():
    labels = np.array([1, 1, 0, 0])
    scores = np.array([0.9, 0.4, 0.6, 0.1])
    metrics = document_metrics(labels, scores, threshold=0.5)
    assert metrics["precision"] == pytest.approx(0.5)
    assert metrics["recall"] == pytest.approx(0.5)
    assert metrics["f1"] == pytest.approx(0.5)
    assert metrics["auroc"] == pytest.approx(0.75)  # 3 of 4 positive-negative pairs ordered


def test_document_metrics_have_no_auroc_with_one_class():
    assert document_metrics(np.array([0, 0]), np.array([0.2, 0.9]), 0.5)["auroc"] is None


def test_false_positive_rates_per_kind_of_negative():
    kinds = ["spun", "unspun", "unspun", "syndication", "human_rewrite", "human_rewrite"]
    labels = np.array([1, 0, 0, 0, 0, 0])
    predicted = np.array([1, 1, 0, 0, 1, 1], dtype=bool)
    assert false_positive_rates(kinds, labels, predicted) == {
        "unspun": (1, 2),
        "syndication": (0, 1),
        "human_rewrite": (2, 2),
    }


def test_restoration_accuracy_matches_exact_spans_and_lemmas(lexicon):
    truth = [(0, 6, "said"), (10, 18, "attacked"), (30, 40, "chief executive")]
    predicted = [
        (0, 6, "Says"),  # another form of the true lemma: right
        (10, 18, "hit"),  # wrong
        (30, 40, "Chief Executive"),  # multiword, same words: right
        (50, 55, "anything"),  # not a true span: not counted
    ]
    assert restoration_accuracy(predicted, truth, lexicon.same_lemma) == (2, 3)
    assert restoration_accuracy(predicted, truth) == (1, 3)  # without lemmas only exact matches


def _marks(text: str, swaps: list[tuple[str, str]]) -> list[tuple[int, int, str]]:
    """(start, end, original) of each written word of ``swaps`` in ``text``."""
    return [(text.index(w), text.index(w) + len(w), o) for w, o in swaps]


def test_restoration_counts_read_the_text_around_each_swap():
    text = "We saw colossal information and a bosom peril in no time at all."
    truth = _marks(
        text,
        [("colossal", "big"), ("information", "data"), ("bosom", "breast"), ("peril", "cancer")],
    )
    predicted = [
        *_marks(text, [("colossal information", "Big Data")]),  # over two swaps: both restored
        *_marks(text, [("bosom", "chest"), ("peril", "cancer")]),  # one wrong
        *_marks(text, [("no time", "nothing")]),  # no true swap: not counted
    ]
    assert restoration_counts(text, predicted, truth) == (3, 4, 4)
    # Spans cut apart elsewhere than the swaps, giving back the same text.
    text = "They plan to rely on grants as opposed to depend on loans."
    truth = _marks(text, [("as opposed to", "rather than"), ("depend", "rely")])
    predicted = _marks(text, [("as opposed", "rather than"), ("to depend", "rely")])
    assert restoration_counts(text, predicted, truth) == (2, 2, 2)
    # An insertion left beside a one-word swap gives back the wrong text.
    text = "The family bread kitchen closed."
    truth = _marks(text, [("bread kitchen", "bakery")])
    assert restoration_counts(text, _marks(text, [("kitchen", "bakery")]), truth) == (0, 1, 1)
    assert restoration_counts(text, _marks(text, [("bread kitchen", "Bakery")]), truth) == (1, 1, 1)
    assert restoration_counts(text, [], truth) == (0, 0, 1)


def test_span_word_mask_marks_the_words_inside_character_spans():
    document = make_document("The staff utterly rejected it.")
    mask = span_word_mask(document, [(4, 9), (10, 26)])
    assert [w for w, m in zip(document.words, mask, strict=True) if m] == [
        "staff",
        "utterly",
        "rejected",
    ]


@pytest.mark.parametrize(
    ("rate", "bucket"),
    [
        (0.15, "0.15-0.25"),
        (0.2499, "0.15-0.25"),
        (0.25, "0.25-0.35"),
        (0.5, "0.35-0.50"),
        (0.1, None),
    ],
)
def test_rate_bucket(rate, bucket):
    assert rate_bucket(rate) == bucket


def test_speed_articles_have_exactly_the_words_asked_for():
    articles = speed_articles(["One two three four.", "Five six seven."], count=3, words=10)
    assert len(articles) == 3
    assert all(len(make_document(a).words) == 10 for a in articles)


def test_split_metrics_on_a_hand_made_split():
    spun = make_document("The staff utterly rejected it.")
    clean = make_document("The council rejected it.")
    data = SplitData(
        name="test",
        suspects=[spun, clean],
        originals=[clean, clean],
        tags=[np.array([0, 1, 1, 0, 0], dtype=bool), np.zeros(4, dtype=bool)],
        labels=np.array([True, False]),
        kinds=["spun", "unspun"],
        rates=np.array([0.3, 0.0]),
        true_spans=[[(4, 9, "council"), (10, 17, "completely")], []],
    )
    predictions = Predictions(
        word_scores=[np.array([0, 0.9, 0.2, 0, 0]), np.array([0, 0.7, 0, 0])],
        word_flags=[np.array([0, 1, 0, 0, 0], dtype=bool), np.array([0, 1, 0, 0], dtype=bool)],
        document_scores=np.array([0.8, 0.3]),
        document_flags=np.array([True, False]),
        restorations=[[(4, 9, "Council")], [(4, 11, "board")]],
        seconds=0.5,
    )
    metrics = split_metrics(data, predictions, same_lemma=None)
    assert metrics["token_precision"] == 0.5
    assert metrics["token_recall"] == 0.5
    assert metrics["document_f1"] == 1.0
    assert metrics["fpr_unspun"] == 0.0
    assert metrics["restoration_top1"] == 1.0
    assert metrics["token_f1_rate_0.25-0.35"] == 0.6667  # precision 1, recall 0.5


def _split_of_kinds(kinds: list[str]) -> SplitData:
    documents = [make_document(f"Article number {k} is here.") for k in range(len(kinds))]
    return SplitData(
        name="test",
        suspects=documents,
        originals=documents,
        tags=[np.zeros(len(d.words), dtype=bool) for d in documents],
        labels=np.array([kind == "spun" for kind in kinds]),
        kinds=kinds,
        rates=np.array([0.3 if kind == "spun" else 0.0 for kind in kinds]),
        true_spans=[[] for _ in documents],
    )


def test_a_stratified_sample_keeps_the_splits_mix_of_kinds():
    # Half spun, a quarter each of two clean kinds, spun articles listed last.
    split = _split_of_kinds(["unspun"] * 25 + ["syndication"] * 25 + ["spun"] * 50)
    sample = stratified_head(split, 12)
    assert sorted(sample.kinds) == ["spun"] * 6 + ["syndication"] * 3 + ["unspun"] * 3
    # The first articles of each kind, in the split's order.
    assert [d.text for d in sample.suspects][:3] == [
        f"Article number {k} is here." for k in range(3)
    ]
    # A rare kind keeps one article; the total stays at the limit.
    rare = stratified_head(_split_of_kinds(["spun"] * 98 + ["unspun"] * 2), 10)
    assert sorted(rare.kinds) == ["spun"] * 9 + ["unspun"]
    assert stratified_head(split, None) is split


class _Model:
    name = "test"
    word_threshold = 0.5
    document_threshold = 0.5


def test_a_document_called_clean_flags_none_of_its_words():
    from detector.scoring import WordScores

    spun, clean = make_document("The staff rejected it."), make_document("The board rejected it.")
    scores = [
        WordScores(spun, (0.0, 0.9, 0.1, 0.0), 0.8),
        WordScores(clean, (0.0, 0.9, 0.1, 0.0), 0.2),
    ]
    predictions = predictions_from_scores(scores, _Model(), Path("."), None, seconds=0.0)
    assert predictions.word_flags[0].tolist() == [False, True, False, False]
    assert not predictions.word_flags[1].any()
    assert predictions.restorations == [[(4, 9, "")], []]
    assert predictions.word_scores[1][1] == 0.9  # the scores themselves are kept


def test_render_markdown_states_targets_met_and_missed():
    metrics = {
        "results": {
            "baseline": {
                "test": {"token_f1": 0.5, "document_f1": 0.95},
                "cross_spinner": {"document_f1": 0.6},
                "hard_negatives": {"fpr_unspun": 0.0, "fpr_human_rewrite": 0.05},
                "speed": {"articles_per_second": 250.0, "size_mb": 1.2, "timed_articles": 200},
            }
        },
        "dataset": "data/spin-dataset",
        "dataset_note": "test 2",
        "machine": "x86_64",
        "date": "2026-01-01",
        "metrics_file": "docs/eval/metrics.json",
        "plots_dir": "docs/eval",
        "plots": ["pr_curves.png"],
        "commands": ["$ make evaluate"],
    }
    text = render_markdown(metrics)
    assert "| baseline: document F1, cross_spinner | >= 0.90 | 0.600 | missed |" in text
    assert "| baseline: FPR unspun, hard_negatives | <= 2% | 0.0% | met |" in text
    assert "| baseline: FPR human_rewrite, hard_negatives | <= 2% | 5.0% | missed |" in text
    assert "| baseline: articles/s (800 words, 2 cores) | >= 200 | 250.0 | met |" in text
    assert "Not evaluated: transformer" in text
    assert "![pr_curves.png](docs/eval/pr_curves.png)" in text
    # A run that asked only for the baseline names no model as missing (a trial's report
    # said the transformer was not installed beside an installed one).
    assert "Not evaluated" not in render_markdown({**metrics, "not_installed": []})
    assert "Not evaluated: hybrid (asked for" in render_markdown(
        {**metrics, "not_installed": ["hybrid"]}
    )


def test_speed_only_times_the_models_again_and_keeps_every_other_number():
    pytest.importorskip("sklearn")
    from training.evaluate import EvalArgs, time_again

    stories = [
        "The council approved the new budget on Tuesday after a long debate. " * 6,
        "Officials said the bridge would reopen next month once repairs end. " * 6,
    ]
    dataset = {"validation": {"suspect": stories}, "test": {"suspect": stories[::-1]}}
    old = {"articles_per_second": 0.001, "size_mb": 0.0}
    metrics = {
        "date": "2026-01-01",
        "results": {
            "baseline": {"test": {"token_f1": 0.5}, "speed": old},
            "reference": {"test": {"token_f1": 0.9}},
        },
    }
    args = EvalArgs(speed_articles=2, speed_words=60, speed_warmup=1, speed_processes=1)
    timed = time_again(args, dataset, metrics)
    speed = timed["results"]["baseline"]["speed"]
    assert speed["articles_per_second"] > 1 and speed["size_mb"] > 0
    assert timed["results"]["baseline"]["test"] == {"token_f1": 0.5}
    assert timed["results"]["reference"] == {"test": {"token_f1": 0.9}}
    assert timed["date"] == "2026-01-01" and timed["speed_date"]
    assert metrics["results"]["baseline"]["speed"] is old  # the input is left as it was


def test_a_run_outside_docs_eval_never_writes_the_shipped_report(tmp_path):
    # `--out-dir runs/eval-quick` (the --help example) replaced the tracked EVALUATION.md.
    from training.evaluate import EvalArgs

    shipped = EvalArgs()
    assert (shipped.out_dir, shipped.report) == (Path("docs/eval"), Path("EVALUATION.md"))
    assert EvalArgs(out_dir=tmp_path / "quick").report == tmp_path / "quick" / "EVALUATION.md"
    assert EvalArgs(out_dir=tmp_path, report=tmp_path / "r.md").report == tmp_path / "r.md"
    # `make evaluate MODELS=runs/my-model`, or a sample: runs/eval unless told otherwise.
    for mine in (EvalArgs(models=["runs/my-model"]), EvalArgs(max_samples=40)):
        assert (mine.out_dir, mine.report) == (Path("runs/eval"), Path("runs/eval/EVALUATION.md"))
    assert EvalArgs(render_only=True).out_dir == Path("docs/eval")


def test_a_named_model_folder_that_holds_no_model_is_an_error(tmp_path, capsys):
    pytest.importorskip("sklearn")
    pytest.importorskip("datasets")
    from training.evaluate import main

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "dataset_dict.json").write_text("{}")
    network = tmp_path / "network"  # a Hugging Face network's folder: no spindetect model
    network.mkdir()
    (network / "config.json").write_text('{"model_type": "bert"}')
    for folder in (tmp_path / "nope", network):
        code = main(
            ["--dataset", str(tmp_path / "data"), "--models", str(folder),
             "--out-dir", str(tmp_path / "eval")]
        )  # fmt: skip
        assert code == 2
        assert capsys.readouterr().err.startswith(f"Error: no model at {folder}")
    assert not (tmp_path / "eval").exists()


def test_a_model_is_timed_by_its_type_whatever_its_folder_is_called(tmp_path):
    # A transformer trained into runs/transformer-smoke was timed like the baseline: 200
    # articles after 50 warm-ups, in 2 processes (minutes of silence).
    import json
    from types import SimpleNamespace

    from training.evaluate import EvalArgs, _speed_and_size

    calls = []
    speed = SimpleNamespace(
        measure_speed=lambda name, warmup, articles, processes: (
            calls.append((name, len(warmup), len(articles), processes)) or {}
        )
    )
    args = EvalArgs(speed_articles=200, speed_warmup=50, speed_processes=2)
    texts = ["word " * 10] * 200
    for kind in ("transformer", "baseline"):
        folder = tmp_path / f"runs-{kind}-smoke"
        folder.mkdir()
        (folder / "config.json").write_text(json.dumps({"type": kind}))
        _speed_and_size(speed, str(folder), folder, args, texts, texts)
    assert calls[0][1:] == (5, 20, 1)  # a tenth, one process
    assert calls[1][1:] == (200, 200, 2)


def test_an_output_folder_that_cannot_be_made_is_one_line_before_the_work(tmp_path, capsys):
    pytest.importorskip("sklearn")
    pytest.importorskip("datasets")
    from training.evaluate import main

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "dataset_dict.json").write_text("{}")  # never read: refused first
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code = main(
        ["--dataset", str(tmp_path / "data"), "--models", "baseline",
         "--out-dir", str(blocker / "eval")]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("Error: cannot make the folder") and err.count("\n") == 1


def test_speed_timing_can_be_left_out_but_not_by_a_speed_only_run():
    from training.evaluate import EvalArgs

    assert EvalArgs(speed_articles=0).speed_articles == 0  # a trial wanted accuracy alone
    with pytest.raises(ValueError, match="at least 0"):
        EvalArgs(speed_articles=-1)
    with pytest.raises(ValueError, match="--speed-only needs"):
        EvalArgs(speed_articles=0, speed_only=True)


def test_a_report_path_that_is_a_folder_is_refused_before_the_work(tmp_path, capsys):
    pytest.importorskip("sklearn")
    pytest.importorskip("datasets")
    from training.evaluate import main

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "dataset_dict.json").write_text("{}")  # never read: refused first
    (tmp_path / "report").mkdir()
    code = main(
        ["--dataset", str(tmp_path / "data"), "--models", "baseline",
         "--out-dir", str(tmp_path / "eval"), "--report", str(tmp_path / "report")]
    )  # fmt: skip
    assert code == 2 and "is a folder" in capsys.readouterr().err
