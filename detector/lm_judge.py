"""The language-model judge: which words of a text a reader would not have written there.

A spinner swaps a word for a thesaurus synonym without reading the sentence; a
causal language model reads it.  For each *unit* of a document (a content word,
a 2-3 word thesaurus term, a glue phrase of 2-6 words, a function word that the
glue table rewrites, "upon" for "on", or "more"/"most" and an adjective, whose
candidates are one-word comparatives or superlatives of the adjective's synonyms,
"younger" for "more youthful") with candidate originals ``C(u)``
(its thesaurus synonyms and those of its lemmas, re-inflected and re-cased like
it, common enough to be a reporter's word and longer than one letter, plus
glue-phrase rewrites (a function word's only candidates) and, optionally, the
model's own predictions at the unit that are close in meaning to it):

pass 1, one causal pass over the article (in overlapping windows, each
    starting with the start-of-text token)::

        margin(u) = max over c in C(u) of score(c) - log P(u | left)

    ``log P(u | left)`` sums the log-probabilities of u's word pieces; a
    single-piece candidate's score is its exact log-probability, one lookup in
    the row of the piece before u; a multi-piece candidate's score is that of
    its first piece (an upper bound, settled in pass 2).
pass 2, for units with ``margin >= margin_threshold``: the unit's ``top_k``
    best candidates are read with the article's whole left context and the
    next ``right_tokens`` tokens of the text.  Candidates are ranked for it by
    their pass-1 score less an estimate of what the upper bound leaves out,
    ``word_cost`` per further word and ``piece_cost`` per further piece of a
    word, so that "made a statement", "made public" and "made sure" (all
    scored as " made") do not crowd "said" out of the shortlist of "stated"::

        gain(u) = max over top-k c of LL'(c + right | left) - LL'(u + right | left)

    where ``LL'`` adds ``length_cost`` per word of the candidate or unit (a
    hyphen separating words: "twenty-four hours" is three), so that
    readings of different lengths compare fairly (every word costs a reading
    some probability, however fitting).

    The unit's own ``LL`` comes from pass 1; the candidates' continuations are
    read together in one forward pass over the window's cached keys and values,
    each behind its own attention mask, so the left context is never read twice.
    The winning candidate, its reading helped by how much of the unit's thesaurus
    entry it shares (``closeness_weight``) and held back by the size of its own entry
    (``entry_size_weight``), is the restored original.  A unit that some candidate
    reads better than (gain over ``restore_gain``, 0 by default: the fused
    model may flag it) has more candidates rescored as well, up to
    ``restore_top_k``, and the best of all restores it: the left context alone
    often ranks the original below third.  Those further candidates are the
    best by pass-1 rank and the restoration's lean to closeness in meaning
    together, the likeliest to win it.  The gain
    stays the shortlist's, so what is flagged does not depend on how widely the
    restoration is searched.

Optionally (``lm_candidates``; off by default), the model's own predictions
reach originals the thesaurus does not list ("featured" for "said").  They are
read from the same row as the thesaurus candidates (single pieces by
construction), kept when they share enough
thesaurus synonyms with the unit, and scored ``lm_penalty`` nats lower: the
model's favourite word beats the unit in most contexts, spun or not.  Each unit
rescores its best prediction in pass 2 besides (never instead of) its ``top_k``
thesaurus candidates, when the model prefers it to the last of those.
Measured (validation, hand-spun, held-out cross-spinner and hand-spun sets,
before the shortlist ranked longer candidates lower): recall up about one point
at half a point less precision, token F1 +0.004 to +0.012, for about 22% more
pass-2 tokens; off by default for speed.  Since then the shortlist holds more
single-word candidates, which outbid a prediction more often ("emphasized"
before "said" for "featured" at 4 nats).

A text spun heavily leaves a swap few clean neighbours to be read against
("shut streets over the north of the nation, constraining many occupants").
So a text whose first reading already flags more than ``reread_rate`` units per
100 words (5, the document rate of ``document_spin_probability``) is read a
second time with every unit that gains more than ``reread_gain`` (4 nats) put
back to its restoration, and each other unit keeps the stronger of its two
readings ("nation" -> "country", "occupants" -> "residents" once "forcing" is
back), except that a unit within ``reread_beside`` (3) words of one put back
takes its second reading: its first was read beside the spun word, which the
model blames on its neighbours too.  Measured on the hand-spun sets
(docs/eval/notes.md, 2026-12-02): the second reading finds 3 to 7 points more
of the swaps at about the same precision, for a second reading of each such
text (a spun article takes about half as long again), and the rule for the
units beside a swap put back adds 1 to 3 points of precision for up to one
point of recall; a clean text is read once.

A high gain says the text reads much better with the candidate: the mark of a
sense-blind swap.  ``spin_probabilities`` turns a reading into one probability
per word (``gain > 4`` is a flag by default), ``flags_per_100_words`` into a
document statistic.  Each sentence's mean surprisal (nats per token) comes with
the reading, as a text-quality readout.  torch (and transformers, for a model
that is not Llama-family) is imported on first use only.
"""

from __future__ import annotations

import dataclasses
import math
import re
import time
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from detector.document import Document, make_document
from detector.facts import opposite_pairs
from detector.lexicon import (
    IRREGULAR_PLURALS,
    GluePhrases,
    Lexicon,
    load_glue_phrases,
    load_lexicon,
)
from detector.restore import match_case
from detector.stopwords import CARDINAL_WORDS, STOPWORDS

if TYPE_CHECKING:
    from detector.lm import CausalLM
    from detector.scoring import WordScores

__all__ = [
    "DEFAULT_GAIN_THRESHOLD",
    "DEFAULT_RATE_THRESHOLD",
    "PASS1_ONLY_MARGIN",
    "LMJudge",
    "LMReading",
    "SentenceSurprisal",
    "UnitReading",
    "document_spin_probability",
    "flagged_units",
    "flags_per_100_words",
    "spin_probabilities",
    "word_scores",
]

DEFAULT_GAIN_THRESHOLD = 4.0  # a unit is flagged when its evidence (gain) exceeds this
DEFAULT_RATE_THRESHOLD = 5.0  # a document is spun when its flags per 100 words exceed this
_MAX_UNIT_WORDS = 3  # thesaurus terms as units, and multiword candidates
_MAX_GLUE_WORDS = 6  # glue phrases as units ("in light of the fact that")
# "more"/"most" and an adjective, read as a unit whose candidates are one-word comparatives
# or superlatives of the adjective's synonyms: a spinner looks up "younger" under "young"
# and writes "more youthful", "busiest" under "busy" and writes "most active".
_GRADED = {"more": "JJR", "most": "JJS"}
# Counts and ordinals ("first" apart: "initial" is its swap): never a candidate original.
_NUMBER_WORDS = CARDINAL_WORDS | frozenset(
    "second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split()
)
_SURROGATE = re.compile("[\ud800-\udfff]")
_CACHE_SIZE = 20_000
_MEANING_CACHE_SIZE = 2_048
_MEANING_ARRAY_CACHE_SIZE = 8_192  # the same as arrays: a tenth of the memory each
_HEAD_ROWS = 128  # rows of the output layer computed at once (49k floats each for SmolLM2)
# Key/value caches kept while ``read``'s ``go_on`` decides, in bytes (24 MB a window for
# SmolLM2 in bfloat16, 47 MB in float32): the windows past it are read again for pass 2.
_KEPT_CACHE_BYTES = 128 * 2**20
# A pass-1 margin no unit reaches (log-probabilities differ by far less): pass 2 is off.
PASS1_ONLY_MARGIN = 1e6


# --------------------------------------------------------------------------- answer types


@dataclass(frozen=True, slots=True)
class UnitReading:
    """What the language model made of one unit (a word or a short phrase) of a document.

    Attributes
    ----------
    lo, hi : int
        The unit's words, ``document.words[lo:hi]``.
    start, end : int
        Its character offsets in ``document.text``.
    text : str
        The unit as written.
    logprob : float
        ``log P(unit | left context)``, summed over its word pieces.
    margin : float or None
        Pass 1: the highest candidate score (a first-piece upper bound for a longer
        candidate) minus ``logprob``; None without candidates.
    gain : float or None
        Pass 2: how much better the text after the unit reads with the best rescored
        candidate than with the unit, in nats (``length_cost`` a word added to each
        reading); None when the unit was not rescored.
    restored : str
        The best candidate (pass 2's winner when rescored, else pass 1's first-ranked,
        by score less ``word_cost`` and ``piece_cost``), cased like the unit; "" without
        candidates.
    candidates_considered : int
        How many candidate originals were scored.
    """

    lo: int
    hi: int
    start: int
    end: int
    text: str
    logprob: float
    margin: float | None
    gain: float | None
    restored: str
    candidates_considered: int

    @property
    def evidence(self) -> float:
        """The unit's strongest reading: ``gain`` when rescored, else ``margin`` (-inf if none)."""
        if self.gain is not None:
            return self.gain
        return self.margin if self.margin is not None else -math.inf


@dataclass(frozen=True, slots=True)
class SentenceSurprisal:
    """The mean surprisal of one sentence: ``-log P(token | left)`` per token, in nats."""

    lo: int
    hi: int
    start: int
    end: int
    tokens: int
    surprisal: float


@dataclass(frozen=True, eq=False)
class LMReading:
    """The judge's reading of one document.

    ``units`` are in document order (a phrase before the words inside it);
    ``sentences`` follow ``document.sentences``.  ``pass1_seconds`` and
    ``pass2_seconds`` time the two passes (candidate gathering included in pass 1);
    ``tokens`` is the document's length in tokens, ``pass2_tokens`` how many
    candidate tokens pass 2 read.
    """

    document: Document
    units: tuple[UnitReading, ...]
    sentences: tuple[SentenceSurprisal, ...]
    tokens: int
    pass1_seconds: float
    pass2_seconds: float
    pass2_tokens: int = 0

    @property
    def tokens_per_second(self) -> float:
        """Tokens of the document read per second, both passes together."""
        seconds = self.pass1_seconds + self.pass2_seconds
        return self.tokens / seconds if seconds > 0 else math.inf

    @property
    def surprisal(self) -> float:
        """The document's mean surprisal, nats per token (nan for an empty document)."""
        total = sum(s.tokens for s in self.sentences)
        if not total:
            return math.nan
        return sum(s.surprisal * s.tokens for s in self.sentences) / total


# --------------------------------------------------------------------------- readings to scores


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def spin_probabilities(
    reading: LMReading, *, threshold: float = DEFAULT_GAIN_THRESHOLD, scale: float = 1.0
) -> tuple[float, ...]:
    """For each of ``reading.document.words``, the probability that a spinner put it there.

    A unit's probability is ``sigmoid((evidence - threshold) / scale)``, with
    ``evidence`` its gain (or its margin when it was not rescored): 0.5 exactly at
    the threshold, so ``p > 0.5`` flags the units with ``gain > threshold``.  A word
    takes the highest probability of the units covering it; words in no unit
    (function words, names, numbers) get 0.  Uncalibrated: a monotone map, for a
    fusion model to weigh.
    """
    if scale <= 0:
        raise ValueError(f"the 'scale' parameter must be > 0, got {scale}")
    probabilities = [0.0] * len(reading.document.words)
    for unit in reading.units:
        evidence = unit.evidence
        p = 0.0 if evidence == -math.inf else _sigmoid((evidence - threshold) / scale)
        for i in range(unit.lo, unit.hi):
            probabilities[i] = max(probabilities[i], p)
    return tuple(probabilities)


def flagged_units(
    reading: LMReading, *, threshold: float = DEFAULT_GAIN_THRESHOLD
) -> tuple[UnitReading, ...]:
    """The units whose evidence exceeds ``threshold``, without overlaps, in document order.

    Where a phrase and a word inside it are both flagged, the stronger one is kept.
    """
    chosen: list[UnitReading] = []
    taken: set[int] = set()
    for unit in sorted(reading.units, key=lambda u: -u.evidence):
        if unit.evidence <= threshold:
            break
        words = set(range(unit.lo, unit.hi))
        if taken.isdisjoint(words):
            chosen.append(unit)
            taken |= words
    return tuple(sorted(chosen, key=lambda u: u.lo))


def flags_per_100_words(reading: LMReading, *, threshold: float = DEFAULT_GAIN_THRESHOLD) -> float:
    """How many units are flagged per 100 words of the document (0 for an empty one)."""
    words = len(reading.document.words)
    return 100.0 * len(flagged_units(reading, threshold=threshold)) / words if words else 0.0


def document_spin_probability(
    reading: LMReading,
    *,
    threshold: float = DEFAULT_GAIN_THRESHOLD,
    rate_threshold: float = DEFAULT_RATE_THRESHOLD,
    scale: float = 1.0,
) -> float:
    """``sigmoid((flags per 100 words - rate_threshold) / scale)``: 0.5 at the rate threshold."""
    if scale <= 0:
        raise ValueError(f"the 'scale' parameter must be > 0, got {scale}")
    return _sigmoid((flags_per_100_words(reading, threshold=threshold) - rate_threshold) / scale)


def word_scores(
    reading: LMReading,
    *,
    threshold: float = DEFAULT_GAIN_THRESHOLD,
    rate_threshold: float = DEFAULT_RATE_THRESHOLD,
) -> WordScores:
    """The reading as the ``WordScores`` every reference-free model gives."""
    from detector.scoring import WordScores

    return WordScores(
        document=reading.document,
        word_probabilities=spin_probabilities(reading, threshold=threshold),
        document_probability=document_spin_probability(
            reading, threshold=threshold, rate_threshold=rate_threshold
        ),
    )


# --------------------------------------------------------------------------- the judge


@dataclass(frozen=True, slots=True)
class _Unit:
    """A unit located in the token sequence: its words, text, pieces ``[a, b)`` and candidates."""

    lo: int
    hi: int
    start: int
    end: int
    text: str
    key: str
    a: int
    b: int
    lead: str
    candidates: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Window:
    """Document tokens ``[start, stop)``, read after the start-of-text token."""

    start: int
    stop: int


@dataclass(eq=False)
class _Scores:
    """One document's scores as the passes fill them in (working state of ``LMJudge.read``)."""

    token_lp: Any  # numpy float array: log P(token | left) per document token, nan if unscored
    # Per unit: (pass-1 score, candidate) in the order pass 2 takes them (see _rank).
    ranked: list[list[tuple[float, str]]]
    shortlist: list[list[tuple[float, str]]]  # per unit: the candidates pass 2 rescores
    bounds: list[float | None]  # per unit: its best pass-1 score (the margin's); None if none
    considered: list[int]
    gains: list[float | None]
    winners: list[str]
    # Per unit, on a second reading: the evidence its first reading had, which this one
    # must beat to count (inf: a unit the first reading lacks or put back); None at first.
    floors: list[float] | None = None
    pass2_tokens: int = 0


def _windows(n: int, size: int, overlap: int) -> list[_Window]:
    """Windows of ``size - 1`` document tokens, ``overlap`` shared, covering ``n`` tokens."""
    span = size - 1
    windows = [_Window(0, min(n, span))]
    while windows[-1].stop < n:
        start = windows[-1].stop - overlap
        windows.append(_Window(start, min(n, start + span)))
    return windows


def _cache_bytes(cache: Any) -> int:
    """The bytes a key/value cache holds: ``detector.llama``'s (``keys``, ``values``) or
    transformers' (``layers``, each with ``keys`` and ``values``); a cache of another make
    counts as too big to keep."""
    parts = [cache, *getattr(cache, "layers", ())]
    tensors = []
    for part in parts:
        for name in ("keys", "values"):
            held = getattr(part, name, None)
            if isinstance(held, list | tuple):
                tensors += held
            elif held is not None and hasattr(held, "element_size"):
                tensors.append(held)
    sizes = [t.numel() * t.element_size() for t in tensors if hasattr(t, "element_size")]
    return sum(sizes) if sizes else _KEPT_CACHE_BYTES + 1


def _crop(cache: Any, length: int) -> None:
    """Drop what pass 2 appended to a window's key/value cache."""
    extra = cache.get_seq_length() - length
    if extra > 0:
        cache.crop(-extra)  # a negative count drops that many (detector.llama, transformers)


def _check_int(name: str, value: object, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(
            f"the {name!r} parameter of LMJudge must be an int >= {low}, got {value!r}"
        )
    return value


def _check_float(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise ValueError(f"the {name!r} parameter of LMJudge must be a number, got {value!r}")
    return float(value)


def _check_cost(name: str, value: object) -> float:
    number = _check_float(name, value)
    if not 0.0 <= number < math.inf:
        raise ValueError(
            f"the {name!r} parameter of LMJudge must be a finite number >= 0, got {value!r}"
        )
    return number


@lru_cache(maxsize=50_000)
def _inflections(word: str) -> dict[str, tuple[str, ...]]:
    """``lemminflect.getAllInflections(word)``, remembered (it is slow and pure)."""
    from lemminflect import getAllInflections

    return getAllInflections(word)


def _inflect(term: str, tag: str) -> str | None:
    """``term`` in the Penn inflection ``tag``, or None when lemminflect has no such form.

    A phrase is inflected on its first word for verb tags ("turn down" -> "turned
    down") and on its last word for plural nouns, as the spinner does.
    """
    words = term.split(" ")
    k = 0 if len(words) == 1 or tag.startswith("VB") else len(words) - 1
    if len(words) > 1 and not (tag.startswith("VB") or tag == "NNS"):
        return None
    forms = _inflections(words[k]).get(tag)
    if not forms:
        return None
    words[k] = forms[0]
    return " ".join(words)


def _word_count(text: str) -> int:
    """Words of a unit or candidate as ``length_cost`` counts them: hyphens split words."""
    return len(text.replace("-", " ").split())


def _alphabetic(term: str) -> bool:
    return term.replace(" ", "").isalpha()


def _put_back(text: str, units: Sequence[UnitReading]) -> tuple[str, list[_Move]]:
    """``text`` with each of ``units`` (in order, not overlapping) replaced by its
    restoration, and where each replacement lies in the new text and in ``text``."""
    parts: list[str] = []
    moves: list[_Move] = []
    position = length = 0
    for unit in units:
        kept = text[position : unit.start]
        parts += [kept, unit.restored]
        length += len(kept)
        moves.append(_Move(length, length + len(unit.restored), unit.start, unit.end))
        length += len(unit.restored)
        position = unit.end
    parts.append(text[position:])
    return "".join(parts), moves


@dataclass(frozen=True, slots=True)
class _Move:
    """A unit put back: ``[new_start, new_end)`` of the new text was ``[start, end)``."""

    new_start: int
    new_end: int
    start: int
    end: int


def _relocated(first: LMReading, moves: Sequence[_Move]) -> dict[tuple[int, int, str], int]:
    """Each unit of ``first`` outside ``moves`` (by its index), keyed by where it lies in
    the text with the moves made: ``(start, end, text)``."""
    located = {}
    k = shift = 0
    for i, unit in enumerate(first.units):  # in document order
        while k < len(moves) and moves[k].end <= unit.start:
            shift += (moves[k].new_end - moves[k].new_start) - (moves[k].end - moves[k].start)
            k += 1
        if k < len(moves) and moves[k].start < unit.end:
            continue  # holds a unit put back
        located[unit.start + shift, unit.end + shift, unit.text] = i
    return located


def _beside(first: LMReading, put_back: Sequence[UnitReading], words: int) -> frozenset[int]:
    """The units of ``first`` (by index) within ``words`` words of a unit put back, not
    overlapping any: a neighbour is 1 word away, a word between makes 2."""
    size = len(first.document.words)
    inside, around = bytearray(size), bytearray(size)  # one pass over each, however many
    for b in put_back:
        inside[b.lo : b.hi] = b"\x01" * (b.hi - b.lo)
        lo, hi = max(b.lo - words, 0), min(b.hi + words, size)
        around[lo:hi] = b"\x01" * max(hi - lo, 0)
    return frozenset(
        i
        for i, unit in enumerate(first.units)
        if any(around[unit.lo : unit.hi]) and not any(inside[unit.lo : unit.hi])
    )


def _merged(
    first: LMReading,
    second: LMReading,
    located: dict[tuple[int, int, str], int],
    beside: frozenset[int] = frozenset(),
) -> LMReading:
    """``first`` with each unit ``located`` in the second text given its reading in
    ``second``: always for the units ``beside`` a unit put back, else when that
    reading's evidence is stronger."""
    units = list(first.units)
    for other in second.units:
        i = located.get((other.start, other.end, other.text))
        if i is not None and (i in beside or other.evidence > units[i].evidence):
            unit = units[i]
            units[i] = dataclasses.replace(
                other, lo=unit.lo, hi=unit.hi, start=unit.start, end=unit.end
            )
    return LMReading(
        document=first.document,
        units=tuple(units),
        sentences=first.sentences,
        tokens=first.tokens,
        pass1_seconds=first.pass1_seconds + second.pass1_seconds,
        pass2_seconds=first.pass2_seconds + second.pass2_seconds,
        pass2_tokens=first.pass2_tokens + second.pass2_tokens,
    )


class LMJudge:
    """Reads documents with a causal language model and scores every unit (see the module doc).

    Parameters
    ----------
    lm : CausalLM, optional
        The language model; default ``load_causal_lm()`` (the packaged SmolLM2-135M).
        Tokenizers are assumed byte-level BPE (a word piece carries its leading space).
    lexicon : Lexicon, optional
        Thesaurus, lemmas and frequencies; default ``load_lexicon()``.
    glue : GluePhrases, optional
        Glue-phrase rewrites; default ``load_glue_phrases()``.
    margin_threshold : float, default=3.0
        Units with at least this pass-1 margin are rescored in pass 2.
    top_k : int, default=3
        Candidates rescored per unit in pass 2.
    restore_top_k : int, default=6
        A unit whose best of those gains more than ``restore_gain`` has more of its
        candidates rescored, up to ``restore_top_k`` with those, and the best of all
        restores it; its gain stays the best of the ``top_k`` (``top_k`` or less: off).
        The further candidates are the best by their pass-1 rank and the restoration's
        own lean (``closeness_weight``, ``entry_size_weight``) together.
    restore_gain : float, default=0.0
        See ``restore_top_k`` (4.0 restores only what the judge alone flags, for about
        a sixth fewer continuations read).
    closeness_weight : float, default=2.0
        The restoration is the rescored candidate with the best reading plus this
        times ``ln(1 + synonyms it shares with the unit)`` (its lemmas' included): a
        spinner drew the written word from the original's thesaurus entry, so the
        original shares much of its entry ("utilize" restored "use", not "promote",
        beside other swaps).  0: the best reading alone.  The gain, and so what is
        flagged, does not depend on it.
    entry_size_weight : float, default=1.0
        The restoration's score also loses this times ``ln(1 + synonyms in the
        candidate's own entry)``: a sense-blind spinner draws the written word from
        the original's entry, one of its words, so the chance that a candidate with
        a huge entry ("take", "make", "plan") is the one it drew from is small (1 in
        the entry's size, at this default).  Without it, shared synonyms favour such
        hub words.  0: no hold-back.
    word_cost : float, default=3.0
        Nats taken off a multiword candidate's pass-1 score per word after its first,
        when candidates are ranked: for pass 2's ``top_k`` and ``restore_top_k``, and
        for the restoration of a unit pass 2 does not read (see the module doc; the
        margin keeps the upper bound).  At least 0.
    piece_cost : float, default=1.0
        The same per word piece after a word's first (a word the tokenizer splits).
    length_cost : float, default=1.0
        Nats added to a reading's log-likelihood in pass 2 per word of the unit or
        candidate it holds (hyphens separate words), so that a shorter reading does
        not win for being shorter ("captain" for "chief of staff" in a clean
        sentence).  At least 0.
    right_tokens : int, default=6
        Tokens after the unit that pass 2 reads.
    window_tokens : int, default=1024
        Tokens per forward pass in pass 1 (at most the model's context); a longer
        text is read in windows that overlap by ``overlap_tokens``.
    overlap_tokens : int, default=256
        Tokens two consecutive windows share.  Every token is scored in the first
        window holding it (a unit: holding it and its right context).
    min_zipf : float, default=3.0
        Candidates rarer than this Zipf frequency are left out (glue rewrites excepted).
    max_candidates : int, default=0
        Keep only this many of a unit's commonest candidates (0: all of them).
    lm_candidates : int, default=0
        Also weigh the model's own top ``lm_candidates`` predictions at the unit (0: off; 32
        is the measured setting, see the module doc): whole words with the unit's leading
        space and capitalisation, common enough (``min_zipf``; wordfreq for words the
        thesaurus lacks), not a stopword, not the unit's own word or lemma, and close in
        meaning to the unit: sharing at least ``min_shared`` thesaurus synonyms with it (its
        lemmas' included), or with a static MiniLM cosine of at least ``min_cosine``.  They
        reach originals the thesaurus does not list ("featured" -> "said").
    lm_top_k : int, default=1
        How many of a unit's kept predictions pass 2 rescores, besides its
        ``top_k`` thesaurus candidates (which they never displace), when the model
        prefers them to the last of those.
    min_shared : int, default=3
        See ``lm_candidates``.
    min_cosine : float or None, default=None
        See ``lm_candidates``; None: no embedding test (measured: it found more
        originals but flagged no more swaps).
    lm_penalty : float, default=4.0
        Nats taken off a prediction's scores in both passes: a word the model
        itself ranks first is favoured by construction, and most such wins
        restore the wrong word.
    surprisal : bool, default=True
        Score every token, for the sentences' surprisal; False scores only the
        tokens the units need (faster; the sentences then come out empty).
    batch_tokens : int, default=512
        Candidate tokens read per forward pass in pass 2.
    reread_gain : float or None, default=4.0
        Read the text a second time with every unit that gains more than this put
        back to its restoration, and give each other unit the stronger of its two
        readings (None: one reading).  Heavy spinning leaves a swap few clean
        neighbours to be read against; once the surest swaps are undone, the
        model reads the rest in a text closer to the original.  A unit put back
        keeps its first reading.
    reread_rate : float, default=5.0
        Read a text again only when the units put back number more than this per
        100 words: when the first reading already finds it spun by the rate of
        ``document_spin_probability`` (``DEFAULT_RATE_THRESHOLD``).  A clean
        text's few strong readings are then never put back, so the second
        reading cannot build on them, and costs nothing there.
    reread_beside : int, default=3
        In a second reading, the units within this many words of a unit put back
        take their second reading even when it is the weaker: their first was read
        beside the spun word, which makes its neighbours read worse too (in
        "overflowed dwellings and closed roads" the hybrid flagged "closed" too),
        and the second reads them beside the restoration.  0: every unit keeps
        the stronger of its two readings.
    """

    def __init__(
        self,
        lm: CausalLM | None = None,
        lexicon: Lexicon | None = None,
        glue: GluePhrases | None = None,
        *,
        margin_threshold: float = 3.0,
        top_k: int = 3,
        restore_top_k: int = 6,
        restore_gain: float = 0.0,
        closeness_weight: float = 2.0,
        entry_size_weight: float = 1.0,
        word_cost: float = 3.0,
        piece_cost: float = 1.0,
        length_cost: float = 1.0,
        right_tokens: int = 6,
        window_tokens: int = 1024,
        overlap_tokens: int = 256,
        min_zipf: float = 3.0,
        max_candidates: int = 0,
        lm_candidates: int = 0,
        lm_top_k: int = 1,
        min_shared: int = 3,
        min_cosine: float | None = None,
        lm_penalty: float = 4.0,
        surprisal: bool = True,
        batch_tokens: int = 512,
        reread_gain: float | None = 4.0,
        reread_rate: float = DEFAULT_RATE_THRESHOLD,
        reread_beside: int = 3,
    ) -> None:
        self.margin_threshold = _check_float("margin_threshold", margin_threshold)
        self.top_k = _check_int("top_k", top_k, 1)
        self.restore_top_k = _check_int("restore_top_k", restore_top_k, 0)
        self.restore_gain = _check_float("restore_gain", restore_gain)
        self.closeness_weight = _check_float("closeness_weight", closeness_weight)
        self.entry_size_weight = _check_float("entry_size_weight", entry_size_weight)
        self.word_cost = _check_cost("word_cost", word_cost)
        self.piece_cost = _check_cost("piece_cost", piece_cost)
        self.length_cost = _check_cost("length_cost", length_cost)
        self.right_tokens = _check_int("right_tokens", right_tokens, 0)
        self.window_tokens = _check_int("window_tokens", window_tokens, 32)
        self.overlap_tokens = _check_int("overlap_tokens", overlap_tokens, 0)
        if self.overlap_tokens > (self.window_tokens - 1) // 2:
            raise ValueError(
                "the 'overlap_tokens' parameter of LMJudge must be at most half of "
                f"'window_tokens' ({self.window_tokens}), got {overlap_tokens}"
            )
        self.min_zipf = _check_float("min_zipf", min_zipf)
        self.max_candidates = _check_int("max_candidates", max_candidates, 0)
        self.lm_candidates = _check_int("lm_candidates", lm_candidates, 0)
        self.lm_top_k = _check_int("lm_top_k", lm_top_k, 0)
        self.min_shared = _check_int("min_shared", min_shared, 1)
        if min_cosine is not None and (
            isinstance(min_cosine, bool)
            or not isinstance(min_cosine, int | float)
            or not 0.0 < min_cosine <= 1.0
        ):
            raise ValueError(
                "the 'min_cosine' parameter of LMJudge must be None or a number in (0, 1], "
                f"got {min_cosine!r}"
            )
        self.min_cosine = min_cosine
        self.lm_penalty = _check_float("lm_penalty", lm_penalty)
        self.batch_tokens = _check_int("batch_tokens", batch_tokens, 16)
        self.reread_gain = None if reread_gain is None else _check_float("reread_gain", reread_gain)
        self.reread_rate = _check_float("reread_rate", reread_rate)
        self.reread_beside = _check_int("reread_beside", reread_beside, 0)
        if not isinstance(surprisal, bool):
            raise ValueError(
                f"the 'surprisal' parameter of LMJudge must be a bool, got {surprisal!r}"
            )
        self.surprisal = surprisal
        if lm is None:
            from detector.lm import load_causal_lm

            lm = load_causal_lm()
        if self.window_tokens > lm.max_context:
            raise ValueError(
                "the 'window_tokens' parameter of LMJudge must be at most the model's context "
                f"({lm.max_context}), got {window_tokens}"
            )
        self.lm = lm
        self.lexicon = lexicon if lexicon is not None else load_lexicon(quiet=True)
        self.glue = glue if glue is not None else load_glue_phrases()
        # Bounded caches, per judge: candidates per word, pieces per string, word per token.
        self._candidates: dict[str, tuple[str, ...]] = {}
        self._pieces: dict[str, tuple[int, ...]] = {}
        self._token_words: dict[int, str] = {}
        self._closeness: dict[tuple[str, str], bool] = {}
        self._meanings: dict[str, frozenset[int]] = {}
        self._meaning_arrays: dict[str, Any] = {}
        self._embeddings: Any = None  # PieceEmbeddings once loaded; False without the MiniLM
        self._blocked: frozenset[str] | None = None
        self._phrase_starts = frozenset(
            t.split(" ", 1)[0] for t in (*self.lexicon.terms, *self.glue.phrases) if " " in t
        )
        # Function words read as units of their own, with their glue rewrites alone as
        # candidates: "upon" for "on", "yet" for "but" (a thesaurus swap of one glue word).
        self._glue_words = frozenset(
            key for key in self.glue.by_source if " " not in key and key in STOPWORDS
        )

    def __repr__(self) -> str:
        return (
            f"LMJudge(lm={self.lm.name!r}, margin_threshold={self.margin_threshold}, "
            f"top_k={self.top_k}, right_tokens={self.right_tokens})"
        )

    # ---- public

    def read_many(self, documents: Iterable[Document]) -> list[LMReading]:
        """``read`` for each document, in order."""
        return [self.read(document) for document in documents]

    @property
    def reads_pass1_only(self) -> bool:
        """Whether this judge's readings are its first pass alone: no unit can reach
        ``margin_threshold`` (``PASS1_ONLY_MARGIN`` or more) and there is no second
        reading.  Such a reading is what ``read``'s ``go_on`` is shown by a judge of the
        same pass-1 settings (``pass1_settings``)."""
        return self.margin_threshold >= PASS1_ONLY_MARGIN and self.reread_gain is None

    def pass1_settings(self) -> dict[str, Any]:
        """The judge's settings but those of pass 2 and the second reading (which
        ``reads_pass1_only`` turns off), with the language model's name: two judges
        with the same read the same first pass (given the same thesaurus and glue
        table, as every judge loaded from the packaged ones has)."""
        left_out = {"lm", "lexicon", "glue"} | {
            "margin_threshold",
            "reread_gain",
            "reread_rate",
            "reread_beside",
        }
        settings = {
            k: v for k, v in vars(self).items() if not k.startswith("_") and k not in left_out
        }
        return settings | {"lm": self.lm.name}

    def read(
        self, document: Document, *, go_on: Callable[[LMReading], bool] | None = None
    ) -> LMReading:
        """Score every unit of ``document`` (both passes) and each sentence's surprisal.

        With ``reread_gain``, a text whose first reading puts back more than
        ``reread_rate`` units per 100 words (those gaining more than
        ``reread_gain``, restored) is read again with them put back; each other
        unit takes its second reading when it lies within ``reread_beside`` words
        of one put back, else the stronger of its two readings.

        ``go_on``, when given, is shown the first pass's reading (no unit rescored: each
        restored with its first choice) before pass 2; when it answers False, that reading
        is returned as it is.  It is the reading a judge with the same pass-1 settings and
        ``reads_pass1_only`` makes, so a cascade can let a screen decide on it before the
        rest is read, without reading the text twice.
        """
        stopped = False

        def decide(reading: LMReading) -> bool:
            nonlocal stopped
            stopped = not go_on(reading) if go_on is not None else False
            return not stopped

        first = self._read_once(document, go_on=decide if go_on is not None else None)
        if stopped or self.reread_gain is None:
            return first
        put_back = [
            u
            for u in flagged_units(first, threshold=self.reread_gain)
            if u.gain is not None and u.restored and u.restored != u.text
        ]
        if not put_back or 100 * len(put_back) <= self.reread_rate * len(document.words):
            return first
        text, moves = _put_back(document.text, put_back)
        located = _relocated(first, moves)
        beside = _beside(first, put_back, self.reread_beside)
        # A unit beside one put back takes its second reading whatever it says: read in
        # full (no floor), as the first reading of the others is beaten only by more.
        floors = {
            key: -math.inf if i in beside else first.units[i].evidence for key, i in located.items()
        }
        second = self._read_once(make_document(text, document.name), floors)
        return _merged(first, second, located, beside)

    def _read_once(
        self,
        document: Document,
        floors: dict[tuple[int, int, str], float] | None = None,
        go_on: Callable[[LMReading], bool] | None = None,
    ) -> LMReading:
        """One reading of ``document``: both passes over its text as written.

        ``floors`` (a second reading): per unit ``(start, end, text)``, the evidence
        the first reading gave it.  Only those units are rescored, and a unit's
        restoration is searched widely only when it beats its floor: the others'
        readings are not kept (``_merged``), so this changes no result.  Nor are
        its sentences' surprisals (the text's quality is the text's as written).

        ``go_on`` (see ``read``): pass 1 reads every window first, keeping the key/value
        caches of the first windows, up to ``_KEPT_CACHE_BYTES``, for pass 2 (the others
        are read again) and each window's token scores as its pass 1 left them; pass 2
        then reads each window as it would have.  Every result is the same.
        """
        import numpy as np
        import torch

        surprisal = self.surprisal and floors is None

        started = time.perf_counter()
        # The tokenizer refuses lone surrogates: each is read as U+FFFD (offsets unchanged).
        encoded = self.lm.tokenizer(
            _SURROGATE.sub("\ufffd", document.text),
            add_special_tokens=False,
            return_offsets_mapping=True,
        )
        ids: list[int] = list(encoded["input_ids"])
        offsets = [(int(s), int(e)) for s, e in encoded["offset_mapping"]]
        units = self._units(document, ids, offsets)
        self._encode([u.lead + c for u in units for c in u.candidates])
        n = len(ids)
        windows = _windows(n, self.window_tokens, self.overlap_tokens) if n else []
        owners = self._owners(units, windows, n)
        if -1 in owners:  # units longer than the windows' overlap, at a window's edge
            units = [u for u, k in zip(units, owners, strict=True) if k >= 0]
            owners = [k for k in owners if k >= 0]
        scores = _Scores(
            token_lp=np.full(n, np.nan),
            ranked=[[] for _ in units],
            shortlist=[[] for _ in units],
            bounds=[None] * len(units),
            considered=[0] * len(units),
            gains=[None] * len(units),
            winners=[""] * len(units),
            floors=None
            if floors is None
            else [floors.get((u.start, u.end, u.text), math.inf) for u in units],
        )
        pass2 = 0.0
        kept: dict[int, Any] = {}  # window -> its key/value cache, while pass 2 waits
        kept_bytes = 0
        # Window -> the token scores pass 2 reads there (its own tokens): a later window's
        # pass 1 scores again the tokens of its units that the overlap holds, in its context.
        token_lp: list[Any] = []
        mine_of: list[list[int]] = [[] for _ in windows]
        for i, k in enumerate(owners):
            mine_of[k].append(i)

        def reading() -> LMReading:
            units_read = tuple(self._reading(unit, i, scores) for i, unit in enumerate(units))
            sentences = self._sentences(document, offsets, scores.token_lp) if surprisal else ()
            total = time.perf_counter() - started
            return LMReading(
                document=document,
                units=units_read,
                sentences=sentences,
                tokens=n,
                pass1_seconds=total - pass2,
                pass2_seconds=pass2,
                pass2_tokens=scores.pass2_tokens,
            )

        with torch.inference_mode():
            for k, window in enumerate(windows):
                mine = mine_of[k]
                hidden, cache = self._forward(ids, window)
                first = windows[k - 1].stop if k else 0
                rows = set(range(first, window.stop)) if surprisal else set()
                for i in mine:  # a unit and its right context, all read in this window
                    rows.update(range(units[i].a, self._context_stop(units[i], window)))
                self._pass1(hidden, window, ids, units, mine, sorted(rows), scores)
                if go_on is None:
                    clock = time.perf_counter()
                    self._pass2(cache, window, ids, units, mine, scores)
                    pass2 += time.perf_counter() - clock
                else:
                    token_lp.append(scores.token_lp[window.start : window.stop].copy())
                    size = _cache_bytes(cache)
                    if kept_bytes + size <= _KEPT_CACHE_BYTES:
                        kept[k] = cache
                        kept_bytes += size
                del hidden, cache
            if go_on is None:
                return reading()
            first_pass = reading()
            if not go_on(first_pass):
                return first_pass
            read = scores.token_lp
            scores.token_lp = read.copy()  # pass 2 of a window reads its own tokens only
            for k, window in enumerate(windows):
                clock = time.perf_counter()
                cache = kept.pop(k, None)
                if cache is None:
                    cache = self._forward(ids, window)[1]
                scores.token_lp[window.start : window.stop] = token_lp[k]
                self._pass2(cache, window, ids, units, mine_of[k], scores)
                pass2 += time.perf_counter() - clock
                del cache
            scores.token_lp = read
        return reading()

    # ---- units and candidates

    def _units(
        self, document: Document, ids: Sequence[int], offsets: Sequence[tuple[int, int]]
    ) -> list[_Unit]:
        """The document's units that line up with word pieces, in order, with candidates."""
        text, words, starts, ends = document.text, document.words, document.starts, document.ends
        text_words, n_words = words, len(words)  # ``add`` names its candidates ``words``
        initial = {lo for lo, _ in document.sentences}
        sentence_end = {}
        for lo, hi in document.sentences:
            for i in range(lo, hi):
                sentence_end[i] = hi
        piece_starts = [s for s, _ in offsets]
        piece_ends = [e for _, e in offsets]
        lexicon = self.lexicon
        found: list[_Unit] = []

        def capitalised(i: int) -> bool:
            return i not in initial and text[starts[i]].isupper()

        def joined_around(lo: int, hi: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
            """The words before ``lo`` and from ``hi`` joined to the unit by white space
            in its sentence (a glue context never reads across punctuation)."""
            first = lo
            while (
                first > 0
                and lo - first < _MAX_GLUE_WORDS
                and first not in initial
                and text[ends[first - 1] : starts[first]].isspace()
            ):
                first -= 1
            stop = hi
            while (
                stop < sentence_end[hi - 1]
                and stop - hi < _MAX_GLUE_WORDS
                and text[ends[stop - 1] : starts[stop]].isspace()
            ):
                stop += 1
            return words[first:lo], words[hi:stop]

        def add(
            lo: int,
            hi: int,
            key: str,
            *,
            glue_only: bool = False,
            given: tuple[str, ...] | None = None,
            extra: tuple[str, ...] = (),
        ) -> None:
            start, end = starts[lo], ends[hi - 1]
            a = bisect_right(piece_ends, start)
            b = bisect_right(piece_starts, end - 1)
            if a >= b or piece_ends[b - 1] != end or piece_starts[a] > start:
                return  # the unit does not line up with word pieces
            lead = text[piece_starts[a] : start]
            if lead not in ("", " "):
                return
            surface = text[start:end]
            if given is not None:
                words = given
            else:
                # A trimmed glue rewrite holds only between the words it was trimmed of:
                # "because" reads as "on account" before "of", "has" as "needs" before "to".
                glue = self.glue.rewrites_between(key, *joined_around(lo, hi))
                words = glue if glue_only else (*glue, *self._candidate_words(key), *extra)
                if not words and (glue_only or key in self.glue.phrases):
                    return  # a glue unit whose rewrites all need other words around it
            # A word beside the unit is not its original: "Meadow Park" read "Park Park".
            beside = {text_words[lo - 1] if lo else "", text_words[hi] if hi < n_words else ""}
            candidates = tuple(
                dict.fromkeys(match_case(c, surface) for c in words if c.lower() not in beside)
            )
            found.append(_Unit(lo, hi, start, end, surface, key, a, b, lead, candidates))

        for i, word in enumerate(words):
            if word in self._phrase_starts:
                for n in range(_MAX_GLUE_WORDS, 1, -1):
                    hi = i + n
                    if hi > sentence_end[i]:
                        continue
                    if any(text[ends[j] : starts[j + 1]] != " " for j in range(i, hi - 1)):
                        continue
                    key = " ".join(words[i:hi])
                    inner = [capitalised(j) for j in range(i + 1, hi)]
                    # A phrase with a capital inside is a name's, unless every word has one,
                    # none is a function word and the glue table lists it: a tortured
                    # phrase in a title or a mangled name ("Bosom Peril Activity" for
                    # "Breast Cancer Action"), not a headline's "More Than" or "Next Week".
                    if any(inner) and not (
                        all(inner)
                        and text[starts[i]].isupper()
                        and key in self.glue.phrases
                        and not any(w in STOPWORDS for w in key.split(" "))
                    ):
                        continue
                    if key not in self.glue.phrases and (
                        n > _MAX_UNIT_WORDS
                        or not _alphabetic(key)
                        or all(w in STOPWORDS for w in key.split(" "))
                        or not lexicon.synonym_count(key)
                    ):
                        continue
                    # A glue row's "more"/"most" and an adjective ("more noteworthy" for
                    # "greater") keeps the comparatives of the adjective's synonyms too.
                    graded = _GRADED.get(word) if n == 2 else None
                    add(
                        i,
                        hi,
                        key,
                        extra=self._graded_candidates(words[i + 1], graded) if graded else (),
                    )
            tag = _GRADED.get(word)
            if (
                tag
                and i + 1 < sentence_end[i]
                and text[ends[i] : starts[i + 1]] == " "
                and not capitalised(i + 1)
            ):
                key = f"{word} {words[i + 1]}"
                if key not in self.glue.phrases and not lexicon.synonym_count(key):
                    graded = self._graded_candidates(words[i + 1], tag)
                    if graded:
                        add(i, i + 2, key, given=graded)
            if word in self._glue_words:
                add(i, i + 1, word, glue_only=True)
                continue
            if word in STOPWORDS or len(word) < 2 or not word.replace("-", "").isalpha():
                continue
            surface = text[starts[i] : ends[i]]
            if surface.isupper() and len(surface) > 1:
                continue  # an acronym
            if capitalised(i) and word not in lexicon:
                continue  # a name
            if word in CARDINAL_WORDS:
                continue  # a count: a fact, not a wording
            add(i, i + 1, word)
        return found

    def _candidate_words(self, key: str) -> tuple[str, ...]:
        """Lowercase candidate originals of the lowercase unit ``key``, commonest first."""
        cached = self._candidates.get(key)
        if cached is not None:
            return cached
        from detector.spin.thesauri import inflection_sources

        blocked = self._blocklist()
        lexicon = self.lexicon
        pool = set(lexicon.synonyms(key))
        lemmas = set()
        for lemma, tag in inflection_sources(key):
            lemmas.add(lemma)
            for synonym in lexicon.synonyms(lemma):
                # Inflection seldom makes a word commoner: skip the rare ones before the work.
                if lexicon.zipf(synonym) >= self.min_zipf - 1.0:
                    form = _inflect(synonym, tag)
                    if form:
                        pool.add(form)
        # "people" is offered wherever "persons" is ("individuals": IRREGULAR_PLURALS).
        pool.update(irregular for irregular, form in IRREGULAR_PLURALS.items() if form in pool)
        own = {key, *lemmas, *key.split(" "), *(w for lemma in lemmas for w in lemma.split(" "))}
        opposites = opposite_pairs()
        kept = []
        for candidate in pool:
            words = candidate.split(" ")
            if (
                len(words) > _MAX_UNIT_WORDS
                or len(candidate) < 2  # Moby's abbreviations: "l" for "dressing room"
                or not _alphabetic(candidate)
                or not own.isdisjoint(words)  # "learning about" for "learning"
                or (len(words) > 1 and (words[0] in STOPWORDS or words[-1] in STOPWORDS))
                or (len(words) == 1 and candidate in STOPWORDS)
                or candidate in blocked
                or lexicon.same_lemma(candidate, key)
                # A number, or a word's opposite, is a fact, not a wording: never restored
                # ("twelve" -> "teens", "low" -> "high", "initial" -> "second").
                or candidate in _NUMBER_WORDS
                or (key, candidate) in opposites
            ):
                continue
            zipf = lexicon.zipf(candidate)
            if zipf >= self.min_zipf:
                kept.append((zipf, candidate))
        kept.sort(key=lambda item: (-item[0], item[1]))
        if self.max_candidates:
            kept = kept[: self.max_candidates]
        glue = self.glue.free_by_source.get(key, ())
        return self._remember(key, tuple(dict.fromkeys([*glue, *(c for _, c in kept)])))

    def _graded_candidates(self, adjective: str, tag: str) -> tuple[str, ...]:
        """One-word comparatives (``tag`` JJR) or superlatives (JJS) of the lowercase
        ``adjective``'s synonyms, commonest first: the candidate originals of "more
        youthful" ("younger") and "most active" ("busiest")."""
        cache_key = f"{tag}:{adjective}"
        cached = self._candidates.get(cache_key)
        if cached is not None:
            return cached
        from lemminflect import getAllLemmas

        blocked = self._blocklist()
        lexicon = self.lexicon
        kept: dict[str, float] = {}
        if adjective not in STOPWORDS and adjective.isalpha() and "ADJ" in getAllLemmas(adjective):
            for synonym in lexicon.synonyms(adjective):
                if " " in synonym or not synonym.isalpha() or synonym in blocked:
                    continue
                form = _inflect(synonym, tag)
                if not form or not form.isalpha() or form in blocked:
                    continue  # "more honest": no one-word form
                zipf = lexicon.zipf(form)
                if zipf >= self.min_zipf and not lexicon.same_lemma(form, adjective):
                    kept[form] = zipf
        ranked = sorted(kept, key=lambda form: (-kept[form], form))
        return self._remember(
            cache_key, tuple(ranked[: self.max_candidates] if self.max_candidates else ranked)
        )

    def _blocklist(self) -> frozenset[str]:
        """The words never offered as originals (``detector.spin.thesauri``), read once."""
        if self._blocked is None:
            from detector.spin.thesauri import load_blocklist

            self._blocked = load_blocklist()
        return self._blocked

    def _remember(self, key: str, found: tuple[str, ...]) -> tuple[str, ...]:
        """``found``, kept as the candidates of ``key`` in the judge's bounded cache."""
        if len(self._candidates) >= _CACHE_SIZE:
            self._candidates.clear()
        self._candidates[key] = found
        return found

    def _encode(self, strings: Iterable[str]) -> None:
        """Cache the word pieces of ``strings`` (each with its leading space, if any)."""
        todo = [s for s in dict.fromkeys(strings) if s not in self._pieces]
        if not todo:
            return
        if len(self._pieces) + len(todo) > 10 * _CACHE_SIZE:
            self._pieces.clear()
        encoded = self.lm.tokenizer(todo, add_special_tokens=False)["input_ids"]
        for string, pieces in zip(todo, encoded, strict=True):
            self._pieces[string] = tuple(pieces)

    def _owners(self, units: Sequence[_Unit], windows: Sequence[_Window], n: int) -> list[int]:
        """For each unit, the first window holding its pieces and its right context."""
        stops = [w.stop for w in windows]
        owners = []
        for unit in units:
            k = bisect_right(stops, min(unit.b + self.right_tokens, n) - 1)
            if windows[k].start > unit.a:  # overlap shorter than a unit and its context
                k = bisect_right(stops, unit.b - 1)
            owners.append(k if windows[k].start <= unit.a else -1)
        return owners

    def _context_stop(self, unit: _Unit, window: _Window) -> int:
        """Where the right context pass 2 reads after ``unit`` ends, in ``window``."""
        return min(unit.b + self.right_tokens, window.stop)

    # ---- pass 1

    def _forward(self, ids: Sequence[int], window: _Window) -> tuple[Any, Any]:
        """The last hidden states and key/value cache of one window, read after the BOS token."""
        import torch

        inputs = torch.tensor([[self.lm.bos_id, *ids[window.start : window.stop]]])
        out = self.lm.model.base_model(input_ids=inputs, use_cache=True)
        return out.last_hidden_state[0], out.past_key_values

    def _logprobs(self, hidden: Any, rows: Sequence[int]) -> Iterable[tuple[Sequence[int], Any]]:
        """Log-softmax of the model's output layer at hidden ``rows``, a chunk at a time."""
        import torch

        head = self.lm.model.get_output_embeddings()
        for k in range(0, len(rows), _HEAD_ROWS):
            part = rows[k : k + _HEAD_ROWS]
            logits = head(hidden[torch.tensor(part)])
            yield part, torch.log_softmax(logits.float(), dim=-1)

    def _pass1(
        self,
        hidden: Any,
        window: _Window,
        ids: Sequence[int],
        units: Sequence[_Unit],
        mine: Sequence[int],
        tokens: Sequence[int],
        scores: _Scores,
    ) -> None:
        """Score ``tokens`` and the candidates of the units ``mine`` from one window."""
        import torch

        by_first: dict[int, list[int]] = {}
        for i in mine:
            by_first.setdefault(units[i].a, []).append(i)
        rows = [t - window.start for t in tokens]  # hidden row r predicts token start + r
        for part, logprobs in self._logprobs(hidden, rows):
            targets = torch.tensor([ids[window.start + r] for r in part])
            picked = logprobs.gather(1, targets[:, None])[:, 0].tolist()
            for j, r in enumerate(part):
                t = window.start + r
                scores.token_lp[t] = picked[j]
                for i in by_first.get(t, ()):
                    self._rank(units[i], i, logprobs[j], scores)

    def _rank(self, unit: _Unit, i: int, logprobs: Any, scores: _Scores) -> None:
        """Score a unit's candidates from the row before the unit and rank them for pass 2.

        A candidate ranks by its score less ``_continuation_cost`` (a multi-piece
        candidate's score is its first piece's, an upper bound); the unit's bound
        is the best score itself.
        """
        import torch

        names = list(unit.candidates)
        firsts = [self._pieces[unit.lead + c][0] for c in names]
        values = logprobs[torch.tensor(firsts, dtype=torch.long)].tolist() if firsts else []
        # (rank, score, candidate); a stable sort keeps ties commonest first.
        ranked = [
            (v - self._continuation_cost(unit, c), v, c) for v, c in zip(values, names, strict=True)
        ]
        ranked.sort(key=lambda item: -item[0])
        shortlist = ranked[: self.top_k]
        if self.lm_candidates:
            predicted = [
                (v, v, c) for v, c in self._predicted(unit, logprobs, {c.lower() for c in names})
            ]
            # Rescored only where the model prefers it to the last thesaurus candidate rescored.
            bar = shortlist[-1][0] if len(shortlist) == self.top_k else -math.inf
            shortlist += [p for p in predicted[: self.lm_top_k] if p[0] + self.lm_penalty > bar]
            ranked = sorted([*ranked, *predicted], key=lambda item: -item[0])
        scores.bounds[i] = max((v for _, v, _ in ranked), default=None)
        scores.ranked[i] = [(v, c) for _, v, c in ranked]
        scores.shortlist[i] = [(v, c) for _, v, c in shortlist]
        scores.considered[i] = len(ranked)

    def _continuation_cost(self, unit: _Unit, candidate: str) -> float:
        """What a candidate's pieces after the first are taken to cost when it is ranked."""
        pieces = len(self._pieces[unit.lead + candidate])
        words = candidate.count(" ")
        return self.word_cost * words + self.piece_cost * max(0, pieces - 1 - words)

    def _predicted(self, unit: _Unit, logprobs: Any, known: set[str]) -> list[tuple[float, str]]:
        """The model's own top predictions at the unit that are close in meaning to it.

        Each is a whole word with the unit's leading space and capitalisation, no
        stopword, not the unit's own word or lemma nor one of its thesaurus
        candidates (lowercase ``known``), common enough (``min_zipf``), and close in
        meaning (``_close``).  Its score is its pass-1 log-probability less
        ``lm_penalty``; best first.
        """
        import torch

        values, top = torch.topk(logprobs, self.lm_candidates)
        found = []
        for value, token in zip(values.tolist(), top.tolist(), strict=True):
            piece = self._token_word(token)
            word = piece[len(unit.lead) :]
            if not piece.startswith(unit.lead) or len(word) < 2 or not word.isalpha():
                continue
            key = word.lower()
            if key in known or match_case(key, unit.text) != word or not self._close(unit.key, key):
                continue
            found.append((value - self.lm_penalty, word))
            self._pieces.setdefault(unit.lead + word, (token,))
        return found

    def _close(self, key: str, word: str) -> bool:
        """Whether the predicted lowercase ``word`` may stand for the unit ``key`` (remembered).

        It may when it is a common word, neither a stopword nor a form of the unit's
        own words, and it shares at least ``min_shared`` thesaurus synonyms with the
        unit (its lemmas' included) or its static MiniLM vector has a cosine of at
        least ``min_cosine`` with the unit's (``detector.meaning``).
        """
        pair = (key, word)
        cached = self._closeness.get(pair)
        if cached is not None:
            return cached
        lexicon = self.lexicon
        own = key.split(" ")
        close = (
            word not in STOPWORDS
            and word not in own
            and not any(lexicon.same_lemma(word, w) for w in own)
            and self._zipf(word) >= self.min_zipf
            and (
                len(self._meaning(key) & self._meaning(word)) >= self.min_shared
                or (self.min_cosine is not None and self._cosine(key, word) >= self.min_cosine)
            )
        )
        if len(self._closeness) >= _CACHE_SIZE:
            self._closeness.clear()
        self._closeness[pair] = close
        return close

    def _zipf(self, word: str) -> float:
        """Zipf frequency of a word, from the lexicon or, for a word it lacks, from wordfreq."""
        if word in self.lexicon:
            return self.lexicon.zipf(word)
        from wordfreq import zipf_frequency

        return zipf_frequency(word, "en")

    def _cosine(self, a: str, b: str) -> float:
        """Cosine of the static MiniLM vectors of ``a`` and ``b`` (0 without the MiniLM)."""
        if self._embeddings is None:
            from detector.meaning import EmbeddingsMissing, load_piece_embeddings

            try:
                self._embeddings = load_piece_embeddings(quiet=True)
            except EmbeddingsMissing:
                self._embeddings = False
        return self._embeddings.cosine(a, b) if self._embeddings else 0.0

    def _meaning(self, key: str) -> frozenset[int]:
        """Ids of the synonyms of ``key`` and of its lemmas (remembered)."""
        meaning = self._meanings.get(key)
        if meaning is None:
            lexicon = self.lexicon
            meaning = frozenset().union(
                *(lexicon.synonym_ids(t) for t in (key, *lexicon.lemma_forms(key)))
            )
            # A hub word's set holds hundreds of ids: a smaller bound than the others'.
            if len(self._meanings) >= _MEANING_CACHE_SIZE:
                self._meanings.clear()
            self._meanings[key] = meaning
        return meaning

    def _token_word(self, token: int) -> str:
        word = self._token_words.get(token)
        if word is None:
            word = self._token_words[token] = self.lm.tokenizer.decode([token])
        return word

    # ---- pass 2

    def _pass2(
        self,
        cache: Any,
        window: _Window,
        ids: Sequence[int],
        units: Sequence[_Unit],
        mine: Sequence[int],
        scores: _Scores,
    ) -> None:
        """Rescore the suspicious units of one window with their right context."""
        floors = scores.floors
        suspects = []
        for i in mine:
            unit, bound = units[i], scores.bounds[i]
            if floors is not None and floors[i] == math.inf:
                continue  # a second reading that would not be kept
            if bound is not None and bound - float(scores.token_lp[unit.a : unit.b].sum()) >= (
                self.margin_threshold
            ):
                suspects.append(i)
        read = self._rescore(
            cache, window, ids, units, scores, {i: scores.shortlist[i] for i in suspects}
        )
        # The shortlist's gain is the unit's evidence: what is flagged does not depend on
        # how widely the restoration is searched.  Units a candidate reads better than
        # have their next candidates rescored too, for the restoration alone.
        gains = {
            i: self._gain(units[i], window, max(total for total, _ in readings), scores)
            for i, readings in read.items()
        }
        more = {}
        for i, gain in gains.items():
            if gain > self.restore_gain and (floors is None or gain > floors[i]):
                extra = self._restore_candidates(units[i], scores.ranked[i], scores.shortlist[i])
                if extra:
                    more[i] = extra
        for i, found in self._rescore(cache, window, ids, units, scores, more).items():
            read[i] += found
        for i, gain in gains.items():
            scores.gains[i] = gain
            scores.winners[i] = self._restoration(units[i], read[i])

    def _restore_candidates(
        self,
        unit: _Unit,
        ranked: Sequence[tuple[float, str]],
        shortlist: Sequence[tuple[float, str]],
    ) -> list[tuple[float, str]]:
        """The candidates rescored for a unit's restoration besides its ``shortlist``, up to
        ``restore_top_k`` in all: the best by pass-1 rank and the restoration's prior
        (``_priors``) together, the likeliest to win the restoration.

        Measured (docs/eval/notes.md, 2026-12-03 evening): ranked by pass 1 alone,
        the original was rescored for 72% of the hand-spun swaps; with the prior,
        6 candidates restore as many swaps exactly as 8 did without it.
        """
        if self.restore_top_k <= len(shortlist):
            return []
        shortlisted = {c for _, c in shortlist}
        others = [r for r in ranked if r[1] not in shortlisted]
        priors = self._priors(unit.key, [c for _, c in others])
        # sorted() is stable: ties keep the pass-1 order (commonest first).
        ordered = sorted(
            zip(others, priors, strict=True),
            key=lambda rp: -(rp[0][0] - self._continuation_cost(unit, rp[0][1]) + rp[1]),
        )
        return [r for r, _ in ordered[: self.restore_top_k - len(shortlist)]]

    def _priors(self, key: str, candidates: Sequence[str]) -> list[float]:
        """How much the restoration favours each of ``candidates`` for the unit ``key``:
        ``closeness_weight`` times ``ln(1 + synonyms they share)`` (their lemmas'
        included) less ``entry_size_weight`` times ``ln(1 + the candidate's entry size)``.

        The unit's synonyms are marked once in a table over the thesaurus's terms (its own,
        so a judge shared by threads stays right) and each candidate's looked up in it: a
        unit's ranked candidates run to a hundred, and building each one's set of synonyms
        took a sixth of a spun article's reading.
        """
        if not self.closeness_weight and not self.entry_size_weight:
            return [0.0] * len(candidates)
        import numpy as np

        marks = np.zeros(len(self.lexicon.terms), dtype=bool)  # 0.2 MB: ~20 µs a unit
        marks[self._meaning_ids(key)] = True
        priors = []
        for candidate in candidates:
            entry = self._meaning_ids(candidate.lower())
            shared = int(np.count_nonzero(marks[entry]))
            priors.append(
                self.closeness_weight * math.log1p(shared)
                - self.entry_size_weight * math.log1p(entry.size)
            )
        return priors

    def _meaning_ids(self, key: str) -> Any:
        """``_meaning(key)`` as a numpy array of distinct term ids (remembered): a tenth of
        the memory of a set, so many more are kept."""
        ids = self._meaning_arrays.get(key)
        if ids is None:
            import numpy as np

            lexicon = self.lexicon
            found = [lexicon.term_id(t) for t in (key, *lexicon.lemma_forms(key))]
            arrays = [lexicon.synonym_array(i) for i in found if i is not None]
            if not arrays:
                ids = np.zeros(0, dtype=np.int64)
            elif len(arrays) == 1:
                ids = arrays[0]
            else:
                ids = np.unique(np.concatenate(arrays))
            if len(self._meaning_arrays) >= _MEANING_ARRAY_CACHE_SIZE:
                self._meaning_arrays.clear()
            self._meaning_arrays[key] = ids
        return ids

    def _restoration(self, unit: _Unit, readings: Sequence[tuple[float, str]]) -> str:
        """The restored original among a unit's rescored ``readings`` (total, candidate):
        the best reading, helped by closeness in meaning (``closeness_weight``) and held
        back by a large thesaurus entry (``entry_size_weight``)."""
        if not self.closeness_weight and not self.entry_size_weight:
            return max(readings, key=lambda r: r[0])[1]
        priors = self._priors(unit.key, [c for _, c in readings])
        return max(zip(readings, priors, strict=True), key=lambda rp: (rp[0][0] + rp[1], rp[0][1]))[
            0
        ][1]

    def _gain(self, unit: _Unit, window: _Window, total: float, scores: _Scores) -> float:
        """How much better a candidate reading ``total`` of the unit and its right context is."""
        stop = self._context_stop(unit, window)
        written = float(scores.token_lp[unit.a : stop].sum())
        return total - written - self.length_cost * _word_count(unit.text)

    def _rescore(
        self,
        cache: Any,
        window: _Window,
        ids: Sequence[int],
        units: Sequence[_Unit],
        scores: _Scores,
        candidates: dict[int, list[tuple[float, str]]],
    ) -> dict[int, list[tuple[float, str]]]:
        """For each unit of ``candidates`` (its pass-1 scored candidates), each of them
        read with the right context: (log-likelihood of it and the context, plus
        ``length_cost`` per word of the candidate; candidate)."""
        jobs: list[tuple[int, str, list[int]]] = []  # (unit, candidate, tokens to read)
        firsts: list[float] = []
        for i, listed in candidates.items():
            unit = units[i]
            right = list(ids[unit.b : self._context_stop(unit, window)])
            for first, candidate in listed:
                jobs.append((i, candidate, [*self._pieces[unit.lead + candidate], *right]))
                firsts.append(first)
        if not jobs:
            return {}
        scores.pass2_tokens += sum(len(tokens) - 1 for _, _, tokens in jobs)
        read = self._read_continuations(cache, window, units, jobs)
        found: dict[int, list[tuple[float, str]]] = {}
        for (i, candidate, _), first, continuation in zip(jobs, firsts, read, strict=True):
            total = first + continuation + self.length_cost * _word_count(candidate)
            found.setdefault(i, []).append((total, candidate))
        return found

    def _read_continuations(
        self,
        cache: Any,
        window: _Window,
        units: Sequence[_Unit],
        jobs: Sequence[tuple[int, str, list[int]]],
    ) -> list[float]:
        """For each job, ``log P(tokens[1:] | left, tokens[0])`` read over the window's cache.

        Each job's tokens replace its unit: they attend to the window up to the
        unit and to themselves, at the unit's positions.  Many jobs share one
        forward pass, each behind its own block of the attention mask.
        """
        import torch

        length = window.stop - window.start + 1  # cached positions, BOS included
        head = self.lm.model.get_output_embeddings()
        results = [0.0] * len(jobs)
        batch: list[int] = []
        size = 0
        order = [j for j in range(len(jobs)) if len(jobs[j][2]) > 1]
        for position, j in enumerate(order):
            batch.append(j)
            size += len(jobs[j][2]) - 1
            if size < self.batch_tokens and position < len(order) - 1:
                continue
            fed, owner, step, places, targets = [], [], [], [], []
            for slot, job in enumerate(batch):
                i, _, tokens = jobs[job]
                first = units[i].a - window.start + 1  # the unit's first position
                for s, token in enumerate(tokens[:-1]):
                    fed.append(token)
                    owner.append(slot)
                    step.append(s)
                    places.append(first + s)
                targets.extend(tokens[1:])
            owner_t = torch.tensor(owner)
            step_t = torch.tensor(step)
            places_t = torch.tensor(places)
            starts_t = places_t - step_t
            # No job sees the cache past its unit's start: read over that prefix only, where
            # the cache can lend one (detector.llama); transformers' cache is read whole.
            seen = int(starts_t.max())
            prefix = cache.prefix(seen) if hasattr(cache, "prefix") else None
            keys = seen if prefix is not None else length
            sees_cache = torch.arange(keys)[None, :] < starts_t[:, None]
            sees_self = (owner_t[:, None] == owner_t[None, :]) & (
                step_t[None, :] <= step_t[:, None]
            )
            allowed = torch.cat([sees_cache, sees_self], dim=1)
            mask = torch.zeros(allowed.shape, dtype=torch.float32)
            mask.masked_fill_(~allowed, torch.finfo(torch.float32).min)
            out = self.lm.model.base_model(
                input_ids=torch.tensor([fed]),
                attention_mask=mask[None, None],
                position_ids=places_t[None],
                past_key_values=prefix if prefix is not None else cache,
                use_cache=True,
            )
            if prefix is None:
                _crop(cache, length)
            hidden = out.last_hidden_state[0]
            del out
            targets_t = torch.tensor(targets)
            picked = torch.empty(len(targets))
            # A chunk of rows at a time: a whole batch of vocabulary rows is 0.2 GB in float32.
            for k in range(0, len(targets), _HEAD_ROWS):
                rows = slice(k, k + _HEAD_ROWS)
                logprobs = torch.log_softmax(head(hidden[rows]).float(), dim=-1)
                picked[rows] = logprobs.gather(1, targets_t[rows, None])[:, 0]
                del logprobs
            sums = torch.zeros(len(batch)).index_add_(0, owner_t, picked).tolist()
            for slot, job in enumerate(batch):
                results[job] = sums[slot]
            batch, size = [], 0
        return results

    # ---- readings

    def _reading(self, unit: _Unit, i: int, scores: _Scores) -> UnitReading:
        ranked, bound = scores.ranked[i], scores.bounds[i]
        logprob = float(scores.token_lp[unit.a : unit.b].sum())
        return UnitReading(
            lo=unit.lo,
            hi=unit.hi,
            start=unit.start,
            end=unit.end,
            text=unit.text,
            logprob=logprob,
            margin=bound - logprob if bound is not None else None,
            gain=scores.gains[i],
            restored=scores.winners[i] or (ranked[0][1] if ranked else ""),
            candidates_considered=scores.considered[i],
        )

    def _sentences(
        self, document: Document, offsets: Sequence[tuple[int, int]], token_lp: Any
    ) -> tuple[SentenceSurprisal, ...]:
        """Each sentence's mean surprisal; a token belongs where its last character lies."""
        sentences = document.sentences
        if not sentences:
            return ()  # no words ("... !!! ???"): no sentence to score
        bounds = [document.starts[lo] for lo, _ in sentences[1:]]
        totals = [0.0] * len(sentences)
        counts = [0] * len(sentences)
        for (_, end), lp in zip(offsets, token_lp.tolist(), strict=True):
            if math.isnan(lp):
                continue
            k = bisect_right(bounds, end - 1)
            totals[k] -= lp
            counts[k] += 1
        return tuple(
            SentenceSurprisal(
                lo=lo,
                hi=hi,
                start=document.starts[lo],
                end=document.ends[hi - 1],
                tokens=counts[k],
                surprisal=totals[k] / counts[k] if counts[k] else math.nan,
            )
            for k, (lo, hi) in enumerate(sentences)
            if hi > lo
        )
