"""An out-of-domain clean set: English prose that is not news, for false-positive rates.

Reference-free models learn from news; a model that calls clean technical
prose spun is useless to anyone who scores other text.  This set is the
docstrings of the Python standard library (modules, classes and functions; PSF
licence), read at evaluation time from the running interpreter: technical,
encyclopedic-style English written by many hands, never spun.  Nothing is
copied into the project.  Docstrings that are mostly code or too short are
left out, as are near-duplicates (the same text under two names).
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import io
import sys
import warnings
from dataclasses import dataclass

from detector.prose import CODE_CHARACTERS

__all__ = ["CleanText", "stdlib_prose"]

# Modules that print, open windows or take long to import.
_SKIP_MODULES = frozenset({"this", "antigravity", "idlelib", "turtledemo", "tkinter", "turtle"})
_MAX_CODE_SHARE = 0.04


@dataclass(frozen=True)
class CleanText:
    """One clean, non-news text: where it came from and the text."""

    name: str
    text: str


def _prose_like(text: str) -> bool:
    if ">>>" in text:
        return False
    visible = [c for c in text if not c.isspace()]
    code = sum(c in CODE_CHARACTERS for c in visible)
    return bool(visible) and code / len(visible) <= _MAX_CODE_SHARE


def stdlib_prose(min_words: int = 80, limit: int = 150) -> list[CleanText]:
    """Up to ``limit`` standard-library docstrings of at least ``min_words`` words, by name."""
    seen: set[str] = set()
    texts: list[CleanText] = []
    for module_name in sorted(sys.stdlib_module_names - _SKIP_MODULES):
        if module_name.startswith("_"):
            continue
        try:
            with (
                contextlib.redirect_stdout(io.StringIO()),
                contextlib.redirect_stderr(io.StringIO()),
                warnings.catch_warnings(),
            ):
                warnings.simplefilter("ignore")
                module = importlib.import_module(module_name)
        except Exception:  # platform-specific or broken modules: not part of the set
            continue
        members = [(module_name, module)]
        for attr, value in sorted(vars(module).items()):
            if (
                not attr.startswith("_")
                and (inspect.isclass(value) or inspect.isfunction(value))
                and getattr(value, "__module__", None) == module_name
            ):
                members.append((f"{module_name}.{attr}", value))
        for name, obj in members:
            doc = inspect.getdoc(obj) or ""
            key = " ".join(doc.split())
            if len(key.split()) < min_words or key in seen or not _prose_like(doc):
                continue
            seen.add(key)
            texts.append(CleanText(name, doc))
            if len(texts) >= limit:
                return texts
    return texts
