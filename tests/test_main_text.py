"""The main text of HTML inputs: the article without navigation, footers and banners."""

from __future__ import annotations

import html
import subprocess
import sys
import time

import pytest

from detector import main_text
from detector.io import extract_plain_text, read_document
from detector.main_text import MAX_EXTRACT_CHARS, html_main_text
from detector.markup import html_to_text

from .conftest import EXAMPLES, ROOT

_BOILERPLATE = ("Subscribe", "Sitemap", "cookies", "Newsletter", "Copyright", "Weather")


def _page(article_html: str) -> str:
    """A news page around ``article_html``: navigation, related links, footer, cookie banner."""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Council approves flood plan</title>
<script>window.dataLayer = [];</script></head>
<body>
<header><nav class="menu"><ul>
<li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li>
<li><a href="/weather">Weather</a></li><li><a href="/subscribe">Subscribe</a></li>
</ul></nav></header>
<main><article>
{article_html}
</article>
<aside class="related"><h3>Related stories</h3><ul>
<li><a href="/a">Mayor opens new bridge over the canal</a></li>
<li><a href="/b">Rain warning for the weekend across the region</a></li>
</ul></aside></main>
<footer><p>Copyright 2024 Example News. All rights reserved.</p>
<ul><li><a href="/about">About us</a></li><li><a href="/map">Sitemap</a></li>
<li><a href="/newsletter">Newsletter</a></li></ul></footer>
<div id="cookie-banner" class="cookie-consent"><p>We use cookies to improve your experience.
By continuing to browse you accept our use of cookies.</p><button>Accept all cookies</button></div>
</body></html>
"""


def _paragraphs_html(text: str) -> str:
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    head, *body = paragraphs
    return f"<h1>{html.escape(head)}</h1>\n" + "\n".join(f"<p>{html.escape(p)}</p>" for p in body)


_ARTICLE = (
    "<h1>Council approves flood plan</h1>\n"
    "<p>The city council on Tuesday approved a plan to rebuild the riverside district "
    "that was badly damaged by floods last spring.</p>\n"
    "<p>The plan, passed by a vote of 31 to 12, sets aside 240 million dollars over the next "
    "five years for new homes and stronger flood walls.</p>\n"
    "<p>&ldquo;This is the most important decision this council has made in a decade,&rdquo; "
    "said Mayor Helen Carter.</p>"
)


def test_html_page_keeps_only_the_article_text():
    text = extract_plain_text(_page(_ARTICLE), "html")
    assert "The city council on Tuesday approved a plan" in text
    assert "said Mayor Helen Carter." in text
    for word in (*_BOILERPLATE, "Related stories", "About us", "Accept all"):
        assert word not in text, (word, text)
    assert "\n\n" in text and "\n\n\n" not in text  # one line per block, blank lines between
    # The stripper, by contrast, keeps all of it.
    assert "cookies" in html_to_text(_page(_ARTICLE))


def test_read_document_offsets_index_the_extracted_text(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(_page(_ARTICLE), encoding="utf-8")
    document = read_document(path)
    assert "Newsletter" not in document.text
    assert document.text == extract_plain_text(_page(_ARTICLE), "html")
    assert document.text[document.starts[0] : document.ends[0]] == "Council"


def test_page_without_main_text_falls_back_to_the_whole_page():
    page = "<html><body><div><a href='/'>Home</a> <a href='/x'>Next page</a></div></body></html>"
    assert html_main_text(page) == html_to_text(page) == "Home Next page"
    fragment = "<p>Kept.</p>if a<b then"
    assert extract_plain_text(fragment, "html") == html_to_text(fragment)


def test_extractor_failure_falls_back_to_the_stripper(monkeypatch):
    import trafilatura

    def broken(*args, **kwargs):
        raise RecursionError("too deep")

    monkeypatch.setattr(trafilatura, "extract", broken)
    page = _page(_ARTICLE)
    assert html_main_text(page) == html_to_text(page)


def test_huge_page_is_stripped_whole_and_quickly(monkeypatch):
    called = []
    monkeypatch.setattr(main_text, "_extract", lambda markup: called.append(1))
    page = _page(_ARTICLE + "<p>" + "word " * (MAX_EXTRACT_CHARS // 5) + "</p>")
    assert "Newsletter" in html_main_text(page)  # stripped whole, boilerplate and all
    assert called == []


@pytest.mark.parametrize(
    "content",
    [
        "<html><body><ul>" + "<li><a href=x>link</a>" * 10_000,  # 240 KB of unclosed items
        "<html><body>" + "<div><p>word " * 20_000,  # 260 KB, 40,000 unclosed elements deep
        "<table>" + "<tr><td>x</td>" * 17_000,
    ],
    ids=["links", "nested", "table"],
)
def test_crafted_pages_give_text_quickly(tmp_path, content):
    path = tmp_path / "crafted.html"
    path.write_text(content, encoding="utf-8")
    # CPU time, with room: about 1.4 s here (2.1 s on a busy machine), where a parser
    # that went quadratic on these pages would take minutes.
    began = time.process_time()
    document = read_document(path)
    assert time.process_time() - began < 5.0
    assert document.words


def test_html_copy_scored_against_its_text_original_finds_the_spans(scorer, tmp_path):
    spun_html = tmp_path / "spun.html"
    spun_html.write_text(_page(_paragraphs_html(EXAMPLES.joinpath("spun.txt").read_text())))
    original = read_document(EXAMPLES / "original.txt")
    from_html = scorer.score(read_document(spun_html), original)
    from_text = scorer.score(read_document(EXAMPLES / "spun.txt"), original)
    assert from_html.verdict == from_text.verdict == "spun"
    assert from_html.relation == "copy"
    pairs = {(s.text, s.original) for s in from_html.spin_spans}
    expected = {(s.text, s.original) for s in from_text.spin_spans}
    assert len(pairs & expected) >= 0.9 * len(expected)
    text = read_document(spun_html).text
    for span in from_html.spans:
        assert text[span.start : span.end] == span.text


def test_plain_text_scoring_does_not_import_trafilatura():
    code = (
        "import sys\n"
        "from detector.cli import app\n"
        "try:\n"
        "    app(['score', 'examples/spun.txt', '--original', 'examples/original.txt', '-q'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "assert 'trafilatura' not in sys.modules and 'lxml' not in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
