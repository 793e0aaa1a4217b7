"""The writer lock of an index file: one writing process at a time, the others refused at once.

A process writing an index (``SourceIndex.create``, ``SourceIndex.open(...,
writable=True)``, ``build_index``) holds an exclusive ``flock`` on
``INDEX.lock``, a file beside the index that holds the writer's PID.  Another
writer fails at once with ``IndexInUseError`` ("INDEX is in use by PID n")
instead of waiting or overwriting.  The kernel drops the lock when its process
ends, however it ends, so a killed writer leaves at most a stale ``INDEX.lock``
that the next writer takes over; a writer that finishes removes the file.
Readers take no lock.  The lock is advisory: it keeps spindetect writers apart,
not other programs.
"""

from __future__ import annotations

import os
import time
from contextlib import suppress
from pathlib import Path

from detector.errors import IndexInUseError, IndexWriteError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no flock, writers are not kept apart
    fcntl = None  # type: ignore[assignment]

__all__ = ["WriterLock", "lock_path"]

_PID_WAIT_SECONDS = 0.2  # how long to wait for a new holder to write its PID


def lock_path(path: str | Path) -> Path:
    """The lock file of the index ``path``: ``path`` with ``.lock`` appended."""
    path = Path(path)
    return path.with_name(path.name + ".lock")


class WriterLock:
    """The exclusive writer lock of one index file, held from ``acquire`` until ``release``.

    Examples
    --------
    >>> with WriterLock.acquire("archive.sdx"):                # doctest: +SKIP
    ...     ...  # the only process writing archive.sdx
    """

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, path: str | Path) -> WriterLock:
        """The writer lock of the index ``path``.

        Raises ``IndexInUseError`` at once when another process holds it, and
        ``IndexWriteError`` when the lock file cannot be written (read-only
        folder, full disk, missing folder).
        """
        path = Path(path)
        file = lock_path(path)
        while True:
            try:
                fd = os.open(file, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise IndexWriteError(path, _reason(exc)) from None
            if fcntl is None:  # pragma: no cover
                break
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                pid = _holder(fd)
                os.close(fd)
                holder = f"PID {pid}" if pid else "another process"
                raise IndexInUseError(
                    f"{path} is in use by {holder}; try again once it has finished"
                ) from None
            except OSError as exc:
                os.close(fd)
                raise IndexWriteError(path, f"cannot lock {file}: {_reason(exc)}") from None
            # A holder that was finishing may have removed the file between our open and our
            # flock: the lock we got is then on a file no other writer will open.  Start again.
            try:
                current = os.stat(file)
            except FileNotFoundError:
                current = None
            except OSError as exc:
                os.close(fd)
                raise IndexWriteError(path, _reason(exc)) from None
            if current is not None and os.path.samestat(os.fstat(fd), current):
                break
            os.close(fd)
        lock = cls(path, fd)
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        except OSError as exc:
            lock.release()
            raise IndexWriteError(path, _reason(exc)) from None
        return lock

    @property
    def held(self) -> bool:
        """Whether this lock is still held."""
        return self._fd is not None

    def release(self) -> None:
        """Give the lock up and remove the lock file; nothing happens when already released."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        with suppress(OSError):
            os.unlink(lock_path(self.path))  # while still held: see the check in acquire
        with suppress(OSError):
            os.close(fd)

    def __enter__(self) -> WriterLock:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.release()

    def __repr__(self) -> str:
        return f"WriterLock({str(self.path)!r}, held={self.held})"


def _holder(fd: int) -> int | None:
    """The PID written in a lock file someone else holds (None when not written yet)."""
    deadline = time.monotonic() + _PID_WAIT_SECONDS
    while True:
        with suppress(OSError, ValueError):
            return int(os.pread(fd, 32, 0).decode("ascii").strip())
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.01)


def _reason(exc: OSError) -> str:
    """An OSError's reason in words ("Read-only file system"), without the path."""
    return exc.strerror or str(exc) or type(exc).__name__
