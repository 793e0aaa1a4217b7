"""Swaps beyond one thesaurus (issue 12): short swaps read by the document around them.

A spinner that draws on another thesaurus leaves swaps Moby cannot explain
("fish" -> "aquatic vertebrate").  Inside a document that reads as spun (the
thesaurus confirms several swaps, and the changed sentences were changed by
short swaps alone) such a swap is a synonym; names for names, numbers and
dates for numbers and dates, spelling changes and restructurings stay
ordinary edits, and so does every swap in a rewritten (simplified) document.
"""

import pytest

from detector.align import align
from detector.document import make_document
from detector.judge import SubstitutionJudge

# Two spun sentences whose seven swaps Moby lists: the setting that makes a document read as spun.
SPUN_SETTING = [
    (
        "The hospital said its staff worked quickly through the night.",
        "The infirmary stated its employees worked rapidly through the night.",
    ),
    (
        "Officials bought a big building near the river last year.",
        "Officials purchased a large building near the stream last year.",
    ),
]


def _judged(judge: SubstitutionJudge, pairs: list[tuple[str, str]]):
    original = make_document(" ".join(o for o, _ in pairs))
    suspect = make_document(" ".join(s for _, s in pairs))
    return judge.judge(align(suspect, original))


def _kinds(judge: SubstitutionJudge, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    return {(s.original, s.text): s.kind for s in _judged(judge, pairs)}


def test_the_setting_alone_is_confirmed_by_the_thesaurus(judge):
    kinds = _kinds(judge, SPUN_SETTING)
    assert sum(kind == "synonym" for kind in kinds.values()) == 7
    assert set(kinds.values()) == {"synonym"}


@pytest.mark.parametrize(
    ("template", "old", "new", "kind"),
    [
        # a word for a WordNet hypernym phrase: no Moby link, no close embedding
        ("The {} swam upstream.", "fish", "aquatic vertebrate", "synonym"),
        # sense-blind swaps of another thesaurus
        ("She waited {} for news.", "eagerly", "thirstily", "synonym"),
        ("A deal looked {} then.", "unlikely", "farfetched", "synonym"),
        # a glue rewrite of function words that the glue table lacks
        ("The cost rose {} ten pounds.", "up to", "as much as", "phrase"),
        # a name or a date replaced by a common word
        ("They asked {} to speak.", "Mike", "Microphone", "synonym"),
        ("The vote was held on {}.", "Thursday", "Weekday", "synonym"),
        # corrections stay ordinary edits
        ("Mr {} said the plan was ready.", "Smith", "Jones", "name"),
        ("The vote was held on {}.", "Tuesday", "Wednesday", "number"),
        ("Prices rose by {} per cent.", "4", "5", "number"),
        # a spelling change and a restructuring that keeps its word are no swaps
        ("The {} of the wall changed.", "colour", "color", "edit"),
        ("Exercise {} patients recover.", "helps", "can help", "edit"),
    ],
)
def test_a_short_swap_in_a_spun_document(judge, lexicon, template, old, new, kind):
    assert not lexicon.are_synonyms(old.lower(), new.lower())
    pairs = [*SPUN_SETTING, (template.format(old), template.format(new))]
    assert _kinds(judge, pairs)[(old, new)] == kind


def test_a_swap_beyond_the_thesaurus_is_scored_as_a_swap(judge):
    spans = _judged(
        judge, [*SPUN_SETTING, ("The fish swam upstream.", "The aquatic vertebrate swam upstream.")]
    )
    (fish,) = [s for s in spans if s.original == "fish"]
    assert fish.is_spin
    assert fish.score == pytest.approx(
        judge.spin_probability("fish", "aquatic vertebrate", "synonym")
    )
    assert 0.5 < fish.score < 1.0  # a common word for a rarer phrase: spinner-like


def test_a_lone_swap_in_an_unchanged_document_stays_an_edit(judge):
    # Nothing else says spinner: an editor may have written "aquatic vertebrate".
    kinds = _kinds(judge, [("The fish swam upstream.", "The aquatic vertebrate swam upstream.")])
    assert kinds == {("fish", "aquatic vertebrate"): "edit"}


def test_two_thesaurus_swaps_are_not_yet_a_spun_document(judge):
    pairs = [
        ("Officials bought a big building.", "Officials purchased a large building."),
        ("The fish swam upstream.", "The aquatic vertebrate swam upstream."),
    ]
    assert _kinds(judge, pairs)[("fish", "aquatic vertebrate")] == "edit"


# A simplified rewrite: the editor adds, drops and reorders words in most sentences,
# and swaps in plainer words, several of them ones Moby lists.
SIMPLIFIED = [
    (
        "The hospital said its staff worked quickly through the night.",
        "The hospital said that its employees worked very fast all through the night.",
    ),
    (
        "Officials bought a big building near the river last year.",
        "Last year officials purchased a large new building by the river.",
    ),
    (
        "The project will cost approximately ten million pounds in total.",
        "The project will cost about ten million pounds.",
    ),
    (
        "Many residents had reservations about the plan.",
        "Many residents had worries about the plan.",
    ),
]


def test_swaps_in_a_simplified_document_stay_edits(judge):
    kinds = _kinds(judge, SIMPLIFIED)
    assert sum(kind == "synonym" for kind in kinds.values()) >= 3  # the thesaurus still speaks
    assert kinds[("reservations", "worries")] == "edit"  # the sentence is intact, the document not


def test_an_editors_plainer_word_scores_low(judge, scorer):
    # "approximately" -> "about" is a Moby synonym and stays a synonym span, but a
    # plainer word for a rarer one scores low, and the rewrite is not called spun.
    spans = _judged(judge, SIMPLIFIED)
    (about,) = [s for s in spans if s.original == "approximately"]
    assert about.kind == "synonym"
    assert about.score < 0.5
    original = make_document(" ".join(o for o, _ in SIMPLIFIED))
    suspect = make_document(" ".join(s for _, s in SIMPLIFIED))
    assert scorer.score(suspect, original).verdict != "spun"


# More spun sentences, each changed by Moby swaps alone.
MORE_SPUN = [
    ("A big crowd gathered near the station.", "A large crowd gathered near the station."),
    ("The doctor said the patient was happy.", "The doctor stated the patient was glad."),
    (
        "Workers began to build the bridge in spring.",
        "Workers started to construct the bridge in spring.",
    ),
    (
        "The teacher gave the pupils a difficult test.",
        "The teacher gave the pupils a hard test.",
    ),
    ("Police tried to stop the angry crowd.", "Police attempted to halt the angry crowd."),
    ("The small shop sells fresh bread.", "The little shop sells fresh bread."),
    ("Many people want cheap houses.", "Many people want inexpensive houses."),
    ("The mayor bought new buses quickly.", "The mayor purchased new buses rapidly."),
]


def test_a_swap_in_a_sentence_the_suspect_also_rewrote_stays_an_edit(judge):
    # Nine of the ten changed sentences were changed by swaps alone: the document
    # reads as spun, but the fish sentence also gained a word, an editor's hand.
    rewrote = ("The fish swam upstream.", "The aquatic vertebrate swam slowly upstream.")
    assert (
        _kinds(judge, [*SPUN_SETTING, *MORE_SPUN[:-1], rewrote])[("fish", "aquatic vertebrate")]
        == "edit"
    )
    swapped = ("The fish swam upstream.", "The aquatic vertebrate swam upstream.")
    assert (
        _kinds(judge, [*SPUN_SETTING, *MORE_SPUN[:-1], swapped])[("fish", "aquatic vertebrate")]
        == "synonym"
    )


def test_a_spun_document_needs_nearly_every_changed_sentence_left_standing(judge):
    # Two of six changed sentences also gained words: too many for a spinner.
    pairs = [
        *SPUN_SETTING,
        ("The mayor bought new buses quickly.", "The mayor purchased new buses very rapidly."),
        (
            "A big crowd gathered near the station.",
            "A large crowd gathered right near the station.",
        ),
        ("Many people want cheap houses.", "Many people want inexpensive houses."),
        ("The fish swam upstream.", "The aquatic vertebrate swam upstream."),
    ]
    assert _kinds(judge, pairs)[("fish", "aquatic vertebrate")] == "edit"


def test_several_words_said_in_fewer_stay_an_edit(judge):
    # An editor condenses; a spinner swaps a word or two for as many or more.
    pair = ("The critic is highly critical of the film.", "The critic criticizes the film.")
    kinds = _kinds(judge, [*SPUN_SETTING, *MORE_SPUN, pair])
    assert kinds[("is highly critical of", "criticizes")] == "edit"


def test_a_word_added_beside_a_thesaurus_swap_joins_it_in_a_spun_document(judge):
    # Moby lists "contracts" / "agreements"; the spinner's phrase adds "written".
    pair = (
        "The firm signed new contracts last week.",
        "The firm signed new written agreements last week.",
    )
    assert _kinds(judge, [pair]) == {
        ("", "written"): "edit",
        ("contracts", "agreements"): "synonym",
    }
    kinds = _kinds(judge, [*SPUN_SETTING, pair])
    assert kinds[("contracts", "written agreements")] == "synonym"
    assert ("", "written") not in kinds


def test_a_known_rewrite_that_keeps_a_word_is_one_swap(judge):
    # "next month" -> "one month from now" aligns as next/one, the kept "month" and an
    # insertion, here beside another swap ("meeting" -> "gathering").
    pair = (
        "The council will vote at its meeting next month.",
        "The council will vote at its gathering one month from now.",
    )
    kinds = _kinds(judge, [pair])
    assert kinds == {
        ("meeting", "gathering"): "synonym",
        ("next month", "one month from now"): "phrase",
    }


def test_a_rewrite_that_keeps_a_word_but_no_table_knows_stays_apart(judge):
    # "last week" -> "a week ago": an editor's rewrite as often as a spinner's.
    pair = (
        "A paper reported last week that the shop was sold.",
        "A paper reported a week ago that the shop was sold.",
    )
    spans = _judged(judge, [pair])
    assert ("last", "a") in [(s.original, s.text) for s in spans]
    assert not any(s.is_spin for s in spans)


def test_a_rewrite_that_keeps_a_word_completes_a_spun_documents_setting(judge):
    # With the rewrite read whole, every changed sentence is changed by swaps alone,
    # so a word added beside a thesaurus swap joins it.
    pairs = [
        *SPUN_SETTING,
        (
            "The firm signed new contracts last week.",
            "The firm signed new written agreements last week.",
        ),
        ("The council meets next month.", "The council meets one month from now."),
    ]
    kinds = _kinds(judge, pairs)
    assert kinds[("contracts", "written agreements")] == "synonym"
    assert kinds[("next month", "one month from now")] == "phrase"


def test_words_dropped_beside_a_known_rewrite_stay_dropped():
    # Read as one swap, "one month from now unless rates fall" -> "next month" would hide
    # the dropped clause: the rewrite is joined only when nothing else is dropped with it.
    from detector.score import score_texts

    original = (
        " ".join(o for o, _ in SPUN_SETTING) + " Prices will rise next month unless rates fall."
    )
    suspect = " ".join(s for _, s in SPUN_SETTING) + " Prices will rise one month from now."
    report = score_texts(suspect, original)
    assert [d.text for d in report.deletions] == ["unless rates fall"]


def test_a_closed_compound_is_read_as_the_thesaurus_s_hyphenated_term(scorer):
    # A trial's spun hospital page: "Wellbeing authorities" for "Health officials" was
    # a name edit: Moby lists "well-being", and "wellbeing" was unknown to it.
    report = scorer.score(
        make_document("Wellbeing authorities said they wanted to open comparable centres."),
        make_document("Health officials said they wanted to open similar centres."),
    )
    assert [(s.kind, s.original) for s in report.spans] == [
        ("synonym", "Health"),
        ("synonym", "officials"),
        ("synonym", "similar"),
    ]
    # A word the thesaurus knows is never read as another term.
    report = scorer.score(
        make_document("She sent an mail to the team on Monday."),
        make_document("She sent an email to the team on Monday."),
    )
    assert [s.kind for s in report.spans] == ["edit"]
