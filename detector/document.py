"""The ``Document``: an article's plain text cut into words and sentences.

Every offset in spindetect indexes ``Document.text``, the plain text as read
(for a .txt file, the decoded file itself).  Matching uses a normalised view of
that text in which curly quotes, dashes and odd spaces are replaced one
character for one character, so offsets stay valid, and hard line wraps inside
a sentence do not end the sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Document", "make_document", "normalise"]

_ONE_FOR_ONE = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u02bc\u0060\u00b4", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    **dict.fromkeys("\u00a0\u2002\u2003\u2007\u2009\u200a\u202f\u3000", " "),
    "\u2026": ".",
}
_SPECIAL = re.compile("[" + "".join(_ONE_FOR_ONE) + "]")

# A word: letters and digits, joined by inner apostrophes, hyphens, dots, commas, colons or
# slashes (country's, COVID-19, U.S, 1,000, 3.5%, 2:30, 24/7).
_WORD = re.compile(r"[^\W_]+(?:['\-.,:/][^\W_]+)*%?")
_TERMINAL = re.compile(r"[.!?]")
# Words that cannot end a sentence: a line ending in one of them was wrapped mid-sentence.
_CONTINUERS = frozenset(
    (
        "a an the of to in on at by for from with and or but nor as than that which who whose "
        "whom its their his her our your my is are was were be been has have had will would could "
        "should may might must can into onto over under about after before between during against "
        "among through"
    ).split()
)
_ABBREVIATIONS = frozenset(
    (
        "mr mrs ms dr prof st sen rep gen col lt sgt capt gov pres jr sr inc ltd co corp no vs "
        "etc jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k e.g i.e a.m p.m"
    ).split()
)


def normalise(text: str) -> str:
    """``text`` with curly quotes, dashes and special spaces made plain, same length."""
    if text.isascii():
        return text
    return _SPECIAL.sub(lambda m: _ONE_FOR_ONE[m.group()], text)


@dataclass(frozen=True, eq=False)
class Document:
    """An article's plain text with its words and sentences.

    Attributes
    ----------
    text : str
        The plain text; every offset indexes it.
    name : str
        Where the text came from (a path, ``<stdin>`` or a record id).
    words : tuple of str
        Lowercase, normalised word forms, in order ("country's" gives "country", "'s").
    starts, ends : tuple of int
        Character offsets of each word in ``text``.
    sentences : tuple of (int, int)
        Each sentence as a half-open range of word indices.
    """

    text: str = field(repr=False)
    name: str
    words: tuple[str, ...] = field(repr=False)
    starts: tuple[int, ...] = field(repr=False)
    ends: tuple[int, ...] = field(repr=False)
    sentences: tuple[tuple[int, int], ...] = field(repr=False)

    def __len__(self) -> int:
        return len(self.words)

    def surface(self, lo: int, hi: int) -> str:
        """The text of words ``lo`` to ``hi`` (exclusive), as written, with what lies between."""
        if lo >= hi:
            return ""
        return self.text[self.starts[lo] : self.ends[hi - 1]]

    def char_span(self, lo: int, hi: int) -> tuple[int, int]:
        """Character offsets covering words ``lo`` to ``hi`` (exclusive)."""
        return self.starts[lo], self.ends[hi - 1]


def _tokenise(plain: str) -> tuple[list[str], list[int], list[int]]:
    words: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for m in _WORD.finditer(plain):
        word = m.group().lower()
        start, end = m.span()
        if word.endswith("'s") and len(word) > 2:
            words += (word[:-2], "'s")
            starts += (start, end - 2)
            ends += (end - 2, end)
        else:
            words.append(word)
            starts.append(start)
            ends.append(end)
    return words, starts, ends


def _ends_sentence(gap: str, previous: str, following: str) -> bool:
    newlines = gap.count("\n")
    if newlines >= 2:
        return True
    if newlines == 1:
        if _TERMINAL.search(gap) or following[:1].isdigit():
            return True
        # A hard wrap inside a sentence: the next line goes on in lower case, or the
        # line broke after a comma or a word no sentence ends with.
        return not (
            following[:1].islower() or previous in _CONTINUERS or any(c in gap for c in ",;-(")
        )
    m = _TERMINAL.search(gap)
    if m is None:
        return False
    if gap[m.start()] == "." and m.start() == 0 and previous in _ABBREVIATIONS:
        return False
    rest = gap[m.end() :]
    if not rest or rest[0] not in " \t\r\"')]":
        return False
    return following[:1].isupper() or following[:1].isdigit() or '"' in rest


def _segment(
    plain: str, words: list[str], starts: list[int], ends: list[int]
) -> list[tuple[int, int]]:
    sentences: list[tuple[int, int]] = []
    lo = 0
    for k in range(len(words) - 1):
        gap = plain[ends[k] : starts[k + 1]]
        if gap != " " and _ends_sentence(gap, words[k], plain[starts[k + 1] : ends[k + 1]]):
            sentences.append((lo, k + 1))
            lo = k + 1
    if words:
        sentences.append((lo, len(words)))
    return sentences


def make_document(text: str, name: str = "<text>") -> Document:
    """Cut ``text`` into words and sentences; ``name`` says where it came from."""
    plain = normalise(text)
    words, starts, ends = _tokenise(plain)
    sentences = _segment(plain, words, starts, ends)
    return Document(
        text=text,
        name=name,
        words=tuple(words),
        starts=tuple(starts),
        ends=tuple(ends),
        sentences=tuple(sentences),
    )
