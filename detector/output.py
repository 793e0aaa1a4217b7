"""Writing reports: to standard output, or to a file that a failed write leaves as it was."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
import sys
import unicodedata
from pathlib import Path

__all__ = [
    "format_from_suffix",
    "silence_stdout",
    "wrap_text",
    "write_file_atomically",
    "write_stdout",
]

# The format a file name asks for, by its extension (``--format`` when not given).
_SUFFIX_FORMATS = {".html": "html", ".htm": "html", ".json": "json", ".jsonl": "jsonl"}
# A colour or style escape: no width on a terminal.
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# What a text report never splits across lines: its marks, {new|original} (a swap),
# [new|original] (an edit), [+added+] and [-dropped-], plain or in colour (new, then the
# original dimmed in brackets).
_MARK = re.compile(
    r"\{[^{}|\n]*\|[^{}\n]*\}"
    r"|\[[^\[\]|\n]*\|[^\[\]\n]*\]"
    r"|\[\+[^\n]*?\+\]|\[-[^\n]*?-\]"
    r"|(?:\x1b\[[0-9;]*m)+[^\x1b\n]*\x1b\[0m\x1b\[2m\([^\x1b\n]*\)\x1b\[0m"
)
# A report header line, "label:" and the spaces that line its value up with the others'.
_LABEL = re.compile(r"[a-z]+:  +")
_KEEP_TOGETHER = "\x00"  # stands for a space inside a mark; never in a report (shown escaped)


def format_from_suffix(path: str | Path | None, choices: tuple[str, ...]) -> str | None:
    """The format among ``choices`` that the extension of ``path`` names, else None.

    >>> format_from_suffix("report.html", ("text", "json", "html"))
    'html'
    >>> format_from_suffix("report.txt", ("text", "json", "html")) is None
    True
    """
    if path is None:
        return None
    fmt = _SUFFIX_FORMATS.get(Path(path).suffix.lower())
    return fmt if fmt in choices else None


def wrap_text(text: str, width: int) -> str:
    r"""``text`` with every line longer than ``width`` columns wrapped at spaces.

    Words are never broken, nor are the report's marks (``{on account|because}``
    stays on one line); a word or mark wider than ``width`` gets a line of its
    own.  Colour escapes take no width.  A wrapped line's continuation keeps
    its indentation.  ``width`` < 1 leaves ``text`` as it is.

    >>> wrap_text("the {firm|company} stated {on account|because} of it", 28)
    'the {firm|company} stated\n{on account|because} of it'
    """
    if width < 1:
        return text
    return "\n".join(_wrap_line(line, width) for line in text.split("\n"))


def _visible_width(text: str) -> int:
    """Terminal columns of ``text``: colour escapes and combining marks take none, wide
    characters (CJK, most emoji) two."""
    plain = _ANSI.sub("", text)
    if plain.isascii():
        return len(plain)
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in plain
    )


def _wrap_line(line: str, width: int) -> str:
    if _visible_width(line) <= width:
        return line
    indent = line[: len(line) - len(line.lstrip(" "))]
    label = _LABEL.match(line)  # "swaps:     44 ...": continue under the value
    hang = " " * _visible_width(label.group()) if label else indent
    if len(hang) >= width // 2:
        hang = indent
    body = line[len(label.group()) if label else len(indent) :]
    kept = _MARK.sub(lambda m: m.group().replace(" ", _KEEP_TOGETHER), body)
    lines: list[str] = []
    lead = label.group() if label else indent
    current = ""
    for word in kept.split(" "):
        if current and _visible_width(lead + current + " " + word) > width:
            lines.append((lead + current).rstrip(" "))
            lead, current = hang, word
        else:
            current = f"{current} {word}" if current else word
    lines.append(lead + current)
    return "\n".join(lines).replace(_KEEP_TOGETHER, " ")


def write_stdout(text: str) -> None:
    """Write ``text`` and a final newline (if missing) to standard output, flushed.

    Raises ``OSError`` (``BrokenPipeError`` when the reader went away, others such as
    a full disk); call ``silence_stdout`` before exiting after one.
    """
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    sys.stdout.flush()


def silence_stdout() -> None:
    """Point standard output at the null device, so that Python's last flush cannot fail again.

    After a failed write the unwritten text stays buffered; without this, flushing it at
    exit would print a second error.
    """
    with contextlib.suppress(OSError, ValueError, AttributeError):
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, sys.stdout.fileno())
        finally:
            os.close(null)


def write_file_atomically(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path``, which afterwards holds all of it or what it held before.

    The text goes to a temporary file in the same folder, which then replaces ``path``, so a
    full disk or an interruption never leaves an empty or partial file.  An existing file keeps
    its permissions; a symbolic link is followed; a special file (a terminal, a pipe) is
    written directly.  Raises ``OSError``.
    """
    target = Path(os.path.realpath(path))
    if target.exists() and not target.is_file():
        if target.is_dir():
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        with open(target, "w", encoding="utf-8") as f:
            f.write(text)
        return
    data = text.encode("utf-8")
    temporary = target.with_name(f".{target.name[:200]}.{secrets.token_hex(4)}.tmp")
    try:
        with open(temporary, "xb") as f:
            f.write(data)
            f.flush()
            try:
                os.fsync(f.fileno())
            except OSError as exc:
                if exc.errno not in (errno.EINVAL, errno.ENOTSUP):  # cannot sync there: fine
                    raise
        if target.exists():
            shutil.copymode(target, temporary)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
