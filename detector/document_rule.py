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
spun ones (``training.calibration``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from detector.stopwords import STOPWORDS

__all__ = ["LengthAwareRule", "content_flags"]


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
    (see the module docstring).

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
    """

    rate: float
    slack: float
    scale: float = 1.0
    floor: float = 0.0

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

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> LengthAwareRule:
        """The rule a model's ``config.json`` stores under ``document_rule``."""
        return cls(
            rate=float(config["rate"]),
            slack=float(config["slack"]),
            scale=float(config.get("scale", 1.0)),
            floor=float(config.get("floor", 0.0)),
        )

    def to_config(self) -> dict[str, float]:
        """The rule as ``config.json`` stores it."""
        return {
            "rate": round(self.rate, 6),
            "slack": round(self.slack, 6),
            "floor": round(self.floor, 6),
            "scale": self.scale,
        }

    def excess(self, flagged: int, content: int) -> float:
        """How far ``flagged`` of ``content`` words lie above the cut (>= 0: spun; never
        with no flags)."""
        if content <= 0 or flagged <= 0:
            return -math.inf
        root = math.sqrt(content)
        return min(
            (flagged - self.rate * content) / root - self.slack,
            (flagged - self.floor * content) / root,
        )

    def needed(self, content: int) -> int:
        """The fewest flagged words that make a text of ``content`` words spun."""
        if content <= 0:
            raise ValueError(f"'content' must be > 0, got {content}")
        cut = max(self.rate * content + self.slack * math.sqrt(content), self.floor * content)
        return max(1, math.ceil(cut - 1e-9))

    def probability(self, flagged: int, content: int) -> float:
        """The document spin probability: 0.5 exactly at the cut, rising with the excess."""
        z = self.excess(flagged, content) * self.scale
        if z == -math.inf:
            return 0.0
        z = max(-40.0, min(40.0, z))
        return 1.0 / (1.0 + math.exp(-z))
