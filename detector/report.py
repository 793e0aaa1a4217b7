"""The answer types: ``Span`` (one substituted or added stretch), ``Deletion`` (dropped text),
``Passage`` (a reused stretch), ``Coverage``, ``Report`` (the verdict on a suspect)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from detector.document import Document
from detector.evasion import find_evasion
from detector.schema import SCHEMA_VERSION

__all__ = [
    "SPIN_KINDS",
    "Coverage",
    "Deletion",
    "Passage",
    "PassageKind",
    "Relation",
    "Report",
    "SentenceQuality",
    "Span",
    "SpanKind",
    "TextQuality",
    "Verdict",
    "json_score",
    "plural",
]

# "paraphrased": a copy retold sentence by sentence (a paraphrasing tool, round-trip
# translation), where "spun" is word-level thesaurus spinning; "unscored": the text is not
# something the model can judge (not English prose, too short).
Verdict = Literal["spun", "paraphrased", "not_spun", "unscored"]
Relation = Literal["copy", "rewrite", "unrelated"]
SpanKind = Literal["synonym", "phrase", "number", "name", "edit", "insert", "paraphrase"]
SPIN_KINDS: frozenset[str] = frozenset({"synonym", "phrase"})
PassageKind = Literal["copy", "spun", "paraphrased"]


# Under this restore_score (nats) a reference-free restoration is shown as a guess.
TENTATIVE_RESTORE = 4.0


def written_out(score: float, digits: int) -> str:
    """``score`` (positive) to ``digits`` significant digits in decimals, as a threshold is
    typed: 0.0000200, not 2e-05."""
    return f"{score:.{max(0, digits - 1 - math.floor(math.log10(score)))}f}"


def json_score(score: float) -> float:
    """``score`` as the JSON gives it: 4 decimals, or 3 significant digits under 0.0001,
    so that clean texts' scores still rank (and match the text report's ``--threshold``
    hint) where 4 decimals would write them all as 0."""
    return round(score, 4) if score >= 0.0001 else float(f"{score:.3g}")


@dataclass(frozen=True, slots=True)
class Span:
    """A substituted span of the suspect and the original words it replaced.

    ``start``/``end`` index the suspect's plain text, ``original_start``/
    ``original_end`` the original's (-1 without an original: reference-free).
    ``kind`` is ``synonym`` or ``phrase`` for spinner-style swaps, ``number``,
    ``name`` or ``edit`` for ordinary edits, and ``insert`` for suspect text with
    no counterpart in the original (``original`` is empty and ``original_start``
    equals ``original_end``, the point in the original where it was added), and
    ``paraphrase`` for a whole sentence of a paraphrased copy rebuilt from the
    original sentence ``original``; ``score`` is the probability (0..1) that the
    swap is a spinner's (for a ``paraphrase``, the two sentences' similarity in
    meaning, a cosine).
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

    @classmethod
    def added(cls, text: str, start: int, end: int, at: int) -> Span:
        """The ``insert`` span of ``text[start:end]`` (the suspect's plain text), text the
        original does not have, which would sit at character ``at`` of the original."""
        return cls(start, end, text[start:end], "", "insert", 0.0, at, at)

    @property
    def is_spin(self) -> bool:
        """Whether the span is a synonym or glue-phrase swap, the spinner's mark."""
        return self.kind in SPIN_KINDS

    @property
    def restoration_is_a_guess(self) -> bool:
        """Whether ``original`` is a reference-free guess more often wrong than right: a
        restoration no sentence was read with (``restore_score`` None: the thesaurus's
        likeliest word) or one the sentence reads under ``TENTATIVE_RESTORE`` nats
        likelier with.  Measured on the hand-spun sets (hybrid, 2026-12-06): such
        restorations were right for 67 of 190 swaps found, the others for 1,663 of 2,794."""
        if self.original_start >= 0 or not self.is_spin or not self.original:
            return False
        return self.restore_score is None or self.restore_score < TENTATIVE_RESTORE

    def to_dict(self) -> dict[str, object]:
        """The span as the JSON contract gives it."""
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "original": self.original,
            "original_start": None if self.original_start < 0 else self.original_start,
            "original_end": None if self.original_end < 0 else self.original_end,
            "kind": self.kind,
            "score": round(self.score, 4),
            "restore_score": None if self.restore_score is None else round(self.restore_score, 3),
        }


@dataclass(frozen=True, slots=True)
class Deletion:
    """Original text the suspect dropped (an ordinary edit, never a sign of spinning).

    ``original_start``/``original_end`` index the original's plain text and
    ``text`` is what they hold; ``start`` is the point in the suspect's plain
    text where the dropped text would have been.
    """

    original_start: int
    original_end: int
    text: str
    start: int

    def to_dict(self) -> dict[str, object]:
        """The deletion as the JSON contract gives it."""
        return {
            "original_start": self.original_start,
            "original_end": self.original_end,
            "text": self.text,
            "start": self.start,
        }


@dataclass(frozen=True, slots=True)
class Passage:
    """A stretch of the suspect reused from a stretch of the original.

    ``start``/``end`` index the suspect's plain text, ``original_start``/
    ``original_end`` the original's; ``kind`` is ``spun`` when the reused text
    was spun, ``paraphrased`` when it was retold sentence by sentence, ``copy``
    when it was copied or edited in ordinary ways.
    """

    start: int
    end: int
    original_start: int
    original_end: int
    kind: PassageKind

    def to_dict(self) -> dict[str, object]:
        """The passage as the JSON contract gives it."""
        return {
            "start": self.start,
            "end": self.end,
            "original_start": self.original_start,
            "original_end": self.original_end,
            "kind": self.kind,
        }


@dataclass(frozen=True, slots=True)
class Coverage:
    """The share (0..1) of each text's words inside the reused passages."""

    suspect: float
    original: float

    def to_dict(self) -> dict[str, object]:
        """The coverage as the JSON contract gives it."""
        return {"suspect": round(self.suspect, 4), "original": round(self.original, 4)}


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
    (0..100) is the share of a bundled sample of clean texts written by hand (news and
    other prose the model never read in training: a model's ``fluency_reference``) that
    is *more* surprising, so 50 reads like a typical one and 2 like the least fluent 2%.
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
    verdict : {"spun", "paraphrased", "not_spun", "unscored"}
        ``spun`` for a copy with its words swapped for synonyms,
        ``paraphrased`` for a copy retold sentence by sentence in other words
        (reference mode; ``note`` says how many sentences), ``unscored`` when
        the text is not something the model can judge (not English prose, or
        too short; ``note`` says why).
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
        Substituted and (kind ``insert``) added spans, in suspect order, with
        offsets into ``suspect.text``.
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
    deletions : tuple of Deletion
        Original text the suspect dropped, in suspect order (reference mode;
        ``to_dict`` gives null without an original).
    passages : tuple of Passage
        The stretches of the suspect reused from the original, in suspect
        order; none when nothing was reused (reference mode).
    coverage : Coverage or None
        How much of each text those passages hold; None without an original.

    ``spin_spans`` (the spans that are synonym or glue-phrase swaps) and
    ``insert_spans`` (added text) are the two subsets of ``spans`` most callers want.

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
    deletions: tuple[Deletion, ...] = ()
    passages: tuple[Passage, ...] = ()
    coverage: Coverage | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.spin_score <= 1.0:
            raise ValueError(
                f"the 'spin_score' of a Report must be in [0, 1], got {self.spin_score}"
            )

    @property
    def spin_spans(self) -> tuple[Span, ...]:
        """The spans that are synonym or glue-phrase swaps."""
        return tuple(s for s in self.spans if s.is_spin)

    @property
    def insert_spans(self) -> tuple[Span, ...]:
        """The spans of suspect text with no counterpart in the original."""
        return tuple(s for s in self.spans if s.kind == "insert")

    def to_dict(self) -> dict[str, object]:
        """The report as the JSON contract gives it."""
        return {
            "schema_version": SCHEMA_VERSION,
            "suspect": self.suspect.name,
            "mode": self.mode,
            "verdict": self.verdict,
            "relation": self.relation,
            "spin_score": json_score(self.spin_score),
            "substitution_rate": round(self.substitution_rate, 4),
            "source": self.source,
            "model": self.model,
            "note": self.note,
            "quality": None if self.quality is None else self.quality.to_dict(),
            "evasion": find_evasion(self.suspect.text).to_dict(),
            "spans": [span.to_dict() for span in self.spans],
            "deletions": None
            if self.original is None
            else [deletion.to_dict() for deletion in self.deletions],
            "passages": None
            if self.original is None
            else [passage.to_dict() for passage in self.passages],
            "coverage": None if self.coverage is None else self.coverage.to_dict(),
        }


def plural(n: int, noun: str) -> str:
    """``n`` and ``noun``, with an "s" unless ``n`` is 1: "1 passage", "3 passages"."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
