import pytest

from detector.align import align
from detector.document import make_document
from detector.report import SPIN_KINDS


def _spans(judge, original: str, suspect: str):
    alignment = align(make_document(suspect), make_document(original))
    return [(s.text, s.original, s.kind) for s in judge.judge(alignment)]


def test_adjacent_swaps_are_separate_spans(judge):
    spans = _spans(
        judge,
        "The staff completely rejected the report about the hospital.",
        "The employees utterly rejected the report about the infirmary.",
    )
    assert spans == [
        ("employees", "staff", "synonym"),
        ("utterly", "completely", "synonym"),
        ("infirmary", "hospital", "synonym"),
    ]


@pytest.mark.parametrize(
    ("original", "suspect", "expected"),
    [
        ("He said the plan was good.", "He stated the plan was good.", ("stated", "said")),
        ("The report shows the risk.", "The report presents the risk.", ("presents", "shows")),
        ("Rebels attacked the town.", "Rebels assaulted the town.", ("assaulted", "attacked")),
        ("The children played outside.", "The kids played outside.", ("kids", "children")),
        # "people", an irregular plural lemminflect reads as a lemma, is "person"'s plural.
        (
            "Many people came to the meeting.",
            "Many individuals came to the meeting.",
            ("individuals", "people"),
        ),
        # A hyphenated plural the lemmatiser leaves as it is, read as its singular.
        (
            "Adults over 60 who sleep badly are at risk.",
            "Grown-ups over 60 who sleep badly are at risk.",
            ("Grown-ups", "Adults"),
        ),
        # A plural the thesaurus lacks ("nourishments"), read as its singular, in a name.
        (
            "Shares in Greenfield Foods fell on Monday.",
            "Shares in Greenfield Nourishments fell on Monday.",
            ("Nourishments", "Foods"),
        ),
    ],
)
def test_inflected_synonyms_are_found_through_their_lemmas(judge, original, suspect, expected):
    assert _spans(judge, original, suspect) == [(*expected, "synonym")]


@pytest.mark.parametrize(
    ("original", "suspect", "expected"),
    [
        (
            "It closed because of the storm.",
            "It closed on account of the storm.",
            ("on account", "because"),
        ),
        ("They met in order to talk.", "They met so as to talk.", ("so as", "in order")),
        ("They spent a lot of money.", "They spent plenty of money.", ("plenty", "a lot")),
        (
            "We will meet for example here.",
            "We will meet as an illustration here.",
            ("as an illustration", "for example"),
        ),
        (  # six words: longer than a thesaurus term, as long as the table's longest
            "It was needed because the town had waited.",
            "It was needed in light of the fact that the town had waited.",
            ("in light of the fact that", "because"),
        ),
    ],
)
def test_glue_phrase_rewrites_are_spin(judge, original, suspect, expected):
    (span,) = _spans(judge, original, suspect)
    assert span[:2] == expected
    assert span[2] in SPIN_KINDS  # "a lot" / "plenty" is also a thesaurus pair


def test_what_public_spinners_write_is_a_phrase_swap(judge):
    # Documented spinner outputs, a tortured term among them: without the table's rows,
    # "As per" is an ordinary edit and the term two swaps restored word by word.
    spans = _spans(
        judge,
        "According to the team, big data helps.",
        "As per the team, colossal information helps.",
    )
    assert spans == [
        ("As per", "According to", "phrase"),
        ("colossal information", "big data", "phrase"),
    ]


def test_multiword_composition_next_week(judge):
    spans = _spans(
        judge,
        "The vote is next week in the hall.",
        "The vote is subsequent seven days in the hall.",
    )
    assert spans == [("subsequent", "next", "synonym"), ("seven days", "week", "phrase")]


@pytest.mark.parametrize(
    ("original", "suspect", "kind"),
    [
        (
            "Zelensky said on Sunday that troops held.",
            "Zelensky said on April 27 that troops held.",
            "number",
        ),
        ("The vote was 31 to 12 in favour.", "The vote was 31-12 in favour.", "number"),
        ("Zelensky met the envoy in Kyiv.", "Zelenskyy met the envoy in Kyiv.", "name"),
        ("He was calling for increased pressure.", "He was calling to increase pressure.", "edit"),
    ],
)
def test_numbers_dates_names_and_corrections_are_ordinary_edits(judge, original, suspect, kind):
    spans = _spans(judge, original, suspect)
    assert [k for _, _, k in spans] == [kind]


@pytest.mark.parametrize(
    ("original", "suspect"),
    [
        ("Mr Zelensky said the army held.", "Zelensky said the army held."),
        ("Troops in the U.S. waited.", "Troops in the US waited."),
        ("It rose 20 per cent this year.", "It rose 20 percent this year."),
    ],
)
def test_dropped_honorifics_and_spelling_variants_are_not_spans(judge, original, suspect):
    assert _spans(judge, original, suspect) == []


def test_rewritten_clause_is_an_edit_even_if_a_synonym_hides_in_it(judge):
    spans = _spans(
        judge,
        "Putin wanted an end to the war, officials said.",
        "Putin wanted to stop the fighting that has killed thousands of people, officials said.",
    )
    assert spans and all(kind == "edit" for _, _, kind in spans)


def test_span_offsets_index_both_texts(judge):
    original = make_document("The company’s staff completely rejected the report.")
    suspect = make_document("The company’s employees utterly rejected the report.")
    for span in judge.judge(align(suspect, original)):
        assert suspect.text[span.start : span.end] == span.text
        assert original.text[span.original_start : span.original_end] == span.original


def test_spinner_swaps_score_higher_than_editor_swaps(judge):
    spinner = judge.spin_probability("hospital", "infirmary", "synonym")
    editor = judge.spin_probability("purchase", "buy", "synonym")
    assert spinner > 0.8 > 0.5 > editor  # "purchase" -> "buy" is what editors do


@pytest.mark.parametrize(
    ("old", "new", "kind"),
    [
        ("hospital", "infirmary", "synonym"),
        ("staff", "employees", "synonym"),
        ("because of", "on account of", "phrase"),
        ("big", "large", "synonym"),
        ("notaword", "zzz", "synonym"),
    ],
)
def test_spin_probability_is_the_span_model_over_span_features(judge, old, new, kind):
    expected = judge.weights.span.probability(judge.span_features(old, new, kind))
    assert judge.spin_probability(old, new, kind) == pytest.approx(expected, abs=1e-12)


def test_lexicon_id_questions_agree_with_the_term_questions(lexicon):
    for a, b in [("said", "stated"), ("increased", "increase"), ("staff", "cane"), ("x", "y")]:
        ids_a, ids_b = lexicon.form_ids(a), lexicon.form_ids(b)
        assert lexicon.ids_are_synonyms(ids_a, ids_b) == lexicon.are_synonyms(a, b)
        assert lexicon.ids_share_lemma(ids_a, ids_b) == lexicon.same_lemma(a, b)
    assert lexicon.are_synonyms("staff", "employees")
    assert lexicon.same_lemma("increased", "increase")
    assert lexicon.synonym_count("staff") == len(lexicon.synonyms("staff")) > 10


def test_judge_validates_its_parameters(lexicon):
    from detector.judge import SubstitutionJudge

    with pytest.raises(ValueError, match="'max_block_words' parameter"):
        SubstitutionJudge(lexicon, max_block_words=0)


def test_a_plural_s_possessive_apostrophe_goes_with_the_swap():
    from detector.score import score_texts

    original = "She stole money from a children's charity, the parents' group said."
    suspect = "She pilfered money from a kids' charity, the guardians' group said."
    report = score_texts(suspect, original)
    swaps = {suspect[s.start : s.end]: s.original for s in report.spans}
    # Put back, the restoration reads "children's charity", not "children's' charity";
    # where both sides keep the apostrophe outside, it stays outside.
    assert swaps == {"pilfered": "stole", "kids'": "children's", "guardians": "parents"}
    kids = next(s for s in report.spans if s.original == "children's")
    assert original[kids.original_start : kids.original_end] == "children's"


def test_a_surname_ending_in_s_is_no_plural(judge):
    # "adam" lists "clay": read as a plural, "Adams" -> "Clay" would be a swap.
    spans = _spans(
        judge,
        "The report was written by Professor Helen Adams of the university.",
        "The report was written by Professor Helen Clay of the university.",
    )
    assert [kind for _, _, kind in spans] == ["name"]


def test_people_is_read_as_persons_only_where_that_makes_a_synonym(judge):
    kind = judge._piece_kind
    assert kind("people", "individuals", False)[0] == "synonym"
    assert kind("people", "persons", False)[0] == "synonym"  # as before: Moby lists it
    assert kind("person", "people", False) is None  # not the same word in two forms


def test_a_function_word_kept_in_a_rewritten_block_stays_unchanged(judge):
    # Moby lists "and" among the synonyms of "take": the cover once paired "took" with
    # the copy's own "and" and showed "{and|and took}" beside "{went ahead|the lead}".
    spans = _spans(
        judge,
        "The visitors started brighter and took the lead after 12 minutes.",
        "The visitors started more brilliant and went ahead after 12 minutes.",
    )
    assert all(text != "and" for text, _, _ in spans), spans
    assert ("went ahead", "the lead", "synonym") in spans


@pytest.mark.parametrize(
    ("original", "suspect", "expected"),
    [
        ("for the third time in a decade.", "for the third time in ten years.", "ten years"),
        ("for the third time in ten years.", "for the third time in a decade.", "a decade"),
    ],
)
def test_a_count_for_an_article_joins_the_swap_beside_it(judge, original, suspect, expected):
    # Once "[+ten+] {years|a decade}" and "[a|ten] {decade|years}".
    spans = _spans(judge, "She said so " + original, "She said so " + suspect)
    assert [text for text, _, _ in spans] == [expected]


@pytest.mark.parametrize(
    ("original", "suspect", "expected"),
    [
        (
            "Hundreds of residents were evacuated on Tuesday.",
            "Many occupants were cleared on Tuesday.",
            ("Many", "Hundreds of"),
        ),
        (
            "Many occupants were cleared on Tuesday.",
            "Hundreds of residents were evacuated on Tuesday.",
            ("Hundreds of", "Many"),
        ),
    ],
)
def test_an_of_after_a_quantity_stays_with_the_quantity(judge, original, suspect, expected):
    # Once "[Many|Hundreds] {occupants|of residents}": the "of" joined the swap after it.
    spans = _spans(judge, original, suspect)
    assert expected in [(text, was) for text, was, _ in spans], spans
    swapped = {(text, was) for text, was, kind in spans if kind == "synonym"}
    assert swapped & {("occupants", "residents"), ("residents", "occupants")}, spans


def test_a_word_joining_two_sentences_is_no_part_of_the_swap_before_it(judge):
    # Once "{moment when|minute}": the added "when" that joins two sentences went into
    # the swap before it.
    spans = _spans(
        judge,
        "It came in the 88th minute. Fisher turned his marker and fired into the corner.",
        "It came in the 88th moment when Fisher turned his marker and terminated into the corner.",
    )
    assert ("moment", "minute", "synonym") in spans, spans
    assert all("when" not in text or kind not in ("synonym", "phrase") for text, _, kind in spans)


def test_a_spun_word_written_like_part_of_a_name_anchors_nothing(judge):
    # The spinner's "avenue" for "street" once anchored on the original's "Carver Avenue":
    # seven words shown added and seven dropped instead of the swaps.
    spans = _spans(
        judge,
        "One business owner on Carver Avenue said delivery trucks had begun avoiding "
        "her street because of its condition.",
        "One commerce proprietor on Carver Boulevard stated conveyance lorries had "
        "commenced evading her avenue on account of its state.",
    )
    assert ("avenue", "street", "synonym") in spans, spans
    assert ("lorries", "trucks", "synonym") in spans, spans


def test_a_number_written_another_way_stays_apart_from_the_word_beside_it(judge):
    # Once "[only twelve|just 12]": the number's restyling hid the word changed beside it.
    spans = _spans(
        judge,
        "The frog measures just 12 millimetres long.",
        "The frog measures only twelve millimetres long.",
    )
    assert [(text, was) for text, was, _ in spans] == [("only", "just"), ("twelve", "12")]
    # A date stays whole (a review: "12 May" -> "twelve June" was split).
    spans = _spans(judge, "The body was found on 12 May.", "The body was found on twelve June.")
    assert [(text, was) for text, was, _ in spans] == [("twelve June", "12 May")]


def test_an_adjective_graded_with_more_for_its_comparative_is_a_swap(judge):
    # Once "[more slow|slower]": an ordinary edit, though no editor writes it.
    spans = _spans(
        judge,
        "Bush said ticket sales had been slower than expected.",
        "Bush said ticket deals had been more slow than anticipated.",
    )
    assert ("more slow", "slower", "synonym") in spans, spans
