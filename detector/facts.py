"""Changes of fact among a copy's ordinary edits: numbers that now differ, negations.

A syndicated copy reformats numbers ("four" -> "4", "20 per cent" -> "20%") and a
careless or malicious one changes them ("four" -> "fourteen", "2022" -> "2021"), or
turns a statement round ("was still fighting" -> "was not fighting").  All of them
are ordinary edits, never spinning, but an editor comparing a copy with its source
needs the second kind told apart: ``changed_facts`` names them for the report's note.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from detector.report import Deletion, Span

__all__ = ["changed_facts", "number_value"]

_UNITS = {
    word: value
    for value, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {
    word: 10 * k
    for k, word in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)
}
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_ORDINALS = {
    word: value
    for value, word in enumerate(
        "zeroth first second third fourth fifth sixth seventh eighth ninth tenth".split()
    )
}
_NUMERAL = re.compile(r"\d+(?:\.\d+)?")
_ORDINAL_NUMERAL = re.compile(r"(\d+)(?:st|nd|rd|th)")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")  # "2,022" is 2022
_DECORATION = re.compile(r"[,$£€%]|\bper ?cent\b")
# Words that turn a statement round; "n't" is cut off its verb by the tokeniser's text.
# "not only" is no negation, nor a bare "No" ("No. 10"): "no" counts before a word.
_NEGATORS = re.compile(
    r"\bnot\b(?! only)|\b(?:cannot|never|nobody|nothing|none|neither|nor|without)\b"
    r"|\bno(?= [a-z])|n't\b"
)
_SHOWN = 3  # examples named per kind


def number_value(text: str) -> float | None:
    """The value ``text`` names ("fourteen", "2,022", "2.5 million", "20 per cent", "3rd",
    "second"), or None when it is not a number alone."""
    words = _DECORATION.sub(" ", _THOUSANDS.sub("", text.lower())).replace("-", " ").split()
    if not words:
        return None
    if len(words) == 1:  # "1st", "second": a rank is a number too
        ordinal = _ORDINAL_NUMERAL.fullmatch(words[0])
        if ordinal:
            return float(ordinal.group(1))
        if words[0] in _ORDINALS:
            return float(_ORDINALS[words[0]])
    total = current = 0.0
    seen = False
    for word in words:
        if _NUMERAL.fullmatch(word):
            if seen:
                return None  # two numbers side by side ("31 12"): not one value
            current += float(word)
        elif word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred" and seen:
            current *= 100
        elif word in _SCALES and seen:
            total += current * _SCALES[word]
            current = 0.0
        elif word == "and" and seen:
            continue
        else:
            return None
        seen = True
    return total + current


def _negations(text: str) -> int:
    """How many negations ``text`` holds ("can't" and "cannot" one each; "No. 10" none)."""
    return len(_NEGATORS.findall(text.lower().replace("\u2019", "'")))


def changed_facts(spans: Sequence[Span], deletions: Sequence[Deletion] = ()) -> str | None:
    """A note naming the ordinary edits of ``spans`` (and the dropped text, ``deletions``)
    that change a fact rather than the wording: numbers whose value differs, negations
    added or dropped; None without any."""
    numbers: list[str] = []
    negations: list[str] = [f'"{d.text}" dropped' for d in deletions if _negations(d.text)]
    for span in spans:
        if span.is_spin or span.kind == "paraphrase":
            continue
        new, old = number_value(span.text), number_value(span.original)
        if new is not None and old is not None and not math.isclose(new, old):
            numbers.append(f"{span.original} -> {span.text}")
        elif _negations(span.text) != _negations(span.original):
            shown = f'"{span.text}"' + (f' for "{span.original}"' if span.original else " added")
            negations.append(shown)
    parts = []
    if numbers:
        named = ", ".join(numbers[:_SHOWN]) + (", ..." if len(numbers) > _SHOWN else "")
        noun = "number differs" if len(numbers) == 1 else "numbers differ"
        parts.append(f"{len(numbers)} {noun} in value ({named})")
    if negations:
        named = ", ".join(negations[:_SHOWN]) + (", ..." if len(negations) > _SHOWN else "")
        noun = "edit adds or drops" if len(negations) == 1 else "edits add or drop"
        parts.append(f"{len(negations)} {noun} a negation ({named})")
    if not parts:
        return None
    return "edits that may change facts, not only wording: " + "; ".join(parts)
