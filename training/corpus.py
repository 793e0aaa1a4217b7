"""Reading article collections into ``TextRecord``s: local files, folders, or the Hugging Face hub.

A corpus is named by one string, a *spec*:

- a JSON Lines file (``.jsonl``/``.ndjson``, optionally ``.xz``/``.gz``/``.bz2``
  compressed), a JSON array file (``.json``), a CSV file (``.csv``/``.tsv``, also
  compressible) or a folder written by ``datasets``' ``save_to_disk``, all read by
  the library's one corpus reader (``detector.corpus_reader``).  Each row needs a
  text column (``text``, else ``article``, ``document``, ``content``, ``body`` or
  ``story``: ``TEXT_FIELDS``) and may carry an ``id``, a story key (``story_id``,
  ``story``, ``topic``, else ``title``), a ``title`` and a ``level``;
- a folder of ``.txt``, ``.md`` or ``.html`` files (markup is stripped as
  ``spindetect`` strips it).  Files in a subfolder form one story (several versions
  of one article); a file directly in the folder is its own story;
- anything else is a Hugging Face hub dataset, ``[hub:]NAME[:CONFIG][@SPLIT]`` (for
  example ``cnn_dailymail:3.0.0@train``), loaded with ``datasets.load_dataset`` for
  users who are online.

Unlike ``spindetect label``, which records a bad row and goes on, a corpus for
training must be sound: the first row that cannot be read raises ``InputError``.

The story key matters: the dataset builder splits by story, so that versions of
one article (OneStopEnglish's three reading levels, syndicated copies) never land
in both the training and the test split.

Texts are lightly cleaned on the way in (``clean_text``): ligatures and
mis-decoded Windows quotes are repaired, leftover wiki markup is removed, and
trailing spaces are dropped.  Nothing else changes, so offsets computed later
index the cleaned text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from detector.corpus_reader import (
    HUB_PREFIX,
    TEXT_FIELDS,
    FieldNames,
    Record,
    UniqueIds,
    is_saved_dataset,
    normalise_id,
    parse_hub_spec,
    read_hub,
    read_records,
    record_format,
)
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

_ID_FIELDS = ("id", "doc_id", "uid", "guid")
_STORY_FIELDS = ("story_id", "story", "topic", "title")
_TITLE_FIELDS = ("title", "headline")

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


def _source_name(path: Path) -> str:
    name = path.name
    for suffix in reversed(path.suffixes):
        if name.lower().endswith(suffix.lower()):
            name = name[: -len(suffix)]
    return name or path.name


def _pick(row: Mapping[str, Any], fields: Iterable[str]) -> str:
    """The first non-blank of ``fields`` in ``row``, stripped and always encodable, or ""."""
    return next((v for v in (normalise_id(row.get(f)) for f in fields) if v is not None), "")


def _records(records: Iterable[Record], source: str, limit: int | None) -> Iterator[TextRecord]:
    """The reader's records as cleaned ``TextRecord``s with unique ids; a bad row raises."""
    ids = UniqueIds()
    produced = 0
    for record in records:
        if limit is not None and produced >= limit:
            return
        if record.error is not None or record.text is None:
            raise InputError(record.error or f"{record.where}: no text")
        text = clean_text(record.text)
        if not text:
            continue
        row = record.fields
        level = _pick(row, ("level",))
        story = _pick(row, _STORY_FIELDS)
        record_id = _pick(row, _ID_FIELDS) or (f"{story}-{level}" if story and level else "")
        if not record_id and _pick(row, ("path",)):
            record_id = Path(_pick(row, ("path",))).with_suffix("").as_posix()
        record_id = record_id or story or f"{source}-{produced:06d}"
        story = story or record_id
        record_id = ids.claim(record_id)  # keep ids unique whatever the corpus does
        produced += 1
        yield TextRecord(
            id=record_id,
            story_id=story,
            text=text,
            title=_pick(row, _TITLE_FIELDS),
            level=level,
            source=source,
        )


def _read_file(path: str | Path, text_field: str | None, limit: int | None) -> Iterator[TextRecord]:
    """Records of a corpus file or saved dataset, read by ``detector.corpus_reader``."""
    path = Path(path)
    rows = read_records(path, FieldNames(text=text_field or None), name=str(path))
    return _records(rows, _source_name(path), limit)


def read_jsonl(
    path: str | Path, *, text_field: str | None = None, limit: int | None = None
) -> Iterator[TextRecord]:
    """Records from a JSON Lines file (one object per line; may be xz/gz/bz2-compressed)."""
    yield from _read_file(path, text_field, limit)


def read_json(
    path: str | Path, *, text_field: str | None = None, limit: int | None = None
) -> Iterator[TextRecord]:
    """Records from a JSON file holding an array of objects (or ``{"data": [...]}``)."""
    yield from _read_file(path, text_field, limit)


def read_csv(
    path: str | Path, *, text_field: str | None = None, limit: int | None = None
) -> Iterator[TextRecord]:
    """Records from a CSV (or, for ``.tsv``, tab-separated) file with a header row."""
    yield from _read_file(path, text_field, limit)


def read_text_folder(path: str | Path, *, limit: int | None = None) -> Iterator[TextRecord]:
    """Records from a folder of .txt/.md/.html files; a subfolder's files form one story."""
    from detector.io import expand_inputs, read_document

    folder = Path(path)
    files = list(expand_inputs([folder]))

    def rows() -> Iterator[Record]:
        for file in files:
            relative = file.relative_to(folder)
            story = (
                relative.parts[0]
                if len(relative.parts) > 1
                else relative.with_suffix("").as_posix()
            )
            text = read_document(file).text
            fields = {"id": relative.with_suffix("").as_posix(), "story_id": story}
            yield Record(str(file), fields["id"], text, fields)

    yield from _records(rows(), folder.name, limit)


def read_hub_dataset(
    spec: str, *, text_field: str | None = None, limit: int | None = None
) -> Iterator[TextRecord]:
    """Records from the hub dataset ``[hub:]NAME[:CONFIG][@SPLIT]`` (needs ``datasets``)."""
    rows = read_hub(spec, FieldNames(text=text_field or None), limit=limit)
    name = parse_hub_spec(spec)[0]
    yield from _records(rows, name.rsplit("/", 1)[-1], limit)


def is_local_spec(spec: str) -> bool:
    """Whether ``spec`` names a local file or folder (existing, or with a local file suffix)."""
    path = Path(spec)
    if spec.startswith(HUB_PREFIX) and not path.exists():
        return False
    return path.exists() or record_format(path) is not None or spec.startswith((".", "/", "~"))


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
        if is_saved_dataset(path):
            return _read_file(path, text_field, limit)
        return read_text_folder(path, limit=limit)
    if record_format(path) is not None:
        return _read_file(path, text_field, limit)
    suffix = path.suffix.lower()
    raise InputError(
        f"{spec}: unknown corpus format {suffix or '(no suffix)'!r}; "
        "use .jsonl, .json, .csv or .tsv (optionally .xz/.gz/.bz2), a saved dataset, "
        "or a folder of .txt files"
    )
