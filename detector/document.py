"""The ``Document``: an article's plain text cut into words and sentences.

Every offset in spindetect indexes ``Document.text``, the plain text as read
(for a .txt file, the decoded file itself).  Matching uses a normalised view of
that text in which curly quotes, dashes and odd spaces are replaced one
character for one character, so offsets stay valid, and hard line wraps inside
a sentence do not end the sentence.  Word forms are compared as
``detector.evasion.match_form`` gives them: a word keeps invisible characters
(zero-width spaces, soft hyphens) inside it, and its form drops them and reads
lookalike letters from other scripts as Latin.  A sentence has at most
``MAX_SENTENCE_WORDS`` words: a longer run without a sentence end is cut into pieces.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from itertools import accumulate, pairwise

from detector.evasion import LETTER_RUN, has_suspect_characters, match_form

__all__ = ["MAX_SENTENCE_WORDS", "PARAGRAPH_BREAK", "Document", "make_document", "normalise"]

_ONE_FOR_ONE = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u02bc\u0060\u00b4", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    **dict.fromkeys("\u00a0\u2002\u2003\u2007\u2009\u200a\u202f\u3000", " "),
    "\u2026": ".",
}
_SPECIAL = re.compile("[" + "".join(_ONE_FOR_ONE) + "]")

# A word: letters and digits, joined by inner apostrophes, hyphens, dots, commas, colons or
# slashes (country's, COVID-19, U.S, 1,000, 3.5%, 2:30, 24/7); invisible characters between
# its letters stay inside it.
_WORD = re.compile(rf"{LETTER_RUN}(?:['\-.,:/]{LETTER_RUN})*%?")
# The same pattern as one group, for re.split, and its faster twin for ASCII text.
_WORD_SPLIT = re.compile(f"({_WORD.pattern})")
_WORD_ASCII = re.compile(r"([A-Za-z0-9]+(?:['\-.,:/][A-Za-z0-9]+)*%?)")
_TERMINAL = re.compile(r"[.!?]")
_POSSESSIVE = re.compile(r"'[sS]")
_BREAK = re.compile(r"[.!?\n]")  # what a gap ending a sentence holds
# A blank line between paragraphs, whatever the line ends (LF, CRLF, CR).
PARAGRAPH_BREAK = re.compile(r"\r?\n[ \t]*\r?\n|\r[ \t]*\r")
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

    def padded_span(self, lo: int, hi: int) -> tuple[int, int]:
        """Like ``char_span``, widened over the punctuation around the words, up to spaces.

        For whole sentences: their opening quotes and brackets, and their full stops.
        """
        text = self.text
        start, end = self.starts[lo], self.ends[hi - 1]
        left = self.ends[lo - 1] if lo > 0 else 0
        right = self.starts[hi] if hi < len(self.words) else len(text)
        while start > left and not text[start - 1].isspace():
            start -= 1
        while end < right and not text[end].isspace():
            end += 1
        return start, end


def _tokenise(plain: str) -> tuple[list[str], list[int], list[int]]:
    # re.split keeps the words (odd items) and the gaps between them (even items), so the
    # offsets are running sums of their lengths: no Python-level work per match.
    parts = (_WORD_ASCII if plain.isascii() else _WORD_SPLIT).split(plain)
    offsets = list(accumulate(map(len, parts)))
    words = list(map(match_form if has_suspect_characters(plain) else str.lower, parts[1::2]))
    starts, ends = offsets[0:-1:2], offsets[1::2]
    if "'s" not in plain and "'S" not in plain:
        return words, starts, ends
    # "country's" gives "country" and "'s": visit each "'s" that ends a longer word.
    split = []
    for m in _POSSESSIVE.finditer(plain):
        k = bisect_left(ends, m.end())
        if k < len(ends) and ends[k] == m.end() and starts[k] < m.start():
            split.append(k)
    for k in reversed(split):
        word, end = words[k], ends[k]
        words[k : k + 1] = (word[:-2], "'s")
        starts[k + 1 : k + 1] = (end - 2,)
        ends[k : k + 1] = (end - 2, end)
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
    # Only a gap holding a line break or a terminal mark can end a sentence: visit those.
    sentences: list[tuple[int, int]] = []
    lo = 0
    last = -1
    for m in _BREAK.finditer(plain):
        k = bisect_right(starts, m.start()) - 1  # the word at or before the mark
        if k < 0 or k == last or k + 1 >= len(words) or m.start() < ends[k]:
            continue  # before the first word, a gap seen already, after the last, in a word
        last = k
        gap = plain[ends[k] : starts[k + 1]]
        if _ends_sentence(gap, words[k], plain[starts[k + 1] : ends[k + 1]]):
            sentences.append((lo, k + 1))
            lo = k + 1
    if words:
        sentences.append((lo, len(words)))
    return [piece for lo, hi in sentences for piece in _pieces(lo, hi)]


MAX_SENTENCE_WORDS = 80  # no sentence of the evaluation splits is longer (the longest: 79)


def _pieces(lo: int, hi: int) -> list[tuple[int, int]]:
    """The sentence ``lo:hi`` in near-equal pieces of at most ``MAX_SENTENCE_WORDS`` words.

    A run of words with no sentence end, glued to a copied sentence (a block of text
    in another script, or a padding run-on), would otherwise be compared as part of
    that sentence and dilute its evidence; cut up, it stays apart from it but for
    the words of one piece.
    """
    count = -(-(hi - lo) // MAX_SENTENCE_WORDS)
    if count <= 1:
        return [(lo, hi)]
    bounds = [lo + (hi - lo) * k // count for k in range(count + 1)]
    return list(pairwise(bounds))


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
