"""The dataset builder: splits by story, labels, spans, tags, determinism, the script itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from detector.document import make_document
from detector.errors import ResourceError
from detector.lexicon import Lexicon
from detector.spin.spinner import Spinner, SpunSpan
from training.corpus import TextRecord
from training.dataset import (
    LABELS,
    SPLITS,
    DataArgs,
    build_dataset,
    label_to_id,
    load_records,
    main,
    split_by_story,
    word_tags,
)

datasets = pytest.importorskip("datasets")

ARTICLE = (Path(__file__).parent / "fixtures" / "spin_article.txt").read_text("utf-8")
PARAGRAPHS = [p for p in ARTICLE.split("\n\n") if len(p.split()) > 20]
SHARED_CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"


def write_corpora(folder: Path) -> list[str]:
    """Two tiny corpora: 8 stories at two reading levels, and 5 single-version stories."""
    levelled, single = folder / "levelled.jsonl", folder / "single.jsonl"
    with open(levelled, "w", encoding="utf-8") as f:
        for k in range(8):
            adv = "\n\n".join(PARAGRAPHS[(k + i) % len(PARAGRAPHS)] for i in range(3))
            ele = "\n\n".join(PARAGRAPHS[(k + i) % len(PARAGRAPHS)] for i in (0, 2))
            for level, text in (("adv", adv), ("ele", ele)):
                f.write(json.dumps({"topic": f"story {k}", "level": level, "text": text}) + "\n")
    with open(single, "w", encoding="utf-8") as f:
        for k in range(5):
            f.write(
                json.dumps(
                    {"title": f"News {k}", "text": PARAGRAPHS[k] + "\n\n" + PARAGRAPHS[k + 1]}
                )
                + "\n"
            )
    return [str(levelled), str(single)]


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    return write_corpora(tmp_path_factory.mktemp("corpora"))


@pytest.fixture(scope="module")
def spinners(lexicon: Lexicon) -> tuple[Spinner, Spinner | None]:
    try:
        cross = Spinner.from_profile("cross")
    except ResourceError:
        cross = None
    return Spinner.from_profile("moby", lexicon=lexicon), cross


@pytest.fixture(scope="module")
def built(corpora: list[str], spinners: tuple[Spinner, Spinner | None]):
    args = DataArgs(corpus=corpora, validation_share=0.2, test_share=0.25, min_words=20, seed=3)
    splits = split_by_story(load_records(args), args.validation_share, args.test_share, args.seed)
    return build_dataset(splits, *spinners, args)


def test_labels_are_defined_once() -> None:
    assert LABELS == ("clean", "replaced")
    assert label_to_id == {"clean": 0, "replaced": 1}


def test_word_tags_three_words() -> None:
    document = make_document("big red car")
    span = SpunSpan(
        start=4,
        end=7,
        text="red",
        original="crimson",
        original_start=4,
        original_end=11,
        kind="synonym",
    )
    assert word_tags(document, [span]) == [0, 1, 0]
    assert word_tags(document, []) == [0, 0, 0]


def test_split_keeps_each_story_in_one_split() -> None:
    records = [
        TextRecord(id=f"{s}-{lvl}", story_id=f"s{s}", text="x", level=lvl, source=src)
        for src in ("a", "b")
        for s in range(20)
        for lvl in ("adv", "int", "ele")
    ]
    splits = split_by_story(records, 0.1, 0.15, seed=1)
    stories = {name: {(r.source, r.story_id) for r in rows} for name, rows in splits.items()}
    assert not stories["train"] & stories["test"]
    assert not stories["train"] & stories["validation"]
    assert not stories["validation"] & stories["test"]
    assert sum(len(rows) for rows in splits.values()) == len(records)
    assert {r.source for r in splits["test"]} == {"a", "b"}
    assert split_by_story(records, 0.1, 0.15, seed=1) == splits


def test_dataset_has_every_split_and_no_story_leaks(built, spinners) -> None:
    assert set(built) <= set(SPLITS)
    assert {"train", "validation", "test", "hard_negatives"} <= set(built)
    assert ("cross_spinner" in built) == (spinners[1] is not None)
    stories = {
        name: set(zip(built[name]["source"], built[name]["story_id"], strict=True))
        for name in built
    }
    assert not stories["train"] & (stories["validation"] | stories["test"])
    assert not stories["validation"] & stories["test"]
    assert stories["hard_negatives"] <= stories["test"]
    if "cross_spinner" in built:
        assert stories["cross_spinner"] == stories["test"]
    for name in ("train", "validation", "test"):
        assert set(built[name]["label"]) == {0, 1}
        assert set(built[name]["kind"]) == {"spun", "unspun", "syndication"}


def test_records_are_consistent(built) -> None:
    for name in built:
        for row in built[name]:
            spun = row["kind"] == "spun"
            assert row["label"] == int(spun)
            assert bool(row["spans"]) == spun
            assert (row["original"] == row["suspect"]) == (row["kind"] == "unspun")
            for span in row["spans"]:
                assert row["suspect"][span["start"] : span["end"]] == span["text"]
                assert (
                    row["original"][span["original_start"] : span["original_end"]]
                    == span["original"]
                )
            assert row["words"] == list(make_document(row["suspect"]).words)
            assert len(row["tags"]) == len(row["words"])
            covered = sum(len(make_document(span["text"])) for span in row["spans"])
            assert sum(row["tags"]) == covered
            if spun:
                assert 0.15 <= row["rate"] <= 0.5 and row["profile"] == (
                    "cross" if name == "cross_spinner" else "moby"
                )


def test_spun_records_are_reproducible_with_the_spinner(built, spinners) -> None:
    row = next(r for r in built["train"] if r["kind"] == "spun")
    result = spinners[0].spin(
        row["original"], rate=row["rate"], seed=row["seed"], protect=row["protect"]
    )
    assert result.text == row["suspect"]


def test_hard_negatives_hold_human_rewrites_and_syndication(built) -> None:
    kinds = set(built["hard_negatives"]["kind"])
    assert kinds == {"unspun", "syndication", "human_rewrite"}
    assert set(built["hard_negatives"]["label"]) == {0}
    rewrite = next(r for r in built["hard_negatives"] if r["kind"] == "human_rewrite")
    assert rewrite["level"] == "ele" and rewrite["original_id"].endswith("-adv")


def test_build_is_deterministic(corpora: list[str], spinners, built) -> None:
    args = DataArgs(corpus=corpora, validation_share=0.2, test_share=0.25, min_words=20, seed=3)
    splits = split_by_story(load_records(args), args.validation_share, args.test_share, args.seed)
    again = build_dataset(splits, *spinners, args)
    for name in built:
        assert again[name].to_list() == built[name].to_list()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"corpus": []}, "the 'corpus' parameter needs at least one corpus"),
        ({"rates": (0.5, 0.2)}, r"the 'rates' parameter must be MIN MAX"),
        ({"rates": (0.1, 0.9)}, r"the 'rates' parameter must be MIN MAX"),
        ({"profile": "cross"}, "evaluation-only profile 'cross'"),
        ({"cross_profile": "thesaurus"}, "the 'cross_profile' parameter must be one of"),
        ({"cross_profile": "moby"}, "names 'moby', which the models train on"),
        ({"test_share": 0.5, "validation_share": 0.4}, "leave too little to train on"),
        ({"spins_per_text": 0}, "the 'spins_per_text' parameter must be at least 1"),
    ],
)
def test_bad_arguments_are_refused(kwargs: dict, message: str) -> None:
    kwargs = {"corpus": ["x.jsonl"], **kwargs}
    with pytest.raises(ValueError, match=message):
        DataArgs(**kwargs)


def test_script_builds_saves_and_prints(
    corpora: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    out = tmp_path / "spin"
    argv = [
        "--corpus",
        *corpora,
        "--out",
        str(out),
        "--min-words",
        "20",
        "--cross-profile",
        "none",
        "--spins-per-text",
        "1",
    ]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "spin dataset" in printed and "train" in printed and "hard_negatives" in printed
    loaded = datasets.load_from_disk(str(out))
    summary = json.loads((out / "build.json").read_text("utf-8"))
    assert summary["labels"] == list(LABELS)
    assert summary["statistics"]["train"]["examples"] == len(loaded["train"])
    assert "cross_spinner" not in loaded
    assert main(argv) == 2  # refuses to overwrite without --overwrite, a usage error
    assert "already exists; pass --overwrite" in capsys.readouterr().err
    assert main([*argv, "--overwrite"]) == 0
    # The old dataset stays whole until the new one is saved (a trial's Ctrl-C 12 s into
    # an --overwrite run had left no dataset at all).
    before = sorted(p.name for p in out.iterdir())

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("training.dataset.build_dataset", interrupted)
    with pytest.raises(KeyboardInterrupt):
        main([*argv, "--overwrite"])
    assert sorted(p.name for p in out.iterdir()) == before
    assert len(datasets.load_from_disk(str(out))["train"]) == len(loaded["train"])
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]
    # A folder holding something else is never replaced, and that is said first.
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "notes.txt").write_text("mine", encoding="utf-8")
    argv[argv.index("--out") + 1] = str(notes)
    assert main([*argv, "--overwrite"]) == 2
    assert "not a saved dataset" in capsys.readouterr().err
    assert (notes / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_script_reads_a_json_config(corpora: list[str], tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(
        json.dumps(
            {
                "corpus": corpora,
                "out": str(tmp_path / "spin"),
                "min_words": 20,
                "cross_profile": "none",
                "max_stories": 2,
            }
        ),
        encoding="utf-8",
    )
    assert main([str(config)]) == 0
    assert (
        json.loads((tmp_path / "spin" / "build.json").read_text("utf-8"))["args"]["max_stories"]
        == 2
    )


def test_a_json_config_on_the_command_line_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``python -m training.dataset config.json``: main() reads the command line itself."""
    config = tmp_path / "config.json"
    values = {"corpus": [str(tmp_path / "nope.jsonl")], "out": str(tmp_path / "out")}
    config.write_text(json.dumps(values), encoding="utf-8")
    monkeypatch.setattr("sys.argv", ["python -m training.dataset", str(config)])
    assert main() == 2  # read as the config: its corpus is the missing file, not a bad option
    assert "nope.jsonl: no such file or folder" in capsys.readouterr().err


def test_a_bad_option_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--rates", "0.9", "0.95", "--corpus", "x.jsonl"])
    assert stopped.value.code == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("python -m training.dataset: error: ") and line.endswith("(see --help)")


def test_script_reports_a_missing_corpus(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--corpus", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path / "o")]) == 2
    assert "nope.jsonl: no such file or folder" in capsys.readouterr().err


def test_shared_corpora_build(tmp_path: Path) -> None:
    paths = [
        SHARED_CORPORA / "onestopenglish_all_levels.jsonl.xz",
        SHARED_CORPORA / "wikinewssum_en_articles.jsonl.xz",
    ]
    if not all(p.is_file() for p in paths):
        pytest.skip("../shared/corpora is not beside this checkout")
    argv = [
        "--corpus",
        *map(str, paths),
        "--out",
        str(tmp_path / "spin"),
        "--max-stories",
        "4",
        "--spins-per-text",
        "1",
        "--cross-profile",
        "none",
    ]
    assert main(argv) == 0
    loaded = datasets.load_from_disk(str(tmp_path / "spin"))
    assert "human_rewrite" in set(loaded["hard_negatives"]["kind"])
    train_topics = set(loaded["train"]["story_id"])
    assert not train_topics & set(loaded["test"]["story_id"])


def test_missing_splits_names_the_empty_ones() -> None:
    from training.dataset import missing_splits

    assert missing_splits({"train": [1, 2], "validation": [3]}, ("train", "validation")) is None
    problem = missing_splits({"train": [1, 2], "test": []}, ("train", "validation", "test"))
    assert problem is not None
    assert problem.startswith("the dataset has no validation or test examples")
    assert "(it holds train 2, test 0)" in problem


def test_a_text_too_short_to_spin_takes_no_story_s_place(tmp_path: Path) -> None:
    # `make data-smoke` promised 4 stories per corpus and gave 3 for Wikinews: a story
    # whose only text was under the word minimum used up one of the places.
    corpus = tmp_path / "news.jsonl"
    rows = [{"title": "Short", "text": "Too short to spin."}] + [
        {"title": f"News {k}", "text": PARAGRAPHS[k] + "\n\n" + PARAGRAPHS[k + 1]} for k in range(3)
    ]
    corpus.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    args = DataArgs(corpus=[str(corpus)], min_words=20, max_stories=2)
    assert [r.story_id for r in load_records(args)] == ["News 0", "News 1"]


def test_a_held_out_text_that_is_a_training_text_is_left_out() -> None:
    # A trial's corpus held every article twice under other ids: one text was spun into
    # both train and test, and nothing said so.  (OneStopEnglish itself holds one such
    # pair: its "Royal Baby" elementary text is the "Skydiver" one.)
    from training.corpus import TextRecord
    from training.dataset import without_shared_texts

    def record(id_: str, text: str) -> TextRecord:
        return TextRecord(id=id_, story_id=id_, text=text, title="", level="", source="c")

    splits = {
        "train": [record("a", "The same   words here."), record("b", "Other words.")],
        "validation": [record("v", "Other words.")],
        "test": [record("c", "The same words here."), record("d", "Other  words, new.")],
    }
    kept, lines = without_shared_texts(splits)
    assert [r.id for r in kept["train"]] == ["a", "b"]  # training is never changed
    assert kept["validation"] == [] and [r.id for r in kept["test"]] == ["d"]
    assert len(lines) == 2 and "left 'c' out of test" in lines[1] and "'a' (train)" in lines[1]
    assert without_shared_texts({"train": splits["train"], "test": splits["test"][1:]})[1] == []
