"""Streaming inputs for the batch commands: folders, globs, JSONL, CSV and saved datasets.

``spindetect index`` and ``spindetect label`` take many articles at once.  This
module turns their arguments into a stream of ``InputItem`` objects, one per
article, without listing everything first, so memory stays flat however many
inputs there are:

* a file with an article suffix (``.txt``, ``.md``, ``.html`` ...) is one item,
  read later (by a worker) with ``detector.io.read_document``;
* a record file gives one item per record, read by ``detector.corpus_reader``:
  ``.jsonl``/``.ndjson`` one per line, ``.csv`` one per row (optionally ``.gz``,
  ``.bz2`` or ``.xz``), and, when named, ``.tsv`` and ``.json`` (an array);
  each record holds a text field (``text``, ``article``, ... or ``--text-field``)
  and optionally an id (``id``, ``doc_id``, ... or ``--id-field``);
* a folder is searched recursively, one directory at a time in name order, for
  article and ``.jsonl``/``.ndjson``/``.csv`` files (hidden files and folders
  are skipped);
* a folder written by ``datasets``' ``save_to_disk`` gives one item per row,
  read lazily (needs the ``datasets`` package);
* ``hub:NAME[:CONFIG][@SPLIT]`` is a Hugging Face hub dataset (online);
* ``-`` is standard input holding JSON lines, one record per line, read like a
  ``.jsonl`` file (ids ``-:LINE`` for records without one);
* an argument that does not exist but contains ``*``, ``?`` or ``[`` is a glob
  pattern (``**`` recurses), its matches taken in file-system order.

An item's ``id`` is the file path for an article file, the record's id field
for a record (``SPLIT/ID`` in a dataset of several splits), or its position
``PATH:LINE`` for a record without one; ids are always encodable (see
``corpus_reader.normalise_id``).  A record that cannot be used (bad JSON or
CSV, no text, too long) becomes an item that carries its ``error`` instead of
stopping the stream; so does a record file found in a folder without a text
field, while one named as an argument is refused at once (``FieldError``).
``unique_ids`` renames repeated ids (``7``, ``7#1``) for the label run.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from detector.corpus_reader import (
    COMPRESSED_SUFFIXES,
    FieldError,
    FieldNames,
    UniqueIds,
    count_records,
    escape_surrogates,
    is_saved_dataset,
    looks_like_hub_name,
    read_hub,
    read_records,
    record_format,
)
from detector.document import Document
from detector.errors import InputError, MissingInputError
from detector.io import (
    DEFAULT_MAX_BYTES,
    TEXT_SUFFIXES,
    format_size,
    read_document,
    text_to_document,
)

__all__ = [
    "RECORD_SUFFIXES",
    "FolderSkips",
    "InputItem",
    "count_inputs",
    "folder_skips",
    "iter_inputs",
    "unique_ids",
]

# Record files a folder walk picks up; named record files may be any corpus_reader format.
RECORD_SUFFIXES = tuple(
    s + c for s in (".jsonl", ".ndjson", ".csv") for c in ("", *COMPRESSED_SUFFIXES)
)
_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True, slots=True)
class InputItem:
    """One article to process: a file to read, a record's text, or why it is unusable.

    Attributes
    ----------
    id : str
        What the article is called in results: its path, or its record id.
    path : str or None
        The article file to read, for file inputs.
    text : str or None
        The article text, for records (JSONL, CSV, datasets).
    error : str or None
        Why the record could not be used; ``read()`` raises it as an ``InputError``.
    """

    id: str
    path: str | None = None
    text: str | None = None
    error: str | None = None

    def read(self, *, encoding: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
        """The item's ``Document``; ``InputError`` when it is empty, binary, undecodable or bad.

        ``encoding`` applies to article files only (records are already text).
        """
        if self.error is not None:
            raise InputError(self.error)
        if self.text is not None:
            if len(self.text) > max_bytes:
                raise InputError(
                    f"{self.id} is longer than {format_size(max_bytes)}, far more than one "
                    "article; raise the limit with --max-bytes"
                )
            try:
                return text_to_document(self.text, self.id, "text")
            except InputError as exc:  # "ID is empty" reads as a file's name: say what it is
                message = str(exc)
                if not message.startswith(f"{self.id} "):
                    raise
                rest = message[len(self.id) + 1 :]
                raise InputError(f"the text of record {self.id!r} {rest}") from None
        if self.path is None:
            raise InputError(f"{self.id} has neither a path nor a text")
        return read_document(self.path, encoding=encoding, max_bytes=max_bytes)

    def __reduce__(self) -> tuple[type[InputItem], tuple[str | None, ...]]:
        # Pickled as its fields (a dataclass with slots pickles through Python-level state
        # methods, several times slower): items go to worker processes in bulk.
        return (InputItem, (self.id, self.path, self.text, self.error))


def iter_inputs(
    paths: Iterable[str | Path],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    fields: FieldNames | None = None,
    skip: Iterable[str | Path] = (),
) -> Iterator[InputItem]:
    """Every input named by ``paths``, one ``InputItem`` per article, streamed in order.

    Arguments are checked before anything is yielded: a path that does not
    exist, a glob that matches nothing or a folder without articles raises
    ``MissingInputError`` at once, and a record file named without the text
    field ``FieldError``.  Problems inside a record file (bad JSON or CSV rows,
    missing fields) become items carrying an ``error``.

    Parameters
    ----------
    paths : iterable of str or Path
        Files, folders, glob patterns and ``hub:`` names, as the batch commands take them.
    max_bytes : int, default=DEFAULT_MAX_BYTES
        Longest record text (and JSONL line) accepted; longer ones become error items.
    fields : FieldNames, optional
        The text and id fields of records; the defaults (``TEXT_FIELDS``, ``ID_FIELDS``) if omitted.
    skip : iterable of str or Path
        Files never read as inputs, wherever the arguments find them (a run's own
        results file inside the folder it labels).

    Examples
    --------
    >>> items = iter_inputs(["crawl/", "extra.jsonl"])          # doctest: +SKIP
    >>> next(items)                                             # doctest: +SKIP
    InputItem(id='crawl/2024/a.html', path='crawl/2024/a.html', text=None, error=None)
    """
    if isinstance(paths, str | Path):
        raise TypeError("paths must be a list of paths, not a single path")
    arguments = [str(p) for p in paths]
    if not arguments:
        raise MissingInputError("no inputs given")
    fields = fields or FieldNames()
    for argument in arguments:
        _check_argument(argument, fields)
    return _stream(arguments, max_bytes, fields, _real_paths(skip))


def unique_ids(
    items: Iterable[InputItem], on_rename: Callable[[str, str], None] | None = None
) -> Iterator[InputItem]:
    """``items`` with every repeated id renamed ``ID#1``, ``ID#2``..., deterministically.

    The same inputs in the same order are named alike in every run, so a
    resumed run skips exactly what was done.  ``on_rename(old, new)`` is told
    of each renaming.
    """
    ids = UniqueIds()
    for item in items:
        claimed = ids.claim(item.id)
        if claimed != item.id:
            if on_rename is not None:
                on_rename(item.id, claimed)
            item = replace(item, id=claimed)
        yield item


def count_inputs(paths: Iterable[str | Path], skip: Iterable[str | Path] = ()) -> int | None:
    """How many items ``iter_inputs(paths, skip=skip)`` will yield, or None when that cannot
    be told.

    Non-blank lines of JSONL files and rows of CSV files are counted without
    decoding records, so the count is exact for well-formed files; it is meant
    for progress bars and costs one quick pass over the inputs.
    """
    total = 0
    try:
        for kind, path in _sources([str(p) for p in paths], _real_paths(skip)):
            if kind in ("article", "unreadable"):
                total += 1
            elif kind in ("hub", "stdin"):
                return None
            else:
                total += count_records(path)
    except (OSError, EOFError, ValueError, InputError):
        return None
    except Exception:  # a damaged compressed file or dataset: no count, the run reports it
        return None
    return total


@dataclass(frozen=True, slots=True)
class FolderSkips:
    """What a walk of the folders given leaves unread, each kind with up to three examples.

    Attributes
    ----------
    hidden, other_names, linked_folders : tuple of str
        Examples of hidden files and folders (a name starting with "."), of files named
        neither as articles nor as record files (no suffix, ``.pdf``, ``.txt.gz``), and
        of links to folders, which a walk does not enter.
    counts : tuple of int
        How many of each kind there are, in that order.
    """

    hidden: tuple[str, ...] = ()
    other_names: tuple[str, ...] = ()
    linked_folders: tuple[str, ...] = ()
    counts: tuple[int, int, int] = (0, 0, 0)

    @property
    def total(self) -> int:
        """How many entries the walk skipped."""
        return sum(self.counts)

    def describe(self) -> str:
        """One line naming what was skipped and how to read it."""
        kinds = (
            (self.hidden, "hidden"),
            (
                self.other_names,
                "not named as articles (.txt, .md, .html ...) or records "
                "(.jsonl, .ndjson, .csv, also compressed)",
            ),
            (self.linked_folders, "linked folders (not followed)"),
        )
        parts = [
            f"{count:,} {what}: " + ", ".join(examples) + (", ..." if count > len(examples) else "")
            for count, (examples, what) in zip(self.counts, kinds, strict=True)
            if count
        ]
        noun = "entry" if self.total == 1 else "entries"
        return (
            f"{self.total:,} {noun} in the folders given not read ({'; '.join(parts)}); "
            "name a file (or a glob) to read it"
        )


def folder_skips(paths: Iterable[str | Path], examples: int = 3) -> FolderSkips:
    """What walking the folders among ``paths`` leaves out (hidden entries, files of other
    names, links to folders), counted in one pass over their listings."""
    found: tuple[list[str], list[str], list[str]] = ([], [], [])
    counts = [0, 0, 0]

    def note(kind: int, path: str) -> None:
        counts[kind] += 1
        if len(found[kind]) < examples:
            found[kind].append(escape_surrogates(path))

    for argument in paths:
        path = Path(argument)
        if str(argument) != STDIN and path.is_dir() and not is_saved_dataset(path):
            for _ in _walk(path, note):
                pass
    return FolderSkips(*(tuple(f) for f in found), counts=(counts[0], counts[1], counts[2]))


# --------------------------------------------------------------------------- arguments


STDIN = "-"  # the argument naming standard input (JSON lines)


def _check_argument(argument: str, fields: FieldNames) -> None:
    if argument == STDIN:
        return  # read (once) when its turn comes
    path = Path(argument)
    if looks_like_hub_name(argument) and not path.exists():
        return  # loaded (online) when its turn comes
    if path.is_dir():
        if is_saved_dataset(path):
            _raise_field_problem(argument, fields)
        elif next(_walk(path), None) is None:
            raise MissingInputError(
                f"{argument} holds no article or record files "
                f"({', '.join(TEXT_SUFFIXES + RECORD_SUFFIXES)})"
            )
    elif path.exists():
        if record_format(path) is not None:
            _raise_field_problem(argument, fields)
    else:
        if not _GLOB_CHARS.intersection(argument):
            raise MissingInputError(f"{argument}: no such file or directory")
        if next(_glob(argument), None) is None:
            raise MissingInputError(f"{argument}: the pattern matches no file")


def _raise_field_problem(path: str, fields: FieldNames) -> None:
    problem = _field_problem(path, fields)
    if problem is not None:
        raise problem


def _field_problem(path: str, fields: FieldNames, name: str | None = None) -> FieldError | None:
    """The ``FieldError`` of the record file ``path`` when it lacks the fields asked for."""
    records = read_records(path, fields, name=_file_id(path) if name is None else name)
    try:
        for record in records:  # the header, or the first JSON object, fixes the fields
            if record.fields:
                break
    except FieldError as exc:
        return exc
    except Exception:  # anything else is the stream's to report, as an error item
        return None
    finally:
        records.close()
    return None


def _starts_as_json(path: str) -> bool:
    """Whether the first non-blank line of the file ``path`` is a JSON object (or opens
    one), or the file is blank: an article's first line, even one opening with a quote or
    "[Reuters]", is not."""
    with open(path, "rb") as f:
        for line in f:
            head = line.lstrip(b"\xef\xbb\xbf \t\r\n")
            if not head:
                continue
            if not head.startswith(b"{"):
                return False
            try:
                return isinstance(json.loads(head), dict)
            except ValueError:
                return True  # a broken object: the line's own error record says so
    return True


def _real_paths(paths: Iterable[str | Path]) -> frozenset[str]:
    return frozenset(os.path.realpath(p) for p in paths)


def _sources(arguments: list[str], skip: frozenset[str] = frozenset()) -> Iterator[tuple[str, str]]:
    """(kind, path) for every article file, record file, dataset and hub name of the
    arguments, but the files ``skip`` (real paths)."""
    for kind, path in _found_sources(arguments):
        # Real paths: a link to the skipped file, or another spelling of its path, too.
        if skip and kind not in ("stdin", "hub") and os.path.realpath(path) in skip:
            continue
        yield kind, path


def _found_sources(arguments: list[str]) -> Iterator[tuple[str, str]]:
    for argument in arguments:
        path = Path(argument)
        if argument == STDIN:
            yield "stdin", STDIN
        elif path.exists():
            yield from _classify(path, named=True)
        elif looks_like_hub_name(argument):
            yield "hub", argument
        else:
            # A pattern naming files ("*.txt") takes them whatever their suffix; a bare "**"
            # lists everything below, so it takes the files a folder's walk would.
            named = Path(argument).name != "**"
            for match in _glob(argument):
                yield from _classify(Path(match), named=named)


def _glob(pattern: str) -> Iterator[str]:
    """The matches of ``pattern``; where ``**`` recurses, only files, found without
    entering a linked folder, as a folder's walk does not: a link to a folder above
    would repeat every file under it, forty times over before the system stops the loop,
    and a folder matched would be walked again under the files ``**`` already lists."""
    parts = Path(pattern).parts
    deep = next((k for k, part in enumerate(parts) if "**" in part), None)
    for match in glob.iglob(pattern, recursive=True):
        if deep is None:
            yield match
            continue
        if os.path.isdir(match):
            continue
        folders = Path(match).parts[:-1]
        if not any(
            os.path.islink(os.path.join(*folders[: k + 1])) for k in range(deep, len(folders))
        ):
            yield match


def _classify(path: Path, *, named: bool) -> Iterator[tuple[str, str]]:
    if path.is_dir():
        if is_saved_dataset(path):
            yield "dataset", str(path)
        else:
            yield from _walk(path)
    elif str(path).lower().endswith(RECORD_SUFFIXES) or (named and record_format(path)):
        yield "records", str(path)
    elif named or path.suffix.lower() in TEXT_SUFFIXES:
        yield "article", str(path)


def _walk(
    folder: Path, skipped: Callable[[int, str], None] | None = None
) -> Iterator[tuple[str, str]]:
    """Article and record files under ``folder``, one directory listing in memory at a time;
    ``skipped(kind, path)`` hears of each entry left out (0: hidden, 1: a file of another
    name, 2: a link to a folder)."""
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        path = Path(entry.path)
        if entry.name.startswith("."):
            if skipped is not None:
                skipped(0, str(path))
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                if is_saved_dataset(path):
                    yield "dataset", str(path)
                else:
                    yield from _walk(path, skipped)
                continue
            if skipped is not None and entry.is_symlink() and entry.is_dir():
                skipped(2, str(path))
                continue
            regular = entry.is_file()
        except OSError:  # a symbolic link that loops
            regular = False
        if regular:
            if skipped is not None and not _wanted(path):
                skipped(1, str(path))
                continue
            yield from _classify(path, named=False)
        elif _wanted(path) and not os.path.isdir(path):
            # A broken or looping link, a pipe or a device under a file's name: one error
            # item for it, never silence (and never an open that blocks on a pipe).
            yield "unreadable", str(path)


def _wanted(path: Path) -> bool:
    """Whether a folder's entry is named like an article or record file."""
    return str(path).lower().endswith(RECORD_SUFFIXES) or path.suffix.lower() in TEXT_SUFFIXES


def _unreadable(path: str) -> str:
    """Why the entry ``path`` of a folder is not a file that can be read."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        if os.path.islink(path):
            reason = f"a symbolic link that cannot be followed ({reason.lower()})"
        return f"{path}: {reason}"
    kind = (
        "a named pipe"
        if stat.S_ISFIFO(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else ("a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file")
    )
    return f"{path}: {kind}, not a file to read"


def _file_id(path: str) -> str:
    """The id of the article file ``path``, and the name its records' positions start with."""
    return escape_surrogates(path)


def _stream(
    arguments: list[str], max_bytes: int, fields: FieldNames, skip: frozenset[str]
) -> Iterator[InputItem]:
    for kind, path in _sources(arguments, skip):
        if kind == "article":
            yield InputItem(id=_file_id(path), path=path)
            continue
        if kind == "unreadable":
            yield InputItem(id=_file_id(path), error=_unreadable(path))
            continue
        if kind == "stdin":
            yield from _stdin_items(max_bytes, fields)
            continue
        name = path if kind == "hub" else _file_id(path)
        problem = None if kind == "hub" else _field_problem(path, fields)
        if problem is not None:  # one error item for the file, not one per line
            yield InputItem(id=name, error=str(problem))
            continue
        try:
            if kind == "hub":
                records = read_hub(path, fields, max_bytes=max_bytes)
            else:
                records = read_records(path, fields, max_bytes=max_bytes, name=name)
            for record in records:
                yield InputItem(id=record.id, text=record.text, error=record.error)
        except FieldError as exc:  # a later split of a dataset
            yield InputItem(id=name, error=str(exc))


def _stdin_items(max_bytes: int, fields: FieldNames) -> Iterator[InputItem]:
    """The records of the JSON lines on standard input, named ``-`` (ids ``-:LINE``).

    The stream is copied to a temporary file first, so that it is read exactly
    once and every record file's rules (bad lines become error items) apply.
    """
    with tempfile.TemporaryDirectory(prefix="spindetect-stdin-") as folder:
        path = os.path.join(folder, "stdin.jsonl")
        with open(path, "wb") as f:
            shutil.copyfileobj(sys.stdin.buffer, f)
        problem = _field_problem(path, fields, name=STDIN)
        if problem is not None:
            yield InputItem(id=STDIN, error=str(problem))
            return
        if not _starts_as_json(path):  # an article piped in: one error, not one per line
            yield InputItem(
                id=STDIN,
                error="standard input is not JSON lines (one object per line with a text "
                "field); to score one article from standard input, use `spindetect score -`",
            )
            return
        for record in read_records(path, fields, max_bytes=max_bytes, name=STDIN):
            yield InputItem(id=record.id, text=record.text, error=record.error)
