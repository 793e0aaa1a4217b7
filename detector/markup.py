"""Markup stripping: the visible plain text of an HTML or Markdown article, in linear time.

Articles are untrusted input, so every step here takes time proportional to the
input whatever it holds: each regular expression either is anchored to a line
start or cannot backtrack, and each search for a closing delimiter starts where
the previous one for the same delimiter left off.

HTML is tokenised as ``html.parser`` tokenises well-formed pages (start and end
tags, comments, declarations, raw ``script``/``style`` text, character
references).  A tag, comment or declaration that never closes (``if a<b`` near
the end of a page) makes the rest of the input text, as ``html.parser`` made it
on Python 3.11; an unclosed ``script`` or ``style`` hides the rest.
Markdown is stripped by the steps in ``_MD_STEPS``, each doing what one regular
expression of ``_MD_RULES_AS_REGEXES`` did with ``re.sub``, without its worst case.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator

__all__ = ["html_to_text", "markdown_to_text"]


class _Next:
    """Where ``char`` next occurs in ``text`` at or after a position (-1: nowhere).

    Asked for positions that never decrease, it reads each character of ``text``
    at most once in all.
    """

    def __init__(self, text: str, char: str) -> None:
        self.text = text
        self.char = char
        self.asked = len(text) + 1  # the position the cached answer was found from
        self.found = -1

    def __call__(self, start: int) -> int:
        if not self.asked <= start <= (self.found if self.found >= 0 else len(self.text)):
            self.asked = start
            self.found = self.text.find(self.char, start)
        return self.found


def _before(position: int, limit: int) -> bool:
    """Whether ``position`` (-1: nowhere) comes before ``limit`` (-1: the end of the text)."""
    return position >= 0 and (limit < 0 or position < limit)


# --------------------------------------------------------------------------- html

_BLOCK_TAGS = frozenset(
    (
        "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 "
        "h6 header hr li main nav ol p pre section table tbody td th thead tr ul title"
    ).split()
)
_SKIP_TAGS = frozenset(("script style noscript template svg head iframe object canvas").split())
_RAW_TEXT_TAGS = frozenset(("script", "style"))  # their text holds no tags

_WS = r"\t\n\r\f "
# A start tag after its "<": name, then attributes (a quoted value left open runs to the
# end of the input), then ">" if the tag is complete.  Possessive throughout: no backtracking.
_START_TAG = re.compile(
    rf"""
    ([a-zA-Z][^{_WS}/>]*+)
    [{_WS}/]*+
    (?:(?<=['"{_WS}/])[^{_WS}/>][^{_WS}/=>]*+
        (?:[{_WS}]*+=[{_WS}]*+(?:'[^']*+(?:'|\Z)|"[^"]*+(?:"|\Z)|[^>{_WS}]*+))?
        [{_WS}/]*+
    )*+
    (>?)
    """,
    re.VERBOSE,
)
_END_TAG = re.compile(rf"</[{_WS}]*+([a-zA-Z][^{_WS}/>]*+)")
_COMMENT_END = re.compile(rf"--(?:!|[{_WS}]*+)>")
_RAW_TEXT_END = {tag: re.compile(rf"</{tag}(?=[{_WS}/>])", re.IGNORECASE) for tag in _RAW_TEXT_TAGS}
_SPACES = re.compile(r"\s+")


def _html_tokens(markup: str) -> Iterator[tuple[str, str]]:
    """The ``(kind, value)`` tokens of ``markup``: ``data`` (text, references resolved),
    ``start``, ``startend`` and ``end`` (lowercase tag names)."""
    n = len(markup)
    i = 0
    while i < n:
        j = markup.find("<", i)
        if j < 0:
            yield "data", html.unescape(markup[i:])
            return
        if j > i:
            yield "data", html.unescape(markup[i:j])
        i = j
        nxt = markup[i + 1 : i + 2]
        if nxt.isascii() and nxt.isalpha():
            m = _START_TAG.match(markup, i + 1)
            if m is None or not m.group(2):
                break  # a tag left open: the rest is text
            tag = m.group(1).lower()
            i = m.end()
            if markup.endswith("/>", 0, i):
                yield "startend", tag
                continue
            yield "start", tag
            if tag in _RAW_TEXT_TAGS:
                close = _RAW_TEXT_END[tag].search(markup, i)
                if close is None:
                    return
                end = markup.find(">", close.end())
                if end < 0:
                    return
                yield "end", tag
                i = end + 1
        elif nxt == "/":
            m = _END_TAG.match(markup, i)
            end = markup.find(">", m.end() if m else i + 2)
            if end < 0:
                break
            if m:
                yield "end", m.group(1).lower()
            i = end + 1  # "</>" and "</3>" are dropped too
        elif markup.startswith("<!--", i):
            if markup.startswith((">", "->"), i + 4):  # "<!-->" and "<!--->": empty comments
                i = markup.find(">", i + 4) + 1
                continue
            close = _COMMENT_END.search(markup, i + 4)
            if close is None:
                break
            i = close.end()
        elif nxt in ("!", "?"):  # declarations, CDATA, conditional comments, processing
            closer = "]]>" if markup.startswith("<![CDATA[", i) else ">"
            end = markup.find(closer, i + 2)
            if end < 0:
                break
            i = end + len(closer)
        else:
            yield "data", "<"
            i += 1
    if i < n:
        yield "data", html.unescape(markup[i:])


def html_to_text(markup: str) -> str:
    """The visible text of an HTML page, one line per block, blank lines between blocks."""
    parts: list[str] = []
    skipping = 0
    for kind, value in _html_tokens(markup):
        if kind == "data":
            if not skipping:
                parts.append(_SPACES.sub(" ", value))
        elif kind == "start" and value in _SKIP_TAGS:
            skipping += 1
        elif kind == "end" and value in _SKIP_TAGS:
            skipping = max(0, skipping - 1)
        elif value in _BLOCK_TAGS:
            parts.append("\n")
    lines = (line.strip() for line in "".join(parts).split("\n"))
    return "\n\n".join(line for line in lines if line)


# --------------------------------------------------------------------------- markdown

# What each Markdown rule does, as the regular expression it stands for (applied in this
# order with re.sub).  Those marked "scan" would take quadratic time as regexes on hostile
# input, so a linear scan does the same thing.
_MD_RULES_AS_REGEXES = (
    (r"^[ \t]{0,3}(?:[-*_][ \t]*){3,}$", ""),  # horizontal rules
    (r"^[ \t]{0,3}\[[^\]\n]+\]:[ \t]+\S.*$", ""),  # link reference definitions
    (r"!\[([^\]\n]*)\]\([^)\n]*\)", ""),  # images (scan)
    (r"\[([^\]\n]*)\]\([^)\n]*\)", r"\1"),  # inline links (scan)
    (r"\[([^\]\n]*)\]\[[^\]\n]*\]", r"\1"),  # reference links (scan)
    (r"^[ \t]{0,3}#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$", r"\1"),  # headings (scan)
    (r"^[ \t]{0,3}>[ \t]?", ""),  # block quotes
    (r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+", ""),  # list markers
    (r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", r"\2"),  # bold (scan)
    (r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])", r"\1"),  # italics (scan)
    (r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)", r"\1"),  # italics (scan)
    (r"`+([^`\n]*)`+", r"\1"),  # code
    (r"<[^>\n]+>", ""),  # inline HTML (scan)
)

_HR = re.compile(r"^[ \t]{0,3}(?:[-*_][ \t]*){3,}$", re.M)
_LINK_DEFINITION = re.compile(r"^[ \t]{0,3}\[[^\]\n]+\]:[ \t]+\S.*$", re.M)
_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]++(.*)$", re.M)
_QUOTE = re.compile(r"^[ \t]{0,3}>[ \t]?", re.M)
_LIST_MARKER = re.compile(r"^[ \t]*+(?:[-*+]|\d++[.)])[ \t]+", re.M)
_CODE = re.compile(r"`+([^`\n]*)`+")


def _bracketed(text: str, opener: str, middle: str, closer: str, keep: bool) -> str:
    """``text`` with each ``opener LABEL ] middle TARGET closer`` on one line replaced by
    LABEL (``keep``) or nothing: LABEL holds no "]", TARGET no ``closer``."""
    label_end, label_line = _Next(text, "]"), _Next(text, "\n")
    target_end, target_line = _Next(text, closer), _Next(text, "\n")
    out: list[str] = []
    at = 0
    for m in re.finditer(re.escape(opener), text):
        s = m.start()
        if s < at:
            continue
        label = s + len(opener)
        b = label_end(label)
        if not _before(b, label_line(label)) or not text.startswith(middle, b + 1):
            continue
        target = b + 1 + len(middle)
        c = target_end(target)
        if not _before(c, target_line(target)):
            continue
        out.append(text[at:s])
        if keep:
            out.append(text[label:b])
        at = c + 1
    out.append(text[at:])
    return "".join(out)


def _heading_text(m: re.Match[str]) -> str:
    # The shortest text before a run of spaces, then of "#", then of spaces, ending the line.
    return m.group(1).rstrip(" \t").rstrip("#").rstrip(" \t")


def _emphasis(text: str, openers: str, closers: str, width: int) -> str:
    """``text`` with each emphasised stretch unwrapped: from an ``openers`` match (its group 1
    names the delimiter) to the nearest ``closers`` match for the same delimiter on that line,
    with at least one character between."""
    ends: dict[str, list[int]] = {}
    for m in re.finditer(closers, text):
        ends.setdefault(m.group(1), []).append(m.start())
    cursor = dict.fromkeys(ends, 0)
    line_end = _Next(text, "\n")
    out: list[str] = []
    at = 0
    for m in re.finditer(openers, text):
        s = m.start()
        delimiter = m.group(1)
        if s < at or delimiter not in ends:
            continue
        candidates, k = ends[delimiter], cursor[delimiter]
        while k < len(candidates) and candidates[k] < s + width + 1:
            k += 1
        cursor[delimiter] = k
        if k == len(candidates) or _before(line_end(s), candidates[k]):
            continue  # no closing delimiter on this line
        p = candidates[k]
        out.append(text[at:s])
        out.append(text[s + width : p])
        at = p + width
    out.append(text[at:])
    return "".join(out)


def _inline_html(text: str) -> str:
    """``text`` without the ``<...>`` stretches that hold no newline and no ">"."""
    tag_end, line_end = _Next(text, ">"), _Next(text, "\n")
    out: list[str] = []
    at = 0
    for m in re.finditer("<", text):
        s = m.start()
        if s < at:
            continue
        end = tag_end(s + 1)
        if end <= s + 1 or not _before(end, line_end(s + 1)):
            continue
        out.append(text[at:s])
        at = end + 1
    out.append(text[at:])
    return "".join(out)


_MD_STEPS: tuple[Callable[[str], str], ...] = (
    lambda t: _HR.sub("", t),
    lambda t: _LINK_DEFINITION.sub("", t),
    lambda t: _bracketed(t, "![", "(", ")", keep=False),  # images
    lambda t: _bracketed(t, "[", "(", ")", keep=True),  # inline links
    lambda t: _bracketed(t, "[", "[", "]", keep=True),  # reference links
    lambda t: _HEADING.sub(_heading_text, t),
    lambda t: _QUOTE.sub("", t),
    lambda t: _LIST_MARKER.sub("", t),
    lambda t: _emphasis(t, r"(?=(\*\*|__)\S)", r"(?<=\S)(?=(\*\*|__))", 2),  # bold
    lambda t: _emphasis(t, r"(?<![\w*])(\*)(?=\S)", r"(?<=\S)(\*)(?![\w*])", 1),  # italics
    lambda t: _emphasis(t, r"(?<!\w)(_)(?=\S)", r"(?<=\S)(_)(?!\w)", 1),  # italics
    lambda t: _CODE.sub(r"\1", t),
    _inline_html,
)


def markdown_to_text(markup: str) -> str:
    """The text of a Markdown article: emphasis, links, images, headings, lists unwrapped."""
    text = markup
    for step in _MD_STEPS:
        text = step(text)
    return html.unescape(re.sub(r"\n{3,}", "\n\n", text)).strip()
