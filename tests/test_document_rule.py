"""The length-aware document rule and its fit: short texts need a larger share of flags."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from detector.document_rule import EvidenceGate, LengthAwareRule, content_flags, evidence_line
from training.calibration import _excerpt, fit_length_aware_rule

MODELS = Path(__file__).resolve().parent.parent / "models"


def test_short_texts_need_a_larger_share_of_flags_than_long_ones():
    rule = LengthAwareRule(rate=0.035, slack=0.75)
    short, long = rule.needed(40), rule.needed(400)
    assert short / 40 > long / 400
    # The cut is where the probability crosses 0.5, and `needed` is the first count past it.
    for content in (20, 40, 80, 200, 400, 800):
        k = rule.needed(content)
        assert rule.probability(k, content) >= 0.5 > rule.probability(k - 1, content)


def test_six_flags_in_a_short_clean_paragraph_are_not_enough_but_are_in_a_long_article():
    rule = LengthAwareRule(rate=0.035, slack=0.75)
    assert rule.probability(6, 46) < 0.5  # 13% of a 46-word docstring
    assert rule.probability(40, 400) > 0.5  # 10% of an article


def test_no_flags_or_no_words_is_never_spun():
    rule = LengthAwareRule(rate=0.0, slack=0.0)
    assert rule.probability(0, 100) == 0.0
    assert rule.probability(0, 0) == 0.0
    assert rule.excess(3, 0) == -math.inf


@pytest.mark.parametrize(
    ("rate", "slack", "scale"), [(-0.1, 1.0, 1.0), (1.5, 1.0, 1.0), (0.1, -1, 1.0), (0.1, 1, 0)]
)
def test_bad_parameters_are_refused(rate, slack, scale):
    with pytest.raises(ValueError):
        LengthAwareRule(rate=rate, slack=slack, scale=scale)


def test_the_rule_round_trips_through_its_config():
    rule = LengthAwareRule(rate=0.0325, slack=0.85, scale=2.5)
    assert LengthAwareRule.from_config(rule.to_config()) == rule


def test_content_flags_leave_stopwords_out():
    words = ["the", "corporate", "of", "employees", "said"]
    assert content_flags(words, [0.9, 0.9, 0.9, 0.1, 0.2], 0.5) == (1, 3)


def test_the_fit_keeps_clean_texts_under_the_false_positive_rate():
    rng = np.random.default_rng(0)
    # Clean texts: a few flags, more (relative to length) when short; spun: many.
    n_clean = rng.integers(30, 600, 300)
    k_clean = rng.binomial(n_clean, 0.02) + rng.integers(0, 3, 300)
    n_spun = rng.integers(30, 600, 100)
    k_spun = rng.binomial(n_spun, 0.2)
    flagged = np.concatenate([k_clean, k_spun])
    content = np.concatenate([n_clean, n_spun])
    labels = np.concatenate([np.zeros(300, bool), np.ones(100, bool)])
    rule, measured = fit_length_aware_rule(flagged, content, labels, max_fpr=0.01)
    pairs = zip(flagged, content, strict=True)
    called = np.array([rule.probability(int(k), int(n)) >= 0.5 for k, n in pairs])
    assert called[~labels].mean() <= 0.01
    assert measured["false_positive_rate"] == pytest.approx(called[~labels].mean(), abs=1e-4)
    assert called[labels].mean() > 0.9
    assert rule.scale > 0


def test_an_excerpt_is_a_prefix_that_ends_with_a_paragraph():
    text = "One two three.\n\nFour five six seven.\nEight nine.\n"
    assert _excerpt(text, 3) == "One two three."
    assert _excerpt(text, 5) == "One two three.\n\nFour five six seven."
    assert _excerpt(text, 100) == text.rstrip()
    assert text.startswith(_excerpt(text, 5))


def test_the_floor_keeps_long_texts_from_being_called_spun_on_a_few_percent_of_flags():
    without = LengthAwareRule(rate=0.005, slack=0.95)
    with_floor = LengthAwareRule(rate=0.005, slack=0.95, floor=0.07)
    # 27 of 420 (6.4%): a long clean feature article in a rich style.
    assert without.probability(27, 420) > 0.5 > with_floor.probability(27, 420)
    assert with_floor.needed(420) == 30
    # Short texts are ruled by the slack term, not the floor.
    assert with_floor.needed(40) == without.needed(40)


def test_the_fitted_floor_lies_between_clean_and_spun_long_texts():
    content = [400] * 40
    flagged = [8] * 19 + [12] + [60] * 20  # clean texts at 2-3%, spun ones at 15%
    labels = [False] * 20 + [True] * 20
    rule, _ = fit_length_aware_rule(flagged, content, labels, max_fpr=0.0)
    assert 0.03 < rule.floor < 0.15


def test_the_evidence_gate_wants_one_plainly_wrong_word():
    gate = EvidenceGate(min_gain=13.0)
    assert gate.probability(13.0) == 0.5
    assert gate.probability(12.0) < 0.5 < gate.probability(15.0)
    assert gate.probability(None) == gate.probability(math.nan) == 0.0
    # It only ever holds a document probability down, never raises it.
    assert gate.limit(0.9, 12.0) == gate.probability(12.0) < 0.5
    assert gate.limit(0.3, 30.0) == 0.3
    assert gate.limit(0.9, 30.0) == 0.9


def test_the_evidence_gate_round_trips_and_refuses_bad_numbers():
    gate = EvidenceGate(min_gain=12.5, scale=3.0)
    assert EvidenceGate.from_config(gate.to_config()) == gate
    assert EvidenceGate.from_config({"min_gain": 13}) == EvidenceGate(13.0, 2.0)
    with pytest.raises(ValueError, match="'min_gain'"):
        EvidenceGate(min_gain=math.inf)
    with pytest.raises(ValueError, match="'scale'"):
        EvidenceGate(min_gain=13.0, scale=0.0)


def test_several_strong_units_make_a_text_spun_however_few_its_flags():
    gate = EvidenceGate(min_gain=13.0, corroborating_units=3, corroborating_gain=11.5)
    light_spin = [13.9, 13.8, 12.7, 10.2, 4.0]  # few flags: the count rule says 0.06
    assert gate.judge(0.06, light_spin) > 0.5
    # Two strong words, or three middling ones, do not: a rich style has those.
    assert gate.judge(0.06, [16.0, 12.0, 7.9]) < 0.5
    assert gate.judge(0.06, [10.2, 10.2, 9.7, 7.7]) < 0.5
    assert gate.judge(0.06, [16.0, 12.0]) == gate.limit(0.06, 16.0)
    # A text the count rule calls spun is still held under the strongest unit's gate.
    assert gate.judge(0.9, [12.0, 11.0, 10.0]) == gate.probability(12.0)
    assert gate.judge(0.9, [math.nan, 20.0]) == 0.9
    # Without corroborating units the gate only ever holds a probability down.
    plain = EvidenceGate(min_gain=13.0)
    assert plain.judge(0.06, light_spin) == 0.06
    assert plain.corroborated(light_spin) == 0.0


def test_the_corroborating_units_round_trip_and_refuse_bad_numbers():
    gate = EvidenceGate(min_gain=13.0, corroborating_units=3, corroborating_gain=11.25)
    assert EvidenceGate.from_config(gate.to_config()) == gate
    assert "corroborating_units" not in EvidenceGate(min_gain=13.0).to_config()
    with pytest.raises(ValueError, match="'corroborating_units'"):
        EvidenceGate(min_gain=13.0, corroborating_units=-1)
    with pytest.raises(ValueError, match="'corroborating_gain'"):
        EvidenceGate(min_gain=13.0, corroborating_units=3)


def test_a_densely_spun_short_text_is_judged_by_its_count_alone():
    # 22 of 45 content words swapped: few clean words are left to read the swaps
    # against, so no unit reaches the gate's bar (the strongest gains 11.85 nats).
    gate = EvidenceGate(min_gain=13.0, dense_share=0.25, dense_flags=6)
    gains = [11.85, 10.5, 9.8, 9.1, 8.0]
    assert gate.judge(0.99, gains, flagged=22, content=45) == 0.99
    # A rich clean style's share (14% at most) is still held under the gate...
    assert gate.judge(0.9, gains, flagged=18, content=139) == gate.probability(11.85) < 0.5
    # ...and so is a high share of very few flags, which chance gives a short text.
    assert gate.judge(0.9, gains, flagged=5, content=12) < 0.5
    # Dense or not, the count rule's own verdict stands: the route only lifts the hold.
    assert gate.judge(0.2, gains, flagged=8, content=30) == 0.2
    assert EvidenceGate(min_gain=13.0).judge(0.99, gains, flagged=22, content=45) < 0.5


def test_a_text_needs_ordinary_words_read_wrong_for_its_length():
    # A restaurant review in a rich style (a new-user trial, 340 words): 45 flags, the
    # strongest 18.4 nats, but 6 units in words of common use over 8 nats; a spun article
    # as long has 11 to 17 (needed here: 0.3 sqrt(340) = 5.5, so 6).
    gate = EvidenceGate(
        min_gain=13.0,
        corroborating_units=5,
        corroborating_gain=9.75,
        dense_share=0.2,
        dense_flags=6,
        ordinary_density=0.3,
        ordinary_gain=8.0,
        ordinary_zipf=2.5,
    )
    gains = [18.4, 15.0, 12.0, 11.0, 10.5, 10.0]
    assert gate.ordinary_needed(340) == 6
    assert gate.ordinary(6, 340) > 0.5 > gate.ordinary(5, 340)
    assert gate.judge(0.99, gains, 45, 300, ordinary=11, words=340) > 0.5
    assert gate.judge(0.99, gains, 45, 300, ordinary=4, words=340) < 0.5
    # Corroborated or counted alike, and only ever held down.
    assert gate.judge(0.05, gains, 10, 300, ordinary=4, words=340) < 0.5
    assert gate.judge(0.05, [9.0], 10, 300, ordinary=40, words=340) == gate.judge(
        0.05, [9.0], 10, 300
    )
    # A dense short spin is judged by its count alone, as before; without the count the
    # rule is not read.
    assert gate.judge(0.99, [11.0], flagged=22, content=45, ordinary=0, words=60) == 0.99
    assert gate.judge(0.99, gains, 45, 300) == gate.judge(0.99, gains, 45, 300, ordinary=None)
    assert EvidenceGate(min_gain=13.0).ordinary(0, 800) == 1.0
    assert EvidenceGate(min_gain=13.0).ordinary_needed(800) == 0


def test_the_ordinary_rule_round_trips_and_refuses_bad_numbers():
    gate = EvidenceGate(min_gain=13.0, ordinary_density=0.3, ordinary_gain=8.0, ordinary_zipf=2.5)
    assert EvidenceGate.from_config(gate.to_config()) == gate
    assert "ordinary_density" not in EvidenceGate(min_gain=13.0).to_config()
    for bad in (-0.1, math.inf, math.nan):
        with pytest.raises(ValueError, match="'ordinary_density'"):
            EvidenceGate(min_gain=13.0, ordinary_density=bad, ordinary_gain=8.0)
    with pytest.raises(ValueError, match="'ordinary_gain'"):
        EvidenceGate(min_gain=13.0, ordinary_density=0.3)


def test_the_evidence_line_names_the_ordinary_words_that_held_a_text():
    rule = LengthAwareRule(rate=0.0, slack=1.0, floor=0.05)
    gate = EvidenceGate(min_gain=13.0, ordinary_density=0.3, ordinary_gain=8.0, ordinary_zipf=2.5)
    line = evidence_line(
        rule, gate, 40, 180, [18.4, 9.0], strongest=("Gilded", "Golden"), ordinary=4, words=340
    )
    assert line is not None and line.endswith(
        'the strongest, "Gilded" (read as "Golden"), reads 18.4 nats better restored, but '
        "few words in common use read wrong: 4 read over 8 nats better restored (6 make a "
        "text this long spun; a rich style's rare words read like swaps, a spinner's "
        "ordinary ones plainly wrong)"
    )
    # Enough of them: the line is the count's and the strongest unit's, as before.
    assert "common use" not in evidence_line(rule, gate, 40, 180, [18.4], ordinary=9, words=340)


def test_the_shipped_hybrid_calls_a_heavy_spin_of_plausible_synonyms_spun():
    # A Spinbot-style spin ("organization" for "company", "examiners" for "analysts",
    # "request" for "demand"): 28 of 138 content words counted, the strongest unit 12.6
    # nats, four units over 9.75 (tests/fixtures/spinbot_copies/06, read by the hybrid).
    config = json.loads((MODELS / "hybrid" / "config.json").read_text("utf-8"))
    gate = EvidenceGate.from_config(config["evidence_gate"])
    rule = LengthAwareRule.from_config(config["document_rule"])
    gains = [12.6, 11.8, 11.2, 10.6, 9.6, 9.0]
    assert gate.judge(rule.probability(28, 138), gains, flagged=28, content=138) > 0.5
    # The richest hand-written clean text's share (a theatre review, 27 of 172, 15.7%) is
    # still held under the gate.
    clean = [11.4, 8.5, 8.1, 7.7, 7.7]
    assert rule.probability(27, 172) > 0.5
    assert gate.judge(rule.probability(27, 172), clean, flagged=27, content=172) < 0.5


def test_the_dense_share_round_trips_and_refuses_bad_numbers():
    gate = EvidenceGate(min_gain=13.0, dense_share=0.289, dense_flags=7)
    assert EvidenceGate.from_config(gate.to_config()) == gate
    assert "dense_share" not in EvidenceGate(min_gain=13.0).to_config()
    with pytest.raises(ValueError, match="'dense_share'"):
        EvidenceGate(min_gain=13.0, dense_share=0.0)
    with pytest.raises(ValueError, match="'dense_flags'"):
        EvidenceGate(min_gain=13.0, dense_share=0.3, dense_flags=0)


def test_from_long_from_content_words_the_floor_alone_decides():
    rule = LengthAwareRule(rate=0.0, slack=1.85, floor=0.0663, long_from=200)
    # Short texts: the slack (1.85 sqrt(100) = 18.5 of 100 content words).
    assert rule.needed(100) == LengthAwareRule(rate=0.0, slack=1.85, floor=0.0663).needed(100)
    assert rule.needed(100) == 19
    # An article of 300 content words: the floor's 6.63% (20), not the slack's 10% (33).
    assert rule.needed(300) == 20
    assert rule.probability(20, 300) >= 0.5 > rule.probability(19, 300)
    assert LengthAwareRule(rate=0.0, slack=1.85, floor=0.0663).needed(300) == 33
    assert LengthAwareRule.from_config(rule.to_config()) == rule
    # Rules without it keep their config as before (lm, hybrid).
    assert "long_from" not in LengthAwareRule(rate=0.01, slack=1.0).to_config()
    with pytest.raises(ValueError, match="long_from"):
        LengthAwareRule(rate=0.01, slack=1.0, long_from=-1)


def test_a_fit_with_long_texts_by_the_floor_fits_the_slack_on_short_texts():
    rng = np.random.default_rng(1)
    # Short clean prose flags a lot (8% and swinging), long clean articles 2%; spun 7%.
    n_short, n_long = rng.integers(40, 150, 200), rng.integers(250, 600, 200)
    k_short = rng.binomial(n_short, 0.08)
    k_long = rng.binomial(n_long, 0.02)
    n_spun = rng.integers(250, 600, 100)
    k_spun = rng.binomial(n_spun, 0.07)
    flagged = np.concatenate([k_short, k_long, k_spun])
    content = np.concatenate([n_short, n_long, n_spun])
    labels = np.concatenate([np.zeros(400, bool), np.ones(100, bool)])
    one, _ = fit_length_aware_rule(flagged, content, labels, max_fpr=0.0)
    split, measured = fit_length_aware_rule(
        flagged, content, labels, max_fpr=0.0, long_by_floor=True
    )
    assert split.long_from == 200 and one.long_from == 0
    assert split.floor == one.floor > 0
    assert measured["false_positive_rate"] == 0.0
    # The long spun articles need no more than the floor: more of them are found.
    pairs = list(zip(k_spun.tolist(), n_spun.tolist(), strict=True))
    long_spun = [split.probability(k, n) >= 0.5 for k, n in pairs]
    long_spun_one = [one.probability(k, n) >= 0.5 for k, n in pairs]
    assert measured["recall"] == pytest.approx(np.mean(long_spun))
    assert np.mean(long_spun) > np.mean(long_spun_one)


def test_the_evidence_line_says_which_of_count_and_strength_held_a_text():
    rule = LengthAwareRule(rate=0.0, slack=1.0, floor=0.05)
    gate = EvidenceGate(min_gain=13.0, dense_share=0.3, dense_flags=6)
    needed = rule.needed(159)
    count = f"18 of 159 content words flagged ({needed} make a text this long spun)"
    assert needed <= 18  # the count is met: the line says the strength held the text
    assert evidence_line(rule, gate, 18, 159, [8.0, 10.71, math.nan]) == (
        f"{count}, but no word is plainly wrong: the strongest reads 10.7 nats better "
        "restored (13 nats make a word plainly wrong). A spun verdict needs enough flags "
        "and one plainly wrong word."
    )
    assert evidence_line(rule, gate, 5, 159, [8.0, 10.71]) == (
        f"5 of 159 content words flagged ({needed} make a text this long spun); "
        "the strongest reads 10.7 nats better restored (13 nats make a word plainly wrong). "
        "A spun verdict needs enough flags and one plainly wrong word."
    )
    # A plainly wrong word in a text with too few flags: the count held it, and says so.
    assert evidence_line(rule, gate, 5, 159, [14.4]) == (
        f"5 of 159 content words flagged ({needed} make a text this long spun): too few, "
        "though the strongest reads 14.4 nats better restored (13 nats make a word plainly "
        "wrong). A spun verdict needs enough flags and one plainly wrong word."
    )
    corroborated = EvidenceGate(min_gain=13.0, corroborating_units=4, corroborating_gain=10.32)
    # The other way to spun, with how far this text got along it.
    assert evidence_line(rule, corroborated, 5, 159, [11.0, 10.5, 9.0]).endswith(
        "(13 nats make a word plainly wrong). A spun verdict needs enough flags and one "
        "plainly wrong word, or 4 words each over 10.32 nats (2 here)."
    )
    # Named when the model says which unit it is.
    assert evidence_line(rule, gate, 5, 159, [14.4], strongest=("ascent", "rise")).endswith(
        'too few, though the strongest, "ascent" (read as "rise"), reads 14.4 nats better '
        "restored (13 nats make a word plainly wrong). A spun verdict needs enough flags and "
        "one plainly wrong word."
    )
    assert evidence_line(rule, gate, 18, 159, []).endswith(
        "; no word was read again with the words after it"
    )
    assert evidence_line(rule, gate, 20, 40, [9.0]).endswith("no single word need be plainly wrong")
    assert evidence_line(rule, None, 18, 159, [30.0]) == count
    # The report flags more words than the rule counts (the hybrid keeps the judge's
    # flags from a lower gain than the rule was fitted on): both are said.
    # Short of the count, "only" says so (a trial read "22 flagged (22 make it spun)" as met).
    assert evidence_line(rule, None, 3, 159, [], shown=7) == (
        f"7 of 159 content words flagged, but only 3 strongly enough to count for the verdict, "
        f"where {needed} make a text this long spun"
    )
    assert evidence_line(rule, None, needed, 159, [], shown=needed + 4) == (
        f"{needed + 4} of 159 content words flagged, {needed} of them strongly enough to count "
        f"for the verdict, where {needed} make a text this long spun"
    )
    assert evidence_line(rule, None, 18, 159, [], shown=18) == count
    assert evidence_line(None, gate, 18, 159, [30.0]) is None
    assert evidence_line(rule, gate, 0, 0, []) is None


def test_the_gate_asks_for_the_most_strong_units_that_catch_about_as_many_spins():
    # Validation (make hybrid, 2026-12-05): 4 units over 10.32 nats caught 90.9% of the
    # spun texts, 5 over 9.75 90.2%. Four strongly odd words called a Nigerian news report
    # spun (tests/fixtures/clean_world): of near ties, the count that asks for more wins.
    pytest.importorskip("sklearn")
    from training.fit_hybrid import corroborating_units

    tried = {
        2: (14.86, 0.871),
        3: (13.35, 0.848),
        4: (10.32, 0.909),
        5: (9.75, 0.902),
        6: (9.12, 0.864),
    }
    assert corroborating_units(tried, 0.01) == 5
    assert corroborating_units(tried, 0.0) == 4  # no tie allowed: the best share alone
    assert corroborating_units({}, 0.01) == 0
    assert corroborating_units({4: (10.0, 0.91), 5: (9.0, 0.90)}, 0.01) == 5  # float-safe tie
    with pytest.raises(ValueError, match="'tie'"):
        corroborating_units(tried, -0.01)
