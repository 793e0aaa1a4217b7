"""When a text is spun, from how many of its content words a model flags: a length-aware rule.

A reference-free model flags some words of every text, spun or not: a clean
text holds words the model finds unusual.  Counting a share of flagged words
against one fixed cut treats a 60-word paragraph like an 800-word article, yet
four flags in 40 words are much weaker evidence than forty in 400: the share
of a short text swings widely by chance.  The rule here asks for the expected
false-flag share plus a margin that shrinks with length::

    excess = min((flagged - rate * content) / sqrt(content) - slack,
                 (flagged - floor * content) / sqrt(content))

and calls the text spun when ``excess >= 0``; ``rate`` is the share of flags
clean text may carry, ``slack`` the chance swing allowed, in units of
``sqrt(content)``, and ``floor`` the share no spun verdict goes below however
long the text (long clean articles written in a rich style reach a few per
cent of flags, where the slack term has shrunk).  ``probability`` maps the
excess to (0, 1), 0.5 at the cut.  ``training/fit_hybrid.py`` fits the numbers
on clean texts of every length (news, short news excerpts, technical prose) and
spun ones (``training.calibration``).  With ``long_from``, a text of that many
content words or more is judged by the floor alone: a model whose flags on short
clean prose need a wide slack (the fine-tuned transformer) would otherwise ask
a whole article for a share far over any clean article's (10% of 300 content
words against a floor of 6.6%).

Counting flags is not enough on prose written in a rich style.  An opinion
column that varies its nouns ("the measure", "the bill", "the legislation") and
reaches for vivid words ("faintly absurd", "fritter away") gives the language
model many words that a commoner synonym reads better than, often as many as a
lightly spun article has: in fourteen such texts (``tests/fixtures/clean_styles``)
the judge read 4% to 14% of the content words better as a synonym (by over 4
nats), and the hybrid called seven of them spun.  What such a text lacks is a
word that is plainly wrong where it stands, which a sense-blind swap leaves
("the corporate's Chief of Employees").  The strongest gain in those fourteen
texts was 12.0 nats; in every hand-spun paragraph of the tuning set that the
hybrid calls spun it was 15 to 30, and in the synthetic validation articles
spun at the lowest rates 17 to 50.  The ``EvidenceGate`` asks for one such word
(``min_gain``: 13 nats): a text without one is not spun, however many mild
flags it has.  The other way round, a text in which several units are each
plainly wrong (``corroborating_units`` of them, each over ``corroborating_gain``)
is spun however few its flags: light spinning leaves too few flags for the
count but several such words.  And a short text spun so densely that few of its
words are left to read the swaps against (22 of 45 content words, "The
corporation's Chief of Employees utterly rebuffed the account") may have no
single unit over the bar: a text with a share of flagged content words far over
any clean text's (``dense_share``, at least ``dense_flags`` of them) is judged by
its count alone.  So is a heavy spin of plausible synonyms, the way free online
spinners write ("organization" for "company", "examiners" for "analysts"): every
swap reads a little wrong and none plainly (five such texts written by hand: 21 to
31 flags on 20% to 28% of their content words, the strongest unit 11.6 to 12.6
nats).  The hybrid's clean texts reach 16.1% at most, the hand-written ones in a
rich style; the ``lm`` model's, whose flags run higher, 24%.

A rich style can still pass both: a florid review has many flags and a rare word read
18 nats better as a commoner one ("chandlery", "perfunctory").  Its odd words are rare;
a spinner's swaps leave ordinary words plainly wrong ("Chief of Employees").  So a text
that is not dense is spun only when enough units written in words of common use read
plainly wrong for its length (``ordinary_density``: 0.3 x sqrt(words) units of Zipf
frequency 2.5 or more over 8 nats, chosen on the hand-written sets: 10 -> 2 of their 223
clean texts called spun by the hybrid, 112 -> 111 of 140 spun ones).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from detector.stopwords import STOPWORDS

__all__ = ["EvidenceGate", "LengthAwareRule", "content_flags", "evidence_line"]


def _logistic(z: float) -> float:
    z = max(-40.0, min(40.0, z))
    return 1.0 / (1.0 + math.exp(-z))


def strongest_gain(gains: Sequence[float]) -> float | None:
    """The highest of ``gains`` (nan is no evidence), or None without any."""
    return max((g for g in gains if g == g), default=None)


def content_flags(
    words: Sequence[str], probabilities: Sequence[float], threshold: float
) -> tuple[int, int]:
    """(flagged, content): how many content words (not stopwords) there are, and how many
    of them have a probability at or above ``threshold``."""
    flagged = content = 0
    for word, probability in zip(words, probabilities, strict=True):
        if word in STOPWORDS:
            continue
        content += 1
        flagged += probability >= threshold
    return flagged, content


@dataclass(frozen=True, slots=True)
class LengthAwareRule:
    """Spun when ``flagged >= max(rate * content + slack * sqrt(content), floor * content)``
    (``flagged >= floor * content`` from ``long_from`` content words; see the module
    docstring).

    Attributes
    ----------
    rate : float
        The share of content words a clean text may have flagged (0..1).
    slack : float
        The margin above it, in units of ``sqrt(content)``: large for short texts
        relative to their length, small for long ones.
    scale : float
        How steeply ``probability`` rises through 0.5 at the cut (> 0).
    floor : float
        The smallest share of flagged content words that can make a text spun (0..1).
    long_from : int
        From this many content words on, the floor alone decides (0: never).
    """

    rate: float
    slack: float
    scale: float = 1.0
    floor: float = 0.0
    long_from: int = 0

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"the 'rate' of a LengthAwareRule must be in [0, 1], got {self.rate}")
        if self.slack < 0:
            raise ValueError(f"the 'slack' of a LengthAwareRule must be >= 0, got {self.slack}")
        if not 0.0 <= self.floor <= 1.0:
            raise ValueError(
                f"the 'floor' of a LengthAwareRule must be in [0, 1], got {self.floor}"
            )
        if not self.scale > 0:
            raise ValueError(f"the 'scale' of a LengthAwareRule must be > 0, got {self.scale}")
        if self.long_from < 0:
            raise ValueError(
                f"the 'long_from' of a LengthAwareRule must be >= 0, got {self.long_from}"
            )

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> LengthAwareRule:
        """The rule a model's ``config.json`` stores under ``document_rule``."""
        return cls(
            rate=float(config["rate"]),
            slack=float(config["slack"]),
            scale=float(config.get("scale", 1.0)),
            floor=float(config.get("floor", 0.0)),
            long_from=int(config.get("long_from", 0)),
        )

    def to_config(self) -> dict[str, float]:
        """The rule as ``config.json`` stores it."""
        config = {
            "rate": round(self.rate, 6),
            "slack": round(self.slack, 6),
            "floor": round(self.floor, 6),
            "scale": self.scale,
        }
        if self.long_from:
            config["long_from"] = self.long_from
        return config

    def _judged_by_floor_alone(self, content: int) -> bool:
        return bool(self.long_from) and content >= self.long_from

    def excess(self, flagged: int, content: int) -> float:
        """How far ``flagged`` of ``content`` words lie above the cut (>= 0: spun; never
        with no flags)."""
        if content <= 0 or flagged <= 0:
            return -math.inf
        root = math.sqrt(content)
        above_floor = (flagged - self.floor * content) / root
        if self._judged_by_floor_alone(content):
            return above_floor
        return min((flagged - self.rate * content) / root - self.slack, above_floor)

    def needed(self, content: int) -> int:
        """The fewest flagged words that make a text of ``content`` words spun."""
        if content <= 0:
            raise ValueError(f"'content' must be > 0, got {content}")
        cut = self.floor * content
        if not self._judged_by_floor_alone(content):
            cut = max(self.rate * content + self.slack * math.sqrt(content), cut)
        return max(1, math.ceil(cut - 1e-9))

    def probability(self, flagged: int, content: int) -> float:
        """The document spin probability: 0.5 exactly at the cut, rising with the excess."""
        z = self.excess(flagged, content) * self.scale
        return 0.0 if z == -math.inf else _logistic(z)


@dataclass(frozen=True, slots=True)
class EvidenceGate:
    """A text is spun only when some unit reads at least ``min_gain`` nats better restored
    (see the module docstring); and, with ``corroborating_units``, a text in which that many
    units each read at least ``corroborating_gain`` nats better restored is spun however
    few its flags.

    A lightly spun article (14 swaps in 300 words) has too few flags for the count
    rule, yet its swaps are plainly wrong where they stand, several of them by over
    11 nats; clean text rarely has one such word and almost never three (the third
    strongest gain of 96 test-side hard negatives is at most 10.3 nats, of 200
    clean non-news texts at most 8.2).  ``training/fit_hybrid.py`` sets
    ``corroborating_gain`` a margin above the highest such gain of the validation
    split's clean texts, and of the unit counts that catch about as many spun
    validation texts, takes the largest: honest English by a non-native or regional
    writer has a few strongly odd words (a Nigerian news report: four over 11 nats),
    a spinner's text many.

    Attributes
    ----------
    min_gain : float
        The strongest unit's gain (nats) at which ``probability`` is 0.5.
    scale : float
        How steeply ``probability`` and ``corroborated`` rise through 0.5, per nat (> 0).
    corroborating_units : int
        How many strong units make a text spun on their own (0: never).
    corroborating_gain : float
        The gain (nats) of the ``corroborating_units``-th strongest unit at which
        ``corroborated`` is 0.5.
    dense_share : float
        A text with at least this share of its content words flagged (and at least
        ``dense_flags`` of them) is not held under the strongest unit's gate (inf: never).
    dense_flags : int
        See ``dense_share``: fewer flags are chance in a very short text.
    ordinary_density : float
        With ``ordinary_gain`` and ``ordinary_zipf``: a text is spun only when at least
        ``ordinary_density * sqrt(words)`` of its units written in words of common use
        read ``ordinary_gain`` nats better restored (0: no such rule; see ``ordinary``).
    ordinary_gain : float
        The gain (nats) a unit in a word of common use needs to count for that rule.
    ordinary_zipf : float
        The Zipf frequency from which a written word (a phrase: its rarest word) is in
        common use.
    """

    min_gain: float
    scale: float = 2.0
    corroborating_units: int = 0
    corroborating_gain: float = math.inf
    dense_share: float = math.inf
    dense_flags: int = 6
    ordinary_density: float = 0.0
    ordinary_gain: float = math.inf
    ordinary_zipf: float = 0.0

    def __post_init__(self) -> None:
        if not math.isfinite(self.min_gain):
            raise ValueError(
                f"the 'min_gain' of an EvidenceGate must be finite, got {self.min_gain}"
            )
        if not self.scale > 0:
            raise ValueError(f"the 'scale' of an EvidenceGate must be > 0, got {self.scale}")
        if self.corroborating_units < 0:
            raise ValueError(
                "the 'corroborating_units' of an EvidenceGate must be >= 0, "
                f"got {self.corroborating_units}"
            )
        if self.corroborating_units and not math.isfinite(self.corroborating_gain):
            raise ValueError(
                "the 'corroborating_gain' of an EvidenceGate must be finite, "
                f"got {self.corroborating_gain}"
            )
        if not self.dense_share > 0 or self.dense_flags < 1:
            raise ValueError(
                "the 'dense_share' and 'dense_flags' of an EvidenceGate must be > 0 and >= 1, "
                f"got {self.dense_share} and {self.dense_flags}"
            )
        if not (math.isfinite(self.ordinary_density) and self.ordinary_density >= 0) or (
            self.ordinary_density and not math.isfinite(self.ordinary_gain)
        ):
            raise ValueError(
                "the 'ordinary_density' of an EvidenceGate must be finite and >= 0, with a finite "
                f"'ordinary_gain', got {self.ordinary_density} and {self.ordinary_gain}"
            )

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> EvidenceGate:
        """The gate a model's ``config.json`` stores under ``evidence_gate``."""
        units = int(config.get("corroborating_units", 0))
        return cls(
            min_gain=float(config["min_gain"]),
            scale=float(config.get("scale", 2.0)),
            corroborating_units=units,
            corroborating_gain=float(config["corroborating_gain"]) if units else math.inf,
            dense_share=float(config.get("dense_share", math.inf)),
            dense_flags=int(config.get("dense_flags", 6)),
            ordinary_density=float(config.get("ordinary_density", 0.0)),
            ordinary_gain=float(config.get("ordinary_gain", math.inf)),
            ordinary_zipf=float(config.get("ordinary_zipf", 0.0)),
        )

    def to_config(self) -> dict[str, float]:
        """The gate as ``config.json`` stores it."""
        config: dict[str, float] = {"min_gain": self.min_gain, "scale": self.scale}
        if self.corroborating_units:
            config |= {
                "corroborating_units": self.corroborating_units,
                "corroborating_gain": self.corroborating_gain,
            }
        if math.isfinite(self.dense_share):
            config |= {"dense_share": self.dense_share, "dense_flags": self.dense_flags}
        if self.ordinary_density:
            config |= {
                "ordinary_density": self.ordinary_density,
                "ordinary_gain": self.ordinary_gain,
                "ordinary_zipf": self.ordinary_zipf,
            }
        return config

    def dense(self, flagged: int, content: int) -> bool:
        """Whether ``flagged`` of ``content`` content words is a share no clean text has."""
        return flagged >= self.dense_flags and flagged >= self.dense_share * max(1, content)

    def corroborated(self, gains: Sequence[float]) -> float:
        """How likely a text whose units gain ``gains`` nats is spun on the strength of its
        ``corroborating_units`` strongest alone: 0.5 when the weakest of them gains
        ``corroborating_gain``; 0 when the gate has no such rule or too few units."""
        k = self.corroborating_units
        finite = [g for g in gains if g == g]  # nan is no evidence
        if not k or len(finite) < k:
            return 0.0
        kth = sorted(finite, reverse=True)[k - 1]
        return _logistic((kth - self.corroborating_gain) * self.scale)

    def probability(self, strongest: float | None) -> float:
        """How likely a text whose strongest unit gains ``strongest`` nats (None: no unit
        was rescored) is spun, as far as this evidence goes: 0.5 at ``min_gain``."""
        if strongest is None or strongest != strongest:  # none, or nan
            return 0.0
        return _logistic((strongest - self.min_gain) * self.scale)

    def limit(self, probability: float, strongest: float | None) -> float:
        """A document probability held under this gate's (the smaller of the two)."""
        return min(probability, self.probability(strongest))

    def ordinary_needed(self, words: int) -> int:
        """How many units in words of common use a text of ``words`` words needs over
        ``ordinary_gain`` (0 without the rule)."""
        if not self.ordinary_density:
            return 0
        return math.ceil(self.ordinary_density * math.sqrt(max(1, words)) - 1e-9)

    def ordinary(self, count: int, words: int) -> float:
        """How likely a text of ``words`` words with ``count`` units in words of common use
        over ``ordinary_gain`` is spun, as far as this evidence goes: 0.5 at
        ``ordinary_density * sqrt(words)`` units, rising 2 logits a unit; 1 without the rule.

        Prose in a rich style reads like a spun text to the language model: its apt rare
        words ("perfunctory", "skeins", "contumacious") read far better as a commoner
        synonym, many by over 13 nats.  What it rarely has is many ordinary words read
        plainly wrong, which sense-blind swaps leave all over a text ("Chief of
        Employees", "expressed" for "said", "the center" for "the core")."""
        if not self.ordinary_density:
            return 1.0
        return _logistic((count - self.ordinary_density * math.sqrt(max(1, words))) * 2.0)

    def judge(
        self,
        probability: float,
        gains: Sequence[float],
        flagged: int = 0,
        content: int = 0,
        *,
        ordinary: int | None = None,
        words: int = 0,
    ) -> float:
        """The document probability of a text whose count rule gives ``probability``, whose
        units gain ``gains`` and which has ``flagged`` of its ``content`` content words
        flagged: held under the strongest unit's gate unless it is ``dense``, raised to the
        corroborating units' probability where that is higher; and, given the ``ordinary``
        units of a text of ``words`` words, held under ``ordinary`` unless ``dense``."""
        if self.dense(flagged, content):
            return max(probability, self.corroborated(gains))
        judged = max(self.limit(probability, strongest_gain(gains)), self.corroborated(gains))
        if ordinary is None:
            return judged
        return min(judged, self.ordinary(ordinary, words))


def evidence_line(
    rule: LengthAwareRule | None,
    gate: EvidenceGate | None,
    flagged: int,
    content: int,
    gains: Sequence[float],
    shown: int | None = None,
    *,
    strongest: tuple[str, str] | None = None,
    ordinary: int | None = None,
    words: int = 0,
) -> str | None:
    """The evidence behind a reference-free verdict in one line, against the model's own
    cuts: the flag count against ``rule``'s, the strongest unit's gain against ``gate``'s
    (None without a rule).

    "22 of 130 content words flagged (15 make a text this long spun); the strongest
    reads 9.8 nats better restored (13 nats make a word plainly wrong). A spun verdict
    needs enough flags and one plainly wrong word, or 5 words each over 9.75 nats (2
    here).": a text called clean with many flags says which of the rules held it.
    ``shown``: the content words the report flags, when the rule counts fewer of them
    (``flagged``): "7 of 304 content words flagged, but only 3 strongly enough to count
    for the verdict, where 15 make ...".  ``strongest``: the strongest unit as written and as
    restored, named in the line ('the strongest, "ascent" (read as "rise"), reads 15.9
    nats better restored').  ``ordinary``: the units in words of common use over the
    gate's ``ordinary_gain``, of a text of ``words`` words, named when they held a text
    the other rules call spun.
    """
    if rule is None or content <= 0:
        return None
    needed = f"({rule.needed(content)} make a text this long spun)"
    if shown is not None and shown != flagged:
        # "only" when the counted flags fall short: "22 flagged (22 make it spun)" read as
        # met to a user, who then could not see what held the text.
        counted = f"but only {flagged}" if flagged < rule.needed(content) else f"{flagged} of them"
        line = (
            f"{shown} of {content} content words flagged, {counted} strongly enough "
            f"to count for the verdict, where {rule.needed(content)} make a text this long spun"
        )
    else:
        line = f"{flagged} of {content} content words flagged {needed}"
    if gate is None:
        return line
    if gate.dense(flagged, content):
        return line + "; flagged so densely that no single word need be plainly wrong"
    best = strongest_gain(gains)
    if best is None:
        return line + "; no word was read again with the words after it"
    named = "the strongest"
    if strongest is not None and strongest[1]:
        named = f'the strongest, "{strongest[0]}" (read as "{strongest[1]}"),'
    reads = f"{named} reads {best:.1f} nats better restored"
    wrong = f"{gate.min_gain:g} nats make a word plainly wrong"
    needs = "A spun verdict needs enough flags and one plainly wrong word"
    if gate.corroborating_units and math.isfinite(gate.corroborating_gain):
        strong = sum(g >= gate.corroborating_gain for g in gains if g == g)
        needs += (
            f", or {gate.corroborating_units} words each over {gate.corroborating_gain:g} "
            f"nats ({strong} here)"
        )
    needs += "."
    if (
        ordinary is not None
        and gate.ordinary(ordinary, words) < 0.5
        and (
            (flagged >= rule.needed(content) and best >= gate.min_gain)
            or gate.corroborated(gains) >= 0.5
        )
    ):  # the other rules call it spun: say what held it
        return line + (
            f"; {reads}, but few words in common use read wrong: {ordinary} read over "
            f"{gate.ordinary_gain:g} nats better restored ({gate.ordinary_needed(words)} make "
            "a text this long spun; a rich style's rare words read like swaps, a spinner's "
            "ordinary ones plainly wrong)"
        )
    if flagged >= rule.needed(content):  # the count was met: say what held the text
        return line + f", but no word is plainly wrong: {reads} ({wrong}). {needs}"
    if best >= gate.min_gain:  # a plainly wrong word, but the count was not met
        return line + f": too few, though {reads} ({wrong}). {needs}"
    return line + f"; {reads} ({wrong}). {needs}"
