"""Changes of fact among a copy's edits: numbers that now differ, opposites, negations.

A syndicated copy reformats numbers ("four" -> "4", "20 per cent" -> "20%") and a
careless or malicious one changes them ("four" -> "fourteen", "2022" -> "2021",
"5 million dollars" -> "5 million pounds"), or turns a statement round ("was still
fighting" -> "was not fighting").  All of them are ordinary edits, never spinning, but
an editor comparing a copy with its source needs the second kind told apart:
``changed_facts`` names them for the report's note.  A currency written as a symbol
("$5m" -> "£5m") is compared on the texts themselves: symbols are not words, so the
alignment sees no edit there.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from functools import cache
from importlib import resources

from detector.document import Document
from detector.report import Deletion, Span
from detector.stopwords import CARDINAL_WORDS

__all__ = [
    "ORDINAL_WORDS",
    "changed_facts",
    "currency_of",
    "date_name",
    "date_runs",
    "date_value",
    "is_figure",
    "negation_count",
    "number_value",
    "opposite_pairs",
]

_UNITS = {
    word: value
    for value, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {
    word: 10 * k
    for k, word in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)
}
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_ORDINALS = {
    word: value
    for value, word in enumerate(
        "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh "
        "twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth "
        "nineteenth".split()
    )
} | {
    word: 10 * k
    for k, word in enumerate(
        "twentieth thirtieth fortieth fiftieth sixtieth seventieth eightieth ninetieth".split(),
        start=2,
    )
}
ORDINAL_WORDS = frozenset(_ORDINALS) - {"zeroth"}  # "first" to "twentieth", "ninetieth"
_NUMERAL = re.compile(r"\d+(?:\.\d+)?")
_DOTTED_MERIDIEM = re.compile(r"(?<![a-z.'])([ap])\.\s?m(?![a-z\d])")  # "p.m" without its hour
_COUNTS = {w: v for w, v in {**_UNITS, **_TENS}.items() if w != "one"}  # "no one", "the one"
_COUNT_WORD = re.compile(r"\b(?:" + "|".join(sorted(_COUNTS, key=len, reverse=True)) + r")\b")
_MONTHS = {
    name: k
    for k, names in enumerate(
        (
            "january jan", "february feb", "march mar", "april apr", "may", "june jun",
            "july jul", "august aug", "september sep sept", "october oct",
            "november nov", "december dec",
        ),
        1,
    )
    for name in names.split()
}  # fmt: skip
_WEEKDAYS = {
    name: 100 + k  # apart from the months
    for k, names in enumerate(
        (
            "monday mon", "tuesday tue tues", "wednesday wed", "thursday thu thurs",
            "friday fri", "saturday sat", "sunday sun",
        )
    )
    for name in names.split()
}  # fmt: skip
_DATE_NAME = re.compile(
    r"\b(?:" + "|".join(sorted({*_MONTHS, *_WEEKDAYS}, key=len, reverse=True)) + r")\b"
)
_ORDINAL_NUMERAL = re.compile(r"(\d+)(?:st|nd|rd|th)")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")  # "2,022" is 2022
_SPACED_THOUSANDS = re.compile(r"\b(\d{1,3})((?: \d{3})+)\b(?![-.,\d])")  # "1 200" is 1200
_MERIDIEM = re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?\s*m\b")  # "10.30am", "3 p.m."
_TWENTY_FOUR_HOURS = re.compile(r"\b(\d{1,2}):(\d{2})\b")  # "15:00"
_PERCENT = re.compile(r"%|\bper ?cent\b")
_DECORATION = re.compile(
    r"[,$£€¥%]|\bper ?cent\b|\b(?:us|dollars?|pounds?|sterling|euros?|yen|yuan|rupees?)\b"
)
# Words that turn a statement round; "n't" is cut off its verb by the tokeniser's text.
# "not only" is no negation, nor a bare "No" ("No. 10"): "no" counts before a word.
# "neither ... nor" is one negation: "nor" counts only where no "neither" comes before it.
# Bounds are no negations ("no more than two" is "at most two"), nor is a negated
# negative adjective ("not unusual" is "common"), though a bare "not" dropped from
# either is named (``_bare_negation``).  Verbs that say "did not" count as one
# ("refused to say" is "did not agree to say", "failed to meet" "did not meet"), so an
# editor trading one for the other changes nothing ("declined to" before a verb only:
# prices decline to 2%, to the lowest level).  "Without precedent", "without doubt" and
# the like state, not deny ("for the first time" -> "without precedent" is a spinner's).
_BOUND = r"(?:more|less|fewer|later|earlier|sooner|longer|greater|higher|lower) than"
_LITOTES = (
    r"(?:unusual|uncommon|unlike|unlikely|unknown|unexpected|unreasonable|unfamiliar|"
    r"unimportant|unheard|impossible|insignificant|inconceivable)"
)
_NEGATORS = re.compile(
    rf"\bnot\b(?! only| {_BOUND}| {_LITOTES}\b)"
    r"|\b(?:cannot|never|nobody|nothing|none|neither)\b"
    r"|\bwithout\b(?!\s+(?:(?:a|any)\s+)?(?:precedents?|doubts?|question|fail|exceptions?)\b)"
    rf"|\bno(?= [a-z])(?! {_BOUND})|n't\b(?! {_LITOTES}\b)"
    r"|\b(?:refus(?:e|es|ed|ing)|fail(?:s|ed|ing)?) to\b|\bfailure to\b|\bunable to\b"
    r"|\bdeclin(?:e|es|ed|ing) to"
    r"(?: (?!(?:the|a|an|its|their|about|around|nearly|almost|just)\b)(?=[a-z])|$)"
    r"|\b(?:barred|banned|prevented|prohibited|forbidden) from\b"
    # "Too few" and "insufficient" say "not enough": one for the other turns nothing round.
    r"|\btoo (?:few|little)\b|\binsufficient(?:ly)?\b"
)
_NOR = re.compile(r"\bnor\b")
_BETWEEN = " \t\n,;:"  # what may stand between two neighbouring spans
_MAX_NEGATION_EDIT = 6  # words a side of an edit whose negations the note weighs
_WORD = re.compile(r"[\w']+")
_MIN_MOVED_WORDS = 4  # fewer words dropped here and standing elsewhere may be a real drop
_NEITHER = re.compile(r"\bneither\b")
_CURRENCIES = {
    "$": "$", "dollar": "$", "dollars": "$", "usd": "$",
    "£": "£", "pound": "£", "pounds": "£", "sterling": "£", "gbp": "£",
    "€": "€", "euro": "€", "euros": "€", "eur": "€",
    "¥": "¥", "yen": "¥", "yuan": "yuan", "rupee": "rupee", "rupees": "rupee",
}  # fmt: skip
_CURRENCY = re.compile(r"[$£€¥]|\b(?:" + "|".join(k for k in _CURRENCIES if k.isalpha()) + r")\b")
_SHOWN = 3  # examples named per kind
# "Fell" and "grew" mean "became" before a state ("fell silent", "grew silent"): then
# neither is a direction, and one for the other turns nothing round.
_BECAME = frozenset("fall falls fell fallen falling grow grows grew grown growing".split())
_STATES = frozenset(
    "silent quiet ill asleep awake tired weary dark cold hot old short apart pregnant "
    "victim prey foul afoul flat loose numb calm wild louder quieter stronger weaker worse "
    "better".split()
)
# The state word right after the verb, a degree word allowed between ("grew very quiet").
_STATE_AFTER = re.compile(
    r"\s+(?:(?:very|more|most|quite|completely|increasingly|suddenly|eerily|deathly)\s+)?"
    r"([a-z]+)\b"
)
# An amount written with a currency symbol: the words hold only its digits ("$5m": "5m").
_SYMBOL_AMOUNT = re.compile(r"([$£€¥])\s?(\d[\d,.]*\d|\d)")
# An amount whose currency is a word after it: "84 million pounds", "5m euros".
_NAMED_AMOUNT = re.compile(
    r"(?<![\d$£€¥])(\d[\d,.]*\d|\d)(?:\s?(?:thousand|million|billion|trillion|bn|m|k)\b)?"
    r"\s(pounds?|sterling|dollars?|euros?|yen)\b",
    re.IGNORECASE,
)


def number_value(text: str) -> float | None:
    """The value ``text`` names ("fourteen", "2,022", "2.5 million", "20 per cent", "3rd",
    "second", "a third", "half", "two-thirds"), or None when it is not a number alone."""
    words = _value_words(text)
    if not words:
        return None
    fraction = _fraction(words)
    if fraction is not None:
        return fraction
    if len(words) == 1:  # "1st", "second": a rank is a number too
        ordinal = _ORDINAL_NUMERAL.fullmatch(words[0])
        if ordinal:
            return float(ordinal.group(1))
        if words[0] in _ORDINALS:
            return float(_ORDINALS[words[0]])
    total = current = 0.0
    seen = False
    for word in words:
        if _NUMERAL.fullmatch(word):
            if seen:
                return None  # two numbers side by side ("31 12"): not one value
            current += float(word)
        elif word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred" and seen:
            current *= 100
        elif word in _SCALES and seen:
            total += current * _SCALES[word]
            current = 0.0
        elif word == "and" and seen:
            continue
        elif word in _ORDINALS and seen and word == words[-1] and current % 10 == 0:
            current += _ORDINALS[word]  # "twenty-first": a rank in two words
        else:
            return None
        seen = True
    return total + current


_FRACTIONS = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4}


def _fraction(words: list[str]) -> float | None:
    """The share a fraction in words names ("half", "a third", "two thirds", "three
    quarters"), or None: a count ("a", "one" to "ten") and a fraction word, or "half"."""
    if words == ["half"]:
        return 0.5
    if len(words) != 2 or words[1] not in _FRACTIONS:
        return None
    count = 1 if words[0] in ("a", "one") else _UNITS.get(words[0])
    if (
        count is None
        or not 0 < count <= 10
        or (count == 1) != (words[1] in ("half", "third", "quarter"))
    ):
        return None
    return count / _FRACTIONS[words[1]]


def _value_words(text: str) -> list[str]:
    """The words of ``text`` that may state a value: lowercase, without currency words,
    per cents and thousands' commas, hyphenated words apart ("twenty-one")."""
    return _DECORATION.sub(" ", _THOUSANDS.sub("", text.lower())).replace("-", " ").split()


def _is_fraction(text: str) -> bool:
    """Whether ``text`` names a share in words ("half", "a third")."""
    return _fraction(_value_words(text)) is not None


def _counted(text: str) -> str:
    """``text`` lowercase, its count words written in digits ("three" -> "3")."""
    return _COUNT_WORD.sub(lambda m: str(_COUNTS[m.group(0)]), text.lower())


def _numerals(text: str) -> tuple[float, ...]:
    """The numbers written in ``text``, in order ("3-1" gives 3 and 1; "1 200" and "1,200"
    one number each; "three" 3; a time of day its hour on a 12-hour clock and its
    minutes, so "3pm", "3 p.m." and "15:00" read alike)."""
    lowered = _MERIDIEM.sub(lambda m: _hour_and_minutes(m.group(1), m.group(2)), _counted(text))
    lowered = _TWENTY_FOUR_HOURS.sub(lambda m: _hour_and_minutes(m.group(1), m.group(2)), lowered)
    joined = _SPACED_THOUSANDS.sub(
        lambda m: m.group(1) + m.group(2).replace(" ", ""), _THOUSANDS.sub("", lowered)
    )
    return tuple(float(n) for n in _NUMERAL.findall(joined))


def _hour_and_minutes(hours: str, minutes: str | None) -> str:
    """A time of day as its hour on a 12-hour clock, and its minutes unless they are 0."""
    hour = int(hours) % 12 or 12
    return f" {hour} {int(minutes)} " if minutes and int(minutes) else f" {hour} "


def _digits_alike(text: str, original: str) -> bool:
    """Whether the numbers of both sides are written with the same digits and the
    separators in the same places ("2.5" and "2,5", "1,200" and "1.200": house styles)."""

    def shape(side: str) -> list[str]:
        return [re.sub(r"[.,]", "|", n) for n in re.findall(r"\d[\d.,]*\d|\d", _counted(side))]

    return shape(text) == shape(original) != []


def date_name(word: str) -> int | None:
    """The month (1-12) or weekday (100-106) the lowercase ``word`` names ("oct",
    "october", "friday"), or None."""
    return _MONTHS.get(word, _WEEKDAYS.get(word))


def is_figure(word: str) -> bool:
    """Whether the lowercase ``word`` states a figure: digits, or a count ("twelve")."""
    return any(c.isdigit() for c in word) or word in CARDINAL_WORDS


def _day_digits(word: str) -> str:
    """``word`` without an ordinal's ending ("12th" -> "12")."""
    return word[:-2] if word[-2:] in ("st", "nd", "rd", "th") else word


def _date_part(word: str) -> str | None:
    """What the lowercase ``word`` is in a written date: ``month`` ("june", "jun"),
    ``day`` ("12", "12th"), ``year`` ("2024"), ``weekday``, ``of`` ("the 3rd of May"),
    or None."""
    if word == "of":
        return "of"
    named = date_name(word)
    if named is not None:
        return "month" if named < 100 else "weekday"
    digits = _day_digits(word)
    if not digits.isdigit():
        return None
    if 1 <= int(digits) <= 31:
        return "day"
    return "year" if 1000 <= int(digits) <= 2999 and digits == word else None


def date_runs(words: Sequence[str]) -> list[tuple[int, int]]:
    """The written dates among lowercase ``words``, as ``[lo, hi)``: runs of date parts
    that name a month and a day or year ("12 june 2024", "tuesday june 13", "3rd of
    may")."""
    if _MONTHS.keys().isdisjoint(words):
        return []  # no month named: no date (the commonest case by far)
    runs = []
    k = 0
    while k < len(words):
        if _date_part(words[k]) in (None, "of"):
            k += 1
            continue
        hi = k
        while hi < len(words) and _date_part(words[hi]) is not None:
            hi += 1
        while words[hi - 1] == "of":
            hi -= 1
        parts = {_date_part(w) for w in words[k:hi]}
        if "month" in parts and parts & {"day", "year"}:
            runs.append((k, hi))
        k = hi
    return runs


def date_value(text: str) -> tuple[int, int | None, int | None, int | None] | None:
    """(month, day, year, weekday) of the one written date in ``text`` ("Published 12
    June 2024", "Tuesday, June 13,"), the missing parts None; None where ``text`` holds
    no date, several, or a number besides its date (in digits or words: "June 3 twelve")."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    runs = date_runs(words)
    if len(runs) != 1:
        return None
    lo, hi = runs[0]
    if any(w in _COUNTS or any(c.isdigit() for c in w) for w in (*words[:lo], *words[hi:])):
        return None
    month = day = year = weekday = None
    for word in words[lo:hi]:
        part = _date_part(word)
        if part == "month":
            if month is not None:
                return None
            month = date_name(word)
        elif part == "weekday":
            if weekday is not None:
                return None
            weekday = date_name(word)
        elif part == "day":
            if day is not None:
                return None
            day = int(_day_digits(word))
        elif part == "year":
            if year is not None:
                return None
            year = int(word)
    return (month, day, year, weekday) if month is not None else None


def _date_names(text: str) -> tuple[int, ...]:
    """The months and weekdays ``text`` names, in order, as numbers ("Oct." and
    "October" alike); "may" and "march" only beside a number ("May 3", "3 March")."""
    lowered = text.lower()
    found = []
    for match in _DATE_NAME.finditer(lowered):
        name = match.group(0)
        if name in ("may", "mar", "march", "sun", "sat", "wed") and not _NUMERAL.search(lowered):
            continue  # "may", "march", "sun": words before they are dates
        found.append(date_name(name) or 0)
    return tuple(found)


def negation_count(text: str) -> int:
    """How many negations ``text`` holds, as the note on changed facts counts them
    ("never", "can't", "no one" one each; "No. 10" and "not only" none)."""
    return _negations(text)


def _negations(text: str, before: int | None = None) -> int:
    """How many negations ``text`` holds ("can't" and "cannot" one each, "neither ... nor"
    one; "No. 10" none); with ``before``, only those starting before that offset (the
    rest of the text says what they mean: "refused" before "to say")."""
    lowered = text.lower().replace("\u2019", "'")
    stop = len(lowered) if before is None else before
    neither = _NEITHER.search(lowered)
    nors = sum(
        1
        for m in _NOR.finditer(lowered)
        if m.start() < stop and (neither is None or m.start() < neither.start())
    )
    return sum(1 for m in _NEGATORS.finditer(lowered) if m.start() < stop) + nors


def _bare_negation(text: str, original: str) -> bool:
    """Whether one side is the other with a bare "not", "never", "n't" or "no" (before a
    word: not "No. 10") added ("is unusual" for "isn't unusual", "more than" for "no
    more than")."""

    def words(side: str) -> list[str]:
        side = side.lower().replace("\u2019", "'").replace("cannot", "can not")
        return _WORD.findall(side.replace("n't", " not"))

    def kept(side: list[str]) -> list[str]:
        return [
            w
            for k, w in enumerate(side)
            if not (w == "not" and (k + 1 == len(side) or side[k + 1] != "only"))
            and w != "never"
            and not (w == "no" and k + 1 < len(side) and side[k + 1].isalpha())
        ]

    a, b = words(text), words(original)
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    return len(kept(longer)) < len(longer) and kept(longer) == shorter


def _currency(text: str) -> str | None:
    """The one currency ``text`` names ("$", "£", "euros" -> "€"), or None for none or several."""
    found = {_CURRENCIES[m.group(0)] for m in _CURRENCY.finditer(text.lower())}
    return found.pop() if len(found) == 1 else None


def _meridiem(text: str) -> str | None:
    """The half of the day ``text`` names, "a" or "p" ("3 p.m.", "a.m", "4pm"), or None
    for none or both; a bare "am" or "pm" counts beside a digit or alone (an edit of "pm"
    into "am"), so "I am" names none."""
    lowered = text.lower().strip()
    found = {half for _, _, half in _MERIDIEM.findall(lowered)}  # "4pm", "3 p.m."
    found.update(_DOTTED_MERIDIEM.findall(lowered))
    if lowered in ("am", "pm"):
        found.add(lowered[0])
    return found.pop() if len(found) == 1 else None


def _symbols_changed(suspect: str, original: str) -> list[str]:
    """Amounts whose currency symbol a copy changed, its digits kept ("$5m" -> "£5m",
    "84 million pounds" -> "$84 million"): the words hold no symbol, so no span shows
    it.  An amount counts when the original writes its digits with other currencies only."""

    def symbols(text: str) -> dict[str, dict[str, bool]]:
        """Per amount's digits, its currencies, each True where written as a symbol."""
        found: dict[str, dict[str, bool]] = {}
        for m in _SYMBOL_AMOUNT.finditer(text):
            found.setdefault(m.group(2), {})[m.group(1)] = True
        for m in _NAMED_AMOUNT.finditer(text):
            named = currency_of(m.group(2).lower())
            if named:
                found.setdefault(m.group(1), {}).setdefault(named, False)
        return found

    before, after = symbols(original), symbols(suspect)
    changed = []
    for digits, new in after.items():
        old = before.get(digits, {})
        for symbol in sorted(set(new) - set(old)):
            # Words on both sides ("pounds" -> "dollars") are a span of their own.
            if old and (new[symbol] or any(old.values())):
                changed.append(f"{min(old)}{digits} -> {symbol}{digits}")
    return changed


def currency_of(word: str) -> str | None:
    """The currency the lowercase ``word`` names ("dollars" -> "$", "sterling" -> "£"), or None."""
    return _CURRENCIES.get(word) if word.isalpha() else None


def _restructured_negation(text: str) -> bool:
    """Whether ``text`` holds "neither" or "nor", whose negation an editor may move."""
    lowered = text.lower()
    return bool(_NEITHER.search(lowered) or _NOR.search(lowered))


def _sentences(document: Document) -> list[tuple[int, int]]:
    """Character offsets of each sentence of ``document``, from its first word to its last."""
    return [(document.starts[lo], document.ends[hi - 1]) for lo, hi in document.sentences]


class _Pair:
    """A suspect and its original, with what the checks read of them worked out once."""

    def __init__(self, suspect: Document, original: Document) -> None:
        self.suspect, self.original = suspect, original
        self.ours, self.theirs = _sentences(suspect), _sentences(original)
        self._words: dict[int, str] = {}

    def count(self, document: Document, words: Sequence[str]) -> int:
        """How often ``words`` (lowercase) stand in a row in ``document``."""
        key = id(document)
        if key not in self._words:
            self._words[key] = f" {' '.join(_WORD.findall(document.text.lower()))} "
        return self._words[key].count(f" {' '.join(words)} ")


def _sentence_at(sentences: Sequence[tuple[int, int]], offset: int, lean: int = 0) -> int:
    """The index of the sentence at character ``offset``: the one that holds it, or, at an
    edge or between two, the next (``lean`` 1), the previous (-1) or either (0)."""
    k = max(bisect_right([a for a, _ in sentences], offset) - 1, 0)
    if lean > 0 and sentences[k][1] <= offset and k + 1 < len(sentences):
        return k + 1
    if lean < 0 and sentences[k][0] >= offset and k > 0:
        return k - 1
    return k


@cache
def opposite_pairs() -> frozenset[tuple[str, str]]:
    """Word pairs that say the opposite of each other (``detector/data/opposites.tsv``),
    lowercase, both ways round: ("rose", "fell") and ("fell", "rose").  A line's two cells
    may each list words of one direction, ``|`` between them: every word of one is the
    opposite of every word of the other ("climbed|soared" against "dropped|sank")."""
    text = resources.files("detector").joinpath("data", "opposites.tsv").read_text("utf-8")
    pairs: set[tuple[str, str]] = set()
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            ups, downs = (cell.split("|") for cell in line.lower().split("\t"))
            for a in ups:
                for b in downs:
                    pairs.update(((a.strip(), b.strip()), (b.strip(), a.strip())))
    return frozenset(pairs)


def _says_the_opposite(text: str, original: str, following: str = "") -> bool:
    """Whether ``text`` replaces ``original`` with its opposite ("fell" for "rose"); not
    when both mean "became" before the state that ``following``, the text right after
    ``text``, names ("fell silent" for "grew silent")."""
    said, meant = (" ".join(_WORD.findall(t.lower())) for t in (text, original))
    if said in _BECAME and meant in _BECAME:
        state = _STATE_AFTER.match(following.lower())
        if state and state.group(1) in _STATES:
            return False
    return (said, meant) in opposite_pairs()


def _with_next_words(document: Document | None, start: int, end: int, text: str) -> str:
    """``text`` (``document.text[start:end]``) with the two words after it, which decide
    what its words mean ("refused" means "did not" before "to say", "declined" not before
    "to 2%"); ``text`` without a document."""
    if document is None or not 0 <= start <= end <= len(document.text):
        return text
    k = bisect_left(document.starts, end)
    last = min(k + 1, len(document.words) - 1)
    stop = document.ends[last] if k < len(document.words) else end
    return document.text[start:stop]


def _own_negations(document: Document | None, start: int, end: int, text: str) -> int:
    """The negations ``text`` (``document.text[start:end]``) holds, read with the words
    after it (``_with_next_words``) but not counting theirs: "purchaser" before "but
    couldn't" holds none, as "buyer" before "but could not" does; "refused" before "to
    say" holds one."""
    return _negations(_with_next_words(document, start, end, text), before=len(text))


def _moved(text: str, pair: _Pair, dropped_from: Document, kept_in: Document) -> bool:
    """Whether ``text``, dropped from ``dropped_from``, still stands word for word in
    ``kept_in`` as often as it stood there: a sentence split or merged moves its words,
    dropping none (a clause said twice and dropped once is dropped)."""
    words = _WORD.findall(text.lower())  # a clause, not a word that stands anywhere
    # The joining word may change with the split ("..., and more than 60,000 homes" ->
    # ". More than 60,000 homes"): the clause without its first or last word counts too.
    return any(
        len(part) >= _MIN_MOVED_WORDS
        and pair.count(kept_in, part) >= pair.count(dropped_from, part) > 0
        for part in (words, words[1:], words[:-1])
    )


def _whole_sentences(sentences: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    """Whether ``start``-``end`` covers every word of the sentences it touches."""
    first, last = _sentence_at(sentences, start, 1), _sentence_at(sentences, end, -1)
    return first <= last and start <= sentences[first][0] and sentences[last][1] <= end


def _turned_round(
    pair: _Pair | None, span: tuple[int, int], original_span: tuple[int, int]
) -> bool:
    """Whether the edit of ``original_span`` (character offsets in the original) into
    ``span`` (in the suspect), whose own words hold another number of negations, turns a
    statement round; True without the documents.

    Not when it adds or drops whole sentences, nor when it restructures "neither ... nor"
    and its sentence as a whole holds as many negations as the original's ("Neither A
    nor B commented" -> "A and B did not comment": one each).
    """
    if pair is None or not pair.ours or not pair.theirs:
        return True
    suspect, original, ours, theirs = pair.suspect, pair.original, pair.ours, pair.theirs
    (start, end), (original_start, original_end) = span, original_span
    if (start == end and _whole_sentences(theirs, original_start, original_end)) or (
        original_start == original_end and _whole_sentences(ours, start, end)
    ):
        return False  # whole sentences dropped or added
    k = _sentence_at(theirs, original_start)
    lean = 0
    if start == end:  # dropped text: the suspect sentence it was dropped from
        lean = 1 if original_start <= theirs[k][0] else -1 if original_end >= theirs[k][1] else 0
    a, b = ours[_sentence_at(ours, start, lean)]
    c, d = theirs[k]
    mine, their = suspect.text[a:b], original.text[c:d]
    if not (_restructured_negation(mine) or _restructured_negation(their)):
        return True
    return _negations(mine) != _negations(their)


def _negation_changed(
    suspect: Document | None,
    original: Document | None,
    pair: _Pair | None,
    span: tuple[int, int, str],
    original_span: tuple[int, int, str],
) -> bool:
    """Whether the edit of ``original_span`` (start, end and text in the original) into
    ``span`` (in the suspect; start = end and text "" for dropped text, the same in
    the original for added text) adds or drops a negation."""
    (start, end, text), (original_start, original_end, original_text) = span, original_span
    if _own_negations(suspect, start, end, text) == _own_negations(
        original, original_start, original_end, original_text
    ) and not _bare_negation(text, original_text):
        return False
    if pair is not None and not text and _moved(original_text, pair, pair.original, pair.suspect):
        return False  # a clause a split sentence moved
    if pair is not None and not original_text and _moved(text, pair, pair.suspect, pair.original):
        return False
    return _turned_round(pair, (start, end), (original_start, original_end))


def _short_edit(span: Span) -> bool:
    """Whether ``span`` edits a few words (``_MAX_NEGATION_EDIT`` a side at most), where a
    negation added or dropped turns a statement round; a clause rewritten whole ("there
    so that nobody would mistake the fruit for" for "designed with a bite taken out of
    it to avoid confusion with") says the same thing in other words.  (Text only added,
    like text only dropped, is weighed whatever its length.)"""
    return max(len(_WORD.findall(span.text)), len(_WORD.findall(span.original))) <= (
        _MAX_NEGATION_EDIT
    )


def _moved_to_a_neighbour(
    span: Span, spans: Sequence[Span], suspect: Document | None, original: Document | None
) -> bool:
    """Whether the negation ``span`` adds or drops moved into a span right next to it, on
    both sides ("did not sign any contract" -> "signed no agreement": an edit, "signed",
    beside a swap, "no agreement"), the two together holding as many negations as their
    originals; False without the documents."""
    if suspect is None or original is None or span.original_start < 0:
        return False
    for other in spans:
        if other is span or other.original_start < 0 or other.kind == "paraphrase":
            continue
        first, second = (span, other) if other.start >= span.end else (other, span)
        if not (
            first.end <= second.start
            and first.original_end <= second.original_start
            and not suspect.text[first.end : second.start].strip(_BETWEEN)
            and not original.text[first.original_end : second.original_start].strip(_BETWEEN)
        ):
            continue
        mine = suspect.text[first.start : second.end]
        their = original.text[first.original_start : second.original_end]
        if _negations(mine) == _negations(their):
            return True
    return False


def _fact_kind(text: str, original: str) -> str | None:
    """How an edit of ``original`` into ``text`` changes a fact: "number" (a value, a
    score, an age, a time of day), "date" (a month or weekday, or a whole date's day,
    year or weekday; a part dropped or a date reordered is no change) or "currency"; None."""
    new_date, old_date = date_value(text), date_value(original)
    if new_date is not None and old_date is not None:
        changed = any(
            n is not None and o is not None and n != o
            for n, o in zip(new_date, old_date, strict=True)
        )
        return "date" if changed else None
    new, old = number_value(text), number_value(original)
    new_numerals, old_numerals = _numerals(text), _numerals(original)
    if new is not None and old is not None:
        if _is_fraction(original) and _PERCENT.search(text.lower()):
            new /= 100  # "half" -> "50%": one share
        elif _is_fraction(text) and _PERCENT.search(original.lower()):
            old /= 100
        if not math.isclose(new, old):
            return "number"
    elif (
        new_numerals
        and old_numerals
        and new_numerals != old_numerals
        and not _digits_alike(text, original)
    ):
        return "number"  # "3-1" -> "2-1", "84-year-old" -> "74-year-old", "3pm" -> "4pm"
    one_word = " " not in text.strip() and " " not in original.strip()
    new_day, old_day = date_name(text.lower().strip(". ")), date_name(original.lower().strip(". "))
    if one_word and new_day is not None and old_day is not None:
        if new_day != old_day:
            return "date"  # "March" -> "April", a word alone
    else:
        new_dates, old_dates = _date_names(text), _date_names(original)
        if new_dates and old_dates and new_dates != old_dates:
            return "date"  # "Jan. 1" -> "Feb. 1"
    new_currency, old_currency = _currency(text), _currency(original)
    if new_currency and old_currency and new_currency != old_currency:
        return "currency"  # "dollars" -> "pounds"
    new_half, old_half = _meridiem(text), _meridiem(original)
    if new_half and old_half and new_half != old_half:
        return "number"  # "3 p.m." -> "3 a.m.": a time of day, its digits alike
    return None


_DAYS_IN = {  # a time unit's length in days (its plural read without the "s")
    "minute": 1 / 1440, "hour": 1 / 24, "day": 1.0, "week": 7.0, "fortnight": 14.0,
    "month": 30.44, "year": 365.25, "decade": 3652.5,
}  # fmt: skip
# Months vary in length: a duration in months and one in days or weeks this close
# (relative) are one ("8 weeks", "2 months"); otherwise they must be equal ("7 days",
# "1 week"; "12 months", "a year").
_MONTHS_CLOSE = 0.1
_NEXT_WORD = re.compile(r"\W*([a-z]+)")


def _same_duration(span: Span, suspect: Document | None, original: Document | None) -> bool:
    """Whether the number ``span`` changes is followed on both sides by a time unit that
    makes the two one duration ("eight weeks" -> "about two months", "seven days" ->
    "one week"; a month is 30.44 days, give or take a tenth)."""
    if suspect is None or original is None or span.original_end < 0:
        return False
    new, old = _one_number(span.text), _one_number(span.original)
    if new is None or old is None:
        return False
    after_new = _NEXT_WORD.match(suspect.text[span.end : span.end + 40].lower())
    after_old = _NEXT_WORD.match(original.text[span.original_end : span.original_end + 40].lower())
    if after_new is None or after_old is None:
        return False
    new_unit = _DAYS_IN.get(after_new.group(1).removesuffix("s"))
    old_unit = _DAYS_IN.get(after_old.group(1).removesuffix("s"))
    if new_unit is None or old_unit is None or new_unit == old_unit:
        return False
    new_days, old_days = new * new_unit, old * old_unit
    if _DAYS_IN["month"] in (new_unit, old_unit) and min(new_unit, old_unit) < _DAYS_IN["month"]:
        return abs(new_days - old_days) <= _MONTHS_CLOSE * max(new_days, old_days)
    return math.isclose(new_days, old_days, rel_tol=0.01)  # "12 months" is a year


_LAST_WORDS = re.compile(r"([\w.,'-]+(?:\s+[\w.,'-]+)?)\s*$")


def _time_unit(word: str) -> float | None:
    """The length in days of the time unit ``word`` names ("weeks": 7.0), or None."""
    return _DAYS_IN.get(word.lower().strip(".,;:").removesuffix("s"))


def _count_before(text: str, at: int) -> float | None:
    """The number written just before offset ``at`` of ``text`` ("eight ", "12 ", "a ":
    1), or None."""
    before = _LAST_WORDS.search(text[max(0, at - 40) : at])
    if before is None:
        return None
    words = before.group(1).split()
    for k in range(len(words)):
        if words[k].lower() in ("a", "an") and k == len(words) - 1:
            return 1.0
        value = _one_number(" ".join(words[k:]))
        if value is not None:
            return value
    return None


def _unit_changed(span: Span, suspect: Document | None, original: Document | None) -> bool:
    """Whether ``span`` puts one time unit for another after the same number on both
    sides ("eight weeks" -> "eight months", "a day" -> "a year"): a duration changed, by
    a spinner's swap or an edit alike ("eight weeks" -> "two months" is a number edit,
    named or not by ``_same_duration``)."""
    if suspect is None or original is None or span.original_start < 0:
        return False
    new, old = _time_unit(span.text.strip()), _time_unit(span.original.strip())
    if new is None or old is None or new == old:
        return False
    count = _count_before(suspect.text, span.start)
    return count is not None and count == _count_before(original.text, span.original_start)


def _one_number(text: str) -> float | None:
    """The one number ``text`` holds ("about two", "8", "one"), or None."""
    numerals = _numerals(text)
    if len(numerals) == 1:
        return numerals[0]
    return number_value(text) if not numerals else None


def _part(found: Sequence[str], one: str, several: str, rest: str) -> str:
    """One kind of change for the note: "2 numbers differ in value (four -> fourteen, ...)"."""
    named = ", ".join(found[:_SHOWN]) + (", ..." if len(found) > _SHOWN else "")
    return f"{len(found)} {one if len(found) == 1 else several}{rest} ({named})"


def changed_facts(
    spans: Sequence[Span],
    deletions: Sequence[Deletion] = (),
    suspect: Document | None = None,
    original: Document | None = None,
) -> str | None:
    """A note naming the ordinary edits of ``spans`` (and the dropped text, ``deletions``)
    that change a fact rather than the wording: numbers whose value differs, dates that
    name another month or weekday, amounts in another currency, words swapped for their
    opposites ("rose" -> "fell", spun or not), a time unit put for another after the
    same number ("eight weeks" -> "eight months", spun or not), negations added or
    dropped; None without any.

    Given the ``suspect`` and ``original`` documents the spans index, whole sentences
    added or dropped turn nothing round, nor does "neither ... nor" restructured with
    its sentence's negations kept (``_turned_round``).
    """
    pair = _Pair(suspect, original) if suspect is not None and original is not None else None
    numbers: list[str] = []
    opposites: list[str] = []
    dates: list[str] = []
    durations: list[str] = []
    currencies: list[str] = (
        _symbols_changed(suspect.text, original.text)
        if suspect is not None and original is not None
        else []
    )
    negations: list[str] = [
        f'"{d.text}" dropped'
        for d in deletions
        if _negation_changed(
            suspect,
            original,
            pair,
            (d.start, d.start, ""),
            (d.original_start, d.original_end, d.text),
        )
    ]
    for span in spans:
        if span.kind == "paraphrase":
            continue
        following = suspect.text[span.end : span.end + 40] if suspect is not None else ""
        if span.kind != "insert" and _says_the_opposite(span.text, span.original, following):
            opposites.append(f"{span.original} -> {span.text}")  # a swap or an edit alike
            continue
        if span.kind != "insert" and _unit_changed(span, suspect, original):
            durations.append(f"{span.original} -> {span.text}")  # a swap or an edit alike
            continue
        if span.is_spin:
            continue
        change = f"{span.original} -> {span.text}"
        kind = _fact_kind(span.text, span.original)
        if kind == "number" and _same_duration(span, suspect, original):
            continue  # "eight weeks" -> "about two months"
        if kind is not None:
            {"number": numbers, "date": dates, "currency": currencies}[kind].append(change)
        elif (
            (span.kind == "insert" or _short_edit(span))
            and _negation_changed(
                suspect,
                original,
                pair,
                (span.start, span.end, span.text),
                (span.original_start, span.original_end, span.original),
            )
            and not _moved_to_a_neighbour(span, spans, suspect, original)
        ):
            shown = f'"{span.text}"' + (f' for "{span.original}"' if span.original else " added")
            negations.append(shown)
    kinds = (  # (changes, noun for one, noun for several, what follows the noun)
        (numbers, "number differs", "numbers differ", " in value"),
        (dates, "date differs", "dates differ", ""),
        (durations, "duration is", "durations are", " in another time unit"),
        (currencies, "amount is", "amounts are", " in another currency"),
        (opposites, "word says", "words say", " the opposite"),
        (negations, "edit adds or drops", "edits add or drop", " a negation"),
    )
    parts = [_part(found, one, several, rest) for found, one, several, rest in kinds if found]
    if not parts:
        return None
    return "edits that may change facts, not only wording: " + "; ".join(parts)
