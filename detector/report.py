"""The answer types: ``Span`` (one substituted stretch), ``Report`` (the verdict on a suspect)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from detector.document import Document
from detector.evasion import find_evasion

__all__ = [
    "SPIN_KINDS",
    "Relation",
    "Report",
    "SentenceQuality",
    "Span",
    "SpanKind",
    "TextQuality",
    "Verdict",
]

# "unscored": the text is not something the model can judge (not English prose, too short).
Verdict = Literal["spun", "not_spun", "unscored"]
Relation = Literal["copy", "rewrite", "unrelated"]
SpanKind = Literal["synonym", "phrase", "number", "name", "edit"]
SPIN_KINDS: frozenset[str] = frozenset({"synonym", "phrase"})


@dataclass(frozen=True, slots=True)
class Span:
    """A substituted span of the suspect and the original words it replaced.

    ``start``/``end`` index the suspect's plain text, ``original_start``/
    ``original_end`` the original's.  ``kind`` is ``synonym`` or ``phrase`` for
    spinner-style swaps, ``number``, ``name`` or ``edit`` for ordinary edits;
    ``score`` is the probability (0..1) that the swap is a spinner's.
    ``restore_score`` (reference-free models that read the sentence) is how much
    likelier the text is with ``original`` in the span's place, in nats of the
    language model's log-likelihood; None in reference mode, where the original
    is read, not guessed.
    """

    start: int
    end: int
    text: str
    original: str
    kind: SpanKind
    score: float
    original_start: int = -1
    original_end: int = -1
    restore_score: float | None = None

    @property
    def is_spin(self) -> bool:
        """Whether the span is a synonym or glue-phrase swap, the spinner's mark."""
        return self.kind in SPIN_KINDS

    def to_dict(self) -> dict[str, object]:
        """The span as the JSON contract gives it."""
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "original": self.original,
            "kind": self.kind,
            "score": round(self.score, 4),
            "restore_score": None if self.restore_score is None else round(self.restore_score, 3),
        }


@dataclass(frozen=True, slots=True)
class SentenceQuality:
    """How surprising one sentence is to the language model: mean nats per token."""

    start: int
    end: int
    surprisal: float

    def to_dict(self) -> dict[str, object]:
        """The sentence as the JSON contract gives it."""
        return {"start": self.start, "end": self.end, "surprisal": round(self.surprisal, 3)}


@dataclass(frozen=True)
class TextQuality:
    """A text-quality readout from the language model's pass (never a spin verdict by itself).

    ``surprisal`` is the document's mean nats per token; ``fluency_percentile``
    (0..100) is the share of a bundled sample of clean news that is *more*
    surprising, so 50 reads like typical news and 2 like the least fluent 2%.
    """

    sentences: tuple[SentenceQuality, ...]
    surprisal: float
    fluency_percentile: float | None

    def to_dict(self) -> dict[str, object]:
        """The readout as the JSON contract gives it."""
        return {
            "surprisal": round(self.surprisal, 3),
            "fluency_percentile": None
            if self.fluency_percentile is None
            else round(self.fluency_percentile, 1),
            "sentences": [s.to_dict() for s in self.sentences],
        }


@dataclass(frozen=True, eq=False)
class Report:
    """The verdict on one suspect, with the evidence behind it.

    Attributes
    ----------
    verdict : {"spun", "not_spun", "unscored"}
        ``unscored`` when the text is not something the model can judge (not
        English prose, or too short); ``note`` says why.
    relation : {"copy", "rewrite", "unrelated"} or None
        How the suspect relates to the original: it reuses the original's text
        (copy), tells the same story in its own words (rewrite), or neither.
        None when there was no original to compare with.
    spin_score : float
        Probability-like score in [0, 1] that the suspect is a spun copy.
    substitution_rate : float
        Share of the suspect's compared content words that are synonym or
        glue-phrase swaps.
    source : str or None
        Name of the original compared with.
    spans : tuple of Span
        Substituted spans, in suspect order, with offsets into ``suspect.text``.
    suspect, original : Document
        The texts compared (``original`` is None without one).
    mode : {"reference", "reference-free"}
    model : str or None
        The model that scored a reference-free report.
    note : str or None
        Why a report is ``unscored``, or another caveat worth a line.
    quality : TextQuality or None
        The language model's text-quality readout, when a model that reads the
        text with one scored it.

    ``to_dict`` also reports ``evasion``: how many lookalike letters from other
    scripts and invisible characters hide inside the suspect's words (matching
    reads through them; their presence is itself a sign of evasion).
    """

    verdict: Verdict
    relation: Relation | None
    spin_score: float
    substitution_rate: float
    source: str | None
    spans: tuple[Span, ...]
    suspect: Document
    original: Document | None = None
    mode: Literal["reference", "reference-free"] = "reference"
    model: str | None = None
    note: str | None = None
    quality: TextQuality | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.spin_score <= 1.0:
            raise ValueError(
                f"the 'spin_score' of a Report must be in [0, 1], got {self.spin_score}"
            )

    @property
    def spin_spans(self) -> tuple[Span, ...]:
        """The spans that are synonym or glue-phrase swaps."""
        return tuple(s for s in self.spans if s.is_spin)

    def to_dict(self) -> dict[str, object]:
        """The report as the JSON contract gives it."""
        return {
            "suspect": self.suspect.name,
            "mode": self.mode,
            "verdict": self.verdict,
            "relation": self.relation,
            "spin_score": round(self.spin_score, 4),
            "substitution_rate": round(self.substitution_rate, 4),
            "source": self.source,
            "model": self.model,
            "note": self.note,
            "quality": None if self.quality is None else self.quality.to_dict(),
            "evasion": find_evasion(self.suspect.text).to_dict(),
            "spans": [span.to_dict() for span in self.spans],
        }
