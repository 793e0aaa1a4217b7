"""Reading articles: bytes -> text -> plain text -> ``Document``.

Accepts .txt, .md and .html files and standard input (``-``).  Decoding tries
a byte-order mark, UTF-16 without one, UTF-8, then cp1252, which takes any bytes
but five, so what it gives must read like prose.  Markup is stripped from HTML
and Markdown (``detector.markup``); of an HTML page only the main text is kept
(``detector.main_text``: the article without navigation, footers and banners, or
the whole visible text when no main text is found); the extracted plain text is
what every offset indexes.
Inputs larger than ``max_bytes`` are refused after reading at most that many
bytes, so memory stays bounded whatever is passed in.
"""

from __future__ import annotations

import codecs
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from detector.document import Document, make_document
from detector.errors import InputError, MissingInputError
from detector.markup import markdown_to_text

__all__ = [
    "DEFAULT_MAX_BYTES",
    "TEXT_SUFFIXES",
    "decode",
    "expand_inputs",
    "extract_plain_text",
    "format_size",
    "read_bytes",
    "read_document",
    "text_to_document",
]

DEFAULT_MAX_BYTES = 10_000_000
TEXT_SUFFIXES = (".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml")
_HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_MARKDOWN_SUFFIXES = (".md", ".markdown")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def read_bytes(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of ``path`` (``-`` for standard input), refusing more than ``max_bytes``."""
    name = str(path)
    if name == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
    else:
        p = Path(path)
        if not p.exists():
            raise MissingInputError(f"{name}: no such file")
        if p.is_dir():
            raise MissingInputError(
                f"{name} is a directory; pass an article file (folders are for `score "
                "--original`, `index` and `label`)"
            )
        try:
            with open(p, "rb") as f:
                data = f.read(max_bytes + 1)
        except OSError as exc:
            raise InputError(f"{name}: cannot read ({exc.strerror or exc})") from None
    if len(data) > max_bytes:
        many = ", far more than one article" if max_bytes >= 1_000_000 else ""
        raise InputError(
            f"{_display(name)} is larger than {format_size(max_bytes)}{many}; "
            "split it, or raise the limit with --max-bytes"
        )
    return data


def format_size(n_bytes: int) -> str:
    """``n_bytes`` for people: "1 byte", "100 bytes", "1.5 kB", "10 MB" (decimal units)."""
    if n_bytes < 1000:
        return f"{n_bytes} byte" if n_bytes == 1 else f"{n_bytes} bytes"
    value = float(n_bytes)
    for unit in ("kB", "MB", "GB", "TB"):
        value /= 1000
        shown = f"{value:.3g}"
        if float(shown) < 1000 or unit == "TB":
            return f"{float(shown):g} {unit}"
    raise AssertionError("unreachable")


def _display(name: str) -> str:
    return "standard input" if name == "-" else name


def _looks_utf16(data: bytes) -> str | None:
    """``utf-16-le``/``-be`` when NUL bytes sit in every other position, as in BOM-less UTF-16."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0) / (len(sample) / 2)
    odd = sample[1::2].count(0) / (len(sample) / 2)
    if odd > 0.3 and even < 0.05:
        return "utf-16-le"
    if even > 0.3 and odd < 0.05:
        return "utf-16-be"
    return None


def decode(data: bytes, name: str = "<input>", encoding: str | None = None) -> str:
    """Text of ``data``: as ``encoding`` if given, else by BOM, UTF-16, UTF-8 or cp1252."""
    if data.startswith(b"SQLite format 3\x00"):
        raise InputError(
            f"{_display(name)} is an SQLite file (an index made by `spindetect index`?), not an "
            "article: an index is read by `spindetect label --index`"
        )
    if encoding:
        try:
            return data.decode(encoding)
        except LookupError:
            raise InputError(f"unknown encoding {encoding!r}") from None
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{_display(name)} is not valid {encoding} (byte {exc.start}); "
                "try another --encoding"
            ) from None
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data[len(codecs.BOM_UTF8) :].decode("utf-8")
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16")
    except UnicodeDecodeError:
        raise InputError(
            f"{_display(name)} has a byte-order mark but is not valid Unicode; "
            "retry with --encoding (e.g. --encoding latin-1)"
        ) from None
    utf16 = _looks_utf16(data)
    if utf16:
        try:
            return data.decode(utf16)
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{_display(name)} looks like {utf16.upper()} text without a byte-order mark "
                f"but does not decode as it (byte {exc.start}), or it is binary; if it is "
                f"text, retry with --encoding (e.g. --encoding {utf16})"
            ) from None
    if b"\x00" in data:
        raise InputError(f"{_display(name)} looks binary (it contains NUL bytes), not an article")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    nearly = _nearly_utf8(data)
    if nearly is not None:
        return nearly
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise InputError(
            f"{_display(name)} is neither UTF-8, UTF-16 nor cp1252; "
            "retry with --encoding (e.g. --encoding latin-1)"
        ) from None
    oddity = _unlike_prose(text)
    if oddity:
        raise InputError(
            f"{_display(name)} does not look like text (not UTF-8, and as cp1252 {oddity}); "
            "pass --encoding (e.g. --encoding cp1252) if it is"
        )
    return text


# A UTF-8 sequence of two to four bytes: a lead byte and its continuation bytes.
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def _nearly_utf8(data: bytes) -> str | None:
    """``data`` read as UTF-8 with its few stray bytes as U+FFFD, when it is UTF-8 but for
    them (curly quotes or accents written in UTF-8, at most one stray byte in a
    thousand); None otherwise.  Read as cp1252 instead, every curly quote and accent
    of such a file would come out garbled ("It\u00e2\u20ac\u2122s")."""
    text = data.decode("utf-8", errors="replace")
    stray = text.count("\ufffd") - data.count("\ufffd".encode())
    if 0 < stray <= max(1, len(data) // 1000) and _UTF8_MULTIBYTE.search(data):
        return text
    return None


# Measured on news prose in English, French, German and Icelandic, and (in brackets) on random
# bytes read as cp1252: at most 30% of the visible characters are non-ASCII (50-100%), 89% or
# more are letters or digits (60-64%), and whitespace comes every 3 to 7 visible characters
# (every 70 to 150).
_MAX_NON_ASCII = 0.45
_MIN_ALNUM = 0.7
_MIN_SPACING = 0.04  # whitespace characters per visible character
_MIN_SAMPLE = 20  # visible characters; below this the statistics say little


def _unlike_prose(text: str) -> str | None:
    """What makes ``text`` (decoded as cp1252 for want of a better guess) unlike prose, if anything.

    Catches random or binary bytes without NUL, which cp1252 decodes without complaint.
    """
    sample = text[:65536]
    spaces = sum(map(str.isspace, sample))
    visible = len(sample) - spaces
    if visible < _MIN_SAMPLE:
        return None
    if visible - len(sample.encode("ascii", "ignore")) + spaces > _MAX_NON_ASCII * visible:
        return "it is mostly non-ASCII symbols and letters"
    if sum(map(str.isalnum, sample)) < _MIN_ALNUM * visible:
        return "it is mostly symbols"
    if visible >= 100 and spaces < _MIN_SPACING * visible:
        return "it has almost no spaces"
    return None


# Markdown's marks that plain text rarely has: a "# " heading line, a link or image
# "[text](target)", strong emphasis "**text**", a code fence.
_MARKDOWN_MARKS = {
    "heading": re.compile(r"^#{1,6}[ \t]+\S", re.MULTILINE),
    "link": re.compile(r"!?\[[^\]\n]{1,200}\]\((?:https?://|/|\.|#)[^)\s]{0,500}\)"),
    "strong": re.compile(r"(?<![*\w])\*\*[^*\s](?:[^*\n]{0,200}[^*\s])?\*\*(?![*\w])"),
    "fence": re.compile(r"^(?:```|~~~)", re.MULTILINE),
}


def _sniff_format(text: str) -> str:
    head = text[:2048].lstrip().lower()
    if head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in head):
        return "html"
    sample = text[:65536]
    marks = sum(1 for mark in _MARKDOWN_MARKS.values() if mark.search(sample))
    return "markdown" if marks >= 2 else "text"


def extract_plain_text(text: str, kind: str) -> str:
    """Plain text of ``text`` written as ``kind`` (``text``, ``markdown`` or ``html``).

    Of ``html``, the main text (``detector.main_text.html_main_text``).
    """
    if kind == "html":
        from detector.main_text import html_main_text  # trafilatura: for HTML only

        return html_main_text(text)
    if kind == "markdown":
        return markdown_to_text(text)
    if kind == "text":
        return text
    raise ValueError(f"the 'kind' parameter must be 'text', 'markdown' or 'html', got {kind!r}")


def _kind_of(name: str, text: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in _HTML_SUFFIXES:
        return "html"
    if suffix in _MARKDOWN_SUFFIXES:
        return "markdown"
    if suffix in (".txt", ".text"):
        # A web page saved under a text name is still a page (a helper's "Save as .txt"):
        # only a whole HTML document, so a text quoting markup stays text.
        return "html" if _whole_html_page(text) else "text"
    return _sniff_format(text)


_PAGE_PROLOG = re.compile(r"(?:\s|<\?xml[^>]*\?>|<!--.*?-->)*", re.DOTALL)


def _whole_html_page(text: str) -> bool:
    """Whether ``text`` is an HTML document: it opens (after a byte-order mark, an XML
    prolog or comments such as a browser's "saved from") with ``<!DOCTYPE html`` or
    ``<html`` and holds a ``<head``, ``<body`` or ``</html``."""
    head = text[:65536].lstrip("\ufeff")
    head = head[_PAGE_PROLOG.match(head).end() :].lower()
    return head.startswith(("<!doctype html", "<html")) and any(
        tag in head for tag in ("<head", "<body", "</html")
    )


def text_to_document(text: str, name: str, kind: str = "text") -> Document:
    """A ``Document`` from already-decoded ``text``, refusing binary or wordless input."""
    if _CONTROL.search(text[:65536]) and len(_CONTROL.findall(text[:65536])) > 8:
        raise InputError(f"{_display(name)} looks binary (control characters), not an article")
    if "\r" in text and "\n" not in text:  # old Mac line ends: CR alone breaks the lines
        text = text.replace("\r", "\n")  # one character for one: every offset stays
    plain = extract_plain_text(text, kind)
    if not plain.strip():
        raise InputError(
            f"{_display(name)} is empty" if not text.strip() else f"{_display(name)} has no text"
        )
    document = make_document(plain, name="<stdin>" if name == "-" else name)
    if not document.words:
        raise InputError(f"{_display(name)} has no words")
    return document


def read_document(
    path: str | Path,
    *,
    encoding: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Document:
    """Read one article file (or ``-`` for standard input) into a ``Document``."""
    name = str(path)
    data = read_bytes(path, max_bytes)
    if not data.strip():
        raise InputError(f"{_display(name)} is empty")
    text = decode(data, name, encoding)
    return text_to_document(text, name, _kind_of(name, text))


def expand_inputs(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files named by ``paths``: files as given, folders searched for article files."""
    for path in paths:
        p = Path(path)
        if str(path) == "-":
            yield p
        elif p.is_dir():
            found = sorted(
                f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in TEXT_SUFFIXES
            )
            if not found:
                raise MissingInputError(f"{p} holds no article files ({', '.join(TEXT_SUFFIXES)})")
            yield from found
        elif p.exists():
            yield p
        else:
            raise MissingInputError(f"{p}: no such file or directory")
