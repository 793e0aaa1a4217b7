import gzip
import json

import pytest

from detector.errors import InputError, MissingInputError
from detector.inputs import InputItem, count_inputs, iter_inputs

TEXT = "The Riverside council approved a 42 million pound flood plan on Tuesday."


def ids(items):
    return [item.id for item in items]


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text(TEXT)
    (tmp_path / "b" / "1.html").write_text(f"<p>{TEXT}</p>")
    (tmp_path / "a.md").write_text(TEXT)
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "x.txt").write_text(TEXT)
    (tmp_path / "c.jsonl").write_text(json.dumps({"id": "r1", "text": TEXT}) + "\n")
    return tmp_path


def test_folders_are_walked_in_name_order_skipping_hidden_and_unknown_files(tree):
    items = list(iter_inputs([tree]))
    assert ids(items) == [
        str(tree / "a.md"),
        str(tree / "b" / "1.html"),
        str(tree / "b" / "2.txt"),
        "r1",
    ]
    assert items[0] == InputItem(id=str(tree / "a.md"), path=str(tree / "a.md"))
    assert items[-1].text == TEXT
    assert count_inputs([tree]) == 4


def test_jsonl_records_bad_lines_become_error_items(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text(
        "\n".join(
            [
                json.dumps({"id": "a", "text": TEXT}),
                json.dumps({"text": TEXT}),
                "",
                '{"id": "c", "text": ',
                json.dumps({"id": 7, "body": TEXT}),
                json.dumps(["not", "an", "object"]),
                json.dumps({"id": "e", "text": 42}),
            ]
        )
        + "\n"
    )
    items = list(iter_inputs([path]))
    assert ids(items) == ["a", f"{path}:2", f"{path}:4", "7", f"{path}:6", "e"]
    assert [item.error is None for item in items] == [True, True, False, False, False, False]
    assert "not valid JSON" in items[2].error
    assert "no 'text' field" in items[3].error
    assert "not a JSON object" in items[4].error
    assert "not a string" in items[5].error
    assert count_inputs([path]) == 6


def test_an_overlong_jsonl_line_is_skipped_not_loaded(tmp_path):
    path = tmp_path / "in.jsonl"
    big = json.dumps({"id": "big", "text": "word " * 5000})
    path.write_text(big + "\n" + json.dumps({"id": "ok", "text": TEXT}) + "\n")
    items = list(iter_inputs([path], max_bytes=1000))
    assert ids(items) == [f"{path}:1", "ok"]
    assert "longer than" in items[0].error and items[1].error is None


def test_compressed_jsonl_is_read(tmp_path):
    path = tmp_path / "in.jsonl.gz"
    with gzip.open(path, "wt") as f:
        f.write(json.dumps({"id": "z", "text": TEXT}) + "\n")
    assert [(i.id, i.text) for i in iter_inputs([path])] == [("z", TEXT)]


def test_csv_rows_with_quoted_newlines(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text('id,text\nx,"two\nlines"\n,' + TEXT + "\n", encoding="utf-8")
    items = list(iter_inputs([path]))
    assert [(i.id, i.text) for i in items] == [("x", "two\nlines"), (f"{path}:4", TEXT)]
    assert count_inputs([path]) == 2


def test_csv_without_a_text_column_is_one_error_item(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("id,body\n1,hello\n")
    (item,) = iter_inputs([path])
    assert item.id == str(path) and "no 'text' column (columns: id, body)" in item.error


def test_glob_patterns_expand(tree):
    assert ids(iter_inputs([str(tree / "b" / "*.txt")])) == [str(tree / "b" / "2.txt")]


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("missing.txt", "no such file"),
        ("nothing-*.txt", "matches no file"),
        ("-", "standard input"),
    ],
)
def test_bad_arguments_fail_before_anything_is_read(tmp_path, monkeypatch, argument, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(MissingInputError, match=message):
        iter_inputs([argument])


def test_a_folder_without_articles_is_refused(tmp_path):
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    with pytest.raises(MissingInputError, match="holds no article"):
        iter_inputs([tmp_path])


def test_a_single_path_is_not_taken_for_a_list():
    with pytest.raises(TypeError, match="list of paths"):
        iter_inputs("a.txt")  # type: ignore[arg-type]


def test_item_read_gives_documents_or_input_errors(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(TEXT)
    assert InputItem(id=str(path), path=str(path)).read().text == TEXT
    assert InputItem(id="r", text=TEXT).read().name == "r"
    with pytest.raises(InputError, match="is empty"):
        InputItem(id="r", text="  ").read()
    with pytest.raises(InputError, match="bad line"):
        InputItem(id="r", error="bad line").read()


def test_saved_datasets_are_read_row_by_row(tmp_path):
    datasets = pytest.importorskip("datasets")
    folder = tmp_path / "ds"
    datasets.Dataset.from_dict({"id": ["d1", "d2"], "text": [TEXT, "Second text."]}).save_to_disk(
        str(folder)
    )
    assert [(i.id, i.text) for i in iter_inputs([folder])] == [("d1", TEXT), ("d2", "Second text.")]
    assert count_inputs([folder]) == 2
