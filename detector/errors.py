"""Exceptions the library raises for conditions a user can fix.

The CLI turns each into a one-line ``Error: ...`` message and its ``exit_code``
(2 for usage mistakes, 1 for failures); nothing here prints.
"""

from __future__ import annotations

__all__ = [
    "CorruptIndexError",
    "IndexInUseError",
    "IndexWriteError",
    "InputError",
    "MissingInputError",
    "ModelNotFoundError",
    "OutputExistsError",
    "ResourceError",
    "SpindetectError",
]


class SpindetectError(Exception):
    """Base class: a problem the user can act on, described in one line."""

    exit_code = 1


class InputError(SpindetectError):
    """An input that exists but cannot be used: empty, binary, undecodable or too large."""


class MissingInputError(InputError):
    """An input path that does not exist or holds no readable texts."""

    exit_code = 2


class OutputExistsError(InputError):
    """An output file that exists where a run would start it afresh (a usage mistake:
    the flag that continues it, or removing it, is what was meant)."""

    exit_code = 2


class ModelNotFoundError(SpindetectError):
    """A model that is not installed or not at the given path."""


class ResourceError(SpindetectError):
    """A bundled resource (thesaurus, phrase table) that is missing or damaged."""


class CorruptIndexError(SpindetectError):
    """An index file that is damaged, foreign, or of an unknown format version."""


class IndexInUseError(SpindetectError):
    """An index file that another process is writing (it holds the file's writer lock)."""


class IndexWriteError(SpindetectError):
    """An index file that cannot be written: read-only folder, full disk, no permission."""

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(f"cannot write the index {path} ({reason})")
        self.path = path
        self.reason = reason

    def __reduce__(self) -> tuple[type, tuple[object, str]]:
        return type(self), (self.path, self.reason)
