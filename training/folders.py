"""The folders the training scripts write: checked before the work, written whole or not at all.

A model or dataset folder is written into a fresh folder beside it and moved into its
place only when complete, so an interrupted run (Ctrl-C, SIGTERM, a full disk) leaves
the folder it was to replace as it was, never half old and half new::

    refuse_to_replace(out, holds=model_of_type("baseline"), what="a baseline model")
    with staged_folder(out) as folder:
        ...  # write every file into ``folder``
    # ``out`` now holds them, and only them

A folder that holds something else (notes, another kind of model) is never replaced; a
symbolic link is followed (the folder it names is replaced, the link kept); a mount
point, which cannot be moved, is refused before the work.  A run killed outright leaves
its ``.NAME.partial-PID`` folder, which the next run beside it removes.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
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
    absent, an empty folder, or one that already ``holds`` such a thing, and not a mount
    point; ``InputError`` unless its parent is, or can be made, a writable folder.
    Called before the work, so that none is lost."""
    given = Path(folder)
    folder = _target(given)
    if Path.cwd() == folder or folder in Path.cwd().parents:
        raise OutputExistsError(
            f"{given} is the folder this runs in (or holds it): give a folder inside it"
        )
    if folder.exists():
        if not folder.is_dir():
            raise OutputExistsError(f"{given} exists and is not a folder; choose another output")
        if os.path.ismount(folder):
            raise OutputExistsError(
                f"{given} is a mount point, which cannot be replaced whole: give a folder inside it"
            )
        if any(folder.iterdir()) and not holds(folder):
            raise OutputExistsError(
                f"{given} holds files that are not {what}; refusing to replace them "
                "(choose another output folder, or empty that one)"
            )
    elif given.is_symlink():
        raise OutputExistsError(f"{given} is a link to nothing; choose another output")
    parent = folder.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot make the folder {parent} for {given}: {exc.strerror}") from None
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(f"cannot write in {parent}, where {given} would go")


@contextmanager
def staged_folder(folder: Path) -> Iterator[Path]:
    """A new, empty folder beside ``folder`` to write into; it replaces ``folder`` (whatever
    was there; through a symbolic link, the folder it names) when the block ends without
    an error, and is removed when the block or the replacing fails."""
    folder = _target(Path(folder))
    _sweep(folder)
    staging = folder.parent / f".{folder.name}.partial-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        yield staging
        old = folder.parent / f".{folder.name}.old-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        if folder.exists():
            folder.rename(old)
        try:
            staging.rename(folder)
        except BaseException:
            if old.exists() and not folder.exists():
                old.rename(folder)  # the old folder back under its name
            raise
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _target(folder: Path) -> Path:
    """``folder`` as an absolute path with a name ("." has none), through any symbolic
    link to the folder it names."""
    return folder.resolve() if folder.is_symlink() else Path(os.path.abspath(folder))


def _sweep(folder: Path) -> None:
    """Remove the staging folders beside ``folder`` that runs killed outright left (their
    process is gone)."""
    for leftover in folder.parent.glob(f".{folder.name}.partial-*"):
        pid = leftover.name.rsplit("-", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(leftover, ignore_errors=True)


def _alive(pid: int) -> bool:
    """Whether a process ``pid`` exists (one of another user's counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True
