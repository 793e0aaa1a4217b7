"""Fit the screen: the language-model judge's first pass alone, as a fast reference-free model.

The hybrid reads a text twice over: pass 1 (one causal pass: how much likelier a
unit's best thesaurus candidate is than the written word, from the words before
it) and pass 2 (the likeliest candidates read again with the words after them),
and a heavily flagged text once more with its surest swaps undone.  Pass 1 alone
is faster (1.0-1.2 s for an 800-word article on two cores in ``BENCHMARKS.md``, against
the hybrid's 2.7-3.2 s, or 7.6-8.6 s for a spun article, which it reads twice) and, on text
spun by hand, far more trustworthy than the fine-tuned transformer, which learned one
synthetic spinner's habits: its flags on clean prose of other registers call about a
fifth of such texts spun (``BENCHMARKS.md``, hand-spun sets).  ``label``'s fallback
for suspects with no source in the index reads with it first (``models/cascade``: the
hybrid goes on from its reading where it scores 0.2 or more).

Recipe (``python -m training.fit_screen``; ``make screen`` runs it):

1. Data: the ``validation`` split's first 160 articles and the calibration texts
   of every length (``training.calibration``), as ``make hybrid`` fits on, and the
   clean texts written by hand for the older hand-spun sets (``FIT_CLEAN_SETS``:
   reviews, columns, jargon-heavy reports, a how-to; the synthetic split's clean texts
   are plain news, and a rule fitted on those alone called 30 of 151 such texts spun).
   The newer sets stay out of the fit, so that ``make bench-handspun`` measures the
   screen on clean and spun texts it never saw.
2. Readings: the judge with pass 2 and the second reading switched off
   (``margin_threshold`` and ``reread_gain`` below), cached in ``runs/readings/``;
   people's names and variant spellings left out as the ``lm`` model leaves them.
3. For each margin threshold of a grid, the length-aware document rule
   (``detector.document_rule``) with the best recall that calls at most ``max_fpr``
   of the clean texts spun; the threshold whose rule calls the most spun texts spun
   wins (ties: the higher threshold, fewer false flags).
4. Write ``models/screen/config.json`` (an ``lm``-type model: its flags are units
   whose pass-1 margin exceeds the threshold, and a flag's restoration is pass 1's
   first-ranked candidate, with no ``restore_score``; the fluency reference is the
   ``lm`` model's, pass 1 reading the same surprisal) and the model card.
"""

from __future__ import annotations

import json
import logging
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from training.model_card import card_metadata, metadata_block

__all__ = ["ScreenArgs", "main"]

logger = logging.getLogger("training.fit_screen")

MARGIN_GRID = (4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0)
# The hand-spun sets (tests/fixtures) whose clean texts the rule is fitted on; the sets
# written after these (holdout16 on, clean_world, clean_styles_holdout) are held out.
FIT_CLEAN_SETS = (
    "handspun",
    "handspun_holdout",
    *(f"handspun_holdout{k}" for k in range(2, 16)),
    "handspun_academic",
    "clean_styles",
)
# Pass 2 never runs (no margin reaches this) and the text is read once.
SCREEN_JUDGE = {"margin_threshold": 1_000_000.0, "reread_gain": None}


@dataclass
class ScreenArgs:
    """What to fit on and where to write the screen."""

    dataset: Path = field(
        default=Path("data/spin-dataset"), metadata={"help": "The spin dataset folder (make data)"}
    )
    split: str = field(default="validation", metadata={"help": "The split to fit on"})
    screen_model: Path = field(
        default=Path("models/screen"), metadata={"help": "Where the screen model is written"}
    )
    max_samples: int | None = field(
        default=160,
        metadata={
            "help": "Fit on the split's first N articles (the calibration excerpts "
            "come from the rows after them)"
        },
    )
    workers: int = field(default=2, metadata={"help": "Processes reading with the judge"})
    cache: Path = field(
        default=Path("runs/readings"), metadata={"help": "Folder of the readings cache"}
    )
    max_fpr: float = field(
        default=0.01, metadata={"help": "Largest share of clean texts called spun in fitting"}
    )
    lm_model: Path = field(
        default=Path("models/lm"),
        metadata={
            "help": "The lm model whose fluency reference the screen shares (pass 1 reads "
            "the same surprisal)"
        },
    )
    fixtures: Path = field(
        default=Path("tests/fixtures"),
        metadata={"help": "Folder of the hand-spun sets whose clean texts the rule is fitted on"},
    )


def _token_f1(tags: np.ndarray, flags: np.ndarray) -> float:
    hits = float((tags & flags).sum())
    return 2 * hits / (float(tags.sum()) + float(flags.sum())) if hits else 0.0


_CARD = """The first pass of the language-model judge alone (`detector/lm_judge.py`):
SmolLM2-135M-Instruct reads the article once, and a word or short phrase is flagged when
one of its thesaurus synonyms or glue-phrase rewrites is at least {margin:g} nats likelier
than it, from the words before it (a longer candidate scored by its first word piece).  No
candidate is read again with the words after it, and no text is read twice, so it takes a
fraction of the hybrid's time (`BENCHMARKS.md`, pass 1 alone).  A flag's `original` is pass
1's first-ranked candidate and its `restore_score` is null: the hybrid and `lm` restore
better.

- **Intended use**: the first reading of `label`'s fallback (`models/cascade`: the hybrid
  goes on from it where it scores 0.2 or more) for suspects with no source in the index, where
  thousands of texts must be scored; `spindetect score article.txt --model screen` for a
  quick look.  Flags are evidence, not proof.
- **Thresholds** (fitted on {fitted}, the language model computing in {dtype}): a unit is
  flagged when its pass-1 margin exceeds {margin:g} nats (the margin, of {grid}, whose
  document rule called the most spun texts spun); {rule}; a document the rule calls clean
  has no spans.  Token F1 on the validation split's spun articles: {f1}.
- **Limits**: light spins (under a tenth of the content words) and spins of plausible
  synonyms are mostly called clean; the measured rates on text spun by hand are in
  `BENCHMARKS.md` (`make bench-handspun`).  People's names and variant spellings are not
  judged, as with `lm`.
"""


def fit(args: ScreenArgs, split: Any) -> dict[str, Any]:
    """Fit the screen on ``split``; write it; return what was measured."""
    from detector.document_rule import content_flags
    from detector.lexicon import load_lexicon
    from detector.lm import compute_dtype
    from detector.lm_judge import spin_probabilities
    from detector.lm_model import counted_reading, unjudged_words
    from training.calibration import calibration_documents, fit_length_aware_rule
    from training.fit_hybrid import rule_text
    from training.predict import SplitData
    from training.readings import read_documents

    data = SplitData.load(args.split, split, args.max_samples)
    calibration = calibration_documents(split, skip=len(data.suspects))
    hand_written = hand_written_clean(args.fixtures)
    labels = np.concatenate([data.labels, calibration.labels, np.zeros(len(hand_written), bool)])
    logger.info(
        "%d articles, %d calibration texts and %d clean texts written by hand (%d spun, "
        "%d clean in all)",
        len(data.suspects),
        len(calibration.documents),
        len(hand_written),
        int(labels.sum()),
        int((~labels).sum()),
    )
    config = {
        "type": "lm",
        "name": "screen",
        "lm": None,
        "judge": dict(SCREEN_JUDGE),
        "names_unjudged": True,
    }
    documents = [*data.suspects, *calibration.documents, *hand_written]
    with tempfile.TemporaryDirectory() as settings:  # the judge's settings, before the fit
        (Path(settings) / "config.json").write_text(json.dumps(config), "utf-8")
        readings = read_documents(
            documents,
            Path(settings),
            cache=args.cache / f"screen-{args.dataset.name}-{args.split}.jsonl",
            workers=args.workers,
        )
    lexicon = load_lexicon(quiet=True)
    readings = [counted_reading(r, unjudged_words(r, lexicon, names=True)) for r in readings]

    tags = np.concatenate(data.tags)
    in_spun = np.concatenate(
        [np.full(len(t), spun) for t, spun in zip(data.tags, data.labels, strict=True)]
    )
    tried: dict[float, tuple[Any, dict[str, float], float]] = {}
    for margin in MARGIN_GRID:
        probabilities = [spin_probabilities(r, threshold=margin) for r in readings]
        counts = np.array(
            [
                content_flags(r.document.words, p, 0.5)
                for r, p in zip(readings, probabilities, strict=True)
            ]
        )
        rule, measured = fit_length_aware_rule(counts[:, 0], counts[:, 1], labels, args.max_fpr)
        flags = np.concatenate([np.asarray(p) > 0.5 for p in probabilities[: len(data.tags)]])
        f1 = _token_f1(tags[in_spun], flags[in_spun])
        tried[margin] = (rule, measured, f1)
        logger.info("margin > %g: %s, %s, token F1 %.3f", margin, rule, measured, f1)
    margin = max(
        tried, key=lambda m: (tried[m][1]["recall"], -tried[m][1]["false_positive_rate"], m)
    )
    rule, measured, f1 = tried[margin]
    dtype = compute_dtype()
    fitted = (
        f"`{args.dataset}` split `{args.split}`, {len(data.suspects)} articles, "
        f"{len(calibration.documents)} calibration texts and {len(hand_written)} clean texts "
        "written by hand"
    )
    lm_config = args.lm_model / "config.json"
    if lm_config.is_file():  # the same first pass, so the same surprisal and reference
        shared = json.loads(lm_config.read_text("utf-8"))
        config |= {
            k: shared[k] for k in ("fluency_reference", "fluency_reference_from") if k in shared
        }
    config |= {
        "gain_threshold": margin,
        "document_rule": rule.to_config(),
        "fitted_on": fitted.replace("`", ""),
        "validation_token_f1": round(f1, 4),
        "fitted_dtype": dtype,
    }
    args.screen_model.mkdir(parents=True, exist_ok=True)
    (args.screen_model / "config.json").write_text(json.dumps(config, indent=2) + "\n", "utf-8")
    card = _CARD.format(
        margin=margin,
        fitted=fitted,
        dtype=dtype,
        grid=", ".join(f"{m:g}" for m in MARGIN_GRID),
        rule=rule_text(rule, measured),
        f1=round(f1, 3),
    )
    metadata = card_metadata(
        "HuggingFaceTB/SmolLM2-135M-Instruct", {"validation_token_f1": round(f1, 4)}
    )
    (args.screen_model / "README.md").write_text(
        f"{metadata_block(metadata)}# spindetect screen (the judge's first pass)\n\n{card}", "utf-8"
    )
    return {
        "margin_threshold": margin,
        "document_rule": rule.to_config(),
        "document_rule_fit": measured,
        "token_f1": round(f1, 4),
        "tried": {
            f"{m:g}": {"recall": t[1]["recall"], "fpr": t[1]["false_positive_rate"], "f1": t[2]}
            for m, t in tried.items()
        },
    }


def hand_written_clean(fixtures: Path) -> list[Any]:
    """The clean texts of the ``FIT_CLEAN_SETS`` under ``fixtures`` (``SET/clean/*.txt``),
    as documents named ``SET/FILE``."""
    from detector.document import make_document

    root = fixtures
    if not root.is_absolute() and not root.exists():  # run from elsewhere: the project's
        root = Path(__file__).resolve().parents[1] / fixtures
    paths = [p for name in FIT_CLEAN_SETS for p in sorted((root / name / "clean").glob("*.txt"))]
    if not paths:
        raise FileNotFoundError(f"no clean texts of the hand-spun sets under {fixtures}")
    return [make_document(p.read_text("utf-8"), f"{p.parent.parent.name}/{p.name}") for p in paths]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m training.fit_screen``: fit, write the screen, print what was measured."""
    from training.args import parse_args

    (args,) = parse_args(
        [ScreenArgs], argv, description=__doc__ or "", prog="python -m training.fit_screen"
    )
    logging.basicConfig(format="%(asctime)s %(message)s", datefmt="%H:%M:%S", level=logging.INFO)
    if not (args.dataset / "dataset_dict.json").is_file():
        print(f"Error: no spin dataset at {args.dataset}: run `make data` first", file=sys.stderr)
        return 2
    import datasets

    datasets.disable_progress_bars()
    measured = fit(args, datasets.load_from_disk(str(args.dataset))[args.split])
    print(json.dumps(measured, indent=2))
    return 0


if __name__ == "__main__":
    from training.args import run_script

    raise SystemExit(run_script(main))
