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
words put back (natural log, whole sentence, so the words after the swap count too).

Measured with the packaged SmolLM2-135M (2026-12-05, docs/eval/notes.md): on the
reference calibration's stories with 1-8 swaps, moby spins had a median gain of
10.6 nats (the median over a copy's swaps; 10th percentile 2.3), copies edited with
``training.edits.reword`` -0.35 (90th percentile 3.0), human rewrites -3.3; on the
hand-written sets, light spins of 5-6 swaps 5.3 to 11.3, edited copies with 2-5
wording changes -5.2 to 2.4.  So a copy that the document model calls spun on at
most ``max_swaps`` swaps, short of sure (``max_spin_score``), whose median gain is
under ``min_median_gain`` is an edited copy (``SwapFitRule``).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from detector.document import Document

if TYPE_CHECKING:
    from detector.lm import CausalLM
    from detector.report import Span

__all__ = ["SwapFitRule", "SwapReader", "swap_gains"]

_MAX_SENTENCE_CHARS = 1_000  # a "sentence" longer than this is read in part


@dataclass(frozen=True)
class SwapFitRule:
    """When a spun verdict is put to the language model (see the module doc).

    Parameters
    ----------
    max_swaps : int, default=6
        Copies called spun on at most this many swaps are checked (editors make a
        few wording changes; spinners at any useful setting make many more).
    max_spin_score : float, default=0.8
        ... and with a spin score under this: the copies near the document model's
        line (hand-written edited copies called spun scored 0.52 and 0.62).  A copy
        it is sure of, a short text swapped densely say, is left as it is, so that
        scoring it needs no language model.
    min_median_gain : float, default=1.0
        The median gain, in nats, under which the swaps fit their sentences as
        well as the original's words did: the copy is then not spun.  Chosen under
        every calibration spin the rule checks (nine moby spins with a spin score
        of 0.5-0.8 on at most 6 swaps: +1.5 to +17.0) and over the two
        hand-written edited copies the document model called spun (-3.7, -0.3).
    """

    max_swaps: int = 6
    max_spin_score: float = 0.8
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

    def fits(self, gains: Sequence[float]) -> bool:
        """Whether swaps with these ``gains`` read like an editor's wording changes."""
        return bool(gains) and statistics.median(gains) < self.min_median_gain


class SwapReader:
    """Reads sentences with a causal language model, loaded on first use.

    ``lm`` is a loaded ``detector.lm.CausalLM``; the packaged SmolLM2 is loaded on
    the first call when omitted, computing in float32 (``detector.lm.load_causal_lm``,
    which raises ``ResourceError`` or ``ModelNotFoundError`` when it cannot be):
    a dozen short sentences take about half a second on 2 cores, where bfloat16
    is slower for a single pass and rounds the gains by a few tenths of a nat.
    ``loading``, a context-manager factory, is entered around that load (``label``
    stops an input's time limit there: loading is not the input's time).
    """

    def __init__(
        self,
        lm: CausalLM | None = None,
        *,
        loading: Callable[[], AbstractContextManager[Any]] = nullcontext,
    ) -> None:
        self._lm = lm
        self._loading = loading

    @property
    def lm(self) -> CausalLM:
        """The language model (loaded now if it was not)."""
        if self._lm is None:
            from detector.lm import load_causal_lm

            with self._loading():
                self._lm = load_causal_lm(dtype="float32")
        return self._lm

    def loglikelihoods(self, texts: Sequence[str]) -> list[float]:
        """The log-likelihood (nats) of each text, read after the start-of-text token
        (all of them in one padded forward pass)."""
        import torch

        lm = self.lm
        rows = [
            [lm.bos_id, *lm.tokenizer(text[:_MAX_SENTENCE_CHARS])["input_ids"]] for text in texts
        ]
        if not rows:
            return []
        width = max(len(row) for row in rows)
        ids = torch.tensor([row + [lm.bos_id] * (width - len(row)) for row in rows])
        with torch.inference_mode():  # causal: the padding after a text never reaches it
            hidden = lm.model.base_model(input_ids=ids).last_hidden_state[:, :-1]
            logits = lm.model.get_output_embeddings()(hidden).float()
            picked = torch.log_softmax(logits, dim=-1).gather(2, ids[:, 1:, None])[..., 0]
        real = torch.tensor([[k < len(row) - 1 for k in range(width - 1)] for row in rows])
        return (picked * real).sum(dim=1).tolist()


def _sentence_of(document: Document, start: int, end: int) -> tuple[int, int]:
    """Character offsets of the sentence holding ``start:end`` (the whole text if none)."""
    for lo, hi in document.sentences:
        if lo >= hi:
            continue
        a, b = document.padded_span(lo, hi)
        if a <= start and end <= b:
            return a, b
    return 0, len(document.text)


def swap_gains(reader: SwapReader | Any, suspect: Document, spans: Sequence[Span]) -> list[float]:
    """For each of ``spans`` (swaps in ``suspect``, each with its ``original``), how many
    nats more likely its sentence reads with the original's words put back."""
    texts = []
    for span in spans:
        a, b = _sentence_of(suspect, span.start, span.end)
        text = suspect.text
        texts.append(text[a:b])
        texts.append(text[a : span.start] + (span.original or "") + text[span.end : b])
    read = reader.loglikelihoods(texts)
    return [restored - written for written, restored in zip(read[::2], read[1::2], strict=True)]
