"""Bulk building of a source index: originals read and fingerprinted in workers, then published.

``build_index`` (``spindetect index``) streams the originals named on the
command line (``detector.inputs``), reads and fingerprints them in worker
processes (``FingerprintJob``, ``detector.parallel``) and adds them to the
index through ``SourceIndex.add_prepared_many``, in one transaction.

Two builds must not lose each other's work:

* The build holds the writer lock of ``OUT`` (``detector.index_lock``) from
  start to end, with or without ``add``: a second writer of ``OUT`` fails at
  once with ``IndexInUseError`` ("OUT is in use by PID n"), changing nothing.
* A new index is written to a temporary file of its own beside ``OUT``
  (``OUT.<pid>.<random>.partial``), flushed to disk and renamed onto ``OUT``
  only once complete, so ``OUT`` is never half-written.  Temporary files
  left by killed builds are removed by the next build of ``OUT``.
* A file that cannot be written (read-only folder, full disk, no permission)
  raises ``IndexWriteError`` naming ``OUT`` and the reason; the temporary file
  is removed when possible.

Original ids do not depend on the current directory, so ``add`` recognises
originals already indexed from wherever it runs.  An article file found in a
folder named on the command line is called by its path below that folder,
with ``/`` separators (``archive/2024/a.txt`` given as ``archive``,
``./archive/`` or ``/data/archive`` is ``2024/a.txt``); a file named itself
by its file name (``a.txt``); a match of a glob pattern by its path below
the pattern's folders without wildcards (``feeds/**/*.html`` gives
``2024/a.html``).  Two files with the same such id (``wire/a.txt`` and
``feeds/a.txt`` given as ``wire feeds``) are one original when their texts are
the same (the second is counted as a duplicate); the second is indexed as
``a.txt#`` and the first 8 hex digits of its text's SHA-256 when they differ.
An original whose text is indexed under another id already (the same archive
given twice under two folders) is not added again, and is named in a warning.
Records (JSONL, CSV, datasets) are called by their ``id`` field, as
``detector.inputs`` reads them.
"""

from __future__ import annotations

import dataclasses
import os
import re
import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from detector.dense import sidecar_path
from detector.errors import IndexWriteError, InputError, MissingInputError, OutputExistsError
from detector.fingerprint import Fingerprint, Fingerprinter, IndexParams
from detector.index import PreparedOriginal, SourceIndex
from detector.index_lock import WriterLock, lock_path
from detector.io import DEFAULT_MAX_BYTES

if TYPE_CHECKING:
    import numpy as np

    from detector.corpus_reader import FieldNames
    from detector.dense import DenseEncoder
    from detector.inputs import InputItem

__all__ = ["FingerprintJob", "IndexSummary", "build_index"]

# Characters that make a text suspect; such texts take the full checks of detector.io.  Each
# is one byte in UTF-8 (no byte of a longer character is below 0x80), so deleting all other
# byte values from a text's UTF-8 leaves exactly its control characters.
_CONTROL = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F])
_NOT_CONTROL = bytes(sorted(set(range(256)).difference(_CONTROL)))
# What follows OUT's name in the temporary files of its builds (and of older versions'), and
# of their dense sidecars (OUT.dense.<pid>.<random>.partial, OUT.<pid>.<random>.partial.dense).
_PARTIAL_SUFFIX = (
    r"(?:\.dense)?(?:\.\d+\.[0-9a-f]{8})?\.partial"
    r"(?:\.dense(?:\.\d+\.[0-9a-f]{8}\.partial)?)?"
)
_GLOB_CHARS = frozenset("*?[")
# Batches sent to each worker ahead of the one awaited: enough for the workers to keep busy
# while this process sets key rows aside (about 0.3 s every 2M rows; detector.index), a few MB.
_BATCHES_AHEAD = 32


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
    conflicts : int
        Originals added by this run under a new id because their own held another
        text (``index.html`` of two sites): ``ID#`` and the first 8 hex digits of the
        SHA-256 of their text (counted in ``added`` too; one indexed under that name
        before is a duplicate).
    skipped : int
        Inputs that could not be indexed (unreadable, empty, binary, keyless).
    same_text : int
        Originals skipped because the index held their text under another id (a copy
        of the archive under another folder, one wire story filed twice).
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
    conflicts: int = 0
    same_text: int = 0

    @property
    def rate(self) -> float:
        """Inputs processed per second."""
        processed = self.added + self.duplicates + self.skipped + self.same_text
        return processed / self.seconds if self.seconds else 0.0


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
    dense: bool = False  # compute passage vectors too (``detector.dense``)

    def start(self) -> _FingerprintWorker:
        """The per-process state: a fingerprinter over the thesaurus (and the dense encoder)."""
        encoder = None
        if self.dense:
            from detector.dense import load_encoder

            encoder = load_encoder(quiet=True)
        return _FingerprintWorker(self, Fingerprinter(self.params), encoder)


class _FingerprintWorker:
    def __init__(
        self, job: FingerprintJob, fingerprinter: Fingerprinter, encoder: DenseEncoder | None
    ) -> None:
        self.job = job
        self.fingerprinter = fingerprinter
        self.encoder = encoder

    def _vectors(self, text: str) -> np.ndarray | None:
        return None if self.encoder is None else self.encoder.passage_vectors(text)[1]

    def process(self, batch: list[InputItem]) -> list[PreparedOriginal | _Unreadable]:
        """Each original prepared for insertion, or why it cannot be read."""
        # A record's clean text needs no Document: such texts are fingerprinted together.
        clean: list[int] = []
        encoded: list[bytes] = []
        for k, item in enumerate(batch):
            data = _clean_utf8(item.text, self.job.max_bytes)
            if data is not None:
                clean.append(k)
                encoded.append(data)
        fingerprints = self.fingerprinter.fingerprints([batch[k].text or "" for k in clean])
        ready = dict(zip(clean, zip(fingerprints, encoded, strict=True), strict=True))
        out: list[PreparedOriginal | _Unreadable] = []
        for k, item in enumerate(batch):
            try:
                out.append(self._prepare(item, ready.get(k)))
            except InputError as exc:
                out.append(_Unreadable(item.id, str(exc)))
        return out

    def _prepare(
        self, item: InputItem, ready: tuple[Fingerprint, bytes] | None
    ) -> PreparedOriginal:
        # Anything but a clean text an index can find (files, suspect or keyless texts) takes
        # the full checks of detector.io, which name what is wrong.
        if ready is not None and ready[0].findable:
            text = item.text or ""
            fingerprint, data = ready
            return PreparedOriginal.of(
                item.id, text, fingerprint, self._vectors(text), encoded=data
            )
        document = item.read(encoding=self.job.encoding, max_bytes=self.job.max_bytes)
        fingerprint = self.fingerprinter.fingerprint(document)
        vectors = self._vectors(document.text) if fingerprint.findable else None
        return PreparedOriginal.of(item.id, document.text, fingerprint, vectors)

    def close(self) -> None:
        return None


def _clean_utf8(text: str | None, max_bytes: int) -> bytes | None:
    """The UTF-8 of a record's ``text`` when it is clean, else None.

    Clean: no longer than ``max_bytes``, without control characters and
    encodable (no lone surrogate).
    """
    if text is None or len(text) > max_bytes:
        return None
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return None if data.translate(None, _NOT_CONTROL) else data


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
    fields: FieldNames | None = None,
    dense: bool | None = None,
    on_rename: Callable[[str, str], None] | None = None,
    on_same_text: Callable[[str, str], None] | None = None,
) -> IndexSummary:
    """Index the originals named by ``inputs`` into the file ``out``.

    A new index is written to a temporary file of its own and renamed onto
    ``out`` when complete, so an interrupted or failed build never leaves a
    half-written ``out``.  With ``add``, the originals are added to the
    existing index in one transaction instead.  Either way the run holds the
    writer lock of ``out``: ``IndexInUseError`` at once when another process
    is writing it.  Inputs that cannot be read are skipped (reported to
    ``on_skip``); an original whose id is already in the index with the same
    text is skipped as a duplicate, and one with another text under that id
    (``index.html`` of two sites, an article updated since) is indexed as
    ``ID#`` and the first 8 hex digits of its text's SHA-256 (reported to
    ``on_rename(id, new_id)``), never dropped.  An original whose text the index
    holds under another id (a second copy of an archive) is not added again
    (reported to ``on_same_text(id, indexed_id)``).  Ids of article files are
    relative to the folder named (see the module notes).

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
    fields : FieldNames, optional
        The text and id fields of JSONL/CSV/dataset records (``--text-field``, ``--id-field``).
    on_skip : callable, optional
        Called with the one-line reason for each input that is skipped.
    dense : bool, optional
        Give a new index dense passage vectors (``SourceIndex.create``): by
        default when this installation can make them; ignored with ``add``
        (an index keeps what it was created with).
    on_rename : callable, optional
        Called with the id and the new id of each original indexed under a new
        id because its own holds another text.
    on_same_text : callable, optional
        Called with the id of each original skipped because the index holds its
        text under another id, and that id.

    Returns
    -------
    IndexSummary

    Raises
    ------
    IndexInUseError
        Another process is writing ``out``.
    IndexWriteError
        ``out`` (or its temporary file) cannot be written; names ``out`` and why.
    """
    out = Path(out)
    try:
        return _build(
            inputs,
            out,
            add,
            workers,
            encoding,
            max_bytes,
            batch_size,
            params,
            on_progress,
            on_skip,
            fields,
            dense,
            on_rename,
            on_same_text,
        )
    except IndexWriteError as exc:
        if Path(exc.path) == out:
            raise
        raise IndexWriteError(out, exc.reason) from None  # the temporary file means nothing


def _build(
    inputs: Sequence[str | Path],
    out: Path,
    add: bool,
    workers: int,
    encoding: str | None,
    max_bytes: int,
    batch_size: int,
    params: IndexParams | None,
    on_progress: Callable[[int], None] | None,
    on_skip: Callable[[str], None] | None,
    fields: FieldNames | None,
    dense: bool | None = None,
    on_rename: Callable[[str, str], None] | None = None,
    on_same_text: Callable[[str, str], None] | None = None,
) -> IndexSummary:
    from detector.parallel import batched, run_ordered

    started = time.perf_counter()
    items = _originals(inputs, max_bytes, fields)
    lock: WriterLock | None = None
    partial: Path | None = None
    if add:
        if not out.exists():
            if lock_path(out).exists():  # a build of out may be under way: say so if it is
                WriterLock.acquire(out).release()
            raise MissingInputError(f"{out}: no index to add to; drop --add to create it")
        index = SourceIndex.open(out, writable=True)  # holds the writer lock until closed
        try:
            index.fingerprinter  # noqa: B018 - refuses an index built over another thesaurus
        except BaseException:
            index.abort()
            raise
    else:
        lock = WriterLock.acquire(out)
        try:
            if out.exists():
                raise OutputExistsError(
                    f"{out} already exists; pass --add to add to it, or remove it to rebuild"
                )
            _remove_stale_partials(out)
            partial = _partial_path(out)
            index = SourceIndex.create(partial, params, fast=True, lock=lock, dense=dense)
        except BaseException:
            lock.release()
            raise
    added = duplicates = skipped = conflicts = same_text = 0
    try:
        job = FingerprintJob(index.params, encoding, max_bytes, dense=bool(index.dense_model))
        window = _BATCHES_AHEAD * workers
        for results in run_ordered(job, batched(items, batch_size), workers=workers, window=window):
            indexable: list[PreparedOriginal] = []
            for result in results:
                if isinstance(result, _Unreadable):
                    error = result.reason
                else:
                    error = result.unindexable()
                    if error is None:
                        indexable.append(result)
                        continue
                skipped += 1
                if on_skip is not None:
                    on_skip(error)
            indexable, copies = _new_texts(index, indexable)
            was_added = index.add_prepared_many(indexable)  # the others' ids were there
            fresh = sum(was_added)
            added += fresh
            duplicates += len(indexable) - fresh
            if fresh < len(indexable):
                for original in _reused_ids(index, indexable, was_added):
                    new_id, now = _add_renamed(index, original)
                    if now:
                        conflicts += 1
                        added += 1
                        duplicates -= 1
                        if on_rename is not None:
                            on_rename(original.id, new_id)
            same_text += len(copies)
            if copies and on_same_text is not None:  # named once this batch's texts are in
                holders = index.ids_of_texts([o.sha256 for o in copies])
                for original in copies:
                    on_same_text(original.id, min(holders.get(original.sha256, {"?"})))
            if on_progress is not None:
                on_progress(added + duplicates + skipped + same_text)
        index.commit()
        documents = len(index)
        index.close()
        if partial is not None:
            if not added:
                raise InputError(  # inputs there, none usable: exit 1, as for one file
                    f"no original could be indexed from {', '.join(map(str, inputs))}"
                )
            _publish(partial, out)
    except BaseException:
        index.abort()
        if partial is not None:
            for path in (partial, sidecar_path(partial)):
                with suppress(OSError):
                    path.unlink()
        raise
    finally:
        if lock is not None:
            lock.release()
    return IndexSummary(
        str(out),
        added,
        duplicates,
        skipped,
        documents,
        time.perf_counter() - started,
        conflicts,
        same_text,
    )


def _new_texts(
    index: SourceIndex, originals: Sequence[PreparedOriginal]
) -> tuple[list[PreparedOriginal], list[PreparedOriginal]]:
    """``originals`` split into those to add and those whose text the index, or an
    original before them under another id, holds.  An original whose own id holds its
    text is kept: ``add_prepared_many`` counts it a duplicate."""
    held = index.ids_of_texts([o.sha256 for o in originals])
    kept: list[PreparedOriginal] = []
    copies: list[PreparedOriginal] = []
    first: dict[bytes, PreparedOriginal] = {}
    for original in originals:
        ids = held.get(original.sha256)
        earlier = first.get(original.sha256)
        if (ids and not any(_same_original(original, id) for id in ids)) or (
            earlier is not None and earlier.id != original.id
        ):
            copies.append(original)
            continue
        first.setdefault(original.sha256, original)
        kept.append(original)
    return kept, copies


def _reused_ids(
    index: SourceIndex, originals: Sequence[PreparedOriginal], added: Sequence[bool]
) -> list[PreparedOriginal]:
    """The originals not ``added`` whose text is not the one indexed under their id."""
    skipped = [o for o, was in zip(originals, added, strict=True) if not was]
    indexed = index.digests([o.id for o in skipped])
    return [o for o in skipped if indexed.get(o.id) != o.sha256]


def _same_original(original: PreparedOriginal, id: str) -> bool:
    """Whether ``id`` is ``original``'s own, or the name ``_add_renamed`` gave it."""
    if id == original.id:
        return True
    prefix = f"{original.id}#"
    digest = id[len(prefix) :]
    return id.startswith(prefix) and len(digest) >= 8 and original.sha256.hex().startswith(digest)


def _add_renamed(index: SourceIndex, original: PreparedOriginal) -> tuple[str, bool]:
    """``original``, whose id holds another text, indexed as ``ID#`` and the first 8 hex
    digits of its text's SHA-256: that id, and whether it was added now.  The name
    depends on the text alone, not on the order, batches or runs the originals came in,
    so a second ``--add`` of them adds nothing and no other original's id is taken."""
    digest = original.sha256.hex()
    for length in (8, 16, 64):  # longer only if another text took the short name
        candidate = f"{original.id}#{digest[:length]}"
        indexed = index.digests([candidate]).get(candidate)
        if indexed is None:
            index.add_prepared_many([dataclasses.replace(original, id=candidate)])
            return candidate, True
        if indexed == original.sha256:
            return candidate, False
    return candidate, False  # the full digest holds this very text (an unreachable clash)


# --------------------------------------------------------------------------- ids


def _originals(
    inputs: Sequence[str | Path], max_bytes: int, fields: FieldNames | None
) -> Iterator[InputItem]:
    """The items of ``inputs``, article files called by their path below the folder named.

    Every argument is checked (``MissingInputError``) before anything is read.
    """
    from detector.inputs import iter_inputs

    iter_inputs(inputs, max_bytes=max_bytes, fields=fields)  # checks arguments; reads nothing
    return _items_with_stable_ids([str(p) for p in inputs], max_bytes, fields)


def _items_with_stable_ids(
    arguments: list[str], max_bytes: int, fields: FieldNames | None
) -> Iterator[InputItem]:
    from detector.corpus_reader import escape_surrogates
    from detector.inputs import iter_inputs

    for argument in arguments:
        root = _id_root(argument)
        for item in iter_inputs([argument], max_bytes=max_bytes, fields=fields):
            if item.path is not None and item.text is None:
                relative = Path(os.path.relpath(item.path, root)).as_posix()
                item = dataclasses.replace(item, id=escape_surrogates(relative))
            yield item


def _id_root(argument: str) -> Path:
    """The folder that ids of the article files an argument names are relative to."""
    path = Path(argument)
    if path.is_dir():
        return path
    if path.exists():
        return path.parent
    fixed = []  # a glob pattern: its leading folders without wildcards
    for part in path.parent.parts:
        if _GLOB_CHARS.intersection(part):
            break
        fixed.append(part)
    return Path(*fixed) if fixed else Path(".")


# --------------------------------------------------------------------------- files


def _partial_path(out: Path) -> Path:
    """A temporary file beside ``out``, of this build alone."""
    return out.with_name(f"{out.name}.{os.getpid()}.{secrets.token_hex(4)}.partial")


def _remove_stale_partials(out: Path) -> None:
    """Remove the temporary files of killed builds of ``out`` (call it holding ``out``'s lock)."""
    pattern = re.compile(re.escape(out.name) + _PARTIAL_SUFFIX)
    try:
        with os.scandir(out.parent) as entries:
            stale = [e.path for e in entries if pattern.fullmatch(e.name) and e.is_file()]
    except OSError:
        return
    for path in stale:
        with suppress(OSError):
            os.unlink(path)


def _publish(partial: Path, out: Path) -> None:
    """Put the complete index ``partial`` in place as ``out``: synced, then renamed atomically.

    Its dense sidecar, when it has one, goes first (``out`` does not exist yet,
    so no index refers to a half-published pair).
    """
    sidecar = sidecar_path(partial)
    try:
        for path in (sidecar, partial):
            if path.exists():
                fd = os.open(path, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
        if out.exists():  # made by something that ignores the lock; never overwrite it
            raise InputError(f"{out} appeared while it was being built; remove it and run again")
        if sidecar.exists():
            os.replace(sidecar, sidecar_path(out))
        else:
            with suppress(FileNotFoundError):
                sidecar_path(out).unlink()  # a stale sidecar of an index removed by hand
        os.replace(partial, out)
    except OSError as exc:
        raise IndexWriteError(out, exc.strerror or str(exc)) from None
    with suppress(OSError):  # make the rename itself durable, where the system allows
        fd = os.open(out.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
