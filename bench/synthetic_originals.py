"""Synthetic originals for large archives: sentences recombined, names, numbers and places varied.

``bench_index.py`` used to make each original from 3 to 6 whole paragraphs of the shared
corpora; at a million originals each of the ~6,400 paragraphs would recur hundreds of
times, with the same names and numbers, which makes the index's LSH buckets far heavier
than a real archive's.  Here each original is built with its own seed:

- its paragraphs are 2 to 4 *sentences* drawn from different stories (not whole
  paragraphs), so two originals rarely share a run of sentences;
- every capitalised word that does not open a sentence (names, places, organisations) is
  mapped, consistently within the original, to a name made from syllables (a pool of
  about 10^6 names), so the immutables the fast path keys on differ from original to
  original;
- every number keeps its number of digits but takes new digits (years stay plausible);
- optionally (``spin_rate > 0``) the result is spun lightly with
  ``detector.spin.spinner`` (Moby profile), which varies the words between immutables.

``variety`` measures what that buys: the share of distinct sentences and of distinct
capitalised words in a sample.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterator

__all__ = ["SentencePool", "variety"]

_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’)]))\s+(?=[\"“‘(]?[A-Z0-9])")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d+")
_ONSETS = [*"b br c ch d dr f g gr h j k l m n p pr r s sh st t tr v w z".split(), ""]
_VOWELS = "a e i o u ai ea ou io ia".split()
_CODAS = ["", "", "n", "r", "s", "l", "th", "m", "x", "nd", "rk"]
# Capitalised words left as they are: pronoun, months, days and titles keep the text readable.
_KEEP = set(
    "I A The Mr Mrs Ms Dr Monday Tuesday Wednesday Thursday Friday Saturday Sunday January "
    "February March April May June July August September October November December".split()
)


def sentences_of(paragraph: str) -> list[str]:
    """The sentences of ``paragraph`` (split after . ! ? before a capital or digit)."""
    return [s.strip() for s in _SENTENCE_END.split(paragraph) if len(s.split()) >= 4]


def make_name(rng: random.Random) -> str:
    """A pronounceable capitalised name of 2 or 3 syllables."""
    parts = [rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(rng.randint(2, 3))]
    return ("".join(parts) + rng.choice(_CODAS)).capitalize()


class SentencePool:
    """Originals recombined from the sentences of ``paragraphs``; see the module docstring.

    ``original(k)`` depends only on ``k`` and ``seed``, so a stream can be regenerated (or
    split across processes) without keeping it in memory.
    """

    def __init__(self, paragraphs: list[str], *, seed: int = 1, spin_rate: float = 0.0):
        if not 0.0 <= spin_rate < 1.0:
            raise ValueError(f"the 'spin_rate' parameter must be in [0, 1), got {spin_rate!r}")
        self.sentences = [s for p in paragraphs for s in sentences_of(p)]
        if not self.sentences:
            raise ValueError("the 'paragraphs' parameter holds no sentence of 4 words or more")
        self.seed = seed
        self.spin_rate = spin_rate
        self._spinner = None

    def original(self, k: int) -> str:
        """The ``k``-th original: 3 to 6 paragraphs of 2 to 4 recombined, varied sentences."""
        rng = random.Random(f"{self.seed}:{k}")
        names: dict[str, str] = {}
        paragraphs = []
        for _ in range(rng.randint(3, 6)):
            chosen = [rng.choice(self.sentences) for _ in range(rng.randint(2, 4))]
            paragraphs.append(" ".join(self._vary(s, rng, names) for s in chosen))
        text = "\n\n".join(paragraphs)
        if self.spin_rate:
            if self._spinner is None:
                from detector.spin.spinner import Spinner

                self._spinner = Spinner.from_profile("moby")
            text = self._spinner.spin(text, rate=self.spin_rate, seed=k).text
        return text

    def originals(self, n: int, start: int = 0) -> Iterator[str]:
        """Originals ``start`` to ``start + n - 1``, one at a time."""
        for k in range(start, start + n):
            yield self.original(k)

    @staticmethod
    def _vary(sentence: str, rng: random.Random, names: dict[str, str]) -> str:
        first = True

        def replace(m: re.Match[str]) -> str:
            nonlocal first
            word = m.group()
            opening, first = first, False
            if word.isdigit():
                if len(word) == 4 and word[:2] in ("19", "20"):
                    return str(rng.randint(1950, 2030))
                return str(rng.randint(1 if len(word) > 1 else 0, 9)) + "".join(
                    str(rng.randint(0, 9)) for _ in word[1:]
                )
            if opening or not word[:1].isupper() or word in _KEEP:
                return word
            if word not in names:
                names[word] = make_name(rng)
            return names[word]

        return _WORD.sub(replace, sentence)


def variety(texts: list[str]) -> dict[str, float]:
    """Distinct sentences and capitalised words among ``texts`` and the most repeated sentence."""
    sentences = Counter(s for t in texts for p in t.split("\n\n") for s in sentences_of(p))
    capitals = Counter(
        w for t in texts for w in _WORD.findall(t) if w[:1].isupper() and w not in _KEEP
    )
    total = sum(sentences.values()) or 1
    return {
        "sentences": total,
        "distinct_sentences": len(sentences) / total,
        "max_sentence_repeats": max(sentences.values(), default=0),
        "capitalised": sum(capitals.values()),
        "distinct_capitalised": len(capitals) / (sum(capitals.values()) or 1),
    }
