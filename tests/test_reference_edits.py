"""Reference mode beyond word swaps: added and dropped text, and reused passages (issue 12)."""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import pytest

from detector.align import align
from detector.document import make_document
from detector.passages import words_within
from detector.render import render_html, render_json, render_text
from detector.report import Report, Span
from detector.verdict import decide

from .conftest import EXAMPLES, ROOT

ORIGINAL = (EXAMPLES / "original.txt").read_text(encoding="utf-8")
SYNDICATED = (EXAMPLES / "syndicated.txt").read_text(encoding="utf-8")
SPUN = (EXAMPLES / "spun.txt").read_text(encoding="utf-8")
# Unrelated prose on another subject, to surround a reused passage with.
UNRELATED_BEFORE = (
    "Students at a secondary school in the north of the country have built a robot that "
    "sorts plastic bottles from glass jars. Their teacher said the project began as an "
    "after-school club and grew into a competition entry.\n\n"
    "The robot uses a cheap camera and a small computer to recognise each object on a moving "
    "belt. It can sort about twenty items a minute, which the pupils hope to double before "
    "the national final in June."
)
UNRELATED_AFTER = (
    "Meanwhile, the regional orchestra announced its programme for the winter season, with "
    "three symphonies by Sibelius and a new piece by a young composer from the coast. "
    "Tickets go on sale at the box office next month, and students pay half price."
)


@pytest.fixture(scope="module")
def syndicated(scorer) -> Report:
    return scorer.score(make_document(SYNDICATED, "syndicated.txt"), make_document(ORIGINAL))


# --------------------------------------------------------------------------- insertions


def test_an_added_date_is_an_insert_span_at_its_point_in_the_original(syndicated):
    inserts = [s for s in syndicated.spans if s.kind == "insert"]
    assert [s.text for s in inserts] == [
        "March 4",
        "(Reporting by the Riverside Gazette; editing by staff.)",
    ]
    date = inserts[0]
    assert SYNDICATED[date.start : date.end] == "March 4"
    assert date.original == "" and date.score == 0.0
    # It was added where the original has "Tuesday| approved".
    assert date.original_start == date.original_end == ORIGINAL.index("Tuesday") + len("Tuesday")
    credit = inserts[1]
    assert credit.original_start == credit.original_end == ORIGINAL.index(" Local businesses")


def test_dropped_words_sentences_and_paragraphs_are_deletions(syndicated):
    dropped = {d.text: d for d in syndicated.deletions}
    for d in syndicated.deletions:
        assert ORIGINAL[d.original_start : d.original_end] == d.text
    assert set(dropped) >= {"City", "dollars", "Helen"}
    helen = dropped["Helen"]
    assert SYNDICATED[helen.start :].startswith(" Carter")  # "Mayor| Carter"
    sentence = (
        "Many of them are still living with relatives or in temporary housing on the edge of "
        "the city."
    )
    assert sentence in dropped
    assert SYNDICATED[: dropped[sentence].start].endswith("above its normal level.")
    # The dropped sentence and the dropped last paragraph are one deletion, whole.
    (tail,) = [d for d in syndicated.deletions if d.text.startswith("Local businesses")]
    assert tail.text.endswith("if the city met its safety targets.")
    assert "\n\nA spokesperson" in tail.text
    assert SYNDICATED[: tail.start].endswith("by the end of next year.")


def test_gaps_never_change_the_verdict(syndicated, scorer):
    assert syndicated.verdict == "not_spun" and syndicated.relation == "copy"
    alignment = align(make_document(SYNDICATED), make_document(ORIGINAL))
    spans = scorer.judge.judge(alignment)
    with_inserts = decide(alignment, syndicated.spans, scorer.judge.weights)
    without = decide(alignment, spans, scorer.judge.weights)
    assert with_inserts.spin_score == without.spin_score == syndicated.spin_score
    # "About" for "Around" is a synonym swap; "fall" for "autumn" is the copy localised.
    assert [s.kind for s in syndicated.spans if s.is_spin] == ["synonym"]
    assert syndicated.spin_spans == without.spin_spans


def test_spacing_and_punctuation_alone_make_no_gaps(scorer):
    original = "The mayor said on Monday that the plan, costing 4 million dollars, would go on."
    suspect = "The mayor said  on Monday that the plan -- costing 4 million dollars -- would go on!"
    report = scorer.score(make_document(suspect), make_document(original))
    assert report.spans == () and report.deletions == ()


def test_an_unpaired_sentence_found_word_for_word_on_both_sides_is_no_gap(scorer):
    original = make_document(SPUN)
    suspect = make_document(SPUN.replace("\n\n", "\n\nYes.\n\n", 1))
    report = scorer.score(suspect, original)
    assert [s.text for s in report.insert_spans] == ["Yes."]
    assert report.deletions == ()


# --------------------------------------------------------------------------- output


BRIEF = (
    "The company's Chief of Staff completely rejected the report on Tuesday, saying the "
    "figures were wrong. She told reporters that the firm had not cut any jobs this year and "
    "that sales had grown in every region.\n\nAnalysts were not convinced. Many of them said "
    "the company would have to explain why its costs rose so quickly. The shares fell sharply "
    "after the statement, closing down 4 per cent in London."
)
BRIEF_SPUN_SHORTER = (
    "LONDON (Wire) - The corporation's Chief of Employees utterly rebuffed the account on "
    "Tuesday, stating the figures were incorrect. She informed journalists that the "
    "organization had not slashed any occupations this year and that revenues had developed "
    "in every area.\n\nThe stocks dropped steeply following the declaration, shutting down "
    "4 per cent in London."
)


def test_a_spun_sentence_beside_dropped_ones_is_paired_not_dropped_and_added(scorer):
    # Found by a new user: its every content word swapped, the sentence shared too few
    # words to be paired, and the two dropped after it left the counts unequal, so it was
    # shown as dropped and added again, its seven swaps unseen.
    report = scorer.score(make_document(BRIEF_SPUN_SHORTER), make_document(BRIEF))
    swaps = {(s.text, s.original) for s in report.spin_spans}
    assert {("informed", "told"), ("journalists", "reporters"), ("occupations", "jobs")} <= swaps
    assert [d.text for d in report.deletions] == [
        "Analysts were not convinced. Many of them said the company would have to explain "
        "why its costs rose so quickly."
    ]
    # The added dateline is an insertion, not a "name" edit of nothing.
    added = [s for s in report.spans if s.original_start == s.original_end]
    assert [s.kind for s in added] == ["insert"]
    assert added[0].text.startswith("LONDON (Wire")


POLICY = (
    "The shadow chancellor said the budget broke the public authority's promise not to raise "
    "taxes on working people. She added that families would pay more for food and fuel."
)


# POLICY spun, "public authority's" written "government's" (a modifier dropped).
SPUN_POLICY = (
    "The shadow chancellor said the financial plan broke the government's guarantee not "
    "to increase charges on working individuals. She added that households would "
    "pay more for nourishment and fuel."
)


# Two sentences of POLICY without "public authority's", and a spin of them, to put
# a pair under test after.
POLICY_LEAD = (
    "The shadow chancellor said the budget broke the promise not to raise taxes on "
    "working people. She added that families would pay more for food and fuel."
)
SPUN_POLICY_LEAD = (
    "The shadow chancellor said the financial plan broke the guarantee not to increase "
    "charges on working individuals. She added that households would pay more for "
    "nourishment and fuel."
)


def test_a_modifier_dropped_before_a_swap_joins_it_in_a_spun_copy(scorer):
    # Found by a new user: "public authority" -> "government" showed "[-public-]" and a
    # swap of "authority" alone.
    report = scorer.score(make_document(SPUN_POLICY), make_document(POLICY))
    swaps = {(s.text, s.original) for s in report.spin_spans}
    assert ("government", "public authority") in swaps
    assert report.deletions == ()


def test_a_modifier_dropped_in_an_edited_copy_stays_a_deletion(scorer):
    # One swap is an editor's change, not a spinner's: the cut word stays visible.
    edited = POLICY.replace("public authority's", "government's")
    report = scorer.score(make_document(edited), make_document(POLICY))
    assert [d.text for d in report.deletions] == ["public"]


@pytest.mark.parametrize(
    ("original", "spun", "dropped"),
    [
        # A review's pairs: punctuation between the dropped word and the swap...
        ("Police seized guns, knives, cash and drugs.",
         "Police confiscated firearms, money and narcotics.", "knives"),
        ("Police seized the (stolen) car.", "Police confiscated the automobile.", "stolen"),
        ("Prices rose sharply; wages fell.", "Prices rose; salaries fell.", "sharply"),
        # ...a modifier that states a fact, an adverb or a verb form.
        ("It was the second largest rise.", "It was the biggest rise.", "second"),
        ("He sold half shares in the family firm last week, his lawyer said.",
         "He sold stocks in the family firm last week, his lawyer said.", "half"),
        ("The board quietly approved plans for the old mill site on Monday evening.",
         "The board schemes for the old mill site on Monday evening.", "quietly approved"),
    ],
)  # fmt: skip
def test_a_dropped_word_that_is_no_plain_modifier_stays_a_deletion(scorer, original, spun, dropped):
    report = scorer.score(
        make_document(f"{SPUN_POLICY_LEAD} {spun}"), make_document(f"{POLICY_LEAD} {original}")
    )
    assert dropped in [d.text for d in report.deletions]
    assert not any(dropped in span.original for span in report.spans)


def test_a_joined_modifier_leaves_the_swaps_score_as_it_was(scorer):
    # The joined span scored as "public authority" -> "government" would weigh less in the
    # verdict than the swap "authority" -> "government" the judge found.
    joined = scorer.score(make_document(SPUN_POLICY), make_document(POLICY))
    alone = scorer.score(
        make_document(SPUN_POLICY),
        make_document(POLICY.replace("public authority's", "authority's")),
    )
    score = {s.text: s.score for s in joined.spin_spans}["government"]
    assert score == {s.text: s.score for s in alone.spin_spans}["government"]


def test_a_word_dropped_after_a_swap_stays_a_deletion(scorer):
    # A head noun cut after a swapped word is a fact dropped, not part of the swap.
    spun = SPUN_POLICY.replace("the government's", "the open's")
    report = scorer.score(make_document(spun), make_document(POLICY))
    assert "authority" in [d.text for d in report.deletions]


def test_json_carries_original_offsets_and_deletions(syndicated):
    data = json.loads(render_json(syndicated))
    for span in data["spans"]:
        assert {"original_start", "original_end"} <= set(span)
        lo, hi = span["original_start"], span["original_end"]
        assert ORIGINAL[lo:hi] == span["original"]
    assert {"kind": "insert", "text": "March 4", "original": ""}.items() <= data["spans"][1].items()
    assert data["deletions"][2] == {
        "original_start": ORIGINAL.index("Helen"),
        "original_end": ORIGINAL.index("Helen") + 5,
        "text": "Helen",
        "start": SYNDICATED.index(" Carter"),
    }
    assert len(data["passages"]) == 1
    assert data["passages"][0]["kind"] == "copy"
    # Coverage counts what is reused: the passage runs on across the added date and the
    # dropped name and sentences, which are not (a helper found 100% on both sides).
    doc, original = syndicated.suspect, syndicated.original
    added = sum(
        words_within(doc, s["start"], s["end"]) for s in data["spans"] if s["kind"] == "insert"
    )
    dropped = sum(
        words_within(original, d["original_start"], d["original_end"]) for d in data["deletions"]
    )
    assert data["coverage"]["suspect"] == pytest.approx(1 - added / len(doc), abs=1e-3)
    assert data["coverage"]["suspect"] < 1
    assert data["coverage"]["original"] == pytest.approx(1 - dropped / len(original), abs=1e-3)
    assert data["coverage"]["original"] < 0.9


def _reference_free(text: str, word: str, original: str) -> Report:
    """A reference-free report on ``text`` with one swap: ``word`` for ``original``."""
    start = text.index(word)
    span = Span(start, start + len(word), word, original, "synonym", 0.9, restore_score=9.0)
    return Report(
        verdict="spun",
        relation=None,
        spin_score=0.9,
        substitution_rate=0.5,
        source=None,
        spans=(span,),
        suspect=make_document(text),
        mode="reference-free",
        model="fake",
    )


def test_reference_free_text_lists_only_its_own_marks():
    report = _reference_free(
        "The corporate's Chief of Employees rejected it.", "Employees", "Staff"
    )
    legend = next(line for line in render_text(report).splitlines() if line.startswith("legend"))
    assert legend == "legend:    {swap|original}"  # no edits, added or dropped text here


def test_reference_free_json_has_no_original_side():
    report = _reference_free("The firm stated it would slash jobs.", "firm", "company")
    data = report.to_dict()
    assert data["spans"][0]["original_start"] is None and data["spans"][0]["original_end"] is None
    assert data["deletions"] is None and data["passages"] is None and data["coverage"] is None
    assert "insertion" not in render_text(report)


def test_text_marks_added_and_dropped_text_and_counts_them_apart(syndicated):
    text = render_text(syndicated)
    assert "5 ordinary edits, 2 insertions, 5 deletions" in text
    assert "reused:    1 copy passage: 96% of the suspect, 79% of the original" in text
    assert "Tuesday, [+March 4+], approved" in text
    assert "said Mayor [-Helen-] Carter" in text
    assert "[-City-] Council" in text
    assert "[+(Reporting by the Riverside Gazette; editing by staff.)+]" in text
    # The long dropped stretch is shortened in the text, kept whole in the JSON.
    (tail,) = [line for line in text.splitlines() if "[-Local businesses" in line]
    assert " … " in tail and tail.endswith("if the city met its safety targets.-]")
    coloured = render_text(syndicated, color=True)
    assert "\x1b[32m\x1b[4m[+March 4+]\x1b[0m" in coloured
    assert "\x1b[2m\x1b[9m[-Helen-]\x1b[0m" in coloured


def test_html_underlines_added_and_strikes_dropped_text(syndicated):
    page = render_html(syndicated)
    assert '">March 4</ins>' in page
    assert '">Helen</del>' in page
    assert "2 insertions, 5 deletions" in page


def test_html_escapes_added_and_dropped_text(scorer):
    original = ORIGINAL + "\n\nA <b>bold</b> closing line & more was written here by the desk.\n"
    suspect = SYNDICATED + "\n\n<script>alert('added line here now')</script>\n"
    page = render_html(scorer.score(make_document(suspect), make_document(original)))
    assert "<script>" not in page and "<b>" not in page
    assert "&lt;script&gt;" in page and "&lt;b&gt;bold&lt;/b&gt;" in page


# --------------------------------------------------------------------------- passages


def test_a_spun_paragraph_inside_an_unrelated_page_is_found(scorer):
    """Reusing about a third of the page: a copy as a whole, one passage with its offsets."""
    original_paragraph = ORIGINAL.split("\n\n")[1]
    spun_paragraph = SPUN.split("\n\n")[1] + " " + SPUN.split("\n\n")[2]
    original = original_paragraph + "\n\n" + ORIGINAL.split("\n\n")[2]
    suspect = f"{UNRELATED_BEFORE}\n\n{spun_paragraph}\n\n{UNRELATED_AFTER}"
    report = scorer.score(make_document(suspect), make_document(original))
    assert report.relation == "copy" and report.verdict == "spun"
    (passage,) = report.passages
    assert suspect[passage.start : passage.end] == spun_paragraph
    assert (passage.original_start, passage.original_end) == (0, len(original))
    assert passage.kind == "spun"
    for span in report.spans:
        if span.kind == "insert":  # the unrelated text around the passage was added
            assert span.end <= passage.start or passage.end <= span.start
            continue
        assert passage.start <= span.start < span.end <= passage.end
        assert suspect[span.start : span.end] == span.text
        assert original[span.original_start : span.original_end] == span.original
    assert ("system", "plan") in [(s.text, s.original) for s in report.spin_spans]
    assert report.coverage is not None and report.coverage.original == 1.0
    assert 0.3 < report.coverage.suspect < 0.6


def test_a_spun_paragraph_inside_a_longer_unrelated_page_is_found_by_passage_search(scorer):
    """Reusing under a quarter of the page: no copy as a whole, so passages are searched for."""
    spun_paragraph = SPUN.split("\n\n")[1] + " " + SPUN.split("\n\n")[2]
    original = ORIGINAL.split("\n\n")[1] + "\n\n" + ORIGINAL.split("\n\n")[2]
    around = f"{UNRELATED_BEFORE}\n\n{UNRELATED_AFTER}"
    suspect = f"{around}\n\n{spun_paragraph}\n\n{around}"
    suspect_doc, original_doc = make_document(suspect), make_document(original)
    alignment = align(suspect_doc, original_doc)
    assert decide(alignment, scorer.judge.judge(alignment)).relation != "copy"
    report = scorer.score(suspect_doc, original_doc)
    assert report.relation == "copy" and report.verdict == "spun"
    (passage,) = report.passages
    assert suspect[passage.start : passage.end] == spun_paragraph
    assert (passage.original_start, passage.original_end) == (0, len(original))
    assert len(report.spin_spans) >= 8
    for span in report.spans:
        assert suspect[span.start : span.end] == span.text
        if span.kind == "insert":  # the page's own text around the passage is added text
            assert span.end <= passage.start or passage.end <= span.start
            assert span.original_start == span.original_end in (0, len(original))
            continue
        assert passage.start <= span.start < span.end <= passage.end
        assert original[span.original_start : span.original_end] == span.original
    # The page's own text is shown added, as in a copy found as a whole, all of it.
    assert [(s.start, s.end) for s in report.insert_spans] == [
        (0, passage.start - 2),
        (passage.end + 2, len(suspect)),
    ]
    assert not report.deletions
    assert report.coverage is not None and report.coverage.original == 1.0
    assert 0.15 < report.coverage.suspect < 0.3
    assert "reused:    1 spun passage: 23% of the suspect, 100% of the original" in render_text(
        report
    )


def test_a_pages_own_sentence_after_a_copy_is_not_paired_by_its_pronouns(scorer):
    """A thesaurus links "she" and "he", "is" and "was": a page's own sentences after a
    verbatim copy are added text, not swaps (a review found a false spun verdict)."""
    head = (
        "The council approved the new housing plan on Monday after a long debate. "
        "The plan includes 400 homes near the river and a new school. "
        "Residents who opposed it said traffic would get worse. "
    )
    original = head + (
        "He said it was a mistake. The talks will resume next week. Police said the site "
        "would open in May. A vote on the school is expected in June. More homes are planned."
    )
    suspect = head + (
        "She thinks it is a disaster. The show will return next month. Subscribe to our "
        "newsletter for daily updates and more."
    )
    report = scorer.score(make_document(suspect), make_document(original))
    assert report.verdict == "not_spun"
    assert [s.kind for s in report.spans] == ["insert"]
    # Every word the same or a synonym in place still pairs, one word unexplained too,
    # from six words ("You could observe the radiance over the crest.", the passage test).
    spun = head + "He said it was a blunder. The talks will recommence next week."
    swapped = scorer.score(make_document(spun), make_document(original))
    assert {(s.text, s.original) for s in swapped.spans if s.is_spin} >= {
        ("blunder", "mistake"),
        ("recommence", "resume"),
    }


def test_a_pages_own_line_after_a_spun_passage_is_no_swap(scorer):
    """A second trial: the page's own "She thinks it is a disaster." after a spun
    paragraph whose original goes on "He said it was a mistake." is no swap, and the
    paragraph's swaps are all found."""
    original = (
        "The airline cancelled more than 200 flights on Thursday after a computer outage. "
        "Passengers were stranded at airports across the country. The chief executive "
        "apologised to customers. He said it was a mistake."
    )
    suspect = (
        "Travel Desk\n\nCarriers have had a rough summer. Here is the latest.\n\n"
        "Following a technology breakdown, the carrier scrapped upward of 200 departures "
        "Thursday. Travellers were marooned at terminals throughout the nation. The chief "
        "executive apologised to clients. She thinks it is a disaster.\n\nRead more.\n"
    )
    report = scorer.score(make_document(suspect), make_document(original))
    swaps = {(s.text, s.original) for s in report.spin_spans}
    assert {("marooned", "stranded"), ("terminals", "airports"), ("clients", "customers")} <= swaps
    assert not any("She" in s.text or "disaster" in s.text for s in report.spans if s.is_spin)


def test_two_spun_paragraphs_far_apart_are_two_passages(scorer):
    first = SPUN.split("\n\n")[1]
    second = SPUN.split("\n\n")[5] + "\n\n" + SPUN.split("\n\n")[6]
    around = f"{UNRELATED_BEFORE}\n\n{UNRELATED_AFTER}"
    suspect = f"{UNRELATED_BEFORE}\n\n{first}\n\n{around}\n\n{second}\n\n{UNRELATED_AFTER}"
    report = scorer.score(make_document(suspect), make_document(ORIGINAL))
    assert report.relation == "copy" and report.verdict == "spun"
    assert [suspect[p.start : p.end] for p in report.passages] == [first, second]
    paragraphs = ORIGINAL.split("\n\n")
    assert [ORIGINAL[p.original_start : p.original_end] for p in report.passages] == [
        paragraphs[1],
        paragraphs[5] + "\n\n" + paragraphs[6],
    ]
    assert all(p.kind == "spun" for p in report.passages)
    for span in report.spans:
        inside = any(p.start <= span.start < span.end <= p.end for p in report.passages)
        assert inside != (span.kind == "insert")  # the page's own text is added text
        assert ORIGINAL[span.original_start : span.original_end] == span.original
    # The original's paragraphs the page does not reuse are dropped text, anchored after
    # the passage before them.
    dropped = [ORIGINAL[d.original_start : d.original_end] for d in report.deletions]
    assert dropped == [
        paragraphs[0],
        "\n\n".join(paragraphs[2:5]),
        "\n\n".join(paragraphs[7:]).strip(),
    ]


def test_a_one_sentence_original_inside_a_longer_spun_page_is_found(scorer):
    original = ORIGINAL.split("\n\n")[2]  # "The plan, which was passed by a vote of 31 to 12, ..."
    report = scorer.score(make_document(SPUN), make_document(original))
    assert report.relation == "copy" and report.verdict == "spun"
    (passage,) = report.passages
    assert SPUN[passage.start : passage.end] == SPUN.split("\n\n")[2]
    assert (passage.original_start, passage.original_end) == (0, len(original))
    assert [(s.text, s.original) for s in report.spin_spans] == [
        ("mats", "walls"),
        ("common", "park"),
        ("moon", "water"),
        ("amid", "during"),
        ("rips", "storms"),
    ]
    assert report.coverage is not None and report.coverage.original == 1.0


def test_one_short_reused_sentence_is_listed_without_making_the_page_a_copy(scorer):
    # One spun sentence of 33 words inside a long unrelated page: less than the two
    # sentences or 40 words that make a copy, so the verdict stays, but the reuse is shown.
    sentence = SPUN.split("\n\n")[1]
    assert len(sentence.split()) < 40 and sentence.count(". ") == 0
    around = f"{UNRELATED_BEFORE}\n\n{UNRELATED_AFTER}"
    suspect = f"{around}\n\n{sentence}\n\n{around}"
    report = scorer.score(make_document(suspect), make_document(ORIGINAL, name="original.txt"))
    assert report.relation != "copy" and report.verdict == "not_spun"
    (passage,) = report.passages
    assert ("system", "plan") in [(s.text, s.original) for s in report.spin_spans]
    assert all(passage.start <= s.start < s.end <= passage.end for s in report.spans)
    assert suspect[passage.start : passage.end] == sentence
    assert ORIGINAL[passage.original_start : passage.original_end] == ORIGINAL.split("\n\n")[1]
    assert passage.kind == "spun"
    assert report.note is not None and "1 short passage (33 words) reused from original.txt" in (
        report.note
    )
    data = report.to_dict()
    assert data["passages"][0]["start"] == passage.start
    assert 0 < data["coverage"]["suspect"] < 0.2
    assert "reused:    1 spun passage" in render_text(report)


def test_a_sentence_built_alike_in_another_story_is_no_passage(scorer):
    # A trial's report of another council's bin decision: one sentence has the original's
    # frame ("Opposition councillors ... consultation") and two thirds of its words are new.
    # It was listed as a reused passage, its new words shown as swaps and edits.
    folder = Path(__file__).parent / "fixtures" / "independent_reports_trial"
    original = (folder / "bins_original.txt").read_text(encoding="utf-8")
    suspect = (folder / "bins_other_council.txt").read_text(encoding="utf-8")
    report = scorer.score(make_document(suspect), make_document(original))
    assert report.relation != "copy" and report.verdict == "not_spun"
    assert report.passages == () and report.spans == ()


def test_a_headline_sharing_a_few_words_with_a_long_lead_is_no_passage(scorer):
    # A trial's independent report: its 6-word headline shares "village hall" and "to
    # auction" with the source's 33-word lead sentence; it was listed as a reused passage
    # covering 17% of the original.
    original = (
        "A painting that hung unnoticed in a village hall for more than fifty years has "
        "been identified as an early work by the landscape artist Edith Marlowe and could "
        "sell for up to 300,000 pounds at auction.\n\nThe small oil painting shows a river "
        "at dusk. It was donated to the hall by a local family."
    )
    suspect = (
        "Village hall masterpiece heads to auction\n\nFor half a century, the people of "
        "Little Haddon held dances beneath a dark little picture nobody looked at. It turns "
        "out they were sitting under a lost Marlowe, and specialists now agree."
    )
    report = scorer.score(make_document(suspect), make_document(original))
    assert report.relation != "copy" and report.passages == ()


def test_an_unrelated_page_has_no_passages(scorer):
    report = scorer.score(make_document(UNRELATED_BEFORE), make_document(ORIGINAL))
    assert report.relation == "unrelated" and report.verdict == "not_spun"
    assert report.passages == () and report.spans == ()
    assert report.to_dict()["coverage"] == {"suspect": 0.0, "original": 0.0}


def test_a_plain_whole_article_spin_is_one_spun_passage_with_the_same_spans(scorer):
    suspect, original = make_document(SPUN), make_document(ORIGINAL)
    report = scorer.score(suspect, original)
    alignment = align(suspect, original)
    assert report.spans == scorer.judge.judge(alignment)  # no gaps to add, nothing else
    assert report.verdict == "spun" and report.relation == "copy"
    assert len(report.spin_spans) == 44 and report.deletions == ()
    (passage,) = report.passages
    assert passage.kind == "spun" and (passage.start, passage.end) == (0, len(SPUN.rstrip()))
    assert report.coverage is not None and report.coverage.suspect == 1.0


def test_added_words_keep_their_quotes_and_tags_but_not_the_full_stop(scorer):
    original = "Parents were told that classes would go on in the old gym."
    suspect = 'Parents were told that classes would go on in the old gym "pool" <b>bold</b>.'
    report = scorer.score(make_document(suspect), make_document(original, name="o.txt"))
    (added,) = [s for s in report.spans if s.kind == "insert"]
    assert added.text == '"pool" <b>bold</b>'
    assert suspect[added.start : added.end] == added.text


def test_an_article_spun_and_repeated_is_one_passage_per_copy(scorer):
    """An alignment pairs each original sentence once; the copies it leaves are searched
    again, so each is found."""
    suspect = "\n\n".join([SPUN.rstrip()] * 3)
    report = scorer.score(make_document(suspect), make_document(ORIGINAL))
    assert report.relation == "copy" and report.verdict == "spun"
    assert [suspect[p.start : p.end] for p in report.passages] == [SPUN.rstrip()] * 3
    assert all(p.kind == "spun" for p in report.passages)
    assert len(report.spin_spans) == 3 * 44
    assert report.coverage is not None and report.coverage.suspect == 1.0


def test_a_text_repeated_many_times_is_searched_in_bounded_time_and_says_it_stopped(scorer):
    """Searched window by window, up to 64 passages: a crafted page of many copies costs
    time in its length, and the note says more may be reused."""
    twenty = "\n\n".join([SPUN.rstrip()] * 20)  # several windows: every copy, whole
    report = scorer.score(make_document(twenty), make_document(ORIGINAL))
    assert [twenty[p.start : p.end] for p in report.passages] == [SPUN.rstrip()] * 20
    assert report.note is None
    crlf_copy = SPUN.rstrip().replace("\n", "\r\n")  # windows start at CRLF paragraphs too
    crlf = "\r\n\r\n".join([crlf_copy] * 10)
    report = scorer.score(make_document(crlf), make_document(ORIGINAL))
    assert [crlf[p.start : p.end] for p in report.passages] == [crlf_copy] * 10
    # Copies between other paragraphs: a window starts past the copies found before it,
    # never inside one (its tail would take the original's last sentences from the next).
    rng = random.Random(0)
    parts = []
    for _ in range(12):
        parts += [SPUN.rstrip(), *[UNRELATED_AFTER] * rng.randint(0, 4)]
    mixed = "\n\n".join(parts)
    report = scorer.score(make_document(mixed), make_document(ORIGINAL))
    assert [mixed[p.start : p.end] for p in report.passages] == [SPUN.rstrip()] * 12
    suspect = "\n\n".join([SPUN.rstrip()] * 70)
    report = scorer.score(make_document(suspect), make_document(ORIGINAL))
    assert report.relation == "copy" and report.verdict == "spun"
    assert [suspect[p.start : p.end] for p in report.passages] == [SPUN.rstrip()] * 64
    starts = [p.start for p in report.passages]
    assert starts == sorted(set(starts))  # no passage twice
    assert all(a.end <= b.start for a, b in itertools.pairwise(report.passages))
    assert report.note is not None and "stopped after 64" in report.note


def test_a_spun_article_in_a_page_many_times_its_length_is_found_though_its_words_recur(
    scorer,
):
    """Words met more than four times in a suspect seed nothing when it is about the
    original's length; in a page seven times as long every word of the original may
    recur that often outside the copy (here: the original's words shuffled into a page of
    word salad, six times over)."""
    rng = random.Random(0)
    words = ORIGINAL.split()
    salad = []
    for _ in range(6):
        shuffled = rng.sample(words, len(words))
        salad += [" ".join(shuffled[k : k + 18]) + "." for k in range(0, len(words), 18)]
    before, after = "\n\n".join(salad[: len(salad) // 2]), "\n\n".join(salad[len(salad) // 2 :])
    suspect = f"{before}\n\n{SPUN.rstrip()}\n\n{after}"
    report = scorer.score(make_document(suspect), make_document(ORIGINAL))
    assert report.relation == "copy" and report.verdict == "spun"
    (passage,) = report.passages
    assert suspect[passage.start : passage.end] == SPUN.rstrip()
    assert (passage.original_start, passage.original_end) == (0, len(ORIGINAL.rstrip()))
    assert len(report.spin_spans) == 44


# --------------------------------------------------------------------------- what a copy is


BRITISH = (
    "The council will rebuild the flats above the shops on the high street this autumn. "
    "Lorries will use the ring road while the pavements are closed, and the car park "
    "behind the library will shut for a fortnight.\n\n"
    "Residents said the plan was welcome, though several worried about the noise of the "
    "work and the lost parking spaces near the station."
)
AMERICAN = (
    "The council will rebuild the apartments above the stores on the main street this fall. "
    "Trucks will use the beltway while the sidewalks are closed, and the parking lot "
    "behind the library will shut for two weeks.\n\n"
    "Residents said the plan was welcome, though several worried about the noise of the "
    "work and the lost parking spaces near the station."
)


def test_a_copy_localised_for_american_readers_is_ordinary_edits(scorer):
    report = scorer.score(make_document(AMERICAN), make_document(BRITISH))
    assert (report.verdict, report.relation) == ("not_spun", "copy")
    assert report.spin_spans == ()
    assert {"apartments", "Trucks", "sidewalks"} <= {s.text for s in report.spans}


def test_a_copy_with_a_few_swaps_says_why_it_is_not_spun(scorer):
    suspect = ORIGINAL.replace("damaged", "impaired", 1).replace("flooded", "overflowed", 1)
    assert suspect.count(" ") == ORIGINAL.count(" ") and suspect != ORIGINAL
    report = scorer.score(make_document(suspect), make_document(ORIGINAL))
    assert report.verdict == "not_spun" and len(report.spin_spans) == 2
    assert report.note == (
        "2 swaps in this copy, too few to call it spun (its spin score is under 0.50)"
    )
    assert f"note:      {report.note}" in render_text(report)


@pytest.mark.parametrize("sentences", [1, 2, 3])
def test_one_word_changed_in_a_short_copy_is_an_edit(scorer, sentences):
    # A trial's police brief: "arrested" -> "detained" alone was spun at 1.00 in one
    # sentence (the swap rate of a short text is high), 0.87 in two, 0.55 in three.
    lines = [
        "Police said a 34-year-old man was arrested in Leeds on Friday.",
        "He is being held on suspicion of burglary.",
        "Officers recovered jewellery worth about £3,000 from his car.",
    ][:sentences]
    original = " ".join(lines)
    report = scorer.score(
        make_document(original.replace("arrested", "detained")), make_document(original)
    )
    assert [(s.text, s.original) for s in report.spin_spans] == [("detained", "arrested")]
    assert (report.verdict, report.relation) == ("not_spun", "copy")
    assert report.spin_score < 0.5
    assert report.note == (
        "1 swap in this copy, too few to call it spun: a single change is what editors make"
    )


def test_a_pages_own_sentences_are_never_paired_with_the_originals_by_position(scorer):
    # As many sentences of the page's own as the original has before the reused part, and
    # of like lengths: paired by position, they were edits of the original's sentences
    # and a second passage (the editor's letter of a helper's test).
    own = (
        "Readers often ask why this paper reports so much on the weather and the river. "
        "The answer is that the prices in our shops and the jobs in our town move with it. "
        "We have tried this year to explain those links plainly, with maps and interviews. "
        "Our reporters have spoken to families, traders and engineers along the whole valley. "
        "We will keep doing this work for as long as our readers find it useful to them."
    )
    before = "\n\n".join(ORIGINAL.split("\n\n")[:4])
    assert len(make_document(before).sentences) == len(make_document(own).sentences)
    reused = "\n\n".join(SPUN.split("\n\n")[4:6])
    page = own + "\n\n" + reused
    report = scorer.score(make_document(page), make_document(ORIGINAL))
    assert (report.verdict, report.relation) == ("spun", "copy")
    start = page.index(reused)
    assert [(p.start, p.end) for p in report.passages] == [(start, len(page))]
    assert [s.kind for s in report.spans if s.start < start] == ["insert"]


def test_a_translation_or_a_pair_in_another_language_is_noted(scorer):
    french = (
        "Le conseil municipal a voté mardi la reconstruction du quartier inondé, et le maire "
        "a dit que les travaux commenceraient au printemps si le financement était trouvé."
    )
    translated = scorer.score(make_document(french), make_document(ORIGINAL))
    assert translated.note is not None and translated.note.startswith(
        "the suspect does not look like English"
    )
    assert "a translation is not compared" in translated.note
    both = scorer.score(make_document(french.replace("voté", "adopté")), make_document(french))
    assert "neither text looks like English" in both.note
    english = scorer.score(make_document(SPUN), make_document(ORIGINAL))
    assert english.note is None or "English" not in english.note


def test_edits_that_change_facts_are_named_and_reformatted_numbers_are_not(scorer):
    original = (
        "The storm damaged four bridges and 20 per cent of the roads in the county on Monday. "
        "Officials said the repairs would be finished before the winter, and the mayor "
        "said the town had enough money to pay for them."
    )
    reformatted = original.replace("four", "4").replace("20 per cent", "20%")
    plain = scorer.score(make_document(reformatted), make_document(original))
    assert plain.note is None or "facts" not in plain.note
    changed = (
        original.replace("four", "fourteen")
        .replace("20 per cent", "40 per cent")
        .replace("the town had", "the town had not")
    )
    report = scorer.score(make_document(changed), make_document(original))
    assert report.verdict == "not_spun"
    assert report.note == (
        "edits that may change facts, not only wording: 2 numbers differ in value (four -> "
        'fourteen, 20 -> 40); 1 edit adds or drops a negation ("not" added)'
    )


@pytest.mark.parametrize(
    "text, value",
    [
        ("fourteen", 14),
        ("2,022", 2022),
        ("2.5 million", 2.5e6),
        ("20%", 20),
        ("twenty-five", 25),
        ("3rd", 3),
        ("second", 2),
        ("half", 0.5),
        ("a quarter", 0.25),
        ("three-quarters", 0.75),
        ("second half", None),  # a match's half, no share
        ("two third", None),
        ("Monday", None),
        ("31 to 12", None),
        ("", None),
    ],
)
def test_number_values(text, value):
    from detector.facts import number_value

    assert number_value(text) == value


def test_a_rewrite_lists_no_word_level_changes(scorer):
    # Independent reports of the same events, written beat for beat by hand: word pairs of
    # sentences that only share a topic were listed as edits ("[Russia started|Kyiv had
    # hoped it could use land in the Kursk region as]").
    folder = ROOT / "tests" / "fixtures" / "paraphrase_holdout3"
    for pair in sorted(p for p in folder.iterdir() if (p / "independent.txt").is_file()):
        suspect = make_document((pair / "independent.txt").read_text(encoding="utf-8"))
        original = make_document((pair / "original.txt").read_text(encoding="utf-8"))
        report = scorer.score(suspect, original)
        assert (report.relation, report.verdict, report.spans) == ("rewrite", "not_spun", ())
        assert "swaps:     none: a rewrite" in render_text(report)


def test_a_dropped_negation_is_named_and_not_only_is_no_negation(scorer):
    original = (
        "The minister said the hospital would not close this year, and the council said it "
        "was not only the staff but also the patients who had fought for it. Work on the new "
        "wing will start in the spring, when the builders return to the site."
    )
    dropped = original.replace("would not close", "would close")
    report = scorer.score(make_document(dropped), make_document(original))
    assert report.note is not None and '("not" dropped)' in report.note
    reworded = original.replace("not only the staff but also", "the staff and")
    plain = scorer.score(make_document(reworded), make_document(original))
    assert plain.note is None or "negation" not in plain.note


@pytest.mark.parametrize(
    "original, spun",
    [
        # One word dropped, a phrase grown by one: the sentence keeps its length.
        (
            "Officials said the bridge would not reopen before December because of the "
            "damage to its supports.",
            "Authorities stated the bridge would reopen before December on account of the "
            "harm to its supports.",
        ),
        # The "not" dropped right beside a swap is no part of it ("slash" for "not cut").
        (
            "The firm said it would not cut jobs this year.",
            "The company stated it would slash occupations this year.",
        ),
        # A bare "no" too (the note reads it with the word after it).
        (
            "There was no warning before the storm hit the town.",
            "There was caution before the tempest hit the town.",
        ),
    ],
)
def test_a_negation_dropped_beside_swaps_is_shown_and_named(scorer, original, spun):
    report = scorer.score(make_document(spun), make_document(original))
    assert report.verdict == "spun"
    (deletion,) = report.deletions
    negation = deletion.text
    assert negation in ("not", "no")
    assert all(negation not in span.original.split() for span in report.spans)
    assert (
        report.note is not None
        and f'1 edit adds or drops a negation ("{negation}" dropped)' in (report.note)
    )
    assert f"[-{negation}-]" in render_text(report)


@pytest.mark.parametrize(
    ("original", "spun", "named"),
    [
        (
            "Officials said they cannot open the bridge this week.",
            "Authorities stated they can open the bridge this week.",
            '"can" for "cannot"',
        ),
        (
            "The report said nobody was hurt in the fire.",
            "The account stated somebody was hurt in the blaze.",
            '"somebody" for "nobody"',
        ),
        (
            "The president will sign the bill into law next week.",
            "The president won't endorse the bill into law next week.",
            '"won\'t" for "will"',
        ),
    ],
)
def test_a_word_swapped_for_its_negation_is_an_edit_the_note_names(scorer, original, spun, named):
    report = scorer.score(make_document(spun), make_document(original))
    flipped = next(s for s in report.spans if f'"{s.text}" for "{s.original}"' == named)
    assert not flipped.is_spin
    assert report.note is not None and named in report.note


def test_a_not_added_beside_a_swap_stays_apart_from_it(scorer):
    original = "The study showed the two are linked, only that, and the doctors agreed with it."
    spun = (
        "The research demonstrated the two are connected, not only that, and the physicians "
        "concurred with it."
    )
    report = scorer.score(make_document(spun), make_document(original))
    assert {s.text: s.original for s in report.spans if s.is_spin}.get("connected") == "linked"
    assert any(s.text == "not" and s.original == "" for s in report.spans)


def test_spinbots_not_exactly_for_less_than_is_a_phrase_swap_not_a_negation(scorer):
    # Spinbot prints "far not exactly" for "far less than" (a trial's copy): with the
    # original at hand it is a glue-phrase swap, not an edit that adds a negation.
    original = (
        "The fines brought in only about 18,000 dollars a year, far less than the cost of "
        "collecting them, the director said. Borrowers will still pay for lost books."
    )
    spun = original.replace("far less than the cost", "far not exactly the expense")
    report = scorer.score(make_document(spun), make_document(original))
    swaps = {s.text: (s.original, s.kind) for s in report.spans}
    assert swaps["not exactly"] == ("less than", "phrase")
    assert report.note is None or "negation" not in report.note


def test_the_scorer_refuses_what_is_not_a_document_in_one_clear_line(scorer):
    original = make_document(ORIGINAL)
    with pytest.raises(TypeError, match="suspect must be a Document"):
        scorer.score(SPUN, [original])
    with pytest.raises(TypeError, match="originals must be Document objects"):
        scorer.score(make_document(SPUN), None)
    with pytest.raises(TypeError, match="original must be a Document"):
        scorer.score_pair(make_document(SPUN), ORIGINAL)
    generated = scorer.score(make_document(SPUN), (o for o in [original]))  # any iterable
    assert generated.verdict == "spun"


def test_negations_are_counted_per_sentence_and_a_dropped_sentence_turns_nothing_round(scorer):
    original = (
        "The company agreed to pay 5 million dollars to the families, officials said on "
        "Tuesday. Neither the mayor nor the council commented on the settlement, which ends "
        "a long legal fight. The lawyers said the case would not go to trial. The families "
        "said they would use the money to build a memorial near the river."
    )
    reworded = original.replace(
        "Neither the mayor nor the council commented", "The mayor and the council did not comment"
    )
    plain = scorer.score(make_document(reworded), make_document(original))
    assert plain.spans and (plain.note is None or "negation" not in plain.note)
    dropped = original.replace(" The lawyers said the case would not go to trial.", "")
    shorter = scorer.score(make_document(dropped), make_document(original))
    assert shorter.deletions and (shorter.note is None or "negation" not in shorter.note)
    added = original.replace("legal fight.", "legal fight. The bank did not comment.")
    longer = scorer.score(make_document(added), make_document(original))
    assert longer.insert_spans and (longer.note is None or "negation" not in longer.note)
    # A negation moved within one sentence turns two statements round: named.
    moved = original.replace(
        "the case would not go to trial", "the case would go to trial"
    ).replace("would use the money", "would not use the money")
    assert "a negation" in (scorer.score(make_document(moved), make_document(original)).note or "")
    swapped = original.replace(
        "The lawyers said the case would not go to trial.",
        "The lawyers said the case would go to trial and would not settle.",
    )
    flipped = scorer.score(make_document(swapped), make_document(original))
    assert "a negation" in (flipped.note or "")
    turned = original.replace(
        "Neither the mayor nor the council commented", "The mayor and the council commented"
    )
    report = scorer.score(make_document(turned), make_document(original))
    assert report.note is not None and "a negation" in report.note
    assert '"Neither" dropped' in report.note


def test_an_amount_in_another_currency_is_named(scorer):
    original = (
        "The company agreed to pay 5 million dollars to the families, officials said on "
        "Tuesday. The families said they would use the money to build a memorial near the "
        "river, and the council said it would give the land for it."
    )
    report = scorer.score(
        make_document(original.replace("dollars", "pounds")), make_document(original)
    )
    assert report.note == (
        "edits that may change facts, not only wording: 1 amount is in another currency "
        "(dollars -> pounds)"
    )
    assert report.spans[0].kind == "number"  # an amount changed, not a synonym swap
    # The same currency in another word is a swap like any other, and no change of fact.
    same = scorer.score(
        make_document(original.replace("dollars", "sterling")),
        make_document(original.replace("dollars", "pounds")),
    )
    assert same.spans[0].kind == "synonym" and (same.note is None or "currency" not in same.note)
    from detector.facts import number_value

    assert number_value("5 million dollars") == 5e6


_STORY_TAIL = (
    " The families said they would use the money to build a memorial near the river. Work "
    "on it will start in the spring, the council said."
)


@pytest.mark.parametrize(
    "source, copy",
    [
        # An editor's rewording of a negation keeps it (an editor's own test copies).
        ("She refused to say whether the firm would sell.",
         "She did not agree to say whether the firm would sell."),
        ("The firm failed to meet its budget target.", "The firm did not meet its budget target."),
        ("He declined to say how much he was paid.", "He would not say how much he was paid."),
        ("No more than two people were hurt.", "At most two people were hurt."),
        ("It was not unusual for storms to hit the coast.",
         "It was common for storms to hit the coast."),
        ("Officials could not say when power would return.",
         "Officials were unable to say when power would return."),
        ("He must not contact any of the witnesses.",
         "He is barred from contacting any of the witnesses."),
        # A sentence split moves a clause; nothing is dropped.
        ("At least four people were killed and more than 60,000 homes were left without power "
         "after a storm swept the coast on Sunday night, officials said.",
         "At least four people were killed after a storm swept the coast on Sunday night, "
         "officials said. More than 60,000 homes were left without power."),
        ("The rules take effect on Jan. 1 next year.",
         "The rules take effect on January 1 next year."),
        ("Eleven customers gave evidence at the trial.",
         "11 customers gave evidence at the trial."),
        # A review's cases: falling numbers, times and thousands written another way.
        ("Inflation declined to 2 per cent in May, the bank said.",
         "Inflation edged down to 2 per cent in May, the bank said."),
        ("The meeting starts at 10:30 a.m. in the town hall.",
         "The meeting starts at 10.30am in the town hall."),
        ("The meeting starts at 3pm in the town hall.",
         "The meeting starts at 15:00 in the town hall."),
        ("The fund paid 1 200 families last year.", "The fund paid 1,200 families last year."),
        ("The council will spend $5m on parks.", "The council will spend 5m dollars on parks."),
        # A contraction beside another edit (a helper trying the tool): the edit before
        # "but couldn't" is read with those words, whose negation is not its own.
        ("The family tried to find a buyer but could not agree on a price.",
         "The family tried to find a purchaser but couldn't agree on a price."),
        # A negation moved into the swap beside its edit (a trial's copy): "signed" for
        # "did not sign" was named, though "no agreement" holds the negation.
        ("The mayor said the city did not sign any contract with the builder.",
         "The mayor said the city signed no agreement with the builder."),
        # A clause rewritten whole says the same in other words (an independent report).
        ("The logo was designed with a bite taken out of it to avoid confusion with a cherry.",
         "The logo had a bite cut out of it so that nobody would mistake the fruit for a "
         "cherry."),
        # "Fell" and "grew" both mean "became" before a state: no direction turned round.
        ("The crowd grew silent as the verdict was read.",
         "The crowd fell silent as the verdict was read."),
        ("The crowd grew very quiet as the verdict was read.",
         "The crowd fell very quiet as the verdict was read."),
        # "Too few", "too little" and "insufficient" say "not enough" (a trial's copy).
        ("There were not enough nurses on the ward that night.",
         "There were too few nurses on the ward that night."),
        ("There was not enough money to finish the bridge.",
         "There was insufficient money to finish the bridge."),
    ],
)  # fmt: skip
def test_an_ordinary_edit_is_no_change_of_fact(scorer, source, copy):
    report = scorer.score(make_document(copy + _STORY_TAIL), make_document(source + _STORY_TAIL))
    assert report.spans or report.deletions  # the edit is seen
    assert report.note is None or "facts" not in report.note


@pytest.mark.parametrize(
    "source, copy, named",
    [
        ("City won the match 3-1 at home.", "City won the match 2-1 at home.", "(3-1 -> 2-1)"),
        ("The 84-year-old widow lost her savings.", "The 74-year-old widow lost her savings.",
         "(84-year-old -> 74-year-old)"),
        ("Eleven customers gave evidence at the trial.",
         "Twelve customers gave evidence at the trial.", "(Eleven -> Twelve)"),
        ("The rules take effect on Jan. 1 next year.", "The rules take effect on Feb. 1 next year.",
         "1 date differs (Jan -> Feb)"),
        ("The vote will be held by Wednesday.", "The vote will be held by Friday.",
         "1 date differs (Wednesday -> Friday)"),
        # An opposite is named whether the judge takes it for a swap (Moby lists
        # "fell" under "rose") or for an edit.
        ("Shares rose sharply on Monday.", "Shares fell sharply on Monday.",
         "1 word says the opposite (rose -> fell)"),
        ("Sales grew by a third last year.", "Sales fell by a third last year.",
         "1 word says the opposite (grew -> fell)"),
        ("There were too few nurses on the ward that night.",
         "There were enough nurses on the ward that night.", "a negation"),
        # "Still" after a direction is a degree, not a state: the direction turned round.
        ("Prices rose still further in May.", "Prices fell still further in May.",
         "1 word says the opposite (rose -> fell)"),
        ("The market rose. Still, traders worried.", "The market fell. Still, traders worried.",
         "1 word says the opposite (rose -> fell)"),
        ("The council approved the plan.", "The council rejected the plan.",
         "1 word says the opposite (approved -> rejected)"),
        # A compass point for its opposite (a trial: Moby lists "west" under "east").
        ("The fire spread east towards the town.", "The fire spread west towards the town.",
         "1 word says the opposite (east -> west)"),
        # A review's cases: a bare "not" dropped before a negative word, "fails to", a
        # month alone, a time of day, a negated clause said twice and dropped once.
        ("It was not unusual for storms to hit the coast.",
         "It was unusual for storms to hit the coast.", '("not" dropped)'),
        ("It isn't unusual for storms to hit the coast.",
         "It is unusual for storms to hit the coast.", "a negation"),
        ("The firm fails to meet its target.", "The firm meets its target.", "a negation"),
        ("The vote is due in March.", "The vote is due in April.",
         "1 date differs (March -> April)"),
        ("The meeting starts at 10:30 a.m. in the town hall.",
         "The meeting starts at 11:30 a.m. in the town hall.", "1 number differs"),
        # A currency symbol changed, its digits kept: no word differs, the note says so.
        ("The council will spend $5m on parks.", "The council will spend £5m on parks.",
         "1 amount is in another currency ($5 -> £5)"),
        # The half of the day, its digits alike (Moby lists "am" and "pm" as synonyms).
        ("The meeting starts at 3 p.m. in the town hall.",
         "The meeting starts at 3 a.m. in the town hall.", "differs in value (p.m -> a.m)"),
        ("The meeting starts at 3 pm in the town hall.",
         "The meeting starts at 3 am in the town hall.", "1 number differs in value (pm -> am)"),
        ("She was not charged with any crime. The mayor said he was not charged with any "
         "crime and went home.",
         "She was not charged with any crime. The mayor said he went home.", "a negation"),
        # A negation dropped beside a swap that does not take it over.
        ("The mayor said the city did not sign any contract with the builder.",
         "The mayor said the city signed the agreement with the builder.", "a negation"),
    ],
)  # fmt: skip
def test_a_number_or_date_written_another_way_is_still_a_fact(scorer, source, copy, named):
    report = scorer.score(make_document(copy + _STORY_TAIL), make_document(source + _STORY_TAIL))
    assert report.note is not None and named in report.note


@pytest.mark.parametrize(
    "text, original, kind",
    [
        # A last review's cases: times of day, house styles of numbers, words for counts.
        ("at 11am", "at 10", "number"),
        ("at 10am", "at 10", None),
        ("50 people at 3pm", "5 people at 3pm", "number"),
        ("from 9am to 6pm", "from 9am to 5pm", "number"),
        ("3pm", "15:00", None),
        ("10.30am", "10:30 a.m.", None),
        ("2,5 per cent", "2.5 per cent", None),
        ("1.200 families", "1,200 families", None),
        ("1,200", "1 200", None),
        ("three 100-metre", "3 100-metre", None),
        ("four people at 3pm", "five people at 3pm", "number"),
        ("1.5", "15", "number"),
        ("3am", "3pm", "number"),
        ("a.m", "p.m", "number"),
        ("am", "pm", "number"),
        ("10.30am", "10:30 p.m.", "number"),
        ("am", "was", None),  # "I am" for "I was": no time of day
        ("I am", "I pm", None),
        ("I am 3", "I was 3", None),  # a digit elsewhere: "am" is no time beside it
        ("PM10 levels", "PM2.5 levels", "number"),  # the numbers, not a half of the day
        ("PM10", "AM10", None),
        # A share in words for a percentage (a trial: "first half" -> "first 50%" was
        # named "half -> 50%"), and a share that does change.
        ("50%", "half", None),
        ("half", "50 per cent", None),
        ("25 percent", "a quarter", None),
        ("40%", "half", "number"),
        ("a third", "30%", "number"),
    ],
)
def test_what_kind_of_fact_an_edit_changes(text, original, kind):
    from detector.facts import _fact_kind

    assert _fact_kind(text, original) == kind


def test_declined_to_is_a_negation_before_a_verb_only():
    from detector.facts import _negations

    assert _negations("declined to comment") == _negations("declined to") == 1
    assert _negations("declined to 2 per cent") == _negations("declined to the lowest") == 0
    assert _negations("fails to meet") == 1


def test_one_duration_in_other_units_is_no_number_changed():
    # A trial's spinner wrote "about two months" for "eight weeks": the note named the number.
    from detector.score import score_texts

    original = "The public survey will open next month and run for eight weeks, the council said."
    for same in ("about two months", "56 days", "2 months"):
        report = score_texts(original.replace("eight weeks", same), original)
        assert report.note is None or "number" not in report.note, same
    for other in ("about two years", "two weeks", "55 days", "six weeks"):
        report = score_texts(original.replace("eight weeks", other), original)
        assert report.note is not None and "1 number differs in value" in report.note, other


def test_fixed_units_must_give_the_same_duration():
    from detector.score import score_texts

    original = "The trial will run for {}, the court heard on Monday afternoon."
    for old, new, named in (
        ("seven days", "one week", False),
        ("six days", "one week", True),
        ("12 months", "a year", False),
        ("13 months", "one year", True),
        ("14 days", "a fortnight", False),
    ):
        report = score_texts(original.format(new), original.format(old))
        assert (report.note is not None and "number" in report.note) == named, (old, new)


def test_a_time_unit_changed_after_the_same_number_is_named():
    # A trial's copy wrote "eight months" for "eight weeks": one swap, no note.
    from detector.score import score_texts

    original = "The roadworks on Mill Lane will last {} and cost about 40,000 pounds."
    for old, new, named in (
        ("eight weeks", "eight months", True),
        ("a day", "a year", True),
        ("8 hours", "8 minutes", True),
        ("eight weeks", "eight hebdomads", False),  # no unit named: a swap like any other
        ("several weeks", "several months", False),  # no number
        # The number changes too: one duration in other units, or a number edit.
        ("8 weeks", "2 months", False),
        ("12 months", "a year", False),
    ):
        report = score_texts(original.format(new), original.format(old))
        said = report.note is not None and "in another time unit" in report.note
        assert said == named, (old, new, report.note)


def test_without_precedent_or_doubt_states_and_does_not_deny():
    # Spinbot writes "without precedent" for "for the first time": a trial's note named it
    # as a negation added.
    from detector.facts import _negations

    for idiom in ("without precedent", "without a doubt", "without any doubt", "without  fail"):
        assert _negations(f"the cup was won {idiom}") == 0
    assert _negations("he left without paying") == _negations("without any help") == 1
    assert _negations("not without precedent") == 1


def test_a_word_dropped_inside_a_swapped_stretch_is_a_deletion():
    # "big red building" -> "large building": the alignment reads "a big red" -> "a large"
    # as one substitution; "red" is in no span, so the report lists it as dropped.
    from detector.score import score_texts

    report = score_texts(
        "Officials purchased a large building near the stream.",
        "Officials bought a big red building near the river.",
    )
    assert [(s.text, s.original) for s in report.spans] == [
        ("purchased", "bought"),
        ("large", "big"),
        ("stream", "river"),
    ]
    assert [(d.text, report.suspect.text[: d.start]) for d in report.deletions] == [
        ("red", "Officials purchased a large")
    ]


def test_a_word_dropped_beside_a_swap_leaves_a_spun_copy_spun():
    # Counted as a changed word of its own, "red" took the copy's swapped share under the
    # paraphrase check's bar, and the copy came out "paraphrased".
    from detector.score import score_texts

    report = score_texts(
        "Officials purchased a large building. The stream rose.",
        "Officials bought a big red building. The river rose.",
    )
    assert (report.verdict, report.relation) == ("spun", "copy")
    assert [d.text for d in report.deletions] == ["red"]


def test_a_negation_the_stretch_keeps_elsewhere_is_not_dropped():
    from detector.score import score_texts

    report = score_texts(
        "The firm purchased no large building near the stream.",
        "The firm never bought any big building near the river.",
    )
    assert report.deletions == ()
    assert not (report.note or "").count("negation")


_TRIAL = Path(__file__).parent / "fixtures" / "independent_reports_trial"


@pytest.mark.parametrize("story", ["library", "resignation"])
def test_an_independent_report_sharing_names_numbers_and_a_quote_is_a_rewrite(scorer, story):
    """Two reports of one event share names, numbers and quotes, and so 36-43% of their
    words line up; a copy reuses far more, or holds a passage that does."""
    report = scorer.score(
        make_document((_TRIAL / f"{story}_independent.txt").read_text("utf-8")),
        make_document((_TRIAL / f"{story}_original.txt").read_text("utf-8")),
    )
    assert (report.relation, report.verdict) == ("rewrite", "not_spun")
    assert report.note is None or "negation" not in report.note


def test_a_content_farm_page_shows_its_own_text_added_and_the_rest_of_the_source_dropped(
    scorer,
):
    page = (_TRIAL / "library_content_farm.txt").read_text("utf-8")
    source = (_TRIAL / "library_original.txt").read_text("utf-8")
    report = scorer.score(make_document(page), make_document(source))
    assert (report.relation, report.verdict) == ("copy", "spun")
    (passage,) = report.passages
    added = "".join(page[s.start : s.end] for s in report.insert_spans)
    assert "BudgetSmartHub" in added and "Harbour City" not in added
    assert all(s.end <= passage.start or passage.end <= s.start for s in report.insert_spans)
    dropped = " ".join(d.text for d in report.deletions)
    assert "Maria Delgado" in dropped and "Residents plan to hold a protest" in dropped


def test_a_number_added_inside_a_sentence_is_an_insertion_not_an_edit_of_nothing(scorer):
    # A figure added into a copied sentence showed as "[15|]", an edit whose original
    # was empty.
    original = (
        "The national unemployment rate fell to 3.9 per cent in February, according to "
        "official figures released on Thursday. Economists had expected the rate to stay "
        "the same. The Treasury said the plan was working."
    )
    copy = original.replace("official figures", "15 official figures")
    report = scorer.score(make_document(copy), make_document(original))
    assert [s.text for s in report.insert_spans] == ["15"]
    assert all(s.original or s.kind == "insert" for s in report.spans)
    assert "[+15+]" in render_text(report)


_DATELINE_BODY = (
    "\n\nThe national unemployment rate fell to 3.9 per cent in February, its lowest "
    "level in 12 years, according to official figures released on Thursday. Economists "
    "had expected the rate to stay the same.\n\nThe Treasury said the plan was working.\n"
)


@pytest.mark.parametrize(
    ("written", "edit", "note"),
    [
        # A trial's syndicated copy: the day changed and the date reordered.  It showed
        # "[March|Published] 15 [-March-], 2024" or "[-14-] March [15|2024]" with
        # "2024 -> 15" named: pieces of a date, a year read as a day.
        (
            "March 15, 2024",
            "[March 15, 2024|14 March 2024]",
            "1 date differs (14 March 2024 -> March 15, 2024)",
        ),
        ("March 14, 2024", "[March 14, 2024|Published 14 March 2024]", None),
        ("March 15", "[March 15|14 March 2024]", "1 date differs (14 March 2024 -> March 15)"),
        ("Published 15 March 2024", "Published [15|14] March 2024", "1 number differs"),
    ],
)
def test_a_dateline_written_another_way_is_one_edit_of_the_whole_date(scorer, written, edit, note):
    original = "Jobs report\n\nPublished 14 March 2024" + _DATELINE_BODY
    copy = "Jobs report\n\n" + written + _DATELINE_BODY
    report = scorer.score(make_document(copy), make_document(original))
    assert edit in render_text(report)
    assert not report.insert_spans  # no piece of the date shown added
    assert all(d.text == "Published" for d in report.deletions)
    if note is None:
        assert "differ" not in (report.note or "")
    else:
        assert note in report.note


@pytest.mark.parametrize(
    ("original_date", "copy_date", "shown", "named"),
    [
        # A review's cases: a weekday changed with the date reordered was not named, an
        # agency's name after a reordered date joined its edit, a year added was an edit
        # of the whole date.
        (
            "Monday, June 13",
            "Tuesday, 13 June",
            "[Tuesday, 13 June|Monday, June 13]",
            "1 date differs (Monday, June 13 -> Tuesday, 13 June)",
        ),
        ("June 3 (Northwire)", "4 June", "[4 June|June 3] [-Northwire-]", "(June 3 -> 4 June)"),
        ("June 12", "June 12, 2024", "June 12, [+2024+]", None),
    ],
)
def test_a_date_s_changed_parts_are_named_and_its_neighbours_kept_apart(
    scorer, original_date, copy_date, shown, named
):
    body = " - The council approved the budget on Tuesday, officials said. The plan adds funding."
    report = scorer.score(
        make_document("LONDON, " + copy_date + body.replace("approved", "endorsed")),
        make_document("LONDON, " + original_date + body),
    )
    assert shown in render_text(report)
    if named is None:
        assert "differ" not in (report.note or "")
    else:
        assert named in report.note


def test_spun_sentences_interleaved_with_a_pages_own_are_a_spun_copy(scorer):
    """A review's case: every sentence of the original spun, two of the page's own after
    each.  A third of the page is reused, too little as a whole, but its paired sentences
    are all copied or spun (an independent report's pairs reuse a third to a half)."""
    original = (
        "City officials said the Harbour Street bridge would reopen next month after a long "
        "closure. The transport department said the final inspections would be completed by "
        "the end of the month. Work crews are now repainting the railings along the walkway "
        "on both sides of the span. Local businesses on both sides of the river welcomed the "
        "news on Tuesday afternoon. The mayor said the repairs had cost the city more than "
        "four million dollars in total."
    )
    spun = (
        original.replace("said", "stated")
        .replace("a long closure", "a lengthy closure")
        .replace("final", "last")
        .replace("completed", "finished")
        .replace("are now", "are currently")
        .replace("businesses", "firms")
    )
    own = (
        " Readers have written to us about this story many times over the past year or so."
        " Our reporter visited the area twice and spoke with several residents nearby."
    )
    sentences = [s if s.endswith(".") else s + "." for s in spun.split(". ")]
    page = " ".join(s + own for s in sentences)
    report = scorer.score(make_document(page), make_document(original))
    assert (report.relation, report.verdict) == ("copy", "spun")
    assert report.coverage is not None and report.coverage.original > 0.9


def test_a_word_added_between_two_swaps_joins_one_of_them(scorer):
    # "right" joined both "{replacement right|successor}" and "{right on time|early}":
    # overlapping spans, the second lost in the text report with "early" (a trial's copy).
    original = (
        "The president thanked Lane for his hard work and said he would name a successor "
        "early next week." + _STORY_TAIL
    )
    spun = original.replace(
        "successor early next week", "replacement right on time one week from now"
    )
    report = scorer.score(make_document(spun), make_document(original))
    spans = sorted(report.spans, key=lambda s: s.start)
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))
    assert ("right on time", "early") in [(s.text, s.original) for s in spans]
    assert "{right on time|early}" in render_text(report)


def test_a_light_spin_that_splits_a_sentence_is_still_spun(scorer):
    original = (
        "The city council approved a new budget for public libraries on Tuesday, and "
        "officials said the plan would add funding for evening opening hours at twelve "
        "branches across the borough. Council leader Maria Hughes said the vote was a "
        "victory for readers. The first extended hours begin in September."
    )
    spun = (
        "The city council endorsed a new budget for public libraries on Tuesday. Officials "
        "stated that the plan would add financing for evening opening hours at twelve "
        "branches across the borough. Council leader Maria Hughes said the vote was a "
        "triumph for readers. The first extended hours begin in September."
    )
    report = scorer.score(make_document(spun), make_document(original))
    assert report.verdict == "spun"
    assert [s.original for s in report.spin_spans] == ["approved", "said", "funding", "victory"]
    assert not report.deletions


def test_a_changed_day_and_a_dropped_credit_are_two_edits_not_one(scorer):
    # A trial's dateline: "[4|3 (Northwire]" with "3 (Northwire -> 4" named, a number's
    # change and a dropped agency name in one edit.
    body = (
        " - The city council approved a new budget for public libraries on Tuesday, "
        "officials said. The plan adds funding for evening opening hours at twelve branches."
    )
    original = "LONDON, June 3 (Northwire)" + body
    copy = "LONDON, June 4" + body.replace("approved", "endorsed")
    report = scorer.score(make_document(copy), make_document(original))
    text = render_text(report)
    assert "June [4|3] [-Northwire-]" in text
    assert "1 number differs in value (3 -> 4)" in report.note


def test_an_amount_named_in_words_and_written_with_another_symbol_is_named(scorer):
    # A trial's syndicated copy: "84 million pounds" -> "$84 million" showed only a
    # dropped "pounds", and the note left it out.
    original = (
        "The company made a profit of 84 million pounds in the year to March, up from 61 "
        "million a year earlier. The site will cost about 150 million pounds to build."
    )
    copy = (
        "The company made a profit of $84 million in the year to March, up from $61 "
        "million a year earlier. The site will cost about 150 million dollars to build."
    )
    report = scorer.score(make_document(copy), make_document(original))
    assert "2 amounts are in another currency (£84 -> $84, pounds -> dollars)" in report.note


def test_a_clause_rewritten_round_a_count_is_an_edit_not_a_number(scorer):
    # A trial: "[keeper|goalkeeper made three fine saves]" was of kind `number`, and
    # "number edit" in the HTML, for a clause retold in other words.
    original = (
        "Crewe had taken the lead just before half-time. The visitors defended well for most "
        "of the second half, and their goalkeeper made three fine saves. Harrogate levelled "
        "in the 71st minute."
    )
    copy = original.replace(
        "their goalkeeper made three fine saves", "three excellent stops came from their keeper"
    )
    report = scorer.score(make_document(copy), make_document(original))
    long_edits = [s for s in report.spans if s.kind != "insert" and len(s.original.split()) > 4]
    assert long_edits and all(s.kind == "edit" for s in long_edits)
    short = scorer.score(
        make_document(original.replace("three fine", "four fine")), make_document(original)
    )
    assert [s.kind for s in short.spans] == ["number"]


def test_a_sentence_split_in_two_and_spun_is_aligned_whole(scorer):
    # A trial: the spun first half shares too few words to pair alone, and was shown as a
    # sentence added, its swaps lost, with the copy `not_spun` at 0.00.
    original = (
        "The home side improved after the interval. Rovers struggled to create chances "
        "in the first half and were booed off at the break."
    )
    suspect = (
        "The home side improved after the break. Rovers battled to make possibilities in "
        "the main half. They were booed off at the break."
    )
    report = scorer.score(make_document(suspect), make_document(original))
    assert not [s for s in report.spans if s.kind == "insert"]
    assert not report.deletions
    swaps = {(s.text, s.original) for s in report.spin_spans}
    assert {("battled", "struggled"), ("possibilities", "chances")} <= swaps
    assert report.verdict == "spun"


def test_a_short_sentence_left_alone_by_a_neighbour_paired_by_place_pairs_too(scorer):
    # A trial: "Deals are dropping." (three words, two swapped) between a first sentence
    # paired by place and a third paired by its words was shown dropped and added.
    report = scorer.score(
        make_document(
            "The company said it would slash positions. Deals are dropping. "
            "Offers rose in Frankfurt."
        ),
        make_document(
            "The firm said it would cut jobs. Sales are falling. Shares rose in Frankfurt."
        ),
    )
    assert not report.deletions
    assert ("dropping", "falling") in {(s.text, s.original) for s in report.spin_spans}


SAVINGS = (
    "Keeping it out of sight makes it harder to spend on things that are not "
    "emergencies. Automate your savings. Set up an automatic transfer on payday, even "
    "if it is only twenty dollars."
)


def test_a_short_sentence_alone_with_one_word_swapped_for_a_phrase_pairs(scorer):
    # A trial: "Automate your investment funds." for "Automate your savings." (three
    # words; one swapped for two) between two paired sentences showed dropped and added.
    suspect = SAVINGS.replace("savings", "investment funds").replace("transfer", "exchange")
    report = scorer.score(make_document(suspect), make_document(SAVINGS))
    assert not report.deletions
    # Shown "[+investment+] {funds|savings}" (or "{investment funds|savings}", as in the
    # trial's whole article), not the sentence dropped and another added.
    assert [s.text for s in report.spans if s.kind == "insert"] in ([], ["investment"])
    assert any(s.original == "savings" and "funds" in s.text for s in report.spin_spans)


@pytest.mark.parametrize(
    ("written", "original_line"),
    [
        # Nothing of it kept in place.
        ("Read our guide here.", "Automate your savings."),
        # Two words kept, but nothing a thesaurus links in the phrase put for another.
        ("Photo by Getty Images staff.", "Photo by Reuters."),
        # One word kept, though "stories" and "report" are linked.
        ("Read more stories here.", "Read the report."),
    ],
)
def test_a_short_line_of_the_pages_own_between_two_pairs_stays_added(
    scorer, written, original_line
):
    # A review: a page's own stock line in place of a dropped short sentence was paired
    # with it and read as a swap ("{Getty Images staff|Reuters}").
    original = SAVINGS.replace("Automate your savings.", original_line)
    suspect = original.replace(original_line, written)
    report = scorer.score(make_document(suspect), make_document(original))
    assert [d.text for d in report.deletions] == [original_line]
    assert [s.text for s in report.spans if s.kind == "insert"] == [written]


@pytest.mark.parametrize(
    ("original", "suspect", "swaps"),
    [
        # A trial: "said" moved to the end showed "{board, said|committee}" ...
        (
            '"We have never seen the water rise this quickly," said Councillor Peter Baker, '
            "who leads the town's emergency committee.",
            '"We have never seen the water ascend this fast," Councillor Peter Baker, who '
            "drives the town's crisis board, said.",
            {("board", "committee"), ("drives", "leads"), ("crisis", "emergency")},
        ),
        # ... and "said Fisher" for "Fisher said" made "crushed" for "gutted" an edit.
        (
            '"I was gutted after the penalty, but the lads kept believing in me," Fisher said.',
            '"I was crushed after the punishment, yet the chaps continued trusting in me," '
            "said Fisher.",
            {("crushed", "gutted"), ("chaps", "lads")},
        ),
    ],
)
def test_a_word_moved_within_its_sentence_stays_out_of_the_swaps(scorer, original, suspect, swaps):
    report = scorer.score(make_document(suspect), make_document(original))
    found = {(s.text, s.original) for s in report.spin_spans}
    assert swaps <= found
    assert not [s for s in report.spans if "said" in s.text and s.kind != "insert"]


def test_an_ordinal_written_out_is_a_number_restyled_not_a_swap(scorer):
    # A trial: "{fifteenth|15th}" counted as a swap among the sentence's spun words.
    report = scorer.score(
        make_document(
            "It was his fifteenth objective of the period. City remain in fourteenth spot."
        ),
        make_document("It was his 15th goal of the season. City stay in 14th place."),
    )
    assert report.verdict == "spun"
    restyled = [s for s in report.spans if s.original in ("15th", "14th")]
    assert restyled and not any(s.is_spin for s in restyled)
    assert report.note is None or "differ" not in report.note


@pytest.mark.parametrize(
    ("original", "suspect", "kind"),
    [
        # A review: the count is no article's: it changed, and stays a number edit.
        ("The court heard from one lawyer today.", "The court heard from three attorneys today.",
         "number"),
        ("It will close a factory soon.", "It will close four plants soon.", "insert"),
    ],
)  # fmt: skip
def test_a_changed_count_beside_a_swap_stays_apart(scorer, original, suspect, kind):
    tail = " The judge adjourned the hearing until June. The case resumes then."
    report = scorer.score(make_document(suspect + tail), make_document(original + tail))
    kinds = {s.text: s.kind for s in report.spans}
    count = "three" if "three" in suspect else "four"
    assert kinds.get(count) == kind, kinds


def test_a_phrase_moved_within_its_sentence_is_still_restructuring(scorer):
    # A review: a first version read any words dropped and added in one sentence as
    # moved, so an editor's fronted "On Friday" left the sentence "intact", and an
    # unexplained edit elsewhere ("volunteers" for "staff") turned into a swap.
    original = (
        "Residents complained about the noise on Friday. The council said the spring "
        "festival would go ahead. Organisers were pleased with the response. The mayor "
        "thanked the staff. Tickets sold quickly."
    )
    suspect = (
        "On Friday residents complained about the noise. The council said the summer "
        "festival would go ahead. Organisers were delighted with the response. The mayor "
        "thanked the volunteers. Tickets sold rapidly."
    )
    report = scorer.score(make_document(suspect), make_document(original))
    kinds = {s.text: s.kind for s in report.spans}
    assert kinds.get("volunteers") == "edit", kinds


def test_two_words_trading_places_keep_the_one_that_stayed(scorer):
    # A review: "Fisher said" -> "said Fisher" was split into "Fisher" dropped, "said"
    # for "said" and "Fisher" added.
    report = scorer.score(
        make_document('"It was a tough game," said Fisher. The team lost.'),
        make_document('"It was a hard game," Fisher said. The team lost.'),
    )
    assert [(s.text, s.kind) for s in report.spans if s.kind != "synonym"] in (
        [("said", "insert")],
        [("Fisher", "insert")],
    )
    assert len(report.deletions) == 1


def test_a_clause_cut_from_a_sentences_end_is_shown_before_its_full_stop(scorer):
    # Once "evening. [-and officials ... forests-] Health": after the stop, its comma lost.
    original = (
        "Firefighters battled a blaze that had burned 300 hectares by Monday evening, "
        "and officials banned the use of machinery in forests. Health officials said the "
        "heatwave would last until Thursday."
    )
    suspect = (
        "Firefighters battled a blaze that had burned 300 hectares by Monday evening. "
        "Health officials said the heatwave would last until Thursday."
    )
    report = scorer.score(make_document(suspect), make_document(original))
    [deletion] = report.deletions
    assert deletion.text == ", and officials banned the use of machinery in forests"
    assert suspect[: deletion.start].endswith("Monday evening")
    assert "evening [-, and officials" in render_text(report) or "evening[-, and" in render_text(
        report
    )
    # After a closing quote both keep, the cut starts past the quote (a review: `comes
    # [-", and ...-]"` repeated it).
    quoted = scorer.score(
        make_document(suspect.replace("evening.", 'evening "at the latest".')),
        make_document(original.replace("evening,", 'evening "at the latest",')),
    )
    [deletion] = quoted.deletions
    assert deletion.text == ", and officials banned the use of machinery in forests"
    # The text's last sentence, cut likewise, after its closing quote (once an IndexError).
    last = scorer.score(
        make_document('Crews were "ready for anything".'),
        make_document('Crews were "ready for anything", and officials banned fires.'),
    )
    [deletion] = last.deletions
    assert deletion.text == ", and officials banned fires" and deletion.start == 31


def test_a_common_noun_swapped_at_a_sentences_start_is_a_swap_and_a_name_stays_a_name(scorer):
    # "Organisers" -> "Coordinators" was a name edit: capitalised, as every first word is.
    original = (
        "The festival was cancelled weeks before it was due to open. Organisers said ticket "
        "sales had been slow and costs had risen sharply. Smith said the council would "
        "review the decision next month."
    )
    suspect = (
        "The celebration was scrapped weeks before it was expected to open. Coordinators said "
        "ticket deals had been slow and expenses had climbed steeply. Jones said the council "
        "would review the choice next month."
    )
    report = scorer.score(make_document(suspect), make_document(original))
    kinds = {s.text: s.kind for s in report.spans}
    assert kinds["Coordinators"] == "synonym"
    assert kinds["Jones"] == "name"
    # A name the thesaurus lacks, or one the text capitalises inside a sentence, stays a
    # name (a review: "Trump said" -> "Biden said" and "Amazon" -> "Walmart" were swaps).
    for old, new in (("Trump", "Biden"), ("Amazon", "Walmart"), ("Turkey", "Greece")):
        report = scorer.score(
            make_document(suspect.replace("Jones", new)),
            make_document(original.replace("Smith", old)),
        )
        assert {s.text: s.kind for s in report.spans}[new] == "name", (old, new)
    named = " The Coordinators Guild declined to comment."
    report = scorer.score(make_document(suspect + named), make_document(original + named))
    assert {s.text: s.kind for s in report.spans}["Coordinators"] == "name"


def test_a_possessive_stays_with_its_owner_in_a_swap(scorer):
    # Found by a new user: "kids' philanthropy" for "children's charity" gave
    # "{kids|children}' {philanthropy|'s charity}", which reads "children' 's charity".
    original = (
        "A former treasurer of a children's charity has been jailed for four years. "
        "The court heard that she hid the losses for years."
    )
    spun = (
        "A previous treasurer of a kids' philanthropy has been imprisoned for four years. "
        "The court heard that she concealed the losses for years."
    )
    report = scorer.score(make_document(spun), make_document(original))
    swaps = {(s.text, s.original) for s in report.spin_spans}
    assert {("kids'", "children's"), ("philanthropy", "charity")} <= swaps


@pytest.mark.parametrize(
    ("original", "spun", "shown"),
    [
        ("James's book was praised by critics.", "James' tome was lauded by critics.",
         "James' {tome|book}"),
        ("The council's decision was final.", "The council choice was final.",
         "The council {choice|decision}"),
        ("The council decision was final.", "The council's choice was final.",
         "The council[+'s+] {choice|decision}"),
    ],
)  # fmt: skip
def test_a_possessive_after_an_unchanged_owner_joins_no_swap(scorer, original, spun, shown):
    # A review's pairs: "James' {tome|'s book}" and "The council {choice|'s decision}".
    report = scorer.score(
        make_document(f"{SPUN_POLICY_LEAD} {spun}"), make_document(f"{POLICY_LEAD} {original}")
    )
    assert shown in render_text(report, color=False)


def test_a_day_dropped_beside_a_swap_is_no_part_of_it(scorer):
    # A review's pair: "yesterday morning" -> "forenoon" was one swap, the day hidden in it.
    report = scorer.score(
        make_document(f"{SPUN_POLICY_LEAD} Prices rose forenoon sharply."),
        make_document(f"{POLICY_LEAD} Prices rose yesterday morning sharply."),
    )
    assert "yesterday" in [d.text for d in report.deletions]
    assert not any("yesterday" in span.original for span in report.spans)
