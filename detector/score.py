"""Scoring a suspect against one or more originals: the library's main entry point.

>>> from detector import ReferenceScorer, make_document
>>> scorer = ReferenceScorer()
>>> original = make_document("The chief of staff completely rejected the report on Monday.")
>>> spun = make_document("The chief of employees utterly rejected the report on Monday.")
>>> report = scorer.score(spun, [original])
>>> [(span.text, span.original) for span in report.spin_spans]
[('employees', 'staff'), ('utterly', 'completely')]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from detector.align import align, content_overlap
from detector.document import Document, make_document
from detector.judge import SubstitutionJudge
from detector.report import Report
from detector.verdict import decide_with_features

__all__ = ["ReferenceScorer", "ScoredPair", "score_texts"]


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


def score_texts(suspect: str, original: str, *, scorer: ReferenceScorer | None = None) -> Report:
    """The report on the text ``suspect`` against the text ``original``."""
    if not isinstance(suspect, str) or not isinstance(original, str):
        raise TypeError("score_texts() takes two strings; use ReferenceScorer for Documents")
    scorer = scorer if scorer is not None else ReferenceScorer()
    return scorer.score(make_document(suspect, "suspect"), make_document(original, "original"))
