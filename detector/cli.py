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
from detector.spin import PROFILE_NAMES

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
    """Write ``text`` to ``output`` (all of it or, on failure, nothing), or to standard output."""
    from detector.output import silence_stdout, write_file_atomically, write_stdout

    if output is None:
        try:
            write_stdout(text)
        except BrokenPipeError:
            raise
        except OSError as exc:
            silence_stdout()
            raise fail(f"cannot write to standard output: {exc.strerror or exc}") from None
        return
    try:
        write_file_atomically(output, text)
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc.strerror or exc}") from None


MaxBytes = Annotated[
    int,
    typer.Option(
        "--max-bytes",
        metavar="BYTES",
        min=1,
        help="Refuse inputs larger than this many bytes (one article is rarely over 1 MB).",
    ),
]
Encoding = Annotated[
    str | None,
    typer.Option(
        "--encoding",
        metavar="ENCODING",
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
            metavar="SUSPECT",
            help="The article to check: a .txt, .md or .html file, or - for standard input.",
            show_default=False,
        ),
    ],
    original: Annotated[
        list[str] | None,
        typer.Option(
            "--original",
            "-o",
            metavar="FILE",
            help=(
                "The original article(s) to compare with: files or folders, repeatable. "
                "With several, the best-matching one is used and named in the report."
            ),
            show_default=False,
        ),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            "-m",
            metavar="MODEL",
            help="Without --original: the model that reads the suspect alone: hybrid (the "
            "language-model judge fused with the transformer), lm (the language-model judge "
            "alone), transformer, baseline (fastest), or a model folder.  "
            "[default: the best shipped model, models/default.json]",
            show_default=False,
        ),
    ] = None,
    lm: Annotated[
        str | None,
        typer.Option(
            "--lm",
            metavar="NAME_OR_PATH",
            help="For --model lm or hybrid: the causal language model that reads the text, "
            "a Hugging Face name (needs the hub) or a local folder.  "
            "[default: the packaged SmolLM2-135M]",
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
        typer.Option(
            "--output",
            metavar="FILE",
            help="Write the report to this file instead of standard output.",
        ),
    ] = None,
    encoding: Encoding = None,
    max_bytes: MaxBytes = DEFAULT_MAX_BYTES,
) -> None:
    """Say whether SUSPECT is a spun copy, mark every substituted span and restore its original.

    With --original, SUSPECT is aligned with its original: every swap is marked
    and the original words are read off it.  Without, a model reads SUSPECT
    alone: the language-model models (hybrid, lm) restore each flagged word from
    its sentence; transformer and baseline guess it from the thesaurus.  Text
    that is not English prose is reported "unscored", with a note saying why.

    \b
    Examples:
      spindetect score suspect.txt --original original.txt
      spindetect score suspect.txt                  # no original: reference-free
      spindetect score suspect.txt --model lm --format json
      spindetect score suspect.html -o archive/ --format html --output report.html
      cat suspect.txt | spindetect score - -o original.md --format json
    """
    from detector.io import read_document
    from detector.render import render

    suspect_doc = read_document(suspect, encoding=encoding, max_bytes=max_bytes)
    if original:
        if model is not None:
            typer.echo("Warning: --model has no effect with --original (reference mode)", err=True)
        if lm is not None:
            typer.echo("Warning: --lm has no effect with --original (reference mode)", err=True)
        originals = _read_originals(original, suspect, encoding, max_bytes)
        from detector.score import ReferenceScorer

        report = ReferenceScorer().score(suspect_doc, originals)
    else:
        from detector.models import load_model

        report = load_model(model or "default", lm=lm).score(suspect_doc)
    color = output is None and fmt is FormatChoice.text and _stdout_is_colour_terminal()
    write_output(render(report, fmt.value, color=color), output)


def _stdout_is_colour_terminal() -> bool:
    import os

    return sys.stdout.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


# --------------------------------------------------------------------------- batch: index, label

EXIT_SOME_INPUTS_FAILED = 3  # `label` finished, but some inputs got error records
# The reference-free model `label` falls back on by default: fast enough for a corpus.
LABEL_FALLBACK_MODEL = "transformer"

TextField = Annotated[
    str | None,
    typer.Option(
        "--text-field",
        metavar="FIELD",
        help="The JSONL/CSV/dataset field holding the text.  "
        "[default: the first of text, article, document, content, body, story]",
        show_default=False,
    ),
]
IdField = Annotated[
    str | None,
    typer.Option(
        "--id-field",
        metavar="FIELD",
        help="The JSONL/CSV/dataset field holding the id.  "
        "[default: the first of id, doc_id, uid, guid; else the record's position]",
        show_default=False,
    ),
]


def _batch_reading(encoding: str | None, text_field: str | None, id_field: str | None) -> Any:
    """The record fields of the batch options; a usage error (exit 2) for bad ones."""
    import codecs

    from detector.corpus_reader import FieldNames

    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise fail(f"unknown encoding {encoding!r} (--encoding)", 2) from None
    try:
        return FieldNames(text=text_field, id=id_field)
    except ValueError as exc:
        raise fail(str(exc), 2) from None


@app.command("index")
@reports_errors
def index_command(
    originals: Annotated[
        list[str],
        typer.Argument(
            metavar="ORIGINALS...",
            help="The originals: article files, folders, glob patterns, JSONL or CSV files "
            "with id and text fields (.gz/.bz2/.xz too), saved `datasets` folders, or "
            "hub:NAME[:CONFIG][@SPLIT] hub datasets.",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="The index file to write.", show_default=False),
    ],
    add: Annotated[
        bool,
        typer.Option("--add", help="Add the originals to the existing index OUT."),
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            "--workers", "-j", min=1, metavar="N", help="Processes reading and hashing originals."
        ),
    ] = 1,
    encoding: Encoding = None,
    max_bytes: MaxBytes = DEFAULT_MAX_BYTES,
    text_field: TextField = None,
    id_field: IdField = None,
) -> None:
    """Index ORIGINALS so that `spindetect label` can find the source of their spun copies.

    The index keeps each original's text and the words spinners leave alone
    (names, numbers, rare words), so a copy with a third of its words swapped
    is still found.  An id already in the index is skipped; unreadable inputs
    are skipped with a warning.  A new index appears only once complete.

    \b
    Examples:
      spindetect index archive/ --out archive.sdx
      spindetect index wire-2024.jsonl.gz --out archive.sdx --add
      spindetect index 'feeds/**/*.html' --out feeds.sdx --workers 4
    """
    from detector.index_build import build_index
    from detector.inputs import count_inputs
    from detector.progress import index_summary, progress_bar, stderr_console

    fields = _batch_reading(encoding, text_field, id_field)
    warned = 0

    def warn(reason: str) -> None:
        nonlocal warned
        warned += 1
        if warned <= _MAX_WARNINGS:
            typer.echo(f"Warning: skipping {reason}", err=True)

    with progress_bar("indexing", lambda: count_inputs(originals)) as advance:
        summary = build_index(
            originals,
            out,
            add=add,
            workers=workers,
            encoding=encoding,
            max_bytes=max_bytes,
            on_progress=_advance_to(advance),
            on_skip=warn,
            fields=fields,
        )
    if warned > _MAX_WARNINGS:
        typer.echo(f"Warning: {warned - _MAX_WARNINGS} more inputs skipped", err=True)
    stderr_console().print(index_summary(summary))


_MAX_WARNINGS = 20


def _advance_to(advance: Callable[[int], None]) -> Callable[[int], None]:
    """Turn running totals (what build_index reports) into increments for a progress bar."""
    seen = 0

    def update(total: int) -> None:
        nonlocal seen
        advance(total - seen)
        seen = total

    return update


@app.command("label")
@reports_errors
def label_command(
    inputs: Annotated[
        list[str],
        typer.Argument(
            metavar="INPUTS...",
            help="The suspects: article files, folders, glob patterns, JSONL or CSV files "
            "with id and text fields (.gz/.bz2/.xz too), saved `datasets` folders, or "
            "hub:NAME[:CONFIG][@SPLIT] hub datasets.",
            show_default=False,
        ),
    ],
    index: Annotated[
        Path,
        typer.Option(
            "--index",
            "-i",
            metavar="INDEX",
            help="Index of originals (from `spindetect index`).",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            metavar="FILE",
            help="Results file: one JSON line per input (id, verdict, relation, spin_score, "
            "source, n_spans, error).",
            show_default=False,
        ),
    ],
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Continue an interrupted run (same INPUTS): skip inputs OUT already records.",
        ),
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            "--workers", "-j", min=1, metavar="N", help="Local processes labelling in parallel."
        ),
    ] = 1,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            metavar="ADDRESS",
            help="Run on a Dask cluster: its scheduler address (tcp://host:8786).  Workers "
            "need spindetect and the same paths to the index and input files.",
            show_default=False,
        ),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            "-m",
            metavar="MODEL",
            help="The reference-free model for suspects with no source in the index: "
            "transformer, baseline (fastest), hybrid or lm (more accurate on real spinning, "
            "seconds per article), or a model folder.  [default: transformer, the fast "
            "fallback]",
            show_default=False,
        ),
    ] = None,
    no_fallback: Annotated[
        bool,
        typer.Option(
            "--no-fallback",
            help="Never use a reference-free model: suspects with no source in the index "
            "are recorded as not_spun / unrelated.",
        ),
    ] = False,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            min=0,
            metavar="SECONDS",
            help="Give up on an input after this many seconds: it gets an error record and "
            "the run goes on (0: no limit; not applied on Dask workers).",
        ),
    ] = 60.0,
    allow_errors: Annotated[
        bool,
        typer.Option(
            "--allow-errors",
            help=f"Exit 0, not {EXIT_SOME_INPUTS_FAILED}, when some inputs got error records.",
        ),
    ] = False,
    encoding: Encoding = None,
    max_bytes: MaxBytes = DEFAULT_MAX_BYTES,
    text_field: TextField = None,
    id_field: IdField = None,
) -> None:
    """Label every input as spun or not, against the originals in an index.

    For each suspect the index proposes originals; the best are aligned and
    judged, and the one it copies is its source.  With no source, an installed
    reference-free model decides; without one the suspect is recorded as
    not_spun / unrelated with source null.  An unreadable input (or one that
    runs past --timeout) gets a record with its error and the run goes on.
    Records are appended as they are made, so a run killed at any point loses
    nothing: rerun it with --resume.  Repeated ids are recorded as ID#1, ID#2.
    One run at a time may write OUT (OUT.lock holds its PID).

    Exit status: 0 when every input was labelled, 3 when the run finished but
    some inputs got error records (0 with --allow-errors), 1 when the run could
    not proceed (damaged index, OUT in use or unwritable), 2 for usage mistakes.

    \b
    Examples:
      spindetect label crawl/ --index archive.sdx --out results.jsonl
      spindetect label crawl/ --index archive.sdx --out results.jsonl --resume --workers 4
      spindetect label crawl/ -i archive.sdx -o results.jsonl --model baseline
      spindetect label pages.jsonl -i archive.sdx -o results.jsonl --scheduler tcp://10.0.0.5:8786
    """
    from detector.inputs import count_inputs
    from detector.label import LabelOptions, label_corpus
    from detector.progress import label_summary, progress_bar, stderr_console

    fields = _batch_reading(encoding, text_field, id_field)
    if scheduler is not None and workers != 1:
        typer.echo("Warning: --workers has no effect with --scheduler", err=True)
    if model is not None:
        if no_fallback:
            raise fail("--model and --no-fallback contradict each other: choose one", 2)
        from detector.errors import ModelNotFoundError
        from detector.models import model_dir

        try:
            model = str(model_dir(model))  # a named model that is missing fails here, not later
        except ModelNotFoundError as exc:
            raise fail(str(exc), 2) from None
    options = LabelOptions(
        encoding=encoding,
        max_bytes=max_bytes,
        text_field=fields.text,
        id_field=fields.id,
        timeout=timeout or None,
    )
    renamed = 0

    def warn_renamed(old: str, new: str) -> None:
        nonlocal renamed
        renamed += 1
        if renamed <= _MAX_WARNINGS:
            typer.echo(f"Warning: id {old!r} was used already; recorded as {new!r}", err=True)

    try:
        with progress_bar("labelling", lambda: count_inputs(inputs)) as advance:
            summary = label_corpus(
                inputs,
                index,
                out,
                resume=resume,
                workers=workers,
                scheduler=scheduler,
                model=None if no_fallback else model or LABEL_FALLBACK_MODEL,
                options=options,
                on_progress=advance,
                on_rename=warn_renamed,
            )
    except KeyboardInterrupt:
        raise fail(
            f"interrupted; run the same command with --resume to finish {out}", 130
        ) from None
    stderr_console().print(label_summary(summary))
    if summary.no_source and not no_fallback:
        typer.echo(
            f"Note: no source in the index for {summary.no_source:,} suspect(s), and no "
            "reference-free model is installed; they are recorded as not_spun / unrelated.",
            err=True,
        )
    if summary.renamed:
        typer.echo(
            f"Warning: {summary.renamed:,} input(s) had an id used already; they are recorded "
            "as ID#1, ID#2, ... (ids must be unique for --resume to tell inputs apart)",
            err=True,
        )
    if summary.errors and not allow_errors:
        typer.echo(
            f"Note: {summary.errors:,} input(s) got error records (see their error field in "
            f"{out}); exit status {EXIT_SOME_INPUTS_FAILED} (--allow-errors to exit 0).",
            err=True,
        )
        raise typer.Exit(code=EXIT_SOME_INPUTS_FAILED)


# --------------------------------------------------------------------------- spin


class SpinFormat(StrEnum):
    """Output formats of ``spin``."""

    text = "text"
    json = "json"


# The profile names, without loading the spinner or its thesauri at start-up.
SpinProfile = StrEnum("SpinProfile", {name: name for name in PROFILE_NAMES})
_DEFAULT_PROFILE = SpinProfile("moby")


@app.command("spin")
@reports_errors
def spin_command(
    file: Annotated[
        str,
        typer.Argument(
            metavar="FILE",
            help="The article to spin: a .txt, .md or .html file, or - for standard input.",
            show_default=False,
        ),
    ],
    rate: Annotated[
        float,
        typer.Option(
            "--rate",
            "-r",
            help="Share of the eligible words and phrases to replace, 0.05 to 0.6.",
            metavar="RATE",
        ),
    ] = 0.3,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed",
            "-s",
            metavar="N",
            help="Seed of the random choices: the same seed gives the same output.  "
            "Drawn at random (and reported) when omitted.",
            show_default=False,
        ),
    ] = None,
    profile: Annotated[
        SpinProfile,
        typer.Option(
            "--profile",
            "-p",
            help="moby: Moby synonyms and the detector's glue phrases (what models train on); "
            "paratable: Moby synonyms, wordy paraphrase-table rewrites ('many' -> 'a large "
            "number of'), respellings and mangled names (also trained on; protects numbers "
            "by default); cross: MyThes synonyms and different phrase rewrites (evaluation "
            "only; needs the mythes-en-us package).",
        ),
    ] = _DEFAULT_PROFILE,
    protect: Annotated[
        str | None,
        typer.Option(
            "--protect",
            metavar="WHAT",
            help="Never replace these, comma-separated: names (capitalised words inside a "
            "sentence), numbers, quotes (quoted text); or none.  Default: the profile's "
            "(moby: numbers; cross: names,quotes).",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        SpinFormat,
        typer.Option(
            "--format",
            "-f",
            help="text: the spun article; json: one object with the spun text, the original "
            "and every replaced span (offsets in both texts).",
        ),
    ] = SpinFormat.text,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", metavar="FILE", help="Write to this file instead of standard output."
        ),
    ] = None,
    encoding: Encoding = None,
    max_bytes: MaxBytes = DEFAULT_MAX_BYTES,
) -> None:
    """Spin FILE as article spinners do: swap words for thesaurus synonyms, rewrite glue phrases.

    For red-teaming a detection pipeline: the output reads like spun news
    (sense-blind synonyms, inflection and capitalisation kept).  With
    --format json every replaced span is listed with its offsets in the spun
    and the original text.  Markup is stripped from .md and .html inputs first.

    \b
    Examples:
      spindetect spin article.txt --rate 0.3 --seed 7
      spindetect spin article.html --profile cross --protect names,quotes --format json
      cat article.txt | spindetect spin - --seed 1 --output spun.txt
    """
    import json

    from detector.io import read_document
    from detector.spin.spinner import Spinner, check_protect, check_rate

    try:
        check_rate(rate)
        protections = None if protect is None else check_protect(protect)
    except ValueError as exc:
        raise fail(str(exc), 2) from None
    document = read_document(file, encoding=encoding, max_bytes=max_bytes)
    spinner = Spinner.from_profile(profile.value)
    result = spinner.spin(document.text, rate=rate, seed=seed, protect=protections)
    if fmt is SpinFormat.json:
        write_output(json.dumps(result.to_dict(), ensure_ascii=False, indent=2), output)
        return
    if seed is None:
        typer.echo(
            f"spindetect: seed {result.seed} (pass --seed {result.seed} to repeat)", err=True
        )
    write_output(result.text, output)
