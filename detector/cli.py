"""The ``spindetect`` command line: parse, call the library, render, translate errors.

Each command is a thin adapter over one library call; library errors
(``detector.errors``) become a one-line ``Error: ...`` on stderr with exit code
1 (failure) or 2 (usage), never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from detector.errors import InputError, MissingInputError, SpindetectError

if TYPE_CHECKING:
    from detector.document import Document

DEFAULT_MAX_BYTES = 10_000_000  # mirrors detector.io.DEFAULT_MAX_BYTES without importing it

app = typer.Typer(
    name="spindetect",
    help=(
        "Detect spun articles: copies of real text whose words were swapped for thesaurus "
        "synonyms.  Marks every substituted span and restores the original words."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

F = TypeVar("F", bound=Callable[..., Any])


def _show_version(value: bool) -> None:
    if value:
        from detector import __version__

        typer.echo(f"spindetect {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Detect spun articles: copies of real text whose words were swapped for thesaurus synonyms.

    Marks every substituted span and restores the original words.  Start with
    `spindetect score SUSPECT --original ORIGINAL`.
    """


def fail(message: str, exit_code: int = 1) -> typer.Exit:
    """Print ``Error: message`` on stderr and return the Exit to raise."""
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(code=exit_code)


def reports_errors(command: F) -> F:
    """Turn library errors raised inside ``command`` into one-line messages and exit codes."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except SpindetectError as exc:
            raise fail(str(exc), exc.exit_code) from None
        except KeyboardInterrupt:
            raise fail("interrupted", 130) from None
        except BrokenPipeError:
            sys.stderr.close()  # the reader went away (e.g. `| head`); nothing more to say
            raise typer.Exit(code=0) from None
        except MemoryError:
            raise fail("out of memory; pass a smaller input", 1) from None

    return wrapper  # type: ignore[return-value]


def write_output(text: str, output: Path | None) -> None:
    """Write ``text`` to ``output``, or to standard output when it is None."""
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc.strerror or exc}") from None


MaxBytes = Annotated[
    int,
    typer.Option(
        "--max-bytes",
        min=1,
        help="Refuse inputs larger than this many bytes (one article is rarely over 1 MB).",
    ),
]
Encoding = Annotated[
    str | None,
    typer.Option(
        "--encoding",
        help="Decode inputs with this encoding instead of guessing (e.g. latin-1, utf-16).",
    ),
]


class FormatChoice(StrEnum):
    """Output formats of ``score``."""

    text = "text"
    json = "json"
    html = "html"


def _read_originals(
    paths: list[str], suspect_name: str, encoding: str | None, max_bytes: int
) -> list[Document]:
    """Documents for ``--original`` paths; unreadable files found inside folders are skipped."""
    from detector.io import expand_inputs, read_document

    named = {str(Path(p)) for p in paths}
    documents: list[Document] = []
    for path in expand_inputs(paths):
        if str(path) != "-" and str(path) == str(Path(suspect_name)) and str(path) not in named:
            continue  # the suspect sitting in the folder of originals is not its own source
        try:
            documents.append(read_document(path, encoding=encoding, max_bytes=max_bytes))
        except InputError as exc:
            if str(path) in named:
                raise
            typer.echo(f"Warning: skipping {exc}", err=True)
    if not documents:
        raise MissingInputError(f"no readable original among {', '.join(paths)}")
    return documents


@app.command()
@reports_errors
def score(
    suspect: Annotated[
        str,
        typer.Argument(
            help="The article to check: a .txt, .md or .html file, or - for standard input.",
            show_default=False,
        ),
    ],
    original: Annotated[
        list[str] | None,
        typer.Option(
            "--original",
            "-o",
            help=(
                "The original article(s) to compare with: files or folders, repeatable. "
                "With several, the best-matching one is used and named in the report."
            ),
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        FormatChoice,
        typer.Option(
            "--format",
            "-f",
            help="text: readable report with spans marked; json: one JSON object; "
            "html: one page, suspect and original side by side.",
        ),
    ] = FormatChoice.text,
    output: Annotated[
        Path | None,
        typer.Option("--output", help="Write the report to this file instead of standard output."),
    ] = None,
    encoding: Encoding = None,
    max_bytes: MaxBytes = DEFAULT_MAX_BYTES,
) -> None:
    """Say whether SUSPECT is a spun copy, mark every substituted span and restore its original.

    \b
    Examples:
      spindetect score suspect.txt --original original.txt
      spindetect score suspect.html -o archive/ --format html --output report.html
      cat suspect.txt | spindetect score - -o original.md --format json
    """
    from detector.io import read_document
    from detector.render import render

    if not original:
        raise fail(
            "reference-free scoring (no --original) needs a trained model, and none is "
            "installed yet; pass the original with --original FILE (or a folder of originals)"
        )
    suspect_doc = read_document(suspect, encoding=encoding, max_bytes=max_bytes)
    originals = _read_originals(original, suspect, encoding, max_bytes)

    from detector.score import ReferenceScorer

    report = ReferenceScorer().score(suspect_doc, originals)
    color = output is None and fmt is FormatChoice.text and _stdout_is_colour_terminal()
    write_output(render(report, fmt.value, color=color), output)


def _stdout_is_colour_terminal() -> bool:
    import os

    return sys.stdout.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"
