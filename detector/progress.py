"""What the batch commands show on standard error: a progress bar and a summary table.

The bar (rate, elapsed time, ETA) is drawn only when standard error is a
terminal, so logs and pipes get the summary alone.  Used by ``detector.cli``;
the library modules report progress through plain callbacks instead.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from detector.index_build import IndexSummary
    from detector.label import LabelSummary

__all__ = ["Messages", "index_summary", "label_summary", "progress_bar", "stderr_console"]


@dataclass(frozen=True, slots=True)
class Messages:
    """What a command says on standard error besides errors, at the level the user chose.

    ``quiet`` (``-q``) silences warnings, notes, progress bars and summaries;
    ``verbose`` (``-v``) adds details: what was read and loaded, and how long it took.
    Errors are never silenced (the CLI prints them itself).
    """

    quiet: bool = False
    verbose: bool = False

    def __post_init__(self) -> None:
        if self.quiet and self.verbose:
            raise ValueError("--quiet and --verbose contradict each other: choose one")

    def warn(self, message: str) -> None:
        """``Warning: message``, unless quiet."""
        self._say(f"Warning: {message}", not self.quiet)

    def note(self, message: str) -> None:
        """``Note: message``, unless quiet."""
        self._say(f"Note: {message}", not self.quiet)

    def detail(self, message: str) -> None:
        """``spindetect: message``, only when verbose."""
        self._say(f"spindetect: {message}", self.verbose)

    @contextmanager
    def timed(self, what: str) -> Iterator[None]:
        """Say (when verbose) how long the block took: ``spindetect: what in 0.12 s``."""
        started = time.perf_counter()
        yield
        self.detail(f"{what} in {time.perf_counter() - started:.2f} s")

    @staticmethod
    def _say(line: str, shown: bool) -> None:
        if shown:
            print(line, file=sys.stderr, flush=True)


def stderr_console() -> Console:
    """A rich console on standard error (plain text when it is not a terminal)."""
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def _columns() -> list[object]:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        ProgressColumn,
        Task,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class RateColumn(ProgressColumn):
        """Inputs per second."""

        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            return Text("" if speed is None else f"{speed:,.0f}/s", style="progress.data.speed")

    return [
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    ]


@contextmanager
def progress_bar(
    description: str, total: Callable[[], int | None] | None = None, *, shown: bool = True
) -> Iterator[Callable[[int], None]]:
    """A function advancing a progress bar on standard error, or doing nothing off a terminal.

    ``total`` is called only when the bar is shown (counting inputs costs a pass over them);
    ``shown=False`` (``--quiet``) hides it on a terminal too.
    """
    if not shown or not sys.stderr.isatty():
        yield lambda advance: None
        return
    from rich.progress import Progress

    with Progress(*_columns(), console=stderr_console(), transient=False) as progress:  # type: ignore[arg-type]
        task = progress.add_task(description, total=total() if total is not None else None)
        yield lambda advance: progress.advance(task, advance)


def _table(title: str, rows: Sequence[tuple[str, str]]) -> object:
    from rich.table import Table

    table = Table(title=title, title_justify="left", show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    for name, value in rows:
        table.add_row(name, value)
    return table


def label_summary(summary: LabelSummary) -> object:
    """The summary table of a labelling run."""
    rows = [
        ("spun", f"{summary.spun:,}"),
        ("not spun", f"{summary.not_spun:,}"),
        ("  with a source in the index", f"{summary.with_source:,}"),
        ("  scored by the fallback model", f"{summary.reference_free:,}"),
        ("  no source, no model", f"{summary.no_source:,}"),
        ("errors (unreadable inputs)", f"{summary.errors:,}"),
        ("records written", f"{summary.labelled:,}"),
    ]
    if summary.resumed:
        rows.append(("already done (resumed)", f"{summary.resumed:,}"))
    rows.append(("time", f"{summary.seconds:,.1f} s ({summary.rate:,.1f} inputs/s)"))
    return _table(f"Labelled into {summary.out}", rows)


def index_summary(summary: IndexSummary) -> object:
    """The summary table of an index build."""
    rows = [
        ("added", f"{summary.added:,}"),
        ("duplicate ids skipped", f"{summary.duplicates:,}"),
        ("unreadable inputs skipped", f"{summary.skipped:,}"),
        ("originals in the index", f"{summary.documents:,}"),
        ("time", f"{summary.seconds:,.1f} s ({summary.rate:,.0f} inputs/s)"),
    ]
    return _table(f"Index {summary.path}", rows)
