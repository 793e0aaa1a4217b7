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
    return main


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
