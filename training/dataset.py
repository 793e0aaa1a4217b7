"""Build the spin-detection dataset: spun and unspun article pairs, split by story.

Run ``python -m training.dataset --corpus CORPUS [CORPUS ...] --out data/spin-dataset``
(``make data`` does, on the shared corpora).  The result is a
``datasets.DatasetDict`` saved with ``save_to_disk``, with five splits:

``train``, ``validation``, ``test``
    Every text spun ``spins_per_text`` times by the training profiles (``moby`` and
    ``paratable`` by default, taking turns from copy to copy), plus negatives: the
    unspun original and, unless disabled, a syndicated copy (``training.edits``).
    Split by *story*: all versions of one story (the three OneStopEnglish levels
    of a topic) sit in one split.
``cross_spinner``
    The test texts spun by the evaluation-only profile (``cross``), with their
    unspun originals, to measure whether a detector generalises to a spinner it
    never trained on.  Left out with ``--cross-profile none``.
``hard_negatives``
    For the test stories: unspun originals, syndicated copies (dates and numbers
    reformatted, honorifics dropped, sentences cut or moved, headline changed,
    spelling and typography switched) and human rewrites (OneStopEnglish's
    intermediate and elementary texts against the advanced one).  All label 0.

Every record holds both texts, the document label, the replaced spans with their
offsets and original words, the word-level tags of the suspect text and the
settings that reproduce it (``spindetect spin --profile P --rate R --seed S
--protect ...`` on ``original`` gives ``suspect`` again).  ``LABELS`` and
``label_to_id`` name the word tags once for every model trained on the data.
"""

from __future__ import annotations

import json
import random
import sys
import time
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from detector.document import Document, make_document
from detector.errors import InputError, MissingInputError, OutputExistsError, SpindetectError
from detector.report import plural
from detector.spin.spinner import PROFILES, PROTECTABLE, RATE_RANGE, Spinner, SpinResult, SpunSpan
from training.corpus import TextRecord, load_corpus
from training.edits import syndicate
from training.folders import refuse_to_replace, saved_dataset, staged_folder

if TYPE_CHECKING:
    from datasets import DatasetDict, Features
    from rich.console import Console

__all__ = [
    "DOC_LABELS",
    "KINDS",
    "LABELS",
    "SPLITS",
    "DataArgs",
    "build_dataset",
    "dataset_features",
    "id_to_label",
    "label_to_id",
    "load_records",
    "main",
    "missing_splits",
    "split_by_story",
    "without_shared_texts",
    "word_tags",
]

# Word-level tags of the suspect text, for token-classification models.
LABELS = ("clean", "replaced")
label_to_id = {label: i for i, label in enumerate(LABELS)}
id_to_label = dict(enumerate(LABELS))
# Document-level label.
DOC_LABELS = ("not_spun", "spun")
KINDS = ("spun", "unspun", "syndication", "human_rewrite")
SPLITS = ("train", "validation", "test", "cross_spinner", "hard_negatives")
_ADVANCED_LEVELS = ("adv", "advanced", "original")


@dataclass
class DataArgs:
    """What to build the dataset from, and how."""

    corpus: list[str] = field(
        default_factory=list,
        metadata={"help": "Corpora: .jsonl/.csv files (xz/gz ok), folders of .txt, or hub names"},
    )
    out: Path = field(default=Path("data/spin-dataset"), metadata={"help": "Output folder"})
    overwrite: bool = field(
        default=False, metadata={"help": "Replace an existing dataset at --out"}
    )
    text_field: str | None = field(
        default=None,
        metadata={
            "help": "Text column, if not one of text, article, document, content, body, story"
        },
    )
    max_texts: int | None = field(
        default=None, metadata={"help": "Read at most this many texts per corpus"}
    )
    max_stories: int | None = field(
        default=None,
        metadata={"help": "Keep the first this many stories per corpus, all versions (quick runs)"},
    )
    min_words: int = field(default=50, metadata={"help": "Skip texts with fewer words"})
    validation_share: float = field(
        default=0.1, metadata={"help": "Share of stories in validation"}
    )
    test_share: float = field(default=0.15, metadata={"help": "Share of stories in test"})
    profile: str = field(
        default="moby,paratable",
        metadata={
            "help": "Training spinner profiles, comma-separated; "
            "a text's spun copies take them in turn",
            "json_list": True,  # a JSON config may list them
        },
    )
    cross_profile: str = field(
        default="cross", metadata={"help": "Evaluation spinner profile ('none' to skip the split)"}
    )
    spins_per_text: int = field(default=2, metadata={"help": "Spun versions of each text"})
    rates: tuple[float, float] = field(
        default=(0.15, 0.5),
        metadata={"help": "Spin rates are drawn uniformly from MIN MAX", "metavar": ("MIN", "MAX")},
    )
    protect_share: float = field(
        default=0.5,
        metadata={"help": "Chance that each protection (names, numbers, quotes) is on for a spin"},
    )
    syndicated_negatives: bool = field(
        default=True,
        metadata={"help": "Add a syndicated copy of each text to train/validation/test"},
    )
    seed: int = field(default=13, metadata={"help": "Seed; the same seed gives the same dataset"})

    def __post_init__(self) -> None:
        if isinstance(self.corpus, str):
            self.corpus = [self.corpus]
        if not self.corpus:
            raise ValueError("the 'corpus' parameter needs at least one corpus (--corpus FILE ...)")
        self.out = Path(self.out)
        lo, hi = RATE_RANGE
        rates = tuple(self.rates)
        if len(rates) != 2 or not lo <= rates[0] <= rates[1] <= hi:
            raise ValueError(
                f"the 'rates' parameter must be MIN MAX with {lo} <= MIN <= MAX <= {hi}, "
                f"got {self.rates!r}"
            )
        self.rates = (float(rates[0]), float(rates[1]))
        for name in ("validation_share", "test_share", "protect_share"):
            if not 0 <= getattr(self, name) < 1:
                raise ValueError(
                    f"the '{name}' parameter must be in [0, 1), got {getattr(self, name)!r}"
                )
        if self.validation_share + self.test_share >= 0.8:
            raise ValueError(
                "the 'validation_share' and 'test_share' parameters leave too little to train on: "
                f"{self.validation_share} + {self.test_share} >= 0.8"
            )
        if self.spins_per_text < 1:
            raise ValueError(
                f"the 'spins_per_text' parameter must be at least 1, got {self.spins_per_text}"
            )
        for name in ("max_texts", "max_stories"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"the '{name}' parameter must be at least 1, got {value}")
        given = self.profile.split(",") if isinstance(self.profile, str) else list(self.profile)
        profiles = tuple(dict.fromkeys(name.strip() for name in given if name.strip()))
        if not profiles:
            raise ValueError("the 'profile' parameter must name at least one training profile")
        training = [k for k, profile in PROFILES.items() if not profile.evaluation_only]
        for name in profiles:
            if name not in PROFILES:
                raise ValueError(
                    f"the 'profile' parameter must list some of {', '.join(training)} (the "
                    f"training profiles), got {name!r}"
                )
            if PROFILES[name].evaluation_only:
                raise ValueError(
                    f"the 'profile' parameter names the evaluation-only profile {name!r}; "
                    "models must not train on it (use it as --cross-profile)"
                )
        self.profile = ",".join(profiles)
        if self.cross_profile.lower() in ("", "none"):
            self.cross_profile = "none"
        elif self.cross_profile not in PROFILES:
            raise ValueError(
                f"the 'cross_profile' parameter must be one of {', '.join(PROFILES)} or 'none', "
                f"got {self.cross_profile!r}"
            )
        elif self.cross_profile in profiles:
            raise ValueError(
                f"the 'cross_profile' parameter names {self.cross_profile!r}, which the models "
                "train on: the cross-spinner split measures a spinner they never saw (use an "
                "evaluation-only profile, or 'none')"
            )

    @property
    def profiles(self) -> tuple[str, ...]:
        """The training profiles, in the order a text's spun copies take them."""
        return tuple(self.profile.split(","))


# --------------------------------------------------------------------------- helpers


def word_tags(document: Document, spans: Sequence[SpunSpan]) -> list[int]:
    """Tag ids (``label_to_id``) of the words of ``document``: 1 inside a replaced span.

    ``document`` is ``make_document(suspect)``; spans are those of the suspect text.
    """
    starts = [span.start for span in spans]
    tags = []
    for start in document.starts:
        k = bisect_right(starts, start) - 1
        inside = k >= 0 and start < spans[k].end
        tags.append(label_to_id["replaced" if inside else "clean"])
    return tags


def dataset_features() -> Features:
    """The column types of every split."""
    from datasets import ClassLabel, Features, List, Value

    span = {
        "start": Value("int32"),
        "end": Value("int32"),
        "text": Value("string"),
        "original": Value("string"),
        "original_start": Value("int32"),
        "original_end": Value("int32"),
        "kind": Value("string"),
    }
    return Features(
        {
            "id": Value("string"),
            "text_id": Value("string"),
            "original_id": Value("string"),
            "story_id": Value("string"),
            "source": Value("string"),
            "level": Value("string"),
            "title": Value("string"),
            "original": Value("string"),
            "suspect": Value("string"),
            "label": ClassLabel(names=list(DOC_LABELS)),
            "kind": Value("string"),
            "profile": Value("string"),
            "rate": Value("float64"),
            "seed": Value("int64"),
            "protect": List(Value("string")),
            "edits": List(Value("string")),
            "spans": List(span),
            "words": List(Value("string")),
            "tags": List(ClassLabel(names=list(LABELS))),
        }
    )


def _rng(seed: int, *parts: str) -> random.Random:
    # str seeds are hashed with SHA-512: stable across runs and PYTHONHASHSEED.
    return random.Random("/".join([str(seed), *parts]))


def load_records(args: DataArgs) -> list[TextRecord]:
    """The texts of ``args.corpus`` with at least ``args.min_words`` words, in corpus order.

    ``args.max_texts`` stops reading a corpus early; ``args.max_stories`` keeps every
    version of the first stories met with a text long enough, so a quick run still has
    multi-version stories.
    """
    records: list[TextRecord] = []
    for spec in args.corpus:
        found = 0
        stories: set[str] = set()
        for record in load_corpus(spec, text_field=args.text_field, limit=args.max_texts):
            if len(make_document(record.text)) < args.min_words:
                continue  # too short to spin: it takes no story's place
            if record.story_id not in stories:
                if args.max_stories is not None and len(stories) >= args.max_stories:
                    continue
                stories.add(record.story_id)
            records.append(record)
            found += 1
        if not found:
            raise InputError(f"{spec}: no text with at least {args.min_words} words")
    return records


def without_shared_texts(
    splits: Mapping[str, Sequence[TextRecord]],
) -> tuple[dict[str, list[TextRecord]], list[str]]:
    """``splits`` with every held-out text that stands word for word in an earlier split
    (train, then validation) left out of its own, and a line saying so for each.

    A corpus that holds an article twice under two stories, or two corpora that share
    one, would otherwise put its spins in training and in test, flattering the test
    scores; the training split is never changed.  (OneStopEnglish's "Royal Baby"
    elementary text is its "Skydiver" one.)
    """
    seen: dict[str, tuple[str, TextRecord]] = {}
    kept: dict[str, list[TextRecord]] = {}
    lines = []
    for split, records in splits.items():
        kept[split] = []
        for record in records:
            key = " ".join(record.text.split())
            first = seen.setdefault(key, (split, record))
            if first[0] != split:
                lines.append(
                    f"left {record.id!r} out of {split}: its text is that of "
                    f"{first[1].id!r} ({first[0]}) word for word"
                )
                continue
            kept[split].append(record)
    return kept, lines


def split_by_story(
    records: Iterable[TextRecord], validation_share: float, test_share: float, seed: int
) -> dict[str, list[TextRecord]]:
    """Records assigned to train/validation/test so that no story is in two splits.

    Stories are shuffled (with ``seed``) and cut by share within each source
    corpus, so each split draws from every corpus.  A corpus with at least three
    stories gives each non-zero share at least one story.
    """
    stories: dict[str, dict[str, list[TextRecord]]] = defaultdict(lambda: defaultdict(list))
    for record in records:
        stories[record.source][record.story_id].append(record)
    splits: dict[str, list[TextRecord]] = {"train": [], "validation": [], "test": []}
    for source in sorted(stories):
        keys = sorted(stories[source])
        _rng(seed, "split", source).shuffle(keys)
        n = len(keys)
        n_test = round(n * test_share)
        n_val = round(n * validation_share)
        if n >= 3:
            n_test = max(n_test, 1) if test_share > 0 else 0
            n_val = max(n_val, 1) if validation_share > 0 else 0
        bounds = {
            "test": keys[:n_test],
            "validation": keys[n_test : n_test + n_val],
            "train": keys[n_test + n_val :],
        }
        for split, chosen in bounds.items():
            for key in sorted(chosen):
                splits[split].extend(sorted(stories[source][key], key=lambda r: r.id))
    return splits


# --------------------------------------------------------------------------- examples


def _example(
    record: TextRecord,
    *,
    suffix: str,
    original: str,
    suspect: str,
    kind: str,
    result: SpinResult | None = None,
    edits: Sequence[str] = (),
    original_record: TextRecord | None = None,
) -> dict[str, Any]:
    spans = result.spans if result is not None else ()
    document = make_document(suspect)
    return {
        "id": f"{record.source}/{record.id}/{suffix}",
        "text_id": record.id,
        "original_id": (original_record or record).id,
        "story_id": record.story_id,
        "source": record.source,
        "level": record.level,
        "title": record.title,
        "original": original,
        "suspect": suspect,
        "label": 1 if kind == "spun" else 0,
        "kind": kind,
        "profile": result.profile if result is not None else "",
        "rate": result.rate if result is not None else 0.0,
        "seed": result.seed if result is not None else 0,
        "protect": list(result.protect) if result is not None else [],
        "edits": list(edits),
        "spans": [span.to_dict() for span in spans],
        "words": list(document.words),
        "tags": word_tags(document, spans),
    }


def _turns(spinners: Sequence[Spinner], record: TextRecord, args: DataArgs) -> list[Spinner]:
    """The spinner of each spun copy of ``record``: the profiles in turn, from a seeded start."""
    n = len(spinners)
    start = _rng(args.seed, "profiles", record.source, record.id).randrange(n) if n > 1 else 0
    return [spinners[(start + copy) % n] for copy in range(args.spins_per_text)]


def _spun(record: TextRecord, spinner: Spinner, args: DataArgs, copy: int) -> dict[str, Any]:
    profile = spinner.profile.name
    rng = _rng(args.seed, "spin", profile, record.source, record.id, str(copy))
    rate = round(rng.uniform(*args.rates), 2)
    protect = tuple(p for p in PROTECTABLE if rng.random() < args.protect_share)
    result = spinner.spin(record.text, rate=rate, seed=rng.randrange(2**31), protect=protect)
    return _example(
        record,
        suffix=f"{profile}-{copy}",
        original=record.text,
        suspect=result.text,
        kind="spun",
        result=result,
    )


def _unspun(record: TextRecord) -> dict[str, Any]:
    return _example(
        record, suffix="unspun", original=record.text, suspect=record.text, kind="unspun"
    )


def _syndicated(record: TextRecord, args: DataArgs, purpose: str) -> dict[str, Any] | None:
    rng = _rng(args.seed, purpose, record.source, record.id)
    suspect, edits = syndicate(record.text, rng, title=record.title)
    if not edits:
        return None
    return _example(
        record,
        suffix=purpose,
        original=record.text,
        suspect=suspect,
        kind="syndication",
        edits=edits,
    )


def _human_rewrites(records: Sequence[TextRecord]) -> list[dict[str, Any]]:
    """Pairs (advanced text, simpler rewrite of it) within each story that has reading levels."""
    by_story: dict[tuple[str, str], list[TextRecord]] = defaultdict(list)
    for record in records:
        if record.level:
            by_story[record.source, record.story_id].append(record)
    examples = []
    for key in sorted(by_story):
        versions = by_story[key]
        if len({r.level for r in versions}) < 2:
            continue
        advanced = next(
            (r for r in versions if r.level.lower() in _ADVANCED_LEVELS),
            max(versions, key=lambda r: len(r.text)),
        )
        for rewrite in versions:
            if rewrite is not advanced:
                examples.append(
                    _example(
                        rewrite,
                        suffix=f"rewrite-of-{advanced.level}",
                        original=advanced.text,
                        suspect=rewrite.text,
                        kind="human_rewrite",
                        original_record=advanced,
                    )
                )
    return examples


def build_dataset(
    splits: Mapping[str, Sequence[TextRecord]],
    spinners: Spinner | Sequence[Spinner],
    cross_spinner: Spinner | None,
    args: DataArgs,
    *,
    console: Console | None = None,
) -> DatasetDict:
    """The ``DatasetDict`` of the module docstring, from records already split by story.

    ``spinners`` spin train, validation and test: one spinner, or the training
    profiles' spinners, which a text's spun copies take in turn.
    """
    from datasets import Dataset, DatasetDict

    if isinstance(spinners, Spinner):
        spinners = (spinners,)
    features = dataset_features()
    rows: dict[str, list[dict[str, Any]]] = {}
    for split in ("train", "validation", "test"):
        rows[split] = []
        for record in splits[split]:
            rows[split] += (
                _spun(record, spinner, args, copy)
                for copy, spinner in enumerate(_turns(spinners, record, args))
            )
            rows[split].append(_unspun(record))
            if args.syndicated_negatives:
                syndicated = _syndicated(record, args, "syndicated")
                if syndicated is not None:
                    rows[split].append(syndicated)
        if console is not None:
            console.log(
                f"{split}: {plural(len(splits[split]), 'text')} -> "
                f"{plural(len(rows[split]), 'example')}"
            )
    test = splits["test"]
    rows["cross_spinner"] = []
    if cross_spinner is not None:
        for record in test:
            rows["cross_spinner"] += (_spun(record, cross_spinner, args, 0), _unspun(record))
    hard = [_unspun(record) for record in test]
    hard += filter(None, (_syndicated(record, args, "hard-syndicated") for record in test))
    hard += _human_rewrites(test)
    rows["hard_negatives"] = hard
    # A split with no rows (no cross profile, a corpus too small for a test split) is left out:
    # `datasets` cannot load an empty split back from disk.
    return DatasetDict(
        {
            split: Dataset.from_list(rows[split], features=features)
            for split in SPLITS
            if rows[split]
        }
    )


# --------------------------------------------------------------------------- reporting


def statistics(dataset: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Counts per split: examples, stories, texts, labels, kinds, mean spans per spun text."""
    stats: dict[str, dict[str, Any]] = {}
    for split, data in dataset.items():
        labels = Counter(data["label"])
        kinds = Counter(data["kind"])
        spans = [
            len(s) for s, label in zip(data["spans"], data["label"], strict=True) if label == 1
        ]
        stats[split] = {
            "examples": len(data),
            "stories": len(set(data["story_id"])),
            "texts": len(set(data["text_id"])),
            **{name: labels.get(i, 0) for i, name in enumerate(DOC_LABELS)},
            **{f"kind_{kind}": kinds.get(kind, 0) for kind in KINDS},
            "mean_spans": round(sum(spans) / len(spans), 1) if spans else 0.0,
        }
    return stats


def print_statistics(stats: Mapping[str, Mapping[str, Any]], console: Console) -> None:
    """A table of ``statistics()``: one row per split."""
    from rich.table import Table

    table = Table(title="spin dataset: examples per split, label and kind")
    columns = ("split", "stories", "texts", "examples", *DOC_LABELS, *KINDS[1:], "spans/spun")
    for column in columns:
        table.add_column(column, justify="left" if column == "split" else "right", no_wrap=True)
    for split, row in stats.items():
        table.add_row(
            split,
            str(row["stories"]),
            str(row["texts"]),
            str(row["examples"]),
            *(str(row[name]) for name in DOC_LABELS),
            *(str(row[f"kind_{kind}"]) for kind in KINDS[1:]),
            f"{row['mean_spans']:.1f}",
        )
    console.print(table)


def missing_splits(dataset: Mapping[str, Any], needed: Sequence[str]) -> str | None:
    """Why ``dataset`` cannot be trained on, in one line, when a split of ``needed`` is
    missing or empty (a dataset built from too few stories); None when all are there."""
    absent = [name for name in needed if name not in dataset or not len(dataset[name])]
    if not absent:
        return None
    held = ", ".join(f"{name} {len(rows)}" for name, rows in dataset.items()) or "nothing"
    return (
        f"the dataset has no {' or '.join(absent)} examples (it holds {held}); rebuild it "
        "from more stories (`make data`, or a larger --max-stories)"
    )


def _check_out(out: Path, overwrite: bool) -> None:
    """Refuse ``--out`` before any work unless the dataset may go there: absent, or (with
    ``overwrite``) an empty folder or a saved dataset, which is replaced only once the new
    one is saved whole."""
    if (out.exists() or out.is_symlink()) and not overwrite:
        raise OutputExistsError(f"{out} already exists; pass --overwrite to replace it")
    refuse_to_replace(out, holds=saved_dataset, what="a saved dataset")


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m training.dataset``: build, save and describe the dataset."""
    from training.args import parse_args

    (args,) = parse_args(
        [DataArgs], argv, description=__doc__ or "", prog="python -m training.dataset"
    )

    # Environment: fail fast, naming the fix.
    try:
        import datasets
        from rich.console import Console
    except ImportError as exc:
        print(f"Error: {exc.name} is missing: pip install 'spindetect[train]'", file=sys.stderr)
        return 1
    datasets.disable_progress_bars()  # this script logs its own progress
    console = Console(stderr=True, log_path=False)
    started = time.perf_counter()
    try:
        _check_out(args.out, args.overwrite)

        # Data: read the corpora and split them by story.
        records = load_records(args)
        splits, left_out = without_shared_texts(
            split_by_story(records, args.validation_share, args.test_share, args.seed)
        )
        for line in left_out:
            console.log(line)
        console.log(
            f"{plural(len(records), 'text')} from "
            f"{len(args.corpus)} {'corpus' if len(args.corpus) == 1 else 'corpora'}: "
            + ", ".join(f"{k} {len(v)}" for k, v in splits.items())
        )
        empty = [name for name, texts in splits.items() if not texts]
        if empty:
            print(
                f"Warning: no story went to {' or '.join(empty)} ({len(records)} texts, split "
                "by story): the training scripts need train and validation examples; use "
                "more stories",
                file=sys.stderr,
            )

        # Spinners: the training profiles, and the evaluation-only one.
        spinners = [Spinner.from_profile(name) for name in args.profiles]
        cross = None if args.cross_profile == "none" else Spinner.from_profile(args.cross_profile)

        # Examples, then save.
        dataset = build_dataset(splits, spinners, cross, args, console=console)
        stats = statistics(dataset)
        seconds = round(time.perf_counter() - started, 1)
        summary = {
            "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(args).items()},
            "labels": list(LABELS),
            "doc_labels": list(DOC_LABELS),
            "statistics": stats,
            "seconds": seconds,
        }
        # Saved beside --out and moved into its place whole: a run stopped here leaves the
        # dataset it was to replace as it was.
        with staged_folder(args.out) as folder:
            dataset.save_to_disk(str(folder))
            (folder / "build.json").write_text(
                json.dumps(summary, indent=2) + "\n", encoding="utf-8"
            )
    except MissingInputError as exc:
        hint = "name the corpora with --corpus FILE ... (with make: CORPUS='a.jsonl b.jsonl')"
        print(f"Error: {exc}; {hint}", file=sys.stderr)
        return exc.exit_code
    except SpindetectError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return exc.exit_code
    print_statistics(stats, Console(width=max(Console().width, 120)))
    console.log(f"saved to {args.out} in {seconds} s")
    return 0


if __name__ == "__main__":
    from training.args import run_script

    raise SystemExit(run_script(main))
