"""Batch labelling: one verdict record per suspect, against an index of originals.

``label_corpus`` streams suspects (``detector.inputs``) through a pipeline:
for each one, the ``SourceIndex`` proposes candidate originals, the best ones
are aligned and judged (``ReferenceScorer``), and the first that the suspect
copies becomes its source.  A suspect with no such original is scored by a
reference-free model when one is available, and otherwise recorded as
``not_spun`` with relation ``unrelated`` and no source: nothing in the index
was copied (whether it was spun from an article outside the index is then
unknown).  With no index at all, the model scores every suspect (a crawl checked
for spinning when no originals are at hand).

The index may hold only an independent report of the suspect's story (relation
``rewrite``): a spun copy of an article outside the index looks exactly like
that.  Such a suspect is scored by the reference-free model too, and a
``spun`` verdict from it stands (``mode: "reference-free"``); otherwise the
reference verdict does.  Either way the report is named as ``related``, not as
``source``: the suspect was not copied from it.

Every input gives exactly one JSON line in the output::

    {"id": "crawl/a.html", "verdict": "spun", "relation": "copy",
     "spin_score": 0.9731, "source": "wire-117", "related": null, "n_spans": 41,
     "mode": "reference", "model": null, "error": null, "note": null,
     "coverage": {"suspect": 0.9812, "original": 0.9655}, "schema_version": "1.3"}

``n_spans`` counts all spans of the report (swaps, ordinary edits, insertions, retold
sentences), as ``spindetect score --format json`` lists them.  An input that cannot be read
(empty, binary, undecodable, a bad record) gives a record with every field
null but ``id`` and ``error``, and the run goes on.

Lines are appended with one ``write`` each, in input order, so a run killed at
any moment leaves whole records plus at most one torn last line.  With
``resume=True`` the torn line is cut off, the ids already present are skipped,
and the run continues where it stopped: nothing lost, nothing written twice.

Every input has its own id: ids repeated in the inputs (``7`` and ``"7"``, one id
in two files) are renamed ``7#1``, ``7#2`` in input order, the same in every run,
so a resumed run labels each input exactly once.  A run holds an advisory lock
on ``OUT.lock`` (holding its PID), so a second run on the same results file is
refused at once (``ResultsFileError``, "OUT is in use by PID n").  A results
file that cannot be written (full disk, read-only, no permission) stops the run
with ``ResultsFileError``, the file left with whole records only.  An input
that takes longer than ``LabelOptions.timeout`` seconds gets an error record
(see ``Labeller.label``).  ``docs/reliability.md`` lists these promises and
the tests that check them.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import signal
import stat
import threading
import time
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol

import numpy as np

from detector.corpus_reader import FieldNames, escape_surrogates
from detector.errors import (
    CorruptIndexError,
    InputError,
    ModelNotFoundError,
    OutputExistsError,
    ResourceError,
    SpindetectError,
)
from detector.io import DEFAULT_MAX_BYTES
from detector.schema import SCHEMA_VERSION

if TYPE_CHECKING:
    from detector.document import Document
    from detector.index import SourceIndex
    from detector.index_lock import WriterLock
    from detector.inputs import InputItem
    from detector.report import Coverage, Relation, Report, Verdict
    from detector.score import ReferenceScorer, ScoredPair

__all__ = [
    "LabelJob",
    "LabelOptions",
    "LabelRecord",
    "LabelSummary",
    "Labeller",
    "ResultsFileError",
    "label_corpus",
    "load_fallback_model",
    "read_done_ids",
]

Outcome = Literal["source", "reference-free", "no-source", "error"]
RECORD_FIELDS = (
    "id",
    "verdict",
    "relation",
    "spin_score",
    "source",
    "related",
    "n_spans",
    "mode",
    "model",
    "error",
    "note",
    "coverage",
    "schema_version",
)
DEFAULT_TIMEOUT = 60.0
# Inputs a worker process takes at a time: reference labelling takes milliseconds an
# input, and a batch of 16 keeps the exchange with the workers cheap (``make
# bench-index``); a fallback model takes seconds, and a smaller batch loses less work
# when a run stops (Ctrl-C) and shows progress sooner.
BATCH = 16
SMALL_BATCH = 4
# Scored once after the fallback model loads, so that its slow first call counts as loading.
_WARM_UP_TEXT = (
    "The council said on Monday that the bridge over the river would reopen next month, "
    "after repairs to its supports took longer than planned because of the wet winter. "
    "Residents have driven an extra twenty minutes to reach the town centre since March."
)


class ResultsFileError(SpindetectError):
    """The results file cannot be written (full disk, read-only, no permission) or is in use."""


class SpinModel(Protocol):
    """A reference-free model, as ``detector.models.load_model`` returns."""

    def score(self, document: Document) -> Report:
        """The report on ``document`` without an original."""
        ...


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class LabelRecord:
    """The result line for one input.

    Attributes
    ----------
    id : str
        The input's path or record id.
    verdict : {"spun", "not_spun"} or None
        None for an input that could not be read.
    relation : {"copy", "rewrite", "unrelated"} or None
        How the suspect relates to the original it was compared with
        (``source``, or ``related`` for a rewrite); ``unrelated`` when the
        index holds no source, None for a reference-free verdict or an error.
    spin_score : float or None
        Probability-like score in [0, 1]: 4 decimals, 3 significant digits
        under 0.0001 (``detector.report.json_score``).
    source : str or None
        Id of the original the suspect copies (relation ``copy``), or None.
    related : str or None
        Id of an original telling the same story in its own words (relation
        ``rewrite``): an independent report, never a source.  None otherwise.
    n_spans : int or None
        Spans in the report, every kind (swaps, ordinary edits, insertions, retold
        sentences).
    mode : {"reference", "reference-free"} or None
        How the verdict was reached: against an original from the index, or by
        a reference-free model; None without either (no source, no model) or on error.
    model : str or None
        The reference-free model that scored the suspect, else None.  With a
        ``related`` original it is the model consulted even when its verdict
        was not ``spun`` and the reference verdict stands (``mode: "reference"``).
    error : str or None
        One-line reason the input could not be read, else None.
    note : str or None
        The report's note: why a text is ``unscored``, why a copy with swaps is
        ``not_spun`` (the wording check), what held a reference-free verdict; else None.
    coverage : Coverage or None
        Shares of the suspect and of the original inside the reused passages (a
        partial copy: a spun paragraph in a page of its own covers a part of it),
        against an original; None for a reference-free verdict or an error.
    schema_version : str
        The version of the record's JSON Schema (``spindetect schema label``), last in the line.
    seconds : float or None
        Time it took to read and label the input, without loading models (the
        fallback model, the wording check's language model); for the run's
        summary, not part of the JSON record.
    load_seconds : float
        Time spent loading models while labelling this input (the first one that
        needed each); not part of the JSON record.
    """

    id: str
    verdict: Verdict | None
    relation: Relation | None
    spin_score: float | None
    source: str | None
    n_spans: int | None
    error: str | None = None
    mode: str | None = None
    model: str | None = None
    related: str | None = None
    note: str | None = None
    coverage: Coverage | None = None
    seconds: float | None = field(default=None, compare=False, repr=False)
    load_seconds: float = field(default=0.0, compare=False, repr=False)
    # The version of detector/data/label-record.schema.json the record follows.
    schema_version: ClassVar[str] = SCHEMA_VERSION

    @classmethod
    def from_report(
        cls, id: str, report: Report, *, related: str | None = None, model: str | None = None
    ) -> LabelRecord:
        """The record of a report (reference or reference-free).

        With ``related`` (the id of an independent report of the same story),
        the record names it instead of a source; ``model`` names a
        reference-free model consulted besides the report's own.
        """
        from detector.report import json_score

        return cls(
            id=id,
            verdict=report.verdict,
            relation=report.relation,
            spin_score=json_score(report.spin_score),
            source=None if related is not None else report.source,
            n_spans=len(report.spans),
            mode=report.mode,
            model=report.model if model is None else model,
            related=related,
            note=report.note,
            coverage=report.coverage,
        )

    @classmethod
    def no_source(cls, id: str) -> LabelRecord:
        """The record of a suspect that copies nothing in the index, with no model to ask."""
        return cls(id, "not_spun", "unrelated", 0.0, None, 0)

    @classmethod
    def failed(cls, id: str, error: str) -> LabelRecord:
        """The record of an input that could not be labelled, with the reason on one line."""
        return cls(id, None, None, None, None, None, " ".join(error.split()) or "unknown error")

    @property
    def outcome(self) -> Outcome:
        """How the verdict was reached: against a source, by a model, without either, or not."""
        if self.error is not None:
            return "error"
        if self.mode == "reference":
            return "source"
        return "reference-free" if self.mode == "reference-free" else "no-source"

    def to_dict(self) -> dict[str, Any]:
        """The record as the JSON contract gives it, fields in contract order."""
        fields = {name: getattr(self, name) for name in RECORD_FIELDS}
        if self.coverage is not None:
            fields["coverage"] = self.coverage.to_dict()
        return fields

    def to_json(self) -> str:
        """The record as one line of JSON (no newline), always encodable as UTF-8."""
        fields = self.to_dict()
        for name, value in fields.items():
            if isinstance(value, str):
                fields[name] = escape_surrogates(value)
        return json.dumps(fields, ensure_ascii=False)


# --------------------------------------------------------------------------- labelling


@dataclass(frozen=True)
class LabelOptions:
    """How suspects are labelled.

    Parameters
    ----------
    candidates : int, default=3
        Originals aligned at most per suspect, most similar first; the first
        the suspect copies is taken.
    min_similarity : float, default=0.1
        Score below which an original is not a candidate: its cosine and its
        containment of the suspect both below it (``SourceIndex.query``).
    encoding : str, optional
        Encoding of article files, instead of guessing.
    max_bytes : int, default=DEFAULT_MAX_BYTES
        Longest input accepted.
    text_field, id_field : str, optional
        The record fields holding the text and the id (``detector.corpus_reader.FieldNames``).
    timeout : float or None, default=DEFAULT_TIMEOUT
        Seconds one input may take (reading and scoring) before it gets an
        error record instead; None for no limit.  See ``Labeller.label``.
    threshold : float, optional
        The fallback model's operating point: the document probability at or
        above which its verdict is ``spun``; the model's own when None.
    """

    candidates: int = 3
    min_similarity: float = 0.1
    encoding: str | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    text_field: str | None = None
    id_field: str | None = None
    timeout: float | None = DEFAULT_TIMEOUT
    threshold: float | None = None

    def __post_init__(self) -> None:
        if self.threshold is not None and not 0.0 <= self.threshold <= 1.0:
            raise ValueError(
                f"the 'threshold' parameter of LabelOptions must be in [0, 1] or None, "
                f"got {self.threshold!r}"
            )
        if isinstance(self.candidates, bool) or not isinstance(self.candidates, int):
            raise ValueError(
                f"the 'candidates' parameter of LabelOptions must be an int >= 1, "
                f"got {self.candidates!r}"
            )
        if self.candidates < 1:
            raise ValueError(
                f"the 'candidates' parameter of LabelOptions must be an int >= 1, "
                f"got {self.candidates!r}"
            )
        if not 0.0 <= self.min_similarity <= 1.0:
            raise ValueError(
                f"the 'min_similarity' parameter of LabelOptions must be in [0, 1], "
                f"got {self.min_similarity!r}"
            )
        if self.max_bytes < 1:
            raise ValueError(
                f"the 'max_bytes' parameter of LabelOptions must be >= 1, got {self.max_bytes!r}"
            )
        if self.timeout is not None and not self.timeout > 0:
            raise ValueError(
                f"the 'timeout' parameter of LabelOptions must be > 0 seconds or None, "
                f"got {self.timeout!r}"
            )
        if self.encoding is not None:
            try:
                codecs.lookup(self.encoding)
            except LookupError:
                raise ValueError(f"unknown encoding {self.encoding!r}") from None
        self.fields  # noqa: B018 - checks the field names

    @property
    def fields(self) -> FieldNames:
        """The record fields to read texts and ids from."""
        return FieldNames(text=self.text_field, id=self.id_field)


class Labeller:
    """Labels suspects against a source index, falling back to a model when it finds no source.

    Parameters
    ----------
    index : SourceIndex or None
        The originals; None: there are none, and the model scores every suspect.
    scorer : ReferenceScorer, optional
        Aligns and judges a suspect against one original; a default one when omitted
        (none without an index).
    model : object with ``score(document) -> Report``, or str, optional
        Reference-free model for suspects with no source in the index, or the
        name or path of one, loaded with ``load_fallback_model`` when first
        needed (no fallback when none is installed).
    options : LabelOptions, optional
    on_phase : callable, optional
        Called with ``"loading model NAME"`` before the fallback model (or the
        reference scorer's language model, for its wording check) loads and with
        ``"labelling"`` once it has, so a progress display can tell the two phases
        apart.
    """

    def __init__(
        self,
        index: SourceIndex | None,
        *,
        scorer: ReferenceScorer | None = None,
        model: SpinModel | str | None = None,
        options: LabelOptions | None = None,
        on_phase: Callable[[str], None] | None = None,
    ) -> None:
        if scorer is None and index is not None:
            from detector.judge import SubstitutionJudge
            from detector.paraphrase import SentenceEncoder
            from detector.score import ReferenceScorer
            from detector.swap_fit import SwapReader

            scorer = ReferenceScorer(
                SubstitutionJudge(index.fingerprinter.lexicon),
                encoder=SentenceEncoder(
                    loading=partial(self._loading_model, "minilm (paraphrase check)")
                ),
                reader=SwapReader(loading=partial(self._loading_model, "smollm2 (wording check)")),
            )
        if not isinstance(model, str | None) and not callable(getattr(model, "score", None)):
            raise TypeError("model must have a score(document) method returning a Report")
        self.index = index
        self.scorer = scorer
        self.options = options if options is not None else LabelOptions()
        self._model = model
        self._on_phase = on_phase
        self._load_seconds = 0.0

    @property
    def model(self) -> SpinModel | None:
        """The fallback model, loaded on first use when given by name; None when there is none."""
        if isinstance(self._model, str):
            from detector.document import make_document

            name = self._model
            with self._loading_model(name):
                if self.index is None:
                    # No index: the model labels every input, so one that fails to load
                    # stops the run; records of "no source" would call every input clean.
                    self._model = _load_every_inputs_model(name)
                else:
                    self._model = load_fallback_model(name)
                if self._model is not None:
                    # A model's first call is slow (lazy imports, torch's first pass): part
                    # of loading, not of the first input's --timeout.
                    with suppress(Exception):
                        self._model.score(make_document(_WARM_UP_TEXT, "warm-up"))
        return self._model

    @contextmanager
    def _loading_model(self, name: str) -> Iterator[None]:
        """Around the loading of a model (the fallback model, or the reference
        scorer's language model for its wording check, ``detector.swap_fit``): its
        phase shown, its time counted as loading, not the input's (``--timeout``)."""
        self._phase(f"loading model {name}")
        started = time.perf_counter()
        try:
            with _time_limit_paused():
                yield
        finally:
            self._load_seconds += time.perf_counter() - started
            self._phase("labelling")

    def _phase(self, name: str) -> None:
        if self._on_phase is not None:
            self._on_phase(name)

    def label(self, item: InputItem) -> LabelRecord:
        """The record of one input; a bad input gives an error record, not an exception.

        An input that takes longer than ``options.timeout`` seconds to read and
        score gets an error record too.  The limit is a ``SIGALRM`` timer, so it
        holds in the main thread of a process (``workers=1`` and worker
        processes), not in threads (a Dask worker's): there inputs run
        unlimited.  It fires between Python operations, so one long call into C
        finishes first.  A damaged index or thesaurus still raises: every input
        would fail alike.

        The record carries (outside its JSON) the time it took, without loading
        models, which it carries apart.
        """
        started = time.perf_counter()
        loaded_before = self._load_seconds
        record = self._label(item)
        loading = self._load_seconds - loaded_before
        seconds = time.perf_counter() - started - loading
        return replace(record, seconds=seconds, load_seconds=loading)

    def _label(self, item: InputItem) -> LabelRecord:
        timeout = self.options.timeout
        try:
            with _time_limit(timeout):
                document = item.read(
                    encoding=self.options.encoding, max_bytes=self.options.max_bytes
                )
                return self.label_document(document, item.id)
        except _Timeout:
            return LabelRecord.failed(
                item.id,
                f"took longer than {timeout:g} s to label; skipped (see --timeout; --resume "
                "keeps this record: label such inputs again in a new run)",
            )
        except (CorruptIndexError, ResourceError):
            raise  # not the input's fault: every other input would fail the same way
        except SpindetectError as exc:
            return LabelRecord.failed(item.id, str(exc))
        except Exception as exc:  # a bug must not end a million-input run; record it
            return LabelRecord.failed(
                item.id, f"internal error ({type(exc).__name__}: {exc}); please report it"
            )

    def label_document(self, document: Document, id: str | None = None) -> LabelRecord:
        """The record of a suspect already read, under ``id`` (its name by default).

        A copy of an original in the index is labelled against it.  Otherwise
        the fallback model scores the suspect; when the index holds an
        independent report of the same story (relation ``rewrite``), the
        model's verdict stands only if it is ``spun`` (a report that exists is
        no evidence the suspect is clean), else the reference verdict does,
        and the report is named as ``related``.
        """
        id = document.name if id is None else id
        best = self._best_source(document)
        if best is not None and best.report.relation == "copy":
            return LabelRecord.from_report(id, best.report)
        related = best if best is not None and best.report.relation == "rewrite" else None
        model = self.model
        if model is None:
            if related is None:
                return LabelRecord.no_source(id)
            return LabelRecord.from_report(id, related.report, related=related.report.source)
        threshold = self.options.threshold
        fallback = model.score(document, **({} if threshold is None else {"threshold": threshold}))
        if related is None:
            return LabelRecord.from_report(id, fallback)
        related_id = related.report.source
        if fallback.verdict == "spun":
            return LabelRecord.from_report(id, fallback, related=related_id)
        return LabelRecord.from_report(id, related.report, related=related_id, model=fallback.model)

    def _best_source(self, document: Document) -> ScoredPair | None:
        """The scored pair with the original ``document`` most plausibly copies, if any."""
        if self.index is None or self.scorer is None:
            return None
        candidates = self.index.query(
            document, limit=self.options.candidates, min_similarity=self.options.min_similarity
        )
        from detector.score import best_source, may_reuse_another_source

        pairs: list[ScoredPair] = []
        for candidate in candidates:
            pair = self.scorer.score_pair(document, self.index.document(candidate.id))
            pairs.append(pair)
            if pair.report.relation == "copy" and not may_reuse_another_source(pair, document):
                break  # candidates come most similar first; nothing is left to copy
        return best_source(pairs) if pairs else None

    def process(self, batch: list[InputItem]) -> list[LabelRecord]:
        """Records for a batch of inputs, in order."""
        return [self.label(item) for item in batch]

    def close(self) -> None:
        """Close the index."""
        if self.index is not None:
            self.index.close()


@contextmanager
def _time_limit_paused() -> Iterator[None]:
    """Stop the clock of a running ``_time_limit`` in the block, and restart it after."""
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return
    left, _ = signal.setitimer(signal.ITIMER_REAL, 0)
    try:
        yield
    finally:
        if left:
            signal.setitimer(signal.ITIMER_REAL, left)


class _Timeout(BaseException):
    """One input ran past its time limit (a BaseException, so no ``except Exception`` eats it)."""


@contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    """Raise ``_Timeout`` in the block after ``seconds``; no limit off the main thread."""
    if (
        not seconds
        or not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return
    armed = True

    def on_alarm(signum: int, frame: object) -> None:
        if armed:
            raise _Timeout

    previous = signal.signal(signal.SIGALRM, on_alarm)
    started = time.monotonic()
    outer, interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)
        if outer:  # someone else's timer was running: give it back what is left of it
            left = outer - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001), interval)


def load_fallback_model(name_or_path: str = "default") -> SpinModel | None:
    """The reference-free model ``name_or_path``, or None when no model is installed."""
    try:
        from detector.models import load_model
    except ImportError:
        return None
    try:
        return load_model(name_or_path)  # type: ignore[no-any-return]
    except ModelNotFoundError:
        return None


def _load_every_inputs_model(name_or_path: str) -> SpinModel:
    """The model of a run with no index, which labels every input: one that is missing
    or will not load raises ``ResourceError`` (the run stops), never None."""
    from detector.models import load_model

    try:
        return load_model(name_or_path)  # type: ignore[no-any-return]
    except ModelNotFoundError as exc:
        raise ResourceError(
            f"the model {name_or_path} could not be loaded ({exc}); with no --index it "
            "labels every input, so the run stops"
        ) from None


@dataclass(frozen=True)
class LabelJob:
    """A labelling run's per-worker setup, picklable for worker processes and Dask.

    Attributes
    ----------
    index : str or None
        Path of the index file (the same path must be readable on every worker); None:
        no index, the model scores every suspect.
    options : LabelOptions
    model : str, model object or None
        Fallback model: a name or path loaded in each worker with
        ``load_fallback_model`` when a suspect first needs it (no fallback when
        none is installed), a model object used as is, or None for no fallback.
    """

    index: str | None
    options: LabelOptions
    model: str | SpinModel | None = None
    # Told of the phases (``Labeller``'s ``on_phase``); only when the job runs in this
    # process, as a callback does not travel to worker processes.
    on_phase: Callable[[str], None] | None = field(default=None, compare=False)

    def start(self) -> Labeller:
        """Open the index and load the thesaurus (a fallback model loads when first needed)."""
        from detector.index import SourceIndex

        return Labeller(
            SourceIndex.open(self.index) if self.index is not None else None,
            model=self.model,
            options=self.options,
            on_phase=self.on_phase,
        )


# --------------------------------------------------------------------------- the output file


def _id_key(id: str) -> int:
    data = id.encode("utf-8", "backslashreplace")  # as escape_surrogates spells a lone surrogate
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")


def read_done_ids(path: str | Path, *, repair: bool = False) -> np.ndarray:
    """Sorted 64-bit hashes of the ids recorded in the results file ``path``.

    A last line without its newline is the torn end of a killed run: with
    ``repair`` it is cut off (its input will be labelled again), otherwise it
    is ignored.  Any other line that is not a record raises ``InputError``.
    Ids are kept as 8-byte hashes, so a million ids take 8 MB; two ids
    sharing a hash (odds about 1 in 10**7 for a million) would make the
    second one be skipped.
    """
    path = Path(path)
    try:
        return _read_done_ids(path, repair)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None


def _read_done_ids(path: Path, repair: bool) -> np.ndarray:
    keys = array("Q")
    end_of_records = 0
    with open(path, "rb") as f:
        for line_no, line in enumerate(f, start=1):
            if not line.endswith(b"\n"):
                break
            end_of_records += len(line)
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                if "verdict" not in record or "error" not in record:
                    raise KeyError("verdict")  # a JSON line with an id, but not a result
                keys.append(_id_key(record["id"]))
            except (ValueError, KeyError, TypeError, AttributeError):
                raise InputError(
                    f"{path}:{line_no} is not a result record; resume only into a file "
                    "`spindetect label` wrote (or remove that line)"
                ) from None
    if repair and end_of_records < path.stat().st_size:
        with open(path, "r+b") as f:
            f.truncate(end_of_records)
    return np.unique(np.frombuffer(keys, dtype=np.uint64))


class _ResultLog:
    """The results file, appended one whole record per ``write`` call.

    A write that fails (full disk, I/O error) is undone, so the file keeps
    whole records only, and raises ``ResultsFileError``.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            self.size = os.fstat(self.fd).st_size
        except OSError as exc:
            raise _write_error(path, exc) from None

    def append(self, record: LabelRecord) -> None:
        data = (record.to_json() + "\n").encode("utf-8")
        size = len(data)
        try:
            while data:
                written = os.write(self.fd, data)
                data = data[written:]
        except OSError as exc:
            with suppress(OSError):
                os.ftruncate(self.fd, self.size)  # no torn line left behind
            raise _write_error(self.path, exc) from None
        self.size += size

    def close(self, *, quiet: bool = False) -> None:
        """Sync and close the file; ``quiet`` when another error is already on its way."""
        try:
            # A pipe or terminal (-o /dev/stdout) has nothing to sync, and fsync refuses it.
            if stat.S_ISREG(os.fstat(self.fd).st_mode):
                os.fsync(self.fd)
        except OSError as exc:
            if not quiet:
                raise _write_error(self.path, exc) from None
        finally:
            os.close(self.fd)


def _write_error(path: Path, exc: OSError) -> ResultsFileError:
    reason = exc.strerror or str(exc) or type(exc).__name__
    return ResultsFileError(
        f"cannot write {path}: {reason}; the records written so far are whole, "
        "so fix that and run again with --resume"
    )


def _lock_results(out: Path) -> WriterLock:
    """The writer lock of the results file ``out`` (``OUT.lock``, holding this run's PID)."""
    from detector.errors import IndexInUseError, IndexWriteError
    from detector.index_lock import WriterLock

    try:
        return WriterLock.acquire(out)
    except IndexInUseError as exc:
        raise ResultsFileError(str(exc)) from None
    except IndexWriteError as exc:
        raise ResultsFileError(f"cannot write {out}: {exc.reason}") from None


# --------------------------------------------------------------------------- the run


@dataclass(frozen=True)
class LabelSummary:
    """What ``label_corpus`` did.

    Attributes
    ----------
    out : str
        The results file.
    labelled : int
        Records written by this run.
    resumed : int
        Inputs skipped because the results file had them already.
    spun, not_spun : int
        Verdicts among the records written.
    with_source : int
        Records whose verdict came from an original in the index (``mode: "reference"``):
        one the suspect copies (``source``) or an independent report of its story
        (``related``) whose verdict the fallback model did not overturn.
    reference_free : int
        Records whose verdict came from the fallback model (``mode: "reference-free"``).
    no_source : int
        Records with neither a source nor a model.
    errors : int
        Records of inputs that could not be read (or ran past the time limit).
    seconds : float
        Wall-clock time of the run.
    renamed : int
        Inputs whose id an earlier input already had, recorded as ``ID#n``.
    by_reference, reference_seconds : int, float
        Records whose verdict came from an original in the index (``mode:
        "reference"``), and the time they took in all.
    by_model, model_seconds : int, float
        Records whose verdict came from the fallback model (``mode:
        "reference-free"``), and the time they took in all.
    model_load_seconds : float
        Time spent loading models, the fallback model and the wording check's
        language model (in every worker, added up).
    paraphrased : int
        Records of copies retold sentence by sentence (verdict ``paraphrased``).
    unscored : int
        Records of texts the fallback model could not judge (verdict ``unscored``: not
        English prose, too long; their ``note`` says why).
    """

    out: str
    labelled: int
    resumed: int
    spun: int
    not_spun: int
    with_source: int
    reference_free: int
    no_source: int
    errors: int
    seconds: float
    renamed: int = 0
    by_reference: int = 0
    reference_seconds: float = 0.0
    by_model: int = 0
    model_seconds: float = 0.0
    model_load_seconds: float = 0.0
    paraphrased: int = 0
    unscored: int = 0

    @property
    def rate(self) -> float:
        """Records written per second."""
        return self.labelled / self.seconds if self.seconds else 0.0

    @property
    def mean_reference_seconds(self) -> float:
        """Mean time per record labelled against an original (0 without any)."""
        return self.reference_seconds / self.by_reference if self.by_reference else 0.0

    @property
    def mean_model_seconds(self) -> float:
        """Mean time per record labelled by the fallback model, loading excluded (0 without any)."""
        return self.model_seconds / self.by_model if self.by_model else 0.0


def label_corpus(
    inputs: Sequence[str | Path],
    index: str | Path | None,
    out: str | Path,
    *,
    resume: bool = False,
    workers: int = 1,
    scheduler: str | None = None,
    model: str | SpinModel | None = None,
    options: LabelOptions | None = None,
    batch_size: int | None = None,
    on_progress: Callable[[int], None] | None = None,
    on_rename: Callable[[str, str], None] | None = None,
    on_phase: Callable[[str], None] | None = None,
) -> LabelSummary:
    """Label every input against the index, appending one record per input to ``out``.

    Parameters
    ----------
    inputs : sequence of str or Path
        Files, folders, globs, JSONL/CSV files or saved datasets (``detector.inputs``).
    index : str or Path or None
        Index file built by ``build_index`` (``spindetect index``); None: no index, so
        ``model`` scores every input reference-free.
    out : str or Path
        Results file (JSON lines).  It must not exist yet, unless ``resume``;
        no other run may be writing it (``OUT.lock``).
    resume : bool, default=False
        Continue a run: skip inputs whose id ``out`` already records (ids are
        paths as given and repeated ids are numbered in input order, so pass
        the inputs the same way as before).
    workers : int, default=1
        Local processes labelling in parallel (ignored with ``scheduler``);
        from a script, call this under ``if __name__ == "__main__":``.
    scheduler : str, optional
        Address of a Dask distributed scheduler (``tcp://host:8786``) to run
        on instead; its workers need this package and the same paths.
    model : str, model object or None
        Fallback for suspects with no source (see ``LabelJob``): None (the
        default here; the CLI's is ``cascade``) for none.  A name or folder
        that is no model means no fallback too, as on a machine with no model
        installed (records ``relation: unrelated``, ``model: null``): check a
        name first with ``detector.models.model_dir``, as the CLI does.
    options : LabelOptions, optional
    batch_size : int, optional
        Inputs per unit of work sent to a worker process (``workers > 1`` or a
        ``scheduler``); a batch's records are written when the whole batch is
        done, so a stopped run labels a batch in hand again on ``--resume``.  By
        default ``SMALL_BATCH`` (4) with a fallback model, whose inputs take
        seconds each, and ``BATCH`` (16) without, whose take milliseconds.  With
        ``workers=1`` each record is written as soon as it is made.
    on_progress : callable, optional
        Called with the number of inputs just handled (labelled or skipped).
    on_rename : callable, optional
        Called with ``(id, new_id)`` for each input whose id was taken already.
    on_phase : callable, optional
        Called with ``"loading model NAME"`` and then ``"labelling"`` around the
        fallback model's loading (``Labeller``), when it loads in this process
        (``workers=1``, no ``scheduler``); worker processes load theirs unseen.

    Returns
    -------
    LabelSummary

    Raises
    ------
    ResultsFileError
        ``out`` is in use by another run, or cannot be written.
    """
    from detector.index import SourceIndex
    from detector.inputs import iter_inputs, unique_ids
    from detector.parallel import batched, run_ordered

    options = options if options is not None else LabelOptions()
    out = Path(out)
    started = time.perf_counter()
    # Its own results file is never an input (a run writing inside the folder it labels).
    items = iter_inputs(inputs, max_bytes=options.max_bytes, fields=options.fields, skip=[out])
    if index is not None:
        SourceIndex.open(index).close()  # refuse a missing or damaged index before starting
    counts: Counter[str] = Counter()
    modes: Counter[str] = Counter()  # records per mode: reference, reference-free
    seconds = dict.fromkeys(("reference", "reference-free", "load"), 0.0)
    with _lock_results(out):
        done = np.empty(0, dtype=np.uint64)
        if out.exists() and out.stat().st_size:
            if not resume:
                raise OutputExistsError(
                    f"{out} already exists; pass --resume to continue that run, or remove it"
                )
            done = read_done_ids(out, repair=True)

        def rename(old: str, new: str) -> None:
            counts["renamed"] += 1
            if on_rename is not None:
                on_rename(old, new)

        def todo() -> Iterator[InputItem]:
            for item in unique_ids(items, rename):
                if len(done) and _is_done(done, item.id):
                    counts["resumed"] += 1
                    if on_progress is not None:
                        on_progress(1)
                    continue
                yield item

        in_process = scheduler is None and workers == 1
        job = LabelJob(
            None if index is None else str(index),
            options,
            model,
            on_phase=on_phase if in_process else None,
        )
        log = _ResultLog(out)
        results: Iterable[list[LabelRecord]] = ()
        try:
            # In this process each input is labelled and written before the next is read,
            # so a kill loses at most the one being labelled; workers take batches.
            if batch_size is None:
                batch_size = BATCH if model is None else SMALL_BATCH
            batches = batched(todo(), batch_size if not in_process else 1)
            if scheduler is not None:
                try:
                    from detector.dask_runner import run_on_dask
                except ImportError:
                    raise ResourceError(
                        "--scheduler needs dask.distributed: pip install 'spindetect[scale]'"
                    ) from None
                results = run_on_dask(job, batches, scheduler)
            else:
                results = run_ordered(job, batches, workers=workers)
            starting = on_phase is not None and not in_process
            if starting:  # each worker loads the index and the models before its first record
                on_phase(
                    f"starting {workers} workers (each loads the index and models)"
                    if scheduler is None
                    else "waiting for the cluster's workers (each loads the index and models)"
                )
            for records in results:
                if starting:
                    on_phase("labelling")
                    starting = False
                for record in records:
                    log.append(record)
                    counts[record.outcome] += 1
                    if record.verdict is not None:
                        counts[record.verdict] += 1
                    if record.mode in ("reference", "reference-free"):
                        modes[record.mode] += 1
                        seconds[record.mode] += record.seconds or 0.0
                    seconds["load"] += record.load_seconds
                if on_progress is not None:
                    on_progress(len(records))
        except BaseException:
            log.close(quiet=True)
            # Stop the workers now (Ctrl-C, a failure), not at interpreter exit, which
            # kills them before they release their semaphores ("leaked semaphore").
            close = getattr(results, "close", None)
            if close is not None:
                close()
            raise
        log.close()
    return LabelSummary(
        out=str(out),
        labelled=sum(counts[k] for k in ("source", "reference-free", "no-source", "error")),
        resumed=counts["resumed"],
        spun=counts["spun"],
        not_spun=counts["not_spun"],
        with_source=counts["source"],
        reference_free=counts["reference-free"],
        no_source=counts["no-source"],
        errors=counts["error"],
        seconds=time.perf_counter() - started,
        renamed=counts["renamed"],
        by_reference=modes["reference"],
        reference_seconds=seconds["reference"],
        by_model=modes["reference-free"],
        model_seconds=seconds["reference-free"],
        model_load_seconds=seconds["load"],
        paraphrased=counts["paraphrased"],
        unscored=counts["unscored"],
    )


def _is_done(done: np.ndarray, id: str) -> bool:
    key = np.uint64(_id_key(id))
    position = int(np.searchsorted(done, key))
    return position < len(done) and done[position] == key
