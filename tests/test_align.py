from detector.align import align, content_overlap
from detector.document import make_document

ORIGINAL = (
    "The council approved the flood plan on Tuesday. "
    "It sets aside 240 million dollars for new homes and stronger walls. "
    "Critics said the city was moving too quickly because of political pressure. "
    "Construction will begin in the autumn."
)


def _pairs(alignment):
    return {(p.suspect, p.original) for p in alignment.sentence_pairs}


def test_identical_texts_align_as_one_equal_edit_per_sentence():
    doc = make_document(ORIGINAL)
    alignment = align(doc, doc)
    assert {e.op for e in alignment.edits} == {"equal"}
    assert _pairs(alignment) == {(i, (i, i + 1)) for i in range(4)}


def test_reordered_sentences_are_matched_to_their_originals():
    suspect = make_document(
        "Construction will begin in the autumn. "
        "Critics said the city was moving too quickly because of political pressure. "
        "The council approved the flood plan on Tuesday. "
        "It sets aside 240 million dollars for new homes and stronger walls."
    )
    alignment = align(suspect, make_document(ORIGINAL))
    assert _pairs(alignment) == {(0, (3, 4)), (1, (2, 3)), (2, (0, 1)), (3, (1, 2))}
    assert {e.op for e in alignment.edits} == {"equal"}


def test_dropped_and_added_sentences_become_deletes_and_inserts():
    suspect = make_document(
        "The council approved the flood plan on Tuesday. "
        "Residents cheered outside the hall as the vote was read out. "
        "Construction will begin in the autumn."
    )
    original = make_document(ORIGINAL)
    alignment = align(suspect, original)
    inserts = [e for e in alignment.edits if e.op == "insert"]
    deletes = [e for e in alignment.edits if e.op == "delete"]
    assert [suspect.text[slice(*e.suspect_chars)] for e in inserts] == [
        "Residents cheered outside the hall as the vote was read out"
    ]
    assert len(deletes) == 2
    assert original.text[slice(*deletes[0].original_chars)].startswith("It sets aside")


def test_merged_sentences_align_with_both_originals():
    suspect = make_document(
        "The council approved the flood plan on Tuesday, and it sets aside 240 million dollars "
        "for new homes and stronger walls. Construction will begin in the autumn."
    )
    alignment = align(suspect, make_document(ORIGINAL))
    assert (0, (0, 2)) in _pairs(alignment)


def test_word_edits_carry_character_offsets_on_both_sides():
    original = make_document("The company's staff completely rejected the report.")
    suspect = make_document("The corporate's employees utterly rejected the report.")
    alignment = align(suspect, original)
    subs = [
        (suspect.text[slice(*e.suspect_chars)], original.text[slice(*e.original_chars)])
        for e in alignment.edits
        if e.op == "substitute"
    ]
    assert subs == [("corporate", "company"), ("employees utterly", "staff completely")]


def test_heavily_spun_sentence_between_matched_neighbours_is_paired_by_position():
    original = make_document(
        "The vote was held on Tuesday evening in the town hall. "
        "He shows the children a big red car next week. "
        "Construction will begin in the autumn after the vote."
    )
    suspect = make_document(
        "The vote was held on Tuesday evening in the town hall. "
        "He presents the kids a large crimson automobile subsequent seven days. "
        "Construction will begin in the autumn after the vote."
    )
    assert (1, (1, 2)) in _pairs(align(suspect, original))


def test_content_overlap_separates_copies_from_unrelated_texts():
    original = make_document(ORIGINAL)
    unrelated = make_document("Scientists found a new species of frog in the rainforest of Peru.")
    assert content_overlap(original, original) == 1.0
    assert content_overlap(unrelated, original) < 0.1


def test_a_densely_spun_sentence_between_two_paired_ones_is_paired_whatever_its_words():
    # Its word sequence lines up with its original's at 0.21 only: a page's own sentences
    # at the ends of the text need more (0.25) to be paired by position, this one none.
    original = (
        "The city council met on Tuesday evening to discuss the new housing plan. Residents "
        "packed the hall to hear the proposals. Officials confirmed the bridge would reopen "
        "for traffic next week after lengthy repairs. The mayor thanked contractors for "
        "finishing the work ahead of schedule. The meeting ended shortly after nine o'clock."
    )
    suspect = original.replace(
        "Officials confirmed the bridge would reopen for traffic next week after lengthy repairs.",
        "Authorities verified that the overpass might resume for vehicles in a week "
        "following protracted mending.",
    )
    pairs = align(make_document(suspect), make_document(original)).sentence_pairs
    assert sorted((p.suspect, p.original) for p in pairs) == [(k, (k, k + 1)) for k in range(5)]


def test_a_three_word_sentence_spun_word_for_word_between_two_pairs_is_paired():
    # "Many parents disagree." -> "Numerous guardians dissent.": no word in common, so
    # its place and its synonyms pair it; it used to show as a sentence added and one
    # dropped.  Only with the thesaurus (``related``), never for a page's stock line.
    original = (
        "The school will move to a four-day week in September. Many parents disagree. "
        "At a meeting on Wednesday several said they had not been consulted."
    )
    synonyms = {("numerous", "many"), ("guardians", "parents"), ("dissent", "disagree")}

    def related(a: str, b: str) -> bool:
        return (a, b) in synonyms or (b, a) in synonyms

    def gaps(suspect: str, source: str = original, related=related) -> list[str]:
        alignment = align(make_document(suspect), make_document(source), related)
        return sorted(e.op for e in alignment.edits if e.op in ("insert", "delete"))

    spun = original.replace("Many parents disagree.", "Numerous guardians dissent.")
    alignment = align(make_document(spun), make_document(original), related)
    assert sorted((p.suspect, p.original) for p in alignment.sentence_pairs) == [
        (k, (k, k + 1)) for k in range(3)
    ]
    assert gaps(spun) == []
    assert gaps(spun, related=None) == ["delete", "insert"]
    # A stock line for a stock line, and a line two of whose words are unrelated.
    assert gaps(original.replace("Many parents disagree.", "Share this story.")) == [
        "delete",
        "insert",
    ]
    assert gaps(original.replace("Many parents disagree.", "Numerous readers object.")) == [
        "delete",
        "insert",
    ]
    # At the end of a text, or two short sentences in one gap, they pair next to a pair
    # when every word is the same or a synonym in place; with a word unexplained, not.
    last = "The school will move to a four-day week in September. Many parents disagree."
    assert gaps(last.replace("Many parents disagree.", "Numerous guardians dissent."), last) == []
    assert gaps(last.replace("Many parents disagree.", "Numerous readers object."), last) == [
        "delete",
        "insert",
    ]
    synonyms |= {("certain", "some"), ("educators", "teachers"), ("concur", "agree")}
    two = original.replace("Many parents disagree.", "Many parents disagree. Some teachers agree.")
    spun_two = two.replace("Many parents disagree.", "Numerous guardians dissent.").replace(
        "Some teachers agree.", "Certain educators concur."
    )
    assert gaps(spun_two, two) == []
    other_two = two.replace("Many parents disagree.", "Numerous readers object.").replace(
        "Some teachers agree.", "Certain viewers complain."
    )
    assert gaps(other_two, two) == ["delete", "delete", "insert", "insert"]


def test_a_densely_spun_sentence_beside_an_added_one_is_paired_by_its_facts():
    """Between two paired sentences, an added sentence and a densely spun one (little but
    its number left): the spun one is paired with its original, the added one is not (a
    helper found such a sentence shown as added and its original as dropped)."""
    original = make_document(
        "The mayor opened the new library on Monday. The library employs 14 people, most of "
        "them part-time workers from the local high school. Each of them will receive two "
        "weeks of training, the council said."
    )
    suspect = make_document(
        "The mayor opened the new library on Monday. Neighbourhood residents have started a "
        "petition asking the council to keep the old reading room open. The book depository "
        "utilizes 14 individuals, the greater part of them low maintenance laborers from the "
        "nearby secondary school. Each of them will receive two weeks of training, the "
        "council said."
    )
    pairs = {p.suspect: p.original for p in align(suspect, original).sentence_pairs}
    assert pairs[2] == (1, 2)
    assert 1 not in pairs
    # An added sentence with the same number, on either side of the spun one, does not
    # take its original (a review: first come, first paired made five false swaps of it).
    opening = "The mayor opened the new library on Monday. "
    added = "The council hired 14 new staff last year, most of them graduates of the city college. "
    spun = (
        "The book depository utilizes 14 individuals, the greater part of them low maintenance "
        "laborers from the nearby secondary school. "
    )
    closing = "Each of them will receive two weeks of training, the council said."
    for middle, spun_at in ((added + spun, 2), (spun + added, 1)):
        document = make_document(opening + middle + closing)
        pairs = {p.suspect: p.original for p in align(document, original).sentence_pairs}
        assert pairs == {0: (0, 1), spun_at: (1, 2), 3: (2, 3)}


def test_two_sentences_of_the_pages_own_in_place_of_two_dropped_ones_stay_unpaired():
    # Their skeletons line up with the dropped ones' by chance (0.18 and more: "the" ...
    # "the" ... "by"), which paired them by position and showed the added text as a
    # word-by-word edit of the dropped text; a spun pair of sentences keeps a word or
    # swaps one in place for a synonym.
    original = (
        "City officials said the Harbour Street bridge would reopen next month. "
        "The transport department said the final inspections would be completed by the "
        "end of the month. Work crews are now repainting the railings along the walkway. "
        "Local businesses on both sides of the river welcomed the news."
    )
    own = original.replace(
        "The transport department said the final inspections would be completed by the "
        "end of the month. Work crews are now repainting the railings along the walkway.",
        "The project was paid for in part by a federal grant, a spokesperson for the mayor "
        "added. Officials did not say when the tolls on the road would be reviewed.",
    )
    alignment = align(make_document(own), make_document(original), lambda a, b: False)
    assert _pairs(alignment) == {(0, (0, 1)), (3, (3, 4))}
    assert sorted(e.op for e in alignment.edits if e.op in ("insert", "delete")) == [
        "delete",
        "delete",
        "insert",
        "insert",
    ]
    # Both sentences of the gap spun so densely that they keep no word but function words:
    # a word swapped in place for a synonym pairs each (without one, they stay unpaired).
    spun = original.replace(
        "The transport department said the final inspections would be completed by the "
        "end of the month.",
        "The conveyance bureau stated the last examinations would be finished by the "
        "close of the period.",
    ).replace(
        "Work crews are now repainting the railings along the walkway.",
        "Labour teams are currently recoating the banisters beside the footpath.",
    )
    synonyms = {("stated", "said"), ("recoating", "repainting")}
    alignment = align(make_document(spun), make_document(original), lambda a, b: (a, b) in synonyms)
    assert _pairs(alignment) == {(k, (k, k + 1)) for k in range(4)}
    alignment = align(make_document(spun), make_document(original), lambda a, b: False)
    assert _pairs(alignment) == {(0, (0, 1)), (3, (3, 4))}


def test_a_credit_line_sharing_only_a_name_with_the_byline_is_not_its_edit():
    # A syndicated copy moves the reporter's name from the byline to a credit line at
    # the end (two trials): pairing them showed "[editing by Mark Lyons|Economics
    # Correspondent]"; they are a dropped and an added line.
    body = (
        "The national unemployment rate fell to 3.9 per cent in February, its lowest level "
        "in 12 years. Economists had expected the rate to stay the same. The Treasury said "
        "the plan was working."
    )
    original = f"By James Whitfield, Economics Correspondent\n\n{body}"
    copy = f"By Wire Staff\n\n{body}\n\n(Reporting by James Whitfield; editing by Mark Lyons)"
    alignment = align(make_document(copy), make_document(original), lambda a, b: False)
    assert {(1, (1, 2)), (2, (2, 3)), (3, (3, 4))} <= _pairs(alignment)
    assert all(p.suspect != 4 for p in alignment.sentence_pairs)
    # A spun sentence sharing only names, in its place, is still paired.
    spun = original.replace("Economists had expected", "Analysts had anticipated")
    spun = spun.replace("By James Whitfield, Economics Correspondent", "By James Whitfield")
    alignment = align(make_document(spun), make_document(original), lambda a, b: False)
    assert any(p.suspect == 0 and p.original == (0, 1) for p in alignment.sentence_pairs)


_SPLIT_ORIGINAL = (
    "The city council approved a new budget for public libraries on Tuesday, and officials "
    "said the plan would add funding for evening opening hours at twelve branches across "
    "the borough. Council leader Maria Hughes said the vote was a victory for readers. The "
    "first extended hours begin in September."
)
_SPLIT_COPY = (
    "The city council endorsed a new budget for public libraries on Tuesday. Officials "
    "stated that the plan would add financing for evening opening hours at twelve branches "
    "across the borough. Council leader Maria Hughes said the vote was a triumph for "
    "readers. The first extended hours begin in September."
)


def test_a_sentence_split_in_two_is_aligned_whole_not_each_half_against_all_of_it():
    # A trial's light spin: each half was aligned with the whole original sentence, the
    # other half counted dropped, and the gaps (31 of 49 paired words) made the copy read
    # as a human rewrite, `not_spun`.
    alignment = align(make_document(_SPLIT_COPY), make_document(_SPLIT_ORIGINAL))
    assert {(0, (0, 1)), (1, (0, 1))} <= _pairs(alignment)
    assert alignment.count_within_pairs("delete") <= 1
    assert alignment.count_within_pairs("insert") <= 1
    kept = sum(hi - lo for e in alignment.edits if e.op == "equal" for lo, hi in [e.original_words])
    assert kept >= 40
