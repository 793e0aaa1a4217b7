"""A rule-based paraphraser in the style of paraphrasing tools (QuillBot and the like).

``paraphrase(text, seed=7)`` rewrites a share of an article's sentences, each in
its place, keeping its meaning, names, numbers' values and quotations, the way
paraphrasing tools and round-trip translation do:

- reporting clauses move ("Officials said the bridge would reopen." -> "According
  to officials, the bridge would reopen." / "The bridge would reopen, officials
  said." / "Officials stated that the bridge would reopen.");
- time phrases and subordinate clauses move to the front or to the back ("The
  talks failed on Monday." -> "On Monday, the talks failed."; "Although X, Y." ->
  "Y although X.");
- sentences split at a semicolon or at ", and" / ", but" between two clauses,
  and two short neighbouring sentences merge;
- simple active clauses become passive and back ("The police arrested a man." ->
  "A man was arrested by the police.");
- glue phrases and a few frequent words change for common alternatives
  ("because" -> "since", "many" -> "numerous", "help" -> "assist", "country" ->
  "nation"), numbers change style ("5" <-> "five", "per cent" <-> "%") and
  contractions are expanded or made.

Paragraph breaks are kept; text in double quotes is never edited.  The result is
deterministic for a seed.  It is test data for a paraphrase detector, not a
writing aid: the rules are shallow and occasionally clumsy.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

from detector.document import make_document
from detector.stopwords import STOPWORDS

__all__ = [
    "Paraphrase",
    "SentenceRewrite",
    "paraphrase",
    "paraphrase_with_pairs",
    "split_paragraphs",
    "split_sentences",
]

_PARAGRAPH_BREAK = re.compile(r"\s*\n\s*")


def split_paragraphs(text: str) -> tuple[list[str], list[str]]:
    """The paragraphs of ``text`` and the whitespace runs (holding line breaks) between them."""
    parts = _PARAGRAPH_BREAK.split(text.strip())
    gaps = _PARAGRAPH_BREAK.findall(text.strip())
    return parts, gaps


def split_sentences(paragraph: str) -> list[str]:
    """The sentences of one paragraph as written, punctuation included, spaces trimmed."""
    document = make_document(paragraph)
    if not document.sentences:
        return [paragraph.strip()] if paragraph.strip() else []
    starts = [document.padded_span(lo, hi)[0] for lo, hi in document.sentences]
    starts[0] = 0
    bounds = [*starts[1:], len(paragraph)]
    return [
        paragraph[a:b].strip()
        for a, b in zip(starts, bounds, strict=True)
        if paragraph[a:b].strip()
    ]


@dataclass(frozen=True)
class SentenceRewrite:
    """One output sentence, the source sentences it came from, and the rules applied."""

    sources: tuple[str, ...]
    output: str
    rules: tuple[str, ...]


@dataclass(frozen=True)
class Paraphrase:
    """A paraphrased text and, in order, how each of its sentences was made."""

    text: str
    sentences: tuple[SentenceRewrite, ...]

    @property
    def changed_share(self) -> float:
        """The share of source sentences whose text changed."""
        total = sum(len(s.sources) for s in self.sentences)
        changed = sum(len(s.sources) for s in self.sentences if s.output != " ".join(s.sources))
        return changed / total if total else 0.0


# --------------------------------------------------------------------------- vocabulary

_QUOTE = '"\u201c\u201d'
_NOQ = rf"[^{_QUOTE}]"  # anything but a double quote
_WEEKDAY = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_MONTH = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATE = (
    rf"(?:(?:{_MONTH})(?: [1-3]?\d)?(?:,? \d{{4}})?|[1-3]?\d (?:{_MONTH})(?: \d{{4}})?"
    rf"|{_WEEKDAY}(?: (?:morning|afternoon|evening|night))?|\d{{4}}|the \d{{4}}s)"
)
_PERIOD = "week|month|year|weekend|summer|winter|spring|autumn|morning|evening|season"
_TIME = (
    rf"(?:(?:on|in|during|since|by|until|before|after|from) {_DATE}"
    rf"|(?:last|next|this|earlier this|later this) (?:{_PERIOD}|{_WEEKDAY})"
    rf"|in recent (?:years|months|weeks|days)|yesterday|today|tomorrow"
    rf"|(?:over|in|during) the (?:past|last|next|coming) (?:few |two |three |\d+ )?"
    rf"(?:days|weeks|months|years|decades))"
)
_REPORT_VERBS = {
    "said": ("stated", "noted", "indicated"),
    "says": ("states", "notes"),
    "added": ("further stated", "also noted"),
    "announced": ("revealed", "declared"),
    "warned": ("cautioned",),
    "claimed": ("asserted", "maintained"),
    "explained": ("clarified",),
    "confirmed": ("verified",),
    "reported": ("stated",),
    "stated": ("said",),
    "told reporters": ("told journalists", "informed reporters"),
    "told the BBC": ("told the BBC",),
}
_REPORT = "|".join(sorted(map(re.escape, _REPORT_VERBS), key=len, reverse=True))
# Words that can open a subject or a noun phrase without being a name.
_COMMON = frozenset(
    (
        "officials authorities police experts scientists researchers residents analysts critics "
        "people doctors officers witnesses workers students teachers parents leaders ministers "
        "investigators campaigners activists observers sources reports studies data figures "
        "engineers economists lawyers prosecutors judges voters fans users customers companies "
        "governments doctors nurses farmers protesters soldiers troops rebels"
    ).split()
)
_CLAUSE_START = re.compile(
    r"^(?:he|she|they|it|we|i|you|there|this|that|these|those|the|his|her|its|their|our|"
    r"many|some|most|several|[A-Z][a-z]+)\b"
)
_VERBISH = re.compile(
    r"\b(?:is|are|was|were|has|have|had|will|would|can|could|may|might|should|must|do|does|"
    r"did|said|says|[a-z]{3,}ed)\b"
)

# Glue phrases and frequent words: (pattern, alternatives); a pattern matches whole words,
# case-insensitively, its first letter's case carried over.
_SWAPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"because of", ("due to", "owing to", "as a result of")),
    (r"because", ("since", "as", "due to the fact that")),
    (r"in order to", ("to", "so as to")),
    (r"a lot of|lots of", ("a great deal of", "plenty of")),
    (r"as well as", ("in addition to", "along with")),
    (r"although", ("even though", "though")),
    (r"^however(?=,)", ("Nevertheless", "Nonetheless", "That said")),
    (r"(?<=, )however(?=,)", ("though", "nevertheless")),
    (r"also(?= [a-z])", ("additionally",)),
    (
        r"many(?! (?:more|of|other|such|than|times)\b)(?= [a-z]{3,})",
        ("numerous", "a large number of"),
    ),
    (r"several(?= [a-z]{3,}s\b)", ("a number of", "multiple")),
    (r"(?:about|around)(?= \$?\d)", ("approximately", "roughly")),
    (r"more than(?= \$?\d)", ("over", "in excess of")),
    (r"almost", ("nearly",)),
    (r"nearly", ("almost",)),
    (r"very", ("extremely", "highly")),
    (r"usually", ("typically", "generally")),
    (r"quickly", ("rapidly", "swiftly")),
    (r"recently", ("lately", "in recent times")),
    (r"big", ("large", "major")),
    (r"bigger", ("larger",)),
    (r"biggest", ("largest",)),
    (r"important", ("significant", "vital")),
    (r"main", ("primary", "principal")),
    (r"people", ("individuals",)),
    (r"person", ("individual",)),
    (r"children", ("kids", "youngsters")),
    (r"country", ("nation",)),
    (r"countries", ("nations",)),
    (r"company", ("firm", "business")),
    (r"companies", ("firms", "businesses")),
    (r"problem", ("issue",)),
    (r"problems", ("issues",)),
    (r"help", ("assist", "aid")),
    (r"helps", ("assists",)),
    (r"helped", ("assisted",)),
    (r"helping", ("assisting",)),
    (r"show(?= that)", ("demonstrate", "indicate")),
    (r"shows(?= that)", ("demonstrates", "indicates")),
    (r"showed(?= that)", ("demonstrated", "indicated")),
    (r"found(?= that)", ("discovered", "determined")),
    (r"think", ("believe",)),
    (r"thinks", ("believes",)),
    (r"buy", ("purchase",)),
    (r"bought", ("purchased",)),
    (r"try(?= to)", ("attempt", "seek")),
    (r"tried(?= to)", ("attempted", "sought")),
    (r"started", ("began",)),
    (r"began", ("started", "commenced")),
    (r"want(?= to)", ("wish", "would like")),
    (r"wanted(?= to)", ("wished", "sought")),
    (r"plan(?= to)", ("intend",)),
    (r"plans(?= to)", ("intends",)),
    (r"planned(?= to)", ("intended",)),
    (r"allowed(?= to)", ("permitted",)),
    (r"during", ("throughout", "over the course of")),
    (r"(?<=is )now|(?<=are )now|(?<=was )now", ("currently", "presently")),
    (r"rise", ("increase",)),
    (r"rises", ("increases",)),
    (r"rose", ("increased", "climbed")),
    (r"fell", ("dropped", "declined")),
    (r"enough(?= [a-z]+s\b)", ("sufficient",)),
    (r"whole", ("entire",)),
    (r"so that", ("in order that",)),
    (r"get(?= (?:the|a|an|any|some|more|enough|their|his|her)\b)", ("obtain", "receive")),
    (r"set up", ("establish",)),
    (r"provided(?= by)", ("supplied",)),
    (r"enables?", ("allows",)),
    (r"similar", ("comparable",)),
    (r"certainly", ("definitely", "undoubtedly")),
    (r"simply", ("merely", "just")),
    (r"pointing out", ("highlighting", "noting")),
    (r"newest", ("latest",)),
    (r"recent", ("latest",)),
    (r"expensive", ("costly", "pricey")),
    (r"essential", ("vital", "crucial")),
    (r"remained", ("stayed", "continued to be")),
    (r"widespread", ("common", "prevalent")),
    (r"increasingly", ("progressively", "more and more")),
    (r"sophisticated", ("advanced",)),
    (r"exactly", ("precisely",)),
    (r"meant to", ("intended to", "supposed to")),
    (r"keen to", ("eager to",)),
    (r"currently", ("presently", "at present")),
    (r"on offer", ("available",)),
    (r"(?<=we )need to|(?<=they )need to|(?<=you )need to|(?<=will )need to", ("have to",)),
    (r"needs to", ("has to",)),
    (r"in the future", ("going forward", "in the years ahead")),
    (r"for example", ("for instance",)),
    (r"for instance", ("for example",)),
    (r"such as", ("including", "like")),
    (r"at least(?= \$?\d)", ("a minimum of", "no fewer than")),
    (r"despite", ("in spite of",)),
    (r"due to(?= (?:the|a|an|its|his|her|their|this|that) )", ("because of", "owing to")),
    (r"so far", ("to date", "thus far")),
    (r"huge", ("enormous", "massive")),
    (r"again", ("once more", "once again")),
    (r"hard to", ("difficult to",)),
    (r"difficult", ("challenging", "tough")),
    (r"to use", ("to utilize", "to make use of")),
    (r"used by", ("utilized by",)),
    (r"houses", ("homes",)),
    (r"told(?= (?:the|a|an|him|her|them|us|reporters|journalists) )", ("informed",)),
    (r"decided to", ("chose to", "opted to")),
    (r"agreed to", ("consented to",)),
    (r"therefore", ("thus", "consequently")),
    (r"meanwhile", ("in the meantime",)),
    (r"finally", ("eventually", "ultimately")),
    (r"received", ("obtained", "got")),
    (r"began(?= to)", ("started",)),
    (r"large", ("sizable", "substantial")),
    (r"completely", ("entirely", "totally")),
    (r"especially", ("particularly",)),
    (r"mostly", ("largely", "mainly")),
    (r"mainly", ("primarily", "chiefly")),
    (r"possible", ("feasible",)),
    (r"ability", ("capacity",)),
    (r"advantage", ("benefit",)),
    (r"goal", ("aim", "objective")),
    (r"goals", ("aims", "objectives")),
    (r"(?<=the )rest of", ("remainder of",)),
    (r"chance", ("opportunity",)),
    (r"often", ("frequently", "regularly")),
    (r"kind of", ("type of", "sort of")),
    (r"unfortunately", ("sadly", "regrettably")),
    (r"fortunately", ("luckily", "thankfully")),
    (r"indeed", ("in fact",)),
    (r"in fact", ("actually", "indeed")),
    (r"instead", ("rather",)),
    (r"immediately", ("right away", "at once")),
    (r"perhaps", ("maybe", "possibly")),
    (r"probably", ("likely", "most likely")),
    (r"extremely", ("exceptionally",)),
    (r"really", ("truly",)),
    (r"shocked", ("stunned", "startled")),
    (r"angry", ("furious", "irate")),
    (r"happy", ("pleased", "glad")),
    (r"afraid", ("scared", "fearful")),
    (r"famous", ("well-known", "renowned")),
    (r"popular", ("well-liked", "widely liked")),
    (r"strong", ("powerful", "robust")),
    (r"weak", ("feeble", "fragile")),
    (r"rich", ("wealthy", "affluent")),
    (r"poor(?= (?:people|families|countries|communities|households))", ("impoverished",)),
    (r"cheap", ("inexpensive", "low-cost")),
    (r"cheaper", ("less expensive", "lower-cost")),
    (r"rules", ("regulations",)),
    (r"idea", ("notion", "concept")),
    (r"aim", ("goal",)),
    (r"results", ("outcomes", "findings")),
    (r"research", ("study", "studies")),
    (r"scientists", ("researchers",)),
    (r"researchers", ("scientists",)),
    (r"experts", ("specialists",)),
    (r"officials", ("authorities",)),
    (r"worldwide", ("globally", "around the world")),
    (r"around the world", ("worldwide", "across the globe")),
    (r"across the country", ("nationwide", "throughout the country")),
    (r"spokesman", ("representative",)),
    (r"spokeswoman", ("representative",)),
    (r"director", ("head",)),
    (r"sector", ("industry",)),
    (r"industry", ("sector",)),
    (r"customers", ("clients", "consumers")),
    (r"employees", ("staff", "workers")),
    (r"workers", ("employees",)),
    (r"students", ("pupils", "learners")),
    (r"cars", ("vehicles", "automobiles")),
    (r"car", ("vehicle", "automobile")),
    (r"movie", ("film",)),
    (r"film", ("movie",)),
    (r"shops", ("stores",)),
    (r"phone", ("telephone",)),
    (r"mobile phone", ("cellphone",)),
    (r"town", ("municipality",)),
    (r"doctors", ("physicians", "medical practitioners")),
    (r"illness", ("sickness", "disease")),
    (r"disease", ("illness",)),
    (r"meeting", ("gathering", "session")),
    (r"talks", ("negotiations", "discussions")),
    (r"attack", ("assault",)),
    (r"attacks", ("assaults",)),
    (r"injured", ("wounded", "hurt")),
    (r"arrested", ("detained",)),
    (r"prison", ("jail",)),
    (r"jail", ("prison",)),
    (r"election", ("vote", "poll")),
    (r"president", ("head of state",)),
    (r"increase", ("rise", "growth")),
    (r"decrease", ("decline", "drop")),
    (r"reduce", ("cut", "lower")),
    (r"reduced", ("cut", "lowered")),
    (r"improve", ("enhance", "boost")),
    (r"improved", ("enhanced", "boosted")),
    (r"create", ("generate", "produce")),
    (r"created", ("generated", "produced")),
    (r"build", ("construct",)),
    (r"built", ("constructed",)),
    (r"choose", ("select", "pick")),
    (r"chose", ("selected", "picked")),
    (r"chosen", ("selected", "picked")),
    (r"seek", ("look for",)),
    (r"return(?= to)", ("go back",)),
    (r"returned(?= to)", ("went back",)),
    (r"arrive", ("get there",)),
    (r"visit", ("trip",)),
    (r"leave(?= the)", ("exit", "depart from")),
    (r"left(?= the)", ("exited", "departed from")),
    (r"explain", ("clarify",)),
    (r"believe", ("think",)),
    (r"suggested", ("proposed", "indicated")),
    (r"suggests", ("indicates",)),
    (r"require", ("need",)),
    (r"required", ("needed",)),
    (r"continue(?= to)", ("keep on", "go on")),
    (r"continued(?= to)", ("kept on", "went on")),
    (r"ended", ("finished", "concluded")),
    (r"ensure", ("make sure",)),
    (r"discuss", ("talk about",)),
    (r"discussed", ("talked about",)),
    (r"damage", ("harm",)),
    (r"damaged", ("harmed",)),
    (r"destroyed", ("wrecked", "demolished")),
    (r"happened", ("occurred", "took place")),
    (r"happen", ("occur", "take place")),
    (r"contains", ("includes", "holds")),
    (r"contained", ("included", "held")),
    (r"include", ("feature",)),
    (r"includes", ("features",)),
    (r"received", ("got",)),
    (r"worth", ("valued at",)),
    (r"amount", ("quantity",)),
    (r"half", ("fifty percent",)),
    (r"quarter", ("one-fourth",)),
    (r"^but(?= [a-z])", ("However,", "Yet")),
    (r"(?<=, )but(?= [a-z])", ("yet",)),
)
# One alternation over every swap, earlier entries first, so that no text is swapped twice.
_SWAP_REGEX = re.compile(
    "|".join(rf"(?P<s{k}>(?<![\w-])(?:{p})(?![\w-]))" for k, (p, _) in enumerate(_SWAPS)), re.I
)
_SWAP_FIRST_WORDS = frozenset(
    a.split()[0].lower() for _, alternatives in _SWAPS for a in alternatives
)
_ARTICLE = re.compile(r"\b([Aa]n?) ([A-Za-z][\w-]*)")
_NUMBER_WORDS = "zero one two three four five six seven eight nine ten".split()
_DIGIT = re.compile(
    r"(?<![\d.,$£€%:/-])\b([2-9]|10)\b(?![.,:/%-]?\d)(?! ?(?:%|per ?cent))(?= [a-z])"
)
_NUMBER_WORD = re.compile(r"\b(two|three|four|five|six|seven|eight|nine|ten)\b(?= [a-z]+s\b)")
_PER_CENT = re.compile(r"\b(\d+(?:\.\d+)?)(?: per cent| percent|%)")
_EXPAND = {
    "don't": "do not",
    "doesn't": "does not",
    "didn't": "did not",
    "isn't": "is not",
    "aren't": "are not",
    "wasn't": "was not",
    "weren't": "were not",
    "can't": "cannot",
    "couldn't": "could not",
    "won't": "will not",
    "wouldn't": "would not",
    "shouldn't": "should not",
    "hasn't": "has not",
    "haven't": "have not",
    "hadn't": "had not",
    "they're": "they are",
    "we're": "we are",
    "you're": "you are",
    "I'm": "I am",
    "that's": "that is",
    "there's": "there is",
    "it's": "it is",
    "we've": "we have",
    "they've": "they have",
}
_CONTRACT = {v: k for k, v in _EXPAND.items() if k not in ("it's", "that's", "there's")}
_EXPAND_PATTERN = re.compile(
    r"\b(?:" + "|".join(re.escape(k).replace("'", "['\u2019]") for k in _EXPAND) + r")\b", re.I
)
_CONTRACT_PATTERN = re.compile(r"\b(?:" + "|".join(map(re.escape, _CONTRACT)) + r")\b", re.I)


# --------------------------------------------------------------------------- helpers


@dataclass(frozen=True)
class _Context:
    """What the rules know about the whole text: words seen in lower case and capitalised."""

    lower: frozenset[str]
    capital: frozenset[str]


def _context(text: str) -> _Context:
    words = re.findall(r"(?<![.!?] )(?<!^)\b[A-Za-z][a-z'-]+", text)
    lower = {w for w in re.findall(r"\b[a-z][a-z'-]*", text)}
    capital = {w.lower() for w in words if w[0].isupper()}
    return _Context(frozenset(lower), frozenset(capital))


def _cap(text: str) -> str:
    """``text`` with its first letter upper-cased (after any opening quote or bracket)."""
    for k, c in enumerate(text):
        if c.isalpha():
            return text[:k] + c.upper() + text[k + 1 :]
        if c.isdigit():
            return text
    return text


def _decap(text: str, ctx: _Context) -> str:
    """``text`` with its first word lower-cased unless it looks like a name or an acronym."""
    m = re.match(r"([A-Z])([a-z'-]*)", text)
    if m is None or text.startswith(("I ", "I'")):
        return text
    word = m.group().lower()
    common = word in STOPWORDS or word in _COMMON or word in ctx.lower
    if not common or (word in ctx.capital and word not in STOPWORDS and word not in ctx.lower):
        return text
    return word[0] + text[1:]


def _words(text: str) -> int:
    return len(text.split())


def _quoted(text: str) -> list[tuple[int, int]]:
    """Character ranges of double-quoted passages.

    A closing quote with no opening one (a quotation begun in an earlier sentence)
    quotes everything before it; an unclosed opening quote runs to the end.
    """
    spans: list[tuple[int, int]] = []
    start: int | None = None
    for k, c in enumerate(text):
        if c not in _QUOTE:
            continue
        closing = c == "\u201d" or (
            c == '"' and (k + 1 == len(text) or not text[k + 1].isalnum()) and k > 0
        )
        if start is None and closing and not spans:
            spans.append((0, k + 1))
        elif start is None:
            start = k
        else:
            spans.append((start, k + 1))
            start = None
    if start is not None:
        spans.append((start, len(text)))
    return spans


def _quote_state(text: str, inside: bool) -> bool:
    """Whether a quotation is still open after ``text``, given whether one was open before."""
    for c in text:
        if c == "\u201c":
            inside = True
        elif c == "\u201d":
            inside = False
        elif c == '"':
            inside = not inside
    return inside


def _quote_marks(sentence: str, inner: str) -> str:
    """``inner`` in double quotes of the style ``sentence`` uses (curly or straight)."""
    if "\u201c" in sentence or "\u201d" in sentence:
        return f"\u201c{inner}\u201d"
    return f'"{inner}"'


def _has_quote(text: str) -> bool:
    return any(c in _QUOTE for c in text)


# --------------------------------------------------------------------------- sentence rules
# Each rule takes (sentence, rng, context) and returns the rewritten sentence or None.

_R_LEAD_REPORT = re.compile(
    rf"^(?P<subj>[A-Z][^,{_QUOTE}]{{1,60}}?) (?P<verb>{_REPORT})"
    rf"(?P<tp> (?:on|in|last|this|earlier) [A-Za-z0-9 ]{{3,25}}?)?,? (?P<that>that )?"
    rf"(?P<rest>[^;{_QUOTE}]{{12,}})(?P<end>[.!?])$"
)
_R_TRAIL_REPORT = re.compile(
    rf"^(?P<rest>{_NOQ}{{12,}}?), (?P<subj>[^,{_QUOTE}]{{2,60}}?) (?P<verb>{_REPORT})"
    rf"(?P<tp> (?:on|in|last|this|earlier) [A-Za-z0-9 ]{{3,25}})?(?P<end>[.!?])$"
)
_R_TRAIL_REPORT_INV = re.compile(
    rf"^(?P<rest>{_NOQ}{{12,}}?), (?P<verb>said|says|added|observes|notes|explains) "
    rf"(?P<subj>[^,{_QUOTE}]{{2,60}})"
    rf"(?P<end>[.!?])$"
)
_R_ACCORDING_TRAIL = re.compile(
    rf"^(?P<rest>{_NOQ}{{12,}}?),? according to (?P<subj>[^,{_QUOTE}]{{2,60}})(?P<end>[.!?])$"
)
_R_ACCORDING_LEAD = re.compile(
    rf"^According to (?P<subj>[^,{_QUOTE}]{{2,60}}), (?P<rest>{_NOQ}{{12,}})(?P<end>[.!?])$"
)
_R_QUOTE_REPORT = re.compile(
    rf"^[\"\u201c](?P<q>{_NOQ}{{8,}}?)[,.]?[\"\u201d],? (?P<subj>[A-Z][^,{_QUOTE}]{{1,50}}?) "
    rf"(?P<verb>said|says|added|told reporters)(?P<tail>[^,{_QUOTE}]{{0,30}})(?P<end>\.)$"
)
_R_QUOTE_REPORT_INV = re.compile(
    rf"^[\"\u201c](?P<q>{_NOQ}{{8,}}?)[,.]?[\"\u201d],? (?P<verb>said|says|added) "
    rf"(?P<subj>[A-Z][^,{_QUOTE}]{{1,40}}?)(?P<tail>, [^{_QUOTE}]{{3,60}})?(?P<end>\.)$"
)
_R_REPORT_QUOTE = re.compile(
    rf"^(?P<subj>[A-Z][^,{_QUOTE}]{{1,50}}?) (?P<verb>said|says|added)"
    rf"(?P<tail>[^,{_QUOTE}]{{0,30}})[:,] [\"\u201c](?P<q>{_NOQ}{{8,}}?)(?P<qend>[.!?])[\"\u201d]$"
)


def _subject_ok(subj: str) -> bool:
    low = f" {subj.lower()} "
    if _words(subj) > 8 or any(w in low for w in (" that ", " which ", " who ", " and said ")):
        return False
    return not re.search(r"\b(?:is|are|was|were|has|have|had|will|would)\b", subj)


def _is_clause(text: str) -> bool:
    """Whether ``text`` opens like a clause: a subject, then a verb within six words."""
    head = text.split(",")[0]
    return bool(_CLAUSE_START.match(head)) and bool(_VERBISH.search(" ".join(head.split()[1:7])))


def _report_verb(verb: str, rng: random.Random) -> str:
    return rng.choice(_REPORT_VERBS.get(verb, (verb,)))


def rule_reporting(sentence: str, rng: random.Random, ctx: _Context) -> str | None:
    """Move a reporting clause: "X said Y." <-> "Y, X said." / "According to X, Y."."""
    m = _R_QUOTE_REPORT.match(sentence)
    if m and _subject_ok(m.group("subj")):
        q = m.group("q").rstrip(",")
        quote = _quote_marks(sentence, q + ".")
        return f"{m.group('subj')} {m.group('verb')}{m.group('tail')}: {quote}"
    m = _R_QUOTE_REPORT_INV.match(sentence)
    if m and _subject_ok(m.group("subj")):
        q, tail = m.group("q").rstrip(","), m.group("tail") or ""
        tail = f"{tail}," if tail else ""
        return f"{m.group('subj')}{tail} {m.group('verb')}: {_quote_marks(sentence, q + '.')}"
    m = _R_REPORT_QUOTE.match(sentence)
    if m and _subject_ok(m.group("subj")):
        subj = m.group("subj")
        quote = _quote_marks(sentence, m.group("q") + ",")
        return f"{quote} {_decap(subj, ctx)} {m.group('verb')}{m.group('tail')}."
    m = _R_ACCORDING_LEAD.match(sentence)
    if m:
        subj, rest, end = m.group("subj"), m.group("rest"), m.group("end")
        if rng.random() < 0.5:
            return f"{_cap(rest)}, {subj} said{end}"
        return f"{_cap(subj)} said that {rest}{end}"
    m = _R_ACCORDING_TRAIL.match(sentence)
    if m and _words(m.group("rest")) >= 4:
        subj, rest, end = m.group("subj"), m.group("rest"), m.group("end")
        if rng.random() < 0.5:
            return f"According to {subj}, {_decap(rest, ctx)}{end}"
        return f"{_cap(subj)} said that {_decap(rest, ctx)}{end}"
    for pattern in (_R_TRAIL_REPORT, _R_TRAIL_REPORT_INV):
        m = pattern.match(sentence)
        if m and _subject_ok(m.group("subj")) and _words(m.group("rest")) >= 4:
            subj, rest, end = m.group("subj"), m.group("rest"), m.group("end")
            verb, tp = m.group("verb"), (m.groupdict().get("tp") or "")
            if tp or rng.random() < 0.5:
                return f"{_cap(subj)} {_report_verb(verb, rng)}{tp} that {_decap(rest, ctx)}{end}"
            return f"According to {_decap(subj, ctx)}, {_decap(rest, ctx)}{end}"
    m = _R_LEAD_REPORT.match(sentence)
    if (
        m
        and _subject_ok(m.group("subj"))
        and _words(m.group("rest")) >= 4
        and (m.group("that") or _is_clause(m.group("rest")))
    ):
        subj, rest, end = m.group("subj"), m.group("rest"), m.group("end")
        verb, tp = m.group("verb"), m.group("tp") or ""
        if verb in ("added", "told reporters") or tp:
            choice = rng.choice(("trail", "verb"))
        else:
            choice = rng.choice(("according", "trail", "verb"))
        if choice == "according":
            return f"According to {_decap(subj, ctx)}, {rest}{end}"
        if choice == "trail":
            return f"{_cap(rest)}, {_decap(subj, ctx)} {verb}{tp}{end}"
        return f"{subj} {_report_verb(verb, rng)}{tp} that {rest}{end}"
    return None


_R_APPOSITION = re.compile(
    rf"^(?P<name>[A-Z][\w'\u2019.-]+(?: [A-Z][\w'\u2019.-]+){{1,3}}), "
    rf"(?P<app>(?:the |a |an )?[^,{_QUOTE}]{{3,60}}?), "
    rf"(?P<rest>(?:{_REPORT}|has|have|had|is|was|will|would|who|told|wrote|writes)\b{_NOQ}*)$"
)
_R_INSERTED_REPORT = re.compile(
    rf"^(?P<a>[A-Z][^,{_QUOTE}]{{3,50}}), (?P<subj>he|she|they|we|[A-Z][a-z]+(?: [A-Z][a-z]+)?) "
    rf"(?P<verb>said|says|writes|wrote|added|argued|argues|believes|insisted), "
    rf"(?P<b>[^{_QUOTE}]{{8,}})$"
)


def rule_apposition(sentence: str, rng: random.Random, ctx: _Context) -> str | None:
    """Swap a name and its apposition: "Jo Bloggs, the mayor, said" -> "The mayor, Jo Bloggs,"."""
    m = _R_APPOSITION.match(sentence)
    if m:
        app = m.group("app")
        if re.match(r"(?:who|which|that|and|but|or|with|in|on|at)\b", app) or "(" in app:
            return None
        return f"{_cap(app)}, {m.group('name')}, {m.group('rest')}"
    m = _R_INSERTED_REPORT.match(sentence)
    if m and not m.group("a").startswith(("But ", "And ", "However")):
        subj = m.group("subj")
        subj = subj if subj not in ("he", "she", "they", "we") else subj.capitalize()
        return f"{subj} {m.group('verb')} {_decap(m.group('a'), ctx)} {m.group('b')}"
    return None


_R_TRAIL_TIME = re.compile(rf"^(?P<body>{_NOQ}{{15,}}?),? (?P<tp>{_TIME})(?P<end>[.!?])$")
_R_LEAD_TIME = re.compile(rf"^(?P<tp>{_TIME}), (?P<body>{_NOQ}{{15,}})(?P<end>[.!?])$", re.I)


def rule_time(sentence: str, rng: random.Random, ctx: _Context) -> str | None:
    """Move a time phrase: "X on Monday." <-> "On Monday, x."."""
    m = _R_TRAIL_TIME.match(sentence)
    if (
        m
        and _words(m.group("body")) >= 4
        and not m.group("body").endswith((" and", " or"))
        and not re.match(rf"(?:{_SUB_CONJ})\b", m.group("body"), re.I)
        and not re.search(r",| who | which | that | to [a-z]+ ", m.group("body"))
    ):
        return f"{_cap(m.group('tp'))}, {_decap(m.group('body'), ctx)}{m.group('end')}"
    m = _R_LEAD_TIME.match(sentence)
    if m and _words(m.group("body")) >= 4 and "," not in m.group("body"):
        tp = m.group("tp")
        tp = tp[0].lower() + tp[1:] if not re.match(_WEEKDAY + "|" + _MONTH, tp) else tp
        return f"{_cap(m.group('body'))} {tp}{m.group('end')}"
    return None


_SUB_CONJ = (
    "although|though|even though|while|whereas|because|when|after|before|if|unless|once|"
    "as soon as|ever since|since|despite|in spite of"
)
_R_LEAD_SUB = re.compile(
    rf"^(?P<conj>{_SUB_CONJ}) (?P<sub>[^,{_QUOTE}]{{8,}}?), (?P<main>{_NOQ}{{15,}})(?P<end>[.!?])$",
    re.I,
)
_R_TRAIL_SUB = re.compile(
    rf"^(?P<main>[^,{_QUOTE}]{{15,}}?) (?P<conj>{_SUB_CONJ}) (?P<sub>[^,{_QUOTE}]{{8,}})"
    rf"(?P<end>[.!?])$"
)
_NO_SUB_BEFORE = re.compile(
    r"\b(?:time|day|days|year|years|moment|period|point|asked|ask|wonder|know|see|decide|"
    r"whether|even|just|only|as|than)$",
    re.I,
)


def rule_subordinate(sentence: str, rng: random.Random, ctx: _Context) -> str | None:
    """Swap a subordinate clause and its main clause: "Although X, Y." <-> "Y although x."."""
    m = _R_LEAD_SUB.match(sentence)
    if m and _words(m.group("main")) >= 4 and _VERBISH.search(m.group("main")):
        conj = m.group("conj").lower()
        main = m.group("main")
        if "," in main:
            return None
        return f"{_cap(main)} {conj} {m.group('sub')}{m.group('end')}"
    m = _R_TRAIL_SUB.match(sentence)
    if (
        m
        and _words(m.group("main")) >= 4
        and not _NO_SUB_BEFORE.search(m.group("main"))
        and _VERBISH.search(m.group("sub"))
    ):
        conj = m.group("conj").lower()
        return f"{_cap(conj)} {m.group('sub')}, {_decap(m.group('main'), ctx)}{m.group('end')}"
    return None


_DETERMINER = "the|a|an|its|his|her|their|our|this|that|these|those|two|three|several|some"
_PLACE_TIME = (
    r"(?P<rest>(?: (?:in|on|at|for|during|after|before|last|with|from|to|over|near) "
    r"[^,;\"\u201c\u201d]+)?)(?P<end>[.!?])$"
)
_R_ACTIVE = re.compile(
    rf"^(?P<subj>(?:{_DETERMINER})(?: [a-z'-]+){{1,3}}|[A-Z][a-z]+(?: [A-Z][a-z]+){{0,2}})"
    rf" (?P<verb>[a-z]{{3,}}ed) (?P<obj>(?:{_DETERMINER}) [a-z'-]+(?: [a-z'-]+){{0,3}}?)"
    + _PLACE_TIME,
    re.I,
)
_R_PASSIVE = re.compile(
    rf"^(?P<obj>(?:{_DETERMINER})(?: [a-z'-]+){{1,4}}) (?P<aux>was|were) "
    rf"(?P<verb>[a-z]{{3,}}ed) by (?P<agent>(?:the |a |an )?[A-Za-z'-]+(?: [A-Za-z'-]+){{0,2}}?)"
    + _PLACE_TIME,
    re.I,
)
_NOT_PARTICIPLE = frozenset("need needed seemed appeared remained used tried wanted".split())
_NOT_SUBJECT_WORD = re.compile(r"\b(?:is|are|was|were|has|have|had|will|would|not|never)\b")


def _plural(phrase: str) -> bool:
    head = phrase.split()[-1].lower()
    first = phrase.split()[0].lower()
    return first in ("these", "those", "two", "three", "several", "some") or (
        head.endswith("s") and not head.endswith(("ss", "us", "is"))
    )


def rule_voice(sentence: str, rng: random.Random, ctx: _Context) -> str | None:
    """Active to passive and back for simple clauses: "The police arrested a man." <-> passive."""
    m = _R_ACTIVE.match(sentence)
    if (
        m
        and m.group("verb") not in _NOT_PARTICIPLE
        and not _NOT_SUBJECT_WORD.search(m.group("subj"))
        and not _NOT_SUBJECT_WORD.search(m.group("obj"))
    ):
        obj, subj = m.group("obj"), m.group("subj")
        aux = "were" if _plural(obj) else "was"
        tail = f"{m.group('rest')}{m.group('end')}"
        return f"{_cap(obj)} {aux} {m.group('verb')} by {_decap(subj, ctx)}{tail}"
    m = _R_PASSIVE.match(sentence)
    if m and m.group("verb") not in _NOT_PARTICIPLE:
        agent = m.group("agent")
        return (
            f"{_cap(agent)} {m.group('verb')} {_decap(m.group('obj'), ctx)}"
            f"{m.group('rest')}{m.group('end')}"
        )
    return None


_R_CLAUSE_SPLIT = re.compile(
    rf"^(?P<a>{_NOQ}{{20,}}?)(?P<sep>; |, but |, and )(?P<b>{_NOQ}{{20,}})$"
)


def rule_split(sentence: str, rng: random.Random, ctx: _Context) -> str | None:
    """Split at a semicolon or at ", and" / ", but" between two clauses."""
    m = _R_CLAUSE_SPLIT.match(sentence)
    if m is None:
        return None
    a, sep, b = m.group("a"), m.group("sep"), m.group("b")
    if _words(a) < 5 or _words(b) < 5 or not _VERBISH.search(a) or not _VERBISH.search(b):
        return None
    if sep != "; " and not (_CLAUSE_START.match(b) and _VERBISH.search(" ".join(b.split()[:5]))):
        return None
    b = b[0].upper() + b[1:]
    if sep == ", but ":
        lead = rng.choice(("However, ", "But ", "Still, "))
        b = lead + (_decap(b, ctx) if lead != "But " else b)
    elif sep == ", and " and rng.random() < 0.4:
        b = rng.choice(("In addition, ", "Also, ", "Moreover, ")) + _decap(b, ctx)
    return f"{a}. {b}"


def _swap_words(sentence: str, rng: random.Random, share: float) -> str:
    """Glue-phrase and frequent-word swaps outside quotes, each match taken with ``share``."""
    quoted = _quoted(sentence)
    swapped: set[str] = set()

    def replace(m: re.Match[str]) -> str:
        found = m.group()
        if any(a <= m.start() < b for a, b in quoted) or rng.random() >= share:
            return found
        at_start = m.start() == 0 or sentence[max(0, m.start() - 2) : m.start()] in (". ", '" ')
        if found[0].isupper() and not at_start:
            return found  # a capitalised word inside the sentence: a name ("Big Ben")
        new = rng.choice(_SWAPS[int(m.lastgroup[1:])][1])
        if found[0].isupper():
            new = new[0].upper() + new[1:]
        if new.endswith(",") and sentence[m.end() : m.end() + 1] == ",":
            new = new[:-1]
        swapped.add(new.split()[0].lower())
        return new

    out = _SWAP_REGEX.sub(replace, sentence)
    if swapped:  # "an increase" -> "a rise"

        def article(m: re.Match[str]) -> str:
            word = m.group(2)
            if word.lower() not in swapped:
                return m.group()
            want = "an" if word[0].lower() in "aeiou" else "a"
            if m.group(1)[0] == "A":
                want = want.capitalize()
            return f"{want} {word}"

        out = _ARTICLE.sub(article, out)
    return out


def _swap_numbers(sentence: str, rng: random.Random) -> str:
    """Number style: "5 people" <-> "five people", "per cent" <-> "%"."""
    choice = rng.random()
    return _outside_quotes(sentence, lambda part: _number_style(part, choice, rng))


def _number_style(sentence: str, choice: float, rng: random.Random) -> str:
    """One text's numbers restyled; ``choice`` (0..1) picks the style change."""
    if choice < 0.4 and _DIGIT.search(sentence):
        return _DIGIT.sub(lambda m: _NUMBER_WORDS[int(m.group(1))], sentence)
    if choice < 0.7 and _NUMBER_WORD.search(sentence):
        return _NUMBER_WORD.sub(lambda m: str(_NUMBER_WORDS.index(m.group(1))), sentence)
    if _PER_CENT.search(sentence):
        style = rng.choice(("%", " percent", " per cent"))
        return _PER_CENT.sub(lambda m: m.group(1) + style, sentence)
    return sentence


def _swap_contractions(sentence: str, rng: random.Random, expand: bool) -> str:
    """Expand contractions ("don't" -> "do not") or make them, outside quotes.

    A contraction made keeps the text's apostrophe (straight or curly).
    """
    table = _EXPAND_PATTERN if expand else _CONTRACT_PATTERN
    apostrophe = "\u2019" if "\u2019" in sentence else "'"

    def replace(m: re.Match[str]) -> str:
        found = m.group()
        key = found.lower().replace("\u2019", "'")
        key = "I'm" if key == "i'm" else key
        new = (_EXPAND if expand else _CONTRACT).get(key)
        if new is None:
            return found
        if key == "it's" and sentence[m.end() : m.end() + 5] == " been":
            new = "it has"
        new = new.replace("'", apostrophe)
        return new[0].upper() + new[1:] if found[0].isupper() else new

    return _outside_quotes(sentence, lambda part: table.sub(replace, part))


def _outside_quotes(sentence: str, edit: Callable[[str], str]) -> str:
    """``sentence`` with ``edit`` applied to each stretch outside double quotes."""
    out, pos = [], 0
    for start, end in _quoted(sentence):
        out += [edit(sentence[pos:start]), sentence[start:end]]
        pos = end
    out.append(edit(sentence[pos:]))
    return "".join(out)


_RELATIVE = re.compile(r", (?:which|who) (?:is|are|was|were) (?=[a-z]+(?:ed|en|ing) )")
_THAT_DROP = re.compile(
    r"\b(said|says|believes?|believed|thinks?|thought|found|shows?|showed|suggests?|suggested|"
    r"argued|argues|claims?|claimed) that (?=(?:he|she|it|they|we|there|this|the|his|her|"
    r"their|its)\b)"
)
_THAT_ADD = re.compile(
    r"\b(said|says|believes?|believed|thinks?|found|suggests?|suggested|argued|claims?|claimed)"
    r" (?=(?:he|she|it|they|we|there|this)\b (?:is|was|are|were|had|has|have|would|will|could|"
    r"did|does|do|can|should|might|may)\b)"
)
_UNIT = re.compile(r"(?<![\w.,])(\$|£|€)?(\d+(?:\.\d+)?)(bn|m)\b")
_UNIT_WORDS = {"bn": "billion", "m": "million"}
_POSSESSIVE = re.compile(r"\bthe ([a-z]{3,})['\u2019]s ([a-z]{3,})\b(?! of)(?=[ ,.;:])")


def _restyle(sentence: str, rng: random.Random) -> str:
    """Small grammatical restylings: relative clauses reduced, "that" dropped or added,
    "$5bn" written "$5 billion", "the country's sector" made "the sector of the country".
    """

    def edit(part: str) -> str:
        if rng.random() < 0.7:
            part = _RELATIVE.sub(", ", part)
        if rng.random() < 0.5:
            part = _THAT_DROP.sub(r"\1 ", part)
        elif rng.random() < 0.7:
            part = _THAT_ADD.sub(r"\1 that ", part)
        if rng.random() < 0.7:
            part = _UNIT.sub(
                lambda m: f"{m.group(1) or ''}{m.group(2)} {_UNIT_WORDS[m.group(3)]}", part
            )
        if rng.random() < 0.5:
            part = _POSSESSIVE.sub(r"the \2 of the \1", part)
        return part

    return _outside_quotes(sentence, edit)


_STRUCTURAL: tuple[tuple[str, Callable[[str, random.Random, _Context], str | None]], ...] = (
    ("reporting", rule_reporting),
    ("time", rule_time),
    ("subordinate", rule_subordinate),
    ("voice", rule_voice),
    ("apposition", rule_apposition),
    ("split", rule_split),
)


def _rewrite(
    sentence: str, rng: random.Random, ctx: _Context, expand: bool
) -> tuple[str, list[str]]:
    """One sentence rewritten: a structural rule where one applies, then lexical swaps."""
    rules: list[str] = []
    order = list(_STRUCTURAL)
    rng.shuffle(order)
    # Reporting clauses are what paraphrasers reach for first.
    order.sort(key=lambda item: item[0] != "reporting" or rng.random() < 0.3)
    out = sentence
    for name, rule in order:
        new = rule(out, rng, ctx)
        if new and new != out:
            out, rules = new, [name]
            break
    for name, step in (
        ("words", lambda s: _swap_words(s, rng, 0.75)),
        ("numbers", lambda s: _swap_numbers(s, rng) if rng.random() < 0.6 else s),
        ("restyle", lambda s: _restyle(s, rng)),
        ("contractions", lambda s: _swap_contractions(s, rng, expand)),
    ):
        new = step(out)
        if new != out:
            out = new
            rules.append(name)
    if out == sentence:  # nothing applied: take every word swap on offer
        out = _swap_words(sentence, rng, 1.0)
        if out != sentence:
            rules.append("words")
    return out, rules


_MERGE_BLOCK = re.compile(
    r"^(?:However|But|And|Also|So|Then|Meanwhile|Still|Yet|Moreover|In addition|This|That|It)\b"
)


def _merge(a: str, b: str, ctx: _Context) -> str | None:
    """Two short sentences as one: "A. B." -> "A, and b."."""
    if _has_quote(a) or _has_quote(b) or not a.endswith(".") or _MERGE_BLOCK.match(b):
        return None
    if _words(a) > 12 or _words(b) > 12 or ";" in a or ";" in b:
        return None
    return f"{a[:-1]}, and {_decap(b, ctx)}"


def paraphrase_with_pairs(text: str, *, seed: int, strength: float = 0.8) -> Paraphrase:
    """``text`` paraphrased sentence by sentence, with what became of each sentence.

    ``strength`` (0..1) is the share of sentences rewritten; paragraph breaks are kept.
    See ``paraphrase``.
    """
    if not 0.0 <= strength <= 1.0:
        raise ValueError(f"the 'strength' parameter must be in [0, 1], got {strength!r}")
    rng = random.Random(seed)
    ctx = _context(text)
    expand = rng.random() < 0.75  # paraphrasers mostly write contractions out
    leading = text[: len(text) - len(text.lstrip())]
    trailing = text[len(text.rstrip()) :]
    parts, gaps = split_paragraphs(text)
    out_parts: list[str] = []
    rewrites: list[SentenceRewrite] = []
    for part in parts:
        done: list[SentenceRewrite] = []
        inside = False  # within a quotation that runs over several sentences
        for sentence in split_sentences(part):
            quoted = inside
            inside = _quote_state(sentence, inside)
            if rng.random() < strength and not (quoted and inside):
                new, rules = _rewrite(sentence, rng, ctx, expand)
            else:
                new, rules = sentence, []
            if (
                done
                and rules
                and done[-1].rules
                and len(done[-1].sources) == 1
                and rng.random() < 0.15
            ):
                merged = _merge(done[-1].output, new, ctx)
                if merged:
                    last = done.pop()
                    done.append(
                        SentenceRewrite(
                            (*last.sources, sentence), merged, (*last.rules, *rules, "merge")
                        )
                    )
                    continue
            done.append(SentenceRewrite((sentence,), new, tuple(rules)))
        out_parts.append(" ".join(s.output for s in done))
        rewrites += done
    body = out_parts[0] if out_parts else ""
    for gap, part in zip(gaps, out_parts[1:], strict=True):
        body += gap + part
    return Paraphrase(text=leading + body + trailing, sentences=tuple(rewrites))


def paraphrase(text: str, *, seed: int, strength: float = 0.8) -> str:
    """``text`` paraphrased the way paraphrasing tools do, every sentence kept in its place.

    About ``strength`` (0..1) of the sentences are rewritten: a reporting clause,
    time phrase or subordinate clause moved, a sentence split or made passive (or
    active), two short sentences merged, glue phrases and frequent words swapped for
    common alternatives, numbers and contractions restyled.  Names, numbers' values
    and double-quoted text keep their meaning; paragraph breaks are kept.  The same
    ``seed`` gives the same text.

    >>> paraphrase("Officials said the bridge would reopen next month.", seed=7)  # doctest: +SKIP
    'According to officials, the bridge would reopen next month.'
    """
    return paraphrase_with_pairs(text, seed=seed, strength=strength).text
