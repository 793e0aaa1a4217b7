"""Synonym sources for the spinner: what a spinner would write instead of a word.

A thesaurus here answers one question: given a lowercase word or phrase from an
article ("said", "children", "carry out"), what does a spinner put in its place
("stated", "kids", "accomplish")?  The answer is deliberately sense-blind, as in
the commercial spinners we imitate: "staff" may become "employees" or "walking
stick", and "company" may become "corporate" or "band".  Grammar is kept where a
spinner keeps it: an inflected word is replaced by a synonym of its lemma put in
the same inflection with ``lemminflect`` ("attacked" -> "assaulted"), and a
multiword synonym is inflected on its first word when it is a verb ("rejected"
-> "turned down").

Two backends sit behind the ``Thesaurus`` protocol:

``MobyThesaurus``
    The Moby thesaurus compiled by ``detector.lexicon``, the same word list the
    reference detector's judge consults.  Candidates are drawn at random, weighted
    towards common single words.  This is the profile models train on.
``MythesThesaurus``
    The MyThes English thesaurus (WordNet-derived, Debian package
    ``mythes-en-us``), read straight from its ``.idx``/``.dat`` files.  Senses are
    part-of-speech tagged; candidates favour the first-listed sense and the
    first-listed word, and may be a hypernym ("government" -> "polity").  It is the
    evaluation-only spinner.

Both keep bounded per-instance caches and no module-level state.
"""

from __future__ import annotations

import mmap
import os
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from random import Random
from types import MappingProxyType
from typing import Any, ClassVar, Protocol

import numpy as np

from detector.errors import ResourceError
from detector.lexicon import Lexicon
from detector.stopwords import CARDINAL_WORDS, STOPWORDS

__all__ = [
    "DATA_DIR",
    "MYTHES_ENV",
    "NUMBER_WORDS",
    "BoundedMemo",
    "MobyThesaurus",
    "MythesThesaurus",
    "Thesaurus",
    "find_mythes",
    "inflect",
    "inflection_sources",
    "load_blocklist",
]

DATA_DIR = Path(__file__).resolve().parent / "data"
MYTHES_ENV = "SPINDETECT_MYTHES"
_MYTHES_DIRS = (Path("/usr/share/mythes"), Path("/usr/local/share/mythes"))
MAX_CANDIDATE_WORDS = 3
_CACHE_SIZE = 50_000
# What a spinner may write: lowercase words joined by single spaces, inner hyphens or apostrophes.
_CANDIDATE = re.compile(r"[a-z]+(?:[-' ][a-z]+)*")
NUMBER_WORDS = CARDINAL_WORDS | frozenset(
    "hundreds thousands millions billions trillions dozens first second third fourth fifth "
    "sixth seventh eighth ninth tenth half halves quarter quarters twice once double triple "
    "percent".split()
)
# Never written as a whole replacement: a content word swapped for "or" (heraldic gold,
# for "chief"), "but" (for "still") or "nine" (for "company") is not what spinners do.
_NOT_ALONE = STOPWORDS | NUMBER_WORDS
_ARTICLES = frozenset(("a", "an", "the"))
_DANGLING = frozenset("of with to for from at by upon into than as".split())
_TAG_POS = MappingProxyType({"VB": "VERB", "NN": "NOUN", "JJ": "ADJ", "RB": "ADV"})
_MYTHES_POS = MappingProxyType({"VERB": "verb", "NOUN": "noun", "ADJ": "adj", "ADV": "adv"})


class Thesaurus(Protocol):
    """What the spinner needs from a synonym source."""

    name: str

    def knows(self, term: str) -> bool:
        """Whether ``term`` (lowercase, one or more words) has any usable replacement."""
        ...

    def starts_phrase(self, word: str) -> bool:
        """Whether some multiword entry of the thesaurus begins with ``word``."""
        ...

    def replacement(self, term: str, rng: Random) -> str | None:
        """A lowercase replacement for ``term`` in the same inflection, or None."""
        ...


def load_blocklist() -> frozenset[str]:
    """Words the spinner never writes (slurs and obscenities that Moby lists as synonyms)."""
    text = (DATA_DIR / "blocked_words.txt").read_text("utf-8")
    return frozenset(
        line.strip().lower()
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )


# --------------------------------------------------------------------------- inflection


def _word_sources(word: str) -> tuple[tuple[str, str], ...]:
    from lemminflect import getAllInflections, getAllLemmas

    found: list[tuple[str, str]] = []
    for upos, lemmas in getAllLemmas(word).items():
        for lemma in lemmas:
            if lemma == word:
                continue
            for tag, forms in getAllInflections(lemma, upos=upos).items():
                if word in forms and (lemma, tag) not in found:
                    found.append((lemma, tag))
    return tuple(found)


def inflection_sources(term: str) -> tuple[tuple[str, str], ...]:
    """The (lemma, Penn tag) pairs that inflect to ``term``.

    "said" gives ``(("say", "VBD"), ("say", "VBN"))``, "children" gives
    ``(("child", "NNS"),)`` and a base form gives ``()``.  For a phrase, the first
    word is read as a verb ("carried out" -> "carry out", VBD) and the last as a
    plural noun ("prime ministers" -> "prime minister", NNS).
    """
    words = term.split(" ")
    if len(words) == 1:
        return _word_sources(term)
    found: list[tuple[str, str]] = []
    for lemma, tag in _word_sources(words[0]):
        if tag.startswith("VB"):
            found.append((" ".join([lemma, *words[1:]]), tag))
    for lemma, tag in _word_sources(words[-1]):
        if tag == "NNS":
            found.append((" ".join([*words[:-1], lemma]), tag))
    return tuple(found)


def inflect(term: str, tag: str) -> str | None:
    """``term`` put in the inflection ``tag`` ("assault", "VBD" -> "assaulted"), or None.

    Only inflections lemminflect knows for the word's dictionary part of speech
    are produced ("allegation" has no VBD).  A phrase is inflected on its first
    word for verb tags ("turn down" -> "turned down") and on its last word for
    plural nouns ("small fry" -> "small fries").
    """
    from lemminflect import getInflection

    words = term.split(" ")
    if len(words) == 1:
        forms = getInflection(term, tag, inflect_oov=False)
        return _comparative_spelled(term, forms[0]) if forms else None
    if tag.startswith("VB"):
        forms = getInflection(words[0], tag, inflect_oov=False)
        return " ".join([forms[0], *words[1:]]) if forms else None
    if tag == "NNS":
        forms = getInflection(words[-1], tag, inflect_oov=False)
        return " ".join([*words[:-1], forms[0]]) if forms else None
    return None


def _comparative_spelled(word: str, form: str) -> str:
    """``form`` of ``word`` with the doubled e lemminflect writes in comparatives and
    superlatives of words ending in a vowel and e undone: "freeer" -> "freer",
    "trueest" -> "truest" ("wider", "safest" are right already)."""
    for ending in ("er", "est"):
        if word[-2:] in ("ee", "ue", "ie", "oe") and form == word + ending:
            return word + ending[1:]
    return form


def _usable(candidate: str, blocked: frozenset[str]) -> bool:
    if not _CANDIDATE.fullmatch(candidate) or candidate in _NOT_ALONE:
        return False
    words = candidate.split(" ")
    if len(words) > MAX_CANDIDATE_WORDS:
        return False
    # "a world of" (for "army") or "crossing swords with" leave a dangling article or preposition.
    if len(words) > 1 and (words[0] in _ARTICLES or words[-1] in _DANGLING):
        return False
    return candidate not in blocked and blocked.isdisjoint(words)


class BoundedMemo:
    """``fill(*key)`` remembered per key; cleared when full, so memory stays flat on long runs."""

    __slots__ = ("_data", "_fill", "_size")

    def __init__(self, fill: Callable[..., Any], size: int = _CACHE_SIZE) -> None:
        self._data: dict[tuple[Any, ...], Any] = {}
        self._fill = fill
        self._size = size

    def __call__(self, *key: Any) -> Any:
        try:
            return self._data[key]
        except KeyError:
            if len(self._data) >= self._size:
                self._data.clear()
            value = self._data[key] = self._fill(*key)
            return value


@dataclass(frozen=True)
class _Pool:
    """Candidates with cumulative weights, for weighted draws."""

    terms: tuple[str, ...]
    cum_weights: tuple[float, ...]

    def draw(self, rng: Random, k: int) -> list[str]:
        return rng.choices(self.terms, cum_weights=self.cum_weights, k=k)


def _pool(items: Iterable[tuple[str, float]]) -> _Pool | None:
    kept = [(term, weight) for term, weight in items if weight > 0]
    if not kept:
        return None
    terms, weights = zip(*kept, strict=True)
    return _Pool(tuple(terms), tuple(accumulate(weights)))


def _same_stem(candidate: str, term: str) -> bool:
    """Whether a word of ``candidate`` starts like one of ``term`` ("say-so" for "say")."""
    heads = tuple({w[:5] for w in term.replace("-", " ").split(" ")})
    return any(w.startswith(heads) for w in candidate.replace("-", " ").split(" "))


def _acceptable(form: str, term: str, lemmas: Sequence[str]) -> bool:
    """A replacement must not repeat the word it replaces or its lemma ("child" for "children").

    It must also still look like words after inflection (lemminflect spells "ok" as "o.k.'d").
    """
    if form == term or not _CANDIDATE.fullmatch(form):
        return False
    own = {*term.split(" "), *lemmas}
    return own.isdisjoint(form.split(" "))


# --------------------------------------------------------------------------- Moby


class MobyThesaurus:
    """Sense-blind weighted choice among Moby synonyms.

    Moby lists hundreds of loosely related words per entry ("say" has 460,
    "time" and "vote" among them), so a candidate's weight combines how common
    it is with how close it is: the overlap of its own synonym list with the
    entry's.  Close synonyms of *every* sense score well ("staff" -> "personnel"
    and "stick"), which keeps the choice sense-blind, as in real spinners, while
    far-fetched words stay rare.  Words sharing a stem with the entry
    ("governance" for "government") are never used.

    Parameters
    ----------
    lexicon : Lexicon
        The compiled Moby lexicon (``detector.lexicon.load_lexicon()``).
    blocked : frozenset of str, optional
        Words never written; defaults to ``load_blocklist()``.
    lemma_share : float, default=0.85
        For an inflected word that also has synonyms of its own ("said": "aforesaid",
        "spoken"), how often the synonym comes from its lemma instead ("say":
        "stated", "declared").
    multiword_weight : float, default=0.3
        Weight of a multiword synonym relative to a single word.
    candidates : int, default=60
        How many of the most common synonyms of an entry are weighed at all.
    """

    name = "moby"

    def __init__(
        self,
        lexicon: Lexicon,
        blocked: frozenset[str] | None = None,
        *,
        lemma_share: float = 0.85,
        multiword_weight: float = 0.3,
        candidates: int = 60,
    ) -> None:
        self.lexicon = lexicon
        self.blocked = load_blocklist() if blocked is None else blocked
        self.lemma_share = lemma_share
        self.multiword_weight = multiword_weight
        self.candidates = candidates
        self._pool = BoundedMemo(self._build_pool, 20_000)
        self._plan = BoundedMemo(self._build_plan)
        self._known = BoundedMemo(self._build_known)
        self._keys = np.asarray(lexicon.synonym_keys, dtype=np.int64)
        self._zipf = np.asarray(lexicon.zipf_x10, dtype=np.uint8)
        self._inflect = BoundedMemo(inflect)
        self._phrase_starts: frozenset[str] | None = None

    def _neighbours(self, term_id: int) -> np.ndarray:
        """Sorted ids of the synonyms of term ``term_id``.

        Read straight from the compiled key layout of ``detector.lexicon``
        (``a * N + b`` for every synonym pair, sorted), without building strings.
        """
        n = len(self.lexicon.terms)
        base = term_id * n
        keys = self.lexicon.synonym_keys  # bisect on the raw view: no numpy scalars
        lo = bisect_left(keys, base)
        hi = bisect_left(keys, base + n, lo)
        return self._keys[lo:hi] - base

    def _build_pool(self, term: str) -> _Pool | None:
        lexicon = self.lexicon
        term_id = lexicon.term_id(term)
        if term_id is None:
            return None
        own = self._neighbours(term_id)
        if not len(own):
            return None
        # Zipf 1.5 or below (practically unseen) never comes up; common words dominate.
        zipf = self._zipf[own].astype(np.float64)
        weights = np.where(zipf > 15, ((zipf - 15) / 10) ** 2, 0.0)
        terms = lexicon.terms
        scored = sorted(
            (
                (weights[k] * (self.multiword_weight if " " in terms[j] else 1.0), j)
                for k, j in enumerate(own.tolist())
                if weights[k] > 0
            ),
            reverse=True,
        )
        weighted = []
        for weight, j in scored:
            if len(weighted) >= self.candidates:
                break
            synonym = terms[j]
            if _usable(synonym, self.blocked) and not _same_stem(synonym, term):
                theirs = self._neighbours(j)
                shared = np.intersect1d(own, theirs, assume_unique=True).size
                closeness = shared / (len(own) * len(theirs)) ** 0.5
                weighted.append((synonym, float(weight) * closeness**1.5))
        return _pool(weighted)

    def _build_plan(
        self, term: str
    ) -> tuple[_Pool | None, tuple[tuple[str, _Pool], ...], tuple[str, ...]]:
        direct = self._pool(term)
        via_lemma = []
        lemmas = []
        for lemma, tag in inflection_sources(term):
            lemmas.append(lemma)
            pool = self._pool(lemma)
            if pool is not None:
                via_lemma.append((tag, pool))
        return direct, tuple(via_lemma), tuple(lemmas)

    def _build_known(self, term: str) -> bool:
        lexicon = self.lexicon
        return bool(lexicon.synonyms(term)) or any(
            lexicon.synonyms(lemma) for lemma in lexicon.lemma_forms(term)
        )

    def knows(self, term: str) -> bool:
        """Whether ``term`` or one of its lemmas has Moby synonyms.

        A cheap test: the candidates themselves are only gathered (and filtered,
        so ``replacement`` may still find none) when a replacement is asked for.
        """
        return self._known(term)

    def starts_phrase(self, word: str) -> bool:
        """Whether a multiword Moby entry begins with ``word``."""
        if self._phrase_starts is None:
            self._phrase_starts = frozenset(
                t.split(" ", 1)[0] for t in self.lexicon.terms if " " in t
            )
        return word in self._phrase_starts

    def replacement(self, term: str, rng: Random) -> str | None:
        """A Moby synonym of ``term`` in the same inflection, drawn at random, or None."""
        direct, via_lemma, lemmas = self._plan(term)
        if via_lemma and (direct is None or rng.random() < self.lemma_share):
            tag, pool = via_lemma[rng.randrange(len(via_lemma))]
            for candidate in pool.draw(rng, 6):
                form = self._inflect(candidate, tag)
                if (
                    form
                    and _acceptable(form, term, lemmas)
                    and not self.lexicon.same_lemma(form, term)
                ):
                    return form
        if direct is not None:
            for candidate in direct.draw(rng, 4):
                if _acceptable(candidate, term, lemmas):
                    return candidate
        return None


# --------------------------------------------------------------------------- MyThes


def find_mythes(path: str | Path | None = None) -> tuple[Path, Path]:
    """The MyThes index and data files: ``path``, ``$SPINDETECT_MYTHES``, else /usr/share/mythes.

    ``path`` may name the ``.idx`` or the ``.dat`` file; the other must sit beside it.
    """
    given = path or os.environ.get(MYTHES_ENV)
    if given:
        base = Path(given)
        candidates = [base.with_suffix(".idx")]
    else:
        candidates = [
            p for d in _MYTHES_DIRS for p in sorted(d.glob("th_en_US*.idx"), reverse=True)
        ]
    for idx in candidates:
        dat = idx.with_suffix(".dat")
        if idx.is_file() and dat.is_file():
            return idx, dat
    if given:
        found = f"{given} is not a MyThes thesaurus (no .idx and .dat pair of that name)"
    else:
        found = "the MyThes thesaurus is not installed in /usr/share/mythes"
    raise ResourceError(
        f"{found}; the 'cross' spinner profile needs it: "
        f"apt-get install mythes-en-us, or set {MYTHES_ENV} to a th_en_US_v2.dat file"
    )


@dataclass(frozen=True)
class _Sense:
    pos: str
    pool: _Pool


class MythesThesaurus:
    """First-listed-sense choice among MyThes synonyms and hypernyms.

    A spinner of a different family from ``MobyThesaurus``: WordNet synsets
    instead of Moby's flat lists, a bias to the first-listed sense and word
    instead of a frequency-weighted draw, part-of-speech-matched senses for
    inflected words, and broader "generic terms" now and then.

    Parameters
    ----------
    index_path, data_path : Path
        The ``.idx`` and ``.dat`` files (see ``find_mythes``).
    blocked : frozenset of str, optional
        Words never written; defaults to ``load_blocklist()``.
    sense_decay, word_decay : float, default=0.6, 0.5
        Weight ratio between consecutive senses, and between consecutive words of a sense.
    """

    name = "mythes"
    _RELATION_WEIGHT: ClassVar[Mapping[str, float]] = MappingProxyType(
        {"": 1.0, "similar term": 0.4, "generic term": 0.3, "related term": 0.15}
    )

    def __init__(
        self,
        index_path: Path,
        data_path: Path,
        blocked: frozenset[str] | None = None,
        *,
        sense_decay: float = 0.6,
        word_decay: float = 0.5,
    ) -> None:
        self.blocked = load_blocklist() if blocked is None else blocked
        self.sense_decay = sense_decay
        self.word_decay = word_decay
        self._offsets = self._read_index(index_path)
        try:
            with open(data_path, "rb") as f:
                self._data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError) as exc:
            raise ResourceError(f"cannot read the MyThes data file {data_path}: {exc}") from None
        self._senses = BoundedMemo(self._build_senses)
        self._plan = BoundedMemo(self._build_plan)
        self._known = BoundedMemo(self._build_known)
        self._inflect = BoundedMemo(inflect)
        self._phrase_starts = frozenset(t.split(" ", 1)[0] for t in self._offsets if " " in t)

    @classmethod
    def load(cls, path: str | Path | None = None, **kwargs: object) -> MythesThesaurus:
        """Open the installed MyThes thesaurus (see ``find_mythes`` for where it looks)."""
        index_path, data_path = find_mythes(path)
        return cls(index_path, data_path, **kwargs)  # type: ignore[arg-type]

    @staticmethod
    def _read_index(path: Path) -> dict[str, int]:
        offsets: dict[str, int] = {}
        try:
            with open(path, encoding="utf-8") as f:
                lines = f.read().splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise ResourceError(f"cannot read the MyThes index {path}: {exc}") from None
        for line in lines[2:]:  # encoding line, entry count
            word, _, offset = line.rpartition("|")
            if word and offset.isdigit():
                offsets[word.lower()] = int(offset)
        if not offsets:
            raise ResourceError(f"{path} is not a MyThes index (no 'word|offset' lines)")
        return offsets

    def _entry_lines(self, term: str) -> list[str]:
        offset = self._offsets.get(term)
        if offset is None:
            return []
        data = self._data
        data.seek(offset)
        head = data.readline().decode("utf-8", "replace").strip()
        _, _, count = head.rpartition("|")
        if not count.isdigit():
            return []
        return [data.readline().decode("utf-8", "replace").strip() for _ in range(int(count))]

    def _build_senses(self, term: str) -> tuple[_Sense, ...]:
        senses = []
        for line in self._entry_lines(term):
            pos, *items = line.split("|")
            weighted: list[tuple[str, float]] = []
            ranks: dict[str, int] = {}
            for item in items:
                word, _, relation = item.partition(" (")
                relation = relation.rstrip(")")
                base = self._RELATION_WEIGHT.get(relation)
                if base is None or word != word.lower() or word == term:  # antonyms, names
                    continue
                if not _usable(word, self.blocked):
                    continue
                rank = ranks[relation] = ranks.get(relation, -1) + 1
                weighted.append((word, base * self.word_decay**rank))
            pool = _pool(weighted)
            if pool is not None:
                senses.append(_Sense(pos.strip("()"), pool))
        return tuple(senses)

    def _pick(self, senses: Sequence[_Sense], rng: Random) -> str:
        weights = [self.sense_decay**i for i in range(len(senses))]
        sense = rng.choices(senses, weights=weights, k=1)[0]
        return sense.pool.draw(rng, 1)[0]

    def _build_plan(
        self, term: str
    ) -> tuple[tuple[_Sense, ...], tuple[tuple[str, tuple[_Sense, ...]], ...], tuple[str, ...]]:
        direct = self._senses(term)
        via_lemma = []
        lemmas = []
        for lemma, tag in inflection_sources(term):
            lemmas.append(lemma)
            pos = _MYTHES_POS.get(_TAG_POS.get(tag[:2], ""), "")
            senses = tuple(s for s in self._senses(lemma) if s.pos == pos)
            if senses:
                via_lemma.append((tag, senses))
        return direct, tuple(via_lemma), tuple(lemmas)

    def _build_known(self, term: str) -> bool:
        if term in self._offsets:
            return True
        return any(lemma in self._offsets for lemma, _ in inflection_sources(term))

    def knows(self, term: str) -> bool:
        """Whether ``term`` or its lemma has a MyThes entry (its words are vetted only on use)."""
        return self._known(term)

    def starts_phrase(self, word: str) -> bool:
        """Whether a multiword MyThes entry begins with ``word``."""
        return word in self._phrase_starts

    def replacement(self, term: str, rng: Random) -> str | None:
        """A MyThes synonym of ``term``, usually of its first-listed sense, or None."""
        direct, via_lemma, lemmas = self._plan(term)
        if via_lemma and (not direct or rng.random() < 0.85):
            tag, senses = via_lemma[rng.randrange(len(via_lemma))]
            for _ in range(4):
                form = self._inflect(self._pick(senses, rng), tag)
                if form and _acceptable(form, term, lemmas):
                    return form
        if direct:
            for _ in range(4):
                candidate = self._pick(direct, rng)
                if _acceptable(candidate, term, lemmas):
                    return candidate
        return None
