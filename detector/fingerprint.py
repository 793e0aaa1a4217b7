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
counts, and the LSH band keys of their MinHash (``datasketch``, ``IndexParams``
permutations, ``affine32`` scheme, the feature hashes as its input hashes):
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
from typing import TYPE_CHECKING, Any

import numpy as np

from detector.document import Document, normalise
from detector.errors import ResourceError
from detector.evasion import has_suspect_characters, match_form
from detector.stopwords import STOPWORDS

if TYPE_CHECKING:
    from datasketch import MinHash

    from detector.lexicon import Lexicon

__all__ = [
    "Fingerprint",
    "Fingerprinter",
    "IndexParams",
    "classes_digest",
    "feature_hash",
    "synonym_classes",
    "vocabulary_digest",
]

_CACHE_SIZE = 200_000  # words whose kind a Fingerprinter remembers
_CLASS_CHUNK = 1 << 19  # synonym pairs read at once by synonym_classes
# Kinds of the words kept for features (in the high bits of a token's cache entry); thesaurus
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


def _identity(value: Any) -> Any:
    """MinHash input hash for values that are hashes already (the CRC-32 feature hashes)."""
    return value


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
    tokens = _POSSESSIVE.sub("", normalise(text).lower()).split()
    if has_suspect_characters(text):
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
        try:
            from datasketch import MinHash
        except ImportError:
            raise ResourceError(
                "the source index needs datasketch: pip install 'spindetect[scale]'"
            ) from None

        if lexicon is None:
            from detector.lexicon import load_lexicon

            lexicon = load_lexicon(quiet=True)
        self.params = params if params is not None else IndexParams()
        self.lexicon = lexicon
        self._minhash: MinHash = MinHash(
            num_perm=self.params.num_perm,
            seed=self.params.seed,
            hashfunc=_identity,
            scheme="affine32",  # band keys depend on it: fixed, not datasketch's default
        )
        self._cache: dict[str, int] = {}
        self._class_cache: dict[str, int] = {}
        self._classes: np.ndarray | None = None
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
        """What a token contributes, remembered: ``_LEFT_OUT``, or its word's kind << 32 | CRC-32.

        Left out are thesaurus words (a spinner may swap them) and tokens that
        are all punctuation; function words and immutables are kept.
        """
        entry = self._cache.get(token)
        if entry is None:
            word = token.strip(_EDGE_PUNCTUATION)
            if not word:
                entry = _LEFT_OUT
            elif word in STOPWORDS:
                entry = _STOPWORD << 32 | zlib.crc32(word.encode("utf-8"))
            elif any(c.isdigit() for c in word) or word not in self.lexicon:
                entry = _IMMUTABLE << 32 | zlib.crc32(word.encode("utf-8"))
            else:
                entry = _LEFT_OUT
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            self._cache[token] = entry
        return entry

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
        tokens = _tokens(text)
        fingerprint = self._fingerprint(tokens)
        if not classes or not len(fingerprint):
            return fingerprint
        return Fingerprint(
            fingerprint.features, fingerprint.counts, fingerprint.bands, self._class_keys(tokens)
        )

    def class_keys(self, document: Document | str) -> np.ndarray:
        """The sorted, distinct class keys of a document (see "Synonym classes" above)."""
        return self._class_keys(_tokens(document if isinstance(document, str) else document.text))

    def word_class(self, word: str) -> int | None:
        """The class of one word as class keys hash it; None for a function word.

        A thesaurus content word gives the term id of its lemma's class (the
        smallest when it has several lemmas); any other word
        ``2**32 + crc32(word)``.
        """
        value = self._class_of(word)
        return None if value < 0 else value

    def _class_of(self, token: str) -> int:
        """A token's class, remembered; -1 for function words and punctuation."""
        value = self._class_cache.get(token)
        if value is None:
            word = token.strip(_EDGE_PUNCTUATION)
            kind = self._lookup(token) >> 32
            if not word or kind == _STOPWORD:
                value = -1
            elif kind == _IMMUTABLE:
                value = 1 << 32 | zlib.crc32(word.encode("utf-8"))
            else:
                if self._classes is None:
                    self._classes = synonym_classes(self.lexicon, self.params.class_vocabulary)
                forms = self.lexicon.form_ids(word)
                value = int(min(self._classes[i] for i in forms[1:] or forms[:1]))
            if len(self._class_cache) >= _CACHE_SIZE:
                self._class_cache.clear()
            self._class_cache[token] = value
        return value

    def _class_keys(self, tokens: list[str]) -> np.ndarray:
        class_of = self._class_of
        values = [c for t in tokens if (c := class_of(t)) >= 0]
        if len(values) < 3:
            return np.empty(0, dtype=np.int64)
        c = np.array(values, dtype=np.uint64)
        keys = _fmix64(
            _BAND_MULTIPLIERS[0]
            + c[:-2] * _BAND_MULTIPLIERS[1]
            + c[1:-1] * _BAND_MULTIPLIERS[2]
            + c[2:] * _BAND_MULTIPLIERS[3]
        )
        keys = keys[keys % np.uint64(self.params.class_sample) == 0]
        return np.unique(keys.view(np.int64))

    def _fingerprint(self, tokens: list[str]) -> Fingerprint:
        known, lookup = self._cache.get, self._lookup
        kept = [e for t in tokens if (e := known(t) or lookup(t)) != _LEFT_OUT]
        packed = np.array(kept, dtype=np.int64)
        hashes = (packed & 0xFFFFFFFF).astype(np.uint32)
        stop = packed < _IMMUTABLE << 32
        if len(hashes) >= 3:
            anchored = ~(stop[:-2] & stop[1:-1] & stop[2:])
            shingles = _mix3(hashes[:-2][anchored], hashes[1:-1][anchored], hashes[2:][anchored])
            hashes = np.concatenate((hashes[~stop], shingles))
        else:
            hashes = hashes[~stop]
        features, counts = np.unique(hashes, return_counts=True)
        counts = np.minimum(counts, 255).astype(np.uint8)
        if not len(features):
            return Fingerprint(features, counts, np.empty(0, dtype=np.int64))
        minhash = self._minhash
        minhash.clear()
        minhash.update_batch(features)
        return Fingerprint(features, counts, self._band_keys(minhash.hashvalues))

    def _band_keys(self, hashvalues: np.ndarray) -> np.ndarray:
        values = hashvalues[: self.params.bands * self.params.rows].astype(np.uint64)
        mixed = (
            self._band_offsets
            + values.reshape(self.params.bands, self.params.rows)
            @ (_BAND_MULTIPLIERS[1 : self.params.rows + 1])
        )
        return _fmix64(mixed).view(np.int64)
