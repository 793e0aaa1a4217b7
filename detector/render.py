"""Rendering a ``Report`` as terminal text, JSON or one self-contained HTML page.

An article is untrusted input and may hold markup, scripts or terminal escape
sequences.  In terminal text and HTML, article text and every name have their
control characters shown as visible escapes (``\\x1b``), so that printing them
cannot move the cursor, recolour or retitle a terminal; HTML also goes through
``html.escape``.  JSON keeps the text exactly (its offsets index it), with those
characters written as JSON escapes.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from typing import Literal

from detector.report import Report, Span

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


def _summary_lines(report: Report) -> list[str]:
    spin = report.spin_spans
    ordinary = len(report.spans) - len(spin)
    lines = [f"suspect:   {safe_for_terminal(report.suspect.name)}"]
    if report.mode == "reference":
        source = safe_for_terminal(str(report.source))
        lines.append(f"original:  {source}   (relation: {report.relation})")
    else:
        model = safe_for_terminal(str(report.model))
        lines.append(f"original:  none; reference-free scoring with model {model}")
    lines.append(
        f"swaps:     {len(spin)} synonym/phrase swaps (substitution rate "
        f"{report.substitution_rate:.1%})"
        + (f", {ordinary} ordinary edits" if report.mode == "reference" else "")
    )
    if report.note:
        lines.append(f"note:      {safe_for_terminal(report.note)}")
    if report.quality is not None and report.quality.fluency_percentile is not None:
        lines.append(
            f"fluency:   {report.quality.surprisal:.2f} nats per token; fluency percentile "
            f"{report.quality.fluency_percentile:.0f} against clean news (text quality, "
            "not the verdict)"
        )
    return lines


def render_text(report: Report, *, color: bool = False) -> str:
    """A readable report: verdict, scores, then the suspect with every span marked.

    Without colour, swaps read ``{new|original}`` and ordinary edits ``[new|original]``.
    """
    verdict = report.verdict.replace("_", " ").upper()
    if color:
        tint = _RED if report.verdict == "spun" else _GREEN
        head = f"{_BOLD}{tint}{verdict}{_RESET}  spin score {report.spin_score:.2f}"
    else:
        head = f"{verdict}  spin score {report.spin_score:.2f}"
    lines = [head, *_summary_lines(report)]
    if color:
        lines.append(
            f"legend:    {_RED}{_BOLD}swap{_RESET}{_DIM}(original){_RESET}  "
            f"{_YELLOW}edit{_RESET}{_DIM}(original){_RESET}"
        )
    else:
        lines.append("legend:    {swap|original}  [edit|original]")
    lines.append("")
    lines.append(_annotate(report.suspect.text, report.spans, color=color))
    return "\n".join(lines)


def _annotate(text: str, spans: Iterable[Span], *, color: bool) -> str:
    out: list[str] = []
    at = 0
    for span in spans:
        if span.start < at:
            continue
        out.append(safe_for_terminal(text[at : span.start]))
        new = safe_for_terminal(span.text)
        original = safe_for_terminal(span.original.replace("\n", " "))
        if color:
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
body{font:15px/1.55 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d1d1f;
 background:#fafafa}
header{padding:16px 24px;background:#fff;border-bottom:1px solid #ddd}
h1{font-size:20px;margin:0 0 6px}
.spun{color:#b3261e}.not_spun{color:#1b6e2a}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:8px 0 0;font-size:14px}
dt{color:#666}dd{margin:0;overflow-wrap:anywhere}
main{display:grid;grid-template-columns:1fr 1fr;gap:16px;padding:16px 24px}
main.single{grid-template-columns:1fr}
section{background:#fff;border:1px solid #ddd;border-radius:6px;padding:12px 16px;min-width:0}
h2{font-size:14px;text-transform:uppercase;letter-spacing:.04em;color:#666;margin:0 0 8px}
.text{white-space:pre-wrap;overflow-wrap:anywhere}
mark{border-radius:3px;padding:0 1px;position:relative;cursor:help}
mark.spin{background:#ffd6d3}mark.edit{background:#fff1b8}
mark.spin.orig{background:#d7e8ff}
mark[data-other]:hover::after{content:attr(data-other);position:absolute;left:0;top:1.6em;z-index:2;
 background:#222;color:#fff;padding:2px 6px;border-radius:4px;white-space:nowrap;font-size:13px}
.legend{font-size:13px;color:#555;margin-top:6px}
"""


def _escape(text: str) -> str:
    """``text`` for HTML: markup escaped, control characters shown as escapes."""
    return html.escape(safe_for_terminal(text))


def _marked(text: str, spans: list[tuple[int, int, str, str, str]]) -> str:
    """``text`` escaped, with each (start, end, css class, tooltip, id) span wrapped in <mark>."""
    out: list[str] = []
    at = 0
    for start, end, css, tooltip, anchor in sorted(spans):
        if start < at or start >= end:
            continue
        out.append(_escape(text[at:start]))
        out.append(
            f'<mark class="{css}" id="{anchor}" aria-label="{_escape(tooltip)}" '
            f'data-other="{_escape(tooltip)}">{_escape(text[start:end])}</mark>'
        )
        at = end
    out.append(_escape(text[at:]))
    return "".join(out)


def render_html(report: Report) -> str:
    """One self-contained HTML page: summary, suspect and original side by side, swaps marked."""
    suspect_marks = []
    original_marks = []
    for k, span in enumerate(report.spans):
        css = "spin" if span.is_spin else "edit"
        label = "swap" if span.is_spin else f"{span.kind} edit"
        suspect_marks.append(
            (span.start, span.end, css, f"{label}; original: {span.original}", f"s{k}")
        )
        if span.original_start < span.original_end:
            original_marks.append(
                (
                    span.original_start,
                    span.original_end,
                    css + " orig",
                    f"now: {span.text}",
                    f"o{k}",
                )
            )
    verdict = report.verdict
    rows = [
        ("spin score", f"{report.spin_score:.2f}"),
        ("substitution rate", f"{report.substitution_rate:.1%}"),
        ("suspect", report.suspect.name),
    ]
    if report.mode == "reference":
        rows += [("original", report.source or ""), ("relation", report.relation or "")]
    else:
        rows.append(("model", f"{report.model} (no original: reference-free)"))
    rows.append(
        (
            "spans",
            f"{len(report.spin_spans)} swaps, {len(report.spans) - len(report.spin_spans)} edits",
        )
    )
    summary = "".join(f"<dt>{html.escape(k)}</dt><dd>{_escape(v)}</dd>" for k, v in rows)
    columns = [
        "<section><h2>Suspect</h2>"
        f'<div class="text">{_marked(report.suspect.text, suspect_marks)}</div></section>'
    ]
    if report.original is not None:
        columns.append(
            "<section><h2>Original</h2>"
            f'<div class="text">{_marked(report.original.text, original_marks)}</div></section>'
        )
    title = f"spindetect: {verdict.replace('_', ' ')} ({report.suspect.name})"
    layout = "" if report.original is not None else ' class="single"'
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{_escape(title)}</title><style>{_CSS}</style></head><body>"
        f'<header><h1 class="{verdict}">{html.escape(verdict.replace("_", " ").upper())}</h1>'
        f"<dl>{summary}</dl>"
        + (f'<p class="note">{_escape(report.note)}</p>' if report.note else "")
        + '<div class="legend"><mark class="spin">swap</mark> synonym or glue-phrase swap, '
        '<mark class="edit">edit</mark> ordinary edit; hover a mark for the other side.</div>'
        f"</header><main{layout}>{''.join(columns)}</main></body></html>\n"
    )
