"""Substitution judgement: is each substituted span a spinner's synonym swap or an ordinary edit?

A substitute edit from the alignment ("the company's staff" -> "the corporate's
employees") may hold several replaced units side by side.  The judge covers
the original and suspect words of the edit with the cheapest sequence of
pieces, each of which is

* unchanged, or a spelling variant ("U.S." / "US", "per cent" / "percent");
* a thesaurus synonym in any sense, after lemmatising, of one to four words
  ("staff" -> "employees", "said" -> "stated", "hospital" -> "infirmary");
* a known glue-phrase rewrite ("because of" -> "on account of");
* a dropped or added function word, folded into the neighbouring swap;
* anything else: an ordinary edit, classed as a number or date change, a name
  change, or an edit.

Each piece that is not unchanged becomes a ``Span``.  A span's ``score`` is
the probability that the swap is a spinner's: rare synonyms of common words
score high, the plainer words editors choose score low.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

from detector.align import Alignment
from detector.document import Document
from detector.lexicon import GluePhrases, Lexicon, load_glue_phrases, load_lexicon
from detector.stopwords import STOPWORDS

__all__ = ["SPIN_KINDS", "Span", "SpanKind", "SubstitutionJudge"]

SpanKind = Literal["synonym", "phrase", "number", "name", "edit"]
SPIN_KINDS: frozenset[str] = frozenset({"synonym", "phrase"})

_MAX_PIECE = 4  # longest phrase, in words, on either side of one piece
_DATE_WORDS = frozenset(
    (
        "monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow "
        "tonight january february march april may june july august september october november "
        "december jan feb mar apr jun jul aug sep sept oct nov dec"
    ).split()
)
_NUMBER_WORDS = frozenset(
    (
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy "
        "eighty ninety hundred thousand million billion trillion dozen dozens first second third "
        "fourth fifth sixth seventh eighth ninth tenth half per cent percent"
    ).split()
)
_COMPACT = re.compile(r"[\s.\-']")

# Costs of the pieces the cover is made of; the cheapest cover wins.
_COST_EQUAL = 0.0
_COST_SPELLING = 0.3
_COST_FUNCTION_WORD = 0.45
_COST_INFLECTION = 0.6
_COST_PHRASE = 0.9
_COST_SYNONYM = 1.0
_COST_OTHER = 2.2
_COST_OTHER_GAP = 1.8

_Piece = tuple[str, int, int, int, int]  # kind, original lo, hi, suspect lo, hi (block-relative)


@dataclass(frozen=True, slots=True)
class Span:
    """A substituted span of the suspect and the original words it replaced.

    ``start``/``end`` index the suspect's plain text, ``original_start``/
    ``original_end`` the original's.  ``kind`` is ``synonym`` or ``phrase`` for
    spinner-style swaps, ``number``, ``name`` or ``edit`` for ordinary edits;
    ``score`` is the probability (0..1) that the swap is a spinner's.
    """

    start: int
    end: int
    text: str
    original: str
    kind: SpanKind
    score: float
    original_start: int = -1
    original_end: int = -1

    @property
    def is_spin(self) -> bool:
        """Whether the span is a synonym or glue-phrase swap, the spinner's mark."""
        return self.kind in SPIN_KINDS

    def to_dict(self) -> dict[str, object]:
        """The span as the JSON contract gives it: start, end, text, original, kind, score."""
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "original": self.original,
            "kind": self.kind,
            "score": round(self.score, 4),
        }


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


class SubstitutionJudge:
    """Classifies the substitutions of an alignment into spinner swaps and ordinary edits.

    Parameters
    ----------
    lexicon : Lexicon, optional
        Thesaurus, lemmas and word frequencies; the compiled Moby lexicon by default.
    glue : GluePhrases, optional
        Glue-phrase rewrites; the bundled table by default.
    max_block_words : int, default=14
        Substitutions longer than this on either side are rewrites, not swaps,
        and are not searched for synonyms.
    """

    def __init__(
        self,
        lexicon: Lexicon | None = None,
        glue: GluePhrases | None = None,
        *,
        max_block_words: int = 14,
    ) -> None:
        if not isinstance(max_block_words, int) or max_block_words < 1:
            raise ValueError(
                f"the 'max_block_words' parameter of SubstitutionJudge must be an int >= 1, "
                f"got {max_block_words!r}"
            )
        self.lexicon = lexicon if lexicon is not None else load_lexicon()
        self.glue = glue if glue is not None else load_glue_phrases()
        self.max_block_words = max_block_words

    # ------------------------------------------------------------------ public

    def judge(self, alignment: Alignment) -> tuple[Span, ...]:
        """Every substituted span of ``alignment``, classified and scored, in suspect order."""
        spans: list[Span] = []
        suspect, original = alignment.suspect, alignment.original
        for edit in alignment.edits:
            if edit.op != "substitute":
                continue
            o_lo, o_hi = edit.original_words
            s_lo, s_hi = edit.suspect_words
            old = original.words[o_lo:o_hi]
            new = suspect.words[s_lo:s_hi]
            if len(old) > self.max_block_words or len(new) > self.max_block_words:
                pieces: list[_Piece] = [("other", 0, len(old), 0, len(new))]
            else:
                pieces = _downgrade_rewrites(self._cover(old, new))
            for kind, a0, a1, b0, b1 in _group(pieces):
                if b0 == b1:
                    continue  # a pure deletion inside the block: nothing to mark in the suspect
                spans.append(
                    self._span(suspect, original, kind, o_lo + a0, o_lo + a1, s_lo + b0, s_lo + b1)
                )
        return tuple(spans)

    def spin_probability(self, old: str, new: str, kind: str) -> float:
        """How likely swapping ``old`` for ``new`` (a ``kind`` span) is a spinner's work (0..1)."""
        if kind == "phrase":
            return 0.8
        if kind != "synonym":
            return 0.02
        drop = self.lexicon.zipf(old) - self.lexicon.zipf(new)  # spinners pick rarer words
        longer = len(new.split()) > len(old.split())
        return _sigmoid(0.6 + 1.1 * drop + 0.8 * longer)

    # ------------------------------------------------------------------ cover

    def _piece_kind(self, old: tuple[str, ...], new: tuple[str, ...]) -> tuple[str, float] | None:
        a, b = len(old), len(new)
        if a == 1 and b == 1:
            o, n = old[0], new[0]
            if o == n:
                return "equal", _COST_EQUAL
            if _compact(o) == _compact(n):
                return "spelling", _COST_SPELLING
            if (o in STOPWORDS and n in STOPWORDS) or _has_digit(o) or _has_digit(n):
                return None
            if self.lexicon.same_lemma(o, n):
                return "inflection", _COST_INFLECTION
            if self.lexicon.are_synonyms(o, n):
                return "synonym", _COST_SYNONYM
            return None
        o_str, n_str = " ".join(old), " ".join(new)
        if _compact(o_str) == _compact(n_str):
            return "spelling", _COST_SPELLING
        if (o_str, n_str) in self.glue:
            return "phrase", _COST_PHRASE
        if (a > 1 and o_str not in self.lexicon) or (b > 1 and n_str not in self.lexicon):
            return None
        if all(w in STOPWORDS for w in old) and all(w in STOPWORDS for w in new):
            return None
        if self.lexicon.are_synonyms(o_str, n_str):
            return "synonym", _COST_SYNONYM + 0.05 * (a + b - 2)
        return None

    def _cover(self, old: tuple[str, ...], new: tuple[str, ...]) -> list[_Piece]:
        m, n = len(old), len(new)
        inf = float("inf")
        cost = [[inf] * (n + 1) for _ in range(m + 1)]
        back: list[list[_Piece | None]] = [[None] * (n + 1) for _ in range(m + 1)]
        cost[0][0] = 0.0
        for i in range(m + 1):
            for j in range(n + 1):
                here = cost[i][j]
                if here == inf:
                    continue

                def relax(kind: str, c: float, i2: int, j2: int, i: int = i, j: int = j) -> None:
                    total = cost[i][j] + c
                    if total < cost[i2][j2]:
                        cost[i2][j2] = total
                        back[i2][j2] = (kind, i, i2, j, j2)

                if i < m:
                    if old[i] in STOPWORDS:
                        relax("gap", _COST_FUNCTION_WORD, i + 1, j)
                    else:
                        relax("other", _COST_OTHER_GAP, i + 1, j)
                if j < n:
                    if new[j] in STOPWORDS:
                        relax("gap", _COST_FUNCTION_WORD, i, j + 1)
                    else:
                        relax("other", _COST_OTHER_GAP, i, j + 1)
                if i < m and j < n:
                    relax("other", _COST_OTHER, i + 1, j + 1)
                for a in range(1, min(_MAX_PIECE, m - i) + 1):
                    for b in range(1, min(_MAX_PIECE, n - j) + 1):
                        found = self._piece_kind(old[i : i + a], new[j : j + b])
                        if found is not None:
                            relax(found[0], found[1], i + a, j + b)
        pieces: list[_Piece] = []
        i, j = m, n
        while i or j:
            piece = back[i][j]
            assert piece is not None  # every cell is reachable through gaps
            pieces.append(piece)
            i, j = piece[1], piece[3]
        pieces.reverse()
        return pieces

    # ------------------------------------------------------------------ spans

    def _span(
        self,
        suspect: Document,
        original: Document,
        kind: str,
        o_lo: int,
        o_hi: int,
        s_lo: int,
        s_hi: int,
    ) -> Span:
        old_words = original.words[o_lo:o_hi]
        new_words = suspect.words[s_lo:s_hi]
        if kind not in SPIN_KINDS:
            kind = _ordinary_kind(suspect, original, o_lo, o_hi, s_lo, s_hi)
        if kind == "synonym":
            # Score the swap by its content words ("the big" -> "large" is big -> large).
            old_key = " ".join(w for w in old_words if w not in STOPWORDS) or " ".join(old_words)
            new_key = " ".join(w for w in new_words if w not in STOPWORDS) or " ".join(new_words)
            score = self.spin_probability(old_key, new_key, kind)
        else:
            score = self.spin_probability(" ".join(old_words), " ".join(new_words), kind)
        start, end = suspect.char_span(s_lo, s_hi)
        if o_lo < o_hi:
            o_start, o_end = original.char_span(o_lo, o_hi)
        else:
            o_start = o_end = original.ends[o_lo - 1] if o_lo > 0 else 0
        return Span(
            start=start,
            end=end,
            text=suspect.text[start:end],
            original=original.text[o_start:o_end],
            kind=kind,  # type: ignore[arg-type]
            score=score,
            original_start=o_start,
            original_end=o_end,
        )


def _compact(s: str) -> str:
    return _COMPACT.sub("", s)


def _has_digit(s: str) -> bool:
    return any(c.isdigit() for c in s)


def _downgrade_rewrites(pieces: list[_Piece]) -> list[_Piece]:
    """A block mostly rewritten in other words is an edit, even if a synonym turns up in it."""
    other = sum(max(a1 - a0, b1 - b0) for kind, a0, a1, b0, b1 in pieces if kind == "other")
    swapped = sum(max(a1 - a0, b1 - b0) for kind, a0, a1, b0, b1 in pieces if kind in SPIN_KINDS)
    if other >= 3 and other > swapped:
        return [("other", *piece[1:]) if piece[0] in SPIN_KINDS else piece for piece in pieces]
    return pieces


def _group(pieces: list[_Piece]) -> list[_Piece]:
    """Merge a cover's pieces into spans.

    Unchanged words separate spans.  Between them, each synonym or phrase swap
    is a span of its own; a dropped or added function word joins the swap after
    it (or, at the end of a run, the one before); other edits run together.
    """
    runs: list[list[list]] = [[]]
    for kind, a0, a1, b0, b1 in pieces:
        if kind in ("equal", "spelling"):
            runs.append([])
        else:
            kind = kind if kind in SPIN_KINDS or kind == "gap" else "other"
            runs[-1].append([kind, a0, a1, b0, b1])
    groups: list[_Piece] = []
    for run in runs:
        merged: list[list] = []
        gap: list | None = None
        for piece in run:
            if piece[0] == "gap":
                gap = piece if gap is None else [gap[0], gap[1], piece[2], gap[3], piece[4]]
                continue
            if gap is not None:
                piece[1], piece[3] = gap[1], gap[3]
                gap = None
            if merged and piece[0] == "other" and merged[-1][0] == "other":
                merged[-1][2], merged[-1][4] = piece[2], piece[4]
            else:
                merged.append(piece)
        if gap is not None:
            if merged:
                merged[-1][2], merged[-1][4] = gap[2], gap[4]
            else:
                merged.append(["other", *gap[1:]])
        groups.extend(tuple(g) for g in merged)  # type: ignore[misc]
    return groups


def _is_capitalised(doc: Document, k: int) -> bool:
    return doc.text[doc.starts[k]].isupper()


def _ordinary_kind(
    suspect: Document, original: Document, o_lo: int, o_hi: int, s_lo: int, s_hi: int
) -> SpanKind:
    words = original.words[o_lo:o_hi] + suspect.words[s_lo:s_hi]
    if any(_has_digit(w) or w in _DATE_WORDS or w in _NUMBER_WORDS for w in words):
        return "number"
    content_caps = [
        _is_capitalised(doc, k)
        for doc, lo, hi in ((original, o_lo, o_hi), (suspect, s_lo, s_hi))
        for k in range(lo, hi)
        if doc.words[k] not in STOPWORDS
    ]
    if content_caps and all(content_caps):
        return "name"
    return "edit"
