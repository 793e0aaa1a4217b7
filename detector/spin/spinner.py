"""An article spinner like the ones content farms use, reporting every change it makes.

``Spinner.spin(text, rate=0.3, seed=7)`` swaps a share of an article's eligible
words for thesaurus synonyms and rewrites glue phrases ("because of" -> "on
account of"), the way commercial spinners do: sense-blind ("the company's Chief
of Staff" -> "the corporate's Chief of Employees"), inflection and capitalisation
carried over, possessives kept.  It returns a ``SpinResult`` holding the spun
text and, for every replaced unit, a ``SpunSpan`` with its character offsets in
both texts.  Spans are minimal (words shared at both ends are trimmed: "a lot of"
-> "plenty of" is recorded as "a lot" -> "plenty") and cover whole tokens as
``detector.document`` cuts them, so the detector's evaluation can match them.

Profiles (``PROFILES``) bundle a thesaurus, a phrase table and defaults:

``moby`` (default)
    Moby synonyms and the detector's own glue-phrase table; what models train on.
``paratable``
    Moby synonyms and a wordy paraphrase table of its own
    (``detector/spin/data/paratable_phrases.tsv``: "many" -> "a large number of",
    "use" -> "utilise", "while" -> "whilst", "in the end" -> "at the end of the day"),
    some British/American respellings and now and then a mangled name.  Models
    train on it too, so that they learn what makes a word wrong in its sentence
    rather than one spinner's habits.
``cross``
    MyThes synonyms with a first-listed-sense policy and a phrase table of its
    own (``detector/spin/data/cross_phrases.tsv``), rewriting phrases more often.
    Evaluation only: it measures whether a detector generalises to a spinner it
    never saw.

What counts as eligible: a content word (not a stopword) whose thesaurus entry
has usable synonyms, a multiword thesaurus entry ("prime minister", "carry out"),
an occurrence of a phrase from the profile's phrase table, and (``paratable``) a
word with a British/American spelling variant or a person's name.  Stopwords are
only replaced inside a phrase-table entry.  ``rate`` is the share of eligible units
replaced.
"""

from __future__ import annotations

import random
import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from detector.document import Document, make_document, normalise
from detector.errors import ResourceError
from detector.lexicon import Lexicon, load_lexicon
from detector.spin.thesauri import (
    DATA_DIR,
    NUMBER_WORDS,
    BoundedMemo,
    MobyThesaurus,
    MythesThesaurus,
    Thesaurus,
    inflect,
)
from detector.stopwords import STOPWORDS

__all__ = [
    "PROFILES",
    "PROTECTABLE",
    "RATE_RANGE",
    "SPAN_KINDS",
    "PhraseTable",
    "Profile",
    "SpinResult",
    "Spinner",
    "SpunSpan",
    "check_protect",
    "check_rate",
    "load_phrase_table",
    "spin",
]

RATE_RANGE = (0.02, 0.6)  # from light spins (a few swaps a paragraph) to heavy ones
PROTECTABLE = ("names", "numbers", "quotes")
SPAN_KINDS = ("synonym", "phrase")

# Function words beyond detector.stopwords that spinners leave alone when on their own.
_MORE_STOPWORDS = frozenset(
    "across along alongside although among amongst around behind beside besides beyond "
    "despite however inside near nearly onto outside since throughout unless whereas "
    "whilst yes okay ok one ones".split()
)
_PARTICLES = frozenset("out up down off away back over through apart aside".split())
# Titles before a surname: never dropped as if they were a first name ("Ms Okafor").
_TITLES = frozenset(
    "mr mrs ms miss mx dr prof sir dame lord lady rev st president minister judge".split()
)
_OWN_TABLES = MappingProxyType(
    {
        "cross": "cross_phrases.tsv",
        "paratable": "paratable_phrases.tsv",
        "spelling": "spelling_variants.tsv",
    }
)
_VERB_TAGS = ("VBD", "VBN", "VBZ", "VBG")
_WORDS = re.compile(r"[a-z]+(?:[-' ][a-z]+)*")
_WORDLIKE = re.compile(r"[a-z]+(?:[-'][a-z]+)*")
_PHRASE_GAP = re.compile(r"[ \t]+")
_DIGIT = re.compile(r"\d")
_DOUBLE_QUOTE = re.compile('"')
_OPEN_SINGLE = re.compile(r"(?:^|(?<=[\s(\[{-]))'(?=\w)", re.M)
_CLOSE_SINGLE = re.compile(r"(?<=[\w.,!?;:])'(?=[\s.,;:!?)\]}-]|$)", re.M)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class SpunSpan:
    """One replaced unit: where it sits in the spun text and what it replaced.

    Attributes
    ----------
    start, end : int
        Character offsets in the spun text; ``text == spun[start:end]``.
    text : str
        The words the spinner wrote.
    original : str
        The words they replace; ``original == original_text[original_start:original_end]``.
    original_start, original_end : int
        Character offsets in the original text.
    kind : str
        ``"synonym"`` for a thesaurus swap, ``"phrase"`` for any other rewrite: a
        phrase-table entry, a respelling ("colour" -> "color") or a mangled name
        ("Margaret Okafor" -> "Okafor", "Okafor" -> "Okafro").
    """

    start: int
    end: int
    text: str
    original: str
    original_start: int
    original_end: int
    kind: str

    def to_dict(self) -> dict[str, Any]:
        """The span as a JSON-ready dict with the attribute names as keys."""
        return asdict(self)


@dataclass(frozen=True)
class SpinResult:
    """A spun text with everything needed to check or undo the spinning.

    Attributes
    ----------
    text : str
        The spun text.
    original : str
        The text that was spun.
    spans : tuple of SpunSpan
        Every replaced unit, in text order, non-overlapping.
    profile : str
        The spinner profile's name.
    rate : float
        The requested share of eligible units to replace.
    seed : int
        The seed; the same text, profile, rate, protection and seed give the same result.
    protect : tuple of str
        What was protected from replacement (some of ``PROTECTABLE``).
    eligible : int
        How many units could have been replaced.
    """

    text: str
    original: str
    spans: tuple[SpunSpan, ...]
    profile: str
    rate: float
    seed: int
    protect: tuple[str, ...] = ()
    eligible: int = 0

    @property
    def replaced_share(self) -> float:
        """Share of eligible units actually replaced (close to ``rate`` unless units ran out)."""
        return len(self.spans) / self.eligible if self.eligible else 0.0

    def restore(self) -> str:
        """The original text rebuilt from the spun text and the spans."""
        parts: list[str] = []
        position = 0
        for span in self.spans:
            parts += (self.text[position : span.start], span.original)
            position = span.end
        parts.append(self.text[position:])
        return "".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """The result as a JSON-ready dict (spans as a list of dicts)."""
        return {
            "text": self.text,
            "original": self.original,
            "profile": self.profile,
            "rate": self.rate,
            "seed": self.seed,
            "protect": list(self.protect),
            "eligible": self.eligible,
            "spans": [span.to_dict() for span in self.spans],
        }


# --------------------------------------------------------------------------- profiles


@dataclass(frozen=True)
class Profile:
    """A spinner family: its thesaurus, phrase table and defaults.

    Attributes
    ----------
    name : str
        How the profile is selected (``--profile``).
    description : str
        One line for help texts.
    thesaurus : str
        ``"moby"`` or ``"mythes"``.
    phrases : str
        ``"glue"`` (the detector's table, both directions), ``"cross"`` (this
        package's evaluation-only table, as written) or ``"paratable"`` (this
        package's paraphrase table, as written, verbs inflected).
    protect : tuple of str
        Default protections.
    phrase_weight : float
        How much likelier a phrase occurrence is to be picked than a single word.
    phrase_share : float
        For a unit that is both a phrase and a thesaurus entry, how often the phrase
        table is used.
    evaluation_only : bool
        True when models must never train on the profile's output.
    spelling_weight : float, default=0.0
        How much likelier a word with a British/American spelling variant
        (``data/spelling_variants.tsv``) is to be picked for respelling than a single
        word for a synonym; 0 never respells.
    name_weight : float, default=0.0
        How much likelier a person's name (two or three capitalised words inside a
        sentence) is to be picked for mangling than a single word; 0 never mangles.
        Above 0, capitalised words inside a sentence are only ever mangled, never
        swapped for synonyms; ``names`` protection leaves them alone entirely.
    """

    name: str
    description: str
    thesaurus: str
    phrases: str
    protect: tuple[str, ...]
    phrase_weight: float
    phrase_share: float
    evaluation_only: bool
    spelling_weight: float = 0.0
    name_weight: float = 0.0


PROFILES = MappingProxyType(
    {
        "moby": Profile(
            name="moby",
            description="Moby synonyms and the detector's glue phrases; the training spinner",
            thesaurus="moby",
            phrases="glue",
            protect=("numbers",),
            phrase_weight=1.0,
            phrase_share=0.5,
            evaluation_only=False,
        ),
        "cross": Profile(
            name="cross",
            description=(
                "MyThes (WordNet) synonyms, first-listed sense, its own phrase rewrites; "
                "evaluation only"
            ),
            thesaurus="mythes",
            phrases="cross",
            protect=("names", "quotes"),
            phrase_weight=3.0,
            phrase_share=0.7,
            evaluation_only=True,
        ),
        "paratable": Profile(
            name="paratable",
            description=(
                "Moby synonyms, wordy paraphrase-table rewrites, respellings, mangled names; "
                "a training spinner"
            ),
            thesaurus="moby",
            phrases="paratable",
            protect=("numbers",),
            phrase_weight=2.5,
            phrase_share=0.8,
            evaluation_only=False,
            spelling_weight=0.5,
            name_weight=0.3,
        ),
    }
)


def check_rate(rate: float) -> float:
    """``rate`` as a float, or ValueError when it is outside ``RATE_RANGE``."""
    lo, hi = RATE_RANGE
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not lo <= rate <= hi:
        raise ValueError(f"the 'rate' parameter must be in [{lo}, {hi}], got {rate!r}")
    return float(rate)


def check_protect(protect: str | Iterable[str]) -> tuple[str, ...]:
    """Protection names from a comma-separated string or an iterable, validated and sorted.

    ``"none"`` or an empty string means no protection.
    """
    items = protect.split(",") if isinstance(protect, str) else list(protect)
    names = {item.strip().lower() for item in items if item.strip()}
    names.discard("none")
    unknown = sorted(names - set(PROTECTABLE))
    if unknown:
        raise ValueError(
            f"the 'protect' parameter must list some of {', '.join(PROTECTABLE)} (or 'none'), "
            f"got {', '.join(map(repr, unknown))}"
        )
    return tuple(sorted(names))


# --------------------------------------------------------------------------- phrase tables


@dataclass(frozen=True)
class PhraseTable:
    """Phrase rewrites, indexed by the first token of each source phrase.

    ``index[token]`` lists ``(tokens, rewrites)`` with the longest phrases first;
    tokens are ``detector.document`` tokens of the lowercase source phrase.
    """

    name: str
    pairs: frozenset[tuple[str, str]]
    index: MappingProxyType

    def rewrites(self, phrase: str) -> tuple[str, ...]:
        """The rewrites of ``phrase``, sorted."""
        return tuple(sorted(b for a, b in self.pairs if a == phrase))


def _table_text(name: str, path: Path | None) -> str:
    if path is not None:
        return Path(path).read_text("utf-8")
    if name == "glue":
        return resources.files("detector").joinpath("data/glue_phrases.tsv").read_text("utf-8")
    if name in _OWN_TABLES:
        return (DATA_DIR / _OWN_TABLES[name]).read_text("utf-8")
    raise ValueError(
        f"the 'name' parameter must be one of 'glue', {', '.join(map(repr, _OWN_TABLES))}, "
        f"got {name!r}"
    )


def _verb_forms(a: str, b: str) -> list[tuple[str, str]]:
    """The inflected forms of a pair whose sides both start with a verb ("use", "utilise")."""
    forms = []
    for tag in _VERB_TAGS:
        a_form, b_form = inflect(a, tag), inflect(b, tag)
        if a_form and b_form and a_form != a and _WORDS.fullmatch(f"{a_form} {b_form}"):
            forms.append((a_form, b_form))
    return forms


def load_phrase_table(
    name: str,
    path: Path | None = None,
    *,
    both_directions: bool | None = None,
    inflect_verbs: bool | None = None,
) -> PhraseTable:
    """Read a ``phrase<TAB>rewrite`` table: the detector's ``"glue"`` or one of this package's.

    This package's tables are ``"cross"``, ``"paratable"`` and ``"spelling"`` (the
    British/American variants).  The glue and spelling tables are read in both
    directions, as the detector reads the glue table; the others only as written.
    Only the literal pairs are used, never trimmed variants, so that every rewrite
    stays grammatical in the context the table intends.  With ``inflect_verbs`` (the
    paratable's default), a pair whose sides both start with a verb also gives its
    inflected forms ("use"/"utilise" gives "used"/"utilised", "uses"/"utilises" and
    so on) unless the table lists that form itself.
    """
    if both_directions is None:
        both_directions = name in ("glue", "spelling")
    if inflect_verbs is None:
        inflect_verbs = name == "paratable"
    pairs: set[tuple[str, str]] = set()
    for lineno, line in enumerate(_table_text(name, path).splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = [p.strip().lower() for p in line.split("\t") if p.strip()]
        if len(parts) != 2 or not all(p[0].isalnum() and p[-1].isalnum() for p in parts):
            raise ResourceError(
                f"{name} phrase table line {lineno}: expected 'phrase<TAB>rewrite' "
                "starting and ending with a letter or digit"
            )
        a, b = parts
        if a != b:
            pairs.add((a, b))
            if both_directions:
                pairs.add((b, a))
    if inflect_verbs:
        listed = {a for a, _ in pairs}
        pairs.update(
            (a, b) for literal in sorted(pairs) for a, b in _verb_forms(*literal) if a not in listed
        )
    grouped: dict[tuple[str, ...], list[str]] = {}
    for a, b in sorted(pairs):
        grouped.setdefault(make_document(a).words, []).append(b)
    index: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
    for tokens, rewrites in grouped.items():
        index.setdefault(tokens[0], []).append((tokens, tuple(rewrites)))
    frozen = {k: tuple(sorted(v, key=lambda e: (-len(e[0]), e[0]))) for k, v in index.items()}
    return PhraseTable(name, frozenset(pairs), MappingProxyType(frozen))


# --------------------------------------------------------------------------- spinning


@dataclass(frozen=True, slots=True)
class _Unit:
    """Tokens ``lo:hi`` that may be replaced, by a rewrite and/or a thesaurus term.

    ``weight`` is how much likelier the unit is to be picked than a single word.
    """

    lo: int
    hi: int
    rewrites: tuple[str, ...]
    term: str | None
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class _Edit:
    start: int  # in the original text
    end: int
    replacement: str
    kind: str


def _quoted_regions(plain: str) -> list[tuple[int, int]]:
    """Character ranges inside quotation marks, paragraph by paragraph."""
    regions: list[tuple[int, int]] = []
    offset = 0
    for paragraph in plain.split("\n"):
        doubles = [m.start() for m in _DOUBLE_QUOTE.finditer(paragraph)]
        for k in range(0, len(doubles), 2):
            # An unclosed quote runs to the end of the paragraph (the next one reopens it).
            end = doubles[k + 1] if k + 1 < len(doubles) else len(paragraph)
            regions.append((offset + doubles[k], offset + end))
        opening = None
        events = sorted(
            [(m.start(), 0) for m in _OPEN_SINGLE.finditer(paragraph)]
            + [(m.start(), 1) for m in _CLOSE_SINGLE.finditer(paragraph)]
        )
        for position, is_close in events:
            if not is_close and opening is None:
                opening = position
            elif is_close and opening is not None:
                regions.append((offset + opening, offset + position))
                opening = None
        offset += len(paragraph) + 1
    regions.sort()
    return regions


def _case_of(surfaces: Sequence[str]) -> str:
    if all(s.isupper() for s in surfaces) and sum(len(s) for s in surfaces) > 1:
        return "upper"
    if len(surfaces) > 1 and all(s[:1].isupper() for s in surfaces):
        return "title_all"
    if surfaces[0][:1].isupper():
        return "title"
    return "lower"


def _apply_case(text: str, case: str) -> str:
    if case == "upper":
        return text.upper()
    if case == "title_all":
        return " ".join(w[:1].upper() + w[1:] for w in text.split(" "))
    if case == "title":
        return text[:1].upper() + text[1:]
    return text


class Spinner:
    """A configured spinner: a profile, its thesaurus and its phrase table.

    Build one with ``Spinner.from_profile("moby")`` and reuse it: the thesaurus
    caches what it looks up, so spinning many articles gets faster as it goes.

    Parameters
    ----------
    profile : Profile
        The profile (see ``PROFILES``).
    thesaurus : Thesaurus
        The synonym source.
    phrases : PhraseTable
        The phrase rewrites.
    spelling : PhraseTable, optional
        British/American respellings, used when the profile's ``spelling_weight`` is above 0.
    """

    def __init__(
        self,
        profile: Profile,
        thesaurus: Thesaurus,
        phrases: PhraseTable,
        spelling: PhraseTable | None = None,
    ) -> None:
        self.profile = profile
        self.thesaurus = thesaurus
        self.phrases = phrases
        self.spelling = spelling
        self._stopwords = STOPWORDS | _MORE_STOPWORDS
        self._tokens = BoundedMemo(make_document)  # replacements recur: tokenise each once

    @classmethod
    def from_profile(
        cls,
        name: str = "moby",
        *,
        lexicon: Lexicon | None = None,
        mythes_path: str | Path | None = None,
    ) -> Spinner:
        """The spinner of the profile called ``name``, loading its resources.

        ``lexicon`` reuses an already loaded Moby lexicon; ``mythes_path`` points at
        a MyThes ``.dat`` file when it is not installed in /usr/share/mythes.
        """
        profile = PROFILES.get(name)
        if profile is None:
            raise ValueError(
                f"the 'profile' parameter must be one of {', '.join(map(repr, PROFILES))}, "
                f"got {name!r}"
            )
        thesaurus: Thesaurus
        if profile.thesaurus == "moby":
            thesaurus = MobyThesaurus(lexicon or load_lexicon(quiet=True))
        else:
            thesaurus = MythesThesaurus.load(mythes_path)
        spelling = load_phrase_table("spelling") if profile.spelling_weight > 0 else None
        return cls(profile, thesaurus, load_phrase_table(profile.phrases), spelling)

    def spin(
        self,
        text: str,
        *,
        rate: float = 0.3,
        seed: int | None = None,
        protect: str | Iterable[str] | None = None,
    ) -> SpinResult:
        """Spin ``text``: replace about ``rate`` of its eligible units.

        Parameters
        ----------
        text : str
            The article, as plain text (any line endings, curly quotes and so on).
        rate : float, default=0.3
            Share of eligible units to replace, in ``RATE_RANGE``.
        seed : int, optional
            Seed of the random choices; a fresh one is drawn (and recorded in the
            result) when omitted.
        protect : str or iterable of str, optional
            What never to replace: some of ``"names"`` (capitalised words inside a
            sentence, acronyms), ``"numbers"`` (digits and number words) and
            ``"quotes"`` (text in quotation marks).  Defaults to the profile's.

        Returns
        -------
        SpinResult
        """
        rate = check_rate(rate)
        protections = self.profile.protect if protect is None else check_protect(protect)
        if seed is None:
            seed = random.SystemRandom().randrange(2**32)
        elif isinstance(seed, bool) or not isinstance(seed, int):
            raise ValueError(f"the 'seed' parameter must be an integer, got {seed!r}")
        rng = random.Random(seed)
        document = make_document(text)
        units = self._units(document, protections)
        edits = self._choose(document, units, round(rate * len(units)), rng)
        return self._result(text, edits, rate, seed, protections, len(units))

    # ---- eligible units

    def _protected(self, document: Document, protections: Sequence[str]) -> bytearray:
        """1 for every token that must stay as written."""
        protected = bytearray(len(document))
        text = document.text
        initial = {lo for lo, _ in document.sentences}
        regions = _quoted_regions(normalise(text)) if "quotes" in protections else []
        region_starts = [lo for lo, _ in regions]
        names = "names" in protections
        numbers = "numbers" in protections
        for i, word in enumerate(document.words):
            if names and text[document.starts[i]].isupper():
                surface = text[document.starts[i] : document.ends[i]]
                if i not in initial or (surface.isupper() and len(surface) > 1):
                    protected[i] = 1
            if numbers and (word in NUMBER_WORDS or _DIGIT.search(word)):
                protected[i] = 1
            if regions:
                k = bisect_right(region_starts, document.starts[i]) - 1
                if k >= 0 and document.starts[i] < regions[k][1]:
                    protected[i] = 1
        return protected

    def _word_ok(self, document: Document, i: int) -> bool:
        word = document.words[i]
        if word in self._stopwords or not _WORDLIKE.fullmatch(word):
            return False
        surface = document.text[document.starts[i] : document.ends[i]]
        # Mixed case ("iPhone", "McDonald") is a name whatever the protection.
        return surface.islower() or surface.isupper() or surface[1:].islower()

    def _units(self, document: Document, protections: Sequence[str]) -> list[_Unit]:
        """Every replaceable unit, sorted by position (units may overlap)."""
        words, starts, ends = document.words, document.starts, document.ends
        n = len(words)
        plain = normalise(document.text)
        profile = self.profile
        mangle = profile.name_weight > 0 and "names" not in protections
        # A profile that mangles names keeps them from every other rewrite.
        protected = self._protected(document, (*protections, "names") if mangle else protections)
        word_ok = [not protected[i] and self._word_ok(document, i) for i in range(n)]
        # A phrase runs over plain spaces only: one line, no punctuation between its words.
        spaced = [bool(_PHRASE_GAP.fullmatch(plain, ends[k], starts[k + 1])) for k in range(n - 1)]
        # Words after the first of a multiword entry: content words or adverb particles
        # ("prime minister", "carry out"); not prepositions ("time in", "deal with").
        tail_ok = [word_ok[k] or (words[k] in _PARTICLES and not protected[k]) for k in range(n)]
        found: dict[tuple[int, int], _Unit] = {}
        if mangle:
            names = self._name_units(document, spaced, self._protected(document, protections))
            found.update(((unit.lo, unit.hi), unit) for unit in names)
        tables = [(self.phrases, profile.phrase_weight)]
        if self.spelling is not None and profile.spelling_weight > 0:
            tables.append((self.spelling, profile.spelling_weight))
        thesaurus = self.thesaurus
        for i, word in enumerate(words):
            for table, weight in tables:
                for tokens, rewrites in table.index.get(word, ()):
                    hi = i + len(tokens)
                    if (
                        (i, hi) not in found
                        and words[i:hi] == tokens
                        and all(spaced[i : hi - 1])
                        and not any(protected[i:hi])
                        and (len(tokens) > 1 or table is self.phrases or word_ok[i])
                    ):
                        found[i, hi] = _Unit(i, hi, rewrites, None, weight)
            if not word_ok[i]:
                continue
            if thesaurus.knows(word):
                self._add_term(found, i, i + 1, word)
            if not thesaurus.starts_phrase(word):
                continue
            for hi in range(min(i + 3, n), i + 1, -1):
                if all(spaced[i : hi - 1]) and all(tail_ok[i + 1 : hi]):
                    term = " ".join(words[i:hi])
                    if thesaurus.knows(term):
                        self._add_term(found, i, hi, term)
        return [found[key] for key in sorted(found)]

    def _name_units(
        self, document: Document, spaced: Sequence[bool], protected: bytearray
    ) -> list[_Unit]:
        """Ways to mangle the names of ``document``: drop a first name, swap two letters.

        A name is a run of two or three capitalised words inside a sentence, on one
        line ("Margaret Okafor", "Ms Okafor"), outside title-case lines such as
        headlines.  A first name that is not a title may be dropped ("Margaret
        Okafor" -> "Okafor"), and a surname of four letters or more may get two
        neighbouring letters swapped ("Okafor" -> "Okfaor").
        """
        text, starts, ends, words = document.text, document.starts, document.ends, document.words
        weight = self.profile.name_weight

        def capitalised(k: int) -> bool:
            surface = text[starts[k] : ends[k]]
            return len(surface) > 1 and surface[0].isupper() and surface[1:].islower()

        units: list[_Unit] = []
        for first, last in document.sentences:
            caps = [capitalised(k) and words[k].isalpha() for k in range(first, last)]
            if 2 * sum(caps) > last - first:  # a headline or other title-case line
                continue
            k = first + 1  # a sentence's first word is capitalised whether or not it is a name
            while k < last:
                if not caps[k - first]:
                    k += 1
                    continue
                lo = k
                while k + 1 < last and caps[k + 1 - first] and spaced[k]:
                    k += 1
                hi = k = k + 1
                if not 2 <= hi - lo <= 3 or any(protected[lo:hi]):
                    continue
                if words[lo] not in _TITLES:
                    units.append(_Unit(lo, hi, (" ".join(words[lo + 1 : hi]),), None, weight))
                surname = words[hi - 1]
                swaps = {
                    surname[:j] + surname[j + 1] + surname[j] + surname[j + 2 :]
                    for j in range(1, len(surname) - 1)
                    if surname[j] != surname[j + 1]
                }
                if len(surname) >= 4 and swaps:
                    units.append(_Unit(hi - 1, hi, tuple(sorted(swaps)), None, weight))
        return units

    @staticmethod
    def _add_term(found: dict[tuple[int, int], _Unit], lo: int, hi: int, term: str) -> None:
        previous = found.get((lo, hi))
        if previous is None:
            found[lo, hi] = _Unit(lo, hi, (), term)
        else:
            found[lo, hi] = _Unit(lo, hi, previous.rewrites, term, previous.weight)

    # ---- choosing and rewriting

    def _choose(
        self, document: Document, units: Sequence[_Unit], target: int, rng: random.Random
    ) -> list[_Edit]:
        """Rewrite units in a weighted random order until ``target`` are replaced."""
        keys = [rng.random() ** (1.0 / unit.weight) for unit in units]
        order = sorted(range(len(units)), key=keys.__getitem__, reverse=True)
        used = bytearray(len(document))
        edits: list[_Edit] = []
        for k in order:
            if len(edits) >= target:
                break
            unit = units[k]
            if any(used[unit.lo : unit.hi]):
                continue
            edit = self._rewrite(document, unit, rng)
            if edit is not None:
                used[unit.lo : unit.hi] = b"\x01" * (unit.hi - unit.lo)
                edits.append(edit)
        edits.sort(key=lambda e: e.start)
        return edits

    def _rewrite(self, document: Document, unit: _Unit, rng: random.Random) -> _Edit | None:
        options = []
        if unit.rewrites:
            options.append("phrase")
        if unit.term is not None:
            options.append("synonym")
        if len(options) == 2 and rng.random() >= self.profile.phrase_share:
            options.reverse()
        surfaces = [
            document.text[document.starts[k] : document.ends[k]] for k in range(unit.lo, unit.hi)
        ]
        for kind in options:
            if kind == "phrase":
                replacement: str | None = unit.rewrites[rng.randrange(len(unit.rewrites))]
            else:
                replacement = self.thesaurus.replacement(unit.term or "", rng)
            if replacement:
                replacement = _apply_case(replacement, _case_of(surfaces))
                edit = _minimal_edit(
                    document, unit.lo, unit.hi, replacement, self._tokens(replacement), kind
                )
                if edit is not None:
                    return edit
        return None

    def _result(
        self,
        text: str,
        edits: Sequence[_Edit],
        rate: float,
        seed: int,
        protections: tuple[str, ...],
        eligible: int,
    ) -> SpinResult:
        parts: list[str] = []
        spans: list[SpunSpan] = []
        position = 0
        length = 0
        for edit in edits:
            kept = text[position : edit.start]
            parts += (kept, edit.replacement)
            start = length + len(kept)
            length = start + len(edit.replacement)
            spans.append(
                SpunSpan(
                    start=start,
                    end=length,
                    text=edit.replacement,
                    original=text[edit.start : edit.end],
                    original_start=edit.start,
                    original_end=edit.end,
                    kind=edit.kind,
                )
            )
            position = edit.end
        parts.append(text[position:])
        return SpinResult(
            text="".join(parts),
            original=text,
            spans=tuple(spans),
            profile=self.profile.name,
            rate=rate,
            seed=seed,
            protect=tuple(protections),
            eligible=eligible,
        )


def _minimal_edit(
    document: Document, lo: int, hi: int, replacement: str, new: Document, kind: str
) -> _Edit | None:
    """The smallest whole-token edit turning tokens lo:hi into ``replacement`` (tokenised: ``new``).

    Words both sides share at either end are left in place, as long as the space
    next to them stays a space on both sides ("in the" -> "within the" edits only
    "in"; "it is" -> "it's" must edit both words).  None when nothing changes.
    """
    a, b = document.words[lo:hi], new.words
    if not b or a == b:
        return None

    def spaced(text: str, end: int, start: int) -> bool:
        return bool(text[end:start]) and text[end:start].isspace()

    p = 0
    while (
        p < len(a) - 1
        and p < len(b) - 1
        and a[p] == b[p]
        and spaced(document.text, document.ends[lo + p], document.starts[lo + p + 1])
        and spaced(replacement, new.ends[p], new.starts[p + 1])
    ):
        p += 1
    s = 0
    while (
        s < len(a) - 1 - p
        and s < len(b) - 1 - p
        and a[-1 - s] == b[-1 - s]
        and spaced(document.text, document.ends[hi - 2 - s], document.starts[hi - 1 - s])
        and spaced(replacement, new.ends[len(b) - 2 - s], new.starts[len(b) - 1 - s])
    ):
        s += 1
    core = replacement[new.starts[p] : new.ends[len(b) - 1 - s]]
    start, end = document.starts[lo + p], document.ends[hi - 1 - s]
    if core == document.text[start:end]:
        return None
    return _Edit(start, end, core, kind)


def spin(
    text: str,
    rate: float = 0.3,
    seed: int | None = None,
    *,
    profile: str = "moby",
    protect: str | Iterable[str] | None = None,
) -> SpinResult:
    """Spin ``text`` once with a freshly loaded profile; use a ``Spinner`` to spin many texts."""
    return Spinner.from_profile(profile).spin(text, rate=rate, seed=seed, protect=protect)
