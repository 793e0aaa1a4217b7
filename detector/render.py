"""Rendering a ``Report`` as terminal text, JSON or one self-contained HTML page.

An article is untrusted input and may hold markup, scripts or terminal escape
sequences.  In terminal text and HTML, article text and every name have their
control characters shown as visible escapes (``\\x1b``), so that printing them
cannot move the cursor, recolour or retitle a terminal; HTML also goes through
``html.escape``.  JSON keeps the text exactly (its offsets index it), with those
characters written as JSON escapes.
"""

from __future__ import annotations

import bisect
import html
import itertools
import json
import math
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from detector import __version__
from detector.evasion import find_evasion
from detector.report import Coverage, Deletion, Passage, Report, Span, plural, written_out

__all__ = [
    "FORMATS",
    "OutputFormat",
    "render",
    "render_html",
    "render_json",
    "render_text",
    "safe_for_terminal",
]

OutputFormat = Literal["text", "json", "html"]
FORMATS: tuple[str, ...] = ("text", "json", "html")

_RED, _YELLOW, _DIM, _BOLD, _GREEN, _RESET = (
    "\x1b[31m",
    "\x1b[33m",
    "\x1b[2m",
    "\x1b[1m",
    "\x1b[32m",
    "\x1b[0m",
)
_UNDERLINE, _STRIKE, _MAGENTA = "\x1b[4m", "\x1b[9m", "\x1b[35m"
_SHORTEN_OVER = 240  # characters of dropped text beyond which the text format shortens it
_KEEP_HEAD, _KEEP_TAIL = 150, 60  # what a shortened dropped text keeps of each end


def render(report: Report, fmt: str, *, color: bool = False) -> str:
    """``report`` in format ``fmt`` (text, json or html)."""
    if fmt == "json":
        return render_json(report)
    if fmt == "html":
        return render_html(report)
    if fmt == "text":
        return render_text(report, color=color)
    raise ValueError(f"the 'fmt' parameter must be one of {', '.join(FORMATS)}, got {fmt!r}")


# What a terminal may act on (C0 but tab and newline, DEL, C1), and what reorders the text
# it shows (bidirectional overrides and isolates).
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# json.dumps escapes C0 itself; these it would leave raw with ensure_ascii=False.
_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape_control(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe_for_terminal(text: str) -> str:
    """``text`` with control characters (but tab and newline) shown as ``\\x1b``-style escapes.

    A line break written CR LF or CR alone stays a line break.
    """
    if text.isprintable():
        return text
    return _UNSAFE.sub(_escape_control, text.replace("\r\n", "\n").replace("\r", "\n"))


def render_json(report: Report) -> str:
    """The report as one JSON object (see ``Report.to_dict``), terminal-safe as written."""
    text = json.dumps(report.to_dict(), ensure_ascii=False, indent=2)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# --------------------------------------------------------------------------- text


def _edit_counts(report: Report) -> str:
    """The ordinary edits, insertions and deletions: "4 ordinary edits, 2 insertions, ..."."""
    inserts = len(report.insert_spans)
    retold = sum(1 for s in report.spans if s.kind == "paraphrase")
    ordinary = len(report.spans) - len(report.spin_spans) - inserts - retold
    return (
        (f"{plural(retold, 'paraphrased sentence')}, " if retold else "")
        + f"{plural(ordinary, 'ordinary edit')}, {plural(inserts, 'insertion')}, "
        f"{plural(len(report.deletions), 'deletion')}"
    )


def _reuse(passages: tuple[Passage, ...], coverage: Coverage) -> str:
    """The reused passages: "1 spun passage: 23% of the suspect, 100% of the original"."""
    kinds = sorted({p.kind for p in passages})
    noun = plural(len(passages), f"{'/'.join(kinds)} passage")
    return f"{noun}: {coverage.suspect:.0%} of the suspect, {coverage.original:.0%} of the original"


def _score_shown(report: Report) -> str:
    """The spin score to two decimals, or to its first two digits where two decimals would
    read "spin score 0.00": a text called spun under a low ``--threshold``, or a clean
    one whose summary offers such a threshold (a ``paraphrased`` verdict does not come
    from the spin score: two decimals)."""
    score = report.spin_score
    offered = report.verdict == "not_spun" and report.mode != "reference"  # a hint offered
    if (report.verdict == "spun" or offered) and 1e-9 <= score < 0.005:
        return written_out(score, 2)
    return f"{score:.2f}"


def _listing_threshold(spin_score: float) -> str:
    """A ``--threshold`` at or under ``spin_score``, which lists a clean-called text's odd
    words (0 for a score too small to write: every text is spun at 0)."""
    if spin_score >= 0.001:
        return f"{max(0.001, math.floor(spin_score * 100) / 100 or spin_score / 2):.3g}"
    if spin_score < 1e-9:
        return "0"
    half = spin_score / 2  # written out, not as 1.2e-05: a threshold a user types
    return written_out(half, 3).rstrip("0")


def _swap_count(report: Report) -> str:
    """The swaps count of the summary, or why a reference-free clean text shows none."""
    if report.verdict == "unscored":
        return "none: the text was not scored (see the note)"
    if report.mode == "reference" and report.relation == "unrelated" and not report.spans:
        return (
            "none: the texts are unrelated, neither copies the other (so the verdict says "
            "nothing of spinning from another source; without --original the text gets a "
            "reference-free one)"
        )
    if report.mode == "reference" and report.relation == "rewrite" and not report.spans:
        return "none: a rewrite, the same story in other words; neither copies the other's wording"
    if report.mode != "reference" and report.verdict == "not_spun" and report.substitution_rate:
        listing = f"--threshold {_listing_threshold(report.spin_score)} lists them, calling it spun"
        why = (
            f"not enough for a spun verdict (the note says why; {listing})"
            if report.note
            else f"too few for a spun text ({listing})"
        )
        return f"none shown: {report.substitution_rate:.1%} of the content words read oddly, {why}"
    spin = report.spin_spans
    if report.mode != "reference":  # a model's reading, not changes counted against a source
        return (
            f"{plural(len(spin), 'likely swap')} flagged by the model (substitution rate "
            f"{report.substitution_rate:.1%}; without the original, a reading, not a count)"
        )
    count = (
        f"{plural(len(spin), 'synonym/phrase swap')} "
        f"(substitution rate {report.substitution_rate:.1%})"
    )
    return f"{count}, {_edit_counts(report)}"


def _evasion_line(report: Report) -> str | None:
    """The lookalike and invisible characters hidden in the suspect's words, or None."""
    marks = find_evasion(report.suspect.text)
    if not marks:
        return None
    found = []
    if marks.homoglyphs:
        found.append(plural(len(marks.homoglyphs), "lookalike letter") + " from other scripts")
    if marks.zero_width:
        found.append(plural(len(marks.zero_width), "invisible character"))
    return (
        f"{' and '.join(found)} inside the suspect's words: read through "
        "for matching, and a sign that the text was made to dodge copy checks"
    )


def _summary_lines(report: Report) -> list[str]:
    lines = [f"suspect:   {safe_for_terminal(report.suspect.name)}"]
    if report.mode == "reference":
        source = safe_for_terminal(str(report.source))
        lines.append(f"original:  {source}   (relation: {report.relation})")
    else:
        model = safe_for_terminal(str(report.model))
        lines.append(f"original:  none; reference-free scoring with model {model}")
    lines.append(f"swaps:     {_swap_count(report)}")
    if report.mode == "reference" and report.coverage is not None and report.passages:
        lines.append(f"reused:    {_reuse(report.passages, report.coverage)}")
    if report.note:
        lines.append(f"note:      {safe_for_terminal(report.note)}")
    evasion = _evasion_line(report)
    if evasion:
        lines.append(f"evasion:   {evasion}")
    if report.quality is not None and report.quality.fluency_percentile is not None:
        lines.append(
            f"fluency:   {report.quality.surprisal:.2f} nats per token; fluency percentile "
            f"{report.quality.fluency_percentile:.0f} against clean texts written by hand "
            "(text quality, not the verdict)"
        )
    return lines


def render_text(report: Report, *, color: bool = False) -> str:
    """A readable report: verdict, scores, then the suspect with every span marked (an
    ``unscored`` report stops after its note).

    Without colour, swaps read ``{new|original}`` (``{new|?}`` when a reference-free
    model has no restoration to offer, ``{new|original?}`` when its restoration is a
    guess: ``Span.restoration_is_a_guess``), ordinary edits ``[new|original]``,
    sentences of a paraphrased copy ``<<new||original>>``, added text ``[+added+]``
    and dropped text ``[-dropped-]`` (a long one shortened).
    """
    verdict = report.verdict.replace("_", " ").upper()
    retold = any(s.kind == "paraphrase" for s in report.spans)
    if color:
        tint = _RED if report.verdict in ("spun", "paraphrased") else _GREEN
        head = f"{_BOLD}{tint}{verdict}{_RESET}  spin score {_score_shown(report)}"
    else:
        head = f"{verdict}  spin score {_score_shown(report)}"
    lines = [head, *_summary_lines(report)]
    if report.verdict == "unscored":  # nothing marked: the text itself would only repeat it
        return "\n".join(lines)
    reference = report.mode == "reference"
    if not report.spans and not report.deletions:
        # Nothing marked (an unrelated pair, a clean text): the text without a legend.
        lines.append("")
        lines.append(_annotate(report.suspect.text, (), (), color=color))
        return "\n".join(lines)
    guessed = any(span.restoration_is_a_guess for span in report.spans)
    if color:
        lines.append(
            f"legend:    {_RED}{_BOLD}swap{_RESET}{_DIM}(original){_RESET}"
            + (f"  {_RED}{_BOLD}swap{_RESET}{_DIM}(guess?){_RESET}" if guessed else "")
            # Ordinary edits, added and dropped text: only against an original.
            + (
                f"  {_YELLOW}edit{_RESET}{_DIM}(original){_RESET}"
                f"  {_GREEN}{_UNDERLINE}[+added+]{_RESET}  {_DIM}{_STRIKE}[-dropped-]{_RESET}"
                if reference
                else ""
            )
            + (f"  {_MAGENTA}paraphrase{_RESET}{_DIM}(original){_RESET}" if retold else "")
        )
    else:
        lines.append(
            "legend:    {swap|original}"
            + ("  {swap|guess?}" if guessed else "")
            + ("  [edit|original]  [+added+]  [-dropped-]" if reference else "")
            + ("  <<paraphrase||original>>" if retold else "")
        )
    lines.append("")
    lines.append(_annotate(report.suspect.text, report.spans, report.deletions, color=color))
    return "\n".join(lines)


def _dropped(deletion: Deletion, text: str, at: int, *, color: bool) -> str:
    """A deletion's mark at point ``at`` of ``text``, spaced from the words around it.

    The dropped text is put on one line, and a long one is shortened in its middle.
    """
    dropped = " ".join(deletion.text.split())
    if len(dropped) > _SHORTEN_OVER:
        head = dropped[:_KEEP_HEAD].rsplit(" ", 1)[0]
        tail = dropped[-_KEEP_TAIL:].split(" ", 1)[-1]
        dropped = f"{head} … {tail}"
    mark = f"[-{safe_for_terminal(dropped)}-]"
    if color:
        mark = f"{_DIM}{_STRIKE}{mark}{_RESET}"
    space_before = at > 0 and not text[at - 1].isspace()
    space_after = at < len(text) and not text[at].isspace()
    if space_before:
        return " " + mark
    return mark + " " if space_after else mark


def _annotate(
    text: str, spans: Iterable[Span], deletions: Iterable[Deletion] = (), *, color: bool
) -> str:
    out: list[str] = []
    at = 0
    marks: list[tuple[int, int, Span | Deletion]] = [(d.start, 0, d) for d in deletions]
    if marks:  # a deletion goes before a span starting at its point
        marks = sorted([*marks, *((s.start, 1, s) for s in spans)], key=lambda m: m[:2])
    else:
        marks = [(s.start, 1, s) for s in spans]
    for _, _, span in marks:
        if isinstance(span, Deletion):
            point = max(at, span.start)
            out.append(safe_for_terminal(text[at:point]))
            out.append(_dropped(span, text, point, color=color))
            at = point
            continue
        if span.start < at:
            continue
        out.append(safe_for_terminal(text[at : span.start]))
        new = safe_for_terminal(span.text)
        original = safe_for_terminal(span.original.replace("\n", " "))
        if not original and span.is_spin and span.original_start < 0:
            original = "?"  # reference-free, flagged with no restoration to offer
        elif span.restoration_is_a_guess:
            original += "?"
        if span.kind == "insert":
            out.append(f"{_GREEN}{_UNDERLINE}[+{new}+]{_RESET}" if color else f"[+{new}+]")
        elif span.kind == "paraphrase":
            out.append(
                f"{_MAGENTA}{new}{_RESET}{_DIM}({original}){_RESET}"
                if color
                else f"<<{new}||{original}>>"
            )
        elif color:
            tint = _RED + _BOLD if span.is_spin else _YELLOW
            out.append(f"{tint}{new}{_RESET}{_DIM}({original}){_RESET}")
        elif span.is_spin:
            out.append(f"{{{new}|{original}}}")
        else:
            out.append(f"[{new}|{original}]")
        at = span.end
    out.append(safe_for_terminal(text[at:]))
    return "".join(out).rstrip() + "\n"


# --------------------------------------------------------------------------- html

_CSS = """
*{box-sizing:border-box}
body{font:16px/1.6 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d1d1f;
 background:#f6f6f4}
header,footer,.rows,#spans{max-width:1320px;margin:0 auto;padding:16px 24px}
header{background:#fff;border-bottom:1px solid #ddd;max-width:none}
header>*{max-width:1272px;margin-left:auto;margin-right:auto}
h1{font-size:22px;margin:0 auto 6px}
.spun,.paraphrased{color:#b3261e}.not_spun{color:#1b6e2a}.unscored{color:#555}
dl.summary{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:8px auto 0;
 font-size:14px}
dt{color:#666}dd{margin:0;overflow-wrap:anywhere}
.legend{font-size:14px;color:#444;margin-top:8px}
.legend a{margin-left:6px}
.rows{display:grid;gap:0}
.row{display:grid;grid-template-columns:1fr 1fr;gap:0 24px}
.row.head{position:sticky;top:0;z-index:1;background:#f6f6f4;border-bottom:1px solid #ddd}
.rows.single .row{grid-template-columns:minmax(0,78ch)}
h2{font-size:13px;text-transform:uppercase;letter-spacing:.05em;color:#666;margin:4px 0}
.cell{white-space:pre-wrap;overflow-wrap:break-word;min-width:0;padding:10px 0;
 border-bottom:1px solid #e6e6e2}
.cell.o{color:#333}
mark,ins,del{border-radius:3px;padding:0 1px;cursor:pointer;color:inherit}
mark.spin{background:#ffd6d3}mark.edit{background:#fff1b8}mark.para{background:#eadcff}
mark.spin.orig{background:#d7e8ff}mark.edit.orig{background:#fff6d6}mark.para.orig{background:#f3ecff}
ins{background:#dcf5dc;text-decoration:underline}del{background:#ececec;color:#666}
mark:focus,ins:focus,del:focus,mark:target,ins:target,del:target{outline:2px solid #1a5fd0;
 outline-offset:1px}
mark,ins,del{scroll-margin:35vh 0}
.tip{display:none;position:fixed;right:16px;bottom:16px;z-index:3;
 width:min(380px,calc(100vw - 32px));background:#222;color:#fff;border-radius:8px;
 padding:10px 14px;font-size:15px;line-height:1.45;
 white-space:normal;box-shadow:0 4px 18px rgba(0,0,0,.3)}
.tip strong{display:block;margin-bottom:2px}
.tip span{display:block}.tip q{color:#ffe08a}.tip a{color:#9cc3ff}
:focus+.tip,.tip:focus,.tip:focus-within,:target+.tip{display:block}
.rows:focus-within :target:not(:focus)+.tip{display:none}
#spans table{border-collapse:collapse;width:100%;font-size:14px;background:#fff}
#spans th,#spans td{text-align:left;padding:4px 8px;border-bottom:1px solid #eee;vertical-align:top;
 overflow-wrap:anywhere}
#spans th{color:#666;font-weight:600}
#spans .n,#spans th:nth-child(n+4){white-space:nowrap;overflow-wrap:normal;text-align:right}
.scroll{overflow-x:auto}
footer{font-size:13px;color:#666;border-top:1px solid #ddd}
.scale{display:inline-block;width:90px;height:.8em;border-radius:3px;vertical-align:middle;
 background:linear-gradient(90deg,rgba(211,47,47,.12),rgba(211,47,47,.75))}
@media (max-width:800px){
 body{font-size:17px}
 header,footer,.rows,#spans{padding:12px 14px}
 .row,.rows.single .row{grid-template-columns:1fr}
 .row.head{display:none}
 .cell{border-bottom:0;padding:8px 0}
 .cell.o{font-size:15px;border-left:3px solid #c9d6ea;padding:6px 10px;margin-bottom:10px;
  background:#eef2f8}
 .cell.o::before{content:"original";display:block;font-size:12px;text-transform:uppercase;
  letter-spacing:.05em;color:#667}
 .cell.o:empty{display:none}
 .tip{left:8px;right:8px;bottom:8px;width:auto}
 .col-restore{display:none}
}
"""

# What a mark's details card says of each span kind.
_KIND_NAMES = {
    "synonym": "synonym swap",
    "phrase": "glue-phrase swap",
    "number": "number, date or amount edit (ordinary)",
    "name": "name edit (ordinary)",
    "edit": "ordinary edit",
    "insert": "added text (not in the original)",
    "paraphrase": "paraphrased sentence (retold in other words)",
}


def _escape(text: str) -> str:
    """``text`` for HTML: markup escaped, control characters shown as escapes."""
    return html.escape(safe_for_terminal(text))


@dataclass(frozen=True, slots=True)
class _Mark:
    """One marked stretch of a column: where, how it looks, and what its card says."""

    start: int
    end: int
    tag: str  # mark (a swap or edit), ins (added text) or del (dropped text)
    css: str
    anchor: str  # the element id, which the span list links to
    other: str  # one line: the other side (hover title, ``data-other``)
    details: tuple[str, ...]  # the card's lines, already HTML
    style: str = ""  # reference-free shading


def _card(title: str, *lines: str) -> tuple[str, ...]:
    return (f"<strong>{_escape(title)}</strong>", *lines)


def _span_details(span: Span, k: int, *, reference: bool, paired: bool) -> tuple[str, ...]:
    lines = [f"<span>score {span.score:.2f}</span>"]
    if span.kind != "insert":
        label = "original" if reference else "restored"
        guess = " (a guess: more often wrong than right)" if span.restoration_is_a_guess else ""
        lines.insert(0, f"<span>{label}: <q>{_escape(span.original)}</q>{guess}</span>")
    if span.restore_score is not None:
        lines.append(
            f"<span>restoration: {span.restore_score:+.2f} nats (how much likelier the "
            "sentence reads with it)</span>"
        )
    if paired:
        lines.append(f'<span><a href="#o{k}">in the original</a></span>')
    lines.append('<span><a href="#spans">all spans</a></span>')
    return _card(_KIND_NAMES.get(span.kind, span.kind), *lines)


def _shade(score: float) -> str:
    """A reference-free mark's background: the likelier a spinner's swap, the deeper."""
    alpha = 0.12 + 0.63 * min(max(score, 0.0), 1.0)
    return f"background:rgba(211,47,47,{alpha:.2f})"


def _html_marks(report: Report) -> tuple[list[_Mark], list[_Mark]]:
    """The suspect's marks and the original's: swaps, edits, added and dropped text."""
    reference = report.mode == "reference"
    suspect: list[_Mark] = []
    original: list[_Mark] = []
    for k, span in enumerate(report.spans):
        paired = reference and span.kind != "insert" and span.original_start < span.original_end
        details = _span_details(span, k, reference=reference, paired=paired)
        if span.kind == "insert":
            suspect.append(
                _Mark(
                    span.start,
                    span.end,
                    "ins",
                    "add",
                    f"s{k}",
                    "added: not in the original",
                    details,
                )
            )
            continue
        css = "spin" if span.is_spin else "para" if span.kind == "paraphrase" else "edit"
        label = (
            "swap"
            if span.is_spin
            else "paraphrased sentence"
            if span.kind == "paraphrase"
            else "edit"
            if span.kind == "edit"
            else f"{span.kind} edit"
        )
        other = f"{label}; {'original' if reference else 'restored'}: {span.original}"
        if span.restoration_is_a_guess:
            other += " (a guess)"
        style = "" if reference else _shade(span.score)
        suspect.append(_Mark(span.start, span.end, "mark", css, f"s{k}", other, details, style))
        if paired:
            back = _card(
                _KIND_NAMES.get(span.kind, span.kind),
                f"<span>now: <q>{_escape(span.text)}</q></span>",
                f"<span>score {span.score:.2f}</span>",
                f'<span><a href="#s{k}">in the suspect</a></span>',
            )
            original.append(
                _Mark(
                    span.original_start,
                    span.original_end,
                    "mark",
                    css + " orig",
                    f"o{k}",
                    f"now: {span.text}",
                    back,
                )
            )
    for k, deletion in enumerate(report.deletions):
        words = len(deletion.text.split())
        details = _card(
            "dropped text (not in the suspect)",
            f"<span>{plural(words, 'word')} the suspect left out</span>",
            '<span><a href="#spans">all spans</a></span>',
        )
        original.append(
            _Mark(
                deletion.original_start,
                deletion.original_end,
                "del",
                "drop",
                f"d{k}",
                "dropped: not in the suspect",
                details,
            )
        )
    return suspect, original


def _marked(text: str, marks: list[_Mark], lo: int = 0, hi: int | None = None) -> str:
    """``text[lo:hi]`` escaped, each mark wrapped (clipped to the stretch).

    A mark's first piece carries its id, takes focus (click, tap or Tab) and is
    followed by its details card; a piece continuing it from an earlier row is
    only shaded.
    """
    hi = len(text) if hi is None else hi
    out: list[str] = []
    at = lo
    for m in marks:
        start, end = max(m.start, lo), min(m.end, hi)
        if start < at or start >= end:
            continue
        out.append(_escape(text[at:start]))
        style = f' style="{m.style}"' if m.style else ""
        body = _escape(text[start:end])
        if start == m.start:
            out.append(
                f'<{m.tag} class="{m.css}" id="{m.anchor}" tabindex="0" title="{_escape(m.other)}"'
                f' aria-describedby="t-{m.anchor}" data-other="{_escape(m.other)}"{style}>'
                f"{body}</{m.tag}>"
                f'<span class="tip" id="t-{m.anchor}" role="tooltip" tabindex="-1">'
                f"{''.join(m.details)}</span>"
            )
        else:
            out.append(f'<{m.tag} class="{m.css}"{style}>{body}</{m.tag}>')
        at = end
    out.append(_escape(text[at:hi]))
    return "".join(out)


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_LINE_BREAK = re.compile(r"\n\s*")


def _paragraph_starts(text: str) -> list[int]:
    """Where each paragraph begins: after blank lines, or after any line break in a
    text that has no blank line."""
    breaks = _PARAGRAPH_BREAK if _PARAGRAPH_BREAK.search(text) else _LINE_BREAK
    starts = [0] + [m.end() for m in breaks.finditer(text) if m.end() < len(text)]
    return sorted(set(starts))


def _original_point(report: Report, original_length: int) -> Callable[[int], float]:
    """A map from a point of the suspect to its likely point in the original.

    It runs through the points the report pairs (passages, spans, deletions) and
    is linear between them; a point at a deletion maps past the dropped text.
    """
    pairs = [(0, 0), (len(report.suspect.text), original_length)]
    for p in report.passages:
        pairs += [(p.start, p.original_start), (p.end, p.original_end)]
    for s in report.spans:
        if s.original_start >= 0:
            pairs += [(s.start, s.original_start), (s.end, s.original_end)]
    for d in report.deletions:
        pairs += [(d.start, d.original_start), (d.start, d.original_end)]
    anchors: list[tuple[int, int]] = []
    for s, o in sorted(pairs):
        if not anchors or o >= anchors[-1][1]:
            anchors.append((s, o))
    keys = [s for s, _ in anchors]

    def point(x: int) -> float:
        i = max(bisect.bisect_right(keys, x) - 1, 0)
        s0, o0 = anchors[i]
        if i + 1 == len(anchors) or x == s0:
            return o0
        s1, o1 = anchors[i + 1]
        return o0 + (x - s0) * (o1 - o0) / (s1 - s0)

    return point


def _rows(report: Report) -> list[tuple[int, int, int, int]]:
    """Paragraph-aligned rows: each suspect paragraph with the original's beside it.

    A row is (start, end) in the suspect and (start, end) in the original; each
    suspect paragraph starts a row, and the original is cut at the paragraph
    start nearest to where the report places that point, never going back.
    """
    suspect = report.suspect.text
    original = report.original.text if report.original is not None else ""
    starts = _paragraph_starts(suspect)
    targets = [*_paragraph_starts(original), len(original)]
    point = _original_point(report, len(original))
    cuts = [0]
    for x in starts[1:]:
        where = point(x)
        nearest = min(targets, key=lambda t: abs(t - where))
        cuts.append(max(nearest, cuts[-1]))
    bounds = [*starts, len(suspect)]
    cuts.append(len(original))
    return [(bounds[i], bounds[i + 1], cuts[i], cuts[i + 1]) for i in range(len(starts))]


def _cell(text: str, marks: list[_Mark], lo: int, hi: int, side: str) -> str:
    hi = lo + len(text[lo:hi].rstrip())
    return f'<div class="cell {side}">{_marked(text, marks, lo, hi) if hi > lo else ""}</div>'


def _span_list(report: Report, suspect_marks: list[_Mark], original_marks: list[_Mark]) -> str:
    """Every span and deletion in text order, each linking to its mark."""
    reference = report.mode == "reference"
    restore = any(s.restore_score is not None for s in report.spans)
    entries: list[tuple[int, int, str]] = []
    for k, span in enumerate(report.spans):
        where = f'<a href="#s{k}">{_escape(span.text)}</a>'
        if span.kind == "insert":
            original = "—"
        elif reference and span.original_start < span.original_end:
            original = f'<a href="#o{k}">{_escape(span.original)}</a>'
        else:
            original = _escape(span.original) + ("?" if span.restoration_is_a_guess else "")
        cells = [where, _escape(_KIND_NAMES.get(span.kind, span.kind).split(" (")[0]), original]
        numbers = [f"{span.score:.2f}"]
        if restore:
            numbers.append("" if span.restore_score is None else f"{span.restore_score:+.2f}")
        row = "".join(f"<td>{c}</td>" for c in cells)
        row += "".join(f'<td class="n">{c}</td>' for c in numbers)
        entries.append((span.start, 1, row))
    for k, deletion in enumerate(report.deletions):
        dropped = " ".join(deletion.text.split())
        if len(dropped) > _SHORTEN_OVER:
            dropped = dropped[:_KEEP_HEAD].rsplit(" ", 1)[0] + " …"
        cells = ["—", "dropped text", f'<a href="#d{k}">{_escape(dropped)}</a>']
        row = "".join(f"<td>{c}</td>" for c in cells) + '<td class="n"></td>' * (1 + restore)
        entries.append((deletion.start, 0, row))
    entries.sort(key=lambda e: e[:2])
    heads = ["suspect", "kind", "original" if reference else "restored", "score"]
    if restore:
        heads.append("restoration (nats)")
    head = "".join(f"<th>{h}</th>" for h in heads)
    body = "".join(f"<tr>{row}</tr>" for _, _, row in entries)
    return (
        f'<section id="spans"><h2>{plural(len(entries), "span")}, in text order</h2>'
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody>'
        "</table></div></section>"
    )


def _stamp(report: Report) -> str:
    """The footer: spindetect's version, the model (or reference mode) and the date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    when = datetime.fromtimestamp(int(epoch), UTC) if epoch.isdigit() else datetime.now(UTC)
    mode = "reference (with the original)"
    if report.mode != "reference":
        mode = f"model {report.model}"
    return f"spindetect {__version__} · {mode} · {when:%Y-%m-%d}"


def render_html(report: Report) -> str:
    """One self-contained HTML page: summary, suspect and original in aligned rows, spans listed.

    Each suspect paragraph sits beside the original's paragraph it came from, so
    long articles stay aligned; the columns stack on narrow screens.  Added text
    is underlined in the suspect's column, dropped text struck through in the
    original's.  Clicking, tapping or tabbing to a mark shows its details (kind,
    original, score, restoration); the list below the text links to every mark.
    Reference-free marks are shaded by their score.  No script, no external
    resource; all article text is escaped.
    """
    suspect_marks, original_marks = _html_marks(report)
    suspect_marks.sort(key=lambda m: (m.start, m.end))
    original_marks.sort(key=lambda m: (m.start, m.end))
    verdict = report.verdict
    rows = [
        ("spin score", _score_shown(report)),
        ("substitution rate", f"{report.substitution_rate:.1%}"),
        ("suspect", report.suspect.name),
    ]
    if report.mode == "reference":
        rows += [("original", report.source or ""), ("relation", report.relation or "")]
        if report.coverage is not None and report.passages:
            rows.append(("reused", _reuse(report.passages, report.coverage)))
        counts = f"{len(report.spin_spans)} swaps, {_edit_counts(report)}"
    else:
        rows.append(("model", f"{report.model} (no original: reference-free)"))
        counts = (
            _swap_count(report)
            if report.verdict == "not_spun"
            else f"{len(report.spin_spans)} swaps, "
            f"{len(report.spans) - len(report.spin_spans)} edits"
        )
    rows.append(("spans", counts))
    evasion = _evasion_line(report)
    if evasion:
        rows.append(("evasion", evasion))
    summary = "".join(f"<dt>{html.escape(k)}</dt><dd>{_escape(v)}</dd>" for k, v in rows)
    suspect = report.suspect.text
    if report.original is not None:
        original = report.original.text
        body = ['<div class="row head" aria-hidden="true"><h2>Suspect</h2><h2>Original</h2></div>']
        for s0, s1, o0, o1 in _rows(report):
            body.append(
                '<div class="row">'
                + _cell(suspect, suspect_marks, s0, s1, "s")
                + _cell(original, original_marks, o0, o1, "o")
                + "</div>"
            )
        layout = "rows"
    else:
        body = ['<div class="row head"><h2>Suspect</h2></div>']
        starts = [*_paragraph_starts(suspect), len(suspect)]
        body += [
            f'<div class="row">{_cell(suspect, suspect_marks, a, b, "s")}</div>'
            for a, b in itertools.pairwise(starts)
        ]
        layout = "rows single"
    if report.mode == "reference":
        legend = (
            '<mark class="spin">swap</mark> synonym or glue-phrase swap, '
            '<mark class="edit">edit</mark> ordinary edit, <ins class="add">added</ins> '
            'and <del class="drop">dropped</del> text'
            + (
                ', <mark class="para">sentence</mark> paraphrased'
                if any(s.kind == "paraphrase" for s in report.spans)
                else ""
            )
        )
    else:
        legend = (
            '<span class="scale"></span> swaps shaded by score (pale: unsure, deep: '
            "likely a spinner's)"
        )
    title = f"spindetect: {verdict.replace('_', ' ')} ({report.suspect.name})"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{_escape(title)}</title><style>{_CSS}</style></head><body>"
        f'<header><h1 class="{verdict}">{html.escape(verdict.replace("_", " ").upper())}</h1>'
        f'<dl class="summary">{summary}</dl>'
        + (f'<p class="note">{_escape(report.note)}</p>' if report.note else "")
        + f'<div class="legend">{legend}; click or tap a mark for its details.'
        '<a href="#spans">list of spans</a></div>'
        f'</header><main class="{layout}">{"".join(body)}</main>'
        f"{_span_list(report, suspect_marks, original_marks)}"
        f"<footer>{_escape(_stamp(report))}</footer></body></html>\n"
    )
