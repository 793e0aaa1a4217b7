"""Turning a reference-free model's word probabilities into a ``Report``.

Every reference-free model turns a ``Document`` into ``WordScores`` (a spin
probability per word and one for the document); ``report_from_scores`` turns
those into the same ``Report`` the reference mode gives, with each flagged
word's likely original filled in by the ``Restorer`` (or by the model itself,
when it reads the sentence and restores in context).
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from detector.document import Document, make_document
from detector.prose import foreign_paragraphs, prose_problem, without_tables
from detector.report import Report, Span, SpanKind, TextQuality, written_out
from detector.restore import Restorer, match_case
from detector.stopwords import STOPWORDS

__all__ = [
    "Restoration",
    "WordScores",
    "report_from_scores",
    "score_document",
    "unscored_report",
]


@dataclass(frozen=True, slots=True)
class Restoration:
    """A model's in-context reading of one unit: the original it would restore there.

    ``lo``/``hi`` are the unit's words (``document.words[lo:hi]``); ``gain`` is how
    much likelier, in nats, the text reads with ``original`` in the unit's place.
    """

    lo: int
    hi: int
    original: str
    gain: float | None


@dataclass(frozen=True)
class WordScores:
    """A model's reading of one document.

    Attributes
    ----------
    document : Document
    word_probabilities : tuple of float
        For each of ``document.words``, the probability that a spinner put it there.
    document_probability : float
        The probability that the document is spun.
    restorations : tuple of Restoration
        Models that read the sentence restore in context: non-overlapping units
        with their restored originals.  Empty for models that do not; their
        flagged words are restored from the thesaurus instead.
    quality : TextQuality or None
        The language model's text-quality readout, when one read the text.
    evidence : str or None
        The document probability's evidence in one line, for models with a
        length-aware document rule: the flag count against the rule's cut, and for
        ``lm`` and ``hybrid`` the strongest unit against the evidence gate
        (``detector.document_rule.evidence_line``); a report that calls the text clean
        despite flags, at the model's own threshold, gives it as its ``note``.
    """

    document: Document
    word_probabilities: tuple[float, ...]
    document_probability: float
    restorations: tuple[Restoration, ...] = ()
    quality: TextQuality | None = None
    evidence: str | None = None

    def __post_init__(self) -> None:
        if len(self.word_probabilities) != len(self.document.words):
            raise ValueError(
                f"WordScores needs one probability per word: {len(self.document.words)} words, "
                f"{len(self.word_probabilities)} probabilities"
            )


class _Thresholded(Protocol):
    name: str
    word_threshold: float
    document_threshold: float

    @property
    def restorer(self) -> Restorer: ...

    def score_words(self, documents: Sequence[Document]) -> list[WordScores]: ...


def unscored_report(document: Document, *, model: str, note: str) -> Report:
    """The report on a text a model cannot judge: verdict ``unscored``, ``note`` saying why."""
    return Report(
        verdict="unscored",
        relation=None,
        spin_score=0.0,
        substitution_rate=0.0,
        source=None,
        spans=(),
        suspect=document,
        original=None,
        mode="reference-free",
        model=model,
        note=note,
    )


def score_document(
    model: _Thresholded, document: Document, *, threshold: float | None = None
) -> Report:
    """``model``'s reference-free report on ``document``.

    The verdict is ``spun`` when the document probability reaches ``threshold``
    (the model's own ``document_threshold`` when None): a lower threshold flags
    more documents, a higher one fewer.  A text that is not English prose (code,
    a table, another language, a few words) is not scored: its report is
    ``unscored`` with a note saying why, and so is a text longer than the model's
    ``max_words`` (the language-model models read a few hundred words a second).
    The prose around a table inside a text is scored, the table's lines left unread.
    """
    if not isinstance(document, Document):
        raise TypeError(
            f"score() takes a Document, got {type(document).__name__}; make one with "
            "detector.make_document(text)"
        )
    if threshold is not None and not 0.0 <= threshold <= 1.0:
        raise ValueError(f"the 'threshold' parameter must be in [0, 1], got {threshold!r}")
    tables = without_tables(document)  # the prose around a table is read, not the table
    problem = prose_problem(tables.document, model.restorer.lexicon)
    if problem is not None and tables.rows:
        whole = prose_problem(document, model.restorer.lexicon)
        problem = whole if whole is not None else f"{problem}, once its tables are set aside"
    limit = getattr(model, "max_words", None)  # a bound on the slow models' time
    if problem is None and limit is not None and len(document.words) > limit:
        problem = (
            f"too long for the {model.name} model: {len(document.words):,} words, at most "
            f"{limit:,} (its language model reads a few hundred words a second on a CPU); "
            "score it in parts, or with --model transformer or baseline"
        )
    if problem is not None:
        return unscored_report(document, model=model.name, note=problem)
    read = in_sentence_case(tables.document)  # a text in capitals is read as ordinary text
    (scores,) = model.score_words([read])
    if threshold is not None and threshold != model.document_threshold:
        scores = replace(scores, evidence=None)  # it weighs the flags against the model's cut
    report = report_from_scores(
        scores,
        model=model.name,
        word_threshold=model.word_threshold,
        document_threshold=model.document_threshold if threshold is None else threshold,
        restorer=model.restorer,
    )
    own_spun = report.spin_score >= model.document_threshold
    if threshold is not None and own_spun != (report.verdict == "spun"):
        # The threshold moved the verdict: say so, and what the model's own cut says.
        note = (
            f"{report.verdict.replace('_', ' ')} at threshold {threshold:g} (spin score "
            f"{_three_digits(report.spin_score)}); at the {model.name} model's own threshold of "
            f"{model.document_threshold:.3f} it would be {'spun' if own_spun else 'not spun'}"
        )
        report = replace(report, note=note)
    notes = []
    if tables.rows:
        notes.append(
            f"{tables.rows} table lines not read (a reference-free model judges sentences): "
            "only the prose around them"
        )
    if read is not tables.document:
        notes.append("read in lower case: the text is written in capitals")
    foreign, paragraphs = foreign_paragraphs(tables.document, model.restorer.lexicon)
    if foreign:
        notes.append(
            f"{foreign} of {paragraphs} paragraphs {'does' if foreign == 1 else 'do'} not "
            "read as English: a reference-free model finds no English swap there, so "
            f"{'it is' if foreign == 1 else 'they are'} not evidence either way"
        )
    if read is document and not notes:
        return report
    return _shown_on(report, document, "; ".join(notes))


_MIN_CAPITAL_LETTERS = 40  # a text in capitals has at least this many letters,
_CAPITAL_SHARE = 0.8  # and at least this share of its letters are capitals


def in_sentence_case(document: Document) -> Document:
    """``document`` with its text in sentence case when it is written in capitals ("THE
    CITY COUNCIL ON TUESDAY..." -> "The city council on tuesday..."); else ``document``.

    The models read case: in capitals every word is unlikely, and a spun text read
    clean.  Characters whose lower case is longer ("İ") are kept, so every offset,
    word and sentence stays where it was.
    """
    text = document.text
    # Most texts are not in capitals, and their ASCII lower-case letters alone (counted
    # in C) show it: over a fifth of all characters means under four fifths capitals.
    lower = sum(map(text.count, string.ascii_lowercase))
    if len(text) - lower < _CAPITAL_SHARE * len(text):
        return document
    letters = [c for c in text if c.isalpha() and c.lower() != c.upper()]
    capitals = sum(1 for c in letters if c.isupper())
    if len(letters) < _MIN_CAPITAL_LETTERS or capitals < _CAPITAL_SHARE * len(letters):
        return document
    chars = [c.lower() if len(c.lower()) == 1 else c for c in text]
    for lo, _ in document.sentences:  # each sentence's first letter stays a capital
        start = document.starts[lo]
        if len(text[start].upper()) == 1:
            chars[start] = text[start].upper()
    return make_document("".join(chars), document.name)


def _shown_on(report: Report, document: Document, said: str) -> Report:
    """``report``, made on ``document`` read another way (in sentence case, its tables
    blanked: every offset the same), shown on ``document`` itself: its spans' text as
    written, their restorations in its case, and ``said`` added to the note."""
    spans = []
    for span in report.spans:
        written = document.text[span.start : span.end]
        spans.append(replace(span, text=written, original=match_case(span.original, written)))
    note = said if report.note is None else f"{report.note}; {said}"
    return replace(report, spans=tuple(spans), suspect=document, note=note)


def report_from_scores(
    scores: WordScores,
    *,
    model: str,
    word_threshold: float,
    document_threshold: float,
    restorer: Restorer | None = None,
) -> Report:
    """The reference-free ``Report``: in a document called spun, each word at or above
    ``word_threshold`` becomes a span.

    A run of flagged words that the thesaurus knows as one term ("base hospital")
    is one span; other flagged neighbours are separate spans, as a spinner swaps
    words one by one.  ``original`` is the restorer's best guess, or "".  The
    spans are the evidence for a ``spun`` verdict: a document below
    ``document_threshold`` is ``not_spun`` with no spans (its odd words are the
    ordinary surprises of clean text, not a spinner's), though
    ``substitution_rate`` still counts every flagged content word.
    """
    document = scores.document
    probabilities = scores.word_probabilities
    flagged = [
        k
        for k, p in enumerate(probabilities)
        if p >= word_threshold and document.words[k] not in STOPWORDS
    ]
    content = sum(1 for w in document.words if w not in STOPWORDS)
    spun = scores.document_probability >= document_threshold
    spans = _spans(scores, flagged, word_threshold, restorer) if spun else ()
    return Report(
        verdict="spun" if spun else "not_spun",
        relation=None,
        spin_score=min(1.0, max(0.0, scores.document_probability)),
        substitution_rate=len(flagged) / content if content else 0.0,
        source=None,
        spans=spans,
        suspect=document,
        original=None,
        mode="reference-free",
        model=model,
        note=scores.evidence if flagged and not spun else None,
        quality=scores.quality,
    )


def _spans(
    scores: WordScores, flagged: list[int], word_threshold: float, restorer: Restorer | None
) -> tuple[Span, ...]:
    """The spans of the ``flagged`` words: the model's in-context restorations, then runs."""
    document = scores.document
    probabilities = scores.word_probabilities
    in_context = _restored_in_context(scores, word_threshold)
    covered = {k for r in in_context for k in range(r.lo, r.hi)}
    left = [k for k in flagged if k not in covered]
    runs: list[tuple[int, int]] = []  # flagged word ranges, half-open
    k = 0
    while k < len(left):
        lo = hi = left[k]
        # Join the next flagged word when the pair is one thesaurus term.
        if (
            restorer is not None
            and k + 1 < len(left)
            and left[k + 1] == hi + 1
            and f"{document.words[lo]} {document.words[hi + 1]}" in restorer.lexicon
        ):
            hi += 1
            k += 1
        runs.append((lo, hi + 1))
        k += 1
    texts = [document.surface(lo, hi) for lo, hi in runs]
    guessed = [
        Span(
            start=document.starts[lo],
            end=document.ends[hi - 1],
            text=text,
            original=restorer.restore(text) if restorer is not None else "",
            kind="synonym",
            score=max(probabilities[lo:hi]),
        )
        for (lo, hi), text in zip(runs, texts, strict=True)
    ]
    read = [
        Span(
            start=document.starts[r.lo],
            end=document.ends[r.hi - 1],
            text=document.surface(r.lo, r.hi),
            original=r.original,
            kind=_kind(r),
            score=max(probabilities[r.lo : r.hi]),
            restore_score=r.gain,
        )
        for r in in_context
    ]
    return tuple(sorted(guessed + read, key=lambda span: span.start))


def _three_digits(score: float) -> str:
    """``score`` to three decimals, or to three significant digits under 0.001, written
    out as a threshold is typed (a spin score of 0.00029 passes a threshold of 0.000242;
    "0.000" would not)."""
    return f"{score:.3f}" if score >= 0.001 or score < 1e-9 else written_out(score, 3)


def _restored_in_context(scores: WordScores, word_threshold: float) -> list[Restoration]:
    """The model's own restorations of units that hold a flagged word."""
    probabilities = scores.word_probabilities
    return [
        r
        for r in scores.restorations
        if r.original and max(probabilities[r.lo : r.hi], default=0.0) >= word_threshold
    ]


def _kind(restoration: Restoration) -> SpanKind:
    """``phrase`` for a multiword unit or original, else ``synonym``."""
    several = restoration.hi - restoration.lo > 1 or " " in restoration.original
    return "phrase" if several else "synonym"
