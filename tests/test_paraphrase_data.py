"""The rule paraphraser and the paraphrase data builder, on small inline texts (no LM)."""

from __future__ import annotations

import json
import re

import pytest

from detector.spin.paraphrase import paraphrase, paraphrase_with_pairs, split_sentences
from training.paraphrase_data import (
    FAMILIES,
    SEP,
    LMCache,
    Story,
    build_pairs,
    cached_only,
    check_lm_sentence,
    clean_lm_output,
    lm_paraphrase,
    split_of,
    write_splits,
)

ARTICLE = (
    "Officials said the bridge would reopen next month. The city council approved the "
    "repairs on Monday. Although the work was expensive, many residents supported it because "
    "the old bridge was dangerous.\n\n"
    "The mayor, Anna Berg, told reporters that 5 companies had applied for the contract; "
    "the winner will be chosen in 2025. Traffic fell by 30 per cent during the closure, "
    'and local shops lost a lot of customers. "We are very grateful for your patience," '
    "Ms Berg said.\n\n"
    "The police arrested a man in Bergen on Tuesday. He didn't resist."
)
NAMES = ("Anna Berg", "Bergen", "Berg")
NUMBERS = ("2025",)


def _sentences(text: str) -> list[str]:
    return [s for part in text.split("\n\n") for s in split_sentences(part)]


def test_paraphrase_changes_most_sentences() -> None:
    source = _sentences(ARTICLE)
    result = paraphrase_with_pairs(ARTICLE, seed=1, strength=1.0)
    assert result.changed_share >= 0.6
    changed = sum(s.output != " ".join(s.sources) for s in result.sentences)
    assert changed >= len(source) * 0.6


def test_paraphrase_keeps_order_and_roughly_the_sentence_count() -> None:
    source = _sentences(ARTICLE)
    result = paraphrase_with_pairs(ARTICLE, seed=2, strength=1.0)
    flattened = [s for r in result.sentences for s in r.sources]
    assert flattened == source  # every source sentence, once, in order
    out = _sentences(result.text)
    assert len(source) - 3 <= len(out) <= len(source) + 3


@pytest.mark.parametrize("seed", range(6))
def test_paraphrase_keeps_names_numbers_and_quotes(seed: int) -> None:
    text = paraphrase(ARTICLE, seed=seed)
    for name in NAMES:
        assert name in text
    for number in NUMBERS:
        assert number in text
    assert "30 per cent" in text or "30%" in text or "30 percent" in text
    assert (
        "5 companies" in text
        or "five companies" in text
        or "5 firms" in text
        or ("five firms" in text or "5 businesses" in text or "five businesses" in text)
    )
    assert "We are very grateful for your patience" in text


def test_paraphrase_is_deterministic_for_a_seed() -> None:
    assert paraphrase(ARTICLE, seed=7) == paraphrase(ARTICLE, seed=7)
    outputs = {paraphrase(ARTICLE, seed=s) for s in range(5)}
    assert len(outputs) > 1


def test_paraphrase_keeps_paragraph_breaks() -> None:
    text = paraphrase(ARTICLE, seed=3)
    assert text.count("\n\n") == ARTICLE.count("\n\n")
    assert "\n" not in text.replace("\n\n", "")


def test_paraphrase_rewrites_the_examples_of_issue_12() -> None:
    outputs = {
        paraphrase("Officials said the bridge would reopen next month.", seed=s) for s in range(8)
    }
    assert any(o.startswith("According to officials, the bridge") for o in outputs) or any(
        o.endswith("officials said.") or o.endswith("authorities said.") for o in outputs
    )
    passive = paraphrase("The police arrested a man in Bergen.", seed=0, strength=1.0)
    assert passive != "The police arrested a man in Bergen."


def test_paraphrase_leaves_an_unrewritable_text_usable() -> None:
    for text in ("Hello.", "x", "", "   ", "\u201cYes.\u201d", "1 2 3"):
        out = paraphrase(text, seed=1, strength=1.0)
        assert isinstance(out, str)
        assert out.strip() == text.strip() or out.strip()


def test_paraphrase_rejects_a_bad_strength() -> None:
    with pytest.raises(ValueError, match="strength"):
        paraphrase(ARTICLE, seed=1, strength=1.5)


def test_check_lm_sentence_filters_bad_outputs() -> None:
    src = "The city council approved the repairs to the old bridge on Monday."
    assert check_lm_sentence(src, "")[1] == "empty"
    assert check_lm_sentence(src, src)[1] == "unchanged"
    assert check_lm_sentence(src, "Here is the sentence rewritten.")[1] == "meta"
    assert check_lm_sentence(src, "Yes.")[1] == "length"
    ok = "On Monday, the council of the city gave its approval to repairing the old bridge."
    assert check_lm_sentence(src, ok) == (ok, "ok")
    with_number = "The council approved 5 repairs to the bridge."
    assert check_lm_sentence("The council approved 6 repairs to the bridge.", with_number)[1] in (
        "numbers",
        "unchanged",
    )
    assert clean_lm_output('The revised sentence is: "A new one."\nMore.') == "A new one."


def test_check_lm_sentence_refuses_another_language_and_another_story() -> None:
    src = "Officials said the old bridge over the river would reopen to traffic next month."
    german = "Die Beamten sagten, die alte Brücke über den Fluss werde nächsten Monat öffnen."
    assert check_lm_sentence(src, german)[1] == "language"
    # Rare words of the source are English enough when the rewrite keeps them.
    medical = (
        "Doctors treated the patients for bronchiolitis and rhinovirus infections last winter."
    )
    kept_terms = "Last winter, patients were treated by doctors for bronchiolitis and rhinovirus."
    assert check_lm_sentence(medical, kept_terms) == (kept_terms, "ok")
    close = {("officials", "authorities"), ("reopen", "open"), ("traffic", "cars")}

    def related(a: str, b: str) -> bool:
        return (a, b) in close or (b, a) in close

    kept = "Authorities said the old bridge would open again to cars over the river next month."
    assert check_lm_sentence(src, kept, related) == (kept, "ok")
    # The bridge, the river and the month are kept, the rest is new: another story.
    told = "The bridge over the river was painted green by volunteers last month, neighbours said."
    assert check_lm_sentence(src, told, related)[1] == "unsupported"
    assert check_lm_sentence(src, told)[1] == "ok"  # without a relation, as before


def _stories() -> list[Story]:
    other = (
        "Scientists found a new species of frog in the rainforest. The frog is tiny.\n\n"
        "It was discovered during a survey in 2021. Researchers said the area is threatened."
    )
    third = (
        "The festival returned after a break of two years. Thousands of visitors came.\n\n"
        "Organisers said ticket sales rose sharply. Next year's event will be larger."
    )
    simple = "Officials say the bridge will open again next month.\n\nMany people like this."
    return [
        Story("ose:bridge", ARTICLE, "Bridge", {"ele": simple, "int": simple + " Good."}),
        Story("wikinews:1", other, "Frog"),
        Story("wikinews:2", third, "Festival"),
        Story("wikinews:3", other.replace("frog", "toad"), "Toad"),
    ]


def _fake_lm(sentences, attempt):
    """A stand-in LM: reorders a sentence around its first comma or prefixes a phrase."""
    out = []
    for s in sentences:
        body = s.rstrip(".")
        words = body.split()
        out.append(f"In short, {' '.join(words[::-1]).lower()} indeed.")
    return out


def test_build_pairs_assembles_every_family_without_the_lm(tmp_path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "bridge.txt").write_text(
        "# reports: ose:bridge\nA new bridge will open soon, the council says.", "utf-8"
    )
    pairs = build_pairs(_stories(), seed=1, seeds=tmp_path / "none", independent=folder)
    families = {p.family for p in pairs}
    assert families == {"paraphrase_rule", "syndicated", "simplified", "independent", "unrelated"}
    for pair in pairs:
        assert pair.family in FAMILIES
        expected = "paraphrased" if pair.family.startswith("paraphrase") else "not_paraphrased"
        assert pair.expected == expected
        assert pair.suspect.strip() and pair.original.strip()
    unrelated = [p for p in pairs if p.family == "unrelated"]
    assert all(p.meta["suspect_story"] != p.source_story for p in unrelated)
    assert all(split_of(p.meta["suspect_story"]) == split_of(p.source_story) for p in unrelated)
    counts = write_splits(pairs, tmp_path / "out")
    rows = [
        json.loads(line)
        for name in ("dev", "test")
        for line in (tmp_path / "out" / f"{name}.jsonl").read_text("utf-8").splitlines()
    ]
    assert len(rows) == len(pairs) == sum(sum(c.values()) for c in counts.values())
    assert set(rows[0]) >= {"id", "family", "suspect", "original", "expected", "source_story"}
    splits = {}
    for name in ("dev", "test"):
        for line in (tmp_path / "out" / f"{name}.jsonl").read_text("utf-8").splitlines():
            splits.setdefault(json.loads(line)["source_story"], set()).add(name)
    assert all(len(s) == 1 for s in splits.values())  # no story in both splits


def test_build_pairs_takes_an_injected_lm(tmp_path) -> None:
    pairs = build_pairs(
        _stories(),
        seed=1,
        rewrite=_fake_lm,
        lm_stories=4,
        lm_sentences=6,
        seeds=tmp_path,
        independent=tmp_path,
    )
    lm = [p for p in pairs if p.family == "paraphrase_lm"]
    assert lm
    for pair in lm:
        assert pair.meta["accepted"] >= 3
        assert pair.suspect.count(SEP) == pair.original.count(SEP)
        assert pair.suspect != pair.original


def test_lm_paraphrase_from_cache_skips_stories_never_generated(tmp_path) -> None:
    cache = LMCache(tmp_path / "cache.jsonl")
    text = "The council approved the repairs to the old bridge on Monday."
    assert lm_paraphrase(text, cached_only(cache)) is None
    cache.put(text, 0, "On Monday, the council gave its approval to repairing the old bridge.")
    again = LMCache(tmp_path / "cache.jsonl")  # read back from disk
    result = lm_paraphrase(text, cached_only(again))
    assert result is not None and result.reasons == {"ok": 1}
    assert re.match(r"On Monday", result.suspect)


def test_a_missing_retry_leaves_the_sentence_out_not_the_story(tmp_path) -> None:
    cache = LMCache(tmp_path / "cache.jsonl")
    first = "The council approved the repairs to the old bridge on Monday."
    second = "Work on the bridge will start in the spring and last six weeks."
    cache.put(first, 0, "On Monday, the council gave its approval to repairing the old bridge.")
    cache.put(second, 0, second)  # refused (unchanged); no retry cached
    result = lm_paraphrase(f"{first} {second}", cached_only(cache))
    assert result is not None and result.original == first
    assert "spring" not in result.suspect

    def no_retries(sentences, attempt):  # a rewriter with no second answer at all
        return cached_only(cache)(sentences, 0) if attempt == 0 else [None] * len(sentences)

    result = lm_paraphrase(f"{first} {second}", no_retries)
    assert result is not None and result.reasons == {"ok": 1, "unchanged": 1}
    assert result.original == first


def test_lm_part_pairs_set_the_retold_opening_against_the_whole_story(tmp_path) -> None:
    more = (
        "Engineers will inspect the bridge again in the spring. The council will publish "
        "their report online. Cyclists have asked for a wider lane on the new deck."
    )
    long_story = Story("wikinews:9", ARTICLE + SEP + more, "Bridge, long")
    pairs = build_pairs(
        [*_stories(), long_story],
        seed=1,
        rewrite=_fake_lm,
        lm_stories=5,
        lm_sentences=6,
        seeds=tmp_path,
        independent=tmp_path,
    )
    whole = {p.source_story: p for p in pairs if p.family == "paraphrase_lm"}
    parts = [p for p in pairs if p.family == "paraphrase_lm_part"]
    # Only the long story goes on for five sentences after its six-sentence opening.
    assert [p.source_story for p in parts] == ["wikinews:9"]
    part, lm = parts[0], whole["wikinews:9"]
    assert part.expected == "paraphrased"
    assert part.suspect == lm.suspect
    rest = ARTICLE.split(SEP)[2] + SEP + more
    assert part.original == lm.original + SEP + rest
    assert part.meta["rest_sentences"] == 5
