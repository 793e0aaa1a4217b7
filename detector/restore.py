"""Guessing the original words behind a flagged word when there is no original to read.

A spinner replaces a word ``c`` by a synonym ``w`` drawn from ``c``'s thesaurus
entry, preferring close synonyms, so a likely original of ``w`` is a synonym
``c`` of ``w`` that is common (reporters write plain words), shares much of
``w``'s entry (a close synonym) and has a short entry of its own (so ``w`` was a
likely draw from it):

    score(c) = zipf(c) + ln(1 + |syn(c) & syn(w)|) - 0.5 ln |syn(c)|

The candidate is put back in the flagged word's inflection ("assaulted" ->
"attacked") and capitalisation.  Without context this is a weak guess (see
EVALUATION.md for its measured accuracy); ``lemminflect`` is imported on first
use only.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field

from detector.lexicon import Lexicon
from detector.stopwords import STOPWORDS

__all__ = ["Restorer", "match_case"]

_MIN_ZIPF = 3.0  # candidates rarer than this are unlikely originals of news text
_POOL = 12  # commonest eligible synonyms ranked per word (as accurate as all, 10x faster)


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
            cached = self._rank(word, limit)
            if len(self._cache) > 50_000:
                self._cache.clear()
            self._cache[key] = cached
        return cached

    def restore(self, surface: str) -> str:
        """The likeliest original of the text ``surface``, in its case; "" when none is known."""
        found = self.candidates(surface.lower(), 1)
        if not found:
            return ""
        return match_case(found[0], surface)

    def _rank(self, word: str, limit: int) -> tuple[str, ...]:
        lexicon = self.lexicon
        lemmas = lexicon.lemma_forms(word) or (word,)
        around = set(lexicon.synonym_ids(word))
        pool: set[int] = set()
        for lemma in lemmas:
            ids = lexicon.synonym_ids(lemma)
            around.update(ids)
            pool.update(ids)
        # Only the commonest plain words are plausible originals: rank a short list of them.
        floor = round(_MIN_ZIPF * 10)
        eligible = [
            (lexicon.zipf_x10[i], i)
            for i in pool
            if lexicon.zipf_x10[i] >= floor and self._plain(lexicon.terms[i])
        ]
        scored: dict[str, float] = {}
        for zipf_x10, i in heapq.nlargest(_POOL, eligible):
            candidate = lexicon.terms[i]
            theirs = lexicon.synonym_ids(candidate)
            scored[candidate] = (
                zipf_x10 / 10
                + math.log1p(len(theirs & around))
                - 0.5 * math.log(max(1, len(theirs)))
            )
        tag = _tag_of(word, lemmas[0]) if lemmas[0] != word else None
        found: list[str] = []
        for candidate in sorted(scored, key=lambda c: (-scored[c], c)):
            inflected = _inflect(candidate, tag)
            if inflected is not None:
                found.append(inflected)
                if len(found) == limit:
                    break
        return tuple(found)

    def _plain(self, term: str) -> bool:
        """Whether ``term`` could be a news writer's word: short, no hyphen, not a stopword."""
        return (
            term.count(" ") < self.max_words
            and "-" not in term
            and "'" not in term
            and term not in STOPWORDS
        )


def _tag_of(word: str, lemma: str) -> str | None:
    """The Penn tag that turns ``lemma`` into ``word`` ("assaulted", "assault" -> "VBD")."""
    from lemminflect import getAllInflections

    for tag, forms in getAllInflections(lemma).items():
        if word in forms:
            return tag
    return None


def _inflect(candidate: str, tag: str | None) -> str | None:
    """``candidate`` in the form ``tag``, or None when the dictionary has no such form of it."""
    if tag is None:
        return candidate
    from lemminflect import getAllInflections

    head, _, rest = candidate.partition(" ")
    forms = getAllInflections(head).get(tag)
    if not forms:
        return None
    return f"{forms[0]} {rest}".strip()


def match_case(word: str, like: str) -> str:
    """``word`` in the capitalisation of ``like`` (UPPER, Title or lower)."""
    if like.isupper() and len(like) > 1:
        return word.upper()
    if like[:1].isupper():
        return word[:1].upper() + word[1:]
    return word
