import codecs

import pytest

from detector.errors import InputError, MissingInputError
from detector.io import decode, expand_inputs, extract_plain_text, read_document

ARTICLE = "The council’s plan was approved on Tuesday. Critics said it was “too fast”."


@pytest.mark.parametrize(
    "data",
    [
        ARTICLE.encode("utf-8"),
        codecs.BOM_UTF8 + ARTICLE.encode("utf-8"),
        ARTICLE.encode("utf-16"),  # with BOM
        ARTICLE.encode("utf-16-le"),  # without BOM
        ARTICLE.encode("utf-16-be"),
        ARTICLE.encode("cp1252"),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "utf16le", "utf16be", "cp1252"],
)
def test_decode_guesses_common_encodings(data):
    assert decode(data) == ARTICLE


def test_decode_refuses_binary_and_names_the_fix():
    with pytest.raises(InputError, match="binary"):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    with pytest.raises(InputError, match="--encoding"):
        decode(b"caf\x81\x8d\x8f\x90\x9d")


def test_decode_with_explicit_encoding():
    assert decode("café".encode("latin-1"), encoding="latin-1") == "café"
    with pytest.raises(InputError, match="unknown encoding"):
        decode(b"x", encoding="klingon")


def test_html_is_stripped_of_markup_scripts_and_entities():
    page = (
        "<html><head><title>T</title><script>alert('x')</script></head><body>"
        "<h1>Flood plan approved</h1><p>The council &amp; mayor <b>agreed</b>.</p>"
        "<style>p{}</style><p>Second&nbsp;paragraph.</p></body></html>"
    )
    text = extract_plain_text(page, "html")
    assert text == "Flood plan approved\n\nThe council & mayor agreed.\n\nSecond paragraph."
    assert "alert" not in text


def test_markdown_is_stripped_of_markup():
    md = (
        "# Zelensky says\n\nBy [AFP](#)\n\n"
        "**Related:** [Russian Army](http://x) says _no_.\n\n![photo](a.png)\n"
    )
    assert (
        extract_plain_text(md, "markdown")
        == "Zelensky says\n\nBy AFP\n\nRelated: Russian Army says no."
    )


def test_read_document_offsets_index_the_decoded_txt_file(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(codecs.BOM_UTF8 + b"Line one.\r\nLine two.")
    doc = read_document(path)
    assert doc.text == "Line one.\r\nLine two."
    assert doc.text[doc.starts[2] : doc.ends[2]] == "Line"


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "is empty"), (b"  \n\t", "is empty"), (b"<html><body></body></html>", "has no text")],
)
def test_read_document_refuses_empty_inputs(tmp_path, content, message):
    path = tmp_path / "a.html"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        read_document(path)


def test_read_document_refuses_huge_files_without_reading_them_whole(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as f:
        f.truncate(50_000_000)  # sparse: costs no disk
    with pytest.raises(InputError, match="larger than 1 MB"):
        read_document(path, max_bytes=1_000_000)


def test_missing_inputs_are_usage_errors(tmp_path):
    with pytest.raises(MissingInputError, match="no such file"):
        read_document(tmp_path / "nope.txt")
    with pytest.raises(MissingInputError, match="is a directory"):
        read_document(tmp_path)
    with pytest.raises(MissingInputError, match="holds no article files"):
        list(expand_inputs([tmp_path]))


def test_expand_inputs_lists_article_files_in_folders(tmp_path):
    (tmp_path / "b.md").write_text("x")
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "skip.json").write_text("{}")
    assert [p.name for p in expand_inputs([tmp_path])] == ["a.txt", "b.md"]
