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

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from detector.lexicon import Lexicon
from detector.stopwords import CARDINAL_WORDS, STOPWORDS

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
            self.prepare([word], limit)
            cached = self._cache[key]
        return cached

    def restore(self, surface: str) -> str:
        """The likeliest original of the text ``surface``, in its case; "" when none is known."""
        found = self.candidates(surface.lower(), 1)
        if not found:
            return ""
        return match_case(found[0], surface)

    def prepare(self, surfaces: Iterable[str], limit: int = 1) -> None:
        """Rank the originals of many words at once, so ``candidates`` finds them cached.

        ``restore`` asks for one word at a time; a caller that knows every word it
        will restore (a report's flagged words) saves most of the per-word cost by
        passing them here first.
        """
        import numpy as np

        words = list(dict.fromkeys(s.lower() for s in surfaces))
        words = [w for w in words if f"{w}\t{limit}" not in self._cache]
        if not words:
            return
        lexicon, n = self.lexicon, len(self.lexicon.terms)
        lemmas = [lexicon.lemma_forms(word) or (word,) for word in words]
        forms = [[i for i in map(lexicon.term_id, found) if i is not None] for found in lemmas]
        # Each word's pool (the synonyms of its lemmas) as sorted keys word * n + term id.
        form_word = np.repeat(np.arange(len(words)), [len(f) for f in forms])
        form_id = np.fromiter((i for f in forms for i in f), dtype=np.int64, count=len(form_word))
        owner, synonym = lexicon.synonym_pairs(form_id)
        pool = np.sort(form_word[owner] * n + synonym)
        if len(pool) > 1:  # a word with several lemmas may meet a synonym twice
            pool = pool[np.concatenate(([True], pool[1:] != pool[:-1]))]
        pool_word, pool_id = np.divmod(pool, n)
        pool_start = np.searchsorted(pool_word, np.arange(len(words) + 1))
        # Only the commonest plain words are plausible originals: rank a short list of each
        # word's, the commonest first and, among equally common ones, the highest id first.
        rank_key, eligible = self._arrays()
        keep = eligible[pool_id]
        likely_word, likely_id = pool_word[keep], pool_id[keep]
        order = np.lexsort((-rank_key[likely_id], likely_word))
        likely_word, likely_id = likely_word[order], likely_id[order]
        first = np.searchsorted(likely_word, np.arange(len(words) + 1))
        mask = self._scratch()
        for k, word in enumerate(words):
            chosen = likely_id[first[k] : min(first[k + 1], first[k] + _POOL)].tolist()
            # Overlaps with everything around the word: its lemmas' synonyms and its own.
            own = lexicon.term_id(word)
            around = [pool_id[pool_start[k] : pool_start[k + 1]]]
            if own is not None:
                around.append(lexicon.synonym_array(own))
            for ids in around:
                mask[ids] = True
            sizes, shared = lexicon.synonym_overlaps(chosen, mask)
            for ids in around:
                mask[ids] = False
            if len(self._cache) > 50_000:
                self._cache.clear()
            self._cache[f"{word}\t{limit}"] = self._best(
                word, lemmas[k], chosen, sizes, shared, limit
            )

    def _best(
        self,
        word: str,
        lemmas: tuple[str, ...],
        chosen: list[int],
        sizes: list[int],
        shared: list[int],
        limit: int,
    ) -> tuple[str, ...]:
        """The ``limit`` best-scoring candidates ``chosen``, put in the inflection of ``word``."""
        lexicon = self.lexicon
        scored = {
            lexicon.terms[i]: lexicon.zipf_x10[i] / 10 + math.log1p(s) - 0.5 * math.log(max(1, z))
            for i, z, s in zip(chosen, sizes, shared, strict=True)
        }
        tag = _tag_of(word, lemmas[0]) if lemmas[0] != word else None
        found: list[str] = []
        for candidate in sorted(scored, key=lambda c: (-scored[c], c)):
            if word in CARDINAL_WORDS and candidate in CARDINAL_WORDS:
                continue  # "twenty" -> "eleven" would change a fact, not undo a swap
            inflected = _inflect(candidate, tag)
            if inflected is not None:
                found.append(inflected)
                if len(found) == limit:
                    break
        return tuple(found)

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
    """The Penn tag that turns ``lemma`` into ``word`` ("assaulted", "assault" -> "VBD")."""
    for tag, forms in _inflections(lemma).items():
        if word in forms:
            return tag
    return None


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
    """``word`` in the capitalisation of ``like`` (UPPER, Title or lower)."""
    if like.isupper() and len(like) > 1:
        return word.upper()
    if like[:1].isupper():
        return word[:1].upper() + word[1:]
    return word
