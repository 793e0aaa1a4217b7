"""Output folders of the training recipes: refused before the work, replaced whole or not."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from detector.errors import InputError, OutputExistsError
from training.folders import model_of_type, refuse_to_replace, staged_folder

HOLDS_BASELINE = model_of_type("baseline")


def _model(folder: Path, marker: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text('{"type": "baseline"}', encoding="utf-8")
    (folder / "weights").write_text(marker, encoding="utf-8")


def _contents(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.iterdir())}


def test_a_folder_is_replaced_whole_when_the_block_ends(tmp_path: Path) -> None:
    out = tmp_path / "model"
    _model(out, "old")
    (out / "stale").write_text("from the old model", encoding="utf-8")
    with staged_folder(out) as folder:
        _model(folder, "new")
    assert _contents(out) == {"config.json": '{"type": "baseline"}', "weights": "new"}
    assert [p.name for p in tmp_path.iterdir()] == ["model"]


@pytest.mark.parametrize("stop", [KeyboardInterrupt, OSError, RuntimeError])
def test_a_block_that_fails_leaves_the_old_folder_and_nothing_beside_it(
    tmp_path: Path, stop: type[BaseException]
) -> None:
    out = tmp_path / "model"
    _model(out, "old")
    with pytest.raises(stop), staged_folder(out) as folder:
        _model(folder, "half")
        raise stop
    assert _contents(out)["weights"] == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["model"]


def test_a_failed_move_puts_the_old_folder_back(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "model"
    _model(out, "old")
    real_rename = Path.rename

    def rename(self: Path, target: Path) -> Path:
        if self.name.startswith(".model.partial-"):
            raise OSError(16, "Device or resource busy")
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(OSError), staged_folder(out) as folder:
        _model(folder, "new")
    assert _contents(out)["weights"] == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["model"]


def test_a_link_is_followed_and_kept(tmp_path: Path) -> None:
    real, link = tmp_path / "disk" / "model", tmp_path / "model"
    _model(real, "old")
    link.symlink_to(real, target_is_directory=True)
    refuse_to_replace(link, holds=HOLDS_BASELINE, what="a baseline model")
    with staged_folder(link) as folder:
        _model(folder, "new")
    assert link.is_symlink() and _contents(real)["weights"] == "new"


def test_leftovers_of_a_killed_run_are_swept(tmp_path: Path) -> None:
    out = tmp_path / "model"
    gone = tmp_path / ".model.partial-999999999"  # no such process
    gone.mkdir()
    with staged_folder(out) as folder:
        _model(folder, "new")
    assert not gone.exists() and _contents(out)["weights"] == "new"


def test_what_cannot_be_replaced_is_refused_before_the_work(tmp_path: Path, monkeypatch) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "mine.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(OutputExistsError, match="not a baseline model"):
        refuse_to_replace(notes, holds=HOLDS_BASELINE, what="a baseline model")
    a_file = tmp_path / "file"
    a_file.write_text("x", encoding="utf-8")
    with pytest.raises(OutputExistsError, match="not a folder"):
        refuse_to_replace(a_file, holds=HOLDS_BASELINE, what="a baseline model")
    with pytest.raises(InputError, match="cannot make the folder"):
        refuse_to_replace(a_file / "model", holds=HOLDS_BASELINE, what="a baseline model")
    monkeypatch.chdir(notes)
    with pytest.raises(OutputExistsError, match="the folder this runs in"):
        refuse_to_replace(Path("."), holds=HOLDS_BASELINE, what="a baseline model")
    empty = tmp_path / "mounted"
    empty.mkdir()
    monkeypatch.setattr(os.path, "ismount", lambda path: Path(path) == empty)
    with pytest.raises(OutputExistsError, match="mount point"):
        refuse_to_replace(empty, holds=HOLDS_BASELINE, what="a baseline model")
    refuse_to_replace(tmp_path / "new" / "model", holds=HOLDS_BASELINE, what="a baseline model")
