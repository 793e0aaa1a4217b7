"""A corpus overview: one HTML page summarising the results file of ``spindetect label``.

The flow is three pure steps and one optional side step::

    read_results(path)  ->  summarise(records, top=50)  ->  render_overview(overview)
                                     |
                                     +->  write_pair_reports(overview.top, index, folder)

``read_results`` streams the JSON lines of a results file, skipping (and
reporting through a callback) lines that are not JSON objects with the fields
the overview reads.  ``summarise`` folds the records into an ``Overview``:
counts per verdict, mode and relation, the errors, a spin-score histogram and
the ``top`` suspects, holding only those few records however large the file
(texts are never read).  ``render_overview`` writes one self-contained page
(inline CSS and SVG, no external resource), every id and message escaped.

``write_pair_reports`` is the one step that reads texts: for each top suspect
with an original in the index (its ``source``, else its ``related`` report) it
re-reads the suspect, scores it against that original (``ReferenceScorer``) and
writes the per-pair HTML report ``spindetect score -o report.html`` writes.  A
suspect is found again from its record id: an article file's id is its path
(relative to where ``label`` ran), a record without an id field is
``FILE:LINE``; other record ids name no file, and the page says so.

>>> records = [{"id": "a", "verdict": "spun", "spin_score": 0.93, "source": "w1",
...             "error": None}, {"id": "b", "verdict": None, "spin_score": None,
...             "source": None, "error": "b is empty"}]
>>> overview = summarise(records, top=5)
>>> overview.total, overview.errors, overview.verdicts
(2, 1, (('spun', 1),))
>>> overview.histogram.counts[9]
(1, 0, 0)
"""

from __future__ import annotations

import heapq
import html
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from detector.errors import InputError, MissingInputError

if TYPE_CHECKING:
    from detector.document import Document

__all__ = [
    "BINS",
    "REQUIRED_FIELDS",
    "Histogram",
    "Overview",
    "PairLink",
    "Suspect",
    "default_reports_dir",
    "histogram_svg",
    "load_overview",
    "locate_suspect",
    "read_results",
    "render_overview",
    "summarise",
    "write_pair_reports",
]

BINS = 10  # histogram bins of width 0.1 over [0, 1]; a score of 1.0 falls in the last
# The fields the overview reads; the others of a label record (mode, relation, related,
# n_spans, model) are shown when present.  Records written before `related` existed lack it.
REQUIRED_FIELDS = ("id", "verdict", "spin_score", "source", "error")
_ERROR_EXAMPLES = 5  # error records quoted on the page
_SCALE = 10_000  # label writes 4 decimals (smaller scores fall in the first bin): exact bins


# --------------------------------------------------------------------------- records


def read_results(
    path: str | Path, on_bad: Callable[[str], None] | None = None
) -> Iterator[dict[str, Any]]:
    """The records of the results file ``path``, streamed one line at a time.

    A line that is not a JSON object, or one without ``REQUIRED_FIELDS`` (or
    with a spin score outside [0, 1]), is skipped and ``on_bad("FILE:LINE:
    reason")`` is told; blank lines are ignored.  ``MissingInputError`` when
    ``path`` does not exist or is a folder (raised on the first ``next``).
    """
    path = Path(path)
    if not path.exists():
        raise MissingInputError(f"{path}: no such results file; write one with `spindetect label`")
    if path.is_dir():
        raise MissingInputError(f"{path} is a directory, not a results file")
    with open(path, "rb") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            record, problem = _parse(line)
            if problem is not None:
                if on_bad is not None:
                    on_bad(f"{path}:{number}: {problem}; skipped")
                continue
            yield record


def _parse(line: bytes) -> tuple[dict[str, Any], str | None]:
    """The record of one line, or why it is not one."""
    try:
        record = json.loads(line)
    except ValueError:
        return {}, "not JSON"
    if not isinstance(record, dict):
        return {}, "not a JSON object"
    missing = [name for name in REQUIRED_FIELDS if name not in record]
    if missing:
        return {}, f"no {', '.join(missing)} field{'s' if len(missing) > 1 else ''}"
    if not isinstance(record["id"], str | int) or isinstance(record["id"], bool):
        return {}, "its id is not a string"
    score = record["spin_score"]
    if score is not None and (
        isinstance(score, bool)
        or not isinstance(score, int | float)
        or not 0.0 <= score <= 1.0  # NaN fails this too
    ):
        return {}, f"spin_score {score!r} is not a number in [0, 1]"
    return record, None


# --------------------------------------------------------------------------- summary


@dataclass(frozen=True, slots=True)
class Suspect:
    """One record of the top-suspects table (texts are never held)."""

    id: str
    verdict: str | None
    spin_score: float
    relation: str | None = None
    source: str | None = None
    related: str | None = None
    mode: str | None = None
    n_spans: int | None = None

    @property
    def original(self) -> str | None:
        """The id of the original to compare with: the source, else the related report."""
        return self.source or self.related


@dataclass(frozen=True, slots=True)
class Histogram:
    """Records per spin-score bin: ``counts[i]`` is (spun, not spun, other verdicts).

    Bin ``i`` holds scores in ``[i / BINS, (i + 1) / BINS)``, the last one 1.0 too.
    """

    counts: tuple[tuple[int, int, int], ...]

    @property
    def edges(self) -> tuple[str, ...]:
        """The bin edges as printed: ``0.0``, ``0.1`` ... ``1.0``."""
        return tuple(f"{i / BINS:.1f}" for i in range(BINS + 1))


@dataclass(frozen=True, slots=True)
class Overview:
    """What the results file holds, summarised.

    Attributes
    ----------
    source : str
        The results file's name, as shown on the page.
    total : int
        Records read (bad lines not included).
    skipped : int
        Bad lines skipped.
    verdicts, modes, relations : tuple of (name, count)
        Records per verdict, mode and relation, most frequent first; ``none``
        for a null field (errors excluded).
    errors : int
        Records with an ``error``.
    error_examples : tuple of (id, error)
        The first few of them.
    histogram : Histogram
        Records per spin-score bin.
    top : tuple of Suspect
        The records most likely spun: ``spun`` first, then by spin score (highest
        first), then in file order.
    """

    source: str
    total: int
    skipped: int
    verdicts: tuple[tuple[str, int], ...]
    modes: tuple[tuple[str, int], ...]
    relations: tuple[tuple[str, int], ...]
    errors: int
    error_examples: tuple[tuple[str, str], ...]
    histogram: Histogram
    top: tuple[Suspect, ...]


def summarise(
    records: Iterable[Mapping[str, Any]], *, top: int = 50, source: str = "", skipped: int = 0
) -> Overview:
    """Fold ``records`` (as ``read_results`` yields them) into an ``Overview``.

    Memory stays flat: the records are counted as they stream by, and only the
    ``top`` best suspects are kept.  ``skipped`` (bad lines) is carried into the
    overview as given.
    """
    if isinstance(top, bool) or not isinstance(top, int) or top < 0:
        raise ValueError(f"the 'top' parameter of summarise must be an int >= 0, got {top!r}")
    verdicts: Counter[str] = Counter()
    modes: Counter[str] = Counter()
    relations: Counter[str] = Counter()
    bins = [[0, 0, 0] for _ in range(BINS)]
    examples: list[tuple[str, str]] = []
    heap: list[tuple[bool, float, int, Suspect]] = []
    total = errors = 0
    for position, record in enumerate(records):
        total += 1
        if record.get("error") is not None:
            errors += 1
            if len(examples) < _ERROR_EXAMPLES:
                examples.append((str(record["id"]), str(record["error"])))
            continue
        verdict = record.get("verdict")
        verdicts[str(verdict or "none")] += 1
        modes[str(record.get("mode") or "none")] += 1
        relations[str(record.get("relation") or "none")] += 1
        score = record.get("spin_score")
        if score is None:
            continue
        finding = verdict in ("spun", "paraphrased")
        column = 0 if finding else 1 if verdict == "not_spun" else 2
        bins[min(round(score * _SCALE) * BINS // _SCALE, BINS - 1)][column] += 1
        if top:
            key = (finding, float(score), -position)
            if len(heap) < top:
                heapq.heappush(heap, (*key, _suspect(record)))
            elif key > heap[0][:3]:
                heapq.heapreplace(heap, (*key, _suspect(record)))
    ranked = sorted(heap, key=lambda entry: entry[:3], reverse=True)
    return Overview(
        source=source,
        total=total,
        skipped=skipped,
        verdicts=tuple(verdicts.most_common()),
        modes=tuple(modes.most_common()),
        relations=tuple(relations.most_common()),
        errors=errors,
        error_examples=tuple(examples),
        histogram=Histogram(tuple((a, b, c) for a, b, c in bins)),
        top=tuple(entry[3] for entry in ranked),
    )


def _suspect(record: Mapping[str, Any]) -> Suspect:
    def text(name: str) -> str | None:
        value = record.get(name)
        return None if value is None else str(value)

    n_spans = record.get("n_spans")
    return Suspect(
        id=str(record["id"]),
        verdict=text("verdict"),
        spin_score=float(record["spin_score"]),
        relation=text("relation"),
        source=text("source"),
        related=text("related"),
        mode=text("mode"),
        n_spans=n_spans if isinstance(n_spans, int) and not isinstance(n_spans, bool) else None,
    )


def load_overview(
    path: str | Path, *, top: int = 50, on_bad: Callable[[str], None] | None = None
) -> Overview:
    """``summarise(read_results(path))``, bad lines counted; ``InputError`` when none is usable.

    ``MissingInputError`` (exit status 2) when ``path`` does not exist;
    ``InputError`` (1) when it is empty or holds no usable record.
    """
    skipped = 0

    def bad(message: str) -> None:
        nonlocal skipped
        skipped += 1
        if on_bad is not None:
            on_bad(message)

    overview = summarise(read_results(path, bad), top=top, source=str(path))
    if overview.total == 0:
        if skipped:
            raise InputError(
                f"{path} holds no label record ({skipped:,} bad line(s)); "
                "is it the --output of `spindetect label`?"
            )
        raise InputError(f"{path} is empty: no label records to summarise")
    return replace(overview, skipped=skipped)


# --------------------------------------------------------------------------- per-pair reports


@dataclass(frozen=True, slots=True)
class PairLink:
    """What the overview says about one suspect's per-pair report: a link, or why there is none.

    ``href`` is relative to the overview page's folder; ``problem`` is a one-line reason.
    """

    href: str | None = None
    problem: str | None = None


def default_reports_dir(output: str | Path) -> Path:
    """Where the per-pair reports of ``output`` go by default: ``overview_files`` beside it."""
    output = Path(output)
    return output.with_name(f"{output.stem}_files")


def write_pair_reports(
    suspects: Sequence[Suspect],
    index_path: str | Path,
    reports_dir: str | Path,
    *,
    page_dir: str | Path,
    encoding: str | None = None,
    max_bytes: int | None = None,
    text_field: str | None = None,
    id_field: str | None = None,
    record_files: Sequence[str | Path] = (),
    on_written: Callable[[str, Path], None] | None = None,
) -> dict[str, PairLink]:
    """Write one HTML report per suspect with an original in the index; the links, by id.

    Each suspect is re-read from its id (see the module docstring) and scored
    against its ``source`` (else its ``related`` report) with the index's
    thesaurus, as ``spindetect score SUSPECT --original ORIGINAL -o FILE.html``
    would.  A suspect without an original, one whose input cannot be found or
    read, or whose original the index lacks gets a ``PairLink`` with the
    ``problem`` instead.  Records with an id field of their own are looked up
    in ``record_files`` (the JSONL/CSV files or datasets label read), under the
    ``text_field`` and ``id_field`` label was given.
    ``CorruptIndexError`` for a damaged index; ``OSError`` when ``reports_dir``
    cannot be written.
    """
    from detector.index import SourceIndex
    from detector.io import DEFAULT_MAX_BYTES
    from detector.judge import SubstitutionJudge
    from detector.output import write_file_atomically
    from detector.render import render_html
    from detector.score import ReferenceScorer

    max_bytes = DEFAULT_MAX_BYTES if max_bytes is None else max_bytes
    folder = Path(reports_dir)
    links: dict[str, PairLink] = {}
    wanted = [s.id for s in suspects if s.original is not None]
    records = (
        _records_by_id(record_files, wanted, text_field, id_field, max_bytes) if wanted else {}
    )
    with SourceIndex.open(index_path) as index:
        scorer: ReferenceScorer | None = None
        for number, suspect in enumerate(suspects, 1):
            original_id = suspect.original
            if original_id is None:
                links[suspect.id] = PairLink(problem="no original in the index to compare with")
                continue
            if original_id not in index:
                links[suspect.id] = PairLink(
                    problem=f"the index has no original {original_id!r} (another index?)"
                )
                continue
            if suspect.id in records:
                document = _record_document(suspect.id, records[suspect.id], max_bytes)
            else:
                document = locate_suspect(
                    suspect.id,
                    encoding=encoding,
                    max_bytes=max_bytes,
                    text_field=text_field,
                    id_field=id_field,
                )
                if (
                    isinstance(document, str)
                    and record_files
                    and document.startswith("input not found")
                ):
                    document = f"input not found: no record {suspect.id} in --inputs"
            if isinstance(document, str):
                links[suspect.id] = PairLink(problem=document)
                continue
            if scorer is None:
                scorer = ReferenceScorer(SubstitutionJudge(index.fingerprinter.lexicon))
            report = scorer.score_pair(document, index.document(original_id)).report
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{number:03d}-{_slug(suspect.id)}.html"
            write_file_atomically(path, render_html(report))
            if on_written is not None:
                on_written(suspect.id, path)
            links[suspect.id] = PairLink(href=_href(path, Path(page_dir)))
    return links


def locate_suspect(
    id: str,
    *,
    encoding: str | None = None,
    max_bytes: int | None = None,
    text_field: str | None = None,
    id_field: str | None = None,
) -> Document | str:
    """The ``Document`` the record id ``id`` names, or a one-line reason it cannot be had.

    An article file's id is its path; ``FILE:LINE`` is a record of a JSONL/CSV
    file without an id field, read again with the reader ``label`` used; a
    renamed repeat (``ID#1``) of a file is that file.
    """
    from detector.corpus_reader import FieldNames, read_records, record_format
    from detector.inputs import InputItem
    from detector.io import DEFAULT_MAX_BYTES

    max_bytes = DEFAULT_MAX_BYTES if max_bytes is None else max_bytes
    path = id
    if not os.path.isfile(path):
        repeat = re.fullmatch(r"(.+)#\d+", id)
        if repeat is not None and os.path.isfile(repeat.group(1)):
            path = repeat.group(1)
    try:
        if os.path.isfile(path) and record_format(path) is None:
            item = InputItem(id=id, path=path)
            return item.read(encoding=encoding, max_bytes=max_bytes)
        file, _, line = id.rpartition(":")
        if file == "-" and line.isdigit():
            return "read from standard input by label; its text was not kept"
        if file and line.isdigit() and os.path.isfile(file) and record_format(file) is not None:
            fields = FieldNames(text=text_field, id=id_field)  # as label read it
            records = read_records(file, fields, max_bytes=max_bytes, name=file)
            try:
                for record in records:
                    if record.id == id:
                        return InputItem(id=id, text=record.text, error=record.error).read(
                            max_bytes=max_bytes
                        )
            finally:
                records.close()
            return f"input not found: {file} has no record {id}"
    except (InputError, OSError, ValueError) as exc:
        return f"input cannot be read: {exc}"
    return (
        "input not found: its id names no file here (run report where label ran; records "
        "with ids of their own: give their files with --inputs)"
    )


def _records_by_id(
    files: Sequence[str | Path],
    ids: Sequence[str],
    text_field: str | None,
    id_field: str | None,
    max_bytes: int,
) -> dict[str, tuple[str | None, str | None]]:
    """(text, error) of each of ``ids`` found in the record ``files``, as label named them:
    the k-th repeat of an id is ``ID#k``."""
    from detector.corpus_reader import FieldNames, read_records

    wanted = set(ids)
    bases = {re.sub(r"#\d+$", "", id) for id in wanted} | wanted
    seen: dict[str, int] = {}
    found: dict[str, tuple[str | None, str | None]] = {}
    for file in files:
        records = read_records(file, FieldNames(text=text_field, id=id_field), max_bytes=max_bytes)
        try:
            for record in records:
                if record.id not in bases:
                    continue
                repeat = seen.get(record.id, 0)
                seen[record.id] = repeat + 1
                name = record.id if not repeat else f"{record.id}#{repeat}"
                if name in wanted and name not in found:
                    found[name] = (record.text, record.error)
        finally:
            records.close()
    return found


def _record_document(
    id: str, record: tuple[str | None, str | None], max_bytes: int
) -> Document | str:
    """The ``Document`` of a record found by ``_records_by_id``, or why it cannot be read."""
    from detector.inputs import InputItem

    text, error = record
    try:
        return InputItem(id=id, text=text, error=error).read(max_bytes=max_bytes)
    except InputError as exc:
        return f"input cannot be read: {exc}"


def _slug(id: str) -> str:
    """A file-name-safe rendering of ``id``: its last 60 safe characters."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", id).strip("._")
    return slug[-60:] or "suspect"


def _href(path: Path, page_dir: Path) -> str:
    """``path`` as a URL relative to ``page_dir`` (percent-encoded, forward slashes)."""
    relative = os.path.relpath(path, page_dir)
    return quote(relative.replace(os.sep, "/"))


# --------------------------------------------------------------------------- HTML


_COLOURS = ("#c62828", "#2e7d32", "#9e9e9e")  # spun or paraphrased, not spun, other verdicts
_SERIES = ("spun or paraphrased", "not spun", "other")

_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#222;
 max-width:1200px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:24px 0 8px}
.meta{color:#555;font-size:13px}
.cards{display:flex;flex-wrap:wrap;gap:16px}
table{border-collapse:collapse;font-size:14px}
th,td{border-bottom:1px solid #e0e0e0;padding:4px 10px;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
td.id{max-width:380px;overflow-wrap:anywhere}
.spun,.paraphrased{color:#c62828;font-weight:600}.not_spun{color:#2e7d32}
.problem{color:#8d6e63;font-size:13px}
.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}
svg text{font:11px system-ui,sans-serif;fill:#444}
"""


def _e(value: object) -> str:
    """``value`` for HTML text or an attribute: markup escaped, control characters shown."""
    from detector.render import safe_for_terminal

    return html.escape(safe_for_terminal(str(value)))


def _count_table(title: str, rows: Sequence[tuple[str, int]], total: int) -> str:
    body = "".join(
        f'<tr><td class="{_e(name)}">{_e(name.replace("_", " "))}</td>'
        f'<td class="n">{count:,}</td><td class="n">{_share(count, total)}</td></tr>'
        for name, count in rows
    )
    return (
        f'<table><thead><tr><th>{_e(title)}</th><th class="n">records</th>'
        f'<th class="n">share</th></tr></thead><tbody>{body}</tbody></table>'
    )


def _share(count: int, total: int) -> str:
    return f"{count / total:.1%}" if total else "-"


def histogram_svg(histogram: Histogram) -> str:
    """The histogram as inline SVG: one stacked bar per bin (spun, not spun, other)."""
    width, height, left, bottom, top = 640, 240, 48, 36, 16
    plot_w, plot_h = width - left - 12, height - bottom - top
    peak = max((sum(c) for c in histogram.counts), default=0) or 1
    bar_w = plot_w / BINS
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" '
        'aria-label="Records per spin-score bin, spun, not spun and other verdicts stacked">',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        'stroke="#888"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end">{peak:,}</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end">0</text>',
    ]
    edges = histogram.edges
    for i, counts in enumerate(histogram.counts):
        x = left + i * bar_w
        y = top + plot_h
        for series, (count, colour) in enumerate(zip(counts, _COLOURS, strict=True)):
            if not count:
                continue
            h = plot_h * count / peak
            y -= h
            parts.append(
                f'<rect x="{x + 2:.1f}" y="{y:.1f}" width="{bar_w - 4:.1f}" height="{h:.1f}" '
                f'fill="{colour}"><title>{_SERIES[series]}, spin score {edges[i]} to '
                f"{edges[i + 1]}: {count:,}</title></rect>"
            )
        if sum(counts):
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle">'
                f"{sum(counts):,}</text>"
            )
    for i, edge in enumerate(edges):
        x = left + i * bar_w
        parts.append(
            f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle">{edge}</text>'
        )
    parts.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 4}" text-anchor="middle">'
        "spin score</text></svg>"
    )
    return "".join(parts)


def _legend() -> str:
    return (
        '<div class="legend">'
        + "".join(
            f'<span style="background:{colour}"></span>{name}'
            for name, colour in zip(_SERIES, _COLOURS, strict=True)
        )
        + "</div>"
    )


def _top_table(top: Sequence[Suspect], links: Mapping[str, PairLink] | None) -> str:
    heads = ["#", "id", "verdict", "spin score", "relation", "source", "related", "mode", "spans"]
    if links is not None:
        heads.append("report")
    head = "".join(
        f'<th class="n">{h}</th>' if h in ("#", "spin score", "spans") else f"<th>{h}</th>"
        for h in heads
    )
    rows = []
    for rank, suspect in enumerate(top, 1):
        link = links.get(suspect.id) if links is not None else None
        name = _e(suspect.id)
        if link is not None and link.href is not None:
            name = f'<a href="{_e(link.href)}">{name}</a>'
        cells = [
            f'<td class="n">{rank}</td>',
            f'<td class="id">{name}</td>',
            f'<td class="{_e(suspect.verdict or "")}">'
            f"{_e((suspect.verdict or '-').replace('_', ' '))}</td>",
            f'<td class="n">{suspect.spin_score:.4f}</td>',
            f"<td>{_e(suspect.relation or '-')}</td>",
            f'<td class="id">{_e(suspect.source or "-")}</td>',
            f'<td class="id">{_e(suspect.related or "-")}</td>',
            f"<td>{_e(suspect.mode or '-')}</td>",
            f'<td class="n">{"-" if suspect.n_spans is None else suspect.n_spans}</td>',
        ]
        if links is not None:
            if link is None:
                cells.append("<td>-</td>")
            elif link.href is not None:
                cells.append(f'<td><a href="{_e(link.href)}">report</a></td>')
            else:
                cells.append(f'<td class="problem">{_e(link.problem or "")}</td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def render_overview(overview: Overview, links: Mapping[str, PairLink] | None = None) -> str:
    """One self-contained HTML page (inline CSS and SVG, nothing fetched) of ``overview``.

    ``links`` (from ``write_pair_reports``) adds a report column to the top
    suspects: a link, or why there is none.  Without it the suspects are listed
    without links.  Every id, verdict and message is escaped.
    """
    scored = overview.total - overview.errors
    meta = f"{overview.total:,} records"
    if overview.skipped:
        meta += f", {overview.skipped:,} bad line{'s' if overview.skipped != 1 else ''} skipped"
    sections = [
        "<h2>Counts</h2>",
        *(
            [
                f'<p class="meta">Shares of verdict, mode and relation are of the {scored:,} '
                f"records labelled; the {overview.errors:,} error "
                f"record{'s' if overview.errors != 1 else ''} count in the outcome only.</p>"
            ]
            if overview.errors
            else []
        ),
        '<div class="cards">',
        _count_table("verdict", overview.verdicts, scored),
        _count_table("mode", overview.modes, scored),
        _count_table("relation", overview.relations, scored),
        _count_table("outcome", (("labelled", scored), ("error", overview.errors)), overview.total),
        "</div>",
        "<h2>Spin scores</h2>",
        histogram_svg(overview.histogram),
        _legend(),
        '<p class="meta">Bins of width 0.1 (the last holds 1.0).  A record is spun when its '
        "score reaches its own operating point, which depends on the mode and model, so no "
        "threshold is drawn: the colours show the verdicts as recorded.</p>",
    ]
    if overview.top:
        caption = (
            f"Top {len(overview.top):,} suspects"
            if len(overview.top) < scored
            else f"All {len(overview.top):,} suspects"
        )
        sections += [
            f"<h2>{caption}</h2>",
            '<p class="meta">Spun first, then by spin score, highest first.</p>',
            _top_table(overview.top, links),
        ]
    if overview.error_examples:
        items = "".join(
            f"<li><code>{_e(id)}</code>: {_e(error)}</li>" for id, error in overview.error_examples
        )
        more = overview.errors - len(overview.error_examples)
        sections += [
            f"<h2>Errors ({overview.errors:,})</h2>",
            f"<ul>{items}</ul>",
            f'<p class="meta">and {more:,} more (see their error field)</p>' if more > 0 else "",
        ]
    title = f"spindetect overview: {overview.source}" if overview.source else "spindetect overview"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
        f'<header><h1>{_e(title)}</h1><p class="meta">{_e(meta)}</p></header>'
        f"<main>{''.join(sections)}</main></body></html>\n"
    )
