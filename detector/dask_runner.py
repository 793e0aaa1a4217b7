"""Running a batch job on a Dask distributed cluster, results in input order.

The Dask counterpart of ``detector.parallel.run_ordered``: the job is shipped
once to every worker as a worker plugin, which builds the job's state (an open
index, the thesaurus) on the worker's first task and keeps it for the rest of
the run; batches are submitted as tasks with a bounded number in flight.
Workers need spindetect installed and every path the job names (the index,
article files) readable at the same location.

Importing this module imports ``distributed``; ``detector.label`` does so only
when a scheduler address is given.
"""

from __future__ import annotations

import threading
import uuid
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import suppress
from typing import Any, TypeVar

from distributed import Client, Future, WorkerPlugin, get_worker

from detector.errors import SpindetectError
from detector.parallel import Job, Worker

__all__ = ["SchedulerError", "run_on_dask"]

T = TypeVar("T")
R = TypeVar("R")


class SchedulerError(SpindetectError):
    """The Dask scheduler cannot be reached or has no workers."""


class _JobPlugin(WorkerPlugin):
    """Holds one worker's state for a job, built on first use and closed at teardown."""

    def __init__(self, job: Job[Any, Any]) -> None:
        self.job = job
        self._state: Worker[Any, Any] | None = None
        self._lock: threading.Lock | None = None

    def setup(self, worker: Any) -> None:
        self._state = None
        self._lock = threading.Lock()

    def teardown(self, worker: Any) -> None:
        if self._state is not None:
            self._state.close()
            self._state = None

    def process(self, batch: list[Any]) -> list[Any]:
        """Results for ``batch``; the worker's threads take turns (the state is not shared)."""
        assert self._lock is not None, "the plugin was not set up"
        with self._lock:
            if self._state is None:
                self._state = self.job.start()
            return self._state.process(batch)


def _process_on_worker(plugin_name: str, batch: list[Any]) -> list[Any]:
    plugin = get_worker().plugins[plugin_name]
    return plugin.process(batch)  # type: ignore[no-any-return, attr-defined]


def run_on_dask(
    job: Job[T, R],
    batches: Iterable[list[T]],
    address: str | Client,
    *,
    window: int | None = None,
    timeout: float = 10.0,
) -> Iterator[list[R]]:
    """Results of ``job`` for each batch, in batch order, computed on a Dask cluster.

    Parameters
    ----------
    job : Job
        What to run; pickled once to every worker.
    batches : iterable of list
        The inputs, consumed lazily: at most ``window`` batches are in flight.
    address : str or Client
        Scheduler address (``tcp://127.0.0.1:8786``), or a connected client.
    window : int, optional
        Batches in flight; twice the cluster's worker threads by default.
    timeout : float, default=10
        Seconds to wait for the scheduler to answer.

    Raises
    ------
    SchedulerError
        When the scheduler cannot be reached.
    """
    own_client = not isinstance(address, Client)
    if isinstance(address, Client):
        client = address
    else:
        try:
            client = Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise SchedulerError(
                f"cannot reach the Dask scheduler at {address} ({exc}); check the address "
                "(e.g. tcp://host:8786) and that `dask scheduler` is running"
            ) from None
    return _run(client, own_client, job, batches, window)


def _run(
    client: Client,
    own_client: bool,
    job: Job[T, R],
    batches: Iterable[list[T]],
    window: int | None,
) -> Iterator[list[R]]:
    name = f"spindetect-job-{uuid.uuid4().hex}"
    futures: deque[Future] = deque()
    registered = False
    try:
        try:
            client.wait_for_workers(1, timeout=60)
        except TimeoutError:
            raise SchedulerError(
                "the Dask scheduler has had no worker for a minute; start some with "
                "`dask worker ADDRESS`"
            ) from None
        client.register_plugin(_JobPlugin(job), name=name)
        registered = True
        if window is None:
            window = max(2, 2 * sum(client.nthreads().values()))
        for batch in batches:
            futures.append(client.submit(_process_on_worker, name, batch, pure=False))
            if len(futures) >= window:
                yield futures.popleft().result()
        while futures:
            yield futures.popleft().result()
    finally:
        for future in futures:
            future.cancel()
        if registered:
            with suppress(Exception):  # the cluster may be gone already; nothing to release
                client.unregister_worker_plugin(name)
        if own_client:
            client.close()
