"""Retrieval of hand-written suspects through the source index, among corpus originals.

The recall benchmark of ``bench_index.py --recall`` spins and paraphrases with
this project's own generators.  This one asks the index for the sources of
texts written by hand in the style of real spinners and paraphrasing tools
(``tests/fixtures``), none of them made by code here:

- ``handspun*/spun``: hand-spun articles (their originals are the marked
  texts' ``{spun|original}`` originals), whole, as their first 1,500
  characters (those longer), and as a partial copy: the spun text set among
  2 to 4 paragraphs of unrelated text;
- ``paraphrase_holdout/paraphrased`` and ``paraphrase_holdout2``: machine-style
  paraphrases (standard, fluency and round-trip styles), thesaurus spins and
  syndicated copies after ordinary edits, each with its original;
- unrelated texts whose sources are not in the index (``clean_styles``,
  ``clean_styles_holdout``, ``handspun*/clean``): any candidate returned is a
  false source;
- related texts (an independent report of the same event, a human
  simplification), reported apart: the index may rightly return the report they
  relate to, and ``label`` then decides ``rewrite`` or ``copy``.

The originals are indexed among ``--originals`` articles of ``../shared/corpora``
(whole OneStopEnglish and Wikinews texts, then synthetic mixtures of their
paragraphs, as ``bench_index.py`` makes them).  Run from the repository root::

    .venv/bin/python bench/bench_retrieval_handwritten.py --write BENCHMARKS.md

Skips (exit code 0, a message) when ../shared/corpora is absent.
"""

from __future__ import annotations

import argparse
import json
import lzma
import random
import sys
import time
from pathlib import Path

from _report import write_section  # bench/ is on sys.path when run as a script
from bench_handspun import MARK, parse
from bench_index import CORPORA, load_paragraphs, synthesise

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
EXCERPT = 1500


def _read(path: Path) -> str:
    return path.read_text("utf-8").strip()


def handwritten() -> tuple[dict[str, str], list[tuple[str, str, str]], list[tuple[str, str]]]:
    """The originals (id -> text), the suspects (case, text, source id) and the texts
    whose sources are absent (case, text)."""
    originals: dict[str, str] = {}
    suspects: list[tuple[str, str, str]] = []
    absent: list[tuple[str, str]] = []
    fillers = [
        _read(p)
        for folder in ("clean_styles", "clean_styles_holdout")
        for p in sorted((FIXTURES / folder / "clean").glob("*.txt"))
    ]
    rng = random.Random(4)
    for folder in sorted(FIXTURES.glob("handspun*")):
        for path in sorted((folder / "spun").glob("*.txt")):
            marked = path.read_text("utf-8")
            spun, _ = parse(marked)
            original = MARK.sub(lambda m: m.group(2), marked)
            name = f"{folder.name}/{path.stem}"
            originals[name] = original.strip()
            suspects.append(("hand-spun articles, whole", spun.strip(), name))
            if len(spun.strip()) > EXCERPT:
                suspects.append((f"hand-spun, first {EXCERPT:,} characters", spun[:EXCERPT], name))
            host = [p for text in rng.sample(fillers, 2) for p in text.split("\n\n")]
            host = host[: rng.randint(2, 4)]
            at = rng.randint(0, len(host))
            partial = "\n\n".join([*host[:at], spun.strip(), *host[at:]])
            suspects.append(("hand-spun text inside 2-4 unrelated paragraphs", partial, name))
        for path in sorted((folder / "clean").glob("*.txt")):
            absent.append(("unrelated: hand-spun sets' clean texts", _read(path)))
    for folder in ("clean_styles", "clean_styles_holdout"):
        for path in sorted((FIXTURES / folder / "clean").glob("*.txt")):
            absent.append((f"unrelated: {folder}", _read(path)))
    for story in sorted(
        p for p in (FIXTURES / "paraphrase_holdout" / "paraphrased").iterdir() if p.is_dir()
    ):
        name = f"paraphrase_holdout/{story.name}"
        originals[name] = _read(story / "original.txt")
        suspects.append(("paraphrased (paraphrase_holdout)", _read(story / "paraphrase.txt"), name))
    for story in sorted(p for p in (FIXTURES / "paraphrase_holdout2").iterdir() if p.is_dir()):
        name = f"paraphrase_holdout2/{story.name}"
        originals[name] = _read(story / "original.txt")
        for kind, case in (
            ("paraphrase", "paraphrased (paraphrase_holdout2)"),
            ("spun", "thesaurus-spun (paraphrase_holdout2)"),
            ("edited", "syndicated, edited (paraphrase_holdout2)"),
        ):
            suspects.append((case, _read(story / f"{kind}.txt"), name))
    originals["paraphrase/original"] = _read(FIXTURES / "paraphrase" / "original.txt")
    suspects.append(
        (
            "paraphrased (paraphrase)",
            _read(FIXTURES / "paraphrase" / "paraphrased.txt"),
            "paraphrase/original",
        )
    )
    return originals, suspects, absent


def related() -> list[tuple[str, str, str, str]]:
    """(kind, text, the id of the story it relates to, that story): independent reports and
    simplifications."""
    out = []
    for story in sorted(
        p for p in (FIXTURES / "paraphrase_holdout" / "related").iterdir() if p.is_dir()
    ):
        original = _read(story / "original.txt")
        for kind in ("independent", "simplified"):
            out.append((kind, _read(story / f"{kind}.txt"), f"related/{story.name}", original))
    return out


def corpus_texts() -> list[str]:
    """Whole texts of the shared corpora."""
    texts = []
    with lzma.open(CORPORA / "onestopenglish_all_levels.jsonl.xz", "rt", encoding="utf-8") as f:
        texts += [json.loads(line)["text"] for line in f]
    with lzma.open(CORPORA / "wikinewssum_en_articles.jsonl.xz", "rt", encoding="utf-8") as f:
        texts += [json.loads(line)["text"] for line in f]
    return texts


def main() -> int:
    """Build the index, ask it for each suspect's source, print (and write) the table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--originals", type=int, default=5000, help="originals in the index")
    parser.add_argument(
        "--workdir", type=Path, default=ROOT / ".cache" / "bench-handwritten", help="index folder"
    )
    parser.add_argument("--write", type=Path, help="write the section into this Markdown file")
    args = parser.parse_args()
    if not CORPORA.is_dir():
        print(f"skipping: {CORPORA} is absent")
        return 0
    from detector.document import make_document
    from detector.index import SourceIndex, sidecar_path
    from detector.index_build import build_index

    originals, suspects, absent = handwritten()
    reports = related()
    for _, _, story, original in reports:
        originals.setdefault(story, original)
    filler = corpus_texts()
    paragraphs, _ = load_paragraphs()
    needed = max(0, args.originals - len(originals) - len(filler))
    filler += synthesise(paragraphs, needed, seed=11)
    filler = filler[: max(0, args.originals - len(originals))]
    args.workdir.mkdir(parents=True, exist_ok=True)
    records = args.workdir / "originals.jsonl"
    with records.open("w", encoding="utf-8") as f:
        for k, text in enumerate(filler):
            f.write(json.dumps({"id": f"corpus/{k}", "text": text}) + "\n")
        for name, text in originals.items():
            f.write(json.dumps({"id": name, "text": text}) + "\n")
    index_path = args.workdir / "index.sqlite"
    for stale in (index_path, sidecar_path(index_path)):
        stale.unlink(missing_ok=True)
    started = time.perf_counter()
    build_index([records], index_path, workers=2)
    seconds = time.perf_counter() - started
    print(f"indexed {len(filler) + len(originals):,} originals in {seconds:.0f} s")

    rows: dict[str, list[int]] = {}  # case -> [top1, top10, n]
    misses: list[str] = []
    with SourceIndex.open(index_path) as index:
        for case, text, source in suspects:
            ids = [c.id for c in index.query(make_document(text), limit=10)]
            row = rows.setdefault(case, [0, 0, 0])
            row[0] += ids[:1] == [source]
            row[1] += source in ids
            row[2] += 1
            if ids[:1] != [source]:
                misses.append(f"{case}: {source} -> {ids[:3]}")
        false: dict[str, list[int]] = {}
        for case, text in absent:
            ids = [c.id for c in index.query(make_document(text), limit=1)]
            row = false.setdefault(case, [0, 0])
            row[0] += bool(ids)
            row[1] += 1
            if ids:
                misses.append(f"{case}: false source {ids[0]} for {text[:60]!r}")
        found: dict[str, list[int]] = {}
        for kind, text, story, _ in reports:
            ids = [c.id for c in index.query(make_document(text), limit=1)]
            row = found.setdefault(kind, [0, 0])
            row[0] += ids == [story]
            row[1] += 1
    for line in misses:
        print(line)
    lines = [
        "## Retrieval of hand-written suspects "
        "(`python bench/bench_retrieval_handwritten.py --write BENCHMARKS.md`)",
        "",
        f"Texts written by hand in the style of real spinners and paraphrasing tools "
        f"(`tests/fixtures`, none made by this project's code), their {len(originals)} "
        f"originals indexed among {len(filler):,} corpus articles (`../shared/corpora`, whole "
        "texts and mixtures of their paragraphs), asked with `SourceIndex.query` on every "
        f"path (the default). Measured {time.strftime('%Y-%m-%d')}.",
        "",
        "| suspects | n | recall@1 | recall@10 |",
        "| --- | ---: | ---: | ---: |",
    ]
    for case, (top1, top10, n) in rows.items():
        lines.append(f"| {case} | {n} | {top1 / n:.3f} ({top1}/{n}) | {top10 / n:.3f} |")
    lines += [
        "",
        "| texts whose source is not indexed | n | with a (false) source |",
        "| --- | ---: | ---: |",
    ]
    for case, (hits, n) in false.items():
        lines.append(f"| {case} | {n} | {hits} |")
    lines += [
        "",
        "Related texts (not copies; `label` decides `rewrite` or `copy` after alignment): "
        + "; ".join(
            f"{kind} reports of a story returning it first: {hits}/{n}"
            for kind, (hits, n) in found.items()
        )
        + ".",
    ]
    body = "\n".join(lines)
    print(body)
    if args.write:
        write_section(args.write, "retrieval-handwritten", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
