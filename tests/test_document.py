from detector.document import make_document, normalise


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
