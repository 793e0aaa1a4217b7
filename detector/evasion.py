"""Characters that dodge word matching: lookalike letters from other scripts and invisible ones.

Spinners and plagiarists write "сompany" with a Cyrillic "с", or slip a zero-width
space into "com\u200bpany", so that the word no longer matches "company" while it
reads the same.  ``match_form`` gives the form matching should compare: invisible
characters dropped, lookalike letters read as the Latin letters they imitate.
``find_evasion`` says where a text holds such characters, as evidence in itself.

A letter counts as a lookalike (a homoglyph) only where the run of letters it sits in
(between spaces or punctuation) also holds Latin letters, or is two or more letters that
are all lookalikes (a whole word spelled in them).  Other words of Greek, Cyrillic or any
other script are left as they are, and so is a lone letter ("α-synuclein").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "INVISIBLE",
    "LETTER_RUN",
    "EvasionMarks",
    "find_evasion",
    "has_ligatures",
    "has_suspect_characters",
    "match_form",
    "spell_out_ligatures",
]

# Invisible characters: zero-width space, non-joiner and joiner, word joiner and invisible
# operators, byte-order mark, soft hyphen, combining grapheme joiner, Mongolian vowel
# separator, and the bidirectional marks, embeddings, overrides and isolates.
INVISIBLE = (
    "\u00ad\u034f\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
)

_CYRILLIC = dict(
    zip(
        "аеорсухѕіјһԁԛԝӏүѵАВЕКМНОРСТХУЅІЈԚԜӀҮѴ",
        "aeopcyxsijhdqwlyvABEKMHOPCTXYSIJQWIYV",
        strict=True,
    )
)
_GREEK = dict(zip("οιαρυνκΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "oiapuvkABEZHIKMNOPTYX", strict=True))


def _compatibility_letters() -> dict[str, str]:
    """Fullwidth and mathematical letters (ａ, 𝐚, 𝔞...): the ASCII letter each stands for."""
    found = {}
    for code in [*range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B), *range(0x1D400, 0x1D6A4)]:
        char = chr(code)
        plain = unicodedata.normalize("NFKC", char)
        if len(plain) == 1 and plain.isascii() and plain.isalpha():
            found[char] = plain
    return found


_LOOKALIKES: dict[str, str] = {**_CYRILLIC, **_GREEK, **_compatibility_letters()}
_INVISIBLE = frozenset(INVISIBLE)
_SUSPECT_CHARS = _INVISIBLE.union(_LOOKALIKES)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_INVISIBLE_CHARS = re.compile("[" + re.escape(INVISIBLE) + "]+")
_RUN = re.compile(r"[^\W_]+")
# Combining marks (a decomposed "e\u0301" is "é"; the grapheme joiner, U+034F, is invisible
# instead) and the Latin ligatures a PDF's text gives ("ﬁ", "ﬂ").  Neither is a sign of
# evasion: matching reads a word composed (NFC), its ligatures as their letters.
_COMBINING = "\u0300-\u034e\u0350-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_LIGATURES = {chr(c): unicodedata.normalize("NFKC", chr(c)) for c in range(0xFB00, 0xFB07)}
_LIGATURE_SET = frozenset(_LIGATURES)
_TO_COMPOSE = re.compile(f"[{_COMBINING}{''.join(_LIGATURES)}]")
# Letters or digits, combining marks after them.
_LETTERS = rf"[^\W_]+(?:[{_COMBINING}]+[^\W_]*)*"
# A run of letters or digits, invisible characters allowed between them: the pieces of a word
# (between its inner punctuation) as ``detector.document`` cuts words.
LETTER_RUN = rf"{_LETTERS}(?:[{re.escape(INVISIBLE)}]+{_LETTERS})*"
_LETTER_RUN = re.compile(LETTER_RUN)


@lru_cache(maxsize=4096)
def _is_latin(char: str) -> bool:
    return char.isalpha() and (char < "\u0250" or "\u1e00" <= char <= "\u1eff")


@lru_cache(maxsize=65536)
def _lookalike_positions(run: str) -> tuple[int, ...]:
    """Indices of the letters of ``run`` (letters and digits only) read as Latin lookalikes."""
    if run.isascii():
        return ()
    found = tuple(k for k, char in enumerate(run) if char in _LOOKALIKES)
    if not found:
        return ()
    if any(map(_is_latin, run)):
        return found  # a Latin word with letters from other scripts in it
    letters = sum(not char.isdigit() for char in run)
    return found if letters == len(found) and letters >= 2 else ()


def _latin_run(m: re.Match[str]) -> str:
    run = m.group()
    positions = _lookalike_positions(run)
    if not positions:
        return run
    chars = list(run)
    for k in positions:
        chars[k] = _LOOKALIKES[chars[k]]
    return "".join(chars)


@lru_cache(maxsize=65536)  # words repeat: most are looked up, not worked out
def match_form(word: str) -> str:
    """``word`` as matching compares it: lowercase, invisible characters dropped,
    lookalike letters in a Latin word read as Latin ("Сompany" gives "company"), and
    composed: combining accents joined to their letters, ligatures spelled out ("ﬁrst")."""
    if word.isascii():
        return word.lower()
    if _TO_COMPOSE.search(word):
        word = unicodedata.normalize("NFC", "".join(_LIGATURES.get(char, char) for char in word))
    if _SUSPECT_CHARS.isdisjoint(word):
        return word.lower()
    return _RUN.sub(_latin_run, _INVISIBLE_CHARS.sub("", word)).lower()


def has_ligatures(text: str) -> bool:
    """Whether ``text`` holds a Latin ligature character ("ﬁ", "ﬂ": text from a PDF)."""
    return not _LIGATURE_SET.isdisjoint(text)


def spell_out_ligatures(text: str) -> tuple[str, list[int]]:
    """``text`` with its Latin ligatures spelled as their letters ("ﬁrst" gives "first"),
    and for each character of it the index in ``text`` of the character it comes from,
    with ``len(text)`` after the last."""
    pieces: list[str] = []
    origin: list[int] = []
    for i, char in enumerate(text):
        plain = _LIGATURES.get(char, char)
        pieces.append(plain)
        origin.extend([i] * len(plain))
    origin.append(len(text))
    return "".join(pieces), origin


def has_suspect_characters(text: str) -> bool:
    """Whether ``text`` holds any character ``match_form`` reads differently from its
    lowercase: invisible, lookalike, combining or ligature (a quick test)."""
    # Every such character is outside ASCII: only those are compared (a regex picks them out
    # several times faster than a set walks the whole text).
    if text.isascii():
        return False
    return not _SUSPECT_CHARS.isdisjoint(_NON_ASCII.findall(text)) or bool(_TO_COMPOSE.search(text))


@dataclass(frozen=True)
class EvasionMarks:
    """Where a text hides characters from word matching: offsets into the text.

    Attributes
    ----------
    homoglyphs : tuple of int
        Each lookalike letter from another script inside a Latin word.
    zero_width : tuple of int
        Each invisible character between two letters or digits of a word (soft hyphens,
        which publishing systems put in for hyphenation, are read through, not counted).
    """

    homoglyphs: tuple[int, ...] = ()
    zero_width: tuple[int, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.homoglyphs or self.zero_width)

    def to_dict(self) -> dict[str, int]:
        """The counts, as a report's ``evasion`` field gives them."""
        return {"homoglyphs": len(self.homoglyphs), "zero_width": len(self.zero_width)}


def find_evasion(text: str) -> EvasionMarks:
    """The lookalike and invisible characters inside the words of ``text``, by offset."""
    if not has_suspect_characters(text):
        return EvasionMarks()
    homoglyphs: list[int] = []
    zero_width: list[int] = []
    for m in _LETTER_RUN.finditer(text):
        word = m.group()
        if word.isascii() or _SUSPECT_CHARS.isdisjoint(word):
            continue
        at = m.start()
        if _INVISIBLE.isdisjoint(word):
            homoglyphs.extend(at + k for k in _lookalike_positions(word))
            continue
        for inner in _INVISIBLE_CHARS.finditer(word):
            # A soft hyphen is a publishing system's hyphenation point, not a dodge.
            zero_width.extend(
                at + k for k in range(inner.start(), inner.end()) if word[k] != "\u00ad"
            )
        # The letters between the invisible characters, mapped back to offsets in text.
        visible = [k for k, char in enumerate(word) if char not in _INVISIBLE]
        letters = "".join(word[k] for k in visible)
        homoglyphs.extend(at + visible[k] for k in _lookalike_positions(letters))
    return EvasionMarks(tuple(homoglyphs), tuple(zero_width))
