"""The folders the training scripts write: checked before the work, written whole or not at all.

A model or dataset folder is written into a fresh folder beside it and moved into its
place only when complete, so an interrupted run (Ctrl-C, a full disk, a kill) leaves the
folder it was to replace as it was, never half old and half new::

    refuse_to_replace(out, holds=model_of_type("baseline"), what="a baseline model")
    with staged_folder(out) as folder:
        ...  # write every file into ``folder``
    # ``out`` now holds them, and only them

A folder that holds something else (notes, another kind of model) is never replaced.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from detector.errors import InputError, OutputExistsError

__all__ = ["model_of_type", "refuse_to_replace", "saved_dataset", "staged_folder"]


def model_of_type(kind: str) -> Callable[[Path], bool]:
    """A test of whether a folder holds a spindetect model of ``type`` ``kind``."""

    def holds(folder: Path) -> bool:
        try:
            config = json.loads((folder / "config.json").read_text("utf-8"))
        except (OSError, ValueError):
            return False
        return isinstance(config, dict) and config.get("type") == kind

    return holds


def saved_dataset(folder: Path) -> bool:
    """Whether ``folder`` holds a ``datasets.DatasetDict`` saved with ``save_to_disk``."""
    return (folder / "dataset_dict.json").is_file()


def refuse_to_replace(folder: Path, *, holds: Callable[[Path], bool], what: str) -> None:
    """Raise ``OutputExistsError`` unless ``folder`` may be written with ``what``: it is
    absent, an empty folder, or one that already ``holds`` such a thing; ``InputError``
    unless its parent is, or can be made, a writable folder.  Called before the work, so
    that none is lost."""
    if folder.exists() or folder.is_symlink():
        if not folder.is_dir():
            raise OutputExistsError(f"{folder} exists and is not a folder; choose another output")
        if any(folder.iterdir()) and not holds(folder):
            raise OutputExistsError(
                f"{folder} holds files that are not {what}; refusing to replace them "
                "(choose another output folder, or empty that one)"
            )
    parent = folder.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot make the folder {parent} for {folder}: {exc.strerror}") from None
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(f"cannot write in {parent}, where {folder} would go")


@contextmanager
def staged_folder(folder: Path) -> Iterator[Path]:
    """A new, empty folder beside ``folder`` to write into; it replaces ``folder`` (whatever
    was there) when the block ends without an error, and is removed when it raises."""
    folder = Path(folder)
    staging = folder.parent / f".{folder.name}.partial-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    old = folder.parent / f".{folder.name}.old-{os.getpid()}"
    if folder.exists() or folder.is_symlink():
        folder.rename(old)
    staging.rename(folder)
    if old.is_dir() and not old.is_symlink():
        shutil.rmtree(old, ignore_errors=True)
    elif old.exists() or old.is_symlink():
        old.unlink()
