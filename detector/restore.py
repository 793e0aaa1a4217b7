"""Guessing the original words behind a flagged word when there is no original to read.

A spinner replaces a word ``c`` by a synonym ``w`` drawn from ``c``'s thesaurus
entry, preferring close synonyms, so a likely original of ``w`` is a synonym
``c`` of ``w`` that is common (reporters write plain words), shares much of
``w``'s entry (a close synonym) and has a short entry of its own (so ``w`` was a
likely draw from it):

    score(c) = zipf(c) + 1.5 ln(1 + |syn(c) & syn(w)|) - 0.75 ln |syn(c)|

The candidates are the commonest synonyms in ``w``'s own entry and in the entry of
each of its lemmas, those put back in ``w``'s inflection ("assaulted" ->
"attacked"; "number" is read as a noun and as "numb" made comparative), never ``w``
or its lemma themselves; the best is given ``w``'s capitalisation.  Without
context this is a weak guess (BENCHMARKS.md, "Restoration without context");
``lemminflect`` is imported on first use only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from detector.lexicon import Lexicon
from detector.stopwords import CARDINAL_WORDS, STOPWORDS

__all__ = ["Restorer", "match_case"]

_MIN_ZIPF = 3.0  # candidates rarer than this are unlikely originals of news text
_POOL = 30  # commonest eligible synonyms ranked per entry (12 restored a quarter fewer)
# The weights of the module docstring's score, measured on the hand-spun sets' one-word
# swaps and the synthetic validation split's (``bench/bench_restorer.py``).
_SHARED_WEIGHT = 1.5
_ENTRY_WEIGHT = 0.75


@dataclass(eq=False)
class Restorer:
    """Ranks the likely original words of spun words (see the module docstring).

    Parameters
    ----------
    lexicon : Lexicon
        Thesaurus, lemmas and frequencies.
    max_words : int, default=1
        Longest candidate considered, in words.
    """

    lexicon: Lexicon
    max_words: int = 1
    _cache: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _tables: tuple[Any, Any] | None = field(default=None, repr=False)
    _mask: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.max_words, int) or self.max_words < 1:
            raise ValueError(
                f"the 'max_words' parameter of Restorer must be an int >= 1, got {self.max_words!r}"
            )

    def candidates(self, word: str, limit: int = 3) -> tuple[str, ...]:
        """Likely originals of ``word`` (lowercase), best first, inflected like ``word``."""
        key = f"{word}\t{limit}"
        cached = self._cache.get(key)
        if cached is None:
            if len(self._cache) > 50_000:
                self._cache.clear()
            cached = self._cache[key] = self._best(word, limit)
        return cached

    def restore(self, surface: str) -> str:
        """The likeliest original of the text ``surface``, in its case; "" when none is known."""
        found = self.candidates(surface.lower(), 1)
        if not found:
            return ""
        return match_case(found[0], surface)

    def _readings(self, word: str) -> list[tuple[int, str | None, bool]]:
        """The entries ``word`` may have been drawn from, with the inflection to put their
        words in and whether only their base forms take it: its own entry ("number" is a
        noun; "children" has an entry of its own, whose "kid" is put in the plural), and
        each lemma's, inflected like ``word`` ("numb" made comparative)."""
        lexicon = self.lexicon
        lemmas = lexicon.lemma_forms(word)
        tags = [_tag_of(word, lemma) for lemma in lemmas]
        readings: list[tuple[int, str | None, bool]] = []
        own = lexicon.term_id(word)
        if own is not None:
            # A word that is no lemma itself ("children") is in its lemma's form, and its
            # entry's base forms are put in it; a word that is one ("found") is as written.
            tag = None if not lemmas or _is_a_lemma(word) else tags[0]
            readings.append((own, tag, True))
        for lemma, tag in zip(lemmas, tags, strict=True):
            i = lexicon.term_id(lemma)
            if i is not None:
                readings.append((i, tag, False))
        return readings

    def _best(self, word: str, limit: int) -> tuple[str, ...]:
        """The ``limit`` best-scoring originals of ``word``, in its inflection (module doc)."""
        lexicon = self.lexicon
        if {word, *lexicon.lemma_forms(word)} & CARDINAL_WORDS:
            # A count is never restored: Moby's other counts ("twenty" -> "eleven") and the
            # rest of its entry ("twelve" -> "teens") would change a fact, not undo a swap.
            return ()
        scored = self._scored(word)
        found: list[str] = []
        k = 0
        # Best score first, candidates of one score by their inflected form: only as many
        # are put in the word's form and checked as the first ``limit`` originals take.
        while k < len(scored) and len(found) < limit:
            level = [scored[k]]
            while k + len(level) < len(scored) and scored[k + len(level)][0] == level[0][0]:
                level.append(scored[k + len(level)])
            k += len(level)
            kept: set[str] = set()
            for _, i, tag, base_only in level:
                candidate = lexicon.terms[i]
                forms = lexicon.lemma_forms(candidate)
                inflected = candidate if base_only and forms else _inflect(candidate, tag)
                if inflected is None or inflected in found or lexicon.same_lemma(inflected, word):
                    continue  # "games" is no original of "game", nor "leaving" of "leave"
                kept.add(inflected)
            found += sorted(kept)
        return tuple(found[:limit])

    def _scored(self, word: str) -> list[tuple[float, int, str | None, bool]]:
        """(score, term id, tag, base forms only) of the commonest synonyms in each entry
        ``word`` may come from, best score first."""
        import numpy as np

        lexicon = self.lexicon
        readings = self._readings(word)
        rank_key, eligible = self._arrays()
        mask = self._scratch()
        around = [lexicon.synonym_array(i) for i, _, _ in readings]
        chosen: list[int] = []
        reading: list[int] = []
        for k, synonyms in enumerate(around):
            ids = synonyms[eligible[synonyms]]
            ids = ids[np.argsort(-rank_key[ids])][:_POOL].tolist()
            chosen += ids
            reading += [k] * len(ids)
        try:
            for ids in around:
                mask[ids] = True
            sizes, shared = lexicon.synonym_overlaps(chosen, mask)  # every entry's at once
        finally:
            for ids in around:
                mask[ids] = False
        scored = [
            (
                lexicon.zipf_x10[i] / 10
                + _SHARED_WEIGHT * math.log1p(common)
                - _ENTRY_WEIGHT * math.log(max(1, size)),
                i,
                readings[k][1],
                readings[k][2],
            )
            for i, k, size, common in zip(chosen, reading, sizes, shared, strict=True)
        ]
        scored.sort(key=lambda entry: -entry[0])
        return scored

    def _arrays(self) -> tuple[Any, Any]:
        """Per term id: a key ranking candidates (Zipf x 10, then id) and whether one may be one.

        A candidate must be ``_plain`` and at least ``_MIN_ZIPF`` common.  Built on first use.
        """
        if self._tables is None:
            import numpy as np

            terms = self.lexicon.terms
            zipf_x10 = np.asarray(self.lexicon.zipf_x10, dtype=np.int64)
            plain = np.fromiter(map(self._plain, terms), dtype=bool, count=len(terms))
            rank_key = zipf_x10 * len(terms) + np.arange(len(terms))
            self._tables = (rank_key, plain & (zipf_x10 >= round(_MIN_ZIPF * 10)))
        return self._tables

    def _plain(self, term: str) -> bool:
        """Whether ``term`` could be a news writer's word: short, no hyphen, not a stopword.

        Single letters (Moby lists "l" and "r" for "dressing room") are not.
        """
        return (
            len(term) > 1
            and term.count(" ") < self.max_words
            and "-" not in term
            and "'" not in term
            and term not in STOPWORDS
        )

    def _scratch(self) -> Any:
        """A boolean mask over term ids, all false between uses."""
        if self._mask is None:
            import numpy as np

            self._mask = np.zeros(len(self.lexicon.terms), dtype=bool)
        return self._mask


@lru_cache(maxsize=50_000)
def _inflections(lemma: str) -> dict[str, tuple[str, ...]]:
    """``lemminflect.getAllInflections(lemma)``, cached (it decodes its tables on every call)."""
    from lemminflect import getAllInflections

    return getAllInflections(lemma)


def _tag_of(word: str, lemma: str) -> str | None:
    """The Penn tag that turns ``lemma`` into ``word`` ("assaulted", "assault" -> "VBD"; of
    a phrase, its first word's: "broke out", "break out" -> "VBD")."""
    head, _, rest = word.partition(" ")
    lemma_head, _, lemma_rest = lemma.partition(" ")
    if rest != lemma_rest:
        return None
    for tag, forms in _inflections(lemma_head).items():
        if head in forms:
            return tag
    return None


@lru_cache(maxsize=50_000)
def _is_a_lemma(word: str) -> bool:
    """Whether ``word`` is a lemma of itself for some part of speech ("found", not "children")."""
    from lemminflect import getAllLemmas

    return any(word in lemmas for lemmas in getAllLemmas(word).values())


def _inflect(candidate: str, tag: str | None) -> str | None:
    """``candidate`` in the form ``tag``, or None when the dictionary has no such form of it."""
    if tag is None:
        return candidate
    head, _, rest = candidate.partition(" ")
    forms = _inflections(head).get(tag)
    if not forms:
        return None
    return f"{forms[0]} {rest}".strip()


def match_case(word: str, like: str) -> str:
    """``word`` in the capitalisation of ``like`` (UPPER, Title or lower); every word
    capitalised where each of a phrase's is ("Bosom Peril": "Breast Cancer")."""
    if like.isupper() and len(like) > 1:
        return word.upper()
    if " " in like and all(w[:1].isupper() for w in like.split()):
        return " ".join(w[:1].upper() + w[1:] for w in word.split(" "))
    if like[:1].isupper():
        return word[:1].upper() + word[1:]
    return word
