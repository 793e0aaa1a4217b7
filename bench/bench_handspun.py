"""Every reference-free model on hand-spun text: spans found, restored, false flags on clean text.

The synthetic test splits come from our own spinners; real spun text does not.
This benchmark reads the sets written by hand in the style of real content-farm spinners
(``tests/fixtures/handspun``: used to tune the language-model judge;
``tests/fixtures/handspun_holdout`` and ``handspun_holdout2``, whole articles spun more
heavily, whose numbers were read while the judge's last rules were chosen;
``handspun_holdout3``, articles spun at rates from light to heavy, never used for
tuning; ``handspun_holdout4``, ``handspun_academic``, ``handspun_holdout5`` and
``handspun_holdout6``, ``handspun_holdout7``, ``handspun_holdout8`` and
``handspun_holdout9`` (full-length articles), ``handspun_holdout10`` (in the style of
free article spinners, the first set written after the judges' glue table learned what
public spinners write) and ``handspun_holdout11`` (Spinbot-style, 640-730 words, with
clean texts full of names made of ordinary words) and ``handspun_holdout12`` (Spinbot-style
again, with twelve clean texts in a deliberately rich vocabulary) and ``handspun_holdout13``
(Spinbot-style news and clean news full of people named with ordinary words: "Farrow",
"Marsh", "Bishop") and ``handspun_holdout14`` (the same, with the spinner mangling
people's names in three of its six spun articles: "Paul {Herder|Shepherd}") and
``handspun_holdout15`` (heavy spins of plausible common synonyms, four of its eight with no
grotesque swap, and ten clean texts in a rich style) and ``handspun_holdout16`` (a new-user
trial's own texts: six heavy and two light spins, six clean texts of other registers
and the eight originals; its British how-to decided three reading filters, so not blind
for them) and ``handspun_holdout17`` (a blind set of news spun heavy, medium and light,
with clean texts of other beats) and ``handspun_holdout18`` (a new-user trial's six
news articles spun heavy, medium, light and fluently, with six clean texts of other
registers and the six originals) and ``handspun_holdout19`` (another new-user trial's six
news articles spun heavy, medium, light and "tortured", with six clean texts of other
registers and the six originals; scored once before the rule on ordinary words was
added, which it then checked) and ``handspun_holdout20`` (a third new-user trial's six
news articles spun heavy, medium, light and in tortured phrases, with twelve clean texts
of other registers and the six originals) and ``handspun_holdout21`` (a fourth's, spun in six
styles from readable to heavy, with twelve clean news texts of other kinds) and
``handspun_holdout22`` (a fifth's: blog posts, spun in six styles, with ten clean blog
posts of other kinds) and ``handspun_holdout23`` (a sixth's: council notices, press
releases, health explainers and consumer news, spun in six styles, with twelve clean texts
of other registers), written later by helpers, never used for tuning either, though
holdout6's numbers decided that a change to the document verdict was not kept and
holdout7 was read before and after the judge's glue table grew), each swap marked
``{spun|original}``, with clean texts beside them, and ``tests/fixtures/clean_styles``
and ``clean_styles_holdout`` (clean texts alone: opinion, reviews, features, essays,
whose rich vocabulary a reference-free model may take for swaps; the evidence gate of
``detector/document_rule.py`` was chosen on the first, the second never tuned on) and
``clean_world`` (clean texts alone, never tuned on: news in regional Englishes,
non-native writers, text in the style of machine translation, a recipe, a manual, a
forum thread and a live blog),
and prints per model:

* span recall: share of the true swapped spans that a reported spin span overlaps;
* span precision: share of reported spin spans that overlap a true swap;
* restored: share of the found swaps restored exactly (the text around both reads
  the same with the report's ``original`` in place, case-insensitively; one span over
  two neighbouring swaps that gives both back restores both:
  ``training.metrics.restoration_counts``);
* spun called spun, clean called spun: document verdicts;
* false spans per 100 words of the clean texts.

Usage::

    python bench/bench_handspun.py --models transformer lm hybrid --write BENCHMARKS.md
    python bench/bench_handspun.py --models lm --sets handspun_holdout3   # print only
    python bench/bench_handspun.py --write BENCHMARKS.md --readings runs/readings/handspun.jsonl

``--readings`` keeps the language model's readings of these texts in a JSON-lines cache
(``training.readings``: two worker processes, keyed by the judge's code and settings), so
that refitting ``lm`` or ``hybrid`` and measuring again reads nothing twice.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _report import write_section  # noqa: E402

SETS = {
    "handspun (tuning)": ROOT / "tests" / "fixtures" / "handspun",
    "handspun_holdout": ROOT / "tests" / "fixtures" / "handspun_holdout",
    "handspun_holdout2": ROOT / "tests" / "fixtures" / "handspun_holdout2",
    "handspun_holdout3": ROOT / "tests" / "fixtures" / "handspun_holdout3",
    "handspun_holdout4": ROOT / "tests" / "fixtures" / "handspun_holdout4",
    "handspun_academic": ROOT / "tests" / "fixtures" / "handspun_academic",
    "handspun_holdout5": ROOT / "tests" / "fixtures" / "handspun_holdout5",
    "handspun_holdout6": ROOT / "tests" / "fixtures" / "handspun_holdout6",
    "handspun_holdout7": ROOT / "tests" / "fixtures" / "handspun_holdout7",
    "handspun_holdout8": ROOT / "tests" / "fixtures" / "handspun_holdout8",
    "handspun_holdout9": ROOT / "tests" / "fixtures" / "handspun_holdout9",
    "handspun_holdout10": ROOT / "tests" / "fixtures" / "handspun_holdout10",
    "handspun_holdout11": ROOT / "tests" / "fixtures" / "handspun_holdout11",
    "handspun_holdout12": ROOT / "tests" / "fixtures" / "handspun_holdout12",
    "handspun_holdout13": ROOT / "tests" / "fixtures" / "handspun_holdout13",
    "handspun_holdout14": ROOT / "tests" / "fixtures" / "handspun_holdout14",
    "handspun_holdout15": ROOT / "tests" / "fixtures" / "handspun_holdout15",
    "handspun_holdout16": ROOT / "tests" / "fixtures" / "handspun_holdout16",
    "handspun_holdout17": ROOT / "tests" / "fixtures" / "handspun_holdout17",
    "handspun_holdout18": ROOT / "tests" / "fixtures" / "handspun_holdout18",
    "handspun_holdout19": ROOT / "tests" / "fixtures" / "handspun_holdout19",
    "handspun_holdout20": ROOT / "tests" / "fixtures" / "handspun_holdout20",
    "handspun_holdout21": ROOT / "tests" / "fixtures" / "handspun_holdout21",
    "handspun_holdout22": ROOT / "tests" / "fixtures" / "handspun_holdout22",
    "handspun_holdout23": ROOT / "tests" / "fixtures" / "handspun_holdout23",
    "clean_styles": ROOT / "tests" / "fixtures" / "clean_styles",  # clean texts only
    "clean_styles_holdout": ROOT / "tests" / "fixtures" / "clean_styles_holdout",  # the same
    "clean_world": ROOT / "tests" / "fixtures" / "clean_world",  # the same
}
MARK = re.compile(r"\{([^{}|]*)\|([^{}|]*)\}")


def parse(marked: str) -> tuple[str, list[tuple[int, int, str]]]:
    """The spun text of a ``{spun|original}``-marked text and its swaps (start, end, original)."""
    out, spans, length, position = [], [], 0, 0
    for match in MARK.finditer(marked):
        plain = marked[position : match.start()]
        out.append(plain)
        length += len(plain)
        new, old = match.group(1), match.group(2)
        if new != old:
            spans.append((length, length + len(new), old))
        out.append(new)
        length += len(new)
        position = match.end()
    out.append(marked[position:])
    return "".join(out), spans


def texts(folder: Path) -> list[tuple[str, str, str, list[tuple[int, int, str]]]]:
    """(kind, file name, text, swaps) of each text of a set: ``spun`` ones first, then
    ``clean`` ones (no swaps)."""
    out = []
    for kind in ("spun", "clean"):
        for path in sorted((folder / kind).glob("*.txt")):
            marked = path.read_text("utf-8")
            text, truth = parse(marked) if kind == "spun" else (marked, [])
            out.append((kind, path.name, text, truth))
    return out


def evaluate(model, folder: Path) -> dict[str, float]:
    """One model's counts on one hand-spun set."""
    from detector.document import make_document
    from training.metrics import restoration_counts

    found = true = reported = reported_hits = restored = 0
    spun_called = spun_total = clean_called = clean_total = clean_words = false_spans = 0
    started = time.perf_counter()
    for kind, name, text, truth in texts(folder):
        document = make_document(text, name)
        report = model.score(document)
        if kind == "spun":
            spans = [(s.start, s.end, s.original) for s in report.spin_spans]
            c, h, t = restoration_counts(text, spans, truth)
            restored, found, true = restored + c, found + h, true + t
            reported += len(spans)
            reported_hits += sum(any(a < e and s < b for s, e, _ in truth) for a, b, _ in spans)
            spun_total += 1
            spun_called += report.verdict == "spun"
        else:
            clean_total += 1
            clean_called += report.verdict == "spun"
            clean_words += len(document.words)
            false_spans += len(report.spin_spans)
    return {
        "recall": found / true if true else 0.0,
        "precision": reported_hits / reported if reported else 0.0,
        "restored": restored / found if found else 0.0,
        "spun_called": f"{spun_called}/{spun_total}",
        "clean_called": f"{clean_called}/{clean_total}",
        "false_per_100": 100 * false_spans / clean_words if clean_words else 0.0,
        "swaps": true,
        "seconds": time.perf_counter() - started,
    }


def main() -> int:
    """Run the benchmark; print the table; write it into BENCHMARKS.md with ``--write``."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--models",
        nargs="+",
        default=["baseline", "transformer", "screen", "lm", "hybrid", "cascade"],
    )
    parser.add_argument(
        "--sets", nargs="+", choices=list(SETS), default=list(SETS), help="the sets to read"
    )
    parser.add_argument("--write", type=Path, help="write the section into this Markdown file")
    parser.add_argument(
        "--readings",
        type=Path,
        help="a JSON-lines cache of the language model's readings (lm, hybrid), made if missing",
    )
    args = parser.parse_args()
    if args.write and set(args.sets) != set(SETS):
        parser.error("--write rewrites the whole table: leave out --sets")

    from detector.document import make_document
    from detector.models import load_model
    from training.readings import with_cached_readings

    rows = []
    for name in args.models:
        model = load_model(name)
        if args.readings is not None:
            documents = [
                make_document(text, text_name)
                for label in args.sets
                for _, text_name, text, _ in texts(SETS[label])
            ]
            model = with_cached_readings(model, name, documents, args.readings)
        for label in args.sets:
            folder = SETS[label]
            if (folder / "spun").is_dir() or (folder / "clean").is_dir():
                rows.append((name, label, evaluate(model, folder)))
        del model
    lines = [
        "## Hand-spun text (`make bench-handspun`: `python bench/bench_handspun.py --write "
        "BENCHMARKS.md --readings runs/readings/handspun.jsonl`)",
        "",
        "Paragraphs spun by hand in the style of real content-farm spinners, with clean "
        "paragraphs beside them (`tests/fixtures/handspun*`; the first set was used to tune "
        "the language-model judge, the holdout sets were not tuned on, though the numbers of the "
        "first two were read when the judge's last rules were chosen; `handspun_holdout2`, written "
        "on 2026-12-01, holds 300-word articles with 28% of their content words swapped and "
        "clean texts of 300-400 words; `handspun_holdout3`, written on 2026-12-02 after the "
        "judge's last rule was chosen, holds ten articles of 300-690 words spun at 11% to 44% "
        "of their content words, words in quotations included, and eight clean news and "
        "non-news texts; `handspun_holdout4`, written on 2026-12-03 by a helper that ran no "
        "spindetect code, holds eight articles spun lightly (14 swaps), medium (32-35) or "
        "heavily (63-77) and eight clean texts, among them a review, an encyclopedic entry and "
        "an opinion column; `handspun_academic`, written on 2026-12-04 by a helper that ran no "
        "spindetect code, holds eight scientific abstracts of 190-230 words spun at 24-29% of "
        'their content words with 3-4 tortured technical terms each ("counterfeit '
        'consciousness" for "artificial intelligence") and eight clean abstracts, several '
        "in a dense formal register; `handspun_holdout5`, written on 2026-12-04 by a helper "
        "acting as a new user, scored once before it was added, holds three news articles of "
        "253-261 words spun at 15-30% of their content words and six clean texts: a literary "
        "opinion column, a technical description, a legal notice and three news texts; "
        "`handspun_holdout6`, written on 2026-12-04 by a helper that ran no spindetect code "
        "and read no project file, holds six news articles of 243-286 words spun heavily "
        "with mostly fitting synonyms (25-28%), at a medium rate with sense-blind swaps and "
        "glue rewrites (18-19%) or lightly (7-9%), and eight clean texts: two plain news "
        "articles, a review and a column in a rich literary register, an academic paragraph, "
        "a how-to, a feature with quotes and a local notice; its numbers decided that a "
        "change to the hybrid's document verdict was not kept: docs/eval/notes.md); "
        "`handspun_holdout7`, written on 2026-12-04 by a helper that ran no spindetect code "
        "and read no project file, holds six news articles of 254-282 words spun lightly "
        "(8-9%), at a medium rate (19%) or heavily (33%; one mostly with fitting synonyms, one "
        "mostly sense-blind), with glue rewrites in each, and eight clean texts, two of them "
        'wordy on purpose (a policy paragraph and terms and conditions: "due to the fact '
        'that", "prior to", "in the event that"), two ornate, an interview and a '
        "press release (read before and after the judge's glue table grew, and its "
        "misses looked at: docs/eval/notes.md); `handspun_holdout8`, written the same way "
        "and day, read once with the models before the glue table grew and once after, "
        "holds six news articles of 283-311 words spun lightly "
        "(6-7%), at a medium rate with sense-blind swaps (17%) or heavily (26-28%; one "
        "mostly with fitting synonyms, its headline spun too), and eight clean texts: two "
        "plain news stories, an academic abstract, a council policy document, a literary "
        "theatre review, an ornate opinion column, a chatty blog post and a travel guide; "
        "`handspun_holdout9`, written on 2026-12-05 by a helper that ran no spindetect code "
        "and read no project file but holdout8's format, holds six full-length news articles "
        "of 685-745 words spun lightly (7%), at a medium rate (15%) or heavily (37-38%, "
        "Spinbot-style, with mangled institution names and fixed expressions and two quotes "
        "spun), and six clean texts of 726-884 words: wire news, a cricket report, a "
        "business story, a court report, an obituary and a science feature (read once, "
        "after the judge's last change); `handspun_holdout10`, written on 2026-12-05 by a "
        "helper that read only holdout9's format and ran no project code, after the judges' "
        "glue table learned what public spinners are documented to write (so the first set "
        "blind for those rows), holds six news articles of 361-443 words spun in the style "
        "of free article spinners (sense-blind swaps, wordy glue rewrites, garbled set "
        "phrases and institution names) lightly (7-8%), at a medium rate (16-19%) or heavily "
        "(36%, one about battery research), and six clean texts of 400-430 words, one "
        'formal on purpose and one using "a number of", "in the event that", "more '
        'prominent role" and "according to" (read once); `handspun_holdout11`, written on '
        "2026-12-05 evening by a helper that read only holdout9's format and ran no "
        "project code, holds six news articles of 641-730 words in the style of free "
        "online spinners (Spinbot-style: one word for two, wordy glue and time rewrites, "
        "contractions made and unmade, mangled institution names, swaps in two quotes) "
        "spun lightly (8-10% of content words), at a medium rate (19-20%) or heavily "
        "(39-42%, headlines too), and six clean texts of 640-698 words: wire news full of "
        'names made of ordinary words ("Deer River", "Golden State Growers Cooperative", '
        '"Green Party"), a rugby report, a council planning story, a literary feature, a '
        'stiff press release ("in excess of", "prior to", "personnel") and a science '
        "explainer (read once, after every change it measures); `handspun_holdout12`, "
        "written on 2026-12-05 night by a helper that read only holdout11's format and ran "
        "no project code, holds six Spinbot-style news articles of 669-766 words spun "
        "lightly (about 12% of content words), at a medium rate (about 25%) or heavily "
        "(about 50%), and twelve clean texts of 697-834 words written in a deliberately rich "
        'vocabulary ("perspicacious", "lambent", "contumacious", musical, legal, market '
        "and cricket jargon): a magazine profile, an opera review, a court judgment, a "
        "markets column, nature writing, a history feature, a cricket column, an op-ed, an "
        "obituary, travel writing, a food critic's column and an architecture critique "
        "(read once, measured only); `handspun_holdout13`, written on 2026-12-06 by a "
        "helper that read only holdout12's format and ran no project code, holds six "
        "Spinbot-style news articles of 567-692 words spun lightly (about 10% of content "
        "words), at a medium rate (about 20%) or heavily (42-44%, headlines too), the "
        'medium and heavy ones mangling a few institution and place names ("Port Ellan '
        'Emergency clinic"), and eight clean news texts of 683-698 words (a court report, '
        "council politics, a football report, company results, a police story, a "
        "health-service story, a school story and an obituary), every file full of people "
        'whose surnames, and often first names, are ordinary words ("Judge Helen Marsh", '
        '"Farrow said", "Councillor Grace Hill", "Mr Lamb"), written to measure a '
        "rule that left such name words out of the language-model judge's units (tried "
        "inside the judge and not kept; since 2026-12-06 the lm and hybrid models leave "
        "people's names out of what they count instead, detector/names.py: "
        "docs/eval/notes.md); "
        "`handspun_holdout14`, written on 2026-12-06 by a helper that read only holdout13's "
        "format and ran no project code, holds six Spinbot-style news articles of 381-447 "
        "words spun lightly (about 10% of content words), at a medium rate (about 20%) or "
        "heavily (about 40%), three of which also mangle people's names the way "
        'sense-blind spinners do ("Councillor Robin Search" for "Hunt", "Miss Chef" for '
        '"Cook", "Climbed Wells" for "Rose Wells": 13 name swaps in all), and eight clean '
        "news texts of 369-407 words full of people named with ordinary words, written to "
        "measure the lm and hybrid models' leaving out of people's names "
        "(detector/names.py) on both sides (read before and after that rule, which two "
        "changes read off this set: not blind for it); `handspun_holdout15`, written on "
        "2026-12-06 by a helper that read only holdout14's format and ran no project code, "
        "holds eight Spinbot-style news articles of 189-318 words spun heavily (40-49% of "
        'content words swapped) with plausible common synonyms ("organization" for "company", '
        '"edges" for "margins"), four of them with no grotesque swap, and ten clean '
        "texts of 281-326 words by a writer with a rich vocabulary (reviews, a match report, "
        "a column, a travel piece, a nature column, a business feature, a profile), written "
        "to measure a lower share at which the hybrid's evidence gate lets a count pass "
        "(docs/eval/notes.md; read once, with the lower share and without: the same rows); "
        "`handspun_holdout16`, written on 2026-12-06 by a helper acting as a new user who "
        "ran only `spindetect score`, holds eight news articles of 120-300 words spun the way "
        "free online spinners write, six heavily (21-24 swaps) and two lightly (7 swaps, "
        "5-6% of content words), six clean texts of other registers (a press release, a "
        "recipe introduction, a product review, a letter, a British DIY how-to, a book "
        "review) and the eight articles' originals; the how-to, called spun by both "
        'models at first ("tap" restored as "faucet", "spanner" as "wrench"), and the '
        "council story's street and council names decided the session's reading "
        "filters (detector/variants.py, a repeated word's weakest reading for the gate, "
        "street and council names): not blind for them; "
        "`handspun_holdout17`, written on 2026-12-06 by a helper that saw nothing of the "
        "project, holds eight news originals of 264-315 words spun heavily (44-46% of "
        "content words), moderately (19-21%) and lightly (9-10%), and eight clean texts of "
        "other beats, two opinion columns, a press release and a letter; scored once before "
        "any change was made for it (blind for every row here); "
        "`handspun_holdout18`, written on 2026-12-07 by a helper acting as a new user who "
        "read only the help and README, holds six news articles of 416-505 words spun "
        "heavily (32% and 41% of content words, Spinbot style), moderately (16-17%), "
        "lightly (9%) and fluently (a WordAi-style rewrite, 39 marked swaps), six clean "
        "texts (wire news, a press release, a blog post, a product review, a local sports "
        "report, a literary feature) and the six originals; read once before any change "
        "was made for it (blind for every row here); "
        "`handspun_holdout19`, written on 2026-12-07 by a helper acting as a new user who "
        "read only the help and README, holds six news articles of 338-369 words as "
        "originals, spun heavily (40% and 50% of content words, Spinbot style), "
        "moderately (16-19%, plausible but off), lightly (10%) and in a tortured style "
        "(multiword rewrites and mangled names, 31%), six clean texts (a press release, a "
        "non-native writer's forum post, a florid restaurant review, a technical how-to, "
        "an idiomatic match report, an obituary) and the six originals; scored once before "
        "any change was made for it, then used to check the rule on ordinary words read "
        "wrong (docs/eval/notes.md, 2026-12-07 05:08), chosen on the sets before it; "
        "`handspun_holdout20`, written on 2026-12-07 by a helper acting as a new user who "
        "read only the help and README, holds six news articles of 351-388 words as "
        "originals, spun heavily (41%, Spinbot style), moderately with plausible but off "
        "synonyms (19% and 21%), lightly (8% and 9%) and in tortured phrases (22%), twelve "
        "clean texts of other registers (a court report, a wine review, a local-history "
        "column, a physics press release, a gardening column, a sailing report full of "
        "jargon, a non-native writer's letter, a business column, a recipe, a travel piece, "
        "a school newsletter, a planning notice) and the six originals; scored once before "
        "any change was made for it (docs/eval/notes.md, 2026-12-07 07:41); "
        "`handspun_holdout21`, written on 2026-12-07 by a fourth such helper, holds six "
        "news articles of 399-428 words with headlines as originals (a football report, an "
        "obituary, a flood story, a markets report, a data breach, a hospital waiting list), "
        "spun heavily (42%, Spinbot style), in a readable WordAI style (22%), lightly (8%), "
        "around the figures (15%), in tortured phrases (20%) and with sense-blind single "
        "swaps (18%), twelve clean texts, mostly news of a desk's other kinds (a court "
        "verdict, a planning story, a cricket report, a fashion-week report, an interview, "
        "a live blog, a press release, a florid op-ed, a concert review, a farming story, a "
        "tabloid story, a non-native writer's story) and the six originals; scored once "
        "before any change was made for it (docs/eval/notes.md, 2026-12-07 09:59); "
        "`handspun_holdout22`, written on 2026-12-07 by a fifth such helper, holds six blog "
        "posts of 368-404 words as originals (a robot-vacuum review, a first-5K guide, a "
        "coastal-town travel guide, emergency-fund tips, a mesh Wi-Fi how-to, a sleep-habits "
        "post), spun heavily (41%, Spinbot style), in a readable WordAI style (21%), lightly "
        "(9%), in tortured phrases (22%), with sense-blind single swaps (34%) and mixed "
        "(13%), ten clean blog posts of other kinds (a recipe story, gardening, a parenting "
        "diary, a breathless gadget unboxing, a literary book review, a woodworking tutorial "
        "full of trade jargon, a fitness log in gym slang, pet care, a film review, a "
        "wedding checklist) and the six originals; scored once before any change was made "
        "for it (docs/eval/notes.md, 2026-12-07 20:34); "
        "`handspun_holdout23`, written on 2026-12-08 by a sixth such helper, holds six "
        "texts of 350-420 words as originals (a council's road-resurfacing notice, a "
        "distribution-centre press release, a flu-vaccine explainer, a blood-pressure "
        "explainer, a savings-rates story, an energy company's fine), spun heavily (Spinbot "
        "style, 71 swaps), moderately with plausible but off synonyms (41), lightly (18), in "
        "tortured phrases (39), in a readable WordAI style (53) and with glue rewrites and "
        "mangled names (60), twelve clean texts of other registers (a planning notice, a "
        "pharmacy leaflet, an insurance summary, an earnings release, a hospital statement, "
        "a consumer column, a rugby-club newsletter, an obituary, a court report, a weather "
        "warning, a livestock and grain market report, a school newsletter) and the six "
        "originals; scored once before any change was made for it, then two changes were "
        "made from it (a place name in a title-case headline, swaps repeated after two "
        "strong places: docs/eval/notes.md, 2026-12-08), so it is not blind for those; "
        "`clean_world`, "
        "written on "
        "2026-12-05 by a helper "
        "acting as a user who ran only `spindetect score`, holds fourteen clean texts of "
        "497-675 words: news in Indian, Nigerian, Philippine and Singapore English, a "
        "Chinese writer's academic English, a German company's press release, a Spanish "
        "writer's tourism page, three texts in the style of machine translation (from "
        "French, Russian and Japanese), a recipe, a product manual, a forum thread and a "
        "sports live blog (never tuned on). "
        "The `screen` (the judge's first pass alone, the first reading of `label`'s fallback, "
        "the `cascade`) was fitted with "
        "the clean texts of the sets up to `handspun_holdout15` and of `clean_styles` "
        "(`training/fit_screen.py`), so its clean rows there are not held out; from "
        "`handspun_holdout16` on, and in `clean_world` and `clean_styles_holdout`, they are; "
        "the `cascade`'s bar (0.2) was chosen on those held-out sets' counts "
        "(docs/eval/notes.md, 2026-12-07 14:53), so they are not blind for the cascade. "
        "Span recall and precision "
        "count overlaps with the marked swaps; *restored* is the share of found swaps whose "
        "`original` is exactly right (the text around the swap reads the same with the "
        "report's originals in place; since 2026-12-05 evening, one span over two "
        "neighbouring swaps that gives both back counts both). A report lists spans only "
        "for a text it calls spun, "
        "so a spun text called clean counts as found nothing and a clean text called clean "
        f"as no false span. Measured {time.strftime('%Y-%m-%d')}.",
        "",
        "| model | set | swaps | span recall | span precision | restored | spun called spun "
        "| clean called spun | false spans / 100 clean words |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, label, r in rows:
        spun = (
            f"{r['recall']:.2f} | {r['precision']:.2f} | {r['restored']:.2f} | {r['spun_called']}"
            if r["swaps"]
            else "– | – | – | –"  # a set of clean texts alone
        )
        lines.append(
            f"| {name} | {label} | {r['swaps']} | {spun} | {r['clean_called']} | "
            f"{r['false_per_100']:.2f} |"
        )
    body = "\n".join(lines)
    print(body)
    if args.write:
        write_section(args.write, "handspun", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
