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

Both transformers follow scikit-learn's conventions (``__init__`` stores,
``fit`` validates and returns ``self``, learned attributes end in ``_``) so
pipelines built from them clone and persist with ``skops``.  They read the
thesaurus through ``detector.lexicon.load_lexicon`` on first use (or the one
given to ``use_lexicon``); it is never saved with the model.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
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
_CACHE_LIMIT = 100_000  # word types kept in a LexicalTable's cache
_MIN_CANDIDATE_ZIPF = 3.0
_VOWELS = frozenset("aeiou")


def word_feature_names(window: int) -> tuple[str, ...]:
    """Column names of ``WordFeatures(window=window)``: type, token, then neighbour features."""
    names = [*TYPE_FEATURES, *_TOKEN_FEATURES]
    for offset in [*range(-window, 0), *range(1, window + 1)]:
        names += [f"{name}@{offset:+d}" for name in _NEIGHBOUR_FEATURES]
    return tuple(names)


WORD_FEATURES = word_feature_names(2)


# --------------------------------------------------------------------------- word types


@dataclass(frozen=True)
class _TypeEntry:
    """What a ``LexicalTable`` keeps about one word type."""

    row: tuple[float, ...]
    ids: frozenset[int]  # term ids of the word and its lemmas
    synonyms: np.ndarray  # sorted term ids of the synonyms of the word and of its lemmas


@dataclass(eq=False)
class LexicalTable:
    """Per-type lexical facts (``TYPE_FEATURES``), computed once per word type and cached.

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
    _cache: dict[str, _TypeEntry] = field(default_factory=dict, repr=False)
    _pairs: dict[str, bool] = field(default_factory=dict, repr=False)
    _zipf: np.ndarray = field(init=False, repr=False)
    _single: np.ndarray = field(init=False, repr=False)
    _mask: np.ndarray = field(init=False, repr=False)
    _marked: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._zipf = np.frombuffer(self.lexicon.zipf_x10, dtype=np.uint8).astype(np.float32) / 10
        self._mask = np.zeros(len(self.lexicon.terms), dtype=bool)
        self._marked = np.zeros(0, dtype=np.int64)
        # One-word, non-stopword terms: the only plausible originals of a one-word swap.
        terms = self.lexicon.terms
        self._single = np.fromiter(
            (" " not in t and t not in STOPWORDS for t in terms), dtype=bool, count=len(terms)
        )

    def entry(self, word: str) -> _TypeEntry:
        """The cached facts about ``word`` (lowercase)."""
        found = self._cache.get(word)
        if found is None:
            found = self._compute(word)
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[word] = found
        return found

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

    def max_zipf(self, term_ids: np.ndarray) -> float:
        """The highest Zipf frequency among the terms ``term_ids``."""
        return float(self._zipf[term_ids].max())

    def present_mask(self, id_groups: Iterable[frozenset[int]]) -> np.ndarray:
        """A boolean mask over term ids, true for ``id_groups``; give it back to ``clear_mask``."""
        mask = self._mask
        ids = [i for group in id_groups for i in group]
        self._marked = np.fromiter(ids, dtype=np.int64, count=len(ids))
        mask[self._marked] = True
        return mask

    def clear_mask(self, mask: np.ndarray) -> None:
        """Reset the mask ``present_mask`` returned."""
        mask[self._marked] = False

    def _compute(self, word: str) -> _TypeEntry:
        lexicon = self.lexicon
        own = lexicon.term_id(word)
        lemmas = lexicon.lemma_forms(word)
        ids = {own} if own is not None else set()
        synonyms: set[int] = set(lexicon.synonym_ids(word))
        for lemma in lemmas:
            lemma_id = lexicon.term_id(lemma)
            if lemma_id is not None:
                ids.add(lemma_id)
            synonyms.update(lexicon.synonym_ids(lemma))
        synonyms -= ids
        zipf = lexicon.zipf(word)
        lemma_zipf = max((lexicon.zipf(lemma) for lemma in lemmas), default=zipf)
        single = np.fromiter(synonyms, dtype=np.int64, count=len(synonyms))
        single = single[self._single[single]] if len(single) else single
        if len(single):
            zipfs = self._zipf[single]
            max_zipf = float(zipfs.max())
            commoner = int((zipfs >= zipf + 1.0).sum())
            close_score, close_overlap = self._close(single, zipfs, synonyms)
        else:
            max_zipf, commoner, close_score, close_overlap = 0.0, 0, 0.0, 0.0
        row = (
            zipf,
            lemma_zipf,
            float(own is not None or bool(lemmas)),
            float(word in STOPWORDS),
            float(bool(lemmas)),
            math.log1p(len(synonyms)),
            max_zipf,
            max_zipf - zipf if len(single) else 0.0,
            commoner / len(single) if len(single) else 0.0,
            math.log1p(commoner),
            close_score,
            close_score - zipf if len(single) else 0.0,
            close_overlap,
            float(len(word)),
            float(any(c.isdigit() for c in word)),
            float(not word.isalpha()),
            float(word[:1] in _VOWELS),
        )
        return _TypeEntry(
            row=row,
            ids=frozenset(ids),
            synonyms=np.array(sorted(synonyms), dtype=np.int64),
        )

    def _close(
        self, single: np.ndarray, zipfs: np.ndarray, synonyms: set[int]
    ) -> tuple[float, float]:
        """Best ``zipf(c) + ln(1 + |syn(c) & syn(w)|) - 0.5 ln |syn(c)|`` over the commonest c.

        The same score ``detector.restore.Restorer`` ranks originals by, over the
        ``candidates`` commonest one-word synonyms only (to stay cheap); also the
        best share of the word's synonyms such a candidate shares.
        """
        keep = zipfs >= _MIN_CANDIDATE_ZIPF
        if not keep.any():
            return 0.0, 0.0
        single, zipfs = single[keep], zipfs[keep]
        top = np.argsort(-zipfs, kind="stable")[: self.candidates]
        terms = self.lexicon.terms
        best_score, best_overlap = -math.inf, 0.0
        for k in top:
            theirs = self.lexicon.synonym_ids(terms[int(single[k])])
            shared = len(theirs & synonyms)
            score = float(zipfs[k]) + math.log1p(shared) - 0.5 * math.log(max(1, len(theirs)))
            best_score = max(best_score, score)
            best_overlap = max(best_overlap, shared / len(synonyms))
        return best_score, best_overlap


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
        """The rows of one document's words, shape (len(document.words), n_features_out_)."""
        table = self.table
        words = document.words
        n = len(words)
        n_out = len(TYPE_FEATURES) + len(_TOKEN_FEATURES)
        n_out += 2 * self.window * len(_NEIGHBOUR_FEATURES)
        if n == 0:
            return np.zeros((0, n_out), dtype=np.float32)

        # Word types: cached lexical rows, gathered per occurrence.
        counts = Counter(words)
        types = list(counts)
        position = {word: k for k, word in enumerate(types)}
        entries = [table.entry(word) for word in types]
        type_rows = np.array([e.row for e in entries], dtype=np.float32)
        index = np.fromiter((position[w] for w in words), dtype=np.intp, count=n)
        base = type_rows[index]

        # Synonyms used elsewhere in the document: a mask over the thesaurus's terms.
        present = table.present_mask(e.ids for e in entries if e.row[_STOPWORD] == 0.0)
        type_synonyms = np.zeros((len(types), 2), dtype=np.float32)
        for k, e in enumerate(entries):
            if e.row[_STOPWORD] != 0.0 or not len(e.synonyms):
                continue
            shared = e.synonyms[present[e.synonyms]]
            if len(shared):
                type_synonyms[k, 0] = math.log1p(len(shared))
                type_synonyms[k, 1] = table.max_zipf(shared) - e.row[_ZIPF]
        table.clear_mask(present)
        doc_synonyms = type_synonyms[index]
        doc_count = np.log(np.fromiter(counts.values(), dtype=np.float32, count=len(types)))[index]

        # Occurrence facts: case, place in the sentence, "a"/"an", two-word terms.
        text = document.text
        capitalised = np.array([text[s].isupper() for s in document.starts], dtype=np.float32)
        upper = np.zeros(n, dtype=np.float32)
        for k in np.flatnonzero(capitalised):
            start, end = document.starts[k], document.ends[k]
            if end - start > 1 and text[start:end].isupper():
                upper[k] = 1.0
        sentence_start = np.zeros(n, dtype=np.float32)
        sentence_position = np.zeros(n, dtype=np.float32)
        for lo, hi in document.sentences:
            sentence_start[lo] = 1.0
            if hi - lo > 1:
                sentence_position[lo:hi] = np.arange(hi - lo, dtype=np.float32) / (hi - lo - 1)
        vowel = base[:, _COLUMN["vowel_initial"]] == 1.0
        previous = np.array(["", *words[:-1]], dtype=object)
        mismatch = ((previous == "a") & vowel) | ((previous == "an") & ~vowel)
        content = base[:, _STOPWORD] == 0.0
        either = content[1:] | content[:-1]
        pair = np.zeros(n + 1, dtype=np.float32)  # pair[k]: words k-1 and k form a term
        is_pair = table.is_pair
        for k in np.flatnonzero(either) + 1:
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
        columns = [_COLUMN[name] for name in _NEIGHBOUR_FEATURES]
        neighbour = base[:, columns]
        shifted = []
        for offset in [*range(-self.window, 0), *range(1, self.window + 1)]:
            block = np.zeros_like(neighbour)
            if offset < 0:
                block[-offset:] = neighbour[:offset]
            else:
                block[:-offset] = neighbour[offset:]
            shifted.append(block)
        return np.hstack([base, token, *shifted]).astype(np.float32, copy=False)


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
