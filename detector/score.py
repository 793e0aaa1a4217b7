"""Scoring a suspect against one or more originals: the library's main entry point.

>>> from detector import ReferenceScorer, make_document
>>> scorer = ReferenceScorer()                                      # doctest: +SKIP
>>> report = scorer.score(make_document(spun), [make_document(original)])  # doctest: +SKIP
>>> report.verdict, [(s.text, s.original) for s in report.spin_spans]     # doctest: +SKIP
('spun', [('utterly', 'completely'), ...])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from detector.align import align, content_overlap
from detector.document import Document
from detector.judge import SubstitutionJudge
from detector.report import Report
from detector.verdict import decide_with_features

__all__ = ["ReferenceScorer", "ScoredPair"]


@dataclass(frozen=True)
class ScoredPair:
    """A report with the document features it was decided on (for ranking and training)."""

    report: Report
    features: dict[str, float]


class ReferenceScorer:
    """Scores suspects against originals: align, judge every substitution, decide.

    Parameters
    ----------
    judge : SubstitutionJudge, optional
        The substitution judge; one over the default thesaurus when omitted.
    candidates : int, default=3
        With several originals, how many of the closest (by shared content
        words) are aligned in full before the best match is chosen.
    """

    def __init__(self, judge: SubstitutionJudge | None = None, *, candidates: int = 3) -> None:
        if not isinstance(candidates, int) or candidates < 1:
            raise ValueError(
                "the 'candidates' parameter of ReferenceScorer must be an int >= 1, "
                f"got {candidates!r}"
            )
        self.judge = judge if judge is not None else SubstitutionJudge()
        self.candidates = candidates

    def score_pair(self, suspect: Document, original: Document) -> ScoredPair:
        """Compare ``suspect`` with one ``original``: the report and its features."""
        alignment = align(suspect, original)
        spans = self.judge.judge(alignment)
        return ScoredPair(*decide_with_features(alignment, spans, self.judge.weights))

    def score(self, suspect: Document, originals: Sequence[Document] | Document) -> Report:
        """The report on ``suspect`` against the best-matching of ``originals``.

        The best match is the original the suspect reuses most text from; its
        name is the report's ``source``.
        """
        if isinstance(originals, Document):
            originals = [originals]
        if isinstance(originals, str) or not all(isinstance(o, Document) for o in originals):
            raise TypeError("originals must be Document objects; make them with make_document()")
        if not originals:
            raise ValueError("score() needs at least one original to compare with")
        if len(originals) == 1:
            return self.score_pair(suspect, originals[0]).report
        ranked = sorted(originals, key=lambda o: content_overlap(suspect, o), reverse=True)
        scored = [self.score_pair(suspect, o) for o in ranked[: self.candidates]]
        best = max(scored, key=lambda p: (p.features["reuse"], p.report.spin_score))
        return best.report
