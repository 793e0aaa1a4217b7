"""Readings that find no spinner: a word "restored" as the American one or as its opposite.

The language-model judge reads a British text with a model that has read more American
English, so in a plumbing how-to "tap" reads better as "faucet" and "spanner" as
"wrench" (5.4 and 7.3 nats: a trial's clean text); and the thesaurus lists "clockwise"
under "anticlockwise", which the model may prefer.  Neither says a spinner chose the
word: the first is the writer's English, the second would change the fact.
``without_variants`` drops such units from a reading before a reference-free model
counts and restores (as ``detector.names`` drops people's names): the reading itself is
cached whole, so this is the models' choice of what counts.

A unit is dropped when its restoration is

- the American word for its British one (``detector/data/regional_words.tsv``, only
  American words of one main sense; and the American currency or unit for a British or
  metric one: a clean British "every pound we spend" read as "dollar", 15.2 nats); not
  the other way round, which is no bias of the
  model's: a spinner's "movie" for "film" or "railroad" for "railway" stays judged.
  (Measured on the hand-spun sets' readings with a first, longer table: both ways
  dropped 5 false spans and 6 true ones, "a thin movie of bacteria" among them; this
  way 3 false ("flats" -> "apartments", "shops" -> "stores") and 2 true ones, "a
  steady autumn in the variety of customers" for "fall" and "timetable" for
  "schedule", whose rows were then left out: a word of many senses is a sense-blind
  spinner's favourite), or
- its opposite made with a negating prefix (``detector/data/prefix_opposites.tsv``,
  curated: "anticlockwise" / "clockwise", "unhappy" / "happy"; a review found 269
  thesaurus pairs that only look so, "discharged" / "charged", "impending" /
  "pending", "invaluable" / "valuable", a spinner's swaps to find, not to drop), or
- another word of its kind that names another fact (``detector/data/contrast_words.tsv``:
  "yearly" / "monthly", "winter" / "summer", "morning" / "evening"; a new-user trial's
  "yearly profits" restored as "monthly", and a clean "the winter would test" read as
  "summer").  The unit's evidence came from that other fact, so the unit goes, not only
  its restoration.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from functools import cache
from importlib import resources

from detector.lm_judge import LMReading

__all__ = [
    "contrast_pairs",
    "prefix_opposites",
    "regional_pairs",
    "variant_units",
    "without_variants",
]


def _pairs(name: str) -> Iterator[tuple[str, str]]:
    """The lowercase (first, second) pairs of a packaged two-column table."""
    text = resources.files("detector").joinpath("data", name).read_text("utf-8")
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        columns = [c.strip() for c in line.lower().split("\t")]
        if len(columns) != 2 or not all(columns):
            raise ValueError(f"detector/data/{name}, line {number}: expected two words and a tab")
        yield columns[0], columns[1]


@cache
def regional_pairs() -> frozenset[tuple[str, str]]:
    """(British, American) words for one thing, lowercase
    (``detector/data/regional_words.tsv``): ("tap", "faucet")."""
    return frozenset(_pairs("regional_words.tsv"))


@cache
def prefix_opposites() -> frozenset[tuple[str, str]]:
    """Words and their opposites made with a negating prefix, lowercase, both ways round
    (``detector/data/prefix_opposites.tsv``): ("anticlockwise", "clockwise") and back."""
    return frozenset(p for a, b in _pairs("prefix_opposites.tsv") for p in ((a, b), (b, a)))


@cache
def contrast_pairs() -> frozenset[tuple[str, str]]:
    """Pairs of different words of one kind that name different facts, lowercase, both
    ways round (``detector/data/contrast_words.tsv``): ("yearly", "monthly") and back,
    not ("yearly", "annual"), which name one."""
    text = resources.files("detector").joinpath("data", "contrast_words.tsv").read_text("utf-8")
    pairs = set()
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            cells = [c.split("|") for c in line.lower().split("\t") if c.strip()]
            pairs.update(
                (a.strip(), b.strip())
                for i, one in enumerate(cells)
                for j, other in enumerate(cells)
                if i != j
                for a in one
                for b in other
            )
    return frozenset(pairs)


def variant_units(reading: LMReading) -> frozenset[int]:
    """The indices (in ``reading.units``) of the units restored as the American word for
    their British one, as their opposite by a negating prefix or as another word of their
    kind that names another fact (see the module doc)."""
    regional, opposites, contrasts = regional_pairs(), prefix_opposites(), contrast_pairs()
    found = set()
    for k, unit in enumerate(reading.units):
        pair = (unit.text.lower(), unit.restored.lower())
        if pair[1] and (pair in regional or pair in opposites or pair in contrasts):
            found.add(k)
    return frozenset(found)


def without_variants(reading: LMReading) -> tuple[LMReading, frozenset[int]]:
    """``reading`` without the units ``variant_units`` finds, and the indices of their words."""
    dropped = variant_units(reading)
    if not dropped:
        return reading, frozenset()
    units = reading.units
    words = frozenset(i for k in dropped for i in range(units[k].lo, units[k].hi))
    kept = tuple(u for k, u in enumerate(units) if k not in dropped)
    return replace(reading, units=kept), words
