"""Paraphrase test data for reference mode: rewritten suspects and hard negatives.

Modern spinners are paraphrasing tools and round-trip translation: every sentence
is rewritten in order, its meaning kept, with few words in common.  This module
builds pairs (suspect, original) labelled ``paraphrased`` or ``not_paraphrased``,
in families:

``paraphrase_rule`` (paraphrased)
    Whole articles (OneStopEnglish advanced texts and WikiNewsSum articles)
    rewritten by the rule paraphraser ``detector.spin.paraphrase``.
``paraphrase_lm`` (paraphrased)
    The first sentences of an article, each rewritten by SmolLM2-135M-Instruct
    prompted to paraphrase it; the original is the same opening.  Bad outputs
    (empty, unchanged, drifting, in another language, telling something the
    source does not: ``check_lm_sentence``) are asked for again with another
    prompt, then left out with their source sentence, and the share rewritten
    is recorded; an opening with fewer than ``MIN_LM_SENTENCES`` accepted
    rewrites is left out.
``paraphrase_lm_part`` (paraphrased)
    The same LM rewrites of an article's opening against the whole article (the
    accepted opening sentences, then the rest of the article): a page that
    retells only the start of its source, which the user holds in full.
    Articles whose rest is shorter than ``MIN_PART_REST_SENTENCES`` are left out.
``syndicated`` (not_paraphrased)
    The two outlets' copies of one AFP story in ``../shared/seeds`` (000 and 001)
    and synthetic syndicated copies (``training.edits.syndicate``).
``simplified`` (not_paraphrased)
    OneStopEnglish elementary and intermediate texts against the advanced text of
    the same story (human simplifications).
``independent`` (not_paraphrased)
    Hand-written independent reports of the same events (``bench/independent_reports``).
``unrelated`` (not_paraphrased)
    Two different stories.

How realistic the families are.  The rule paraphraser restructures about one
sentence in ten (clauses moved, voice changed, reporting verbs, splits and
merges) and otherwise swaps common words and restyles numbers: its copies read
like a light spin with a few rebuilt sentences, not like a paraphrasing tool,
which rebuilds every sentence.  SmolLM2-135M-Instruct rewrites each sentence on
its own (no context across sentences) and drifts in meaning more often than a
commercial tool or round-trip translation; its rejected rewrites are left out,
so its suspects are short (3 to 10 sentences).  The checks catch gross drift
only (another language; most content words new, with neither their first five
letters, a shared lemma nor a Moby synonym in the source): accepted rewrites still change
details ("asked for a new election in the 2019 presidential election").
``paraphrase_lm_part`` is as realistic as the LM family; pages that retell the
first part of a source are common, though real ones retell more than a few
sentences.  The hard negatives are real text (OneStopEnglish's human
simplifications, the AFP story run by two outlets, hand-written independent
reports) apart from the synthetic syndicated copies (``training.edits``: dates,
bylines, dropped sentences, house style).  Hand-written retellings in the style
of paraphrasing tools and round-trip translation are in
``tests/fixtures/paraphrase``.

Every family is split by story (about 30% dev, 70% test, by a hash of the story
key), so no story has pairs in both splits.  Records are JSON Lines::

    {"id", "family", "suspect", "original", "expected", "source_story", "meta"}

Usage::

    python -m training.paraphrase_data --out data/paraphrase
    python -m training.paraphrase_data --lm-only --lm-stories 150   # fill the LM cache only
"""

from __future__ import annotations

import argparse
import hashlib
import json
import lzma
import random
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from wordfreq import zipf_frequency

from detector.spin.paraphrase import paraphrase_with_pairs, split_sentences
from detector.stopwords import STOPWORDS
from training.corpus import clean_text
from training.edits import syndicate

__all__ = [
    "FAMILIES",
    "LMCache",
    "Pair",
    "SentenceParaphraser",
    "Story",
    "build_pairs",
    "check_lm_sentence",
    "load_independent_reports",
    "load_stories",
    "main",
    "split_of",
]

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPORA = SHARED / "corpora"
OSE = CORPORA / "onestopenglish_all_levels.jsonl.xz"
WIKINEWS = CORPORA / "wikinewssum_en_articles.jsonl.xz"
SEEDS = SHARED / "seeds"
INDEPENDENT = ROOT / "bench" / "independent_reports"
LM_CACHE = ROOT / "runs" / "paraphrase-lm-cache.jsonl"
SEP = "\n\n"
DEV_SHARE = 30  # percent of stories in dev
FAMILIES = (
    "paraphrase_rule",
    "paraphrase_lm",
    "paraphrase_lm_part",
    "syndicated",
    "simplified",
    "independent",
    "unrelated",
)
# One prompt per attempt, each decoded greedily: a rejected output is asked for again with
# the next prompt.
PROMPTS = (
    "Rewrite the following sentence in different words, keeping the same meaning. "
    "Reply with the rewritten sentence only.\n\n{sentence}",
    "Paraphrase this sentence, keeping its meaning: {sentence}",
)
PROMPT_VERSION = "v2"
MIN_PART_REST_SENTENCES = 5  # paraphrase_lm_part: the article goes on at least this long

# Whether two lowercase words are close in meaning (synonyms, or forms of one word).
WordRelation = Callable[[str, str], bool]
# A callable rewriting sentences at an attempt (0, 1, ...): one raw output per input, None
# when it has none (a cache-only run that never generated it).
SentenceParaphraser = Callable[[Sequence[str], int], list]
LM_WORDS = (6, 40)  # sentences the LM is asked to rewrite: 6 to 40 words
MIN_LM_SENTENCES = 3  # an LM pair needs at least 3 accepted rewrites


@dataclass(frozen=True)
class Story:
    """One article: its key, its paragraphs joined by blank lines, and its other versions.

    ``levels`` holds OneStopEnglish's other reading levels (``"int"``, ``"ele"``) by name.
    """

    key: str
    text: str
    title: str = ""
    levels: dict[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Pair:
    """One labelled pair: a suspect, its original, the family and the expected verdict."""

    id: str
    family: str
    suspect: str
    original: str
    expected: str
    source_story: str
    meta: dict = field(default_factory=dict, compare=False)

    def record(self) -> dict:
        """The pair as a JSON-ready dict."""
        return {
            "id": self.id,
            "family": self.family,
            "suspect": self.suspect,
            "original": self.original,
            "expected": self.expected,
            "source_story": self.source_story,
            "meta": self.meta,
        }


# --------------------------------------------------------------------------- stories


def tidy(text: str) -> str:
    """``text`` cleaned, its non-empty lines as paragraphs separated by blank lines.

    Lines without a space (wiki leftovers such as ``publish}``) are dropped.
    """
    lines = (line.strip() for line in clean_text(text).split("\n"))
    return SEP.join(line for line in lines if " " in line)


def load_stories(ose: Path = OSE, wikinews: Path = WIKINEWS) -> list[Story]:
    """OneStopEnglish advanced texts (with their other levels) and WikiNewsSum articles.

    Stories with fewer than three paragraphs are left out; missing files give no stories.
    """
    stories: list[Story] = []
    if ose.is_file():
        by_topic: dict[str, dict[str, str]] = {}
        with lzma.open(ose, "rt", encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                by_topic.setdefault(row["topic"], {})[row["level"]] = tidy(row["text"])
        for topic, levels in sorted(by_topic.items()):
            if "adv" in levels:
                others = {k: v for k, v in levels.items() if k != "adv"}
                stories.append(Story(f"ose:{topic}", levels["adv"], topic, others))
    if wikinews.is_file():
        with lzma.open(wikinews, "rt", encoding="utf-8") as f:
            for k, line in enumerate(f):
                row = json.loads(line)
                stories.append(Story(f"wikinews:{k}", tidy(row["text"]), row.get("title", "")))
    return [s for s in stories if s.text.count(SEP) >= 2]


def split_of(story_key: str) -> str:
    """``dev`` or ``test``: a fixed hash of the story key puts about 30% of stories in dev."""
    digest = hashlib.sha256(story_key.encode("utf-8")).hexdigest()
    return "dev" if int(digest[:8], 16) % 100 < DEV_SHARE else "test"


def opening(text: str, sentences: int) -> str:
    """The first ``sentences`` sentences of ``text``, paragraph breaks kept."""
    return _cut(text, sentences)[0]


def after_opening(text: str, sentences: int) -> tuple[str, int]:
    """What follows ``opening(text, sentences)``, paragraph breaks kept, and its sentence count."""
    return _cut(text, sentences)[1:]


def _cut(text: str, sentences: int) -> tuple[str, str, int]:
    """``text`` cut after its first ``sentences`` sentences: (head, rest, sentences in rest)."""
    head: list[str] = []
    rest: list[str] = []
    left = sentences
    rest_sentences = 0
    for part in text.split(SEP):
        found = split_sentences(part)
        taken = found[: max(left, 0)]
        left -= len(taken)
        head.append(" ".join(taken))
        rest.append(" ".join(found[len(taken) :]))
        rest_sentences += len(found) - len(taken)
    return SEP.join(p for p in head if p), SEP.join(p for p in rest if p), rest_sentences


# --------------------------------------------------------------------------- the language model


def _key(sentence: str, attempt: int) -> str:
    text = f"{PROMPT_VERSION}:{attempt}\n{sentence}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


class LMCache:
    """Generated sentences by hash of (prompt version, attempt, source), kept in a JSONL file.

    Appended to as generation goes, so an interrupted run keeps what it made.
    """

    def __init__(self, path: Path = LM_CACHE) -> None:
        self.path = path
        self.items: dict[str, str] = {}
        if path.is_file():
            for line in path.read_text("utf-8").splitlines():
                try:
                    row = json.loads(line)
                except ValueError:
                    continue  # a line cut short by an interrupted run
                self.items[row["key"]] = row["output"]

    def get(self, sentence: str, attempt: int = 0) -> str | None:
        """The cached output for ``sentence`` at ``attempt``, or None."""
        return self.items.get(_key(sentence, attempt))

    def put(self, sentence: str, attempt: int, output: str) -> None:
        """Remember ``output`` for ``sentence`` at ``attempt`` (in memory and on disk)."""
        key = _key(sentence, attempt)
        self.items[key] = output
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as f:
            row = {"key": key, "attempt": attempt, "source": sentence, "output": output}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def cached_only(cache: LMCache) -> SentenceParaphraser:
    """A sentence paraphraser that answers from ``cache`` alone: None for an attempt
    the cache does not hold (``lm_paraphrase`` says what that means)."""
    return lambda sentences, attempt: [cache.get(s, attempt) for s in sentences]


def lm_paraphraser(
    cache: LMCache, *, batch_size: int = 8, progress: bool = True
) -> SentenceParaphraser:
    """A sentence paraphraser backed by SmolLM2-135M-Instruct, through ``cache``.

    Attempt ``k`` uses ``PROMPTS[k]``, decoded greedily.  The model loads on first
    use; cached sentences are never generated again.
    """
    state: dict = {}

    def run(sentences: Sequence[str], attempt: int) -> list[str | None]:
        todo = sorted({s for s in sentences if cache.get(s, attempt) is None}, key=len)
        if todo:
            _generate(todo, attempt, cache, state, batch_size=batch_size, progress=progress)
        return [cache.get(s, attempt) for s in sentences]

    return run


def _generate(
    sentences: Sequence[str],
    attempt: int,
    cache: LMCache,
    state: dict,
    *,
    batch_size: int,
    progress: bool,
) -> None:
    import torch
    from tqdm import tqdm

    from detector.lm import load_causal_lm

    if "lm" not in state:
        torch.set_num_threads(2)
        state["lm"] = load_causal_lm(reader=False)  # it generates
    tokenizer, model = state["lm"].tokenizer, state["lm"].model
    tokenizer.padding_side = "left"
    bar = tqdm(
        total=len(sentences),
        desc=f"LM paraphrases ({attempt})",
        unit="sent",
        disable=not progress,
        leave=False,
    )
    for i in range(0, len(sentences), batch_size):
        batch = sentences[i : i + batch_size]
        prompts = [
            tokenizer.apply_chat_template(
                [{"role": "user", "content": PROMPTS[attempt].format(sentence=s)}],
                add_generation_prompt=True,
                tokenize=False,
            )
            for s in batch
        ]
        encoded = tokenizer(prompts, return_tensors="pt", padding=True)
        longest = max(len(tokenizer(s)["input_ids"]) for s in batch)
        with torch.no_grad():
            out = model.generate(
                **encoded,
                max_new_tokens=int(longest * 1.5) + 8,
                repetition_penalty=1.1,
                pad_token_id=tokenizer.eos_token_id,
                do_sample=False,
            )
        for sentence, row in zip(batch, out[:, encoded["input_ids"].shape[1] :], strict=True):
            cache.put(sentence, attempt, tokenizer.decode(row, skip_special_tokens=True))
        bar.update(len(batch))
    bar.close()


_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*|\d[\d,.]*")
_LETTERS = re.compile(r"[^\W\d_]+")  # runs of letters of any script
_META = re.compile(r"\b(sentence|rewrit\w*|paraphras\w*|original|here's|here is)\b", re.I)
_LEAD = re.compile(r"^(?:rewritten|paraphrased|new|revised)(?: sentence| version)?\s*:\s*", re.I)
_SALVAGE = re.compile(
    r"(?:reworded|rephrased|revised|rewritten|paraphrased)(?: sentence| version)?"
    r"(?: is| as| to)?\s*:\s*(\S)",
    re.I,
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def clean_lm_output(output: str) -> str:
    """The sentence a model output offers: its first line, or the sentence after a lead-in.

    "Here's the revised sentence: X" and 'The sentence can be rephrased as: "X"' give X;
    wrapping quotes are dropped.
    """
    found = _SALVAGE.search(output)
    text = output[found.start(1) :] if found else output
    line = next((x.strip() for x in text.strip().split("\n") if x.strip()), "")
    line = _LEAD.sub("", line)
    if line[:1] in '"\u201c':
        end = re.search('["\u201d]', line[1:])
        line = line[1 : end.start() + 1 if end else len(line)].strip()
    return line


def _content(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text) if w.lower() not in STOPWORDS]


def check_lm_sentence(
    source: str, output: str, related: WordRelation | None = None
) -> tuple[str, str]:
    """A model output judged as a paraphrase of ``source``: (sentence to use, reason).

    The reason is ``ok`` when the output is used; otherwise the source sentence comes
    back with why: ``empty``, ``unchanged`` (verbatim or nearly), ``meta`` (talks about
    the task), ``length`` (under 60% or over 160% of the source's words), ``numbers``
    (a number of the source is missing), ``names`` (over half the names are gone),
    ``language`` (under 85% of its lowercase runs of letters are English words, of
    wordfreq Zipf frequency 2 or more, or words of the source; SmolLM2 sometimes
    answers in German or Spanish, or in made-up words), ``drift``
    (under a quarter of the source's content words kept, by their first five letters)
    or, with ``related`` (whether two words are close in meaning: synonyms or forms of
    one word), ``unsupported`` (under half of its content words come from the source,
    by their first five letters or ``related``: the model told something else, "28% of
    adults had made plans to live out their dreams" for "28% of adults were living at
    home to save for a deposit").
    """
    candidate = clean_lm_output(output)
    if not candidate:
        return source, "empty"
    src_words, out_words = _WORD.findall(source), _WORD.findall(candidate)
    if not out_words:
        return source, "empty"
    lower_src = [w.lower() for w in src_words]
    lower_out = [w.lower() for w in out_words]
    if SequenceMatcher(None, lower_src, lower_out, autojunk=False).ratio() > 0.9:
        return source, "unchanged"
    if _META.search(candidate) and not _META.search(source):
        return source, "meta"
    if not 0.6 <= len(out_words) / max(1, len(src_words)) <= 1.6:
        return source, "length"
    plain = candidate.replace(",", "")
    if any(n.replace(",", "") not in plain for n in _NUMBER.findall(source)):
        return source, "numbers"
    names = {w for w in src_words[1:] if w[:1].isupper() and w.lower() not in STOPWORDS}
    if names and sum(n in out_words for n in names) < len(names) / 2:
        return source, "names"
    own = {w.lower() for w in _LETTERS.findall(source)}
    lowercase = [w for w in _LETTERS.findall(candidate) if w.islower()]
    english = sum(w in own or zipf_frequency(w, "en") >= 2.0 for w in lowercase)
    if english < 0.85 * len(lowercase):
        return source, "language"
    said = _content(candidate)
    stems_out = {w[:5] for w in said}
    content = _content(source)
    if content and sum(w[:5] in stems_out for w in content) < max(1, len(content) / 4):
        return source, "drift"
    if related is not None and said:
        stems = {w[:5] for w in content}
        from_source = sum(w[:5] in stems or any(related(w, v) for v in content) for w in said)
        if from_source < len(said) / 2:
            return source, "unsupported"
    return candidate, "ok"


@dataclass(frozen=True)
class LMRewrite:
    """An LM-paraphrased excerpt: the accepted rewrites and their source sentences.

    ``suspect`` and ``original`` keep the paragraph breaks between the sentences
    they hold; ``reasons`` counts the final verdict on every sentence offered to the
    model (``ok`` for an accepted one), ``skipped`` the sentences never offered
    (under 6 or over 40 words).
    """

    suspect: str
    original: str
    sentences: tuple[tuple[str, str], ...]
    reasons: dict[str, int]
    skipped: int


def lm_paraphrase(
    text: str,
    rewrite: SentenceParaphraser,
    attempts: int = len(PROMPTS),
    related: WordRelation | None = None,
) -> LMRewrite | None:
    """The sentences of ``text`` rewritten by ``rewrite``, checked, the rejected ones left out.

    A rejected output is asked for again with the next prompt, up to ``attempts``
    prompts in all (``related``: see ``check_lm_sentence``).  None when ``rewrite``
    has no first answer for a sentence (a cache-only run that never generated it); a
    missing retry leaves the sentence out.
    """
    groups = [split_sentences(p) for p in text.split(SEP)]
    offered = [s for group in groups for s in group if LM_WORDS[0] <= len(s.split()) <= LM_WORDS[1]]
    verdicts: dict[str, tuple[str, str]] = {}
    for attempt in range(attempts):
        todo = [s for s in offered if verdicts.get(s, ("", ""))[1] != "ok"]
        if not todo:
            break
        for sentence, output in zip(todo, rewrite(todo, attempt), strict=True):
            if output is None:
                if attempt == 0:
                    return None
                continue  # a cache without this retry: the first answer's rejection stands
            verdicts[sentence] = check_lm_sentence(sentence, output, related)
    suspect, original, pairs = [], [], []
    for group in groups:
        kept = [(s, verdicts[s][0]) for s in group if verdicts.get(s, ("", ""))[1] == "ok"]
        if kept:
            original.append(" ".join(s for s, _ in kept))
            suspect.append(" ".join(r for _, r in kept))
            pairs += kept
    return LMRewrite(
        suspect=SEP.join(suspect),
        original=SEP.join(original),
        sentences=tuple(pairs),
        reasons=dict(Counter(v[1] for v in verdicts.values())),
        skipped=sum(len(g) for g in groups) - len(offered),
    )


def pick_lm_stories(stories: Sequence[Story], count: int, seed: int) -> list[Story]:
    """``count`` stories for the LM family in a fixed order (a prefix of a longer pick)."""
    order = sorted(stories, key=lambda s: hashlib.sha256(f"{seed}:{s.key}".encode()).hexdigest())
    # About one dev story in five: the test split is what needs the most pairs.
    dev = [s for s in order if split_of(s.key) == "dev"]
    test = [s for s in order if split_of(s.key) == "test"]
    mixed: list[Story] = []
    while (dev or test) and len(mixed) < count:
        mixed += test[:4] + dev[:1]
        test, dev = test[4:], dev[1:]
    return mixed[:count]


# --------------------------------------------------------------------------- families


def _seed(*parts: object) -> int:
    """A stable seed from ``parts`` (Python's own string hash varies between runs)."""
    text = ":".join(map(str, parts))
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:12], 16)


def rule_pairs(stories: Sequence[Story], seed: int) -> Iterator[Pair]:
    """``paraphrase_rule``: each story rewritten by the rule paraphraser (strength 0.6-1.0)."""
    for story in stories:
        rng = random.Random(_seed(seed, "rule", story.key))
        strength = round(rng.uniform(0.6, 1.0), 2)
        result = paraphrase_with_pairs(story.text, seed=_seed(seed, story.key), strength=strength)
        if result.text == story.text:
            continue
        rules = Counter(r for s in result.sentences for r in s.rules)
        meta = {
            "strength": strength,
            "changed_share": round(result.changed_share, 3),
            "rules": dict(sorted(rules.items())),
        }
        yield Pair(
            f"paraphrase_rule:{story.key}",
            "paraphrase_rule",
            result.text,
            story.text,
            "paraphrased",
            story.key,
            meta,
        )


def lm_pairs(
    stories: Sequence[Story],
    rewrite: SentenceParaphraser,
    sentences: int,
    related: WordRelation | None = None,
) -> Iterator[Pair]:
    """``paraphrase_lm``: the accepted LM rewrites of each story's opening, with their sources.

    Each is followed by its ``paraphrase_lm_part`` pair (the same suspect against
    the accepted opening and the rest of the story) when the story goes on for
    ``MIN_PART_REST_SENTENCES`` sentences or more.  Stories the model has not
    (yet) answered for, and openings with fewer than ``MIN_LM_SENTENCES``
    accepted rewrites, give no pair.
    """
    for story in stories:
        result = lm_paraphrase(opening(story.text, sentences), rewrite, related=related)
        if result is None or len(result.sentences) < MIN_LM_SENTENCES:
            continue
        offered = sum(result.reasons.values())
        meta = {
            "model": "SmolLM2-135M-Instruct (greedy)",
            "opening_sentences": sentences,
            "offered": offered,
            "accepted": len(result.sentences),
            "accepted_share": round(len(result.sentences) / offered, 3),
            "reasons": dict(sorted(result.reasons.items())),
            "skipped_length": result.skipped,
        }
        yield Pair(
            f"paraphrase_lm:{story.key}",
            "paraphrase_lm",
            result.suspect,
            result.original,
            "paraphrased",
            story.key,
            meta,
        )
        rest, rest_sentences = after_opening(story.text, sentences)
        if rest_sentences >= MIN_PART_REST_SENTENCES:
            yield Pair(
                f"paraphrase_lm_part:{story.key}",
                "paraphrase_lm_part",
                result.suspect,
                result.original + SEP + rest,
                "paraphrased",
                story.key,
                {**meta, "rest_sentences": rest_sentences},
            )


def syndicated_pairs(stories: Sequence[Story], seed: int, seeds: Path = SEEDS) -> Iterator[Pair]:
    """``syndicated``: the seeds' two outlets' copies of one AFP story, then synthetic copies."""
    first, second = sorted(seeds.glob("000_*.txt")), sorted(seeds.glob("001_*.txt"))
    if first and second:
        yield Pair(
            "syndicated:seeds:000-001",
            "syndicated",
            second[0].read_text("utf-8"),
            first[0].read_text("utf-8"),
            "not_paraphrased",
            "seeds:afp-kursk-2025-04-27",
            {"edits": ["real outlet copy"]},
        )
    for story in stories:
        rng = random.Random(_seed(seed, "syndicate", story.key))
        text, edits = syndicate(story.text, rng, title=story.title)
        if edits:
            yield Pair(
                f"syndicated:{story.key}",
                "syndicated",
                text,
                story.text,
                "not_paraphrased",
                story.key,
                {"edits": list(edits)},
            )


def simplified_pairs(stories: Sequence[Story]) -> Iterator[Pair]:
    """``simplified``: OneStopEnglish elementary and intermediate texts against the advanced one."""
    for story in stories:
        for level in ("int", "ele"):
            if level in story.levels:
                yield Pair(
                    f"simplified:{story.key}:{level}",
                    "simplified",
                    story.levels[level],
                    story.text,
                    "not_paraphrased",
                    story.key,
                    {"level": level},
                )


def load_independent_reports(folder: Path = INDEPENDENT) -> list[tuple[str, str, str]]:
    """The hand-written reports: (file name, the story its header names, text without header).

    The first line of each ``.txt`` file reads ``# reports: <story>``, where
    ``<story>`` is ``seeds/<file>``, ``ose:<topic>`` or ``wikinews:<index>``.
    """
    reports = []
    for path in sorted(folder.glob("*.txt")):
        head, _, body = path.read_text("utf-8").partition("\n")
        if not head.startswith("# reports:"):
            raise ValueError(f"{path} must start with '# reports: <story>'")
        reports.append((path.name, head.split(":", 1)[1].strip(), body.strip()))
    return reports


def independent_pairs(
    stories: Sequence[Story], folder: Path = INDEPENDENT, seeds: Path = SEEDS
) -> Iterator[Pair]:
    """``independent``: each hand-written report against the story it reports."""
    by_key = {s.key: s for s in stories}
    for name, target, text in load_independent_reports(folder):
        if target.startswith("seeds/"):
            path = seeds / target.split("/", 1)[1]
            if not path.is_file():
                continue
            original, key = path.read_text("utf-8"), f"seeds:{path.stem.split('_')[0]}"
            if key in ("seeds:000", "seeds:001"):
                key = "seeds:afp-kursk-2025-04-27"
        elif target in by_key:
            original, key = by_key[target].text, target
        else:
            continue
        yield Pair(
            f"independent:{name}",
            "independent",
            text,
            original,
            "not_paraphrased",
            key,
            {"file": f"bench/independent_reports/{name}"},
        )


def unrelated_pairs(stories: Sequence[Story], seed: int) -> Iterator[Pair]:
    """``unrelated``: each story against another story of the same split."""
    by_split: dict[str, list[Story]] = {}
    for story in stories:
        by_split.setdefault(split_of(story.key), []).append(story)
    for story in stories:
        pool = [s for s in by_split[split_of(story.key)] if s.key != story.key]
        if not pool:
            continue
        other = random.Random(_seed(seed, "unrelated", story.key)).choice(pool)
        yield Pair(
            f"unrelated:{story.key}",
            "unrelated",
            other.text,
            story.text,
            "not_paraphrased",
            story.key,
            {"suspect_story": other.key},
        )


def build_pairs(
    stories: Sequence[Story],
    *,
    seed: int = 13,
    rewrite: SentenceParaphraser | None = None,
    lm_stories: int = 150,
    lm_sentences: int = 10,
    max_stories: int | None = None,
    seeds: Path = SEEDS,
    independent: Path = INDEPENDENT,
    related: WordRelation | None = None,
) -> list[Pair]:
    """Every family's pairs over ``stories``; the LM family only when ``rewrite`` is given.

    ``max_stories`` caps the stories each family draws on (the first in key order);
    ``related`` judges the LM's rewrites (``check_lm_sentence``).
    """
    ordered = sorted(stories, key=lambda s: s.key)
    capped = ordered[:max_stories] if max_stories else ordered
    pairs = list(rule_pairs(capped, seed))
    if rewrite is not None:
        pairs += lm_pairs(
            pick_lm_stories(ordered, lm_stories, seed), rewrite, lm_sentences, related
        )
    pairs += syndicated_pairs(capped, seed, seeds)
    pairs += simplified_pairs(capped)
    pairs += independent_pairs(ordered, independent, seeds)
    pairs += unrelated_pairs(capped, seed)
    return pairs


def write_splits(pairs: Sequence[Pair], out: Path) -> dict[str, Counter]:
    """Write ``dev.jsonl`` and ``test.jsonl`` into ``out``; pair counts by split and family."""
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, Counter] = {"dev": Counter(), "test": Counter()}
    lines: dict[str, list[str]] = {"dev": [], "test": []}
    for pair in pairs:
        split = split_of(pair.source_story)
        lines[split].append(json.dumps(pair.record(), ensure_ascii=False) + "\n")
        counts[split][pair.family] += 1
    for split, rows in lines.items():
        (out / f"{split}.jsonl").write_text("".join(rows), encoding="utf-8")
    return counts


def thesaurus_relation() -> WordRelation:
    """Two words are close in meaning when Moby lists them as synonyms or they share a lemma."""
    from detector.lexicon import load_lexicon

    lexicon = load_lexicon(quiet=True)
    return lambda a, b: lexicon.are_synonyms(a, b) or lexicon.same_lemma(a, b)


def build(args: argparse.Namespace, stories: Sequence[Story], cache: LMCache) -> int:
    """Build the pairs, write the splits and print the counts."""
    rewrite = None
    if args.lm == "generate":
        rewrite = lm_paraphraser(cache, progress=not args.quiet)
    elif args.lm == "cache":
        rewrite = cached_only(cache)
    pairs = build_pairs(
        stories,
        seed=args.seed,
        rewrite=rewrite,
        lm_stories=args.lm_stories,
        lm_sentences=args.lm_sentences,
        max_stories=args.max_stories,
        related=thesaurus_relation() if rewrite is not None else None,
    )
    counts = write_splits(pairs, args.out)
    print(f"{'family':<18}{'dev':>6}{'test':>6}")
    for family in FAMILIES:
        print(f"{family:<18}{counts['dev'][family]:>6}{counts['test'][family]:>6}")
    print(f"written to {args.out}/dev.jsonl and {args.out}/test.jsonl")
    if args.lm == "cache" and not counts["dev"]["paraphrase_lm"] + counts["test"]["paraphrase_lm"]:
        print(
            f"warning: no LM paraphrases: {args.cache} holds none for these stories; "
            "--lm generate writes them (18 to 80 min on 2 cores, by the CPU)",
            file=sys.stderr,
        )
    return 0


# --------------------------------------------------------------------------- command line


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command-line options."""
    parser = argparse.ArgumentParser(
        prog="python -m training.paraphrase_data",
        description="Build paraphrase test data (dev.jsonl, test.jsonl) for reference mode.",
    )
    parser.add_argument("--out", type=Path, default=Path("data/paraphrase"), help="output folder")
    parser.add_argument(
        "--max-stories", type=int, default=None, help="stories per family (default: all)"
    )
    parser.add_argument(
        "--lm-stories", type=int, default=150, help="articles the LM paraphrases (default 150)"
    )
    parser.add_argument(
        "--lm-sentences", type=int, default=10, help="opening sentences per LM article (default 10)"
    )
    parser.add_argument("--seed", type=int, default=13, help="random seed (default 13)")
    parser.add_argument("--cache", type=Path, default=LM_CACHE, help="the LM output cache")
    parser.add_argument(
        "--lm",
        choices=("generate", "cache", "none"),
        default="cache",
        help="LM family: generate missing sentences, use cached ones only (default), or skip",
    )
    parser.add_argument(
        "--lm-only", action="store_true", help="only generate LM paraphrases into the cache"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Build the data, or (``--lm-only``) fill the LM cache."""
    args = parse_args(argv)
    stories = load_stories()
    if not stories:
        print("Error: no stories in ../shared/corpora", file=sys.stderr)
        return 2
    cache = LMCache(args.cache)
    if args.lm_only:
        rewrite = lm_paraphraser(cache, progress=not args.quiet)
        related = thesaurus_relation()
        chosen = pick_lm_stories(stories, args.lm_stories, args.seed)
        # Four stories at a time (their sentences batched together, by length), so an
        # interrupted run leaves whole stories in the cache.
        for k in range(0, len(chosen), 4):
            group = chosen[k : k + 4]
            lm_paraphrase(
                SEP.join(opening(s.text, args.lm_sentences) for s in group),
                rewrite,
                related=related,
            )
            for j, story in enumerate(group, start=k + 1):
                result = lm_paraphrase(
                    opening(story.text, args.lm_sentences), rewrite, related=related
                )
                reasons = result.reasons if result else {}
                print(f"[{j}/{len(chosen)}] {story.key}: {reasons}", flush=True)
        return 0
    return build(args, stories, cache)


if __name__ == "__main__":
    from training.args import run_script

    raise SystemExit(run_script(main))
