"""People's names made of ordinary words ("Denise Farrow", "Councillor Grace Hill").

The language-model judge reads every capitalised word the thesaurus lists, so a
surname such as "Farrow" (a litter of pigs) can read as a spinner's swap and be
"restored" as "Young".  ``name_positions`` finds the words an article uses in
people's names; ``without_names`` drops the judge's readings of them, which the
reference-free models do before they count flags or restore words.  The
reading itself is left whole (it is cached, and the judge's second reading
needs every unit), so this is the models' choice of what counts, not the
judge's.

Spinners mangle names too ("Maria Dramatist" for "Maria Miller", "Bill Doors"
for "Bill Gates", "the Arranging Inspectorate" for "the Planning Inspectorate"),
so a word beside a name's own word counts as a name only when people are called
by it (``person_names``: given names and common surnames), and a capitalised run
after "the" is a body or a place, which stays judged.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import replace
from functools import cache
from importlib import resources

from detector.document import Document
from detector.lm_judge import LMReading
from detector.stopwords import STOPWORDS

__all__ = [
    "TITLES",
    "given_names",
    "name_positions",
    "person_names",
    "surnames",
    "without_names",
]

TITLES = frozenset(
    (
        "mr mrs ms miss mx dr prof professor sir lord lady rev reverend judge "
        "councillor cllr alderman mayor senator sen governor gov president minister "
        "inspector sergeant sgt constable superintendent detective captain capt commander "
        "colonel col lieutenant lt"
    ).split()
)
"""Titles written before a person's name, lowercase: the capitalised words after one
("Dr Bishop", "Councillor Grace Hill") are a name, not words a spinner chose.  Words
that as often open the name of a place or body are left out ("St Mary's Hospital",
"General Hospital", "Justice Department", "Coach Station", "Notre Dame", "Admiral
Insurance").  The synthetic spinner keeps its own, narrower list (``detector.spin``)."""


_ABBREVIATED_TITLES = frozenset("mr mrs ms mx dr prof rev cllr sen gov sgt capt col lt".split())
"""The titles written abbreviated, after whose full stop the sentence splitter may end a
sentence the name goes on in ("Rev. Bishop")."""


PLACE_WORDS = frozenset(
    (
        "street road avenue lane drive crescent terrace boulevard district county borough council "
        "row close way grove square place gardens mews parade vale green park bridge"
    ).split()
)
"""Words that end the name of a street, a place or a council, lowercase: written capitalised
right after another capitalised word ("Mill Road", "Mill Row", "Marlow Vale", "Kenley
Green", "Ashby District Council"),
they and the words of the name before them are a place's name, not words a spinner
chose.  A run that "the" opens stays judged (a body or place a spinner mangled: "the
Arranging Inspectorate")."""


def _word_list(name: str) -> frozenset[str]:
    text = resources.files("detector").joinpath("data", name).read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


@cache
def given_names() -> frozenset[str]:
    """Every given name of the US Census Bureau's 1990 lists, lowercase
    (``detector/data/given_names.txt``)."""
    return _word_list("given_names.txt")


@cache
def surnames() -> frozenset[str]:
    """The 5,000 commonest surnames of the US Census Bureau's 1990 list, lowercase
    (``detector/data/surnames.txt``)."""
    return _word_list("surnames.txt")


@cache
def person_names() -> frozenset[str]:
    """The words people are called by: ``given_names()`` and ``surnames()``."""
    return given_names() | surnames()


def name_positions(document: Document, lexicon: Container[str]) -> frozenset[int]:
    """The indices of the capitalised words ``document`` uses in people's names although
    the thesaurus ``lexicon`` lists them ("Farrow" in "Denise Farrow", "Hill" in
    "Councillor Grace Hill").

    A capitalised word inside a sentence is part of a name when people are called by it
    (``person_names()``: not "Chef" in a spinner's "Miss Chef") and it stands next to a
    capitalised word the thesaurus lacks ("Denise", "O'Brien"), or is a given name and a
    surname together ("Grace Hill", "Bill Frost"; not "Bill Doors"), or follows a title
    (``TITLES``: "Dr", "Councillor") with at most one capitalised word between, the
    title not itself inside a longer name ("Notre Dame").  A capitalised run right after
    "the" names a body or a place ("the Arranging Inspectorate"), which spinners mangle,
    and holds no name unless a title opens it.  Function words and title-case headlines
    (mostly capitalised words) give no names, but a street, place or council name found
    in the body is one where a headline writes it too.  The same word capitalised elsewhere (a
    sentence start: "Farrow said") is part of the name too, unless the document also
    writes the word in lowercase.  Place and company names built like people's
    ("Marlow Vale", "Kenley Street") are found too: their words are surnames as well.
    """
    given, family, people = given_names(), surnames(), person_names()
    text, words, starts, ends = document.text, document.words, document.starts, document.ends
    initial = {lo for lo, _ in document.sentences}

    def capitalised(i: int) -> bool:
        return text[starts[i]].isupper()

    def joined(i: int) -> bool:
        """Whether word ``i`` follows word ``i - 1`` within one name: a space between
        (or a no-break space), or a full stop and a space after an abbreviation the
        sentence goes on from, or after an abbreviated title ("Rev. Bishop"; not "the
        Mayor. Young people")."""
        if i == 0:
            return False
        gap = text[ends[i - 1] : starts[i]].replace("\u00a0", " ")
        if gap == " ":
            return i not in initial
        return gap == ". " and (i not in initial or words[i - 1] in _ABBREVIATED_TITLES)

    def unknown(i: int) -> bool:
        """A capitalised word the thesaurus lacks, not an acronym: a name's own word."""
        surface = text[starts[i] : ends[i]]
        return (
            capitalised(i)
            and not (surface.isupper() and len(surface) > 1)
            and words[i].replace("-", "").replace("'", "").isalpha()
            and words[i] not in lexicon
        )

    def title(j: int) -> bool:
        """Word ``j`` is a title, not a word inside a longer name ("Notre Dame")."""
        return (
            words[j] in TITLES
            and capitalised(j)
            and not (joined(j) and capitalised(j - 1) and words[j - 1] not in TITLES | STOPWORDS)
        )

    def titled(i: int) -> bool:
        """Word ``i`` follows a title, with at most one capitalised word between."""
        return any(
            title(j) and all(capitalised(k) and joined(k) for k in range(j + 1, i + 1))
            for j in range(max(0, i - 2), i)
        )

    def paired(i: int) -> bool:
        """Word ``i`` is a given name before a surname, or a surname after a given name."""
        before = i > 0 and joined(i) and capitalised(i - 1) and words[i - 1] in given
        after = i + 1 < len(words) and joined(i + 1) and capitalised(i + 1)
        return (before and words[i] in family) or (
            after and words[i] in given and words[i + 1] in family
        )

    def after_the(i: int) -> bool:
        """Word ``i`` is in a capitalised run that "the" opens ("the Arranging
        Inspectorate", "The Planning Inspectorate" at a sentence start)."""
        j = i
        while j > 0 and joined(j) and capitalised(j - 1) and words[j - 1] != "the":
            j -= 1
        return j > 0 and words[j - 1] == "the" and text[ends[j - 1] : starts[j]] == " "

    def headline(lo: int, hi: int) -> bool:
        """Sentence ``lo:hi`` is in title case: every word capitalised, or most of them
        and a function word too ("Mayor Warns Of Floods")."""
        alphabetic = [i for i in range(lo, hi) if words[i][:1].isalpha()]
        upper = [i for i in alphabetic if capitalised(i)]
        glue = STOPWORDS - TITLES
        return len(alphabetic) >= 3 and (
            len(upper) == len(alphabetic)
            or (2 * len(upper) > len(alphabetic) and any(words[i] in glue for i in upper[1:]))
        )

    found: set[int] = set()
    place_runs: list[tuple[int, int]] = []  # street and council names' words, lo:hi
    headlines: list[tuple[int, int]] = []
    for lo, hi in document.sentences:
        if headline(lo, hi):
            headlines.append((lo, hi))
            continue
        for i in range(lo + 1, hi):
            if (
                words[i] in PLACE_WORDS
                and capitalised(i)
                and joined(i)
                and capitalised(i - 1)
                and words[i - 1] not in STOPWORDS
                and not after_the(i)
            ):
                j = i  # the place word and the name's words before it
                while j > lo and joined(j) and capitalised(j - 1) and words[j - 1] not in STOPWORDS:
                    j -= 1
                if j == lo and i - lo > 1 and not unknown(lo):
                    j += 1  # "Yesterday Ashby Council": the sentence's first word is its own
                place_runs.append((j, i + 1))
        for i in range(lo, hi):
            word = words[i]
            if i == lo and not joined(i):
                continue  # a sentence start: capitalised whatever it is
            if not capitalised(i) or word not in lexicon or word in STOPWORDS | TITLES:
                continue
            if word not in people:
                continue  # nobody is called that: a spinner's "Miss Chef" for "Miss Cook"
            if titled(i):
                found.add(i)
                continue
            if after_the(i):
                continue  # a body or a place
            beside = [i - 1] if joined(i) else []
            if i + 1 < hi and joined(i + 1):
                beside.append(i + 1)
            if paired(i) or any(unknown(j) for j in beside):
                found.add(i)
    # Street and council names: not spread to other places, but to a headline writing them.
    places = {k for lo, hi in place_runs for k in range(lo, hi)}
    places |= _named_in_headlines(document, place_runs, headlines)
    if not found:
        return frozenset(places)
    lowercase = {words[i] for i in range(len(words)) if not capitalised(i)}
    surfaces = {text[starts[i] : ends[i]] for i in found if words[i] not in lowercase}
    spread = (
        i for i in range(len(words)) if text[starts[i] : ends[i]] in surfaces and not after_the(i)
    )
    return frozenset(found.union(spread, places))


def _named_in_headlines(
    document: Document, place_runs: list[tuple[int, int]], headlines: list[tuple[int, int]]
) -> set[int]:
    """The words of title-case ``headlines`` that write, capitalised alike, a street, place
    or council name found in the body (``place_runs``, each name's words ``lo:hi``):
    "Kelsby District Council Affirms ..." over a story naming "Kelsby District Council"
    (a headline, every word capitalised, names no place by itself)."""
    if not place_runs or not headlines:
        return set()
    text, starts, ends = document.text, document.starts, document.ends
    runs = {tuple(text[starts[k] : ends[k]] for k in range(lo, hi)) for lo, hi in place_runs}
    named: set[int] = set()
    for lo, hi in headlines:
        surfaces = [text[starts[k] : ends[k]] for k in range(lo, hi)]
        for run in runs:
            for k in range(lo, hi - len(run) + 1):
                if tuple(surfaces[k - lo : k - lo + len(run)]) == run:
                    named.update(range(k, k + len(run)))
    return named


def without_names(
    reading: LMReading, lexicon: Container[str], names: frozenset[int] | None = None
) -> LMReading:
    """``reading`` without its units on words the document uses in people's names
    (``names``, by default ``name_positions``): what the reference-free models count and
    restore."""
    names = name_positions(reading.document, lexicon) if names is None else names
    if not names:
        return reading
    kept = tuple(u for u in reading.units if names.isdisjoint(range(u.lo, u.hi)))
    return replace(reading, units=kept) if len(kept) < len(reading.units) else reading
