"""Reading article collections into ``TextRecord``s: local files, folders, or the Hugging Face hub.

A corpus is named by one string, a *spec*:

- a JSON Lines file (``.jsonl``/``.ndjson``, optionally ``.xz``/``.gz``/``.bz2``
  compressed), a JSON array file (``.json``) or a CSV file (``.csv``/``.tsv``, also
  compressible).  Each row needs a text column (``text``, else ``article``,
  ``document``, ``content``, ``body`` or ``story``) and may carry an ``id``, a story
  key (``story_id``, ``story``, ``topic``, else ``title``), a ``title`` and a ``level``;
- a folder of ``.txt``, ``.md`` or ``.html`` files (markup is stripped as
  ``spindetect`` strips it).  Files in a subfolder form one story (several versions
  of one article); a file directly in the folder is its own story;
- anything else is a Hugging Face hub dataset, ``NAME[:CONFIG][@SPLIT]`` (for
  example ``cnn_dailymail:3.0.0@train``), loaded with ``datasets.load_dataset`` for
  users who are online.

The story key matters: the dataset builder splits by story, so that versions of
one article (OneStopEnglish's three reading levels, syndicated copies) never land
in both the training and the test split.

Texts are lightly cleaned on the way in (``clean_text``): ligatures and
mis-decoded Windows quotes are repaired, leftover wiki markup is removed, and
trailing spaces are dropped.  Nothing else changes, so offsets computed later
index the cleaned text.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import html
import io
import json
import lzma
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from detector.errors import InputError, MissingInputError

__all__ = [
    "TEXT_FIELDS",
    "TextRecord",
    "clean_text",
    "is_local_spec",
    "load_corpus",
    "read_csv",
    "read_hub_dataset",
    "read_json",
    "read_jsonl",
    "read_text_folder",
]

TEXT_FIELDS = ("text", "article", "document", "content", "body", "story")
_ID_FIELDS = ("id", "doc_id", "uid", "guid")
_STORY_FIELDS = ("story_id", "story", "topic", "title")
_TITLE_FIELDS = ("title", "headline")
_COMPRESSED = {".xz": lzma.open, ".gz": gzip.open, ".bz2": bz2.open}
_JSONL_SUFFIXES = (".jsonl", ".ndjson")
_CSV_SUFFIXES = (".csv", ".tsv")
_LOCAL_SUFFIXES = (*_JSONL_SUFFIXES, *_CSV_SUFFIXES, ".json")

_LIGATURES = str.maketrans(
    {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl"}
)
# C1 control characters left by text that was cp1252 but decoded as latin-1.
_C1_QUOTES = str.maketrans(
    {
        "\x91": "\u2018",
        "\x92": "\u2019",
        "\x93": "\u201c",
        "\x94": "\u201d",
        "\x96": "\u2013",
        "\x97": "\u2014",
    }
)
# Wikinews dumps: "{{byline|date" fused to the article's first word minus its first letter.
_BYLINE = re.compile(
    r"^[ \t]*\{\{byline\|date(?:\{[^}]*\}\}?)?[^\s\[{'\"]*[ \t]*(\w?)", re.I | re.M
)
_TEMPLATE = re.compile(r"\{\{?[a-z]+\}\}", re.I)
_ORPHAN_CAPTION = re.compile(r"^[^\[\n]*\]\][ \t]*(?:\n|$)", re.M)
_WIKI_LINK = re.compile(r"\[?\[(?:w:)?[^\[\]|]*\|([^\[\]]*)\]\]")
_ENTITY = re.compile(r"&(?:[a-z]+|#\d+|#x[0-9a-f]+);", re.I)
_TRAILING_SPACE = re.compile(r"[ \t]+(?=\r?\n|$)")


@dataclass(frozen=True)
class TextRecord:
    """One article of a corpus.

    Attributes
    ----------
    id : str
        Unique within the corpus.
    story_id : str
        Key shared by every version of one story (all OneStopEnglish levels of a topic).
    text : str
        The article's plain text.
    title : str
        Headline, when the corpus has one.
    level : str
        Version within the story ("adv", "int", "ele" in OneStopEnglish), or "".
    source : str
        Name of the corpus it came from.
    """

    id: str
    story_id: str
    text: str
    title: str = ""
    level: str = ""
    source: str = ""


def clean_text(text: str) -> str:
    """``text`` with ligatures, mis-decoded quotes, wiki leftovers and trailing spaces repaired."""
    text = text.translate(_LIGATURES).translate(_C1_QUOTES)
    if "{" in text or "]]" in text:
        # "{{byline|date" ate the first letter of the article: drop the fragment left of the
        # first word and capitalise the next one.
        text = _BYLINE.sub(lambda m: m.group(1).upper(), text)
        text = _WIKI_LINK.sub(r"\1", text)
        text = _ORPHAN_CAPTION.sub("", text)
        text = _TEMPLATE.sub("", text)
    if "&" in text:
        text = _ENTITY.sub(lambda m: html.unescape(m.group()), text)
    return _TRAILING_SPACE.sub("", text).strip()


def _open_text(path: Path) -> TextIO:
    opener = _COMPRESSED.get(path.suffix.lower())
    try:
        if opener is not None:
            return io.TextIOWrapper(opener(path, "rb"), encoding="utf-8", newline="")  # type: ignore[operator]
        return open(path, encoding="utf-8", newline="")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None


def _logical_suffix(path: Path) -> str:
    """The format suffix, under any compression suffix ("a.jsonl.xz" -> ".jsonl")."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in _COMPRESSED:
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


def _source_name(path: Path) -> str:
    name = path.name
    for suffix in reversed(path.suffixes):
        if name.lower().endswith(suffix.lower()):
            name = name[: -len(suffix)]
    return name or path.name


def _pick(row: Mapping[str, Any], fields: Iterable[str]) -> str:
    for field in fields:
        value = row.get(field)
        if value is not None and str(value).strip():
            return str(value).strip()
    return ""


def _records(
    rows: Iterable[tuple[str, Mapping[str, Any]]],
    source: str,
    text_field: str | None,
    limit: int | None,
) -> Iterator[TextRecord]:
    """Map raw rows (with a position label for messages) to records with unique ids."""
    seen: dict[str, int] = {}
    produced = 0
    for where, row in rows:
        if limit is not None and produced >= limit:
            return
        if not isinstance(row, Mapping):
            raise InputError(
                f"{where}: expected an object with a text field, got {type(row).__name__}"
            )
        fields = (text_field,) if text_field else TEXT_FIELDS
        raw = next((row[f] for f in fields if f in row and row[f] is not None), None)
        if raw is None:
            if text_field:
                raise InputError(f"{where}: no {text_field!r} field")
            raise InputError(
                f"{where}: no text field ({', '.join(TEXT_FIELDS)}); "
                "name the field with --text-field"
            )
        text = clean_text(str(raw))
        if not text:
            continue
        level = _pick(row, ("level",))
        story = _pick(row, _STORY_FIELDS)
        record_id = _pick(row, _ID_FIELDS) or (f"{story}-{level}" if story and level else "")
        if not record_id and _pick(row, ("path",)):
            record_id = Path(_pick(row, ("path",))).with_suffix("").as_posix()
        record_id = record_id or story or f"{source}-{produced:06d}"
        story = story or record_id
        if record_id in seen:  # keep ids unique whatever the corpus does
            seen[record_id] += 1
            record_id = f"{record_id}#{seen[record_id]}"
        else:
            seen[record_id] = 0
        produced += 1
        yield TextRecord(
            id=record_id,
            story_id=story,
            text=text,
            title=_pick(row, _TITLE_FIELDS),
            level=level,
            source=source,
        )


def read_jsonl(
    path: str | Path, *, text_field: str | None = None, limit: int | None = None
) -> Iterator[TextRecord]:
    """Records from a JSON Lines file (one object per line; may be xz/gz/bz2-compressed)."""
    path = Path(path)

    def rows() -> Iterator[tuple[str, Mapping[str, Any]]]:
        with _open_text(path) as f:
            for lineno, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    yield f"{path}:{lineno}", json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(f"{path}:{lineno}: not JSON ({exc.msg})") from None

    yield from _records(rows(), _source_name(path), text_field, limit)


def read_json(
    path: str | Path, *, text_field: str | None = None, limit: int | None = None
) -> Iterator[TextRecord]:
    """Records from a JSON file holding an array of objects (or ``{"data": [...]}``)."""
    path = Path(path)
    with _open_text(path) as f:
        try:
            data = json.load(f)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}: not JSON ({exc.msg}, line {exc.lineno})") from None
    if isinstance(data, Mapping):
        data = next((v for v in data.values() if isinstance(v, list)), None)
    if not isinstance(data, list):
        raise InputError(
            f"{path}: expected a JSON array of objects; for one object per line use .jsonl"
        )
    rows = ((f"{path}[{i}]", row) for i, row in enumerate(data))
    yield from _records(rows, _source_name(path), text_field, limit)


def read_csv(
    path: str | Path, *, text_field: str | None = None, limit: int | None = None
) -> Iterator[TextRecord]:
    """Records from a CSV (or, for ``.tsv``, tab-separated) file with a header row."""
    path = Path(path)
    delimiter = "\t" if _logical_suffix(path) == ".tsv" else ","

    def rows() -> Iterator[tuple[str, Mapping[str, Any]]]:
        with _open_text(path) as f:
            reader = csv.DictReader(f, delimiter=delimiter)
            try:
                for row in reader:
                    yield f"{path}:{reader.line_num}", row
            except csv.Error as exc:
                raise InputError(f"{path}:{reader.line_num}: not valid CSV ({exc})") from None

    yield from _records(rows(), _source_name(path), text_field, limit)


def read_text_folder(path: str | Path, *, limit: int | None = None) -> Iterator[TextRecord]:
    """Records from a folder of .txt/.md/.html files; a subfolder's files form one story."""
    from detector.io import expand_inputs, read_document

    folder = Path(path)
    files = list(expand_inputs([folder]))

    def rows() -> Iterator[tuple[str, Mapping[str, Any]]]:
        for file in files:
            relative = file.relative_to(folder)
            story = (
                relative.parts[0]
                if len(relative.parts) > 1
                else relative.with_suffix("").as_posix()
            )
            text = read_document(file).text
            yield (
                str(file),
                {"id": relative.with_suffix("").as_posix(), "story_id": story, "text": text},
            )

    yield from _records(rows(), folder.name, None, limit)


def _parse_hub_spec(spec: str) -> tuple[str, str | None, str]:
    name, _, split = spec.partition("@")
    name, _, config = name.partition(":")
    return name, config or None, split or "train"


def read_hub_dataset(
    spec: str, *, text_field: str | None = None, limit: int | None = None
) -> Iterator[TextRecord]:
    """Records from a Hugging Face hub dataset ``NAME[:CONFIG][@SPLIT]`` (needs ``datasets``)."""
    try:
        import datasets
    except ImportError:
        raise InputError(
            f"reading the hub dataset {spec!r} needs the 'datasets' package: "
            "pip install 'spindetect[train]'"
        ) from None
    name, config, split = _parse_hub_spec(spec)
    if limit is not None:
        split = f"{split}[:{limit}]"
    try:
        data = datasets.load_dataset(name, config, split=split)
    except Exception as exc:  # network, authentication, unknown name or config: all user-fixable
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(
            f"could not load {spec!r} from the Hugging Face hub ({reason}); "
            "check the name and that you are online, or pass a local .jsonl/.csv file or folder"
        ) from None
    rows = ((f"{name}[{i}]", row) for i, row in enumerate(data))
    yield from _records(rows, name.rsplit("/", 1)[-1], text_field, limit)


def is_local_spec(spec: str) -> bool:
    """Whether ``spec`` names a local file or folder (existing, or with a local file suffix)."""
    path = Path(spec)
    return (
        path.exists()
        or _logical_suffix(path) in _LOCAL_SUFFIXES
        or spec.startswith((".", "/", "~"))
    )


def load_corpus(
    spec: str | Path, *, text_field: str | None = None, limit: int | None = None
) -> Iterator[TextRecord]:
    """Records of the corpus named by ``spec`` (see the module docstring for the forms).

    Parameters
    ----------
    spec : str or Path
        A local file or folder, or a hub dataset ``NAME[:CONFIG][@SPLIT]``.
    text_field : str, optional
        The column holding the article text, when it is not one of ``TEXT_FIELDS``.
    limit : int, optional
        Stop after this many records.

    Raises
    ------
    MissingInputError
        When a local path does not exist.
    InputError
        When the corpus cannot be read or lacks a text field.
    """
    if limit is not None and limit < 1:
        raise ValueError(f"the 'limit' parameter must be at least 1, got {limit!r}")
    spec = str(spec)
    path = Path(spec).expanduser()
    if not is_local_spec(spec):
        return read_hub_dataset(spec, text_field=text_field, limit=limit)
    if not path.exists():
        raise MissingInputError(f"{spec}: no such file or folder")
    if path.is_dir():
        return read_text_folder(path, limit=limit)
    suffix = _logical_suffix(path)
    if suffix in _JSONL_SUFFIXES:
        return read_jsonl(path, text_field=text_field, limit=limit)
    if suffix == ".json":
        return read_json(path, text_field=text_field, limit=limit)
    if suffix in _CSV_SUFFIXES:
        return read_csv(path, text_field=text_field, limit=limit)
    raise InputError(
        f"{spec}: unknown corpus format {suffix or '(no suffix)'!r}; "
        "use .jsonl, .json, .csv or .tsv (optionally .xz/.gz/.bz2), or a folder of .txt files"
    )
