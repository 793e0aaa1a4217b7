"""The language-model judge as a reference-free model: flags, in-context restorations, quality.

A model folder (``models/lm/``) holds only a ``config.json``::

    {"type": "lm", "name": "lm", "lm": null,
     "judge": {"margin_threshold": ..., "top_k": ..., ...},   # LMJudge parameters
     "gain_threshold": 3.0,
     "document_rule": {"rate": ..., "slack": ..., "scale": ...},
     "evidence_gate": {"min_gain": 13.0, "scale": 2.0,
                       "corroborating_units": 5, "corroborating_gain": 9.75},
     "fluency_reference": [...],                               # surprisal quantiles
     "names_unjudged": true}

``lm`` names the causal language model (null: the packaged SmolLM2-135M, converted
and cached on first use; or any Hugging Face causal LM name or folder, also given
with ``--lm``).  A unit whose rescoring gain exceeds ``gain_threshold`` is
flagged and its winning candidate is the restored original; a document is spun
when its flagged content words pass the length-aware ``document_rule``
(``detector.document_rule``; a config without one falls back on a fixed
``rate_threshold`` of flags per 100 words) and, with an ``evidence_gate``, when
its strongest unit's gain reaches the gate's ``min_gain`` too; or, whatever its
count of flags, when its ``corroborating_units`` strongest units each gain at least
``corroborating_gain``.  ``fluency_reference``
holds the 101 percentiles of the mean surprisal of clean news (``make hybrid``
measures them), against which each document's fluency percentile is read.  With
``names_unjudged`` (set by ``make hybrid`` since 2026-12-06; false when absent) the
judge's readings of words the article uses in people's names ("Denise Farrow") and
street and council names ("Mill Road": ``detector.names``) are neither counted nor
restored; nor, whatever the config, are units the judge "restored" as the American word
for a British one or as their opposite by a negating prefix (``detector.variants``).
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections.abc import Callable, Container, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from detector.document import Document, make_document
from detector.document_rule import EvidenceGate, LengthAwareRule, content_flags, evidence_line
from detector.evasion import has_ligatures, spell_out_ligatures
from detector.lexicon import Lexicon, load_lexicon
from detector.lm_judge import (
    LMJudge,
    LMReading,
    document_spin_probability,
    flagged_units,
    spin_probabilities,
)
from detector.model_config import read_model_config
from detector.names import name_positions, without_names
from detector.report import Report, SentenceQuality, TextQuality
from detector.restore import Restorer
from detector.scoring import Restoration, WordScores, score_document
from detector.stopwords import STOPWORDS
from detector.variants import without_variants

__all__ = [
    "LMModel",
    "counted_reading",
    "fluency_percentile",
    "ordinary_units",
    "read_as_letters",
    "strongest_unit",
    "text_quality",
    "unit_gains",
    "unjudged_words",
]

_PARTS = re.compile(r"[\s\-\u2010\u2011]+")  # the words of a phrase or a hyphenated word

_JUDGE_PARAMETERS = frozenset(
    {
        "margin_threshold",
        "top_k",
        "restore_top_k",
        "restore_gain",
        "closeness_weight",
        "entry_size_weight",
        "word_cost",
        "piece_cost",
        "length_cost",
        "right_tokens",
        "window_tokens",
        "overlap_tokens",
        "min_zipf",
        "max_candidates",
        "lm_candidates",
        "lm_top_k",
        "min_shared",
        "min_cosine",
        "lm_penalty",
        "surprisal",
        "batch_tokens",
        "reread_gain",
        "reread_rate",
        "reread_beside",
    }
)


def read_as_letters(
    judge: LMJudge, document: Document, *, go_on: Callable[[LMReading], bool] | None = None
) -> LMReading:
    """The ``judge``'s reading of ``document`` with its ligatures ("ﬁrst": text from a
    PDF) read as the letters they stand for; offsets index ``document.text``.

    Word matching already reads "ﬁrst" as "first", but the language model, reading the
    text as written, found such words up to 21 nats likelier spelled out, so a clean
    article pasted from a PDF read as spun (``docs/eval/notes.md``, 2026-12-06).
    ``go_on``: see ``LMJudge.read`` (it is shown the first pass with the same offsets).
    """
    if not has_ligatures(document.text):
        return judge.read(document, go_on=go_on)
    letters, origin = spell_out_ligatures(document.text)
    spelled = make_document(letters, document.name)
    if spelled.words != document.words or spelled.sentences != document.sentences:
        # never seen: words already read ligatures as letters
        return judge.read(document, go_on=go_on)

    def start(j: int) -> int:
        return origin[j]

    def end(j: int) -> int:
        return origin[j - 1] + 1 if j > 0 else 0

    def as_written(reading: LMReading) -> LMReading:
        units = tuple(
            replace(
                u,
                start=start(u.start),
                end=end(u.end),
                text=document.text[start(u.start) : end(u.end)],
            )
            for u in reading.units
        )
        sentences = tuple(
            replace(s, start=start(s.start), end=end(s.end)) for s in reading.sentences
        )
        return replace(reading, document=document, units=units, sentences=sentences)

    shown = None if go_on is None else (lambda reading: go_on(as_written(reading)))
    return as_written(judge.read(spelled, go_on=shown))


def _least_gains(reading: LMReading) -> tuple[list[tuple[str, str]], dict[tuple[str, str], float]]:
    """The key (written, restored; lowercase) of each unit of ``reading`` that pass 2
    rescored, in order, and for each key the least gain of its units."""
    keys: list[tuple[str, str]] = []
    least: dict[tuple[str, str], float] = {}
    for u in reading.units:
        if u.gain is None or u.gain != u.gain:
            continue
        key = (u.text.lower(), u.restored.lower())
        keys.append(key)
        least[key] = min(least.get(key, math.inf), u.gain)
    return keys, least


def unit_gains(reading: LMReading) -> list[float]:
    """The gains of the units of ``reading`` that pass 2 rescored, strongest first, each
    the least of the gains of the units written the same way and restored alike.

    A word the writer repeats is their term ("isolation valves", twice in a plumbing
    how-to: 6.5 and 13.5 nats, "emergency" both times), and a sense-blind swap repeated
    reads wrong wherever it stands; so a word that reads well in one of its places is no
    plainly wrong word in another (the evidence gate's reading; the word's flags are its
    own).  A word restored differently elsewhere ("limb" as "branch" in one place, as
    "arm" in another) is read in another sense there and keeps its own gain."""
    keys, least = _least_gains(reading)
    return sorted((least[key] for key in keys), reverse=True)


def ordinary_units(reading: LMReading, gate: EvidenceGate, zipf: Callable[[str], float]) -> int:
    """How many units of ``reading``, each (written, restored) pair once at its least gain
    (as ``unit_gains``), read at least ``gate.ordinary_gain`` nats better restored and are
    written in a word of common use: a Zipf frequency (``zipf``) of at least
    ``gate.ordinary_zipf``, a phrase or hyphenated word the thesaurus lacks by its rarest
    word but its function words ("in the wake of" by "wake")."""
    keys, least = _least_gains(reading)
    count = 0
    for key in dict.fromkeys(keys):
        if least[key] < gate.ordinary_gain:
            continue
        written = key[0]
        frequency = zipf(written)
        if not frequency:  # a phrase or a hyphenated word the thesaurus lacks whole
            parts = [w for w in _PARTS.split(written) if w and w not in STOPWORDS]
            frequency = min((zipf(w) for w in parts), default=0.0)
        count += frequency >= gate.ordinary_zipf
    return count


def strongest_unit(reading: LMReading) -> tuple[str, str] | None:
    """The unit (as written, and as restored) whose gain leads ``unit_gains(reading)``, or
    None when pass 2 rescored none: the word a note names as the strongest."""
    keys, least = _least_gains(reading)
    if not keys:
        return None
    best = max(least, key=least.__getitem__)
    unit = next(
        u
        for u in reading.units
        if u.gain is not None and (u.text.lower(), u.restored.lower()) == best
    )
    return unit.text, unit.restored


def repeated_swaps(
    reading: LMReading,
    probabilities: Sequence[float],
    restorations: Sequence[Restoration],
    word_threshold: float,
    min_gain: float,
    min_places: int = 2,
) -> tuple[tuple[float, ...], tuple[Restoration, ...]]:
    """``probabilities`` and ``restorations`` with the later places of each strong swap
    flagged and restored too.

    A swap is strong when units written the same way (ignoring case) and restored alike
    are flagged with a gain of at least ``min_gain`` nats in ``min_places`` places or
    more ("blood weight" read as "blood pressure" in a headline and a first sentence,
    13.3 and 15.7 nats).  Each later unit written and restored alike, none of its words
    flagged, is then flagged too: the model copies what a text has already said, so a
    spinner's swap reads plausible from its second or third place on (a trial's "blood
    weight", in eight places, read 0.4, -1.4 and -6.3 nats there).  Such a place takes
    the probability and the gain of the strongest flagged place.  A place before the
    first strong one stays as read: the text had not used the word yet.  One strong place
    alone is not enough (a hospital "trust" read once as "company", 14 nats, would have
    taken four more false flags).  What the verdict counts does not change; the models
    apply it to a text they call spun (at their own threshold), whose spans it adds to.
    """
    strong: dict[tuple[str, str], list[tuple[int, float, float]]] = {}  # lo, p, gain
    for unit in reading.units:
        span = range(unit.lo, unit.hi)
        if (
            unit.restored
            and unit.gain is not None
            and unit.gain >= min_gain
            and all(probabilities[k] >= word_threshold for k in span)
        ):
            key = (unit.text.lower(), unit.restored.lower())
            p = max(probabilities[k] for k in span)
            strong.setdefault(key, []).append((unit.lo, p, unit.gain))
    strong = {key: places for key, places in strong.items() if len(places) >= min_places}
    if not strong:
        return tuple(probabilities), tuple(restorations)
    out = list(probabilities)
    extra: list[Restoration] = []
    for unit in reading.units:
        places = strong.get((unit.text.lower(), unit.restored.lower()))
        span = range(unit.lo, unit.hi)
        if not places or unit.lo < places[0][0] or any(out[k] >= word_threshold for k in span):
            continue
        if any(  # a restoration over it that holds a flagged word stays (its word's reading)
            r.lo < unit.hi and unit.lo < r.hi and max(out[r.lo : r.hi]) >= word_threshold
            for r in restorations
        ):
            continue
        _, p, gain = max(places, key=lambda place: place[2])
        for k in span:
            out[k] = p
        extra.append(Restoration(unit.lo, unit.hi, unit.restored, gain))
    if not extra:
        return tuple(probabilities), tuple(restorations)
    taken = {k for r in extra for k in range(r.lo, r.hi)}
    kept = [r for r in restorations if taken.isdisjoint(range(r.lo, r.hi))]
    return tuple(out), tuple(sorted(kept + extra, key=lambda r: r.lo))


def unjudged_words(reading: LMReading, lexicon: Container[str], *, names: bool) -> frozenset[int]:
    """The indices of the words of ``reading``'s document a reference-free model leaves
    unjudged: people's, street and council names when ``names`` (``detector.names``), and
    the words of units the judge "restored" as the American word for their British one or
    as their opposite by a negating prefix (``detector.variants``)."""
    named = name_positions(reading.document, lexicon) if names else frozenset()
    return named | without_variants(reading)[1]


def counted_reading(reading: LMReading, unjudged: frozenset[int]) -> LMReading:
    """``reading`` without its units on the ``unjudged`` words: what a model counts and
    restores, and what ``training/fit_hybrid.py`` fits on."""
    return without_names(reading, (), unjudged) if unjudged else reading


def fluency_percentile(surprisal: float, reference: Sequence[float]) -> float | None:
    """The share (0..100) of the ``reference`` surprisals that are higher than ``surprisal``."""
    if not reference or surprisal != surprisal:  # no reference, or nan
        return None
    ordered = sorted(reference)
    return 100.0 * (len(ordered) - bisect_left(ordered, surprisal)) / len(ordered)


def text_quality(reading: LMReading, reference: Sequence[float]) -> TextQuality:
    """The reading's per-sentence surprisal and the document's fluency percentile."""
    surprisal = reading.surprisal
    return TextQuality(
        sentences=tuple(
            SentenceQuality(s.start, s.end, s.surprisal) for s in reading.sentences if s.tokens
        ),
        surprisal=surprisal,
        fluency_percentile=fluency_percentile(surprisal, reference),
    )


class LMModel:
    """The language-model judge behind the ``ReferenceFreeModel`` protocol.

    Use ``LMModel.load(folder)``, or ``detector.models.load_model("lm")``.
    """

    max_words = 20_000  # longer texts are unscored: minutes of reading on a CPU

    word_threshold = 0.5  # spin probabilities are 0.5 exactly at the gain threshold
    document_threshold = 0.5  # and at the rate threshold

    def __init__(self, judge: LMJudge, config: dict[str, Any], name: str) -> None:
        self.judge = judge
        self.config = config
        self.name = name
        self.gain_threshold = float(config.get("gain_threshold", 4.0))
        self.rate_threshold = float(config.get("rate_threshold", 5.0))
        rule = config.get("document_rule")
        self.document_rule = LengthAwareRule.from_config(rule) if rule is not None else None
        gate = config.get("evidence_gate")
        self.evidence_gate = EvidenceGate.from_config(gate) if gate is not None else None
        self.fluency_reference = tuple(float(x) for x in config.get("fluency_reference", ()))
        # People's names made of ordinary words ("Denise Farrow") are not counted or restored.
        self.names_unjudged = bool(config.get("names_unjudged", False))
        # The later places of a swap read from this gain are shown too (``repeated_swaps``).
        repeat = config.get("repeat_gain")
        self.repeat_gain = None if repeat is None else float(repeat)
        self._restorer: Restorer | None = None

    @classmethod
    def load(
        cls,
        folder: Path,
        *,
        config: dict[str, Any] | None = None,
        lm: str | None = None,
        judge: LMJudge | None = None,
        language_model: Any = None,
        lexicon: Lexicon | None = None,
    ) -> LMModel:
        """The model of ``folder``; ``lm`` overrides the language model its config names;
        ``language_model``, one already loaded (``detector.lm.CausalLM``), is read with
        instead of loading one, and ``lexicon`` (the packaged thesaurus, already loaded)
        likewise."""
        from detector.lm import load_causal_lm

        folder = Path(folder)
        config = config if config is not None else read_model_config(folder)
        if judge is None:
            parameters = {
                k: v for k, v in config.get("judge", {}).items() if k in _JUDGE_PARAMETERS
            }
            if language_model is None:
                language_model = load_causal_lm(lm if lm is not None else config.get("lm"))
            if lexicon is None:
                lexicon = load_lexicon(quiet=True)
            judge = LMJudge(language_model, lexicon, **parameters)
        return cls(judge, config, name=str(config.get("name", folder.name)))

    @property
    def restorer(self) -> Restorer:
        """The thesaurus restorer (for words flagged outside any unit; made on first use)."""
        if self._restorer is None:
            self._restorer = Restorer(self.judge.lexicon)
        return self._restorer

    def read(self, documents: Sequence[Document]) -> list[LMReading]:
        """The judge's readings of ``documents`` (ligatures read as letters:
        ``read_as_letters``)."""
        return [read_as_letters(self.judge, document) for document in documents]

    def unjudged_words(self, reading: LMReading) -> frozenset[int]:
        """The indices of the words of ``reading``'s document the model leaves unjudged
        (``unjudged_words``, the module function; names when the config says
        ``names_unjudged``)."""
        names = self.names_unjudged and self.judge is not None
        lexicon = self.judge.lexicon if names else frozenset()
        return unjudged_words(reading, lexicon, names=names)

    def counted(self, reading: LMReading, unjudged: frozenset[int] | None = None) -> LMReading:
        """The part of ``reading`` the model counts and restores: without its units on the
        words it leaves unjudged (``unjudged``, by default ``unjudged_words``)."""
        unjudged = self.unjudged_words(reading) if unjudged is None else unjudged
        return counted_reading(reading, unjudged)

    def ordinary_units(self, reading: LMReading) -> int | None:
        """``ordinary_units`` of a counted ``reading`` under the config's evidence gate (None
        when the gate has no such rule)."""
        gate = self.evidence_gate
        if gate is None or not gate.ordinary_density:
            return None
        return ordinary_units(reading, gate, self.judge.lexicon.zipf)

    def gated(
        self,
        probability: float,
        gains: Sequence[float],
        flagged: int = 0,
        content: int = 0,
        *,
        ordinary: int | None = None,
        words: int = 0,
    ) -> float:
        """A document probability held under the config's evidence gate (as is without one),
        for a reading whose units gain ``gains`` (``unit_gains``); ``flagged`` of ``content``
        content words are the flags the count rule counted; ``ordinary`` of the units of a
        text of ``words`` words are in words of common use (``ordinary_units``)."""
        if self.evidence_gate is None:
            return probability
        return self.evidence_gate.judge(
            probability, gains, flagged, content, ordinary=ordinary, words=words
        )

    def scores_from_reading(self, reading: LMReading) -> WordScores:
        """The ``WordScores`` of one reading, with its restorations and quality."""
        reading = self.counted(reading)
        probabilities = spin_probabilities(reading, threshold=self.gain_threshold)
        words = reading.document.words
        flagged, content = content_flags(words, probabilities, self.word_threshold)
        if self.document_rule is not None:
            document_probability = self.document_rule.probability(flagged, content)
        else:
            document_probability = document_spin_probability(
                reading, threshold=self.gain_threshold, rate_threshold=self.rate_threshold
            )
        gains = unit_gains(reading)
        ordinary = self.ordinary_units(reading)
        restorations = tuple(
            Restoration(u.lo, u.hi, u.restored, u.gain)
            for u in flagged_units(reading, threshold=self.gain_threshold)
        )
        document_probability = self.gated(
            document_probability, gains, flagged, content, ordinary=ordinary, words=len(words)
        )
        probabilities, restorations = self.with_repeats(
            reading,
            probabilities,
            restorations,
            self.word_threshold,
            spun=document_probability >= self.document_threshold,
        )
        return WordScores(
            document=reading.document,
            word_probabilities=probabilities,
            document_probability=document_probability,
            restorations=restorations,
            quality=text_quality(reading, self.fluency_reference),
            evidence=evidence_line(
                self.document_rule,
                self.evidence_gate,
                flagged,
                content,
                gains,
                strongest=strongest_unit(reading),
                ordinary=ordinary,
                words=len(words),
            ),
        )

    def with_repeats(
        self,
        reading: LMReading,
        probabilities: Sequence[float],
        restorations: Sequence[Restoration],
        word_threshold: float,
        *,
        spun: bool,
    ) -> tuple[tuple[float, ...], tuple[Restoration, ...]]:
        """``repeated_swaps`` from ``repeat_gain`` in a text called ``spun``: shown, not
        counted (a clean text's rate stays the one its note counts)."""
        if self.repeat_gain is None or not spun:
            return tuple(probabilities), tuple(restorations)
        return repeated_swaps(
            reading, probabilities, restorations, word_threshold, self.repeat_gain
        )

    def score_words(self, documents: Sequence[Document]) -> list[WordScores]:
        """Word and document spin probabilities for each document."""
        if isinstance(documents, (str, Document)):
            raise TypeError("score_words() expects a sequence of Document objects")
        return self.score_readings(documents, self.read(documents))

    def score_readings(
        self, documents: Sequence[Document], readings: Sequence[LMReading]
    ) -> list[WordScores]:
        """``score_words`` from the judge's ``readings`` of ``documents``, already made."""
        return [self.scores_from_reading(r) for r in readings]

    def score(self, document: Document, *, threshold: float | None = None) -> Report:
        """The reference-free report on one document (``threshold``: see ``score_document``)."""
        return score_document(self, document, threshold=threshold)
