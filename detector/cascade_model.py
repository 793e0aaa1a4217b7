"""Two reference-free models in a cascade: a fast first reading, the thorough one to go on.

The screen (the language-model judge's first pass alone) reads every text in a
third of the hybrid's time or less, and calls few clean texts spun; but a few it
does call spun are clean prose full of jargon (a cricket report's "stumped",
"cow"), and its flags' originals are guesses from the words before them.  The
hybrid reads each suspicious word again with the words after it.  Most texts of a
crawl are clean and the screen says so; the texts it scores at ``bar`` or more go
on to the hybrid, whose report stands.

The screen's reading is the hybrid's first pass (the same language model and
pass-1 settings: ``shared_first_pass``), so the hybrid goes on from it
(``LMJudge.read``'s ``go_on``) instead of reading the text again: a text the
screen settles costs the screen's time, one the hybrid goes on with the hybrid's.
With the bar at 0.2, under the screen's own threshold (0.5), the hybrid reads the
texts the screen calls spun and those it nearly does: on the hand-spun sets
(``BENCHMARKS.md``) the cascade calls 93 of 170 spun texts and none of 305 clean
ones spun (the screen alone 77 and 3, the hybrid alone 128 and 3), every spun verdict
with the hybrid's in-context restorations; on the sets the screen's fit never saw, 27
of 52 and 0 of 154 (2026-12-08, an AMD CPU; 96 of 164, 0 of 287, 26 of 46 and 0 of
136 on an Intel one before ``handspun_holdout23``: bfloat16 rounds differently).
The bar was chosen before ``handspun_holdout22`` was written: on the 158 spun and 271
clean texts then, a bar of 0.5 gave 72 and 0, and on the sets the screen's fit never
saw, 24 of 40 and 0 of 120 (at 0.5: 20 and 0), the hybrid reading 6 of those 120 clean
texts. A lower bar hands the hybrid more texts, for more of its time
(``docs/eval/notes.md``, 2026-12-07, 14:53).

A model folder holds only a ``config.json``::

    {"type": "cascade", "name": "cascade", "first": "screen", "then": "hybrid",
     "bar": 0.2}

``first`` and ``then`` name shipped models (or folders); the first must be an
``lm``-type model, and it reads with the second's language model when both name
the same one, loaded once.  Each report comes from the model that decided (its
``model`` field names it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from detector.document import Document
from detector.errors import ModelNotFoundError
from detector.model_config import read_model_config
from detector.report import Report
from detector.scoring import WordScores, score_document

if TYPE_CHECKING:
    from detector.lm_judge import LMJudge, LMReading

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
    share_first_pass : bool, default=True
        Read each text once where the first model's reading is the second's first pass
        (``shared_first_pass``); False: each model reads it with its own ``read``.
    """

    def __init__(
        self,
        first: Any,
        then: Any,
        bar: float,
        name: str = "cascade",
        *,
        share_first_pass: bool = True,
    ) -> None:
        if not 0.0 <= bar <= 1.0:
            raise ValueError(f"the cascade's 'bar' must be in [0, 1], got {bar}")
        self.first = first
        self.then = then
        self.bar = bar
        self.name = name
        self._judge = shared_first_pass(first, then) if share_first_pass else None

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
        judge = getattr(judge_model, "judge", None)
        shared = getattr(judge, "lm", None)
        if lm is None and first_config.get("lm") != getattr(judge_model, "config", {}).get("lm"):
            shared = None  # the two name other language models: each loads its own
        first = LMModel.load(
            first_folder,
            config=first_config,
            lm=lm,
            language_model=shared,
            lexicon=getattr(judge, "lexicon", None),  # one thesaurus in memory, not two
        )
        return cls(first, then, float(config.get("bar", 0.2)), str(config.get("name", "cascade")))

    def score(self, document: Document, *, threshold: float | None = None) -> Report:
        """The first model's report when its spin score is under the bar (or it leaves the
        text unscored), else the second's (``threshold`` moves the second's operating
        point, which alone may call a text spun)."""
        if self._judge is None:
            first = self.first.score(document)
            if first.verdict == "unscored" or first.spin_score < self.bar:
                return first  # type: ignore[no-any-return]
            return self.then.score(document, threshold=threshold)  # type: ignore[no-any-return]
        readings: dict[str, LMReading] = {}  # the second's, by the text read

        def first_words(documents: Sequence[Document]) -> list[WordScores]:
            out = []
            for document in documents:
                scores, reading = self._read(document)
                if reading is not None:
                    readings[document.text] = reading
                out.append(scores)
            return out

        def then_words(documents: Sequence[Document]) -> list[WordScores]:
            if any(d.text not in readings for d in documents):
                return self.then.score_words(documents)  # type: ignore[no-any-return]
            return self.then.score_readings(  # type: ignore[no-any-return]
                documents, [readings.pop(d.text) for d in documents]
            )

        first = score_document(_Stage(self.first, first_words), document)
        if first.verdict == "unscored" or not readings:
            return first
        return score_document(_Stage(self.then, then_words), document, threshold=threshold)

    def score_words(self, documents: Sequence[Document]) -> list[WordScores]:
        """Word and document probabilities for each document, from the model that decides."""
        if isinstance(documents, (str, Document)):
            raise TypeError("score_words() expects a sequence of Document objects")
        out = []
        if self._judge is None:
            for document, scores in zip(documents, self.first.score_words(documents), strict=True):
                if scores.document_probability >= self.bar:
                    scores = self.then.score_words([document])[0]
                out.append(scores)
            return out
        for document in documents:
            scores, reading = self._read(document)
            if reading is not None:
                scores = self.then.score_readings([document], [reading])[0]
            out.append(scores)
        return out

    def _read(self, document: Document) -> tuple[WordScores, LMReading | None]:
        """The first model's scores of ``document``, from the second's first pass; and the
        second's whole reading when those scores reach the bar (else None: never read)."""
        from detector.lm_model import read_as_letters

        assert self._judge is not None
        decided: list[WordScores] = []

        def go_on(first_pass: LMReading) -> bool:
            decided.append(self.first.scores_from_reading(first_pass))
            return decided[0].document_probability >= self.bar

        reading = read_as_letters(self._judge, document, go_on=go_on)
        scores = decided[0]
        return scores, reading if scores.document_probability >= self.bar else None


class _Stage:
    """One of a cascade's models as ``score_document`` reads it, scoring with ``score_words``
    (readings made for it)."""

    def __init__(
        self, model: Any, score_words: Callable[[Sequence[Document]], list[WordScores]]
    ) -> None:
        self.name: str = model.name
        self.word_threshold: float = model.word_threshold
        self.document_threshold: float = model.document_threshold
        self.max_words: int | None = getattr(model, "max_words", None)
        self.restorer = model.restorer
        self.score_words = score_words


def shared_first_pass(first: Any, then: Any) -> LMJudge | None:
    """The judge of ``then`` when ``first`` reads its first pass alone, with the same
    language model, thesaurus, glue table and pass-1 settings: ``first``'s reading of a
    text is then ``then``'s first pass, made once for both (``LMJudge.read``'s ``go_on``).
    None otherwise."""
    from detector.lm_judge import LMJudge
    from detector.lm_model import LMModel

    judge_model = getattr(then, "judge_model", then)
    judge = getattr(judge_model, "judge", None)
    if not isinstance(first, LMModel) or not isinstance(judge, LMJudge):
        return None
    if not hasattr(then, "score_readings") or not first.judge.reads_pass1_only:
        return None
    if first.judge.lm is not judge.lm or first.judge.pass1_settings() != judge.pass1_settings():
        return None
    if first.judge.lexicon is not judge.lexicon or first.judge.glue != judge.glue:
        return None  # another thesaurus or glue table reads another first pass
    return judge
