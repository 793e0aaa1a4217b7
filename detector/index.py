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
suspect's class keys it holds.

When neither key path finds a strong candidate, a third, *dense* path
(``detector.dense``) asks an approximate nearest-neighbour index of the
originals' passage vectors (static embeddings distilled from the packaged
MiniLM, ``usearch`` HNSW over int8 vectors) for the passages closest to each
of the suspect's: meaning survives heavy spinning and paraphrase when few
words do.  An original whose passages come within cosine ``DENSE_MIN_COSINE``
of the suspect's becomes a candidate when one such match stands well above
that suspect passage's background (its 20th nearest passage: a generic
passage is close to many originals, a copied one to its source only), by
``DENSE_MARGIN``, or ``DENSE_MARGIN_CORROBORATED`` when a key path
corroborates the original (a match under cosine 0.7 must stand out more); its
containment is the larger of the key paths' and the share of the suspect's
words in passages it matches, each weighted by its cosine.
With dense vectors, a candidate of the class path alone holding little of the
suspect is kept only when the dense path confirms it.  The candidates of all
paths are merged and ranked together; ``spindetect label`` then aligns the
best.

On-disk format
--------------
One SQLite 3 file, and beside it, when the index has dense vectors, the
sidecar ``INDEX.dense`` (a usearch file; see ``detector.dense``); nothing is
pickled.  Format version ``FORMAT_VERSION`` (4: the ``df`` table may be
compressed).  Version 3 (the same with a raw ``df`` table) is read and added to
as it is; version 2 (no dense path) is still read and added to, without the
dense path: rebuild it with ``spindetect index`` to get it.  Version 1, without
class keys, is refused: rebuild it with ``spindetect index``.

``meta(key TEXT PRIMARY KEY, value TEXT)``
    ``magic`` (``spindetect-index``), ``format_version``, ``features``
    (``immutables-v1``), ``class_features`` (``synonym-classes-v1``),
    ``num_perm``, ``bands``, ``rows``, ``seed``, ``n_features``,
    ``class_vocabulary``, ``class_sample``, ``vocabulary`` (SHA-256 of the
    thesaurus terms and function words that decide which words are immutable),
    ``classes`` (``detector.fingerprint.classes_digest``: SHA-256 of the synonym
    classes), ``documents``, ``created_by``; from format 3, ``dense``
    (``detector.dense.MODEL_NAME``, or empty for an index without dense
    vectors), ``dense_model`` (SHA-256 of the distilled model's weights that
    made the vectors), and, once vectors are written, ``dense_passages``,
    ``dense_bytes`` and ``dense_sha256``: the sidecar's vector count, size and
    SHA-256, which it must match (a missing, foreign, damaged or stale
    sidecar is refused with one line).
``docs(doc INTEGER PRIMARY KEY, id TEXT UNIQUE, sha256 BLOB, text BLOB)``
    Each original: its id, the SHA-256 of its UTF-8 plain text, and that text
    zlib-compressed.
``sketches(doc INTEGER PRIMARY KEY, features BLOB, counts BLOB)``
    Each original's features as sorted, distinct little-endian uint32 hashes
    (``feature_hash``: a word's CRC-32, or a mix of the CRC-32s of a
    shingle's three words) and their counts (uint8, capped at 255); both empty
    for an original without features (no immutable: found by its class keys and
    passages only, and given no band keys; a spindetect older than 2026-12-03
    calls such a sketch damaged when a query meets it).
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
    ``n_features``), how many originals hold a feature in it; little-endian uint32
    (dtype ``<u4``), from format 4 zlib-compressed while at most a quarter of the buckets
    are used (dtype ``<u4+zlib``: a small index's table is mostly zeros, 16 MB raw).

The ``documents`` count and the ``df`` table are updated in the same SQLite
transaction as the rows they count, from the values committed when that
transaction writes, so they always match the ``docs`` table.  A commit that
adds dense vectors writes the new sidecar to a temporary file, records it in
that transaction, and renames it into place once the transaction is
committed.

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
import itertools
import os
import secrets
import sqlite3
import tempfile
import zlib
from collections.abc import Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import quote

import numpy as np

from detector import __version__
from detector.dense import (
    DIMS,
    KEY_STRIDE,
    MODEL_NAME,
    DenseEncoder,
    SidecarInfo,
    check_sidecar,
    dense_available,
    load_encoder,
    new_ann,
    open_sidecar,
    passage_keys,
    save_ann,
    sidecar_path,
    signals_held,
)
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
    "DENSE_MARGIN",
    "DENSE_MARGIN_CORROBORATED",
    "DENSE_MIN_COSINE",
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
FORMAT_VERSION = 4
_DF_PACKED = "<u4+zlib"  # the df table's dtype as written: little-endian uint32, zlib
_PACKED_DF_FROM = 4  # the first format whose df table may be compressed
_READABLE_VERSIONS = frozenset({2, 3, 4})  # format 2: no dense path; 3: a raw df table
FEATURES = "immutables-v1"
CLASS_FEATURES = "synonym-classes-v1"
# A fast-path containment from which a candidate is taken as found: the class path is not asked.
STRONG_SIMILARITY = 0.7
_MIN_CLASS_HITS = 3  # class keys an original must share with the suspect to be a candidate
# Features an original must share with the suspect to be a fast-path candidate: one shared
# word ("wednesday") is chance, and a copy keeps the shingles around its immutables too.
_MIN_SHARED_FEATURES = 2
_MAX_CLASS_POSTING = 2_000  # originals holding one class key beyond which it is no evidence
_MAX_CLASS_KEYS = 256  # a long suspect's smallest class keys looked up (one query each)
# Cosine of a suspect passage and an original's from which it counts as matched.
DENSE_MIN_COSINE = 0.6
# How far above a suspect passage's background (its _DENSE_NEIGHBOURS-th nearest passage) a
# match must stand for a dense candidate: with no key evidence, and with some.
DENSE_MARGIN = 0.3
DENSE_MARGIN_CORROBORATED = 0.2
_DENSE_CORROBORATION = 0.05  # immutables' containment that corroborates a dense candidate
_DENSE_BACKGROUND = 0.5  # the background at most, in an index of few passages
_CLASS_ALONE = 0.25  # class-path containment kept without the dense path's confirmation
_DENSE_NEIGHBOURS = 20  # passages asked of the ANN index per suspect passage
# A match below this cosine must stand out more: its margin loses this much per unit below.
_SURE_COSINE = 0.7
_WEAK_MATCH_PENALTY = 1.5
_DENSE_ADD_CHUNK = 8_192  # passage vectors handed to usearch at once

# Band and class rows kept in memory (about 8 bytes each) before they are sorted and set aside
# in a temporary file, by key range; the commit writes each table's rows in key order, one
# range after another, so its B-tree is only appended to (a sorted run inserted into a large
# B-tree costs it several times more per row, growing with the tree).
_FLUSH_ROWS = 2_000_000
_KEY_RANGE_BITS = 8  # the set-aside rows are grouped by the top bits of their key
_FLUSH_SKETCHES = 10_000  # sketches buffered before they are written
# Rows of one INSERT statement (two parameters each, within SQLite's oldest limit of 999):
# one statement for many rows costs SQLite and Python far less per row.
_ROWS_PER_INSERT = 499
_INSERT_CHUNK = 100 * _ROWS_PER_INSERT  # band rows handed to SQLite at once (whole statements)
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
    vectors : bytes or None
        Its passage vectors (``detector.dense``), little-endian float16
        ``[passages, DIMS]``; None when not computed (an index with dense
        vectors computes them when adding).
    """

    id: str
    sha256: bytes
    text: bytes
    features: bytes
    counts: bytes
    bands: bytes
    classes: bytes = b""
    vectors: bytes | None = None

    @classmethod
    def of(
        cls,
        id: str,
        text: str,
        fingerprint: Fingerprint,
        vectors: np.ndarray | None = None,
        *,
        encoded: bytes | None = None,
    ) -> PreparedOriginal:
        """The original ``text`` called ``id``, with its ``fingerprint``, as the index stores it.

        ``encoded`` is ``text`` in UTF-8, when the caller has it already.
        """
        data = text.encode("utf-8") if encoded is None else encoded
        return cls(
            id,
            hashlib.sha256(data).digest(),
            _compress(data),
            fingerprint.features.astype("<u4").tobytes(),
            fingerprint.counts.tobytes(),
            fingerprint.bands.astype("<i8").tobytes(),
            fingerprint.classes.astype("<i8").tobytes(),
            None if vectors is None else vectors.astype("<f2").tobytes(),
        )

    def unindexable(self) -> str | None:
        """Why the original cannot be indexed (no key of any path finds it), or None.

        An original without features (no name, number or rare word: a short generic
        report) is still found through its synonym classes and passage vectors.
        """
        if self.features or self.classes:
            return None
        return (
            f"{self.id} has too few words to find it by (no name, number or rare word, and "
            "no run of three content words); not indexed"
        )

    def __reduce__(self) -> tuple[type[PreparedOriginal], tuple[Any, ...]]:
        # Pickled as its fields (a dataclass with slots pickles through Python-level state
        # methods, several times slower): originals go from worker processes in bulk.
        return (
            PreparedOriginal,
            (
                self.id,
                self.sha256,
                self.text,
                self.features,
                self.counts,
                self.bands,
                self.classes,
                self.vectors,
            ),
        )


def _compress(data: bytes) -> bytes:
    """``data`` zlib-compressed for the docs table and the df table.

    Run-length matching only (``Z_RLE``): about 30% less CPU than level 1's
    string matching on an article, for about 3% more bytes; any zlib reads it.
    """
    compressor = zlib.compressobj(1, zlib.DEFLATED, zlib.MAX_WBITS, 8, zlib.Z_RLE)
    return compressor.compress(data) + compressor.flush()


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
CREATE INDEX docs_by_text ON docs (sha256);
"""

# The index of docs by their text's SHA-256 (``SourceIndex.ids_of_texts``); an index file
# written before it existed gains it the first time a writer asks for texts.
_TEXT_INDEX = "CREATE INDEX IF NOT EXISTS docs_by_text ON docs (sha256)"


def _weak(scores: dict[int, tuple[float, float]]) -> bool:
    """Whether no candidate holds ``STRONG_SIMILARITY`` of the suspect: the next path is asked."""
    return max((c for c, _ in scores.values()), default=0.0) < STRONG_SIMILARITY


class SourceIndex:
    """A persistent index of original articles: add originals, find the sources of suspects.

    Make one with ``SourceIndex.create(path)`` or open one with
    ``SourceIndex.open(path)``; use it as a context manager, or call
    ``close()``.  Additions are buffered and written by ``commit()`` (and by
    ``close()``), in one transaction: an interrupted run leaves the index as
    it was.  Past a few million band and class rows, the buffered rows wait
    in an anonymous temporary file beside the index (16 bytes a row, about
    1.8 GB for a million originals), gone when the index is closed.
    Read-only indexes can be opened by many processes at once; an index
    open for writing holds its writer lock (``detector.index_lock``) until
    closed, so a second writer gets ``IndexInUseError``.  One
    ``SourceIndex`` may move between threads but must not be used by two at once.

    Examples
    --------
    >>> with SourceIndex.create("archive.sdx") as index:                # doctest: +SKIP
    ...     index.add(make_document(original_text, name="wire-2024-117"))
    >>> with SourceIndex.open("archive.sdx") as index:                  # doctest: +SKIP
    ...     index.query(make_document(suspect_text))
    [Candidate(id='wire-2024-117', similarity=0.83, containment=0.91)]
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
        self._texts_indexed = False  # whether this writer made sure of ``docs_by_text``
        self._sketch_rows: list[tuple[int, bytes, bytes]] = []
        # This writer's band and class rows, written by the next commit.
        self._pending_bands = _PendingKeys(path)
        self._pending_classes = _PendingKeys(path)
        # The dense path: the model the index's vectors come from ("" for none), the encoder
        # and the memory-mapped sidecar (loaded on first use), and this writer's new vectors.
        self.dense_model = self._optional_meta("dense") or ""
        # Older formats keep their df table raw when added to, so older readers still read it.
        self._packs_df = int(self._optional_meta("format_version") or 0) >= _PACKED_DF_FROM
        self._encoder: DenseEncoder | None = None
        self._sidecar: Any = None
        self._dense_writer: Any = None
        self._dense_pending: list[tuple[np.ndarray, np.ndarray]] = []
        self._dense_pending_rows = 0

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
        dense: bool | None = None,
    ) -> SourceIndex:
        """A new, empty index at ``path`` (which must not exist), open for writing.

        ``dense`` gives the index dense passage vectors (``detector.dense``):
        by default when this installation can make them (the ``dense``
        extra and the packaged MiniLM); True requires them (``DenseMissing``
        otherwise), False leaves them out.

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
            encoder = None
            if dense or (dense is None and dense_available()):
                encoder = load_encoder(quiet=True)
            connection = _create(path, params, lexicon, fast=fast, encoder=encoder)
        except BaseException:
            if owned is not None:
                owned.release()
            raise
        _tune(connection)
        index = cls(path, connection, params, writable=True, lexicon=lexicon, lock=owned)
        index._encoder = encoder
        return index

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
            expected = index._sidecar_record()
            if expected is not None:  # cheap checks now; its SHA-256 when first used
                check_sidecar(sidecar_path(path), expected, digest=False)
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
            self._drop_dense()
            self._drop_keys()
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
            self._drop_dense()
            self._drop_keys()
            self._release()

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is not None and self.writable:
            self.abort()
        else:
            self.close()

    def _drop_dense(self) -> None:
        """Forget the sidecar view and this writer's uncommitted vectors."""
        self._sidecar = None
        self._dense_writer = None
        self._dense_pending, self._dense_pending_rows = [], 0

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

    def digests(self, ids: Sequence[str]) -> dict[str, bytes]:
        """The SHA-256 of the text of each of ``ids`` that the index holds (those added in
        an open transaction included)."""
        found: dict[str, bytes] = {}
        unique = list(dict.fromkeys(ids))
        with self._reading():
            for k in range(0, len(unique), 500):
                chunk = unique[k : k + 500]
                marks = ",".join("?" * len(chunk))
                found.update(
                    self._connection.execute(
                        f"SELECT id, sha256 FROM docs WHERE id IN ({marks})", chunk
                    ).fetchall()
                )
        return {id: bytes(digest) for id, digest in found.items()}

    def ids_of_texts(self, digests: Sequence[bytes]) -> dict[bytes, set[str]]:
        """The ids under which the index holds each text of ``digests`` (their SHA-256),
        for the texts it holds (those added in an open transaction included)."""
        found: dict[bytes, set[str]] = {}
        unique = list(dict.fromkeys(digests))
        if self.writable and not self._texts_indexed:
            with self._writing():  # an index written before it: made once, when first asked
                self._connection.execute(_TEXT_INDEX)
            self._texts_indexed = True
        with self._reading():
            for k in range(0, len(unique), 500):
                chunk = unique[k : k + 500]
                marks = ",".join("?" * len(chunk))
                for digest, id in self._connection.execute(
                    f"SELECT sha256, id FROM docs WHERE sha256 IN ({marks})", chunk
                ):
                    found.setdefault(bytes(digest), set()).add(id)
        return found

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
        vectors = None
        if self.dense_model:
            vectors = self.encoder.passage_vectors(document.text)[1]
        return self.add_prepared(
            PreparedOriginal.of(
                id or document.name, document.text, self.fingerprint(document), vectors
            )
        )

    def add_prepared(self, original: PreparedOriginal) -> bool:
        """Add an original prepared by ``PreparedOriginal.of``, possibly in another process.

        Its fingerprint must come from this index's ``fingerprinter`` (or one
        with the same parameters and thesaurus).  Returns False, adding
        nothing, when the id is already in the index; ``InputError`` for an
        original without features.  Written by the next ``commit()``.
        """
        return self.add_prepared_many([original])[0]

    def add_prepared_many(self, originals: Sequence[PreparedOriginal]) -> list[bool]:
        """``add_prepared`` of several originals in turn, at less cost than one by one.

        Returns whether each was added (False: its id was already in the
        index, or earlier in ``originals``).  ``InputError``, adding none of
        them, when one has no key to find it by (``PreparedOriginal.unindexable``).
        """
        if not self.writable:
            raise InputError(f"{self.path} is open read-only; open it with writable=True")
        for original in originals:
            reason = original.unindexable()
            if reason is not None:
                raise InputError(reason)
        if not originals:
            return []
        connection = self._connection
        with self._writing():
            if not connection.in_transaction:
                # Take SQLite's write lock now: the rows and the counts go in one transaction.
                connection.execute("BEGIN IMMEDIATE")
            # A new row's doc is one more than the largest (the table is only added to).
            last = connection.execute("SELECT max(doc) FROM docs").fetchone()[0] or 0
            cursor = connection.executemany(
                "INSERT OR IGNORE INTO docs (id, sha256, text) VALUES (?, ?, ?)",
                [(o.id, o.sha256, o.text) for o in originals],
            )
            if cursor.rowcount == len(originals):
                docs = list(range(last + 1, last + 1 + len(originals)))
            else:  # some ids were there already: the docs of those added, 0 for the others
                added = dict(connection.execute("SELECT id, doc FROM docs WHERE doc > ?", (last,)))
                docs = [added.pop(o.id, 0) for o in originals]
        if self._df_added is None:
            self._df_added = np.zeros(self.params.n_features, dtype=np.uint32)
        mask = np.uint32(self.params.n_features - 1)
        for doc, original in zip(docs, originals, strict=True):
            if doc:
                self._buffer(doc, original, mask)
        return [doc > 0 for doc in docs]

    def _buffer(self, doc: int, original: PreparedOriginal, mask: np.uint32) -> None:
        """Keep the rows of an original just added as ``doc`` for the next flush, and count it."""
        self._sketch_rows.append((doc, original.features, original.counts))
        if len(self._sketch_rows) >= _FLUSH_SKETCHES:
            with self._writing():
                self._connection.executemany(
                    "INSERT INTO sketches VALUES (?, ?, ?)", self._sketch_rows
                )
            self._sketch_rows = []
        if self.dense_model:
            self._add_vectors(doc, original)
        self._pending_bands.add(original.bands, doc)
        self._pending_classes.add(original.classes, doc)
        assert self._df_added is not None
        # Fancy-index += counts a bucket once per document however often it recurs: a df.
        self._df_added[np.frombuffer(original.features, dtype="<u4") & mask] += 1
        self._documents_added += 1
        self._documents += 1
        if self._pending_bands.rows + self._pending_classes.rows >= _FLUSH_ROWS:
            self._pending_bands.set_aside()
            self._pending_classes.set_aside()

    @property
    def encoder(self) -> DenseEncoder:
        """The dense passage encoder this index's vectors come from (loaded on first use)."""
        if self._encoder is None:
            encoder = load_encoder(quiet=True)
            recorded = self._optional_meta("dense_model")
            if recorded and recorded != encoder.digest:
                raise CorruptIndexError(
                    f"{self.path} was built with another dense passage model than this "
                    "installation's; rebuild it with `spindetect index`"
                )
            self._encoder = encoder
        return self._encoder

    def _add_vectors(self, doc: int, original: PreparedOriginal) -> None:
        """Buffer an original's passage vectors for the sidecar (computed here when absent)."""
        if original.vectors is None:
            text = zlib.decompress(original.text).decode("utf-8")
            vectors = self.encoder.passage_vectors(text)[1]
        else:
            vectors = np.frombuffer(original.vectors, dtype="<f2").reshape(-1, DIMS)
        if not len(vectors):
            return
        keys = passage_keys(doc, len(vectors))
        self._dense_pending.append((keys, vectors[: len(keys)]))
        self._dense_pending_rows += len(keys)
        if self._dense_pending_rows >= _DENSE_ADD_CHUNK:
            self._feed_dense()

    def _feed_dense(self) -> None:
        """Hand the buffered vectors to the in-memory ANN index the next commit writes."""
        if not self._dense_pending:
            return
        if self._dense_writer is None:
            expected = self._sidecar_record()
            self._dense_writer = (
                new_ann()
                if expected is None
                else open_sidecar(sidecar_path(self.path), expected, view=False)
            )
        keys = np.concatenate([k for k, _ in self._dense_pending])
        vectors = np.concatenate([v for _, v in self._dense_pending]).astype(np.float32)
        with signals_held():
            self._dense_writer.add(keys, vectors, threads=0)
        self._dense_pending, self._dense_pending_rows = [], 0

    def _dense_passages(self) -> int:
        try:
            return int(self._optional_meta("dense_passages") or 0)
        except ValueError:
            raise CorruptIndexError(f"{self.path} has a damaged dense passage count") from None

    def _write_dense(self) -> Path | None:
        """Write the sidecar with this writer's vectors to a temporary file and record it.

        Runs inside the commit's transaction; returns the temporary file, for
        ``commit`` to rename into place once the transaction is committed.
        """
        self._feed_dense()
        if self._dense_writer is None:
            return None
        final = sidecar_path(self.path)
        partial = final.with_name(f"{final.name}.{os.getpid()}.{secrets.token_hex(4)}.partial")
        try:
            info = save_ann(self._dense_writer, partial)
        except (OSError, RuntimeError) as exc:
            with suppress(OSError):
                partial.unlink()
            raise IndexWriteError(self.path, f"writing {final.name}: {exc}") from None
        rows = {
            "dense_passages": str(info.passages),
            "dense_bytes": str(info.size),
            "dense_sha256": info.sha256,
        }
        self._connection.executemany(
            "INSERT OR REPLACE INTO meta VALUES (?, ?)", list(rows.items())
        )
        return partial

    def _flush(self) -> None:
        """Write buffered sketches and all pending band and class rows, in key order."""
        connection = self._connection
        if self._sketch_rows:
            connection.executemany("INSERT INTO sketches VALUES (?, ?, ?)", self._sketch_rows)
            self._sketch_rows = []
        self._pending_bands.write(connection, "bands")
        self._pending_classes.write(connection, "classes")

    def _drop_keys(self) -> None:
        """Forget this writer's unwritten band and class rows (their temporary files too)."""
        self._pending_bands.discard()
        self._pending_classes.discard()

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
                "UPDATE arrays SET dtype = ?, data = ? WHERE name = 'df'",
                _packed_df(df) if self._packs_df else ("<u4", df.astype("<u4").tobytes()),
            )
            self._connection.execute(
                "UPDATE meta SET value = ? WHERE key = 'documents'", (str(documents),)
            )
            partial = self._write_dense() if self.dense_model else None
            self._connection.commit()
        self._df, self._documents = df, documents
        self._df_added, self._documents_added = None, 0
        if partial is not None:
            self._dense_writer = None
            self._sidecar = None
            try:
                os.replace(partial, sidecar_path(self.path))
            except OSError as exc:
                with suppress(OSError):
                    partial.unlink()
                raise IndexWriteError(
                    self.path, f"{sidecar_path(self.path).name}: {exc.strerror or exc}"
                ) from None

    # ------------------------------------------------------------------ querying

    def query(
        self,
        document: Document,
        *,
        limit: int = 3,
        min_similarity: float = 0.1,
        max_candidates: int = 100,
        synonyms: bool = True,
        dense: bool | None = None,
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
            A candidate whose containment and cosine are both below it is
            dropped, unless the dense path found it.
        max_candidates : int, default=100
            Candidates re-ranked per path; those sharing the most keys are kept.
        synonyms : bool, default=True
            Take the synonym-class path too when the fast path finds no
            candidate holding ``STRONG_SIMILARITY`` of ``document`` or more (see
            the module notes); False for the fast path alone.
        dense : bool, optional
            Take the dense path too when the key paths find no candidate
            holding ``STRONG_SIMILARITY`` of ``document`` (an index without
            dense vectors has none to take); by default as ``synonyms``, so
            ``synonyms=False`` alone still asks the fast path alone.

        Returns
        -------
        list of Candidate
            Approximate: an original sharing too few features with ``document``
            is missed, and a candidate is a lead to align, not a verdict.
        """
        if self.writable:
            self.commit()
        fingerprint = self.fingerprinter.fingerprint(document, classes=False)
        fast = self._fast_path(fingerprint, max_candidates)
        classes: dict[int, tuple[float, float]] = {}
        if synonyms and _weak(fast):
            keys = self.fingerprinter.class_keys(document)
            classes = self._class_path(fingerprint, keys, max_candidates)
        scores = dict(fast)
        for doc, score in classes.items():
            scores[doc] = max(score, scores.get(doc, score))
        confirmed: set[int] = set()  # dense candidates, kept whatever their share
        if dense is None:
            dense = synonyms
        if dense and _weak(scores) and self._dense_index() is not None:
            scores, confirmed = self._merge_dense(
                fingerprint, document, fast, classes, max_candidates
            )
        ranked = sorted(scores.items(), key=lambda item: (-item[1][0], -item[1][1], item[0]))
        chosen = [
            (d, c, s) for d, (c, s) in ranked if max(c, s) >= min_similarity or d in confirmed
        ][:limit]
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
        return self._similarities(fingerprint, docs, min_shared=_MIN_SHARED_FEATURES)

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

    def _merge_dense(
        self,
        fingerprint: Fingerprint,
        document: Document,
        fast: dict[int, tuple[float, float]],
        classes: dict[int, tuple[float, float]],
        max_candidates: int,
    ) -> tuple[dict[int, tuple[float, float]], set[int]]:
        """The key paths' candidates and the dense path's, merged, and those the dense path kept.

        A dense candidate is kept when one of its passage matches stands
        ``DENSE_MARGIN`` above the suspect passage's background (its
        ``_DENSE_NEIGHBOURS``-th neighbour), or ``DENSE_MARGIN_CORROBORATED``
        when a key path found the original too or it holds
        ``_DENSE_CORROBORATION`` of the suspect's immutables.  A candidate of
        the class path alone holding less than ``_CLASS_ALONE`` of the suspect
        is kept only when the dense path confirms it.  The dense path's own
        candidates are kept whatever ``min_similarity``: a paragraph copied
        into a long page is a small share of it.
        """
        found = self.dense_scores(document, max_candidates)
        new = np.array([d for d in found if d not in fast and d not in classes], dtype=np.int64)
        immutables = (
            self._similarities(fingerprint, new) if len(new) and len(fingerprint.features) else {}
        )
        dense: dict[int, float] = {}
        for doc, (share, _best, margin) in found.items():
            contained = (fast.get(doc) or immutables.get(doc) or (0.0, 0.0))[0]
            corroborated = doc in fast or doc in classes or contained >= _DENSE_CORROBORATION
            if margin >= (DENSE_MARGIN_CORROBORATED if corroborated else DENSE_MARGIN):
                dense[doc] = share
        merged = dict(fast)
        for doc, score in classes.items():
            if doc in fast:
                merged[doc] = max(score, fast[doc])
            elif score[0] >= _CLASS_ALONE or doc in dense:
                merged[doc] = score
        for doc, share in dense.items():
            contained, cosine = merged.get(doc) or immutables.get(doc) or (0.0, 0.0)
            merged[doc] = (max(contained, share), cosine)
        return merged, set(dense)

    def dense_scores(
        self, document: Document, max_candidates: int = 100
    ) -> dict[int, tuple[float, float, float]]:
        """The dense path alone: ``(share, best, margin)`` of each original it finds.

        ``share`` is the share of ``document``'s words in passages that come
        within ``DENSE_MIN_COSINE`` of one of the original's passages, each
        weighted by that cosine; ``best``, the highest such cosine; ``margin``,
        the most any of those matches stands above its suspect passage's
        background (the cosine of that passage's ``_DENSE_NEIGHBOURS``-th
        nearest passage in the index, at most ``_DENSE_BACKGROUND`` in an index
        with fewer passages): a passage close to many originals is generic,
        not copied.  A match below ``_SURE_COSINE`` counts
        ``_WEAK_MATCH_PENALTY`` times its shortfall against its margin.
        Empty for an index without dense vectors.  Keys are rows of the
        ``docs`` table.
        """
        sidecar = self._dense_index()
        if sidecar is None:
            return {}
        cut, vectors = self.encoder.passage_vectors(document.text)
        if not cut:
            return {}
        weights = np.array([len(p.split()) for p in cut], dtype=np.float64)
        weights /= weights.sum()
        count = min(_DENSE_NEIGHBOURS, len(sidecar))
        with signals_held():
            matches = sidecar.search(vectors, count, threads=1)
        keys = np.asarray(matches.keys, dtype=np.int64).reshape(len(cut), -1)
        cosines = 1.0 - np.asarray(matches.distances, dtype=np.float64).reshape(len(cut), -1)
        if hasattr(matches, "counts"):  # several passages: usearch's BatchMatches
            counts = np.asarray(matches.counts, dtype=np.int64).reshape(len(cut))
        else:
            counts = np.array([keys.shape[1]], dtype=np.int64)
        last = cosines[np.arange(len(cut)), np.maximum(counts - 1, 0)]
        background = np.where(
            counts >= _DENSE_NEIGHBOURS, last, np.minimum(last, _DENSE_BACKGROUND)
        )
        valid = (cosines >= DENSE_MIN_COSINE) & (np.arange(keys.shape[1]) < counts[:, None])
        if not valid.any():
            return {}
        rows, cols = np.nonzero(valid)
        docs = keys[rows, cols] // KEY_STRIDE
        best: dict[int, np.ndarray] = {}
        margins: dict[int, float] = {}
        found_cosines = cosines[rows, cols].tolist()
        for row, doc, cosine in zip(rows.tolist(), docs.tolist(), found_cosines, strict=True):
            per_passage = best.setdefault(doc, np.zeros(len(cut)))
            per_passage[row] = max(per_passage[row], cosine)
            margin = cosine - float(background[row])
            margin -= _WEAK_MATCH_PENALTY * max(0.0, _SURE_COSINE - cosine)
            margins[doc] = max(margins.get(doc, 0.0), margin)
        found = {d: (float(p @ weights), float(p.max()), margins[d]) for d, p in best.items()}
        if len(found) > max_candidates:
            kept = sorted(found, key=lambda d: (-found[d][0], -found[d][1], d))[:max_candidates]
            found = {d: found[d] for d in kept}
        return found

    def _dense_index(self) -> Any:
        """The memory-mapped sidecar, checked; None for an index without dense vectors."""
        if self._sidecar is None:
            expected = self._sidecar_record()
            if expected is None:
                return None
            self._sidecar = open_sidecar(sidecar_path(self.path), expected)
        return self._sidecar

    def _sidecar_record(self) -> SidecarInfo | None:
        """What the index records of its sidecar; None when it has no dense vectors yet."""
        if not self.dense_model or not self._dense_passages():
            return None
        try:
            return SidecarInfo(
                self._dense_passages(), int(self._meta("dense_bytes")), self._meta("dense_sha256")
            )
        except ValueError:
            raise CorruptIndexError(f"{self.path} has a damaged dense sidecar record") from None

    def _idf(self, features: np.ndarray) -> np.ndarray:
        df = self._df[features & np.uint32(self.params.n_features - 1)]
        return np.log((1.0 + self._documents) / (1.0 + df)) + 1.0

    def _similarities(
        self, fingerprint: Fingerprint, docs: np.ndarray, *, min_shared: int = 0
    ) -> dict[int, tuple[float, float]]:
        """``(containment, cosine)`` of ``fingerprint`` and each of the originals ``docs``.

        The cosine is that of the two TF-IDF vectors; the containment, the
        share of the suspect's squared TF-IDF weights (its vector normalised)
        on features the original holds: 1 for an excerpt of the original,
        whatever the original's length.  An original sharing fewer than
        ``min_shared`` features with the suspect is left out.
        """
        with self._reading():
            rows = self._connection.execute(
                f"SELECT doc, features, counts FROM sketches WHERE doc IN "
                f"({','.join('?' * len(docs))})",
                docs.tolist(),
            ).fetchall()
        if len(rows) != len(docs) or any(len(r[1]) != 4 * len(r[2]) for r in rows):
            raise CorruptIndexError(f"{self.path} holds a damaged sketch; rebuild the index")
        # An original without features (found by its classes or passages) shares none.
        out = {r[0]: (0.0, 0.0) for r in rows if not r[2]} if min_shared <= 0 else {}
        rows = [r for r in rows if r[2]]
        if not rows:
            return out
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
        enough = np.add.reduceat(held.astype(np.int64), starts) >= min_shared
        for r, c, s, kept in zip(
            rows, np.clip(contained, 0.0, 1.0).tolist(), cosines.tolist(), enough, strict=True
        ):
            if kept:
                out[r[0]] = (c, s)
        return out

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

    def _optional_meta(self, key: str) -> str | None:
        with self._reading():
            row = self._connection.execute(
                "SELECT value FROM meta WHERE key = ?", (key,)
            ).fetchone()
        return None if row is None else row[0]

    def _count_documents(self) -> int:
        try:
            return int(self._meta("documents"))
        except ValueError:
            raise CorruptIndexError(f"{self.path} has a damaged document count") from None

    def _read_df(self) -> np.ndarray:
        row = self._connection.execute(
            "SELECT dtype, data FROM arrays WHERE name = 'df'"
        ).fetchone()
        size = 4 * self.params.n_features
        data = None if row is None else _unpacked_df(row[0], row[1], size)
        if data is None or len(data) != size:
            raise CorruptIndexError(
                f"{self.path} has a damaged document-frequency table; rebuild the index"
            )
        return np.frombuffer(data, dtype="<u4").astype(np.uint32)

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


class _PendingKeys:
    """The rows ``(key, doc)`` of one key table (bands or classes) waiting to be written.

    Rows are kept in memory until ``set_aside``, which sorts them and
    appends them to an anonymous temporary file beside the index, grouped
    by key range; ``write`` inserts all of them into the table in key
    order, range by range.  A full disk while setting rows aside is an
    ``IndexWriteError`` naming the index.
    """

    def __init__(self, index_path: Path) -> None:
        self._index_path = index_path
        self._blobs: list[bytes] = []  # each document's keys, little-endian int64
        self._docs: list[int] = []
        self.rows = 0  # rows in memory
        self._file: IO[bytes] | None = None
        self._file_size = 0
        # For each key range: the (offset, rows) of its runs in the file, in the order written.
        self._runs: list[list[tuple[int, int]]] = []

    def add(self, keys: bytes, doc: int) -> None:
        """Keep the keys (little-endian int64) of document ``doc``."""
        self._blobs.append(keys)
        self._docs.append(doc)
        self.rows += len(keys) // 8

    def set_aside(self) -> None:
        """Move the rows in memory to the temporary file, sorted, by key range."""
        rows = self._sorted_rows()
        if not len(rows):
            self._blobs, self._docs, self.rows = [], [], 0
            return
        try:
            if self._file is None:
                # Anonymous (unlinked at once), so nothing is left behind by a killed build.
                self._file = tempfile.TemporaryFile(dir=self._index_path.parent)  # noqa: SIM115
                self._runs = [[] for _ in range(1 << _KEY_RANGE_BITS)]
            self._file.seek(self._file_size)
            self._file.write(rows.tobytes())
            self._file.flush()  # read back with os.pread
        except OSError as exc:
            raise IndexWriteError(
                self._index_path, f"setting keys aside: {exc.strerror or exc}"
            ) from None
        inner = np.searchsorted(rows[:, 0], _key_range_starts()[1:], side="left")
        bounds = [0, *inner.tolist(), len(rows)]
        for key_range, (start, end) in enumerate(itertools.pairwise(bounds)):
            if end > start:
                self._runs[key_range].append((self._file_size + 16 * start, end - start))
        self._file_size += rows.nbytes
        self._blobs, self._docs, self.rows = [], [], 0  # kept until written: a retry writes them

    def write(self, connection: sqlite3.Connection, table: str) -> None:
        """Insert all pending rows into ``table`` in key order, then forget them."""
        if self._file is None:
            _insert_rows(connection, table, self._sorted_rows())
            self.discard()
            return
        self.set_aside()
        # Rows short of a whole INSERT statement go with the next range's (they come first).
        left = np.empty((0, 2), dtype=np.int64)
        for rows in self._ranges():
            rows = np.concatenate((left, rows)) if len(left) else rows
            whole = len(rows) - len(rows) % _ROWS_PER_INSERT
            _insert_rows(connection, table, rows[:whole])
            left = rows[whole:]
        _insert_rows(connection, table, left)
        self.discard()

    def _ranges(self) -> Iterator[np.ndarray]:
        """The set-aside rows of each key range in turn, sorted by key (see ``_sorted_rows``)."""
        assert self._file is not None
        descriptor = self._file.fileno()
        for runs in self._runs:
            if not runs:
                continue
            try:
                parts = [_read_at(descriptor, 16 * n, at) for at, n in runs]
            except OSError as exc:
                raise IndexWriteError(
                    self._index_path, f"reading keys set aside: {exc.strerror or exc}"
                ) from None
            rows = np.frombuffer(b"".join(parts), dtype=np.int64).reshape(-1, 2)
            # The runs are each sorted and come in document order: a stable sort of their keys
            # (a merge of sorted runs, quick) keeps a key's documents in order.
            yield rows[np.argsort(rows[:, 0], kind="stable")]

    def discard(self) -> None:
        """Forget all pending rows and remove the temporary file."""
        self._blobs, self._docs, self.rows = [], [], 0
        if self._file is not None:
            with suppress(OSError):
                self._file.close()
        self._file, self._file_size, self._runs = None, 0, []

    def _sorted_rows(self) -> np.ndarray:
        """The rows in memory as an int64 ``[rows, 2]`` array of (key, doc), sorted by key."""
        keys = np.frombuffer(b"".join(self._blobs), dtype="<i8")
        owners = np.repeat(np.array(self._docs, dtype=np.int64), [len(b) // 8 for b in self._blobs])
        # Sorted rows keep B-tree inserts local.  The order of rows with the same key does not
        # matter to the table (nor much to the inserts): a quick sort of the keys does.
        order = np.argsort(keys)
        rows = np.empty((len(keys), 2), dtype=np.int64)
        rows[:, 0], rows[:, 1] = keys[order], owners[order]
        return rows


def _key_range_starts() -> np.ndarray:
    """The smallest key of each key range (int64, ascending): ranges split the top bits."""
    shift = 64 - _KEY_RANGE_BITS
    return np.array([(r << shift) - (1 << 63) for r in range(1 << _KEY_RANGE_BITS)], dtype=np.int64)


def _read_at(descriptor: int, size: int, offset: int) -> bytes:
    """``size`` bytes of the open file ``descriptor`` from ``offset``."""
    data = os.pread(descriptor, size, offset)
    while len(data) < size:  # a short read: rare, but allowed
        more = os.pread(descriptor, size - len(data), offset + len(data))
        if not more:
            raise OSError(f"temporary key file cut short at {offset + len(data)}")
        data += more
    return data


def _insert_rows(connection: sqlite3.Connection, table: str, rows: np.ndarray) -> None:
    """Insert the int64 ``[rows, 2]`` array ``rows`` of (key, doc) into ``table``, in its order."""
    many = f"INSERT OR IGNORE INTO {table} VALUES " + ", ".join(["(?, ?)"] * _ROWS_PER_INSERT)
    for start in range(0, len(rows), _INSERT_CHUNK):  # a few MB of Python ints at a time
        chunk = rows[start : start + _INSERT_CHUNK]
        full = len(chunk) - len(chunk) % _ROWS_PER_INSERT
        if full:
            connection.executemany(many, chunk[:full].reshape(-1, 2 * _ROWS_PER_INSERT).tolist())
        if full < len(chunk):
            connection.executemany(
                f"INSERT OR IGNORE INTO {table} VALUES (?, ?)", chunk[full:].tolist()
            )


def _create(
    path: Path,
    params: IndexParams,
    lexicon: Lexicon,
    *,
    fast: bool,
    encoder: DenseEncoder | None = None,
) -> sqlite3.Connection:
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
            "dense": MODEL_NAME if encoder is not None else "",
            "dense_model": encoder.digest if encoder is not None else "",
        }
        connection.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        connection.execute(
            "INSERT INTO arrays VALUES ('df', ?, ?)",
            _packed_df(np.zeros(params.n_features, dtype="<u4")),
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
            "build one with `spindetect index ORIGINALS --output INDEX`"
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
            "build one with `spindetect index ORIGINALS --output INDEX`"
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
        version not in _READABLE_VERSIONS
        or meta.get("features") != FEATURES
        or meta.get("class_features") != CLASS_FEATURES
    ):
        raise CorruptIndexError(
            f"{path} has an old index format ({meta.get('format_version')}, built by an older "
            f"spindetect; this one reads format {FORMAT_VERSION} and formats 2 and 3: "
            "synonym-class keys came with format 2, dense passage vectors with 3); "
            f"rebuild it with `spindetect index ORIGINALS -o {path}`"
        )
    if meta.get("dense") and meta["dense"] != MODEL_NAME:
        raise CorruptIndexError(
            f"{path} has dense vectors of an unknown model ({meta['dense']!r}); rebuild it with "
            f"`spindetect index ORIGINALS -o {path}`"
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


def _packed_df(df: np.ndarray) -> tuple[str, bytes]:
    """The ``arrays`` row (dtype, data) of a document-frequency table: compressed while
    most of its buckets are empty (a small index), raw once they fill (a large one, where
    compressing would cost every commit and every open a fraction of a second)."""
    raw = df.astype("<u4").tobytes()
    if np.count_nonzero(df) > len(df) // 4:
        return "<u4", raw
    return _DF_PACKED, _compress(raw)


def _unpacked_df(dtype: str, data: bytes, size: int) -> bytes | None:
    """The raw bytes of a stored document-frequency table (at most ``size`` + 1 of them,
    whatever the blob inflates to); None when it cannot be read."""
    if dtype == "<u4":
        return bytes(data)
    if dtype != _DF_PACKED:
        return None
    try:
        return zlib.decompressobj().decompress(data, size + 1)
    except zlib.error:
        return None
