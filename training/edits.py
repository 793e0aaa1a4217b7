"""Syndication edits: how an outlet changes a wire story it republishes, without spinning it.

Hard negatives for a spin detector.  The AFP story in ``../shared/seeds`` shows
the kinds: one outlet writes "on April 27" where the other writes "on Sunday",
"Mr Zelensky" becomes "Zelensky", sentences are cut or moved, the headline is
rewritten, house spelling and typography differ, and boilerplate ("PHOTO: AFP",
"Sign up now: ...") comes and goes.  None of these swaps a word for a thesaurus
synonym, so a copy edited this way must be judged not spun.

``syndicate(text, rng)`` applies a few of the edits at random and names the ones
it applied.  Each edit is a small function ``(text, rng, title) -> str | None``
returning None when it does not apply to the text.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from types import MappingProxyType

from detector.document import make_document
from detector.restore import match_case
from detector.spin.thesauri import DATA_DIR
from detector.stopwords import STOPWORDS

__all__ = ["EDITS", "REWORDINGS", "load_spelling_variants", "reword", "syndicate"]

_DATA = DATA_DIR  # the spinner's data: its paratable profile flips the same spellings
_MONTHS = (
    "January February March April May June July August September October November December".split()
)
_WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
_MONTH = "|".join(_MONTHS)
# "April 27" / "April 27, 2025" (US order) and "27 April" / "27 April 2025" (British order).
_US_DATE = re.compile(rf"\b({_MONTH}) ([1-9]|[12]\d|3[01])(?:, (\d{{4}}))?\b")
_UK_DATE = re.compile(rf"\b([1-9]|[12]\d|3[01]) ({_MONTH})(?: (\d{{4}}))?\b")
_ON_WEEKDAY = re.compile(rf"\b([Oo]n) ({'|'.join(_WEEKDAYS)})\b")
_ON_DATE = re.compile(
    rf"\b([Oo]n) (?:({_MONTH}) ([1-9]|[12]\d|3[01])|([1-9]|[12]\d|3[01]) ({_MONTH}))\b(?!,? \d)"
)
_HONORIFIC = re.compile(r"\b(Mr|Mrs|Ms|Dr)(\.?) (?=[A-Z][a-z])")
_THOUSANDS = re.compile(r"\b(\d{1,3}),(\d{3})\b(?![.,]\d)")
_PLAIN_THOUSANDS = re.compile(r"(?<![\d.,$£€])\b([1-9]\d{3,5})\b(?![.,]\d)")
_PER_CENT = re.compile(r"\b(\d+(?:\.\d+)?)( per cent| percent|%)")
_SMALL_NUMBER = re.compile(r"(?<![\d.,$£€%-])\b([2-9])\b(?![.,:%]?\d)(?= [a-z])")
_NUMBER_NAMES = "zero one two three four five six seven eight nine".split()
_WORD_NUMBER = re.compile(r"\b(two|three|four|five|six|seven|eight|nine)\b(?= [a-z]+s\b)")
_SPACED_DASH = re.compile(r" [\u2013\u2014] ")
_BOILERPLATE = (
    "PHOTO: AFP",
    "PHOTO: REUTERS",
    "Advertisement",
    "Sign up now: Get our newsletters delivered to your inbox",
    "Follow topic:",
    "Read more:",
    "This article was originally published by our wire partners.",
    "(Reporting by staff; Editing by the news desk)",
    "Share this article",
)


def load_spelling_variants() -> tuple[tuple[str, str], ...]:
    """British/American spelling pairs from ``detector/spin/data/spelling_variants.tsv``."""
    pairs = []
    for line in (_DATA / "spelling_variants.tsv").read_text("utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            british, american = (p.strip() for p in line.split("\t"))
            pairs.append((british, american))
    return tuple(pairs)


# --------------------------------------------------------------------------- the edits


def reformat_dates(text: str, rng: random.Random, title: str = "") -> str | None:
    """Switch dates between US and British order, or between a date and a weekday."""
    choices = []
    if _ON_DATE.search(text):
        choices.append("to_weekday")
    if _ON_WEEKDAY.search(text):
        choices.append("to_date")
    if _US_DATE.search(text):
        choices.append("to_british")
    elif _UK_DATE.search(text):
        choices.append("to_us")
    if not choices:
        return None
    choice = rng.choice(choices)
    if choice == "to_weekday":  # "on April 27" -> "on Sunday"
        weekday = rng.choice(_WEEKDAYS)
        return _ON_DATE.sub(lambda m: f"{m.group(1)} {weekday}", text, count=rng.randint(1, 3))
    if choice == "to_date":  # "on Sunday" -> "on April 27"
        month, day = rng.choice(_MONTHS), rng.randint(1, 28)
        return _ON_WEEKDAY.sub(
            lambda m: f"{m.group(1)} {month} {day}", text, count=rng.randint(1, 3)
        )
    if choice == "to_british":
        return _US_DATE.sub(
            lambda m: f"{m.group(2)} {m.group(1)}" + (f" {m.group(3)}" if m.group(3) else ""), text
        )
    return _UK_DATE.sub(
        lambda m: f"{m.group(2)} {m.group(1)}" + (f", {m.group(3)}" if m.group(3) else ""), text
    )


def reformat_numbers(text: str, rng: random.Random, title: str = "") -> str | None:
    """Change number style: "1,000" / "1000", "5 per cent" / "5%", "three" / "3"."""
    choices: list[Callable[[str], str]] = []
    if _THOUSANDS.search(text):
        choices.append(lambda t: _THOUSANDS.sub(r"\1\2", t))
    elif _PLAIN_THOUSANDS.search(text):
        choices.append(lambda t: _PLAIN_THOUSANDS.sub(lambda m: f"{int(m.group(1)):,}", t))
    if _PER_CENT.search(text):
        style = rng.choice([" per cent", " percent", "%"])
        choices.append(lambda t: _PER_CENT.sub(lambda m: m.group(1) + style, t))
    if _SMALL_NUMBER.search(text):
        choices.append(lambda t: _SMALL_NUMBER.sub(lambda m: _NUMBER_NAMES[int(m.group(1))], t))
    if _WORD_NUMBER.search(text):
        choices.append(
            lambda t: _WORD_NUMBER.sub(lambda m: str(_NUMBER_NAMES.index(m.group(1))), t)
        )
    if not choices:
        return None
    edited = rng.choice(choices)(text)
    return edited if edited != text else None


def drop_honorifics(text: str, rng: random.Random, title: str = "") -> str | None:
    """Drop "Mr"/"Mrs"/"Ms"/"Dr" before names, or switch between "Mr" and "Mr." house styles."""
    if not _HONORIFIC.search(text):
        return None
    if rng.random() < 0.7:
        return _HONORIFIC.sub("", text)
    return _HONORIFIC.sub(lambda m: f"{m.group(1)}{'' if m.group(2) else '.'} ", text)


def _sentence_ranges(text: str) -> list[tuple[int, int]]:
    document = make_document(text)
    return [document.char_span(lo, hi) for lo, hi in document.sentences]


def _cut(text: str, start: int, end: int) -> str:
    """``text`` without ``[start, end)`` and the spaces after it (keeping one line break)."""
    tail = len(text[end:]) - len(text[end:].lstrip(" \t"))
    return text[:start] + text[end + tail :]


def drop_sentences(text: str, rng: random.Random, title: str = "") -> str | None:
    """Cut one or two sentences, never the first (editors trim wire copy in the middle and end)."""
    sentences = _sentence_ranges(text)
    if len(sentences) < 5:
        return None
    chosen = sorted(
        rng.sample(range(1, len(sentences)), k=min(rng.randint(1, 2), len(sentences) - 4))
    )
    for k in reversed(chosen):
        start, end = sentences[k]
        while end < len(text) and text[end] in ".!?\"'\u201d\u2019)":
            end += 1
        text = _cut(text, start, end)
    return text.strip()


def move_paragraph(text: str, rng: random.Random, title: str = "") -> str | None:
    """Move one paragraph (not the first) to another place after the first."""
    newline = "\r\n" if "\r\n" in text else "\n"
    separator = newline * 2 if newline * 2 in text else newline
    paragraphs = text.split(separator)
    if len(paragraphs) < 4:
        return None
    i = rng.randrange(1, len(paragraphs))
    moved = paragraphs.pop(i)
    j = rng.choice([k for k in range(1, len(paragraphs) + 1) if k != i])
    paragraphs.insert(j, moved)
    return separator.join(paragraphs)


def change_headline(text: str, rng: random.Random, title: str = "") -> str | None:
    """Put a different headline on top: the title recased or cut, or the lead's first words."""
    lines = text.split("\n", 1)
    first = lines[0].strip()
    has_headline = (
        bool(first) and len(first.split()) <= 14 and not first.endswith((".", "?", "!", ":"))
    )
    base = title or (first if has_headline else " ".join(first.split()[:8]).rstrip(",;:"))
    if not base:
        return None
    words = base.split()
    if rng.random() < 0.5:
        headline = " ".join(w[:1].upper() + w[1:] for w in words)  # Title Case
    else:
        headline = words[0][:1].upper() + words[0][1:] + " " + " ".join(words[1:])
        headline = headline.strip()
    if len(words) > 6 and rng.random() < 0.5:
        headline = " ".join(headline.split()[: rng.randint(4, len(words) - 1)])
    if has_headline:
        if headline == first:
            headline = headline + " - report"
        return headline + "\n" + (lines[1] if len(lines) > 1 else "")
    return headline + "\n\n" + text


def respell(text: str, rng: random.Random, title: str = "") -> str | None:
    """Switch between British and American spelling ("organise" / "organize", "per cent")."""
    pairs = load_spelling_variants()
    british = sum(len(re.findall(rf"\b{re.escape(b)}\b", text, re.I)) for b, _ in pairs)
    american = sum(len(re.findall(rf"\b{re.escape(a)}\b", text, re.I)) for _, a in pairs)
    if not british and not american:
        return None
    to_american = british >= american
    table = {(b if to_american else a).lower(): (a if to_american else b) for b, a in pairs}
    pattern = re.compile(
        r"\b(" + "|".join(map(re.escape, sorted(table, key=len, reverse=True))) + r")\b", re.I
    )
    edited = pattern.sub(lambda m: match_case(table[m.group().lower()], m.group()), text)
    return edited if edited != text else None


def retype(text: str, rng: random.Random, title: str = "") -> str | None:
    """Change typography: curly quotes to straight or back, spaced dashes to hyphens."""
    if any(c in text for c in "\u2018\u2019\u201c\u201d"):
        table = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
        edited = text.translate(table)
    elif '"' in text:
        edited = re.sub(r'"(?=\w)', "\u201c", text).replace('"', "\u201d").replace("'", "\u2019")
    else:
        return None
    if _SPACED_DASH.search(edited) and rng.random() < 0.5:
        edited = _SPACED_DASH.sub(" - ", edited)
    return edited if edited != text else None


def add_boilerplate(text: str, rng: random.Random, title: str = "") -> str | None:
    """Insert a site's furniture line ("PHOTO: AFP", "Advertisement") between paragraphs."""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(newline)
    if len(lines) < 2:
        return None
    k = rng.randrange(1, len(lines))
    lines.insert(k, rng.choice(_BOILERPLATE))
    return newline.join(lines)


EDITS: MappingProxyType[str, Callable[[str, random.Random, str], str | None]] = MappingProxyType(
    {
        "dates": reformat_dates,
        "numbers": reformat_numbers,
        "honorifics": drop_honorifics,
        "drop_sentences": drop_sentences,
        "move_paragraph": move_paragraph,
        "headline": change_headline,
        "spelling": respell,
        "typography": retype,
        "boilerplate": add_boilerplate,
    }
)


def syndicate(
    text: str,
    rng: random.Random,
    *,
    title: str = "",
    edits: int | tuple[int, int] = (2, 4),
    kinds: Sequence[str] | None = None,
) -> tuple[str, tuple[str, ...]]:
    """A syndicated copy of ``text``: a few editorial edits, no synonym swaps.

    Parameters
    ----------
    text : str
        The original article.
    rng : random.Random
        Source of randomness (pass a seeded one for reproducible edits).
    title : str, optional
        The article's headline, used by the headline edit.
    edits : int or (int, int), default=(2, 4)
        How many edits to apply, or the inclusive range to draw that number from.
    kinds : sequence of str, optional
        The edits to choose from (keys of ``EDITS``); all by default.

    Returns
    -------
    (str, tuple of str)
        The edited text and the names of the edits applied, in order.  Fewer edits
        than asked are applied when not enough of them fit the text.
    """
    names = list(EDITS) if kinds is None else list(kinds)
    unknown = [n for n in names if n not in EDITS]
    if unknown:
        raise ValueError(
            f"the 'kinds' parameter must list names from {', '.join(EDITS)}, got {unknown}"
        )
    wanted = edits if isinstance(edits, int) else rng.randint(*edits)
    rng.shuffle(names)
    applied: list[str] = []
    for name in names:
        if len(applied) >= wanted:
            break
        edited = EDITS[name](text, rng, title)
        if edited is not None and edited.strip() and edited != text:
            text = edited
            applied.append(name)
    return text, tuple(applied)


# --------------------------------------------------------------------------- wording


def _both_ways(pairs: str) -> tuple[tuple[str, str], ...]:
    rows = [p.split("/") for p in pairs.split(", ")]
    return tuple((a, b) for x, y in rows for a, b in ((x, y), (y, x)))


# Who says it ("she", "Smith") after a quotation or a comma, and the end of the clause
# after it: '..." she said.' and ', Smith says, adding' are attributions; "That said,"
# and "As Johnson said, the plan" are not.
_PRONOUNS = frozenset({"he", "she", "they", "we"})
_SPEAKER = r"(?<=[,\u201d\"] )\b(he|she|they|we|[A-Z][a-z]+) "
_CLAUSE_END = r"(?=[,.])"
# A number after the hedge, not a year ("nearly 40", "nearly half"; not "roughly 2019").
_BEFORE_NUMBER = (
    r"(?= (?:(?!(?:1[89]|20)\d\d\b)\d+|one|two|three|four|five|six|seven|eight|nine|ten"
    r"|a dozen|half)\b)"
)
_REGIONAL = (
    "lorry/truck, lorries/trucks, pavement/sidewalk, petrol/gasoline, motorway/highway, "
    "motorways/highways, mobile phone/cellphone, mobile phones/cellphones, "
    "car park/parking lot, car parks/parking lots, timetable/schedule, "
    "timetables/schedules, rubbish/garbage, autumn/fall"
)
# A sub-editor's wording changes, (pattern, template): each holds wherever its pattern
# matches, so a copy edited with them stays good English (a context-blind table of
# synonyms would not: that is what a spinner is).  British words go to American ones
# only (back, "fall" would not always be the season); no word that is also a verb
# ("film") and no hedge that is also a preposition ("over", "under", "about").
REWORDINGS: tuple[tuple[str, str], ...] = (
    (rf"{_SPEAKER}said{_CLAUSE_END}", r"\1 told reporters"),
    (rf"{_SPEAKER}said{_CLAUSE_END}", r"\1 added"),
    (rf"{_SPEAKER}told reporters{_CLAUSE_END}", r"\1 said"),
    (rf"{_SPEAKER}added{_CLAUSE_END}", r"\1 said"),
    (rf"{_SPEAKER}says{_CLAUSE_END}", r"\1 said"),
    *((rf"\b(?i:{a}){_BEFORE_NUMBER}", b) for a, b in _both_ways("nearly/almost")),
    (rf"\b(?i:approximately){_BEFORE_NUMBER}", "about"),
    (rf"\b(?i:roughly){_BEFORE_NUMBER}", "about"),
    *((rf"\b(?i:{a})\b", b) for a, b in (row.split("/") for row in _REGIONAL.split(", "))),
    (r"\b(?i:in order to)\b", "to"),
    (r"\b(?i:a number of)\b", "several"),
    (r"\b(?i:prior to)\b", "before"),
)


def reword(text: str, rng: random.Random, *, changes: tuple[int, int] = (1, 4)) -> str | None:
    """``text`` with a few of a sub-editor's wording changes (``REWORDINGS``: an
    attribution, "she said" -> "she told reporters"; a hedge before a number, "nearly"
    -> "almost"; a British word made American, "lorry" -> "truck"; a wordy phrase
    tightened, "in order to" -> "to"), between ``changes[0]`` and ``changes[1]`` of them
    (fewer when fewer fit), at places drawn at random; None when none fits the text.

    Kept apart from ``EDITS``, so ``syndicate`` (and the spin dataset built with it)
    is as it was; ``bench/bench_swap_fit.py`` rewords syndicated copies with it, since
    editors change a few of a copy's words as well as its dates and names.
    """
    low, high = changes
    if not 1 <= low <= high:
        raise ValueError(
            f"the 'changes' parameter must be (low, high) with 1 <= low <= high, got {changes!r}"
        )
    found = []
    for pattern, template in REWORDINGS:
        for match in re.finditer(pattern, text):
            if match.re.groups and match[1].lower() in STOPWORDS - _PRONOUNS:
                continue  # "That said," / "This says": not who says it
            new = match.expand(template) if "\\" in template else match_case(template, match[0])
            found.append((match.start(), match.end(), new))
    if not found:
        return None
    rng.shuffle(found)
    wanted = rng.randint(low, high)
    chosen: list[tuple[int, int, str]] = []
    for start, end, new in found:
        if len(chosen) < wanted and all(end <= s or e <= start for s, e, _ in chosen):
            chosen.append((start, end, new))
    for start, end, new in sorted(chosen, reverse=True):
        text = text[:start] + new + text[end:]
    return text
