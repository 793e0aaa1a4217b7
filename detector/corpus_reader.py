"""Reading corpus files and datasets into records: the one reader of every corpus format.

``spindetect index``, ``spindetect label`` (through ``detector.inputs``) and the
dataset builder (``training.corpus``) all read corpora here:

* JSON Lines (``.jsonl``, ``.ndjson``), JSON arrays (``.json``, or an object
  holding one), CSV (``.csv``) and TSV (``.tsv``) files, each optionally
  ``.gz``, ``.bz2`` or ``.xz`` compressed;
* folders written by ``datasets``' ``save_to_disk`` (a ``Dataset`` or a
  ``DatasetDict`` of splits);
* Hugging Face hub datasets, ``[hub:]NAME[:CONFIG][@SPLIT]``, loaded with
  ``datasets.load_dataset`` (online).

Each row becomes a ``Record``.  The text is the file's text field: the one
named (``FieldNames.text``, ``--text-field``), else the first of
``TEXT_FIELDS`` that the CSV header, the dataset's columns or the file's first
JSON object has; a file with none raises ``FieldError``, naming the fields it
has.  The id is the first non-blank of ``ID_FIELDS`` (or the field named),
prefixed ``SPLIT/`` in a dataset of several splits, else the row's position
(``PATH:LINE``).  A row that cannot be used (bad JSON or CSV, no text, too
long, not UTF-8) is a record carrying its ``error``, so a caller can account
for every row: nothing is dropped silently.

Ids and texts are always encodable: lone surrogates (``"\\ud800"`` in JSON) are
written out as ``\\ud800`` in ids (``normalise_id``, stable from run to run) and
replaced by U+FFFD in texts (``repair_text``).  ``UniqueIds`` makes a stream
of ids unique (``7``, ``7#1``, ``7#2``), deterministically.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from array import array
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import BufferedReader, RawIOBase, TextIOWrapper
from pathlib import Path
from typing import IO, Any

from detector.errors import InputError, MissingInputError

__all__ = [
    "COMPRESSED_SUFFIXES",
    "HUB_PREFIX",
    "ID_FIELDS",
    "RECORD_SUFFIXES",
    "TEXT_FIELDS",
    "FieldError",
    "FieldNames",
    "Record",
    "UniqueIds",
    "count_records",
    "escape_surrogates",
    "is_saved_dataset",
    "looks_like_hub_name",
    "normalise_id",
    "parse_hub_spec",
    "read_hub",
    "read_records",
    "record_format",
    "repair_text",
]

TEXT_FIELDS = ("text", "article", "document", "content", "body", "story")
ID_FIELDS = ("id", "doc_id", "uid", "guid")
COMPRESSED_SUFFIXES = (".gz", ".bz2", ".xz")
_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv", ".tsv": "tsv"}
RECORD_SUFFIXES = tuple(s + c for s in _FORMATS for c in ("", *COMPRESSED_SUFFIXES))
HUB_PREFIX = "hub:"

_SURROGATE = re.compile("[\ud800-\udfff]")
_CSV_FIELD_LIMIT = 2**31 - 1  # rows are bounded by max_bytes instead


class FieldError(InputError):
    """A corpus file without the text (or id) field asked for: a usage mistake, named fields."""

    exit_code = 2


@dataclass(frozen=True, slots=True)
class FieldNames:
    """Which fields of a record hold its text and its id.

    Attributes
    ----------
    text : str, optional
        The text field; by default the first of ``TEXT_FIELDS`` the file has.
    id : str, optional
        The id field; by default the first non-blank of ``ID_FIELDS`` in each row.
    """

    text: str | None = None
    id: str | None = None

    def __post_init__(self) -> None:
        for name in ("text", "id"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise ValueError(
                    f"the {name!r} parameter of FieldNames must be a field name or None, "
                    f"got {value!r}"
                )

    @property
    def text_candidates(self) -> tuple[str, ...]:
        """The text fields accepted, in order of preference."""
        return (self.text,) if self.text else TEXT_FIELDS

    @property
    def id_candidates(self) -> tuple[str, ...]:
        """The id fields accepted, in order of preference."""
        return (self.id,) if self.id else ID_FIELDS


@dataclass(frozen=True, slots=True)
class Record:
    """One row of a corpus: its text and id, or why it cannot be used.

    Attributes
    ----------
    where : str
        Its position, for messages: ``PATH:LINE``, ``PATH[INDEX]``, ``PATH/SPLIT:ROW``.
    id : str
        Its id field (split-qualified in a dataset of several splits), else ``where``.
    text : str or None
        Its text, lone surrogates repaired; None when ``error`` is set.
    fields : mapping
        Every field of the row as read (empty for a row that could not be parsed).
    error : str or None
        One line saying why the row cannot be used.
    """

    where: str
    id: str
    text: str | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)
    error: str | None = None


# --------------------------------------------------------------------------- ids and texts


def _has_surrogates(text: str) -> bool:
    """Whether ``text`` holds a surrogate code point (what UTF-8 alone cannot encode)."""
    if text.isascii():
        return False
    try:  # encoding runs faster than a search
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def escape_surrogates(text: str) -> str:
    """``text`` with each lone surrogate written out as ``\\udXXX``, so it encodes as UTF-8."""
    if not _has_surrogates(text):
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def normalise_id(value: Any) -> str | None:
    """``value`` as an id: a stripped, always encodable string, or None when blank or missing."""
    if value is None:
        return None
    # JSON's spelling for what is not a string or a number: true, {"a":1}, not True, {'a': 1}.
    if isinstance(value, bool | dict | list):
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    else:
        text = str(value).strip()
    return escape_surrogates(text) if text else None


def repair_text(text: str) -> str:
    """``text`` with surrogate pairs joined and lone surrogates replaced by U+FFFD."""
    if not _has_surrogates(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


class UniqueIds:
    """Makes ids unique in the order they come: ``x``, ``x#1``, ``x#2``, ...

    The same ids in the same order get the same answers, so a resumed run
    names every input as the first run did.  Seen ids are kept as 64-bit
    hashes (about 16 bytes each), plus the text of each id met more than once.
    """

    def __init__(self) -> None:
        self._seen = _HashSet()
        self._next: dict[str, int] = {}

    def claim(self, id: str) -> str:
        """``id``, or ``id#n`` with the smallest ``n`` not yet taken when ``id`` already was."""
        if self._seen.add(id):
            return id
        n = self._next.get(id, 1)
        while not self._seen.add(f"{id}#{n}"):
            n += 1
        self._next[id] = n + 1
        return f"{id}#{n}"


class _HashSet:
    """A set of strings kept as 64-bit hashes in one open-addressing table."""

    def __init__(self) -> None:
        self._table = array("Q", bytes(8 * 1024))
        self._used = 0

    def add(self, key: str) -> bool:
        """Whether ``key`` was new (it is in the set afterwards)."""
        h = _hash64(key) or 1  # 0 marks an empty slot
        if 2 * (self._used + 1) > len(self._table):
            self._grow()
        table, mask = self._table, len(self._table) - 1
        slot = h & mask
        while table[slot]:
            if table[slot] == h:
                return False
            slot = (slot + 1) & mask
        table[slot] = h
        self._used += 1
        return True

    def _grow(self) -> None:
        old = self._table
        self._table = array("Q", bytes(16 * len(old)))
        mask = len(self._table) - 1
        for h in old:
            if h:
                slot = h & mask
                while self._table[slot]:
                    slot = (slot + 1) & mask
                self._table[slot] = h


def _hash64(key: str) -> int:
    digest = hashlib.blake2b(key.encode("utf-8", "backslashreplace"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


# --------------------------------------------------------------------------- formats


def record_format(path: str | Path) -> str | None:
    """``"jsonl"``, ``"json"``, ``"csv"`` or ``"tsv"`` by the suffix under any compression."""
    name = str(path).lower()
    for suffix in COMPRESSED_SUFFIXES:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return _FORMATS.get(Path(name).suffix)


def is_saved_dataset(folder: str | Path) -> bool:
    """Whether ``folder`` was written by ``save_to_disk`` of a ``Dataset`` or ``DatasetDict``."""
    folder = Path(folder)
    return (folder / "dataset_dict.json").is_file() or (
        (folder / "state.json").is_file() and (folder / "dataset_info.json").is_file()
    )


# A hub dataset name with a config or a split: `cnn_dailymail:3.0.0@test`, `user/set@train`.
_HUB_NAME = re.compile(
    r"(?:[A-Za-z0-9][\w.-]*/)?[A-Za-z0-9][\w.-]*(?::[\w.-]+@[\w.:%+\[\]-]+|:[\w.-]+|@[\w.:%+\[\]-]+)"
)


def looks_like_hub_name(argument: str) -> bool:
    """Whether an argument that names no file reads as a hub dataset, ``NAME:CONFIG``,
    ``NAME@SPLIT`` or both (a bare ``NAME`` needs the ``hub:`` prefix, so that a mistyped
    file name is still "no such file")."""
    return argument.startswith(HUB_PREFIX) or _HUB_NAME.fullmatch(argument) is not None


def parse_hub_spec(spec: str) -> tuple[str, str | None, str]:
    """``(name, config, split)`` of ``[hub:]NAME[:CONFIG][@SPLIT]``; the split defaults to train."""
    spec = spec.removeprefix(HUB_PREFIX)
    name, _, split = spec.partition("@")
    name, _, config = name.partition(":")
    if not name:
        raise MissingInputError(f"{spec!r} names no hub dataset; write NAME[:CONFIG][@SPLIT]")
    return name, config or None, split or "train"


def read_records(
    path: str | Path,
    fields: FieldNames | None = None,
    *,
    max_bytes: int | None = None,
    name: str | None = None,
) -> Generator[Record, None, None]:
    """Every row of the record file or saved dataset ``path``, as a ``Record``, streamed.

    Parameters
    ----------
    path : str or Path
        A file whose ``record_format`` is known, or a folder ``is_saved_dataset`` accepts.
    fields : FieldNames, optional
        The text and id fields (``TEXT_FIELDS``, ``ID_FIELDS`` by default).
    max_bytes : int, optional
        Longest text (and JSON line) accepted; longer rows become error records.
    name : str, optional
        What to call ``path`` in positions and messages; ``path`` as given by default.

    Raises
    ------
    FieldError
        The file has no field of the text (or id) asked for; raised when the
        header, the dataset's columns or the first JSON object is read.
    InputError
        ``path`` is neither a record file nor a saved dataset.
    """
    fields = fields if fields is not None else FieldNames()
    name = escape_surrogates(str(path) if name is None else name)
    if Path(path).is_dir():
        if not is_saved_dataset(path):
            raise InputError(f"{name} is a folder, not a saved dataset")
        return _dataset_records(str(path), name, fields, max_bytes)
    kind = record_format(path)
    if kind == "jsonl":
        return _jsonl_records(str(path), name, fields, max_bytes)
    if kind == "json":
        return _json_records(str(path), name, fields, max_bytes)
    if kind in ("csv", "tsv"):
        delimiter = "\t" if kind == "tsv" else ","
        return _csv_records(str(path), name, fields, max_bytes, delimiter)
    raise InputError(
        f"{name}: unknown corpus format; use {', '.join(_FORMATS)} "
        f"(optionally {', '.join(COMPRESSED_SUFFIXES)}) or a saved dataset folder"
    )


def count_records(path: str | Path) -> int:
    """How many records ``read_records(path)`` yields, counted cheaply (exact for sound files).

    Raises what opening or decompressing the file raises (``OSError`` ...).
    """
    if Path(path).is_dir():
        return sum(len(split) for _, split in _splits(_load_saved_dataset(str(path))))
    kind = record_format(path)
    with _open_binary(str(path)) as f:
        if kind == "jsonl":
            return sum(1 for line in f if line.strip())
        if kind == "json":
            return len(_json_rows(json.loads(f.read()), str(path)))
        text = TextIOWrapper(f, encoding="utf-8-sig", errors="surrogateescape", newline="")
        delimiter = "\t" if kind == "tsv" else ","
        rows = sum(1 for _, row, _ in _csv_rows(text, delimiter, None) if row != [])
        return max(rows - 1, 0)


def read_hub(
    spec: str,
    fields: FieldNames | None = None,
    *,
    max_bytes: int | None = None,
    limit: int | None = None,
) -> Iterator[Record]:
    """Every row of the hub dataset ``[hub:]NAME[:CONFIG][@SPLIT]`` (needs ``datasets``, online).

    ``limit`` loads only the split's first rows.  Raises ``InputError`` when
    the dataset cannot be loaded (offline, unknown name, no access).
    """
    fields = fields if fields is not None else FieldNames()
    name, config, split = parse_hub_spec(spec)
    try:
        import datasets
    except ImportError:
        raise InputError(
            f"reading the hub dataset {spec!r} needs the 'datasets' package: "
            "pip install 'spindetect[train]'"
        ) from None
    selection = split if limit is None else f"{split}[:{limit}]"
    try:
        data = datasets.load_dataset(name, config, split=selection)
    except Exception as exc:  # network, authentication, unknown name or config: all user-fixable
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(
            f"could not load {spec.removeprefix(HUB_PREFIX)!r} from the Hugging Face hub "
            f"({reason}); check the name and that you are online, or pass a local "
            ".jsonl/.csv file or folder"
        ) from None
    rows = ((f"{name}@{split}[{i}]", row) for i, row in enumerate(data))
    columns = getattr(data, "column_names", None)
    return _mapping_records(rows, fields, max_bytes, columns=columns, source=name)


# --------------------------------------------------------------------------- rows to records


def _text_key(fields: FieldNames, keys: Iterable[Any], where: str, what: str) -> str:
    """The field holding the text among ``keys``; ``FieldError`` naming them when there is none."""
    present = [str(k) for k in keys if k is not None]
    found = f"{what}s found: {', '.join(present) or 'none'}"
    if fields.id is not None and fields.id not in present:
        raise FieldError(f"{where} has no {fields.id!r} {what} ({found})")
    for candidate in fields.text_candidates:
        if candidate in present:
            return candidate
    if fields.text is not None:
        raise FieldError(f"{where} has no {fields.text!r} {what} ({found})")
    raise FieldError(
        f"{where}: no text {what} ({', '.join(TEXT_FIELDS)}); {found}; "
        f"name the {what} with --text-field"
    )


def _record(
    row: Any,
    where: str,
    text_key: str,
    fields: FieldNames,
    max_bytes: int | None,
    split: str | None = None,
) -> Record:
    if not isinstance(row, Mapping):
        return Record(where, where, error=f"{where} is not a JSON object")
    raw_id = next(
        (i for i in (normalise_id(row.get(f)) for f in fields.id_candidates) if i is not None),
        None,
    )
    id = where if raw_id is None else raw_id if split is None else f"{split}/{raw_id}"
    text = row.get(text_key)
    if text is None:
        what = "an empty" if text_key in row else "no"  # null in JSON, a short CSV row
        return Record(where, id, fields=row, error=f"{where} has {what} {text_key!r} field")
    if not isinstance(text, str):
        return Record(
            where, id, fields=row, error=f"{where} has a {text_key!r} field that is not a string"
        )
    if max_bytes is not None and len(text) > max_bytes:
        return Record(where, id, fields=row, error=_too_long(where, max_bytes))
    return Record(where, id, repair_text(text), row)


def _too_long(where: str, max_bytes: int) -> str:
    from detector.io import format_size

    return f"{where} is longer than {format_size(max_bytes)}; raise --max-bytes"


def _mapping_records(
    rows: Iterable[tuple[str, Any] | Record],
    fields: FieldNames,
    max_bytes: int | None,
    *,
    columns: Iterable[str] | None = None,
    source: str = "",
    split: str | None = None,
) -> Iterator[Record]:
    """Records of parsed rows (and of rows already found bad); the text field is fixed once.

    The field comes from ``columns`` when known, else from the first object row.
    """
    key = None if columns is None else _text_key(fields, columns, source, "column")
    for item in rows:
        if isinstance(item, Record):
            yield item
            continue
        where, row = item
        if key is None and isinstance(row, Mapping):
            key = _text_key(fields, row.keys(), where, "field")
        yield _record(row, where, key or fields.text_candidates[0], fields, max_bytes, split)


# --------------------------------------------------------------------------- files

_READ_ERRORS: tuple[type[BaseException], ...] = (OSError, EOFError)


def _decompression_errors() -> tuple[type[BaseException], ...]:
    import lzma
    import zlib

    return (*_READ_ERRORS, lzma.LZMAError, zlib.error)


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
        encoding = _wide_encoding(f.peek(256)[:256])
        yield f if encoding is None else BufferedReader(_Utf8Reader(f, encoding))


def _wide_encoding(head: bytes) -> str | None:
    """ "utf-32" or "utf-16" when ``head`` (a file's first bytes) opens with that
    encoding's byte-order mark, and for UTF-16 holds a zero byte after it, as records
    in UTF-16 do (their JSON or CSV punctuation is ASCII), and reads as printable text
    in it, with an ASCII character among its first (as records have); a mark's
    bytes that open a file of UTF-8 lines by chance (a line ``b"\\xfe\\xff\\x00"``, read
    in UTF-16 as a blank line, or as a newline and a CJK character when ``{}`` follows)
    leave it read line by line, no record lost."""
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        name, width = "utf-32", 4
        order = "utf-32-le" if head.startswith(b"\xff\xfe") else "utf-32-be"
    elif head.startswith((b"\xff\xfe", b"\xfe\xff")) and 0 in head[2:]:
        name, width = "utf-16", 2
        order = "utf-16-le" if head.startswith(b"\xff\xfe") else "utf-16-be"
    else:
        return None
    body = head[width : len(head) - len(head) % width].decode(order, errors="replace")
    body = body.rstrip("\ufffd")  # the head may end inside a character
    printable = all(c.isprintable() or c in "\t\r\n" for c in body)
    seen = "".join(body.split())
    # Records hold ASCII punctuation ("{", '"', ",") among their first characters,
    # whatever their language; UTF-8 bytes read two or four at a time make none.
    return name if printable and any(c.isascii() for c in seen) else None


class _Utf8Reader(RawIOBase):
    """A record file saved as UTF-16 or UTF-32 (with its byte-order mark), read as UTF-8
    bytes: every record is read, none lost to a line split inside a wide character."""

    def __init__(self, raw: IO[bytes], encoding: str) -> None:
        self._text = TextIOWrapper(raw, encoding=encoding, errors="replace", newline="")
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            chunk = self._text.read(1 << 16)
            if not chunk:
                return 0
            self._pending = chunk.encode("utf-8")
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


def _unreadable(name: str, exc: BaseException) -> Record:
    reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return Record(name, name, error=f"{name}: cannot read ({reason})")


def _jsonl_records(
    path: str, name: str, fields: FieldNames, max_bytes: int | None
) -> Generator[Record, None, None]:
    yield from _mapping_records(_jsonl_rows(path, name, max_bytes), fields, max_bytes)


def _jsonl_rows(path: str, name: str, max_bytes: int | None) -> Iterator[tuple[str, Any] | Record]:
    try:
        with _open_binary(path) as f:
            line_no = 0
            while True:
                raw = f.readline() if max_bytes is None else f.readline(max_bytes + 1)
                if not raw:
                    return
                line_no += 1
                where = f"{name}:{line_no}"
                if max_bytes is not None and len(raw) > max_bytes and not raw.endswith(b"\n"):
                    while raw and not raw.endswith(b"\n"):  # skip the rest of the long line
                        raw = f.readline(1 << 20)
                    yield Record(where, where, error=_too_long(where, max_bytes))
                    continue
                if not raw.strip():
                    continue
                try:
                    yield where, json.loads(raw)
                except UnicodeDecodeError:
                    yield Record(where, where, error=_not_utf8(where))
                except json.JSONDecodeError as exc:
                    reason = _json_problem(exc.msg, exc.colno)
                    yield Record(
                        where,
                        where,
                        error=f"{where}: not JSON: the line is not valid JSON ({reason})",
                    )
                except ValueError as exc:
                    reason = exc.args[0].split(":")[0] if exc.args else "bad syntax"
                    yield Record(
                        where,
                        where,
                        error=f"{where}: not JSON: the line is not valid JSON ({reason})",
                    )
                except RecursionError:
                    yield Record(where, where, error=f"{where}: not JSON: nested too deeply")
    except _decompression_errors() as exc:
        yield _unreadable(name, exc)


# The json module's messages that name a symptom, and the mistake a person made.
_JSON_PROBLEMS = {
    "Invalid control character": "a string holds a raw tab or line break, or is never closed",
    "Unterminated string starting": "a string is never closed",
    "Expecting property name enclosed in double quotes": (
        "a key is not in double quotes, or a comma is left before }"
    ),
    "Expecting ',' delimiter": "a comma is missing (or a quote inside a string is not escaped)",
    "Extra data": "more than one JSON value on the line",
}


def _json_problem(message: str, column: int) -> str:
    """The json module's ``message`` at ``column``, with the mistake it usually means
    ("Invalid control character at column 71: a string holds a raw tab or line break,
    or is never closed")."""
    message = message.removesuffix(" at")
    mistake = _JSON_PROBLEMS.get(message)
    return f"{message} at column {column}" + (f": {mistake}" if mistake else "")


def _not_utf8(where: str) -> str:
    """The error of a record (or record file) that is not UTF-8, which ``--encoding`` does
    not change."""
    return (
        f"{where} is not valid UTF-8 (record files are read as UTF-8 whatever --encoding "
        "says: convert the file, e.g. `iconv -f latin1 -t utf-8`)"
    )


def _json_rows(data: Any, name: str) -> list[Any]:
    if isinstance(data, Mapping):
        data = next((v for v in data.values() if isinstance(v, list)), None)
    if not isinstance(data, list):
        raise InputError(
            f"{name}: expected a JSON array of objects; for one object per line use .jsonl"
        )
    return data


def _json_records(
    path: str, name: str, fields: FieldNames, max_bytes: int | None
) -> Generator[Record, None, None]:
    try:
        with _open_binary(path) as f:
            raw = f.read()
    except _decompression_errors() as exc:
        yield _unreadable(name, exc)
        return
    try:
        data = json.loads(raw)
    except UnicodeDecodeError:
        yield Record(name, name, error=_not_utf8(name))
        return
    except json.JSONDecodeError as exc:
        yield Record(name, name, error=f"{name}: not JSON ({exc.msg}, line {exc.lineno})")
        return
    except (ValueError, RecursionError):
        yield Record(name, name, error=f"{name}: not JSON")
        return
    rows = ((f"{name}[{i}]", row) for i, row in enumerate(_json_rows(data, name)))
    yield from _mapping_records(rows, fields, max_bytes)


class _RowTooLong(Exception):
    """Raised inside the CSV line feed when one row grows past the size limit."""


def _csv_rows(
    lines: Iterable[str], delimiter: str, max_chars: int | None
) -> Iterator[tuple[int, list[str] | None, str | None]]:
    """``(first line, fields, error)`` for every CSV row of ``lines``.

    A row that is not valid CSV (a quote never closed, text after a closing
    quote) or longer than ``max_chars`` is reported with ``fields`` None, and
    parsing starts again on the line after its first: a stray quote costs one
    row, not the rest of the file.  When the lines the open quote swallowed
    before the parser stumbled do not all read as rows of the header's width
    (a blank line, a sentence with no comma: an article's paragraphs whose
    closing quote was lost), they belong to the broken row and parsing starts
    again where it stumbled, so no paragraph comes back as a record of its own.
    """
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)  # only ever raised: other users keep working
    numbered = enumerate(lines, 1)
    pending: deque[tuple[int, str]] = deque()
    consumed: list[tuple[int, str]] = []
    size = 0
    width: int | None = None

    def feed() -> Iterator[str]:
        nonlocal size
        while True:
            if pending:
                item = pending.popleft()
            else:
                next_item = next(numbered, None)
                if next_item is None:
                    return
                item = next_item
            consumed.append(item)
            size += len(item[1])
            if max_chars is not None and size > max_chars:
                raise _RowTooLong
            yield item[1]

    while True:
        reader = csv.reader(feed(), delimiter=delimiter, strict=True)
        try:
            for row in reader:
                start = consumed[0][0] if consumed else 0
                consumed.clear()
                size = 0
                if width is None and row:
                    width = len(row)  # the header's
                yield start, row, None
            return
        except (csv.Error, _RowTooLong) as exc:
            if not consumed:
                return
            start = consumed[0][0]
            swallowed = consumed[1:-1]  # read inside the open quote, before the parser stumbled
            if (
                isinstance(exc, csv.Error)
                and "end of data" not in str(exc)  # a quote open to the end: any rows after it
                and swallowed
                and width is not None
                and not all(_reads_as_row(line, delimiter, width) for _, line in swallowed)
            ):
                pending.appendleft(consumed[-1])
                message = (
                    f"is not valid CSV ({exc} on line {consumed[-1][0]}): lines {start}-"
                    f"{swallowed[-1][0]} are skipped as one row whose quote was never closed"
                )
            else:
                pending.extendleft(reversed(consumed[1:]))
                message = f"is not valid CSV ({exc}; a stray or unclosed quote?)"
            consumed.clear()
            size = 0
            if isinstance(exc, _RowTooLong):
                yield start, None, f"is longer than {(max_chars or 0) / 1e6:g} million characters "
                "(a quote opened and never closed?)"
            else:
                yield start, None, message


def _reads_as_row(line: str, delimiter: str, width: int) -> bool:
    """Whether ``line`` alone is a valid CSV row of exactly ``width`` fields."""
    try:
        rows = list(csv.reader([line], delimiter=delimiter, strict=True))
    except csv.Error:
        return False
    return len(rows) == 1 and len(rows[0]) == width


def _csv_records(
    path: str, name: str, fields: FieldNames, max_bytes: int | None, delimiter: str
) -> Generator[Record, None, None]:
    try:
        with _open_binary(path) as raw:
            text = TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="")
            limit = None if max_bytes is None else 2 * max_bytes
            rows = _csv_rows(text, delimiter, limit)
            header: list[str] | None = None
            key = ""
            for line, row, error in rows:
                where = f"{name}:{line}"
                if header is None:
                    if row == []:
                        continue
                    if row is None:
                        raise FieldError(f"{where}: the header row {error}")
                    header = row
                    key = _text_key(fields, header, name, "column")
                    continue
                if row == []:
                    continue
                if row is None:
                    yield Record(where, where, error=f"{where} {error}")
                elif len(row) > len(header):
                    yield Record(
                        where,
                        where,
                        error=f"{where} has {len(row)} fields, the header {len(header)} "
                        "(a stray or unclosed quote?)",
                    )
                elif any(_SURROGATE.search(value) for value in row):
                    yield Record(where, where, error=_not_utf8(where))
                else:
                    values = dict(zip(header, row + [None] * (len(header) - len(row)), strict=True))
                    yield _record(values, where, key, fields, max_bytes)
    except _decompression_errors() as exc:
        yield _unreadable(name, exc)


# --------------------------------------------------------------------------- datasets


def _load_saved_dataset(path: str) -> Any:
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


def _splits(dataset: Any) -> list[tuple[str | None, Any]]:
    """``(split name, rows)`` of a DatasetDict, or ``[(None, dataset)]`` for one Dataset."""
    if hasattr(dataset, "column_names") and isinstance(dataset.column_names, list):
        return [(None, dataset)]
    return [(split, dataset[split]) for split in dataset]


def _dataset_records(
    path: str, name: str, fields: FieldNames, max_bytes: int | None
) -> Generator[Record, None, None]:
    try:
        dataset = _load_saved_dataset(path)
    except MissingInputError:
        raise
    except InputError as exc:
        yield Record(name, name, error=str(exc))
        return
    for split, rows in _splits(dataset):
        prefix = name if split is None else f"{name}/{split}"
        numbered = ((f"{prefix}:{n}", row) for n, row in enumerate(rows, start=1))
        yield from _mapping_records(
            numbered, fields, max_bytes, columns=rows.column_names, source=prefix, split=split
        )
