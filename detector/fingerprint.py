"""Spin-robust fingerprints of documents: the features a spinner leaves alone, MinHash-banded.

A spinner changes about a third of an article's content words, so the word
sequences ordinary near-duplicate search relies on rarely survive.  What
survives is what spinners leave alone, DSpin's *immutables* (Zhang et al.,
2014): names, numbers and rare words a thesaurus has no entry for, and the
function words around them.  A document's *features*, over its words as
``Fingerprinter.words`` cuts them (lowercase, "'s" dropped), are

* its immutable words: words with a digit and content words the thesaurus
  (``detector.lexicon``) does not know: "zelensky", "2024", "e-commerce";
* its anchored shingles: every run of three consecutive words once the
  thesaurus content words are dropped from the text, keeping the runs that
  hold at least one immutable word ("maria okonjo the", "in 2024 the").

Swapping a content word for a synonym leaves both kinds untouched.  On the
benchmark's articles (``bench/bench_index.py``) spun at rate 0.3 by
``detector.spin``, a spun copy keeps a feature-set Jaccard similarity of
0.93 with its original (median; 1st percentile 0.77), while another original
stays near 0 (99th percentile 0.03).

A ``Fingerprint`` holds the features as 32-bit hashes (``feature_hash``), their
counts, and the LSH band keys of their MinHash (``IndexParams`` permutations,
datasketch's ``affine32`` scheme, the feature hashes as its input hashes, computed
here with numpy: ``minhash_values``):
band ``i`` of the MinHash values ``v`` has key
``fmix64((i + 1) * C[0] + sum_j v[i * rows + j] * C[j + 1] mod 2**64)`` as a
signed 64-bit integer, with ``C`` (``_BAND_MULTIPLIERS``) and ``fmix64``
(MurmurHash3's finaliser) defined here.  ``detector.index`` stores them.

Synonym classes
---------------
Immutables are few in a short page, and an excerpt holds a small share of its
original's features, so the MinHash path misses short, heavily spun pages.
The second path keys a text by what a spinner can change only at a cost: its
sequence of *synonym classes*.  Each thesaurus content word stands for the
class of its lemma, the most frequent word among the lemma and its synonyms
within the ``IndexParams.class_vocabulary`` most frequent single content words
(``synonym_classes``); a word the thesaurus lacks, or one with a digit, stands
for itself; function words are dropped.  A swap keeps its word's class when
the two synonyms share their most frequent neighbour; Moby is sense-blind, so
that holds for only about a fifth of the Moby spinner's swaps on the
benchmark's articles, but every untouched content word keeps its class, and
the immutables theirs, so runs of classes survive a spin far more often than
runs of words.  The *class keys* of a text are the hashes of its runs of three
consecutive classes, ``c`` as uint64 (a thesaurus word's class term id, or
``2**32 + crc32(word)``):
``fmix64(C[0] + c[0] * C[1] + c[1] * C[2] + c[2] * C[3] mod 2**64)`` as a
signed 64-bit integer, keeping those divisible by ``IndexParams.class_sample``
(a content-defined sample: a key kept in the original is kept in any copy).
``SourceIndex.query`` counts how many of a suspect's class keys an original
holds, which finds excerpts and heavily spun copies the MinHash bands miss.
"""

from __future__ import annotations

import hashlib
import re
import string
import weakref
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import TYPE_CHECKING

import numpy as np

from detector.document import Document, normalise
from detector.evasion import has_suspect_characters, match_form
from detector.stopwords import STOPWORDS

if TYPE_CHECKING:
    from detector.lexicon import Lexicon

__all__ = [
    "Fingerprint",
    "Fingerprinter",
    "IndexParams",
    "classes_digest",
    "feature_hash",
    "minhash_values",
    "synonym_classes",
    "vocabulary_digest",
]

_CACHE_SIZE = 200_000  # tokens a Fingerprinter remembers (the table is emptied past this)
_UNSET = -2  # a token's class not worked out yet (see Fingerprinter._class_values)
_MINHASH_CHUNK = 4096  # features permuted at once by minhash_values (a few MB)
_CLASS_CHUNK = 1 << 19  # synonym pairs read at once by synonym_classes
# Kinds of the words kept for features (in the high bits of a token's table entry); thesaurus
# words and punctuation-only tokens are left out.
_STOPWORD, _IMMUTABLE, _LEFT_OUT = 1, 2, -1
# What Fingerprinter.words cuts from both ends of a space-separated token (not "%": "3.5%").
_EDGE_PUNCTUATION = (
    "".join(sorted(set(string.punctuation) - {"%"}))
    + "\u00a3\u20ac\u00a5\u00a7\u00a9\u00ae\u00b0\u00b6\u2022"
)
# A possessive (or contracted "is") "'s" after a letter or digit; a literal first scans fast.
_POSSESSIVE = re.compile(r"'(?<=[^\W_]')s\b")

# Odd 32-bit multipliers of the shingle hash (golden ratio, and MurmurHash3's c1, c2).
_SHINGLE_MULTIPLIERS = np.array([0x9E3779B1, 0xCC9E2D51, 0x1B873593], dtype=np.uint32)
# Odd 64-bit multipliers of the band-key mix (fractional digits of pi, e and square roots).
_BAND_MULTIPLIERS = np.array(
    [
        0x243F6A8885A308D3,
        0xB7E151628AED2A6B,
        0x6A09E667F3BCC909,
        0xBB67AE8584CAA73B,
        0x3C6EF372FE94F82B,
        0xA54FF53A5F1D36F1,
        0x510E527FADE682D1,
        0x9B05688C2B3E6C1F,
        0x1F83D9ABFB41BD6B,
    ],
    dtype=np.uint64,
)


# --------------------------------------------------------------------------- parameters


@dataclass(frozen=True)
class IndexParams:
    """How an index hashes its features; fixed when the index is created.

    Parameters
    ----------
    num_perm : int, default=128
        MinHash permutations.
    bands, rows : int, default=42, 3
        LSH banding: ``bands * rows`` must not exceed ``num_perm``.
    seed : int, default=1
        Seed of the MinHash permutations.
    n_features : int, default=2**22
        Hash buckets of the document-frequency table (a power of two).
    class_vocabulary : int, default=3000
        The most frequent single content words of the thesaurus that name the
        synonym classes (see "Synonym classes" above).
    class_sample : int, default=2
        One class key in this many is kept (those divisible by it).
    """

    num_perm: int = 128
    bands: int = 42
    rows: int = 3
    seed: int = 1
    n_features: int = 1 << 22
    class_vocabulary: int = 3000
    class_sample: int = 2

    def __post_init__(self) -> None:
        for name in ("num_perm", "bands", "rows", "n_features", "class_vocabulary", "class_sample"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(
                    f"the '{name}' parameter of IndexParams must be an int >= 1, got {value!r}"
                )
        if not 1 <= self.rows < len(_BAND_MULTIPLIERS):
            raise ValueError(
                f"the 'rows' parameter of IndexParams must be in [1, {len(_BAND_MULTIPLIERS) - 1}]"
                f", got {self.rows}"
            )
        if self.bands * self.rows > self.num_perm:
            raise ValueError(
                f"IndexParams needs bands * rows <= num_perm, got {self.bands} * {self.rows} > "
                f"{self.num_perm}; did you forget to raise num_perm?"
            )
        if self.n_features & (self.n_features - 1):
            raise ValueError(
                f"the 'n_features' parameter of IndexParams must be a power of two, "
                f"got {self.n_features}"
            )


# --------------------------------------------------------------------------- fingerprints


@dataclass(frozen=True, eq=False)
class Fingerprint:
    """What the index keeps of a document to find it again.

    Attributes
    ----------
    features : ndarray of uint32
        Sorted, distinct feature hashes (immutable words and anchored shingles).
    counts : ndarray of uint8
        How often each feature occurs (capped at 255).
    bands : ndarray of int64
        The LSH band keys of the features' MinHash; empty when there are no features.
    classes : ndarray of int64
        Sorted, distinct class keys (see "Synonym classes" above); empty when
        not asked for.
    """

    features: np.ndarray = field(repr=False)
    counts: np.ndarray = field(repr=False)
    bands: np.ndarray = field(repr=False)
    classes: np.ndarray = field(repr=False, default_factory=lambda: np.empty(0, dtype=np.int64))

    def __len__(self) -> int:
        return len(self.features)

    @property
    def findable(self) -> bool:
        """Whether an index can find the text by this fingerprint: it has features (the
        fast path's keys) or class keys (the synonym-class path's)."""
        return bool(len(self.features) or len(self.classes))


def _permutations(params: IndexParams) -> tuple[np.ndarray, np.ndarray]:
    """The ``a`` and ``b`` (uint32) of datasketch's ``affine32`` MinHash permutations.

    ``MinHash(num_perm, seed, scheme="affine32")`` draws them so (datasketch 2.0):
    ``a`` odd, then ``b``, from ``numpy.random.RandomState(seed)``.
    """
    gen = np.random.RandomState(params.seed)
    a = gen.randint(0, 1 << 31, params.num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, params.num_perm, dtype=np.uint32)
    return a, b


def minhash_values(features: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The MinHash of distinct uint32 ``features`` under the affine permutations ``a``, ``b``.

    Value ``k`` is ``min over h of a[k] * fmix32(h) + b[k] mod 2**32``, the
    hash values of datasketch's ``MinHash(scheme="affine32")`` updated with
    ``features`` through an identity hash function (uint32; all ``2**32 - 1``
    when ``features`` is empty).
    """
    features = np.asarray(features, dtype=np.uint32)
    return _minhash_rows(features, np.zeros(len(features), dtype=np.intp), 1, a, b)[0]


def _minhash_rows(
    features: np.ndarray, owners: np.ndarray, n: int, a: np.ndarray, b: np.ndarray
) -> np.ndarray:
    """``minhash_values`` of ``n`` feature sets at once: row ``i`` of the features owned by ``i``.

    ``owners`` (ascending) says whose each feature is; a set without features
    keeps ``2**32 - 1`` throughout.
    """
    values = np.full((n, len(a)), np.uint32(0xFFFFFFFF), dtype=np.uint32)
    mixed = _fmix32(features)
    for start in range(0, len(mixed), _MINHASH_CHUNK):
        chunk = mixed[start : start + _MINHASH_CHUNK]
        whose = owners[start : start + _MINHASH_CHUNK]
        # A row per permutation: the minima run along contiguous memory (twice as fast).
        permuted = np.multiply.outer(a, chunk)
        permuted += b[:, np.newaxis]
        if whose[0] == whose[-1]:  # the features of one set
            np.minimum(values[whose[0]], permuted.min(axis=1), out=values[whose[0]])
            continue
        firsts = np.flatnonzero(np.concatenate(([True], whose[1:] != whose[:-1])))
        lowest = np.minimum.reduceat(permuted, firsts, axis=1)
        rows = whose[firsts]
        values[rows] = np.minimum(values[rows], lowest.T)
    return values


def vocabulary_digest(lexicon: Lexicon) -> str:
    """SHA-256 (hex) of what decides immutability: the thesaurus terms and the function words."""
    digest = hashlib.sha256("\n".join(lexicon.terms).encode("utf-8"))
    digest.update(b"\x00" + "\n".join(sorted(STOPWORDS)).encode("utf-8"))
    return digest.hexdigest()


_CLASSES: weakref.WeakKeyDictionary[Lexicon, dict[int, np.ndarray]] = weakref.WeakKeyDictionary()


def synonym_classes(lexicon: Lexicon, vocabulary: int = 3000) -> np.ndarray:
    """The synonym class of every thesaurus term: an int64 array of term ids, by term id.

    Term ``i``'s class is the most frequent (highest Zipf frequency, then
    lowest id) of ``i`` and its synonyms among the ``vocabulary`` most frequent
    single-word, non-function-word terms; ``i`` itself when none of them is
    there.  Computed once per lexicon and vocabulary size (a fraction of a
    second), never stored: the index records its ``classes_digest``.
    """
    cached = _CLASSES.setdefault(lexicon, {})
    if vocabulary not in cached:
        classes = _synonym_classes(lexicon, vocabulary)
        classes.flags.writeable = False
        cached[vocabulary] = classes
    return cached[vocabulary]


def _synonym_classes(lexicon: Lexicon, vocabulary: int) -> np.ndarray:
    n = len(lexicon)
    ids = np.arange(n, dtype=np.int64)
    if not n:
        return ids
    zipf = np.frombuffer(lexicon.zipf_x10, dtype=np.uint8).astype(np.int64)
    by_frequency = np.lexsort((ids, -zipf))  # most frequent first, then by id
    rank = np.empty(n, dtype=np.int64)
    rank[by_frequency] = ids
    eligible = np.fromiter(
        (t.isalpha() and t not in STOPWORDS for t in lexicon.terms), dtype=bool, count=n
    )
    in_vocabulary = np.zeros(n, dtype=bool)
    in_vocabulary[by_frequency[eligible[by_frequency]][:vocabulary]] = True
    none = np.int64(n)
    best = np.where(in_vocabulary, rank, none)
    keys = np.asarray(lexicon.synonym_keys, dtype=np.int64)  # i * n + j, memory-mapped
    for start in range(0, len(keys), _CLASS_CHUNK):  # a few MB at a time
        chunk = keys[start : start + _CLASS_CHUNK]
        owner, synonym = np.divmod(chunk, n)
        np.minimum.at(best, owner, np.where(in_vocabulary[synonym], rank[synonym], none))
    return np.where(best < none, by_frequency[np.minimum(best, n - 1)], ids)


def classes_digest(lexicon: Lexicon, params: IndexParams) -> str:
    """SHA-256 (hex) of the synonym classes ``params`` gives over ``lexicon``."""
    classes = synonym_classes(lexicon, params.class_vocabulary)
    digest = hashlib.sha256(f"{params.class_vocabulary} {params.class_sample}\n".encode())
    digest.update(classes.astype("<i8").tobytes())
    return digest.hexdigest()


def _tokens(text: str) -> list[str]:
    """Space-separated tokens of ``text`` normalised and lowercased, without "'s".

    Lookalike letters and invisible characters, an evasion trick, are read as the
    Latin word they disguise (``detector.evasion.match_form``).
    """
    plain = normalise(text)
    tokens = _POSSESSIVE.sub("", plain.lower()).split()
    # normalise leaves suspect characters as they are (it puts ASCII for quotes, dashes and
    # spaces): its result is tested, which is quicker as it is ASCII more often.
    if has_suspect_characters(plain):
        tokens = [match_form(t) for t in tokens]
    return tokens


def _fmix32(x: np.ndarray) -> np.ndarray:
    x = x ^ (x >> np.uint32(16))
    x = x * np.uint32(0x85EBCA6B)
    x = x ^ (x >> np.uint32(13))
    x = x * np.uint32(0xC2B2AE35)
    return x ^ (x >> np.uint32(16))


def _mix3(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Hash of three-word shingles from the CRC-32s of their words (uint32 arithmetic)."""
    return _fmix32(
        a * _SHINGLE_MULTIPLIERS[0] + b * _SHINGLE_MULTIPLIERS[1] + c * _SHINGLE_MULTIPLIERS[2]
    )


def feature_hash(feature: str) -> int:
    """The 32-bit hash of a feature as ``Fingerprinter.features`` writes it.

    A single word hashes to its CRC-32 (UTF-8); a shingle ``"a b c"`` to
    ``fmix32(crc(a) * M[0] + crc(b) * M[1] + crc(c) * M[2] mod 2**32)``.
    """
    words = feature.split(" ")
    crcs = np.array([zlib.crc32(w.encode("utf-8")) for w in words], dtype=np.uint32)
    if len(words) == 1:
        return int(crcs[0])
    if len(words) != 3:
        raise ValueError(f"a feature is one word or three, got {feature!r}")
    return int(_mix3(crcs[:1], crcs[1:2], crcs[2:])[0])


def _fmix64(x: np.ndarray) -> np.ndarray:
    x = x ^ (x >> np.uint64(33))
    x = x * np.uint64(0xFF51AFD7ED558CCD)
    x = x ^ (x >> np.uint64(33))
    x = x * np.uint64(0xC4CEB9FE1A85EC53)
    return x ^ (x >> np.uint64(33))


class _TokenRows(dict[str, int]):
    """The token table's index: each token seen to its row, that of the word it cuts to.

    A token not seen yet gets its row as it is looked up (``__missing__``):
    that of its word (the token with its edge punctuation cut), added to
    ``words`` when new.  ``clear`` empties both.
    """

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []  # the word of each row
        self._word_rows: dict[str, int] = {}

    def __missing__(self, token: str) -> int:
        word = token.strip(_EDGE_PUNCTUATION)
        row = self._word_rows.get(word, -1)
        if row < 0:
            row = self._word_rows[word] = len(self.words)
            self.words.append(word)
        self[token] = row
        return row

    def clear(self) -> None:
        super().clear()
        self.words.clear()
        self._word_rows.clear()


class Fingerprinter:
    """Computes the spin-robust fingerprint of documents.

    Parameters
    ----------
    params : IndexParams, optional
        Hashing parameters; an index passes its own.
    lexicon : Lexicon, optional
        The thesaurus deciding which words a spinner could swap; the compiled
        Moby lexicon by default.
    """

    def __init__(self, params: IndexParams | None = None, lexicon: Lexicon | None = None) -> None:
        if lexicon is None:
            from detector.lexicon import load_lexicon

            lexicon = load_lexicon(quiet=True)
        self.params = params if params is not None else IndexParams()
        self.lexicon = lexicon
        used = self.params.bands * self.params.rows  # the band keys read no further
        a, b = _permutations(self.params)
        self._a, self._b = a[:used], b[:used]
        self._terms: frozenset[str] | None = None
        self._classes: np.ndarray | None = None
        # The token table: each token seen (a space-separated token of _tokens) has a row,
        # shared by the tokens that cut to the same word, holding what the word contributes
        # (_entries_of) and its class (_UNSET until asked for).
        self._token_rows = _TokenRows()
        self._words = self._token_rows.words
        self._entries = np.empty(1024, dtype=np.int64)
        self._class_table = np.empty(1024, dtype=np.int64)
        self._band_offsets = (
            np.arange(1, self.params.bands + 1, dtype=np.uint64) * (_BAND_MULTIPLIERS[0])
        )

    @staticmethod
    def words(text: str) -> list[str]:
        """The words of ``text``: normalised, lowercased, split at spaces, edge punctuation cut.

        "'s" is dropped, so "company's" stays a thesaurus word rather than an
        unknown, immutable-looking one; inner punctuation stays ("u.s", "1,000",
        "e-commerce", "3.5%").  Cheaper than ``detector.document``'s cutting,
        which it matches on ordinary prose.
        """
        return [w for w in (t.strip(_EDGE_PUNCTUATION) for t in _tokens(text)) if w]

    def is_immutable(self, word: str) -> bool:
        """Whether a spinner would leave ``word`` alone: a number or a word the thesaurus lacks."""
        return self._lookup(word) >> 32 == _IMMUTABLE

    def _lookup(self, token: str) -> int:
        """What a token contributes: ``_LEFT_OUT``, or its word's kind << 32 | CRC-32.

        Left out are thesaurus words (a spinner may swap them) and tokens that
        are all punctuation; function words and immutables are kept.
        """
        self._trim()
        return int(self._entries[self._rows([token])[0]])

    def _entries_of(self, words: list[str]) -> list[int]:
        """``_lookup`` of each of ``words``, already cut of their edge punctuation."""
        if self._terms is None:
            self._terms = frozenset(self.lexicon.terms)
        terms, stopwords, crc32 = self._terms, STOPWORDS, zlib.crc32
        stopword, immutable = _STOPWORD << 32, _IMMUTABLE << 32
        # A letter is never a digit, so words of letters alone skip the digit scan.
        return [
            _LEFT_OUT
            if not word
            else stopword | crc32(word.encode("utf-8"))
            if word in stopwords
            else immutable | crc32(word.encode("utf-8"))
            if word not in terms or (not word.isalpha() and any(c.isdigit() for c in word))
            else _LEFT_OUT
            for word in words
        ]

    def _trim(self) -> None:
        """Empty the token table when it holds ``_CACHE_SIZE`` tokens or more.

        Rows of the table are valid until the next call.
        """
        if len(self._token_rows) >= _CACHE_SIZE:
            self._token_rows.clear()

    def _rows(self, tokens: list[str]) -> np.ndarray:
        """The row of each token in the token table, adding the tokens not seen yet."""
        first = len(self._words)
        # One pass: a token not in the table gets its row as it is looked up (_TokenRows).
        rows = np.fromiter(
            map(self._token_rows.__getitem__, tokens), dtype=np.intp, count=len(tokens)
        )
        if len(self._words) > first:
            self._describe(first)
        return rows

    def _describe(self, first: int) -> None:
        """Fill the table's rows of the words from row ``first`` on: entries and classes."""
        words = self._words
        new_words = words[first:]
        while len(words) > len(self._entries):  # grow the arrays: twice the rows
            self._entries = np.concatenate((self._entries, np.empty_like(self._entries)))
            self._class_table = np.concatenate(
                (self._class_table, np.empty_like(self._class_table))
            )
        entries = np.array(self._entries_of(new_words), dtype=np.int64)
        self._entries[first : len(words)] = entries
        # Only a thesaurus word's class takes work (its lemmas' classes): left for later.
        thesaurus = np.fromiter(map(bool, new_words), dtype=bool, count=len(new_words)) & (
            entries == _LEFT_OUT
        )
        self._class_table[first : len(words)] = np.where(
            entries >> 32 == _IMMUTABLE,
            1 << 32 | (entries & 0xFFFFFFFF),
            np.where(thesaurus, _UNSET, -1),
        )

    def features(self, words: Sequence[str]) -> list[str]:
        """The features of a word sequence, readable: immutable words, then anchored shingles.

        Anchored shingles are the runs of three consecutive words of ``words``
        without its thesaurus content words that hold at least one immutable
        word, written with single spaces.  A fingerprint holds the
        ``feature_hash`` of each.
        """
        kept = [w for w in words if self._lookup(w) != _LEFT_OUT]
        stop = [w in STOPWORDS for w in kept]
        features = [w for w, s in zip(kept, stop, strict=True) if not s]
        features += [
            f"{kept[k]} {kept[k + 1]} {kept[k + 2]}"
            for k in range(len(kept) - 2)
            if not (stop[k] and stop[k + 1] and stop[k + 2])
        ]
        return features

    def fingerprint(self, document: Document | str, *, classes: bool = True) -> Fingerprint:
        """The fingerprint of a document (or of a plain text): features, counts, band keys.

        The same as hashing ``features(words(text))``, but computed from
        remembered per-token hashes without building strings; with
        ``classes``, the class keys too (``class_keys``).  Not thread-safe:
        use one ``Fingerprinter`` per thread.
        """
        text = document if isinstance(document, str) else document.text
        return self.fingerprints([text], classes=classes)[0]

    def fingerprints(self, texts: Sequence[str], *, classes: bool = True) -> list[Fingerprint]:
        """``fingerprint`` of each of several plain texts, computed together (faster)."""
        self._trim()
        tokens = [_tokens(text) for text in texts]
        n = len(texts)
        sizes = np.fromiter(map(len, tokens), dtype=np.intp, count=n)
        owners = np.repeat(np.arange(n, dtype=np.intp), sizes)
        # The tokens of all the texts are looked up at once: a few numpy calls for the lot.
        joined = self._rows(list(chain.from_iterable(tokens)))
        features, counts, whose = self._features(joined, owners)
        ends = np.cumsum(np.bincount(whose, minlength=n))
        bands = self._band_keys(_minhash_rows(features, whose, n, self._a, self._b))
        if classes:
            keys, key_owners = self._class_keys(joined, owners)
            key_ends = np.cumsum(np.bincount(key_owners, minlength=n))
        empty = np.empty(0, dtype=np.int64)
        out = []
        start = key_start = 0
        for i in range(n):
            end = int(ends[i])
            out.append(
                Fingerprint(
                    features[start:end],
                    counts[start:end],
                    bands[i] if end > start else empty,  # no features: no band keys
                    keys[key_start : key_ends[i]] if classes else empty,
                )
            )
            start = end
            if classes:
                key_start = int(key_ends[i])
        return out

    def class_keys(self, document: Document | str) -> np.ndarray:
        """The sorted, distinct class keys of a document (see "Synonym classes" above)."""
        self._trim()
        rows = self._rows(_tokens(document if isinstance(document, str) else document.text))
        return self._class_keys(rows, np.zeros(len(rows), dtype=np.intp))[0]

    def word_class(self, word: str) -> int | None:
        """The class of one word as class keys hash it; None for a function word.

        A thesaurus content word gives the term id of its lemma's class (the
        smallest when it has several lemmas); any other word
        ``2**32 + crc32(word)``.
        """
        value = self._class_of(word)
        return None if value < 0 else value

    def _class_of(self, token: str) -> int:
        """A token's class; -1 for function words and punctuation."""
        self._trim()
        return int(self._class_values(self._rows([token]))[0])

    def _class_values(self, rows: np.ndarray) -> np.ndarray:
        """The class of each row's word (-1 for function words and punctuation).

        Thesaurus words whose class is still ``_UNSET`` get it worked out now.
        """
        values = self._class_table[rows]
        unset = values == _UNSET
        if unset.any():
            for row in np.unique(rows[unset]).tolist():
                self._class_table[row] = self._word_class(self._words[row])
            values = self._class_table[rows]
        return values

    def _word_class(self, word: str) -> int:
        """The class of a word ``_add_token`` left unset: a thesaurus word's lemma class."""
        if self._classes is None:
            self._classes = synonym_classes(self.lexicon, self.params.class_vocabulary)
        forms = self.lexicon.form_ids(word)
        return int(min(self._classes[i] for i in forms[1:] or forms[:1]))

    def _class_keys(self, rows: np.ndarray, owners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The class keys of texts (sorted and distinct within each) and whose each one is.

        ``rows`` are the texts' tokens one after another, ``owners`` (ascending)
        says which text each token is of.
        """
        values = self._class_values(rows)
        kept = values >= 0
        c, whose = values[kept].astype(np.uint64), owners[kept]
        if len(c) < 3:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.intp)
        keys = _fmix64(
            _BAND_MULTIPLIERS[0]
            + c[:-2] * _BAND_MULTIPLIERS[1]
            + c[1:-1] * _BAND_MULTIPLIERS[2]
            + c[2:] * _BAND_MULTIPLIERS[3]
        )
        sampled = (whose[:-2] == whose[2:]) & (keys % np.uint64(self.params.class_sample) == 0)
        keys, whose = keys[sampled].view(np.int64), whose[:-2][sampled]
        # By text, then by key: the keys sorted, then their texts by a stable sort (a radix
        # sort of 16-bit numbers when they fit), several times quicker than a lexsort.
        by_key = np.argsort(keys)
        texts = whose[by_key]
        if len(whose) and whose[-1] < 1 << 16:  # owners ascend: the last is the largest
            texts = texts.astype(np.uint16)
        order = by_key[np.argsort(texts, kind="stable")]
        keys, whose = keys[order], whose[order]
        first = np.ones(len(keys), dtype=bool)
        first[1:] = (keys[1:] != keys[:-1]) | (whose[1:] != whose[:-1])
        return keys[first], whose[first]

    def _features(
        self, rows: np.ndarray, owners: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Sorted, distinct feature hashes of texts, their counts, and whose each one is.

        ``rows`` and ``owners`` as for ``_class_keys``; the features come text by text.
        """
        packed = self._entries[rows]
        kept = packed != _LEFT_OUT
        packed, owners = packed[kept], owners[kept]
        hashes = (packed & 0xFFFFFFFF).astype(np.uint32)
        stop = packed < _IMMUTABLE << 32
        hashes_of = owners[~stop]
        hashes_kept = hashes[~stop]
        if len(hashes) >= 3:
            # Shingles of three consecutive kept tokens of one text, one of them immutable.
            anchored = ~(stop[:-2] & stop[1:-1] & stop[2:]) & (owners[:-2] == owners[2:])
            shingles = _mix3(hashes[:-2], hashes[1:-1], hashes[2:])[anchored]
            hashes_kept = np.concatenate((hashes_kept, shingles))
            hashes_of = np.concatenate((hashes_of, owners[:-2][anchored]))
        if not len(owners) or owners[0] == owners[-1]:  # one text: no owners to sort by
            features, counts = np.unique(hashes_kept, return_counts=True)
            whose = np.full(len(features), owners[0] if len(owners) else 0, dtype=np.intp)
        else:
            combined = hashes_of.astype(np.uint64) << np.uint64(32) | hashes_kept
            distinct, counts = np.unique(combined, return_counts=True)
            features = (distinct & np.uint64(0xFFFFFFFF)).astype(np.uint32)
            whose = (distinct >> np.uint64(32)).astype(np.intp)
        return features, np.minimum(counts, 255).astype(np.uint8), whose

    def _band_keys(self, hashvalues: np.ndarray) -> np.ndarray:
        """The band keys (int64) of MinHash values, one set per row of ``hashvalues``."""
        bands, rows = self.params.bands, self.params.rows
        values = hashvalues[:, : bands * rows].astype(np.uint64).reshape(-1, bands, rows)
        mixed = np.broadcast_to(self._band_offsets, values.shape[:2]).copy()
        for j in range(rows):
            mixed += values[:, :, j] * _BAND_MULTIPLIERS[j + 1]
        return _fmix64(mixed).view(np.int64)
