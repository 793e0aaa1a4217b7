"""The HTML report (issue 14): aligned rows, span list, details on click, shading, stamp."""

from __future__ import annotations

import html
import re
from dataclasses import replace

import pytest

from detector import __version__
from detector.document import make_document
from detector.render import render_html
from detector.report import Deletion, Report, Span

from .conftest import EXAMPLES

ORIGINAL = (EXAMPLES / "original.txt").read_text(encoding="utf-8")
SYNDICATED = (EXAMPLES / "syndicated.txt").read_text(encoding="utf-8")
SPUN = (EXAMPLES / "spun.txt").read_text(encoding="utf-8")
HOSTILE = "<script>alert('x')</script>"


@pytest.fixture(scope="module")
def syndicated(scorer) -> Report:
    return scorer.score(make_document(SYNDICATED, "syndicated.txt"), make_document(ORIGINAL))


@pytest.fixture(scope="module")
def spun(scorer) -> Report:
    return scorer.score(make_document(SPUN, "spun.txt"), make_document(ORIGINAL))


def _free_report(scores: list[float], **names: str) -> Report:
    """A reference-free report on a made-up text, one swap per score."""
    words = [f"word{i}" for i in range(len(scores))]
    text = " ".join(words) + " end."
    spans, at = [], 0
    for word, score in zip(words, scores, strict=True):
        spans.append(
            Span(at, at + len(word), word, names.get("original", "restored"), "synonym", score)
        )
        at += len(word) + 1
    return Report(
        verdict="spun",
        relation=None,
        spin_score=0.9,
        substitution_rate=0.5,
        source=None,
        spans=tuple(spans),
        suspect=make_document(text, names.get("name", "free.txt")),
        mode="reference-free",
        model=names.get("model", "baseline"),
    )


def _cells(page: str, side: str) -> list[str]:
    """The text of each row's cell on one side ("s" suspect, "o" original), tags removed."""
    rows = re.findall(r'<div class="row">(.*?)</div></div>', page, re.S)
    found = []
    for row in rows:
        cell = re.search(rf'<div class="cell {side}">(.*?)(?:</div>|$)', row, re.S)
        text = re.sub(
            r'<span class="tip".*?</span></span>', "", cell.group(1) if cell else "", flags=re.S
        )
        found.append(html.unescape(re.sub(r"<[^>]+>", "", text)))
    return found


def test_the_page_is_responsive_and_self_contained(syndicated):
    page = render_html(syndicated)
    assert '<meta name="viewport" content="width=device-width,initial-scale=1">' in page
    media = page[page.index("@media (max-width:800px)") :]
    assert ".row,.rows.single .row{grid-template-columns:1fr}" in media  # the columns stack
    assert '.cell.o::before{content:"original"' in media  # and say which is which
    assert "<script" not in page and "<link" not in page and "@import" not in page
    assert "http" not in page.split("<body>")[1] and "src=" not in page


def test_rows_keep_each_paragraph_beside_its_original(spun):
    """The spinner keeps paragraphs: row i holds paragraph i of each text."""
    page = render_html(spun)
    original = [p.strip() for p in ORIGINAL.split("\n\n") if p.strip()]
    suspect = [p.strip() for p in SPUN.split("\n\n") if p.strip()]
    assert _cells(page, "o") == original
    assert _cells(page, "s") == suspect


def test_a_dropped_paragraph_stays_in_the_row_where_it_was(syndicated):
    page = render_html(syndicated)
    suspect, original = _cells(page, "s"), _cells(page, "o")
    assert len(suspect) == len(original)
    (row,) = [i for i, text in enumerate(suspect) if text.startswith("Critics of the plan")]
    assert original[row].startswith("Critics of the plan")
    dropped = [i for i, text in enumerate(original) if "A spokesperson for the regional" in text]
    assert dropped and abs(dropped[0] - row) <= 3


def test_the_span_list_links_to_every_span_and_deletion(syndicated):
    page = render_html(syndicated)
    listed = page[page.index('<section id="spans">') :]
    for k, span in enumerate(syndicated.spans):
        assert f'id="s{k}"' in page and f'href="#s{k}"' in listed
        if span.kind != "insert":
            assert f'id="o{k}"' in page and f'href="#o{k}"' in listed
    for k in range(len(syndicated.deletions)):
        assert f'id="d{k}"' in page and f'href="#d{k}"' in listed
    assert listed.count("<tr>") == 1 + len(syndicated.spans) + len(syndicated.deletions)
    assert '<a href="#spans">list of spans</a>' in page


def test_every_mark_takes_focus_and_has_its_details(syndicated):
    """A click or tap focuses a mark (tabindex), and CSS shows the card that follows it."""
    page = render_html(syndicated)
    anchors = re.findall(r'<(?:mark|ins|del) class="[^"]*" id="(\w+)" tabindex="0"', page)
    assert len(anchors) == len(set(anchors)) > 10
    for anchor in anchors:
        assert f'aria-describedby="t-{anchor}"' in page
        assert f'<span class="tip" id="t-{anchor}" role="tooltip" tabindex="-1">' in page
    assert ":focus+.tip" in page and ":target+.tip" in page and ":hover+.tip" not in page
    for k, span in enumerate(syndicated.spans):
        card = re.search(rf'id="t-s{k}"[^>]*>(.*?)</span></span>', page).group(1)
        assert f"score {span.score:.2f}" in card
        if span.kind != "insert":
            assert f"original: <q>{span.original}</q>" in card


def test_a_restoration_is_in_the_card_and_the_list():
    report = _free_report([0.8])
    report = replace(report, spans=(replace(report.spans[0], restore_score=2.5),))
    page = render_html(report)
    assert "restored: <q>restored</q>" in page
    assert "restoration: +2.50 nats" in page
    assert '<td class="n">+2.50</td>' in page


def test_reference_free_marks_are_shaded_by_score():
    page = render_html(_free_report([0.05, 0.5, 0.95]))
    shades = [float(a) for a in re.findall(r'style="background:rgba\(211,47,47,([\d.]+)\)"', page)]
    assert len(shades) == 3 and shades == sorted(shades) and shades[0] < shades[2] - 0.4
    assert 'class="scale"' in page  # the legend explains the shading


def test_reference_mode_marks_keep_their_kind_colours(syndicated):
    assert 'style="background:rgba' not in render_html(syndicated)


def test_the_footer_stamps_version_model_and_date(syndicated, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14
    footer = render_html(syndicated).split("<footer>")[1]
    assert footer.startswith(
        f"spindetect {__version__} · reference (with the original) · 2023-11-14"
    )
    footer = render_html(_free_report([0.5])).split("<footer>")[1]
    assert footer.startswith(f"spindetect {__version__} · model baseline · 2023-11-14")


def test_hostile_text_is_escaped_in_every_new_place(monkeypatch):
    """A span's text and original, a model name, a file name: in marks, cards, list, footer."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    report = _free_report([0.9], original=HOSTILE, model=HOSTILE, name=HOSTILE)
    suspect = make_document(f"{HOSTILE} was swapped here.", HOSTILE)
    spans = (Span(0, len(HOSTILE), HOSTILE, HOSTILE, "phrase", 0.9, restore_score=1.0),)
    original = make_document(f"{HOSTILE} was written here.\n\n{HOSTILE} dropped.", HOSTILE)
    dropped = original.text.index("\n\n") + 2
    reference = Report(
        verdict="spun",
        relation="copy",
        spin_score=0.9,
        substitution_rate=0.5,
        source=HOSTILE,
        spans=(Span(0, len(HOSTILE), HOSTILE, HOSTILE, "synonym", 0.9, 0, len(HOSTILE)),),
        suspect=suspect,
        original=original,
        deletions=(
            Deletion(dropped, len(original.text), original.text[dropped:], len(suspect.text)),
        ),
    )
    free = replace(report, spans=spans, suspect=suspect)
    for page in (render_html(reference), render_html(free)):
        body = page.split("</style>")[1]
        assert "<script" not in body and "alert('x')" not in body
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in body
    page = render_html(reference)
    escaped = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"
    assert f"original: <q>{escaped}</q>" in page  # the suspect mark's card
    assert f"now: <q>{escaped}</q>" in page  # the original mark's card
    assert f'data-other="swap; original: {escaped}"' in page
    assert f'<a href="#s0">{escaped}</a>' in page and f'<a href="#o0">{escaped}</a>' in page
    assert f"{escaped} dropped." in page.split('<section id="spans">')[1]
    assert f"model {escaped}" in render_html(free).split("<footer>")[1]
