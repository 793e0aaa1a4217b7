"""Index writers must not lose data: concurrent writers, failing disks, ids across directories.

Concurrent writers are *refused*, not queued: the second one fails at once with
"OUT is in use by PID n" (exit code 1) and changes nothing.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import resource
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from detector.document import make_document
from detector.errors import IndexInUseError, IndexWriteError
from detector.index import SourceIndex
from detector.index_build import build_index
from detector.index_lock import WriterLock, lock_path

from .batch_helpers import ARTICLES, UNRELATED, write_jsonl, write_originals

_SCRIPT = Path(sys.executable).with_name("spindetect")
CLI = (
    [str(_SCRIPT)]
    if _SCRIPT.exists()
    else [sys.executable, "-c", "from detector.cli import app; app()"]
)
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "NO_COLOR": "1"}


def spindetect(*args: object, cwd: Path | None = None, **kwargs) -> subprocess.CompletedProcess:
    """``spindetect ARGS`` run as a separate process."""
    return subprocess.run(
        [*CLI, *map(str, args)],
        capture_output=True, text=True, timeout=120, cwd=cwd, env=ENV, **kwargs,
    )  # fmt: skip


def one_error_line(result: subprocess.CompletedProcess) -> str:
    """The single ``Error: ...`` line a failed command printed (and nothing else)."""
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


def leftovers(folder: Path) -> list[str]:
    """Temporary and lock files of index builds left in ``folder``."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".partial", ".lock")))


def paused_build(inputs: list[str], out: str, add: bool, started, proceed) -> None:
    """``build_index`` that stops after its first batch until ``proceed`` is set."""

    def pause(_done: int) -> None:
        started.set()
        proceed.wait(60)

    build_index(inputs, out, add=add, batch_size=2, on_progress=pause)


class PausedWriter:
    """A writer of an index in another process, held in the middle of its run."""

    def __init__(self, inputs: list[Path], out: Path, *, add: bool = False) -> None:
        context = multiprocessing.get_context("spawn")
        self.started, self.proceed = context.Event(), context.Event()
        self.process = context.Process(
            target=paused_build,
            args=([str(p) for p in inputs], str(out), add, self.started, self.proceed),
        )

    def __enter__(self) -> PausedWriter:
        self.process.start()
        assert self.started.wait(60), "the writer did not start"
        return self

    def finish(self) -> int:
        self.proceed.set()
        self.process.join(60)
        return self.process.exitcode

    def __exit__(self, *exc: object) -> None:
        if self.process.is_alive():
            self.proceed.set()
            self.process.join(10)
            if self.process.is_alive():
                self.process.kill()


@pytest.fixture
def originals(tmp_path):
    folder = tmp_path / "archive"
    write_originals(folder)
    return folder


# --------------------------------------------------------------------------- concurrent writers


def test_a_second_build_of_the_same_index_is_refused_and_the_first_completes(originals, tmp_path):
    out = tmp_path / "x.sdx"
    with PausedWriter([originals], out) as first:
        assert lock_path(out).read_text().strip() == str(first.process.pid)
        second = spindetect("index", originals, "--output", out)
        line = one_error_line(second)
        assert re.fullmatch(
            rf"Error: {re.escape(str(out))} is in use by PID {first.process.pid}; .*", line
        )
        assert first.finish() == 0
    with SourceIndex.open(out) as index:
        assert len(index) == len(ARTICLES)
        assert sorted(index.ids()) == sorted(f"{name}.txt" for name in ARTICLES)
    assert leftovers(tmp_path) == []


def test_concurrent_adds_are_refused_and_the_counts_stay_right(originals, tmp_path):
    out = tmp_path / "x.sdx"
    build_index([originals], out)
    extra = write_jsonl(
        tmp_path / "extra.jsonl",
        [{"id": f"extra-{k}", "text": f"{UNRELATED} Entry {k} by Rowena Quist."} for k in range(6)],
    )
    more = write_jsonl(tmp_path / "more.jsonl", [{"id": "more", "text": UNRELATED}])
    with PausedWriter([extra], out, add=True) as first:
        refused = spindetect("index", more, "--output", out, "--add")
        assert "is in use by PID" in one_error_line(refused)
        with pytest.raises(IndexInUseError, match=f"in use by PID {first.process.pid}"):
            SourceIndex.open(out, writable=True)
        assert first.finish() == 0
    assert spindetect("index", more, "--output", out, "--add").returncode == 0

    fresh = tmp_path / "fresh.sdx"
    build_index([originals, extra, more], fresh)
    with sqlite3.connect(out) as a, sqlite3.connect(fresh) as b:
        for connection in (a, b):
            documents = connection.execute("SELECT value FROM meta WHERE key = 'documents'")
            rows = connection.execute("SELECT COUNT(*) FROM docs").fetchone()[0]
            assert int(documents.fetchone()[0]) == rows == len(ARTICLES) + 7
        df = "SELECT data FROM arrays WHERE name = 'df'"
        assert a.execute(df).fetchone()[0] == b.execute(df).fetchone()[0]


def test_counts_are_those_committed_by_any_writer_plus_ours(originals, tmp_path, lexicon):
    out = tmp_path / "x.sdx"
    build_index([originals], out)
    index = SourceIndex.open(out, writable=True, lexicon=lexicon)
    # Something that ignores the lock commits a document after our writer read the counts.
    with sqlite3.connect(out) as other:
        other.execute("INSERT INTO docs (id, sha256, text) VALUES ('sneaky', x'00', x'00')")
        other.execute("UPDATE meta SET value = value + 1 WHERE key = 'documents'")
    df_before = index._read_df().copy()
    index.add(make_document(UNRELATED, name="garden"))
    index.close()
    with SourceIndex.open(out) as reopened:
        assert len(reopened) == len(ARTICLES) + 2
        assert int(reopened._read_df().sum()) > int(df_before.sum())


def test_a_writer_lock_is_exclusive_and_a_stale_one_is_taken_over(tmp_path):
    out = tmp_path / "x.sdx"
    lock_path(out).write_text("999999999\n")  # left by a killed writer: nobody holds it
    with WriterLock.acquire(out) as lock:
        assert lock.held and lock_path(out).read_text() == f"{os.getpid()}\n"
        with pytest.raises(IndexInUseError, match=f"x.sdx is in use by PID {os.getpid()}"):
            WriterLock.acquire(out)
    assert not lock_path(out).exists()


def test_a_killed_build_leaves_nothing_the_next_build_trips_on(originals, tmp_path):
    out = tmp_path / "x.sdx"
    (tmp_path / "x.sdx.4242.0123abcd.partial").write_bytes(b"half an index")
    (tmp_path / "x.sdx.partial").write_bytes(b"from an older version")
    lock_path(out).write_text("4242\n")
    build_index([originals], out)
    assert leftovers(tmp_path) == []
    with SourceIndex.open(out) as index:
        assert len(index) == len(ARTICLES)


# ------------------------------------------------------------------ files that cannot be written


def test_a_folder_that_cannot_hold_the_index_gives_one_line(originals, tmp_path):
    (tmp_path / "notes.txt").write_text("a file, not a folder")
    result = spindetect("index", originals, "--output", tmp_path / "notes.txt" / "x.sdx")
    line = one_error_line(result)
    assert (
        line
        == f"Error: cannot write the index {tmp_path / 'notes.txt' / 'x.sdx'} (Not a directory)"
    )
    missing = one_error_line(spindetect("index", originals, "--output", tmp_path / "no" / "x.sdx"))
    assert "(No such file or directory)" in missing


def test_a_read_only_folder_gives_one_line(originals, tmp_path):
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("this user (root) can write a read-only folder")
        result = spindetect("index", originals, "--output", folder / "x.sdx")
        assert "(Permission denied)" in one_error_line(result)
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


def _small_files() -> None:
    """Files may not grow past 16 KiB and writing past that fails (EFBIG): a full disk."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 14, 1 << 14))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def test_a_full_disk_gives_one_line_and_leaves_no_file(originals, tmp_path):
    out = tmp_path / "x.sdx"
    result = spindetect("index", originals, "--output", out, preexec_fn=_small_files)
    assert one_error_line(result).startswith(f"Error: cannot write the index {out} (")
    assert not out.exists() and leftovers(tmp_path) == []


def test_a_failed_write_names_the_index_and_cleanup_failures_do_not_mask_it(
    originals, tmp_path, monkeypatch
):
    def disk_full(self) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    def cannot_unlink(self, missing_ok: bool = False) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(SourceIndex, "_flush", disk_full)
    out = tmp_path / "x.sdx"
    with pytest.raises(IndexWriteError) as failed:
        build_index([originals], out)
    assert str(failed.value) == f"cannot write the index {out} (database or disk is full)"
    assert not out.exists() and leftovers(tmp_path) == []

    monkeypatch.setattr(Path, "unlink", cannot_unlink)
    with pytest.raises(IndexWriteError, match="database or disk is full"):
        build_index([originals], out)
    assert not lock_path(out).exists()  # the lock is released (os.unlink, not Path.unlink)


# --------------------------------------------------------------------------- ids


def test_ids_do_not_depend_on_the_current_directory(originals, tmp_path, monkeypatch):
    (originals / "2024").mkdir()
    (originals / "2024" / "garden.txt").write_text(UNRELATED)
    monkeypatch.chdir(tmp_path)
    summary = build_index(["archive"], "x.sdx")
    expected = sorted([*(f"{name}.txt" for name in ARTICLES), "2024/garden.txt"])
    with SourceIndex.open(tmp_path / "x.sdx") as index:
        assert sorted(index.ids()) == expected
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    again = build_index([str(originals) + "/"], tmp_path / "x.sdx", add=True)
    assert (again.added, again.duplicates) == (0, summary.added)
    by_glob = build_index([f"{originals}/**/*.txt"], tmp_path / "glob.sdx")
    assert by_glob.added == summary.added
    with SourceIndex.open(tmp_path / "glob.sdx") as index:
        assert sorted(index.ids()) == expected
    one = build_index([originals / "2024" / "garden.txt"], tmp_path / "one.sdx")
    with SourceIndex.open(tmp_path / "one.sdx") as index:
        assert one.added == 1 and list(index.ids()) == ["garden.txt"]


def test_add_from_another_directory_adds_nothing_twice(originals, tmp_path):
    out = tmp_path / "x.sdx"
    assert spindetect("index", "archive", "--output", out, cwd=tmp_path).returncode == 0
    again = spindetect("index", originals, "--output", out, "--add", cwd=originals)
    assert again.returncode == 0, again.stderr
    assert re.search(r"^added\s+0$", again.stderr, re.MULTILINE)
    assert re.search(rf"^duplicate ids skipped\s+{len(ARTICLES)}$", again.stderr, re.MULTILINE)
    assert re.search(rf"^originals in the index\s+{len(ARTICLES)}$", again.stderr, re.MULTILINE)
