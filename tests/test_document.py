"""Tokenising and sentence splitting: offsets into the text as read."""

from __future__ import annotations

import pytest

from detector.document import make_document, normalise

from .conftest import EXAMPLES


def test_normalise_keeps_length_and_straightens_quotes_and_dashes():
    text = "“Kyiv’s army” – still\u00a0fighting…"
    plain = normalise(text)
    assert len(plain) == len(text)
    assert plain == '"Kyiv\'s army" - still fighting.'


def test_words_have_offsets_into_the_original_text():
    text = "The company’s staff met 1,000 people in the U.S. on 27th April — COVID-19."
    doc = make_document(text)
    assert doc.words == (
        "the",
        "company",
        "'s",
        "staff",
        "met",
        "1,000",
        "people",
        "in",
        "the",
        "u.s",
        "on",
        "27th",
        "april",
        "covid-19",
    )
    for word, start, end in zip(doc.words, doc.starts, doc.ends, strict=True):
        assert normalise(text[start:end]).lower() == word


def test_sentences_split_on_terminal_punctuation_but_not_abbreviations():
    doc = make_document("Mr. Smith arrived. He met Dr. Jones at 3 p.m. today! Was it late? Yes.")
    sentences = [doc.surface(lo, hi) for lo, hi in doc.sentences]
    assert sentences == [
        "Mr. Smith arrived",
        "He met Dr. Jones at 3 p.m. today",
        "Was it late",
        "Yes",
    ]


def test_hard_line_wraps_inside_a_sentence_do_not_split_it():
    text = (
        "The minister said the plan would\ngo ahead next week, despite the\n"
        "protests.\nA new line starts here."
    )
    doc = make_document(text)
    assert len(doc.sentences) == 2
    assert doc.surface(*doc.sentences[0]).endswith("despite the\nprotests")


def test_headline_lines_without_punctuation_are_sentences():
    doc = make_document("Council backs flood plan\nThe council voted on Tuesday.")
    assert [doc.surface(lo, hi) for lo, hi in doc.sentences] == [
        "Council backs flood plan",
        "The council voted on Tuesday",
    ]


def test_crlf_text_keeps_offsets():
    text = "First line here.\r\nSecond line here.\r\n"
    doc = make_document(text)
    assert len(doc.sentences) == 2
    assert text[doc.starts[3] : doc.ends[3]] == "Second"


# The plain definitions of tokenising and sentence splitting, one match and one gap at a
# time; make_document computes the same thing without a Python step per word.
def _reference_tokens(plain: str) -> tuple[list[str], list[int], list[int]]:
    from detector.document import _WORD

    words, starts, ends = [], [], []
    for m in _WORD.finditer(plain):
        word, (start, end) = m.group().lower(), m.span()
        if word.endswith("'s") and len(word) > 2:
            words += (word[:-2], "'s")
            starts += (start, end - 2)
            ends += (end - 2, end)
        else:
            words.append(word)
            starts.append(start)
            ends.append(end)
    return words, starts, ends


def _reference_sentences(plain, words, starts, ends) -> list[tuple[int, int]]:
    from detector.document import _ends_sentence

    sentences, lo = [], 0
    for k in range(len(words) - 1):
        gap = plain[ends[k] : starts[k + 1]]
        if gap != " " and _ends_sentence(gap, words[k], plain[starts[k + 1] : ends[k + 1]]):
            sentences.append((lo, k + 1))
            lo = k + 1
    if words:
        sentences.append((lo, len(words)))
    return sentences


TRICKY = [
    "",
    "   ",
    "'s",
    "Bob's BOB'S cat's 's x's the U.S.'s 1990's",
    'Mr. Smith went.\nHe said\n\nNo. U.S. troops left! "Yes" ... ok?  Fine.\r\nEnd',
    "É's İstanbul's Ça'S ÖL élan ñandú, São Paulo’s café — naïve. Straße! ß. ǅemal.",
    "word\n",
    "\n\nword\n\nword.",
    ".start end.",
    "3.5% of 1,000 people at 2:30 on 24/7 x-ray COVID-19 a.m. p.m. e.g. i.e.",
    "Über 50 % — „Zitat“ «guillemets» ‘single’ “double” hyphen‐ated minus−sign…",
    "日本語 テキスト and 中文. Ελληνικά κείμενο. Кириллица текст!",
    "snake_case under_score __init__ a_b",
]


@pytest.mark.parametrize("text", TRICKY)
def test_make_document_matches_the_plain_definitions(text):
    doc = make_document(text)
    plain = normalise(text)
    words, starts, ends = _reference_tokens(plain)
    assert (list(doc.words), list(doc.starts), list(doc.ends)) == (words, starts, ends)
    assert list(doc.sentences) == _reference_sentences(plain, words, starts, ends)


def test_make_document_matches_the_plain_definitions_on_the_examples():
    for path in sorted(EXAMPLES.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        doc = make_document(text)
        plain = normalise(text)
        words, starts, ends = _reference_tokens(plain)
        assert list(doc.words) == words, path.name
        assert list(doc.sentences) == _reference_sentences(plain, words, starts, ends)
