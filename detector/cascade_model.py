"""Two reference-free models in a cascade: a fast first reading, the thorough one to confirm.

The screen (the language-model judge's first pass alone) reads every text in a
third of the hybrid's time or less, and calls few clean texts spun; but a few it
does call spun are clean prose full of jargon (a cricket report's "stumped",
"cow"), and its flags' originals are guesses from the words before them.  The
hybrid reads each sentence again with the words after each flag.  Most texts of
a crawl are clean and the screen says so; the texts it scores at ``bar`` or more
go on to the hybrid, whose report stands.  With the bar at the screen's own
threshold (0.5), the hybrid reads only what the screen calls spun: on the
hand-spun sets (``BENCHMARKS.md``) the cascade calls 72 of 158 spun texts and
none of 271 clean ones spun (the screen alone 74 and 3), and every spun verdict
comes with the hybrid's in-context restorations.  A lower bar hands the hybrid
more texts: at 0.01 the cascade called 123 and 3 (the hybrid alone 125 and 3),
but on a crawl of short pages the hybrid then read most clean pages too, and the
cascade was barely faster than the hybrid (``docs/eval/notes.md``, 2026-12-07).

A model folder holds only a ``config.json``::

    {"type": "cascade", "name": "cascade", "first": "screen", "then": "hybrid",
     "bar": 0.5}

``first`` and ``then`` name shipped models (or folders); the first must be an
``lm``-type model, and it reads with the second's language model when both name
the same one, loaded once.  Each report comes from the model that decided (its
``model`` field names it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from detector.document import Document
from detector.errors import ModelNotFoundError
from detector.model_config import read_model_config
from detector.report import Report
from detector.scoring import WordScores

__all__ = ["CascadeModel"]


class CascadeModel:
    """``first`` scores every text; ``then`` rescores those ``first`` scores at ``bar`` or
    more, and its report stands (see the module docstring).

    Parameters
    ----------
    first, then : reference-free models
        The fast model and the thorough one.
    bar : float
        The first model's spin score (0..1) from which the second reads the text.
    name : str
        The cascade's name.
    """

    def __init__(self, first: Any, then: Any, bar: float, name: str = "cascade") -> None:
        if not 0.0 <= bar <= 1.0:
            raise ValueError(f"the cascade's 'bar' must be in [0, 1], got {bar}")
        self.first = first
        self.then = then
        self.bar = bar
        self.name = name

    @classmethod
    def load(
        cls,
        folder: Path,
        *,
        load_model: Callable[..., Any],
        model_dir: Callable[[str], Path],
        config: dict[str, Any] | None = None,
        lm: str | None = None,
    ) -> CascadeModel:
        """The cascade of ``folder``: its second model, then its first, reading with the
        second's language model (``lm`` overrides the one the configs name);
        ``load_model`` and ``model_dir`` are ``detector.models``'s, which calls this."""
        from detector.lm_model import LMModel

        folder = Path(folder)
        config = config if config is not None else read_model_config(folder)
        then = load_model(str(config.get("then", "hybrid")), lm=lm)
        first_folder = model_dir(str(config.get("first", "screen")))
        first_config = read_model_config(first_folder)
        if first_config.get("type") != "lm":
            raise ModelNotFoundError(
                f"the cascade's first model at {first_folder} must read with the language "
                f"model (type lm), not {first_config.get('type')!r}"
            )
        judge_model = getattr(then, "judge_model", then)
        shared = getattr(getattr(judge_model, "judge", None), "lm", None)
        if lm is None and first_config.get("lm") != getattr(judge_model, "config", {}).get("lm"):
            shared = None  # the two name other language models: each loads its own
        first = LMModel.load(first_folder, config=first_config, lm=lm, language_model=shared)
        return cls(first, then, float(config.get("bar", 0.5)), str(config.get("name", "cascade")))

    def score(self, document: Document, *, threshold: float | None = None) -> Report:
        """The first model's report when its spin score is under the bar (or it leaves the
        text unscored), else the second's (``threshold`` moves the second's operating
        point, which alone may call a text spun)."""
        first = self.first.score(document)
        if first.verdict == "unscored" or first.spin_score < self.bar:
            return first  # type: ignore[no-any-return]
        if threshold is None:
            return self.then.score(document)  # type: ignore[no-any-return]
        return self.then.score(document, threshold=threshold)  # type: ignore[no-any-return]

    def score_words(self, documents: Sequence[Document]) -> list[WordScores]:
        """Word and document probabilities for each document, from the model that decides."""
        if isinstance(documents, (str, Document)):
            raise TypeError("score_words() expects a sequence of Document objects")
        out = []
        for document, scores in zip(documents, self.first.score_words(documents), strict=True):
            if scores.document_probability >= self.bar:
                scores = self.then.score_words([document])[0]
            out.append(scores)
        return out
