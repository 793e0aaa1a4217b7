"""The ``spindetect`` command line: parse, call the library, render, translate errors.

Each command is a thin adapter over one library call; library errors
(``detector.errors``) become a one-line ``Error: ...`` on stderr with exit code
1 (failure) or 2 (usage), never a traceback.

Conventions every command keeps: ``-h`` is ``--help``; ``-o``/``--output`` is
the file written; ``-q``/``--quiet`` and ``-v``/``--verbose`` set how much goes
to standard error; ``--format``, when not given, follows the ``--output``
extension; ``--fail-on`` turns findings into exit status 4 (see ``EXIT_HELP``).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from detector.errors import InputError, MissingInputError, SpindetectError
from detector.model_config import default_model_name
from detector.spin import PROFILE_NAMES

if TYPE_CHECKING:
    from detector.document import Document
    from detector.progress import Messages

DEFAULT_MAX_BYTES = 10_000_000  # mirrors detector.io.DEFAULT_MAX_BYTES without importing it
# The model score uses without --model, named in its --help.
_DEFAULT_MODEL = default_model_name()
_DEFAULT_MODEL_HELP = (
    f"[default: {_DEFAULT_MODEL}, the best shipped model (models/default.json)]"
    if _DEFAULT_MODEL
    else "[default: the best shipped model, models/default.json (none installed)]"
)

# Exit statuses, the same in every command.
EXIT_FAILURE = 1  # an input or resource could not be used
EXIT_USAGE = 2  # a usage mistake (click's own code for bad options)
EXIT_SOME_INPUTS_FAILED = 3  # `label` finished, but some inputs got error records
EXIT_FINDING = 4  # --fail-on: a verdict matched

EXIT_HELP = """\b
Exit status:
  0  done, nothing matched --fail-on
  1  failure: an input or resource could not be used (empty, binary, too
     large, a damaged index, an output that cannot be written)
  2  usage mistake: a bad option, a missing file, a folder without articles,
     an output of label or index there already without --resume or --add
  3  label: the run finished, but some inputs got error records
  4  --fail-on: a verdict matched (a spun or paraphrased finding)"""

ENVIRONMENT_HELP = """\b
Environment:
  SPINDETECT_CACHE   folder of the compiled thesaurus and converted language
                     model [default: $XDG_CACHE_HOME/spindetect, else
                     ~/.cache/spindetect]
  XDG_CACHE_HOME     see SPINDETECT_CACHE
  SPINDETECT_MODELS  folder of the shipped models [default: models/ of a
                     checkout, else <prefix>/share/spindetect/models]
  SPINDETECT_MYTHES  the MyThes th_en_US_v2.dat file of `spin --profile cross`
                     [default: /usr/share/mythes]
  SPINDETECT_LM_DTYPE  float32 or bfloat16: what the language model computes in
                     [default: bfloat16 where the CPU has it natively]
  HF_HUB_OFFLINE     1: never reach the Hugging Face hub (--lm NAME, hub:
                     datasets); HF_HOME says where its downloads are cached
  NO_COLOR           set (to anything): no colour in the text report
  TERM               dumb: no colour either
  COLUMNS            the width text reports wrap to on a terminal
  SOURCE_DATE_EPOCH  the date stamped on HTML reports (seconds since 1970), for
                     reproducible files"""

# `-h` is `--help` in every command (click passes it down to subcommands).
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}

app = typer.Typer(
    name="spindetect",
    help=(
        "Detect spun articles: copies of real text whose words were swapped for thesaurus "
        "synonyms.  Marks every substituted span and restores the original words."
    ),
    epilog=f"{EXIT_HELP}\n\n{ENVIRONMENT_HELP}",
    context_settings=CONTEXT_SETTINGS,
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


def fail(message: str, exit_code: int = EXIT_FAILURE) -> typer.Exit:
    """Print ``Error: message`` on stderr and return the Exit to raise."""
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(code=exit_code)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where it lands so that it unwinds as Ctrl-C does (locks released,
    partial files removed, workers stopped)."""


def _exit_status(interrupt: KeyboardInterrupt) -> int:
    """128 + the signal's number: 143 for SIGTERM, 130 for Ctrl-C."""
    return 143 if isinstance(interrupt, Terminated) else 130


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """While inside, SIGTERM raises ``Terminated`` (in the main thread; elsewhere no change)."""
    import signal
    import threading

    inherited = signal.getsignal(signal.SIGTERM)
    if threading.current_thread() is not threading.main_thread() or inherited in (
        signal.SIG_IGN,
        None,  # set outside Python: leave it alone
    ):
        yield  # a parent that made this process ignore SIGTERM meant it
        return

    def on_term(signum: int, frame: object) -> None:
        raise Terminated

    signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, inherited)


def reports_errors(command: F) -> F:
    """Turn library errors raised inside ``command`` into one-line messages and exit codes."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with _terminate_as_interrupt():
                return command(*args, **kwargs)
        except SpindetectError as exc:
            raise fail(str(exc), exc.exit_code) from None
        except KeyboardInterrupt as exc:
            raise fail(
                "terminated" if isinstance(exc, Terminated) else "interrupted", _exit_status(exc)
            ) from None
        except BrokenPipeError:
            sys.stderr.close()  # the reader went away (e.g. `| head`); nothing more to say
            raise typer.Exit(code=0) from None
        except MemoryError:
            raise fail("out of memory; pass a smaller input", 1) from None

    return wrapper  # type: ignore[return-value]


def write_output(text: str, output: Path | None) -> None:
    """Write ``text`` to ``output`` (all of it or, on failure, nothing), or to standard output."""
    from detector.output import silence_stdout, write_file_atomically, write_stdout

    if output is None or str(output) == "-":  # -o -: standard output
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


def _known_encoding(param: typer.CallbackParam, encoding: str | None) -> str | None:
    """An encoding option checked before anything is read: a usage error (exit 2) when unknown."""
    import codecs

    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            option = max(param.opts, key=len)
            raise fail(f"unknown encoding {encoding!r} ({option})", EXIT_USAGE) from None
    return encoding


Encoding = Annotated[
    str | None,
    typer.Option(
        "--encoding",
        metavar="ENCODING",
        help="Decode article files (.txt, .md, .html, standard input) with this encoding "
        "instead of guessing (e.g. latin-1, utf-16); record files (JSON, JSONL, CSV) are "
        "always read as UTF-8.",
        callback=_known_encoding,
    ),
]


SuspectEncoding = Annotated[
    str | None,
    typer.Option(
        "--encoding",
        metavar="ENCODING",
        help="Decode SUSPECT (a file or standard input) with this encoding instead of "
        "guessing (e.g. latin-1, utf-16).  The originals are guessed each, unless "
        "--original-encoding names theirs.",
        callback=_known_encoding,
    ),
]
OriginalEncoding = Annotated[
    str | None,
    typer.Option(
        "--original-encoding",
        metavar="ENCODING",
        help="Decode the --original files with this encoding instead of guessing each.",
        callback=_known_encoding,
    ),
]


class FormatChoice(StrEnum):
    """Output formats of ``score``."""

    text = "text"
    json = "json"
    html = "html"


class FailOn(StrEnum):
    """The verdicts ``--fail-on`` turns into exit status 4."""

    spun = "spun"
    paraphrased = "paraphrased"
    any = "any"

    @property
    def verdicts(self) -> frozenset[str]:
        """The verdicts that match: ``any`` is spun or paraphrased."""
        if self is FailOn.any:
            return frozenset({"spun", "paraphrased"})
        return frozenset({self.value})


Quiet = Annotated[
    bool,
    typer.Option(
        "--quiet",
        "-q",
        help="Print nothing on standard error but errors: no progress bar, spinner, summary, "
        "notes or warnings.",
    ),
]
Verbose = Annotated[
    bool,
    typer.Option(
        "--verbose",
        "-v",
        help="Say more on standard error: what was read and loaded (which model, which "
        "files), and how long each step took.",
    ),
]
FailOnOption = Annotated[
    FailOn | None,
    typer.Option(
        "--fail-on",
        help=f"Exit with status {EXIT_FINDING} when a verdict matches: spun, paraphrased, "
        "or any (either).  For scripts and CI gates; the output is written all the same.",
        show_default=False,
    ),
]
Threshold = Annotated[
    float | None,
    typer.Option(
        "--threshold",
        min=0.0,
        max=1.0,
        metavar="FLOAT",
        help="Reference-free verdicts: the spin score (0..1) at or above which an article is "
        "spun.  Lower flags more (and more false alarms), higher fewer.  [default: the "
        "model's own operating point, from its config.json]",
        show_default=False,
    ),
]


def _messages(quiet: bool, verbose: bool) -> Messages:
    """The ``Messages`` of ``-q``/``-v``; a usage error (exit 2) for both at once."""
    from detector.progress import Messages

    try:
        return Messages(quiet=quiet, verbose=verbose)
    except ValueError as exc:
        raise fail(str(exc), EXIT_USAGE) from None


def _output_format(fmt: FormatChoice | None, output: Path | None) -> FormatChoice:
    """``--format`` when given, else the one the ``--output`` extension names, else text."""
    from detector.output import format_from_suffix

    if fmt is not None:
        return fmt
    inferred = format_from_suffix(output, tuple(FormatChoice))
    return FormatChoice(inferred) if inferred is not None else FormatChoice.text


def _text_width(width: int | None, output: Path | None) -> int:
    """Columns to wrap a text report at: ``--width``, else the terminal's; 0 for none."""
    if width is not None:
        return width
    if output is not None or not sys.stdout.isatty():
        return 0
    import shutil

    return shutil.get_terminal_size().columns


def _refuse_record_files(suspect: str, originals: list[str]) -> None:
    """Refuse, in one line, a file of records (JSON lines, CSV) given as one article."""
    from detector.inputs import RECORD_SUFFIXES

    if suspect.lower().endswith(RECORD_SUFFIXES):
        raise fail(
            f"{suspect} is a file of records, one article each: score reads one article; "
            f"`spindetect label {suspect} -o RESULTS.jsonl` scores every record (with "
            "--index INDEX, against the originals in it)",
            EXIT_USAGE,
        )
    for path in originals:
        if path.lower().endswith(RECORD_SUFFIXES):
            raise fail(
                f"--original {path} is a file of records: --original takes article files "
                f"or folders; index the records (`spindetect index {path} -o INDEX`) and "
                "`spindetect label` against it",
                EXIT_USAGE,
            )


def _read_originals(
    paths: list[str],
    suspect_name: str,
    encoding: str | None,
    max_bytes: int,
    messages: Messages,
) -> list[Document]:
    """Documents for ``--original`` paths; unreadable files found inside folders are skipped."""
    from detector.io import expand_inputs, read_document

    named = {str(Path(p)) for p in paths}
    documents: list[Document] = []
    unusable = 0
    for path in expand_inputs(paths):
        if str(path) != "-" and str(path) == str(Path(suspect_name)) and str(path) not in named:
            continue  # the suspect sitting in the folder of originals is not its own source
        try:
            documents.append(read_document(path, encoding=encoding, max_bytes=max_bytes))
        except InputError as exc:
            # The suspect's option is --encoding; the originals' is --original-encoding.
            exc = type(exc)(re.sub(r"(?<![-\w])--encoding\b", "--original-encoding", str(exc)))
            if str(path) in named:
                raise exc from None
            unusable += 1
            messages.warn(f"{exc} (skipped)")
    if not documents:
        if not unusable:  # nothing there but the suspect itself: a usage mistake (exit 2)
            raise MissingInputError(f"no original among {', '.join(paths)} but the suspect")
        # Files were there, none usable (empty, binary): exit 1, as for one such file.
        raise InputError(f"no readable original among {', '.join(paths)}")
    return documents


def _refuse_to_overwrite_an_article(output: Path) -> None:
    """A usage error (exit 2) when ``score`` without ``--original`` would overwrite an
    article file that holds no spindetect report: ``-o`` was ``--original``'s short form
    before it was ``--output``'s, and an old command line would replace the original with
    the report."""
    from detector.io import TEXT_SUFFIXES

    if not output.is_file() or output.suffix.lower() not in TEXT_SUFFIXES:
        return
    try:
        with output.open("rb") as handle:
            head = handle.read(4096).decode("utf-8", "replace")
    except OSError:
        return  # unreadable: writing it fails with its own message
    if not head.strip() or _REPORT_START.match(head) or _REPORT_MARK.search(head):
        return  # empty, or a report written before: replaced as asked
    raise fail(
        f"--output {output} exists and is not a spindetect report: to compare with it, "
        "give it as --original (-o is --output now); to replace it, delete it first",
        EXIT_USAGE,
    )


# How a text report begins (its verdict line), and what marks a JSON or an HTML one.
_REPORT_START = re.compile(r"\s*(SPUN|NOT SPUN|PARAPHRASED|UNSCORED)  spin score ")
_REPORT_MARK = re.compile(r'\A\s*\{\s*"schema_version"|<title>spindetect: ')


def _refuse_to_overwrite(output: Path, inputs: list[str]) -> None:
    """A usage error (exit 2) when ``output`` is one of the input files, or an article
    file inside an input folder."""
    from detector.io import TEXT_SUFFIXES

    if not output.is_file():
        return  # a file yet to be made (or not a file) is no input
    where = output.resolve()
    for given in inputs:
        if given == "-":
            continue
        path = Path(given)
        if path.is_dir():
            # The folder is read for article files: is the output one of them?
            same = where.is_relative_to(path.resolve()) and where.suffix.lower() in TEXT_SUFFIXES
        else:
            try:
                same = path.is_file() and output.samefile(path)
            except OSError:
                same = False
        if same:
            raise fail(f"--output {output} is an input; write the report elsewhere", EXIT_USAGE)


@app.command(short_help="Score one article: is it a spun copy?")
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
            metavar="FILE",
            help=(
                "The original article(s) to compare with: files or folders, repeatable. "
                "With several, the best-matching one is used and named in the report.  "
                "(-o is --output, as in every command.)"
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
            "alone), screen (the judge's first pass: faster, finds less), cascade (the "
            "screen, the hybrid going on with each text it scores 0.2 or more), transformer, "
            "baseline (fastest), or a model folder.  " + _DEFAULT_MODEL_HELP,
            show_default=False,
        ),
    ] = None,
    lm: Annotated[
        str | None,
        typer.Option(
            "--lm",
            metavar="NAME_OR_PATH",
            help="For --model screen, lm or hybrid: the causal language model that reads the "
            "text, a Hugging Face name (needs the hub) or a local folder.  "
            "[default: the packaged SmolLM2-135M-Instruct]",
            show_default=False,
        ),
    ] = None,
    threshold: Threshold = None,
    fmt: Annotated[
        FormatChoice | None,
        typer.Option(
            "--format",
            "-f",
            help="text: readable report with spans marked; json: one JSON object (see "
            "`spindetect schema report`); html: one page, suspect and original side by "
            "side.  [default: the --output extension's (.json, .html), else text]",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write the report to this file instead of standard output (- is standard "
            "output); its extension picks the format when --format is not given.",
            show_default=False,
        ),
    ] = None,
    width: Annotated[
        int | None,
        typer.Option(
            "--width",
            min=0,
            metavar="COLUMNS",
            help="Wrap the text report at this many columns (words and marks are never "
            "split; 0: never wrap).  [default: the terminal's width; no wrapping into a "
            "file or pipe]",
            show_default=False,
        ),
    ] = None,
    fail_on: FailOnOption = None,
    encoding: SuspectEncoding = None,
    original_encoding: OriginalEncoding = None,
    max_bytes: MaxBytes = DEFAULT_MAX_BYTES,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Say whether SUSPECT is a spun copy, mark every substituted span and restore its original.

    With --original, SUSPECT is aligned with its original: every swap is marked
    and the original words are read off it.  Without, a model reads SUSPECT
    alone: the language-model models (hybrid, lm) restore each flagged word from
    its sentence, screen from the words before it; transformer and baseline
    guess it from the thesaurus.  Text
    that is not English prose is reported "unscored", with a note saying why.
    To score many articles, `spindetect label FOLDER -o results.jsonl` loads the
    model once (with no --index, every article is scored reference-free).

    \b
    Exit status:
      0  scored (and, with --fail-on, the verdict did not match)
      1  an input cannot be used (empty, binary, undecodable, too large), or
         the output cannot be written
      2  usage mistake (a bad option, a missing file, an --output that is an
         input or an article file holding no report)
      4  --fail-on: the verdict matches; the report is written all the same

    \b
    Examples:
      spindetect score suspect.txt --original original.txt
      spindetect score suspect.txt                  # no original: reference-free
      spindetect score suspect.txt --model lm --format json
      spindetect score suspect.txt --threshold 0.8 --fail-on spun   # CI gate
      spindetect score suspect.html --original archive/ -o report.html
      cat suspect.txt | spindetect score - --original original.md -o report.json
    """
    from detector.io import read_document
    from detector.render import render

    messages = _messages(quiet, verbose)
    if output is not None and str(output) == "-":
        output = None  # -o -: standard output, as without -o
    if (
        fmt is None
        and output is not None
        and output.suffix.lower() not in ("", ".txt", ".text")
        and _output_format(None, output) is FormatChoice.text
    ):
        messages.warn(
            f"{output}: no report format has the extension {output.suffix}; writing a "
            "text report (--format json or html, or a .json or .html output)"
        )
    fmt = _output_format(fmt, output)
    if suspect == "-" and "-" in (original or []):
        raise fail(
            "standard input can be read once: give the suspect or the original as a file",
            EXIT_USAGE,
        )
    if output is not None:
        _refuse_to_overwrite(output, [suspect, *(original or [])])
        if not original:
            _refuse_to_overwrite_an_article(output)
    _refuse_record_files(suspect, original or [])
    if model is not None and not original:
        from detector.errors import ModelNotFoundError
        from detector.models import model_dir

        try:
            model_dir(model)  # a mistyped name is a usage error, as with label
        except ModelNotFoundError as exc:
            raise fail(str(exc), EXIT_USAGE) from None
    with messages.timed(f"read {suspect}"):
        suspect_doc = read_document(suspect, encoding=encoding, max_bytes=max_bytes)
    if original_encoding is not None and not original:
        messages.warn("--original-encoding has no effect without --original")
    if original:
        for name, given in (("--model", model), ("--lm", lm), ("--threshold", threshold)):
            if given is not None:
                messages.warn(f"{name} has no effect with --original (reference mode)")
        with messages.timed("read the original(s)"):
            originals = _read_originals(original, suspect, original_encoding, max_bytes, messages)
        messages.detail(f"{len(originals)} original(s): {', '.join(d.name for d in originals)}")
        from detector.score import ReferenceScorer
        from detector.swap_fit import SwapReader

        # A copy with a few swaps is read by the language model: -v says when it loads.
        reader = SwapReader(
            loading=lambda: messages.timed("loaded the language model for the wording check")
        )
        with messages.timed("scored against the original(s)"):
            report = ReferenceScorer(reader=reader).score(suspect_doc, originals)
    else:
        from detector.models import load_model, model_dir

        name = model or "default"
        # The time said after the spinner is gone: a line printed under a live spinner
        # leaves its frames behind on a terminal.
        with (
            messages.timed(f"loaded model {name} from {model_dir(name)}"),
            messages.working(f"loading model {name}"),
        ):
            reader = load_model(name, lm=lm)
        words = len(suspect_doc.words)
        long_note = _long_read_note(words, _model_type(name))
        if long_note is not None:
            messages.note(long_note)
        with (
            messages.timed(f"scored by {reader.name}"),
            messages.working(f"scoring {words:,} words with {reader.name}"),
        ):
            report = reader.score(suspect_doc, threshold=threshold)
    color = output is None and fmt is FormatChoice.text and _stdout_is_colour_terminal()
    rendered = render(report, fmt.value, color=color)
    if fmt is FormatChoice.text:
        from detector.output import wrap_text

        rendered = wrap_text(rendered, _text_width(width, output))
    elif width is not None:
        messages.warn(f"--width has no effect with --format {fmt.value}")
    write_output(rendered, output)
    if fail_on is not None and report.verdict in fail_on.verdicts:
        messages.detail(f"verdict {report.verdict} matches --fail-on {fail_on.value}")
        raise typer.Exit(code=EXIT_FINDING)


# From this many words, `score` says before reading that a language model will take a
# while: each 800 words take seconds (BENCHMARKS.md: 2.4-9 s on 2 cores, by the CPU and
# by how spun the text is), and the spinner alone looked hung on a long text (6,000
# words read in minutes on a busy 2-core machine).
_LONG_FOR_LM = 3_000
_READS_WITH_LM = ("lm", "hybrid", "cascade")


def _long_read_note(words: int, model_type: str | None) -> str | None:
    """The note `score` prints before a language model reads a text of ``words`` words,
    or None for a text of ordinary length or a model without one (``model_type``)."""
    if model_type not in _READS_WITH_LM or words < _LONG_FOR_LM:
        return None
    return (
        f"{words:,} words for the language model to read ({words / 800:.0f} times an "
        "800-word article, each some seconds on 2 cores): this may take minutes; "
        "--model transformer reads it in seconds, with less accurate swaps"
    )


def _stdout_is_colour_terminal() -> bool:
    import os

    return sys.stdout.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


# --------------------------------------------------------------------------- batch: index, label

# The reference-free model `label` falls back on by default: the screen reads every text,
# fast enough for a corpus, and the hybrid goes on from its reading where it scores 0.2 or
# more (detector/cascade_model.py); the transformer, faster, called a fifth of hand-written
# clean texts spun (BENCHMARKS.md).
LABEL_FALLBACK_MODEL = "cascade"
# What a fast fallback misses, said after a run it scored records of (BENCHMARKS.md,
# hand-spun sets: the hybrid calls 128 of their 170 spun texts spun and 3 of 305 clean).
_FALLBACK_CAVEATS = {
    "cascade": "the screen (the language model's first pass alone), the hybrid going on "
    "with each text it scored 0.2 or more, its verdict standing (each record's `model` says "
    "which decided): on hand-spun text in real spinners' styles this called 93 of 170 spun "
    "texts spun and none of 305 clean ones, the hybrid alone 128 and 3 (BENCHMARKS.md)",
    "screen": "the screen, the language model's first pass alone: on hand-spun text in "
    "real spinners' styles it calls about half of the spun texts spun and few clean ones, "
    "and restores each flag from the words before it (BENCHMARKS.md)",
    "transformer": "the fast transformer, which learned from synthetic spinners: on "
    "hand-spun text in real spinners' styles it calls a third of the spun texts spun (less "
    "in short texts) and a fifth of the clean ones, and guesses originals from the thesaurus "
    "(BENCHMARKS.md)",
}
_TIMEOUT = 60.0  # label's --timeout, seconds per input
_LM_TIMEOUT = 300.0  # the same when a language model reads the inputs


def _default_fallback(messages: Messages) -> str:
    """``label``'s fallback when no ``--model`` is given: the cascade, or the transformer
    where the cascade cannot read (its packaged language model is not installed)."""
    from detector.lm import packaged_gguf
    from detector.model_config import read_model_config
    from detector.models import model_dir

    try:
        if read_model_config(model_dir(LABEL_FALLBACK_MODEL)).get("lm") is None:
            packaged_gguf()  # the packaged SmolLM2, found without loading it
    except SpindetectError as exc:
        messages.warn(
            f"the {LABEL_FALLBACK_MODEL} cannot be used ({exc}); suspects with no source fall "
            f"back on the transformer, which calls many clean texts spun"
        )
        return "transformer"
    return LABEL_FALLBACK_MODEL


def _model_type(name_or_path: str) -> str | None:
    """The ``type`` a model's config.json names ("hybrid", "transformer"), or None."""
    from detector.model_config import read_model_config
    from detector.models import model_dir

    try:
        kind = read_model_config(model_dir(name_or_path)).get("type")
    except SpindetectError:
        return None
    return kind if isinstance(kind, str) else None


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


def _batch_reading(text_field: str | None, id_field: str | None) -> Any:
    """The record fields of the batch options; a usage error (exit 2) for bad ones.

    (``--encoding`` is checked by its option's callback, ``_known_encoding``.)
    """
    from detector.corpus_reader import FieldNames

    try:
        return FieldNames(text=text_field, id=id_field)
    except ValueError as exc:
        raise fail(str(exc), EXIT_USAGE) from None


def _output_path(output: Path | None, deprecated_out: Path | None, messages: Messages) -> Path:
    """``--output``, or the deprecated ``--out`` (with one warning); exit 2 without either."""
    if deprecated_out is not None:
        if output is not None:
            raise fail("--out is the old name of --output/-o: give one of them", EXIT_USAGE)
        messages.warn("--out is deprecated and will go; use --output (or -o)")
        return deprecated_out
    if output is None:
        raise fail("missing option --output/-o: the file to write", EXIT_USAGE)
    if str(output) == "-":
        raise fail(
            "--output - : this command writes a file (locked while it runs, read back at the "
            "end), not standard output; give a file name",
            EXIT_USAGE,
        )
    if output.is_dir():
        raise fail(f"--output {output} is a folder; give a file name", EXIT_USAGE)
    if output.exists() and not output.is_file():  # a pipe, a device: nothing to lock or resume
        raise fail(f"--output {output} is not a regular file; give a file name", EXIT_USAGE)
    return output


# The old spelling of --output in `index` and `label`: still accepted, hidden from --help.
DeprecatedOut = Annotated[
    Path | None,
    typer.Option("--out", hidden=True, show_default=False, help="Deprecated: use --output."),
]


@app.command("index", short_help="Index originals for `spindetect label`.")
@reports_errors
def index_command(
    originals: Annotated[
        list[str],
        typer.Argument(
            metavar="ORIGINALS...",
            help="The originals: article files, folders, glob patterns, JSONL or CSV files "
            "with id and text fields (.gz/.bz2/.xz too), saved `datasets` folders, "
            "[hub:]NAME[:CONFIG][@SPLIT] hub datasets, or - for JSON lines on standard input.",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="INDEX",
            help="The index file to write (one SQLite file; .sdx by convention).  [required]",
            show_default=False,
        ),
    ] = None,
    add: Annotated[
        bool,
        typer.Option("--add", help="Add the originals to the existing index OUTPUT."),
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            "--workers", "-j", min=1, metavar="N", help="Processes reading and hashing originals."
        ),
    ] = 1,
    dense: Annotated[
        bool | None,
        typer.Option(
            "--dense/--no-dense",
            help="Give a new index dense passage vectors (INDEX.dense beside it), which find "
            "paraphrased and heavily spun copies the word keys miss. Default: when the dense "
            "extra is installed. --no-dense builds about three times faster.",
            show_default=False,
        ),
    ] = None,
    encoding: Encoding = None,
    max_bytes: MaxBytes = DEFAULT_MAX_BYTES,
    text_field: TextField = None,
    id_field: IdField = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
    out: DeprecatedOut = None,
) -> None:
    """Index ORIGINALS so that `spindetect label` can find the source of their spun copies.

    The index keeps each original's text and the words spinners leave alone
    (names, numbers, rare words), so a copy with a third of its words swapped
    is still found.  An original already in the index (same id, same text) is
    skipped; one with another text under an indexed id (index.html of two
    sites) is indexed as ID#HASH (8 hex digits of its text's SHA-256), with a
    warning; one whose text is indexed under another id (a second copy of an
    archive) is skipped with a warning naming that id; unreadable inputs are
    skipped with a warning.  A new index appears only once complete.

    \b
    Examples:
      spindetect index archive/ -o archive.sdx
      spindetect index wire-2024.jsonl.gz -o archive.sdx --add
      spindetect index 'feeds/**/*.html' --output feeds.sdx --workers 4
    """
    from detector.index_build import build_index
    from detector.inputs import count_inputs
    from detector.progress import index_summary, progress_bar, stderr_console
    from detector.render import safe_for_terminal

    messages = _messages(quiet, verbose)
    output = _output_path(output, out, messages)
    fields = _batch_reading(text_field, id_field)
    messages.detail(
        f"{'adding to' if add else 'writing'} {output} from {', '.join(originals)} "
        f"with {workers} worker(s)"
    )
    if add and dense is not None:
        messages.warn(
            f"--{'' if dense else 'no-'}dense has no effect with --add: an index keeps the "
            "dense vectors it was created with, or their absence"
        )
    warned = 0

    def warn(reason: str) -> None:
        nonlocal warned
        warned += 1
        if warned <= _MAX_WARNINGS:
            messages.warn(f"not indexed: {reason}")

    _warn_folder_skips(originals, messages)
    with progress_bar("indexing", lambda: count_inputs(originals), shown=not quiet) as advance:
        summary = build_index(
            originals,
            output,
            add=add,
            workers=workers,
            encoding=encoding,
            max_bytes=max_bytes,
            on_progress=_advance_to(advance),
            on_skip=warn,
            fields=fields,
            dense=dense,
            on_rename=lambda id, new_id: messages.warn(
                f"{safe_for_terminal(id)} indexed as {safe_for_terminal(new_id)}: "
                "another text has that id already"
            ),
            on_same_text=lambda id, indexed: warn(
                f"{safe_for_terminal(id)}: the same text is indexed as {safe_for_terminal(indexed)}"
            ),
        )
    if warned > _MAX_WARNINGS:
        messages.warn(f"{warned - _MAX_WARNINGS} more inputs not indexed")
    if not quiet:
        stderr_console().print(index_summary(summary))


_MAX_WARNINGS = 20


def _warn_folder_skips(inputs: list[str], messages: Any) -> None:
    """One warning naming what the folders among ``inputs`` hold that a walk does not read."""
    from detector.inputs import folder_skips
    from detector.render import safe_for_terminal

    skips = folder_skips(inputs)
    if skips.total:
        messages.warn(safe_for_terminal(skips.describe()))


def _advance_to(advance: Callable[[int], None]) -> Callable[[int], None]:
    """Turn running totals (what build_index reports) into increments for a progress bar."""
    seen = 0

    def update(total: int) -> None:
        nonlocal seen
        advance(total - seen)
        seen = total

    return update


def _results_records(results: Path) -> Iterator[dict[str, Any]]:
    """The records of a label results file, in order (torn lines skipped)."""
    import json

    with open(results, "rb") as f:
        for line in f:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict):
                yield record


def _count_records(results: Path, keep: Callable[[dict[str, Any]], bool]) -> int:
    """How many records of the results file ``keep`` accepts (torn lines ignored)."""
    return sum(1 for record in _results_records(results) if keep(record))


_ERRORS_SHOWN = 3  # error records named in label's closing note


def _error_records(results: Path) -> list[tuple[str, str]]:
    """(id, error) of each error record of the results file (torn lines ignored)."""
    from detector.render import safe_for_terminal

    found = []
    for record in _results_records(results):
        if record.get("error") is not None:
            error = " ".join(str(record["error"]).split())
            if len(error) > 80:  # cut at a word, 80 characters at most: "(e…)" said nothing
                error = error[:78].rsplit(" ", 1)[0].rstrip(",;:( ") + " …"
            found.append((safe_for_terminal(str(record.get("id"))), safe_for_terminal(error)))
    return found


_LABEL_SUFFIXES = (".jsonl", ".ndjson")
# A Dask scheduler address: [PROTOCOL://]HOST:PORT, HOST a name, IPv4 or [IPv6] address.
_SCHEDULER_ADDRESS = re.compile(
    r"(?:(?:tcp|tls|ucx|ws|wss)://)?(?:\[[0-9A-Fa-f:.]+\]|[^\s:/\[\]@]+):\d{1,5}"
)


@app.command(
    "label", short_help="Label a corpus, against an index of originals or by a model alone."
)
@reports_errors
def label_command(
    inputs: Annotated[
        list[str],
        typer.Argument(
            metavar="INPUTS...",
            help="The suspects: article files, folders, glob patterns, JSONL or CSV files "
            "with id and text fields (.gz/.bz2/.xz too), saved `datasets` folders, "
            "[hub:]NAME[:CONFIG][@SPLIT] hub datasets, or - for JSON lines on standard input "
            "(one object per line with a text field; ids -:LINE when there is no id field).",
            show_default=False,
        ),
    ],
    index: Annotated[
        Path | None,
        typer.Option(
            "--index",
            "-i",
            metavar="INDEX",
            help="Index of originals (from `spindetect index`).  Without one, --model "
            "scores every input reference-free (the default model, hybrid, unless --model "
            "says otherwise): a crawl checked with no originals at hand.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Results file: one JSON line per input (id, verdict, relation, spin_score, "
            "source, related, n_spans, mode, model, error, note, schema_version; see "
            "`spindetect schema label`), "
            ".jsonl by convention.  [required]",
            show_default=False,
        ),
    ] = None,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Continue an interrupted run (same INPUTS): skip inputs OUTPUT already records.",
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
            "cascade (the screen, the hybrid going on from its reading of each text it "
            "scores 0.2 or more: about the screen's time on a clean text), screen "
            "(the language model's first pass alone: a third of the hybrid's time on a clean "
            "article), hybrid or lm (find more real spinning, seconds per article), "
            "transformer or baseline (fastest, but call many clean texts spun), or a model "
            "folder.  [default: cascade; without --index, the default model (hybrid)]",
            show_default=False,
        ),
    ] = None,
    threshold: Threshold = None,
    no_fallback: Annotated[
        bool,
        typer.Option(
            "--no-fallback",
            help="Never use a reference-free model: suspects with no source in the index "
            "are recorded as not_spun / unrelated.",
        ),
    ] = False,
    timeout: Annotated[
        float | None,
        typer.Option(
            "--timeout",
            min=0,
            metavar="SECONDS",
            help="Give up on an input after this many seconds: it gets an error record and "
            "the run goes on (0: no limit; not applied on Dask workers).  [default: 60; "
            f"{_LM_TIMEOUT:g} when a language-model model (cascade, screen, lm, hybrid) reads "
            "the inputs, as the default fallback and the default without --index do]",
            show_default=False,
        ),
    ] = None,
    allow_errors: Annotated[
        bool,
        typer.Option(
            "--allow-errors",
            help=f"Exit 0, not {EXIT_SOME_INPUTS_FAILED}, when some inputs got error records.",
        ),
    ] = False,
    fail_on: FailOnOption = None,
    encoding: Encoding = None,
    max_bytes: MaxBytes = DEFAULT_MAX_BYTES,
    text_field: TextField = None,
    id_field: IdField = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
    out: DeprecatedOut = None,
) -> None:
    """Label every input as spun or not, against the originals in an index (or, with no
    index, by a reference-free model alone).

    For each suspect the index proposes originals; the best are aligned and
    judged, and the one it copies is its source (a page that copies a clean
    story beside a spun one is labelled against the spun one).  With no source, an installed
    reference-free model decides; without one the suspect is recorded as
    not_spun / unrelated with source null.  When the index holds only an
    independent report of the same story (relation rewrite), the model scores
    the suspect too: its spun verdict stands, otherwise the reference verdict
    does, and the report is named as related, never as source.  An unreadable input (or one that
    runs past --timeout) gets a record with its error and the run goes on.
    Records are appended as they are made, so a run killed at any point loses
    nothing: rerun it with --resume.  Repeated ids are recorded as ID#1, ID#2.
    One run at a time may write OUTPUT (OUTPUT.lock holds its PID).  Without --index
    every input is scored reference-free by --model (hybrid by default: seconds per
    article; screen, the language model's first pass, a third of that; transformer is
    fastest but misses much real spinning), each model loaded once per worker.

    \b
    Exit status:
      0  every input was labelled
      1  the run could not proceed (damaged index, OUTPUT in use or unwritable)
      2  usage mistake (missing inputs, an unknown --encoding, no text field,
         OUTPUT there already without --resume)
      3  the run finished, but some inputs got error records (0: --allow-errors)
      4  --fail-on: a record of OUTPUT has a matching verdict (resumed records
         count too; 3 wins over 4)

    \b
    Examples:
      spindetect label crawl/ --index archive.sdx -o results.jsonl
      spindetect label crawl/ --index archive.sdx -o results.jsonl --resume -j 4
      spindetect label crawl/ -i archive.sdx -o results.jsonl --model baseline
      spindetect label crawl/ -i a.sdx -o r.jsonl --scheduler tcp://host:8786
      cat pages.jsonl | spindetect label - -i a.sdx -o r.jsonl --fail-on any
      spindetect label crawl/ -o results.jsonl -j 2     # no index: hybrid scores all
    """
    from detector.inputs import count_inputs
    from detector.label import LabelOptions, label_corpus
    from detector.progress import label_summary, progress_bar, stderr_console

    messages = _messages(quiet, verbose)
    output = _output_path(output, out, messages)
    if output.suffix.lower() not in _LABEL_SUFFIXES:
        messages.warn(f"label writes JSON lines (one object per line); name {output} .jsonl")
    fields = _batch_reading(text_field, id_field)
    if scheduler is not None and not _SCHEDULER_ADDRESS.fullmatch(scheduler):
        raise fail(
            f"--scheduler {scheduler!r} is not a scheduler address: give tcp://HOST:PORT "
            "(e.g. tcp://10.0.0.5:8786), as `dask scheduler` prints it",
            EXIT_USAGE,
        )
    if scheduler is not None and workers != 1:
        messages.warn("--workers has no effect with --scheduler")
    if index is None and no_fallback:
        raise fail(
            "--no-fallback needs --index: without an index, a reference-free model is what "
            "labels the inputs",
            EXIT_USAGE,
        )
    defaulted = index is None and model is None
    if defaulted:
        model = "default"  # every input is the model's: the accurate one, not the fast fallback
    if model is not None:
        if no_fallback:
            raise fail("--model and --no-fallback contradict each other: choose one", EXIT_USAGE)
        from detector.errors import ModelNotFoundError
        from detector.models import model_dir

        try:
            model = str(model_dir(model))  # a named model that is missing fails here, not later
        except ModelNotFoundError as exc:
            if defaulted:
                from detector.models import models_root

                raise fail(
                    f"with no --index the default model labels every input, and no default "
                    f"model is installed in {models_root()}: pass --model NAME (or a model "
                    "folder), or --index INDEX",
                    EXIT_USAGE,
                ) from None
            raise fail(str(exc), EXIT_USAGE) from None
    if threshold is not None and no_fallback:
        messages.warn("--threshold has no effect with --no-fallback")
    fallback = None if no_fallback else model or _default_fallback(messages)
    fallback_reads_with_lm = fallback is not None and _model_type(fallback) in _READS_WITH_LM
    messages.detail(
        (
            f"labelling {', '.join(inputs)} against {index} into {output}; fallback model: "
            f"{fallback or 'none'}"
            if index is not None
            else f"labelling {', '.join(inputs)} into {output} with no index: model {fallback}"
        )
        + (f" at threshold {threshold}" if threshold is not None and fallback else "")
    )
    if timeout is None:  # a language model reads a long article in tens of seconds
        timeout = _LM_TIMEOUT if fallback_reads_with_lm else _TIMEOUT
    options = LabelOptions(
        encoding=encoding,
        max_bytes=max_bytes,
        text_field=fields.text,
        id_field=fields.id,
        timeout=timeout or None,
        threshold=threshold,
    )
    earlier_records = 0
    earlier_by_reference = 0
    models: set[str] = set()
    if resume and output.is_file() and output.stat().st_size:
        for record in _results_records(output):  # streamed: a results file may be huge
            earlier_records += 1
            if record.get("model"):
                models.add(str(record["model"]))
            earlier_by_reference += record.get("mode") == "reference"
    if index is None and earlier_by_reference:
        messages.warn(
            f"{output} holds {earlier_by_reference:,} record(s) labelled against an index; "
            "this run has no --index, so the rest are scored by the model alone (pass the "
            "same --index to resume that run as it was)"
        )
    earlier_models = sorted(models)
    fallback_name = Path(str(fallback)).name if fallback is not None else None
    if fallback_name is not None and earlier_models:
        from detector.errors import ModelNotFoundError
        from detector.models import recorded_names

        try:
            names = recorded_names(str(fallback))
        except ModelNotFoundError:
            names = frozenset({fallback_name})
        if not models <= names:  # a cascade's records name the screen or the hybrid
            messages.warn(
                f"{output} holds records scored by {', '.join(earlier_models)}; this run "
                f"scores with {fallback_name}, so the file will mix models (the `model` "
                "field says which)"
            )
    renamed = 0

    def warn_renamed(old: str, new: str) -> None:
        nonlocal renamed
        renamed += 1
        if renamed <= _MAX_WARNINGS:
            messages.warn(f"id {old!r} was used already; recorded as {new!r}")

    _warn_folder_skips(inputs, messages)
    try:
        with progress_bar(
            "labelling", lambda: count_inputs(inputs, skip=[output]), shown=not quiet
        ) as bar:
            summary = label_corpus(
                inputs,
                index,
                output,
                resume=resume,
                workers=workers,
                scheduler=scheduler,
                model=fallback,
                options=options,
                on_progress=bar,
                on_rename=warn_renamed,
                # "loading model NAME" shows a spinner and no ETA; "labelling" resumes it
                on_phase=lambda name: bar.phase(name, busy=name != "labelling"),
            )
    except KeyboardInterrupt as exc:
        stopped = "terminated" if isinstance(exc, Terminated) else "interrupted"
        raise fail(
            f"{stopped}; run the same command with --resume to finish {output}",
            _exit_status(exc),
        ) from None
    if not quiet:
        stderr_console().print(
            label_summary(
                summary,
                with_index=index is not None,
                workers=workers if scheduler is None else None,
            )
        )
    if summary.no_source and not no_fallback:
        messages.note(
            f"no source in the index for {summary.no_source:,} suspect(s), and no "
            "reference-free model is installed; they are recorded as not_spun / unrelated."
        )
    if summary.by_model and fallback_name in _FALLBACK_CAVEATS:
        had = "had no source in the index and " if index is not None else ""
        messages.note(
            f"{summary.by_model:,} record(s) {had}were scored reference-free by "
            f"{_FALLBACK_CAVEATS[fallback_name]}; --model hybrid reads them in context "
            "(seconds per text)."
        )
    if not summary.labelled and not summary.resumed:
        messages.warn(f"the inputs ({', '.join(inputs)}) hold no records: nothing was labelled")
    if earlier_records and not summary.resumed and summary.labelled:
        messages.warn(
            f"none of the {earlier_records:,} records already in {output} has the id of an "
            "input, so every input was labelled again: ids are the paths as given, so name "
            "the inputs as the first run did (from the same folder) to resume it"
        )
    if summary.renamed:
        messages.warn(
            f"{summary.renamed:,} input(s) had an id used already; they are recorded "
            "as ID#1, ID#2, ... (ids must be unique for --resume to tell inputs apart)"
        )
    if (summary.errors or summary.resumed) and not allow_errors:
        # The records of the earlier runs count too, as for --fail-on.
        failed = _error_records(output)
        if failed:
            shown = "; ".join(f"{id} ({error})" for id, error in failed[:_ERRORS_SHOWN])
            more = (
                f"; and {len(failed) - _ERRORS_SHOWN:,} more" if len(failed) > _ERRORS_SHOWN else ""
            )
            # After --resume the file holds earlier runs' records too: say so beside the
            # summary's count, which is this run's.
            earlier = f", {summary.errors:,} of them in this run" if summary.resumed else ""
            messages.note(
                f"{len(failed):,} input(s) in {output} got error records{earlier}: {shown}{more} "
                f"(their error field); exit status {EXIT_SOME_INPUTS_FAILED} (--allow-errors to "
                "exit 0)."
            )
            raise typer.Exit(code=EXIT_SOME_INPUTS_FAILED)
    if fail_on is not None:
        verdicts = fail_on.verdicts
        found = _count_records(output, lambda record: record.get("verdict") in verdicts)
        if found:
            messages.note(
                f"{found:,} record(s) in {output} match --fail-on {fail_on.value}; "
                f"exit status {EXIT_FINDING}."
            )
            raise typer.Exit(code=EXIT_FINDING)


# --------------------------------------------------------------------------- report


@app.command("report", short_help="Summarise a label results file as one HTML page.")
@reports_errors
def report_command(
    results: Annotated[
        Path,
        typer.Argument(
            metavar="RESULTS",
            help="The results file `spindetect label` wrote (one JSON line per input).",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write the page to this file (.html) instead of standard output.",
            show_default=False,
        ),
    ] = None,
    index: Annotated[
        Path | None,
        typer.Option(
            "--index",
            "-i",
            metavar="INDEX",
            help="The index label used: write a side-by-side report of each top suspect "
            "with its original and link it from the page.  Without it the suspects are "
            "listed without links.",
            show_default=False,
        ),
    ] = None,
    reports_dir: Annotated[
        Path | None,
        typer.Option(
            "--reports-dir",
            metavar="DIR",
            help="With --index: the folder of the per-suspect reports.  [default: "
            "OUTPUT_files beside --output, e.g. overview_files/ for overview.html]",
            show_default=False,
        ),
    ] = None,
    inputs: Annotated[
        list[str] | None,
        typer.Option(
            "--inputs",
            metavar="FILE",
            help="With --index: the JSONL/CSV files (or saved datasets) label read, where "
            "records with an id field of their own are found again (repeat for several).",
            show_default=False,
        ),
    ] = None,
    top: Annotated[
        int,
        typer.Option(
            "--top",
            "-n",
            min=0,
            metavar="N",
            help="How many suspects the table lists (and --index reports): spun first, "
            "then by spin score.",
        ),
    ] = 50,
    encoding: Encoding = None,
    max_bytes: MaxBytes = DEFAULT_MAX_BYTES,
    text_field: TextField = None,
    id_field: IdField = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Summarise RESULTS (from `spindetect label`) as one self-contained HTML page.

    The page counts the records per verdict, mode and relation, shows the
    errors and a histogram of spin scores, and lists the top suspects (spun
    first, then by spin score) with their source and related originals.  It
    is one file (inline CSS and SVG, nothing fetched); ids are escaped.  The
    file is read as a stream, so a results file of millions of lines is fine.
    A line that is not a label record is skipped with a warning.

    With --index, each top suspect with an original in the index is re-read
    (an article file from its path, relative to where label ran; a JSONL/CSV
    record without an id from FILE:LINE) and scored against it as `score
    -o report.html` would, and the page links that report; a record with an id
    field of its own is found again in the files given with --inputs (give
    the --text-field and --id-field label was given).  A suspect that cannot be
    found again is named as such on the page.

    \b
    Exit status:
      0  the page was written (bad lines skipped, with a warning each)
      1  RESULTS is empty or holds no label record; an output cannot be written
      2  usage mistake (RESULTS or --index missing, a bad option)

    \b
    Examples:
      spindetect report results.jsonl -o overview.html
      spindetect report results.jsonl -o overview.html --index archive.sdx --top 100
      spindetect report results.jsonl -o out/overview.html -i archive.sdx --reports-dir out/pairs
      spindetect report results.jsonl -o overview.html -i archive.sdx --inputs crawl.jsonl
      spindetect report results.jsonl -o o.html -i archive.sdx --inputs news.csv --id-field url
    """
    from detector.overview import default_reports_dir, load_overview, render_overview

    messages = _messages(quiet, verbose)
    _batch_reading(text_field, id_field)
    if index is None:
        for name, given in (
            ("--reports-dir", reports_dir),
            ("--encoding", encoding),
            ("--text-field", text_field),
            ("--id-field", id_field),
            ("--inputs", inputs),
        ):
            if given is not None:
                messages.warn(f"{name} has no effect without --index")
    elif reports_dir is None:
        if output is None:
            raise fail(
                "--index writes per-suspect reports: name the page with --output/-o "
                "(they go beside it) or their folder with --reports-dir",
                EXIT_USAGE,
            )
        reports_dir = default_reports_dir(output)
    if index is not None and not index.exists():
        raise fail(f"{index}: no such index; build one with `spindetect index`", EXIT_USAGE)
    for path in inputs or []:
        if not Path(path).exists():
            raise fail(f"--inputs {path}: no such file or directory", EXIT_USAGE)
    warned = 0

    def warn_bad(message: str) -> None:
        nonlocal warned
        warned += 1
        if warned <= _MAX_WARNINGS:
            messages.warn(message)

    with messages.timed(f"read {results}"):
        overview = load_overview(results, top=top, on_bad=warn_bad)
    if warned > _MAX_WARNINGS:
        messages.warn(f"{warned - _MAX_WARNINGS:,} more bad lines skipped")
    messages.detail(
        f"{overview.total:,} records, {overview.errors:,} errors, top {len(overview.top):,}"
    )
    links = None
    if index is not None and reports_dir is not None:
        from detector.overview import write_pair_reports
        from detector.render import safe_for_terminal

        page_dir = output.parent if output is not None else Path()
        with messages.timed(f"wrote the per-suspect reports into {reports_dir}"):
            try:
                links = write_pair_reports(
                    overview.top,
                    index,
                    reports_dir,
                    page_dir=page_dir,
                    encoding=encoding,
                    max_bytes=max_bytes,
                    text_field=text_field,
                    id_field=id_field,
                    record_files=inputs or (),
                    on_written=lambda id, path: messages.detail(f"{safe_for_terminal(id)}: {path}"),
                )
            except OSError as exc:
                raise fail(
                    f"cannot write the reports in {reports_dir}: {exc.strerror or exc}"
                ) from None
        missing = sum(1 for link in links.values() if link.href is None)
        if missing:
            messages.note(
                f"{missing:,} of {len(links):,} suspect(s) got no report (the page says why)"
            )
    write_output(render_overview(overview, links), output)


# --------------------------------------------------------------------------- spin


class SpinFormat(StrEnum):
    """Output formats of ``spin``."""

    text = "text"
    json = "json"


# The profile names, without loading the spinner or its thesauri at start-up.
SpinProfile = StrEnum("SpinProfile", {name: name for name in PROFILE_NAMES})
_DEFAULT_PROFILE = SpinProfile("moby")


@app.command("spin", short_help="Spin an article, for red-teaming a detector.")
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
            help="Share of the eligible words and phrases to replace, 0.02 to 0.6.",
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
            "(moby, paratable: numbers; cross: names,quotes).",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        SpinFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="text: the spun article; json: one object with the spun text, the original "
            "and every replaced span (offsets in both texts).  [default: json for a .json "
            "--output, else text]",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write to this file instead of standard output; a .json name picks "
            "--format json when --format is not given.",
            show_default=False,
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
      spindetect spin page.html --profile cross --protect names,quotes -f json
      cat article.txt | spindetect spin - --seed 1 -o spun.txt
    """
    import json

    from detector.io import read_document
    from detector.spin.spinner import Spinner, check_protect, check_rate

    try:
        check_rate(rate)
    except ValueError as exc:
        raise fail(str(exc).replace("the 'rate' parameter", "--rate"), 2) from None
    try:
        protections = None if protect is None else check_protect(protect)
    except ValueError as exc:
        raise fail(str(exc).replace("the 'protect' parameter", "--protect"), 2) from None
    if fmt is None:
        from detector.output import format_from_suffix

        fmt = SpinFormat(format_from_suffix(output, tuple(SpinFormat)) or SpinFormat.text)
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


# --------------------------------------------------------------------------- schema


class SchemaChoice(StrEnum):
    """The schemas ``schema`` prints."""

    report = "report"
    label = "label"


@app.command("schema", short_help="Print the JSON Schema of score or label output.")
@reports_errors
def schema_command(
    which: Annotated[
        SchemaChoice,
        typer.Argument(
            metavar="[report|label]",
            help="report: the object `score --format json` prints; label: each line "
            "`label` writes.  [default: report]",
            show_default=False,
        ),
    ] = SchemaChoice.report,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write the schema to this file instead of standard output.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Print the JSON Schema (draft 2020-12) of what `score` and `label` write.

    Validate output with any JSON Schema tool.  Every report and record names
    the schema_version it follows: the minor number grows when an optional
    field is added, the major number when a field is removed, renamed or
    changes meaning.  docs/schema.md explains every field.

    \b
    Examples:
      spindetect schema report -o report.schema.json
      spindetect schema label
    """
    from detector.schema import schema_path

    write_output(schema_path(which.value).read_text("utf-8"), output)
