"""Whether a text is English prose a reference-free model can judge, and why not when it is not.

A reference-free model reads words in sentences.  Code, tables, lists of
numbers and text in another language are none of that: scoring them gives a
page of flags that mean nothing.  ``prose_problem`` says, in one sentence, why
a text should be left ``unscored``, or returns None for ordinary prose.
``language_problem`` is its test of language alone, which reference mode uses to
say when a pair's swaps cannot be recognised (English thesauri) or a suspect is a
translation of its original.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from detector.document import PARAGRAPH_BREAK, Document, make_document
from detector.lexicon import Lexicon
from detector.stopwords import STOPWORDS

__all__ = [
    "CODE_CHARACTERS",
    "ProseCheck",
    "TablesSetAside",
    "foreign_paragraphs",
    "language_problem",
    "prose_problem",
    "without_tables",
]

# The brackets, operators and underscores code is made of.
CODE_CHARACTERS = frozenset("{}[]()<>=;_#*/\\|^~`$")


@dataclass(frozen=True)
class ProseCheck:
    """The thresholds below which a text is not judged.

    Attributes
    ----------
    min_words : int
        Fewer words than this is too short to judge.
    min_english_share : float
        Share of the alphabetic words that must be English words (in the thesaurus
        or among the function words).
    min_function_share : float
        Share of the words that must be function words ("the", "of", "and"):
        sentences have them, tables, keyword lists and code mostly do not.
    min_letter_share : float
        Share of the non-space characters that must be letters.
    max_code_share : float
        Largest share of the non-space characters that may be the brackets,
        operators and underscores code is made of (prose has well under 1%).
    min_distinct_root : float
        A text of ``n`` words needs at least this times ``sqrt(n)`` different words:
        prose keeps meeting new ones (an 800-word article has about 350, twelve
        times the root), where one word or line repeated does not.
    """

    min_words: int = 15
    min_english_share: float = 0.6
    min_function_share: float = 0.18
    min_letter_share: float = 0.7
    max_code_share: float = 0.05
    min_distinct_root: float = 1.0

    def __post_init__(self) -> None:
        if self.min_words < 1:
            raise ValueError(f"the 'min_words' of ProseCheck must be >= 1, got {self.min_words}")
        for name in (
            "min_english_share",
            "min_function_share",
            "min_letter_share",
            "max_code_share",
        ):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"the '{name}' of ProseCheck must be in [0, 1], got {value}")
        if not self.min_distinct_root >= 0.0:
            raise ValueError(
                f"the 'min_distinct_root' of ProseCheck must be >= 0, got {self.min_distinct_root}"
            )


_HINT_PARAGRAPHS = 1_000  # paragraphs read for the hint that some are English


def _english_paragraphs(text: str, lexicon: Lexicon, check: ProseCheck) -> str:
    """ "; 2 of its 5 paragraphs are English: score them on their own" when a text that is
    not English as a whole holds English paragraphs long enough to judge; else ""."""
    paragraphs = [p for p in PARAGRAPH_BREAK.split(text) if p.strip()]
    if len(paragraphs) < 2:
        return ""
    english = 0
    for paragraph in paragraphs[:_HINT_PARAGRAPHS]:  # a page of thousands: its first ones
        words = [w for w in make_document(paragraph).words if w.isalpha()]
        known = sum(1 for w in words if w in STOPWORDS or w in lexicon)
        english += len(words) >= check.min_words and known >= check.min_english_share * len(words)
    if not english:
        return ""
    counted = f"{len(paragraphs)}"
    if len(paragraphs) > _HINT_PARAGRAPHS:
        counted = f"first {_HINT_PARAGRAPHS:,}"
    return (
        f"; {english} of its {counted} paragraphs "
        f"{'is' if english == 1 else 'are'} English: score "
        f"{'it' if english == 1 else 'them'} on {'its' if english == 1 else 'their'} own"
    )


_RULE_CHARACTERS = frozenset("|+:=- \t")  # a rule under a table's head or around a grid
_TABLE_LINES = 2  # fewest rows in a row that make a table
_ALIGNED_LINES = 3  # fewest rows in a row that make a table of columns lined up by spaces
_ALIGNED_GAP = re.compile(r"\t+| {2,}")  # between two columns lined up by spaces or tabs
_CELL_WORDS = 6  # most words in a cell of such a table (a sentence is longer)
# Not cells of such a table: a list's marker ("1.", "-"), a sentence's end, a comment.
_LIST_MARKER = re.compile(r"(?:\d+|[a-zA-Z])[.)]|[-*\u2022\u2013]")
_NOT_A_CELL = re.compile(r"[.?!]['\")]?$|^(?:#|//)")


@dataclass(frozen=True)
class TablesSetAside:
    """A text with its tables blanked out: ``document`` reads as the text with each
    table's characters (newlines apart) made spaces, so every offset stays where it
    was; ``rows`` is how many lines were blanked (0: no table)."""

    document: Document
    rows: int


def _table_row(line: str) -> str | None:
    """What ``line`` is in a table: ``rule`` ("|---|:--:|", "+-----+----+"), ``cells``
    (two pipes or more: "| Labour | 18 | +3 |", "Labour | 18 | +3"), ``pair`` (one
    pipe: "Labour | 18"), ``aligned`` (columns lined up by two spaces or more, or tabs,
    none of them a sentence, a list's marker or a comment: "White loaf 800g    142
    171   +47.9"), or None for a line of prose or an empty one."""
    cells = line.strip()  # a Windows line ending's "\r" too
    if not cells:
        return None
    if ("---" in cells or "===" in cells) and set(cells) <= _RULE_CHARACTERS:
        return "rule"
    pipes = cells.count("|")
    if pipes:
        return "cells" if pipes >= 2 else "pair"
    columns = _ALIGNED_GAP.split(cells)
    if (
        len(columns) >= 2
        and not _LIST_MARKER.fullmatch(columns[0])
        and all(len(c.split()) <= _CELL_WORDS and not _NOT_A_CELL.search(c) for c in columns)
    ):
        return "aligned"
    return None


def _columns(line: str) -> int:
    """How many columns a line of a table lined up by spaces has."""
    return len(_ALIGNED_GAP.split(line.strip()))


def without_tables(document: Document) -> TablesSetAside:
    """``document`` with the tables inside it (two or more lines in a row of cells
    between pipes, with the rules around them; a two-column table's rows of one pipe
    under a rule) blanked out, so the prose around a table is read and the table is
    not."""
    text = document.text
    if text.count("|") < 2 * _TABLE_LINES and "---" not in text and not _ALIGNED_GAP.search(text):
        return TablesSetAside(document, 0)
    lines = text.split("\n")
    rows = [_table_row(line) for line in lines]
    blank = [False] * len(lines)
    k = 0
    while k < len(lines):
        if rows[k] is None:
            k += 1
            continue
        end = k
        while end < len(lines) and rows[end] is not None:
            end += 1
        kinds = set(rows[k:end])
        # Cells between two pipes or more make a table; a two-column table's single
        # pipes ("Party | Seats") only with a rule under its head; columns lined up by
        # spaces from three rows, as many columns in each, half of them with a figure (a
        # price list, a results table), since two short phrases a line apart may be a
        # poem or an address.
        if (
            end - k >= _TABLE_LINES
            and any("|" in line or "+" in line for line in lines[k:end])
            and ("pair" not in kinds or "rule" in kinds)
            and kinds != {"rule"}
        ) or (
            kinds <= {"aligned", "rule"}
            and end - k >= _ALIGNED_LINES
            and 2 * sum(any(c.isdigit() for c in line) for line in lines[k:end]) >= end - k
            and len(
                {
                    _columns(line)
                    for line, r in zip(lines[k:end], rows[k:end], strict=True)
                    if r != "rule"
                }
            )
            == 1
        ):
            blank[k:end] = [True] * (end - k)
        k = end
    if not any(blank):
        return TablesSetAside(document, 0)
    kept = "\n".join(" " * len(line) if b else line for line, b in zip(lines, blank, strict=True))
    return TablesSetAside(make_document(kept, document.name), sum(blank))


def _is_latin(letter: str) -> bool:
    return unicodedata.name(letter, "").startswith("LATIN")


def prose_problem(
    document: Document, lexicon: Lexicon, check: ProseCheck | None = None
) -> str | None:
    """Why ``document`` is not English prose a model can judge, or None when it is."""
    check = check or ProseCheck()
    words = document.words
    # Counted over the distinct characters: a few hundred tests, not one per character.
    characters = Counter(document.text)
    visible = sum(n for c, n in characters.items() if not c.isspace())
    letters = sum(n for c, n in characters.items() if c.isalpha())
    script = _other_script(words)
    if script:
        return script
    if len(words) < check.min_words:
        count = "1 word" if len(words) == 1 else f"{len(words)} words"
        return f"too short to judge ({count}; at least {check.min_words} are needed)"
    if visible and letters / visible < check.min_letter_share:
        return (
            f"does not read as prose: only {letters / visible:.0%} of its characters are "
            "letters (code, a table or numbers?)"
        )
    code = sum(n for c, n in characters.items() if c in CODE_CHARACTERS)
    if visible and code / visible > check.max_code_share:
        return (
            f"looks like code or markup, not prose: {code / visible:.1%} of its characters "
            "are brackets, operators or underscores"
        )
    alphabetic = [w for w in words if w.isalpha()]
    if not alphabetic:
        return "does not read as prose: it has no words made of letters"
    english = _english_share(alphabetic, lexicon)
    if english < check.min_english_share:
        return (
            f"does not look like English: only {english:.0%} of its words "
            f"are English words{_english_paragraphs(document.text, lexicon, check)}"
        )
    distinct = len(set(words))
    if distinct < check.min_distinct_root * math.sqrt(len(words)):
        return (
            f"does not read as prose: {len(words):,} words but only {distinct:,} different "
            "ones (a word or a line repeated?)"
        )
    function = sum(1 for w in words if w in STOPWORDS)
    if function / len(words) < check.min_function_share:
        return (
            f"does not read as sentences: only {function / len(words):.0%} of its words are "
            "function words (a list, a table or code?)"
        )
    return None


def language_problem(
    document: Document, lexicon: Lexicon, check: ProseCheck | None = None
) -> str | None:
    """Why ``document`` does not look like English ("does not look like English: only 12%
    of its words are English words"), or None when it does or is too short to tell."""
    check = check or ProseCheck()
    script = _other_script(document.words)
    if script:
        return script
    alphabetic = [w for w in document.words if w.isalpha()]
    if len(alphabetic) < check.min_words:
        return None
    english = _english_share(alphabetic, lexicon)
    if english < check.min_english_share:
        return f"does not look like English: only {english:.0%} of its words are English words"
    return None


# A paragraph in another language has few English function words and English words
# (French, Spanish, German, Dutch, Italian, Latin news sentences: 0-7% and 17-32%);
# English jargon still has its function words (a medical or a devops paragraph: 12%,
# with 47-58% English words).
_FOREIGN_FUNCTION_SHARE = 0.1
_FOREIGN_ENGLISH_SHARE = 0.4


def foreign_paragraphs(
    document: Document, lexicon: Lexicon, check: ProseCheck | None = None
) -> tuple[int, int]:
    """(foreign, paragraphs): how many of ``document``'s paragraphs of at least
    ``check.min_words`` words do not read as English (under a tenth English function
    words and under 40% English words), of how many paragraphs in all, in a text that
    is English as a whole (a quotation or a notice in another language inside an
    article).

    A paragraph of mostly capitalised words (a team's line-up, a list of names) is no
    language.  Cheap on English text: a paragraph is looked up in the thesaurus only
    when under a tenth of its words are English function words."""
    check = check or ProseCheck()
    text, words, starts = document.text, document.words, document.starts
    breaks = [m.end() for m in PARAGRAPH_BREAK.finditer(text)]
    if not breaks:
        return 0, 1
    foreign = paragraphs = 0
    k = 0
    for end in [*breaks, len(text) + 1]:
        alphabetic = []
        lower = 0
        while k < len(words) and starts[k] < end:
            if words[k].isalpha():
                alphabetic.append(words[k])
                lower += text[starts[k]].islower()
            k += 1
        if not alphabetic:
            continue
        paragraphs += 1
        if len(alphabetic) < check.min_words or 2 * lower < len(alphabetic):
            continue  # short, or a list of names (a team's line-up) or a title
        function = sum(1 for w in alphabetic if w in STOPWORDS)
        if function >= _FOREIGN_FUNCTION_SHARE * len(alphabetic):
            continue
        foreign += _english_share(alphabetic, lexicon) < _FOREIGN_ENGLISH_SHARE
    return foreign, paragraphs


def _other_script(words: Sequence[str]) -> str | None:
    """Why ``words`` are not English when most of their letters are of another script."""
    # Over the words as matching reads them: lookalike, fullwidth and mathematical letters
    # read as Latin (an evasion is scored, not called another language).
    in_words = latin = 0
    for c, n in Counter("".join(words)).items():  # counted in C, tested per distinct letter
        if c.isalpha():
            in_words += n
            latin += n if _is_latin(c) else 0
    if in_words and latin < in_words / 2:  # Chinese or Japanese is a few "words" a sentence
        return (
            f"does not look like English: {1 - latin / in_words:.0%} of its letters are of "
            "another script than the Latin alphabet"
        )
    return None


def _english_share(alphabetic: Sequence[str], lexicon: Lexicon) -> float:
    """The share of ``alphabetic`` (words of letters only, not empty) that are English words."""
    counts = Counter(alphabetic)  # each distinct word looked up once
    english = sum(n for w, n in counts.items() if w in STOPWORDS or w in lexicon)
    return english / len(alphabetic)
