"""spindetect: find spun copies of articles, mark each substituted span, restore the original.

The public API, importable from ``detector`` itself (each name is loaded on
first use, so ``import detector`` stays cheap):

- ``make_document(text, name)`` and ``read_document(path)``: a ``Document``;
- ``score_texts(suspect, original)``: the ``Report`` on a suspect against its original;
- ``ReferenceScorer``: the same, reusable, against one or many originals;
- ``load_model(name)``: a reference-free model whose ``score(document)`` gives a ``Report``;
- ``Report`` and ``Span``: the answer types.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "Document",
    "ReferenceScorer",
    "Report",
    "Span",
    "__version__",
    "load_model",
    "make_document",
    "read_document",
    "score_texts",
]

_PUBLIC = {
    "Document": "detector.document",
    "make_document": "detector.document",
    "read_document": "detector.io",
    "ReferenceScorer": "detector.score",
    "score_texts": "detector.score",
    "load_model": "detector.models",
    "Report": "detector.report",
    "Span": "detector.report",
}

if TYPE_CHECKING:
    from detector.document import Document, make_document
    from detector.io import read_document
    from detector.models import load_model
    from detector.report import Report, Span
    from detector.score import ReferenceScorer, score_texts


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use."""
    if name in _PUBLIC:
        return getattr(import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'detector' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
