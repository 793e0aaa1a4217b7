"""Readings that find no spinner: a word "restored" as its other English's word or its opposite.

The language-model judge reads a British text with a model that has read more American
English, so in a plumbing how-to "tap" reads better as "faucet" and "spanner" as
"wrench" (5.4 and 7.3 nats: a trial's clean text); and the thesaurus lists "clockwise"
under "anticlockwise", which the model may prefer.  Neither says a spinner chose the
word: the first is the writer's English, the second would change the fact.
``without_variants`` drops such units from a reading before a reference-free model
counts and restores (as ``detector.names`` drops people's names): the reading itself is
cached whole, so this is the models' choice of what counts.

A unit is dropped when its restoration is

- the American word for its British one (``detector/data/regional_words.tsv``); not
  the other way round, which is no bias of the model's: a spinner's "movie" for "film"
  or "railroad" for "railway" stays judged.  (Measured on the hand-spun sets' readings:
  both ways dropped 5 false spans and 6 true ones, "a thin movie of bacteria" among
  them; this way 3 false ("flats" -> "apartments") and 2 true ones, "a steady autumn in
  the variety of customers" among them), or
- the same word with a negating prefix added or taken away ("anticlockwise" /
  "clockwise", "unhappy" / "happy", "dishonest" / "honest").
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import replace
from functools import cache
from importlib import resources

from detector.lm_judge import LMReading

__all__ = ["negates", "regional_pairs", "variant_units", "without_variants"]

_NEGATING_PREFIXES = ("anti", "counter", "non", "un", "dis", "in", "im", "il", "ir")
_SHORTEST_STEM = 5  # "in" + "form", "dis" + "miss" are no negations: a stem this long at least


@cache
def regional_pairs() -> frozenset[tuple[str, str]]:
    """(British, American) words for one thing, lowercase
    (``detector/data/regional_words.tsv``): ("tap", "faucet")."""
    text = resources.files("detector").joinpath("data", "regional_words.tsv").read_text("utf-8")
    pairs: set[tuple[str, str]] = set()
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            british, american = line.lower().split("\t")
            pairs.add((british, american))
    return frozenset(pairs)


def negates(word: str, other: str, lexicon: Container[str]) -> bool:
    """Whether lowercase ``word`` is ``other`` with a negating prefix, or the other way
    round, the stem a word ``lexicon`` knows ("anticlockwise" / "clockwise")."""
    longer, shorter = (word, other) if len(word) > len(other) else (other, word)
    for prefix in _NEGATING_PREFIXES:
        if (
            longer.startswith(prefix)
            and longer[len(prefix) :].lstrip("-") == shorter
            and len(shorter) >= _SHORTEST_STEM
            and shorter in lexicon
        ):
            return True
    return False


def variant_units(reading: LMReading, lexicon: Container[str]) -> frozenset[int]:
    """The indices (in ``reading.units``) of the units restored as the American word for
    their British one or as their opposite by a negating prefix (see the module doc)."""
    regional = regional_pairs()
    found = set()
    for k, unit in enumerate(reading.units):
        written, restored = unit.text.lower(), unit.restored.lower()
        if restored and ((written, restored) in regional or negates(written, restored, lexicon)):
            found.add(k)
    return frozenset(found)


def without_variants(
    reading: LMReading, lexicon: Container[str]
) -> tuple[LMReading, frozenset[int]]:
    """``reading`` without the units ``variant_units`` finds, and the indices of their words."""
    dropped = variant_units(reading, lexicon)
    if not dropped:
        return reading, frozenset()
    units = reading.units
    words = frozenset(i for k in dropped for i in range(units[k].lo, units[k].hi))
    kept = tuple(u for k, u in enumerate(units) if k not in dropped)
    return replace(reading, units=kept), words
