"""Writing reports: to standard output, or to a file that a failed write leaves as it was."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import sys
from pathlib import Path

__all__ = ["silence_stdout", "write_file_atomically", "write_stdout"]


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
