"""Worker processes stop cleanly when the run is given up (Ctrl-C, a failure).

Run in a fresh interpreter: the resource tracker's "leaked semaphore" warning,
the mark of a worker killed mid-batch, is printed when the interpreter exits.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = textwrap.dedent(
    """
    import os, sys, time
    import multiprocessing
    from pathlib import Path
    import multiprocessing.resource_tracker as tracker
    from detector.parallel import run_ordered

    class Worker:
        def __init__(self, started):
            self.lock = multiprocessing.RLock()  # as tqdm makes one: a semaphore to release
            (started / str(os.getpid())).touch()
        def process(self, batch):
            time.sleep(0 if batch == [0] else float(sys.argv[1]))
            return batch
        def close(self):
            if sys.argv[2:] == ["slow-release"]:
                # The lock's finalizer unlinks its name, then tells the tracker, here
                # after the parent's stop wait (5 s): the terminate lands in between.
                unregister = tracker.unregister
                def slow_unregister(name, rtype):
                    time.sleep(6.0)
                    unregister(name, rtype)
                tracker.unregister = slow_unregister
                del self.lock

    class Job:
        def __init__(self, started):
            self.started = started
        def start(self):
            return Worker(self.started)

    if __name__ == "__main__":
        started = Path(sys.argv[0]).parent / "started"
        started.mkdir()
        # Every batch queued at once (window): stopping must skip them, not wait for them.
        results = run_ordered(
            Job(started), ([k] for k in range(100)), workers=2, window=100
        )
        print(next(results), flush=True)
        # Both workers up before the stop: a worker still starting (seconds, on a
        # loaded machine) would reach its slow release late, and the stop's last
        # resort, the kill, would land in it.
        deadline = time.monotonic() + 60
        while len(list(started.iterdir())) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        stopping = time.monotonic()
        results.close()  # what label does on Ctrl-C
        print("stopped", flush=True)
        print(f"{time.monotonic() - stopping:.2f}", flush=True)
    """
)


def _run(
    tmp_path: Path, seconds_per_batch: float, *options: str
) -> tuple[subprocess.CompletedProcess[str], float]:
    script = tmp_path / "stop_workers.py"
    script.write_text(SCRIPT)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(script), str(seconds_per_batch), *options],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    return done, time.perf_counter() - started


def test_queued_batches_are_skipped_when_the_run_stops(tmp_path):
    # 99 batches of 0.3 s queued ahead on two workers: stopping must not wait for them
    # (15 s), only for the batches in hand.
    done, seconds = _run(tmp_path, 0.3)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[:2] == ["[0]", "stopped"]
    assert "leaked" not in done.stderr
    assert float(done.stdout.split()[2]) < 5
    assert seconds < 40


def test_a_worker_busy_past_the_stop_wait_exits_through_its_finalizers(tmp_path):
    # Each batch after the first outlasts the parent's wait (5 s): both workers are
    # terminated mid-batch.
    done, seconds = _run(tmp_path, 60.0)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[:2] == ["[0]", "stopped"]
    assert "leaked semaphore" not in done.stderr, done.stderr
    assert seconds < 40


def test_a_worker_terminated_while_releasing_its_semaphores_still_releases_them(tmp_path):
    # The race once seen under full-suite load: a worker slow to exit, terminated
    # between a semaphore's unlink and its unregistering, left the tracker a name it
    # failed to unlink ("leaked semaphore objects ... No such file or directory").
    done, seconds = _run(tmp_path, 0.0, "slow-release")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[:2] == ["[0]", "stopped"]
    assert "leaked" not in done.stderr, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert seconds < 40
