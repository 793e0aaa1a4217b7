"""Corpus loading: JSONL (plain and compressed), JSON, CSV/TSV, text folders, hub names."""

from __future__ import annotations

import gzip
import json
import lzma
from pathlib import Path

import pytest

from detector.errors import InputError, MissingInputError
from training.corpus import TextRecord, clean_text, is_local_spec, load_corpus

SHARED_CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
ROWS = [
    {
        "id": "a1",
        "title": "Harbour plan rejected",
        "text": "The council rejected the plan.",
        "level": "adv",
        "topic": "harbour",
    },
    {"id": "a2", "text": "Councillors said no to the plan.", "level": "ele", "topic": "harbour"},
    {"text": "Floods hit the coast on Monday."},
]


def write_jsonl(path: Path, rows: list[dict], opener=open) -> Path:
    with opener(path, "wt", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")
    return path


@pytest.mark.parametrize(
    ("name", "opener"), [("c.jsonl", open), ("c.jsonl.xz", lzma.open), ("c.jsonl.gz", gzip.open)]
)
def test_jsonl_plain_and_compressed(tmp_path: Path, name: str, opener) -> None:
    records = list(load_corpus(write_jsonl(tmp_path / name, ROWS, opener)))
    assert records[0] == TextRecord(
        id="a1",
        story_id="harbour",
        text="The council rejected the plan.",
        title="Harbour plan rejected",
        level="adv",
        source="c",
    )
    assert [r.story_id for r in records] == ["harbour", "harbour", "c-000002"]
    assert records[2].id == "c-000002"


def test_limit_stops_early(tmp_path: Path) -> None:
    assert len(list(load_corpus(write_jsonl(tmp_path / "c.jsonl", ROWS), limit=2))) == 2
    with pytest.raises(ValueError, match="the 'limit' parameter must be at least 1, got 0"):
        load_corpus(tmp_path / "c.jsonl", limit=0)


def test_ids_are_made_unique(tmp_path: Path) -> None:
    rows = [{"id": "x", "text": "one"}, {"id": "x", "text": "two"}]
    assert [r.id for r in load_corpus(write_jsonl(tmp_path / "d.jsonl", rows))] == ["x", "x#1"]


def test_json_array(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"data": ROWS}), encoding="utf-8")
    assert [r.text for r in load_corpus(path)][2] == "Floods hit the coast on Monday."


def test_csv_and_tsv(tmp_path: Path) -> None:
    csv_path = tmp_path / "news.csv"
    csv_path.write_text(
        'id,title,text\n1,Floods,"Floods hit the coast, again."\n2,,"Rain, rain."\n',
        encoding="utf-8",
    )
    records = list(load_corpus(csv_path))
    assert [(r.id, r.story_id, r.text) for r in records] == [
        ("1", "Floods", "Floods hit the coast, again."),
        ("2", "2", "Rain, rain."),
    ]
    tsv_path = tmp_path / "news.tsv"
    tsv_path.write_text("article\theadline\nStorms hit.\tStorms\n", encoding="utf-8")
    assert next(load_corpus(tsv_path)).title == "Storms"


def test_text_field_option_and_missing_field(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", [{"body_text": "Storms hit the coast."}])
    assert next(load_corpus(path, text_field="body_text")).text == "Storms hit the coast."
    with pytest.raises(
        InputError, match=r"c\.jsonl:1: no text field \(text, article, .*--text-field"
    ):
        list(load_corpus(path))


def test_bad_json_line_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text('{"text": "ok"}\n{not json\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"c.jsonl:2: not JSON"):
        list(load_corpus(path))


def test_text_folder_with_story_subfolders(tmp_path: Path) -> None:
    (tmp_path / "news" / "harbour").mkdir(parents=True)
    (tmp_path / "news" / "harbour" / "wire.txt").write_text(
        "The council rejected the plan.\n", encoding="utf-8"
    )
    (tmp_path / "news" / "harbour" / "copy.html").write_text(
        "<p>Councillors rejected it.</p>", encoding="utf-8"
    )
    (tmp_path / "news" / "floods.md").write_text(
        "# Floods\n\nFloods hit the *coast*.\n", encoding="utf-8"
    )
    records = {r.id: r for r in load_corpus(tmp_path / "news")}
    assert set(records) == {"floods", "harbour/copy", "harbour/wire"}
    assert records["harbour/copy"].story_id == records["harbour/wire"].story_id == "harbour"
    assert records["harbour/copy"].text == "Councillors rejected it."
    assert records["floods"].text == "Floods\n\nFloods hit the coast."
    assert records["floods"].source == "news"


def test_missing_and_unknown_inputs(tmp_path: Path) -> None:
    with pytest.raises(MissingInputError, match=r"nope\.jsonl: no such file or folder"):
        load_corpus(tmp_path / "nope.jsonl")
    odd = tmp_path / "corpus.parquet"
    odd.write_bytes(b"PAR1")
    with pytest.raises(InputError, match=r"unknown corpus format '\.parquet'"):
        load_corpus(odd)


def test_hub_names_go_to_datasets(monkeypatch: pytest.MonkeyPatch) -> None:
    datasets = pytest.importorskip("datasets")
    calls = []

    def fake_load_dataset(name, config, split):
        calls.append((name, config, split))
        return [{"id": "n1", "article": "A story from the hub.", "highlights": "x"}]

    monkeypatch.setattr(datasets, "load_dataset", fake_load_dataset)
    records = list(load_corpus("cnn_dailymail:3.0.0@validation", limit=5))
    assert calls == [("cnn_dailymail", "3.0.0", "validation[:5]")]
    assert records == [
        TextRecord(id="n1", story_id="n1", text="A story from the hub.", source="cnn_dailymail")
    ]
    assert not is_local_spec("cnn_dailymail") and is_local_spec("./x") and is_local_spec("a.csv")


def test_hub_failure_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    datasets = pytest.importorskip("datasets")

    def offline(*args, **kwargs):
        raise ConnectionError("Couldn't reach 'cnn_dailymail' on the Hub (OfflineModeIsEnabled)")

    monkeypatch.setattr(datasets, "load_dataset", offline)
    with pytest.raises(
        InputError, match=r"could not load 'cnn_dailymail' from the Hugging Face hub .*online"
    ):
        list(load_corpus("cnn_dailymail"))


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("{{byline|dateew leadership could prove key.\n{publish}}", "Leadership could prove key."),
        (
            "{{byline|date[w:Paul Volcker|Paul Volcker]], a former official.",
            "Paul Volcker, a former official.",
        ),
        (
            "The \ufb01rst \x93quote\x94 &mdash; here.  \nNext line. ",
            "The first \u201cquote\u201d \u2014 here.\nNext line.",
        ),
        ("{{byline|date{archive}}", ""),
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


def test_shared_onestopenglish_keeps_levels_of_a_topic_together() -> None:
    path = SHARED_CORPORA / "onestopenglish_all_levels.jsonl.xz"
    if not path.is_file():
        pytest.skip(f"{path} is not beside this checkout")
    records = list(load_corpus(path))
    assert len(records) == 567
    by_story: dict[str, set[str]] = {}
    for record in records:
        by_story.setdefault(record.story_id, set()).add(record.level)
    assert len(by_story) == 189 and all(
        levels == {"adv", "int", "ele"} for levels in by_story.values()
    )
    assert len({r.id for r in records}) == 567
    assert not any("\ufb01" in r.text for r in records)


def test_saved_datasets_are_read_by_the_shared_reader(tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    folder = tmp_path / "saved"
    datasets.Dataset.from_dict({"id": ["s1"], "body": ["Storms hit the coast."]}).save_to_disk(
        str(folder)
    )
    assert [(r.id, r.text) for r in load_corpus(folder)] == [("s1", "Storms hit the coast.")]


def test_a_bad_row_stops_a_training_corpus(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text('id,text\n1,"never closed\n2,fine\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"c\.csv:2 is not valid CSV"):
        list(load_corpus(path))


def test_lone_surrogates_are_repaired_for_training(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text('{"id": "a\\ud800", "text": "Broken \\udc00 text."}\n', encoding="ascii")
    (record,) = load_corpus(path)
    assert (record.id, record.text) == ("a\\ud800", "Broken \ufffd text.")
