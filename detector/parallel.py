"""Running a batch job over a stream of batches, in this process or in worker processes.

A *job* is a small picklable object describing the work (a ``LabelJob``, a
``FingerprintJob``); ``job.start()`` builds, once per worker, the expensive
state it needs (an open index, a loaded thesaurus) and returns a ``Worker``
whose ``process(batch)`` turns a list of inputs into a list of results.

``run_ordered`` feeds batches to ``workers`` processes through bounded queues
and yields the results in input order, so memory stays flat however long the
stream is.  The Dask equivalent is ``detector.dask_runner.run_on_dask``.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import queue
import signal
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from typing import Any, Generic, Protocol, TypeVar

from detector.errors import SpindetectError

__all__ = ["Job", "Worker", "WorkerError", "batched", "run_ordered"]

T = TypeVar("T")
R = TypeVar("R")
T_contra = TypeVar("T_contra", contravariant=True)
R_co = TypeVar("R_co", covariant=True)

_POLL_SECONDS = 0.5
_STOP_SECONDS = 5.0
_RELEASE_SECONDS = 15.0  # then, after SIGTERM, for a worker releasing its resources


class WorkerError(SpindetectError):
    """A worker process died or failed outside the per-input error handling."""


class Worker(Protocol[T_contra, R_co]):
    """The per-process state of a job: turns one batch of inputs into its results."""

    def process(self, batch: list[T_contra]) -> list[R_co]:
        """Results for ``batch``, one per input, in order."""
        ...

    def close(self) -> None:
        """Release what the worker holds (files, connections)."""
        ...


class Job(Protocol[T_contra, R_co]):
    """A picklable description of the work; ``start()`` runs once in each worker."""

    def start(self) -> Worker[T_contra, R_co]:
        """Build the worker state (open files, load resources)."""
        ...


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of up to ``size`` consecutive items."""
    if size < 1:
        raise ValueError(f"the 'size' parameter of batched must be >= 1, got {size}")
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def run_ordered(
    job: Job[T, R],
    batches: Iterable[list[T]],
    *,
    workers: int = 1,
    window: int | None = None,
) -> Iterator[list[R]]:
    """Results of ``job`` for each batch, in batch order.

    Parameters
    ----------
    job : Job
        What to run; pickled to each worker process when ``workers > 1``.
    batches : iterable of list
        The inputs, consumed lazily: at most ``window`` batches are in flight.
    workers : int, default=1
        1 runs everything in this process; more starts that many processes
        (``spawn`` start method, so nothing is inherited but ``job``).
    window : int, optional
        Batches sent ahead of the one being waited for; ``4 * workers`` by default.

    Raises
    ------
    WorkerError
        When a worker process dies (killed, out of memory) mid-run.

    Notes
    -----
    Worker processes are spawned, so, as with any ``multiprocessing`` code, a
    script calling this with ``workers > 1`` must do so under
    ``if __name__ == "__main__":``.
    """
    if not isinstance(workers, int) or workers < 1:
        raise ValueError(f"the 'workers' parameter must be an int >= 1, got {workers!r}")
    if workers == 1:
        return _run_here(job, batches)
    return _run_processes(job, batches, workers, window or 4 * workers)


def _run_here(job: Job[T, R], batches: Iterable[list[T]]) -> Iterator[list[R]]:
    worker = job.start()
    try:
        for batch in batches:
            yield worker.process(batch)
    finally:
        worker.close()


def _portable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling, else a WorkerError carrying its description."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return WorkerError(f"worker failed: {type(exc).__name__}: {exc}")
    return exc


def _exit_with(parent: Any) -> None:
    """Watchdog of a worker process: end it as soon as its parent is gone (killed, crashed)."""
    parent.join()
    os._exit(1)  # nothing to save: results go to the parent, which is gone


class _Terminated(BaseException):
    """Raised in a worker by SIGTERM (the parent's ``terminate``), so that it exits
    through its finalizers (semaphores released) instead of dying mid-batch."""


def _raise_terminated(signum: int, frame: Any) -> None:
    raise _Terminated


def _ignore_terminate() -> None:
    """From here on a worker only releases what it holds: SIGTERM must not interrupt that.

    A semaphore's finalizer unlinks its name, then tells the resource tracker; raised
    between the two, ``_Terminated`` would leave the tracker a name it later fails to
    unlink ("leaked semaphore objects ... No such file or directory").
    """
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def _worker_main(job: Job[Any, Any], tasks: Any, results: Any, stopping: Any) -> None:
    """Body of a worker process: start the job, then process batches until told to stop.

    Once ``stopping`` is set (the parent gives up: Ctrl-C, a failure), batches still
    queued are skipped, so the worker reaches its stop sentinel at once and exits
    cleanly; one still busy when the parent stops waiting is terminated and exits
    without reporting.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    signal.signal(signal.SIGTERM, _raise_terminated)
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    try:
        try:
            worker = job.start()
        except _Terminated:
            raise
        except BaseException as exc:
            results.put((-1, False, _portable(exc)))
            return
        try:
            while (task := tasks.get()) is not None:
                if stopping.is_set():
                    continue
                seq, batch = task
                try:
                    results.put((seq, True, worker.process(batch)))
                except _Terminated:
                    raise
                except BaseException as exc:
                    results.put((seq, False, _portable(exc)))
                    return
        finally:
            _ignore_terminate()
            worker.close()
    except _Terminated:
        _ignore_terminate()
        results.cancel_join_thread()  # the parent reads no more: do not wait to flush


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ignore SIGINT inside the block (in the main thread only; elsewhere do nothing)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class _Pool(Generic[T, R]):
    """Worker processes fed through a task queue, with results reordered by sequence number."""

    def __init__(self, job: Job[T, R], workers: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.tasks = context.Queue()
        self.results = context.Queue()
        self.stopping = context.Event()
        self.processes = [
            context.Process(
                target=_worker_main,
                args=(job, self.tasks, self.results, self.stopping),
                name=f"spindetect-worker-{k}",
                daemon=True,
            )
            for k in range(workers)
        ]
        self.received = 0
        # Started with Ctrl-C ignored (spawned processes keep an ignored signal through
        # exec), so a Ctrl-C while they import is not a traceback in each: the parent
        # handles it and stops them.
        with _sigint_ignored():
            for process in self.processes:
                process.start()

    def receive(self) -> tuple[int, list[R]]:
        """The next finished batch, in completion order; raises if a worker failed or died."""
        while True:
            try:
                seq, ok, payload = self.results.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                dead = [p for p in self.processes if not p.is_alive()]
                if dead:
                    codes = ", ".join(f"{p.name} exit code {p.exitcode}" for p in dead)
                    hint = (
                        "; in a script, start the run under `if __name__ == '__main__':`"
                        if not self.received
                        else ""
                    )
                    raise WorkerError(
                        f"a worker process stopped unexpectedly ({codes}){hint}"
                    ) from None
                continue
            if not ok:
                raise payload
            self.received += 1
            return seq, payload

    def stop(self) -> None:
        self.stopping.set()
        for _ in self.processes:
            self.tasks.put(None)
        for process in self.processes:
            process.join(_STOP_SECONDS)
            if process.is_alive():
                process.terminate()
                # A worker past its last batch ignores SIGTERM while it releases what it
                # holds (``_ignore_terminate``): on a loaded machine that can take seconds,
                # and a kill in the middle leaks a semaphore's name.
                process.join(_RELEASE_SECONDS)
            if process.is_alive():  # stuck while releasing what it holds: the last resort
                process.kill()
                process.join()
        for q in (self.tasks, self.results):
            q.cancel_join_thread()
            q.close()


def _run_processes(
    job: Job[T, R], batches: Iterable[list[T]], workers: int, window: int
) -> Iterator[list[R]]:
    pool: _Pool[T, R] = _Pool(job, workers)
    try:
        pending: dict[int, list[R]] = {}
        iterator = iter(batches)
        sent = done = 0
        exhausted = False
        while True:
            while not exhausted and sent - done < window:
                batch = next(iterator, None)
                if batch is None:
                    exhausted = True
                else:
                    pool.tasks.put((sent, batch))
                    sent += 1
            if done == sent:
                return
            while done not in pending:
                seq, result = pool.receive()
                pending[seq] = result
            yield pending.pop(done)
            done += 1
    finally:
        pool.stop()
