"""What the batch commands show on standard error: a progress bar and a summary table.

The bar (rate, elapsed time, ETA) is drawn only when standard error is a
terminal, so logs and pipes get the summary alone.  Its rate and ETA follow the
recent pace of the current phase, and a slow phase such as loading a model shows
a spinner and its name instead of an ETA.  Used by ``detector.cli``;
the library modules report progress through plain callbacks instead.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from detector.index_build import IndexSummary
    from detector.label import LabelSummary

__all__ = [
    "Messages",
    "ProgressBar",
    "index_summary",
    "label_summary",
    "progress_bar",
    "stderr_console",
]


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

    @contextmanager
    def working(self, what: str) -> Iterator[None]:
        """A spinner saying ``what`` on standard error while the block runs, then gone.

        Shown only on a terminal and not when quiet: one reference-free score takes
        seconds (the language model reads the text), and a silent terminal looks hung.
        """
        if self.quiet or not sys.stderr.isatty():
            yield
            return
        with stderr_console().status(f"{what}\u2026"):
            yield

    @staticmethod
    def _say(line: str, shown: bool) -> None:
        if shown:
            print(line, file=sys.stderr, flush=True)


def stderr_console() -> Console:
    """A rich console on standard error (plain text when it is not a terminal)."""
    from rich.console import Console

    return Console(stderr=True, highlight=False)


class ProgressBar:
    """Advances a progress bar by phases, with an ETA that follows the current phase's pace.

    Call it with the number of inputs just handled.  The rate and the ETA come from
    an exponential moving average of the recent time per input (``alpha`` the
    weight of one input; over a phase's first ``1 / alpha`` inputs, their mean, so
    that a few instant ones, unreadable files at the start, do not set the pace),
    measured within the current phase only and shown once the phase has run for
    ``settle_seconds``: a slow phase (``phase(name, busy=True)``, e.g. loading a
    model) shows its name and a spinner and claims no ETA, and the pace starts
    afresh when work resumes.  Off a terminal it is inert.
    """

    def __init__(
        self,
        progress: Any = None,
        task: Any = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        alpha: float = 0.05,
        settle_seconds: float = 1.0,
    ) -> None:
        if not 0 < alpha <= 1:
            raise ValueError(f"the 'alpha' parameter of ProgressBar must be in (0, 1], got {alpha}")
        self._progress = progress
        self._task = task
        self._clock = clock
        self._alpha = alpha
        self._settle = settle_seconds
        self._last = self._phase_start = clock()
        self._phase_inputs = 0
        self._pace: float | None = None
        self.busy = False

    @property
    def seconds_per_input(self) -> float | None:
        """The current pace, once the phase has run ``settle_seconds``; else None."""
        if self._pace is None or self._last - self._phase_start < self._settle:
            return None
        return self._pace

    def __call__(self, advance: int) -> None:
        now = self._clock()
        if advance > 0 and not self.busy:
            per_input = (now - self._last) / advance
            previous, seen = self._pace, self._phase_inputs
            if previous is None:
                self._pace = per_input
            elif seen + advance <= 1 / self._alpha:  # the mean of the phase's first inputs
                self._pace = (previous * seen + per_input * advance) / (seen + advance)
            else:
                weight = 1 - (1 - self._alpha) ** advance  # a batch of n counts as n inputs
                self._pace = previous + weight * (per_input - previous)
            self._phase_inputs += advance
        self._last = now
        if self._progress is not None:
            self._progress.update(self._task, advance=advance)

    def phase(self, description: str, *, busy: bool = False) -> None:
        """Enter a phase: ``busy`` ones (loading) have no ETA; the pace restarts after them."""
        now = self._clock()
        if self.busy and not busy:
            self._pace = None  # the pace of what follows is not yet known
            self._phase_inputs = 0
            self._phase_start = now
        self.busy = busy
        self._last = now
        if self._progress is not None:
            self._progress.update(self._task, description=description)

    def eta(self, remaining: int | None) -> float | None:
        """Seconds left for ``remaining`` inputs at the current pace; None when unknown or busy."""
        if self.busy or remaining is None or self.seconds_per_input is None:
            return None
        return remaining * self.seconds_per_input


def _columns() -> list[object]:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        ProgressColumn,
        SpinnerColumn,
        Task,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.text import Text

    class RateColumn(ProgressColumn):
        """Inputs per second at the current phase's recent pace."""

        def render(self, task: Task) -> Text:
            bar = task.fields.get("bar")
            pace = None if bar is None or bar.busy else bar.seconds_per_input
            return Text("" if not pace else f"{1 / pace:,.1f}/s", style="progress.data.speed")

    class EtaColumn(ProgressColumn):
        """``ETA h:mm:ss`` at the current phase's pace; nothing while busy or not yet known."""

        def render(self, task: Task) -> Text:
            bar = task.fields.get("bar")
            if task.finished or bar is None:
                return Text("")
            remaining = None if task.total is None else int(task.total - task.completed)
            eta = bar.eta(remaining)
            if eta is None:
                return Text("" if bar.busy else "ETA -:--:--", style="progress.remaining")
            minutes, secs = divmod(int(eta + 0.5), 60)
            hours, minutes = divmod(minutes, 60)
            return Text(f"ETA {hours}:{minutes:02d}:{secs:02d}", style="progress.remaining")

    return [
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        EtaColumn(),
    ]


@contextmanager
def progress_bar(
    description: str,
    total: Callable[[], int | None] | None = None,
    *,
    shown: bool = True,
    console: Console | None = None,
) -> Iterator[ProgressBar]:
    """A ``ProgressBar`` on standard error, or one doing nothing off a terminal.

    ``total`` is called only when the bar is shown (counting inputs costs a pass over them);
    ``shown=False`` (``--quiet``) hides it on a terminal too; ``console`` draws it there
    whatever it is (tests).
    """
    if not shown or (console is None and not sys.stderr.isatty()):
        yield ProgressBar()
        return
    from rich.progress import Progress

    console = console if console is not None else stderr_console()
    with Progress(*_columns(), console=console, transient=False) as progress:  # type: ignore[arg-type]
        task = progress.add_task(description, total=total() if total is not None else None)
        bar = ProgressBar(progress, task)
        progress.update(task, bar=bar)
        yield bar


def _table(title: str, rows: Sequence[tuple[str, str]]) -> object:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    for name, value in rows:
        table.add_row(name, value)
    # The title on a line of its own: a table's title is padded to the table's width, which
    # left trailing spaces in a log of the run.
    return Group(Text(title, style="italic"), table)


def label_summary(
    summary: LabelSummary, *, with_index: bool = True, workers: int | None = 1
) -> object:
    """The summary table of a labelling run (``with_index``: against an index of originals;
    without one, the model labelled every input, and the rows say so; ``workers``: the
    processes that each loaded their models, whose loading times the table adds up; None:
    a cluster's, however many)."""
    model = "the fallback model" if with_index else "the model (no index)"
    rows = [
        ("spun", f"{summary.spun:,}"),
        *([("paraphrased", f"{summary.paraphrased:,}")] if summary.paraphrased else []),
        ("not spun", f"{summary.not_spun:,}"),
        *([("unscored (see their note)", f"{summary.unscored:,}")] if summary.unscored else []),
        ("errors (unreadable, or over --timeout)", f"{summary.errors:,}"),
        ("records written", f"{summary.labelled:,}"),
    ]
    if with_index:
        # A suspect beside a related report (relation "rewrite") keeps the reference
        # verdict unless the model finds it spun: it counts where its verdict came from.
        rows += [
            ("  judged against an original in the index", f"{summary.with_source:,}"),
            (f"  judged by {model}", f"{summary.reference_free:,}"),
            ("  no source, no model", f"{summary.no_source:,}"),
        ]
    if summary.resumed:
        rows.append(("already done (resumed)", f"{summary.resumed:,}"))
    if summary.by_reference:
        rows.append(
            (
                "labelled by reference",
                f"{summary.by_reference:,} ({_per_record(summary.mean_reference_seconds)})",
            )
        )
    if summary.by_model:
        rows.append(
            (
                f"labelled by {model}",
                f"{summary.by_model:,} ({_per_record(summary.mean_model_seconds)})",
            )
        )
    if summary.model_load_seconds:
        many = "every worker" if workers is None else f"{workers} workers"
        loading = "loading models" + (f" ({many}, added up)" if workers != 1 else "")
        rows.append((loading, f"{summary.model_load_seconds:,.1f} s"))
    if summary.labelled:
        rate = _rate(summary.rate)
    else:  # a resumed run with nothing left: no rate to speak of
        rate = "nothing left to label" if summary.resumed else "nothing labelled"
    rows.append(("time", f"{summary.seconds:,.1f} s ({rate})"))
    title = f"Labelled into {summary.out}"
    if summary.resumed:
        title += " (the counts are this run's)"
    return _table(title, rows)


def _rate(per_second: float) -> str:
    """Inputs per second in the precision that reads best: "1,204 inputs/s", "0.2 inputs/s"."""
    if per_second >= 100:
        return f"{per_second:,.0f} inputs/s"
    if per_second >= 0.1:
        return f"{per_second:,.1f} inputs/s"
    return f"{per_second:.2f} inputs/s" if per_second >= 0.01 else "under 0.01 inputs/s"


def _per_record(seconds: float) -> str:
    """A mean time per record, in the unit that reads best: "12 ms each", "2.4 s each"."""
    return f"{seconds * 1000:,.0f} ms each" if seconds < 1 else f"{seconds:,.1f} s each"


def index_summary(summary: IndexSummary) -> object:
    """The summary table of an index build."""
    rows = [
        ("added", f"{summary.added:,}"),
        ("duplicate ids skipped", f"{summary.duplicates:,}"),
        *(
            [("renamed ID#HASH (id held another text)", f"{summary.conflicts:,}")]
            if summary.conflicts
            else []
        ),
        *(
            [("same text under another id, skipped", f"{summary.same_text:,}")]
            if summary.same_text
            else []
        ),
        ("unreadable inputs skipped", f"{summary.skipped:,}"),
        ("originals in the index", f"{summary.documents:,}"),
        ("time", f"{summary.seconds:,.1f} s ({_rate(summary.rate)})"),
    ]
    return _table(f"Index {summary.path}", rows)
