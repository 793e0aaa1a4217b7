"""People's names made of ordinary words: found, and left out of what the lm models count."""

from __future__ import annotations

from detector.document import make_document
from detector.lexicon import Lexicon
from detector.lm_judge import LMReading, UnitReading
from detector.names import name_positions, without_names


def _names(lexicon: Lexicon, text: str) -> list[str]:
    document = make_document(text)
    return [document.surface(i, i + 1) for i in sorted(name_positions(document, lexicon))]


def test_a_surname_the_thesaurus_lists_is_a_name_wherever_the_article_names_with_it(lexicon):
    # Moby lists "farrow" (a litter of pigs): the judge restored the baker's name as "Young".
    text = (
        "The bakery will close next month, owner Denise Farrow said on Tuesday. "
        "Farrow, 67, said rising costs had made the business impossible to sustain."
    )
    assert "farrow" in lexicon and "denise" not in lexicon
    assert _names(lexicon, text) == ["Farrow", "Farrow"]  # beside "Denise", and alone after


def test_a_spinners_mangled_name_is_no_name(lexicon):
    # Beside words the thesaurus knows, a capitalised word stays judged ("Bill Doors" for
    # "Bill Gates", "Bread Kitchen" for "Bakery").
    assert _names(lexicon, "The founder Bill Doors spoke at the Harbor Street Bread Kitchen.") == []
    # Beside a name's own word, one nobody is called by is a spinner's swap ("Maria
    # Dramatist" for "Maria Miller", "Effect Drakeford" for "Mark Drakeford").
    text = "Maria Dramatist, the minister, agreed with Effect Drakeford on Monday."
    assert "maria" not in lexicon and "drakeford" not in lexicon
    assert "dramatist" in lexicon and "effect" in lexicon
    assert _names(lexicon, text) == []
    assert _names(lexicon, "Maria Miller, the minister, agreed with Mark Drakeford.") == [
        "Miller",
        "Mark",
    ]


def test_a_given_name_and_a_surname_together_are_a_name(lexicon):
    # Both are thesaurus words, so neither is a name's own word: the pair says it.
    assert all(w in lexicon for w in ("grace", "hill", "bill", "frost", "doors"))
    text = "The founder, Grace Hill, thanked Bill Frost. Hill said Bill Doors had left."
    # "Doors" is no surname: a spinner's "Bill Doors" for "Bill Gates" stays judged
    # (its "Bill" is a name, as everywhere else in the article).
    assert _names(lexicon, text) == ["Grace", "Hill", "Bill", "Frost", "Hill", "Bill"]
    # Not after "the": "the Grace Hill Centre" is a place.
    assert _names(lexicon, "Talks were held at the Grace Hill Centre.") == []


def test_a_capitalised_run_after_the_is_a_body_or_a_place(lexicon):
    # A spinner mangles institutions ("the Arranging Inspectorate" for "the Planning
    # Inspectorate"), and places; the same words beside a person's own name are a name.
    assert "inspectorate" not in lexicon
    assert _names(lexicon, "Appeals go to the Arranging Inspectorate, which decides.") == []
    assert _names(lexicon, "The Arranging Inspectorate said no.") == []
    assert _names(lexicon, "It was built by the Farrow Denise company.") == []
    assert _names(lexicon, "It was built by Denise Farrow and the Farrow family.") == ["Farrow"]
    # A title opens a name even after "the".
    assert _names(lexicon, "They met the Rev. Bishop on Monday.") == ["Bishop"]


def test_a_name_word_the_article_also_writes_in_lowercase_is_a_name_only_in_the_name(lexicon):
    assert _names(lexicon, "Owner Denise Farrow spoke. Farrow left. The pig had a farrow.") == [
        "Farrow"
    ]
    # "rose" is written as a word too: only the name's own "Rose" is a name.
    assert _names(lexicon, "Owner Rose Farrow spoke. Rose said no. A rose grew.") == [
        "Rose",
        "Farrow",
    ]


def test_words_after_a_title_are_a_name(lexicon):
    text = "Mr. Lamb said on Monday that Councillor Grace Hill agreed. Hill and Dr Bishop left."
    assert set(_names(lexicon, text)) == {"Lamb", "Grace", "Hill", "Bishop"}
    # A word nobody is called by is a spinner's swap even after a title ("Miss Chef" for
    # "Miss Cook", "Judge Confidence Walker" for "Judge Faith Walker").
    assert _names(lexicon, "Miss Chef and Judge Confidence Walker met Miss Cook.") == [
        "Walker",
        "Cook",
    ]
    assert set(_names(lexicon, "The Rev. Bishop spoke to Grace O'Brien. Bishop left.")) == {
        "Bishop",
        "Grace",
    }
    # Words that as often open a place's name are not titles, nor is a title's word
    # inside a longer name: a spinner's "Emergency clinic" for "Hospital" stays judged.
    assert "Hospital" not in _names(lexicon, "She went to St Mary Hospital.")
    assert "Hospital" not in _names(lexicon, "She went to Eastfield General Hospital.")
    assert "University" not in _names(lexicon, "She studied at Notre Dame University.")


def test_a_title_ending_a_sentence_names_nothing_in_the_next(lexicon):
    # "Young" opens a new sentence: a spinner's swap there stays judged.
    assert _names(lexicon, "It was approved by the Mayor. Young people protested.") == []
    assert _names(lexicon, "The Rev. Bishop spoke. Bishop left.") == ["Bishop", "Bishop"]


def test_a_title_case_headline_gives_no_names(lexicon):
    assert not _names(lexicon, "Mayor Warns Of Floods In Town\n\nThe river rose.")
    assert not _names(lexicon, "Councillors Back Bridge Repairs\n\nThe vote was close.")


def _reading(text: str, flagged: dict[str, float]) -> LMReading:
    document = make_document(text)
    units = tuple(
        UnitReading(i, i + 1, document.starts[i], document.ends[i], w, -8.0, 5.0, g, "x", 4)
        for i, w in enumerate(document.words)
        if (g := flagged.get(w)) is not None
    )
    return LMReading(document, units, (), len(document.words), 0.1, 0.1)


def test_the_lm_models_count_no_flag_on_a_name_when_their_config_says_so(lexicon):
    from detector.lm_model import LMModel

    class Judge:
        pass

    judge = Judge()
    judge.lexicon = lexicon
    text = "Owner Denise Farrow said the colossal bakery would shut. Farrow wept."
    reading = _reading(text, {"farrow": 9.0, "colossal": 9.0})
    assert [u.text for u in without_names(reading, lexicon).units] == ["colossal"]
    config = {"gain_threshold": 3.0, "document_rule": {"rate": 0.0, "slack": 0.0}}
    for unjudged, flagged in ((False, ["Farrow", "colossal", "Farrow"]), (True, ["colossal"])):
        model = LMModel(judge=judge, config=config | {"names_unjudged": unjudged}, name="lm")
        scores = model.scores_from_reading(reading)
        document = reading.document
        assert [document.surface(r.lo, r.hi) for r in scores.restorations] == flagged
        shown = [document.words[k] for k, p in enumerate(scores.word_probabilities) if p > 0.5]
        assert shown == [w.lower() for w in flagged]


def test_the_hybrid_flags_no_name_on_the_transformers_word_alone(lexicon):
    import numpy as np

    from detector.hybrid_model import FEATURES, HybridModel
    from detector.lm_model import LMModel

    class Judge:
        pass

    judge = Judge()
    judge.lexicon = lexicon
    text = "Owner Denise Farrow said the colossal bakery would shut."
    reading = _reading(text, {})
    words = list(reading.document.words)
    transformer = np.full(len(words), 0.01)
    transformer[[words.index("farrow"), words.index("colossal")]] = 0.99
    coef = [0.0] * len(FEATURES)
    coef[FEATURES.index("transformer_logit")] = 1.0  # the fused model follows the transformer
    for unjudged, flagged in ((False, ["farrow", "colossal"]), (True, ["colossal"])):
        config = {
            "names_unjudged": unjudged,
            "fusion": {
                "features": list(FEATURES),
                "mean": [0.0] * len(FEATURES),
                "scale": [1.0] * len(FEATURES),
                "coef": coef,
                "intercept": 0.0,
            },
            "word_threshold": 0.5,
            "document_rule": {"rate": 0.0, "slack": 0.0},
        }
        model = HybridModel(LMModel(judge, config, name="hybrid"), None, config)
        scores = model.scores_from_reading(reading, transformer.tolist())
        shown = [words[k] for k, p in enumerate(scores.word_probabilities) if p > 0.5]
        assert shown == flagged


def test_the_shipped_models_leave_names_unjudged():
    import json

    from detector.models import models_root

    for name in ("lm", "hybrid"):
        config = json.loads((models_root() / name / "config.json").read_text())
        assert config["names_unjudged"] is True


def test_a_street_or_council_name_is_a_place_name(lexicon):
    # A trial's clean council story: "Mill {Road|Street}", "Ashby {District|County}
    # Council", "{Station|Croft} Street" were flagged and "restored".
    text = (
        "Ashby District Council voted to shut the library on Mill Road. Its books will "
        "move to the community centre on Station Street."
    )
    assert _names(lexicon, text) == [
        "Ashby", "District", "Council", "Mill", "Road", "Station", "Street"
    ]  # fmt: skip
    # Not a run that "the" opens (a body a spinner mangled).
    assert _names(lexicon, "Traffic on the Mill Road bridge slowed.") == []
    # A sentence's first word is its own unless a name's own word; and the place's words
    # elsewhere stay judged ("Mill owners", "District nurses").
    text = "Yesterday Ashby Council met. Mill owners and District nurses came to Mill Road."
    assert _names(lexicon, text) == ["Ashby", "Council", "Mill", "Road"]


def test_a_place_name_the_body_writes_is_one_in_a_title_case_headline_too(lexicon):
    # Trial: "Kelsby {District|County} Council Affirms ..." was flagged in the headline,
    # where every word is capitalised, and left alone in the body.
    text = (
        "Kelsby District Council Affirms Summer Road Programme\n\n"
        "Kelsby District Council has affirmed that work will begin on Monday."
    )
    assert _names(lexicon, text) == ["Kelsby", "District", "Council"] * 2
    # Only the name the body writes: the headline's other words stay judged.
    text = "Council Backs Road Plan\n\nAshby District Council backed the plan on Mill Road."
    assert _names(lexicon, text) == ["Ashby", "District", "Council", "Mill", "Road"]
    # Two names side by side in the body are two names (a review).
    text = "Ashby Council Backs Mill Road Plan\n\nWork on Mill Road, Ashby Council said, starts."
    assert _names(lexicon, text) == [
        "Ashby", "Council", "Mill", "Road", "Mill", "Road", "Ashby", "Council"
    ]  # fmt: skip


def test_rows_vales_closes_and_other_place_endings_name_places(lexicon):
    # Hand-spun sets' clean sentences: "Mill {Row|Street}" and "Marlow {Vale|Valley}" were
    # flagged and "restored".
    text = (
        "Water reached houses on Mill Row by noon. Rents in Marlow Vale rose again, and "
        "the fair moved to Kenley Green."
    )
    assert _names(lexicon, text) == ["Mill", "Row", "Marlow", "Vale", "Kenley", "Green"]
    # A lowercase place word is judged as any other word.
    assert _names(lexicon, "They sat in a row on the village green.") == []
