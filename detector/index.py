"""The source index store: original articles in one SQLite file, found again from spun copies.

Each original is kept with its spin-robust fingerprint (``detector.fingerprint``:
the names, numbers, rare words and anchored shingles a spinner leaves alone).
Retrieval has two stages.  A MinHash (``datasketch``, 128 permutations) of the
feature set is cut into 42 bands of 3 rows (what datasketch's ``MinHashLSH``
optimiser picks for a threshold of 0.3 weighted towards recall); an original
becomes a candidate when it shares a band with the suspect, which happens with
probability 1 - (1 - J**3)**42: 0.29 at J = 0.2, 0.68 at 0.3, 0.93 at 0.4 and
0.996 at 0.5.  Candidates are then ranked by how much of the suspect they hold
(its TF-IDF weight on features the original has: an excerpt scores as high as a
whole copy), then by the cosine of the two TF-IDF vectors over the same
features.  Both stages are approximate: ``query`` returns candidates to align,
not verdicts.  Building an index in bulk is ``detector.index_build``.

A short page has few immutables, and an excerpt holds a small share of its
original's, so that fast path misses short, heavily spun pages.  When it finds
no strong candidate (none holding ``STRONG_SIMILARITY`` of the suspect),
``query`` takes a second path: the suspect's *class keys*
(``detector.fingerprint``: runs of three synonym classes, which a spinner
breaks only by swapping a word for a synonym of another class) are looked up,
and an original holding at least ``_MIN_CLASS_HITS`` of them becomes a
candidate, its containment the larger of the immutables' and the share of the
suspect's class keys it holds.  The candidates of both paths are merged and
ranked together; ``spindetect label`` then aligns the best.

On-disk format
--------------
One SQLite 3 file; nothing is pickled.  Format version ``FORMAT_VERSION`` (2;
version 1, without class keys, is refused: rebuild it with ``spindetect index``):

``meta(key TEXT PRIMARY KEY, value TEXT)``
    ``magic`` (``spindetect-index``), ``format_version``, ``features``
    (``immutables-v1``), ``class_features`` (``synonym-classes-v1``),
    ``num_perm``, ``bands``, ``rows``, ``seed``, ``n_features``,
    ``class_vocabulary``, ``class_sample``, ``vocabulary`` (SHA-256 of the
    thesaurus terms and function words that decide which words are immutable),
    ``classes`` (``detector.fingerprint.classes_digest``: SHA-256 of the synonym
    classes), ``documents``, ``created_by``.
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
    finaliser) are defined in ``detector.fingerprint``.
``classes(key INTEGER, doc INTEGER, PRIMARY KEY (key, doc)) WITHOUT ROWID``
    Class keys (``Fingerprinter.class_keys``), signed 64-bit integers.
``arrays(name TEXT PRIMARY KEY, dtype TEXT, data BLOB)``
    ``df``: for each of ``n_features`` hash buckets (feature hash modulo
    ``n_features``), how many originals hold a feature in it; little-endian uint32.

The ``documents`` count and the ``df`` table are updated in the same SQLite
transaction as the rows they count, from the values committed when that
transaction writes, so they always match the ``docs`` table.

Writers
-------
One process writes an index at a time: a writer holds the lock of
``detector.index_lock`` (``INDEX.lock`` beside the file, holding its PID), and
a second writer is refused at once with ``IndexInUseError``.  Any number of
readers may open the index meanwhile.  Failures to write (read-only folder,
full disk, no permission) raise ``IndexWriteError`` naming the file and the
reason.
"""

from __future__ import annotations

import hashlib
import sqlite3
import zlib
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import numpy as np

from detector import __version__
from detector.document import Document, make_document
from detector.errors import (
    CorruptIndexError,
    IndexWriteError,
    InputError,
    MissingInputError,
)
from detector.fingerprint import (
    Fingerprint,
    Fingerprinter,
    IndexParams,
    classes_digest,
    feature_hash,
    vocabulary_digest,
)
from detector.index_lock import WriterLock

if TYPE_CHECKING:
    from detector.lexicon import Lexicon

__all__ = [
    "FORMAT_VERSION",
    "STRONG_SIMILARITY",
    "Candidate",
    "Fingerprint",
    "Fingerprinter",
    "IndexParams",
    "PreparedOriginal",
    "SourceIndex",
    "feature_hash",
    "vocabulary_digest",
]

MAGIC = "spindetect-index"
FORMAT_VERSION = 2
FEATURES = "immutables-v1"
CLASS_FEATURES = "synonym-classes-v1"
# A fast-path containment from which a candidate is taken as found: the class path is not asked.
STRONG_SIMILARITY = 0.7
_MIN_CLASS_HITS = 3  # class keys an original must share with the suspect to be a candidate
_MAX_CLASS_POSTING = 2_000  # originals holding one class key beyond which it is no evidence
_MAX_CLASS_KEYS = 256  # a long suspect's smallest class keys looked up (one query each)

# Band rows buffered before they are sorted and written (about 16 bytes each); writing them
# while workers keep fingerprinting overlaps the two.
_FLUSH_ROWS = 1_000_000
_FLUSH_SKETCHES = 10_000  # sketches buffered before they are written
_INSERT_CHUNK = 50_000  # band rows handed to SQLite at once
_MAX_BAND_HITS = 20_000  # band matches read per query (guards against huge buckets)
_SQLITE_HEADER = b"SQLite format 3\x00"
_REQUIRED_TABLES = frozenset({"meta", "docs", "sketches", "bands", "classes", "arrays"})
# SQLite result codes of a database another connection holds (SQLITE_BUSY, SQLITE_LOCKED).
_BUSY_CODES = frozenset({5, 6})


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
    containment : float
        How much of the suspect the original holds (0 .. 1): the share of the
        suspect's TF-IDF weight on features the original has, or, for a
        candidate the synonym-class path found, the share of the suspect's
        class keys it holds when that is higher.  An excerpt of an original
        scores as high as a whole copy.  Candidates are ranked by it, then by
        ``similarity``.
    """

    id: str
    similarity: float
    containment: float = 0.0


@dataclass(frozen=True, slots=True)
class PreparedOriginal:
    """An original as the index stores it: ready to add, and cheap to send between processes.

    Made by ``PreparedOriginal.of`` (in a worker process, say) and added by
    ``SourceIndex.add_prepared``.

    Attributes
    ----------
    id : str
        The original's id in the index.
    sha256 : bytes
        SHA-256 of its UTF-8 plain text.
    text : bytes
        That text, zlib-compressed.
    features : bytes
        Its sorted, distinct feature hashes, little-endian uint32.
    counts : bytes
        How often each feature occurs, uint8.
    bands : bytes
        Its LSH band keys, little-endian int64.
    classes : bytes
        Its class keys, little-endian int64.
    """

    id: str
    sha256: bytes
    text: bytes
    features: bytes
    counts: bytes
    bands: bytes
    classes: bytes = b""

    @classmethod
    def of(cls, id: str, text: str, fingerprint: Fingerprint) -> PreparedOriginal:
        """The original ``text`` called ``id``, with its ``fingerprint``, as the index stores it."""
        data = text.encode("utf-8")
        return cls(
            id,
            hashlib.sha256(data).digest(),
            zlib.compress(data, 1),
            fingerprint.features.astype("<u4").tobytes(),
            fingerprint.counts.tobytes(),
            fingerprint.bands.astype("<i8").tobytes(),
            fingerprint.classes.astype("<i8").tobytes(),
        )


_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE docs (
    doc INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, sha256 BLOB NOT NULL, text BLOB NOT NULL
);
CREATE TABLE sketches (doc INTEGER PRIMARY KEY, features BLOB NOT NULL, counts BLOB NOT NULL);
CREATE TABLE bands (key INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (key, doc))
    WITHOUT ROWID;
CREATE TABLE classes (key INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (key, doc))
    WITHOUT ROWID;
CREATE TABLE arrays (name TEXT PRIMARY KEY, dtype TEXT NOT NULL, data BLOB NOT NULL);
"""


class SourceIndex:
    """A persistent index of original articles: add originals, find the sources of suspects.

    Make one with ``SourceIndex.create(path)`` or open one with
    ``SourceIndex.open(path)``; use it as a context manager, or call
    ``close()``.  Additions are buffered and written by ``commit()`` (and by
    ``close()``), in one transaction: an interrupted run leaves the index as
    it was.  Read-only indexes can be opened by many processes at once; an
    index open for writing holds its writer lock (``detector.index_lock``)
    until closed, so a second writer gets ``IndexInUseError``.  One
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
        lock: WriterLock | None = None,
    ) -> None:
        self.path = path
        self.params = params
        self.writable = writable
        self._connection = connection
        self._lexicon = lexicon
        self._lock = lock  # released by close() and abort(); None when the caller holds it
        self._fingerprinter: Fingerprinter | None = None
        self._df = self._read_df()
        self._documents = self._count_documents()
        # What this writer added since its last commit: document frequencies and documents.
        self._df_added: np.ndarray | None = None
        self._documents_added = 0
        self._sketch_rows: list[tuple[int, bytes, bytes]] = []
        self._band_keys: list[bytes] = []
        self._class_keys: list[bytes] = []
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
        lock: WriterLock | None = None,
    ) -> SourceIndex:
        """A new, empty index at ``path`` (which must not exist), open for writing.

        ``fast`` turns off SQLite's journal and syncing: quicker, but a crash
        leaves a damaged file, so use it only for a file that is renamed into
        place once complete (as ``build_index`` does).  ``lock`` is a writer
        lock the caller holds and will release (``build_index`` holds that of
        the file it will rename into); by default the index takes the lock of
        ``path`` and releases it when closed.  ``IndexInUseError`` when another
        process writes ``path``; ``IndexWriteError`` when it cannot be written.
        """
        path = Path(path)
        owned = WriterLock.acquire(path) if lock is None else None
        try:
            if path.exists():
                raise InputError(f"{path} already exists; remove it or open it to add to it")
            params = params if params is not None else IndexParams()
            if lexicon is None:
                from detector.lexicon import load_lexicon

                lexicon = load_lexicon(quiet=True)
            connection = _create(path, params, lexicon, fast=fast)
        except BaseException:
            if owned is not None:
                owned.release()
            raise
        _tune(connection)
        return cls(path, connection, params, writable=True, lexicon=lexicon, lock=owned)

    @classmethod
    def open(
        cls, path: str | Path, *, writable: bool = False, lexicon: Lexicon | None = None
    ) -> SourceIndex:
        """The index at ``path``; ``CorruptIndexError`` for a damaged or foreign file.

        With ``writable``, the index holds the writer lock of ``path`` until
        closed: ``IndexInUseError`` when another process writes it.
        """
        path = Path(path)
        if not path.exists():
            raise MissingInputError(f"{path}: no such index; build one with `spindetect index`")
        if path.is_dir():
            raise MissingInputError(f"{path} is a directory, not an index file")
        lock = WriterLock.acquire(path) if writable else None
        try:
            return cls._open(path, writable=writable, lexicon=lexicon, lock=lock)
        except BaseException:
            if lock is not None:
                lock.release()
            raise

    @classmethod
    def _open(
        cls, path: Path, *, writable: bool, lexicon: Lexicon | None, lock: WriterLock | None
    ) -> SourceIndex:
        _check_header(path)
        uri = f"file:{quote(path.resolve().as_posix())}?mode={'rw' if writable else 'ro'}"
        try:
            connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
        except sqlite3.Error as exc:
            raise CorruptIndexError(f"{path}: cannot open the index ({exc})") from None
        try:
            params = _read_meta(connection, path)
            index = cls(path, connection, params, writable=writable, lexicon=lexicon, lock=lock)
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
            self._release()

    def __enter__(self) -> SourceIndex:
        return self

    def abort(self) -> None:
        """Close without writing: the file stays as it was at the last commit."""
        if self._connection is None:
            return
        try:
            with suppress(sqlite3.Error):  # closing the connection rolls back all the same
                self._connection.rollback()
        finally:
            self._connection.close()
            self._connection = None  # type: ignore[assignment]
            self._release()

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is not None and self.writable:
            self.abort()
        else:
            self.close()

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

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
            if vocabulary_digest(fingerprinter.lexicon) != self._meta("vocabulary") or (
                classes_digest(fingerprinter.lexicon, self.params) != self._meta("classes")
            ):
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
        return self.add_prepared(
            PreparedOriginal.of(id or document.name, document.text, self.fingerprint(document))
        )

    def add_prepared(self, original: PreparedOriginal) -> bool:
        """Add an original prepared by ``PreparedOriginal.of``, possibly in another process.

        Its fingerprint must come from this index's ``fingerprinter`` (or one
        with the same parameters and thesaurus).  Returns False, adding
        nothing, when the id is already in the index; ``InputError`` for an
        original without features.  Written by the next ``commit()``.
        """
        if not self.writable:
            raise InputError(f"{self.path} is open read-only; open it with writable=True")
        if not original.features:
            raise InputError(
                f"{original.id} has no word a spinner would leave alone (names, numbers, rare "
                "words), so its spun copies could not be found; not indexed"
            )
        with self._writing():
            if not self._connection.in_transaction:
                # Take SQLite's write lock now: the rows and the counts go in one transaction.
                self._connection.execute("BEGIN IMMEDIATE")
            cursor = self._connection.execute(
                "INSERT OR IGNORE INTO docs (id, sha256, text) VALUES (?, ?, ?)",
                (original.id, original.sha256, original.text),
            )
        if cursor.rowcount == 0:
            return False
        doc = cursor.lastrowid
        assert doc is not None
        self._sketch_rows.append((doc, original.features, original.counts))
        if len(self._sketch_rows) >= _FLUSH_SKETCHES:
            with self._writing():
                self._connection.executemany(
                    "INSERT INTO sketches VALUES (?, ?, ?)", self._sketch_rows
                )
            self._sketch_rows = []
        self._band_keys.append(original.bands)
        self._class_keys.append(original.classes)
        self._band_docs.append(doc)
        self._buffered_bands += (len(original.bands) + len(original.classes)) // 8
        if self._df_added is None:
            self._df_added = np.zeros(self.params.n_features, dtype=np.uint32)
        # Fancy-index += counts a bucket once per document however often it recurs: a df.
        buckets = np.frombuffer(original.features, dtype="<u4") & np.uint32(
            self.params.n_features - 1
        )
        self._df_added[buckets] += 1
        self._documents_added += 1
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
        if self._band_docs:
            _insert_keys(connection, "bands", self._band_keys, self._band_docs)
            _insert_keys(connection, "classes", self._class_keys, self._band_docs)
            self._band_keys, self._class_keys, self._band_docs = [], [], []
            self._buffered_bands = 0

    def commit(self) -> None:
        """Write everything added since the last commit, with the counts, in one transaction.

        The document count and document frequencies written are those
        committed in the file plus this writer's additions, read inside the
        transaction, so they stay right whoever wrote the file before.
        """
        if not self.writable:
            return
        with self._writing():
            if not self._connection.in_transaction:
                return  # nothing added since the last commit
            self._flush()
            df = self._read_df()
            documents = self._count_documents()
            if self._df_added is not None:
                df += self._df_added
            documents += self._documents_added
            self._connection.execute(
                "UPDATE arrays SET data = ? WHERE name = 'df'", (df.astype("<u4").tobytes(),)
            )
            self._connection.execute(
                "UPDATE meta SET value = ? WHERE key = 'documents'", (str(documents),)
            )
            self._connection.commit()
        self._df, self._documents = df, documents
        self._df_added, self._documents_added = None, 0

    # ------------------------------------------------------------------ querying

    def query(
        self,
        document: Document,
        *,
        limit: int = 3,
        min_similarity: float = 0.1,
        max_candidates: int = 100,
        synonyms: bool = True,
    ) -> list[Candidate]:
        """Originals that may be the source of ``document``, the likeliest first.

        Candidates are ranked by how much of ``document`` they hold
        (``Candidate.containment``), then by cosine (``Candidate.similarity``).

        Parameters
        ----------
        document : Document
            The suspect.
        limit : int, default=3
            How many candidates to return at most.
        min_similarity : float, default=0.1
            A candidate whose containment and cosine are both below it is dropped.
        max_candidates : int, default=100
            Candidates re-ranked per path; those sharing the most keys are kept.
        synonyms : bool, default=True
            Take the synonym-class path too when the fast path finds no
            candidate holding ``STRONG_SIMILARITY`` of ``document`` or more (see
            the module notes); False for the fast path alone.

        Returns
        -------
        list of Candidate
            Approximate: an original sharing too few features with ``document``
            is missed, and a candidate is a lead to align, not a verdict.
        """
        if self.writable:
            self.commit()
        fingerprint = self.fingerprinter.fingerprint(document, classes=False)
        scores = self._fast_path(fingerprint, max_candidates)
        if synonyms and max((c for c, _ in scores.values()), default=0.0) < STRONG_SIMILARITY:
            keys = self.fingerprinter.class_keys(document)
            for doc, score in self._class_path(fingerprint, keys, max_candidates).items():
                scores[doc] = max(score, scores.get(doc, score))
        ranked = sorted(scores.items(), key=lambda item: (-item[1][0], -item[1][1], item[0]))
        chosen = [(d, c, s) for d, (c, s) in ranked if max(c, s) >= min_similarity][:limit]
        if not chosen:
            return []
        names = self._ids([d for d, _, _ in chosen])
        return [Candidate(names[d], round(s, 6), round(c, 6)) for d, c, s in chosen]

    def _fast_path(
        self, fingerprint: Fingerprint, max_candidates: int
    ) -> dict[int, tuple[float, float]]:
        """``(containment, cosine)`` of each original sharing an LSH band with ``fingerprint``."""
        if not len(fingerprint.bands) or not self._documents:
            return {}
        keys = fingerprint.bands.tolist()
        with self._reading():
            rows = self._connection.execute(
                f"SELECT doc FROM bands WHERE key IN ({','.join('?' * len(keys))}) LIMIT ?",
                (*keys, _MAX_BAND_HITS),
            ).fetchall()
        if not rows:
            return {}
        docs, hits = np.unique(
            np.fromiter((r[0] for r in rows), dtype=np.int64), return_counts=True
        )
        if len(docs) > max_candidates:
            docs = docs[np.argsort(-hits, kind="stable")[:max_candidates]]
        return self._similarities(fingerprint, docs)

    def _class_path(
        self, fingerprint: Fingerprint, keys: np.ndarray, max_candidates: int
    ) -> dict[int, tuple[float, float]]:
        """``(containment, cosine)`` of each original holding ``_MIN_CLASS_HITS`` class ``keys``.

        The containment is the larger of the immutables' (``_similarities``)
        and the share of ``keys`` the original holds.  Only the
        ``_MAX_CLASS_KEYS`` smallest keys are looked up (sorted, so a sample
        any copy shares), and a key held by more than ``_MAX_CLASS_POSTING``
        originals, which says nothing about any one of them, is skipped.
        """
        keys = keys[:_MAX_CLASS_KEYS]  # a content-defined sample: the same keys in any copy
        if len(keys) < _MIN_CLASS_HITS or not self._documents:
            return {}
        found: list[int] = []
        with self._reading():
            for key in keys.tolist():
                rows = self._connection.execute(
                    "SELECT doc FROM classes WHERE key = ? LIMIT ?", (key, _MAX_CLASS_POSTING + 1)
                ).fetchall()
                if len(rows) <= _MAX_CLASS_POSTING:
                    found.extend(r[0] for r in rows)
        if not found:
            return {}
        docs, hits = np.unique(np.array(found, dtype=np.int64), return_counts=True)
        keep = hits >= _MIN_CLASS_HITS
        docs, hits = docs[keep], hits[keep]
        if len(docs) > max_candidates:
            best = np.argsort(-hits, kind="stable")[:max_candidates]
            docs, hits = docs[best], hits[best]
        shares = dict(zip(docs.tolist(), (hits / len(keys)).tolist(), strict=True))
        if not len(docs) or not len(fingerprint.features):
            return {d: (share, 0.0) for d, share in shares.items()}
        return {
            d: (max(shares[d], contained), cosine)
            for d, (contained, cosine) in self._similarities(fingerprint, docs).items()
        }

    def _idf(self, features: np.ndarray) -> np.ndarray:
        df = self._df[features & np.uint32(self.params.n_features - 1)]
        return np.log((1.0 + self._documents) / (1.0 + df)) + 1.0

    def _similarities(
        self, fingerprint: Fingerprint, docs: np.ndarray
    ) -> dict[int, tuple[float, float]]:
        """``(containment, cosine)`` of ``fingerprint`` and each of the originals ``docs``.

        The cosine is that of the two TF-IDF vectors; the containment, the
        share of the suspect's squared TF-IDF weights (its vector normalised)
        on features the original holds: 1 for an excerpt of the original,
        whatever the original's length.
        """
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
        held = query[position] == features
        shared = np.where(held, weights * query_weights[position], 0.0)
        cosines = np.clip(np.add.reduceat(shared, starts) / norms, 0.0, 1.0)
        contained = np.add.reduceat(np.where(held, query_weights[position] ** 2, 0.0), starts)
        return {
            r[0]: (c, s)
            for r, c, s in zip(
                rows, np.clip(contained, 0.0, 1.0).tolist(), cosines.tolist(), strict=True
            )
        }

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
    """Context turning SQLite failures into one-line errors naming the file.

    Writing, any failure is an ``IndexWriteError`` (full disk, read-only file);
    reading, a file another process holds is said to be so, and anything else
    is a ``CorruptIndexError``.
    """

    def __init__(self, path: Path, writing: bool) -> None:
        self.path = path
        self.writing = writing

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if not isinstance(exc, sqlite3.DatabaseError):
            return
        if self.writing:
            raise IndexWriteError(self.path, str(exc)) from None
        if getattr(exc, "sqlite_errorcode", None) in _BUSY_CODES:
            raise CorruptIndexError(
                f"{self.path} is held by a process writing it ({exc}); try again once it has "
                "finished"
            ) from None
        raise CorruptIndexError(
            f"{self.path} is damaged ({exc}); rebuild it with `spindetect index`"
        ) from None


def _insert_keys(
    connection: sqlite3.Connection, table: str, blobs: list[bytes], docs: list[int]
) -> None:
    """Insert each document's keys (little-endian int64 blobs) into ``table``, sorted."""
    keys = np.frombuffer(b"".join(blobs), dtype="<i8")
    if not len(keys):
        return
    sizes = [len(b) // 8 for b in blobs]
    owners = np.repeat(np.array(docs, dtype=np.int64), sizes)
    order = np.lexsort((owners, keys))  # sorted rows keep B-tree inserts local
    for start in range(0, len(order), _INSERT_CHUNK):  # a few MB of Python ints at a time
        chunk = order[start : start + _INSERT_CHUNK]
        connection.executemany(
            f"INSERT OR IGNORE INTO {table} VALUES (?, ?)",
            zip(keys[chunk].tolist(), owners[chunk].tolist(), strict=True),
        )


def _create(path: Path, params: IndexParams, lexicon: Lexicon, *, fast: bool) -> sqlite3.Connection:
    """A connection to a new index file at ``path`` with its tables and manifest written."""
    connection: sqlite3.Connection | None = None
    try:
        connection = sqlite3.connect(path, check_same_thread=False)
        if fast:
            connection.execute("PRAGMA journal_mode=OFF")
            connection.execute("PRAGMA synchronous=OFF")
        connection.executescript(_SCHEMA)
        meta = {
            "magic": MAGIC,
            "format_version": str(FORMAT_VERSION),
            "features": FEATURES,
            "class_features": CLASS_FEATURES,
            "num_perm": str(params.num_perm),
            "bands": str(params.bands),
            "rows": str(params.rows),
            "seed": str(params.seed),
            "n_features": str(params.n_features),
            "class_vocabulary": str(params.class_vocabulary),
            "class_sample": str(params.class_sample),
            "vocabulary": vocabulary_digest(lexicon),
            "classes": classes_digest(lexicon, params),
            "documents": "0",
            "created_by": f"spindetect {__version__}",
        }
        connection.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        connection.execute(
            "INSERT INTO arrays VALUES ('df', '<u4', ?)",
            (np.zeros(params.n_features, dtype="<u4").tobytes(),),
        )
        connection.commit()
    except BaseException as exc:
        if connection is not None:
            connection.close()
        with suppress(OSError):
            path.unlink()
        if isinstance(exc, sqlite3.Error | OSError):
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise IndexWriteError(path, reason) from None
        raise
    return connection


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
    if (
        version != FORMAT_VERSION
        or meta.get("features") != FEATURES
        or meta.get("class_features") != CLASS_FEATURES
    ):
        raise CorruptIndexError(
            f"{path} has an old index format ({meta.get('format_version')}, built by an older "
            f"spindetect; this one reads format {FORMAT_VERSION}, which adds synonym-class keys); "
            f"rebuild it with `spindetect index ORIGINALS -o {path}`"
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
            class_vocabulary=int(meta["class_vocabulary"]),
            class_sample=int(meta["class_sample"]),
        )
    except (KeyError, ValueError) as exc:
        raise CorruptIndexError(f"{path} has damaged parameters ({exc})") from None
