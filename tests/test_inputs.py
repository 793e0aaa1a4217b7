import gzip
import io
import json

import pytest

from detector.corpus_reader import FieldError, FieldNames
from detector.errors import InputError, MissingInputError
from detector.inputs import InputItem, count_inputs, iter_inputs, unique_ids

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


def test_links_and_pipes_in_a_folder_are_error_items_not_crashes_or_silence(tmp_path):
    import os

    (tmp_path / "good.txt").write_text(TEXT)
    (tmp_path / "broken.txt").symlink_to(tmp_path / "nowhere.txt")
    (tmp_path / "loop.txt").symlink_to(tmp_path / "loop.txt")
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "pipe.bin").symlink_to(tmp_path / "nowhere")  # not an article name: ignored
    items = list(iter_inputs([tmp_path]))
    assert ids(items) == [
        str(tmp_path / n) for n in ("broken.txt", "good.txt", "loop.txt", "pipe.txt")
    ]
    errors = {item.id.rsplit("/", 1)[-1]: item.error for item in items}
    assert errors["good.txt"] is None
    assert "symbolic link" in errors["broken.txt"]
    assert "symbolic link" in errors["loop.txt"]
    assert "named pipe" in errors["pipe.txt"]
    assert count_inputs([tmp_path]) == 4


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
    assert "not valid JSON" in items[2].error and " at column " in items[2].error
    # json's own message for a raw newline ends in "at": it is not doubled
    raw = tmp_path / "raw.jsonl"
    raw.write_text('{"id": "r", "text": "The mayor said\tyes\u0001"}\n', encoding="utf-8")
    (item,) = iter_inputs([raw])
    assert item.error is not None and "character at column" in item.error
    assert " at at " not in item.error
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


def test_csv_text_columns_are_the_shared_list_or_the_one_named(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("id,body,summary\n1,hello,hi\n")
    assert [(i.id, i.text) for i in iter_inputs([path])] == [("1", "hello")]
    named = iter_inputs([path], fields=FieldNames(text="summary"))
    assert [(i.id, i.text) for i in named] == [("1", "hi")]


def test_a_named_csv_without_a_text_column_is_refused_naming_its_columns(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("id,headline\n1,hello\n")
    with pytest.raises(FieldError, match=r"no text column .*columns found: id, headline"):
        iter_inputs([path])
    with pytest.raises(FieldError, match=r"no 'body_text' column \(columns found: id, headline"):
        iter_inputs([path], fields=FieldNames(text="body_text"))


def test_a_csv_without_a_text_column_found_in_a_folder_is_one_error_item(tmp_path):
    (tmp_path / "in.csv").write_text("id,headline\n1,hello\n")
    (item,) = iter_inputs([tmp_path])
    assert item.id == str(tmp_path / "in.csv")
    assert "columns found: id, headline" in item.error


def test_glob_patterns_expand(tree):
    assert ids(iter_inputs([str(tree / "b" / "*.txt")])) == [str(tree / "b" / "2.txt")]


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("missing.txt", "no such file"),
        ("nothing-*.txt", "matches no file"),
    ],
)
def test_bad_arguments_fail_before_anything_is_read(tmp_path, monkeypatch, argument, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(MissingInputError, match=message):
        iter_inputs([argument])


def test_dash_reads_json_lines_from_standard_input_once(monkeypatch):
    lines = b'{"id": "a", "text": "one"}\n{"text": "two"}\nnot json\n'
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(lines)))
    assert count_inputs(["-"]) is None  # counting would use the stream up
    items = list(iter_inputs(["-"]))
    assert [(item.id, item.text) for item in items[:2]] == [("a", "one"), ("-:2", "two")]
    assert items[2].id == "-:3" and "not valid JSON" in items[2].error


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


def test_named_tsv_and_json_array_files_are_read_too(tmp_path):
    tsv = tmp_path / "in.tsv"
    tsv.write_text("id\tarticle\nt1\tTabbed text.\n", encoding="utf-8")
    array = tmp_path / "in.json"
    array.write_text(json.dumps({"data": [{"id": "j1", "text": TEXT}]}), encoding="utf-8")
    assert [(i.id, i.text) for i in iter_inputs([tsv, array])] == [
        ("t1", "Tabbed text."),
        ("j1", TEXT),
    ]
    assert count_inputs([tsv, array]) == 2


def test_hub_datasets_are_named_with_a_prefix(monkeypatch, tmp_path):
    datasets = pytest.importorskip("datasets")
    calls = []

    def fake_load_dataset(name, config, split):
        calls.append((name, config, split))
        return [{"article": TEXT}, {"id": "h2", "article": "Second."}]

    monkeypatch.setattr(datasets, "load_dataset", fake_load_dataset)
    items = list(iter_inputs(["hub:cnn_dailymail:3.0.0@test"]))
    assert calls == [("cnn_dailymail", "3.0.0", "test")]
    assert [(i.id, i.text) for i in items] == [("cnn_dailymail@test[0]", TEXT), ("h2", "Second.")]
    assert count_inputs(["hub:cnn_dailymail"]) is None
    monkeypatch.chdir(tmp_path)
    with pytest.raises(MissingInputError, match="no such file"):
        iter_inputs(["cnn_dailymail"])  # without the prefix, a missing path


def test_build_index_reads_records_by_the_fields_given(tmp_path):
    from detector.index import SourceIndex
    from detector.index_build import build_index

    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"key": "k", "headline": TEXT}) + "\n")
    build_index([path], tmp_path / "x.sdx", fields=FieldNames(text="headline", id="key"))
    with SourceIndex.open(tmp_path / "x.sdx") as index:
        assert list(index.ids()) == ["k"]
    with pytest.raises(FieldError):
        build_index([path], tmp_path / "y.sdx")


def test_unique_ids_number_repeats_in_input_order():
    items = [InputItem(id=i, text=TEXT) for i in ["7", "7", "7#1", "x", "7"]]
    renamed = []
    out = [i.id for i in unique_ids(items, lambda old, new: renamed.append((old, new)))]
    assert out == ["7", "7#1", "7#1#1", "x", "7#2"]
    assert renamed == [("7", "7#1"), ("7#1", "7#1#1"), ("7", "7#2")]


def test_hub_datasets_with_a_config_or_split_need_no_prefix(monkeypatch, tmp_path):
    datasets = pytest.importorskip("datasets")
    calls = []

    def fake_load_dataset(name, config, split):
        calls.append((name, config, split))
        return [{"article": TEXT}]

    monkeypatch.setattr(datasets, "load_dataset", fake_load_dataset)
    monkeypatch.chdir(tmp_path)
    items = list(iter_inputs(["cnn_dailymail:3.0.0@test", "user/news@validation"]))
    assert calls == [("cnn_dailymail", "3.0.0", "test"), ("user/news", None, "validation")]
    assert len(items) == 2
    # A bare name or a missing file is still "no such file": only the prefix makes it a hub name.
    for missing in ("cnn_dailymail", "news.txt", "crawl/a@b/c.txt"):
        with pytest.raises(MissingInputError, match="no such file"):
            iter_inputs([missing])


def test_ids_that_are_not_strings_or_numbers_are_spelled_as_json():
    from detector.corpus_reader import normalise_id

    assert normalise_id(True) == "true" and normalise_id({"a": 1}) == '{"a":1}'
    assert normalise_id(7) == "7" and normalise_id(" x ") == "x" and normalise_id("") is None


def test_a_recursive_glob_does_not_follow_a_link_that_loops(tmp_path):
    # A link to the folder above once made "**" yield each file 41 times over.
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    (crawl / "a.txt").write_text(TEXT)
    (crawl / "b.txt").write_text(TEXT)
    (crawl / "parent").symlink_to("..")
    items = list(iter_inputs([f"{crawl}/**/*.txt"]))
    assert sorted(ids(items)) == [str(crawl / "a.txt"), str(crawl / "b.txt")]
    assert count_inputs([f"{crawl}/**/*.txt"]) == 2
    # A bare "**" lists each file once (its folders were walked again: 2-3 times each).
    (crawl / "sub").mkdir()
    (crawl / "sub" / "c.txt").write_text(TEXT)
    (crawl / "notes.pdf").write_bytes(b"%PDF")
    assert sorted(ids(iter_inputs([f"{crawl}/**"]))) == [
        str(crawl / "a.txt"),
        str(crawl / "b.txt"),
        str(crawl / "sub" / "c.txt"),
    ]
    # A link matched by a plain "*", outside "**", is followed as before.
    store = tmp_path / "store" / "2024-01"
    store.mkdir(parents=True)
    (store / "c.txt").write_text(TEXT)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "2024-01").symlink_to(store)
    assert ids(iter_inputs([f"{tmp_path}/data/*/*.txt"])) == [f"{tmp_path}/data/2024-01/c.txt"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_a_jsonl_file_saved_as_utf16_is_read_record_for_record(tmp_path, encoding):
    # Once: the first record lost to a "not UTF-8" error and a fourth made up.
    lines = "".join(json.dumps({"id": f"r{i}", "text": TEXT + " £"}) + "\n" for i in range(3))
    path = tmp_path / "wide.jsonl"
    path.write_bytes(lines.encode(encoding))
    items = list(iter_inputs([path]))
    assert ids(items) == ["r0", "r1", "r2"]
    assert all(item.error is None and item.text == TEXT + " £" for item in items)
    assert count_inputs([path]) == 3
    gz = tmp_path / "wide.jsonl.gz"
    gz.write_bytes(gzip.compress(lines.encode(encoding)))
    assert ids(iter_inputs([gz])) == ["r0", "r1", "r2"]


def test_a_utf16_mark_opening_utf8_lines_by_chance_loses_no_record(tmp_path):
    # Found by the reliability property test: b"\xfe\xff" alone on the first line
    # was taken for a UTF-16 file, and the two lines read as one record.
    path = tmp_path / "chance.jsonl"
    path.write_bytes(b"\xfe\xff\n" + json.dumps({"id": "r1", "text": TEXT}).encode() + b"\n")
    items = list(iter_inputs([path]))
    assert len(items) == 2
    assert "not valid UTF-8" in items[0].error and items[1].id == "r1" and items[1].error is None


@pytest.mark.parametrize("first", [b"\xfe\xff\x00", b"\xff\xfe\x00", b"\xfe\xff"])
def test_a_utf16_mark_and_a_zero_byte_that_read_as_no_text_lose_no_record(tmp_path, first):
    # Found by the property test again: b"\xfe\xff\x00" then a newline reads in UTF-16 as
    # one blank line, and the file gave no record at all.
    path = tmp_path / "chance.jsonl"
    path.write_bytes(first + b"\n")
    items = list(iter_inputs([path]))
    assert len(items) == 1 and items[0].error is not None


def test_a_wide_mark_before_utf8_lines_that_read_as_cjk_loses_no_record(tmp_path):
    # Found by the property test a third time: b"\xfe\xff\x00", a newline and "{}" read in
    # UTF-16 as a newline and a CJK character, and the two lines gave one record.
    record = json.dumps({"id": "r1", "text": TEXT}).encode()
    for first in (b"\xfe\xff\x00", b"\x00\x00\xfe\xff"):  # UTF-16, UTF-32 (found next)
        path = tmp_path / "chance.jsonl"
        path.write_bytes(first + b"\n" + record + b"\n")
        items = list(iter_inputs([path]))
        assert len(items) == 2 and items[1].id == "r1" and items[1].error is None, first


def test_what_a_folder_walk_leaves_unread_is_counted_with_examples(tree):
    from detector.inputs import folder_skips

    (tree / "story").write_text(TEXT)  # a crawl saved without a suffix
    (tree / "elsewhere").mkdir()
    (tree / "b" / "mirror").symlink_to(tree / "elsewhere")
    skips = folder_skips([tree])
    assert skips.counts == (1, 2, 1)
    assert {p.rsplit("/", 1)[-1] for p in skips.other_names} == {"notes.pdf", "story"}
    assert "4 entries in the folders given not read" in skips.describe()
    assert folder_skips([tree / "a.md"]).total == 0  # a file named is read, not walked


def test_an_empty_record_text_is_refused_with_the_records_name(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps({"id": "r13", "text": "  "}) + "\n")
    [item] = iter_inputs([path])
    with pytest.raises(InputError, match="the text of record 'r13' is empty"):
        item.read()


def test_a_broken_json_line_says_what_mistake_it_likely_is(tmp_path):
    # A trial's unterminated string read "Invalid control character at column 71" alone.
    path = tmp_path / "records.jsonl"
    lines = ['{"id": "a", "text": "never closed', '{"id": "b" "text": "x"}', '{"id": "c"}{}']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    errors = [item.error for item in iter_inputs([path])]
    assert "at column 34: a string holds a raw tab or line break, or is never closed" in errors[0]
    assert "a comma is missing" in errors[1]
    assert "more than one JSON value on the line" in errors[2]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_a_wide_file_whose_first_record_is_not_ascii_is_still_read_wide(tmp_path, encoding):
    # A review of the chance-mark fix: a first record in Chinese failed a "mostly ASCII"
    # head test and the whole file was read as UTF-8 garbage.
    chinese = "中国政府周二宣布，新大桥将于春季开通，此前由于钢材价格上涨和工人短缺而推迟了两年。"
    path = tmp_path / "wide.jsonl"
    lines = [
        json.dumps({"id": "a", "text": chinese}, ensure_ascii=False),
        json.dumps({"id": "b", "text": TEXT}),
    ]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    items = list(iter_inputs([path]))
    assert [i.id for i in items] == ["a", "b"] and all(i.error is None for i in items)
    assert items[0].read().text.startswith("中国政府")
