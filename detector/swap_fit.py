"""Whether a copy's few swaps fit their sentences: an editor's wording or a spinner's.

Reference mode calls a copy spun from how many of its words were swapped and how
spinner-like each swap looks out of context (``detector.verdict``).  A copy with a
handful of swaps sits where the two meet: a sub-editor also changes a few words of
a story it republishes ("noticed" -> "spotted", "she said" -> "she told reporters",
"about 40" -> "roughly 40"), and a light spin of a short story swaps as few.  What
tells them apart is the sentence: an editor picks a word that fits it, a spinner
picks a synonym of the word, not of its meaning ("a lot of" -> "a bunch of",
"grocery chains" -> "grocery shackles").  A language model reads that: for each
swap, the *gain* is how much more likely its sentence reads with the original's
words put back (natural log, over its sentence, so the words after the swap count too).

Each swap is read with at most ``_CONTEXT_CHARS`` characters of its sentence on
either side (the same words in both readings) and at most ``_MAX_TOKENS`` tokens in
all; a swap that cannot be read so gives no evidence, and the verdict stands.

Measured with the packaged SmolLM2-135M (``python bench/bench_swap_fit.py``,
BENCHMARKS.md): on the reference calibration's stories, copies with 1-8 swaps,
moby spins have a median gain of about +10 nats (the median over a copy's swaps;
10th percentile about +3), syndicated copies given a sub-editor's wording changes
(``training.edits.reword``) about -4 (90th percentile under +1), human rewrites
about -3; hand-written light spins +7 and more at their 10th percentile, while
hand-written edited copies, median about 0, reach +4 to +6 at their 90th.  So a
copy that the document model calls spun on at most ``max_swaps`` swaps, short of
sure (``max_spin_score``), whose median gain is under ``min_median_gain`` is an
edited copy (``SwapFitRule``).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from detector.document import Document
from detector.errors import SpindetectError

if TYPE_CHECKING:
    from detector.lm import CausalLM
    from detector.report import Span

__all__ = ["SwapFitRule", "SwapReader", "swap_gains"]

_CONTEXT_CHARS = 200  # of the swap's sentence read on either side of it
_MAX_SWAP_CHARS = 200  # a longer "swap" (or original) is not read
_MAX_TOKENS = 256  # a reading longer than this (digits, CJK, emoji) is not read


@dataclass(frozen=True)
class SwapFitRule:
    """When a spun verdict is put to the language model (see the module doc).

    Parameters
    ----------
    max_swaps : int, default=10
        Copies called spun on at most this many swaps are checked (editors make a
        few wording changes; spinners at any useful setting make many more).  6 at
        first; raised when a trial's syndicated copy with 7 copy-desk changes ("put
        off" for "postponed", "hard" for "difficult"; median gain -0.03) was called
        spun at 0.92.  Of the calibration's moby spins and the hand-written spins on
        7 to 10 swaps scored under 0.98 (12 copies), the lowest median gain is +1.8
        (``python bench/bench_swap_fit.py --max-swaps 12``).
    max_spin_score : float, default=0.98
        ... and with a spin score under this.  A copy it is sure of, a short text
        swapped densely say, is left as it is, so that scoring it needs no language
        model.  0.8 at first (hand-written edited copies called spun scored 0.52 and
        0.62); raised when a trial's US edition of a British court report (5 apt
        swaps: "sentenced to" for "jailed for", "vendors" for "suppliers") scored
        0.90, median gain -2.1.  Of the calibration's moby spins and the hand-written
        light spins on at most 6 swaps scored 0.8-0.98, none has a median gain under
        +1.8 (``bench/bench_swap_fit.py``); over 0.98 one one-swap spin reads -4.3.
    min_median_gain : float, default=1.0
        The median gain, in nats, under which the swaps fit their sentences as
        well as the original's words did: the copy is then not spun.  Chosen under
        every calibration spin the rule checks (nine moby spins with a spin score
        of 0.5-0.8 on at most 6 swaps: +1.5 to +17.0) and over the two
        hand-written edited copies the document model called spun (-3.9, +0.1).
    """

    max_swaps: int = 10
    max_spin_score: float = 0.98
    min_median_gain: float = 1.0

    def __post_init__(self) -> None:
        if isinstance(self.max_swaps, bool) or not isinstance(self.max_swaps, int):
            raise ValueError(f"max_swaps must be an int, got {self.max_swaps!r}")
        if self.max_swaps < 1:
            raise ValueError(f"max_swaps must be at least 1, got {self.max_swaps}")
        for name in ("max_spin_score", "min_median_gain"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{name} must be a number, got {value!r}")

    def applies(self, swaps: int, spin_score: float) -> bool:
        """Whether a copy called spun on ``swaps`` swaps with ``spin_score`` is checked."""
        return 1 <= swaps <= self.max_swaps and spin_score < self.max_spin_score

    def fits(self, gains: Sequence[float | None]) -> bool:
        """Whether swaps with these ``gains`` read like an editor's wording changes
        (never when a swap could not be read: None)."""
        if not gains or any(g is None for g in gains):
            return False
        return statistics.median(gains) < self.min_median_gain  # type: ignore[type-var]


class SwapReader:
    """Reads short texts with a causal language model, loaded on first use.

    ``lm`` is a loaded ``detector.lm.CausalLM``; the packaged SmolLM2 is loaded on
    the first call when omitted, computing in float32 (``detector.lm.load_causal_lm``,
    which raises ``ResourceError`` or ``ModelNotFoundError`` when it cannot be, and
    converts the packaged model first on a machine that never did, about half a
    minute): a dozen short sentences take about half a second on 2 cores, where
    bfloat16 is slower for a single pass and rounds the gains by a few tenths of a
    nat.  A load that failed is not tried again: the same error is raised.
    ``loading``, a context-manager factory, is entered around that load (``label``
    stops an input's time limit there and counts the time as loading).
    """

    def __init__(
        self,
        lm: CausalLM | None = None,
        *,
        loading: Callable[[], AbstractContextManager[Any]] = nullcontext,
    ) -> None:
        self._lm = lm
        self._loading = loading
        self._failed: SpindetectError | None = None

    @property
    def lm(self) -> CausalLM:
        """The language model (loaded now if it was not)."""
        if self._failed is not None:  # a fresh traceback: the last one's frames go
            raise self._failed.with_traceback(None)
        if self._lm is None:
            from detector.lm import load_causal_lm

            try:
                with self._loading():
                    self._lm = load_causal_lm(dtype="float32")
            except SpindetectError as error:
                self._failed = error
                raise
        return self._lm

    def loglikelihoods(self, texts: Sequence[str]) -> list[float | None]:
        """The log-likelihood (nats) of each text, read after the start-of-text token;
        None for a text of more than ``_MAX_TOKENS`` tokens, which is not read."""
        from detector.corpus_reader import repair_text

        lm = self.lm  # before torch: a missing torch is ModelNotFoundError there
        import torch
        import torch.nn.functional as F

        rows = [[lm.bos_id, *lm.tokenizer(repair_text(text))["input_ids"]] for text in texts]
        readable = [k for k, row in enumerate(rows) if len(row) <= _MAX_TOKENS + 1]
        out: list[float | None] = [None] * len(rows)
        if not readable:
            return out
        width = max(len(rows[k]) for k in readable)
        ids = torch.tensor([rows[k] + [lm.bos_id] * (width - len(rows[k])) for k in readable])
        head = lm.model.get_output_embeddings()
        with torch.inference_mode():  # causal: the padding after a text never reaches it
            hidden = lm.model.base_model(input_ids=ids).last_hidden_state
            for i, k in enumerate(readable):  # one row's logits at a time (50 MB at most)
                n = len(rows[k]) - 1
                if n == 0:  # an empty text: nothing to read
                    out[k] = 0.0
                    continue
                logits = head(hidden[i, :n]).float()
                target = torch.tensor(rows[k][1:], dtype=torch.long)
                out[k] = -float(F.cross_entropy(logits, target, reduction="sum"))
        return out


def _readings(text: str, ranges: Sequence[tuple[int, int]], span: Span) -> tuple[str, str] | None:
    """The ``text`` around ``span`` as written and with its original put back: the
    sentences (character ``ranges``) it lies in, at most ``_CONTEXT_CHARS`` of them on
    either side; None for a span too long to read."""
    original = span.original or ""
    if span.end - span.start > _MAX_SWAP_CHARS or len(original) > _MAX_SWAP_CHARS:
        return None
    starts = [a for a, b in ranges if a <= span.start < b] or [0]
    ends = [b for a, b in ranges if a < span.end <= b] or [len(text)]
    left = max(starts[0], span.start - _CONTEXT_CHARS)
    right = min(ends[-1], span.end + _CONTEXT_CHARS)
    before, after = text[left : span.start], text[span.end : right]
    return before + text[span.start : span.end] + after, before + original + after


def swap_gains(
    reader: SwapReader | Any, suspect: Document, spans: Sequence[Span]
) -> list[float | None]:
    """For each of ``spans`` (swaps in ``suspect``, each with its ``original``), how many
    nats more likely the text around it reads with the original's words put back;
    None where it could not be read (too long)."""
    ranges = [suspect.padded_span(lo, hi) for lo, hi in suspect.sentences if lo < hi]
    pairs = [_readings(suspect.text, ranges, span) for span in spans]
    texts = [t for pair in pairs if pair is not None for t in pair]
    read = iter(reader.loglikelihoods(texts) if texts else [])
    gains: list[float | None] = []
    for pair in pairs:
        if pair is None:
            gains.append(None)
            continue
        written, restored = next(read), next(read)
        gains.append(None if written is None or restored is None else restored - written)
    return gains
