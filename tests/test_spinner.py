"""The article spinner: determinism, exact spans, rate, grammar kept, protections, profiles."""

from __future__ import annotations

import json
import random
import re
from dataclasses import replace
from pathlib import Path

import pytest

from detector.document import make_document
from detector.errors import ResourceError
from detector.lexicon import Lexicon, load_glue_phrases, load_reference_glue
from detector.spin.spinner import (
    PROFILES,
    PhraseTable,
    Profile,
    Spinner,
    SpinResult,
    check_protect,
    check_rate,
    load_phrase_table,
)
from detector.spin.thesauri import (
    DATA_DIR,
    MobyThesaurus,
    find_mythes,
    inflect,
    inflection_sources,
    load_blocklist,
)
from detector.stopwords import STOPWORDS

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
ARTICLE = (FIXTURES / "spin_article.txt").read_text("utf-8")


@pytest.fixture(scope="module")
def moby(lexicon: Lexicon) -> Spinner:
    return Spinner.from_profile("moby", lexicon=lexicon)


@pytest.fixture(scope="module")
def cross() -> Spinner:
    try:
        return Spinner.from_profile("cross")
    except ResourceError:
        pytest.skip("MyThes is not installed (apt-get install mythes-en-us)")


@pytest.fixture(scope="module")
def paratable(lexicon: Lexicon) -> Spinner:
    return Spinner.from_profile("paratable", lexicon=lexicon)


@pytest.fixture(params=["moby", "cross", "paratable"])
def spinner(request: pytest.FixtureRequest) -> Spinner:
    return request.getfixturevalue(request.param)


class TableThesaurus:
    """A thesaurus that knows a fixed table: makes span tests independent of Moby's choices."""

    name = "table"

    def __init__(self, table: dict[str, str]) -> None:
        self.table = table

    def knows(self, term: str) -> bool:
        return term in self.table

    def starts_phrase(self, word: str) -> bool:
        return any(key.startswith(word + " ") for key in self.table)

    def replacement(self, term: str, rng: random.Random) -> str | None:
        return self.table.get(term)


def table_spinner(tmp_path: Path, words: dict[str, str], phrases: str = "") -> Spinner:
    table = tmp_path / "phrases.tsv"
    table.write_text(phrases, encoding="utf-8")
    profile = Profile("test", "test", "table", "test", (), 1.0, 0.5, False)
    return Spinner(
        profile, TableThesaurus(words), load_phrase_table("test", table, both_directions=False)
    )


def text_variants() -> dict[str, str]:
    """The fixture as written (curly quotes), with CRLF line ends, straight quotes, and unicode."""
    return {
        "as written": ARTICLE,
        "crlf": ARTICLE.replace("\n", "\r\n"),
        "straight quotes": ARTICLE.replace("“", '"').replace("”", '"').replace("’", "'"),
        "unicode": ARTICLE.replace("Margaret Okafor", "Zoë Okafor-Núñez")
        .replace("flooding risks", "flooding risks — a “sérieux” problem…")
        .replace("  ", "\u00a0"),
    }


def assert_exact(result: SpinResult) -> None:
    """Every span's offsets and words match both texts; spans are whole tokens and minimal."""
    spun, original = result.text, result.original
    assert result.restore() == original
    spun_doc, original_doc = make_document(spun), make_document(original)
    spun_starts, spun_ends = set(spun_doc.starts), set(spun_doc.ends)
    original_starts, original_ends = set(original_doc.starts), set(original_doc.ends)
    previous_end = previous_original_end = -1
    for span in result.spans:
        assert spun[span.start : span.end] == span.text
        assert original[span.original_start : span.original_end] == span.original
        assert span.start in spun_starts and span.end in spun_ends, span
        assert span.original_start in original_starts and span.original_end in original_ends, span
        assert span.start >= previous_end and span.original_start >= previous_original_end
        previous_end, previous_original_end = span.end, span.original_end
        assert span.kind in ("synonym", "phrase")
        new, old = make_document(span.text), make_document(span.original)
        assert new.words != old.words
        # Minimal: a word shared at either end stays outside the span, unless the space next
        # to it changes ("it is" -> "it's").
        if len(new) > 1 and len(old) > 1:
            if new.words[0] == old.words[0]:
                assert not span.text[new.ends[0] : new.starts[1]].isspace()
            if new.words[-1] == old.words[-1]:
                assert not span.text[new.ends[-2] : new.starts[-1]].isspace()


# --------------------------------------------------------------------------- spans, rate


def test_spin_is_deterministic_for_a_seed(spinner: Spinner) -> None:
    first = spinner.spin(ARTICLE, rate=0.3, seed=11)
    assert spinner.spin(ARTICLE, rate=0.3, seed=11) == first
    assert spinner.spin(ARTICLE, rate=0.3, seed=12).text != first.text
    assert first.seed == 11 and first.profile == spinner.profile.name


def test_spin_without_seed_records_the_seed_it_drew(moby: Spinner) -> None:
    result = moby.spin(ARTICLE, rate=0.2)
    assert moby.spin(ARTICLE, rate=0.2, seed=result.seed) == result


@pytest.mark.parametrize("variant", list(text_variants()))
def test_spans_match_both_texts_exactly(spinner: Spinner, variant: str) -> None:
    text = text_variants()[variant]
    for seed, rate in enumerate((0.05, 0.2, 0.35, 0.5, 0.6)):
        result = spinner.spin(text, rate=rate, seed=seed)
        assert result.spans
        assert_exact(result)


@pytest.mark.parametrize("rate", [0.1, 0.3, 0.5])
def test_rate_is_the_share_of_eligible_units_replaced(spinner: Spinner, rate: float) -> None:
    for seed in range(3):
        result = spinner.spin(ARTICLE, rate=rate, seed=seed)
        assert result.eligible > 80
        assert abs(result.replaced_share - rate) <= 0.5 / result.eligible + 0.01


def test_higher_rate_changes_more_words(moby: Spinner) -> None:
    def changed_words(rate: float) -> int:
        result = moby.spin(ARTICLE, rate=rate, seed=3)
        return sum(len(make_document(span.original)) for span in result.spans)

    assert changed_words(0.1) < changed_words(0.3) < changed_words(0.6)


@pytest.mark.parametrize("rate", [0.9, 0.0, -1, 0.01, float("nan"), True])
def test_rate_outside_range_is_refused(moby: Spinner, rate: float) -> None:
    with pytest.raises(ValueError, match=r"the 'rate' parameter must be in \[0.02, 0.6\], got "):
        moby.spin(ARTICLE, rate=rate, seed=1)


def test_rate_message_names_the_value() -> None:
    with pytest.raises(
        ValueError, match=r"^the 'rate' parameter must be in \[0.02, 0.6\], got 0.9$"
    ):
        check_rate(0.9)
    assert check_rate(0.05) == 0.05 and check_rate(0.6) == 0.6


def test_bad_seed_protect_and_profile_are_refused(moby: Spinner) -> None:
    with pytest.raises(ValueError, match="the 'seed' parameter must be an integer, got '7'"):
        moby.spin(ARTICLE, seed="7")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="the 'protect' parameter must list some of names"):
        moby.spin(ARTICLE, protect="names,nums")
    with pytest.raises(ValueError, match="the 'profile' parameter must be one of 'moby', 'cross'"):
        Spinner.from_profile("wordai")


def test_check_protect_reads_strings_and_iterables() -> None:
    assert check_protect("quotes, names") == ("names", "quotes")
    assert check_protect(["NUMBERS"]) == ("numbers",)
    assert check_protect("none") == () == check_protect("")


def test_result_to_dict_is_json_ready(moby: Spinner) -> None:
    result = moby.spin(ARTICLE, rate=0.3, seed=5)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["text"] == result.text and data["original"] == ARTICLE
    assert data["seed"] == 5 and data["profile"] == "moby" and data["eligible"] == result.eligible
    assert data["spans"][0] == {
        "start": result.spans[0].start,
        "end": result.spans[0].end,
        "text": result.spans[0].text,
        "original": result.spans[0].original,
        "original_start": result.spans[0].original_start,
        "original_end": result.spans[0].original_end,
        "kind": result.spans[0].kind,
    }


def test_result_is_frozen(moby: Spinner) -> None:
    result = moby.spin(ARTICLE, rate=0.3, seed=5)
    with pytest.raises(AttributeError):
        result.text = "x"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        result.spans[0].start = 0  # type: ignore[misc]


# --------------------------------------------------------------------------- minimal spans


def spin_one(spinner: Spinner, text: str) -> SpinResult:
    """Spin a text with a single eligible unit: rate 0.6 of one unit replaces it."""
    result = spinner.spin(text, rate=0.6, seed=1)
    assert result.eligible == 1 and len(result.spans) == 1, result
    assert_exact(result)
    return result


def test_phrase_rewrite_drops_shared_words(tmp_path: Path) -> None:
    spinner = table_spinner(tmp_path, {}, "because of\ton account of\na lot of\tplenty of\n")
    result = spin_one(spinner, "They stayed because of the rain.")
    assert result.text == "They stayed on account of the rain."
    assert (result.spans[0].original, result.spans[0].text) == ("because", "on account")
    assert result.spans[0].kind == "phrase"
    result = spin_one(spinner, "A lot of rain fell.")
    assert result.text == "Plenty of rain fell."
    assert (result.spans[0].original, result.spans[0].text) == ("A lot", "Plenty")


def test_span_keeps_both_words_when_the_space_between_changes(tmp_path: Path) -> None:
    spinner = table_spinner(tmp_path, {}, "it is\tit's\nin the\twithin the\n")
    result = spin_one(spinner, "Today it is raining.")
    assert result.text == "Today it's raining."
    assert (result.spans[0].original, result.spans[0].text) == ("it is", "it's")
    result = spin_one(spinner, "Rain fell in the city.")
    assert result.text == "Rain fell within the city."
    assert (result.spans[0].original, result.spans[0].text) == ("in", "within")


def test_adjacent_replacements_are_separate_spans(tmp_path: Path) -> None:
    words = {"big": "large", "red": "crimson", "old": "aged", "fast": "rapid", "car": "auto"}
    spinner = table_spinner(tmp_path, words)
    for seed in range(40):
        result = spinner.spin("A big red old fast car.", rate=0.6, seed=seed)
        assert all(len(make_document(s.original)) == 1 for s in result.spans)
        if any(
            a.original_end + 1 == b.original_start
            for a, b in zip(result.spans, result.spans[1:], strict=False)
        ):
            break
    else:
        pytest.fail("no seed replaced two adjacent words")
    assert_exact(result)


def test_possessive_stays_attached(tmp_path: Path) -> None:
    spinner = table_spinner(tmp_path, {"company": "corporate", "staff": "employees"})
    result = spin_one(spinner, "The company's chief resigned.")
    assert result.text == "The corporate's chief resigned."
    assert result.spans[0].original == "company"
    result = spin_one(spinner, "He is Chief of Staff now.")
    assert result.text == "He is Chief of Employees now."


@pytest.mark.parametrize(
    ("text", "spun"),
    [
        ("Attack came.", "Assault came."),
        ("The ATTACK came.", "The ASSAULT came."),
        ("It was an attack.", "It was an assault."),
        ("Rain fell.", "Pouring rain fell."),
        ("Heavy RAIN fell.", "Heavy POURING RAIN fell."),
        ("The Heavy Rain Show.", "The Heavy Pouring rain Show."),
    ],
)
def test_capitalisation_follows_the_original(tmp_path: Path, text: str, spun: str) -> None:
    spinner = table_spinner(tmp_path, {"attack": "assault", "rain": "pouring rain"})
    assert spin_one(spinner, text).text == spun


def test_title_case_phrases_stay_title_case(tmp_path: Path) -> None:
    spinner = table_spinner(tmp_path, {"prime minister": "top minister"})
    assert spin_one(spinner, "The Prime Minister spoke.").text == "The Top Minister spoke."


# --------------------------------------------------------------------------- realistic spinning


def test_moby_keeps_case_and_never_replaces_stopwords_alone(moby: Spinner) -> None:
    for seed in range(4):
        result = moby.spin(ARTICLE, rate=0.6, seed=seed)
        for span in result.spans:
            first = span.original[0]
            if span.original.isupper() and len(span.original) > 1:
                assert span.text.isupper(), span
            elif first.isupper():
                assert span.text[0].isupper(), span
            else:
                assert span.text[0].islower(), span
            if span.kind == "synonym":
                assert span.original.lower() not in STOPWORDS, span


def test_inflection_helpers() -> None:
    assert ("say", "VBD") in inflection_sources("said")
    assert inflection_sources("children") == (("child", "NNS"),)
    assert ("carry out", "VBD") in inflection_sources("carried out")
    assert inflection_sources("attack") == ()
    assert inflect("assault", "VBD") == "assaulted"
    assert inflect("kid", "NNS") == "kids"
    assert inflect("present", "VBZ") == "presents"
    assert inflect("state", "VBD") == "stated"
    assert inflect("turn down", "VBD") == "turned down"
    assert inflect("allegation", "VBD") is None
    # lemminflect writes "freeer" and "trueest"; the spinner spells them.
    assert [inflect(w, t) for w, t in [("free", "JJR"), ("true", "JJS"), ("wide", "JJR")]] == [
        "freer",
        "truest",
        "wider",
    ]


@pytest.mark.parametrize(
    ("word", "tags"),
    [
        ("attacked", ("VBD", "VBN")),
        ("said", ("VBD", "VBN")),
        ("children", ("NNS",)),
        ("shows", ("VBZ", "NNS")),
    ],
)
def test_replacements_carry_the_inflection(
    lexicon: Lexicon, moby: Spinner, word: str, tags: tuple[str, ...]
) -> None:
    from lemminflect import getAllLemmas, getInflection

    own = set(lexicon.synonyms(word))
    for seed in range(60):
        replacement = moby.thesaurus.replacement(word, random.Random(seed))
        assert replacement is not None
        if replacement in own:  # a synonym of the inflected form itself ("said" -> "aforesaid")
            continue
        inflected = replacement.split(" ")[-1 if tags == ("NNS",) else 0]
        lemmas = [lemma for forms in getAllLemmas(inflected).values() for lemma in forms]
        assert any(inflected in getInflection(lemma, tag) for lemma in lemmas for tag in tags), (
            replacement
        )


def test_cross_profile_inflects_and_uses_its_own_phrases(cross: Spinner) -> None:
    children = {cross.thesaurus.replacement("children", random.Random(seed)) for seed in range(30)}
    assert "kids" in children
    phrases = {
        s.original.lower()
        for seed in range(5)
        for s in cross.spin(ARTICLE, rate=0.5, seed=seed).spans
        if s.kind == "phrase"
    }
    cross_sources = {a for a, _ in cross.phrases.pairs}
    assert phrases and all(any(p in source for source in cross_sources) for p in phrases)


def test_blocked_words_are_never_written(moby: Spinner) -> None:
    blocked = load_blocklist()
    for word in ("black", "man", "homosexual", "stupid", "woman"):
        for seed in range(100):
            replacement = moby.thesaurus.replacement(word, random.Random(seed)) or ""
            assert blocked.isdisjoint(replacement.split()), (word, replacement)


def test_moby_pool_skips_same_stem_words(lexicon: Lexicon) -> None:
    thesaurus = MobyThesaurus(lexicon)
    picks = {thesaurus.replacement("government", random.Random(seed)) for seed in range(200)}
    assert not any(p and p.startswith("govern") for p in picks)


# --------------------------------------------------------------------------- protections


def _quoted(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(r"“[^”]*”", text)]


def test_protected_tokens_are_untouched(spinner: Spinner) -> None:
    document = make_document(ARTICLE)
    initial = {document.starts[lo] for lo, _ in document.sentences}
    quotes = _quoted(ARTICLE)
    for seed in range(4):
        result = spinner.spin(ARTICLE, rate=0.6, seed=seed, protect="names,numbers,quotes")
        assert result.protect == ("names", "numbers", "quotes")
        assert_exact(result)
        for span in result.spans:
            assert not any(c.isdigit() for c in span.original), span
            assert not any(lo <= span.original_start < hi for lo, hi in quotes), span
            for k, start in enumerate(document.starts):
                if span.original_start <= start < span.original_end and ARTICLE[start].isupper():
                    assert start in initial and k == document.starts.index(span.original_start), (
                        span
                    )


def test_protections_change_what_may_be_replaced(moby: Spinner) -> None:
    unprotected = {
        s.original
        for seed in range(6)
        for s in moby.spin(ARTICLE, rate=0.6, seed=seed, protect="none").spans
    }
    protected = {
        s.original
        for seed in range(6)
        for s in moby.spin(ARTICLE, rate=0.6, seed=seed, protect="names,quotes").spans
    }
    assert any(o[0].isupper() for o in unprotected - protected)


def test_profile_defaults() -> None:
    assert PROFILES["moby"].protect == ("numbers",) and not PROFILES["moby"].evaluation_only
    assert PROFILES["cross"].evaluation_only and PROFILES["cross"].thesaurus == "mythes"


# --------------------------------------------------------------------------- tables and resources


def test_cross_phrases_are_not_in_the_detector_glue_table() -> None:
    glue = load_reference_glue()  # every row either judge reads
    cross = load_phrase_table("cross")
    assert len(cross.pairs) >= 50
    shared = sorted(pair for pair in cross.pairs if pair in glue)
    assert shared == []


def test_glue_table_is_read_in_both_directions() -> None:
    glue: PhraseTable = load_phrase_table("glue")
    assert ("because of", "on account of") in glue.pairs and (
        "on account of",
        "because of",
    ) in glue.pairs
    assert glue.rewrites("in order to") == ("so as to", "with the intention to")


def test_bad_phrase_table_line_is_reported(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("because of on account of\n", encoding="utf-8")
    with pytest.raises(ResourceError, match="phrase table line 1"):
        load_phrase_table("test", bad)


def test_missing_mythes_names_the_package(tmp_path: Path) -> None:
    with pytest.raises(ResourceError, match="apt-get install mythes-en-us"):
        find_mythes(tmp_path / "th_en_US_v2.dat")


# --------------------------------------------------------------------------- real articles


@pytest.mark.parametrize("name", ["onestopenglish_all_levels", "wikinewssum_en_articles"])
def test_spans_exact_on_shared_corpora(spinner: Spinner, name: str) -> None:
    from training.corpus import load_corpus

    path = SHARED_CORPORA / f"{name}.jsonl.xz"
    if not path.is_file():
        pytest.skip(f"{path} is not beside this checkout")
    for i, record in enumerate(load_corpus(path, limit=12)):
        result = spinner.spin(
            record.text.replace("\n", "\r\n") if i % 2 else record.text, rate=0.4, seed=i
        )
        assert_exact(result)


def test_cli_profile_names_match_the_spinner_profiles():
    from detector.spin import PROFILE_NAMES
    from detector.spin.spinner import PROFILES

    assert tuple(PROFILES) == PROFILE_NAMES


# --------------------------------------------------------------------------- the paratable profile

PARAGRAPHS = [p for p in ARTICLE.split("\n\n") if len(p.split()) > 20]


def test_paratable_profile_is_a_training_profile() -> None:
    profile = PROFILES["paratable"]
    assert not profile.evaluation_only and profile.thesaurus == "moby"
    assert profile.phrases == "paratable" and profile.protect == ("numbers",)
    assert profile.spelling_weight > 0 and profile.name_weight > 0
    assert PROFILES["moby"].spelling_weight == PROFILES["moby"].name_weight == 0


def test_paratable_spans_are_exact_on_a_paragraph(paratable: Spinner) -> None:
    paragraph = PARAGRAPHS[1]  # Margaret Okafor, "deeply disappointed", on Tuesday evening
    kinds = set()
    for seed in range(40):
        for rate in (0.2, 0.6):
            result = paratable.spin(paragraph, rate=rate, seed=seed)
            assert result.spans
            assert_exact(result)
            for span in result.spans:
                assert result.text[span.start : span.end] == span.text
                assert paragraph[span.original_start : span.original_end] == span.original
                kinds.add(span.kind)
    assert kinds == {"synonym", "phrase"}


def test_paratable_writes_multiword_rewrites_often(paratable: Spinner) -> None:
    in_order_to = 0
    for seed in range(20):
        result = paratable.spin(ARTICLE, rate=0.3, seed=seed)
        longer = [
            span
            for span in result.spans
            if span.kind == "phrase"
            and len(make_document(span.text)) > len(make_document(span.original))
        ]
        assert longer, result.text  # "many" -> "a large number of", "to" -> "in order to"...
        in_order_to += any(span.text.lower() == "in order to" for span in result.spans)
        assert sum(s.kind == "phrase" for s in result.spans) >= 0.3 * len(result.spans)
    assert in_order_to >= 12  # "to build", "to provide", "to consider", "to decide"


def test_paratable_is_deterministic_for_a_seed(paratable: Spinner) -> None:
    first = paratable.spin(ARTICLE, rate=0.4, seed=21)
    again = Spinner.from_profile("paratable").spin(ARTICLE, rate=0.4, seed=21)
    assert again == first and again.text == first.text
    assert paratable.spin(ARTICLE, rate=0.4, seed=22).text != first.text


def test_paratable_table_inflects_verbs_and_spares_the_cross_pairs() -> None:
    table = load_phrase_table("paratable")
    literal = [
        line
        for line in (DATA_DIR / "paratable_phrases.tsv").read_text("utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert len(literal) >= 120
    for pair in [
        ("many", "a large number of"),
        ("because", "on the grounds that"),
        ("while", "whilst"),
        ("on", "upon"),
        ("in the end", "at the end of the day"),
        ("very important", "of paramount importance"),
        ("used", "utilised"),  # derived: the table lists "use", "utilise"
        ("tried", "endeavoured"),
        ("bought", "purchased"),
        ("found", "came across"),
        ("carried out", "conducted"),
    ]:
        assert pair in table.pairs, pair
    assert ("jobbed", "positioned") not in table.pairs
    assert not table.pairs & load_phrase_table("cross").pairs


def test_paratable_respells_and_mangles_names(tmp_path: Path) -> None:
    empty = tmp_path / "empty.tsv"
    empty.write_text("# no phrases\n", encoding="utf-8")
    spinner = Spinner(
        replace(PROFILES["paratable"], name="test"),
        TableThesaurus({}),
        load_phrase_table("test", empty),
        load_phrase_table("spelling"),
    )
    text = "The colour faded. Neighbours organized it."
    respelt = set()
    for seed in range(10):
        result = spinner.spin(text, rate=0.6, seed=seed)
        assert_exact(result)
        respelt |= {(s.original, s.text) for s in result.spans}
    assert {("colour", "color"), ("organized", "organised"), ("Neighbours", "Neighbors")} <= respelt
    text = "Later, the chief executive Margaret Okafor said Ms Okafor would stay."
    mangled = set()
    for seed in range(40):
        result = spinner.spin(text, rate=0.6, seed=seed)
        assert_exact(result)
        mangled |= {(s.original, s.text) for s in result.spans}
        assert spinner.spin(text, rate=0.6, seed=seed, protect="names").spans == ()
    assert ("Margaret Okafor", "Okafor") in mangled
    assert any(o == "Okafor" and sorted(t) == sorted(o) and t != o for o, t in mangled)
    assert not any(o.startswith("Ms") for o, _ in mangled)  # a title is never dropped


def test_paratable_leaves_headline_words_alone(paratable: Spinner) -> None:
    headline = ARTICLE.split("\n", 1)[0]  # City Council Rejects Harbour Development Plan
    for seed in range(20):
        result = paratable.spin(ARTICLE, rate=0.6, seed=seed)
        assert all(s.original_start == 0 or s.original_start > len(headline) for s in result.spans)


# ------------------------------------------------------------------- profiles in the dataset


def test_dataset_trains_on_moby_and_paratable(
    tmp_path: Path, moby: Spinner, paratable: Spinner
) -> None:
    datasets = pytest.importorskip("datasets")
    from training.dataset import main

    corpus = tmp_path / "news.jsonl"
    with open(corpus, "w", encoding="utf-8") as f:
        for k in range(12):
            # Each text its own (the recipe leaves a held-out copy of a training text out).
            text = f"Report number {k} of the series.\n\n" + "\n\n".join(
                PARAGRAPHS[(k + i) % len(PARAGRAPHS)] for i in range(2)
            )
            f.write(json.dumps({"title": f"News {k}", "text": text}) + "\n")
    out = tmp_path / "spin"
    argv = ["--corpus", str(corpus), "--out", str(out), "--min-words", "20"]
    assert main([*argv, "--cross-profile", "none"]) == 0  # the default --profile
    built = datasets.load_from_disk(str(out))
    assert json.loads((out / "build.json").read_text("utf-8"))["args"]["profile"] == (
        "moby,paratable"
    )
    spinners = {"moby": moby, "paratable": paratable}
    for split in ("train", "validation", "test"):
        by_text: dict[str, list[str]] = {}
        for row in built[split]:
            if row["kind"] != "spun":
                continue
            by_text.setdefault(row["text_id"], []).append(row["profile"])
            for span in row["spans"]:
                assert row["suspect"][span["start"] : span["end"]] == span["text"]
                original = row["original"][span["original_start"] : span["original_end"]]
                assert original == span["original"]
            assert sum(row["tags"]) == sum(len(make_document(s["text"])) for s in row["spans"])
            if split == "train":
                again = spinners[row["profile"]].spin(
                    row["original"], rate=row["rate"], seed=row["seed"], protect=row["protect"]
                )
                assert again.text == row["suspect"]
        # Two spun copies of each text (the default): one per training profile.
        assert by_text and all(sorted(p) == ["moby", "paratable"] for p in by_text.values())
    assert set(built["train"]["profile"]) == {"", "moby", "paratable"}
    assert "cross" not in set(built["train"]["profile"]) | set(built["validation"]["profile"])


def test_dataset_profile_option() -> None:
    from training.dataset import DataArgs

    assert DataArgs(corpus=["x.jsonl"]).profiles == ("moby", "paratable")
    args = DataArgs(corpus=["x.jsonl"], profile=" paratable , moby,paratable")
    assert args.profiles == ("paratable", "moby") and args.profile == "paratable,moby"
    with pytest.raises(ValueError, match="evaluation-only profile 'cross'"):
        DataArgs(corpus=["x.jsonl"], profile="moby,cross")
    with pytest.raises(ValueError, match="the 'profile' parameter must list some of moby"):
        DataArgs(corpus=["x.jsonl"], profile="moby,wordai")
    with pytest.raises(ValueError, match="must name at least one training profile"):
        DataArgs(corpus=["x.jsonl"], profile=" , ")


def test_judge_only_glue_rewrites_are_not_the_spinners() -> None:
    # The judges read the supplement too; the synthetic spinner never makes those rewrites.
    assert ("on the grounds that", "because") in load_glue_phrases()
    assert "on the grounds that" not in load_phrase_table("glue").rewrites("because")


def test_reference_only_glue_rows_are_read_by_the_reference_judge_alone() -> None:
    from detector.judge import SubstitutionJudge

    pair = ("many", "a considerable lot of")
    # The language-model judge reads load_glue_phrases(): the shared tables alone.
    assert pair in load_reference_glue() and pair not in load_glue_phrases()
    assert pair in SubstitutionJudge().glue
    shared, both = load_glue_phrases(), load_reference_glue()
    assert shared.pairs <= both.pairs and shared.bound <= both.bound
    assert ("a considerable lot", "many", (), ("of",)) in both.bound  # trimmed, bound to "of"
