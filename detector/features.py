"""Features of the scikit-learn baseline: what a spun word and a spun article look like alone.

A spinner swaps a word for a thesaurus synonym chosen without regard to sense,
so a spun word tends to be rarer than the word a reporter would have written,
to have much commoner synonyms (one of them often still used elsewhere in the
article), and to sit oddly among its neighbours ("a argumentative plan").  This
module turns those hints into numbers:

``WordFeatures``
    One row of ``WORD_FEATURES`` per word of each ``Document``: lexical facts
    about the word type (Zipf frequency, synonyms and how much commoner they
    are), its place in the article (capitalisation, sentence start, repeats,
    synonyms present elsewhere) and the same facts about its neighbours.
``DocumentFeatures``
    One row of ``DOCUMENT_FEATURES`` per ``WordEvidence`` (a document with its
    word features and the word model's spin probabilities): how many words look
    spun, and the share of rare synonyms of common words.
``evidence_text``
    The plain text of each ``WordEvidence``, for the TF-IDF steps.

Speed: a word type's lexical row is computed once, for all the new types of a
document together (array operations over (word, synonym) pairs), and cached in
a ``LexicalTable``; a document's rows are then gathered from that cache and its
context columns made by shifting arrays, with no Python step per word beyond a
dictionary look-up.  Among equally common candidate originals of a word the
lower term id is weighed first, so the rows do not depend on set order or on
which words arrive together.

Both transformers follow scikit-learn's conventions (``__init__`` stores,
``fit`` validates and returns ``self``, learned attributes end in ``_``) so
pipelines built from them clone and persist with ``skops``.  They read the
thesaurus through ``detector.lexicon.load_lexicon`` on first use (or the one
given to ``use_lexicon``); it is never saved with the model.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from detector.document import Document
from detector.lexicon import Lexicon, load_lexicon
from detector.stopwords import STOPWORDS

__all__ = [
    "DOCUMENT_FEATURES",
    "TYPE_FEATURES",
    "WORD_FEATURES",
    "DocumentFeatures",
    "LexicalTable",
    "WordEvidence",
    "WordFeatures",
    "evidence_text",
]

# Facts about a word type, the same wherever it occurs.
TYPE_FEATURES = (
    "zipf",  # Zipf frequency of the word (0 when the thesaurus does not know it)
    "lemma_zipf",  # Zipf frequency of its commonest lemma
    "in_lexicon",  # the thesaurus knows it
    "stopword",
    "inflected",  # it has a lemma other than itself ("stated" -> "state")
    "log_synonyms",  # ln(1 + synonyms of the word and its lemmas)
    "synonym_max_zipf",  # Zipf frequency of its commonest one-word synonym
    "synonym_gap",  # synonym_max_zipf - zipf: how much commoner the commonest synonym is
    "commoner_share",  # share of synonyms at least one Zipf unit commoner
    "log_commoner",  # ln(1 + how many synonyms are at least one Zipf unit commoner)
    "close_score",  # best restorer-style score of a likely original (see _close_score)
    "close_gap",  # close_score - zipf
    "close_overlap",  # best share of the word's synonyms that a likely original shares
    "length",  # characters
    "digit",  # has a digit
    "non_alpha",  # has a hyphen, apostrophe or other non-letter
    "vowel_initial",  # starts with a vowel letter (for "a"/"an" mismatches)
)
# Facts about one occurrence.
_TOKEN_FEATURES = (
    "capitalised",  # written with a capital first letter
    "upper",  # written in capitals (two letters or more)
    "sentence_start",  # first word of its sentence
    "sentence_position",  # position within the sentence, 0 to 1
    "article_a_mismatch",  # "a" before a vowel or "an" before a consonant
    "doc_count",  # ln(occurrences of the word in the document)
    "doc_synonyms",  # ln(1 + other word types of the document that are its synonyms)
    "doc_synonym_gap",  # Zipf of the commonest such synonym minus the word's (0 if none)
    "pair_before",  # the word and the one before form a thesaurus term
    "pair_after",  # the word and the one after form a thesaurus term
)
# Facts about the neighbours, for each offset in the window.
_NEIGHBOUR_FEATURES = ("zipf", "synonym_gap", "close_gap", "stopword", "in_lexicon")

DOCUMENT_FEATURES = (
    "log_words",
    "mean_probability",  # mean spin probability of the content words
    "probability_q50",
    "probability_q75",
    "probability_q90",
    "share_over_0.3",  # share of content words with a spin probability of 0.3 or more
    "share_over_0.5",
    "share_over_0.7",
    "mean_probability_top20",  # mean of the 20 highest word probabilities
    "rare_synonym_share",  # share of content words that are rare synonyms of common words
    "mean_synonym_gap",
    "mean_close_gap",
    "article_mismatches",  # "a"/"an" mismatches per 100 words
    "doc_synonym_share",  # share of content words with a synonym elsewhere in the article
    "mean_zipf",
)

_COLUMN = {name: i for i, name in enumerate(TYPE_FEATURES)}
_ZIPF = _COLUMN["zipf"]
_STOPWORD = _COLUMN["stopword"]
_NEIGHBOUR_COLUMNS = [_COLUMN[name] for name in _NEIGHBOUR_FEATURES]
_CACHE_LIMIT = 100_000  # word types kept in a LexicalTable's cache
_MIN_CANDIDATE_ZIPF = 3.0
_VOWELS = frozenset("aeiou")
# Boolean facts a LexicalTable keeps per word type, beside its TYPE_FEATURES.
_SLOT_FLAGS = ("pair_first", "pair_second", "is_a", "is_an")
_PAIR_FIRST, _PAIR_SECOND, _IS_A, _IS_AN = range(len(_SLOT_FLAGS))


def word_feature_names(window: int) -> tuple[str, ...]:
    """Column names of ``WordFeatures(window=window)``: type, token, then neighbour features."""
    names = [*TYPE_FEATURES, *_TOKEN_FEATURES]
    for offset in [*range(-window, 0), *range(1, window + 1)]:
        names += [f"{name}@{offset:+d}" for name in _NEIGHBOUR_FEATURES]
    return tuple(names)


WORD_FEATURES = word_feature_names(2)


# --------------------------------------------------------------------------- word types


class _Ragged:
    """Rows of ints of any length, stored end to end (append-only), gathered many at once."""

    def __init__(self) -> None:
        self.values = np.zeros(1 << 16, dtype=np.int32)
        self.starts = np.zeros(1024, dtype=np.int64)
        self.sizes = np.zeros(1024, dtype=np.int64)
        self.rows = self.used = 0

    def extend(self, flat: np.ndarray, sizes: np.ndarray) -> None:
        """Append ``len(sizes)`` rows, held end to end in ``flat``."""
        k, n = len(sizes), len(flat)
        while self.used + n > len(self.values):
            self.values = np.concatenate([self.values, np.zeros_like(self.values)])
        while self.rows + k > len(self.starts):
            self.starts = np.concatenate([self.starts, np.zeros_like(self.starts)])
            self.sizes = np.concatenate([self.sizes, np.zeros_like(self.sizes)])
        self.values[self.used : self.used + n] = flat
        self.starts[self.rows : self.rows + k] = self.used + np.cumsum(sizes) - sizes
        self.sizes[self.rows : self.rows + k] = sizes
        self.rows += k
        self.used += n

    def gather(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The values of ``rows`` end to end (int64), and where each row's values begin."""
        sizes = self.sizes[rows]
        begin = np.cumsum(sizes) - sizes
        shift = np.repeat(self.starts[rows] - begin, sizes)
        shift += np.arange(len(shift), dtype=np.int64)
        return self.values[shift].astype(np.int64), begin


@dataclass(eq=False)
class LexicalTable:
    """Per-type lexical facts (``TYPE_FEATURES``), computed once per word type and cached.

    Each word type seen gets a *slot*: a row of ``rows`` (its ``TYPE_FEATURES``)
    with, beside it, the term ids of the word and its lemmas and of their
    synonyms, so a document's features are gathered by array indexing instead
    of being computed word by word.  At most ``_CACHE_LIMIT`` types are kept;
    the cache starts afresh, between documents, when it is full.

    One table serves one thread: it reuses a scratch mask over the thesaurus.

    Parameters
    ----------
    lexicon : Lexicon
        Thesaurus, lemmas and frequencies.
    candidates : int, default=5
        How many of a word's commonest synonyms are weighed as its likely original.
    """

    lexicon: Lexicon
    candidates: int = 5
    _slots: dict[str, int] = field(default_factory=dict, repr=False)
    _rows: np.ndarray = field(init=False, repr=False)
    _flags: np.ndarray = field(init=False, repr=False)
    _ids: _Ragged = field(init=False, repr=False)
    _synonyms: _Ragged = field(init=False, repr=False)
    _pairs: dict[str, bool] = field(default_factory=dict, repr=False)
    _pair_words: tuple[frozenset[str], frozenset[str]] | None = field(default=None, repr=False)
    _zipf: np.ndarray = field(init=False, repr=False)
    _zipf_x10: np.ndarray = field(init=False, repr=False)
    _single: np.ndarray = field(init=False, repr=False)
    _formable: np.ndarray = field(init=False, repr=False)
    _mask: np.ndarray = field(init=False, repr=False)
    # Its caches grow and its mask is written as documents are read: one thread at a time.
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._zipf_x10 = np.frombuffer(self.lexicon.zipf_x10, dtype=np.uint8)
        self._zipf = self._zipf_x10.astype(np.float32) / 10
        self._mask = np.zeros(len(self.lexicon.terms), dtype=bool)
        self._rows = np.zeros((1024, len(TYPE_FEATURES)), dtype=np.float64)
        self._flags = np.zeros((1024, len(_SLOT_FLAGS)), dtype=bool)
        self._ids, self._synonyms = _Ragged(), _Ragged()
        # One-word, non-stopword terms: the only plausible originals of a one-word swap.
        terms = self.lexicon.terms
        self._single = np.fromiter(
            (" " not in t and t not in STOPWORDS for t in terms), dtype=bool, count=len(terms)
        )
        # Terms that can be the form of a word of a document (one word, or a lemma of one):
        # only those synonyms are looked for among a document's words.
        one_word = np.fromiter((" " not in t for t in terms), dtype=bool, count=len(terms))
        lemmas = np.frombuffer(self.lexicon.lemma_ids, dtype=np.int32)
        owners = np.repeat(
            np.arange(len(terms)), np.diff(np.frombuffer(self.lexicon.lemma_ptr, dtype=np.int32))
        )
        one_word[lemmas[one_word[owners]]] = True
        self._formable = one_word

    @property
    def rows(self) -> np.ndarray:
        """``TYPE_FEATURES`` by slot, float64 (rows past the cached types are unused)."""
        return self._rows

    @property
    def flags(self) -> np.ndarray:
        """Boolean facts by slot, columns ``_SLOT_FLAGS`` (may start / end a two-word term...)."""
        return self._flags

    def slots(self, words: Sequence[str]) -> np.ndarray:
        """The slot of each of ``words`` (lowercase), computing the facts of new types."""
        get = self._slots.get
        found = [get(word) for word in words]
        if None in found:
            new = list(
                dict.fromkeys(w for w, slot in zip(words, found, strict=True) if slot is None)
            )
            if len(self._slots) + len(new) > _CACHE_LIMIT:
                self._clear()
                new = list(dict.fromkeys(words))
            self._add(new)
            found = [get(word) for word in words]
        return np.array(found, dtype=np.intp)

    def row(self, word: str) -> np.ndarray:
        """The ``TYPE_FEATURES`` of ``word`` (lowercase), float64."""
        return self._rows[int(self.slots([word])[0])].copy()

    def synonyms_present(self, slots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each of the distinct ``slots``, its synonyms among the types of ``slots``.

        Only types that are not stopwords count, on both sides.  Returns how many
        term ids among the synonyms of each slot's word (and of its lemmas) are
        forms of those types, and the highest Zipf frequency among them (-inf
        when there are none).
        """
        count = np.zeros(len(slots), dtype=np.int64)
        best = np.full(len(slots), -np.inf, dtype=np.float32)
        content = np.flatnonzero(self._rows[slots, _STOPWORD] == 0.0)
        if not len(content):
            return count, best
        chosen = slots[content]
        present, _ = self._ids.gather(chosen)
        synonyms, begin = self._synonyms.gather(chosen)
        mask = self._mask
        mask[present] = True
        hits = np.flatnonzero(mask[synonyms])
        mask[present] = False
        if len(hits):
            owner = np.searchsorted(begin, hits, side="right") - 1
            count[content] = np.bincount(owner, minlength=len(chosen))
            zipf = self._zipf[synonyms[hits]]
            best[content] = _group_max(zipf, owner, len(chosen), -np.inf)
        return count, best

    def is_pair(self, first: str, second: str) -> bool:
        """Whether the thesaurus lists the two words ``first second`` as one term."""
        key = f"{first} {second}"
        found = self._pairs.get(key)
        if found is None:
            found = key in self.lexicon
            if len(self._pairs) >= _CACHE_LIMIT:
                self._pairs.clear()
            self._pairs[key] = found
        return found

    def _clear(self) -> None:
        self._slots.clear()
        self._ids = _Ragged()
        self._synonyms = _Ragged()

    def _add(self, words: list[str]) -> None:
        """Compute the facts of the new types ``words`` together and give each a slot."""
        first = len(self._slots)
        rows, ids, synonyms = self._compute(words)
        while first + len(words) > len(self._rows):
            self._rows = np.concatenate([self._rows, np.zeros_like(self._rows)])
            self._flags = np.concatenate([self._flags, np.zeros_like(self._flags)])
        if self._pair_words is None:
            two = [t.split(" ") for t in self.lexicon.terms if t.count(" ") == 1]
            self._pair_words = (frozenset(p[0] for p in two), frozenset(p[1] for p in two))
        starts, ends = self._pair_words
        self._rows[first : first + len(words)] = rows
        self._flags[first : first + len(words)] = [
            (word in starts, word in ends, word == "a", word == "an") for word in words
        ]
        self._ids.extend(*ids)
        self._synonyms.extend(*synonyms)
        for k, word in enumerate(words):
            self._slots[word] = first + k

    def _compute(
        self, words: list[str]
    ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
        """``TYPE_FEATURES`` of ``words``, with the ids of their forms and of their synonyms.

        A word's forms are the word and its lemmas (as thesaurus terms); its synonyms
        are those of all its forms, less the forms themselves.  Every word is done
        at once with array operations over (word, term id) pairs.  Returns the rows,
        the forms and the synonyms that may be forms of a document's words (each
        as values end to end, and how many belong to each word).
        """
        lexicon, n_terms, k = self.lexicon, len(self.lexicon.terms), len(words)
        forms: list[list[int]] = []
        known: list[tuple[float, float, bool, bool]] = []
        for word in words:
            own = lexicon.term_id(word)
            lemmas = lexicon.lemma_forms(word)
            ids = [own] if own is not None else []
            ids += [i for i in map(lexicon.term_id, lemmas) if i is not None and i not in ids]
            forms.append(ids)
            zipf = lexicon.zipf(word)
            lemma_zipf = max(map(lexicon.zipf, lemmas), default=zipf)
            known.append((zipf, lemma_zipf, own is not None or bool(lemmas), bool(lemmas)))
        facts = np.zeros((k, len(TYPE_FEATURES)), dtype=np.float64)
        columns = [_COLUMN[name] for name in ("zipf", "lemma_zipf", "in_lexicon", "inflected")]
        facts[:, columns] = known
        facts[:, _STOPWORD] = [word in STOPWORDS for word in words]
        facts[:, _COLUMN["length"]] = [len(word) for word in words]
        facts[:, _COLUMN["digit"]] = [any(c.isdigit() for c in word) for word in words]
        facts[:, _COLUMN["non_alpha"]] = [not word.isalpha() for word in words]
        facts[:, _COLUMN["vowel_initial"]] = [word[:1] in _VOWELS for word in words]
        zipf = facts[:, _ZIPF]

        # (word, synonym) pairs as sorted keys word * n_terms + synonym, less the word's forms.
        form_word = np.repeat(np.arange(k), [len(f) for f in forms])
        form_id = np.fromiter((i for f in forms for i in f), dtype=np.int64, count=len(form_word))
        owner, synonym = lexicon.synonym_pairs(form_id)
        pairs = _sorted_unique(form_word[owner] * n_terms + synonym)
        own = np.sort(form_word * n_terms + form_id)
        at = np.minimum(np.searchsorted(pairs, own), len(pairs) - 1)
        if len(pairs):
            pairs = np.delete(pairs, at[pairs[at] == own])
        word_of, synonym = np.divmod(pairs, n_terms)
        total = np.bincount(word_of, minlength=k)
        facts[:, _COLUMN["log_synonyms"]] = np.log1p(total)

        # One-word synonyms that are not stopwords: the plausible originals.
        single = self._single[synonym]
        s_word, s_id = word_of[single], synonym[single]
        s_zipf = self._zipf[s_id]
        n_single = np.bincount(s_word, minlength=k)
        has = n_single > 0
        best = _group_max(s_zipf, s_word, k, -np.inf)
        # (Compared in float32, the precision of the lexicon's frequencies.)
        commoner_than = s_zipf >= (zipf[s_word] + 1.0).astype(np.float32)
        commoner = np.bincount(s_word, weights=commoner_than, minlength=k)
        facts[has, _COLUMN["synonym_max_zipf"]] = best[has]
        facts[has, _COLUMN["synonym_gap"]] = best[has] - zipf[has]
        facts[has, _COLUMN["commoner_share"]] = commoner[has] / n_single[has]
        facts[:, _COLUMN["log_commoner"]] = np.log1p(commoner)

        # Likely originals: the `candidates` commonest of them (ties: lower term id first),
        # ordered by one sort key: word, then Zipf (x 10, descending), then term id.
        keep = s_zipf >= _MIN_CANDIDATE_ZIPF
        c_word, c_id = s_word[keep], s_id[keep]
        c_x10 = self._zipf_x10[c_id].astype(np.int64)
        order = np.argsort((c_word * 256 + (255 - c_x10)) * n_terms + c_id)
        c_word, c_id = c_word[order], c_id[order]
        rank = np.arange(len(c_word)) - np.searchsorted(c_word, c_word)
        top = rank < self.candidates
        c_word, c_id = c_word[top], c_id[top]
        # How much of the word's synonym list each candidate's own list shares.
        word_start = np.searchsorted(word_of, np.arange(k + 1))
        bounds = np.searchsorted(c_word, np.arange(k + 1)).tolist()
        size = np.zeros(len(c_id))
        shared = np.zeros(len(c_id))
        candidates = c_id.tolist()
        mask = self._mask
        for w in np.flatnonzero(np.diff(bounds)).tolist():
            mine = synonym[word_start[w] : word_start[w + 1]]
            mask[mine] = True
            lo, hi = bounds[w], bounds[w + 1]
            size[lo:hi], shared[lo:hi] = lexicon.synonym_overlaps(candidates[lo:hi], mask)
            mask[mine] = False
        c_zipf = self._zipf[c_id].astype(np.float64)
        score = c_zipf + np.log1p(shared) - 0.5 * np.log(np.maximum(1, size))
        close = _group_max(score, c_word, k, -np.inf)
        overlap = _group_max(shared / np.maximum(1, total[c_word]), c_word, k, 0.0)
        found = np.isfinite(close)
        facts[found, _COLUMN["close_score"]] = close[found]
        facts[has, _COLUMN["close_gap"]] = facts[has, _COLUMN["close_score"]] - zipf[has]
        facts[:, _COLUMN["close_overlap"]] = overlap

        form_sizes = np.diff(np.searchsorted(form_word, np.arange(k + 1)))
        formable = self._formable[synonym]
        return (
            facts,
            (form_id, form_sizes),
            (synonym[formable], np.bincount(word_of[formable], minlength=k)),
        )


def _group_max(values: np.ndarray, groups: np.ndarray, k: int, empty: float) -> np.ndarray:
    """The largest of ``values`` in each of groups 0 to k-1 (``groups`` ascending), float64."""
    out = np.full(k, empty, dtype=np.float64)
    starts = np.searchsorted(groups, np.arange(k))
    present = starts < np.append(starts[1:], len(groups))
    if present.any():
        out[present] = np.maximum.reduceat(values, starts[present])
    return out


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)`` by sorting (faster than NumPy's hash-based unique on ints)."""
    values = np.sort(values)
    if len(values) > 1:
        values = values[np.concatenate(([True], values[1:] != values[:-1]))]
    return values


def _check_int(owner: str, name: str, value: object, lo: int, hi: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ValueError(
            f"the '{name}' parameter of {owner} must be an int in [{lo}, {hi}], got {value!r}"
        )


def _check_documents(owner: str, X: object, kind: type) -> Sequence[Any]:
    if isinstance(X, str) or not isinstance(X, Sequence):
        raise TypeError(
            f"{owner} expects a sequence of {kind.__name__} objects, got {type(X).__name__}; "
            "make documents with detector.document.make_document()"
        )
    for item in X:
        if not isinstance(item, kind):
            raise TypeError(
                f"{owner} expects a sequence of {kind.__name__} objects, "
                f"got an item of type {type(item).__name__}"
            )
    return X


class _LexiconUser:
    """Mixin: a ``LexicalTable`` built on first use and never saved with the estimator."""

    candidates: int

    def use_lexicon(self, lexicon: Lexicon) -> _LexiconUser:
        """Read the thesaurus from ``lexicon`` (shared with other parts of a model)."""
        self._table = LexicalTable(lexicon, self.candidates)
        return self

    @property
    def table(self) -> LexicalTable:
        """The lexical table, loading the compiled thesaurus on first use."""
        table = getattr(self, "_table", None)
        if table is None or table.candidates != self.candidates:
            lexicon = table.lexicon if table is not None else load_lexicon(quiet=True)
            table = LexicalTable(lexicon, self.candidates)
            self._table = table
        return table

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()  # type: ignore[misc]
        state.pop("_table", None)
        return state


# --------------------------------------------------------------------------- word features


class WordFeatures(_LexiconUser, TransformerMixin, BaseEstimator):
    """Lexical and context features of every word (``word_feature_names(window)``).

    ``transform`` takes a sequence of ``Document`` objects and returns one row per
    word, documents one after another, so the rows line up with the documents'
    concatenated ``words`` (and with their word tags when fitting).

    Parameters
    ----------
    window : int, default=2
        Neighbours on each side whose features are added to a word's row.
    candidates : int, default=5
        How many of a word's commonest synonyms are weighed as its likely original.

    Attributes
    ----------
    n_features_out_ : int
        Columns of the output.
    feature_names_out_ : ndarray of str
        Their names.

    Examples
    --------
    >>> from detector.document import make_document
    >>> rows = WordFeatures().fit_transform([make_document("A argumentative plan.")])
    >>> rows.shape
    (3, 47)
    """

    def __init__(self, *, window: int = 2, candidates: int = 5) -> None:
        self.window = window
        self.candidates = candidates

    def fit(self, X: Sequence[Document], y: object = None) -> WordFeatures:
        """Check the parameters and the input; nothing is learned from the data."""
        _check_int("WordFeatures", "window", self.window, 0, 5)
        _check_int("WordFeatures", "candidates", self.candidates, 1, 50)
        _check_documents("WordFeatures", X, Document)
        self.feature_names_out_ = np.asarray(word_feature_names(self.window), dtype=object)
        self.n_features_out_ = len(self.feature_names_out_)
        return self

    def transform(self, X: Sequence[Document]) -> np.ndarray:
        """One row per word of each document, float32, shape (total words, n_features_out_)."""
        check_is_fitted(self, "n_features_out_")
        documents = _check_documents("WordFeatures", X, Document)
        parts = [self.document_rows(document) for document in documents]
        if not parts:
            return np.zeros((0, self.n_features_out_), dtype=np.float32)
        return np.concatenate(parts) if len(parts) > 1 else parts[0]

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """Names of the output columns."""
        check_is_fitted(self, "n_features_out_")
        return self.feature_names_out_

    def document_rows(self, document: Document) -> np.ndarray:
        """The rows of one document's words, shape (len(document.words), n_features_out_).

        Vectorised: each word type's lexical row is computed once and cached in
        the ``LexicalTable``, then gathered per occurrence; context columns are
        array shifts of those.  Safe from several threads (they take turns: the
        table's caches are shared).
        """
        table = self.table
        with table.lock:
            return self._document_rows(document, table)

    def _document_rows(self, document: Document, table: LexicalTable) -> np.ndarray:
        words = document.words
        n = len(words)
        n_out = len(TYPE_FEATURES) + len(_TOKEN_FEATURES)
        n_out += 2 * self.window * len(_NEIGHBOUR_FEATURES)
        if n == 0:
            return np.zeros((0, n_out), dtype=np.float32)

        # Word types: cached lexical rows, gathered per occurrence.
        slot = table.slots(words)
        types, index, counts = np.unique(slot, return_inverse=True, return_counts=True)
        type_rows = table.rows[types]
        base = type_rows.astype(np.float32)[index]
        flags = table.flags[slot]

        # Synonyms used elsewhere in the document (other types that are not stopwords).
        shared, best = table.synonyms_present(types)
        type_synonyms = np.zeros((len(types), 2), dtype=np.float32)
        has = shared > 0
        type_synonyms[has, 0] = np.log1p(shared[has].astype(np.float64))
        type_synonyms[has, 1] = best[has].astype(np.float64) - type_rows[has, _ZIPF]
        doc_synonyms = type_synonyms[index]
        doc_count = np.log(counts.astype(np.float32))[index]

        # Occurrence facts: case, place in the sentence, "a"/"an", two-word terms.
        text = document.text
        starts = np.fromiter(document.starts, dtype=np.intp, count=n)
        first = _code_points(text)[starts]
        capitalised = ((first >= 65) & (first <= 90)).astype(np.float32)
        for k in np.flatnonzero(first > 127).tolist():
            capitalised[k] = float(text[document.starts[k]].isupper())
        upper = np.zeros(n, dtype=np.float32)
        ends = document.ends
        for k in np.flatnonzero(capitalised).tolist():
            start, end = document.starts[k], ends[k]
            if end - start > 1 and text[start:end].isupper():
                upper[k] = 1.0
        sentence_start = np.zeros(n, dtype=np.float32)
        sentence_position = np.zeros(n, dtype=np.float32)
        if document.sentences:
            bounds = np.array(document.sentences, dtype=np.intp).reshape(-1, 2)
            first, size = bounds[:, 0], bounds[:, 1] - bounds[:, 0]
            sentence_start[first[size > 0]] = 1.0
            # Position k of a sentence of `size` words: k / (size - 1), in float32.
            offset = np.arange(size.sum()) - np.repeat(np.cumsum(size) - size, size)
            last = np.repeat(size - 1, size).astype(np.float32)
            inside = last > 0
            where = np.repeat(first, size)[inside] + offset[inside]
            sentence_position[where] = offset[inside].astype(np.float32) / last[inside]
        vowel = base[:, _COLUMN["vowel_initial"]] == 1.0
        mismatch = np.zeros(n, dtype=bool)
        mismatch[1:] = (flags[:-1, _IS_A] & vowel[1:]) | (flags[:-1, _IS_AN] & ~vowel[1:])
        content = base[:, _STOPWORD] == 0.0
        pair = np.zeros(n + 1, dtype=np.float32)  # pair[k]: words k-1 and k form a term
        maybe = (content[1:] | content[:-1]) & flags[:-1, _PAIR_FIRST] & flags[1:, _PAIR_SECOND]
        is_pair = table.is_pair
        for k in (np.flatnonzero(maybe) + 1).tolist():
            if is_pair(words[k - 1], words[k]):
                pair[k] = 1.0
        token = np.column_stack(
            [
                capitalised,
                upper,
                sentence_start,
                sentence_position,
                mismatch.astype(np.float32),
                doc_count,
                doc_synonyms[:, 0],
                doc_synonyms[:, 1],
                pair[:n],
                pair[1:],
            ]
        )

        # Neighbours: the same columns shifted, zero past either end.
        out = np.zeros((n, n_out), dtype=np.float32)
        out[:, : len(TYPE_FEATURES)] = base
        column = len(TYPE_FEATURES)
        out[:, column : column + token.shape[1]] = token
        column += token.shape[1]
        neighbour = base[:, _NEIGHBOUR_COLUMNS]
        width = len(_NEIGHBOUR_COLUMNS)
        for offset in [*range(-self.window, 0), *range(1, self.window + 1)]:
            block = out[:, column : column + width]
            if offset < 0:
                block[-offset:] = neighbour[:offset]
            elif offset < n:
                block[:-offset] = neighbour[offset:]
            column += width
        return out


def _code_points(text: str) -> np.ndarray:
    """The code point of each character of ``text`` (indexable by string offsets)."""
    if text.isascii():
        return np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


# --------------------------------------------------------------------------- documents


@dataclass(frozen=True, eq=False)
class WordEvidence:
    """A document with its word features and the word model's spin probability per word.

    Attributes
    ----------
    document : Document
    features : ndarray of shape (len(document.words), n_word_features)
        ``WordFeatures`` rows of the document's words.
    probabilities : ndarray of shape (len(document.words),)
        The word model's spin probabilities.
    """

    document: Document
    features: np.ndarray = field(repr=False)
    probabilities: np.ndarray = field(repr=False)

    def __post_init__(self) -> None:
        n = len(self.document.words)
        if self.features.shape[0] != n or self.probabilities.shape != (n,):
            raise ValueError(
                f"WordEvidence needs one feature row and one probability per word: {n} words, "
                f"{self.features.shape[0]} rows, {self.probabilities.shape[0]} probabilities"
            )


def evidence_text(X: Sequence[WordEvidence]) -> list[str]:
    """The plain text of each ``WordEvidence``'s document (for TF-IDF steps)."""
    return [item.document.text for item in X]


class DocumentFeatures(TransformerMixin, BaseEstimator):
    """Article-level summaries of word evidence (``DOCUMENT_FEATURES``), one row per document.

    Parameters
    ----------
    rare_gap : float, default=1.5
        A content word counts as a rare synonym of a common word when its
        commonest synonym is at least this many Zipf units commoner.

    Attributes
    ----------
    n_features_out_ : int
    feature_names_out_ : ndarray of str
    """

    def __init__(self, *, rare_gap: float = 1.5) -> None:
        self.rare_gap = rare_gap

    def fit(self, X: Sequence[WordEvidence], y: object = None) -> DocumentFeatures:
        """Check the parameters and the input; nothing is learned from the data."""
        if isinstance(self.rare_gap, bool) or not isinstance(self.rare_gap, (int, float)):
            raise ValueError(
                f"the 'rare_gap' parameter of DocumentFeatures must be a float, "
                f"got {self.rare_gap!r}"
            )
        if not 0.0 <= self.rare_gap <= 7.0:
            raise ValueError(
                "the 'rare_gap' parameter of DocumentFeatures must be a float in [0, 7], "
                f"got {self.rare_gap!r}"
            )
        _check_documents("DocumentFeatures", X, WordEvidence)
        self.feature_names_out_ = np.asarray(DOCUMENT_FEATURES, dtype=object)
        self.n_features_out_ = len(DOCUMENT_FEATURES)
        return self

    def transform(self, X: Sequence[WordEvidence]) -> np.ndarray:
        """One row per document, shape (len(X), n_features_out_)."""
        check_is_fitted(self, "n_features_out_")
        items = _check_documents("DocumentFeatures", X, WordEvidence)
        out = np.zeros((len(items), self.n_features_out_), dtype=np.float64)
        for k, item in enumerate(items):
            out[k] = self._row(item)
        return out

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """Names of the output columns."""
        check_is_fitted(self, "n_features_out_")
        return self.feature_names_out_

    def _row(self, item: WordEvidence) -> np.ndarray:
        features = item.features
        n = features.shape[0]
        row = np.zeros(len(DOCUMENT_FEATURES))
        row[0] = math.log1p(n)
        content = (features[:, _COLUMN["stopword"]] == 0.0) & (
            features[:, _COLUMN["in_lexicon"]] == 1.0
        )
        if not content.any():
            return row
        p = item.probabilities[content]
        f = features[content]
        row[1] = p.mean()
        row[2:5] = np.quantile(p, [0.5, 0.75, 0.9])
        row[5:8] = [(p >= 0.3).mean(), (p >= 0.5).mean(), (p >= 0.7).mean()]
        row[8] = np.sort(p)[-20:].mean()
        gap = f[:, _COLUMN["synonym_gap"]]
        row[9] = (gap >= self.rare_gap).mean()
        row[10] = gap.mean()
        row[11] = f[:, _COLUMN["close_gap"]].mean()
        mismatch = len(TYPE_FEATURES) + _TOKEN_FEATURES.index("article_a_mismatch")
        row[12] = 100.0 * features[:, mismatch].sum() / n
        synonyms = len(TYPE_FEATURES) + _TOKEN_FEATURES.index("doc_synonyms")
        row[13] = (f[:, synonyms] > 0).mean()
        row[14] = f[:, _COLUMN["zipf"]].mean()
        return row
