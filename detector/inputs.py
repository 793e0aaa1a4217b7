"""Streaming inputs for the batch commands: folders, globs, JSONL, CSV and saved datasets.

``spindetect index`` and ``spindetect label`` take many articles at once.  This
module turns their arguments into a stream of ``InputItem`` objects, one per
article, without listing everything first, so memory stays flat however many
inputs there are:

* a file with an article suffix (``.txt``, ``.md``, ``.html`` ...) is one item,
  read later (by a worker) with ``detector.io.read_document``;
* a ``.jsonl``/``.ndjson`` file (optionally ``.gz``, ``.bz2`` or ``.xz``) gives
  one item per line, a ``.csv`` file one per row: each record holds a ``text``
  field and optionally an ``id``;
* a folder is searched recursively, one directory at a time in name order, for
  both kinds of file (hidden files and folders are skipped);
* a folder written by ``datasets.Dataset.save_to_disk`` gives one item per row
  (``id`` and ``text`` columns), read lazily (needs the ``datasets`` package);
* an argument that does not exist but contains ``*``, ``?`` or ``[`` is a glob
  pattern (``**`` recurses), its matches taken in file-system order.

An item's ``id`` is the file path for an article file, the record's ``id``
field (as a string) for a record, or ``PATH:LINE`` for a record without one.
A record that cannot be used (bad JSON, no ``text``, too long) becomes an item
that carries its ``error`` instead of stopping the stream.
"""

from __future__ import annotations

import csv
import glob
import json
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import TextIOWrapper
from pathlib import Path
from typing import IO, Any

from detector.document import Document
from detector.errors import InputError, MissingInputError
from detector.io import DEFAULT_MAX_BYTES, TEXT_SUFFIXES, read_document, text_to_document

__all__ = [
    "RECORD_SUFFIXES",
    "InputItem",
    "count_inputs",
    "iter_inputs",
]

_COMPRESSED = (".gz", ".bz2", ".xz")
_JSONL = (".jsonl", ".ndjson")
RECORD_SUFFIXES = tuple(s + c for s in (*_JSONL, ".csv") for c in ("", *_COMPRESSED))
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
                    f"{self.id} is longer than {max_bytes / 1e6:g} MB, far more than one "
                    "article; raise the limit with --max-bytes"
                )
            return text_to_document(self.text, self.id, "text")
        if self.path is None:
            raise InputError(f"{self.id} has neither a path nor a text")
        return read_document(self.path, encoding=encoding, max_bytes=max_bytes)


def iter_inputs(
    paths: Iterable[str | Path], *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[InputItem]:
    """Every input named by ``paths``, one ``InputItem`` per article, streamed in order.

    Arguments are checked before anything is yielded: a path that does not
    exist, a glob that matches nothing or a folder without articles raises
    ``MissingInputError`` at once.  Problems inside a record file (bad JSON
    lines, missing fields) become items carrying an ``error``.

    Parameters
    ----------
    paths : iterable of str or Path
        Files, folders and glob patterns, as the batch commands take them.
    max_bytes : int, default=DEFAULT_MAX_BYTES
        Longest record line (JSONL) accepted; longer ones become error items.

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
    for argument in arguments:
        _check_argument(argument)
    return _stream(arguments, max_bytes)


def count_inputs(paths: Iterable[str | Path]) -> int | None:
    """How many items ``iter_inputs(paths)`` will yield, or None when that cannot be told.

    Non-blank lines of JSONL files and rows of CSV files are counted without
    parsing them, so the count is exact for well-formed files; it is meant for
    progress bars and costs one quick pass over the inputs.
    """
    total = 0
    try:
        for kind, path in _sources([str(p) for p in paths]):
            if kind == "article":
                total += 1
            elif kind == "dataset":
                total += _dataset_length(path)
            elif path.lower().endswith(_jsonl_suffixes()):
                with _open_binary(path) as f:
                    total += sum(1 for line in f if line.strip())
            else:
                with _open_text(path) as f, _csv_field_limit(2**31 - 1):
                    total += max(sum(1 for _ in csv.reader(f)) - 1, 0)
    except (OSError, EOFError, ValueError, csv.Error, InputError):
        return None
    return total


# --------------------------------------------------------------------------- arguments


def _check_argument(argument: str) -> None:
    if argument == "-":
        raise MissingInputError(
            "batch commands do not read standard input; save the stream to a .jsonl file "
            '(one {"id": ..., "text": ...} object per line) and pass that'
        )
    path = Path(argument)
    if path.is_dir():
        if not _is_saved_dataset(path) and next(_walk(path), None) is None:
            raise MissingInputError(
                f"{argument} holds no article or record files "
                f"({', '.join(TEXT_SUFFIXES + RECORD_SUFFIXES)})"
            )
    elif not path.exists():
        if not _GLOB_CHARS.intersection(argument):
            raise MissingInputError(f"{argument}: no such file or directory")
        if next(glob.iglob(argument, recursive=True), None) is None:
            raise MissingInputError(f"{argument}: the pattern matches no file")


def _sources(arguments: list[str]) -> Iterator[tuple[str, str]]:
    """(kind, path) for every article file, record file and dataset the arguments name."""
    for argument in arguments:
        path = Path(argument)
        if path.exists():
            yield from _classify(path, named=True)
        else:
            for match in glob.iglob(argument, recursive=True):
                yield from _classify(Path(match), named=True)


def _classify(path: Path, *, named: bool) -> Iterator[tuple[str, str]]:
    if path.is_dir():
        if _is_saved_dataset(path):
            yield "dataset", str(path)
        else:
            yield from _walk(path)
    elif str(path).lower().endswith(RECORD_SUFFIXES):
        yield "records", str(path)
    elif named or path.suffix.lower() in TEXT_SUFFIXES:
        yield "article", str(path)


def _walk(folder: Path) -> Iterator[tuple[str, str]]:
    """Article and record files under ``folder``, one directory listing in memory at a time."""
    try:
        with os.scandir(folder) as scan:
            entries = sorted((e for e in scan if not e.name.startswith(".")), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        path = Path(entry.path)
        if entry.is_dir(follow_symlinks=False):
            if _is_saved_dataset(path):
                yield "dataset", str(path)
            else:
                yield from _walk(path)
        elif entry.is_file():
            yield from _classify(path, named=False)


def _stream(arguments: list[str], max_bytes: int) -> Iterator[InputItem]:
    for kind, path in _sources(arguments):
        if kind == "article":
            yield InputItem(id=path, path=path)
        elif kind == "dataset":
            yield from _dataset_items(path, max_bytes)
        elif path.lower().endswith(_jsonl_suffixes()):
            yield from _jsonl_items(path, max_bytes)
        else:
            yield from _csv_items(path, max_bytes)


# --------------------------------------------------------------------------- records


def _jsonl_suffixes() -> tuple[str, ...]:
    return tuple(s + c for s in _JSONL for c in ("", *_COMPRESSED))


@contextmanager
def _open_binary(path: str) -> Iterator[IO[bytes]]:
    lower = path.lower()
    opener: Callable[..., IO[bytes]] = open
    if lower.endswith(".gz"):
        import gzip

        opener = gzip.open
    elif lower.endswith(".bz2"):
        import bz2

        opener = bz2.open
    elif lower.endswith(".xz"):
        import lzma

        opener = lzma.open
    with opener(path, "rb") as f:
        yield f


@contextmanager
def _open_text(path: str) -> Iterator[IO[str]]:
    with _open_binary(path) as raw:
        yield TextIOWrapper(raw, encoding="utf-8-sig", newline="")


def _record_item(record: Any, path: str, line: int, max_bytes: int) -> InputItem:
    if not isinstance(record, dict):
        return InputItem(id=f"{path}:{line}", error=f"{path}:{line} is not a JSON object")
    raw_id = record.get("id")
    item_id = f"{path}:{line}" if raw_id is None or raw_id == "" else str(raw_id)
    text = record.get("text")
    if not isinstance(text, str):
        what = "no 'text' field" if text is None else "a 'text' field that is not a string"
        return InputItem(id=item_id, error=f"{path}:{line} has {what}")
    if len(text) > max_bytes:
        return InputItem(
            id=item_id,
            error=f"{path}:{line} is longer than {max_bytes / 1e6:g} MB; raise --max-bytes",
        )
    return InputItem(id=item_id, text=text)


def _jsonl_items(path: str, max_bytes: int) -> Iterator[InputItem]:
    try:
        with _open_binary(path) as f:
            line_no = 0
            while True:
                raw = f.readline(max_bytes + 1)
                if not raw:
                    return
                line_no += 1
                if len(raw) > max_bytes and not raw.endswith(b"\n"):
                    while raw and not raw.endswith(b"\n"):  # skip the rest of the long line
                        raw = f.readline(1 << 20)
                    yield InputItem(
                        id=f"{path}:{line_no}",
                        error=f"{path}:{line_no} is longer than {max_bytes / 1e6:g} MB; "
                        "raise --max-bytes",
                    )
                    continue
                if not raw.strip():
                    continue
                try:
                    record = json.loads(raw)
                except UnicodeDecodeError:
                    yield InputItem(
                        id=f"{path}:{line_no}", error=f"{path}:{line_no} is not valid UTF-8"
                    )
                    continue
                except ValueError as exc:
                    yield InputItem(
                        id=f"{path}:{line_no}",
                        error=f"{path}:{line_no} is not valid JSON ({exc.args[0].split(':')[0]})",
                    )
                    continue
                yield _record_item(record, path, line_no, max_bytes)
    except (OSError, EOFError) as exc:
        yield InputItem(id=path, error=f"{path}: cannot read ({_reason(exc)})")


@contextmanager
def _csv_field_limit(limit: int) -> Iterator[None]:
    """Let CSV fields be as long as an article may be, restoring the module limit after."""
    previous = csv.field_size_limit()
    csv.field_size_limit(max(previous, limit))
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _csv_items(path: str, max_bytes: int) -> Iterator[InputItem]:
    line = 1
    try:
        with _open_text(path) as f, _csv_field_limit(max_bytes):
            reader = csv.DictReader(f)
            fields = reader.fieldnames or []
            if "text" not in fields:
                yield InputItem(
                    id=path,
                    error=f"{path} has no 'text' column (columns: {', '.join(fields) or 'none'})",
                )
                return
            for row in reader:
                start, line = line + 1, reader.line_num
                yield _record_item(row, path, start, max_bytes)
    except UnicodeDecodeError:
        yield InputItem(
            id=f"{path}:{line + 1}",
            error=f"{path} is not valid UTF-8 after line {line}; the rest of it was skipped "
            "(save it as UTF-8)",
        )
    except csv.Error as exc:
        yield InputItem(
            id=f"{path}:{line + 1}",
            error=f"{path}:{line + 1} is not valid CSV ({exc}); the rest of it was skipped",
        )
    except (OSError, EOFError) as exc:
        yield InputItem(id=path, error=f"{path}: cannot read ({_reason(exc)})")


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


# --------------------------------------------------------------------------- datasets


def _is_saved_dataset(folder: Path) -> bool:
    """Whether ``folder`` was written by ``save_to_disk`` of a ``Dataset`` or ``DatasetDict``."""
    return (folder / "dataset_dict.json").is_file() or (
        (folder / "state.json").is_file() and (folder / "dataset_info.json").is_file()
    )


def _load_dataset(path: str) -> Any:
    try:
        import datasets
    except ImportError:
        raise MissingInputError(
            f"{path} is a saved `datasets` dataset; reading it needs the datasets package "
            "(pip install 'spindetect[train]')"
        ) from None
    try:
        return datasets.load_from_disk(path)
    except Exception as exc:  # the library raises many types for a damaged folder
        raise InputError(f"{path}: cannot load the saved dataset ({exc})") from None


def _splits(dataset: Any, path: str) -> list[tuple[str, Any]]:
    if hasattr(dataset, "column_names") and isinstance(dataset.column_names, list):
        return [(path, dataset)]
    return [(f"{path}/{name}", dataset[name]) for name in dataset]


def _dataset_length(path: str) -> int:
    return sum(len(split) for _, split in _splits(_load_dataset(path), path))


def _dataset_items(path: str, max_bytes: int) -> Iterator[InputItem]:
    try:
        dataset = _load_dataset(path)
    except InputError as exc:
        yield InputItem(id=path, error=str(exc))
        return
    for prefix, split in _splits(dataset, path):
        if "text" not in split.column_names:
            yield InputItem(
                id=prefix,
                error=f"{prefix} has no 'text' column (columns: {', '.join(split.column_names)})",
            )
            continue
        for row_no, row in enumerate(split, start=1):
            yield _record_item(row, prefix, row_no, max_bytes)
