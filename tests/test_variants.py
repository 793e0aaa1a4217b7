"""Units "restored" as the American word for a British one, or as their opposite, are dropped."""

from __future__ import annotations

from dataclasses import replace

from detector.document import make_document
from detector.lexicon import Lexicon
from detector.lm_judge import LMReading, UnitReading
from detector.lm_model import unit_gains
from detector.variants import negates, variant_units, without_variants


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


def test_a_british_word_restored_as_the_american_one_is_dropped(lexicon: Lexicon) -> None:
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
    kept, words = without_variants(reading, lexicon)
    assert [u.text for u in kept.units] == ["colossal"]
    assert sorted(reading.document.words[i] for i in words) == ["anticlockwise", "spanner", "tap"]


def test_an_american_word_restored_as_the_british_one_stays_judged(lexicon: Lexicon) -> None:
    # A spinner's "movie" for "film" ("a thin movie of bacteria") is no bias of the model's.
    reading = _reading("It feeds on a thin movie of bacteria.", {"movie": (10.3, "film")})
    assert variant_units(reading, lexicon) == frozenset()


def test_a_negating_prefix_makes_an_opposite(lexicon: Lexicon) -> None:
    assert negates("anticlockwise", "clockwise", lexicon)
    assert negates("happy", "unhappy", lexicon)
    assert negates("dishonest", "honest", lexicon)
    assert not negates("inform", "form", lexicon)  # a stem of five letters at least...
    assert not negates("under", "der", lexicon)
    assert not negates("colossal", "big", lexicon)


def test_a_word_repeated_gives_the_gate_its_weakest_reading() -> None:
    # A plumbing how-to's "isolation valves", twice: 6.5 and 13.5 nats (over the 13 that
    # make a word plainly wrong on its own); the writer's term, not a spinner's swap.
    text = "Close the isolation valves first. If there are no isolation valves, stop."
    reading = _reading(text, {"isolation": (6.5, "emergency"), "first": (2.0, "initially")})
    first, between, second = reading.units
    reading = replace(reading, units=(first, between, replace(second, gain=13.5)))
    assert unit_gains(reading) == [6.5, 6.5, 2.0]
