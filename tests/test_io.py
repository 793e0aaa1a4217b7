import codecs
import io

import pytest

from detector.errors import InputError, MissingInputError
from detector.io import decode, expand_inputs, extract_plain_text, read_document
from detector.markup import html_to_text

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
    # An index passed where an article goes (`score --original archive.sdx`).
    with pytest.raises(InputError, match=r"SQLite file .*label --index"):
        decode(b"SQLite format 3\x00\x10\x00\x01\x01\x00@  ", "archive.sdx")


def test_a_failed_utf16_guess_is_not_called_a_broken_byte_order_mark():
    # Zero bytes at every other place look like UTF-16 to the guess; a file that then
    # fails to decode has no byte-order mark to blame.
    with pytest.raises(InputError, match=r"without a byte-order mark.*or it is binary"):
        decode(b"abc\x00\x01")
    with pytest.raises(InputError, match=r"--encoding utf-16-le"):
        decode("A whole article in UTF-16.".encode("utf-16-le") + b"\n")
    with pytest.raises(InputError, match="byte-order mark"):
        decode(codecs.BOM_UTF8 + b"caf\xe9")


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
    text = html_to_text(page)  # the whole page, as when no main text is found
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


def test_markdown_on_standard_input_is_recognised_and_stripped(monkeypatch):
    md = "# Council approves plan\n\nThe council on **Tuesday** approved a [plan](https://x.org).\n"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(md.encode("utf-8"))))
    doc = read_document("-")
    assert doc.text == "Council approves plan\n\nThe council on Tuesday approved a plan."


@pytest.mark.parametrize(
    "text",
    [
        "# 1 Plain notes\n\nA hash at the start of a line, and 2*3*4 is 24.",  # one kind of mark
        "Prices: *special* offer.\n- item one\n- item two\n",  # lists and single stars
        "See [1] and (2); the report [the annex] (page 4) says so.",  # brackets, no link
    ],
)
def test_plain_text_with_a_stray_mark_is_not_read_as_markdown(tmp_path, text):
    path = tmp_path / "notes"  # no suffix: the format is sniffed
    path.write_text(text, encoding="utf-8")
    assert read_document(path).text == text


def test_read_document_offsets_index_the_decoded_txt_file(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(codecs.BOM_UTF8 + b"Line one.\r\nLine two.")
    doc = read_document(path)
    assert doc.text == "Line one.\r\nLine two."
    assert doc.text[doc.starts[2] : doc.ends[2]] == "Line"


def test_a_web_page_saved_as_txt_is_read_as_html_and_text_quoting_markup_is_not(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text(
        "<!DOCTYPE html><html><head><title>T</title></head><body><nav>Home | News</nav>"
        "<article><p>The council approved the plan on Tuesday after a long debate about "
        "the cost of the new bridge and the roads around it.</p></article></body></html>",
        encoding="utf-8",
    )
    assert "<" not in read_document(page).text and "council approved" in read_document(page).text
    page_text = page.read_text("utf-8")
    for prefix in (
        "\ufeff",
        "<!-- saved from url=(0014)about:internet -->\n",
        '<?xml version="1.0"?>',
    ):
        page.write_text(prefix + page_text, encoding="utf-8")
        assert read_document(page).text.startswith("The council approved"), prefix
    notes = tmp_path / "notes.txt"
    for quoting in (
        "Put the title inside <body> tags, then close them with </body>.",
        "<html> is the root element of a page; the council approved the plan.",
    ):
        notes.write_text(quoting, "utf-8")
        assert read_document(notes).text == quoting


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


# Ordinary articles, and what markup stripping made of them before it was rewritten to run in
# linear time: the rewrite must not change a character of these.
_MD_NEWS = """# Council approves flood plan ##

*By Jane Doe, Staff Reporter* | [Local News](https://example.com/local "Local")

> "We cannot wait another winter," said **Mayor Ann Lee** at Tuesday's meeting.

The council voted 7-2 on Tuesday to approve the £3.5m plan. Critics, including
_Friends of the River_, said the plan was __too fast__ and called it "a rushed job".

![Flooded street](https://example.com/flood.jpg)

1. Raise the embankment by 1.2 metres.
2. Build [two new pumping stations][pumps] near the old mill.
- Review the plan in 2026 (see `section 4.2`).
* Publish costs & timelines at <https://example.com/plan>.

---

Read more: [the full report](https://example.com/report_(final).pdf) and *our
earlier coverage*.  Contact: <b>newsdesk</b>&nbsp;&amp; tips.

[pumps]: https://example.com/pumps
"""
_MD_EDGE = """Some *emphasis* and **strong *nested* text**, snake_case_name and 2*3*4 maths.
A line with a lone * star, a trailing underscore_ and ***bold italic***.
Links: [a [nested] label](http://x) [ref][] ![img](x.png) [broken](no close
Code: ``code with ` tick`` and `a` `b`; html: <span class="x">kept</span> 3 < 4 > 2.
#Not a heading
   ### Indented heading ###   \n####### seven hashes
Text with a \\*backslash\\* and _under_score_ and __init__.py file.
"""
_HTML_NEWS = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Council approves flood plan</title>
<style>body { font: 12px } p > a { color: red }</style>
<script type="text/javascript">var x = "<p>not text</p>"; if (a < b && c > d) {}</script>
</head>
<body class="article">
<!-- header: <p>hidden</p> -->
<nav><ul><li><a href="/">Home</a></li><li><a href='/news'>News</a></li></ul></nav>
<article>
<h1 class = "title">Council approves flood&nbsp;plan</h1>
<p class="byline">By <a href="/staff/jane" title="Jane > Doe">Jane Doe</a>,
   Staff Reporter</p>
<p>The council voted 7&ndash;2 on Tuesday to approve the &pound;3.5m plan.
Critics said it was &ldquo;too fast&rdquo; &amp; &#8220;rushed&#x201D;.<br>
Mayor Ann Lee said: <q>We cannot wait</q>.</p>
<img src="flood.jpg" alt="Flooded street"/>
<figure><img src=x.png><figcaption>The river in March.</figcaption></figure>
<table><tr><th>Item</th><td>Cost</td></tr><tr><td>Pumps</td><td>&euro;1m</td></tr></table>
<p>Unclosed paragraph with <em>emphasis</em> and <strong>bold</strong>
<p>Second <span style="x">para</span> with a <b>bold</b> word &amp c &lt; d.</p>
<noscript><p>Enable JS</p></noscript>
<svg><text>chart</text></svg>
<iframe src="https://example.com/embed"></iframe>
<![CDATA[ cdata here ]]>
<?php echo "x"; ?>
<p>After &#169; 2024 the end.</p>
</article>
<footer><p>&copy; Example News</p></footer>
</body></html>
"""
_HTML_FRAGMENT = """<div><p>Fragment one &amp; two</p>
<P>Upper-case TAGS<BR/>and a line break</P><ul><li>One</li><li>Two <i>items</i></li></ul>
<p>a < b and c > d, x<y z</p><p>tail</p></div>"""


@pytest.mark.parametrize(
    ("markup", "kind", "plain"),
    [
        (
            _MD_NEWS,
            "markdown",
            "Council approves flood plan\n\nBy Jane Doe, Staff Reporter | Local News\n\n"
            '"We cannot wait another winter," said Mayor Ann Lee at Tuesday\'s meeting.\n\n'
            "The council voted 7-2 on Tuesday to approve the £3.5m plan. Critics, including\n"
            'Friends of the River, said the plan was too fast and called it "a rushed job".\n\n'
            "Raise the embankment by 1.2 metres.\nBuild two new pumping stations near the old "
            "mill.\nReview the plan in 2026 (see section 4.2).\nPublish costs & timelines at .\n\n"
            "Read more: the full report.pdf) and *our\nearlier coverage*.  Contact: newsdesk"
            "\xa0& tips.",
        ),
        (
            _MD_EDGE,
            "markdown",
            "Some emphasis and strong nested text, snake_case_name and 2*3*4 maths.\n"
            "A line with a lone * star, a trailing underscore_ and bold italic.\n"
            "Links: [a [nested] label](http://x) ref  [broken](no close\n"
            "Code: code with  tick and a b`; html: kept 3  2.\n#Not a heading\n"
            "Indented heading\n####### seven hashes\n"
            "Text with a \\backslash\\ and under_score and init.py file.",
        ),
        (
            _HTML_NEWS,
            "html",
            "Home\n\nNews\n\nCouncil approves flood plan\n\nBy Jane Doe, Staff Reporter\n\n"
            "The council voted 7–2 on Tuesday to approve the £3.5m plan. Critics said it was "
            "“too fast” & “rushed”.\n\nMayor Ann Lee said: We cannot wait.\n\n"
            "The river in March.\n\nItem\n\nCost\n\nPumps\n\n€1m\n\n"
            "Unclosed paragraph with emphasis and bold\n\n"
            "Second para with a bold word & c < d.\n\nAfter © 2024 the end.\n\n© Example News",
        ),
        (
            _HTML_FRAGMENT,
            "html",
            "Fragment one & two\n\nUpper-case TAGS\n\nand a line break\n\nOne\n\nTwo items\n\n"
            "a < b and c > d, x\n\ntail",
        ),
    ],
    ids=["md-news", "md-edge-cases", "html-news", "html-fragment"],
)
def test_markup_stripping_of_ordinary_articles_is_unchanged(markup, kind, plain):
    # HTML inputs keep their main text (test_main_text.py); the stripper they fall back on
    # strips the whole page as before.
    assert (html_to_text(markup) if kind == "html" else extract_plain_text(markup, kind)) == plain


def test_utf8_with_a_stray_byte_is_read_as_utf8_not_garbled_as_cp1252():
    text = "\u201cThe caf\u00e9 opens at noon,\u201d she said. " * 40
    data = text.encode("utf-8")
    stray = data.replace(b"noon", b"no\xe9on", 1)
    assert decode(stray, "a.txt") == text.replace("noon", "no\ufffdon", 1)
    assert decode(data, "a.txt") == text
    # Bytes of another code page are no UTF-8 with a stray byte: the usual message.
    czech = "P\u0159\u00edli\u0161 \u017elu\u0165ou\u010dk\u00fd k\u016f\u0148. " * 3
    with pytest.raises(InputError, match="neither UTF-8, UTF-16 nor cp1252"):
        decode(czech.encode("cp1250"), "czech.txt")


def test_old_mac_line_ends_read_as_line_breaks_with_the_same_offsets(tmp_path):
    from detector.score import ReferenceScorer

    from .conftest import EXAMPLES

    spun = (EXAMPLES / "spun.txt").read_text("utf-8")
    (tmp_path / "lf.txt").write_text(spun, "utf-8", newline="")
    (tmp_path / "cr.txt").write_text(spun.replace("\n", "\r"), "utf-8", newline="")
    lf, cr = read_document(tmp_path / "lf.txt"), read_document(tmp_path / "cr.txt")
    assert cr.text == lf.text and cr.sentences == lf.sentences
    original = read_document(EXAMPLES / "original.txt")
    scorer = ReferenceScorer()
    spans = [(s.start, s.end, s.kind) for s in scorer.score(cr, original).spans]
    assert spans == [(s.start, s.end, s.kind) for s in scorer.score(lf, original).spans]
