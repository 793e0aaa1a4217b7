"""Units "restored" as the American word for a British one, or as their opposite, are dropped."""

from __future__ import annotations

from dataclasses import replace

from detector.document import make_document
from detector.lm_judge import LMReading, UnitReading
from detector.lm_model import strongest_unit, unit_gains
from detector.variants import (
    contrast_pairs,
    prefix_opposites,
    regional_pairs,
    variant_units,
    without_variants,
)


def _reading(text: str, readings: dict[str, tuple[float, str]]) -> LMReading:
    """A reading of ``text`` with a one-word unit on each word of ``readings``:
    {word: (gain, restored)}."""
    document = make_document(text)
    units = tuple(
        UnitReading(i, i + 1, document.starts[i], document.ends[i], w, -8.0, 5.0, *r, 4)
        for i, w in enumerate(document.words)
        if (r := readings.get(w)) is not None
    )
    return LMReading(document, units, (), len(document.words), 0.1, 0.1)


def test_a_british_word_restored_as_the_american_one_is_dropped() -> None:
    text = "Turn the tap anticlockwise with a spanner until the colossal nut moves."
    reading = _reading(
        text,
        {
            "tap": (5.4, "faucet"),
            "anticlockwise": (7.7, "clockwise"),
            "spanner": (7.3, "wrench"),
            "colossal": (9.0, "big"),
        },
    )
    kept, words = without_variants(reading)
    assert [u.text for u in kept.units] == ["colossal"]
    assert sorted(reading.document.words[i] for i in words) == ["anticlockwise", "spanner", "tap"]


def test_an_american_word_restored_as_the_british_one_stays_judged() -> None:
    # A spinner's "movie" for "film" ("a thin movie of bacteria") is no bias of the model's.
    reading = _reading("It feeds on a thin movie of bacteria.", {"movie": (10.3, "film")})
    assert variant_units(reading) == frozenset()


def test_a_word_of_many_senses_is_no_regional_restoration() -> None:
    # "a steady autumn in the number of customers": a spinner's "autumn" for the verb
    # "fall"; "shops" for "stores" of data; "sacked" for a "fired" gun.
    regional = regional_pairs()
    assert ("tap", "faucet") in regional and ("faucet", "tap") not in regional
    for pair in (("autumn", "fall"), ("shops", "stores"), ("sacked", "fired"), ("post", "mail")):
        assert pair not in regional


def test_a_british_spelling_is_no_swap_to_restore() -> None:
    # A trial's clean "enquiries" was "restored" as "inquiries" in two blind sets.
    assert ("enquiries", "inquiries") in regional_pairs()
    assert ("enquiry", "inquiry") in regional_pairs()
    assert ("enquired", "inquired") in regional_pairs()


def test_only_listed_opposites_are_dropped_not_words_that_look_prefixed() -> None:
    opposites = prefix_opposites()
    assert ("anticlockwise", "clockwise") in opposites and ("happy", "unhappy") in opposites
    # A spinner's "discharged with fraud" for "charged", "the impending ruling" for
    # "pending": swaps to find.
    for pair in (("discharged", "charged"), ("impending", "pending"), ("invaluable", "valuable")):
        assert pair not in opposites
    text = "He was discharged with fraud and the impending ruling is unhappy."
    reading = _reading(
        text,
        {"discharged": (9.0, "charged"), "impending": (6.0, "pending"), "unhappy": (5.0, "happy")},
    )
    assert [reading.units[k].text for k in sorted(variant_units(reading))] == ["unhappy"]


def test_a_word_repeated_gives_the_gate_its_weakest_reading() -> None:
    # A plumbing how-to's "isolation valves", twice: 6.5 and 13.5 nats (over the 13 that
    # make a word plainly wrong on its own); the writer's term, not a spinner's swap.
    text = "Close the isolation valves first. If there are no isolation valves, stop."
    reading = _reading(text, {"isolation": (6.5, "emergency"), "first": (2.0, "initially")})
    first, between, second = reading.units
    reading = replace(reading, units=(first, between, replace(second, gain=13.5)))
    assert unit_gains(reading) == [6.5, 6.5, 2.0]
    # Restored differently, the word is read in another sense there: its own gain.
    reading = replace(reading, units=(first, between, replace(second, gain=13.5, restored="x")))
    assert unit_gains(reading) == [13.5, 6.5, 2.0]


def test_the_strongest_unit_is_the_one_whose_gain_leads_the_gates_reading() -> None:
    # A trial: a clean verdict's note gave the strongest gain without saying which word.
    text = "Close the isolation valves first. If there are no isolation valves, stop."
    reading = _reading(text, {"isolation": (6.5, "emergency"), "first": (2.0, "initially")})
    assert strongest_unit(reading) == ("isolation", "emergency")
    first, between, second = reading.units
    # Repeated and restored alike, a word counts by its weakest reading (6.5, not 13.5).
    repeated = replace(
        reading, units=(first, replace(between, gain=7.0), replace(second, gain=13.5))
    )
    assert strongest_unit(repeated) == ("first", "initially")
    assert strongest_unit(replace(reading, units=())) is None


def test_a_word_restored_as_another_of_its_kind_is_dropped_but_not_its_synonym() -> None:
    # A trial's "yearly profits" restored as "monthly"; a clean "the winter would test"
    # read as "summer".  "yearly" for "annual" names one fact: a swap to find.
    pairs = contrast_pairs()
    assert ("yearly", "monthly") in pairs and ("winter", "summer") in pairs
    assert ("yearly", "annual") not in pairs and ("annual", "yearly") not in pairs
    assert ("noon", "midday") not in pairs and ("autumn", "fall") not in pairs
    assert ("north", "east") in pairs and ("morning", "evening") in pairs
    reading = _reading(
        "A rise in yearly profits before the winter and annual bonuses.",
        {"yearly": (6.3, "monthly"), "winter": (5.0, "summer"), "annual": (4.5, "yearly")},
    )
    assert [reading.units[k].text for k in sorted(variant_units(reading))] == ["yearly", "winter"]


def test_a_span_of_time_restored_as_another_is_dropped() -> None:
    # A blind trial's clean "for about six weeks now" read as "years" (on the hand-spun
    # sets, 52 such readings over 3 nats, one of them on a spinner's swap).  "second" and
    # "minute" alone have other senses a sense-blind spinner swaps ("the minute half").
    pairs = contrast_pairs()
    assert ("weeks", "years") in pairs and ("week", "day") in pairs
    assert ("year", "twelvemonth") not in pairs
    assert ("second", "minute") not in pairs and ("minute", "moment") not in pairs
    reading = _reading(
        "I have used it for about six weeks now, and a year on it still works.",
        {"weeks": (5.0, "years"), "year": (4.0, "twelvemonth"), "works": (4.2, "runs")},
    )
    assert [reading.units[k].text for k in sorted(variant_units(reading))] == ["weeks"]


def test_a_currency_or_unit_restored_as_the_american_one_is_dropped() -> None:
    # A new-user trial's clean "Every pound we spend on culture is a pound ..." read as
    # "dollar" (15.2 nats) and "pence" as "dollars": the writer's British facts.  One way
    # only: a spinner's "pounds" for "dollars", "stones" for "pounds" stay judged.
    pairs = regional_pairs()
    assert ("pound", "dollar") in pairs and ("pence", "dollars") in pairs
    assert ("metres", "feet") in pairs and ("celsius", "fahrenheit") in pairs
    assert ("dollar", "pound") not in pairs and ("stones", "pounds") not in pairs
    reading = _reading(
        "Every pound we spend comes back twice, and the 40 pence fee covers a crowd of dollars.",
        {
            "pound": (15.2, "dollar"),
            "pence": (9.0, "dollars"),
            "crowd": (8.0, "throng"),
            "dollars": (9.0, "pounds"),
        },
    )
    assert [reading.units[k].text for k in sorted(variant_units(reading))] == ["pound", "pence"]
