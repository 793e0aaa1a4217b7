"""The source index: original articles on disk, found again from their spun copies.

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
``training.spinner``, a spun copy keeps a feature-set Jaccard similarity of
0.93 with its original (median; 1st percentile 0.77), while another original
stays near 0 (99th percentile 0.03).

Retrieval has two stages.  A MinHash (``datasketch``, 128 permutations) of the
feature set is cut into 42 bands of 3 rows (what datasketch's ``MinHashLSH``
optimiser picks for a threshold of 0.3 weighted towards recall); an original
becomes a candidate when it shares a band with the suspect, which happens with
probability 1 - (1 - J**3)**42: 0.29 at J = 0.2, 0.68 at 0.3, 0.93 at 0.4 and
0.996 at 0.5.  Candidates are then ranked by the cosine of their TF-IDF vectors
over the same features.  Both stages are approximate: ``query`` returns
candidates to align, not verdicts.

On-disk format
--------------
One SQLite 3 file; nothing is pickled.  Format version ``FORMAT_VERSION``:

``meta(key TEXT PRIMARY KEY, value TEXT)``
    ``magic`` (``spindetect-index``), ``format_version``, ``features``
    (``immutables-v1``), ``num_perm``, ``bands``, ``rows``, ``seed``,
    ``n_features``, ``vocabulary`` (SHA-256 of the thesaurus terms and function
    words that decide which words are immutable), ``documents``, ``created_by``.
``docs(doc INTEGER PRIMARY KEY, id TEXT UNIQUE, sha256 BLOB, text BLOB)``
    Each original: its id, the SHA-256 of its UTF-8 plain text, and that text
    zlib-compressed.
``sketches(doc INTEGER PRIMARY KEY, features BLOB, counts BLOB)``
    Each original's features as sorted, distinct little-endian uint32 hashes
    (``feature_hash``: a word's CRC-32, or a mix of the CRC-32s of a
    shingle's three words) and their counts (uint8, capped at 255).
``bands(key INTEGER, doc INTEGER, PRIMARY KEY (key, doc)) WITHOUT ROWID``
    LSH band keys.  Band ``i`` of a MinHash with uint32 values ``v`` (datasketch
    ``affine32`` scheme, the feature hashes as its input hashes) has key
    ``fmix64((i + 1) * C[0] + sum_j v[i * rows + j] * C[j + 1] mod 2**64)``,
    stored as a signed 64-bit integer; ``C`` and ``fmix64`` (MurmurHash3's
    finaliser) are defined in this module.
``arrays(name TEXT PRIMARY KEY, dtype TEXT, data BLOB)``
    ``df``: for each of ``n_features`` hash buckets (feature hash modulo
    ``n_features``), how many originals hold a feature in it; little-endian uint32.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import string
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import numpy as np

from detector import __version__
from detector.document import Document, make_document, normalise
from detector.errors import CorruptIndexError, InputError, MissingInputError, ResourceError
from detector.io import DEFAULT_MAX_BYTES
from detector.stopwords import STOPWORDS

if TYPE_CHECKING:
    from datasketch import MinHash

    from detector.inputs import InputItem
    from detector.lexicon import Lexicon

__all__ = [
    "FORMAT_VERSION",
    "Candidate",
    "Fingerprint",
    "Fingerprinter",
    "IndexParams",
    "IndexSummary",
    "SourceIndex",
    "build_index",
    "feature_hash",
    "vocabulary_digest",
]

MAGIC = "spindetect-index"
FORMAT_VERSION = 1
FEATURES = "immutables-v1"

_CACHE_SIZE = 200_000  # words whose kind a Fingerprinter remembers
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
# Characters that make a text suspect; such texts take the full checks of detector.io.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# Band rows buffered before they are sorted and written (about 16 bytes each); writing them
# while workers keep fingerprinting overlaps the two.
_FLUSH_ROWS = 1_000_000
_FLUSH_SKETCHES = 10_000  # sketches buffered before they are written
_INSERT_CHUNK = 50_000  # band rows handed to SQLite at once
_MAX_BAND_HITS = 20_000  # band matches read per query (guards against huge buckets)
_SQLITE_HEADER = b"SQLite format 3\x00"
_REQUIRED_TABLES = frozenset({"meta", "docs", "sketches", "bands", "arrays"})

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
    """

    num_perm: int = 128
    bands: int = 42
    rows: int = 3
    seed: int = 1
    n_features: int = 1 << 22

    def __post_init__(self) -> None:
        for name in ("num_perm", "bands", "rows", "n_features"):
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
    """

    features: np.ndarray = field(repr=False)
    counts: np.ndarray = field(repr=False)
    bands: np.ndarray = field(repr=False)

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


def _tokens(text: str) -> list[str]:
    """Space-separated tokens of ``text`` normalised and lowercased, without "'s"."""
    return _POSSESSIVE.sub("", normalise(text).lower()).split()


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

    def fingerprint(self, document: Document | str) -> Fingerprint:
        """The fingerprint of a document (or of a plain text): features, counts, band keys.

        The same as hashing ``features(words(text))``, but computed from
        remembered per-token hashes without building strings.  Not
        thread-safe: use one ``Fingerprinter`` per thread.
        """
        text = document if isinstance(document, str) else document.text
        known, lookup = self._cache.get, self._lookup
        kept = [e for t in _tokens(text) if (e := known(t) or lookup(t)) != _LEFT_OUT]
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


# --------------------------------------------------------------------------- the index


@dataclass(frozen=True)
class Candidate:
    """An original that may be the source of a suspect.

    Attributes
    ----------
    id : str
        The original's id in the index.
    similarity : float
        TF-IDF cosine of the two feature vectors (0 .. 1).
    """

    id: str
    similarity: float


# id, SHA-256 and zlib of the text, features (<u4), counts (u1), band keys (<i8): as stored.
_Prepared = tuple[str, bytes, bytes, bytes, bytes, bytes]


def _prepare(id: str, text: str, fingerprint: Fingerprint) -> _Prepared:
    """An original ready to insert, as the bytes the index stores (cheap to send to a process)."""
    data = text.encode("utf-8")
    return (
        id,
        hashlib.sha256(data).digest(),
        zlib.compress(data, 1),
        fingerprint.features.astype("<u4").tobytes(),
        fingerprint.counts.tobytes(),
        fingerprint.bands.astype("<i8").tobytes(),
    )


_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE docs (
    doc INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, sha256 BLOB NOT NULL, text BLOB NOT NULL
);
CREATE TABLE sketches (doc INTEGER PRIMARY KEY, features BLOB NOT NULL, counts BLOB NOT NULL);
CREATE TABLE bands (key INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (key, doc))
    WITHOUT ROWID;
CREATE TABLE arrays (name TEXT PRIMARY KEY, dtype TEXT NOT NULL, data BLOB NOT NULL);
"""


class SourceIndex:
    """A persistent index of original articles: add originals, find the sources of suspects.

    Make one with ``SourceIndex.create(path)`` or open one with
    ``SourceIndex.open(path)``; use it as a context manager, or call
    ``close()``.  Additions are buffered and written by ``commit()`` (and by
    ``close()``), in one transaction: an interrupted run leaves the index as
    it was.  Read-only indexes can be opened by many processes at once; one
    ``SourceIndex`` may move between threads but must not be used by two at once.

    Examples
    --------
    >>> with SourceIndex.create("archive.sdx") as index:                # doctest: +SKIP
    ...     index.add(make_document(original_text, name="wire-2024-117"))
    >>> with SourceIndex.open("archive.sdx") as index:                  # doctest: +SKIP
    ...     index.query(make_document(suspect_text))
    [Candidate(id='wire-2024-117', similarity=0.83)]
    """

    def __init__(
        self,
        path: Path,
        connection: sqlite3.Connection,
        params: IndexParams,
        *,
        writable: bool,
        lexicon: Lexicon | None = None,
    ) -> None:
        self.path = path
        self.params = params
        self.writable = writable
        self._connection = connection
        self._lexicon = lexicon
        self._fingerprinter: Fingerprinter | None = None
        self._df = self._read_df()
        self._documents = self._count_documents()
        self._sketch_rows: list[tuple[int, bytes, bytes]] = []
        self._band_keys: list[bytes] = []
        self._band_docs: list[int] = []
        self._buffered_bands = 0

    # ------------------------------------------------------------------ opening

    @classmethod
    def create(
        cls,
        path: str | Path,
        params: IndexParams | None = None,
        *,
        lexicon: Lexicon | None = None,
        fast: bool = False,
    ) -> SourceIndex:
        """A new, empty index at ``path`` (which must not exist), open for writing.

        ``fast`` turns off SQLite's journal and syncing: quicker, but a crash
        leaves a damaged file, so use it only for a file that is renamed into
        place once complete (as ``build_index`` does).
        """
        path = Path(path)
        if path.exists():
            raise InputError(f"{path} already exists; remove it or open it to add to it")
        params = params if params is not None else IndexParams()
        if lexicon is None:
            from detector.lexicon import load_lexicon

            lexicon = load_lexicon(quiet=True)
        connection = sqlite3.connect(path, check_same_thread=False)
        try:
            if fast:
                connection.execute("PRAGMA journal_mode=OFF")
                connection.execute("PRAGMA synchronous=OFF")
            connection.executescript(_SCHEMA)
            meta = {
                "magic": MAGIC,
                "format_version": str(FORMAT_VERSION),
                "features": FEATURES,
                "num_perm": str(params.num_perm),
                "bands": str(params.bands),
                "rows": str(params.rows),
                "seed": str(params.seed),
                "n_features": str(params.n_features),
                "vocabulary": vocabulary_digest(lexicon),
                "documents": "0",
                "created_by": f"spindetect {__version__}",
            }
            connection.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
            connection.execute(
                "INSERT INTO arrays VALUES ('df', '<u4', ?)",
                (np.zeros(params.n_features, dtype="<u4").tobytes(),),
            )
            connection.commit()
        except BaseException:
            connection.close()
            with suppress(OSError):
                path.unlink()
            raise
        _tune(connection)
        return cls(path, connection, params, writable=True, lexicon=lexicon)

    @classmethod
    def open(
        cls, path: str | Path, *, writable: bool = False, lexicon: Lexicon | None = None
    ) -> SourceIndex:
        """The index at ``path``; ``CorruptIndexError`` for a damaged or foreign file."""
        path = Path(path)
        if not path.exists():
            raise MissingInputError(f"{path}: no such index; build one with `spindetect index`")
        if path.is_dir():
            raise MissingInputError(f"{path} is a directory, not an index file")
        _check_header(path)
        uri = f"file:{quote(path.resolve().as_posix())}?mode={'rw' if writable else 'ro'}"
        try:
            connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
        except sqlite3.Error as exc:
            raise CorruptIndexError(f"{path}: cannot open the index ({exc})") from None
        try:
            params = _read_meta(connection, path)
            index = cls(path, connection, params, writable=writable, lexicon=lexicon)
        except sqlite3.DatabaseError as exc:
            connection.close()
            raise CorruptIndexError(
                f"{path} is damaged ({exc}); rebuild it with `spindetect index`"
            ) from None
        except BaseException:
            connection.close()
            raise
        _tune(connection)
        return index

    def close(self) -> None:
        """Write pending additions (when writable) and close the file."""
        if self._connection is None:
            return
        try:
            if self.writable:
                self.commit()
        finally:
            self._connection.close()
            self._connection = None  # type: ignore[assignment]

    def __enter__(self) -> SourceIndex:
        return self

    def abort(self) -> None:
        """Close without writing: the file stays as it was at the last commit."""
        if self._connection is None:
            return
        try:
            self._connection.rollback()
        finally:
            self._connection.close()
            self._connection = None  # type: ignore[assignment]

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is not None and self.writable:
            self.abort()
        else:
            self.close()

    def __len__(self) -> int:
        return self._documents

    def __contains__(self, id: object) -> bool:
        if not isinstance(id, str):
            return False
        with self._reading():
            row = self._connection.execute("SELECT 1 FROM docs WHERE id = ?", (id,)).fetchone()
        return row is not None

    def __repr__(self) -> str:
        return f"SourceIndex({str(self.path)!r}, documents={len(self)})"

    # ------------------------------------------------------------------ fingerprints

    @property
    def fingerprinter(self) -> Fingerprinter:
        """The fingerprinter matching this index's parameters and thesaurus."""
        if self._fingerprinter is None:
            fingerprinter = Fingerprinter(self.params, self._lexicon)
            if vocabulary_digest(fingerprinter.lexicon) != self._meta("vocabulary"):
                raise CorruptIndexError(
                    f"{self.path} was built with a different thesaurus or function-word list "
                    "than this installation has; rebuild it with `spindetect index`"
                )
            self._fingerprinter = fingerprinter
        return self._fingerprinter

    def fingerprint(self, document: Document) -> Fingerprint:
        """The fingerprint of ``document`` under this index's parameters."""
        return self.fingerprinter.fingerprint(document)

    # ------------------------------------------------------------------ adding

    def add(self, document: Document, id: str | None = None) -> bool:
        """Add ``document`` as an original called ``id`` (its name by default).

        Returns False, adding nothing, when the id is already in the index.
        Raises ``InputError`` for a document without a single feature (no
        word outside the thesaurus and no number), which could never be found.
        """
        return self._insert(
            _prepare(id or document.name, document.text, self.fingerprint(document))
        )

    def _insert(self, original: _Prepared) -> bool:
        """Add one original prepared (possibly in another process) by ``_prepare``."""
        if not self.writable:
            raise InputError(f"{self.path} is open read-only; open it with writable=True")
        id, digest, compressed, features, counts, bands = original
        if not features:
            raise InputError(
                f"{id} has no word a spinner would leave alone (names, numbers, rare words), "
                "so its spun copies could not be found; not indexed"
            )
        with self._writing():
            cursor = self._connection.execute(
                "INSERT OR IGNORE INTO docs (id, sha256, text) VALUES (?, ?, ?)",
                (id, digest, compressed),
            )
        if cursor.rowcount == 0:
            return False
        doc = cursor.lastrowid
        assert doc is not None
        self._sketch_rows.append((doc, features, counts))
        if len(self._sketch_rows) >= _FLUSH_SKETCHES:
            with self._writing():
                self._connection.executemany(
                    "INSERT INTO sketches VALUES (?, ?, ?)", self._sketch_rows
                )
            self._sketch_rows = []
        self._band_keys.append(bands)
        self._band_docs.append(doc)
        self._buffered_bands += len(bands) // 8
        # Fancy-index += counts a bucket once per document however often it recurs: a df.
        self._df[np.frombuffer(features, dtype="<u4") & np.uint32(self.params.n_features - 1)] += 1
        self._documents += 1
        if self._buffered_bands >= _FLUSH_ROWS:
            with self._writing():
                self._flush()
        return True

    def _flush(self) -> None:
        """Write buffered sketches and band keys (sorted, which keeps B-tree inserts local)."""
        connection = self._connection
        if self._sketch_rows:
            connection.executemany("INSERT INTO sketches VALUES (?, ?, ?)", self._sketch_rows)
            self._sketch_rows = []
        if self._band_keys:
            keys = np.frombuffer(b"".join(self._band_keys), dtype="<i8")
            sizes = [len(b) // 8 for b in self._band_keys]
            docs = np.repeat(np.array(self._band_docs, dtype=np.int64), sizes)
            order = np.lexsort((docs, keys))
            for start in range(0, len(order), _INSERT_CHUNK):  # a few MB of Python ints at a time
                chunk = order[start : start + _INSERT_CHUNK]
                connection.executemany(
                    "INSERT OR IGNORE INTO bands VALUES (?, ?)",
                    zip(keys[chunk].tolist(), docs[chunk].tolist(), strict=True),
                )
            self._band_keys, self._band_docs, self._buffered_bands = [], [], 0

    def commit(self) -> None:
        """Write everything added since the last commit, in one transaction."""
        if not self.writable:
            return
        with self._writing():
            self._flush()
            self._connection.execute(
                "UPDATE arrays SET data = ? WHERE name = 'df'", (self._df.astype("<u4").tobytes(),)
            )
            self._connection.execute(
                "UPDATE meta SET value = ? WHERE key = 'documents'", (str(self._documents),)
            )
            self._connection.commit()

    # ------------------------------------------------------------------ querying

    def query(
        self,
        document: Document,
        *,
        limit: int = 3,
        min_similarity: float = 0.1,
        max_candidates: int = 100,
    ) -> list[Candidate]:
        """Originals that may be the source of ``document``, most similar first.

        Parameters
        ----------
        document : Document
            The suspect.
        limit : int, default=3
            How many candidates to return at most.
        min_similarity : float, default=0.1
            TF-IDF cosine below which a candidate is dropped.
        max_candidates : int, default=100
            LSH candidates re-ranked; those sharing the most bands are kept.

        Returns
        -------
        list of Candidate
            Approximate: an original sharing too few features with ``document``
            is missed, and a candidate is a lead to align, not a verdict.
        """
        if self.writable:
            self.commit()
        return self._rank(self.fingerprint(document), limit, min_similarity, max_candidates)

    def _rank(
        self, fingerprint: Fingerprint, limit: int, min_similarity: float, max_candidates: int
    ) -> list[Candidate]:
        if not len(fingerprint.bands) or not self._documents:
            return []
        keys = fingerprint.bands.tolist()
        with self._reading():
            rows = self._connection.execute(
                f"SELECT doc FROM bands WHERE key IN ({','.join('?' * len(keys))}) LIMIT ?",
                (*keys, _MAX_BAND_HITS),
            ).fetchall()
        if not rows:
            return []
        docs, hits = np.unique(
            np.fromiter((r[0] for r in rows), dtype=np.int64), return_counts=True
        )
        if len(docs) > max_candidates:
            docs = docs[np.argsort(-hits, kind="stable")[:max_candidates]]
        doc_ids, similarities = self._cosines(fingerprint, docs)
        order = np.argsort(-similarities, kind="stable")[:limit]
        chosen = [(doc_ids[k], float(similarities[k])) for k in order]
        chosen = [(d, s) for d, s in chosen if s >= min_similarity]
        if not chosen:
            return []
        names = self._ids([d for d, _ in chosen])
        return [Candidate(names[d], round(s, 6)) for d, s in chosen]

    def _idf(self, features: np.ndarray) -> np.ndarray:
        df = self._df[features & np.uint32(self.params.n_features - 1)]
        return np.log((1.0 + self._documents) / (1.0 + df)) + 1.0

    def _cosines(self, fingerprint: Fingerprint, docs: np.ndarray) -> tuple[list[int], np.ndarray]:
        """TF-IDF cosine between ``fingerprint`` and each of the originals ``docs``."""
        with self._reading():
            rows = self._connection.execute(
                f"SELECT doc, features, counts FROM sketches WHERE doc IN "
                f"({','.join('?' * len(docs))})",
                docs.tolist(),
            ).fetchall()
        if len(rows) != len(docs) or any(not r[2] or len(r[1]) != 4 * len(r[2]) for r in rows):
            raise CorruptIndexError(f"{self.path} holds a damaged sketch; rebuild the index")
        query = fingerprint.features
        query_weights = fingerprint.counts * self._idf(query)
        query_weights /= np.linalg.norm(query_weights)
        features = np.concatenate([np.frombuffer(r[1], dtype="<u4") for r in rows])
        counts = np.concatenate([np.frombuffer(r[2], dtype=np.uint8) for r in rows])
        sizes = np.array([len(r[2]) for r in rows])
        starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
        weights = counts * self._idf(features)
        norms = np.sqrt(np.add.reduceat(weights * weights, starts))
        position = np.minimum(np.searchsorted(query, features), len(query) - 1)
        shared = np.where(query[position] == features, weights * query_weights[position], 0.0)
        similarities = np.add.reduceat(shared, starts) / norms
        return [r[0] for r in rows], np.clip(similarities, 0.0, 1.0)

    def _ids(self, docs: list[int]) -> dict[int, str]:
        with self._reading():
            rows = self._connection.execute(
                f"SELECT doc, id FROM docs WHERE doc IN ({','.join('?' * len(docs))})", docs
            ).fetchall()
        return dict(rows)

    # ------------------------------------------------------------------ originals

    def text(self, id: str) -> str:
        """The plain text of the original called ``id`` (``KeyError`` when absent)."""
        with self._reading():
            row = self._connection.execute(
                "SELECT sha256, text FROM docs WHERE id = ?", (id,)
            ).fetchone()
        if row is None:
            raise KeyError(id)
        try:
            data = zlib.decompress(row[1])
        except zlib.error:
            data = b""
        if hashlib.sha256(data).digest() != row[0]:
            raise CorruptIndexError(
                f"{self.path}: the stored text of {id!r} is damaged; rebuild the index"
            )
        return data.decode("utf-8")

    def document(self, id: str) -> Document:
        """The original called ``id`` as a ``Document`` named ``id``."""
        return make_document(self.text(id), name=id)

    def ids(self) -> Iterator[str]:
        """Ids of all originals, in the order they were added."""
        with self._reading():
            rows = self._connection.execute("SELECT id FROM docs ORDER BY doc")
            for (id,) in rows:
                yield id

    # ------------------------------------------------------------------ internals

    def _meta(self, key: str) -> str:
        with self._reading():
            row = self._connection.execute(
                "SELECT value FROM meta WHERE key = ?", (key,)
            ).fetchone()
        if row is None:
            raise CorruptIndexError(f"{self.path} has no {key!r} entry; rebuild the index")
        return row[0]

    def _count_documents(self) -> int:
        try:
            return int(self._meta("documents"))
        except ValueError:
            raise CorruptIndexError(f"{self.path} has a damaged document count") from None

    def _read_df(self) -> np.ndarray:
        row = self._connection.execute(
            "SELECT dtype, data FROM arrays WHERE name = 'df'"
        ).fetchone()
        if row is None or row[0] != "<u4" or len(row[1]) != 4 * self.params.n_features:
            raise CorruptIndexError(
                f"{self.path} has a damaged document-frequency table; rebuild the index"
            )
        return np.frombuffer(row[1], dtype="<u4").astype(np.uint32)

    def _reading(self) -> _Guard:
        if self._connection is None:
            raise ValueError(f"{self.path} is closed")
        return _Guard(self.path, writing=False)

    def _writing(self) -> _Guard:
        if self._connection is None:
            raise ValueError(f"{self.path} is closed")
        return _Guard(self.path, writing=True)


class _Guard:
    """Context turning SQLite failures into ``CorruptIndexError`` naming the file."""

    def __init__(self, path: Path, writing: bool) -> None:
        self.path = path
        self.writing = writing

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if not isinstance(exc, sqlite3.DatabaseError):
            return
        if self.writing:
            raise CorruptIndexError(f"cannot write the index {self.path} ({exc})") from None
        raise CorruptIndexError(
            f"{self.path} is damaged ({exc}); rebuild it with `spindetect index`"
        ) from None


def _tune(connection: sqlite3.Connection) -> None:
    connection.execute("PRAGMA cache_size=-65536")  # 64 MB of page cache
    connection.execute("PRAGMA temp_store=MEMORY")


def _check_header(path: Path) -> None:
    """Refuse files that are not SQLite databases, or are cut short, before opening them."""
    try:
        with open(path, "rb") as f:
            header = f.read(100)
        size = path.stat().st_size
    except OSError as exc:
        raise MissingInputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if len(header) < 100 or not header.startswith(_SQLITE_HEADER):
        raise CorruptIndexError(
            f"{path} is not a spindetect index (not an SQLite file); "
            "build one with `spindetect index ORIGINALS --out INDEX`"
        )
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    size_is_valid = header[24:28] == header[92:96]  # the in-header size is current
    if size_is_valid and pages and size < pages * page_size:
        raise CorruptIndexError(
            f"{path} is truncated ({size} bytes of {pages * page_size}); rebuild it with "
            "`spindetect index`"
        )


def _read_meta(connection: sqlite3.Connection, path: Path) -> IndexParams:
    tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "meta" not in tables:
        raise CorruptIndexError(
            f"{path} is an SQLite file but not a spindetect index; "
            "build one with `spindetect index ORIGINALS --out INDEX`"
        )
    meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
    if meta.get("magic") != MAGIC:
        raise CorruptIndexError(f"{path} is an SQLite file but not a spindetect index")
    try:
        version = int(meta.get("format_version", ""))
    except ValueError:
        version = -1
    if version > FORMAT_VERSION:
        raise CorruptIndexError(
            f"{path} has index format {version}, newer than this spindetect reads "
            f"({FORMAT_VERSION}); upgrade spindetect"
        )
    if version != FORMAT_VERSION or meta.get("features") != FEATURES:
        raise CorruptIndexError(
            f"{path} has an old index format ({meta.get('format_version')}, "
            f"{meta.get('features')}); rebuild it with `spindetect index`"
        )
    missing = _REQUIRED_TABLES - tables
    if missing:
        raise CorruptIndexError(f"{path} lacks the {', '.join(sorted(missing))} table(s)")
    try:
        return IndexParams(
            num_perm=int(meta["num_perm"]),
            bands=int(meta["bands"]),
            rows=int(meta["rows"]),
            seed=int(meta["seed"]),
            n_features=int(meta["n_features"]),
        )
    except (KeyError, ValueError) as exc:
        raise CorruptIndexError(f"{path} has damaged parameters ({exc})") from None


# --------------------------------------------------------------------------- building


@dataclass(frozen=True)
class IndexSummary:
    """What ``build_index`` did.

    Attributes
    ----------
    path : str
        The index file.
    added : int
        Originals added by this run.
    duplicates : int
        Originals skipped because their id was already in the index.
    skipped : int
        Inputs that could not be indexed (unreadable, empty, binary, featureless).
    documents : int
        Originals in the index after the run.
    seconds : float
        Wall-clock time of the run.
    """

    path: str
    added: int
    duplicates: int
    skipped: int
    documents: int
    seconds: float

    @property
    def rate(self) -> float:
        """Inputs processed per second."""
        return (self.added + self.duplicates + self.skipped) / self.seconds if self.seconds else 0.0


@dataclass(frozen=True, slots=True)
class _Unreadable:
    """An original that could not be read, and why."""

    id: str
    reason: str


@dataclass(frozen=True)
class FingerprintJob:
    """Reading and fingerprinting originals, in a worker (see ``detector.parallel``)."""

    params: IndexParams
    encoding: str | None = None
    max_bytes: int = DEFAULT_MAX_BYTES

    def start(self) -> _FingerprintWorker:
        """The per-process state: a fingerprinter over the thesaurus."""
        return _FingerprintWorker(self, Fingerprinter(self.params))


class _FingerprintWorker:
    def __init__(self, job: FingerprintJob, fingerprinter: Fingerprinter) -> None:
        self.job = job
        self.fingerprinter = fingerprinter

    def process(self, batch: list[InputItem]) -> list[_Prepared | _Unreadable]:
        """Each original prepared for insertion, or why it cannot be read."""
        out: list[_Prepared | _Unreadable] = []
        for item in batch:
            try:
                out.append(self._prepare(item))
            except InputError as exc:
                out.append(_Unreadable(item.id, str(exc)))
        return out

    def _prepare(self, item: InputItem) -> _Prepared:
        text = item.text
        # A record's clean text needs no Document; anything else (files, suspect or featureless
        # texts) takes the full checks of detector.io, which name what is wrong.
        if text is not None and len(text) <= self.job.max_bytes and not _CONTROL.search(text):
            fingerprint = self.fingerprinter.fingerprint(text)
            if len(fingerprint):
                return _prepare(item.id, text, fingerprint)
        document = item.read(encoding=self.job.encoding, max_bytes=self.job.max_bytes)
        return _prepare(item.id, document.text, self.fingerprinter.fingerprint(document))

    def close(self) -> None:
        return None


def build_index(
    inputs: Sequence[str | Path],
    out: str | Path,
    *,
    add: bool = False,
    workers: int = 1,
    encoding: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    batch_size: int = 64,
    params: IndexParams | None = None,
    on_progress: Callable[[int], None] | None = None,
    on_skip: Callable[[str], None] | None = None,
) -> IndexSummary:
    """Index the originals named by ``inputs`` into the file ``out``.

    A new index is written to ``OUT.partial`` and renamed into place when
    complete, so an interrupted build never leaves a half-written ``out``.
    With ``add``, the originals are added to the existing index in one
    transaction instead.  Inputs that cannot be read are skipped (reported to
    ``on_skip``); an id already in the index is skipped as a duplicate.

    Parameters
    ----------
    inputs : sequence of str or Path
        Files, folders, globs, JSONL/CSV files or saved datasets (``detector.inputs``).
    out : str or Path
        The index file.
    add : bool, default=False
        Extend the existing index ``out`` rather than create it.
    workers : int, default=1
        Processes reading and fingerprinting originals.
    encoding, max_bytes
        As for ``detector.io.read_document``.
    batch_size : int, default=64
        Originals per unit of work sent to a worker.
    params : IndexParams, optional
        Hashing parameters of a new index (ignored with ``add``).
    on_progress : callable, optional
        Called with the number of inputs processed after each batch.
    on_skip : callable, optional
        Called with the one-line reason for each input that is skipped.

    Returns
    -------
    IndexSummary
    """
    from detector.inputs import iter_inputs
    from detector.parallel import batched, run_ordered

    out = Path(out)
    started = time.perf_counter()
    items = iter_inputs(inputs, max_bytes=max_bytes)
    partial = out.with_name(out.name + ".partial")
    if add:
        if not out.exists():
            raise MissingInputError(f"{out}: no index to add to; drop --add to create it")
        index = SourceIndex.open(out, writable=True)
        try:
            index.fingerprinter  # noqa: B018 - refuses an index built over another thesaurus
        except BaseException:
            index.abort()
            raise
    else:
        if out.exists():
            raise InputError(
                f"{out} already exists; pass --add to add to it, or remove it to rebuild"
            )
        with suppress(FileNotFoundError):
            partial.unlink()  # left behind by a build that was killed
        index = SourceIndex.create(partial, params, fast=True)
    added = duplicates = skipped = 0
    try:
        job = FingerprintJob(index.params, encoding, max_bytes)
        for results in run_ordered(job, batched(items, batch_size), workers=workers):
            for result in results:
                if isinstance(result, _Unreadable):
                    error = result.reason
                else:
                    try:
                        if index._insert(result):
                            added += 1
                        else:
                            duplicates += 1
                        continue
                    except InputError as exc:
                        error = str(exc)
                skipped += 1
                if on_skip is not None:
                    on_skip(error)
            if on_progress is not None:
                on_progress(added + duplicates + skipped)
        index.commit()
    except BaseException:
        index.abort()
        if not add:
            with suppress(OSError):
                partial.unlink()
        raise
    documents = len(index)
    index.close()
    if not add:
        if not added:
            partial.unlink()
            raise MissingInputError(
                f"no original could be indexed from {', '.join(map(str, inputs))}"
            )
        os.replace(partial, out)
    return IndexSummary(
        str(out), added, duplicates, skipped, documents, time.perf_counter() - started
    )
