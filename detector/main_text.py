"""The main text of an HTML page: the article without its navigation, footers and banners.

``trafilatura`` (imported here, and this module only when an HTML input is read, so
plain-text runs start as fast as before) finds the article's paragraphs; no network
is used, it is handed the page as a string.  Whenever it cannot help, the page is
stripped whole by ``detector.markup.html_to_text`` instead, so an HTML input always
gives its text:

- a page larger than ``MAX_EXTRACT_CHARS``: trafilatura parses a tree and walks it
  several times (linear, but about 3 µs a character on crafted markup), so a bound
  keeps the worst case near 3 s, where the stripper reads 10 MB in about one;
- a page in which it finds no main text, or less than ``MIN_MAIN_WORDS`` words of it;
- any exception from it (broken markup, too deep a tree).

The result has the stripper's layout: one line per block, a blank line between blocks.

The extractor leaves out an article's byline and dateline ("By Jane Holloway, Local
Government Reporter", "1 March 2024"), which a plain-text original of the same story
often holds: against it, the page would show them dropped, though the page prints them.
So a byline or a date that the page prints between the main text's first block (its
headline) and its second is put back there (``_header_lines``).
"""

from __future__ import annotations

import logging
import re

from detector.markup import html_to_text

__all__ = ["MAX_EXTRACT_CHARS", "MIN_MAIN_WORDS", "html_main_text"]

MAX_EXTRACT_CHARS = 1_000_000
MIN_MAIN_WORDS = 5
_WORD = re.compile(r"\w+")
_SPACES = re.compile(r"[^\S\n]+")


def html_main_text(markup: str) -> str:
    """The main text of the page ``markup``, or all its visible text when none is found."""
    main = _extract(markup) if len(markup) <= MAX_EXTRACT_CHARS else None
    if main is None or len(_WORD.findall(main)) < MIN_MAIN_WORDS:
        return html_to_text(markup)
    return _with_header_lines(main, html_to_text(markup))


_BYLINE = re.compile(r"(?i:by|written by)\s+[A-Z][\w'\u2019.-]*")
_MONTH = (
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
)
_DATE = re.compile(
    rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}\s+\d{{4}}|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?"
    rf"\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}})\b"
)
_HEADER_WORDS = 15  # a byline or dateline is a short line


def _header_line(line: str) -> bool:
    """Whether ``line`` is a byline ("By Jane Holloway, Reporter") or a dateline
    ("1 March 2024", "Updated: March 1, 2024 10:32")."""
    words = len(line.split())
    if not 1 <= words <= _HEADER_WORDS:
        return False
    if _BYLINE.match(line) and not line.rstrip().endswith((".", "?", "!")):
        return True
    return bool(_DATE.search(line)) and words <= 8


def _header_lines(main: str, page: str) -> list[str]:
    """The bylines and datelines ``page`` (the page's visible text, stripper's layout)
    prints between the first two blocks of ``main`` that the extractor left out."""
    blocks = main.split("\n\n")
    if len(blocks) < 2:
        return []
    lines = page.split("\n\n")
    try:
        first = lines.index(blocks[0])
        second = lines.index(blocks[1], first + 1)
    except ValueError:
        return []
    between = lines[first + 1 : second]
    if len(between) > 8:  # not a headline and its article's first paragraph
        return []
    return [line for line in between if _header_line(line)]


def _with_header_lines(main: str, page: str) -> str:
    """``main`` with the byline and dateline the extractor left out put back after its
    first block (see the module notes)."""
    found = _header_lines(main, page)
    if not found:
        return main
    headline, rest = main.split("\n\n", 1)
    return "\n\n".join([headline, *found, rest])


def _extract(markup: str) -> str | None:
    """trafilatura's main text of ``markup`` in the stripper's layout, or None."""
    try:
        import trafilatura
    except ImportError:  # installed without it: every page is stripped whole
        return None
    logger = logging.getLogger("trafilatura")
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())  # its parse warnings are not the user's
    try:
        text = trafilatura.extract(
            markup,
            output_format="txt",
            favor_precision=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            deduplicate=False,
            with_metadata=False,
        )
    except Exception:  # a bug or a limit of the extractor must not lose the input
        return None
    if not text:
        return None
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    # A line without a letter or digit ("|---|" under a table's head) is layout, not text.
    return "\n\n".join(line for line in lines if _WORD.search(line))
